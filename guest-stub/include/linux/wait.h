/*
 * Processes: wait4/waitpid options and the status word (include/uapi/
 * linux/wait.h; the encoding is the kernel's kernel/exit.c), clone flags
 * (include/uapi/linux/sched.h), poll events (include/uapi/asm-generic/
 * poll.h) and select's descriptor sets (include/uapi/linux/posix_types.h).
 */
#ifndef LINUX_WAIT_H
#define LINUX_WAIT_H

#define LX_WNOHANG          0x00000001  /* uapi/linux/wait.h */
#define LX_WUNTRACED        0x00000002  /* uapi/linux/wait.h */
#define LX_WCONTINUED       0x00000008  /* uapi/linux/wait.h */
#define LX_WNOTHREAD        0x20000000  /* uapi/linux/wait.h __WNOTHREAD */
#define LX_WALL             0x40000000  /* uapi/linux/wait.h __WALL */
#define LX_WCLONE           0x80000000  /* uapi/linux/wait.h __WCLONE */

/* Status words (kernel/exit.c): exited (code & 0xff) << 8, killed by a
 * signal: its number (| 0x80 with a core dump). */
#define LX_W_EXITCODE(code) (((code) & 0xffu) << 8)
#define LX_W_SIGNALED(sig)  ((sig) & 0x7fu)
/* ... stopped by a signal: 0x7f with the signal above it; continued: 0xffff
 * (kernel/exit.c wait_task_stopped, wait_task_continued). */
#define LX_W_STOPCODE(sig)  ((((sig) & 0xffu) << 8) | 0x7fu)
#define LX_W_CONTINUED      0xffffu

#define LX_CSIGNAL              0x000000ffu /* uapi/linux/sched.h: exit signal */
#define LX_CLONE_VM             0x00000100u /* uapi/linux/sched.h */
#define LX_CLONE_FS             0x00000200u /* uapi/linux/sched.h */
#define LX_CLONE_FILES          0x00000400u /* uapi/linux/sched.h */
#define LX_CLONE_SIGHAND        0x00000800u /* uapi/linux/sched.h */
#define LX_CLONE_VFORK          0x00004000u /* uapi/linux/sched.h */
#define LX_CLONE_PARENT         0x00008000u /* uapi/linux/sched.h */
#define LX_CLONE_THREAD         0x00010000u /* uapi/linux/sched.h */
#define LX_CLONE_SYSVSEM        0x00040000u /* uapi/linux/sched.h */
#define LX_CLONE_SETTLS         0x00080000u /* uapi/linux/sched.h */
#define LX_CLONE_PARENT_SETTID  0x00100000u /* uapi/linux/sched.h */
#define LX_CLONE_CHILD_CLEARTID 0x00200000u /* uapi/linux/sched.h */
#define LX_CLONE_DETACHED       0x00400000u /* uapi/linux/sched.h: ignored by clone */
#define LX_CLONE_CHILD_SETTID   0x01000000u /* uapi/linux/sched.h */

#define LX_POLLIN       0x0001  /* uapi/asm-generic/poll.h */
#define LX_POLLPRI      0x0002  /* uapi/asm-generic/poll.h */
#define LX_POLLOUT      0x0004  /* uapi/asm-generic/poll.h */
#define LX_POLLERR      0x0008  /* uapi/asm-generic/poll.h */
#define LX_POLLHUP      0x0010  /* uapi/asm-generic/poll.h */
#define LX_POLLNVAL     0x0020  /* uapi/asm-generic/poll.h */
#define LX_POLLRDNORM   0x0040  /* uapi/asm-generic/poll.h */
#define LX_POLLWRNORM   0x0100  /* uapi/asm-generic/poll.h */

#define LX_FD_SETSIZE   1024    /* uapi/linux/posix_types.h __FD_SETSIZE */

#endif
