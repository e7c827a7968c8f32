/*
 * System calls that change what stat reports about an existing file: its
 * permission bits (chmod, fchmod, fchmodat), its length (truncate,
 * ftruncate and their 64-bit forms) and its modification time
 * (utimensat). Plus madvise, which only advises and which we may ignore.
 *
 * On i386 a 64-bit length travels in two registers, low word first
 * (truncate64(path, low, high)). The file system keeps one time per inode,
 * the modification time, so utimensat's access time is accepted and
 * dropped; UTIME_NOW and UTIME_OMIT mean what they mean on Linux.
 */
#include "sys.h"
#include "linux/fcntl.h"
#include "linux/stat.h"
#include "linux/misc.h"
#include "linux/mman.h"
#include <string.h>

#define UTIME_NOW   ((1 << 30) - 1)     /* include/uapi/linux/stat.h */
#define UTIME_OMIT  ((1 << 30) - 2)     /* include/uapi/linux/stat.h */
#define NS_PER_SEC  1000000000ull

/* The inode a path names, relative to dirfd. */
static int inode_at(lx_proc_t *p, int32_t dirfd, uint32_t upath, bool follow, lx_inode_t **out)
{
    lx_inode_t *base;
    char *path = p->k->path[0];
    int err = lx_user_path(p, upath, path);
    if (!err)
        err = lx_at_dir(p, dirfd, &base);
    if (!err)
        err = lx_fs_walk(p->k, base, path, follow, out);
    return err;
}

/* As inode_at with *at() flags: AT_SYMLINK_NOFOLLOW, and AT_EMPTY_PATH
 * for an empty path meaning dirfd's own file. */
static int node_at(lx_proc_t *p, int32_t dirfd, uint32_t upath, uint32_t flags,
        lx_inode_t **out)
{
    char *path = p->k->path[0];
    int err = lx_user_path(p, upath, path);
    if (err || path[0] || !(flags & LX_AT_EMPTY_PATH))
        return err ? err : inode_at(p, dirfd, upath, !(flags & LX_AT_SYMLINK_NOFOLLOW), out);
    if (dirfd == LX_AT_FDCWD) {
        *out = p->cwd;
        return 0;
    }
    lx_file_t *f = lx_fd_get(p, dirfd);
    if (!f)
        return LX_ERR(LX_EBADF);
    if (f->kind != LX_FILE_INODE)
        return LX_ERR(LX_EINVAL);
    *out = f->node;
    return 0;
}

static int32_t set_mode(lx_inode_t *n, uint32_t mode)
{
    n->mode = (n->mode & LX_S_IFMT) | (mode & LX_S_IALLUGO);
    return 0;
}

LX_HANDLER(chmod)
{
    lx_inode_t *n;
    int err = inode_at(p, LX_AT_FDCWD, a[0], true, &n);
    return err ? err : set_mode(n, a[1]);
}

LX_HANDLER(fchmodat)
{
    lx_inode_t *n;
    int err = inode_at(p, (int32_t)a[0], a[1], true, &n);
    return err ? err : set_mode(n, a[2]);
}

LX_HANDLER(fchmod)
{
    lx_file_t *f = lx_fd_get(p, (int32_t)a[0]);
    if (!f)
        return LX_ERR(LX_EBADF);
    return f->kind == LX_FILE_INODE ? set_mode(f->node, a[1]) : 0;
}

static int32_t set_length(lx_proc_t *p, lx_inode_t *n, int64_t len)
{
    if (len < 0)
        return LX_ERR(LX_EINVAL);
    if (LX_S_ISDIR(n->mode))
        return LX_ERR(LX_EISDIR);
    if (!LX_S_ISREG(n->mode))
        return LX_ERR(LX_EINVAL);
    if (len > 0xffffffffll)
        return LX_ERR(LX_EFBIG);
    return lx_fs_set_size(p->k, n, (uint32_t)len);
}

static int32_t truncate_path(lx_proc_t *p, uint32_t upath, int64_t len)
{
    lx_inode_t *n;
    if (len < 0)
        return LX_ERR(LX_EINVAL);
    int err = inode_at(p, LX_AT_FDCWD, upath, true, &n);
    if (err)
        return err;
    /* Linux's vfs_truncate takes write access: refused while a process
     * runs the file. */
    if (LX_S_ISREG(n->mode) && n->runners)
        return LX_ERR(LX_ETXTBSY);
    return set_length(p, n, len);
}

/* Linux: ftruncate needs a regular file open for writing, else EINVAL. */
static int32_t truncate_fd(lx_proc_t *p, uint32_t fd, int64_t len)
{
    lx_file_t *f = lx_fd_get(p, (int32_t)fd);
    if (len < 0)
        return LX_ERR(LX_EINVAL);
    if (!f)
        return LX_ERR(LX_EBADF);
    if (f->kind != LX_FILE_INODE || (f->flags & LX_O_ACCMODE) == LX_O_RDONLY)
        return LX_ERR(LX_EINVAL);
    return set_length(p, f->node, len);
}

static int64_t len64(uint32_t lo, uint32_t hi)
{
    return (int64_t)((uint64_t)hi << 32 | lo);
}

LX_HANDLER(truncate) { return truncate_path(p, a[0], (int32_t)a[1]); }
LX_HANDLER(ftruncate) { return truncate_fd(p, a[0], (int32_t)a[1]); }
LX_HANDLER(truncate64) { return truncate_path(p, a[0], len64(a[1], a[2])); }
LX_HANDLER(ftruncate64) { return truncate_fd(p, a[0], len64(a[1], a[2])); }

/* The new modification time from utimensat's times[1], or -1 to omit. */
static int64_t new_mtime(lx_proc_t *p, uint32_t utimes, int *err)
{
    struct lx_timespec32 ts[2];
    *err = 0;
    if (!utimes)
        return (int64_t)(p->k->ops->now_ns(p->k->ctx, LX_CLOCK_REALTIME) / NS_PER_SEC);
    *err = lx_user_in(p, ts, utimes, sizeof(ts));
    if (*err)
        return -1;
    for (int i = 0; i < 2; i++) {
        int32_t ns = ts[i].tv_nsec;
        if (ns != UTIME_NOW && ns != UTIME_OMIT && (ns < 0 || ns >= (int32_t)NS_PER_SEC))
            *err = LX_ERR(LX_EINVAL);
    }
    if (ts[1].tv_nsec == UTIME_OMIT)
        return -1;
    if (ts[1].tv_nsec == UTIME_NOW)
        return (int64_t)(p->k->ops->now_ns(p->k->ctx, LX_CLOCK_REALTIME) / NS_PER_SEC);
    return (uint32_t)ts[1].tv_sec;
}

/* utimensat(dirfd, path, times[2], flags); a NULL path means dirfd itself
 * (futimens). */
LX_HANDLER(utimensat)
{
    lx_inode_t *n;
    int err;
    if (a[3] & ~(uint32_t)LX_AT_SYMLINK_NOFOLLOW)
        return LX_ERR(LX_EINVAL);
    int64_t t = new_mtime(p, a[2], &err);
    if (err)
        return err;
    if (a[1]) {
        err = inode_at(p, (int32_t)a[0], a[1], !(a[3] & LX_AT_SYMLINK_NOFOLLOW), &n);
        if (err)
            return err;
    } else {
        lx_file_t *f = lx_fd_get(p, (int32_t)a[0]);
        if (!f || f->kind != LX_FILE_INODE)
            return LX_ERR(LX_EBADF);
        n = f->node;
    }
    if (t >= 0)
        n->mtime = (uint32_t)t;
    return 0;
}

/* fchmodat2(dirfd, path, mode, flags): fchmodat with flags. A symbolic
 * link's mode cannot be changed (EOPNOTSUPP, as Linux 6.6 answers). */
LX_HANDLER(fchmodat2)
{
    lx_inode_t *n;
    if (a[3] & ~(uint32_t)(LX_AT_SYMLINK_NOFOLLOW | LX_AT_EMPTY_PATH))
        return LX_ERR(LX_EINVAL);
    int err = node_at(p, (int32_t)a[0], a[1], a[3], &n);
    if (err)
        return err;
    if (LX_S_ISLNK(n->mode))
        return LX_ERR(LX_EOPNOTSUPP);
    return set_mode(n, a[2]);
}

/* ------------------------------------------------------------------ */
/* Owners (fs/open.c chown_common)                                     */

#define ID_KEEP     0xffffffffu     /* (uid_t)-1: leave the field as it is */
#define ID16_KEEP   0xffffu         /* the 16-bit calls' -1 */
#define USEC_PER_SEC 1000000u
#define S_ISUID     04000           /* include/uapi/linux/stat.h */
#define S_ISGID     02000           /* include/uapi/linux/stat.h */
#define S_IXGRP     00010           /* include/uapi/linux/stat.h */

static bool in_groups(const lx_proc_t *p, uint32_t gid)
{
    if (gid == p->egid)
        return true;
    for (uint32_t i = 0; i < p->ngroups; i++)
        if (p->groups[i] == gid)
            return true;
    return false;
}

/* Root gives any file to anyone; another owner may only change the group,
 * to one of its own. A file that is not a directory loses set-user-id, and
 * set-group-id where it is group-executable, as Linux's notify_change. */
static int32_t set_owner(lx_proc_t *p, lx_inode_t *n, uint32_t uid, uint32_t gid)
{
    if (p->euid != 0) {
        if (uid != ID_KEEP && uid != n->uid)
            return LX_ERR(LX_EPERM);
        if (gid != ID_KEEP && gid != n->gid && (n->uid != p->euid || !in_groups(p, gid)))
            return LX_ERR(LX_EPERM);
        if ((uid != ID_KEEP || gid != ID_KEEP) && n->uid != p->euid)
            return LX_ERR(LX_EPERM);
    }
    if (uid != ID_KEEP)
        n->uid = uid;
    if (gid != ID_KEEP)
        n->gid = gid;
    if (!LX_S_ISDIR(n->mode)) {
        n->mode &= ~(uint32_t)S_ISUID;
        if ((n->mode & (S_ISGID | S_IXGRP)) == (S_ISGID | S_IXGRP))
            n->mode &= ~(uint32_t)S_ISGID;
    }
    return 0;
}

static uint32_t id16(uint32_t id)
{
    return (id & ID16_KEEP) == ID16_KEEP ? ID_KEEP : id & ID16_KEEP;
}

static int32_t chown_path(lx_proc_t *p, int32_t dirfd, uint32_t upath, uint32_t flags,
        uint32_t uid, uint32_t gid)
{
    lx_inode_t *n;
    int err = node_at(p, dirfd, upath, flags, &n);
    return err ? err : set_owner(p, n, uid, gid);
}

/* A pipe has an owner on Linux too, but nobody asks after it here. */
static int32_t chown_fd(lx_proc_t *p, uint32_t fd, uint32_t uid, uint32_t gid)
{
    lx_file_t *f = lx_fd_get(p, (int32_t)fd);
    if (!f)
        return LX_ERR(LX_EBADF);
    return f->kind == LX_FILE_INODE ? set_owner(p, f->node, uid, gid) : 0;
}

LX_HANDLER(chown32) { return chown_path(p, LX_AT_FDCWD, a[0], 0, a[1], a[2]); }
LX_HANDLER(lchown32)
{
    return chown_path(p, LX_AT_FDCWD, a[0], LX_AT_SYMLINK_NOFOLLOW, a[1], a[2]);
}
LX_HANDLER(fchown32) { return chown_fd(p, a[0], a[1], a[2]); }
LX_HANDLER(chown) { return chown_path(p, LX_AT_FDCWD, a[0], 0, id16(a[1]), id16(a[2])); }
LX_HANDLER(lchown)
{
    return chown_path(p, LX_AT_FDCWD, a[0], LX_AT_SYMLINK_NOFOLLOW, id16(a[1]), id16(a[2]));
}
LX_HANDLER(fchown) { return chown_fd(p, a[0], id16(a[1]), id16(a[2])); }

LX_HANDLER(fchownat)
{
    if (a[4] & ~(uint32_t)(LX_AT_SYMLINK_NOFOLLOW | LX_AT_EMPTY_PATH))
        return LX_ERR(LX_EINVAL);
    return chown_path(p, (int32_t)a[0], a[1], a[4], a[2], a[3]);
}

/* ------------------------------------------------------------------ */
/* The older time setters: utime (seconds), utimes and futimesat       */
/* (timevals); NULL times means now.                                   */

static int32_t set_mtime_path(lx_proc_t *p, int32_t dirfd, uint32_t upath, int64_t t)
{
    lx_inode_t *n;
    int err = node_at(p, dirfd, upath, 0, &n);
    if (err)
        return err;
    n->mtime = (uint32_t)t;
    return 0;
}

static int64_t now_sec(lx_proc_t *p)
{
    return (int64_t)(p->k->ops->now_ns(p->k->ctx, LX_CLOCK_REALTIME) / NS_PER_SEC);
}

/* utime(path, struct utimbuf { time_t actime, modtime; } *). */
LX_HANDLER(utime)
{
    int32_t tb[2];
    if (a[1]) {
        int err = lx_user_in(p, tb, a[1], sizeof(tb));
        if (err)
            return err;
    }
    return set_mtime_path(p, LX_AT_FDCWD, a[0], a[1] ? (uint32_t)tb[1] : now_sec(p));
}

/* times[2] of timevals; a microsecond count outside 0 .. 999999 is EINVAL. */
static int32_t timevals(lx_proc_t *p, int32_t dirfd, uint32_t upath, uint32_t utv)
{
    struct lx_timeval tv[2];
    if (utv) {
        int err = lx_user_in(p, tv, utv, sizeof(tv));
        if (err)
            return err;
        for (int i = 0; i < 2; i++)
            if (tv[i].tv_usec < 0 || tv[i].tv_usec >= (int32_t)USEC_PER_SEC)
                return LX_ERR(LX_EINVAL);
    }
    return set_mtime_path(p, dirfd, upath, utv ? (uint32_t)tv[1].tv_sec : now_sec(p));
}

LX_HANDLER(utimes) { return timevals(p, LX_AT_FDCWD, a[0], a[1]); }
LX_HANDLER(futimesat) { return timevals(p, (int32_t)a[0], a[1], a[2]); }

/* madvise(addr, len, advice): advice only; the address must be aligned. */
LX_HANDLER(madvise)
{
    (void)p;
    return (a[0] & (LX_PAGE_SIZE - 1)) ? LX_ERR(LX_EINVAL) : 0;
}
