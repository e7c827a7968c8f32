/*
 * Waiting for descriptors: poll, and select in its two i386 forms
 * (_newselect with five arguments, the old select with one pointer to
 * them), and pselect6 and ppoll with 32- and 64-bit timespecs (their
 * signal mask holds while they wait: lx_sig_wait_mask). Readiness is
 * lx_file_poll()'s (file.c).
 *
 * When nothing is ready and the timeout is not zero the call is parked
 * (LX_BLOCK, lx.h) and repeated by the guest kernel whenever something
 * changed: the first call sets p->sleep_until from the timeout (none: wait
 * for ever), a repeat past it answers 0. A wait that includes the console
 * sets p->wait_external, since only the outside world makes it readable.
 * Linux writes the time left back into select's timeval and the p-forms'
 * timespec; so do we.
 */
#include "sys.h"
#include "linux/wait.h"
#include "linux/misc.h"
#include "linux/stat.h"
#include <string.h>

#define POLLFD_BYTES    8u      /* struct pollfd: int fd; short events, revents */
#define NS_PER_MS       1000000ull
#define NS_PER_US       1000ull
#define NS_PER_SEC      1000000000ull
#define ALWAYS          (LX_POLLERR | LX_POLLHUP | LX_POLLNVAL)
#define SET_WORDS       (LX_FD_SETSIZE / 32)
#define SEL_IN          (LX_POLLIN | LX_POLLRDNORM | LX_POLLHUP | LX_POLLERR)
#define SEL_OUT         (LX_POLLOUT | LX_POLLWRNORM | LX_POLLERR)

static uint64_t mono(lx_proc_t *p)
{
    return p->k->ops->now_ns(p->k->ctx, LX_CLOCK_MONOTONIC);
}

static bool is_console_file(const lx_file_t *f)
{
    return f->kind == LX_FILE_INODE && LX_S_ISCHR(f->node->mode) &&
           (f->node->rdev == LX_DEV_TTY || f->node->rdev == LX_DEV_CONSOLE);
}

/* Nothing ready: park (first call: note the deadline), or time out. */
static int32_t wait_more(lx_proc_t *p, bool has_timeout, uint64_t timeout_ns, bool console)
{
    if (!p->retrying && has_timeout)
        p->sleep_until = mono(p) + timeout_ns;
    if (p->sleep_until && mono(p) >= p->sleep_until)
        return 0;
    p->wait_external = console;
    return LX_BLOCK;
}

/* poll over nfds entries; has_to false: wait for ever. */
static int32_t do_poll(lx_proc_t *p, uint32_t ufds, uint32_t n, bool has_to, uint64_t to_ns)
{
    uint32_t ready = 0;
    bool console = false;

    if (n > LX_FD_MAX)
        return LX_ERR(LX_EINVAL);
    if (!lx_user_range_ok(p, ufds, n * POLLFD_BYTES))
        return LX_ERR(LX_EFAULT);
    for (uint32_t i = 0; i < n; i++) {
        uint32_t addr = ufds + i * POLLFD_BYTES;
        int32_t fd;
        uint16_t ev[2];
        lx_file_t *f;
        int err = lx_user_in(p, &fd, addr, 4);

        if (!err)
            err = lx_user_in(p, ev, addr + 4, sizeof(ev));
        if (err)
            return err;
        f = fd < 0 ? NULL : lx_fd_get(p, fd);
        ev[1] = fd < 0 ? 0 : !f ? LX_POLLNVAL : lx_file_poll(p, f) & (ev[0] | ALWAYS);
        if (f && is_console_file(f))
            console = true;
        if (ev[1])
            ready++;
        err = lx_user_out(p, addr + 6, &ev[1], sizeof(ev[1]));
        if (err)
            return err;
    }
    if (ready || (has_to && to_ns == 0))
        return (int32_t)ready;
    return wait_more(p, has_to, to_ns, console);
}

/* poll(fds, nfds, timeout_ms): a negative timeout waits for ever. */
LX_HANDLER(poll)
{
    int32_t ms = (int32_t)a[2];
    return do_poll(p, a[0], a[1], ms >= 0, ms >= 0 ? (uint64_t)ms * NS_PER_MS : 0);
}

/* One select set: bits of the fds < nfds; NULL stays empty. */
static int read_set(lx_proc_t *p, uint32_t uaddr, uint32_t nfds, uint32_t *set)
{
    memset(set, 0, SET_WORDS * 4);
    return uaddr ? lx_user_in(p, set, uaddr, (nfds + 31) / 32 * 4) : 0;
}

/* Select over the three sets; timeout: NULL (has_to false) waits for ever. */
static int32_t do_select(lx_proc_t *p, uint32_t nfds, const uint32_t *uset, bool has_to,
        uint64_t to_ns)
{
    uint32_t in[3][SET_WORDS], out[3][SET_WORDS], ready = 0;
    const uint32_t want[3] = { SEL_IN, SEL_OUT, 0 };
    bool console = false;
    int err = 0;

    if ((int32_t)nfds < 0 || nfds > LX_FD_SETSIZE)
        return LX_ERR(LX_EINVAL);
    for (int s = 0; s < 3 && !err; s++)
        err = read_set(p, uset[s], nfds, in[s]);
    if (err)
        return err;
    memset(out, 0, sizeof(out));
    for (uint32_t fd = 0; fd < nfds; fd++) {
        uint32_t bit = 1u << (fd % 32), w = fd / 32, m;
        lx_file_t *f;

        if (!((in[0][w] | in[1][w] | in[2][w]) & bit))
            continue;
        f = lx_fd_get(p, (int32_t)fd);
        if (!f)
            return LX_ERR(LX_EBADF);
        console |= is_console_file(f);
        m = lx_file_poll(p, f);
        for (int s = 0; s < 3; s++) {
            if ((in[s][w] & bit) && (m & want[s])) {
                out[s][w] |= bit;
                ready++;
            }
        }
    }
    if (!ready && (!has_to || to_ns)) {
        int32_t r = wait_more(p, has_to, to_ns, console);
        if (r == LX_BLOCK)
            return r;
    }
    for (int s = 0; s < 3 && !err; s++)
        if (uset[s])
            err = lx_user_out(p, uset[s], out[s], (nfds + 31) / 32 * 4);
    return err ? err : (int32_t)ready;
}

/* What is left of a wait that was parked (0 if it was not). */
static uint64_t time_left(lx_proc_t *p)
{
    uint64_t now = mono(p);
    return p->sleep_until > now ? p->sleep_until - now : 0;
}

/* select's timeval: read, checked, and (as Linux) the time left written back. */
static int32_t select_tv(lx_proc_t *p, uint32_t nfds, const uint32_t *uset, uint32_t utv)
{
    struct lx_timeval tv = { 0, 0 };
    int32_t r;

    if (utv && lx_user_in(p, &tv, utv, sizeof(tv)))
        return LX_ERR(LX_EFAULT);
    if (utv && (tv.tv_sec < 0 || tv.tv_usec < 0 || tv.tv_usec >= 1000000))
        return LX_ERR(LX_EINVAL);
    r = do_select(p, nfds, uset, utv != 0,
                  (uint64_t)tv.tv_sec * NS_PER_SEC + (uint64_t)tv.tv_usec * NS_PER_US);
    if (r >= 0 && utv && p->sleep_until) {
        uint64_t left = time_left(p);
        struct lx_timeval rem = { (int32_t)(left / NS_PER_SEC),
                                  (int32_t)(left % NS_PER_SEC / NS_PER_US) };
        int err = lx_user_out(p, utv, &rem, sizeof(rem));
        if (err)
            return err;
    }
    return r;
}

/* _newselect(nfds, readfds, writefds, exceptfds, timeout) */
LX_HANDLER(_newselect) { return select_tv(p, a[0], &a[1], a[4]); }

/* select(struct sel_arg_struct *): the same five words in memory. */
LX_HANDLER(select)
{
    uint32_t w[5];
    int err = lx_user_in(p, w, a[0], sizeof(w));
    return err ? err : select_tv(p, w[0], &w[1], w[4]);
}

/* A timespec (32- or 64-bit seconds) as ns; -EINVAL, -EFAULT. */
static int read_ts(lx_proc_t *p, uint32_t uts, bool wide, uint64_t *ns)
{
    int64_t sec, nsec;
    int err;

    err = lx_timespec_in(p, uts, wide, &sec, &nsec);
    if (err)
        return err;
    if (sec < 0 || nsec < 0 || nsec >= (int64_t)NS_PER_SEC)
        return LX_ERR(LX_EINVAL);
    *ns = (uint64_t)sec * NS_PER_SEC + (uint64_t)nsec;
    return 0;
}

static int write_ts(lx_proc_t *p, uint32_t uts, bool wide, uint64_t ns)
{
    if (wide) {
        struct lx_timespec64 ts = { (int64_t)(ns / NS_PER_SEC), (int64_t)(ns % NS_PER_SEC) };
        return lx_user_out(p, uts, &ts, sizeof(ts));
    }
    struct lx_timespec32 ts = { (int32_t)(ns / NS_PER_SEC), (int32_t)(ns % NS_PER_SEC) };
    return lx_user_out(p, uts, &ts, sizeof(ts));
}

/* pselect6(nfds, r, w, e, timespec, sigmask): the last is i386's pointer
 * to { const sigset_t *ss; size_t ss_len; }. */
static int32_t pselect(lx_proc_t *p, const uint32_t *a, bool wide)
{
    uint64_t ns = 0;
    uint32_t ss[2] = { 0, 0 };
    int32_t r;
    int err = a[4] ? read_ts(p, a[4], wide, &ns) : 0;

    if (!err && a[5])
        err = lx_user_in(p, ss, a[5], sizeof(ss));
    if (!err)
        err = lx_sig_wait_mask(p, ss[0], ss[1]);
    if (err)
        return err;
    r = lx_sig_wait_done(p, do_select(p, a[0], &a[1], a[4] != 0, ns));
    if (r >= 0 && a[4] && p->sleep_until && (err = write_ts(p, a[4], wide, time_left(p))))
        return err;
    return r;
}

LX_HANDLER(pselect6) { return pselect(p, a, false); }
LX_HANDLER(pselect6_time64) { return pselect(p, a, true); }

/* ppoll(fds, nfds, timespec, sigmask, sigsetsize): the mask as pselect6's. */
static int32_t ppoll(lx_proc_t *p, const uint32_t *a, bool wide)
{
    uint64_t ns = 0;
    int32_t r;
    int err = a[2] ? read_ts(p, a[2], wide, &ns) : 0;

    if (!err)
        err = lx_sig_wait_mask(p, a[3], a[4]);
    if (err)
        return err;
    r = lx_sig_wait_done(p, do_poll(p, a[0], a[1], a[2] != 0, ns));
    if (r >= 0 && a[2] && p->sleep_until && (err = write_ts(p, a[2], wide, time_left(p))))
        return err;
    return r;
}

LX_HANDLER(ppoll) { return ppoll(p, a, false); }
LX_HANDLER(ppoll_time64) { return ppoll(p, a, true); }
