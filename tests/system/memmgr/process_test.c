/*
 * A guest-like component builds a process with memmgr alone: it holds one
 * untyped delegated by its parent, a window of slots and an ASID pool,
 * and makes from them an address space, a stack, copies of this
 * program's image frames mapped there, and a thread that runs in that
 * address space and signals back. Then it takes everything down and the
 * untyped goes back to the parent whole.
 */
#include "memmgr_tests.h"

extern char __image_start[];

#define STACK_VADDR     0x70000000u
#define CHILD_PRIO      100         /* the root task's: they take turns */
#define CHILD_MAGIC     0x70726f63u
#define WAIT_ROUNDS     1000

static struct child cp;
static volatile uint32_t child_ran;
static mm_cptr_t child_ntfn;

/* Runs in the new address space: the image frames are shared, the
 * stack is its own. It uses no IPC buffer and no TLS. */
static void child_entry(void)
{
    child_ran = CHILD_MAGIC;
    seL4_Signal(child_ntfn);
    for (;;)
        seL4_Yield();
}

/* Copies of the image frame caps, mapped at the image's addresses. */
static int map_image(struct mm_vspace *vs, mm_cptr_t *copies, uint32_t n)
{
    seL4_BootInfo *bi = seL4_GetBootInfo();

    for (uint32_t i = 0; i < n; i++) {
        if (mm_slot_alloc(&cp.mm, &copies[i]) != ERR_NONE ||
            seL4_CNode_Copy(ROOT, copies[i], DEPTH, ROOT, bi->userImageFrames.start + i, DEPTH,
                            seL4_AllRights) != seL4_NoError ||
            mm_vspace_map(vs, copies[i], (uint32_t)(uintptr_t)__image_start + i * PAGE, MM_RW,
                          0, 0) != ERR_NONE)
            return 0;
    }
    return 1;
}

static int start_thread(mm_cptr_t tcb, mm_cptr_t pd)
{
    seL4_UserContext regs = { 0 };

    if (seL4_TCB_Configure(tcb, 0, ROOT, 0, pd, 0, 0, 0) != seL4_NoError ||
        seL4_TCB_SetPriority(tcb, seL4_CapInitThreadTCB, CHILD_PRIO) != seL4_NoError)
        return 0;
    regs.eip = (seL4_Word)child_entry;
    regs.esp = STACK_VADDR + PAGE - sizeof(seL4_Word);
    regs.eflags = 0x202u;
    return seL4_TCB_WriteRegisters(tcb, 1, 0, sizeof(regs) / sizeof(seL4_Word), &regs) == 0;
}

static int wait_child(void)
{
    seL4_Word badge;

    for (int i = 0; i < WAIT_ROUNDS && child_ran != CHILD_MAGIC; i++) {
        seL4_Poll(child_ntfn, &badge);
        seL4_Yield();
    }
    return child_ran == CHILD_MAGIC;
}

static void process_from_delegated(void)
{
    static mm_cptr_t copies[1024];
    seL4_BootInfo *bi = seL4_GetBootInfo();
    uint32_t nimg = bi->userImageFrames.end - bi->userImageFrames.start;
    struct mm_vspace vs;
    mm_cptr_t tcb, stack;

    TEST_BEGIN("memmgr_delegated_component_builds_process");
    ASSERT_TRUE(nimg <= 1024);
    ASSERT_TRUE(child_make(&cp, 20, 1536));
    ASSERT_EQ(mm_vspace_create(&cp.mm, &vs, seL4_CapInitThreadASIDPool), ERR_NONE);
    ASSERT_EQ(mm_alloc(&cp.mm, seL4_NotificationObject, 0, &child_ntfn), ERR_NONE);
    ASSERT_EQ(mm_alloc(&cp.mm, seL4_TCBObject, 0, &tcb), ERR_NONE);
    ASSERT_EQ(mm_alloc(&cp.mm, seL4_X86_4K, 0, &stack), ERR_NONE);
    ASSERT_EQ(mm_vspace_map(&vs, stack, STACK_VADDR, MM_RW, 0, 0), ERR_NONE);
    ASSERT_TRUE(map_image(&vs, copies, nimg));
    child_ran = 0;
    ASSERT_TRUE(start_thread(tcb, vs.pd));
    EXPECT_TRUE(wait_child());
    /* Down again: the thread, its space, the copies; then the untyped. */
    EXPECT_EQ(mm_free(&cp.mm, tcb), ERR_NONE);
    mm_vspace_destroy(&vs);
    for (uint32_t i = 0; i < nimg; i++) {
        EXPECT_OK(seL4_CNode_Delete(ROOT, copies[i], DEPTH));
        mm_slot_free(&cp.mm, copies[i]);
    }
    EXPECT_EQ(mm_free(&cp.mm, stack), ERR_NONE);
    EXPECT_EQ(mm_free(&cp.mm, child_ntfn), ERR_NONE);
    EXPECT_EQ(mm_stats(&cp.mm)->objects_live, 0);
    /* The pooled TCB holds no copy of the dead page directory, so the
     * memory memmgr counts as free really is: new ones fit in it. */
    for (int i = 0; i < 64; i++) {
        ASSERT_EQ(mm_vspace_create(&cp.mm, &vs, seL4_CapInitThreadASIDPool), ERR_NONE);
        mm_vspace_destroy(&vs);
    }
    EXPECT_EQ(mm_stats(&cp.mm)->objects_live, 0);
    EXPECT_OK(mm_release_untyped(&cp.mm, cp.ut));
    EXPECT_TRUE(untyped_whole(cp.ut, 20));
    child_done(&cp);
    EXPECT_INVARIANTS();
    TEST_END();
}

void process_tests(void)
{
    process_from_delegated();
}
