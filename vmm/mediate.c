/*
 * The mediated policy's protocol (vmm/include/vmm/guest_abi.h): a guest
 * without untypeds and without paging authority asks the VMM for every
 * object and every mapping. The VMM makes the object from the guest's own
 * quota (a struct mm over untypeds of the guest's configured size, kept
 * in the VMM's CSpace), keeps the capability and returns a handle, a small
 * index into the domain's table: the guest never holds the capability, so
 * it cannot pool objects and amortise the mediation away. A mapping goes
 * into the guest's page directory through the VMM's memmgr VSpace, which
 * makes page tables on demand from the same quota.
 *
 * Everything in a request is checked before use: the handle's range, that
 * it names a live object and, to be mapped, a frame (the VMM invokes the
 * capability as a frame: an endpoint's capability invoked so would be a
 * Call on it, and the VMM would wait on it for ever), the address below
 * the kernel window and away from the VMM's fixed pages, aligned to the
 * frame's size, the rights. A refusal is an seL4 error in the reply's
 * label; the guest is never stopped for a bad request.
 */
#include <vmm/mediate.h>
#include <vmm/guest_abi.h>
#include <sel4/sel4.h>

#define PAGE        (1u << seL4_PageBits)
#define LARGE_PAGE  (1u << seL4_LargePageBits)

static seL4_Error alloc(vmm_domain_t *d, seL4_Word type, seL4_Word bits, seL4_Word *handle)
{
    uint32_t h;
    mm_cptr_t cap;

    if (type >= OBJ_NUM_TYPES || type == seL4_UntypedObject)
        return seL4_InvalidArgument;
    for (h = 0; h < DOMAIN_MAX_HANDLES && d->handle[h]; h++)
        ;
    if (h == DOMAIN_MAX_HANDLES)
        return seL4_NotEnoughMemory;
    if (mm_alloc(&d->med, type, bits, &cap) != ERR_NONE)
        return seL4_NotEnoughMemory;
    d->handle[h] = cap;
    d->handle_type[h] = (uint8_t)type;
    *handle = h + 1;
    return seL4_NoError;
}

static mm_cptr_t lookup(const vmm_domain_t *d, seL4_Word handle)
{
    return handle >= 1 && handle <= DOMAIN_MAX_HANDLES ? d->handle[handle - 1] : 0;
}

/* Guest addresses it may map at: its own range (guest_abi.h), page-aligned. */
static bool vaddr_ok(seL4_Word va)
{
    return (va & (PAGE - 1)) == 0 && va >= VMM_GUEST_FREE_VADDR && va < VMM_GUEST_INITRD_VADDR;
}

static seL4_Error map(vmm_domain_t *d, seL4_Word handle, seL4_Word va, seL4_Word rights)
{
    mm_cptr_t cap = lookup(d, handle);
    int large = cap && d->handle_type[handle - 1] == seL4_X86_LargePageObject;
    mm_err_t e;

    if (!cap || !vaddr_ok(va) || (rights & ~MM_RW) != 0 || !(rights & MM_RIGHT_READ))
        return seL4_InvalidArgument;
    if ((!large && d->handle_type[handle - 1] != seL4_X86_4K) ||
        (large && (va & (LARGE_PAGE - 1)) != 0))
        return seL4_InvalidArgument;
    if (mm_vspace_lookup(&d->vs, va) || d->handle_va[handle - 1])
        return seL4_DeleteFirst;
    e = mm_vspace_map(&d->vs, cap, va, rights, 0, large);
    if (e != ERR_NONE)      /* the kernel's DeleteFirst: a 4 MiB page over 4 KiB ones */
        return e == ERR_DELETE_FIRST ? seL4_DeleteFirst : seL4_NotEnoughMemory;
    d->handle_va[handle - 1] = va;
    return seL4_NoError;
}

/* va is where a mapping starts: inside a 4 MiB one, memmgr would find
 * the mapping, but the handle's record names its start. */
static seL4_Error unmap(vmm_domain_t *d, seL4_Word va)
{
    mm_cptr_t cap = vaddr_ok(va) ? mm_vspace_lookup(&d->vs, va) : 0;
    uint32_t h;

    for (h = 0; cap && h < DOMAIN_MAX_HANDLES; h++)
        if (d->handle[h] == cap)
            break;
    if (!cap || h == DOMAIN_MAX_HANDLES || d->handle_va[h] != va)
        return seL4_InvalidArgument;
    d->handle_va[h] = 0;
    return mm_vspace_unmap(&d->vs, va) == ERR_NONE ? seL4_NoError : seL4_InvalidArgument;
}

static seL4_Error release(vmm_domain_t *d, seL4_Word handle)
{
    mm_cptr_t cap = lookup(d, handle);

    if (!cap)
        return seL4_InvalidArgument;
    /* Unmapped through the VSpace first, so its record goes too. */
    if (d->handle_va[handle - 1])
        mm_vspace_unmap(&d->vs, d->handle_va[handle - 1]);
    mm_free(&d->med, cap);
    d->handle[handle - 1] = 0;
    d->handle_va[handle - 1] = 0;
    return seL4_NoError;
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

/* Words each call reads (docs/vmm.md): a shorter request would be
 * served from whatever an earlier message left in the VMM's buffer. */
static seL4_Word words_needed(seL4_Word label)
{
    switch (label) {
    case VMM_CALL_ALLOC: return 2;
    case VMM_CALL_MAP: return 3;
    case VMM_CALL_UNMAP: case VMM_CALL_FREE: return 1;
    default: return 0;
    }
}

seL4_Error mediate_call(vmm_domain_t *d, seL4_Word label, seL4_Word *mr, seL4_Word len,
                        seL4_Word *nreply)
{
    seL4_Error e = seL4_IllegalOperation;

    *nreply = 0;
    if (d->g->policy != VMM_POLICY_MEDIATED)
        return e;
    if (len < words_needed(label))
        return seL4_TruncatedMessage;
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
        *nreply = 2;
        e = seL4_NoError;
        break;
    }
    return e;
}
