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

/*
 * A process the VMM makes for the guest (the calls the Linux run makes
 * under mediated, guest-stub/lxmediated.c), with the refusals each call
 * owes: an address space, a code page mapped read-only in it, an endpoint
 * the guest may only receive on, a thread whose faults arrive there with
 * the badge asked for. The thread makes a system call (int $0x80 with EAX
 * 20), which the guest answers itself, then writes to address 0: a page
 * fault. THREAD_READ shows the answer in its EAX. Then everything goes back.
 */
#define PROC_CODE_VADDR 0x00001000u
#define PROC_BADGE      7u
#define EP_COPY_SLOT    200u
#define SYS_GETPID      20u
#define ANSWER          1234u
#define EFLAGS_IF       0x202u
#define CTX_EAX         3u      /* seL4_UserContext: eip, esp, eflags, eax, ... */
#define CTX_WORDS       (1u + VMM_CONTEXT_WORDS)

/* mov $20, %eax; int $0x80; mov %eax, 0; jmp . */
static const uint8_t proc_code[] = { 0xb8, SYS_GETPID, 0, 0, 0, 0xcd, 0x80,
                                     0xa3, 0, 0, 0, 0, 0xeb, 0xfe };

static seL4_Error vmm_call4(seL4_Word label, seL4_Word a, seL4_Word b, seL4_Word c,
                            seL4_Word d)
{
    seL4_SetMR(3, d);
    seL4_SetMR(0, a);
    seL4_SetMR(1, b);
    seL4_SetMR(2, c);
    return (seL4_Error)seL4_MessageInfo_get_label(
        seL4_Call(VMM_SLOT_SERVICE, seL4_MessageInfo_new(label, 0, 0, 4)));
}

static seL4_Error thread_start(seL4_Word t, uint32_t words)
{
    seL4_SetMR(0, t);
    for (uint32_t i = 1; i < CTX_WORDS; i++)
        seL4_SetMR(i, 0);
    seL4_SetMR(1, PROC_CODE_VADDR);
    seL4_SetMR(3, EFLAGS_IF);
    return (seL4_Error)seL4_MessageInfo_get_label(
        seL4_Call(VMM_SLOT_SERVICE, seL4_MessageInfo_new(VMM_CALL_THREAD_START, 0, 0, words)));
}

/* Serves the thread's two faults; returns the number of surprises. */
static int serve_proc(void)
{
    seL4_Word badge, mr[seL4_UnknownSyscall_Syscall];
    seL4_MessageInfo_t m = seL4_Recv(EP_COPY_SLOT, &badge);
    int wrong = 0;

    wrong += seL4_MessageInfo_get_label(m) != seL4_Fault_UnknownSyscall || badge != PROC_BADGE;
    wrong += seL4_GetMR(seL4_UnknownSyscall_EAX) != SYS_GETPID;
    for (uint32_t i = 0; i < seL4_UnknownSyscall_Syscall; i++)
        mr[i] = seL4_GetMR(i);
    mr[seL4_UnknownSyscall_EAX] = ANSWER;
    mr[seL4_UnknownSyscall_FaultIP] += 2;
    for (uint32_t i = 0; i < seL4_UnknownSyscall_Syscall; i++)
        seL4_SetMR(i, mr[i]);
    m = seL4_ReplyRecv(EP_COPY_SLOT, seL4_MessageInfo_new(0, 0, 0, seL4_UnknownSyscall_Syscall),
                       &badge);
    wrong += seL4_MessageInfo_get_label(m) != seL4_Fault_VMFault || badge != PROC_BADGE;
    wrong += seL4_GetMR(seL4_VMFault_Addr) != 0;
    return wrong;
}

int guest_run_mediated_process(const vmm_guest_boot_t *boot)
{
    seL4_Word before = used(), code, ep, sp, t;
    int wrong = 0;

    if (vmm_call(VMM_CALL_ALLOC, seL4_X86_4K, 0, 0) != seL4_NoError)
        return gprintf("guest-stub: the VMM refused a frame\n"), 1;
    code = seL4_GetMR(0);
    if (vmm_call(VMM_CALL_ALLOC, seL4_EndpointObject, 0, 0) != seL4_NoError)
        return gprintf("guest-stub: the VMM refused an endpoint\n"), 1;
    ep = seL4_GetMR(0);
    if (vmm_call(VMM_CALL_SPACE, 0, 0, 0) != seL4_NoError)
        return gprintf("guest-stub: the VMM refused an address space\n"), 1;
    sp = seL4_GetMR(0);
    wrong += vmm_call(VMM_CALL_MAP, code, WORK_VADDR, RIGHTS_RW) != seL4_NoError;
    for (uint32_t i = 0; i < sizeof(proc_code); i++)
        ((volatile uint8_t *)WORK_VADDR)[i] = proc_code[i];
    wrong += vmm_call4(VMM_CALL_SPACE_MAP, sp, code, VMM_PROC_VADDR_END, 2) != seL4_InvalidArgument;
    wrong += vmm_call4(VMM_CALL_SPACE_MAP, sp, ep, PROC_CODE_VADDR, 2) != seL4_InvalidArgument;
    wrong += vmm_call4(VMM_CALL_SPACE_MAP, code, code, PROC_CODE_VADDR, 2) != seL4_InvalidArgument;
    wrong += vmm_call4(VMM_CALL_SPACE_MAP, sp, code, PROC_CODE_VADDR, 2) != seL4_NoError;
    wrong += vmm_call4(VMM_CALL_SPACE_MAP, sp, code, PROC_CODE_VADDR, 2) != seL4_DeleteFirst;
    wrong += vmm_call(VMM_CALL_EP_GIVE, ep, VMM_SLOT_SERVICE, 0) != seL4_RangeError;
    wrong += vmm_call(VMM_CALL_EP_GIVE, code, EP_COPY_SLOT, 0) != seL4_InvalidArgument;
    wrong += vmm_call(VMM_CALL_EP_GIVE, ep, EP_COPY_SLOT, 0) != seL4_NoError;
    wrong += vmm_call4(VMM_CALL_THREAD, sp, ep, 0, boot->priority) != seL4_RangeError;
    wrong += vmm_call4(VMM_CALL_THREAD, sp, ep, PROC_BADGE, boot->priority + 1) !=
             seL4_RangeError;
    wrong += vmm_call4(VMM_CALL_THREAD, sp, code, PROC_BADGE, boot->priority) !=
             seL4_InvalidArgument;
    if (vmm_call4(VMM_CALL_THREAD, sp, ep, PROC_BADGE, boot->priority) != seL4_NoError)
        return gprintf("guest-stub: the VMM refused a thread\n"), 1;
    t = seL4_GetMR(0);
    wrong += vmm_call(VMM_CALL_FREE, sp, 0, 0) != seL4_DeleteFirst;     /* a thread in it */
    wrong += vmm_call(VMM_CALL_FREE, code, 0, 0) != seL4_DeleteFirst;   /* mapped in it */
    wrong += thread_start(t, 2) != seL4_TruncatedMessage;
    wrong += thread_start(t, CTX_WORDS) != seL4_NoError;
    wrong += serve_proc();
    wrong += vmm_call(VMM_CALL_THREAD_READ, t, 0, 0) != seL4_NoError ||
             seL4_GetMR(CTX_EAX) != ANSWER;
    /* THREAD_WRITE: n words, no more than a context, all of them sent */
    wrong += vmm_call(VMM_CALL_THREAD_WRITE, t, VMM_CONTEXT_WORDS + 1, 0) != seL4_RangeError;
    wrong += vmm_call(VMM_CALL_THREAD_WRITE, t, 2, 0) != seL4_TruncatedMessage;
    wrong += vmm_call(VMM_CALL_THREAD_RESUME, sp, 0, 0) != seL4_InvalidArgument;
    gprintf("guest-stub: a process of the VMM's: its system call (badge %u) answered %u, its "
            "page fault seen at 0x00000000\n", PROC_BADGE, seL4_GetMR(CTX_EAX));
    wrong += vmm_call(VMM_CALL_FREE, t, 0, 0) != seL4_NoError;
    wrong += vmm_call(VMM_CALL_FREE, sp, 0, 0) != seL4_NoError;
    wrong += vmm_call(VMM_CALL_FREE, code, 0, 0) != seL4_NoError;
    wrong += vmm_call(VMM_CALL_FREE, ep, 0, 0) != seL4_NoError;
    wrong += seL4_CNode_Delete(VMM_SLOT_CNODE, EP_COPY_SLOT, 32) != seL4_NoError;
    gprintf("guest-stub: the process given back: %u bytes used (%u before)\n", used(), before);
    return wrong + (used() != before);
}
