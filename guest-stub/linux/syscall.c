/*
 * The Linux i386 system-call table: the one way into the personality.
 *
 * The guest kernel gets a process's `int $0x80` as an UnknownSyscall fault,
 * calls lx_syscall() with its registers, and replies with the result in EAX
 * (docs/api.md). The number in EAX indexes lx_table, whose slots are filled
 * by designated initialisers in numeric order; a number past the table or
 * an empty slot answers -ENOSYS, and is written to the guest's log the first
 * time each number is seen (libc probes for newer calls and copes, so
 * logging every time would drown the log). This is the xv6 shape: bounds
 * check, look up, call.
 *
 * Below the table are the only routines that touch a process's memory:
 * every user address is checked against the process's part of the address
 * space (and for wrap-around) before the guest kernel is asked to copy, and
 * an unmapped page comes back from the copy as -EFAULT.
 */
#include "sys.h"
#include "linux/unistd.h"
#include "linux/mman.h"
#include "linux/misc.h"
#include "linux/signal.h"
#include <string.h>

#define SYS(name) [LX_NR_##name] = lx_sys_##name

static const lx_sys_fn lx_table[LX_NR_MAX] = {
    SYS(exit),
    SYS(fork),
    SYS(read),
    SYS(write),
    SYS(open),
    SYS(close),
    SYS(waitpid),
    SYS(link),
    SYS(unlink),
    SYS(execve),
    SYS(chdir),
    SYS(time),
    SYS(mknod),
    SYS(chmod),
    SYS(lchown),
    SYS(lseek),
    SYS(getpid),
    [LX_NR_getuid] = lx_sys_getuid,
    SYS(alarm),
    SYS(pause),
    SYS(utime),
    SYS(access),
    SYS(nice),
    SYS(sync),
    SYS(kill),
    SYS(rename),
    SYS(mkdir),
    SYS(rmdir),
    SYS(dup),
    SYS(pipe),
    SYS(times),
    SYS(brk),
    [LX_NR_getgid] = lx_sys_getgid,
    SYS(signal),
    [LX_NR_geteuid] = lx_sys_geteuid,
    [LX_NR_getegid] = lx_sys_getegid,
    SYS(ioctl),
    SYS(setpgid),
    SYS(umask),
    SYS(dup2),
    SYS(getppid),
    SYS(getpgrp),
    SYS(setsid),
    SYS(sigaction),
    SYS(sigsuspend),
    SYS(sigpending),
    SYS(getrlimit),
    SYS(getrusage),
    SYS(gettimeofday),
    SYS(select),
    SYS(symlink),
    SYS(readlink),
    SYS(munmap),
    SYS(truncate),
    SYS(ftruncate),
    SYS(fchmod),
    SYS(fchown),
    SYS(getpriority),
    SYS(setpriority),
    SYS(statfs),
    SYS(fstatfs),
    SYS(setitimer),
    SYS(getitimer),
    SYS(wait4),
    SYS(sysinfo),
    SYS(fsync),
    SYS(sigreturn),
    SYS(clone),
    SYS(uname),
    SYS(mprotect),
    SYS(sigprocmask),
    SYS(getpgid),
    SYS(fchdir),
    [LX_NR__llseek] = lx_sys_llseek,
    SYS(_newselect),
    SYS(flock),
    SYS(msync),
    SYS(readv),
    SYS(writev),
    SYS(getsid),
    SYS(fdatasync),
    SYS(sched_yield),
    SYS(nanosleep),
    SYS(mremap),
    SYS(poll),
    SYS(prctl),
    SYS(rt_sigreturn),
    SYS(rt_sigaction),
    SYS(rt_sigprocmask),
    SYS(rt_sigpending),
    SYS(rt_sigsuspend),
    SYS(pread64),
    SYS(pwrite64),
    SYS(chown),
    SYS(getcwd),
    SYS(sigaltstack),
    SYS(sendfile),
    SYS(vfork),
    SYS(ugetrlimit),
    SYS(mmap2),
    SYS(truncate64),
    SYS(ftruncate64),
    SYS(stat64),
    SYS(lstat64),
    SYS(fstat64),
    SYS(lchown32),
    [LX_NR_getuid32] = lx_sys_getuid,
    [LX_NR_getgid32] = lx_sys_getgid,
    [LX_NR_geteuid32] = lx_sys_geteuid,
    [LX_NR_getegid32] = lx_sys_getegid,
    SYS(setreuid32),
    SYS(setregid32),
    SYS(getgroups32),
    SYS(setgroups32),
    SYS(fchown32),
    SYS(setresuid32),
    [LX_NR_getresuid32] = lx_sys_getresuid,
    SYS(setresgid32),
    [LX_NR_getresgid32] = lx_sys_getresgid,
    SYS(chown32),
    SYS(setuid32),
    SYS(setgid32),
    SYS(mincore),
    SYS(madvise),
    SYS(getdents64),
    SYS(fcntl64),
    SYS(gettid),
    SYS(tkill),
    SYS(sendfile64),
    SYS(futex),
    SYS(sched_setaffinity),
    SYS(sched_getaffinity),
    SYS(set_thread_area),
    SYS(exit_group),
    SYS(set_tid_address),
    SYS(clock_gettime),
    SYS(clock_nanosleep),
    SYS(statfs64),
    SYS(fstatfs64),
    SYS(tgkill),
    SYS(utimes),
    SYS(openat),
    SYS(mkdirat),
    SYS(mknodat),
    SYS(fchownat),
    SYS(futimesat),
    SYS(fstatat64),
    SYS(unlinkat),
    SYS(renameat),
    SYS(linkat),
    SYS(symlinkat),
    SYS(readlinkat),
    SYS(fchmodat),
    SYS(faccessat),
    SYS(pselect6),
    SYS(ppoll),
    SYS(set_robust_list),
    SYS(get_robust_list),
    SYS(getcpu),
    SYS(utimensat),
    SYS(dup3),
    SYS(pipe2),
    SYS(prlimit64),
    SYS(syncfs),
    SYS(renameat2),
    SYS(getrandom),
    SYS(statx),
    SYS(clock_gettime64),
    SYS(clock_nanosleep_time64),
    SYS(pselect6_time64),
    SYS(ppoll_time64),
    SYS(futex_time64),
    SYS(faccessat2),
    SYS(fchmodat2),
};

/* Out of line: the table's path stays short. */
static __attribute__((noinline)) int32_t unknown(lx_proc_t *p, uint32_t nr)
{
    lx_kernel_t *k = p->k;
    uint32_t slot = nr < 8 * sizeof(k->unknown_logged) ? nr : 8 * sizeof(k->unknown_logged) - 1;
    if (!(k->unknown_logged[slot / 8] & (1u << (slot % 8)))) {
        k->unknown_logged[slot / 8] |= (uint8_t)(1u << (slot % 8));
        k->ops->log(k->ctx, "linux: unknown system call", nr);
    }
    return LX_ERR(LX_ENOSYS);
}

/* A call that returns LX_BLOCK is repeated with p->retrying set until it
 * returns anything else; then its waiting state is cleared here, once. */
int32_t lx_syscall(lx_proc_t *p, const lx_regs_t *r)
{
    const uint32_t *a = &r->ebx;        /* the six arguments, ebx .. ebp */
    int32_t ret;

    _Static_assert(offsetof(lx_regs_t, ebp) - offsetof(lx_regs_t, ebx) == 5 * sizeof(uint32_t),
                   "lx_regs_t holds the arguments in order");

    if (r->eax >= LX_NR_MAX || !lx_table[r->eax])
        return unknown(p, r->eax);
    if (!p->retrying)
        p->futex_addr = 0;      /* a new call: not parked on a futex */
    ret = lx_table[r->eax](p, a);
    p->retrying = ret == LX_BLOCK;
    if (!p->retrying) {
        p->sleep_until = 0;
        p->wait_external = false;
    }
    return ret;
}

bool lx_user_range_ok(const lx_proc_t *p, uint32_t addr, uint32_t len)
{
    return addr <= p->k->user_top && len <= p->k->user_top - addr;
}

/* A file mapping's pages not touched yet are mapped from the page cache
 * (lx_file_populate) and the copy tried once more. */
int lx_user_in(lx_proc_t *p, void *dst, uint32_t uaddr, uint32_t len)
{
    if (!lx_user_range_ok(p, uaddr, len))
        return LX_ERR(LX_EFAULT);
    if (len == 0)
        return 0;
    int err = p->k->ops->copy_in(p->space, dst, uaddr, len);
    if (err == LX_ERR(LX_EFAULT) && lx_file_populate(p, uaddr, len, false))
        err = p->k->ops->copy_in(p->space, dst, uaddr, len);
    return err;
}

int lx_timespec_in(lx_proc_t *p, uint32_t uaddr, bool wide, int64_t *sec, int64_t *nsec)
{
    int err;

    if (wide) {
        struct lx_timespec64 ts;
        err = lx_user_in(p, &ts, uaddr, sizeof(ts));
        *sec = ts.tv_sec;
        *nsec = ts.tv_nsec;
    } else {
        struct lx_timespec32 ts;
        err = lx_user_in(p, &ts, uaddr, sizeof(ts));
        *sec = ts.tv_sec;
        *nsec = ts.tv_nsec;
    }
    return err;
}

int lx_user_out(lx_proc_t *p, uint32_t uaddr, const void *src, uint32_t len)
{
    if (!lx_user_range_ok(p, uaddr, len))
        return LX_ERR(LX_EFAULT);
    if (len == 0)
        return 0;
    int err = p->k->ops->copy_out(p->space, uaddr, src, len);
    if (err == LX_ERR(LX_EFAULT) && lx_file_populate(p, uaddr, len, true))
        err = p->k->ops->copy_out(p->space, uaddr, src, len);
    return err;
}

/* Copies page by page, so a string ending just before an unmapped page is
 * read without touching it. */
int lx_user_path(lx_proc_t *p, uint32_t uaddr, char *buf)
{
    uint32_t got = 0;
    while (got < LX_PATH_MAX) {
        uint32_t chunk = LX_PAGE_SIZE - ((uaddr + got) & (LX_PAGE_SIZE - 1));
        if (chunk > LX_PATH_MAX - got)
            chunk = LX_PATH_MAX - got;
        int err = lx_user_in(p, buf + got, uaddr + got, chunk);
        if (err)
            return err;
        if (memchr(buf + got, '\0', chunk))
            return 0;
        got += chunk;
    }
    return LX_ERR(LX_ENAMETOOLONG);
}
