/*
 * ASID control and ASID pools: MakePool's checks, assigning a page
 * directory (twice, or something else), running out of ASIDs in a pool and
 * getting one back by deleting a page directory, deleting a pool (its page
 * directories stop being usable), and running out of pools.
 */
#include "vspace_tests.h"
#include <systest.h>

#define POOL_BITS       12u         /* seL4_ASIDPoolBits */
#define NOT_POOL_BITS   13u
#define ASIDS_PER_POOL  1024u
#define MAX_POOLS       4u

static seL4_CPtr untyped(seL4_Word bits)
{
    return st_untyped(&mem, bits, NULL);
}

static seL4_Error make_pool(seL4_CPtr ut, seL4_CPtr *pool)
{
    *pool = st_slot(&mem);
    return seL4_X86_ASIDControl_MakePool(seL4_CapASIDControl, ut, ROOT_CNODE, *pool, CPTR_DEPTH);
}

static void make_pool_errors(void)
{
    TEST_BEGIN("asid/make_pool_errors");
    seL4_CPtr big = untyped(NOT_POOL_BITS), used = untyped(POOL_BITS), fresh = untyped(POOL_BITS);
    seL4_CPtr slot = st_slot(&mem), pool;
    ASSERT_NE(big, 0);
    ASSERT_NE(used, 0);
    ASSERT_NE(fresh, 0);
    ASSERT_NE(slot, 0);

    EXPECT_ERR(make_pool(big, &pool), seL4_InvalidCapability);
    EXPECT_EQ(seL4_GetMR(0), 1);
    EXPECT_ERR(make_pool(seL4_CapInitThreadTCB, &pool), seL4_InvalidCapability);
    ASSERT_OK(seL4_Untyped_Retype(used, seL4_EndpointObject, 0, ROOT_CNODE, 0, 0, slot, 1));
    EXPECT_ERR(make_pool(used, &pool), seL4_RevokeFirst);
    /* Destination slot taken. */
    EXPECT_ERR(seL4_X86_ASIDControl_MakePool(seL4_CapASIDControl, fresh, ROOT_CNODE, slot,
                                             CPTR_DEPTH), seL4_DeleteFirst);
    /* One extra cap only, and a label ASID control does not answer. */
    seL4_SetCap(0, fresh);
    seL4_MessageInfo_t tag = seL4_Call(seL4_CapASIDControl,
                                       seL4_MessageInfo_new(INV_X86_ASID_CONTROL_MAKE_POOL, 0, 1, 2));
    EXPECT_EQ(seL4_MessageInfo_get_label(tag), seL4_TruncatedMessage);
    tag = seL4_Call(seL4_CapASIDControl, seL4_MessageInfo_new(INV_X86_PAGE_MAP, 0, 0, 0));
    EXPECT_EQ(seL4_MessageInfo_get_label(tag), seL4_IllegalOperation);
    EXPECT_INVARIANTS();
    TEST_END();
}

static void assign_errors(void)
{
    TEST_BEGIN("asid/assign_twice");
    seL4_CPtr pd = obj(seL4_X86_PageDirectoryObject), pt = obj(seL4_X86_PageTableObject);
    ASSERT_NE(pd, 0);
    ASSERT_NE(pt, 0);
    ASSERT_OK(seL4_X86_ASIDPool_Assign(seL4_CapInitThreadASIDPool, pd));
    EXPECT_ERR(seL4_X86_ASIDPool_Assign(seL4_CapInitThreadASIDPool, pd), seL4_InvalidCapability);
    EXPECT_EQ(seL4_GetMR(0), 1);
    EXPECT_ERR(seL4_X86_ASIDPool_Assign(seL4_CapInitThreadASIDPool, pt), seL4_InvalidCapability);
    EXPECT_ERR(seL4_X86_ASIDPool_Assign(seL4_CapInitThreadASIDPool, ROOT_VSPACE), seL4_InvalidCapability);
    seL4_MessageInfo_t tag = seL4_Call(seL4_CapInitThreadASIDPool,
                                       seL4_MessageInfo_new(INV_X86_ASID_POOL_ASSIGN, 0, 0, 0));
    EXPECT_EQ(seL4_MessageInfo_get_label(tag), seL4_TruncatedMessage);
    /* A copy of an assigned page directory is a valid root too. */
    seL4_CPtr pd2 = copy_cap(pd);
    ASSERT_NE(pd2, 0);
    EXPECT_OK(seL4_X86_PageTable_Map(pt, pd2, 0, DEFAULT_ATTR));
    EXPECT_INVARIANTS();
    TEST_END();
}

/* n page directories in consecutive slots, retyped from one untyped of
 * their own: as few kernel objects as they can be, as the kernel's
 * invariant checker visits each; the first slot, 0 on failure. */
static seL4_CPtr many_pds(seL4_Word n)
{
    seL4_Word bits = seL4_PageDirBits;
    seL4_CPtr ut, first;

    while (((seL4_Word)1 << (bits - seL4_PageDirBits)) < n)
        bits++;
    ut = untyped(bits);
    first = st_slots(&mem, n);
    if (ut == 0 || first == 0)
        return 0;
    for (seL4_Word done = 0; done < n; done += RETYPE_FAN_OUT_LIMIT) {
        seL4_Word batch = n - done < RETYPE_FAN_OUT_LIMIT ? n - done : RETYPE_FAN_OUT_LIMIT;
        if (seL4_Untyped_Retype(ut, seL4_X86_PageDirectoryObject, 0, ROOT_CNODE, 0, 0,
                                first + done, batch) != seL4_NoError)
            return 0;
    }
    return first;
}

/* A fresh pool hands out all 1024 ASIDs (ASID 0 is only in pool 0). */
static void asids_exhausted(void)
{
    TEST_BEGIN("asid/asids_exhausted");
    seL4_CPtr ut = untyped(POOL_BITS), pool, pds = many_pds(ASIDS_PER_POOL);
    ASSERT_NE(ut, 0);
    ASSERT_NE(pds, 0);
    ASSERT_OK(make_pool(ut, &pool));
    for (seL4_Word i = 0; i < ASIDS_PER_POOL; i++)
        ASSERT_OK(seL4_X86_ASIDPool_Assign(pool, pds + i));
    seL4_CPtr extra = obj(seL4_X86_PageDirectoryObject);
    ASSERT_NE(extra, 0);
    EXPECT_ERR(seL4_X86_ASIDPool_Assign(pool, extra), seL4_DeleteFirst);
    /* Deleting a page directory frees its ASID. */
    ASSERT_OK(delete_cap(pds + ASIDS_PER_POOL / 2));
    EXPECT_OK(seL4_X86_ASIDPool_Assign(pool, extra));
    EXPECT_INVARIANTS();
    TEST_END();
}

static void pool_delete_invalidates(void)
{
    TEST_BEGIN("asid/pool_delete_invalidates");
    seL4_Word r = region();
    seL4_CPtr ut = untyped(POOL_BITS), pool;
    seL4_CPtr pd = obj(seL4_X86_PageDirectoryObject);
    seL4_CPtr pt = obj(seL4_X86_PageTableObject), pt2 = obj(seL4_X86_PageTableObject);
    ASSERT_NE(ut, 0);
    ASSERT_NE(pd, 0);
    ASSERT_NE(pt, 0);
    ASSERT_NE(pt2, 0);
    ASSERT_OK(make_pool(ut, &pool));
    ASSERT_OK(seL4_X86_ASIDPool_Assign(pool, pd));
    ASSERT_OK(seL4_X86_PageTable_Map(pt, pd, r, DEFAULT_ATTR));
    ASSERT_OK(delete_cap(pool));
    EXPECT_INVARIANTS();
    /* The PD cap still says "assigned", but its ASID names nothing now. */
    EXPECT_ERR(seL4_X86_PageTable_Map(pt2, pd, r + LARGE_PAGE, DEFAULT_ATTR), seL4_FailedLookup);
    EXPECT_EQ(seL4_GetMR(0), 0);
    EXPECT_EQ(seL4_GetMR(1), seL4_InvalidRoot);
    EXPECT_OK(seL4_X86_PageTable_Unmap(pt));
    /* The pool's slot in the ASID table can be filled again, from a reset untyped. */
    ASSERT_OK(seL4_CNode_Revoke(ROOT_CNODE, ut, CPTR_DEPTH));
    EXPECT_OK(make_pool(ut, &pool));
    EXPECT_INVARIANTS();
    TEST_END();
}

static void pools_exhausted(void)
{
    TEST_BEGIN("asid/pools_exhausted");
    seL4_CPtr pools[MAX_POOLS + 1];
    seL4_Error err = seL4_NoError;
    seL4_Word made = 0;
    for (seL4_Word i = 0; i <= MAX_POOLS && err == seL4_NoError; i++) {
        seL4_CPtr ut = untyped(POOL_BITS);
        ASSERT_NE(ut, 0);
        err = make_pool(ut, &pools[made]);
        if (err == seL4_NoError)
            made++;
    }
    EXPECT_ERR(err, seL4_DeleteFirst);
    EXPECT_LT(made, MAX_POOLS);
    /* Deleting one makes room for one. */
    if (made > 0) {
        ASSERT_OK(delete_cap(pools[made - 1]));
        seL4_CPtr ut = untyped(POOL_BITS), p;
        ASSERT_NE(ut, 0);
        EXPECT_OK(make_pool(ut, &p));
        EXPECT_ERR(make_pool(untyped(POOL_BITS), &p), seL4_DeleteFirst);
    }
    EXPECT_INVARIANTS();
    TEST_END();
}

void asid_tests(void)
{
    make_pool_errors();
    assign_errors();
    asids_exhausted();
    pool_delete_invalidates();
    pools_exhausted();
}
