/*
 * Starting an owner: the metadata area and what the owner hands in.
 *
 * memmgr has no heap. Its records (untyped records, slot bitmaps and
 * per-slot metadata, mapping and page-table records) are cut from one
 * area the owner gives it, by a bump pointer that never moves back;
 * records that are freed go on free lists and are reused. The bytes below
 * the bump pointer are the bookkeeping the accounting reports.
 */
#include "internal.h"
#include <string.h>

#define MM_META_ALIGN   8u

void *mm_meta_alloc(struct mm *mm, size_t size)
{
    size_t room = (size_t)(mm->meta_end - mm->meta_next);
    uint8_t *p = mm->meta_next;

    size = (size + MM_META_ALIGN - 1) & ~(size_t)(MM_META_ALIGN - 1);
    if (size > room)
        return NULL;
    mm->meta_next += size;
    memset(p, 0, size);
    return p;
}

mm_err_t mm_init(struct mm *mm, void *meta, size_t meta_size, mm_cptr_t root,
                 uint32_t max_uts)
{
    uintptr_t start = ((uintptr_t)meta + MM_META_ALIGN - 1) & ~(uintptr_t)(MM_META_ALIGN - 1);

    memset(mm, 0, sizeof(*mm));
    if (meta == NULL || start - (uintptr_t)meta >= meta_size || max_uts == 0 ||
        max_uts > UINT16_MAX)
        return ERR_INVALID_ARGUMENT;
    mm->meta = (uint8_t *)start;
    mm->meta_next = mm->meta;
    mm->meta_end = (uint8_t *)meta + meta_size;
    mm->st.meta_size = (uint64_t)(mm->meta_end - mm->meta);
    mm->root = root;
    mm->prefer_large = 1;
#ifndef NDEBUG
    mm->check = 1;
#endif
    mm->uts = mm_meta_alloc(mm, (size_t)max_uts * sizeof(struct mm_ut));
    if (mm->uts == NULL)
        return ERR_NOT_ENOUGH_MEMORY;
    mm->nuts = max_uts;
    acct_after(mm);
    return ERR_NONE;
}

mm_err_t mm_add_untyped(struct mm *mm, mm_cptr_t cap, uint32_t paddr, uint32_t bits,
                        int device)
{
    struct mm_ut *u;

    if (bits < MIN_UNTYPED_BITS || bits > MAX_UNTYPED_BITS || (paddr & (mm_bit(bits) - 1)) != 0)
        return ERR_INVALID_ARGUMENT;
    if (ut_find_root(mm, cap) != NULL)
        return ERR_DELETE_FIRST;
    u = ut_new(mm);
    if (u == NULL)
        return ERR_NOT_ENOUGH_MEMORY;
    u->cap = cap;
    u->paddr = paddr;
    u->bits = (uint8_t)bits;
    u->device = device != 0;
    u->kind = MM_UT_FREE;
    u->next_root = mm->roots;
    mm->roots = mm_ut_idx(mm, u);
    mm->st.held += mm_ut_size(u);
    if (u->device)
        mm->st.device_held += mm_ut_size(u);
    mm->st.free += mm_ut_size(u);
    ut_keep_reserve(mm, 0);
    acct_after(mm);
    return ERR_NONE;
}

void mm_set_grow(struct mm *mm, uint32_t l2_bits, uint32_t l1_first, uint32_t l1_end)
{
    mm->grow.l2_bits = l2_bits;
    mm->grow.l1_next = l1_first;
    mm->grow.l1_end = l1_end;
    ut_keep_reserve(mm, 0);
    acct_after(mm);
}

uint32_t mm_obj_bits(uint32_t type, uint32_t size_bits)
{
    switch (type) {
    case OBJ_UNTYPED: return size_bits;
    case OBJ_TCB: return TCB_BITS;
    case OBJ_ENDPOINT: return ENDPOINT_BITS;
    case OBJ_NOTIFICATION: return NOTIFICATION_BITS;
    case OBJ_CNODE: return size_bits + SLOT_BITS;
    case OBJ_X86_4K: return PAGE_BITS;
    case OBJ_X86_LARGE_PAGE: return LARGE_PAGE_BITS;
    case OBJ_X86_PAGE_TABLE: return PAGE_TABLE_BITS;
    case OBJ_X86_PAGE_DIRECTORY: return PAGE_DIR_BITS;
    default: return 0;
    }
}
