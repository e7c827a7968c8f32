/*
 * System calls about the process itself and its world: exit, the ids,
 * uname, the thread-local-storage and thread bookkeeping a libc sets up
 * first thing (set_thread_area, set_tid_address, set_robust_list), clocks,
 * random bytes and resource limits.
 *
 * set_thread_area is where i386 libc meets the GDT: it asks for a TLS
 * descriptor with entry_number -1 ("pick one"), then loads %gs with the
 * selector (entry << 3) | 3 of the entry we report. Our kernel has one such
 * entry whose base is the thread's TLS base (TCB SetTLSBase), so we report
 * that entry and leave the base in the process for the guest kernel to
 * apply before it replies.
 *
 * exit and exit_group only mark the process: the guest kernel sees
 * p->exited after the call, does not reply, and tears the process down.
 */
#include "sys.h"
#include "linux/misc.h"
#include <string.h>

#define NS_PER_SEC  1000000000ull
#define NS_PER_USEC 1000u
#define TLS_ANY     0xffffffffu     /* entry_number -1: the kernel picks */
#define NGROUPS     0               /* supplementary groups: none */
#define STACK_LIMIT (8u << 20)      /* RLIMIT_STACK soft default: 8 MiB (Linux _STK_LIM) */

static int32_t do_exit(lx_proc_t *p, uint32_t code)
{
    p->exited = true;
    p->exit_status = (code & 0xff) << 8;
    return 0;
}

LX_HANDLER(exit) { return do_exit(p, a[0]); }
LX_HANDLER(exit_group) { return do_exit(p, a[0]); }

LX_HANDLER(getpid) { (void)a; return (int32_t)p->pid; }
LX_HANDLER(gettid) { (void)a; return (int32_t)p->pid; }
LX_HANDLER(getppid) { (void)a; return (int32_t)p->ppid; }
LX_HANDLER(getuid) { (void)a; return (int32_t)p->uid; }
LX_HANDLER(geteuid) { (void)a; return (int32_t)p->euid; }
LX_HANDLER(getgid) { (void)a; return (int32_t)p->gid; }
LX_HANDLER(getegid) { (void)a; return (int32_t)p->egid; }
LX_HANDLER(getpgrp) { (void)a; return (int32_t)p->pgid; }
LX_HANDLER(getgroups) { (void)p; (void)a; return NGROUPS; }

static int32_t put_three(lx_proc_t *p, const uint32_t *a, uint32_t r, uint32_t e, uint32_t s)
{
    int err = lx_user_out(p, a[0], &r, sizeof(r));
    if (!err)
        err = lx_user_out(p, a[1], &e, sizeof(e));
    if (!err)
        err = lx_user_out(p, a[2], &s, sizeof(s));
    return err;
}

LX_HANDLER(getresuid) { return put_three(p, a, p->uid, p->euid, p->euid); }
LX_HANDLER(getresgid) { return put_three(p, a, p->gid, p->egid, p->egid); }

/* Process groups and sessions: one process so far, so only itself. */
LX_HANDLER(getpgid)
{
    return (a[0] == 0 || a[0] == p->pid) ? (int32_t)p->pgid : LX_ERR(LX_ESRCH);
}

LX_HANDLER(getsid)
{
    return (a[0] == 0 || a[0] == p->pid) ? (int32_t)p->sid : LX_ERR(LX_ESRCH);
}

LX_HANDLER(setpgid)
{
    if (a[0] != 0 && a[0] != p->pid)
        return LX_ERR(LX_ESRCH);
    if ((int32_t)a[1] < 0)
        return LX_ERR(LX_EINVAL);
    if (p->sid == p->pid)
        return a[1] == 0 || a[1] == p->pid ? 0 : LX_ERR(LX_EPERM);
    p->pgid = a[1] ? a[1] : p->pid;
    return 0;
}

LX_HANDLER(setsid)
{
    (void)a;
    if (p->pgid == p->pid)
        return LX_ERR(LX_EPERM);    /* already a group leader */
    p->sid = p->pgid = p->pid;
    return (int32_t)p->sid;
}

static void set_field(char *dst, const char *src)
{
    strncpy(dst, src, LX_UTS_LEN - 1);
}

LX_HANDLER(uname)
{
    struct lx_utsname u;
    memset(&u, 0, sizeof(u));
    set_field(u.sysname, "Linux");
    set_field(u.nodename, "guest");
    set_field(u.release, "6.1.0-guest");    /* glibc 2.36 wants >= 3.2 */
    set_field(u.version, "#1 guest-stub");
    set_field(u.machine, "i686");
    set_field(u.domainname, "(none)");
    return lx_user_out(p, a[0], &u, sizeof(u));
}

LX_HANDLER(set_thread_area)
{
    struct lx_user_desc d;
    int err = lx_user_in(p, &d, a[0], sizeof(d));
    if (err)
        return err;
    if (d.entry_number != TLS_ANY && d.entry_number != p->k->tls_gdt_entry)
        return LX_ERR(LX_EINVAL);
    d.entry_number = p->k->tls_gdt_entry;
    err = lx_user_out(p, a[0], &d.entry_number, sizeof(d.entry_number));
    if (err)
        return err;
    p->tls_base = d.base_addr;
    p->tls_changed = true;
    return 0;
}

LX_HANDLER(set_tid_address)
{
    p->clear_child_tid = a[0];
    return (int32_t)p->pid;
}

LX_HANDLER(set_robust_list)
{
    if (a[1] != 12)             /* sizeof(struct robust_list_head) on i386 */
        return LX_ERR(LX_EINVAL);
    p->robust_list = a[0];
    p->robust_len = a[1];
    return 0;
}

static uint64_t now(lx_proc_t *p, int clock)
{
    return p->k->ops->now_ns(p->k->ctx, clock);
}

LX_HANDLER(time)
{
    uint32_t t = (uint32_t)(now(p, LX_CLOCK_REALTIME) / NS_PER_SEC);
    if (a[0]) {
        int err = lx_user_out(p, a[0], &t, sizeof(t));
        if (err)
            return err;
    }
    return (int32_t)t;
}

LX_HANDLER(gettimeofday)
{
    uint64_t ns = now(p, LX_CLOCK_REALTIME);
    struct lx_timeval tv = { (int32_t)(ns / NS_PER_SEC),
                             (int32_t)(ns % NS_PER_SEC / NS_PER_USEC) };
    uint32_t tz[2] = { 0, 0 };  /* struct timezone: UTC, no DST */
    int err = a[0] ? lx_user_out(p, a[0], &tv, sizeof(tv)) : 0;
    if (!err && a[1])
        err = lx_user_out(p, a[1], tz, sizeof(tz));
    return err;
}

/* The clock a clock id reads, or -1. CPU-time clocks read the monotonic
 * clock until the guest kernel counts per-process time. */
static int clock_of(uint32_t id)
{
    switch (id) {
    case LX_CLOCK_REALTIME: case LX_CLOCK_REALTIME_COARSE:
        return LX_CLOCK_REALTIME;
    case LX_CLOCK_MONOTONIC: case LX_CLOCK_MONOTONIC_RAW: case LX_CLOCK_MONOTONIC_COARSE:
    case LX_CLOCK_BOOTTIME: case LX_CLOCK_PROCESS_CPUTIME_ID: case LX_CLOCK_THREAD_CPUTIME_ID:
        return LX_CLOCK_MONOTONIC;
    default:
        return -1;
    }
}

LX_HANDLER(clock_gettime)
{
    int c = clock_of(a[0]);
    if (c < 0)
        return LX_ERR(LX_EINVAL);
    uint64_t ns = now(p, c);
    struct lx_timespec32 ts = { (int32_t)(ns / NS_PER_SEC), (int32_t)(ns % NS_PER_SEC) };
    return lx_user_out(p, a[1], &ts, sizeof(ts));
}

LX_HANDLER(clock_gettime64)
{
    int c = clock_of(a[0]);
    if (c < 0)
        return LX_ERR(LX_EINVAL);
    uint64_t ns = now(p, c);
    struct lx_timespec64 ts = { (int64_t)(ns / NS_PER_SEC), (int64_t)(ns % NS_PER_SEC) };
    return lx_user_out(p, a[1], &ts, sizeof(ts));
}

LX_HANDLER(getrandom)
{
    uint8_t buf[256];
    uint32_t len = a[1] < sizeof(buf) ? a[1] : sizeof(buf);    /* short reads are allowed */
    if (a[2] & ~(uint32_t)(LX_GRND_NONBLOCK | LX_GRND_RANDOM | LX_GRND_INSECURE))
        return LX_ERR(LX_EINVAL);
    p->k->ops->random(p->k->ctx, buf, len);
    int err = lx_user_out(p, a[0], buf, len);
    return err ? err : (int32_t)len;
}

/* Our limits: 8 MiB stack, LX_FD_MAX descriptors, the rest unlimited. */
static void limit_of(uint32_t res, uint64_t *cur, uint64_t *max)
{
    *cur = *max = LX_RLIM_INFINITY64;
    if (res == LX_RLIMIT_STACK)
        *cur = STACK_LIMIT;
    if (res == LX_RLIMIT_NOFILE)
        *cur = *max = LX_FD_MAX;
}

/* prlimit64(pid, resource, new, old): setting limits is accepted and
 * ignored for now. */
LX_HANDLER(prlimit64)
{
    struct lx_rlimit64 r;
    if (a[0] != 0 && a[0] != p->pid)
        return LX_ERR(LX_ESRCH);
    if (a[1] >= LX_RLIM_NLIMITS)
        return LX_ERR(LX_EINVAL);
    if (a[2] && lx_user_in(p, &r, a[2], sizeof(r)))
        return LX_ERR(LX_EFAULT);
    if (!a[3])
        return 0;
    uint64_t cur, max;
    limit_of(a[1], &cur, &max);
    r.rlim_cur = cur;
    r.rlim_max = max;
    return lx_user_out(p, a[3], &r, sizeof(r));
}

static uint32_t clamp32(uint64_t v)
{
    return v > LX_RLIM_INFINITY32 ? LX_RLIM_INFINITY32 : (uint32_t)v;
}

LX_HANDLER(ugetrlimit)
{
    uint64_t cur, max;
    if (a[0] >= LX_RLIM_NLIMITS)
        return LX_ERR(LX_EINVAL);
    limit_of(a[0], &cur, &max);
    struct lx_rlimit32 r = { clamp32(cur), clamp32(max) };
    return lx_user_out(p, a[1], &r, sizeof(r));
}

/* The old getrlimit reports "infinity" as 0x7fffffff (kernel/sys.c). */
LX_HANDLER(getrlimit)
{
    uint64_t cur, max;
    if (a[0] >= LX_RLIM_NLIMITS)
        return LX_ERR(LX_EINVAL);
    limit_of(a[0], &cur, &max);
    struct lx_rlimit32 r = { clamp32(cur) > 0x7fffffff ? 0x7fffffff : clamp32(cur),
                             clamp32(max) > 0x7fffffff ? 0x7fffffff : clamp32(max) };
    return lx_user_out(p, a[1], &r, sizeof(r));
}
