/*
 * A guest-like component builds a process with memmgr alone: it holds one
 * untyped delegated by its parent, a window of slots and an ASID pool,
 * and makes from them an address space, a stack, an IPC buffer, copies of
 * this program's image frames mapped there, and a thread that starts as
 * a component that is not the root task (rt/component.h): its TLS block
 * set up by __rt_start_component, its own struct mm over an untyped it is
 * handed in its rt_component_info_t. The builder then takes the untyped
 * back by force (everything the process made in it goes), takes the rest
 * down, and the untyped goes back to its own parent whole.
 */
#include "memmgr_tests.h"
#include <rt/component.h>
#include <string.h>

extern char __image_start[];

#define STACK_VADDR     0x70000000u
#define IPC_VADDR       0x70002000u
#define INFO_VADDR      0x70004000u
#define LOCAL_INFO      0x5c000000u     /* the builder's view of the info page */
#define CHILD_PRIO      100             /* the root task's: they take turns */
#define WAIT_ROUNDS     2000
#define CHILD_UT_BITS   16
#define CHILD_SLOTS     64
#define CHILD_MAX_UTS   32
#define MAX_IMAGE       1024

static struct child cp;
static mm_cptr_t copies[MAX_IMAGE];

/* Touched only by the process (its copy of this image's .bss is shared,
 * but the root task never uses these). */
static struct mm proc_mm;
static uint8_t proc_meta[16 * 1024];

/* Runs in the new address space, started by __rt_start_component. */
int component_main(rt_component_info_t *info)
{
    const rt_component_untyped_t *u = &info->untypeds[0];
    mm_cptr_t ep = 0, tcb = 0;
    int ok = seL4_GetIPCBuffer() == (seL4_IPCBuffer *)info->ipc_buffer &&
             info->n_untypeds == 1 &&
             mm_init(&proc_mm, proc_meta, sizeof(proc_meta), info->cspace, CHILD_MAX_UTS) == 0 &&
             mm_add_slots(&proc_mm, info->empty_first, info->empty_first, info->empty_count,
                          0, 0) == 0 &&
             mm_add_untyped(&proc_mm, u->cap, u->paddr, u->size_bits, 0) == 0 &&
             mm_alloc(&proc_mm, seL4_EndpointObject, 0, &ep) == 0 &&
             mm_alloc(&proc_mm, seL4_TCBObject, 0, &tcb) == 0;

    seL4_Signal(info->parent);
    return ok ? (int)ep : -1;
}

/* Copies of the image frame caps, mapped at the image's addresses. */
static int map_image(struct mm_vspace *vs, uint32_t n)
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

/* A fresh frame mapped in the process at vaddr. */
static mm_cptr_t frame_at(struct mm_vspace *vs, uint32_t vaddr)
{
    mm_cptr_t f;

    if (mm_alloc(&cp.mm, seL4_X86_4K, 0, &f) != ERR_NONE ||
        mm_vspace_map(vs, f, vaddr, MM_RW, 0, 0) != ERR_NONE)
        return 0;
    return f;
}

struct build {
    struct mm_vspace vs, local;
    mm_cptr_t tcb, ntfn, stack, ipc, info, info_copy, ut, slots;
    rt_component_info_t *ci;
};

/* The info page, written through a second mapping in the builder. */
static int write_info(struct build *b)
{
    if (mm_slot_alloc(&cp.mm, &b->info_copy) != ERR_NONE ||
        seL4_CNode_Copy(ROOT, b->info_copy, DEPTH, ROOT, b->info, DEPTH, seL4_AllRights) != 0 ||
        mm_vspace_map(&b->local, b->info_copy, LOCAL_INFO, MM_RW, 0, 0) != ERR_NONE ||
        mm_alloc_untyped(&cp.mm, CHILD_UT_BITS, 0, &b->ut) != ERR_NONE ||
        mm_slot_alloc_range(&cp.mm, CHILD_SLOTS, &b->slots) != ERR_NONE)
        return 0;
    b->ci = (rt_component_info_t *)LOCAL_INFO;
    memset(b->ci, 0, sizeof(*b->ci));
    *b->ci = (rt_component_info_t){
        .magic = RT_COMPONENT_MAGIC, .ipc_buffer = IPC_VADDR,
        .tls_area = IPC_VADDR + sizeof(seL4_IPCBuffer),
        .tls_size = PAGE - sizeof(seL4_IPCBuffer), .tcb = b->tcb, .cspace = ROOT,
        .vspace = b->vs.pd, .asid_pool = seL4_CapInitThreadASIDPool, .parent = b->ntfn,
        .empty_first = b->slots, .empty_count = CHILD_SLOTS, .n_untypeds = 1,
        .untypeds = { { b->ut, mm_paddr(&cp.mm, b->ut), CHILD_UT_BITS, 0 } },
    };
    return 1;
}

static int start(struct build *b)
{
    seL4_UserContext regs = { 0 };

    if (seL4_TCB_Configure(b->tcb, 0, ROOT, 0, b->vs.pd, 0, IPC_VADDR, b->ipc) != 0 ||
        seL4_TCB_SetPriority(b->tcb, seL4_CapInitThreadTCB, CHILD_PRIO) != 0)
        return 0;
    regs.eip = (seL4_Word)rt_component_entry;
    regs.esp = STACK_VADDR + PAGE;
    regs.ebx = INFO_VADDR;
    regs.eflags = 0x202u;
    return seL4_TCB_WriteRegisters(b->tcb, 1, 0, sizeof(regs) / sizeof(seL4_Word), &regs) == 0;
}

/* Until the process's start code stored component_main's result. */
static seL4_Word wait_result(struct build *b)
{
    seL4_Word badge;
    volatile seL4_Word *r = &b->ci->result;

    for (int i = 0; i < WAIT_ROUNDS && *r == 0; i++) {
        seL4_Poll(b->ntfn, &badge);
        seL4_Yield();
    }
    return *r;
}

static void teardown(struct build *b, uint32_t nimg)
{
    EXPECT_EQ(mm_free(&cp.mm, b->tcb), ERR_NONE);
    /* By force: whatever the process built in its untyped goes. */
    EXPECT_EQ(mm_free(&cp.mm, b->ut), ERR_NONE);
    mm_slot_free_range(&cp.mm, b->slots, CHILD_SLOTS);
    mm_vspace_destroy(&b->vs);
    mm_vspace_destroy(&b->local);
    for (uint32_t i = 0; i < nimg; i++) {
        EXPECT_OK(seL4_CNode_Delete(ROOT, copies[i], DEPTH));
        mm_slot_free(&cp.mm, copies[i]);
    }
    EXPECT_OK(seL4_CNode_Delete(ROOT, b->info_copy, DEPTH));
    mm_slot_free(&cp.mm, b->info_copy);
    EXPECT_EQ(mm_free(&cp.mm, b->stack), ERR_NONE);
    EXPECT_EQ(mm_free(&cp.mm, b->ipc), ERR_NONE);
    EXPECT_EQ(mm_free(&cp.mm, b->info), ERR_NONE);
    EXPECT_EQ(mm_free(&cp.mm, b->ntfn), ERR_NONE);
}

static void process_from_delegated(void)
{
    static struct build b;
    seL4_BootInfo *bi = seL4_GetBootInfo();
    uint32_t nimg = bi->userImageFrames.end - bi->userImageFrames.start;
    seL4_Word result;

    TEST_BEGIN("memmgr_delegated_component_builds_process");
    ASSERT_TRUE(nimg <= MAX_IMAGE);
    ASSERT_TRUE(child_make(&cp, 20, 1536));
    mm_vspace_adopt(&cp.mm, &b.local, seL4_CapInitThreadVSpace);
    ASSERT_EQ(mm_vspace_create(&cp.mm, &b.vs, seL4_CapInitThreadASIDPool), ERR_NONE);
    ASSERT_EQ(mm_alloc(&cp.mm, seL4_NotificationObject, 0, &b.ntfn), ERR_NONE);
    ASSERT_EQ(mm_alloc(&cp.mm, seL4_TCBObject, 0, &b.tcb), ERR_NONE);
    b.stack = frame_at(&b.vs, STACK_VADDR);
    b.ipc = frame_at(&b.vs, IPC_VADDR);
    b.info = frame_at(&b.vs, INFO_VADDR);
    ASSERT_TRUE(b.stack != 0 && b.ipc != 0 && b.info != 0);
    ASSERT_TRUE(map_image(&b.vs, nimg));
    ASSERT_TRUE(write_info(&b));
    ASSERT_TRUE(start(&b));
    result = wait_result(&b);
    /* component_main returned the CPtr of the endpoint it made. */
    EXPECT_GE(result, b.slots);
    EXPECT_LT(result, b.slots + CHILD_SLOTS);
    EXPECT_EQ(ident(result), TAG_EP);
    teardown(&b, nimg);
    EXPECT_EQ(ident(result), TAG_NULL);
    EXPECT_EQ(mm_stats(&cp.mm)->objects_live, 0);
    /* The pooled TCB holds no copy of the dead page directory, so the
     * memory memmgr counts as free really is: new ones fit in it. */
    for (int i = 0; i < 64; i++) {
        ASSERT_EQ(mm_vspace_create(&cp.mm, &b.vs, seL4_CapInitThreadASIDPool), ERR_NONE);
        mm_vspace_destroy(&b.vs);
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
