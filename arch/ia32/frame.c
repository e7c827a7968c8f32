/*
 * Frame capabilities: Map, Unmap and GetAddress for 4 KiB and 4 MiB frames.
 *
 * One capability maps its frame at most once: Map on a capability that is
 * already mapped is allowed only at the same ASID and address, and then it
 * rewrites the entry, which is how user level changes the rights or the
 * memory type of a mapping in place. To map a frame in two places, user
 * level copies the capability (copies start unmapped). The rights of the
 * mapping are the capability's VM rights narrowed by the rights word of the
 * call (a read-write frame can be mapped read-only, never the reverse).
 *
 * A 4 KiB frame needs a page table under its address (else FailedLookup,
 * MissingCapability with 22 bits left, as seL4 reports it); an entry already
 * there is replaced, as in seL4, and the capability that made it is left
 * with a stale record that its own unmap will recognise. A 4 MiB frame goes
 * straight into the page directory and refuses to cover a page table
 * (DeleteFirst). Decode computes the new capability, the entry and where it
 * goes; the invoke functions only store and flush.
 */
#include <arch/vspace.h>
#include <arch/arch.h>
#include <arch/frametype.h>
#include <arch/machine.h>
#include <abi/invocation.h>
#include <kernel/cspace.h>
#include <kernel/debug.h>
#include <kernel/sched.h>
#include <kernel/state.h>

/* Where a Map writes and what: computed by decode, stored by invoke. */
typedef struct frame_map {
    cap_t newcap;
    word_t *entry_slot;         /* the PTE or PDE to write */
    word_t entry;
    pde_t *pd;
    vaddr_t vaddr;
} frame_map_t;

/* Cannot fail: frame_decode_map() checked everything. */
static exception_t frame_invoke_map(cte_t *slot, const frame_map_t *m)
{
    paddr_t frame = cap_frame_paddr(m->newcap);
    word_t bits = cap_frame_size_bits(m->newcap);
    word_t old = *m->entry_slot;

    assert(ft_user_mappable(ft_get(frame)));
    slot->cap = m->newcap;
    ft_set(frame, bits, FT_USER_FRAME);
    *m->entry_slot = m->entry;
    /* A non-present entry is never cached; a present one (a remap, or a
     * mapping replaced) may be. */
    if ((old & PG_PRESENT) && vspace_is_current(m->pd))
        invlpg(m->vaddr);
    return EXCEPTION_NONE;
}

static exception_t frame_invoke_unmap(cte_t *slot, cap_t cap)
{
    if (cap_mapped_asid(cap) != ASID_INVALID)
        vspace_unmap_frame(cap);
    slot->cap = cap_set_mapping(cap, ASID_INVALID, 0);
    return EXCEPTION_NONE;
}

static exception_t frame_invoke_get_address(const invocation_t *inv)
{
    if (inv->call) {
        set_mr(ks_cur_thread, inv->buffer, 0, cap_frame_paddr(inv->cap));
        reply_from_kernel_success(ks_cur_thread, 1);
    }
    return EXCEPTION_NONE;
}

/* The entry slot for a frame of the given size at vaddr in pd, or a refusal. */
static exception_t find_entry_slot(pde_t *pd, vaddr_t vaddr, bool large, word_t **slot)
{
    pde_t *pde = &pd[PD_INDEX(vaddr)];

    if (large) {
        if (pde_is_table(*pde))
            return refuse(ERR_DELETE_FIRST, "frame map: a page table covers this 4 MiB");
        *slot = pde;
        return EXCEPTION_NONE;
    }
    if (!pde_is_table(*pde))
        return cspace_refuse_lookup(false, LOOKUP_MISSING_CAPABILITY, PT_LOOKUP_BITS_LEFT,
                                    "frame map: no page table at this address");
    *slot = (pte_t *)paddr_to_kptr(pde_table_paddr(*pde)) + PT_INDEX(vaddr);
    return EXCEPTION_NONE;
}

/* Checks of seL4 decodeX86FrameInvocation (Map), in its order. */
static exception_t frame_decode_map(invocation_t *inv)
{
    if (inv->length < 3 || inv->n_extra < 1)
        return refuse(ERR_TRUNCATED_MESSAGE, "frame map: truncated message");

    cap_t cap = inv->cap;
    vaddr_t vaddr = inv_arg(inv, 0);
    word_t rights = inv_arg(inv, 1);
    word_t attr = inv_arg(inv, 2);
    cap_t pd_cap = inv->extra_caps[0];
    word_t bits = cap_frame_size_bits(cap);

    if (!arch_is_valid_vtable_root(pd_cap))
        return refuse_cap(1, "frame map: not an assigned page directory");
    pde_t *pd = cap_paging_ptr(pd_cap);
    word_t asid = cap_mapped_asid(pd_cap);

    if (cap_mapped_asid(cap) != ASID_INVALID) {
        if (cap_mapped_asid(cap) != asid)
            return refuse_cap(1, "frame map: capability is mapped in another address space");
        if (cap_mapped_vaddr(cap) != vaddr)
            return refuse_arg(0, "frame map: capability is mapped at another address");
    } else if (!vspace_range_ok(vaddr, bits)) {
        return refuse_arg(0, "frame map: address range reaches the kernel window");
    }

    exception_t e = vspace_check_pd_asid(pd_cap);
    if (e != EXCEPTION_NONE)
        return e;

    word_t vmrights = vm_rights_mask(cap_frame_vmrights(cap), rights);
    if (!IS_ALIGNED(vaddr, bits))
        return refuse(ERR_ALIGNMENT_ERROR, "frame map: address not aligned to the frame size");

    frame_map_t m = { .newcap = cap_set_mapping(cap, asid, vaddr), .pd = pd, .vaddr = vaddr };
    bool large = cap_frame_is_large(cap);
    e = find_entry_slot(pd, vaddr, large, &m.entry_slot);
    if (e != EXCEPTION_NONE)
        return e;
    paddr_t frame = cap_frame_paddr(cap);
    m.entry = large ? pde_make_large(frame, vmrights, attr) : pte_make_user(frame, vmrights, attr);

    return frame_invoke_map(inv->slot, &m);
}

exception_t vspace_decode_frame(invocation_t *inv)
{
    switch (inv->label) {
    case INV_X86_PAGE_MAP:
        return frame_decode_map(inv);
    case INV_X86_PAGE_UNMAP:
        return frame_invoke_unmap(inv->slot, inv->cap);
    case INV_X86_PAGE_GET_ADDRESS:
        return frame_invoke_get_address(inv);
    default:
        return refuse(ERR_ILLEGAL_OPERATION, "frame: illegal operation");
    }
}
