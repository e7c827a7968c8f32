/*
 * Frames, page tables and page directories: mapping and reading back,
 * the errors of Map in seL4's order, remapping in place, reuse of an
 * address after unmap, 4 MiB pages, status bits, and unmapping through
 * weak links after the page directory is gone.
 */
#include "vspace_tests.h"
#include <systest.h>

#define PATTERN_A   0xa5a5a5a5u
#define PATTERN_B   0x5a5a5a5au
#define BAD_LABEL   seL4_MessageInfo_new(INV_X86_ASID_POOL_ASSIGN, 0, 0, 0)

static volatile seL4_Word *word_at(seL4_Word v)
{
    return (volatile seL4_Word *)v;
}

static void map_read_back(void)
{
    TEST_BEGIN("vspace/map_read_back");
    seL4_Word r = region();
    seL4_CPtr f = obj(seL4_X86_4K);
    ASSERT_NE(f, 0);
    seL4_CPtr f2 = copy_cap(f);
    ASSERT_NE(f2, 0);
    ASSERT_OK(map_page(f, r, seL4_ReadWrite));
    /* A copy starts unmapped and maps the same frame elsewhere. */
    ASSERT_OK(map_page(f2, r + PAGE, seL4_ReadWrite));
    EXPECT_EQ(*word_at(r), 0);                  /* fresh frames are zeroed */
    *word_at(r) = PATTERN_A;
    *word_at(r + PAGE - sizeof(seL4_Word)) = PATTERN_B;
    EXPECT_EQ(*word_at(r + PAGE), PATTERN_A);
    EXPECT_EQ(*word_at(r + 2 * PAGE - sizeof(seL4_Word)), PATTERN_B);

    seL4_X86_Page_GetAddress_t a1 = seL4_X86_Page_GetAddress(f);
    seL4_X86_Page_GetAddress_t a2 = seL4_X86_Page_GetAddress(f2);
    EXPECT_OK(a1.error);
    EXPECT_EQ(a1.paddr, a2.paddr);
    EXPECT_EQ(a1.paddr % PAGE, 0);
    EXPECT_NE(a1.paddr, 0);
    EXPECT_INVARIANTS();
    TEST_END();
}

static void map_errors(void)
{
    TEST_BEGIN("vspace/map_errors");
    seL4_Word r = region();
    seL4_CPtr f = obj(seL4_X86_4K), pd = obj(seL4_X86_PageDirectoryObject);
    ASSERT_NE(f, 0);
    ASSERT_NE(pd, 0);

    /* Not an assigned page directory. */
    EXPECT_ERR(seL4_X86_Page_Map(f, pd, r, seL4_ReadWrite, DEFAULT_ATTR), seL4_InvalidCapability);
    EXPECT_EQ(seL4_GetMR(0), 1);
    EXPECT_ERR(seL4_X86_Page_Map(f, f, r, seL4_ReadWrite, DEFAULT_ATTR), seL4_InvalidCapability);
    /* Into the kernel window, or wrapping around the top. */
    EXPECT_ERR(seL4_X86_Page_Map(f, ROOT_VSPACE, seL4_UserTop, seL4_ReadWrite, DEFAULT_ATTR),
               seL4_InvalidArgument);
    EXPECT_EQ(seL4_GetMR(0), 0);
    EXPECT_ERR(seL4_X86_Page_Map(f, ROOT_VSPACE, 0xfffff000u, seL4_ReadWrite, DEFAULT_ATTR),
               seL4_InvalidArgument);
    /* Misaligned. */
    EXPECT_ERR(seL4_X86_Page_Map(f, ROOT_VSPACE, r + 1, seL4_ReadWrite, DEFAULT_ATTR),
               seL4_AlignmentError);
    /* No page table yet: FailedLookup, destination side, MissingCapability. */
    EXPECT_ERR(seL4_X86_Page_Map(f, ROOT_VSPACE, r, seL4_ReadWrite, DEFAULT_ATTR), seL4_FailedLookup);
    EXPECT_EQ(seL4_GetMR(0), 0);
    EXPECT_EQ(seL4_GetMR(1), seL4_MissingCapability);
    EXPECT_EQ(seL4_GetMR(2), seL4_LargePageBits);       /* bits a PD entry resolves */
    /* Mapped once; another address for the same cap is refused. */
    ASSERT_OK(map_page(f, r, seL4_ReadWrite));
    EXPECT_ERR(seL4_X86_Page_Map(f, ROOT_VSPACE, r + PAGE, seL4_ReadWrite, DEFAULT_ATTR),
               seL4_InvalidArgument);
    EXPECT_EQ(seL4_GetMR(0), 0);
    /* Message too short, no vspace cap. */
    seL4_MessageInfo_t tag = seL4_Call(f, seL4_MessageInfo_new(INV_X86_PAGE_MAP, 0, 0, 3));
    EXPECT_EQ(seL4_MessageInfo_get_label(tag), seL4_TruncatedMessage);
    /* A label a frame does not answer. */
    tag = seL4_Call(f, BAD_LABEL);
    EXPECT_EQ(seL4_MessageInfo_get_label(tag), seL4_IllegalOperation);
    EXPECT_INVARIANTS();
    TEST_END();
}

/* Same cap, same address: rights change in place; elsewhere is refused. */
static void remap_in_place(void)
{
    TEST_BEGIN("vspace/remap_in_place");
    seL4_Word r = region();
    seL4_CPtr f = obj(seL4_X86_4K);
    ASSERT_NE(f, 0);
    ASSERT_OK(map_page(f, r, seL4_ReadWrite));
    *word_at(r) = PATTERN_A;
    EXPECT_OK(seL4_X86_Page_Map(f, ROOT_VSPACE, r, seL4_CanRead, DEFAULT_ATTR));
    EXPECT_EQ(*word_at(r), PATTERN_A);
    EXPECT_OK(seL4_X86_Page_Map(f, ROOT_VSPACE, r, seL4_ReadWrite, seL4_X86_Uncacheable));
    *word_at(r) = PATTERN_B;
    EXPECT_EQ(*word_at(r), PATTERN_B);
    EXPECT_OK(seL4_X86_Page_Map(f, ROOT_VSPACE, r, seL4_ReadWrite, DEFAULT_ATTR));
    /* Unmap twice: the second finds nothing and succeeds. */
    EXPECT_OK(seL4_X86_Page_Unmap(f));
    EXPECT_OK(seL4_X86_Page_Unmap(f));
    EXPECT_INVARIANTS();
    TEST_END();
}

/* After unmapping A at v, a new frame B at v shows B's contents (the TLB
 * entry for v was dropped). */
static void reuse_after_unmap(void)
{
    TEST_BEGIN("vspace/reuse_after_unmap");
    seL4_Word r = region();
    seL4_Word v = r, w = r + PAGE;
    seL4_CPtr a = obj(seL4_X86_4K), b = obj(seL4_X86_4K);
    ASSERT_NE(a, 0);
    ASSERT_NE(b, 0);
    seL4_CPtr b2 = copy_cap(b);
    ASSERT_NE(b2, 0);
    ASSERT_OK(map_page(a, v, seL4_ReadWrite));
    ASSERT_OK(map_page(b, w, seL4_ReadWrite));
    *word_at(v) = PATTERN_A;
    *word_at(w) = PATTERN_B;
    EXPECT_EQ(*word_at(v), PATTERN_A);          /* v is in the TLB now */
    ASSERT_OK(seL4_X86_Page_Unmap(a));
    ASSERT_OK(map_page(b2, v, seL4_ReadWrite));
    EXPECT_EQ(*word_at(v), PATTERN_B);
    /* And a's cap can go back to v once b2 left. */
    ASSERT_OK(seL4_X86_Page_Unmap(b2));
    ASSERT_OK(map_page(a, v, seL4_ReadWrite));
    EXPECT_EQ(*word_at(v), PATTERN_A);
    EXPECT_INVARIANTS();
    TEST_END();
}

static void large_pages(void)
{
    TEST_BEGIN("vspace/large_page");
    seL4_Word r = region(), r2 = region(), r3 = region();
    seL4_CPtr big = obj(seL4_X86_LargePageObject);
    ASSERT_NE(big, 0);
    seL4_CPtr big2 = copy_cap(big);
    ASSERT_NE(big2, 0);

    EXPECT_ERR(seL4_X86_Page_Map(big, ROOT_VSPACE, r + PAGE, seL4_ReadWrite, DEFAULT_ATTR),
               seL4_AlignmentError);
    EXPECT_ERR(seL4_X86_Page_Map(big, ROOT_VSPACE, seL4_UserTop - LARGE_PAGE + PAGE,
                                 seL4_ReadWrite, DEFAULT_ATTR), seL4_InvalidArgument);
    ASSERT_OK(seL4_X86_Page_Map(big, ROOT_VSPACE, r, seL4_ReadWrite, DEFAULT_ATTR));
    ASSERT_OK(seL4_X86_Page_Map(big2, ROOT_VSPACE, r2, seL4_ReadWrite, DEFAULT_ATTR));
    *word_at(r) = PATTERN_A;
    *word_at(r + LARGE_PAGE - sizeof(seL4_Word)) = PATTERN_B;
    EXPECT_EQ(*word_at(r2), PATTERN_A);
    EXPECT_EQ(*word_at(r2 + LARGE_PAGE - sizeof(seL4_Word)), PATTERN_B);
    seL4_X86_Page_GetAddress_t a = seL4_X86_Page_GetAddress(big);
    EXPECT_OK(a.error);
    EXPECT_EQ(a.paddr % LARGE_PAGE, 0);

    /* A 4 KiB frame under a 4 MiB page has no page table to go into;
     * a page table cannot go there either. */
    seL4_CPtr small = obj(seL4_X86_4K), pt = obj(seL4_X86_PageTableObject);
    ASSERT_NE(small, 0);
    ASSERT_NE(pt, 0);
    EXPECT_ERR(seL4_X86_Page_Map(small, ROOT_VSPACE, r, seL4_ReadWrite, DEFAULT_ATTR),
               seL4_FailedLookup);
    EXPECT_ERR(seL4_X86_PageTable_Map(pt, ROOT_VSPACE, r, DEFAULT_ATTR), seL4_DeleteFirst);
    /* A 4 MiB page cannot cover a page table. */
    ASSERT_OK(seL4_X86_PageTable_Map(pt, ROOT_VSPACE, r3, DEFAULT_ATTR));
    seL4_CPtr big3 = copy_cap(big);
    ASSERT_NE(big3, 0);
    EXPECT_ERR(seL4_X86_Page_Map(big3, ROOT_VSPACE, r3, seL4_ReadWrite, DEFAULT_ATTR),
               seL4_DeleteFirst);
    /* After unmapping the large page, a page table fits at r. */
    ASSERT_OK(seL4_X86_Page_Unmap(big));
    seL4_CPtr pt2 = obj(seL4_X86_PageTableObject);
    ASSERT_NE(pt2, 0);
    EXPECT_OK(seL4_X86_PageTable_Map(pt2, ROOT_VSPACE, r, DEFAULT_ATTR));
    EXPECT_INVARIANTS();
    TEST_END();
}

static void page_table_errors(void)
{
    TEST_BEGIN("vspace/page_table_errors");
    seL4_Word r = region();
    seL4_CPtr pt = obj(seL4_X86_PageTableObject), pt2 = obj(seL4_X86_PageTableObject);
    ASSERT_NE(pt, 0);
    ASSERT_NE(pt2, 0);
    EXPECT_ERR(seL4_X86_PageTable_Map(pt, ROOT_VSPACE, seL4_UserTop, DEFAULT_ATTR),
               seL4_InvalidArgument);
    /* Any address in the 4 MiB picks the same entry. */
    ASSERT_OK(seL4_X86_PageTable_Map(pt, ROOT_VSPACE, r + 3 * PAGE + 5, DEFAULT_ATTR));
    EXPECT_ERR(seL4_X86_PageTable_Map(pt, ROOT_VSPACE, r + LARGE_PAGE, DEFAULT_ATTR),
               seL4_InvalidCapability);
    EXPECT_EQ(seL4_GetMR(0), 0);
    EXPECT_ERR(seL4_X86_PageTable_Map(pt2, ROOT_VSPACE, r, DEFAULT_ATTR), seL4_DeleteFirst);
    /* Unmap needs the only capability: a copy blocks it. */
    seL4_CPtr copy = copy_cap(pt);
    ASSERT_NE(copy, 0);
    EXPECT_ERR(seL4_X86_PageTable_Unmap(pt), seL4_RevokeFirst);
    ASSERT_OK(delete_cap(copy));
    /* A frame mapped through the table is gone with it (the table is cleared). */
    seL4_CPtr f = obj(seL4_X86_4K);
    ASSERT_NE(f, 0);
    ASSERT_OK(seL4_X86_Page_Map(f, ROOT_VSPACE, r, seL4_ReadWrite, DEFAULT_ATTR));
    *word_at(r) = PATTERN_A;
    ASSERT_OK(seL4_X86_PageTable_Unmap(pt));
    EXPECT_ERR(seL4_X86_PageDirectory_GetStatusBits(ROOT_VSPACE, r).error, seL4_InvalidArgument);
    ASSERT_OK(seL4_X86_PageTable_Map(pt, ROOT_VSPACE, r, DEFAULT_ATTR));
    EXPECT_ERR(seL4_X86_PageDirectory_GetStatusBits(ROOT_VSPACE, r).error, seL4_InvalidArgument);
    EXPECT_EQ(seL4_GetMR(0), 1);
    EXPECT_INVARIANTS();
    TEST_END();
}

static void page_directory_ops(void)
{
    TEST_BEGIN("vspace/page_directory_ops");
    seL4_Word r = region();
    seL4_CPtr f = obj(seL4_X86_4K);
    ASSERT_NE(f, 0);
    EXPECT_ERR(seL4_X86_PageDirectory_Map(ROOT_VSPACE, ROOT_VSPACE, r, DEFAULT_ATTR),
               seL4_IllegalOperation);
    EXPECT_ERR(seL4_X86_PageDirectory_Unmap(ROOT_VSPACE), seL4_IllegalOperation);
    EXPECT_ERR(seL4_X86_PageDirectory_GetStatusBits(ROOT_VSPACE, seL4_UserTop).error,
               seL4_InvalidArgument);
    EXPECT_EQ(seL4_GetMR(0), 0);
    ASSERT_OK(map_page(f, r, seL4_ReadWrite));
    EXPECT_EQ(*word_at(r), 0);
    seL4_X86_PageDirectory_GetStatusBits_t s = seL4_X86_PageDirectory_GetStatusBits(ROOT_VSPACE, r);
    EXPECT_OK(s.error);
    EXPECT_EQ(s.accessed, 1);
    *word_at(r) = PATTERN_A;
    s = seL4_X86_PageDirectory_GetStatusBits(ROOT_VSPACE, r);
    EXPECT_OK(s.error);
    EXPECT_EQ(s.dirty, 1);
    EXPECT_INVARIANTS();
    TEST_END();
}

/* Build a second VSpace, map into it, delete its page directory: the frame
 * and page-table caps still record the mapping, and unmapping them is a
 * no-op that succeeds; mapping through the stale record is refused. */
static void unmap_after_pd_gone(void)
{
    TEST_BEGIN("vspace/unmap_after_pd_gone");
    seL4_Word r = region();
    seL4_CPtr pd = obj(seL4_X86_PageDirectoryObject);
    seL4_CPtr pt = obj(seL4_X86_PageTableObject), f = obj(seL4_X86_4K);
    ASSERT_NE(pd, 0);
    ASSERT_NE(pt, 0);
    ASSERT_NE(f, 0);
    ASSERT_OK(seL4_X86_ASIDPool_Assign(seL4_CapInitThreadASIDPool, pd));
    ASSERT_OK(seL4_X86_PageTable_Map(pt, pd, r, DEFAULT_ATTR));
    ASSERT_OK(seL4_X86_Page_Map(f, pd, r, seL4_ReadWrite, DEFAULT_ATTR));
    EXPECT_OK(seL4_X86_PageDirectory_GetStatusBits(pd, r).error);
    ASSERT_OK(delete_cap(pd));
    EXPECT_INVARIANTS();
    /* The frame's record names a dead ASID: another VSpace is refused. */
    EXPECT_ERR(seL4_X86_Page_Map(f, ROOT_VSPACE, r, seL4_ReadWrite, DEFAULT_ATTR),
               seL4_InvalidCapability);
    EXPECT_OK(seL4_X86_Page_Unmap(f));
    EXPECT_OK(seL4_X86_PageTable_Unmap(pt));
    /* Both are free to be used again. */
    EXPECT_OK(seL4_X86_PageTable_Map(pt, ROOT_VSPACE, r, DEFAULT_ATTR));
    EXPECT_OK(seL4_X86_Page_Map(f, ROOT_VSPACE, r, seL4_ReadWrite, DEFAULT_ATTR));
    *word_at(r) = PATTERN_A;
    EXPECT_EQ(*word_at(r), PATTERN_A);
    /* Deleting the mapped frame cap unmaps it. */
    ASSERT_OK(delete_cap(f));
    EXPECT_ERR(seL4_X86_PageDirectory_GetStatusBits(ROOT_VSPACE, r).error, seL4_InvalidArgument);
    EXPECT_INVARIANTS();
    TEST_END();
}

void frame_tests(void)
{
    map_read_back();
    map_errors();
    remap_in_place();
    reuse_after_unmap();
    large_pages();
    page_table_errors();
    page_directory_ops();
    unmap_after_pd_gone();
}
