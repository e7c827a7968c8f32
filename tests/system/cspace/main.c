/*
 * System tests of capability lookup (kernel/cspace.c) through CNode
 * invocations, which report every way a (root, index, depth) address can
 * fail exactly as seL4 does: FailedLookup with MR0 = 1 for a source (or
 * pivot) address and 0 for a destination, MR1 = the lookup failure type,
 * then its details (MissingCapability: bits left; DepthMismatch: bits left,
 * bits found; GuardMismatch: bits left, guard found, guard size).
 *
 * The CSpace built here hangs off the root CNode:
 *
 *   ga = A with guard 0x5 of 4 bits (level 8 bits)
 *   A  (radix 4): slot 3 endpoint, slot 4 a second CNode cap (B, guard 1
 *                 of 2 bits, level 5), slot 0 A itself without a guard (a
 *                 loop), slot 1 ga (a guarded loop)
 *   B  (radix 3): slot 2 endpoint
 *
 * Each test ends by running the kernel's invariant checker.
 */
#include <rt/rt.h>
#include <rt/test.h>
#include <sel4/sel4.h>
#include <systest.h>

static struct st_root mem;    /* what the tests allocate from */

#define ROOT        seL4_CapInitThreadCNode
#define DEPTH       seL4_WordBits
#define TAG_NULL    0x00
#define TAG_EP      0x04
#define TAG_CNODE   0x0a

#define A_RADIX     4
#define A_GUARD     0x5
#define A_GUARD_LEN 4
#define A_LEVEL     (A_RADIX + A_GUARD_LEN)
#define B_RADIX     3
#define B_GUARD     0x1
#define B_GUARD_LEN 2
#define B_LEVEL     (B_RADIX + B_GUARD_LEN)
#define A_EP        3
#define A_B         4
#define A_EMPTY     9
#define A_LOOP      0
#define A_GLOOP     1
#define B_EP        2

static seL4_CPtr ca, ga, cb, ep;

/* Address of slot s of A through ga, A_LEVEL bits. */
#define VIA_GA(s)       ((A_GUARD << A_RADIX) | (s))
/* Address of slot s of B through ga and A's slot A_B, A_LEVEL + B_LEVEL bits. */
#define VIA_GA_B(s)     ((VIA_GA(A_B) << B_LEVEL) | (B_GUARD << B_RADIX) | (s))

#define EXPECT_LOOKUP(err, src, type) do { \
        EXPECT_ERR(err, seL4_FailedLookup); \
        EXPECT_EQ(seL4_GetMR(0), src); \
        EXPECT_EQ(seL4_GetMR(1), type); \
    } while (0)

static seL4_Error copy_from(seL4_CPtr root, seL4_Word index, seL4_Word depth, seL4_CPtr *dest)
{
    *dest = st_slot(&mem);
    return seL4_CNode_Copy(ROOT, *dest, DEPTH, root, index, (seL4_Uint8)depth, seL4_AllRights);
}

static int build_cspace(void)
{
    ca = st_new_cnode(&mem, A_RADIX);
    cb = st_new_cnode(&mem, B_RADIX);
    ep = st_new_object(&mem, seL4_EndpointObject);
    ga = st_slot(&mem);
    if (ca == 0 || cb == 0 || ep == 0 || ga == 0)
        return 0;
    if (seL4_CNode_Mint(ROOT, ga, DEPTH, ROOT, ca, DEPTH, seL4_AllRights,
                        seL4_CNode_CapData_new(A_GUARD, A_GUARD_LEN).words[0]) != 0)
        return 0;
    if (seL4_CNode_Copy(ca, A_EP, A_RADIX, ROOT, ep, DEPTH, seL4_AllRights) != 0 ||
        seL4_CNode_Mint(ca, A_B, A_RADIX, ROOT, cb, DEPTH, seL4_AllRights,
                        seL4_CNode_CapData_new(B_GUARD, B_GUARD_LEN).words[0]) != 0 ||
        seL4_CNode_Copy(cb, B_EP, B_RADIX, ROOT, ep, DEPTH, seL4_AllRights) != 0 ||
        seL4_CNode_Copy(ca, A_LOOP, A_RADIX, ROOT, ca, DEPTH, seL4_AllRights) != 0 ||
        seL4_CNode_Copy(ca, A_GLOOP, A_RADIX, ROOT, ga, DEPTH, seL4_AllRights) != 0)
        return 0;
    return 1;
}

static void test_resolve_levels(void)
{
    seL4_CPtr d;

    TEST_BEGIN("cspace/resolve_guarded_levels");
    SKIP_ON_RELEASE("seL4_DebugCapIdentify");
    EXPECT_OK(copy_from(ga, VIA_GA(A_EP), A_LEVEL, &d));
    EXPECT_EQ(seL4_DebugCapIdentify(d), TAG_EP);
    EXPECT_OK(copy_from(ga, VIA_GA_B(B_EP), A_LEVEL + B_LEVEL, &d));
    EXPECT_EQ(seL4_DebugCapIdentify(d), TAG_EP);
    /* A depth that stops at a CNode cap names that slot, not its contents. */
    EXPECT_OK(copy_from(ga, VIA_GA(A_B), A_LEVEL, &d));
    EXPECT_EQ(seL4_DebugCapIdentify(d), TAG_CNODE);
    /* The unguarded cap of A reads only the radix. */
    EXPECT_OK(copy_from(ca, A_EP, A_RADIX, &d));
    EXPECT_EQ(seL4_DebugCapIdentify(d), TAG_EP);
    /* Bits above the depth are ignored. */
    EXPECT_OK(copy_from(ca, 0xfffffff0u | A_EP, A_RADIX, &d));
    EXPECT_EQ(seL4_DebugCapIdentify(d), TAG_EP);
    EXPECT_INVARIANTS();
    TEST_END();
}

static void test_guard_mismatch(void)
{
    seL4_CPtr d;

    TEST_BEGIN("cspace/guard_mismatch");
    /* Wrong guard at the first level: bits left 8, guard found 5, size 4. */
    EXPECT_LOOKUP(copy_from(ga, (0x6 << A_RADIX) | A_EP, A_LEVEL, &d), 1, seL4_GuardMismatch);
    EXPECT_EQ(seL4_GetMR(2), A_LEVEL);
    EXPECT_EQ(seL4_GetMR(3), A_GUARD);
    EXPECT_EQ(seL4_GetMR(4), A_GUARD_LEN);
    /* A guard longer than the bits left. */
    EXPECT_LOOKUP(copy_from(ga, A_GUARD >> 1, A_GUARD_LEN - 1, &d), 1, seL4_GuardMismatch);
    EXPECT_EQ(seL4_GetMR(2), A_GUARD_LEN - 1);
    EXPECT_EQ(seL4_GetMR(3), A_GUARD);
    EXPECT_EQ(seL4_GetMR(4), A_GUARD_LEN);
    /* Wrong guard at the second level: 5 bits left there. */
    seL4_Word bad = (VIA_GA(A_B) << B_LEVEL) | (0x2 << B_RADIX) | B_EP;
    EXPECT_LOOKUP(copy_from(ga, bad, A_LEVEL + B_LEVEL, &d), 1, seL4_GuardMismatch);
    EXPECT_EQ(seL4_GetMR(2), B_LEVEL);
    EXPECT_EQ(seL4_GetMR(3), B_GUARD);
    EXPECT_EQ(seL4_GetMR(4), B_GUARD_LEN);
    /* The same failure on the destination side says so in MR0. */
    EXPECT_LOOKUP(seL4_CNode_Copy(ga, (0x6 << A_RADIX) | A_EMPTY, A_LEVEL, ROOT, ep, DEPTH,
                                  seL4_AllRights), 0, seL4_GuardMismatch);
    EXPECT_EQ(seL4_GetMR(2), A_LEVEL);
    EXPECT_EQ(seL4_GetMR(3), A_GUARD);
    EXPECT_EQ(seL4_GetMR(4), A_GUARD_LEN);
    EXPECT_INVARIANTS();
    TEST_END();
}

static void test_depth_mismatch(void)
{
    seL4_CPtr d;

    TEST_BEGIN("cspace/depth_mismatch");
    /* Guard matches but the level needs 8 bits and 6 are left. */
    EXPECT_LOOKUP(copy_from(ga, A_GUARD << 2, A_LEVEL - 2, &d), 1, seL4_DepthMismatch);
    EXPECT_EQ(seL4_GetMR(2), A_LEVEL - 2);
    EXPECT_EQ(seL4_GetMR(3), A_LEVEL);
    /* Second level: 2 bits left (its guard), B needs 5. */
    EXPECT_LOOKUP(copy_from(ga, (VIA_GA(A_B) << B_GUARD_LEN) | B_GUARD, A_LEVEL + B_GUARD_LEN, &d),
                  1, seL4_DepthMismatch);
    EXPECT_EQ(seL4_GetMR(2), B_GUARD_LEN);
    EXPECT_EQ(seL4_GetMR(3), B_LEVEL);
    /* The address goes on past a non-CNode cap: bits left 4, found 0. */
    EXPECT_LOOKUP(copy_from(ga, (VIA_GA(A_EP) << 4) | 0xf, A_LEVEL + 4, &d), 1, seL4_DepthMismatch);
    EXPECT_EQ(seL4_GetMR(2), 4);
    EXPECT_EQ(seL4_GetMR(3), 0);
    /* Past an empty slot the same. */
    EXPECT_LOOKUP(copy_from(ga, VIA_GA(A_EMPTY) << 4, A_LEVEL + 4, &d), 1, seL4_DepthMismatch);
    EXPECT_EQ(seL4_GetMR(2), 4);
    EXPECT_EQ(seL4_GetMR(3), 0);
    EXPECT_INVARIANTS();
    TEST_END();
}

static void test_missing_and_root(void)
{
    seL4_CPtr d, empty = st_slot(&mem);

    TEST_BEGIN("cspace/missing_capability_and_invalid_root");
    ASSERT_NE(empty, 0);
    /* An empty source slot: MissingCapability, bits left = the depth given. */
    EXPECT_LOOKUP(copy_from(ga, VIA_GA(A_EMPTY), A_LEVEL, &d), 1, seL4_MissingCapability);
    EXPECT_EQ(seL4_GetMR(2), A_LEVEL);
    EXPECT_LOOKUP(copy_from(ga, VIA_GA_B(B_EP + 1), A_LEVEL + B_LEVEL, &d), 1,
                  seL4_MissingCapability);
    EXPECT_EQ(seL4_GetMR(2), A_LEVEL + B_LEVEL);
    /* A root that is not a CNode, or nothing at all. */
    EXPECT_LOOKUP(copy_from(ep, 0, A_RADIX, &d), 1, seL4_InvalidRoot);
    EXPECT_LOOKUP(copy_from(empty, 0, A_RADIX, &d), 1, seL4_InvalidRoot);
    /* Depth outside 1..32 is a range error before anything is resolved. */
    EXPECT_ERR(copy_from(ga, VIA_GA(A_EP), 0, &d), seL4_RangeError);
    EXPECT_EQ(seL4_GetMR(0), 1);
    EXPECT_EQ(seL4_GetMR(1), 32);
    /* The root is checked before the depth. */
    EXPECT_LOOKUP(copy_from(ep, 0, 33, &d), 1, seL4_InvalidRoot);
    EXPECT_ERR(copy_from(ga, VIA_GA(A_EP), 33, &d), seL4_RangeError);
    EXPECT_EQ(seL4_GetMR(0), 1);
    EXPECT_EQ(seL4_GetMR(1), 32);
    /* Destination depth out of range. */
    EXPECT_ERR(seL4_CNode_Copy(ROOT, empty, 0, ROOT, ep, DEPTH, seL4_AllRights), seL4_RangeError);
    EXPECT_EQ(seL4_GetMR(0), 1);
    EXPECT_EQ(seL4_GetMR(1), 32);
    EXPECT_INVARIANTS();
    TEST_END();
}

/* Cyclic CSpaces: every level consumes bits, so lookups end. */
static void test_loops(void)
{
    seL4_CPtr d;

    TEST_BEGIN("cspace/loops_terminate");
    SKIP_ON_RELEASE("seL4_DebugCapIdentify");
    /* Eight trips round A's slot 0 use up 32 bits and land on A's own cap. */
    EXPECT_OK(copy_from(ca, 0, DEPTH, &d));
    EXPECT_EQ(seL4_DebugCapIdentify(d), TAG_CNODE);
    /* Two bits short of a level after seven trips. */
    EXPECT_LOOKUP(copy_from(ca, 0, DEPTH - 2, &d), 1, seL4_DepthMismatch);
    EXPECT_EQ(seL4_GetMR(2), 2);
    EXPECT_EQ(seL4_GetMR(3), A_RADIX);
    /* Round the guarded loop: slot 1 of A, guard 5, slot 1 ... then slot 3. */
    seL4_Word a = A_GLOOP;
    for (int i = 0; i < 2; i++)
        a = (a << A_LEVEL) | VIA_GA(A_GLOOP);
    a = (a << A_LEVEL) | VIA_GA(A_EP);
    EXPECT_OK(copy_from(ca, a, A_RADIX + 3 * A_LEVEL, &d));
    EXPECT_EQ(seL4_DebugCapIdentify(d), TAG_EP);
    /* All ones: slot 15 of A is empty, 28 bits are left over. */
    EXPECT_LOOKUP(copy_from(ca, 0xffffffffu, DEPTH, &d), 1, seL4_DepthMismatch);
    EXPECT_EQ(seL4_GetMR(2), DEPTH - A_RADIX);
    EXPECT_EQ(seL4_GetMR(3), 0);
    EXPECT_INVARIANTS();
    TEST_END();
}

/* The invoked capability itself: an empty slot is InvalidCapability 0. */
static void test_invoke_empty(void)
{
    seL4_CPtr empty = st_slot(&mem);

    TEST_BEGIN("cspace/invoke_empty_slot");
    ASSERT_NE(empty, 0);
    EXPECT_ERR(seL4_CNode_Delete(empty, 0, DEPTH), seL4_InvalidCapability);
    EXPECT_EQ(seL4_GetMR(0), 0);
    EXPECT_ERR(seL4_Untyped_Retype(empty, seL4_EndpointObject, 0, ROOT, 0, 0, 0, 1),
               seL4_InvalidCapability);
    EXPECT_EQ(seL4_GetMR(0), 0);
    EXPECT_INVARIANTS();
    TEST_END();
}

static void test_build(void)
{
    TEST_BEGIN("cspace/build");
    ASSERT_TRUE(build_cspace());
    EXPECT_INVARIANTS();
    TEST_END();
}

int main(bootinfo_t *bi)
{
    st_root_init(&mem, bi);
    test_build();
    test_resolve_levels();
    test_guard_mismatch();
    test_depth_mismatch();
    test_missing_and_root();
    test_loops();
    test_invoke_empty();
    tests_done();
}
