/* unit-test-sources: */
/*
 * The Linux numbers in guest-stub/include/linux/ were written by hand from
 * the kernel's sources; here each is compared with the build host's own
 * kernel headers (linux-libc-dev: asm/unistd_32.h for the i386 system-call
 * numbers, asm-generic/errno*.h, asm/ioctls.h, linux/auxvec.h, fcntl and
 * mman flags, stat mode bits), which describe the same ABI. Layouts that
 * the host's headers only give for x86_64 are pinned by _Static_assert in
 * the headers themselves.
 */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <asm/unistd_32.h>
#include <asm/errno.h>
#include <asm/ioctls.h>
#include <linux/auxvec.h>
#include <linux/fcntl.h>
#include <sys/stat.h>
#include <linux/mman.h>
#include <linux/signal.h>
#include <asm/termbits.h>
#include <linux/wait.h>
#include <linux/sched.h>
#include <linux/posix_types.h>
#include <asm/poll.h>
#include "linux/unistd.h"
#include "linux/errno.h"
#include "linux/termios.h"
#include "linux/auxv.h"
#include "linux/fcntl.h"
#include "linux/stat.h"
#include "linux/mman.h"
#include "linux/signal.h"
#include "linux/wait.h"

static void syscall_numbers(void **state)
{
    (void)state;
    assert_int_equal(LX_NR_statx, __NR_statx);
    assert_int_equal(LX_NR_chmod, __NR_chmod);
    assert_int_equal(LX_NR_truncate, __NR_truncate);
    assert_int_equal(LX_NR_ftruncate, __NR_ftruncate);
    assert_int_equal(LX_NR_fchmod, __NR_fchmod);
    assert_int_equal(LX_NR_truncate64, __NR_truncate64);
    assert_int_equal(LX_NR_ftruncate64, __NR_ftruncate64);
    assert_int_equal(LX_NR_madvise, __NR_madvise);
    assert_int_equal(LX_NR_fchmodat, __NR_fchmodat);
    assert_int_equal(LX_NR_utimensat, __NR_utimensat);
    assert_int_equal(LX_NR_exit, __NR_exit);
    assert_int_equal(LX_NR_read, __NR_read);
    assert_int_equal(LX_NR_write, __NR_write);
    assert_int_equal(LX_NR_open, __NR_open);
    assert_int_equal(LX_NR_close, __NR_close);
    assert_int_equal(LX_NR_link, __NR_link);
    assert_int_equal(LX_NR_unlink, __NR_unlink);
    assert_int_equal(LX_NR_chdir, __NR_chdir);
    assert_int_equal(LX_NR_time, __NR_time);
    assert_int_equal(LX_NR_lseek, __NR_lseek);
    assert_int_equal(LX_NR_getpid, __NR_getpid);
    assert_int_equal(LX_NR_getuid, __NR_getuid);
    assert_int_equal(LX_NR_access, __NR_access);
    assert_int_equal(LX_NR_rename, __NR_rename);
    assert_int_equal(LX_NR_mkdir, __NR_mkdir);
    assert_int_equal(LX_NR_rmdir, __NR_rmdir);
    assert_int_equal(LX_NR_dup, __NR_dup);
    assert_int_equal(LX_NR_pipe, __NR_pipe);
    assert_int_equal(LX_NR_brk, __NR_brk);
    assert_int_equal(LX_NR_getgid, __NR_getgid);
    assert_int_equal(LX_NR_geteuid, __NR_geteuid);
    assert_int_equal(LX_NR_getegid, __NR_getegid);
    assert_int_equal(LX_NR_ioctl, __NR_ioctl);
    assert_int_equal(LX_NR_setpgid, __NR_setpgid);
    assert_int_equal(LX_NR_umask, __NR_umask);
    assert_int_equal(LX_NR_dup2, __NR_dup2);
    assert_int_equal(LX_NR_getppid, __NR_getppid);
    assert_int_equal(LX_NR_getpgrp, __NR_getpgrp);
    assert_int_equal(LX_NR_setsid, __NR_setsid);
    assert_int_equal(LX_NR_getrlimit, __NR_getrlimit);
    assert_int_equal(LX_NR_gettimeofday, __NR_gettimeofday);
    assert_int_equal(LX_NR_symlink, __NR_symlink);
    assert_int_equal(LX_NR_readlink, __NR_readlink);
    assert_int_equal(LX_NR_munmap, __NR_munmap);
    assert_int_equal(LX_NR_uname, __NR_uname);
    assert_int_equal(LX_NR_mprotect, __NR_mprotect);
    assert_int_equal(LX_NR_getpgid, __NR_getpgid);
    assert_int_equal(LX_NR_fchdir, __NR_fchdir);
    assert_int_equal(LX_NR__llseek, __NR__llseek);
    assert_int_equal(LX_NR_readv, __NR_readv);
    assert_int_equal(LX_NR_writev, __NR_writev);
    assert_int_equal(LX_NR_getsid, __NR_getsid);
    assert_int_equal(LX_NR_getcwd, __NR_getcwd);
    assert_int_equal(LX_NR_ugetrlimit, __NR_ugetrlimit);
    assert_int_equal(LX_NR_mmap2, __NR_mmap2);
    assert_int_equal(LX_NR_stat64, __NR_stat64);
    assert_int_equal(LX_NR_lstat64, __NR_lstat64);
    assert_int_equal(LX_NR_fstat64, __NR_fstat64);
    assert_int_equal(LX_NR_getuid32, __NR_getuid32);
    assert_int_equal(LX_NR_getgid32, __NR_getgid32);
    assert_int_equal(LX_NR_geteuid32, __NR_geteuid32);
    assert_int_equal(LX_NR_getegid32, __NR_getegid32);
    assert_int_equal(LX_NR_getgroups32, __NR_getgroups32);
    assert_int_equal(LX_NR_getresuid32, __NR_getresuid32);
    assert_int_equal(LX_NR_getresgid32, __NR_getresgid32);
    assert_int_equal(LX_NR_getdents64, __NR_getdents64);
    assert_int_equal(LX_NR_fcntl64, __NR_fcntl64);
    assert_int_equal(LX_NR_gettid, __NR_gettid);
    assert_int_equal(LX_NR_set_thread_area, __NR_set_thread_area);
    assert_int_equal(LX_NR_exit_group, __NR_exit_group);
    assert_int_equal(LX_NR_set_tid_address, __NR_set_tid_address);
    assert_int_equal(LX_NR_clock_gettime, __NR_clock_gettime);
    assert_int_equal(LX_NR_openat, __NR_openat);
    assert_int_equal(LX_NR_mkdirat, __NR_mkdirat);
    assert_int_equal(LX_NR_fstatat64, __NR_fstatat64);
    assert_int_equal(LX_NR_unlinkat, __NR_unlinkat);
    assert_int_equal(LX_NR_renameat, __NR_renameat);
    assert_int_equal(LX_NR_linkat, __NR_linkat);
    assert_int_equal(LX_NR_symlinkat, __NR_symlinkat);
    assert_int_equal(LX_NR_readlinkat, __NR_readlinkat);
    assert_int_equal(LX_NR_faccessat, __NR_faccessat);
    assert_int_equal(LX_NR_set_robust_list, __NR_set_robust_list);
    assert_int_equal(LX_NR_get_robust_list, __NR_get_robust_list);
    assert_int_equal(LX_NR_dup3, __NR_dup3);
    assert_int_equal(LX_NR_pipe2, __NR_pipe2);
    assert_int_equal(LX_NR_prlimit64, __NR_prlimit64);
    assert_int_equal(LX_NR_getrandom, __NR_getrandom);
    assert_int_equal(LX_NR_clock_gettime64, __NR_clock_gettime64);
    assert_int_equal(LX_NR_fork, __NR_fork);
    assert_int_equal(LX_NR_waitpid, __NR_waitpid);
    assert_int_equal(LX_NR_execve, __NR_execve);
    assert_int_equal(LX_NR_select, __NR_select);
    assert_int_equal(LX_NR_wait4, __NR_wait4);
    assert_int_equal(LX_NR_clone, __NR_clone);
    assert_int_equal(LX_NR__newselect, __NR__newselect);
    assert_int_equal(LX_NR_nanosleep, __NR_nanosleep);
    assert_int_equal(LX_NR_poll, __NR_poll);
    assert_int_equal(LX_NR_vfork, __NR_vfork);
    assert_int_equal(LX_NR_clock_nanosleep, __NR_clock_nanosleep);
    assert_int_equal(LX_NR_clock_nanosleep_time64, __NR_clock_nanosleep_time64);
    assert_int_equal(LX_NR_pselect6, __NR_pselect6);
    assert_int_equal(LX_NR_ppoll, __NR_ppoll);
    assert_int_equal(LX_NR_pselect6_time64, __NR_pselect6_time64);
    assert_int_equal(LX_NR_ppoll_time64, __NR_ppoll_time64);
}

static void error_numbers(void **state)
{
    (void)state;
    assert_int_equal(LX_EPERM, EPERM);
    assert_int_equal(LX_ENOENT, ENOENT);
    assert_int_equal(LX_ESRCH, ESRCH);
    assert_int_equal(LX_EINTR, EINTR);
    assert_int_equal(LX_EIO, EIO);
    assert_int_equal(LX_E2BIG, E2BIG);
    assert_int_equal(LX_ENOEXEC, ENOEXEC);
    assert_int_equal(LX_EBADF, EBADF);
    assert_int_equal(LX_ECHILD, ECHILD);
    assert_int_equal(LX_EAGAIN, EAGAIN);
    assert_int_equal(LX_ENOMEM, ENOMEM);
    assert_int_equal(LX_EACCES, EACCES);
    assert_int_equal(LX_EFAULT, EFAULT);
    assert_int_equal(LX_EBUSY, EBUSY);
    assert_int_equal(LX_EEXIST, EEXIST);
    assert_int_equal(LX_EXDEV, EXDEV);
    assert_int_equal(LX_ENODEV, ENODEV);
    assert_int_equal(LX_ENOTDIR, ENOTDIR);
    assert_int_equal(LX_EISDIR, EISDIR);
    assert_int_equal(LX_EINVAL, EINVAL);
    assert_int_equal(LX_ENFILE, ENFILE);
    assert_int_equal(LX_EMFILE, EMFILE);
    assert_int_equal(LX_ENOTTY, ENOTTY);
    assert_int_equal(LX_ETXTBSY, ETXTBSY);
    assert_int_equal(LX_EFBIG, EFBIG);
    assert_int_equal(LX_ENOSPC, ENOSPC);
    assert_int_equal(LX_ESPIPE, ESPIPE);
    assert_int_equal(LX_EROFS, EROFS);
    assert_int_equal(LX_EMLINK, EMLINK);
    assert_int_equal(LX_EPIPE, EPIPE);
    assert_int_equal(LX_ERANGE, ERANGE);
    assert_int_equal(LX_ENAMETOOLONG, ENAMETOOLONG);
    assert_int_equal(LX_ENOSYS, ENOSYS);
    assert_int_equal(LX_ENOTEMPTY, ENOTEMPTY);
    assert_int_equal(LX_ELOOP, ELOOP);
    assert_int_equal(LX_EOVERFLOW, EOVERFLOW);
}

static void terminal_requests(void **state)
{
    (void)state;
    assert_int_equal(LX_TCGETS, TCGETS);
    assert_int_equal(LX_TCSETS, TCSETS);
    assert_int_equal(LX_TCSETSW, TCSETSW);
    assert_int_equal(LX_TCSETSF, TCSETSF);
    assert_int_equal(LX_TIOCSCTTY, TIOCSCTTY);
    assert_int_equal(LX_TIOCGPGRP, TIOCGPGRP);
    assert_int_equal(LX_TIOCSPGRP, TIOCSPGRP);
    assert_int_equal(LX_TIOCGWINSZ, TIOCGWINSZ);
    assert_int_equal(LX_TIOCSWINSZ, TIOCSWINSZ);
    assert_int_equal(LX_FIONREAD, FIONREAD);
    assert_int_equal(LX_TIOCGSID, TIOCGSID);
    assert_int_equal(LX_TCFLSH, TCFLSH);
    assert_int_equal(LX_TCIFLUSH, TCIFLUSH);
    assert_int_equal(LX_TCOFLUSH, TCOFLUSH);
    assert_int_equal(LX_TCIOFLUSH, TCIOFLUSH);
    assert_int_equal(LX_VEOL, VEOL);
    assert_int_equal(LX_VEOL2, VEOL2);
    assert_int_equal(LX_VWERASE, VWERASE);
    assert_int_equal(LX_ISTRIP, ISTRIP);
    assert_int_equal(LX_INLCR, INLCR);
    assert_int_equal(LX_IGNCR, IGNCR);
    assert_int_equal(LX_ICRNL, ICRNL);
    assert_int_equal(LX_ECHONL, ECHONL);
    assert_int_equal(LX_NOFLSH, NOFLSH);
    assert_int_equal(LX_ECHOCTL, ECHOCTL);
    assert_int_equal(LX_ECHOKE, ECHOKE);
    assert_int_equal(LX_IEXTEN, IEXTEN);
    assert_int_equal(LX_ISIG, ISIG);
    assert_int_equal(LX_ICANON, ICANON);
}

/* Signal numbers, flags, codes and the signal system calls. */
static void signal_numbers(void **state)
{
    (void)state;
    static const int ours[] = {
        LX_SIGHUP, LX_SIGINT, LX_SIGQUIT, LX_SIGILL, LX_SIGTRAP, LX_SIGABRT, LX_SIGBUS,
        LX_SIGFPE, LX_SIGKILL, LX_SIGUSR1, LX_SIGSEGV, LX_SIGUSR2, LX_SIGPIPE, LX_SIGALRM,
        LX_SIGTERM, LX_SIGSTKFLT, LX_SIGCHLD, LX_SIGCONT, LX_SIGSTOP, LX_SIGTSTP, LX_SIGTTIN,
        LX_SIGTTOU, LX_SIGURG, LX_SIGXCPU, LX_SIGXFSZ, LX_SIGVTALRM, LX_SIGPROF, LX_SIGWINCH,
        LX_SIGIO, LX_SIGPWR, LX_SIGSYS,
    };
    static const int host[] = {
        SIGHUP, SIGINT, SIGQUIT, SIGILL, SIGTRAP, SIGABRT, SIGBUS, SIGFPE, SIGKILL, SIGUSR1,
        SIGSEGV, SIGUSR2, SIGPIPE, SIGALRM, SIGTERM, SIGSTKFLT, SIGCHLD, SIGCONT, SIGSTOP,
        SIGTSTP, SIGTTIN, SIGTTOU, SIGURG, SIGXCPU, SIGXFSZ, SIGVTALRM, SIGPROF, SIGWINCH,
        SIGIO, SIGPWR, SIGSYS,
    };
    for (size_t i = 0; i < sizeof(ours) / sizeof(ours[0]); i++)
        assert_int_equal(ours[i], host[i]);
    assert_int_equal(LX_SA_NOCLDSTOP, SA_NOCLDSTOP);
    assert_int_equal(LX_SA_NOCLDWAIT, SA_NOCLDWAIT);
    assert_int_equal(LX_SA_SIGINFO, SA_SIGINFO);
    assert_int_equal(LX_SA_RESTORER, SA_RESTORER);
    assert_int_equal(LX_SA_ONSTACK, SA_ONSTACK);
    assert_int_equal(LX_SA_RESTART, SA_RESTART);
    assert_int_equal(LX_SA_NODEFER, SA_NODEFER);
    assert_int_equal(LX_SA_RESETHAND, SA_RESETHAND);
    assert_int_equal(LX_SIG_BLOCK, SIG_BLOCK);
    assert_int_equal(LX_SIG_UNBLOCK, SIG_UNBLOCK);
    assert_int_equal(LX_SIG_SETMASK, SIG_SETMASK);
    assert_int_equal(LX_SS_ONSTACK, SS_ONSTACK);
    assert_int_equal(LX_SS_DISABLE, SS_DISABLE);
    assert_int_equal(LX_SS_AUTODISARM, SS_AUTODISARM);
    assert_int_equal(LX_MINSIGSTKSZ, MINSIGSTKSZ);
    assert_int_equal(LX_SI_USER, SI_USER);
    assert_int_equal(LX_SI_KERNEL, SI_KERNEL);
    assert_int_equal(LX_SI_TKILL, SI_TKILL);
    assert_int_equal(LX_ILL_ILLOPN, ILL_ILLOPN);
    assert_int_equal(LX_FPE_INTDIV, FPE_INTDIV);
    assert_int_equal(LX_SEGV_MAPERR, SEGV_MAPERR);
    assert_int_equal(LX_SEGV_ACCERR, SEGV_ACCERR);
    assert_int_equal(LX_CLD_EXITED, CLD_EXITED);
    assert_int_equal(LX_CLD_KILLED, CLD_KILLED);
    assert_int_equal(LX_CLD_DUMPED, CLD_DUMPED);
    assert_int_equal(LX_NR_restart_syscall, __NR_restart_syscall);
    assert_int_equal(LX_NR_alarm, __NR_alarm);
    assert_int_equal(LX_NR_pause, __NR_pause);
    assert_int_equal(LX_NR_kill, __NR_kill);
    assert_int_equal(LX_NR_signal, __NR_signal);
    assert_int_equal(LX_NR_sigaction, __NR_sigaction);
    assert_int_equal(LX_NR_sgetmask, __NR_sgetmask);
    assert_int_equal(LX_NR_ssetmask, __NR_ssetmask);
    assert_int_equal(LX_NR_sigsuspend, __NR_sigsuspend);
    assert_int_equal(LX_NR_sigpending, __NR_sigpending);
    assert_int_equal(LX_NR_sigreturn, __NR_sigreturn);
    assert_int_equal(LX_NR_sigprocmask, __NR_sigprocmask);
    assert_int_equal(LX_NR_rt_sigreturn, __NR_rt_sigreturn);
    assert_int_equal(LX_NR_rt_sigaction, __NR_rt_sigaction);
    assert_int_equal(LX_NR_rt_sigprocmask, __NR_rt_sigprocmask);
    assert_int_equal(LX_NR_rt_sigpending, __NR_rt_sigpending);
    assert_int_equal(LX_NR_rt_sigsuspend, __NR_rt_sigsuspend);
    assert_int_equal(LX_NR_sigaltstack, __NR_sigaltstack);
    assert_int_equal(LX_NR_tkill, __NR_tkill);
    assert_int_equal(LX_NR_tgkill, __NR_tgkill);
}

static void auxv_types(void **state)
{
    (void)state;
    assert_int_equal(LX_AT_NULL, AT_NULL);
    assert_int_equal(LX_AT_PHDR, AT_PHDR);
    assert_int_equal(LX_AT_PHENT, AT_PHENT);
    assert_int_equal(LX_AT_PHNUM, AT_PHNUM);
    assert_int_equal(LX_AT_PAGESZ, AT_PAGESZ);
    assert_int_equal(LX_AT_BASE, AT_BASE);
    assert_int_equal(LX_AT_FLAGS, AT_FLAGS);
    assert_int_equal(LX_AT_ENTRY, AT_ENTRY);
    assert_int_equal(LX_AT_UID, AT_UID);
    assert_int_equal(LX_AT_EUID, AT_EUID);
    assert_int_equal(LX_AT_GID, AT_GID);
    assert_int_equal(LX_AT_EGID, AT_EGID);
    assert_int_equal(LX_AT_PLATFORM, AT_PLATFORM);
    assert_int_equal(LX_AT_HWCAP, AT_HWCAP);
    assert_int_equal(LX_AT_CLKTCK, AT_CLKTCK);
    assert_int_equal(LX_AT_SECURE, AT_SECURE);
    assert_int_equal(LX_AT_RANDOM, AT_RANDOM);
    assert_int_equal(LX_AT_EXECFN, AT_EXECFN);
    assert_int_equal(LX_AT_SYSINFO, 32);   /* asm/auxvec.h defines it for i386 builds only */
}

static void open_mmap_and_mode_flags(void **state)
{
    (void)state;
    assert_int_equal(LX_O_ACCMODE, O_ACCMODE);
    assert_int_equal(LX_O_RDONLY, O_RDONLY);
    assert_int_equal(LX_O_WRONLY, O_WRONLY);
    assert_int_equal(LX_O_RDWR, O_RDWR);
    assert_int_equal(LX_O_CREAT, O_CREAT);
    assert_int_equal(LX_O_EXCL, O_EXCL);
    assert_int_equal(LX_O_NOCTTY, O_NOCTTY);
    assert_int_equal(LX_O_TRUNC, O_TRUNC);
    assert_int_equal(LX_O_APPEND, O_APPEND);
    assert_int_equal(LX_O_NONBLOCK, O_NONBLOCK);
    assert_int_equal(LX_O_DIRECTORY, O_DIRECTORY);
    assert_int_equal(LX_O_NOFOLLOW, O_NOFOLLOW);
    assert_int_equal(LX_O_CLOEXEC, O_CLOEXEC);
    assert_int_equal(LX_O_PATH, O_PATH);
    assert_int_equal(LX_F_DUPFD, F_DUPFD);
    assert_int_equal(LX_F_GETFD, F_GETFD);
    assert_int_equal(LX_F_SETFD, F_SETFD);
    assert_int_equal(LX_F_GETFL, F_GETFL);
    assert_int_equal(LX_F_SETFL, F_SETFL);
    assert_int_equal(LX_F_DUPFD_CLOEXEC, F_DUPFD_CLOEXEC);
    assert_int_equal(LX_FD_CLOEXEC, FD_CLOEXEC);
    assert_int_equal(LX_AT_FDCWD, AT_FDCWD);
    assert_int_equal(LX_AT_SYMLINK_NOFOLLOW, AT_SYMLINK_NOFOLLOW);
    assert_int_equal(LX_AT_REMOVEDIR, AT_REMOVEDIR);
    assert_int_equal(LX_AT_SYMLINK_FOLLOW, AT_SYMLINK_FOLLOW);
    assert_int_equal(LX_AT_EACCESS, AT_EACCESS);
    assert_int_equal(LX_AT_EMPTY_PATH, AT_EMPTY_PATH);
    assert_int_equal(LX_PROT_READ, PROT_READ);
    assert_int_equal(LX_PROT_WRITE, PROT_WRITE);
    assert_int_equal(LX_PROT_EXEC, PROT_EXEC);
    assert_int_equal(LX_MAP_SHARED, MAP_SHARED);
    assert_int_equal(LX_MAP_PRIVATE, MAP_PRIVATE);
    assert_int_equal(LX_MAP_FIXED, MAP_FIXED);
    assert_int_equal(LX_MAP_ANONYMOUS, MAP_ANONYMOUS);
    assert_int_equal(LX_MAP_FIXED_NOREPLACE, MAP_FIXED_NOREPLACE);
    assert_int_equal(LX_S_IFMT, S_IFMT);
    assert_int_equal(LX_S_IFSOCK, S_IFSOCK);
    assert_int_equal(LX_S_IFLNK, S_IFLNK);
    assert_int_equal(LX_S_IFREG, S_IFREG);
    assert_int_equal(LX_S_IFBLK, S_IFBLK);
    assert_int_equal(LX_S_IFDIR, S_IFDIR);
    assert_int_equal(LX_S_IFCHR, S_IFCHR);
    assert_int_equal(LX_S_IFIFO, S_IFIFO);
}

#define SAME_FIELD(f) assert_int_equal(offsetof(struct lx_statx, f), offsetof(struct statx, f))

/* struct statx is the same on every architecture, so the host's layout is ours. */
/* wait4 options, clone flags, poll events: linux/wait.h, linux/sched.h,
 * asm-generic/poll.h. */
static void process_flags(void **state)
{
    (void)state;
    assert_int_equal(LX_WNOHANG, WNOHANG);
    assert_int_equal(LX_WUNTRACED, WUNTRACED);
    assert_int_equal(LX_WCONTINUED, WCONTINUED);
    assert_int_equal(LX_WNOTHREAD, __WNOTHREAD);
    assert_int_equal(LX_WALL, __WALL);
    assert_int_equal(LX_WCLONE, (uint32_t)__WCLONE);
    assert_int_equal(LX_CSIGNAL, CSIGNAL);
    assert_int_equal(LX_CLONE_VM, CLONE_VM);
    assert_int_equal(LX_CLONE_FS, CLONE_FS);
    assert_int_equal(LX_CLONE_FILES, CLONE_FILES);
    assert_int_equal(LX_CLONE_SIGHAND, CLONE_SIGHAND);
    assert_int_equal(LX_CLONE_VFORK, CLONE_VFORK);
    assert_int_equal(LX_CLONE_PARENT, CLONE_PARENT);
    assert_int_equal(LX_CLONE_THREAD, CLONE_THREAD);
    assert_int_equal(LX_CLONE_SETTLS, CLONE_SETTLS);
    assert_int_equal(LX_CLONE_SYSVSEM, CLONE_SYSVSEM);
    assert_int_equal(LX_CLONE_PARENT_SETTID, CLONE_PARENT_SETTID);
    assert_int_equal(LX_CLONE_CHILD_CLEARTID, CLONE_CHILD_CLEARTID);
    assert_int_equal(LX_CLONE_CHILD_SETTID, CLONE_CHILD_SETTID);
    assert_int_equal(LX_POLLIN, POLLIN);
    assert_int_equal(LX_POLLPRI, POLLPRI);
    assert_int_equal(LX_POLLOUT, POLLOUT);
    assert_int_equal(LX_POLLERR, POLLERR);
    assert_int_equal(LX_POLLHUP, POLLHUP);
    assert_int_equal(LX_POLLNVAL, POLLNVAL);
    assert_int_equal(LX_POLLRDNORM, POLLRDNORM);
    assert_int_equal(LX_POLLWRNORM, POLLWRNORM);
    assert_int_equal(LX_FD_SETSIZE, __FD_SETSIZE);
    assert_int_equal(LX_ERESTARTSYS, 512);      /* include/linux/errno.h, not in uapi */
}

static void statx_layout(void **state)
{
    (void)state;
    assert_int_equal(sizeof(struct lx_statx), sizeof(struct statx));
    SAME_FIELD(stx_mask); SAME_FIELD(stx_blksize); SAME_FIELD(stx_attributes);
    SAME_FIELD(stx_nlink); SAME_FIELD(stx_uid); SAME_FIELD(stx_gid); SAME_FIELD(stx_mode);
    SAME_FIELD(stx_ino); SAME_FIELD(stx_size); SAME_FIELD(stx_blocks);
    SAME_FIELD(stx_attributes_mask); SAME_FIELD(stx_atime); SAME_FIELD(stx_btime);
    SAME_FIELD(stx_ctime); SAME_FIELD(stx_mtime); SAME_FIELD(stx_rdev_major);
    SAME_FIELD(stx_rdev_minor); SAME_FIELD(stx_dev_major); SAME_FIELD(stx_dev_minor);
    assert_int_equal(LX_STATX_BASIC_STATS, STATX_BASIC_STATS);
    assert_int_equal(LX_AT_NO_AUTOMOUNT, AT_NO_AUTOMOUNT);
    assert_int_equal(LX_AT_STATX_SYNC_TYPE, AT_STATX_SYNC_TYPE);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(syscall_numbers),
        cmocka_unit_test(error_numbers),
        cmocka_unit_test(terminal_requests),
        cmocka_unit_test(signal_numbers),
        cmocka_unit_test(auxv_types),
        cmocka_unit_test(open_mmap_and_mode_flags),
        cmocka_unit_test(process_flags),
        cmocka_unit_test(statx_layout),
    };
    return cmocka_run_group_tests_name("linux_abi", tests, NULL, NULL);
}
