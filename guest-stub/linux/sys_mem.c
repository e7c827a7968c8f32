/*
 * A process's address space as Linux programs see it: the heap that brk
 * moves, and the regions mmap2 hands out, below mmap_top and growing down,
 * as on i386 Linux. The personality keeps the layout (lx_vma_t: start,
 * end, rights) and decides addresses; the guest kernel does the mapping
 * (ops->map_zero, unmap, protect) from its own memory.
 *
 * Pages are mapped when the call is made and filled at once (a private file
 * mapping gets a copy of the file's bytes). Demand paging -- mapping on the
 * VMFault instead -- needs only the layout kept here, and comes with the
 * guest kernel's fault handler. Shared file mappings are refused (ENODEV)
 * until there is a page cache to share.
 */
#include "sys.h"
#include "linux/mman.h"
#include "linux/stat.h"
#include "linux/fcntl.h"
#include <string.h>

#define PAGE_MASK   (LX_PAGE_SIZE - 1)
#define PAGE_UP(x)  (((x) + PAGE_MASK) & ~PAGE_MASK)
#define PROT_ALL    (LX_PROT_READ | LX_PROT_WRITE | LX_PROT_EXEC)
#define HEAP_GAP    (16u * LX_PAGE_SIZE)   /* mmap keeps this far above the heap */

static bool overlaps(const lx_vma_t *v, uint32_t start, uint32_t end)
{
    return v->end && v->start < end && start < v->end;
}

static bool range_free(const lx_proc_t *p, uint32_t start, uint32_t end)
{
    for (int i = 0; i < LX_VMA_MAX; i++)
        if (overlaps(&p->vma[i], start, end))
            return false;
    return true;
}

int lx_vma_add(lx_proc_t *p, uint32_t start, uint32_t end, uint32_t prot)
{
    for (int i = 0; i < LX_VMA_MAX; i++) {
        if (!p->vma[i].end) {
            p->vma[i] = (lx_vma_t){ start, end, prot };
            return 0;
        }
    }
    return LX_ERR(LX_ENOMEM);
}

/* Makes `at` a region boundary: a region strictly around it becomes two. */
static int split_at(lx_proc_t *p, uint32_t at)
{
    for (int i = 0; i < LX_VMA_MAX; i++) {
        lx_vma_t *v = &p->vma[i];
        if (v->end && v->start < at && at < v->end) {
            int err = lx_vma_add(p, at, v->end, v->prot);
            if (!err)
                v->end = at;
            return err;
        }
    }
    return 0;
}

/* Forgets [start, end) in the layout and unmaps it. */
static int remove_range(lx_proc_t *p, uint32_t start, uint32_t end)
{
    int err = split_at(p, start);
    if (!err)
        err = split_at(p, end);
    if (err)
        return err;
    for (int i = 0; i < LX_VMA_MAX; i++)
        if (overlaps(&p->vma[i], start, end))
            p->vma[i] = (lx_vma_t){ 0, 0, 0 };
    return p->k->ops->unmap(p->space, start, end - start);
}

/* Highest free range of len bytes below mmap_top and above the heap. */
static uint32_t find_gap(const lx_proc_t *p, uint32_t len)
{
    uint32_t floor = PAGE_UP(p->brk) + HEAP_GAP, top = p->mmap_top;
    while (top > floor && top - floor >= len) {
        uint32_t start = top - len;
        bool moved = false;
        for (int i = 0; i < LX_VMA_MAX; i++) {
            if (overlaps(&p->vma[i], start, top)) {
                top = p->vma[i].start;
                moved = true;
            }
        }
        if (!moved)
            return start;
    }
    return 0;
}

LX_HANDLER(brk)
{
    uint32_t want = a[0], old_end = PAGE_UP(p->brk), new_end = PAGE_UP(want);
    if (want < p->brk_start || want > p->k->user_top)
        return (int32_t)p->brk;
    if (new_end > old_end) {
        if (!range_free(p, old_end, new_end + HEAP_GAP))
            return (int32_t)p->brk;
        if (p->k->ops->map_zero(p->space, old_end, new_end - old_end,
                    LX_PROT_READ | LX_PROT_WRITE))
            return (int32_t)p->brk;
    } else if (new_end < old_end) {
        p->k->ops->unmap(p->space, new_end, old_end - new_end);
    }
    p->brk = want;
    return (int32_t)want;
}

/* Copies a private file mapping's bytes in: the region is writable while
 * we fill it, then gets the rights asked for. */
static int fill_from_file(lx_proc_t *p, lx_file_t *f, uint32_t addr, uint32_t len,
        uint32_t pgoff, uint32_t prot)
{
    lx_inode_t *n = f->node;
    uint64_t off = (uint64_t)pgoff << LX_PAGE_SHIFT;
    int err = 0;
    if (off < n->size) {
        uint32_t cnt = n->size - (uint32_t)off < len ? n->size - (uint32_t)off : len;
        err = p->k->ops->copy_out(p->space, addr, n->data + off, cnt);
    }
    if (!err && !(prot & LX_PROT_WRITE))
        err = p->k->ops->protect(p->space, addr, len, prot);
    return err;
}

/* Checks an mmap2 file argument: a readable regular file. */
static int mappable(lx_proc_t *p, uint32_t fd, uint32_t flags, lx_file_t **out)
{
    lx_file_t *f = lx_fd_get(p, (int32_t)fd);
    if (!f)
        return LX_ERR(LX_EBADF);
    if (f->kind != LX_FILE_INODE || !LX_S_ISREG(f->node->mode))
        return LX_ERR(LX_EACCES);
    if ((f->flags & LX_O_ACCMODE) == LX_O_WRONLY)
        return LX_ERR(LX_EACCES);
    if (flags & LX_MAP_SHARED)
        return LX_ERR(LX_ENODEV);
    *out = f;
    return 0;
}

/* Where the mapping goes, or 0 with *err set. */
static uint32_t place(lx_proc_t *p, uint32_t hint, uint32_t len, uint32_t flags, int *err)
{
    *err = 0;
    if (flags & (LX_MAP_FIXED | LX_MAP_FIXED_NOREPLACE)) {
        if ((hint & PAGE_MASK) || hint < LX_PAGE_SIZE || !lx_user_range_ok(p, hint, len))
            *err = LX_ERR(LX_EINVAL);
        else if ((flags & LX_MAP_FIXED_NOREPLACE) && !range_free(p, hint, hint + len))
            *err = LX_ERR(LX_EEXIST);
        else
            *err = remove_range(p, hint, hint + len);
        return *err ? 0 : hint;
    }
    hint &= ~PAGE_MASK;
    if (hint >= PAGE_UP(p->brk) + HEAP_GAP && lx_user_range_ok(p, hint, len) &&
            range_free(p, hint, hint + len))
        return hint;
    uint32_t at = find_gap(p, len);
    if (!at)
        *err = LX_ERR(LX_ENOMEM);
    return at;
}

/* mmap2(addr, length, prot, flags, fd, pgoffset) */
LX_HANDLER(mmap2)
{
    uint32_t len = PAGE_UP(a[1]), prot = a[2], flags = a[3];
    lx_file_t *f = NULL;
    int err = 0;
    if (a[1] == 0 || (prot & ~PROT_ALL) || !(flags & (LX_MAP_PRIVATE | LX_MAP_SHARED)))
        return LX_ERR(LX_EINVAL);
    if (len < a[1])
        return LX_ERR(LX_ENOMEM);
    if (!(flags & LX_MAP_ANONYMOUS) && (err = mappable(p, a[4], flags, &f)) != 0)
        return err;
    uint32_t addr = place(p, a[0], len, flags, &err);
    if (err)
        return err;
    err = lx_vma_add(p, addr, addr + len, prot);
    if (!err)
        err = p->k->ops->map_zero(p->space, addr, len, f ? prot | LX_PROT_WRITE : prot);
    if (!err && f)
        err = fill_from_file(p, f, addr, len, a[5], prot);
    if (err) {
        remove_range(p, addr, addr + len);
        return err;
    }
    return (int32_t)addr;
}

LX_HANDLER(munmap)
{
    uint32_t addr = a[0], len = PAGE_UP(a[1]);
    if ((addr & PAGE_MASK) || a[1] == 0 || len < a[1] || !lx_user_range_ok(p, addr, len))
        return LX_ERR(LX_EINVAL);
    return remove_range(p, addr, addr + len);
}

/* Every page of [start, end) lies in some region. */
static bool covered(const lx_proc_t *p, uint32_t start, uint32_t end)
{
    while (start < end) {
        bool found = false;
        for (int i = 0; i < LX_VMA_MAX && !found; i++) {
            const lx_vma_t *v = &p->vma[i];
            if (v->end && v->start <= start && start < v->end) {
                start = v->end;
                found = true;
            }
        }
        if (!found)
            return false;
    }
    return true;
}

LX_HANDLER(mprotect)
{
    uint32_t addr = a[0], len = PAGE_UP(a[1]), prot = a[2];
    if ((addr & PAGE_MASK) || len < a[1] || (prot & ~PROT_ALL) ||
            !lx_user_range_ok(p, addr, len))
        return LX_ERR(LX_EINVAL);
    if (len == 0)
        return 0;
    if (!covered(p, addr, addr + len))
        return LX_ERR(LX_ENOMEM);
    int err = split_at(p, addr);
    if (!err)
        err = split_at(p, addr + len);
    if (err)
        return err;
    for (int i = 0; i < LX_VMA_MAX; i++)
        if (overlaps(&p->vma[i], addr, addr + len))
            p->vma[i].prot = prot;
    return p->k->ops->protect(p->space, addr, len, prot);
}

/* ------------------------------------------------------------------ */
/* mremap                                                              */

/* The region holding all of [start, end), or NULL. */
static lx_vma_t *region_of(lx_proc_t *p, uint32_t start, uint32_t end)
{
    for (int i = 0; i < LX_VMA_MAX; i++) {
        lx_vma_t *v = &p->vma[i];
        if (v->end && v->start <= start && end <= v->end)
            return v;
    }
    return NULL;
}

/* Copies len bytes from one mapped range of the process to another, a page
 * at a time through the guest kernel's memory. */
static int copy_pages(lx_proc_t *p, uint32_t from, uint32_t to, uint32_t len)
{
    uint8_t *buf = lx_alloc(p->k, LX_PAGE_SIZE);
    int err = 0;

    if (!buf)
        return LX_ERR(LX_ENOMEM);
    for (uint32_t off = 0; off < len && !err; off += LX_PAGE_SIZE) {
        err = p->k->ops->copy_in(p->space, buf, from + off, LX_PAGE_SIZE);
        if (!err)
            err = p->k->ops->copy_out(p->space, to + off, buf, LX_PAGE_SIZE);
    }
    lx_free(p->k, buf, LX_PAGE_SIZE);
    return err;
}

/* Moves [old, old+olen) to [to, to+nlen), to being free: fresh pages there,
 * the old bytes copied in (as much as both hold), the old range gone. */
static int32_t move_range(lx_proc_t *p, uint32_t old, uint32_t olen, uint32_t to,
        uint32_t nlen, uint32_t prot)
{
    const lx_host_ops_t *ops = p->k->ops;
    uint32_t keep = olen < nlen ? olen : nlen;
    int err = lx_vma_add(p, to, to + nlen, prot);

    if (!err)
        err = ops->map_zero(p->space, to, nlen, LX_PROT_READ | LX_PROT_WRITE);
    if (!err && !(prot & LX_PROT_READ))
        err = ops->protect(p->space, old, olen, LX_PROT_READ);
    if (!err)
        err = copy_pages(p, old, to, keep);
    if (!err && prot != (LX_PROT_READ | LX_PROT_WRITE))
        err = ops->protect(p->space, to, nlen, prot);
    if (err) {
        remove_range(p, to, to + nlen);
        if (!(prot & LX_PROT_READ))
            ops->protect(p->space, old, olen, prot);
        return err;
    }
    remove_range(p, old, old + olen);
    return (int32_t)to;
}

/* Grows [old, old+olen) to nlen where it is, if the region ends there and
 * the pages after it are free; -ENOMEM otherwise. */
static int32_t grow_in_place(lx_proc_t *p, lx_vma_t *v, uint32_t old, uint32_t olen,
        uint32_t nlen)
{
    uint32_t end = old + olen, new_end = old + nlen;

    if (v->end != end || !lx_user_range_ok(p, old, nlen) || !range_free(p, end, new_end))
        return LX_ERR(LX_ENOMEM);
    int err = p->k->ops->map_zero(p->space, end, new_end - end, v->prot);
    if (err)
        return err;
    v->end = new_end;
    return (int32_t)old;
}

/* mremap(old_address, old_size, new_size, flags, new_address): private
 * mappings, as Linux: shrink in place, grow in place when the pages after
 * are free, else move if MREMAP_MAYMOVE; MREMAP_FIXED moves to
 * new_address (whatever was there is unmapped). The old range must lie in
 * one region. MREMAP_DONTUNMAP is not supported (-EINVAL). */
LX_HANDLER(mremap)
{
    uint32_t old = a[0], olen = PAGE_UP(a[1]), nlen = PAGE_UP(a[2]), flags = a[3], to = a[4];
    lx_vma_t *v;
    int err;

    if ((old & PAGE_MASK) || (flags & ~(uint32_t)(LX_MREMAP_MAYMOVE | LX_MREMAP_FIXED)))
        return LX_ERR(LX_EINVAL);
    if ((flags & LX_MREMAP_FIXED) && !(flags & LX_MREMAP_MAYMOVE))
        return LX_ERR(LX_EINVAL);
    if (olen < a[1] || nlen < a[2] || nlen == 0 || olen == 0)
        return LX_ERR(LX_EINVAL);
    if (!lx_user_range_ok(p, old, olen) || !(v = region_of(p, old, old + olen)))
        return LX_ERR(LX_EFAULT);
    if (flags & LX_MREMAP_FIXED) {
        if ((to & PAGE_MASK) || !lx_user_range_ok(p, to, nlen) || to < LX_PAGE_SIZE ||
                (to < old + olen && old < to + nlen))
            return LX_ERR(LX_EINVAL);
        if ((err = remove_range(p, to, to + nlen)) != 0)
            return err;
        return move_range(p, old, olen, to, nlen, region_of(p, old, old + olen)->prot);
    }
    if (nlen <= olen) {
        err = nlen < olen ? remove_range(p, old + nlen, old + olen) : 0;
        return err ? err : (int32_t)old;
    }
    int32_t r = grow_in_place(p, v, old, olen, nlen);
    if (r != LX_ERR(LX_ENOMEM) || !(flags & LX_MREMAP_MAYMOVE))
        return r;
    to = find_gap(p, nlen);
    return to ? move_range(p, old, olen, to, nlen, v->prot) : LX_ERR(LX_ENOMEM);
}
