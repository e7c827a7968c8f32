/*
 * Copy, Mint, Move and Mutate: the order of refusals (label, length,
 * destination lookup, destination empty, source lookup, source empty,
 * per-operation length, the new capability), rights that only shrink,
 * badges set once, CNode guards, and which capability types seL4 lets
 * one derive.
 */
#include "cnode_tests.h"

#define BADGE_A     0x15
#define BADGE_B     0x2a0
#define LABEL_BAD   INV_IRQ_ISSUE_IRQ_HANDLER
#define PT_VADDR    0x50000000u
#define FRAME_VADDR 0x50001000u
#define FRAME_VADDR2 0x50002000u
#define SUB_RADIX   4

static void check_order(void)
{
    TEST_BEGIN("copy/refusal_order");
    seL4_CPtr ep = obj(seL4_EndpointObject), full = obj(seL4_EndpointObject);
    seL4_CPtr d = slot(), empty = slot();
    ASSERT_TRUE(ep != 0 && full != 0 && d != 0 && empty != 0);
    seL4_Word mr[6] = { d, DEPTH, ep, DEPTH, ALL.words[0], 0 };

    /* Labels outside Revoke..SaveCaller. */
    EXPECT_ERR(cnode_raw(ROOT, LABEL_BAD, 6, mr, 1, ROOT, 0), seL4_IllegalOperation);
    EXPECT_ERR(cnode_raw(ROOT, INV_TCB_SET_FLAGS, 6, mr, 1, ROOT, 0), seL4_IllegalOperation);
    /* Fewer than two words. */
    EXPECT_ERR(cnode_raw(ROOT, INV_CNODE_COPY, 1, mr, 1, ROOT, 0), seL4_TruncatedMessage);
    /* The destination is looked up before the Copy's own length check. */
    seL4_Word bad_depth[6] = { d, 0, ep, DEPTH, ALL.words[0], 0 };
    EXPECT_RANGE(cnode_raw(ROOT, INV_CNODE_COPY, 3, bad_depth, 1, ROOT, 0), 1, 32);
    /* Fewer than four words, or no source root. */
    EXPECT_ERR(cnode_raw(ROOT, INV_CNODE_COPY, 3, mr, 1, ROOT, 0), seL4_TruncatedMessage);
    EXPECT_ERR(cnode_raw(ROOT, INV_CNODE_COPY, 5, mr, 0, ROOT, 0), seL4_TruncatedMessage);
    /* A full destination wins over an empty source. */
    seL4_Word to_full[6] = { full, DEPTH, empty, DEPTH, ALL.words[0], 0 };
    EXPECT_ERR(cnode_raw(ROOT, INV_CNODE_COPY, 5, to_full, 1, ROOT, 0), seL4_DeleteFirst);
    /* An empty source wins over Copy's missing rights word. */
    seL4_Word from_empty[6] = { d, DEPTH, empty, DEPTH, ALL.words[0], 0 };
    EXPECT_LOOKUP(cnode_raw(ROOT, INV_CNODE_COPY, 4, from_empty, 1, ROOT, 0), 1,
                  seL4_MissingCapability);
    EXPECT_EQ(seL4_GetMR(2), DEPTH);
    EXPECT_ERR(cnode_raw(ROOT, INV_CNODE_COPY, 4, mr, 1, ROOT, 0), seL4_TruncatedMessage);
    EXPECT_ERR(cnode_raw(ROOT, INV_CNODE_MINT, 5, mr, 1, ROOT, 0), seL4_TruncatedMessage);
    EXPECT_ERR(cnode_raw(ROOT, INV_CNODE_MUTATE, 4, mr, 1, ROOT, 0), seL4_TruncatedMessage);
    EXPECT_EQ(ident(d), TAG_NULL);
    /* Move needs only four words. */
    EXPECT_OK(cnode_raw(ROOT, INV_CNODE_MOVE, 4, mr, 1, ROOT, 0));
    EXPECT_EQ(ident(d), TAG_EP);
    EXPECT_EQ(ident(ep), TAG_NULL);
    /* Copy onto itself: the destination is full. */
    EXPECT_ERR(copy_into(d, d, ALL), seL4_DeleteFirst);
    EXPECT_ERR(seL4_CNode_Move(ROOT, d, DEPTH, ROOT, d, DEPTH), seL4_DeleteFirst);
    EXPECT_INVARIANTS();
    TEST_END();
}

/* Call on an endpoint or notification without Write is InvalidCapability 0. */
static seL4_Error call_on(seL4_CPtr c)
{
    seL4_MessageInfo_t tag = seL4_Call(c, seL4_MessageInfo_new(0, 0, 0, 0));
    return (seL4_Error)seL4_MessageInfo_get_label(tag);
}

static void rights_shrink(void)
{
    TEST_BEGIN("copy/rights_only_shrink");
    seL4_CPtr ep = obj(seL4_EndpointObject), nt = obj(seL4_NotificationObject);
    ASSERT_TRUE(ep != 0 && nt != 0);
    seL4_CPtr ro = copy_of(ep, seL4_CanRead);
    ASSERT_NE(ro, 0);
    EXPECT_ERR(call_on(ro), seL4_InvalidCapability);
    EXPECT_EQ(seL4_GetMR(0), 0);
    /* Asking for every right back gives nothing back. */
    seL4_CPtr again = copy_of(ro, ALL);
    ASSERT_NE(again, 0);
    EXPECT_ERR(call_on(again), seL4_InvalidCapability);
    seL4_CPtr minted = st_mint(&mem, ro, ALL, BADGE_A);
    ASSERT_NE(minted, 0);
    EXPECT_ERR(call_on(minted), seL4_InvalidCapability);
    /* CancelBadgedSends wants all four rights: a copy without GrantReply fails. */
    seL4_CPtr no_gr = copy_of(ep, seL4_CapRights_new(0, 1, 1, 1));
    ASSERT_NE(no_gr, 0);
    EXPECT_ERR(seL4_CNode_CancelBadgedSends(ROOT, no_gr, DEPTH), seL4_IllegalOperation);
    EXPECT_ERR(seL4_CNode_CancelBadgedSends(ROOT, copy_of(no_gr, ALL), DEPTH),
               seL4_IllegalOperation);
    EXPECT_OK(seL4_CNode_CancelBadgedSends(ROOT, copy_of(ep, ALL), DEPTH));
    /* Notifications: Call signals with Write, is refused without. */
    seL4_CPtr nro = copy_of(nt, seL4_CanRead);
    ASSERT_NE(nro, 0);
    EXPECT_ERR(call_on(nro), seL4_InvalidCapability);
    EXPECT_ERR(call_on(copy_of(nro, ALL)), seL4_InvalidCapability);
    EXPECT_OK(call_on(copy_of(nt, seL4_CanWrite)));
    /* Rights masks are ignored for capabilities without rights. */
    seL4_CPtr tcb_copy = copy_of(seL4_CapInitThreadTCB, seL4_NoRights);
    EXPECT_EQ(ident(tcb_copy), TAG_TCB);
    EXPECT_INVARIANTS();
    TEST_END();
}

static seL4_Word poll_word(seL4_CPtr nt)
{
    seL4_Word w = 0;
    seL4_Poll(nt, &w);
    return w;
}

static void badges(void)
{
    TEST_BEGIN("mint/badge_set_once");
    seL4_CPtr nt = obj(seL4_NotificationObject), ep = obj(seL4_EndpointObject);
    ASSERT_TRUE(nt != 0 && ep != 0);
    seL4_CPtr a = st_mint(&mem, nt, ALL, BADGE_A);
    ASSERT_NE(a, 0);
    seL4_Signal(a);
    EXPECT_EQ(poll_word(nt), BADGE_A);
    /* A copy keeps the badge. */
    seL4_CPtr a2 = copy_of(a, ALL);
    ASSERT_NE(a2, 0);
    seL4_Signal(a2);
    EXPECT_EQ(poll_word(nt), BADGE_A);
    /* Minting a badged capability again is refused, whatever the badge. */
    seL4_CPtr d = slot();
    EXPECT_ERR(seL4_CNode_Mint(ROOT, d, DEPTH, ROOT, a, DEPTH, ALL, BADGE_B), seL4_IllegalOperation);
    EXPECT_ERR(seL4_CNode_Mint(ROOT, d, DEPTH, ROOT, a, DEPTH, ALL, NO_BADGE), seL4_IllegalOperation);
    EXPECT_EQ(ident(d), TAG_NULL);
    seL4_CPtr eb = st_mint(&mem, ep, ALL, BADGE_B);
    ASSERT_NE(eb, 0);
    EXPECT_ERR(seL4_CNode_Mint(ROOT, d, DEPTH, ROOT, eb, DEPTH, ALL, BADGE_A), seL4_IllegalOperation);
    /* Minting badge 0 from an unbadged cap is an unbadged copy, which can
     * still be badged later. */
    seL4_CPtr z = st_mint(&mem, nt, ALL, NO_BADGE);
    ASSERT_NE(z, 0);
    seL4_CPtr zb = st_mint(&mem, z, ALL, BADGE_B);
    ASSERT_NE(zb, 0);
    seL4_Signal(zb);
    EXPECT_EQ(poll_word(nt), BADGE_B);
    /* Mutate (and so Rotate) can never touch endpoint or notification caps. */
    EXPECT_ERR(seL4_CNode_Mutate(ROOT, d, DEPTH, ROOT, z, DEPTH, NO_BADGE), seL4_IllegalOperation);
    EXPECT_ERR(seL4_CNode_Mutate(ROOT, d, DEPTH, ROOT, ep, DEPTH, BADGE_A), seL4_IllegalOperation);
    EXPECT_EQ(ident(z), TAG_NTFN);
    EXPECT_EQ(ident(d), TAG_NULL);
    /* The badge word of other caps is ignored by Mint and Mutate. */
    seL4_CPtr t = st_mint(&mem, seL4_CapInitThreadTCB, ALL, BADGE_A);
    EXPECT_EQ(ident(t), TAG_TCB);
    EXPECT_OK(seL4_CNode_Mutate(ROOT, d, DEPTH, ROOT, t, DEPTH, BADGE_B));
    EXPECT_EQ(ident(d), TAG_TCB);
    EXPECT_EQ(ident(t), TAG_NULL);
    EXPECT_INVARIANTS();
    TEST_END();
}

static void cnode_guards(void)
{
    TEST_BEGIN("mint/cnode_guard");
    seL4_CPtr cn = st_new_cnode(&mem, SUB_RADIX), ep = obj(seL4_EndpointObject);
    ASSERT_TRUE(cn != 0 && ep != 0);
    ASSERT_OK(seL4_CNode_Copy(cn, 2, SUB_RADIX, ROOT, ep, DEPTH, ALL));
    /* Guard size + radix above 32 makes no capability. */
    seL4_CPtr d = slot();
    seL4_Word too_big = seL4_CNode_CapData_new(0, DEPTH - SUB_RADIX + 1).words[0];
    EXPECT_ERR(seL4_CNode_Mint(ROOT, d, DEPTH, ROOT, cn, DEPTH, ALL, too_big), seL4_IllegalOperation);
    EXPECT_ERR(seL4_CNode_Mutate(ROOT, d, DEPTH, ROOT, cn, DEPTH, too_big), seL4_IllegalOperation);
    EXPECT_EQ(ident(d), TAG_NULL);
    /* Exactly 32 bits is fine; the guard is cut to its size. */
    seL4_Word exact = seL4_CNode_CapData_new(0x3, DEPTH - SUB_RADIX).words[0];
    seL4_CPtr g = st_mint(&mem, cn, ALL, exact);
    ASSERT_NE(g, 0);
    seL4_CPtr x = slot();
    EXPECT_OK(seL4_CNode_Copy(ROOT, x, DEPTH, g, (0x3u << SUB_RADIX) | 2, DEPTH, ALL));
    EXPECT_EQ(ident(x), TAG_EP);
    /* Mutate sets a new guard (bits above the size dropped) and moves. */
    seL4_Word g2 = seL4_CNode_CapData_new(0x1f, 3).words[0];
    EXPECT_OK(seL4_CNode_Mutate(ROOT, d, DEPTH, ROOT, g, DEPTH, g2));
    EXPECT_EQ(ident(g), TAG_NULL);
    seL4_CPtr y = slot();
    EXPECT_OK(seL4_CNode_Copy(ROOT, y, DEPTH, d, (0x7u << SUB_RADIX) | 2, 3 + SUB_RADIX, ALL));
    EXPECT_EQ(ident(y), TAG_EP);
    /* Mint again from a guarded cap replaces the guard (no "set once"). */
    seL4_CPtr u = st_mint(&mem, d, ALL, seL4_CNode_CapData_new(0, 0).words[0]);
    ASSERT_NE(u, 0);
    seL4_CPtr z = slot();
    EXPECT_OK(seL4_CNode_Copy(ROOT, z, DEPTH, u, 2, SUB_RADIX, ALL));
    EXPECT_EQ(ident(z), TAG_EP);
    EXPECT_INVARIANTS();
    TEST_END();
}

/* Which capabilities seL4's deriveCap lets one copy. */
static void derive_rules(void)
{
    TEST_BEGIN("copy/derive_per_type");
    seL4_CPtr d = slot();
    ASSERT_NE(d, 0);
    EXPECT_ERR(copy_into(d, seL4_CapIRQControl, ALL), seL4_IllegalOperation);
    EXPECT_ERR(copy_into(d, seL4_CapIOPortControl, ALL), seL4_IllegalOperation);
    EXPECT_ERR(seL4_CNode_Mint(ROOT, d, DEPTH, ROOT, seL4_CapIRQControl, DEPTH, ALL, 0),
               seL4_IllegalOperation);
    EXPECT_EQ(ident(d), TAG_NULL);
    EXPECT_EQ(ident(copy_of(seL4_CapASIDControl, ALL)), TAG_ASID_CTRL);
    EXPECT_EQ(ident(copy_of(seL4_CapInitThreadASIDPool, ALL)), TAG_ASID_POOL);
    EXPECT_EQ(ident(copy_of(seL4_CapDomain, ALL)), TAG_DOMAIN);
    EXPECT_EQ(ident(copy_of(seL4_CapInitThreadTCB, ALL)), TAG_TCB);
    EXPECT_EQ(ident(copy_of(ROOT, ALL)), TAG_CNODE);
    EXPECT_EQ(ident(copy_of(seL4_CapBootInfoFrame, ALL)), TAG_FRAME);
    /* The root VSpace has an ASID; a new page directory has none. */
    EXPECT_EQ(ident(copy_of(ROOT_VSPACE, ALL)), TAG_PD);
    seL4_CPtr pd = obj(seL4_X86_PageDirectoryObject), pt = obj(seL4_X86_PageTableObject);
    ASSERT_TRUE(pd != 0 && pt != 0);
    EXPECT_ERR(copy_into(d, pd, ALL), seL4_IllegalOperation);
    /* A page table may be copied only while mapped. */
    EXPECT_ERR(copy_into(d, pt, ALL), seL4_IllegalOperation);
    ASSERT_OK(seL4_X86_PageTable_Map(pt, ROOT_VSPACE, PT_VADDR, seL4_X86_Default_VMAttributes));
    EXPECT_OK(copy_into(d, pt, ALL));
    EXPECT_EQ(ident(d), TAG_PT);
    /* Moving never derives: the IRQ control cap moves and comes back. */
    seL4_CPtr m = slot();
    EXPECT_OK(seL4_CNode_Move(ROOT, m, DEPTH, ROOT, seL4_CapIRQControl, DEPTH));
    EXPECT_EQ(ident(m), TAG_IRQ_CTRL);
    EXPECT_OK(seL4_CNode_Move(ROOT, seL4_CapIRQControl, DEPTH, ROOT, m, DEPTH));
    EXPECT_EQ(ident(seL4_CapIRQControl), TAG_IRQ_CTRL);
    seL4_CPtr pd2 = slot();
    EXPECT_OK(seL4_CNode_Move(ROOT, pd2, DEPTH, ROOT, pd, DEPTH));
    EXPECT_EQ(ident(pd2), TAG_PD);
    EXPECT_INVARIANTS();
    TEST_END();
}

/* A copy of a mapped frame starts unmapped: it maps elsewhere. */
static void frame_copy_unmapped(void)
{
    TEST_BEGIN("copy/frame_copy_is_unmapped");
    seL4_CPtr f = obj(seL4_X86_4K);
    ASSERT_NE(f, 0);
    ASSERT_OK(seL4_X86_Page_Map(f, ROOT_VSPACE, FRAME_VADDR, seL4_ReadWrite,
                                seL4_X86_Default_VMAttributes));
    /* The same cap cannot map at a second address. */
    EXPECT_ERR(seL4_X86_Page_Map(f, ROOT_VSPACE, FRAME_VADDR2, seL4_ReadWrite,
                                 seL4_X86_Default_VMAttributes), seL4_InvalidArgument);
    seL4_CPtr c = copy_of(f, ALL);
    ASSERT_NE(c, 0);
    EXPECT_OK(seL4_X86_Page_Map(c, ROOT_VSPACE, FRAME_VADDR2, seL4_ReadWrite,
                                seL4_X86_Default_VMAttributes));
    *(volatile seL4_Word *)FRAME_VADDR = 0x600d;
    EXPECT_EQ(*(volatile seL4_Word *)FRAME_VADDR2, 0x600d);
    EXPECT_EQ(frame_paddr(c), frame_paddr(f));
    /* A moved frame keeps its mapping: unmapping the moved cap removes it. */
    seL4_CPtr m = slot();
    EXPECT_OK(seL4_CNode_Move(ROOT, m, DEPTH, ROOT, c, DEPTH));
    EXPECT_OK(seL4_X86_Page_Unmap(m));
    EXPECT_OK(seL4_X86_Page_Map(m, ROOT_VSPACE, FRAME_VADDR2, seL4_CanRead,
                                seL4_X86_Default_VMAttributes));
    EXPECT_EQ(*(volatile seL4_Word *)FRAME_VADDR2, 0x600d);
    EXPECT_INVARIANTS();
    TEST_END();
}

void copy_tests(void)
{
    check_order();
    rights_shrink();
    badges();
    cnode_guards();
    derive_rules();
    frame_copy_unmapped();
}
