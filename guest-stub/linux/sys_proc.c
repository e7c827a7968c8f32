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
 * exit_group ends the process (proc.c, lx_proc_exit): the guest kernel
 * sees p->exited after the call, does not reply, and tears every thread
 * and the address space down; the zombie waits for its parent. exit ends
 * only the calling thread while the process has others (p->thread_exited;
 * pthread_join's clear_child_tid word is zeroed and woken first), the
 * process with its last.
 *
 * Sleeping is a parked call (lx.h): nanosleep sets p->sleep_until and
 * returns LX_BLOCK until the monotonic clock has passed it. The guest has no
 * timer of its own; the guest kernel polls the clock while sleepers remain.
 */
#include "sys.h"
#include "linux/misc.h"
#include "linux/wait.h"
#include "linux/futex.h"
#include <string.h>

#define NS_PER_SEC  1000000000ull
#define NS_PER_USEC 1000u
#define TLS_ANY     0xffffffffu     /* entry_number -1: the kernel picks */
#define STACK_LIMIT (8u << 20)      /* RLIMIT_STACK soft default: 8 MiB (Linux _STK_LIM) */
#define ROBUST_HEAD_SIZE 12u        /* sizeof(struct robust_list_head) on i386 */

#define TIMER_ABSTIME 1             /* uapi/linux/time.h */

static int32_t do_exit(lx_proc_t *p, uint32_t code)
{
    lx_proc_exit(p, LX_W_EXITCODE(code));
    return 0;
}

/* exit ends the calling thread; the process ends with its last one. */
LX_HANDLER(exit)
{
    if (lx_thread_count(p) == 1)
        return do_exit(p, a[0]);
    lx_thread_exit(p);
    return 0;
}

LX_HANDLER(exit_group) { return do_exit(p, a[0]); }

LX_HANDLER(getpid) { (void)a; return (int32_t)p->pid; }
LX_HANDLER(gettid) { (void)a; return (int32_t)p->tid; }
LX_HANDLER(getppid) { (void)a; return (int32_t)p->ppid; }
LX_HANDLER(getuid) { (void)a; return (int32_t)p->uid; }
LX_HANDLER(geteuid) { (void)a; return (int32_t)p->euid; }
LX_HANDLER(getgid) { (void)a; return (int32_t)p->gid; }
LX_HANDLER(getegid) { (void)a; return (int32_t)p->egid; }
LX_HANDLER(getpgrp) { (void)a; return (int32_t)p->pgid; }

static int32_t put_three(lx_proc_t *p, const uint32_t *a, uint32_t r, uint32_t e, uint32_t s)
{
    int err = lx_user_out(p, a[0], &r, sizeof(r));
    if (!err)
        err = lx_user_out(p, a[1], &e, sizeof(e));
    if (!err)
        err = lx_user_out(p, a[2], &s, sizeof(s));
    return err;
}

LX_HANDLER(getresuid) { return put_three(p, a, p->uid, p->euid, p->suid); }
LX_HANDLER(getresgid) { return put_three(p, a, p->gid, p->egid, p->sgid); }

/* Process groups and sessions (kernel/sys.c): enough for a shell's job
 * control to stay quiet. pid 0 means the caller. */
static lx_proc_t *live_proc(lx_proc_t *p, uint32_t pid)
{
    lx_proc_t *q = pid == 0 ? p : lx_proc_find(p->k, pid);
    return q && !q->exited ? q : NULL;
}

LX_HANDLER(getpgid)
{
    lx_proc_t *q = live_proc(p, a[0]);
    return q ? (int32_t)q->pgid : LX_ERR(LX_ESRCH);
}

LX_HANDLER(getsid)
{
    lx_proc_t *q = live_proc(p, a[0]);
    return q ? (int32_t)q->sid : LX_ERR(LX_ESRCH);
}

/* A process group id pgid names in session sid (besides the new one). */
static bool group_in_session(lx_kernel_t *k, uint32_t pgid, uint32_t sid)
{
    for (lx_proc_t *q = k->procs; q; q = q->next)
        if (!q->exited && q->pgid == pgid && q->sid == sid)
            return true;
    return false;
}

/* setpgid(pid, pgid): the caller or a child of its, not a session leader,
 * into its own group or one of its session. */
LX_HANDLER(setpgid)
{
    lx_proc_t *q = live_proc(p, a[0]);
    uint32_t pgid;

    if ((int32_t)a[1] < 0)
        return LX_ERR(LX_EINVAL);
    if (!q || (q != p && q->parent != p))
        return LX_ERR(LX_ESRCH);
    if (q->sid != p->sid || q->sid == q->pid)
        return LX_ERR(LX_EPERM);
    pgid = a[1] ? a[1] : q->pid;
    if (pgid != q->pid && !group_in_session(p->k, pgid, p->sid))
        return LX_ERR(LX_EPERM);
    q->pgid = pgid;
    return 0;
}

LX_HANDLER(setsid)
{
    (void)a;
    for (lx_proc_t *q = p->k->procs; q; q = q->next)
        if (!q->exited && q->pgid == p->pid)
            return LX_ERR(LX_EPERM);    /* a group leader, or its id is a group's */
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
    return (int32_t)p->tid;
}

LX_HANDLER(set_robust_list)
{
    if (a[1] != sizeof(struct lx_robust_list_head))
        return LX_ERR(LX_EINVAL);
    p->robust_list = a[0];
    p->robust_len = a[1];
    return 0;
}

/* get_robust_list(tid, head_ptr, len_ptr): the head set_robust_list
 * recorded for thread tid (0: the caller) and the head's size, as
 * kernel/futex/syscalls.c answers. musl's pthread_mutexattr_setrobust asks
 * it once to learn whether the kernel has robust lists (ENOSYS: no robust
 * mutexes). A refusal leaves both words as they were. */
LX_HANDLER(get_robust_list)
{
    uint32_t head = p->robust_list, len = ROBUST_HEAD_SIZE;

    if (a[0] && a[0] != p->tid) {
        lx_thread_t *t;
        lx_proc_t *q = lx_thread_owner(p->k, a[0], &t);

        if (!q)
            return LX_ERR(LX_ESRCH);
        head = t ? t->st.robust_list : q->robust_list;
    }
    uint32_t old_head;
    int err = lx_user_in(p, &old_head, a[1], sizeof(old_head));

    if (!err)
        err = lx_user_out(p, a[1], &head, sizeof(head));
    if (err)
        return LX_ERR(LX_EFAULT);
    err = lx_user_out(p, a[2], &len, sizeof(len));
    if (err)
        lx_user_out(p, a[1], &old_head, sizeof(old_head));     /* as it was */
    return err;
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

/* Our limits: 8 MiB stack, LX_FD_MAX descriptors, no core files, the rest
 * unlimited. */
static void limit_of(uint32_t res, uint64_t *cur, uint64_t *max)
{
    *cur = *max = LX_RLIM_INFINITY64;
    if (res == LX_RLIMIT_STACK)
        *cur = STACK_LIMIT;
    if (res == LX_RLIMIT_CORE)
        *cur = 0;               /* no core files (Linux's default soft limit too) */
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

/* Parks the caller until the monotonic clock reaches deadline (ns). */
static int32_t sleep_until(lx_proc_t *p, uint64_t deadline)
{
    if (!p->retrying)
        p->sleep_until = deadline ? deadline : 1;
    if (now(p, LX_CLOCK_MONOTONIC) >= p->sleep_until)
        return 0;
    return LX_BLOCK;
}

/* A relative or absolute (TIMER_ABSTIME) time on clock c as a monotonic
 * deadline; -EINVAL for a bad time. */
static int64_t deadline_of(lx_proc_t *p, int c, bool abs, int64_t sec, int64_t nsec)
{
    uint64_t ns, t;

    if (sec < 0 || nsec < 0 || nsec >= (int64_t)NS_PER_SEC)
        return LX_ERR(LX_EINVAL);
    ns = (uint64_t)sec * NS_PER_SEC + (uint64_t)nsec;
    if (!abs)
        return (int64_t)(now(p, LX_CLOCK_MONOTONIC) + ns);
    t = now(p, c);
    return (int64_t)(now(p, LX_CLOCK_MONOTONIC) + (ns > t ? ns - t : 0));
}

/* The deadline of the first call, kept in p->sleep_until while parked. */
static int32_t sleep_call(lx_proc_t *p, int c, uint32_t flags, uint32_t ureq, bool wide)
{
    int64_t sec, nsec, d;
    int err;

    if (p->retrying)
        return sleep_until(p, p->sleep_until);
    err = lx_timespec_in(p, ureq, wide, &sec, &nsec);
    if (err)
        return err;
    d = deadline_of(p, c, flags & TIMER_ABSTIME, sec, nsec);
    return d < 0 ? (int32_t)d : sleep_until(p, (uint64_t)d);
}

/* nanosleep(req, rem): rem is only written when a signal cuts it short. */
LX_HANDLER(nanosleep) { return sleep_call(p, LX_CLOCK_MONOTONIC, 0, a[0], false); }

/* clock_nanosleep(clock, flags, req, rem): errors are returned, as Linux's. */
static int32_t clock_sleep(lx_proc_t *p, const uint32_t *a, bool wide)
{
    int c = clock_of(a[0]);

    if (c < 0 || a[0] == LX_CLOCK_THREAD_CPUTIME_ID)
        return LX_ERR(LX_EINVAL);
    if (a[1] & ~(uint32_t)TIMER_ABSTIME)
        return LX_ERR(LX_EINVAL);
    return sleep_call(p, c, a[1], a[2], wide);
}

LX_HANDLER(clock_nanosleep) { return clock_sleep(p, a, false); }
LX_HANDLER(clock_nanosleep_time64) { return clock_sleep(p, a, true); }
