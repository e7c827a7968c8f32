/*
 * A process's address space as Linux programs see it: the heap that brk
 * moves, and the regions mmap2 hands out, below mmap_top and growing down,
 * as on i386 Linux. The personality keeps the layout (lx_vma_t: start,
 * end, rights) and decides addresses; the guest kernel does the mapping
 * (ops->map_zero, unmap, protect) from its own memory.
 *
 * Anonymous pages are promised when the call is made and backed on their
 * first touch by the guest kernel. A file mapping (private or shared)
 * promises nothing: the region names the file and its page offset, and its
 * pages come from the page cache when touched (pcache.c, lx_file_fault).
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

/* Takes a hold of its own on a file region's file. */
static int vma_insert(lx_proc_t *p, const lx_vma_t *v)
{
    for (int i = 0; i < LX_VMA_MAX; i++) {
        if (!p->vma[i].end) {
            p->vma[i] = *v;
            lx_vma_hold(&p->vma[i]);
            return 0;
        }
    }
    return LX_ERR(LX_ENOMEM);
}

int lx_vma_add(lx_proc_t *p, uint32_t start, uint32_t end, uint32_t prot)
{
    return vma_insert(p, &(lx_vma_t){ .start = start, .end = end, .prot = prot });
}

/* Makes `at` a region boundary: a region strictly around it becomes two. */
static int split_at(lx_proc_t *p, uint32_t at)
{
    for (int i = 0; i < LX_VMA_MAX; i++) {
        lx_vma_t *v = &p->vma[i];
        if (v->end && v->start < at && at < v->end) {
            lx_vma_t upper = *v;
            int err;

            upper.start = at;
            if (v->file)
                upper.pgoff += (at - v->start) >> LX_PAGE_SHIFT;
            err = vma_insert(p, &upper);
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
    for (int i = 0; i < LX_VMA_MAX; i++) {
        if (overlaps(&p->vma[i], start, end)) {
            lx_vma_drop(p->k, &p->vma[i]);
            p->vma[i] = (lx_vma_t){ 0 };
        }
    }
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

/* Checks an mmap2 file argument (a readable regular file; for a shared
 * writable mapping one open for writing too, as Linux) and describes the
 * region. */
static int mappable(lx_proc_t *p, const uint32_t *a, uint32_t len, lx_vma_t *v)
{
    lx_file_t *f = lx_fd_get(p, (int32_t)a[4]);
    uint32_t prot = a[2], flags = a[3];
    bool rw;

    if (!f)
        return LX_ERR(LX_EBADF);
    if (f->kind != LX_FILE_INODE || !LX_S_ISREG(f->node->mode))
        return LX_ERR(LX_EACCES);
    if ((f->flags & LX_O_ACCMODE) == LX_O_WRONLY)
        return LX_ERR(LX_EACCES);
    rw = (f->flags & LX_O_ACCMODE) == LX_O_RDWR;
    if ((flags & LX_MAP_SHARED) && (prot & LX_PROT_WRITE) && !rw)
        return LX_ERR(LX_EACCES);
    if ((uint64_t)a[5] + (len >> LX_PAGE_SHIFT) > UINT32_MAX)
        return LX_ERR(LX_EOVERFLOW);
    v->file = f->node;
    v->pgoff = a[5];
    v->flags = (flags & LX_MAP_SHARED) ? LX_VMA_SHARED | (rw ? LX_VMA_MAYWRITE : 0)
                                       : LX_VMA_MAYWRITE;
    if (lx_file_writes(f))
        v->flags |= LX_VMA_WRITER;
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

/* mmap2(addr, length, prot, flags, fd, pgoffset). A file mapping maps
 * nothing now: its pages fault in from the page cache. */
LX_HANDLER(mmap2)
{
    uint32_t len = PAGE_UP(a[1]), prot = a[2], flags = a[3];
    lx_vma_t v = { .prot = prot };
    int err = 0;
    if (a[1] == 0 || (prot & ~PROT_ALL) || !(flags & (LX_MAP_PRIVATE | LX_MAP_SHARED)))
        return LX_ERR(LX_EINVAL);
    if (len < a[1])
        return LX_ERR(LX_ENOMEM);
    if (!(flags & LX_MAP_ANONYMOUS) && (err = mappable(p, a, len, &v)) != 0)
        return err;
    uint32_t addr = place(p, a[0], len, flags, &err);
    if (err)
        return err;
    v.start = addr;
    v.end = addr + len;
    err = vma_insert(p, &v);
    if (!err && !v.file)
        err = p->k->ops->map_zero(p->space, addr, len, prot);
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
    for (int i = 0; i < LX_VMA_MAX; i++)
        if (overlaps(&p->vma[i], addr, addr + len) && (prot & LX_PROT_WRITE) &&
                p->vma[i].file && !(p->vma[i].flags & LX_VMA_MAYWRITE))
            return LX_ERR(LX_EACCES);
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
        err = lx_user_in(p, buf, from + off, LX_PAGE_SIZE);
        if (!err)
            err = lx_user_out(p, to + off, buf, LX_PAGE_SIZE);
    }
    lx_free(p->k, buf, LX_PAGE_SIZE);
    return err;
}

/* A shared file mapping moves as itself: its pages are the file's. */
static int32_t move_shared(lx_proc_t *p, uint32_t old, uint32_t olen, uint32_t to,
        uint32_t nlen, const lx_vma_t *v)
{
    lx_vma_t moved = *v;
    int err;

    moved.pgoff += (old - v->start) >> LX_PAGE_SHIFT;
    moved.start = to;
    moved.end = to + nlen;
    err = vma_insert(p, &moved);
    if (!err)
        err = remove_range(p, old, old + olen);
    return err ? err : (int32_t)to;
}

/* Moves [old, old+olen) to [to, to+nlen), to being free (a private file
 * mapping becomes anonymous: the pages the old one saw are copied): fresh pages there,
 * the old bytes copied in (as much as both hold), the old range gone. */
static int32_t move_range(lx_proc_t *p, uint32_t old, uint32_t olen, uint32_t to,
        uint32_t nlen, const lx_vma_t *v)
{
    const lx_host_ops_t *ops = p->k->ops;
    uint32_t keep = olen < nlen ? olen : nlen, prot = v->prot;
    int err;

    if (v->flags & LX_VMA_SHARED)
        return move_shared(p, old, olen, to, nlen, v);
    err = lx_vma_add(p, to, to + nlen, prot);

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
    int err = v->file ? 0 : p->k->ops->map_zero(p->space, end, new_end - end, v->prot);
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
        if (!(v = region_of(p, old, old + olen)))
            return LX_ERR(LX_EFAULT);
        return move_range(p, old, olen, to, nlen, v);
    }
    if (nlen <= olen) {
        err = nlen < olen ? remove_range(p, old + nlen, old + olen) : 0;
        return err ? err : (int32_t)old;
    }
    int32_t r = grow_in_place(p, v, old, olen, nlen);
    if (r != LX_ERR(LX_ENOMEM) || !(flags & LX_MREMAP_MAYMOVE))
        return r;
    to = find_gap(p, nlen);
    return to ? move_range(p, old, olen, to, nlen, v) : LX_ERR(LX_ENOMEM);
}
