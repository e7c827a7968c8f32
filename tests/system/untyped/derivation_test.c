/*
 * Untyped capabilities in the derivation tree: a copy is allowed only
 * while the untyped has no children (else RevokeFirst) and marks the
 * source full; child untypeds; revoking an untyped destroys everything
 * made from it, wherever the capabilities went, and gives the memory
 * back whole.
 */
#include "untyped_tests.h"

#define UT_BITS     16
#define UT_SIZE     (1u << UT_BITS)
#define SUB_BITS    12
#define CN_RADIX    3
#define BADGE       0x9
#define PT_VADDR    0x68000000u
#define SPIN_PRIO   100         /* the root task's: they take turns */

static void copy_rules(void)
{
    TEST_BEGIN("untyped_copy/childless_only_source_full");
    seL4_CPtr ut = fresh_untyped(UT_BITS), c = st_slot(&mem), c2 = st_slot(&mem);
    ASSERT_TRUE(ut != 0 && c != 0 && c2 != 0);
    ASSERT_OK(seL4_CNode_Copy(ROOT, c, DEPTH, ROOT, ut, DEPTH, seL4_AllRights));
    EXPECT_EQ(ident(c), TAG_UNTYPED);
    /* The copy is the source's child: a second copy or mint is refused. */
    EXPECT_ERR(seL4_CNode_Copy(ROOT, c2, DEPTH, ROOT, ut, DEPTH, seL4_AllRights),
               seL4_RevokeFirst);
    EXPECT_ERR(seL4_CNode_Mint(ROOT, c2, DEPTH, ROOT, ut, DEPTH, seL4_AllRights, BADGE),
               seL4_RevokeFirst);
    /* The source is full: it has a child, so no reset, and no bytes left. */
    EXPECT_MEMORY(retype_at(ut, seL4_EndpointObject, 0, c2, 1), 0);
    /* The copy carves the memory. */
    seL4_CPtr f = retype_one(c, seL4_X86_4K, 0, NULL);
    ASSERT_NE(f, 0);
    EXPECT_ERR(seL4_CNode_Copy(ROOT, c2, DEPTH, ROOT, c, DEPTH, seL4_AllRights), seL4_RevokeFirst);
    /* Move does not derive: an untyped with children moves. */
    EXPECT_OK(seL4_CNode_Move(ROOT, c2, DEPTH, ROOT, c, DEPTH));
    c = c2;
    c2 = st_slot(&mem);
    ASSERT_OK(seL4_CNode_Revoke(ROOT, c, DEPTH));
    EXPECT_EQ(ident(f), TAG_NULL);
    /* Childless again, the copy may be copied itself, and is then full. */
    EXPECT_OK(seL4_CNode_Copy(ROOT, c2, DEPTH, ROOT, c, DEPTH, seL4_AllRights));
    EXPECT_MEMORY(retype_at(c, seL4_EndpointObject, 0, st_slot(&mem), 1), 0);
    /* Revoking the original removes every copy; it is then whole again. */
    ASSERT_OK(seL4_CNode_Revoke(ROOT, ut, DEPTH));
    EXPECT_EQ(ident(c), TAG_NULL);
    EXPECT_EQ(ident(c2), TAG_NULL);
    seL4_CPtr all = st_slot(&mem);
    EXPECT_OK(retype_at(ut, seL4_UntypedObject, UT_BITS, all, 1));
    EXPECT_INVARIANTS();
    TEST_END();
}

static void child_untypeds(void)
{
    TEST_BEGIN("untyped_child/nested_retype");
    seL4_CPtr ut = fresh_untyped(UT_BITS);
    ASSERT_NE(ut, 0);
    seL4_CPtr kids = st_slot(&mem);
    ASSERT_NE(st_slot(&mem), 0);
    ASSERT_OK(retype_at(ut, seL4_UntypedObject, SUB_BITS, kids, 2));
    seL4_CPtr f0 = retype_one(kids, seL4_X86_4K, 0, NULL);
    seL4_CPtr f1 = retype_one(kids + 1, seL4_X86_4K, 0, NULL);
    ASSERT_TRUE(f0 != 0 && f1 != 0);
    EXPECT_EQ(frame_paddr(f1), frame_paddr(f0) + (1u << SUB_BITS));
    EXPECT_MEMORY(retype_at(kids, seL4_EndpointObject, 0, st_slot(&mem), 1), 0);
    /* The parent carries on above its children. */
    seL4_CPtr f2 = retype_one(ut, seL4_X86_4K, 0, NULL);
    EXPECT_EQ(frame_paddr(f2), frame_paddr(f0) + 2 * (1u << SUB_BITS));
    /* Revoking the parent takes grandchildren too. */
    ASSERT_OK(seL4_CNode_Revoke(ROOT, ut, DEPTH));
    EXPECT_EQ(ident(kids), TAG_NULL);
    EXPECT_EQ(ident(f0), TAG_NULL);
    EXPECT_EQ(ident(f1), TAG_NULL);
    EXPECT_EQ(ident(f2), TAG_NULL);
    EXPECT_INVARIANTS();
    TEST_END();
}

struct spin_job {
    volatile seL4_Word count;
};

static void spin(void *arg)
{
    struct spin_job *j = arg;
    for (;;)
        j->count++;
}

static void revoke_everything(void)
{
    TEST_BEGIN("untyped_revoke/destroys_all_descendants");
    seL4_CPtr ut = fresh_untyped(UT_BITS);
    ASSERT_NE(ut, 0);
    seL4_CPtr cn = retype_one(ut, seL4_CapTableObject, CN_RADIX, NULL);
    seL4_CPtr ep = retype_one(ut, seL4_EndpointObject, 0, NULL);
    seL4_CPtr nt = retype_one(ut, seL4_NotificationObject, 0, NULL);
    seL4_CPtr pt = retype_one(ut, seL4_X86_PageTableObject, 0, NULL);
    seL4_CPtr f = retype_one(ut, seL4_X86_4K, 0, NULL);
    ASSERT_TRUE(cn && ep && nt && pt && f);
    /* An endpoint made straight into the sub-CNode, copies everywhere. */
    ASSERT_OK(seL4_Untyped_Retype(ut, seL4_EndpointObject, 0, cn, 0, 0, 0, 1));
    ASSERT_OK(seL4_CNode_Mint(cn, 1, CN_RADIX, ROOT, ep, DEPTH, seL4_AllRights, BADGE));
    ASSERT_OK(seL4_CNode_Copy(cn, 2, CN_RADIX, ROOT, nt, DEPTH, seL4_AllRights));
    seL4_CPtr out = st_slot(&mem), out2 = st_slot(&mem), cn_copy = st_slot(&mem);
    ASSERT_OK(seL4_CNode_Copy(ROOT, out, DEPTH, cn, 0, CN_RADIX, seL4_AllRights));
    ASSERT_OK(seL4_CNode_Copy(ROOT, out2, DEPTH, cn, 1, CN_RADIX, seL4_AllRights));
    ASSERT_OK(seL4_CNode_Copy(ROOT, cn_copy, DEPTH, ROOT, cn, DEPTH, seL4_AllRights));
    /* A mapped page table and frame, a waiting signal. */
    ASSERT_OK(seL4_X86_PageTable_Map(pt, ROOT_VSPACE, PT_VADDR, seL4_X86_Default_VMAttributes));
    ASSERT_OK(seL4_X86_Page_Map(f, ROOT_VSPACE, PT_VADDR, seL4_ReadWrite,
                                seL4_X86_Default_VMAttributes));
    *(volatile seL4_Word *)PT_VADDR = 1;
    seL4_Signal(nt);
    EXPECT_INVARIANTS();

    ASSERT_OK(seL4_CNode_Revoke(ROOT, ut, DEPTH));
    EXPECT_EQ(ident(ut), TAG_UNTYPED);
    EXPECT_EQ(ident(cn), TAG_NULL);
    EXPECT_EQ(ident(cn_copy), TAG_NULL);
    EXPECT_EQ(ident(ep), TAG_NULL);
    EXPECT_EQ(ident(nt), TAG_NULL);
    EXPECT_EQ(ident(pt), TAG_NULL);
    EXPECT_EQ(ident(f), TAG_NULL);
    EXPECT_EQ(ident(out), TAG_NULL);
    EXPECT_EQ(ident(out2), TAG_NULL);
    EXPECT_INVARIANTS();
    /* Every byte is back: the untyped becomes one object of its size. */
    seL4_CPtr all = st_slot(&mem);
    EXPECT_OK(retype_at(ut, seL4_UntypedObject, UT_BITS, all, 1));
    EXPECT_INVARIANTS();
    TEST_END();
}

/* A running thread made from an untyped stops when the untyped is revoked. */
static void revoke_running_thread(void)
{
    TEST_BEGIN("untyped_revoke/running_thread");
    struct spin_job j = { 0 };
    seL4_CPtr ut = fresh_untyped(UT_BITS);
    ASSERT_NE(ut, 0);
    seL4_CPtr tcb = retype_one(ut, seL4_TCBObject, 0, NULL);
    seL4_CPtr stack = retype_one(ut, seL4_X86_4K, 0, NULL);
    ASSERT_TRUE(tcb != 0 && stack != 0);
    volatile seL4_Word *sp = map_frame(stack);
    ASSERT_TRUE(sp != NULL);
    ASSERT_OK(seL4_TCB_Configure(tcb, 0, ROOT, 0, ROOT_VSPACE, 0, 0, 0));
    ASSERT_OK(seL4_TCB_SetPriority(tcb, seL4_CapInitThreadTCB, SPIN_PRIO));
    seL4_UserContext regs = { 0 };
    regs.eip = (seL4_Word)spin;
    regs.esp = (seL4_Word)sp + PAGE - 2 * sizeof(seL4_Word);
    sp[PAGE / sizeof(seL4_Word) - 1] = (seL4_Word)&j;
    ASSERT_OK(seL4_TCB_WriteRegisters(tcb, 1, 0, sizeof(regs) / sizeof(seL4_Word), &regs));
    for (int i = 0; i < 20 && j.count == 0; i++)
        seL4_Yield();
    EXPECT_NE(j.count, 0);
    ASSERT_OK(seL4_CNode_Revoke(ROOT, ut, DEPTH));
    EXPECT_EQ(ident(tcb), TAG_NULL);
    seL4_Word before = j.count;
    for (int i = 0; i < 20; i++)
        seL4_Yield();
    EXPECT_EQ(j.count, before);
    EXPECT_INVARIANTS();
    TEST_END();
}

void derivation_tests(void)
{
    copy_rules();
    child_untypeds();
    revoke_everything();
    revoke_running_thread();
}
