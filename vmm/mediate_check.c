/*
 * The mediated policy's request checks: the guest's numbers against what
 * they may name. The VMM never trusts a handle, an address, a set of
 * rights, a badge, a priority or a slot a guest sends; vmm/mediate*.c call
 * these before they touch anything, so a refused request changes nothing.
 * Pure functions (vmm/include/vmm/mediate_check.h): the host tests link
 * this file as it is.
 */
#include <vmm/mediate_check.h>
#include <vmm/guest_abi.h>
#include <memmgr/vspace.h>

#define PAGE_MASK       0xfffu
#define CNODE_MAX_BITS  12u     /* 4096 slots: more than a guest's handles */

med_obj_t *med_lookup(med_obj_t *tab, uint32_t n, uint32_t handle, uint32_t kind,
                      uint32_t type)
{
    med_obj_t *o;

    if (handle == 0 || handle > n)
        return NULL;
    o = &tab[handle - 1];
    if (o->kind == MED_FREE || o->kind != kind)
        return NULL;
    if (kind == MED_OBJECT && type != MED_ANY_TYPE && o->type != type)
        return NULL;
    return o;
}

uint32_t med_free_entry(const med_obj_t *tab, uint32_t n, uint32_t from)
{
    uint32_t i;

    for (i = from; i < n && tab[i].kind != MED_FREE; i++)
        ;
    return i < n ? i : n;
}

/* Any object but an untyped (that would be delegation); only a CNode has
 * a size of its choosing. */
mm_err_t med_check_alloc(uint32_t type, uint32_t bits)
{
    if (type == OBJ_UNTYPED || type >= OBJ_NUM_TYPES)
        return ERR_INVALID_ARGUMENT;
    if (type == OBJ_CNODE)
        return bits >= 1 && bits <= CNODE_MAX_BITS ? ERR_NONE : ERR_RANGE_ERROR;
    return bits == 0 ? ERR_NONE : ERR_RANGE_ERROR;
}

/* The guest's own mappings: page-aligned, in its free range (guest_abi.h),
 * away from its image, stack, boot pages, shared memory and initrd. */
mm_err_t med_check_own_vaddr(uint32_t vaddr)
{
    if ((vaddr & PAGE_MASK) != 0 || vaddr < VMM_GUEST_FREE_VADDR ||
        vaddr >= VMM_GUEST_INITRD_VADDR)
        return ERR_INVALID_ARGUMENT;
    return ERR_NONE;
}

/* A process's: page-aligned, below the kernel window, not page 0. */
mm_err_t med_check_proc_vaddr(uint32_t vaddr)
{
    if ((vaddr & PAGE_MASK) != 0 || vaddr == 0 || vaddr >= VMM_PROC_VADDR_END)
        return ERR_INVALID_ARGUMENT;
    return ERR_NONE;
}

/* Read, or read and write: nothing else a mapping can have. */
mm_err_t med_check_rights(uint32_t rights)
{
    return rights == MM_RO || rights == MM_RW ? ERR_NONE : ERR_INVALID_ARGUMENT;
}

/* Badges tell the guest's own threads apart; 0 would look like no badge. */
mm_err_t med_check_badge(uint32_t badge)
{
    return badge != 0 && badge <= VMM_BADGE_MAX ? ERR_NONE : ERR_RANGE_ERROR;
}

/* A thread runs at most at its guest's priority. */
mm_err_t med_check_priority(uint32_t prio, uint32_t guest_prio)
{
    return prio <= guest_prio ? ERR_NONE : ERR_RANGE_ERROR;
}

/* Its own slots only: below VMM_SLOT_FIRST_FREE sit the VMM's. */
mm_err_t med_check_slot(uint32_t slot)
{
    if (slot < VMM_SLOT_FIRST_FREE || slot >= (1u << VMM_GUEST_CNODE_BITS))
        return ERR_RANGE_ERROR;
    return ERR_NONE;
}
