/*
 * Retype: every object type, batches into a window of a CNode, the
 * fan-out limit, and every refusal in seL4's order with its details.
 */
#include "untyped_tests.h"

#define UT_BITS     16
#define WIN_RADIX   5
#define WIN_SIZE    (1u << WIN_RADIX)
#define FAN_RADIX   9
#define FAN_OUT     256
#define CNODE_MAX   (seL4_MaxUntypedBits - seL4_SlotBits)

static void every_type(void)
{
    static const struct { seL4_Word type, size, tag; } kinds[] = {
        { seL4_UntypedObject, seL4_MinUntypedBits, TAG_UNTYPED },
        { seL4_UntypedObject, 12, TAG_UNTYPED },
        { seL4_TCBObject, 0, TAG_TCB },
        { seL4_EndpointObject, 0, TAG_EP },
        { seL4_NotificationObject, 0, TAG_NTFN },
        { seL4_CapTableObject, 1, TAG_CNODE },
        { seL4_CapTableObject, 6, TAG_CNODE },
        { seL4_X86_4K, 0, TAG_FRAME },
        { seL4_X86_PageTableObject, 0, TAG_PT },
        { seL4_X86_PageDirectoryObject, 0, TAG_PD },
        /* size_bits is ignored for fixed-size types, if below 32. */
        { seL4_EndpointObject, 31, TAG_EP },
    };

    TEST_BEGIN("retype/every_type");
    seL4_CPtr ut = fresh_untyped(UT_BITS), big = fresh_untyped(seL4_LargePageBits);
    ASSERT_TRUE(ut != 0 && big != 0);
    for (unsigned i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
        seL4_Error err;
        seL4_CPtr c = retype_one(ut, kinds[i].type, kinds[i].size, &err);
        EXPECT_OK(err);
        EXPECT_EQ(ident(c), kinds[i].tag);
    }
    seL4_CPtr lp = retype_one(big, seL4_X86_LargePageObject, 0, NULL);
    EXPECT_EQ(ident(lp), TAG_FRAME);
    EXPECT_EQ(frame_paddr(lp) % LARGE_PAGE, 0);
    /* A new CNode of radix 6 has 64 usable slots. */
    seL4_CPtr cn = retype_one(ut, seL4_CapTableObject, 6, NULL);
    ASSERT_NE(cn, 0);
    EXPECT_OK(seL4_Untyped_Retype(ut, seL4_EndpointObject, 0, cn, 0, 0, 63, 1));
    EXPECT_INVARIANTS();
    TEST_END();
}

/* Copies slot i of CNode cn (radix r) to a fresh root slot. */
static seL4_Word ident_in(seL4_CPtr cn, seL4_Word i, seL4_Word r)
{
    seL4_CPtr d = st_slot(&mem);
    if (seL4_CNode_Copy(ROOT, d, DEPTH, cn, i, (seL4_Uint8)r, seL4_AllRights) != seL4_NoError)
        return TAG_NULL;
    return ident(d);
}

static void batch_window(void)
{
    TEST_BEGIN("retype/batch_into_window");
    seL4_CPtr ut = fresh_untyped(UT_BITS), win = st_slot(&mem);
    ASSERT_TRUE(ut != 0 && win != 0);
    ASSERT_OK(retype_at(ut, seL4_CapTableObject, WIN_RADIX, win, 1));
    /* Depth 0: the root cap given is the destination CNode itself. */
    EXPECT_OK(seL4_Untyped_Retype(ut, seL4_NotificationObject, 0, win, 0, 0, 7, 10));
    /* Or a CNode found from the root at (index, depth). */
    EXPECT_OK(seL4_Untyped_Retype(ut, seL4_EndpointObject, 0, ROOT, win, DEPTH, 20, 3));
    EXPECT_EQ(ident_in(win, 6, WIN_RADIX), TAG_NULL);
    for (seL4_Word i = 7; i < 17; i++)
        EXPECT_EQ(ident_in(win, i, WIN_RADIX), TAG_NTFN);
    EXPECT_EQ(ident_in(win, 17, WIN_RADIX), TAG_NULL);
    EXPECT_EQ(ident_in(win, 19, WIN_RADIX), TAG_NULL);
    for (seL4_Word i = 20; i < 23; i++)
        EXPECT_EQ(ident_in(win, i, WIN_RADIX), TAG_EP);
    /* A batch of frames lies side by side in the untyped. */
    seL4_CPtr f = slots(4);
    ASSERT_NE(f, 0);
    ASSERT_OK(retype_at(ut, seL4_X86_4K, 0, f, 4));
    for (seL4_Word i = 1; i < 4; i++)
        EXPECT_EQ(frame_paddr(f + i), frame_paddr(f) + i * PAGE);
    /* Up to the last slot of the CNode. */
    EXPECT_OK(seL4_Untyped_Retype(ut, seL4_EndpointObject, 0, win, 0, 0, WIN_SIZE - 2, 2));
    EXPECT_INVARIANTS();
    TEST_END();
}

static void fan_out(void)
{
    TEST_BEGIN("retype/fan_out_limit");
    seL4_CPtr ut = fresh_untyped(UT_BITS), cn = st_slot(&mem);
    ASSERT_TRUE(ut != 0 && cn != 0);
    ASSERT_OK(retype_at(ut, seL4_CapTableObject, FAN_RADIX, cn, 1));
    EXPECT_RANGE(seL4_Untyped_Retype(ut, seL4_EndpointObject, 0, cn, 0, 0, 0, FAN_OUT + 1),
                 1, FAN_OUT);
    EXPECT_OK(seL4_Untyped_Retype(ut, seL4_EndpointObject, 0, cn, 0, 0, 0, FAN_OUT));
    EXPECT_EQ(ident_in(cn, 0, FAN_RADIX), TAG_EP);
    EXPECT_EQ(ident_in(cn, FAN_OUT - 1, FAN_RADIX), TAG_EP);
    EXPECT_EQ(ident_in(cn, FAN_OUT, FAN_RADIX), TAG_NULL);
    EXPECT_INVARIANTS();
    TEST_END();
}

static seL4_Error retype_raw(seL4_CPtr ut, seL4_Word len, seL4_Word caps, const seL4_Word *mr)
{
    for (seL4_Word i = 2; i < len; i++)
        seL4_SetMR((int)i, mr[i]);
    seL4_SetCap(0, ROOT);
    return rt_invoke(ut, INV_UNTYPED_RETYPE, caps, len, mr[0], mr[1]);
}

static void argument_errors(void)
{
    TEST_BEGIN("retype/argument_errors_in_order");
    seL4_CPtr ut = fresh_untyped(UT_BITS), d = st_slot(&mem);
    ASSERT_TRUE(ut != 0 && d != 0);
    seL4_Word mr[6] = { seL4_EndpointObject, 0, 0, 0, d, 1 };

    EXPECT_ERR(seL4_CNode_Delete(ut, 0, DEPTH), seL4_IllegalOperation);
    EXPECT_ERR(retype_raw(ut, 5, 1, mr), seL4_TruncatedMessage);
    EXPECT_ERR(retype_raw(ut, 6, 0, mr), seL4_TruncatedMessage);
    /* Type first, then size (0..29), then the type's own minimum. */
    EXPECT_ARG(retype_at(ut, seL4_ObjectTypeCount, 0, d, 1), 0);
    EXPECT_ARG(retype_at(ut, seL4_ObjectTypeCount, 40, d, 1), 0);
    EXPECT_RANGE(retype_at(ut, seL4_EndpointObject, DEPTH, d, 1), 0, seL4_MaxUntypedBits);
    EXPECT_RANGE(retype_at(ut, seL4_UntypedObject, seL4_MaxUntypedBits + 1, d, 1), 0,
                 seL4_MaxUntypedBits);
    EXPECT_RANGE(retype_at(ut, seL4_UntypedObject, DEPTH + 1, d, 1), 0, seL4_MaxUntypedBits);
    EXPECT_RANGE(retype_at(ut, seL4_CapTableObject, CNODE_MAX + 1, d, 1), 0,
                 seL4_MaxUntypedBits);
    EXPECT_ARG(retype_at(ut, seL4_CapTableObject, 0, d, 1), 1);
    EXPECT_ARG(retype_at(ut, seL4_UntypedObject, seL4_MinUntypedBits - 1, d, 1), 1);
    /* Within range but too big for this untyped. */
    EXPECT_MEMORY(retype_at(ut, seL4_CapTableObject, CNODE_MAX, d, 1), 1u << UT_BITS);
    EXPECT_MEMORY(retype_at(ut, seL4_UntypedObject, seL4_MaxUntypedBits, d, 1), 1u << UT_BITS);
    EXPECT_EQ(ident(d), TAG_NULL);
    EXPECT_INVARIANTS();
    TEST_END();
}

static void destination_errors(void)
{
    TEST_BEGIN("retype/destination_errors_in_order");
    seL4_CPtr ut = fresh_untyped(UT_BITS), cn = st_slot(&mem), ep = st_slot(&mem);
    seL4_CPtr empty = st_slot(&mem);
    ASSERT_TRUE(ut != 0 && cn != 0 && ep != 0 && empty != 0);
    ASSERT_OK(retype_at(ut, seL4_CapTableObject, WIN_RADIX, cn, 1));
    ASSERT_OK(retype_at(ut, seL4_EndpointObject, 0, ep, 1));
    ASSERT_OK(seL4_Untyped_Retype(ut, seL4_EndpointObject, 0, cn, 0, 0, 4, 1));
    seL4_Word T = seL4_EndpointObject;

    EXPECT_RANGE(seL4_Untyped_Retype(ut, T, 0, ROOT, cn, DEPTH + 1, 0, 1), 1, 32);
    /* Depth given: the root must be a CNode (a lookup failure)... */
    EXPECT_LOOKUP(seL4_Untyped_Retype(ut, T, 0, ep, 0, DEPTH, 0, 1), 0, seL4_InvalidRoot);
    /* ... depth 0: the root itself must be one (MissingCapability, 0 bits). */
    EXPECT_LOOKUP(seL4_Untyped_Retype(ut, T, 0, ep, 0, 0, 0, 1), 0, seL4_MissingCapability);
    EXPECT_EQ(seL4_GetMR(2), 0);
    EXPECT_LOOKUP(seL4_Untyped_Retype(ut, T, 0, empty, 0, 0, 0, 1), 0, seL4_MissingCapability);
    /* The slot found holds no CNode: MissingCapability with the depth. */
    EXPECT_LOOKUP(seL4_Untyped_Retype(ut, T, 0, ROOT, ep, DEPTH, 0, 1), 0, seL4_MissingCapability);
    EXPECT_EQ(seL4_GetMR(2), DEPTH);
    EXPECT_LOOKUP(seL4_Untyped_Retype(ut, T, 0, ROOT, empty, DEPTH, 0, 1), 0,
                  seL4_MissingCapability);
    EXPECT_EQ(seL4_GetMR(2), DEPTH);
    EXPECT_LOOKUP(seL4_Untyped_Retype(ut, T, 0, ROOT, cn, DEPTH - 1, 0, 1), 0, seL4_DepthMismatch);
    EXPECT_EQ(seL4_GetMR(2), DEPTH - 1);
    EXPECT_EQ(seL4_GetMR(3), DEPTH);
    /* Offset, then count, then the window, then empty slots. */
    EXPECT_RANGE(seL4_Untyped_Retype(ut, T, 0, cn, 0, 0, WIN_SIZE, 0), 0, WIN_SIZE - 1);
    EXPECT_RANGE(seL4_Untyped_Retype(ut, T, 0, cn, 0, 0, 0, 0), 1, FAN_OUT);
    EXPECT_RANGE(seL4_Untyped_Retype(ut, T, 0, cn, 0, 0, WIN_SIZE - 2, 3), 1, 2);
    EXPECT_RANGE(seL4_Untyped_Retype(ut, T, 0, cn, 0, 0, 1, WIN_SIZE), 1, WIN_SIZE - 1);
    EXPECT_ERR(seL4_Untyped_Retype(ut, T, 0, cn, 0, 0, 0, 8), seL4_DeleteFirst);
    EXPECT_ERR(seL4_Untyped_Retype(ut, T, 0, cn, 0, 0, 4, 1), seL4_DeleteFirst);
    /* Empty slots are checked before memory. */
    EXPECT_ERR(seL4_Untyped_Retype(ut, seL4_UntypedObject, UT_BITS, cn, 0, 0, 0, 8),
               seL4_DeleteFirst);
    EXPECT_EQ(ident(empty), TAG_NULL);
    EXPECT_INVARIANTS();
    TEST_END();
}

void retype_tests(void)
{
    every_type();
    batch_window();
    fan_out();
    argument_errors();
    destination_errors();
}
