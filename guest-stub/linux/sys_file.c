/*
 * System calls on file descriptors: reading and writing (plain and
 * scattered), opening and closing, seeking, duplicating, pipes, fcntl,
 * terminal ioctls and directory listing.
 *
 * Data moves through a small bounce buffer on the guest kernel's stack, a
 * chunk at a time, so a transfer of any size needs no allocation; a copy
 * that faults part-way returns the bytes done so far, as Linux does, and a
 * regular file's position is only advanced by what reached the process.
 * The guest is its own root (uid 0), so permission bits are kept and
 * reported but, as for Linux's root, not enforced.
 */
#include "sys.h"
#include "linux/fcntl.h"
#include "linux/stat.h"
#include "linux/termios.h"
#include <string.h>

#define IO_CHUNK    512
#define MAX_RW      0x7ffff000u     /* Linux MAX_RW_COUNT: INT_MAX & PAGE_MASK */
#define UIO_MAXIOV  1024            /* include/uapi/linux/uio.h */

/* One chunk of a transfer between the process's bytes at uaddr and file f,
 * through buf: the bytes moved, fewer than want at the file's end, or an
 * error. */
typedef int32_t chunk_fn(lx_proc_t *p, lx_file_t *f, uint8_t *buf, uint32_t uaddr,
                         uint32_t want);

/* A transfer of len bytes at ubuf, chunk by chunk: the bytes done, or the
 * error if it failed before any. */
static int32_t transfer(lx_proc_t *p, lx_file_t *f, uint32_t ubuf, uint32_t len, chunk_fn *chunk)
{
    uint8_t buf[IO_CHUNK];
    uint32_t done = 0;
    if (len > MAX_RW)
        len = MAX_RW;
    if (!lx_user_range_ok(p, ubuf, len))
        return LX_ERR(LX_EFAULT);
    while (done < len) {
        uint32_t want = len - done < IO_CHUNK ? len - done : IO_CHUNK;
        int32_t moved = chunk(p, f, buf, ubuf + done, want);
        if (moved < 0)
            return done ? (int32_t)done : moved;
        done += (uint32_t)moved;
        if ((uint32_t)moved < want)
            break;
    }
    return (int32_t)done;
}

/* What was read but did not reach the process is read again next time. */
static int32_t read_chunk(lx_proc_t *p, lx_file_t *f, uint8_t *buf, uint32_t uaddr,
                          uint32_t want)
{
    int32_t got = lx_file_read(p, f, buf, want);
    if (got < 0)
        return got;
    int err = lx_user_out(p, uaddr, buf, (uint32_t)got);
    if (err) {
        if (f->kind == LX_FILE_INODE)
            f->pos -= (uint32_t)got;
        return err;
    }
    return got;
}

static int32_t write_chunk(lx_proc_t *p, lx_file_t *f, uint8_t *buf, uint32_t uaddr,
                           uint32_t want)
{
    int err = lx_user_in(p, buf, uaddr, want);
    if (err)
        return err;
    return lx_file_write(p, f, buf, want);
}

static int32_t read_to_user(lx_proc_t *p, lx_file_t *f, uint32_t ubuf, uint32_t len)
{
    return transfer(p, f, ubuf, len, read_chunk);
}

static int32_t write_from_user(lx_proc_t *p, lx_file_t *f, uint32_t ubuf, uint32_t len)
{
    return transfer(p, f, ubuf, len, write_chunk);
}

/* A transfer that found nothing to move blocks unless the description is
 * non-blocking: the caller is parked (LX_BLOCK) and the call repeated when
 * something changed. The console can only be woken from outside. */
static int32_t maybe_block(lx_proc_t *p, lx_file_t *f, int32_t r)
{
    if (r != LX_ERR(LX_EAGAIN) || (f->flags & LX_O_NONBLOCK))
        return r;
    if (f->kind == LX_FILE_INODE)
        p->wait_external = true;
    return LX_BLOCK;
}

LX_HANDLER(read)
{
    lx_file_t *f = lx_fd_get(p, (int32_t)a[0]);
    return f ? maybe_block(p, f, read_to_user(p, f, a[1], a[2])) : LX_ERR(LX_EBADF);
}

LX_HANDLER(write)
{
    lx_file_t *f = lx_fd_get(p, (int32_t)a[0]);
    return f ? maybe_block(p, f, write_from_user(p, f, a[1], a[2])) : LX_ERR(LX_EBADF);
}

/* readv/writev: struct iovec on i386 is { void *base; size_t len; }. */
static int32_t vector_io(lx_proc_t *p, const uint32_t *a, bool writing)
{
    lx_file_t *f = lx_fd_get(p, (int32_t)a[0]);
    uint32_t iov[2], total = 0;
    if (!f)
        return LX_ERR(LX_EBADF);
    if (a[2] > UIO_MAXIOV)
        return LX_ERR(LX_EINVAL);
    for (uint32_t i = 0; i < a[2]; i++) {
        int err = lx_user_in(p, iov, a[1] + i * sizeof(iov), sizeof(iov));
        if (err)
            return total ? (int32_t)total : err;
        if (iov[1] > MAX_RW - total)
            iov[1] = MAX_RW - total;
        int32_t r = writing ? write_from_user(p, f, iov[0], iov[1])
                            : read_to_user(p, f, iov[0], iov[1]);
        if (r < 0)
            return total ? (int32_t)total : r;
        total += (uint32_t)r;
        if ((uint32_t)r < iov[1])
            break;
    }
    return (int32_t)total;
}

LX_HANDLER(readv)
{
    lx_file_t *f = lx_fd_get(p, (int32_t)a[0]);
    return f ? maybe_block(p, f, vector_io(p, a, false)) : LX_ERR(LX_EBADF);
}

LX_HANDLER(writev)
{
    lx_file_t *f = lx_fd_get(p, (int32_t)a[0]);
    return f ? maybe_block(p, f, vector_io(p, a, true)) : LX_ERR(LX_EBADF);
}

/* pread64/pwrite64(fd, buf, count, offset low, offset high): at the
 * offset, leaving the file's position alone; only files with positions
 * (ESPIPE for pipes and the terminal). A negative offset is refused first,
 * as ksys_pread64 does. */
static int32_t positioned_io(lx_proc_t *p, const uint32_t *a, bool writing)
{
    int64_t off = (int64_t)((uint64_t)a[4] << 32 | a[3]);
    lx_file_t *f;
    if (off < 0)
        return LX_ERR(LX_EINVAL);
    if (!(f = lx_fd_get(p, (int32_t)a[0])))
        return LX_ERR(LX_EBADF);
    if (f->kind != LX_FILE_INODE || f->node->rdev == LX_DEV_TTY ||
            f->node->rdev == LX_DEV_CONSOLE)
        return LX_ERR(LX_ESPIPE);
    uint64_t saved = f->pos;
    f->pos = (uint64_t)off;
    int32_t r = writing ? write_from_user(p, f, a[1], a[2]) : read_to_user(p, f, a[1], a[2]);
    f->pos = saved;
    return r;
}

LX_HANDLER(pread64) { return positioned_io(p, a, false); }
LX_HANDLER(pwrite64) { return positioned_io(p, a, true); }

/* The directory a *at() call starts from. */
int lx_at_dir(lx_proc_t *p, int32_t dirfd, lx_inode_t **dir)
{
    if (dirfd == LX_AT_FDCWD) {
        *dir = p->cwd;
        return 0;
    }
    lx_file_t *f = lx_fd_get(p, dirfd);
    if (!f)
        return LX_ERR(LX_EBADF);
    if (f->kind != LX_FILE_INODE || !LX_S_ISDIR(f->node->mode))
        return LX_ERR(LX_ENOTDIR);
    *dir = f->node;
    return 0;
}

static int create_file(lx_proc_t *p, lx_inode_t *base, const char *path, uint32_t mode,
        lx_inode_t **out)
{
    lx_inode_t *dir;
    const char *name;
    uint32_t len;
    int err = lx_fs_parent(p->k, base, path, &dir, &name, &len);
    if (err == LX_ERR(LX_EEXIST))
        return LX_ERR(LX_EISDIR);
    if (err)
        return err;
    return lx_create_owned(p, dir, name, len, LX_S_IFREG | (mode & ~p->umask & LX_S_IALLUGO), out);
}

#define S_ISGID 02000           /* include/uapi/linux/stat.h */

int lx_create_owned(lx_proc_t *p, lx_inode_t *dir, const char *name, uint32_t len,
        uint32_t mode, lx_inode_t **out)
{
    bool sgid_dir = dir->mode & S_ISGID;
    int err = lx_fs_create(p->k, dir, name, len, mode, out);
    if (err)
        return err;
    (*out)->uid = p->euid;
    (*out)->gid = sgid_dir ? dir->gid : p->egid;
    if (sgid_dir && LX_S_ISDIR(mode))
        (*out)->mode |= S_ISGID;
    return 0;
}

/* Finds or creates what open() names and checks the flags against it. */
static int open_node(lx_proc_t *p, lx_inode_t *base, const char *path, uint32_t flags,
        uint32_t mode, lx_inode_t **out)
{
    bool follow = !(flags & LX_O_NOFOLLOW);
    if (lx_procfs_path(path))
        return lx_procfs_open(p, path, flags, out);
    int err = lx_fs_walk(p->k, base, path, follow, out);
    if (err == LX_ERR(LX_ENOENT) && (flags & LX_O_CREAT))
        return create_file(p, base, path, mode, out);
    if (err)
        return err;
    if ((flags & LX_O_CREAT) && (flags & LX_O_EXCL))
        return LX_ERR(LX_EEXIST);
    if (LX_S_ISLNK((*out)->mode) && !(flags & LX_O_PATH))
        return LX_ERR(LX_ELOOP);
    if ((flags & LX_O_DIRECTORY) && !LX_S_ISDIR((*out)->mode))
        return LX_ERR(LX_ENOTDIR);
    if (LX_S_ISDIR((*out)->mode) && (flags & LX_O_ACCMODE) != LX_O_RDONLY)
        return LX_ERR(LX_EISDIR);
    /* A file a live process runs cannot be opened for writing (Linux:
     * get_write_access in do_dentry_open, before any truncation). */
    if (LX_S_ISREG((*out)->mode) && (flags & LX_O_ACCMODE) != LX_O_RDONLY && (*out)->runners)
        return LX_ERR(LX_ETXTBSY);
    if (LX_S_ISREG((*out)->mode) && (flags & LX_O_TRUNC) &&
            (flags & LX_O_ACCMODE) != LX_O_RDONLY)
        return lx_fs_set_size(p->k, *out, 0);
    return 0;
}

/* An end of a FIFO's pipe, made at its first open (the pipe holds the
 * inode). O_RDWR, which Linux allows as both ends at once, is not kept;
 * a non-blocking writer with no reader is ENXIO, as Linux's fifo_open. */
static int32_t open_fifo(lx_proc_t *p, lx_inode_t *node, uint32_t flags)
{
    uint32_t acc = flags & LX_O_ACCMODE;
    lx_pipe_t *pp = node->fifo;
    bool reader = acc == LX_O_RDONLY;

    if (acc == LX_O_RDWR)
        return LX_ERR(LX_ENXIO);
    if (!reader && (flags & LX_O_NONBLOCK) && (!pp || !pp->readers))
        return LX_ERR(LX_ENXIO);
    if (pp && (reader ? pp->readers : pp->writers) == UINT16_MAX)
        return LX_ERR(LX_ENFILE);   /* the end's count would wrap */
    lx_file_t *f = lx_file_new(p->k, reader ? LX_FILE_PIPE_READ : LX_FILE_PIPE_WRITE,
                               flags & ~(uint32_t)(LX_O_CREAT | LX_O_EXCL | LX_O_TRUNC));
    if (!f)
        return LX_ERR(LX_ENOMEM);
    if (!pp && !(pp = lx_alloc(p->k, sizeof(*pp)))) {
        lx_free(p->k, f, sizeof(*f));
        return LX_ERR(LX_ENOMEM);
    }
    if (!node->fifo) {
        pp->node = node;
        node->fifo = pp;
        node->opens++;
    }
    /* With the other end open now, Linux's open would not wait: the end
     * is paired at once (a count it can never equal again; counts only
     * grow). */
    f->pipe = pp;
    if (reader) {
        pp->readers++;
        pp->r_counter++;
        f->fifo_seen = pp->w_counter - (pp->writers ? 1 : 0);
    } else {
        pp->writers++;
        pp->w_counter++;
        f->fifo_seen = pp->r_counter - (pp->readers ? 1 : 0);
    }
    int fd = lx_fd_install(p, f, 0, flags & LX_O_CLOEXEC);
    if (fd < 0)
        lx_file_put(p->k, f);
    return fd;
}

static int32_t do_open(lx_proc_t *p, int32_t dirfd, uint32_t upath, uint32_t flags,
        uint32_t mode)
{
    char *path = p->k->path[0];
    lx_inode_t *base, *node;
    int err = lx_user_path(p, upath, path);
    if (!err)
        err = lx_at_dir(p, dirfd, &base);
    if (!err)
        err = open_node(p, base, path, flags, mode, &node);
    if (err)
        return err;
    if ((node->mode & LX_S_IFMT) == LX_S_IFIFO && !(flags & LX_O_PATH))
        return open_fifo(p, node, flags);
    lx_file_t *f = lx_file_new(p->k, LX_FILE_INODE, flags);
    if (!f)
        return LX_ERR(LX_ENOMEM);
    f->node = node;
    node->opens++;
    if (lx_file_writes(f))
        node->writers++;
    int fd = lx_fd_install(p, f, 0, flags & LX_O_CLOEXEC);
    if (fd < 0)
        lx_file_put(p->k, f);
    return fd;
}

LX_HANDLER(open) { return do_open(p, LX_AT_FDCWD, a[0], a[1], a[2]); }
LX_HANDLER(openat) { return do_open(p, (int32_t)a[0], a[1], a[2], a[3]); }

LX_HANDLER(close)
{
    lx_file_t *f = lx_fd_get(p, (int32_t)a[0]);
    if (!f)
        return LX_ERR(LX_EBADF);
    p->fd[a[0]] = NULL;
    lx_file_put(p->k, f);
    return 0;
}

/* New position for lseek/_llseek, or -error. */
static int64_t seek(lx_file_t *f, int64_t off, uint32_t whence)
{
    if (f->kind != LX_FILE_INODE)
        return LX_ERR(LX_ESPIPE);
    lx_inode_t *n = f->node;
    if (n->rdev == LX_DEV_TTY || n->rdev == LX_DEV_CONSOLE)
        return LX_ERR(LX_ESPIPE);
    int64_t base;
    switch (whence) {
    case LX_SEEK_SET: base = 0; break;
    case LX_SEEK_CUR: base = (int64_t)f->pos; break;
    case LX_SEEK_END: base = LX_S_ISREG(n->mode) ? n->size : 0; break;
    default: return LX_ERR(LX_EINVAL);
    }
    if (base + off < 0)
        return LX_ERR(LX_EINVAL);
    f->pos = (uint64_t)(base + off);
    return base + off;
}

LX_HANDLER(lseek)
{
    lx_file_t *f = lx_fd_get(p, (int32_t)a[0]);
    if (!f)
        return LX_ERR(LX_EBADF);
    uint64_t old = f->pos;
    int64_t r = seek(f, (int32_t)a[1], a[2]);
    if (r > 0x7fffffff) {
        f->pos = old;
        return LX_ERR(LX_EOVERFLOW);
    }
    return (int32_t)r;
}

/* _llseek(fd, offset_high, offset_low, loff_t *result, whence) */
LX_HANDLER(llseek)
{
    lx_file_t *f = lx_fd_get(p, (int32_t)a[0]);
    if (!f)
        return LX_ERR(LX_EBADF);
    uint64_t old = f->pos;
    int64_t r = seek(f, (int64_t)((uint64_t)a[1] << 32 | a[2]), a[4]);
    if (r < 0)
        return (int32_t)r;
    int err = lx_user_out(p, a[3], &r, sizeof(r));
    if (err)
        f->pos = old;
    return err;
}

LX_HANDLER(dup)
{
    lx_file_t *f = lx_fd_get(p, (int32_t)a[0]);
    if (!f)
        return LX_ERR(LX_EBADF);
    int fd = lx_fd_install(p, f, 0, false);
    if (fd >= 0)
        f->refs++;
    return fd;
}

static int32_t dup_to(lx_proc_t *p, uint32_t old, uint32_t new, bool cloexec)
{
    lx_file_t *f = lx_fd_get(p, (int32_t)old);
    if (!f)
        return LX_ERR(LX_EBADF);
    if (new >= LX_FD_MAX)
        return LX_ERR(LX_EBADF);
    f->refs++;
    if (p->fd[new])
        lx_file_put(p->k, p->fd[new]);
    p->fd[new] = f;
    lx_fd_set_cloexec(p, new, cloexec);
    return (int32_t)new;
}

LX_HANDLER(dup2)
{
    if (a[0] == a[1])
        return lx_fd_get(p, (int32_t)a[0]) ? (int32_t)a[1] : LX_ERR(LX_EBADF);
    return dup_to(p, a[0], a[1], false);
}

LX_HANDLER(dup3)
{
    if (a[0] == a[1] || (a[2] & ~(uint32_t)LX_O_CLOEXEC))
        return LX_ERR(LX_EINVAL);
    return dup_to(p, a[0], a[1], a[2] & LX_O_CLOEXEC);
}

static int32_t make_pipe(lx_proc_t *p, uint32_t ufds, uint32_t flags)
{
    if (flags & ~(uint32_t)(LX_O_CLOEXEC | LX_O_NONBLOCK))
        return LX_ERR(LX_EINVAL);
    lx_pipe_t *pp = lx_alloc(p->k, sizeof(*pp));
    lx_file_t *r = lx_file_new(p->k, LX_FILE_PIPE_READ, LX_O_RDONLY | flags);
    lx_file_t *w = lx_file_new(p->k, LX_FILE_PIPE_WRITE, LX_O_WRONLY | flags);
    int32_t fds[2] = { LX_ERR(LX_EMFILE), LX_ERR(LX_EMFILE) };
    if (pp && r && w) {
        r->pipe = w->pipe = pp;
        pp->readers = pp->writers = 1;
        fds[0] = lx_fd_install(p, r, 0, flags & LX_O_CLOEXEC);
        if (fds[0] >= 0)
            fds[1] = lx_fd_install(p, w, 0, flags & LX_O_CLOEXEC);
    }
    int err = (!pp || !r || !w) ? LX_ERR(LX_ENOMEM) : fds[1] < 0 ? fds[1] : 0;
    if (!err)
        err = lx_user_out(p, ufds, fds, sizeof(fds));
    if (!err)
        return 0;
    if (fds[0] >= 0)
        p->fd[fds[0]] = NULL;
    if (fds[1] >= 0)
        p->fd[fds[1]] = NULL;
    if (r && w) {
        lx_file_put(p->k, r);   /* the second put frees the pipe */
        lx_file_put(p->k, w);
    } else {
        if (r) lx_free(p->k, r, sizeof(*r));
        if (w) lx_free(p->k, w, sizeof(*w));
        if (pp) lx_free(p->k, pp, sizeof(*pp));
    }
    return err;
}

LX_HANDLER(pipe) { return make_pipe(p, a[0], 0); }
LX_HANDLER(pipe2) { return make_pipe(p, a[0], a[1]); }

LX_HANDLER(fcntl64)
{
    lx_file_t *f = lx_fd_get(p, (int32_t)a[0]);
    const uint32_t settable = LX_O_APPEND | LX_O_NONBLOCK;
    if (!f)
        return LX_ERR(LX_EBADF);
    switch (a[1]) {
    case LX_F_DUPFD:
    case LX_F_DUPFD_CLOEXEC: {
        if (a[2] >= LX_FD_MAX)
            return LX_ERR(LX_EINVAL);
        int fd = lx_fd_install(p, f, a[2], a[1] == LX_F_DUPFD_CLOEXEC);
        if (fd >= 0)
            f->refs++;
        return fd;
    }
    case LX_F_GETFD:
        return lx_fd_cloexec(p, a[0]) ? LX_FD_CLOEXEC : 0;
    case LX_F_SETFD:
        lx_fd_set_cloexec(p, a[0], a[2] & LX_FD_CLOEXEC);
        return 0;
    case LX_F_GETFL:
        return (int32_t)(f->flags | LX_O_LARGEFILE);
    case LX_F_SETFL:
        f->flags = (f->flags & ~settable) | (a[2] & settable);
        return 0;
    default:
        return LX_ERR(LX_EINVAL);
    }
}

LX_HANDLER(ioctl)
{
    lx_file_t *f = lx_fd_get(p, (int32_t)a[0]);
    if (!f)
        return LX_ERR(LX_EBADF);
    if (f->kind != LX_FILE_INODE ||
            (f->node->rdev != LX_DEV_TTY && f->node->rdev != LX_DEV_CONSOLE))
        return LX_ERR(LX_ENOTTY);
    return lx_tty_ioctl(p, a[1], a[2]);
}

/* Entry number pos of a directory listing: ".", "..", then the entries. */
static bool dir_entry(lx_inode_t *dir, uint64_t pos, const char **name, uint32_t *len,
        lx_inode_t **node)
{
    if (pos < 2) {
        *name = "..";
        *len = (uint32_t)pos + 1;
        *node = pos ? dir->parent : dir;
        return true;
    }
    lx_dirent_t *e = dir->entries;
    for (uint64_t i = 2; e && i < pos; i++)
        e = e->next;
    if (!e)
        return false;
    *name = e->name;
    *len = e->len;
    *node = e->node;
    return true;
}

static int32_t put_dirent(lx_proc_t *p, uint32_t uaddr, uint32_t room, uint64_t next,
        const char *name, uint32_t len, const lx_inode_t *node)
{
    uint8_t buf[sizeof(struct lx_dirent64) + LX_NAME_MAX + 1 + 8];
    struct lx_dirent64 *d = (struct lx_dirent64 *)buf;
    uint32_t reclen = (uint32_t)(sizeof(*d) + len + 1 + 7) & ~7u;
    if (reclen > room)
        return 0;
    memset(buf, 0, reclen);
    d->d_ino = node->ino;
    d->d_off = (int64_t)next;
    d->d_reclen = (uint16_t)reclen;
    d->d_type = (uint8_t)((node->mode & LX_S_IFMT) >> 12);
    memcpy(d->d_name, name, len);
    int err = lx_user_out(p, uaddr, buf, reclen);
    return err ? err : (int32_t)reclen;
}

LX_HANDLER(getdents64)
{
    lx_file_t *f = lx_fd_get(p, (int32_t)a[0]);
    const char *name;
    uint32_t len, done = 0;
    lx_inode_t *node;
    if (!f)
        return LX_ERR(LX_EBADF);
    if (f->kind != LX_FILE_INODE || !LX_S_ISDIR(f->node->mode))
        return LX_ERR(LX_ENOTDIR);
    if (!lx_user_range_ok(p, a[1], a[2]))
        return LX_ERR(LX_EFAULT);
    while (dir_entry(f->node, f->pos, &name, &len, &node)) {
        int32_t r = put_dirent(p, a[1] + done, a[2] - done, f->pos + 1, name, len, node);
        if (r < 0)
            return done ? (int32_t)done : r;
        if (r == 0)
            return done ? (int32_t)done : LX_ERR(LX_EINVAL);
        done += (uint32_t)r;
        f->pos++;
    }
    return (int32_t)done;
}
