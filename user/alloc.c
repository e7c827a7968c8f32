/*
 * Bump allocation of slots and objects from bootinfo (see rt/alloc.h).
 */
#include <rt/alloc.h>
#include <string.h>

static rt_alloc_t rt_root_alloc;        /* the root task's; see rt_start.c */

rt_alloc_t *rt_default_alloc(void)
{
    return &rt_root_alloc;
}

void rt_alloc_init(rt_alloc_t *a, bootinfo_t *bi)
{
    memset(a, 0, sizeof(*a));
    a->bi = bi;
    a->next_slot = bi->empty.start;
    a->end_slot = bi->empty.end;
    a->next_vaddr = RT_VADDR_BASE;
}

seL4_CPtr rt_alloc_slot_in(rt_alloc_t *a)
{
    if (a->next_slot >= a->end_slot)
        return 0;
    return a->next_slot++;
}

seL4_Word rt_object_size_bits(seL4_Word type, seL4_Word size_bits)
{
    switch (type) {
    case seL4_UntypedObject: return size_bits;
    case seL4_TCBObject: return seL4_TCBBits;
    case seL4_EndpointObject: return seL4_EndpointBits;
    case seL4_NotificationObject: return seL4_NotificationBits;
    case seL4_CapTableObject: return size_bits + seL4_SlotBits;
    case seL4_X86_4K: return seL4_PageBits;
    case seL4_X86_LargePageObject: return seL4_LargePageBits;
    case seL4_X86_PageTableObject: return seL4_PageTableBits;
    case seL4_X86_PageDirectoryObject: return seL4_PageDirBits;
    default: return 0;
    }
}

/* Index of an untyped with room for 2^bits at an aligned offset, or -1;
 * *offset receives that offset. */
static int find_untyped(rt_alloc_t *a, seL4_Word bits, seL4_Word *offset)
{
    seL4_Word n = a->bi->untyped.end - a->bi->untyped.start;
    seL4_Word size = (seL4_Word)1 << bits;

    for (seL4_Word i = 0; i < n && i < BOOTINFO_MAX_UNTYPED_CAPS; i++) {
        const bi_untyped_desc_t *d = &a->bi->untyped_list[i];
        seL4_Word off = (a->ut_used[i] + size - 1) & ~(size - 1);

        if (d->is_device || a->ut_reserved[i] || d->size_bits < bits)
            continue;
        if (off < a->ut_used[i] || off + size > ((seL4_Word)1 << d->size_bits))
            continue;
        *offset = off;
        return (int)i;
    }
    return -1;
}

seL4_CPtr rt_alloc_object_in(rt_alloc_t *a, seL4_Word type, seL4_Word size_bits)
{
    seL4_Word bits = rt_object_size_bits(type, size_bits), off;
    seL4_CPtr slot;
    int i;

    a->last_error = seL4_NotEnoughMemory;
    if (bits == 0 || bits > seL4_MaxUntypedBits)
        return 0;
    i = find_untyped(a, bits, &off);
    if (i < 0)
        return 0;
    slot = rt_alloc_slot_in(a);
    if (slot == 0)
        return 0;
    a->last_error = seL4_Untyped_Retype(a->bi->untyped.start + (seL4_Word)i, type, size_bits,
                                        seL4_CapInitThreadCNode, 0, 0, slot, 1);
    if (a->last_error != seL4_NoError) {
        a->next_slot--;             /* the slot is still empty: reuse it */
        return 0;
    }
    a->ut_used[i] = off + ((seL4_Word)1 << bits);
    return slot;
}

seL4_CPtr rt_alloc_reserve_untyped(rt_alloc_t *a, seL4_Word size_bits, seL4_Word *index)
{
    seL4_Word n = a->bi->untyped.end - a->bi->untyped.start;
    int best = -1;

    /* The smallest fresh untyped that is large enough. */
    for (seL4_Word i = 0; i < n && i < BOOTINFO_MAX_UNTYPED_CAPS; i++) {
        const bi_untyped_desc_t *d = &a->bi->untyped_list[i];

        if (d->is_device || a->ut_reserved[i] || a->ut_used[i] != 0 || d->size_bits < size_bits)
            continue;
        if (best < 0 || d->size_bits < a->bi->untyped_list[best].size_bits)
            best = (int)i;
    }
    if (best < 0)
        return 0;
    a->ut_reserved[best] = 1;
    if (index != NULL)
        *index = (seL4_Word)best;
    return a->bi->untyped.start + (seL4_Word)best;
}
