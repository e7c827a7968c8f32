/*
 * The test program under the mediated policy: the guest holds no untyped
 * and no paging authority, so it asks the VMM for a frame and an endpoint
 * (VMM_CALL_ALLOC), to map the frame (VMM_CALL_MAP), uses the memory,
 * and gives everything back (UNMAP, FREE), checking the VMM's account of
 * its quota (VMM_CALL_QUERY) at each step. It also checks that the VMM
 * refuses what it must: a mapping outside the guest's own range and a
 * handle that names nothing. The page table the mapping needs is made
 * from the guest's quota too, so QUERY counts it: a frame, an endpoint
 * and a page table exactly.
 */
#include <guest/guest.h>
#include <sel4/sel4.h>

#define WORK_VADDR  (VMM_GUEST_FREE_VADDR + 0x10000u)
#define BAD_VADDR   0xd0000000u
#define RIGHTS_RW   3u      /* read 2 | write 1, as seL4_CapRights_t's word */
#define WORDS       1024u
#define BAD_HANDLE  999u
#define PAGE        (1u << seL4_PageBits)
/* Bytes of the quota after ALLOC frame, ALLOC endpoint, MAP: the frame, the
 * endpoint and the page table the mapping needed. */
#define CHARGED     (PAGE + (1u << seL4_EndpointBits) + (1u << seL4_PageTableBits))

static seL4_Error vmm_call(seL4_Word label, seL4_Word a, seL4_Word b, seL4_Word c)
{
    seL4_SetMR(0, a);
    seL4_SetMR(1, b);
    seL4_SetMR(2, c);
    return (seL4_Error)seL4_MessageInfo_get_label(
        seL4_Call(VMM_SLOT_SERVICE, seL4_MessageInfo_new(label, 0, 0, 3)));
}

static seL4_Word used(void)
{
    vmm_call(VMM_CALL_QUERY, 0, 0, 0);
    return seL4_GetMR(1);
}

/* Fills the page and reads it back; returns the number of wrong words. */
static int use_memory(void)
{
    volatile uint32_t *w = (volatile uint32_t *)WORK_VADDR;
    int wrong = 0;

    for (uint32_t i = 0; i < WORDS; i++)
        w[i] = i * 2654435761u;
    for (uint32_t i = 0; i < WORDS; i++)
        wrong += w[i] != i * 2654435761u;
    return wrong;
}

int guest_run_mediated(const vmm_guest_boot_t *boot)
{
    seL4_Word before = used(), frame, ep;
    int wrong = 0;

    (void)boot;
    if (vmm_call(VMM_CALL_ALLOC, seL4_X86_4K, 0, 0) != seL4_NoError)
        return gprintf("guest-stub: the VMM refused a frame\n"), 1;
    frame = seL4_GetMR(0);
    if (vmm_call(VMM_CALL_ALLOC, seL4_EndpointObject, 0, 0) != seL4_NoError)
        return gprintf("guest-stub: the VMM refused an endpoint\n"), 1;
    ep = seL4_GetMR(0);
    wrong += vmm_call(VMM_CALL_MAP, frame, BAD_VADDR, RIGHTS_RW) != seL4_InvalidArgument;
    wrong += vmm_call(VMM_CALL_MAP, BAD_HANDLE, WORK_VADDR, RIGHTS_RW) != seL4_InvalidArgument;
    wrong += vmm_call(VMM_CALL_MAP, frame, WORK_VADDR, RIGHTS_RW) != seL4_NoError;
    seL4_Word charged = used() - before;
    gprintf("guest-stub: the VMM made a frame (handle %u) and an endpoint (handle %u) and "
            "mapped the frame: %u bytes of the quota used (page table included)\n", frame, ep,
            charged);
    wrong += charged != CHARGED;
    wrong += use_memory();
    wrong += vmm_call(VMM_CALL_UNMAP, WORK_VADDR, 0, 0) != seL4_NoError;
    wrong += vmm_call(VMM_CALL_FREE, frame, 0, 0) != seL4_NoError;
    wrong += vmm_call(VMM_CALL_FREE, ep, 0, 0) != seL4_NoError;
    wrong += vmm_call(VMM_CALL_FREE, ep, 0, 0) != seL4_InvalidArgument;
    gprintf("guest-stub: all given back: %u bytes used (%u before)\n", used(), before);
    return wrong;
}
