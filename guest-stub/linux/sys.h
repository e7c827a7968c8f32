/*
 * Shared by the system-call handlers (sys_*.c) and the table (syscall.c):
 * the handler type and the helpers every handler uses to reach the
 * process's memory. A handler receives the six argument registers (EBX,
 * ECX, EDX, ESI, EDI, EBP) as a[0..5] and returns the value for EAX. User
 * addresses are only numbers here: every access goes through lx_user_in(),
 * lx_user_out() or lx_user_path(), which check the range against the
 * process's half of the address space before asking the guest kernel to
 * copy, so a bad pointer is an -EFAULT, never the guest kernel's fault.
 */
#ifndef GUEST_LINUX_SYS_H
#define GUEST_LINUX_SYS_H

#include "lx.h"

typedef int32_t (*lx_sys_fn)(lx_proc_t *p, const uint32_t *a);

bool lx_user_range_ok(const lx_proc_t *p, uint32_t addr, uint32_t len);
int lx_user_in(lx_proc_t *p, void *dst, uint32_t uaddr, uint32_t len);
int lx_user_out(lx_proc_t *p, uint32_t uaddr, const void *src, uint32_t len);
/* A struct timespec of the process's (64-bit seconds if wide, else 32-bit),
 * unchecked: 0 or -EFAULT. */
int lx_timespec_in(lx_proc_t *p, uint32_t uaddr, bool wide, int64_t *sec, int64_t *nsec);
/* Copies a NUL-terminated path into buf (LX_PATH_MAX bytes). */
int lx_user_path(lx_proc_t *p, uint32_t uaddr, char *buf);

/* Handlers, by file. */
#define LX_HANDLER(name) int32_t lx_sys_##name(lx_proc_t *p, const uint32_t *a)
/* sys_file.c */
LX_HANDLER(read); LX_HANDLER(write); LX_HANDLER(readv); LX_HANDLER(writev);
LX_HANDLER(open); LX_HANDLER(openat); LX_HANDLER(close); LX_HANDLER(lseek);
LX_HANDLER(llseek); LX_HANDLER(dup); LX_HANDLER(dup2); LX_HANDLER(dup3);
LX_HANDLER(pipe); LX_HANDLER(pipe2); LX_HANDLER(fcntl64); LX_HANDLER(ioctl);
LX_HANDLER(getdents64); LX_HANDLER(pread64); LX_HANDLER(pwrite64);
/* sys_path.c */
LX_HANDLER(statx); LX_HANDLER(stat64); LX_HANDLER(lstat64); LX_HANDLER(fstat64); LX_HANDLER(fstatat64);
LX_HANDLER(mkdir); LX_HANDLER(mkdirat); LX_HANDLER(rmdir); LX_HANDLER(unlink);
LX_HANDLER(unlinkat); LX_HANDLER(rename); LX_HANDLER(renameat); LX_HANDLER(link);
LX_HANDLER(linkat); LX_HANDLER(symlink); LX_HANDLER(symlinkat); LX_HANDLER(readlink);
LX_HANDLER(readlinkat); LX_HANDLER(chdir); LX_HANDLER(fchdir); LX_HANDLER(getcwd);
LX_HANDLER(access); LX_HANDLER(faccessat); LX_HANDLER(faccessat2); LX_HANDLER(umask);
LX_HANDLER(renameat2); LX_HANDLER(mknod); LX_HANDLER(mknodat);
/* sys_attr.c */
LX_HANDLER(chmod); LX_HANDLER(fchmod); LX_HANDLER(fchmodat); LX_HANDLER(truncate);
LX_HANDLER(ftruncate); LX_HANDLER(truncate64); LX_HANDLER(ftruncate64);
LX_HANDLER(utimensat); LX_HANDLER(madvise); LX_HANDLER(fchmodat2);
LX_HANDLER(chown); LX_HANDLER(lchown); LX_HANDLER(fchown); LX_HANDLER(chown32);
LX_HANDLER(lchown32); LX_HANDLER(fchown32); LX_HANDLER(fchownat); LX_HANDLER(utime);
LX_HANDLER(utimes); LX_HANDLER(futimesat);
/* sys_mem.c */
LX_HANDLER(brk); LX_HANDLER(mmap2); LX_HANDLER(munmap); LX_HANDLER(mprotect);
LX_HANDLER(mremap);
/* sys_futex.c */
LX_HANDLER(futex); LX_HANDLER(futex_time64); LX_HANDLER(sysinfo);
/* sys_proc.c */
LX_HANDLER(exit); LX_HANDLER(exit_group); LX_HANDLER(getpid); LX_HANDLER(getppid);
LX_HANDLER(gettid); LX_HANDLER(getuid); LX_HANDLER(geteuid); LX_HANDLER(getgid);
LX_HANDLER(getegid); LX_HANDLER(getresuid); LX_HANDLER(getresgid);
LX_HANDLER(getpgrp); LX_HANDLER(getpgid); LX_HANDLER(setpgid); LX_HANDLER(getsid);
LX_HANDLER(setsid); LX_HANDLER(uname); LX_HANDLER(set_thread_area);
LX_HANDLER(set_tid_address); LX_HANDLER(set_robust_list); LX_HANDLER(time);
LX_HANDLER(get_robust_list);
LX_HANDLER(gettimeofday); LX_HANDLER(clock_gettime); LX_HANDLER(clock_gettime64);
LX_HANDLER(getrandom); LX_HANDLER(prlimit64); LX_HANDLER(getrlimit);
LX_HANDLER(ugetrlimit); LX_HANDLER(nanosleep); LX_HANDLER(clock_nanosleep);
LX_HANDLER(clock_nanosleep_time64);
/* sys_more.c */
LX_HANDLER(sendfile); LX_HANDLER(sendfile64); LX_HANDLER(fsync); LX_HANDLER(fdatasync);
LX_HANDLER(sync); LX_HANDLER(syncfs); LX_HANDLER(flock); LX_HANDLER(statfs);
LX_HANDLER(fstatfs); LX_HANDLER(statfs64); LX_HANDLER(fstatfs64); LX_HANDLER(times);
LX_HANDLER(getrusage); LX_HANDLER(sched_yield); LX_HANDLER(sched_getaffinity); LX_HANDLER(sched_setaffinity);
LX_HANDLER(getcpu); LX_HANDLER(nice); LX_HANDLER(getpriority); LX_HANDLER(setpriority);
LX_HANDLER(prctl); LX_HANDLER(setresuid32); LX_HANDLER(setresgid32);
LX_HANDLER(setreuid32); LX_HANDLER(setregid32); LX_HANDLER(setuid32); LX_HANDLER(setgid32);
LX_HANDLER(setgroups32); LX_HANDLER(getgroups32); LX_HANDLER(getitimer);
LX_HANDLER(setitimer); LX_HANDLER(msync); LX_HANDLER(mincore);
/* sys_poll.c */
LX_HANDLER(poll); LX_HANDLER(_newselect); LX_HANDLER(select); LX_HANDLER(pselect6);
LX_HANDLER(pselect6_time64); LX_HANDLER(ppoll); LX_HANDLER(ppoll_time64);
/* proc.c */
LX_HANDLER(fork); LX_HANDLER(vfork); LX_HANDLER(clone); LX_HANDLER(execve);
LX_HANDLER(wait4); LX_HANDLER(waitpid);

/* sys_signal.c */
LX_HANDLER(rt_sigaction); LX_HANDLER(sigaction); LX_HANDLER(signal);
LX_HANDLER(rt_sigprocmask); LX_HANDLER(sigprocmask); LX_HANDLER(rt_sigpending);
LX_HANDLER(sigpending); LX_HANDLER(sigaltstack); LX_HANDLER(kill); LX_HANDLER(tkill);
LX_HANDLER(tgkill); LX_HANDLER(alarm); LX_HANDLER(pause); LX_HANDLER(rt_sigsuspend);
LX_HANDLER(sigsuspend); LX_HANDLER(sigreturn); LX_HANDLER(rt_sigreturn);

/* sys_file.c: a new name in dir, owned as Linux's inode_init_owner does:
 * the caller's effective user, and its effective group or, in a
 * set-group-id directory, the directory's (a new directory keeps the bit). */
int lx_create_owned(lx_proc_t *p, lx_inode_t *dir, const char *name, uint32_t len,
        uint32_t mode, lx_inode_t **out);

/* sys_file.c, for the *at() calls: the directory dirfd names (AT_FDCWD:
 * the current one). */
int lx_at_dir(lx_proc_t *p, int32_t dirfd, lx_inode_t **dir);

/* procfs.c: paths under /proc/ (lx_procfs_path); open gives a fresh
 * snapshot file (nlink 0), readlink the target's length in buf (with a NUL
 * after it); -ENOENT for names /proc lacks. */
bool lx_procfs_path(const char *path);
int lx_procfs_open(lx_proc_t *p, const char *path, uint32_t flags, lx_inode_t **out);
int lx_procfs_readlink(lx_proc_t *p, const char *path, char *buf, uint32_t size);

/* sys_futex.c: wakes up to n threads parked in FUTEX_WAIT on the word at
 * uaddr of p's address space (the caller never); how many. */
int32_t lx_futex_wake(lx_proc_t *p, uint32_t uaddr, uint32_t n);
/* A thread's end, for its robust list (set_robust_list): the locks it
 * still holds are marked FUTEX_OWNER_DIED and a waiter of each woken; st is
 * one of p's thread states (lx_thread_state). lx_robust_exit_all: every
 * thread of p (exit_group, a fatal signal, execve). */
void lx_robust_exit(lx_proc_t *p, const lx_thread_state_t *st);
void lx_robust_exit_all(lx_proc_t *p);
/* proc.c, for exit: the calling thread of several ends (p->thread_exited). */
void lx_thread_exit(lx_proc_t *p);

/* sys_mem.c, for exec.c: reserve [start, end) in the process's layout. */
int lx_vma_add(lx_proc_t *p, uint32_t start, uint32_t end, uint32_t prot);

#endif
