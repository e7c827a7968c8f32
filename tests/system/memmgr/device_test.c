/*
 * Device frames through memmgr on the real kernel: a child owner holding
 * the bootinfo device untyped that covers the VGA text buffer and some
 * RAM. Device frames come from their own pool and only from device
 * memory, ordinary frames only from RAM, a freed device frame goes back
 * to its pool and comes out again, and what was written to it is still
 * there: nobody clears device memory (untyped suite: nor does the
 * kernel's reset). A driver asks for the frame at its device's address:
 * memmgr splits the device untyped down to it, refuses it while held,
 * and hands the same address out again once it is freed.
 */
#include "memmgr_tests.h"
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#define VGA_TEXT        0xb8000u        /* writable device memory in every PC */
#define PATTERN         0xd00dfeedu
#define DEVICE_VADDR    0x5e000000u
#define MAX_FRAMES      256u            /* a 1 MiB device untyped from 0 holds it */
#define CHILD_SLOTS     512u

static struct child cd;
static mm_cptr_t frames[MAX_FRAMES];

/* The bootinfo device untyped holding VGA_TEXT, or -1. */
static int vga_untyped(const bootinfo_t *bi)
{
    for (seL4_Word i = 0; i < bi->untyped.end - bi->untyped.start; i++) {
        const bi_untyped_desc_t *d = &bi->untyped_list[i];

        if (d->is_device && d->paddr <= VGA_TEXT &&
            VGA_TEXT + PAGE <= d->paddr + ((seL4_Word)1 << d->size_bits))
            return (int)i;
    }
    return -1;
}

/* The child (cd), its memmgr given bootinfo's device untyped i beside its
 * RAM; false if either step failed. */
static bool child_with_device(const bootinfo_t *bi, int i)
{
    const bi_untyped_desc_t *d = &bi->untyped_list[i];

    return child_make(&cd, 18, CHILD_SLOTS) &&
           mm_add_untyped(&cd.mm, bi->untyped.start + (seL4_Word)i, d->paddr, d->size_bits,
                          1) == ERR_NONE;
}

/* Device frames until the one at VGA_TEXT; its index, or -1. */
static int frames_up_to_vga(const bi_untyped_desc_t *d)
{
    for (uint32_t n = 0; n < MAX_FRAMES; n++) {
        uint32_t pa;

        if (mm_alloc_device_frame(&cd.mm, 0, &frames[n]) != ERR_NONE)
            return -1;
        pa = frame_paddr(frames[n]);
        if (pa < d->paddr || pa - d->paddr >= ((uint32_t)1 << d->size_bits))
            return -1;
        if (pa == VGA_TEXT)
            return (int)n;
    }
    return -1;
}

/* Maps frame f at DEVICE_VADDR, runs the check, unmaps it. */
static uint32_t write_then_read(struct mm_vspace *vs, mm_cptr_t f, int write)
{
    volatile uint32_t *p = (volatile uint32_t *)DEVICE_VADDR;
    uint32_t v;

    if (mm_vspace_map(vs, f, DEVICE_VADDR, MM_RW, seL4_X86_Uncacheable, 0) != ERR_NONE)
        return 0;
    if (write)
        p[1] = PATTERN;
    v = p[1];
    if (!write)
        p[1] = 0;
    mm_vspace_unmap(vs, DEVICE_VADDR);
    return v;
}

static void device_frames_pooled_apart(const bootinfo_t *bi)
{
    struct mm_vspace vs;
    mm_cptr_t ram, again;
    int i = vga_untyped(bi), n;

    TEST_BEGIN("memmgr_device_frames_pooled_apart_never_cleared");
    if (i < 0) {
        TEST_SKIP("no device untyped covers the VGA text buffer");
        return;
    }
    const bi_untyped_desc_t *d = &bi->untyped_list[i];
    mm_cptr_t dev = bi->untyped.start + (seL4_Word)i;
    ASSERT_TRUE(child_with_device(bi, i));
    mm_vspace_adopt(&cd.mm, &vs, seL4_CapInitThreadVSpace);
    n = frames_up_to_vga(d);
    ASSERT_TRUE(n >= 0);
    EXPECT_EQ(ident(frames[n]), TAG_FRAME);
    /* An ordinary frame is RAM: the child's untyped from its parent. */
    ASSERT_EQ(mm_alloc(&cd.mm, seL4_X86_4K, 0, &ram), ERR_NONE);
    EXPECT_EQ(frame_paddr(ram) >> 18, cd.paddr >> 18);
    EXPECT_EQ(write_then_read(&vs, frames[n], 1), PATTERN);
    /* Freed, it is pooled (unmapped, not cleared) and comes out again. */
    EXPECT_EQ(mm_free(&cd.mm, frames[n]), ERR_NONE);
    ASSERT_EQ(mm_alloc_device_frame(&cd.mm, 0, &again), ERR_NONE);
    EXPECT_EQ(again, frames[n]);
    EXPECT_EQ(write_then_read(&vs, again, 0), PATTERN);
    EXPECT_EQ(mm_check(&cd.mm), ERR_NONE);
    /* Everything back: the device untyped is the caller's again. */
    for (int k = 0; k <= n; k++)
        EXPECT_EQ(mm_free(&cd.mm, frames[k]), ERR_NONE);
    EXPECT_EQ(mm_free(&cd.mm, ram), ERR_NONE);
    mm_vspace_destroy(&vs);
    EXPECT_OK(mm_release_untyped(&cd.mm, dev));
    EXPECT_TRUE(untyped_whole(dev, d->size_bits));
    EXPECT_OK(mm_release_untyped(&cd.mm, cd.ut));
    child_done(&cd);
    EXPECT_INVARIANTS();
    TEST_END();
}

/* Asks for the device frame at paddr: refused with want, accounting unchanged. */
static int frame_at_refused(uint32_t paddr, uint32_t bits, mm_err_t want)
{
    struct mm_stats before = *mm_stats(&cd.mm);
    mm_cptr_t c;

    return mm_alloc_device_frame_at(&cd.mm, paddr, bits, &c) == want &&
           memcmp(&before, mm_stats(&cd.mm), offsetof(struct mm_stats, meta_used)) == 0;
}

static void device_frame_at_address(const bootinfo_t *bi)
{
    struct mm_stats before;
    struct mm_vspace vs;
    mm_cptr_t f, last, again;
    int i = vga_untyped(bi);

    TEST_BEGIN("memmgr_device_frame_at_address");
    if (i < 0) {
        TEST_SKIP("no device untyped covers the VGA text buffer");
        return;
    }
    const bi_untyped_desc_t *d = &bi->untyped_list[i];
    mm_cptr_t dev = bi->untyped.start + (seL4_Word)i;
    uint32_t last_pa = d->paddr + ((uint32_t)1 << d->size_bits) - PAGE;
    printf("memmgr: frames at %08x and %08x of device untyped %08x+2^%u\n", VGA_TEXT,
           (unsigned)last_pa, (unsigned)d->paddr, (unsigned)d->size_bits);
    ASSERT_TRUE(child_with_device(bi, i));
    mm_vspace_adopt(&cd.mm, &vs, seL4_CapInitThreadVSpace);
    before = *mm_stats(&cd.mm);
    ASSERT_EQ(mm_alloc_device_frame_at(&cd.mm, VGA_TEXT, seL4_PageBits, &f), ERR_NONE);
    EXPECT_EQ(ident(f), TAG_FRAME);
    EXPECT_EQ(frame_paddr(f), VGA_TEXT);          /* the kernel's view */
    EXPECT_EQ(write_then_read(&vs, f, 1), PATTERN);
    /* Held: refused, nothing changes. */
    EXPECT_TRUE(frame_at_refused(VGA_TEXT, seL4_PageBits, ERR_DELETE_FIRST));
    /* Another split path: the untyped's last page. */
    if (last_pa != VGA_TEXT) {
        ASSERT_EQ(mm_alloc_device_frame_at(&cd.mm, last_pa, seL4_PageBits, &last), ERR_NONE);
        EXPECT_EQ(frame_paddr(last), last_pa);
        EXPECT_EQ(mm_free(&cd.mm, last), ERR_NONE);
    }
    EXPECT_TRUE(frame_at_refused(VGA_TEXT + 0x800, seL4_PageBits, ERR_ALIGNMENT_ERROR));
    EXPECT_TRUE(frame_at_refused(cd.paddr, seL4_PageBits, ERR_RANGE_ERROR));   /* RAM */
    EXPECT_TRUE(frame_at_refused(VGA_TEXT, seL4_PageBits + 1, ERR_INVALID_ARGUMENT));
    /* Freed, the same address is handed out again, its contents kept. */
    EXPECT_EQ(mm_free(&cd.mm, f), ERR_NONE);
    EXPECT_EQ(ident(f), TAG_NULL);
    ASSERT_EQ(mm_alloc_device_frame_at(&cd.mm, VGA_TEXT, seL4_PageBits, &again), ERR_NONE);
    EXPECT_EQ(frame_paddr(again), VGA_TEXT);
    EXPECT_EQ(write_then_read(&vs, again, 0), PATTERN);
    EXPECT_EQ(mm_free(&cd.mm, again), ERR_NONE);
    EXPECT_EQ(mm_check(&cd.mm), ERR_NONE);
    /* Everything back (the page table the mapping took drained): the
     * accounting of the start, and the device untyped whole again. */
    mm_vspace_destroy(&vs);
    mm_drain(&cd.mm);
    EXPECT_EQ(memcmp(&before, mm_stats(&cd.mm), offsetof(struct mm_stats, meta_used)), 0);
    EXPECT_OK(mm_release_untyped(&cd.mm, dev));
    EXPECT_TRUE(untyped_whole(dev, d->size_bits));
    EXPECT_OK(mm_release_untyped(&cd.mm, cd.ut));
    child_done(&cd);
    EXPECT_INVARIANTS();
    TEST_END();
}

/* The first device untyped of at least 2^bits bytes, or -1. */
static int device_untyped_of(const bootinfo_t *bi, uint32_t bits)
{
    for (seL4_Word i = 0; i < bi->untyped.end - bi->untyped.start; i++)
        if (bi->untyped_list[i].is_device && bi->untyped_list[i].size_bits >= bits)
            return (int)i;
    return -1;
}

/* A 4 MiB device frame at the second 4 MiB of a device untyped (a BAR in
 * QEMU's PCI hole): split once per level down to it, given back whole. */
static void device_large_frame_at_address(const bootinfo_t *bi)
{
    int i = device_untyped_of(bi, LARGE_PAGE_BITS + 1);
    mm_cptr_t f;

    TEST_BEGIN("memmgr_device_large_frame_at_address");
    if (i < 0) {
        TEST_SKIP("no device untyped of 8 MiB or more");
        return;
    }
    const bi_untyped_desc_t *d = &bi->untyped_list[i];
    mm_cptr_t dev = bi->untyped.start + (seL4_Word)i;
    uint32_t pa = d->paddr + ((uint32_t)1 << LARGE_PAGE_BITS);
    ASSERT_TRUE(child_with_device(bi, i));
    ASSERT_EQ(mm_alloc_device_frame_at(&cd.mm, pa, LARGE_PAGE_BITS, &f), ERR_NONE);
    EXPECT_EQ(frame_paddr(f), pa);
    EXPECT_TRUE(frame_at_refused(pa + PAGE, seL4_PageBits, ERR_DELETE_FIRST));
    EXPECT_TRUE(frame_at_refused(pa + PAGE, LARGE_PAGE_BITS, ERR_ALIGNMENT_ERROR));
    EXPECT_EQ(mm_free(&cd.mm, f), ERR_NONE);
    EXPECT_EQ(mm_check(&cd.mm), ERR_NONE);
    EXPECT_OK(mm_release_untyped(&cd.mm, dev));
    EXPECT_TRUE(untyped_whole(dev, d->size_bits));
    EXPECT_OK(mm_release_untyped(&cd.mm, cd.ut));
    child_done(&cd);
    EXPECT_INVARIANTS();
    TEST_END();
}

void device_tests(const bootinfo_t *bi)
{
    device_frames_pooled_apart(bi);
    device_frame_at_address(bi);
    device_large_frame_at_address(bi);
}
