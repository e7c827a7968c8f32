/*
 * The calls busybox and glibc make beside the everyday ones: copying
 * between descriptors (sendfile), flushing (nothing to flush: every file is
 * in memory), advisory whole-file locks (flock), file-system figures
 * (statfs), the process's accounting (times, getrusage), scheduling
 * questions (sched_yield, sched_getaffinity, getcpu, nice, priorities),
 * prctl, setting ids, ITIMER_REAL, and msync/mincore on mappings.
 *
 * What the guest does not have it reports as Linux on one idle CPU would:
 * one CPU, no scheduling effect of nice (kept and reported back), and a
 * process's CPU time read as the time since it began, as the CPU-time
 * clocks read it (the guest kernel does not count per-process time).
 * Accounting is Linux's: a reaped child's time and faults are added to
 * its parent's children figures (lx_rusage_reaped). Reading the clock at
 * every fork and reap would cost the fork benchmarks a clock division
 * each, so it starts with the first times or getrusage in the guest
 * (k->acct): a process forked before began, for its accounting, with the
 * guest, and children reaped before are not counted.
 */
#include "sys.h"
#include "linux/fcntl.h"
#include "linux/stat.h"
#include "linux/misc.h"
#include "linux/mman.h"
#include "linux/signal.h"
#include <string.h>

#define NS_PER_SEC  1000000000ull
#define NS_PER_USEC 1000u
#define NS_PER_TICK (NS_PER_SEC / LX_CLK_TCK)
#define COPY_CHUNK  1024u
#define MAX_RW      0x7ffff000u     /* Linux MAX_RW_COUNT: INT_MAX & PAGE_MASK */
#define MAX_NON_LFS 0x7fffffffu     /* include/linux/fs.h: sendfile's 32-bit offset limit */
#define NR_CPUS     1u              /* the guest's processes run on one CPU */
#define BITS_PER_BYTE 8u
#define FS_NAMELEN  LX_NAME_MAX
#define ID_NONE     0xffffffffu     /* (uid_t)-1: "keep" in setre*id and chown */

static uint64_t mono(const lx_proc_t *p)
{
    return p->k->ops->now_ns(p->k->ctx, LX_CLOCK_MONOTONIC);
}

/* ------------------------------------------------------------------ */
/* sendfile                                                            */

static bool seekable(const lx_file_t *f)
{
    return f->kind == LX_FILE_INODE && f->node->rdev != LX_DEV_TTY &&
           f->node->rdev != LX_DEV_CONSOLE;
}

/* One chunk from in to out: bytes moved, 0 at in's end, or an error. A
 * pipe out takes no more than it has room for, so what is read is written
 * whole (a pipe in cannot give bytes back). */
static int32_t copy_chunk(lx_proc_t *p, lx_file_t *in, lx_file_t *out, uint32_t want)
{
    uint8_t buf[COPY_CHUNK];

    if (want > sizeof(buf))
        want = sizeof(buf);
    if (out->kind == LX_FILE_PIPE_WRITE && out->pipe->readers) {
        uint32_t room = LX_PIPE_SIZE - out->pipe->count;
        if (room == 0)
            return LX_ERR(LX_EAGAIN);
        want = want < room ? want : room;
    }
    int32_t got = lx_file_read(p, in, buf, want);
    if (got <= 0)
        return got;
    int32_t put = lx_file_write(p, out, buf, (uint32_t)got);
    if (put >= 0 && put < got && in->kind == LX_FILE_INODE)
        in->pos -= (uint32_t)(got - put);
    return put;
}

/* Copies up to count bytes from in's position *pos; the bytes done, or
 * the error of the first chunk. */
static int32_t copy_files(lx_proc_t *p, lx_file_t *in, lx_file_t *out, uint64_t *pos,
        uint32_t count)
{
    uint64_t saved = in->pos;
    uint32_t done = 0;
    int32_t r = 0;

    if (pos)
        in->pos = *pos;
    while (done < count) {
        r = copy_chunk(p, in, out, count - done);
        if (r <= 0)
            break;
        done += (uint32_t)r;
    }
    if (pos) {
        *pos = in->pos;
        in->pos = saved;
    }
    if (done)
        return (int32_t)done;
    if (r == LX_ERR(LX_EAGAIN) && !(in->flags & LX_O_NONBLOCK) && !(out->flags & LX_O_NONBLOCK))
        return LX_BLOCK;
    return r;
}

/* do_sendfile's checks in Linux's order: in readable, an offset only on a
 * file that has positions, out writable and not appending. */
static int32_t do_sendfile(lx_proc_t *p, const uint32_t *a, uint64_t *pos, uint64_t max)
{
    lx_file_t *in = lx_fd_get(p, (int32_t)a[1]), *out;
    uint32_t count = a[3] > MAX_RW ? MAX_RW : a[3];

    if (!in || (in->flags & LX_O_ACCMODE) == LX_O_WRONLY || in->kind == LX_FILE_PIPE_WRITE)
        return LX_ERR(LX_EBADF);
    if (pos && !seekable(in))
        return LX_ERR(LX_ESPIPE);
    if (pos && (int64_t)*pos < 0)
        return LX_ERR(LX_EINVAL);
    out = lx_fd_get(p, (int32_t)a[0]);
    if (!out || (out->flags & LX_O_ACCMODE) == LX_O_RDONLY || out->kind == LX_FILE_PIPE_READ)
        return LX_ERR(LX_EBADF);
    if (out->flags & LX_O_APPEND)
        return LX_ERR(LX_EINVAL);
    if (in->kind == LX_FILE_INODE && LX_S_ISDIR(in->node->mode))
        return LX_ERR(LX_EISDIR);
    uint64_t at = pos ? *pos : in->pos;
    if (max && at + count > max) {
        if (at >= max)
            return LX_ERR(LX_EOVERFLOW);
        count = (uint32_t)(max - at);
    }
    return copy_files(p, in, out, pos, count);
}

/* sendfile(out, in, off_t *offset, count): a 32-bit offset, kept below 2 GiB. */
LX_HANDLER(sendfile)
{
    int32_t off32;
    uint64_t pos;

    if (!a[2])
        return do_sendfile(p, a, NULL, 0);
    int err = lx_user_in(p, &off32, a[2], sizeof(off32));
    if (err)
        return err;
    pos = (uint64_t)(int64_t)off32;
    int32_t r = do_sendfile(p, a, &pos, MAX_NON_LFS);
    off32 = (int32_t)pos;
    if (r >= 0 && (err = lx_user_out(p, a[2], &off32, sizeof(off32))))
        return err;
    return r;
}

LX_HANDLER(sendfile64)
{
    uint64_t pos;

    if (!a[2])
        return do_sendfile(p, a, NULL, 0);
    int err = lx_user_in(p, &pos, a[2], sizeof(pos));
    if (err)
        return err;
    int32_t r = do_sendfile(p, a, &pos, 0);
    if (r >= 0 && (err = lx_user_out(p, a[2], &pos, sizeof(pos))))
        return err;
    return r;
}

/* ------------------------------------------------------------------ */
/* Flushing: the files are memory, so there is never anything to write. */

/* Linux's vfs_fsync: EINVAL where the file has no fsync (pipes and the
 * character devices); tmpfs files and directories succeed at once. */
static int32_t do_fsync(lx_proc_t *p, uint32_t fd)
{
    lx_file_t *f = lx_fd_get(p, (int32_t)fd);

    if (!f)
        return LX_ERR(LX_EBADF);
    if (f->kind != LX_FILE_INODE || LX_S_ISCHR(f->node->mode))
        return LX_ERR(LX_EINVAL);
    return 0;
}

LX_HANDLER(fsync) { return do_fsync(p, a[0]); }
LX_HANDLER(fdatasync) { return do_fsync(p, a[0]); }
LX_HANDLER(sync) { (void)p; (void)a; return 0; }

LX_HANDLER(syncfs)
{
    return lx_fd_get(p, (int32_t)a[0]) ? 0 : LX_ERR(LX_EBADF);
}

/* ------------------------------------------------------------------ */
/* flock: one lock per open file description                           */

void lx_flock_release(lx_file_t *f)
{
    if (f->kind == LX_FILE_INODE && f->flock == LX_LOCK_SH)
        f->node->flock_shared--;
    if (f->kind == LX_FILE_INODE && f->flock == LX_LOCK_EX)
        f->node->flock_excl = false;
    f->flock = 0;
}

/* Whether another description's lock stands in the way of want. */
static bool flock_conflict(const lx_file_t *f, uint32_t want)
{
    const lx_inode_t *n = f->node;
    bool excl_other = n->flock_excl && f->flock != LX_LOCK_EX;
    uint32_t shared_other = n->flock_shared - (f->flock == LX_LOCK_SH);

    return excl_other || (want == LX_LOCK_EX && shared_other);
}

/* A conversion drops the old lock before it looks for conflicts, so a
 * conversion that fails has lost it (as fs/locks.c flock_lock_inode). A
 * pipe's description has no inode to share: its lock never conflicts. */
LX_HANDLER(flock)
{
    lx_file_t *f = lx_fd_get(p, (int32_t)a[0]);
    uint32_t op = a[1] & ~(uint32_t)LX_LOCK_NB;

    if (!f)
        return LX_ERR(LX_EBADF);
    if (op != LX_LOCK_SH && op != LX_LOCK_EX && op != LX_LOCK_UN)
        return LX_ERR(LX_EINVAL);
    if (op == LX_LOCK_UN || f->kind != LX_FILE_INODE) {
        lx_flock_release(f);
        f->flock = op == LX_LOCK_UN ? 0 : op;
        return 0;
    }
    if (f->flock == op)
        return 0;
    if (op == LX_LOCK_SH && f->node->flock_shared == UINT16_MAX)
        return LX_ERR(LX_ENOLCK);   /* the count would wrap */
    if (flock_conflict(f, op)) {
        lx_flock_release(f);
        return (a[1] & LX_LOCK_NB) ? LX_ERR(LX_EAGAIN) : LX_BLOCK;
    }
    lx_flock_release(f);
    f->flock = op;
    if (op == LX_LOCK_SH)
        f->node->flock_shared++;
    else
        f->node->flock_excl = true;
    return 0;
}

/* ------------------------------------------------------------------ */
/* statfs: the file system is memory, so its figures are the guest's   */

static void fill_statfs(lx_proc_t *p, struct lx_statfs64 *s)
{
    uint32_t total, free;

    p->k->ops->mem_info(p->k->ctx, &total, &free);
    memset(s, 0, sizeof(*s));
    s->type = LX_TMPFS_MAGIC;
    s->bsize = s->frsize = LX_PAGE_SIZE;
    s->blocks = total / LX_PAGE_SIZE;
    s->bfree = s->bavail = free / LX_PAGE_SIZE;
    s->files = s->blocks;
    s->ffree = s->bfree;
    s->namelen = FS_NAMELEN;
    s->flags = LX_ST_VALID;
}

/* The path must name something (statfs follows links); the figures are
 * the same for every file of the one file system. */
static int statfs_path(lx_proc_t *p, uint32_t upath, struct lx_statfs64 *s)
{
    lx_inode_t *n;
    char *path = p->k->path[0];
    int err = lx_user_path(p, upath, path);

    if (!err && !lx_procfs_path(path))
        err = lx_fs_walk(p->k, p->cwd, path, true, &n);
    if (!err)
        fill_statfs(p, s);
    return err;
}

static int statfs_fd(lx_proc_t *p, uint32_t fd, struct lx_statfs64 *s)
{
    if (!lx_fd_get(p, (int32_t)fd))
        return LX_ERR(LX_EBADF);
    fill_statfs(p, s);
    return 0;
}

static int32_t put_statfs32(lx_proc_t *p, uint32_t ubuf, const struct lx_statfs64 *s)
{
    struct lx_statfs32 o = {
        .type = s->type, .bsize = s->bsize, .blocks = (uint32_t)s->blocks,
        .bfree = (uint32_t)s->bfree, .bavail = (uint32_t)s->bavail,
        .files = (uint32_t)s->files, .ffree = (uint32_t)s->ffree,
        .namelen = s->namelen, .frsize = s->frsize, .flags = s->flags,
    };
    return lx_user_out(p, ubuf, &o, sizeof(o));
}

LX_HANDLER(statfs)
{
    struct lx_statfs64 s;
    int err = statfs_path(p, a[0], &s);
    return err ? err : put_statfs32(p, a[1], &s);
}

LX_HANDLER(fstatfs)
{
    struct lx_statfs64 s;
    int err = statfs_fd(p, a[0], &s);
    return err ? err : put_statfs32(p, a[1], &s);
}

/* statfs64(path, size, buf): size must be i386's sizeof(struct statfs64). */
LX_HANDLER(statfs64)
{
    struct lx_statfs64 s;
    if (a[1] != sizeof(s))
        return LX_ERR(LX_EINVAL);
    int err = statfs_path(p, a[0], &s);
    return err ? err : lx_user_out(p, a[2], &s, sizeof(s));
}

LX_HANDLER(fstatfs64)
{
    struct lx_statfs64 s;
    if (a[1] != sizeof(s))
        return LX_ERR(LX_EINVAL);
    int err = statfs_fd(p, a[0], &s);
    return err ? err : lx_user_out(p, a[2], &s, sizeof(s));
}

/* ------------------------------------------------------------------ */
/* Accounting: times, getrusage                                        */

static uint64_t own_ns(const lx_proc_t *p)
{
    uint64_t now = mono(p);
    return now > p->start_ns ? now - p->start_ns : 0;
}

void lx_rusage_reaped(lx_proc_t *parent, const lx_proc_t *child)
{
    parent->child_ns += own_ns(child) + child->child_ns;
    parent->child_minflt += child->minflt + child->child_minflt;
}

static struct lx_timeval timeval_of(uint64_t ns)
{
    return (struct lx_timeval){ (int32_t)(ns / NS_PER_SEC),
                                (int32_t)(ns % NS_PER_SEC / NS_PER_USEC) };
}

/* The child's time counts only once accounting runs (k->acct): before,
 * its start is unknown and 0 says less that is wrong than its age would. */
int lx_rusage_child(lx_proc_t *p, const lx_proc_t *child, uint32_t uaddr)
{
    struct lx_rusage ru;

    memset(&ru, 0, sizeof(ru));
    if (p->k->acct)
        ru.utime = timeval_of(own_ns(child) + child->child_ns);
    ru.minflt = (int32_t)(child->minflt + child->child_minflt);
    return lx_user_out(p, uaddr, &ru, sizeof(ru));
}

static int32_t ticks(uint64_t ns)
{
    return (int32_t)(uint32_t)(ns / NS_PER_TICK);
}

/* times(buf): the ticks since boot, as Linux counts jiffies for it. */
LX_HANDLER(times)
{
    p->k->acct = true;
    struct lx_tms t = { .utime = ticks(own_ns(p)), .cutime = ticks(p->child_ns) };
    if (a[0]) {
        int err = lx_user_out(p, a[0], &t, sizeof(t));
        if (err)
            return err;
    }
    return ticks(mono(p));
}

LX_HANDLER(getrusage)
{
    struct lx_rusage ru;
    int32_t who = (int32_t)a[0];

    p->k->acct = true;
    memset(&ru, 0, sizeof(ru));
    if (who == LX_RUSAGE_SELF || who == LX_RUSAGE_THREAD) {
        ru.utime = timeval_of(own_ns(p));
        ru.minflt = (int32_t)p->minflt;
    } else if (who == LX_RUSAGE_CHILDREN) {
        ru.utime = timeval_of(p->child_ns);
        ru.minflt = (int32_t)p->child_minflt;
    } else {
        return LX_ERR(LX_EINVAL);
    }
    return lx_user_out(p, a[1], &ru, sizeof(ru));
}

/* ------------------------------------------------------------------ */
/* Scheduling: one CPU, priorities kept but without effect             */

LX_HANDLER(sched_yield) { (void)p; (void)a; return 0; }

static lx_proc_t *live(lx_proc_t *p, uint32_t pid)
{
    lx_proc_t *q = pid == 0 ? p : lx_proc_find(p->k, pid);
    return q && !q->exited ? q : NULL;
}

/* sched_getaffinity(pid, len, mask): the bytes of the mask written (a
 * long's worth); EINVAL for a length too short or not a multiple of one. */
LX_HANDLER(sched_getaffinity)
{
    uint32_t mask = (1u << NR_CPUS) - 1;

    if (a[1] * BITS_PER_BYTE < NR_CPUS || (a[1] & (sizeof(uint32_t) - 1)))
        return LX_ERR(LX_EINVAL);
    if (!live(p, a[0]))
        return LX_ERR(LX_ESRCH);
    int err = lx_user_out(p, a[2], &mask, sizeof(mask));
    return err ? err : (int32_t)sizeof(mask);
}

/* sched_setaffinity(pid, len, mask): a mask must hold the one CPU
 * (EINVAL otherwise, as for a mask of CPUs that are all offline). */
LX_HANDLER(sched_setaffinity)
{
    uint32_t mask = 0;

    if (a[1] && lx_user_in(p, &mask, a[2], a[1] < sizeof(mask) ? a[1] : sizeof(mask)))
        return LX_ERR(LX_EFAULT);
    if (!live(p, a[0]))
        return LX_ERR(LX_ESRCH);
    return (mask & ((1u << NR_CPUS) - 1)) ? 0 : LX_ERR(LX_EINVAL);
}

LX_HANDLER(getcpu)
{
    uint32_t zero = 0;
    int err = a[0] ? lx_user_out(p, a[0], &zero, sizeof(zero)) : 0;
    if (!err && a[1])
        err = lx_user_out(p, a[1], &zero, sizeof(zero));
    return err;
}

static int32_t clamp_nice(int32_t n)
{
    return n < LX_MIN_NICE ? LX_MIN_NICE : n > LX_MAX_NICE ? LX_MAX_NICE : n;
}

/* Linux's can_nice: lowering the nice value takes privilege. */
static int32_t set_nice(lx_proc_t *p, lx_proc_t *q, int32_t nice)
{
    if (p->euid != 0 && q->euid != p->euid && q->uid != p->euid)
        return LX_ERR(LX_EPERM);
    if (nice < q->nice && p->euid != 0)
        return LX_ERR(LX_EACCES);
    q->nice = nice;
    return 0;
}

LX_HANDLER(nice)
{
    int32_t inc = (int32_t)a[0];
    inc = inc < -LX_NICE_WIDTH ? -LX_NICE_WIDTH : inc > LX_NICE_WIDTH ? LX_NICE_WIDTH : inc;
    int32_t err = set_nice(p, p, clamp_nice(p->nice + inc));
    return err == LX_ERR(LX_EACCES) ? LX_ERR(LX_EPERM) : err;
}

static bool prio_match(const lx_proc_t *p, const lx_proc_t *q, uint32_t which, uint32_t who)
{
    if (q->exited)
        return false;
    switch (which) {
    case LX_PRIO_PROCESS: return q->pid == (who ? who : p->pid);
    case LX_PRIO_PGRP: return q->pgid == (who ? who : p->pgid);
    default: return q->uid == (who ? who : p->uid);
    }
}

/* getpriority: 20 - nice of the best match (the raw call's form, so
 * never negative); ESRCH if none. */
LX_HANDLER(getpriority)
{
    int32_t best = 0;

    if (a[0] > LX_PRIO_USER)
        return LX_ERR(LX_EINVAL);
    for (lx_proc_t *q = p->k->procs; q; q = q->next)
        if (prio_match(p, q, a[0], a[1]) && LX_PRIO_NICE0 - q->nice > best)
            best = LX_PRIO_NICE0 - q->nice;
    return best ? best : LX_ERR(LX_ESRCH);
}

LX_HANDLER(setpriority)
{
    int32_t err = LX_ERR(LX_ESRCH), nice = clamp_nice((int32_t)a[2]);

    if (a[0] > LX_PRIO_USER)
        return LX_ERR(LX_EINVAL);
    for (lx_proc_t *q = p->k->procs; q; q = q->next) {
        if (!prio_match(p, q, a[0], a[1]))
            continue;
        int32_t r = set_nice(p, q, nice);
        if (err == LX_ERR(LX_ESRCH) || r)
            err = r;
    }
    return err;
}

/* ------------------------------------------------------------------ */
/* prctl                                                               */

static int32_t get_name(lx_proc_t *p, uint32_t ubuf)
{
    char name[LX_TASK_COMM_LEN];

    memset(name, 0, sizeof(name));
    lx_proc_comm(p, name);
    return lx_user_out(p, ubuf, name, sizeof(name));
}

/* PR_SET_NAME takes at most 15 bytes and stops at a NUL; the name is what
 * /proc/<pid>/comm and stat show until the next execve. */
static int32_t set_name(lx_proc_t *p, uint32_t ubuf)
{
    char name[LX_TASK_COMM_LEN];
    uint32_t got = 0;

    memset(name, 0, sizeof(name));
    while (got < sizeof(name) - 1) {
        int err = lx_user_in(p, &name[got], ubuf + got, 1);
        if (err)
            return err;
        if (!name[got++])
            break;
    }
    memcpy(p->comm, name, sizeof(p->comm));
    p->comm_set = true;
    return 0;
}

LX_HANDLER(prctl)
{
    int32_t v;

    switch (a[0]) {
    case LX_PR_SET_PDEATHSIG:
        if (a[1] > LX_NSIG)
            return LX_ERR(LX_EINVAL);
        p->pdeathsig = a[1];
        return 0;
    case LX_PR_GET_PDEATHSIG:
        v = (int32_t)p->pdeathsig;
        return lx_user_out(p, a[1], &v, sizeof(v));
    case LX_PR_GET_DUMPABLE:
        return p->undumpable ? LX_SUID_DUMP_DISABLE : LX_SUID_DUMP_USER;
    case LX_PR_SET_DUMPABLE:
        if (a[1] != LX_SUID_DUMP_DISABLE && a[1] != LX_SUID_DUMP_USER)
            return LX_ERR(LX_EINVAL);
        p->undumpable = a[1] == LX_SUID_DUMP_DISABLE;
        return 0;
    case LX_PR_SET_NAME:
        return set_name(p, a[1]);
    case LX_PR_GET_NAME:
        return get_name(p, a[1]);
    default:
        return LX_ERR(LX_EINVAL);
    }
}

/* ------------------------------------------------------------------ */
/* Setting ids (kernel/sys.c): root (euid 0) sets any; others only to  */
/* ids they already hold.                                              */

static bool held(uint32_t id, uint32_t r, uint32_t e, uint32_t s)
{
    return id == r || id == e || id == s;
}

/* setresuid/setresgid's core: ids[3] (real, effective, saved; ID_NONE
 * keeps one) applied to cur[3] after the check. */
static int32_t set_three(const lx_proc_t *p, uint32_t *const cur[3], const uint32_t ids[3])
{
    for (int i = 0; i < 3; i++)
        if (ids[i] != ID_NONE && p->euid != 0 && !held(ids[i], *cur[0], *cur[1], *cur[2]))
            return LX_ERR(LX_EPERM);
    for (int i = 0; i < 3; i++)
        if (ids[i] != ID_NONE)
            *cur[i] = ids[i];
    return 0;
}

static int32_t setres(lx_proc_t *p, bool user, const uint32_t ids[3])
{
    uint32_t *const u[3] = { &p->uid, &p->euid, &p->suid };
    uint32_t *const g[3] = { &p->gid, &p->egid, &p->sgid };
    return set_three(p, user ? u : g, ids);
}

LX_HANDLER(setresuid32) { return setres(p, true, a); }
LX_HANDLER(setresgid32) { return setres(p, false, a); }

/* setreuid(r, e): r may be the real or effective id, e any of the three;
 * the saved id follows the new effective one when r is set or e differs
 * from the old real id. */
static int32_t setre(lx_proc_t *p, bool user, uint32_t r, uint32_t e)
{
    uint32_t *cur = user ? &p->uid : &p->gid, *eff = user ? &p->euid : &p->egid;
    uint32_t *saved = user ? &p->suid : &p->sgid;
    uint32_t ids[3] = { r, e, ID_NONE };

    if (p->euid != 0 && r != ID_NONE && r != *cur && r != *eff)
        return LX_ERR(LX_EPERM);
    if (r != ID_NONE || (e != ID_NONE && e != *cur))
        ids[2] = e != ID_NONE ? e : *eff;
    if (p->euid != 0 && e != ID_NONE && !held(e, *cur, *eff, *saved))
        return LX_ERR(LX_EPERM);
    uint32_t *const all[3] = { cur, eff, saved };
    for (int i = 0; i < 3; i++)
        if (ids[i] != ID_NONE)
            *all[i] = ids[i];
    return 0;
}

LX_HANDLER(setreuid32) { return setre(p, true, a[0], a[1]); }
LX_HANDLER(setregid32) { return setre(p, false, a[0], a[1]); }

/* setuid(id): root sets all three; others only the effective id, to their
 * real or saved one. */
static int32_t set_one(lx_proc_t *p, bool user, uint32_t id)
{
    uint32_t *r = user ? &p->uid : &p->gid, *e = user ? &p->euid : &p->egid;
    uint32_t *s = user ? &p->suid : &p->sgid;

    if (id == ID_NONE)
        return LX_ERR(LX_EINVAL);
    if (p->euid == 0) {
        *r = *e = *s = id;
        return 0;
    }
    if (id != *r && id != *s)
        return LX_ERR(LX_EPERM);
    *e = id;
    return 0;
}

LX_HANDLER(setuid32) { return set_one(p, true, a[0]); }
LX_HANDLER(setgid32) { return set_one(p, false, a[0]); }

LX_HANDLER(setgroups32)
{
    uint32_t groups[LX_GROUPS_MAX];

    if (p->euid != 0)
        return LX_ERR(LX_EPERM);
    if (a[0] > LX_GROUPS_MAX)
        return LX_ERR(LX_EINVAL);
    int err = lx_user_in(p, groups, a[1], a[0] * sizeof(uint32_t));
    if (err)
        return err;
    memcpy(p->groups, groups, a[0] * sizeof(uint32_t));
    p->ngroups = a[0];
    return 0;
}

LX_HANDLER(getgroups32)
{
    if ((int32_t)a[0] < 0)
        return LX_ERR(LX_EINVAL);
    if (a[0] == 0)
        return (int32_t)p->ngroups;
    if (a[0] < p->ngroups)
        return LX_ERR(LX_EINVAL);
    int err = lx_user_out(p, a[1], p->groups, p->ngroups * sizeof(uint32_t));
    return err ? err : (int32_t)p->ngroups;
}

/* ------------------------------------------------------------------ */
/* ITIMER_REAL: alarm()'s clock, with an interval                      */

static int32_t get_real(lx_proc_t *p, struct lx_itimerval *v)
{
    uint64_t now = mono(p);
    uint64_t left = p->sig.alarm_ns > now ? p->sig.alarm_ns - now : 0;

    /* A timer due but not yet seen by the guest kernel shows as about to
     * fire, never as stopped. */
    if (p->sig.alarm_ns && !left)
        left = NS_PER_USEC;
    v->value = timeval_of(left);
    v->interval = timeval_of(p->sig.alarm_interval_ns);
    return 0;
}

static int32_t check_which(uint32_t which)
{
    if (which == LX_ITIMER_REAL)
        return 0;
    return which <= LX_ITIMER_PROF ? LX_ERR(LX_ENOSYS) : LX_ERR(LX_EINVAL);
}

LX_HANDLER(getitimer)
{
    struct lx_itimerval v;
    int32_t err = check_which(a[0]);
    if (!err)
        err = get_real(p, &v);
    return err ? err : lx_user_out(p, a[1], &v, sizeof(v));
}

static bool timeval_ok(const struct lx_timeval *t)
{
    return t->tv_sec >= 0 && t->tv_usec >= 0 && t->tv_usec < (int32_t)(NS_PER_SEC / NS_PER_USEC);
}

static uint64_t ns_of(const struct lx_timeval *t)
{
    return (uint64_t)t->tv_sec * NS_PER_SEC + (uint64_t)t->tv_usec * NS_PER_USEC;
}

/* setitimer(which, new, old); a NULL new disarms (Linux accepts it). */
LX_HANDLER(setitimer)
{
    struct lx_itimerval nv = { { 0, 0 }, { 0, 0 } }, ov;
    int32_t err = check_which(a[0]);

    if (!err && a[1])
        err = lx_user_in(p, &nv, a[1], sizeof(nv));
    if (err)
        return err;
    if (!timeval_ok(&nv.value) || !timeval_ok(&nv.interval))
        return LX_ERR(LX_EINVAL);
    get_real(p, &ov);
    if (a[2] && (err = lx_user_out(p, a[2], &ov, sizeof(ov))))
        return err;
    uint64_t value = ns_of(&nv.value);
    p->sig.alarm_ns = value ? mono(p) + value : 0;
    p->sig.alarm_interval_ns = value ? ns_of(&nv.interval) : 0;
    if (value)
        p->k->sig_raised = true;    /* the guest kernel watches the clock for it */
    return 0;
}

/* ------------------------------------------------------------------ */
/* msync, mincore                                                      */

/* The region holding addr, or NULL; the heap is one, from brk_start to
 * brk's page. */
static bool mapped(const lx_proc_t *p, uint32_t addr, const lx_vma_t **out)
{
    uint32_t heap_end = (p->brk + LX_PAGE_SIZE - 1) & ~(LX_PAGE_SIZE - 1);

    *out = NULL;
    for (int i = 0; i < LX_VMA_MAX; i++) {
        const lx_vma_t *v = &p->vma[i];
        if (v->end && addr >= v->start && addr < v->end) {
            *out = v;
            return true;
        }
    }
    return addr >= p->brk_start && addr < heap_end;
}

/* Linux's checks: an aligned start, a range that does not wrap, and
 * every page of it mapped (ENOMEM for a hole). */
static int32_t range_mapped(const lx_proc_t *p, uint32_t addr, uint32_t len)
{
    const lx_vma_t *v;
    uint32_t end = (addr + len + LX_PAGE_SIZE - 1) & ~(LX_PAGE_SIZE - 1);

    if (addr & (LX_PAGE_SIZE - 1))
        return LX_ERR(LX_EINVAL);
    if (len > p->k->user_top - addr || addr > p->k->user_top || (len && end < addr))
        return LX_ERR(LX_ENOMEM);
    for (uint32_t at = addr; at < end; at += LX_PAGE_SIZE)
        if (!mapped(p, at, &v))
            return LX_ERR(LX_ENOMEM);
    return 0;
}

/* Shared file mappings write into the page cache itself: nothing to do
 * once the flags and range are right. */
LX_HANDLER(msync)
{
    uint32_t flags = a[2];

    if (a[0] & (LX_PAGE_SIZE - 1))
        return LX_ERR(LX_EINVAL);
    if (flags & ~(uint32_t)(LX_MS_ASYNC | LX_MS_INVALIDATE | LX_MS_SYNC))
        return LX_ERR(LX_EINVAL);
    if ((flags & LX_MS_ASYNC) && (flags & LX_MS_SYNC))
        return LX_ERR(LX_EINVAL);
    return range_mapped(p, a[0], a[1]);
}

/* One byte per page: a file mapping's page is resident when the page
 * cache holds it (as Linux's mincore_page); anonymous memory is all
 * resident (the guest never swaps; a page not yet touched counts too). */
static uint8_t resident(const lx_proc_t *p, uint32_t at)
{
    const lx_vma_t *v;

    if (!mapped(p, at, &v) || !v || !v->file)
        return 1;
    uint32_t i = v->pgoff + (at - v->start) / LX_PAGE_SIZE;
    return i < v->file->npages && v->file->pages[i].mem ? 1 : 0;
}

LX_HANDLER(mincore)
{
    uint8_t vec[COPY_CHUNK];
    uint32_t pages = (a[1] + LX_PAGE_SIZE - 1) / LX_PAGE_SIZE;
    int32_t err = range_mapped(p, a[0], a[1]);

    if (err)
        return err;
    if (!lx_user_range_ok(p, a[2], pages))
        return LX_ERR(LX_EFAULT);
    for (uint32_t done = 0; done < pages && !err;) {
        uint32_t n = pages - done < sizeof(vec) ? pages - done : sizeof(vec);
        for (uint32_t i = 0; i < n; i++)
            vec[i] = resident(p, a[0] + (done + i) * LX_PAGE_SIZE);
        err = lx_user_out(p, a[2] + done, vec, n);
        done += n;
    }
    return err;
}
