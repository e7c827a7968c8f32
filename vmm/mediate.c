/*
 * The mediated policy's protocol (vmm/include/vmm/guest_abi.h): a guest
 * without untypeds and without paging authority asks the VMM for every
 * object and every mapping. The VMM makes the object from the guest's own
 * quota (a struct mm over untypeds of the guest's configured size, kept
 * in the VMM's CSpace), keeps the capability and returns a handle, a small
 * index into the domain's table (vmm/include/vmm/mediate_check.h): the
 * guest never holds the capability, so it cannot pool objects and amortise
 * the mediation away. A mapping goes into the guest's page directory
 * through a memmgr VSpace owned by the guest's struct mm (domain.c), which
 * makes page tables on demand from the same quota: they count as the
 * guest's use. Its processes' address spaces and threads are handles too
 * (vmm/mediate_space.c, vmm/mediate_thread.c).
 *
 * Everything in a request is checked before use (vmm/mediate_check.c): the
 * message's length, the handle's range and that it names a live thing of
 * the right kind, the address, the rights. A refusal is an seL4 error in
 * the reply's label and changes nothing; the guest is never stopped for a
 * bad request, and the VMM never waits for it.
 */
#include <vmm/mediate.h>
#include <vmm/guest_abi.h>
#include <sel4/sel4.h>

#define MED_META_PER_PAGE   32u     /* memmgr records of a page: its two mappings */


/* Words each call must send (guest_abi.h); calls not listed are not ours. */
static uint32_t words_needed(seL4_Word label)
{
    switch (label) {
    case VMM_CALL_QUERY: case VMM_CALL_SPACE: return 0;
    case VMM_CALL_UNMAP: case VMM_CALL_FREE: case VMM_CALL_THREAD_READ:
    case VMM_CALL_THREAD_STOP: case VMM_CALL_THREAD_RESUME: return 1;
    case VMM_CALL_ALLOC: case VMM_CALL_SPACE_UNMAP: case VMM_CALL_THREAD_TLS:
    case VMM_CALL_EP_GIVE: return 2;
    case VMM_CALL_MAP: case VMM_CALL_SPACE_PROTECT: return 3;
    case VMM_CALL_SPACE_MAP: case VMM_CALL_THREAD: return 4;
    case VMM_CALL_THREAD_START: return 1 + VMM_CONTEXT_WORDS;
    case VMM_CALL_THREAD_WRITE: return 2;       /* and the words it names: checked there */
    default: return MEDIATE_MAX_MRS + 1;
    }
}

seL4_Error mediate_new_handle(vmm_domain_t *d, uint32_t kind, mm_cptr_t cap, seL4_Word *handle,
                              med_obj_t **op)
{
    uint32_t i = med_free_entry(d->ms->handle, DOMAIN_MAX_HANDLES, d->handle_hint);

    if (i == DOMAIN_MAX_HANDLES)
        return seL4_NotEnoughMemory;
    d->handle_hint = i + 1;
    d->ms->handle[i] = (med_obj_t){ .cap = cap, .kind = kind };
    d->n_handles++;
    *handle = i + 1;
    *op = &d->ms->handle[i];
    return seL4_NoError;
}

static seL4_Error alloc(vmm_domain_t *d, seL4_Word type, seL4_Word bits, seL4_Word *handle)
{
    mm_err_t e = med_check_alloc(type, bits);
    med_obj_t *o;
    mm_cptr_t cap;

    if (e != ERR_NONE)
        return (seL4_Error)e;
    if (mm_alloc(&d->med, type, bits, &cap) != ERR_NONE)
        return seL4_NotEnoughMemory;
    if (mediate_new_handle(d, MED_OBJECT, cap, handle, &o) != seL4_NoError) {
        mm_free(&d->med, cap);
        return seL4_NotEnoughMemory;
    }
    o->type = (uint8_t)type;
    return seL4_NoError;
}

/* A frame into the guest's own space (one mapping per frame). */
static seL4_Error map(vmm_domain_t *d, seL4_Word handle, seL4_Word va, seL4_Word rights)
{
    med_obj_t *o = med_lookup(d->ms->handle, DOMAIN_MAX_HANDLES, handle, MED_OBJECT, seL4_X86_4K);

    if (!o || med_check_own_vaddr(va) || med_check_rights(rights))
        return seL4_InvalidArgument;
    if (mm_vspace_lookup(&d->med_vs, va) || o->where)
        return seL4_DeleteFirst;
    if (mm_vspace_map(&d->med_vs, o->cap, va, rights, 0, 0) != ERR_NONE)
        return seL4_NotEnoughMemory;
    o->where = va;
    return seL4_NoError;
}

static seL4_Error unmap(vmm_domain_t *d, seL4_Word va)
{
    if (med_check_own_vaddr(va) || !mm_vspace_lookup(&d->med_vs, va))
        return seL4_InvalidArgument;
    for (uint32_t h = 0; h < DOMAIN_MAX_HANDLES; h++)
        if (d->ms->handle[h].kind == MED_OBJECT && d->ms->handle[h].type == seL4_X86_4K &&
            d->ms->handle[h].where == va)
            d->ms->handle[h].where = 0;
    return mm_vspace_unmap(&d->med_vs, va) == ERR_NONE ? seL4_NoError : seL4_InvalidArgument;
}

/* An object's handle: unmapped from the guest first (so its record goes),
 * refused while a process still maps it. Freeing an endpoint revokes it:
 * the guest's copy and its threads' fault capabilities go with it. */
static void object_free(vmm_domain_t *d, med_obj_t *o)
{
    if (o->type == seL4_X86_4K && o->where)
        mm_vspace_unmap(&d->med_vs, o->where);
    mm_free(&d->med, o->cap);
    *o = (med_obj_t){ 0 };
}

static seL4_Error release(vmm_domain_t *d, seL4_Word handle)
{
    med_obj_t *o = handle >= 1 && handle <= DOMAIN_MAX_HANDLES ? &d->ms->handle[handle - 1] : NULL;

    if (!o || o->kind == MED_FREE)
        return seL4_InvalidArgument;
    if (o->uses)
        return seL4_DeleteFirst;
    if (o->kind == MED_OBJECT)
        object_free(d, o);
    else if (o->kind == MED_SPACE)
        mediate_space_free(d, o);
    else
        mediate_thread_free(d, o);
    d->n_handles--;
    if (handle - 1 < d->handle_hint)
        d->handle_hint = handle - 1;
    return seL4_NoError;
}

/* Objects memmgr keeps pooled for the guest's next request: each holds one
 * of the guest's slots until it is reused or drained. */
static uint32_t pooled(const vmm_domain_t *d)
{
    uint32_t n = 0;

    for (uint32_t p = 0; p < MM_NUM_POOLS; p++)
        n += d->med.pools[p].count;
    return n;
}

/* Pages the VMM can still keep for the guest, whatever its quota: a page
 * of a process takes a handle, two of the guest's slots (the frame and its
 * copy in the process) and records of memmgr's. Pooled objects' slots
 * count as free (a request short of slots drains the pools first), the
 * last MM_SLOT_LOW_WATER do not (memmgr keeps them for its own splits). */
static uint32_t room(const vmm_domain_t *d)
{
    const struct mm_stats *st = mm_stats(&d->med);
    uint32_t n = DOMAIN_MAX_HANDLES - d->n_handles;
    uint64_t meta = (st->meta_size - st->meta_used) / MED_META_PER_PAGE;
    uint32_t slots = d->med.slots_free + pooled(d);

    slots = slots > MM_SLOT_LOW_WATER ? slots - MM_SLOT_LOW_WATER : 0;

    if (slots / 2 < n)
        n = slots / 2;
    return meta < n ? (uint32_t)meta : n;
}

void mediate_release_all(vmm_domain_t *d)
{
    for (uint32_t pass = MED_THREAD; pass >= MED_OBJECT; pass--)
        for (uint32_t h = 0; h < DOMAIN_MAX_HANDLES; h++)
            if (d->ms->handle[h].kind == pass)
                release(d, h + 1);
    d->med_vs.owned = 0;            /* its page directory is d->vs's (give_memory()) */
    mm_vspace_destroy(&d->med_vs);
}

/* The objects the guest holds now; what memmgr keeps pooled or split for
 * its next request is the guest's quota still, not its use. */
uint64_t mediate_used(const vmm_domain_t *d)
{
    const struct mm_stats *s = mm_stats(&d->med);
    uint64_t live = 0;

    for (uint32_t t = 0; t < OBJ_NUM_TYPES; t++)
        live += s->live[t];
    return live;
}

static seL4_Error dispatch(vmm_domain_t *d, seL4_Word label, seL4_Word *mr, seL4_Word nmr,
                           seL4_Word *nreply)
{
    seL4_Error e = seL4_IllegalOperation;

    *nreply = 0;
    switch (label) {
    case VMM_CALL_ALLOC:
        e = alloc(d, mr[0], mr[1], &mr[0]);
        *nreply = e == seL4_NoError;
        break;
    case VMM_CALL_MAP:
        e = map(d, mr[0], mr[1], mr[2]);
        break;
    case VMM_CALL_UNMAP:
        e = unmap(d, mr[0]);
        break;
    case VMM_CALL_FREE:
        e = release(d, mr[0]);
        break;
    case VMM_CALL_QUERY:
        mr[0] = (seL4_Word)d->g->memory;
        mr[1] = (seL4_Word)mediate_used(d);
        mr[2] = room(d);
        *nreply = 3;
        e = seL4_NoError;
        break;
    case VMM_CALL_SPACE: case VMM_CALL_SPACE_MAP: case VMM_CALL_SPACE_UNMAP:
    case VMM_CALL_SPACE_PROTECT:
        e = mediate_space_call(d, label, mr, nreply);
        break;
    default:
        e = mediate_thread_call(d, label, mr, nmr, nreply);
        break;
    }
    return e;
}

/*
 * Freed objects stay pooled for the guest's next request, each holding one
 * of the slots the VMM keeps for the guest; memmgr drains its pools (and
 * merges free halves) when memory runs short, not when slots do. So a
 * request refused for want of anything is tried once more after the pools
 * are drained: a refusal changes nothing, so the second try starts from
 * the same request. (Without it a guest that made and freed some thousand
 * small objects could never again make a frame: its slots sat in pools.)
 */
seL4_Error mediate_call(vmm_domain_t *d, seL4_Word label, seL4_Word *mr, seL4_Word nmr,
                        seL4_Word *nreply)
{
    seL4_Error e;

    *nreply = 0;
    if (d->g->policy != VMM_POLICY_MEDIATED || words_needed(label) > MEDIATE_MAX_MRS)
        return seL4_IllegalOperation;
    if (nmr < words_needed(label))
        return seL4_TruncatedMessage;
    e = dispatch(d, label, mr, nmr, nreply);
    if (e == seL4_NotEnoughMemory && pooled(d) != 0) {
        mm_drain(&d->med);
        e = dispatch(d, label, mr, nmr, nreply);
    }
    return e;
}
