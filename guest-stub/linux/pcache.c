/*
 * The page cache: a regular file's bytes live in page-sized frames of the
 * guest's (ops->page_new), page i of the file in n->pages[i], so that the
 * same frame serves read() and write() and is mapped into every process
 * that maps the file -- as Linux's page cache serves tmpfs. A page never
 * written is a hole (mem NULL) and reads as zeros; the bytes of the last
 * page past the end of the file are kept zero, so a file that grows shows
 * zeros there.
 *
 * A file mapping (lx_vma_t.file) maps nothing when mmap2 makes it. Its
 * first touch faults; the guest kernel finds nothing in its own page table
 * and asks lx_file_fault(), which maps the page-cache page itself (one
 * capability copy of its frame per mapping: seL4 needs one per mapping)
 * -- read-only and copied on the first write for MAP_PRIVATE (a write
 * fault there copies at once: one fault, as Linux's do_cow_fault), with the
 * region's rights for MAP_SHARED, whose writes are then the file's. A read
 * fault also maps the page's cached neighbours in the same 64 KiB window
 * of the region (fault-around, as Linux's do_fault_around()), so reading a
 * mapped file in order takes one fault per 16 pages. A touch past the last
 * page of the file is SIGBUS, as on Linux.
 *
 * Truncation keeps mappings coherent: the pages past the new end leave the
 * cache and every mapping of them (private copies too, as Linux's
 * truncate_pagecache()); a frame goes back to the guest when neither the
 * cache nor a mapping holds it (the guest kernel counts the holders).
 */
#include "lx.h"
#include "linux/mman.h"
#include <string.h>

#define PG              LX_PAGE_SIZE
#define FAULT_AROUND    16u     /* pages: Linux's fault_around_bytes, 64 KiB (mm/memory.c) */

static uint32_t pages_for(uint32_t size)
{
    return (uint32_t)(((uint64_t)size + PG - 1) / PG);
}

/* Room for want entries in n->pages: exactly want the first time (an
 * initramfs member is written in one go), doubling after. */
static int pages_reserve(lx_kernel_t *k, lx_inode_t *n, uint32_t want)
{
    uint32_t cnt = n->npages ? n->npages * 2 : want;
    lx_page_t *a;

    if (want <= n->npages)
        return 0;
    while (cnt < want)
        cnt *= 2;
    a = lx_alloc(k, cnt * (uint32_t)sizeof(*a));
    if (!a)
        return LX_ERR(LX_ENOSPC);
    if (n->pages) {
        memcpy(a, n->pages, n->npages * sizeof(*a));
        lx_free(k, n->pages, n->npages * (uint32_t)sizeof(*a));
    }
    n->pages = a;
    n->npages = cnt;
    return 0;
}

/* Page i of the file, made (zeroed) if it is a hole. */
static int page_at(lx_kernel_t *k, lx_inode_t *n, uint32_t i, lx_page_t **out)
{
    int err = pages_reserve(k, n, i + 1);
    lx_page_t *pg;

    if (err)
        return err;
    pg = &n->pages[i];
    if (!pg->mem) {
        err = k->ops->page_new(k->ctx, pg);
        if (err) {
            *pg = (lx_page_t){ NULL, 0 };
            return err;
        }
        k->mem_used += PG;
    }
    *out = pg;
    return 0;
}

static void page_drop(lx_kernel_t *k, lx_page_t *pg)
{
    if (!pg->mem)
        return;
    k->ops->page_put(k->ctx, pg);
    k->mem_used -= PG;
    *pg = (lx_page_t){ NULL, 0 };
}

int32_t lx_pcache_read(const lx_inode_t *n, uint32_t off, void *buf, uint32_t len)
{
    uint8_t *b = buf;

    if (off >= n->size)
        return 0;
    if (len > n->size - off)
        len = n->size - off;
    for (uint32_t done = 0; done < len;) {
        uint32_t at = off + done, i = at / PG, in = at % PG;
        uint32_t cnt = PG - in < len - done ? PG - in : len - done;
        const lx_page_t *pg = i < n->npages ? &n->pages[i] : NULL;

        if (pg && pg->mem)
            memcpy(b + done, pg->mem + in, cnt);
        else
            memset(b + done, 0, cnt);
        done += cnt;
    }
    return (int32_t)len;
}

/* The file grows to size: what a shared mapping wrote past the old end in
 * its last page is not the file's, and reads as zeros now. */
static void zero_tail(lx_inode_t *n)
{
    uint32_t i = n->size / PG, in = n->size % PG;

    if (in && i < n->npages && n->pages[i].mem)
        memset(n->pages[i].mem + in, 0, PG - in);
}

/* The caller checked that off + len does not wrap. A write that runs out
 * of memory keeps what it wrote (the file ends after it) and fails. */
int lx_pcache_write(lx_kernel_t *k, lx_inode_t *n, uint32_t off, const void *src, uint32_t len)
{
    const uint8_t *s = src;
    uint32_t done = 0;
    int err = 0;

    if (off + len > n->size)
        zero_tail(n);
    while (done < len) {
        uint32_t at = off + done, in = at % PG;
        uint32_t cnt = PG - in < len - done ? PG - in : len - done;
        lx_page_t *pg;

        err = page_at(k, n, at / PG, &pg);
        if (err)
            break;
        memcpy(pg->mem + in, s + done, cnt);
        done += cnt;
    }
    if (done && off + done > n->size)
        n->size = off + done;
    if (err)
        lx_pcache_set_size(k, n, n->size);   /* pages made past the end go */
    return err;
}

/* Every mapping of file page first and after loses those pages: a touch
 * faults again, and past the end of the file that is SIGBUS. */
static void unmap_from(lx_kernel_t *k, const lx_inode_t *n, uint32_t first)
{
    for (lx_proc_t *p = k->procs; p; p = p->next) {
        for (int i = 0; i < LX_VMA_MAX; i++) {
            const lx_vma_t *v = &p->vma[i];
            uint32_t last = v->pgoff + (v->end - v->start) / PG, va;

            if (v->file != n || last <= first)
                continue;
            va = first > v->pgoff ? v->start + (first - v->pgoff) * PG : v->start;
            k->ops->unmap(p->space, va, v->end - va);
        }
    }
}

/* Grows (the new bytes are holes) or shrinks the file; shrinking drops
 * the pages past the end from the cache and from every mapping. */
int lx_pcache_set_size(lx_kernel_t *k, lx_inode_t *n, uint32_t size)
{
    uint32_t keep = pages_for(size);

    if (size >= n->size) {
        zero_tail(n);
        n->size = size;
        return 0;
    }
    unmap_from(k, n, keep);
    for (uint32_t i = keep; i < n->npages; i++)
        page_drop(k, &n->pages[i]);
    n->size = size;
    zero_tail(n);
    if (keep == 0)
        lx_pcache_release(k, n);
    return 0;
}

void lx_pcache_release(lx_kernel_t *k, lx_inode_t *n)
{
    for (uint32_t i = 0; i < n->npages; i++)
        page_drop(k, &n->pages[i]);
    if (n->pages)
        lx_free(k, n->pages, n->npages * (uint32_t)sizeof(*n->pages));
    n->pages = NULL;
    n->npages = 0;
}

/* ------------------------------------------------------------------ */
/* File mappings                                                       */

/* A region mapped from a description open for writing holds write access
 * as the description did (Linux's vma holds the struct file). */
void lx_vma_hold(lx_vma_t *v)
{
    if (!v->file)
        return;
    v->file->opens++;
    if (v->flags & LX_VMA_WRITER)
        v->file->writers++;
}

void lx_vma_drop(lx_kernel_t *k, lx_vma_t *v)
{
    lx_inode_t *n = v->file;

    if (!n)
        return;
    v->file = NULL;
    n->opens--;
    if (v->flags & LX_VMA_WRITER)
        n->writers--;
    lx_fs_put(k, n);
}

static lx_vma_t *vma_at(lx_proc_t *p, uint32_t addr)
{
    for (int i = 0; i < LX_VMA_MAX; i++) {
        lx_vma_t *v = &p->vma[i];
        if (v->end && v->start <= addr && addr < v->end)
            return v;
    }
    return NULL;
}

/* A write fault on a private page copies the cache page at once (Linux's
 * do_cow_fault): one fault, where mapping the cache's frame and copying it
 * on the write that follows would take two. */
static int map_one(lx_proc_t *p, const lx_vma_t *v, uint32_t va, const lx_page_t *pg,
                   bool write)
{
    uint32_t how = (v->flags & LX_VMA_SHARED) ? LX_MAP_PAGE_SHARED
                 : write ? LX_MAP_PAGE_COPY : LX_MAP_PAGE_PRIVATE;

    return p->k->ops->map_page(p->space, va, pg, v->prot, how);
}

/* The cached pages of the fault's 64 KiB window, within the region and the
 * file, that are not mapped yet (map_page refuses those that are). */
static void fault_around(lx_proc_t *p, const lx_vma_t *v, uint32_t va)
{
    const lx_inode_t *n = v->file;
    uint32_t lo = va & ~(FAULT_AROUND * PG - 1), hi, eof = pages_for(n->size);

    if (lo < v->start)
        lo = v->start;
    hi = lo + FAULT_AROUND * PG;
    if (hi > v->end || hi < lo)
        hi = v->end;
    for (uint32_t a = lo; a < hi; a += PG) {
        uint32_t i = v->pgoff + (a - v->start) / PG;

        if (a == va || i >= eof || i >= n->npages || !n->pages[i].mem)
            continue;
        if (map_one(p, v, a, &n->pages[i], false) == LX_ERR(LX_ENOMEM))
            return;
    }
}

int lx_file_fault(lx_proc_t *p, uint32_t addr, bool write)
{
    lx_vma_t *v = vma_at(p, addr);
    uint32_t va = addr & ~(PG - 1), i;
    lx_page_t *pg;
    int err;

    if (!v || !v->file || !(v->prot & (LX_PROT_READ | LX_PROT_WRITE | LX_PROT_EXEC)) ||
            (write && !(v->prot & LX_PROT_WRITE)))
        return LX_ERR(LX_EFAULT);
    i = v->pgoff + (va - v->start) / PG;
    if (i >= pages_for(v->file->size))
        return LX_ERR(LX_EIO);
    err = page_at(p->k, v->file, i, &pg);
    if (err)
        return LX_ERR(LX_ENOMEM);
    err = map_one(p, v, va, pg, write);
    if (err)
        return err == LX_ERR(LX_EEXIST) ? LX_ERR(LX_EFAULT) : err;
    if (!write)
        fault_around(p, v, va);
    return 0;
}

/* The caller checked the range (len > 0, no wrap). */
bool lx_file_populate(lx_proc_t *p, uint32_t addr, uint32_t len, bool write)
{
    uint32_t last = (addr + len - 1) & ~(PG - 1);
    bool any = false;

    for (uint32_t a = addr & ~(PG - 1);; a += PG) {
        if (lx_file_fault(p, a, write) == 0)
            any = true;
        if (a == last)
            return any;
    }
}
