/*
 * memmgr growing its own CSpace on the real kernel. The root task's
 * CSpace is made two-level first, the way a component that wants to grow
 * sets itself up: a top-level CNode of 2^6 slots with a 13-bit guard
 * becomes the CSpace root, the old root CNode sits in its slot 0 (so
 * every old CPtr still names the same slot), and memmgr puts new CNodes
 * of 2^13 slots in slots 1 and up: slot j of the CNode in top-level slot
 * i is CPtr (i << 13) | j; once every slot of such a CNode is free
 * again memmgr deletes it and frees its untyped, also when the slots
 * still hold capabilities of memmgr's own untypeds, which it moves into
 * its first CNode first. This test runs last, as it changes the root
 * task's CSpace for good.
 */
#include "memmgr_tests.h"
#include <stddef.h>
#include <string.h>

#define L1_RADIX    6
#define L2_BITS     13          /* the root CNode's radix (ROOT_CNODE_BITS) */
#define L1_GUARD    (seL4_WordBits - L1_RADIX - L2_BITS)
#define FEW_SLOTS   64          /* enough to keep MM_SLOT_RELEASE_KEEP free */
#define MANY        600
#define FIRST_SLOTS 128         /* the window the moved capabilities go to */
#define GROWN_FIRST (1u << L2_BITS)     /* CPtr of slot 0 of top-level slot 1 */

static struct child cg;
static mm_cptr_t eps[MANY];
static mm_cptr_t held[FIRST_SLOTS];
static seL4_CPtr two_level_root;     /* set once the CSpace is two-level */

/* Returns the CPtr of the new root (the top-level CNode with its guard). */
static seL4_CPtr make_two_level(void)
{
    seL4_CPtr l1, l1g = st_slot(&mem);
    seL4_Word none = seL4_CNode_CapData_new(0, 0).words[0];
    seL4_Word guard = seL4_CNode_CapData_new(0, L1_GUARD).words[0];

    if (mm_alloc(&parent, seL4_CapTableObject, L1_RADIX, &l1) != ERR_NONE ||
        seL4_CNode_Mint(l1, 0, L1_RADIX, ROOT, ROOT, DEPTH, seL4_AllRights, none) != 0 ||
        seL4_CNode_Mint(ROOT, l1g, DEPTH, ROOT, l1, DEPTH, seL4_AllRights, guard) != 0 ||
        seL4_TCB_SetSpace(seL4_CapInitThreadTCB, 0, l1g, 0, seL4_CapInitThreadVSpace, 0) != 0)
        return 0;
    return l1g;
}

/* Top-level slot i of the two-level CSpace holds a capability: a copy
 * of it can be made (and is deleted again). */
static int top_slot_full(seL4_CPtr root, seL4_Word i)
{
    seL4_CPtr copy = st_slot(&mem);
    seL4_Error err = seL4_CNode_Copy(root, copy, DEPTH, root, i, seL4_WordBits - L2_BITS,
                                     seL4_AllRights);

    if (err == seL4_NoError)
        seL4_CNode_Delete(root, copy, DEPTH);
    return err == seL4_NoError;
}

static void grows_its_cspace(void)
{
    seL4_CPtr root;
    mm_cptr_t first;
    uint32_t grown = 0;

    TEST_BEGIN("memmgr_cspace_grows_by_new_cnodes");
    root = make_two_level();
    ASSERT_NE(root, 0);
    two_level_root = root;
    EXPECT_EQ(ident(seL4_CapInitThreadTCB), TAG_TCB);      /* old CPtrs still work */
    first = st_slots(&mem, FEW_SLOTS);
    ASSERT_NE(first, 0);
    ASSERT_EQ(mm_alloc_untyped(&parent, 20, 0, &cg.ut), ERR_NONE);
    ASSERT_EQ(mm_init(&cg.mm, cg.meta, sizeof(cg.meta), root, MAX_UTS), ERR_NONE);
    ASSERT_EQ(mm_add_slots(&cg.mm, first, first, FEW_SLOTS, 0, seL4_WordBits - L2_BITS),
              ERR_NONE);
    ASSERT_EQ(mm_add_untyped(&cg.mm, cg.ut, mm_paddr(&parent, cg.ut), 20, 0), ERR_NONE);
    mm_set_grow(&cg.mm, L2_BITS, 1, 1u << L1_RADIX);
    for (uint32_t i = 0; i < MANY; i++) {
        ASSERT_EQ(mm_alloc(&cg.mm, seL4_EndpointObject, 0, &eps[i]), ERR_NONE);
        grown += eps[i] >= (1u << L2_BITS);
    }
    EXPECT_GT(grown, MANY - FEW_SLOTS);
    EXPECT_EQ(ident(eps[MANY - 1]), TAG_EP);
    EXPECT_EQ(mm_stats(&cg.mm)->cspace, (uint64_t)1 << (L2_BITS + seL4_SlotBits));
    EXPECT_GE(mm_slots_free(&cg.mm), MM_SLOT_LOW_WATER);
    for (uint32_t i = 0; i < MANY; i++)
        EXPECT_EQ(mm_free(&cg.mm, eps[i]), ERR_NONE);
    /* The pooled endpoints hold slots of the new CNode, and the CNode
     * lives in the untyped: releasing it is refused. */
    EXPECT_ERR(mm_release_untyped(&cg.mm, cg.ut), seL4_RevokeFirst);
    EXPECT_TRUE(top_slot_full(root, 1));
    EXPECT_EQ(mm_check(&cg.mm), ERR_NONE);
    TEST_END();

    /* Drained, every slot of the grown CNode is free: it goes back. */
    TEST_BEGIN("memmgr_cspace_gives_back_an_empty_cnode");
    mm_shrink(&cg.mm);
    EXPECT_EQ(ident(eps[MANY - 1]), TAG_NULL);
    EXPECT_EQ(mm_stats(&cg.mm)->cspace, 0);
    EXPECT_FALSE(top_slot_full(root, 1));           /* the kernel's view */
    EXPECT_GE(mm_slots_free(&cg.mm), MM_SLOT_RELEASE_KEEP);
    EXPECT_EQ(mm_check(&cg.mm), ERR_NONE);
    /* Growing again puts a CNode in the same top-level slot. */
    for (uint32_t i = 0; i < MANY; i++)
        ASSERT_EQ(mm_alloc(&cg.mm, seL4_EndpointObject, 0, &eps[i]), ERR_NONE);
    EXPECT_TRUE(top_slot_full(root, 1));
    EXPECT_FALSE(top_slot_full(root, 2));
    for (uint32_t i = 0; i < MANY; i++)
        EXPECT_EQ(mm_free(&cg.mm, eps[i]), ERR_NONE);
    mm_shrink(&cg.mm);
    EXPECT_FALSE(top_slot_full(root, 1));
    /* Nothing of memmgr's own CSpace is left in the untyped now. */
    EXPECT_OK(mm_release_untyped(&cg.mm, cg.ut));
    EXPECT_TRUE(untyped_whole(cg.ut, 20));
    EXPECT_INVARIANTS();
    TEST_END();
}

/* Every untyped record of cg.mm names an untyped capability in slot
 * window [first, first + n) (or is the added one). */
static int records_in_window(mm_cptr_t first, uint32_t n)
{
    for (uint32_t i = 0; i < cg.mm.nuts; i++) {
        const struct mm_ut *u = &cg.mm.uts[i];

        if (!u->in_use)
            continue;
        if (ident(u->cap) != TAG_UNTYPED || (u->cap != cg.ut && (u->cap < first ||
                                                                 u->cap - first >= n)))
            return 0;
    }
    return 1;
}

/* The caller takes every free slot of the first window, so the halves
 * and slab of an endpoint and an untyped given whole land in a grown
 * CNode; with everything else given back, the given untyped keeps the
 * CNode, and once it is freed memmgr moves its own untypeds out and
 * deletes the CNode. */
static void moves_own_untypeds_out(seL4_CPtr root)
{
    struct mm_stats before;
    mm_cptr_t first = st_slots(&mem, FIRST_SLOTS), s, ep, given;
    uint32_t n = 0, slots0;

    TEST_BEGIN("memmgr_cspace_moves_own_untypeds_out_of_a_grown_cnode");
    ASSERT_NE(first, 0);
    ASSERT_TRUE(untyped_whole(cg.ut, 20));
    ASSERT_EQ(mm_init(&cg.mm, cg.meta, sizeof(cg.meta), root, MAX_UTS), ERR_NONE);
    ASSERT_EQ(mm_add_slots(&cg.mm, first, first, FIRST_SLOTS, 0, seL4_WordBits - L2_BITS),
              ERR_NONE);
    ASSERT_EQ(mm_add_untyped(&cg.mm, cg.ut, mm_paddr(&parent, cg.ut), 20, 0), ERR_NONE);
    mm_set_grow(&cg.mm, L2_BITS, 1, 1u << L1_RADIX);
    slots0 = mm_slots_free(&cg.mm);
    before = *mm_stats(&cg.mm);
    for (;;) {
        ASSERT_EQ(mm_slot_alloc(&cg.mm, &s), ERR_NONE);
        if (s >= GROWN_FIRST)
            break;
        ASSERT_TRUE(n < FIRST_SLOTS);
        held[n++] = s;
    }
    mm_slot_free(&cg.mm, s);
    EXPECT_EQ(n, slots0);
    ASSERT_EQ(mm_alloc(&cg.mm, seL4_EndpointObject, 0, &ep), ERR_NONE);
    ASSERT_EQ(mm_alloc_untyped(&cg.mm, seL4_PageBits, 0, &given), ERR_NONE);
    EXPECT_TRUE(ep >= GROWN_FIRST && given >= GROWN_FIRST);
    EXPECT_EQ(ident(ep), TAG_EP);
    for (uint32_t i = 0; i < n; i++)
        mm_slot_free(&cg.mm, held[i]);
    EXPECT_EQ(mm_free(&cg.mm, ep), ERR_NONE);
    mm_drain(&cg.mm);
    /* The given untyped is the caller's: it stays, and so does the CNode. */
    EXPECT_TRUE(top_slot_full(root, 1));
    EXPECT_EQ(ident(given), TAG_UNTYPED);
    EXPECT_EQ(mm_free(&cg.mm, given), ERR_NONE);
    /* Now only memmgr's own untypeds were left there: moved, CNode gone. */
    EXPECT_FALSE(top_slot_full(root, 1));
    EXPECT_EQ(mm_stats(&cg.mm)->cspace, 0);
    EXPECT_TRUE(records_in_window(first, FIRST_SLOTS));
    EXPECT_EQ(mm_check(&cg.mm), ERR_NONE);
    /* Merged, the accounting and the kernel's view are those of the start. */
    mm_shrink(&cg.mm);
    EXPECT_EQ(memcmp(&before, mm_stats(&cg.mm), offsetof(struct mm_stats, meta_used)), 0);
    EXPECT_EQ(mm_stats(&cg.mm)->objects_live, 0);
    EXPECT_EQ(mm_slots_free(&cg.mm), slots0);
    EXPECT_TRUE(records_in_window(first, FIRST_SLOTS));
    EXPECT_OK(mm_release_untyped(&cg.mm, cg.ut));
    EXPECT_TRUE(untyped_whole(cg.ut, 20));
    EXPECT_INVARIANTS();
    TEST_END();
}

void cspace_tests(void)
{
    grows_its_cspace();
    if (two_level_root != 0)
        moves_own_untypeds_out(two_level_root);
}
