/*
 * Revoking the untyped under a live address space. A thread runs in a page
 * directory, page tables and a stack made from one untyped of its own (its
 * code is the root task's image, mapped a second time through copies of the
 * image frame caps, so a counter in .bss is shared with us). Revoking that
 * untyped while the thread is runnable destroys the page directory, its
 * page tables and the stack, and the copy of the VSpace cap in the thread's
 * TCB: the thread must then fault cleanly on its next instruction fetch (it
 * runs in the kernel's page directory, which maps no user memory) and the
 * kernel's invariants must hold.
 */
#include "vspace_tests.h"
#include <systest.h>

#define SPIN_PRIO           seL4_MaxPrio   /* shares the CPU with us by round robin */
#define SPACE_UT_BITS       16             /* PD, two page tables and a stack page */
#define STACK_VADDR         0x70000000u
#define NUM_USER_REGS       (sizeof(seL4_UserContext) / sizeof(seL4_Word))

extern char __image_start[];
static volatile seL4_Word spins;

static void spin(void)
{
    for (;;)
        spins++;
}

/* Retype one object of `type` from untyped `ut` into a fresh slot. */
static seL4_CPtr make(seL4_CPtr ut, seL4_Word type)
{
    seL4_CPtr slot = st_slot(&mem);
    if (slot == 0 || seL4_Untyped_Retype(ut, type, 0, ROOT_CNODE, 0, 0, slot, 1) != seL4_NoError)
        return 0;
    return slot;
}

/* A VSpace from `ut` that maps our image (through cap copies) and a stack. */
static seL4_CPtr build_space(bootinfo_t *bi, seL4_CPtr ut)
{
    seL4_CPtr pd = make(ut, seL4_X86_PageDirectoryObject);
    seL4_CPtr pt_img = make(ut, seL4_X86_PageTableObject);
    seL4_CPtr pt_stack = make(ut, seL4_X86_PageTableObject);
    seL4_CPtr stack = make(ut, seL4_X86_4K);
    seL4_Word img = (seL4_Word)__image_start;

    if (!pd || !pt_img || !pt_stack || !stack ||
        seL4_X86_ASIDPool_Assign(seL4_CapInitThreadASIDPool, pd) != seL4_NoError ||
        seL4_X86_PageTable_Map(pt_img, pd, img, DEFAULT_ATTR) != seL4_NoError ||
        seL4_X86_PageTable_Map(pt_stack, pd, STACK_VADDR, DEFAULT_ATTR) != seL4_NoError ||
        seL4_X86_Page_Map(stack, pd, STACK_VADDR, seL4_ReadWrite, DEFAULT_ATTR) != seL4_NoError)
        return 0;
    for (seL4_CPtr f = bi->user_image_frames.start; f < bi->user_image_frames.end; f++) {
        seL4_CPtr copy = copy_cap(f);
        seL4_Word v = img + (f - bi->user_image_frames.start) * PAGE;
        if (!copy || seL4_X86_Page_Map(copy, pd, v, seL4_ReadWrite, DEFAULT_ATTR) != seL4_NoError)
            return 0;
    }
    return pd;
}

static seL4_CPtr start_spinner(seL4_CPtr pd, seL4_CPtr fault_ep)
{
    seL4_CPtr tcb = obj(seL4_TCBObject);
    seL4_UserContext regs = { 0 };

    regs.eip = (seL4_Word)spin;
    regs.esp = STACK_VADDR + PAGE - sizeof(seL4_Word);
    if (!tcb ||
        seL4_TCB_Configure(tcb, fault_ep, ROOT_CNODE, 0, pd, 0, 0, 0) != seL4_NoError ||
        seL4_TCB_SetPriority(tcb, seL4_CapInitThreadTCB, SPIN_PRIO) != seL4_NoError ||
        seL4_TCB_WriteRegisters(tcb, 1, 0, NUM_USER_REGS, &regs) != seL4_NoError)
        return 0;
    return tcb;
}

void revoke_tests(bootinfo_t *bi)
{
    TEST_BEGIN("vspace/revoke_under_live_space");
    SKIP_ON_RELEASE("seL4_DebugCapIdentify");
    seL4_CPtr ut = st_untyped(&mem, SPACE_UT_BITS, NULL);
    seL4_CPtr ep = obj(seL4_EndpointObject);
    ASSERT_NE(ut, 0);
    ASSERT_NE(ep, 0);
    seL4_CPtr pd = build_space(bi, ut);
    ASSERT_NE(pd, 0);
    seL4_CPtr tcb = start_spinner(pd, ep);
    ASSERT_NE(tcb, 0);
    while (spins == 0)
        seL4_Yield();
    EXPECT_INVARIANTS();

    ASSERT_OK(seL4_CNode_Revoke(ROOT_CNODE, ut, CPTR_DEPTH));
    EXPECT_EQ(seL4_DebugCapIdentify(pd), 0);
    EXPECT_INVARIANTS();

    seL4_Word badge;
    seL4_MessageInfo_t info = seL4_Recv(ep, &badge);
    EXPECT_EQ(seL4_MessageInfo_get_label(info), seL4_Fault_VMFault);
    seL4_Word ip = seL4_GetMR(seL4_VMFault_IP);
    EXPECT_EQ(seL4_GetMR(seL4_VMFault_Addr), ip);
    EXPECT_TRUE(ip >= (seL4_Word)spin && ip < (seL4_Word)spin + PAGE);
    seL4_Word before = spins;
    ASSERT_OK(seL4_TCB_Suspend(tcb));
    EXPECT_EQ(spins, before);
    /* The untyped is whole again: it can be carved afresh. */
    EXPECT_NE(build_space(bi, ut), 0);
    EXPECT_INVARIANTS();
    TEST_END();
}
