/*
 * Address spaces of a mediated guest's processes. The guest kernel holds
 * no paging authority, so each of its processes' page directories is the
 * VMM's: made from the guest's quota with an ASID from the VMM's pool
 * (vmm_plan_own_pool(): no pool is the guest's), kept in a memmgr VSpace
 * owned by the guest's struct mm, so the page tables its mappings need
 * are charged to the quota as well. A frame of the guest's may be mapped
 * in any number of its processes (fork shares pages): each mapping is a
 * copy of the frame's capability in one of the VMM's slots for the guest,
 * made on SPACE_MAP and deleted on SPACE_UNMAP, and the frame counts its
 * mappings (med_obj_t.uses), so it cannot be freed while a process maps it.
 * copy_of[] says, by slot, which frame a copy is of.
 */
#include <vmm/mediate.h>
#include <vmm/guest_abi.h>
#include <sel4/sel4.h>

#define DEPTH   seL4_WordBits

static struct mm_vspace *space_of(vmm_domain_t *d, seL4_Word handle)
{
    med_obj_t *o = med_lookup(d->ms->handle, DOMAIN_MAX_HANDLES, handle, MED_SPACE, MED_ANY_TYPE);

    return o ? &d->space[o->where] : NULL;
}

static seL4_Error space_new(vmm_domain_t *d, seL4_Word *handle)
{
    uint32_t i;
    med_obj_t *o;

    for (i = 0; i < DOMAIN_MAX_SPACES && d->space[i].mm; i++)
        ;
    if (i == DOMAIN_MAX_SPACES)
        return seL4_NotEnoughMemory;
    if (mm_vspace_create(&d->med, &d->space[i], d->asid_pool) != ERR_NONE) {
        d->space[i] = (struct mm_vspace){ 0 };
        return seL4_NotEnoughMemory;
    }
    if (mediate_new_handle(d, MED_SPACE, d->space[i].pd, handle, &o) != seL4_NoError) {
        mm_vspace_destroy(&d->space[i]);
        d->space[i] = (struct mm_vspace){ 0 };
        return seL4_NotEnoughMemory;
    }
    o->where = i;
    return seL4_NoError;
}

static seL4_Error space_map(vmm_domain_t *d, seL4_Word sh, seL4_Word fh, seL4_Word va,
                            seL4_Word rights)
{
    struct mm_vspace *vs = space_of(d, sh);
    med_obj_t *f = med_lookup(d->ms->handle, DOMAIN_MAX_HANDLES, fh, MED_OBJECT, seL4_X86_4K);
    mm_cptr_t copy;

    if (!vs || !f || med_check_proc_vaddr(va) || med_check_rights(rights))
        return seL4_InvalidArgument;
    if (mm_vspace_lookup(vs, va))
        return seL4_DeleteFirst;
    if (mm_slot_alloc(&d->med, &copy) != ERR_NONE)
        return seL4_NotEnoughMemory;
    if (seL4_CNode_Copy(d->med.root, copy, DEPTH, d->med.root, f->cap, DEPTH,
                        seL4_AllRights) != seL4_NoError) {
        mm_slot_free(&d->med, copy);
        return seL4_NotEnoughMemory;
    }
    if (mm_vspace_map(vs, copy, va, rights, 0, 0) != ERR_NONE) {
        seL4_CNode_Delete(d->med.root, copy, DEPTH);
        mm_slot_free(&d->med, copy);
        return seL4_NotEnoughMemory;
    }
    d->ms->copy_of[copy - d->med_slots] = (uint16_t)fh;
    f->uses++;
    return seL4_NoError;
}

/* Cannot fail once the mapping is known to be there. */
static void unmap_copy(vmm_domain_t *d, struct mm_vspace *vs, uint32_t va)
{
    mm_cptr_t copy = mm_vspace_lookup(vs, va);
    uint32_t fh = d->ms->copy_of[copy - d->med_slots];

    mm_vspace_unmap(vs, va);
    seL4_CNode_Delete(d->med.root, copy, DEPTH);
    mm_slot_free(&d->med, copy);
    d->ms->copy_of[copy - d->med_slots] = 0;
    d->ms->handle[fh - 1].uses--;
}

static seL4_Error space_unmap(vmm_domain_t *d, seL4_Word sh, seL4_Word va)
{
    struct mm_vspace *vs = space_of(d, sh);

    if (!vs || med_check_proc_vaddr(va) || !mm_vspace_lookup(vs, va))
        return seL4_InvalidArgument;
    unmap_copy(d, vs, va);
    return seL4_NoError;
}

static seL4_Error space_protect(vmm_domain_t *d, seL4_Word sh, seL4_Word va, seL4_Word rights)
{
    struct mm_vspace *vs = space_of(d, sh);

    if (!vs || med_check_proc_vaddr(va) || med_check_rights(rights) ||
        !mm_vspace_lookup(vs, va))
        return seL4_InvalidArgument;
    return (seL4_Error)mm_vspace_protect(vs, va, rights);
}

/* Every mapping's copy, then the page tables and the page directory (its
 * ASID goes with it). */
void mediate_space_free(vmm_domain_t *d, med_obj_t *o)
{
    struct mm_vspace *vs = &d->space[o->where];

    for (;;) {
        struct mm_pt *pt = vs->pts;
        while (pt && !pt->maps)
            pt = pt->next;
        if (!pt)
            break;
        unmap_copy(d, vs, mm_map_vaddr(pt->maps));
    }
    mm_vspace_destroy(vs);
    *vs = (struct mm_vspace){ 0 };
    *o = (med_obj_t){ 0 };
}

seL4_Error mediate_space_call(vmm_domain_t *d, seL4_Word label, seL4_Word *mr,
                              seL4_Word *nreply)
{
    seL4_Error e;

    switch (label) {
    case VMM_CALL_SPACE:
        e = space_new(d, &mr[0]);
        *nreply = e == seL4_NoError;
        return e;
    case VMM_CALL_SPACE_MAP:
        return space_map(d, mr[0], mr[1], mr[2], mr[3]);
    case VMM_CALL_SPACE_UNMAP:
        return space_unmap(d, mr[0], mr[1]);
    default:
        return space_protect(d, mr[0], mr[1], mr[2]);
    }
}
