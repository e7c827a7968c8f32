/*
 * Device frames through memmgr on the real kernel: a child owner holding
 * the bootinfo device untyped that covers the VGA text buffer and some
 * RAM. Device frames come from their own pool and only from device
 * memory, ordinary frames only from RAM, a freed device frame goes back
 * to its pool and comes out again, and what was written to it is still
 * there: nobody clears device memory (untyped suite: nor does the
 * kernel's reset).
 */
#include "memmgr_tests.h"

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
    ASSERT_TRUE(child_make(&cd, 18, CHILD_SLOTS));
    ASSERT_EQ(mm_add_untyped(&cd.mm, dev, d->paddr, d->size_bits, 1), ERR_NONE);
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

void device_tests(const bootinfo_t *bi)
{
    device_frames_pooled_apart(bi);
}
