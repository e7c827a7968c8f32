/*
 * Rotate: dest <- pivot <- source in one step, or a swap when source and
 * destination are the same slot; the refusals in seL4's order (length and
 * caps, source lookup, pivot lookup, pivot equal to source or destination,
 * destination full, source empty, pivot empty, new data invalid).
 */
#include "cnode_tests.h"

#define SUB_RADIX 3

static seL4_Error rotate(seL4_CPtr dest, seL4_CPtr pivot, seL4_CPtr src)
{
    return seL4_CNode_Rotate(ROOT, dest, DEPTH, 0, ROOT, pivot, DEPTH, 0, ROOT, src, DEPTH);
}

static void rotate_moves(void)
{
    TEST_BEGIN("rotate/three_slots_and_swap");
    seL4_CPtr f1 = obj(seL4_X86_4K), f2 = obj(seL4_X86_4K), d = slot();
    ASSERT_TRUE(f1 != 0 && f2 != 0 && d != 0);
    seL4_Word p1 = frame_paddr(f1), p2 = frame_paddr(f2);
    ASSERT_TRUE(p1 != 0 && p2 != 0 && p1 != p2);
    /* pivot f1 -> d, source f2 -> pivot's slot, source slot empty. */
    EXPECT_OK(rotate(d, f1, f2));
    EXPECT_EQ(frame_paddr(d), p1);
    EXPECT_EQ(frame_paddr(f1), p2);
    EXPECT_EQ(ident(f2), TAG_NULL);
    /* Source == destination: a swap of d and f1. */
    EXPECT_OK(rotate(d, f1, d));
    EXPECT_EQ(frame_paddr(d), p2);
    EXPECT_EQ(frame_paddr(f1), p1);
    /* The derivation tree moved with them: revoking the moved original
     * removes a copy made before the rotation. */
    seL4_CPtr c = copy_of(d, ALL);
    ASSERT_NE(c, 0);
    EXPECT_OK(rotate(d, f1, d));
    EXPECT_OK(seL4_CNode_Revoke(ROOT, f1, DEPTH));
    EXPECT_EQ(ident(c), TAG_NULL);
    EXPECT_EQ(frame_paddr(f1), p2);
    /* New data applies to CNode caps: the pivot's lands in dest with it. */
    seL4_CPtr cn = st_new_cnode(&mem, SUB_RADIX), ep = obj(seL4_EndpointObject);
    seL4_CPtr e = slot(), x = slot();
    ASSERT_TRUE(cn != 0 && ep != 0 && e != 0 && x != 0);
    ASSERT_OK(seL4_CNode_Copy(cn, 1, SUB_RADIX, ROOT, ep, DEPTH, ALL));
    seL4_Word guard = seL4_CNode_CapData_new(0x2, 2).words[0];
    EXPECT_OK(seL4_CNode_Rotate(ROOT, e, DEPTH, guard, ROOT, cn, DEPTH, 0, ROOT, d, DEPTH));
    EXPECT_EQ(ident(d), TAG_NULL);
    EXPECT_EQ(frame_paddr(cn), p1);
    EXPECT_OK(seL4_CNode_Copy(ROOT, x, DEPTH, e, (0x2 << SUB_RADIX) | 1, SUB_RADIX + 2, ALL));
    EXPECT_EQ(ident(x), TAG_EP);
    EXPECT_INVARIANTS();
    TEST_END();
}

static void rotate_refusals(void)
{
    TEST_BEGIN("rotate/refusals");
    seL4_CPtr f1 = obj(seL4_X86_4K), f2 = obj(seL4_X86_4K), f3 = obj(seL4_X86_4K);
    seL4_CPtr ep = obj(seL4_EndpointObject), d = slot(), e1 = slot(), e2 = slot();
    ASSERT_TRUE(f1 && f2 && f3 && ep && d && e1 && e2);
    seL4_Word mr[8] = { d, DEPTH, 0, f1, DEPTH, 0, f2, DEPTH };

    EXPECT_ERR(cnode_raw(ROOT, INV_CNODE_ROTATE, 7, mr, 2, ROOT, ROOT), seL4_TruncatedMessage);
    EXPECT_ERR(cnode_raw(ROOT, INV_CNODE_ROTATE, 8, mr, 1, ROOT, ROOT), seL4_TruncatedMessage);
    /* The source is looked up before the pivot. */
    EXPECT_LOOKUP(seL4_CNode_Rotate(ROOT, d, DEPTH, 0, ep, f1, DEPTH, 0, ROOT, f2, DEPTH - 1),
                  1, seL4_DepthMismatch);
    EXPECT_EQ(seL4_GetMR(2), DEPTH - 1);
    EXPECT_EQ(seL4_GetMR(3), DEPTH);
    /* A failed pivot lookup also says "source". */
    EXPECT_LOOKUP(seL4_CNode_Rotate(ROOT, d, DEPTH, 0, ep, f1, DEPTH, 0, ROOT, f2, DEPTH),
                  1, seL4_InvalidRoot);
    EXPECT_RANGE(seL4_CNode_Rotate(ROOT, d, DEPTH, 0, ROOT, f1, 0, 0, ROOT, f2, DEPTH), 1, 32);
    /* Pivot equal to source or destination, even with everything empty. */
    EXPECT_ERR(rotate(d, e1, e1), seL4_IllegalOperation);
    EXPECT_ERR(rotate(e1, e1, e2), seL4_IllegalOperation);
    EXPECT_ERR(rotate(f3, f1, f2), seL4_DeleteFirst);
    /* Empty source (source flag 1), then empty pivot (source flag 0). */
    EXPECT_LOOKUP(rotate(d, e1, e2), 1, seL4_MissingCapability);
    EXPECT_EQ(seL4_GetMR(2), DEPTH);
    EXPECT_LOOKUP(seL4_CNode_Rotate(ROOT, d, DEPTH, 0, ROOT, e1, DEPTH, 0, ROOT, f2, DEPTH),
                  0, seL4_MissingCapability);
    EXPECT_EQ(seL4_GetMR(2), DEPTH);
    /* Endpoint caps cannot be rotated (their data cannot be preserved). */
    EXPECT_ERR(rotate(d, ep, f2), seL4_IllegalOperation);
    EXPECT_ERR(rotate(d, f1, ep), seL4_IllegalOperation);
    /* An over-long guard for a CNode cap. */
    seL4_CPtr cn = st_new_cnode(&mem, SUB_RADIX);
    ASSERT_NE(cn, 0);
    seL4_Word bad = seL4_CNode_CapData_new(0, DEPTH - SUB_RADIX + 1).words[0];
    EXPECT_ERR(seL4_CNode_Rotate(ROOT, d, DEPTH, bad, ROOT, cn, DEPTH, 0, ROOT, f2, DEPTH),
               seL4_IllegalOperation);
    EXPECT_ERR(seL4_CNode_Rotate(ROOT, d, DEPTH, 0, ROOT, f2, DEPTH, bad, ROOT, cn, DEPTH),
               seL4_IllegalOperation);
    /* Nothing moved. */
    EXPECT_EQ(ident(d), TAG_NULL);
    EXPECT_EQ(ident(f1), TAG_FRAME);
    EXPECT_EQ(ident(f2), TAG_FRAME);
    EXPECT_EQ(ident(cn), TAG_CNODE);
    EXPECT_INVARIANTS();
    TEST_END();
}

void rotate_tests(void)
{
    rotate_moves();
    rotate_refusals();
}
