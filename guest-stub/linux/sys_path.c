/*
 * System calls on path names: stat and its kin, making and removing names
 * (mkdir, rmdir, unlink, rename, link, symlink, readlink), the current
 * directory (chdir, fchdir, getcwd), access and umask.
 *
 * Each old-style call (stat64, mkdir, ...) is its *at() form with AT_FDCWD,
 * so there is one implementation of each. A path is copied in from the
 * process into the personality's scratch buffers (k->path; the guest kernel
 * runs one system call at a time) and then resolved by fs.c. Errors follow
 * Linux's order: a bad pointer before a missing file, a missing directory
 * before a missing name.
 */
#include "sys.h"
#include "linux/fcntl.h"
#include "linux/stat.h"
#include "linux/misc.h"
#include <string.h>

#define LX_BLKSIZE  4096u
#define LX_DIR_SIZE 4096u       /* st_size reported for directories */

/* Copies user path number i (0 or 1) into the scratch buffer. */
static int get_path(lx_proc_t *p, uint32_t upath, int i, char **out)
{
    *out = p->k->path[i];
    return lx_user_path(p, upath, *out);
}

static void fill_stat(const lx_inode_t *n, struct lx_stat64 *st)
{
    memset(st, 0, sizeof(*st));
    st->st_dev = LX_FS_DEV;
    st->st_ino = st->st_ino_32 = n->ino;
    st->st_mode = n->mode;
    st->st_nlink = n->nlink;
    st->st_uid = n->uid;
    st->st_gid = n->gid;
    st->st_rdev = n->rdev;
    st->st_size = LX_S_ISDIR(n->mode) ? LX_DIR_SIZE : LX_S_ISCHR(n->mode) ? 0 : n->size;
    st->st_blksize = LX_BLKSIZE;
    st->st_blocks = ((uint64_t)st->st_size + LX_BLKSIZE - 1) / LX_BLKSIZE * (LX_BLKSIZE / 512);
    st->st_atime_sec = st->st_mtime_sec = st->st_ctime_sec = n->mtime;
}

/* What fstat reports for a pipe, which has no inode in the file system. */
static void pipe_inode(const lx_file_t *f, lx_inode_t *n)
{
    if (f->pipe->node) {        /* a FIFO's: its inode's, with the bytes in the pipe */
        *n = *f->pipe->node;
        n->size = f->pipe->count;
        return;
    }
    *n = (lx_inode_t){ .mode = LX_S_IFIFO | 0600, .nlink = 1, .size = f->pipe->count };
}

/* A /proc link (exe, cwd, fd/<n>): the link itself, or with follow what it
 * names if that is in the file system (a pipe's link stays a link). */
static int proc_link_stat(lx_proc_t *p, const char *path, bool follow, lx_inode_t *tmp,
        lx_inode_t **out)
{
    char *target = p->k->path[1];
    int len = lx_procfs_readlink(p, path, target, LX_PATH_MAX);
    if (len < 0)
        return len;
    if (follow && target[0] == '/' && lx_fs_walk(p->k, p->k->root, target, true, out) == 0)
        return 0;
    *tmp = (lx_inode_t){ .ino = p->k->next_ino, .mode = LX_S_IFLNK | 0700, .nlink = 1,
                         .size = (uint32_t)len, .parent = tmp };
    *out = tmp;
    return 0;
}

/* A /proc file or directory is described by a snapshot of it, copied into
 * *tmp and freed at once; its files' size is 0, as Linux's. */
static int proc_stat(lx_proc_t *p, const char *path, bool follow, lx_inode_t *tmp,
        lx_inode_t **out)
{
    lx_inode_t *n;
    int err = lx_procfs_open(p, path, LX_O_RDONLY, &n);
    if (err == LX_ERR(LX_ENOENT))
        return proc_link_stat(p, path, follow, tmp, out);
    if (err)
        return err;
    *tmp = *n;
    tmp->entries = NULL;
    tmp->data = NULL;
    tmp->pages = NULL;
    tmp->npages = 0;
    tmp->size = 0;
    lx_fs_put(p->k, n);
    *out = tmp;
    return 0;
}

/* The inode a stat-family call describes: a path relative to dirfd, or with
 * AT_EMPTY_PATH and an empty path the descriptor itself (a pipe's is
 * synthesised into *tmp). */
static int stat_target(lx_proc_t *p, int32_t dirfd, uint32_t upath, uint32_t flags,
        lx_inode_t *tmp, lx_inode_t **out)
{
    lx_inode_t *base;
    char *path;
    int err = get_path(p, upath, 0, &path);
    if (!err && path[0] == '\0' && (flags & LX_AT_EMPTY_PATH) && dirfd != LX_AT_FDCWD) {
        lx_file_t *f = lx_fd_get(p, dirfd);
        if (!f)
            return LX_ERR(LX_EBADF);
        if (f->kind != LX_FILE_INODE)
            pipe_inode(f, tmp);
        *out = f->kind == LX_FILE_INODE ? f->node : tmp;
        return 0;
    }
    if (!err && lx_procfs_path(path))
        return proc_stat(p, path, !(flags & LX_AT_SYMLINK_NOFOLLOW), tmp, out);
    if (!err)
        err = lx_at_dir(p, dirfd, &base);
    if (!err)
        err = lx_fs_walk(p->k, base, path, !(flags & LX_AT_SYMLINK_NOFOLLOW), out);
    return err;
}

static int32_t stat_at(lx_proc_t *p, int32_t dirfd, uint32_t upath, uint32_t ubuf,
        uint32_t flags)
{
    lx_inode_t *n, tmp;
    struct lx_stat64 st;
    if (flags & ~(uint32_t)(LX_AT_SYMLINK_NOFOLLOW | LX_AT_EMPTY_PATH | LX_AT_NO_AUTOMOUNT))
        return LX_ERR(LX_EINVAL);
    int err = stat_target(p, dirfd, upath, flags, &tmp, &n);
    if (err)
        return err;
    fill_stat(n, &st);
    return lx_user_out(p, ubuf, &st, sizeof(st));
}

/* statx(dirfd, path, flags, mask, buf): every basic field, whatever the
 * mask asks (allowed: the mask says what was filled); no birth time. */
LX_HANDLER(statx)
{
    const uint32_t ok = LX_AT_SYMLINK_NOFOLLOW | LX_AT_EMPTY_PATH | LX_AT_NO_AUTOMOUNT |
                        LX_AT_STATX_SYNC_TYPE;
    lx_inode_t *n, tmp;
    struct lx_stat64 st;
    struct lx_statx sx;
    if ((a[2] & ~ok) || (a[2] & LX_AT_STATX_SYNC_TYPE) == LX_AT_STATX_SYNC_TYPE)
        return LX_ERR(LX_EINVAL);
    int err = stat_target(p, (int32_t)a[0], a[1], a[2], &tmp, &n);
    if (err)
        return err;
    fill_stat(n, &st);
    memset(&sx, 0, sizeof(sx));
    sx.stx_mask = LX_STATX_BASIC_STATS;
    sx.stx_blksize = st.st_blksize;
    sx.stx_nlink = st.st_nlink;
    sx.stx_uid = st.st_uid;
    sx.stx_gid = st.st_gid;
    sx.stx_mode = (uint16_t)st.st_mode;
    sx.stx_ino = st.st_ino;
    sx.stx_size = (uint64_t)st.st_size;
    sx.stx_blocks = st.st_blocks;
    sx.stx_atime.tv_sec = sx.stx_ctime.tv_sec = sx.stx_mtime.tv_sec = n->mtime;
    sx.stx_rdev_major = (n->rdev >> 8) & 0xfff;
    sx.stx_rdev_minor = (n->rdev & 0xff) | ((n->rdev >> 12) & 0xfff00);
    sx.stx_dev_minor = LX_FS_DEV;
    return lx_user_out(p, a[4], &sx, sizeof(sx));
}

LX_HANDLER(stat64) { return stat_at(p, LX_AT_FDCWD, a[0], a[1], 0); }
LX_HANDLER(lstat64) { return stat_at(p, LX_AT_FDCWD, a[0], a[1], LX_AT_SYMLINK_NOFOLLOW); }
LX_HANDLER(fstatat64) { return stat_at(p, (int32_t)a[0], a[1], a[2], a[3]); }

LX_HANDLER(fstat64)
{
    lx_file_t *f = lx_fd_get(p, (int32_t)a[0]);
    struct lx_stat64 st;
    if (!f)
        return LX_ERR(LX_EBADF);
    lx_inode_t tmp;
    if (f->kind != LX_FILE_INODE)
        pipe_inode(f, &tmp);
    fill_stat(f->kind == LX_FILE_INODE ? f->node : &tmp, &st);
    return lx_user_out(p, a[1], &st, sizeof(st));
}

/* Resolves the parent directory and last name of a user path. */
static int parent_at(lx_proc_t *p, int32_t dirfd, uint32_t upath, int i, lx_inode_t **dir,
        const char **name, uint32_t *len)
{
    lx_inode_t *base;
    char *path;
    int err = get_path(p, upath, i, &path);
    if (!err)
        err = lx_at_dir(p, dirfd, &base);
    if (!err)
        err = lx_fs_parent(p->k, base, path, dir, name, len);
    return err;
}

static int32_t mkdir_at(lx_proc_t *p, int32_t dirfd, uint32_t upath, uint32_t mode)
{
    lx_inode_t *dir, *n;
    const char *name;
    uint32_t len;
    int err = parent_at(p, dirfd, upath, 0, &dir, &name, &len);
    if (err)
        return err;
    return lx_create_owned(p, dir, name, len, LX_S_IFDIR | (mode & ~p->umask & LX_S_IALLUGO), &n);
}

LX_HANDLER(mkdir) { return mkdir_at(p, LX_AT_FDCWD, a[0], a[1]); }
LX_HANDLER(mkdirat) { return mkdir_at(p, (int32_t)a[0], a[1], a[2]); }

/* rmdir of a path naming no entry: Linux says EINVAL for ".", ENOTEMPTY
 * for "..", EBUSY for "/". */
static int32_t rmdir_refusal(const char *path)
{
    uint32_t n = (uint32_t)strlen(path);
    while (n > 1 && path[n - 1] == '/')
        n--;
    if (n >= 2 && path[n - 1] == '.' && path[n - 2] == '.' && (n == 2 || path[n - 3] == '/'))
        return LX_ERR(LX_ENOTEMPTY);
    if (n >= 1 && path[n - 1] == '.' && (n == 1 || path[n - 2] == '/'))
        return LX_ERR(LX_EINVAL);
    return LX_ERR(LX_EBUSY);
}

static int32_t remove_at(lx_proc_t *p, int32_t dirfd, uint32_t upath, bool want_dir)
{
    lx_inode_t *dir, *n;
    const char *name;
    uint32_t len;
    int err = parent_at(p, dirfd, upath, 0, &dir, &name, &len);
    if (err == LX_ERR(LX_EEXIST))       /* ".", ".." or "/" */
        return want_dir ? rmdir_refusal(p->k->path[0]) : LX_ERR(LX_EISDIR);
    if (err)
        return err;
    n = lx_fs_find(dir, name, len);
    if (!n)
        return LX_ERR(LX_ENOENT);
    if (want_dir && !LX_S_ISDIR(n->mode))
        return LX_ERR(LX_ENOTDIR);
    if (!want_dir && LX_S_ISDIR(n->mode))
        return LX_ERR(LX_EISDIR);
    if (want_dir && n->n_entries)
        return LX_ERR(LX_ENOTEMPTY);
    return lx_fs_unlink(p->k, dir, name, len);
}

LX_HANDLER(rmdir) { return remove_at(p, LX_AT_FDCWD, a[0], true); }
LX_HANDLER(unlink) { return remove_at(p, LX_AT_FDCWD, a[0], false); }

LX_HANDLER(unlinkat)
{
    if (a[2] & ~(uint32_t)LX_AT_REMOVEDIR)
        return LX_ERR(LX_EINVAL);
    return remove_at(p, (int32_t)a[0], a[1], a[2] & LX_AT_REMOVEDIR);
}

static bool is_ancestor(const lx_inode_t *a, const lx_inode_t *d)
{
    for (;;) {
        if (d == a)
            return true;
        if (d->parent == d)
            return false;
        d = d->parent;
    }
}

/* May src replace dst (NULL: nothing there) in a rename? */
static int32_t rename_check(const lx_inode_t *src, const lx_inode_t *dst, const lx_inode_t *ndir)
{
    if (LX_S_ISDIR(src->mode) && is_ancestor(src, ndir))
        return LX_ERR(LX_EINVAL);
    if (!dst)
        return 0;
    if (LX_S_ISDIR(src->mode) && !LX_S_ISDIR(dst->mode))
        return LX_ERR(LX_ENOTDIR);
    if (!LX_S_ISDIR(src->mode) && LX_S_ISDIR(dst->mode))
        return LX_ERR(LX_EISDIR);
    if (LX_S_ISDIR(dst->mode) && dst->n_entries)
        return LX_ERR(LX_ENOTEMPTY);
    return 0;
}

static int32_t rename_at(lx_proc_t *p, int32_t ofd, uint32_t uold, int32_t nfd, uint32_t unew,
        uint32_t flags)
{
    lx_inode_t *odir, *ndir;
    const char *oname, *nname;
    uint32_t olen, nlen;
    int err = parent_at(p, ofd, uold, 0, &odir, &oname, &olen);
    if (!err)
        err = parent_at(p, nfd, unew, 1, &ndir, &nname, &nlen);
    if (err)
        return err == LX_ERR(LX_EEXIST) ? LX_ERR(LX_EBUSY) : err;
    lx_inode_t *src = lx_fs_find(odir, oname, olen), *dst = lx_fs_find(ndir, nname, nlen);
    if (!src)
        return LX_ERR(LX_ENOENT);
    if ((flags & LX_RENAME_NOREPLACE) && dst)
        return LX_ERR(LX_EEXIST);
    if (src == dst)
        return 0;
    err = rename_check(src, dst, ndir);
    if (err)
        return err;
    return lx_fs_move(p->k, odir, oname, olen, ndir, nname, nlen);
}

LX_HANDLER(rename) { return rename_at(p, LX_AT_FDCWD, a[0], LX_AT_FDCWD, a[1], 0); }
LX_HANDLER(renameat) { return rename_at(p, (int32_t)a[0], a[1], (int32_t)a[2], a[3], 0); }

/* renameat2(olddirfd, old, newdirfd, new, flags): RENAME_NOREPLACE; the
 * exchange and whiteout forms are not kept (EINVAL, as a file system
 * without them answers). */
LX_HANDLER(renameat2)
{
    if (a[4] & ~(uint32_t)LX_RENAME_NOREPLACE)
        return LX_ERR(LX_EINVAL);
    return rename_at(p, (int32_t)a[0], a[1], (int32_t)a[2], a[3], a[4]);
}

static int32_t link_at(lx_proc_t *p, int32_t ofd, uint32_t uold, int32_t nfd, uint32_t unew,
        uint32_t flags)
{
    lx_inode_t *base, *src, *ndir;
    const char *nname;
    uint32_t nlen;
    char *old;
    int err = get_path(p, uold, 0, &old);
    if (!err)
        err = lx_at_dir(p, ofd, &base);
    if (!err)
        err = lx_fs_walk(p->k, base, old, flags & LX_AT_SYMLINK_FOLLOW, &src);
    if (!err)
        err = parent_at(p, nfd, unew, 1, &ndir, &nname, &nlen);
    if (err)
        return err;
    if (LX_S_ISDIR(src->mode))
        return LX_ERR(LX_EPERM);
    if (lx_fs_find(ndir, nname, nlen))
        return LX_ERR(LX_EEXIST);
    return lx_fs_link(p->k, ndir, nname, nlen, src);
}

LX_HANDLER(link) { return link_at(p, LX_AT_FDCWD, a[0], LX_AT_FDCWD, a[1], 0); }
LX_HANDLER(linkat) { return link_at(p, (int32_t)a[0], a[1], (int32_t)a[2], a[3], a[4]); }

static int32_t symlink_at(lx_proc_t *p, uint32_t utarget, int32_t nfd, uint32_t unew)
{
    lx_inode_t *dir, *n;
    const char *name;
    uint32_t len;
    char *target;
    int err = get_path(p, utarget, 0, &target);
    if (!err)
        err = parent_at(p, nfd, unew, 1, &dir, &name, &len);
    if (!err && target[0] == '\0')
        err = LX_ERR(LX_ENOENT);
    if (!err)
        err = lx_create_owned(p, dir, name, len, LX_S_IFLNK | 0777, &n);
    if (err)
        return err;
    err = lx_fs_write(p->k, n, 0, target, (uint32_t)strlen(target));
    if (err)
        lx_fs_unlink(p->k, dir, name, len);
    return err;
}

LX_HANDLER(symlink) { return symlink_at(p, a[0], LX_AT_FDCWD, a[1]); }
LX_HANDLER(symlinkat) { return symlink_at(p, a[0], (int32_t)a[1], a[2]); }

/* readlink of a /proc name: the target without its NUL, cut to size. */
static int32_t proc_readlink(lx_proc_t *p, const char *path, uint32_t ubuf, uint32_t size)
{
    char *target = p->k->path[1];
    int len = lx_procfs_readlink(p, path, target, LX_PATH_MAX);
    if (len < 0)
        return len;
    if ((uint32_t)len > size)
        len = (int)size;
    int err = lx_user_out(p, ubuf, target, (uint32_t)len);
    return err ? err : len;
}

static int32_t readlink_at(lx_proc_t *p, int32_t dirfd, uint32_t upath, uint32_t ubuf,
        uint32_t size)
{
    lx_inode_t *base, *n;
    char *path;
    if ((int32_t)size <= 0)
        return LX_ERR(LX_EINVAL);
    int err = get_path(p, upath, 0, &path);
    if (!err && lx_procfs_path(path))
        return proc_readlink(p, path, ubuf, size);
    if (!err)
        err = lx_at_dir(p, dirfd, &base);
    if (!err)
        err = lx_fs_walk(p->k, base, path, false, &n);
    if (err)
        return err;
    if (!LX_S_ISLNK(n->mode))
        return LX_ERR(LX_EINVAL);
    uint32_t len = n->size < size ? n->size : size;
    err = lx_user_out(p, ubuf, n->data, len);
    return err ? err : (int32_t)len;
}

LX_HANDLER(readlink) { return readlink_at(p, LX_AT_FDCWD, a[0], a[1], a[2]); }
LX_HANDLER(readlinkat) { return readlink_at(p, (int32_t)a[0], a[1], a[2], a[3]); }

static int32_t set_cwd(lx_proc_t *p, lx_inode_t *n)
{
    if (!LX_S_ISDIR(n->mode))
        return LX_ERR(LX_ENOTDIR);
    n->opens++;
    p->cwd->opens--;
    lx_fs_put(p->k, p->cwd);
    p->cwd = n;
    return 0;
}

LX_HANDLER(chdir)
{
    lx_inode_t *n;
    char *path;
    int err = get_path(p, a[0], 0, &path);
    if (!err)
        err = lx_fs_walk(p->k, p->cwd, path, true, &n);
    return err ? err : set_cwd(p, n);
}

LX_HANDLER(fchdir)
{
    lx_file_t *f = lx_fd_get(p, (int32_t)a[0]);
    if (!f)
        return LX_ERR(LX_EBADF);
    if (f->kind != LX_FILE_INODE)
        return LX_ERR(LX_ENOTDIR);
    return set_cwd(p, f->node);
}

/* getcwd(buf, size): the raw call returns the length including the NUL. */
LX_HANDLER(getcwd)
{
    char *buf = p->k->path[0];
    uint32_t size = a[1] < LX_PATH_MAX ? a[1] : LX_PATH_MAX;
    int len = lx_fs_path_of(p->cwd, buf, size);
    if (len < 0)
        return len;
    int err = lx_user_out(p, a[0], buf, (uint32_t)len);
    return err ? err : len;
}

static int32_t access_at(lx_proc_t *p, int32_t dirfd, uint32_t upath, uint32_t mode,
        uint32_t flags)
{
    lx_inode_t *base, *n;
    char *path;
    if (mode & ~(uint32_t)(LX_R_OK | LX_W_OK | LX_X_OK))
        return LX_ERR(LX_EINVAL);
    if (flags & ~(uint32_t)(LX_AT_EACCESS | LX_AT_SYMLINK_NOFOLLOW))
        return LX_ERR(LX_EINVAL);
    int err = get_path(p, upath, 0, &path);
    if (!err)
        err = lx_at_dir(p, dirfd, &base);
    if (!err)
        err = lx_fs_walk(p->k, base, path, !(flags & LX_AT_SYMLINK_NOFOLLOW), &n);
    if (err)
        return err;
    /* Root may read and write anything, and execute what has an x bit. */
    if ((mode & LX_X_OK) && !LX_S_ISDIR(n->mode) && !(n->mode & 0111))
        return LX_ERR(LX_EACCES);
    return 0;
}

LX_HANDLER(access) { return access_at(p, LX_AT_FDCWD, a[0], a[1], 0); }
LX_HANDLER(faccessat) { return access_at(p, (int32_t)a[0], a[1], a[2], 0); }
LX_HANDLER(faccessat2) { return access_at(p, (int32_t)a[0], a[1], a[2], a[3]); }

/* mknod(path, mode, dev): regular files (type 0 too) and FIFOs; the guest
 * has no device drivers to put behind a new node, so character and block
 * devices are refused (EPERM, as for a caller without CAP_MKNOD), and
 * sockets need a socket layer (EPERM too). A FIFO is a name in the file
 * system: opening it is not supported yet (ENXIO). */
static int32_t mknod_at(lx_proc_t *p, int32_t dirfd, uint32_t upath, uint32_t mode)
{
    lx_inode_t *dir, *n;
    const char *name;
    uint32_t len, type = mode & LX_S_IFMT;

    if (type == 0)
        type = LX_S_IFREG;
    if (type == LX_S_IFDIR)
        return LX_ERR(LX_EPERM);    /* may_mknod: mkdir makes directories */
    if (type != LX_S_IFREG && type != LX_S_IFIFO && type != LX_S_IFCHR &&
            type != LX_S_IFBLK && type != LX_S_IFSOCK)
        return LX_ERR(LX_EINVAL);
    int err = parent_at(p, dirfd, upath, 0, &dir, &name, &len);
    if (err)
        return err;
    if (type != LX_S_IFREG && type != LX_S_IFIFO)
        return LX_ERR(LX_EPERM);
    return lx_create_owned(p, dir, name, len, type | (mode & ~p->umask & LX_S_IALLUGO), &n);
}

LX_HANDLER(mknod) { return mknod_at(p, LX_AT_FDCWD, a[0], a[1]); }
LX_HANDLER(mknodat) { return mknod_at(p, (int32_t)a[0], a[1], a[2]); }

LX_HANDLER(umask)
{
    uint32_t old = p->umask;
    p->umask = a[0] & 0777;
    return (int32_t)old;
}
