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

/* madvise(addr, len, advice): advice only; the address must be aligned. */
LX_HANDLER(madvise)
{
    (void)p;
    return (a[0] & (LX_PAGE_SIZE - 1)) ? LX_ERR(LX_EINVAL) : 0;
}
