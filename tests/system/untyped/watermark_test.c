/*
 * The watermark: objects follow each other, each aligned to its size;
 * NotEnoughMemory reports the bytes left (checked before aligning); once
 * the untyped has no children the next retype starts again at the bottom
 * with the memory cleared.
 */
#include "untyped_tests.h"

#define UT_BITS     16
#define UT_SIZE     (1u << UT_BITS)
#define PATTERN     0x5eed1234u
#define EP_SIZE     (1u << seL4_EndpointBits)

static void watermark_alignment(void)
{
    TEST_BEGIN("watermark/alignment_and_bytes_left");
    seL4_CPtr ut = fresh_untyped(UT_BITS);
    ASSERT_NE(ut, 0);
    seL4_CPtr f0 = retype_one(ut, seL4_X86_4K, 0, NULL);
    ASSERT_NE(f0, 0);
    seL4_Word base = frame_paddr(f0);
    EXPECT_EQ(base % UT_SIZE, 0);
    /* An endpoint at 4 KiB, the next frame rounded up to 8 KiB. */
    ASSERT_NE(retype_one(ut, seL4_EndpointObject, 0, NULL), 0);
    seL4_CPtr f1 = retype_one(ut, seL4_X86_4K, 0, NULL);
    EXPECT_EQ(frame_paddr(f1), base + 2 * PAGE);
    /* 3 pages used: 13 more frames fit, 14 do not. */
    seL4_CPtr many = slots(14);
    ASSERT_NE(many, 0);
    EXPECT_MEMORY(retype_at(ut, seL4_X86_4K, 0, many, 14), UT_SIZE - 3 * PAGE);
    /* The check ignores alignment: 16-byte objects still "fit". */
    seL4_CPtr e = retype_one(ut, seL4_EndpointObject, 0, NULL);
    ASSERT_NE(e, 0);
    EXPECT_MEMORY(retype_at(ut, seL4_X86_4K, 0, many, 13), UT_SIZE - 3 * PAGE - EP_SIZE);
    ASSERT_OK(retype_at(ut, seL4_X86_4K, 0, many, 12));
    EXPECT_EQ(frame_paddr(many + 11), base + 15 * PAGE);
    /* Full: the rest of the endpoint's page was skipped by alignment. */
    EXPECT_MEMORY(retype_at(ut, seL4_EndpointObject, 0, many + 12, 1), 0);
    EXPECT_EQ(ident(many + 12), TAG_NULL);
    EXPECT_INVARIANTS();
    TEST_END();
}

static void watermark_never_falls(void)
{
    TEST_BEGIN("watermark/stays_while_children_live");
    seL4_CPtr ut = fresh_untyped(UT_BITS);
    ASSERT_NE(ut, 0);
    seL4_CPtr f0 = retype_one(ut, seL4_X86_4K, 0, NULL), f1 = retype_one(ut, seL4_X86_4K, 0, NULL);
    ASSERT_TRUE(f0 != 0 && f1 != 0);
    seL4_Word base = frame_paddr(f0);
    ASSERT_OK(seL4_CNode_Delete(ROOT, f0, DEPTH));
    /* f1 is still there: no reuse of f0's memory. */
    seL4_CPtr f2 = retype_one(ut, seL4_X86_4K, 0, NULL);
    EXPECT_EQ(frame_paddr(f2), base + 2 * PAGE);
    EXPECT_MEMORY(retype_at(ut, seL4_UntypedObject, UT_BITS, f0, 1), UT_SIZE - 3 * PAGE);
    /* A copy of a frame descends from the untyped too: while it lives,
     * the untyped is not reset. */
    seL4_CPtr c = st_slot(&mem);
    ASSERT_OK(seL4_CNode_Copy(ROOT, c, DEPTH, ROOT, f1, DEPTH, seL4_AllRights));
    ASSERT_OK(seL4_CNode_Delete(ROOT, f1, DEPTH));
    ASSERT_OK(seL4_CNode_Delete(ROOT, f2, DEPTH));
    seL4_CPtr f3 = retype_one(ut, seL4_X86_4K, 0, NULL);
    EXPECT_EQ(frame_paddr(f3), base + 3 * PAGE);
    EXPECT_INVARIANTS();
    TEST_END();
}

static void reset_clears(void)
{
    TEST_BEGIN("watermark/reset_clears_memory");
    seL4_CPtr ut = fresh_untyped(UT_BITS);
    ASSERT_NE(ut, 0);
    seL4_CPtr f = slots(UT_SIZE / PAGE);
    ASSERT_NE(f, 0);
    ASSERT_OK(retype_at(ut, seL4_X86_4K, 0, f, UT_SIZE / PAGE));
    seL4_Word base = frame_paddr(f);
    /* Dirty every page, then delete all the frames one by one. */
    for (seL4_Word i = 0; i < UT_SIZE / PAGE; i++) {
        volatile seL4_Word *p = map_frame(f + i);
        ASSERT_TRUE(p != NULL);
        p[0] = PATTERN;
        p[PAGE / sizeof(seL4_Word) - 1] = PATTERN;
        ASSERT_OK(seL4_CNode_Delete(ROOT, f + i, DEPTH));
    }
    /* Childless: the whole untyped is free again, from its base. */
    seL4_CPtr more = slots(UT_SIZE / PAGE + 1);
    ASSERT_NE(more, 0);
    EXPECT_MEMORY(retype_at(ut, seL4_X86_4K, 0, more, UT_SIZE / PAGE + 1), UT_SIZE);
    ASSERT_OK(retype_at(ut, seL4_X86_4K, 0, more, UT_SIZE / PAGE));
    EXPECT_EQ(frame_paddr(more), base);
    volatile seL4_Word *third = NULL;
    for (seL4_Word i = 0; i < UT_SIZE / PAGE; i++) {
        volatile seL4_Word *p = map_frame(more + i);
        ASSERT_TRUE(p != NULL);
        EXPECT_EQ(p[0], 0);
        EXPECT_EQ(p[PAGE / sizeof(seL4_Word) - 1], 0);
        if (i == 3)
            third = p;
    }
    /* Revoking the untyped (not deleting one by one) resets it too. */
    third[0] = PATTERN;
    ASSERT_OK(seL4_CNode_Revoke(ROOT, ut, DEPTH));
    EXPECT_EQ(ident(more + 3), TAG_NULL);
    seL4_CPtr again = slots(4);
    ASSERT_OK(retype_at(ut, seL4_X86_4K, 0, again, 4));
    volatile seL4_Word *p = map_frame(again + 3);
    ASSERT_TRUE(p != NULL);
    EXPECT_EQ(frame_paddr(again + 3), base + 3 * PAGE);
    EXPECT_EQ(p[0], 0);
    EXPECT_INVARIANTS();
    TEST_END();
}

/* A large untyped takes several preemptible chunks to clear. */
static void reset_large(void)
{
    TEST_BEGIN("watermark/reset_large_untyped");
    seL4_CPtr ut = fresh_untyped(seL4_LargePageBits);
    ASSERT_NE(ut, 0);
    seL4_CPtr lp = retype_one(ut, seL4_X86_LargePageObject, 0, NULL);
    ASSERT_NE(lp, 0);
    seL4_Word base = frame_paddr(lp);
    seL4_Word v = 0x70000000u;
    ASSERT_OK(seL4_X86_Page_Map(lp, ROOT_VSPACE, v, seL4_ReadWrite, seL4_X86_Default_VMAttributes));
    for (seL4_Word off = 0; off < LARGE_PAGE; off += PAGE)
        *(volatile seL4_Word *)(v + off) = PATTERN;
    ASSERT_OK(seL4_CNode_Delete(ROOT, lp, DEPTH));
    seL4_CPtr f = slots(2);
    ASSERT_OK(retype_at(ut, seL4_X86_LargePageObject, 0, f, 1));
    EXPECT_EQ(frame_paddr(f), base);
    ASSERT_OK(seL4_X86_Page_Map(f, ROOT_VSPACE, v, seL4_ReadWrite, seL4_X86_Default_VMAttributes));
    seL4_Word dirty = 0;
    for (seL4_Word off = 0; off < LARGE_PAGE; off += PAGE / 4)
        dirty |= *(volatile seL4_Word *)(v + off);
    EXPECT_EQ(dirty, 0);
    EXPECT_MEMORY(retype_at(ut, seL4_EndpointObject, 0, f + 1, 1), 0);
    EXPECT_INVARIANTS();
    TEST_END();
}

void watermark_tests(void)
{
    watermark_alignment();
    watermark_never_falls();
    reset_clears();
    reset_large();
}
