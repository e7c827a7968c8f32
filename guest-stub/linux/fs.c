/*
 * The in-memory file system: a tree of inodes living in the guest kernel's
 * own memory, like Linux's tmpfs. A directory holds a list of named entries
 * pointing at inodes; a regular file's bytes sit in the page cache
 * (pcache.c); a symlink's target is its data, one buffer that doubles as
 * it grows. An inode lives while a name links
 * it (nlink) or something has it open (opens): unlinking an open file keeps
 * its bytes until the last close (or unmap), as on Linux. Every byte comes
 * from lx_alloc() or the page cache's ops->page_new, so the guest's
 * accounting sees the whole file system.
 *
 * Path walking follows Linux's rules: "/" starts at the root, anything else
 * at the caller's directory; "." and ".." are resolved by the tree, not by
 * text; a symlink met in the middle of a path is always followed, the last
 * one only when asked (stat vs lstat), at most LX_SYMLOOP_MAX times.
 */
#include "lx.h"
#include "linux/stat.h"
#include <string.h>

lx_inode_t *lx_fs_new(lx_kernel_t *k, uint32_t mode)
{
    lx_inode_t *n = lx_alloc(k, sizeof(*n));
    if (!n)
        return NULL;
    n->ino = k->next_ino++;
    n->mode = mode;
    n->mtime = (uint32_t)(k->ops->now_ns(k->ctx, 0) / 1000000000u);
    return n;
}

static void fs_free(lx_kernel_t *k, lx_inode_t *n)
{
    /* Only a /proc snapshot directory (procfs.c) is freed with entries:
     * removed directories are empty. */
    while (n->entries)
        lx_fs_unlink(k, n, n->entries->name, n->entries->len);
    if (n->data)
        lx_free(k, n->data, n->cap);
    lx_pcache_release(k, n);
    lx_free(k, n, sizeof(*n));
}

/* Drop one use (a link or an open); the last one frees the inode. */
void lx_fs_put(lx_kernel_t *k, lx_inode_t *n)
{
    if (n->nlink == 0 && n->opens == 0)
        fs_free(k, n);
}

lx_inode_t *lx_fs_find(lx_inode_t *dir, const char *name, uint32_t len)
{
    if (len == 1 && name[0] == '.')
        return dir;
    if (len == 2 && name[0] == '.' && name[1] == '.')
        return dir->parent;
    for (lx_dirent_t *e = dir->entries; e; e = e->next)
        if (e->len == len && memcmp(e->name, name, len) == 0)
            return e->node;
    return NULL;
}

/* Add name -> node to dir. The caller checked that name is free. */
int lx_fs_link(lx_kernel_t *k, lx_inode_t *dir, const char *name, uint32_t len, lx_inode_t *node)
{
    if (len == 0 || len > LX_NAME_MAX)
        return len ? LX_ERR(LX_ENAMETOOLONG) : LX_ERR(LX_ENOENT);
    lx_dirent_t *e = lx_alloc(k, sizeof(*e) + len + 1);
    if (!e)
        return LX_ERR(LX_ENOMEM);
    memcpy(e->name, name, len);
    e->len = len;
    e->node = node;
    e->next = dir->entries;
    dir->entries = e;
    dir->n_entries++;
    node->nlink++;
    if (LX_S_ISDIR(node->mode)) {
        node->parent = dir;
        node->nlink++;          /* its own "." */
        dir->nlink++;           /* its ".." */
    }
    return 0;
}

/* Remove name from dir; the inode goes when nothing else holds it. */
int lx_fs_unlink(lx_kernel_t *k, lx_inode_t *dir, const char *name, uint32_t len)
{
    for (lx_dirent_t **pp = &dir->entries; *pp; pp = &(*pp)->next) {
        lx_dirent_t *e = *pp;
        if (e->len != len || memcmp(e->name, name, len) != 0)
            continue;
        lx_inode_t *n = e->node;
        *pp = e->next;
        dir->n_entries--;
        lx_free(k, e, sizeof(*e) + len + 1);
        if (LX_S_ISDIR(n->mode)) {
            n->nlink = 0;
            n->parent = n;      /* a removed directory still open: ".." is itself */
            dir->nlink--;
        } else {
            n->nlink--;
        }
        lx_fs_put(k, n);
        return 0;
    }
    return LX_ERR(LX_ENOENT);
}

/* rename: move odir/oname to ndir/nname, replacing what is there (the
 * caller checked that it may). The new entry is allocated first, so running
 * out of memory changes nothing. */
int lx_fs_move(lx_kernel_t *k, lx_inode_t *odir, const char *oname, uint32_t olen,
        lx_inode_t *ndir, const char *nname, uint32_t nlen)
{
    lx_dirent_t **pp = &odir->entries;
    while (*pp && ((*pp)->len != olen || memcmp((*pp)->name, oname, olen) != 0))
        pp = &(*pp)->next;
    if (!*pp)
        return LX_ERR(LX_ENOENT);
    lx_dirent_t *e = *pp, *ne = lx_alloc(k, sizeof(*ne) + nlen + 1);
    if (!ne)
        return LX_ERR(LX_ENOMEM);
    lx_inode_t *n = e->node;
    *pp = e->next;
    odir->n_entries--;
    lx_free(k, e, sizeof(*e) + olen + 1);
    if (lx_fs_find(ndir, nname, nlen))
        lx_fs_unlink(k, ndir, nname, nlen);
    memcpy(ne->name, nname, nlen);
    ne->len = nlen;
    ne->node = n;
    ne->next = ndir->entries;
    ndir->entries = ne;
    ndir->n_entries++;
    if (LX_S_ISDIR(n->mode)) {
        odir->nlink--;
        ndir->nlink++;
        n->parent = ndir;
    }
    return 0;
}

int lx_fs_create(lx_kernel_t *k, lx_inode_t *dir, const char *name, uint32_t len,
        uint32_t mode, lx_inode_t **out)
{
    if (dir->nlink == 0)
        return LX_ERR(LX_ENOENT);   /* the directory was removed */
    if (lx_fs_find(dir, name, len))
        return LX_ERR(LX_EEXIST);
    lx_inode_t *n = lx_fs_new(k, mode);
    if (!n)
        return LX_ERR(LX_ENOMEM);
    int err = lx_fs_link(k, dir, name, len, n);
    if (err) {
        fs_free(k, n);
        return err;
    }
    dir->mtime = n->mtime;
    *out = n;
    return 0;
}

/* Grow or shrink a file; new bytes read as zeros. A symlink's first
 * buffer is the size asked; a growing one doubles. */
int lx_fs_set_size(lx_kernel_t *k, lx_inode_t *n, uint32_t size)
{
    if (LX_S_ISREG(n->mode))
        return lx_pcache_set_size(k, n, size);
    if (size > n->cap) {
        uint32_t cap = n->cap ? n->cap : size > 64 ? size : 64;
        while (cap < size)
            cap = cap > 0x7fffffffu ? size : cap * 2;
        uint8_t *d = lx_alloc(k, cap);
        if (!d)
            return LX_ERR(LX_ENOSPC);
        if (n->data) {
            memcpy(d, n->data, n->size);
            lx_free(k, n->data, n->cap);
        }
        n->data = d;
        n->cap = cap;
    } else if (size < n->size) {
        memset(n->data + size, 0, n->size - size);
    }
    n->size = size;
    return 0;
}

int lx_fs_write(lx_kernel_t *k, lx_inode_t *n, uint32_t off, const void *src, uint32_t len)
{
    if (off + len < off)
        return LX_ERR(LX_EFBIG);
    if (LX_S_ISREG(n->mode))
        return lx_pcache_write(k, n, off, src, len);
    if (off + len > n->size) {
        int err = lx_fs_set_size(k, n, off + len);
        if (err)
            return err;
    }
    memcpy(n->data + off, src, len);
    return 0;
}

/* Next component of [*path, end): sets name/len and advances past it and
 * its slashes. False at the end. */
static bool next_component(const char **path, const char *end, const char **name,
        uint32_t *len)
{
    const char *s = *path;
    while (s < end && *s == '/')
        s++;
    if (s == end)
        return false;
    const char *e = s;
    while (e < end && *e != '/')
        e++;
    *name = s;
    *len = (uint32_t)(e - s);
    while (e < end && *e == '/')
        e++;
    *path = e;
    return true;
}

static int walk(lx_kernel_t *k, lx_inode_t *cur, const char *path, uint32_t plen,
        bool follow, uint32_t *links, lx_inode_t **out);

/* A symlink met while walking: continue at its target, relative to dir.
 * The target is walked in place (no copy), so each level costs one small
 * frame. */
static int follow_link(lx_kernel_t *k, lx_inode_t *dir, lx_inode_t *link, uint32_t *links,
        lx_inode_t **out)
{
    if (++*links > LX_SYMLOOP_MAX)
        return LX_ERR(LX_ELOOP);
    if (link->size == 0)
        return LX_ERR(LX_ENOENT);
    return walk(k, dir, (const char *)link->data, link->size, true, links, out);
}

static int walk(lx_kernel_t *k, lx_inode_t *cur, const char *path, uint32_t plen,
        bool follow, uint32_t *links, lx_inode_t **out)
{
    const char *name, *end = path + plen;
    uint32_t len;
    bool dir_wanted = plen && path[plen - 1] == '/';
    if (plen && path[0] == '/')
        cur = k->root;
    while (next_component(&path, end, &name, &len)) {
        if (!LX_S_ISDIR(cur->mode))
            return LX_ERR(LX_ENOTDIR);
        if (len > LX_NAME_MAX)
            return LX_ERR(LX_ENAMETOOLONG);
        lx_inode_t *n = lx_fs_find(cur, name, len);
        if (!n)
            return LX_ERR(LX_ENOENT);
        if (LX_S_ISLNK(n->mode) && (path < end || follow || dir_wanted)) {
            int err = follow_link(k, cur, n, links, &n);
            if (err)
                return err;
        }
        cur = n;
    }
    if (dir_wanted && !LX_S_ISDIR(cur->mode))
        return LX_ERR(LX_ENOTDIR);
    *out = cur;
    return 0;
}

int lx_fs_walk(lx_kernel_t *k, lx_inode_t *cwd, const char *path, bool follow, lx_inode_t **out)
{
    uint32_t links = 0;
    if (!path[0])
        return LX_ERR(LX_ENOENT);
    return walk(k, cwd, path, (uint32_t)strlen(path), follow, &links, out);
}

/* Split path into its directory (walked, must exist) and last name. A path
 * that names no entry ("/", "a/.") gets EEXIST: there is nothing to create
 * or remove. Trailing slashes are allowed. */
int lx_fs_parent(lx_kernel_t *k, lx_inode_t *cwd, const char *path, lx_inode_t **dir,
        const char **name, uint32_t *len)
{
    uint32_t n = (uint32_t)strlen(path);
    while (n > 1 && path[n - 1] == '/')
        n--;
    uint32_t s = n;
    while (s > 0 && path[s - 1] != '/')
        s--;
    if (n == 0)
        return LX_ERR(LX_ENOENT);
    if (n - s > LX_NAME_MAX)
        return LX_ERR(LX_ENAMETOOLONG);
    *name = path + s;
    *len = n - s;
    if (*len == 0 || (*len == 1 && path[s] == '.') || (*len == 2 && !memcmp(path + s, "..", 2)))
        return LX_ERR(LX_EEXIST);
    lx_inode_t *d = cwd;
    uint32_t links = 0;
    if (s > 0) {
        int err = walk(k, cwd, path, s, true, &links, &d);
        if (err)
            return err;
    }
    if (!LX_S_ISDIR(d->mode))
        return LX_ERR(LX_ENOTDIR);
    *dir = d;
    return 0;
}

/* mkdir -p for the guest kernel's own use (the /dev and /tmp it adds). */
int lx_fs_mkpath(lx_kernel_t *k, const char *path, uint32_t mode, lx_inode_t **out)
{
    lx_inode_t *cur = k->root, *n;
    const char *name, *end = path + strlen(path);
    uint32_t len;
    while (next_component(&path, end, &name, &len)) {
        n = lx_fs_find(cur, name, len);
        if (!n) {
            int err = lx_fs_create(k, cur, name, len, mode, &n);
            if (err)
                return err;
        }
        if (!LX_S_ISDIR(n->mode))
            return LX_ERR(LX_ENOTDIR);
        cur = n;
    }
    *out = cur;
    return 0;
}

static const lx_dirent_t *entry_of(const lx_inode_t *dir, const lx_inode_t *node)
{
    for (const lx_dirent_t *e = dir->entries; e; e = e->next)
        if (e->node == node)
            return e;
    return NULL;
}

/* The absolute path of a directory, as getcwd reports it. Returns the
 * length with its NUL, or -ERANGE / -ENOENT (removed directory). */
int lx_fs_path_of(lx_inode_t *node, char *buf, uint32_t size)
{
    uint32_t pos = size;
    if (node->nlink == 0)
        return LX_ERR(LX_ENOENT);   /* removed: no path leads here */
    if (size < 2)
        return LX_ERR(LX_ERANGE);
    buf[--pos] = '\0';
    while (node->parent != node) {
        const lx_dirent_t *e = entry_of(node->parent, node);
        if (!e)
            return LX_ERR(LX_ENOENT);
        if (pos < e->len + 1 + 1)
            return LX_ERR(LX_ERANGE);
        pos -= e->len;
        memcpy(buf + pos, e->name, e->len);
        buf[--pos] = '/';
        node = node->parent;
    }
    if (pos == size - 1)
        buf[--pos] = '/';
    memmove(buf, buf + pos, size - pos);
    return (int)(size - pos);
}
