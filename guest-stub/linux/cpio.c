/*
 * Unpacking an initramfs: a cpio archive in the "newc" format (the one
 * Linux's init/initramfs.c reads and `cpio -o -H newc` writes). Each member
 * is a 110-byte ASCII header -- the magic "070701" (or "070702", with a
 * checksum we do not verify), then thirteen 8-digit hexadecimal fields --
 * then its NUL-terminated name padded to a multiple of 4 bytes counting the
 * header, then its data padded the same way. A member named "TRAILER!!!"
 * ends the archive. Hard links share an inode number; the data travels with
 * the last of them, so we remember regular files by that number.
 *
 * The archive comes from outside the guest kernel, so every field is
 * checked against the buffer before use, and a malformed archive is refused
 * with the offset of the member at fault.
 */
#include "lx.h"
#include "linux/stat.h"
#include <string.h>

#define CPIO_HEADER     110         /* bytes of a newc header */
#define CPIO_FIELDS     13
#define CPIO_MAGIC      "07070"     /* + '1' (newc) or '2' (newc with crc) */
#define CPIO_TRAILER    "TRAILER!!!"
#define CPIO_LINKS_MAX  64          /* hard-linked files remembered at once */

enum { F_INO, F_MODE, F_UID, F_GID, F_NLINK, F_MTIME, F_FILESIZE, F_DEVMAJOR,
       F_DEVMINOR, F_RDEVMAJOR, F_RDEVMINOR, F_NAMESIZE, F_CHECK };

typedef struct cpio_ctx {
    lx_kernel_t *k;
    bool dir_times;             /* second pass: only set directories' mtimes */
    uint32_t n_links;
    struct { uint32_t ino; lx_inode_t *node; } links[CPIO_LINKS_MAX];
} cpio_ctx_t;

static bool parse_hex(const uint8_t *s, uint32_t *out)
{
    uint32_t v = 0;
    for (int i = 0; i < 8; i++) {
        uint8_t c = s[i];
        uint32_t d;
        if (c >= '0' && c <= '9')
            d = c - '0';
        else if (c >= 'a' && c <= 'f')
            d = c - 'a' + 10;
        else if (c >= 'A' && c <= 'F')
            d = c - 'A' + 10;
        else
            return false;
        v = v << 4 | d;
    }
    *out = v;
    return true;
}

static uint32_t pad4(uint32_t x)
{
    return (x + 3) & ~3u;
}

static bool parse_header(const uint8_t *h, uint32_t *f)
{
    if (memcmp(h, CPIO_MAGIC, 5) != 0 || (h[5] != '1' && h[5] != '2'))
        return false;
    for (int i = 0; i < CPIO_FIELDS; i++)
        if (!parse_hex(h + 6 + 8 * i, &f[i]))
            return false;
    return true;
}

static lx_inode_t *hard_link_of(cpio_ctx_t *c, const uint32_t *f)
{
    if (!LX_S_ISREG(f[F_MODE]) || f[F_NLINK] < 2)
        return NULL;
    for (uint32_t i = 0; i < c->n_links; i++)
        if (c->links[i].ino == f[F_INO])
            return c->links[i].node;
    return NULL;
}

static void remember_link(cpio_ctx_t *c, const uint32_t *f, lx_inode_t *n)
{
    if (LX_S_ISREG(f[F_MODE]) && f[F_NLINK] >= 2 && c->n_links < CPIO_LINKS_MAX)
        c->links[c->n_links++] = (typeof(c->links[0])){ f[F_INO], n };
}

/* The inode a member lands in: an existing directory is kept (its mode
 * updated), anything else at that name is replaced. */
static int place(cpio_ctx_t *c, const char *path, const uint32_t *f, lx_inode_t **out)
{
    lx_inode_t *dir, *old, *n = hard_link_of(c, f);
    const char *name;
    uint32_t len;
    int err = lx_fs_parent(c->k, c->k->root, path, &dir, &name, &len);
    if (err == LX_ERR(LX_EEXIST)) {
        *out = NULL;            /* ".": the root itself */
        return 0;
    }
    if (err)
        return err;
    old = lx_fs_find(dir, name, len);
    if (old && LX_S_ISDIR(old->mode) && LX_S_ISDIR(f[F_MODE])) {
        *out = old;
        return 0;
    }
    if (old && (err = lx_fs_unlink(c->k, dir, name, len)) != 0)
        return err;
    if (n) {
        *out = n;
        return lx_fs_link(c->k, dir, name, len, n);
    }
    err = lx_fs_create(c->k, dir, name, len, f[F_MODE], out);
    if (!err)
        remember_link(c, f, *out);
    return err;
}

/* Adding entries touched the directories' times; like Linux's initramfs we
 * set them from the archive once everything is in. */
static int set_dir_time(cpio_ctx_t *c, const char *path, const uint32_t *f)
{
    lx_inode_t *n;
    if (LX_S_ISDIR(f[F_MODE]) && lx_fs_walk(c->k, c->k->root, path, false, &n) == 0)
        n->mtime = f[F_MTIME];
    return 0;
}

static int unpack_member(cpio_ctx_t *c, const char *path, const uint32_t *f,
        const uint8_t *data)
{
    lx_inode_t *n;
    if (c->dir_times)
        return set_dir_time(c, path, f);
    int err = place(c, path, f, &n);
    if (err || !n)
        return err;
    n->mode = f[F_MODE];
    n->uid = f[F_UID];
    n->gid = f[F_GID];
    n->mtime = f[F_MTIME];
    if (LX_S_ISCHR(n->mode))
        n->rdev = LX_MKDEV(f[F_RDEVMAJOR], f[F_RDEVMINOR]);
    if (f[F_FILESIZE] == 0)
        return 0;
    if (!LX_S_ISREG(n->mode) && !LX_S_ISLNK(n->mode))
        return LX_ERR(LX_EINVAL);
    lx_fs_set_size(c->k, n, 0);
    return lx_fs_write(c->k, n, 0, data, f[F_FILESIZE]);
}

/* One member at buf[*off]: checks it, unpacks it, advances *off. Returns 1
 * at the trailer. */
static int next_member(cpio_ctx_t *c, const uint8_t *buf, uint32_t len, uint32_t *off)
{
    uint32_t f[CPIO_FIELDS];
    uint32_t at = *off;
    if (len - at < CPIO_HEADER || !parse_header(buf + at, f))
        return LX_ERR(LX_EINVAL);
    uint32_t name_at = at + CPIO_HEADER, ns = f[F_NAMESIZE];
    if (ns < 2 || ns > LX_PATH_MAX || ns > len - name_at || buf[name_at + ns - 1] != '\0')
        return LX_ERR(LX_EINVAL);
    const char *name = (const char *)buf + name_at;
    if (strlen(name) != ns - 1)
        return LX_ERR(LX_EINVAL);
    uint32_t data_at = at + pad4(CPIO_HEADER + ns);
    if (data_at > len || f[F_FILESIZE] > len - data_at)
        return LX_ERR(LX_EINVAL);
    uint32_t end = data_at + pad4(f[F_FILESIZE]);
    *off = end < len ? end : len;
    if (strcmp(name, CPIO_TRAILER) == 0)
        return 1;
    return unpack_member(c, name, f, buf + data_at);
}

int lx_cpio_unpack(lx_kernel_t *k, const uint8_t *buf, uint32_t len, uint32_t *bad_offset)
{
    cpio_ctx_t *c = lx_alloc(k, sizeof(*c));
    if (!c)
        return LX_ERR(LX_ENOMEM);
    c->k = k;
    uint32_t off = 0, at = 0;
    int r;
    do {
        at = off;
        r = next_member(c, buf, len, &off);
    } while (r == 0);
    if (r > 0) {
        c->dir_times = true;
        off = 0;
        while (next_member(c, buf, len, &off) == 0)
            ;
    }
    lx_free(k, c, sizeof(*c));
    if (r < 0 && bad_offset)
        *bad_offset = at;
    return r < 0 ? r : 0;
}
