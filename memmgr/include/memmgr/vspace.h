/*
 * memmgr's VSpace helper: an address space is a page directory with an
 * ASID, and memmgr records every mapping made through it, so it can make
 * page tables on demand, free a page table the moment its last mapping
 * goes (a count per page table), and take a page table back under memory
 * pressure and rebuild it later from the records (the page tables of an
 * address space are cache-able objects: their content is derived state).
 *
 * Records live in the owner's metadata area and are counted as memmgr's
 * bookkeeping (16 bytes per mapping, 32 per page table).
 */
#ifndef MEMMGR_VSPACE_H
#define MEMMGR_VSPACE_H

#include <memmgr/mm.h>

#define MM_LARGE_PAGE_BITS  LARGE_PAGE_BITS
/* Rights as seL4_CapRights_t's word (write 1, read 2; grant and
 * grant-reply bits are ignored by Map). */
#define MM_RIGHT_WRITE      0x1u
#define MM_RIGHT_READ       0x2u
#define MM_RW               (MM_RIGHT_READ | MM_RIGHT_WRITE)
#define MM_RO               MM_RIGHT_READ

/* One mapping, 16 bytes: a page address leaves its low 12 bits free for
 * the rights (read and write: Map ignores the grant bits), whether a
 * reclaim unmapped it (evicted, to be restored) and the attributes. */
struct mm_map {
    struct mm_map *next;
    struct mm_map **pprev;      /* the link to it: removed without a search */
    mm_cptr_t frame;
    uint32_t where;             /* vaddr | attr << 3 | evicted << 2 | rights */
};

#define MM_MAP_RIGHTS       0x3u
#define MM_MAP_EVICTED      0x4u
#define MM_MAP_ATTR_SHIFT   3u
#define MM_MAP_ATTR_MASK    0xffu

static inline uint32_t mm_map_vaddr(const struct mm_map *m)
{
    return m->where & ~0xfffu;
}

static inline uint32_t mm_map_rights(const struct mm_map *m)
{
    return m->where & MM_MAP_RIGHTS;
}

static inline uint32_t mm_map_attr(const struct mm_map *m)
{
    return (m->where >> MM_MAP_ATTR_SHIFT) & MM_MAP_ATTR_MASK;
}

static inline int mm_map_evicted(const struct mm_map *m)
{
    return (m->where & MM_MAP_EVICTED) != 0;
}

struct mm_pt {
    struct mm_pt *next;         /* in its address space */
    struct mm_pt *fifo_next;    /* reclaim FIFO (struct mm) */
    struct mm_vspace *vs;
    struct mm_map *maps;
    mm_cptr_t cap;              /* 0 while evicted or foreign */
    uint32_t base;              /* the 4 MiB region it translates */
    uint32_t nmaps;             /* present mappings */
    uint8_t foreign;            /* made by someone else: never freed */
    uint8_t in_fifo;
};

struct mm_vspace {
    struct mm *mm;
    mm_cptr_t pd;
    int owned;                  /* memmgr made the page directory */
    int cacheable;              /* its page tables may be reclaimed */
    struct mm_pt *pts;
    struct mm_pt *hint;         /* the page table record found last */
    struct mm_map *large;       /* 4 MiB mappings (no page table) */
    mm_reclaim_fn on_reclaim;
    void *arg;
};

/* A new address space: page directory from mm's pool, ASID from asid_pool. */
mm_err_t mm_vspace_create(struct mm *mm, struct mm_vspace *vs, mm_cptr_t asid_pool);
/* Wrap an existing page directory (e.g. the root task's own). */
void mm_vspace_adopt(struct mm *mm, struct mm_vspace *vs, mm_cptr_t pd);
/* Page tables of vs may be taken back under pressure; cb is told. */
void mm_vspace_set_cacheable(struct mm_vspace *vs, mm_reclaim_fn cb, void *arg);
/* Map a 4 KiB frame (or 4 MiB at a 4 MiB aligned vaddr if large). */
mm_err_t mm_vspace_map(struct mm_vspace *vs, mm_cptr_t frame, uint32_t vaddr,
                       uint32_t rights, uint32_t attr, int large);
mm_err_t mm_vspace_unmap(struct mm_vspace *vs, uint32_t vaddr);
/* New rights for the mapping at vaddr (read-only and back, for COW). */
mm_err_t mm_vspace_protect(struct mm_vspace *vs, uint32_t vaddr, uint32_t rights);
/* For an owner that keeps its own table of what it mapped (a guest
 * kernel's page tables of its processes): maps a 4 KiB frame at vaddr,
 * which the caller knows is unmapped, without looking for a mapping there
 * (mm_vspace_map's search), and names the record in *rec, through which
 * the two calls below find it without a search either. The record is a
 * mapping like any other (reclaim, destroy and lookup see it). */
mm_err_t mm_vspace_map_page(struct mm_vspace *vs, mm_cptr_t frame, uint32_t vaddr,
                            uint32_t rights, struct mm_map **rec);
void mm_vspace_unmap_page(struct mm_vspace *vs, struct mm_map *rec);
mm_err_t mm_vspace_protect_page(struct mm_vspace *vs, struct mm_map *rec, uint32_t rights);
/* Maps again what a reclaim of the page table covering vaddr unmapped. */
mm_err_t mm_vspace_restore(struct mm_vspace *vs, uint32_t vaddr);
/* The frame mapped at vaddr, 0 if none (evicted mappings count). */
mm_cptr_t mm_vspace_lookup(const struct mm_vspace *vs, uint32_t vaddr);
/* Backs [vaddr, vaddr + size) (page-aligned) with fresh frames from the
 * owner's pools, mapped with rights and attr: 4 MiB frames where a
 * stretch is 4 MiB-aligned and long enough and mm->prefer_large allows,
 * 4 KiB frames elsewhere. A failure gives back what it had made. */
mm_err_t mm_vspace_back(struct mm_vspace *vs, uint32_t vaddr, uint32_t size, uint32_t rights,
                        uint32_t attr);
/* Unmaps and frees the frames mapped in [vaddr, vaddr + size). */
void mm_vspace_unback(struct mm_vspace *vs, uint32_t vaddr, uint32_t size);
/* Unmaps everything, frees the page tables and (if owned) the page directory. */
void mm_vspace_destroy(struct mm_vspace *vs);
/* Page tables present (made by memmgr) in vs. */
uint32_t mm_vspace_pts(const struct mm_vspace *vs);

#endif
