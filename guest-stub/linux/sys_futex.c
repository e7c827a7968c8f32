/*
 * futex(2): the one blocking primitive a libc builds its locks, condition
 * variables and thread joins on. A futex is a 32-bit word of the caller's
 * memory; FUTEX_WAIT parks the caller if the word still holds the value it
 * expects (the check and the parking are one step, so a wake between the
 * caller's look at the word and its call is not lost), FUTEX_WAKE wakes up
 * to n callers parked on the same word of the same address space. The
 * BITSET forms add a mask: a wake reaches waiters whose mask it shares.
 *
 * Waiting is a parked call (lx.h): the waiter records the word (and its
 * mask) in its process and returns LX_BLOCK; the guest kernel repeats the
 * call after every event, and it ends when a wake marked it (0), when its
 * deadline passed (-ETIMEDOUT; p->sleep_until, so the guest kernel watches
 * the clock) or when a signal interrupts it (lx_sig_interrupt). FUTEX_WAIT
 * takes a relative timeout, FUTEX_WAIT_BITSET an absolute one on the
 * monotonic clock or, with FUTEX_CLOCK_REALTIME, the realtime clock.
 *
 * The waiters a wake can find are the threads of the waker's own address
 * space: the other threads of its process (clone's thread form: a
 * pthread_mutex, a condition variable, pthread_join's wait on the
 * clear_child_tid word) and a vfork child or parent running in it. No
 * memory is shared between address spaces, so FUTEX_PRIVATE_FLAG changes
 * nothing. The other operations (requeue, priority inheritance, wake-op)
 * answer -ENOSYS; glibc falls back to a plain wake for a condition
 * variable's broadcast.
 *
 * Robust futexes: a thread names a list of the locks it holds
 * (set_robust_list: struct robust_list_head in its memory, each lock an
 * entry whose word is futex_offset bytes away, holding the owner's tid).
 * When the thread ends -- exit, exit_group or a fatal signal for every
 * thread of the process, execve for every thread of the old image -- the
 * list is walked as Linux's exit_robust_list does: each word still holding
 * the thread's tid gets FUTEX_OWNER_DIED (its FUTEX_WAITERS kept, the tid
 * cleared) and one waiter is woken, so the next locker of a glibc robust
 * mutex gets EOWNERDEAD. The walk stops at the list's head, after
 * LX_ROBUST_LIST_LIMIT entries (a list that loops), or at the first word it
 * cannot read; the entry being taken or released (list_op_pending) is
 * handled last, as Linux does.
 */
#include "sys.h"
#include "linux/futex.h"
#include "linux/misc.h"
#include "linux/unistd.h"

#define NS_PER_SEC  1000000000ull
#define WORD_ALIGN  (sizeof(uint32_t) - 1)

/* A timeout argument as nanoseconds; -EFAULT or -EINVAL if bad. */
static int64_t read_timeout(lx_proc_t *p, uint32_t uts, bool wide)
{
    int64_t sec, nsec;
    int err;

    err = lx_timespec_in(p, uts, wide, &sec, &nsec);
    if (err)
        return LX_ERR(LX_EFAULT);
    if (sec < 0 || nsec < 0 || nsec >= (int64_t)NS_PER_SEC)
        return LX_ERR(LX_EINVAL);
    return (int64_t)((uint64_t)sec * NS_PER_SEC + (uint64_t)nsec);
}

/* The monotonic deadline of a wait (0: none): relative for FUTEX_WAIT,
 * absolute on the chosen clock for FUTEX_WAIT_BITSET. */
static int64_t wait_deadline(lx_proc_t *p, uint32_t uts, bool wide, bool absolute, bool realtime)
{
    const lx_host_ops_t *ops = p->k->ops;
    uint64_t mono = ops->now_ns(p->k->ctx, LX_CLOCK_MONOTONIC), clock_now;
    int64_t ns;

    if (!uts)
        return 0;
    ns = read_timeout(p, uts, wide);
    if (ns < 0)
        return ns;
    if (!absolute)
        return (int64_t)(mono + (uint64_t)ns) | 1;
    clock_now = realtime ? ops->now_ns(p->k->ctx, LX_CLOCK_REALTIME) : mono;
    return (int64_t)(mono + ((uint64_t)ns > clock_now ? (uint64_t)ns - clock_now : 0)) | 1;
}

/* A repeat of a parked wait: woken, timed out, or still waiting. */
static int32_t wait_again(lx_proc_t *p)
{
    if (p->futex_woken)
        return 0;
    if (p->sleep_until &&
            p->k->ops->now_ns(p->k->ctx, LX_CLOCK_MONOTONIC) >= p->sleep_until)
        return LX_ERR(LX_ETIMEDOUT);
    return LX_BLOCK;
}

static int32_t futex_wait(lx_proc_t *p, const uint32_t *a, uint32_t bitset, bool wide,
        bool absolute)
{
    uint32_t word;
    int64_t deadline;

    if (p->retrying)
        return wait_again(p);
    if (bitset == 0)
        return LX_ERR(LX_EINVAL);
    if (lx_user_in(p, &word, a[0], sizeof(word)))
        return LX_ERR(LX_EFAULT);
    deadline = wait_deadline(p, a[3], wide, absolute, a[1] & LX_FUTEX_CLOCK_REALTIME);
    if (deadline < 0)
        return (int32_t)deadline;
    if (word != a[2])
        return LX_ERR(LX_EAGAIN);
    p->futex_addr = a[0];
    p->futex_bitset = bitset;
    p->futex_woken = false;
    p->sleep_until = (uint64_t)deadline;
    return wait_again(p);
}

/* Marks a thread parked on the word at uaddr for a wake matching bitset. */
static bool wake_one(lx_thread_state_t *st, uint32_t uaddr, uint32_t bitset)
{
    if (!st->retrying || st->futex_woken || st->futex_addr != uaddr ||
            !(st->futex_bitset & bitset))
        return false;
    st->futex_woken = true;
    return true;
}

/* Marks up to n waiters on the word in p's address space: the other
 * threads of p, and of any process in the same space (a vfork pair);
 * how many. */
static int32_t futex_wake(lx_proc_t *p, uint32_t uaddr, uint32_t n, uint32_t bitset)
{
    int32_t woken = 0;

    if (bitset == 0)
        return LX_ERR(LX_EINVAL);
    for (lx_proc_t *q = p->k->procs; q && (uint32_t)woken < n; q = q->next) {
        if (q->space != p->space || q->exited)
            continue;
        lx_thread_t *t = q->threads;
        do {
            lx_thread_state_t *st = lx_thread_state(q, t);
            if (st != &p->th && wake_one(st, uaddr, bitset))
                woken++;
            t = t ? t->next : NULL;
        } while (t && (uint32_t)woken < n);
    }
    return woken;
}

int32_t lx_futex_wake(lx_proc_t *p, uint32_t uaddr, uint32_t n)
{
    return futex_wake(p, uaddr, n, LX_FUTEX_BITSET_ANY);
}

/* One held futex of a dying thread (Linux handle_futex_death): marked, and
 * a waiter woken, if tid still holds it; a pending entry whose word is 0
 * (the lock was being taken or just released) wakes a waiter too, who might
 * otherwise wait for a release that will not come. A PI futex (bit 0 of
 * its entry) is marked but nobody is woken: its waiters are the PI code's,
 * which this guest does not have. */
static void futex_death(lx_proc_t *p, uint32_t uaddr, uint32_t tid, bool pi, bool pending)
{
    uint32_t word, mark;

    if ((uaddr & WORD_ALIGN) || lx_user_in(p, &word, uaddr, sizeof(word)))
        return;
    if (pending && !pi && word == 0) {
        lx_futex_wake(p, uaddr, 1);
        return;
    }
    if ((word & LX_FUTEX_TID_MASK) != tid)
        return;
    mark = (word & LX_FUTEX_WAITERS) | LX_FUTEX_OWNER_DIED;
    if (lx_user_out(p, uaddr, &mark, sizeof(mark)))
        return;
    if (!pi && (word & LX_FUTEX_WAITERS))
        lx_futex_wake(p, uaddr, 1);
}

#define ENTRY_PI 1u             /* bit 0 of a list pointer: the futex is PI */

void lx_robust_exit(lx_proc_t *p, const lx_thread_state_t *st)
{
    struct lx_robust_list_head head;
    uint32_t entry, next, pending, limit = LX_ROBUST_LIST_LIMIT;
    uint32_t off, tid = st->tid;

    if (!st->robust_list || !p->space ||
            lx_user_in(p, &head, st->robust_list, sizeof(head)))
        return;
    off = (uint32_t)head.futex_offset;
    pending = head.list_op_pending;
    entry = head.next;
    while ((entry & ~ENTRY_PI) != st->robust_list) {
        bool fetched = lx_user_in(p, &next, entry & ~ENTRY_PI, sizeof(next)) == 0;
        if ((entry & ~ENTRY_PI) != (pending & ~ENTRY_PI))
            futex_death(p, (entry & ~ENTRY_PI) + off, tid, entry & ENTRY_PI, false);
        if (!fetched)
            return;             /* a bad pointer ends the walk, pending too */
        if (--limit == 0)
            break;
        entry = next;
    }
    if (pending & ~ENTRY_PI)
        futex_death(p, (pending & ~ENTRY_PI) + off, tid, pending & ENTRY_PI, true);
}

void lx_robust_exit_all(lx_proc_t *p)
{
    lx_thread_t *t = p->threads;

    do {
        lx_robust_exit(p, lx_thread_state(p, t));
        t = t ? t->next : NULL;
    } while (t);
}

/* futex(uaddr, op, val, timeout or val2, uaddr2, val3) */
static int32_t futex(lx_proc_t *p, const uint32_t *a, bool wide)
{
    uint32_t cmd = a[1] & LX_FUTEX_CMD_MASK;

    if (!p->retrying && (a[0] & WORD_ALIGN))
        return LX_ERR(LX_EINVAL);
    if (!p->retrying && !lx_user_range_ok(p, a[0], sizeof(uint32_t)))
        return LX_ERR(LX_EFAULT);
    if ((a[1] & LX_FUTEX_CLOCK_REALTIME) && cmd != LX_FUTEX_WAIT && cmd != LX_FUTEX_WAIT_BITSET)
        return LX_ERR(LX_ENOSYS);
    switch (cmd) {
    case LX_FUTEX_WAIT:
        return futex_wait(p, a, LX_FUTEX_BITSET_ANY, wide, false);
    case LX_FUTEX_WAIT_BITSET:
        return futex_wait(p, a, a[5], wide, true);
    case LX_FUTEX_WAKE:
        return futex_wake(p, a[0], a[2], LX_FUTEX_BITSET_ANY);
    case LX_FUTEX_WAKE_BITSET:
        return futex_wake(p, a[0], a[2], a[5]);
    default:
        return LX_ERR(LX_ENOSYS);
    }
}

LX_HANDLER(futex) { return futex(p, a, false); }
LX_HANDLER(futex_time64) { return futex(p, a, true); }

/* sysinfo(info): uptime from the monotonic clock (which starts with the
 * guest), memory as the guest kernel counts it, processes (zombies too);
 * no swap, no high memory, no load average kept. */
LX_HANDLER(sysinfo)
{
    const lx_host_ops_t *ops = p->k->ops;
    struct lx_sysinfo si = { 0 };
    uint32_t total, free;

    ops->mem_info(p->k->ctx, &total, &free);
    si.uptime = (int32_t)(ops->now_ns(p->k->ctx, LX_CLOCK_MONOTONIC) / NS_PER_SEC);
    si.totalram = total;
    si.freeram = free;
    si.procs = (uint16_t)p->k->nprocs;
    si.mem_unit = 1;
    return lx_user_out(p, a[0], &si, sizeof(si));
}
