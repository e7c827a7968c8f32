/*
 * Untypeds the kernel must not fill with its own objects: device memory,
 * and RAM above the kernel window (boot with -m 1G to have some), which
 * seL4 hands out as device untypeds: its boot clamps RAM regions at the
 * window's top (x86 add_mem_p_regs) and gives out everything above as
 * device memory. Both become only frames and smaller untypeds, and the
 * kernel never clears them, not even when they are reset.
 */
#include "untyped_tests.h"

#define PATTERN     0xd00dfeedu
#define VGA_TEXT    0xb8000u        /* VGA text buffer: writable device memory */
#define SUB_BITS    12

static seL4_Word want_bits;

static int is_device(const seL4_UntypedDesc *d)
{
    return d->isDevice && d->sizeBits >= want_bits;
}

static int covers_vga(const seL4_UntypedDesc *d)
{
    return d->isDevice && d->paddr <= VGA_TEXT &&
           VGA_TEXT + PAGE <= d->paddr + ((seL4_Word)1 << d->sizeBits);
}

static int high_ram(const seL4_UntypedDesc *d)
{
    return d->paddr >= WINDOW_TOP && d->sizeBits >= want_bits;
}

static int ram_past_window(const seL4_UntypedDesc *d)
{
    return !d->isDevice && (uint64_t)d->paddr + ((uint64_t)1 << d->sizeBits) > WINDOW_TOP;
}

static seL4_CPtr boot_cap(int i)
{
    return seL4_GetBootInfo()->untyped.start + (seL4_Word)i;
}

/* Everything but frames and untypeds is refused with InvalidArgument 1,
 * after the memory check. */
static void refuses_kernel_objects(seL4_CPtr ut, seL4_Word bits)
{
    static const seL4_Word types[] = {
        seL4_TCBObject, seL4_EndpointObject, seL4_NotificationObject, seL4_CapTableObject,
        seL4_X86_PageTableObject, seL4_X86_PageDirectoryObject,
    };
    seL4_CPtr d = st_slot(&mem);

    for (unsigned i = 0; i < sizeof(types) / sizeof(types[0]); i++)
        EXPECT_ARG(retype_at(ut, types[i], 1, d, 1), 1);
    if (bits <= seL4_MaxUntypedBits - 1)
        EXPECT_MEMORY(retype_at(ut, seL4_UntypedObject, bits + 1, d, 1),
                      (seL4_Word)1 << bits);
    EXPECT_EQ(ident(d), TAG_NULL);
}

static void device_untyped(void)
{
    TEST_BEGIN("device/frames_and_untypeds_only");
    want_bits = SUB_BITS + 1;
    int i = find_boot_untyped(is_device);
    if (i < 0) {
        TEST_SKIP("no device untyped of 8 KiB or more");
        return;
    }
    seL4_CPtr ut = boot_cap(i);
    seL4_Word bits = seL4_GetBootInfo()->untypedList[i].sizeBits;
    refuses_kernel_objects(ut, bits);
    seL4_CPtr sub = retype_one(ut, seL4_UntypedObject, SUB_BITS, NULL);
    ASSERT_NE(sub, 0);
    refuses_kernel_objects(sub, SUB_BITS);
    seL4_CPtr f = retype_one(sub, seL4_X86_4K, 0, NULL);
    EXPECT_EQ(ident(f), TAG_FRAME);
    EXPECT_EQ(frame_paddr(f), seL4_GetBootInfo()->untypedList[i].paddr);
    ASSERT_OK(seL4_CNode_Revoke(ROOT, ut, DEPTH));
    EXPECT_EQ(ident(sub), TAG_NULL);
    EXPECT_INVARIANTS();
    TEST_END();
}

/* Retypes frames from ut until one lands at paddr; returns it (or 0). */
static seL4_CPtr frame_at(seL4_CPtr ut, seL4_Word base, seL4_Word paddr)
{
    seL4_Word n = (paddr - base) / PAGE + 1;
    seL4_CPtr first = slots(n);
    if (first == 0 || retype_at(ut, seL4_X86_4K, 0, first, n) != seL4_NoError)
        return 0;
    return first + n - 1;
}

static void device_not_cleared(void)
{
    TEST_BEGIN("device/never_cleared");
    int i = find_boot_untyped(covers_vga);
    if (i < 0) {
        TEST_SKIP("no device untyped covers the VGA text buffer");
        return;
    }
    seL4_CPtr ut = boot_cap(i);
    seL4_Word base = seL4_GetBootInfo()->untypedList[i].paddr;
    seL4_CPtr f = frame_at(ut, base, VGA_TEXT);
    ASSERT_NE(f, 0);
    EXPECT_EQ(frame_paddr(f), VGA_TEXT);
    volatile seL4_Word *p = map_frame(f);
    ASSERT_TRUE(p != NULL);
    p[1] = PATTERN;
    ASSERT_EQ(p[1], PATTERN);
    /* Childless again: the next retype resets it, without clearing. */
    ASSERT_OK(seL4_CNode_Revoke(ROOT, ut, DEPTH));
    EXPECT_EQ(ident(f), TAG_NULL);
    seL4_CPtr g = frame_at(ut, base, VGA_TEXT);
    ASSERT_NE(g, 0);
    p = map_frame(g);
    ASSERT_TRUE(p != NULL);
    EXPECT_EQ(p[1], PATTERN);
    p[1] = 0;
    ASSERT_OK(seL4_CNode_Revoke(ROOT, ut, DEPTH));
    EXPECT_INVARIANTS();
    TEST_END();
}

static void above_window(void)
{
    TEST_BEGIN("high_ram/frames_only_never_cleared");
    want_bits = SUB_BITS + 1;
    int i = find_boot_untyped(high_ram);
    if (i < 0) {
        TEST_SKIP("no untyped above the kernel window");
        return;
    }
    seL4_CPtr ut = boot_cap(i);
    seL4_Word bits = seL4_GetBootInfo()->untypedList[i].sizeBits;
    seL4_Word base = seL4_GetBootInfo()->untypedList[i].paddr;
    seL4_CPtr sub = retype_one(ut, seL4_UntypedObject, SUB_BITS, NULL);
    ASSERT_NE(sub, 0);
    seL4_CPtr f = retype_one(sub, seL4_X86_4K, 0, NULL);
    ASSERT_NE(f, 0);
    EXPECT_EQ(frame_paddr(f), base);
    volatile seL4_Word *p = map_frame(f);
    ASSERT_TRUE(p != NULL);
    p[0] = PATTERN;
    if (p[0] != PATTERN) {
        ASSERT_OK(seL4_CNode_Revoke(ROOT, ut, DEPTH));
        TEST_SKIP("no RAM above the kernel window (boot with -m 1G)");
        return;
    }
    /* As in seL4: device untypeds, and no RAM untyped reaches past the top. */
    EXPECT_TRUE(seL4_GetBootInfo()->untypedList[i].isDevice);
    EXPECT_EQ(find_boot_untyped(ram_past_window), -1);
    /* Reset of the child and of the untyped itself leave the data. */
    ASSERT_OK(seL4_CNode_Revoke(ROOT, sub, DEPTH));
    refuses_kernel_objects(sub, SUB_BITS);
    f = retype_one(sub, seL4_X86_4K, 0, NULL);
    ASSERT_NE(f, 0);
    p = map_frame(f);
    ASSERT_TRUE(p != NULL);
    EXPECT_EQ(p[0], PATTERN);
    ASSERT_OK(seL4_CNode_Revoke(ROOT, ut, DEPTH));
    refuses_kernel_objects(ut, bits);
    f = retype_one(ut, seL4_X86_4K, 0, NULL);
    ASSERT_NE(f, 0);
    EXPECT_EQ(frame_paddr(f), base);
    p = map_frame(f);
    ASSERT_TRUE(p != NULL);
    EXPECT_EQ(p[0], PATTERN);
    ASSERT_OK(seL4_CNode_Revoke(ROOT, ut, DEPTH));
    EXPECT_INVARIANTS();
    TEST_END();
}

void memory_kind_tests(void)
{
    device_untyped();
    device_not_cleared();
    above_window();
}
