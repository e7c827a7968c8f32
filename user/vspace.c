/*
 * Mapping frames into the root task's own VSpace for the runtime: a frame
 * map that makes the missing page table on the first FailedLookup (x86 has
 * two levels, so one retry suffices), and a bump region for fresh pages.
 */
#include <rt/alloc.h>

#define RT_LARGE_PAGE_MASK (((seL4_Word)1 << seL4_LargePageBits) - 1)

seL4_Error rt_map_frame_in(rt_alloc_t *a, seL4_CPtr frame, seL4_Word vaddr,
                           seL4_CapRights_t rights, seL4_X86_VMAttributes attr)
{
    seL4_Error err = seL4_X86_Page_Map(frame, seL4_CapInitThreadVSpace, vaddr, rights, attr);
    seL4_CPtr pt;

    if (err != seL4_FailedLookup)
        return err;
    pt = rt_alloc_object_in(a, seL4_X86_PageTableObject, 0);
    if (pt == 0)
        return a->last_error;
    err = seL4_X86_PageTable_Map(pt, seL4_CapInitThreadVSpace, vaddr & ~RT_LARGE_PAGE_MASK,
                                 seL4_X86_Default_VMAttributes);
    if (err != seL4_NoError)
        return err;
    return seL4_X86_Page_Map(frame, seL4_CapInitThreadVSpace, vaddr, rights, attr);
}

void *rt_map_pages_in(rt_alloc_t *a, seL4_Word n, seL4_CPtr *frames)
{
    seL4_Word page = (seL4_Word)1 << seL4_PageBits;
    seL4_Word base = a->next_vaddr + page;          /* leave a guard page */

    if (n == 0 || n > (RT_VADDR_END - base) / page)
        return NULL;
    a->next_vaddr = base + n * page;                /* reserved even if we fail */
    for (seL4_Word i = 0; i < n; i++) {
        seL4_CPtr f = rt_alloc_object_in(a, seL4_X86_4K, 0);

        if (f == 0)
            return NULL;
        if (frames != NULL)
            frames[i] = f;          /* even if the map fails: the caller may delete it */
        a->last_error = rt_map_frame_in(a, f, base + i * page, seL4_ReadWrite,
                                        seL4_X86_Default_VMAttributes);
        if (a->last_error != seL4_NoError)
            return NULL;
    }
    return (void *)base;
}
