/*
 * The ia32 capabilities seen from the generic kernel: which decoder an
 * invocation goes to, and what deleting a capability undoes.
 *
 * Deletion follows seL4's Arch_finaliseCap. A frame capability removes its
 * own mapping whenever it is deleted (every mapped frame capability records
 * a mapping only it made). Page tables, page directories, ASID pools and I/O
 * ports are undone only when the last capability to them goes: the page
 * table leaves its page directory, the page directory its ASID, the pool its
 * slot in the ASID table (killing all its ASIDs), the ports become issuable
 * again. The frame-type table follows objects that die. The last IRQ
 * handler capability releases its line through the IRQ code.
 */
#include <arch/arch.h>
#include <arch/frametype.h>
#include <arch/ioport.h>
#include <arch/irq_x86.h>
#include <arch/vspace.h>
#include <abi/invocation.h>
#include <kernel/capops.h>
#include <kernel/debug.h>
#include <kernel/irq.h>
#include <kernel/state.h>

exception_t arch_decode_invocation(invocation_t *inv)
{
    switch (cap_type(inv->cap)) {
    case CAP_FRAME:
        return vspace_decode_frame(inv);
    case CAP_PAGE_TABLE:
        return vspace_decode_pt(inv);
    case CAP_PAGE_DIRECTORY:
        return vspace_decode_pd(inv);
    case CAP_ASID_POOL:
        return asid_decode_pool(inv);
    case CAP_IO_PORT:
        return ioport_decode(inv);
    case CAP_CONTROL:
        switch (cap_control_sub(inv->cap)) {
        case CONTROL_ASID:
            return asid_decode_control(inv);
        case CONTROL_IO_PORT:
            return ioport_decode_control(inv);
        case CONTROL_IRQ:
            /* Labels 50/51 (IOAPIC, MSI handlers): the pc99 platform code. */
            return ia32_irq_control_decode(inv);
        default:
            break;
        }
        break;
    default:
        break;
    }
    return refuse(ERR_ILLEGAL_OPERATION, "no architecture invocation for this capability");
}

static void finalise_frame(cap_t cap, bool final)
{
    if (cap_mapped_asid(cap) != ASID_INVALID)
        vspace_unmap_frame(cap);
    if (final)
        ft_set(cap_frame_paddr(cap), cap_frame_size_bits(cap), FT_FREE);
}

static void finalise_page_table(cap_t cap)
{
    pte_t *pt = cap_paging_ptr(cap);

    if (cap_paging_is_mapped(cap))
        vspace_unmap_page_table(cap_mapped_asid(cap), cap_mapped_vaddr(cap), pt);
    ft_set(kptr_to_paddr(pt), PAGE_TABLE_BITS, FT_FREE);
}

static void finalise_page_directory(cap_t cap)
{
    pde_t *pd = cap_paging_ptr(cap);

    if (cap_paging_is_mapped(cap))
        asid_delete(cap_mapped_asid(cap), pd);
    ft_set(kptr_to_paddr(pd), PAGE_DIR_BITS, FT_FREE);
}

static void finalise_asid_pool(cap_t cap)
{
    asid_pool_t *pool = cap_ptr(cap);

    asid_pool_delete(cap_asid_pool_base(cap), pool);
    ft_set(kptr_to_paddr(pool), ASID_POOL_BITS, FT_FREE);
}

void arch_finalise_cap(cap_t cap, bool final)
{
    switch (cap_type(cap)) {
    case CAP_FRAME:
        finalise_frame(cap, final);
        break;
    case CAP_PAGE_TABLE:
        if (final)
            finalise_page_table(cap);
        break;
    case CAP_PAGE_DIRECTORY:
        if (final)
            finalise_page_directory(cap);
        break;
    case CAP_ASID_POOL:
        if (final)
            finalise_asid_pool(cap);
        break;
    case CAP_IO_PORT:
        if (final)
            ioport_release(cap_io_first(cap), cap_io_last(cap));
        break;
    case CAP_IRQ_HANDLER:
        /* capops.c sends a handler's final deletion here; the IRQ code
         * (kernel/irq.c) owns the line and releases it. */
        if (final)
            irq_handler_finalise(cap_irq(cap));
        break;
    default:
        /* Control caps hold no state. */
        break;
    }
}
