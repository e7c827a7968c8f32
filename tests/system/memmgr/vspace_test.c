/*
 * The VSpace helper on the real kernel, in the root task's own address
 * space so the test can touch what it maps: page tables made on demand
 * and freed with their last mapping, read-only and back, and page tables
 * reclaimed under memory pressure, oldest first, the owner told, then
 * rebuilt with the same frames and contents.
 */
#include "memmgr_tests.h"
#include <stdio.h>

#define MAP_BASE        0x50000000u
#define REGION          0x00400000u     /* one page table's reach */
#define NREGIONS        3
#define PT_TAG          0x03
#define MAGIC           0x6d656d6du
/* The last page of the 4 MiB region the image starts in (0x400000). */
#define IMAGE_REGION_LAST_PAGE  0x007ff000u

extern char __image_start[], __image_end[];

static struct child cv;
static uint32_t reclaimed[8];
static int nreclaimed;

static void on_reclaim(struct mm_vspace *vs, uint32_t vaddr, void *arg)
{
    (void)vs;
    (void)arg;
    if (nreclaimed < 8)
        reclaimed[nreclaimed] = vaddr;
    nreclaimed++;
}

static void on_demand_and_eager_free(void)
{
    struct mm_vspace vs;
    mm_cptr_t f[2];
    volatile uint32_t *p = (volatile uint32_t *)MAP_BASE;

    TEST_BEGIN("memmgr_vspace_page_tables_on_demand_freed_when_empty");
    ASSERT_TRUE(child_make(&cv, 18, 512));
    mm_vspace_adopt(&cv.mm, &vs, seL4_CapInitThreadVSpace);
    ASSERT_EQ(mm_alloc(&cv.mm, seL4_X86_4K, 0, &f[0]), ERR_NONE);
    ASSERT_EQ(mm_alloc(&cv.mm, seL4_X86_4K, 0, &f[1]), ERR_NONE);
    ASSERT_EQ(mm_vspace_map(&vs, f[0], MAP_BASE, MM_RW, 0, 0), ERR_NONE);
    ASSERT_EQ(mm_vspace_map(&vs, f[1], MAP_BASE + PAGE, MM_RW, 0, 0), ERR_NONE);
    EXPECT_EQ(mm_vspace_pts(&vs), 1);
    EXPECT_EQ(mm_stats(&cv.mm)->live[seL4_X86_PageTableObject], PAGE);
    p[0] = MAGIC;
    EXPECT_EQ(p[0], MAGIC);
    EXPECT_EQ(mm_vspace_protect(&vs, MAP_BASE, MM_RO), ERR_NONE);
    EXPECT_EQ(p[0], MAGIC);
    EXPECT_EQ(mm_vspace_protect(&vs, MAP_BASE, MM_RW), ERR_NONE);
    p[1] = MAGIC;
    EXPECT_EQ(mm_vspace_unmap(&vs, MAP_BASE), ERR_NONE);
    EXPECT_EQ(mm_vspace_pts(&vs), 1);
    EXPECT_EQ(mm_vspace_unmap(&vs, MAP_BASE + PAGE), ERR_NONE);
    EXPECT_EQ(mm_vspace_pts(&vs), 0);
    EXPECT_EQ(mm_stats(&cv.mm)->live[seL4_X86_PageTableObject], 0);
    EXPECT_EQ(mm_vspace_unmap(&vs, MAP_BASE), ERR_FAILED_LOOKUP);
    mm_vspace_destroy(&vs);
    EXPECT_EQ(mm_free(&cv.mm, f[0]), ERR_NONE);
    EXPECT_EQ(mm_free(&cv.mm, f[1]), ERR_NONE);
    EXPECT_OK(mm_release_untyped(&cv.mm, cv.ut));
    child_done(&cv);
    EXPECT_INVARIANTS();
    TEST_END();
}

/* Fills the child with TCBs until it is refused; returns how many. */
static uint32_t exhaust(mm_cptr_t *t, uint32_t max)
{
    uint32_t n = 0;

    while (n < max && mm_alloc(&cv.mm, seL4_TCBObject, 0, &t[n]) == ERR_NONE)
        n++;
    return n;
}

static void reclaim_and_rebuild(void)
{
    static mm_cptr_t t[256];
    struct mm_vspace vs;
    mm_cptr_t f[NREGIONS];
    uint32_t n;

    TEST_BEGIN("memmgr_vspace_reclaim_under_pressure_and_rebuild");
    ASSERT_TRUE(child_make(&cv, 18, 512));
    nreclaimed = 0;
    mm_vspace_adopt(&cv.mm, &vs, seL4_CapInitThreadVSpace);
    mm_vspace_set_cacheable(&vs, on_reclaim, NULL);
    for (uint32_t i = 0; i < NREGIONS; i++) {
        ASSERT_EQ(mm_alloc(&cv.mm, seL4_X86_4K, 0, &f[i]), ERR_NONE);
        ASSERT_EQ(mm_vspace_map(&vs, f[i], MAP_BASE + i * REGION, MM_RW, 0, 0), ERR_NONE);
        *(volatile uint32_t *)(MAP_BASE + i * REGION) = MAGIC + i;
    }
    EXPECT_EQ(mm_vspace_pts(&vs), NREGIONS);
    n = exhaust(t, 256);
    EXPECT_EQ(nreclaimed, NREGIONS);
    EXPECT_EQ(reclaimed[0], MAP_BASE);              /* oldest first */
    EXPECT_EQ(reclaimed[NREGIONS - 1], MAP_BASE + (NREGIONS - 1) * REGION);
    EXPECT_EQ(mm_vspace_pts(&vs), 0);
    EXPECT_ERR(mm_vspace_restore(&vs, MAP_BASE), seL4_NotEnoughMemory);
    for (uint32_t i = 0; i < n; i++)
        EXPECT_EQ(mm_free(&cv.mm, t[i]), ERR_NONE);
    for (uint32_t i = 0; i < NREGIONS; i++) {
        EXPECT_EQ(mm_vspace_restore(&vs, MAP_BASE + i * REGION), ERR_NONE);
        EXPECT_EQ(*(volatile uint32_t *)(MAP_BASE + i * REGION), MAGIC + i);
    }
    EXPECT_EQ(mm_vspace_pts(&vs), NREGIONS);
    mm_vspace_destroy(&vs);
    for (uint32_t i = 0; i < NREGIONS; i++)
        EXPECT_EQ(mm_free(&cv.mm, f[i]), ERR_NONE);
    EXPECT_OK(mm_release_untyped(&cv.mm, cv.ut));
    child_done(&cv);
    EXPECT_INVARIANTS();
    TEST_END();
}

/* A 4 MiB frame is mapped by the page directory alone: no page table. */
static void large_frame(void)
{
    struct mm_vspace vs;
    mm_cptr_t big;
    volatile uint32_t *p = (volatile uint32_t *)(MAP_BASE + NREGIONS * REGION);

    TEST_BEGIN("memmgr_vspace_large_frame_needs_no_page_table");
    ASSERT_TRUE(child_make(&cv, 23, 512));
    mm_vspace_adopt(&cv.mm, &vs, seL4_CapInitThreadVSpace);
    ASSERT_EQ(mm_alloc(&cv.mm, seL4_X86_LargePageObject, 0, &big), ERR_NONE);
    EXPECT_EQ(mm_stats(&cv.mm)->live[seL4_X86_LargePageObject], REGION);
    EXPECT_EQ(mm_vspace_map(&vs, big, (uint32_t)(uintptr_t)p + PAGE, MM_RW, 0, 1),
              ERR_ALIGNMENT_ERROR);
    ASSERT_EQ(mm_vspace_map(&vs, big, (uint32_t)(uintptr_t)p, MM_RW, 0, 1), ERR_NONE);
    EXPECT_EQ(mm_vspace_pts(&vs), 0);
    p[REGION / sizeof(uint32_t) - 1] = MAGIC;
    EXPECT_EQ(p[REGION / sizeof(uint32_t) - 1], MAGIC);
    EXPECT_EQ(mm_vspace_lookup(&vs, (uint32_t)(uintptr_t)p + 5 * PAGE), big);
    EXPECT_EQ(mm_vspace_unmap(&vs, (uint32_t)(uintptr_t)p), ERR_NONE);
    EXPECT_EQ(mm_vspace_lookup(&vs, (uint32_t)(uintptr_t)p), 0);
    EXPECT_EQ(mm_free(&cv.mm, big), ERR_NONE);
    EXPECT_OK(mm_release_untyped(&cv.mm, cv.ut));
    child_done(&cv);
    EXPECT_INVARIANTS();
    TEST_END();
}

/* mm_vspace_back over 4 MiB and two pages, 4 MiB-aligned: the policy's
 * effect on page tables, printed; the memory is there either way. */
static uint32_t backed_pts(struct mm_vspace *vs, uint32_t base, uint32_t size)
{
    volatile uint32_t *first = (volatile uint32_t *)base;
    volatile uint32_t *last = (volatile uint32_t *)(base + size - sizeof(uint32_t));
    uint32_t pts;

    if (mm_vspace_back(vs, base, size, MM_RW, 0) != ERR_NONE)
        return UINT32_MAX;
    *first = MAGIC;
    *last = MAGIC;
    pts = *first == MAGIC && *last == MAGIC ? mm_vspace_pts(vs) : UINT32_MAX;
    mm_vspace_unback(vs, base, size);
    return pts;
}

static void back_prefers_large(void)
{
    struct mm_vspace vs;
    uint32_t base = MAP_BASE + (NREGIONS + 1) * REGION, size = REGION + 2 * PAGE;
    uint32_t with, without;

    TEST_BEGIN("memmgr_vspace_back_prefers_4m_frames");
    ASSERT_TRUE(child_make(&cv, 23, 1536));
    mm_vspace_adopt(&cv.mm, &vs, seL4_CapInitThreadVSpace);
    EXPECT_TRUE(cv.mm.prefer_large);
    with = backed_pts(&vs, base, size);
    cv.mm.prefer_large = 0;
    without = backed_pts(&vs, base, size);
    printf("memmgr: 4 MiB + 8 KiB backed at %#x: %u page table(s) preferring 4 MiB frames, "
           "%u without\n", (unsigned)base, (unsigned)with, (unsigned)without);
    EXPECT_EQ(with, 1);
    EXPECT_EQ(without, 2);
    EXPECT_EQ(mm_vspace_pts(&vs), 0);
    EXPECT_EQ(mm_stats(&cv.mm)->live[seL4_X86_4K], 0);
    mm_shrink(&cv.mm);
    EXPECT_OK(mm_release_untyped(&cv.mm, cv.ut));
    child_done(&cv);
    EXPECT_INVARIANTS();
    TEST_END();
}

/* Where someone else made the page table (the image's, made at boot),
 * memmgr maps through it and never frees it. */
static void foreign_page_table(void)
{
    struct mm_vspace vs;
    mm_cptr_t f;
    volatile uint32_t *p = (volatile uint32_t *)IMAGE_REGION_LAST_PAGE;

    TEST_BEGIN("memmgr_vspace_uses_a_foreign_page_table");
    ASSERT_TRUE((uint32_t)(uintptr_t)__image_end <= IMAGE_REGION_LAST_PAGE);
    ASSERT_TRUE(child_make(&cv, 16, 256));
    mm_vspace_adopt(&cv.mm, &vs, seL4_CapInitThreadVSpace);
    ASSERT_EQ(mm_alloc(&cv.mm, seL4_X86_4K, 0, &f), ERR_NONE);
    ASSERT_EQ(mm_vspace_map(&vs, f, IMAGE_REGION_LAST_PAGE, MM_RW, 0, 0), ERR_NONE);
    EXPECT_EQ(mm_vspace_pts(&vs), 0);               /* none of memmgr's */
    EXPECT_EQ(mm_stats(&cv.mm)->live[seL4_X86_PageTableObject], 0);
    *p = MAGIC;
    EXPECT_EQ(*p, MAGIC);
    EXPECT_EQ(mm_vspace_unmap(&vs, IMAGE_REGION_LAST_PAGE), ERR_NONE);
    EXPECT_EQ(*(volatile uint32_t *)__image_start, *(volatile uint32_t *)__image_start);
    mm_vspace_destroy(&vs);
    EXPECT_EQ(mm_free(&cv.mm, f), ERR_NONE);
    EXPECT_OK(mm_release_untyped(&cv.mm, cv.ut));
    child_done(&cv);
    EXPECT_INVARIANTS();
    TEST_END();
}

/* A frame straight from its retype reads zero on the real kernel (its
 * untyped was written over and reset first); one freed and pooled comes
 * back with its bytes and says so. The record-naming calls map, protect
 * and unmap without a search, and free the page table with the last. */
static void fresh_frames_and_page_records(void)
{
    struct mm_vspace vs;
    struct mm_map *rec[2];
    mm_cptr_t f, g, h, dirty[4];
    volatile uint32_t *p = (volatile uint32_t *)MAP_BASE;
    uint32_t nonzero = 0;
    int fresh = -1;

    TEST_BEGIN("memmgr_fresh_frames_zero_and_page_records");
    ASSERT_TRUE(child_make(&cv, 18, 256));
    mm_vspace_adopt(&cv.mm, &vs, seL4_CapInitThreadVSpace);
    /* Dirty four frames, give them back and the slab with them. */
    for (int i = 0; i < 4; i++) {
        ASSERT_EQ(mm_alloc(&cv.mm, seL4_X86_4K, 0, &dirty[i]), ERR_NONE);
        ASSERT_EQ(mm_vspace_map_page(&vs, dirty[i], MAP_BASE + i * PAGE, MM_RW, &rec[0]),
                  ERR_NONE);
        for (uint32_t w = 0; w < PAGE / 4; w++)
            p[i * PAGE / 4 + w] = MAGIC;
        mm_vspace_unmap_page(&vs, rec[0]);
    }
    for (int i = 0; i < 4; i++)
        EXPECT_EQ(mm_free(&cv.mm, dirty[i]), ERR_NONE);
    mm_shrink(&cv.mm);
    EXPECT_EQ(mm_stats(&cv.mm)->pooled[seL4_X86_4K], 0);
    /* The same memory retyped again: fresh, and zero. */
    ASSERT_EQ(mm_alloc_fresh(&cv.mm, seL4_X86_4K, 0, &f, &fresh), ERR_NONE);
    EXPECT_EQ(fresh, 1);
    ASSERT_EQ(mm_vspace_map_page(&vs, f, MAP_BASE, MM_RO, &rec[0]), ERR_NONE);
    for (uint32_t w = 0; w < PAGE / 4; w++)
        nonzero += p[w] != 0;
    EXPECT_EQ(nonzero, 0);
    EXPECT_EQ(mm_vspace_protect_page(&vs, rec[0], MM_RW), ERR_NONE);
    p[0] = MAGIC;
    ASSERT_EQ(mm_alloc(&cv.mm, seL4_X86_4K, 0, &h), ERR_NONE);
    ASSERT_EQ(mm_vspace_map_page(&vs, h, MAP_BASE + PAGE, MM_RW, &rec[1]), ERR_NONE);
    EXPECT_EQ(mm_vspace_pts(&vs), 1);
    mm_vspace_unmap_page(&vs, rec[0]);
    EXPECT_EQ(mm_vspace_lookup(&vs, MAP_BASE), 0);
    EXPECT_EQ(mm_vspace_lookup(&vs, MAP_BASE + PAGE), h);
    mm_vspace_unmap_page(&vs, rec[1]);
    EXPECT_EQ(mm_vspace_pts(&vs), 0);
    /* Pooled after use: not fresh, its bytes as they were. */
    EXPECT_EQ(mm_free(&cv.mm, f), ERR_NONE);
    ASSERT_EQ(mm_alloc_fresh(&cv.mm, seL4_X86_4K, 0, &g, &fresh), ERR_NONE);
    EXPECT_EQ(g, f);
    EXPECT_EQ(fresh, 0);
    ASSERT_EQ(mm_vspace_map_page(&vs, g, MAP_BASE, MM_RO, &rec[0]), ERR_NONE);
    EXPECT_EQ(p[0], MAGIC);
    mm_vspace_destroy(&vs);
    EXPECT_EQ(mm_free(&cv.mm, g), ERR_NONE);
    EXPECT_EQ(mm_free(&cv.mm, h), ERR_NONE);
    EXPECT_OK(mm_release_untyped(&cv.mm, cv.ut));
    child_done(&cv);
    EXPECT_INVARIANTS();
    TEST_END();
}

void vspace_tests(void)
{
    foreign_page_table();
    on_demand_and_eager_free();
    reclaim_and_rebuild();
    large_frame();
    back_prefers_large();
    fresh_frames_and_page_records();
}
