/*
 * Waiting for descriptors: poll, and select in its two i386 forms
 * (_newselect with five arguments, the old select with one pointer to
 * them). Readiness is lx_file_poll()'s (file.c).
 *
 * When nothing is ready and the timeout is not zero the call is parked
 * (LX_BLOCK, lx.h) and repeated by the guest kernel whenever something
 * changed: the first call sets p->sleep_until from the timeout (none: wait
 * for ever), a repeat past it answers 0. A wait that includes the console
 * sets p->wait_external, since only the outside world makes it readable.
 * Linux writes the time left back into select's timeval; so do we.
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

/* poll(fds, nfds, timeout_ms) */
LX_HANDLER(poll)
{
    uint32_t n = a[1], ready = 0;
    int32_t timeout = (int32_t)a[2];
    bool console = false;

    if (n > LX_FD_MAX)
        return LX_ERR(LX_EINVAL);
    if (!lx_user_range_ok(p, a[0], n * POLLFD_BYTES))
        return LX_ERR(LX_EFAULT);
    for (uint32_t i = 0; i < n; i++) {
        uint32_t addr = a[0] + i * POLLFD_BYTES;
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
    if (ready || timeout == 0)
        return (int32_t)ready;
    return wait_more(p, timeout > 0, (uint64_t)timeout * NS_PER_MS, console);
}

/* One select set: bits of the fds < nfds; NULL stays empty. */
static int read_set(lx_proc_t *p, uint32_t uaddr, uint32_t nfds, uint32_t *set)
{
    memset(set, 0, SET_WORDS * 4);
    return uaddr ? lx_user_in(p, set, uaddr, (nfds + 31) / 32 * 4) : 0;
}

static int32_t do_select(lx_proc_t *p, uint32_t nfds, const uint32_t *uset, uint32_t utv)
{
    uint32_t in[3][SET_WORDS], out[3][SET_WORDS], ready = 0;
    const uint32_t want[3] = { SEL_IN, SEL_OUT, 0 };
    struct lx_timeval tv = { 0, 0 };
    bool console = false;
    int err = 0;

    if ((int32_t)nfds < 0 || nfds > LX_FD_SETSIZE)
        return LX_ERR(LX_EINVAL);
    for (int s = 0; s < 3 && !err; s++)
        err = read_set(p, uset[s], nfds, in[s]);
    if (!err && utv)
        err = lx_user_in(p, &tv, utv, sizeof(tv));
    if (err)
        return err;
    if (utv && (tv.tv_sec < 0 || tv.tv_usec < 0 || tv.tv_usec >= 1000000))
        return LX_ERR(LX_EINVAL);
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
    uint64_t t = (uint64_t)tv.tv_sec * NS_PER_SEC + (uint64_t)tv.tv_usec * NS_PER_US;
    if (!ready && (!utv || t)) {
        int32_t r = wait_more(p, utv != 0, t, console);
        if (r == LX_BLOCK)
            return r;
    }
    for (int s = 0; s < 3 && !err; s++)
        if (uset[s])
            err = lx_user_out(p, uset[s], out[s], (nfds + 31) / 32 * 4);
    if (!err && utv && p->sleep_until) {     /* waited: the time left */
        uint64_t now = mono(p), left = p->sleep_until > now ? p->sleep_until - now : 0;
        struct lx_timeval rem = { (int32_t)(left / NS_PER_SEC),
                                  (int32_t)(left % NS_PER_SEC / NS_PER_US) };
        err = lx_user_out(p, utv, &rem, sizeof(rem));
    }
    return err ? err : (int32_t)ready;
}

/* _newselect(nfds, readfds, writefds, exceptfds, timeout) */
LX_HANDLER(_newselect) { return do_select(p, a[0], &a[1], a[4]); }

/* select(struct sel_arg_struct *): the same five words in memory. */
LX_HANDLER(select)
{
    uint32_t w[5];
    int err = lx_user_in(p, w, a[0], sizeof(w));
    return err ? err : do_select(p, w[0], &w[1], w[4]);
}
