/* unit-test-sources: arch/ia32/portmap.c */
/*
 * Host tests of the I/O-port bitmap and range checks in arch/ia32/portmap.c:
 * issuing and releasing ranges inside one word, across words and over the
 * whole port space, overlap detection at range edges, the kernel's own
 * ports, and the bounds of 8/16/32-bit accesses against a capability.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arch/ioport.h>

static word_t bitmap[IOPORT_BITMAP_WORDS];

static int clear_bitmap(void **state)
{
    (void)state;
    memset(bitmap, 0, sizeof(bitmap));
    return 0;
}

static void single_port(void **state)
{
    (void)state;
    assert_true(portmap_range_free(bitmap, 0x60, 0x60));
    portmap_set_range(bitmap, 0x60, 0x60, true);
    assert_false(portmap_range_free(bitmap, 0x60, 0x60));
    assert_true(portmap_range_free(bitmap, 0x5f, 0x5f));
    assert_true(portmap_range_free(bitmap, 0x61, 0x61));
    assert_false(portmap_range_free(bitmap, 0x00, 0xffff));
    portmap_set_range(bitmap, 0x60, 0x60, false);
    assert_true(portmap_range_free(bitmap, 0x00, 0xffff));
}

static void range_across_words(void **state)
{
    (void)state;
    /* 0x1c..0x45 touches words 0, 1 and 2 partially/fully. */
    portmap_set_range(bitmap, 0x1c, 0x45, true);
    assert_int_equal(bitmap[0], 0xf0000000u);
    assert_int_equal(bitmap[1], 0xffffffffu);
    assert_int_equal(bitmap[2], 0x0000003fu);
    assert_true(portmap_range_free(bitmap, 0x00, 0x1b));
    assert_true(portmap_range_free(bitmap, 0x46, 0xffff));
    assert_false(portmap_range_free(bitmap, 0x45, 0x50));
    assert_false(portmap_range_free(bitmap, 0x10, 0x1c));
    assert_false(portmap_range_free(bitmap, 0x30, 0x30));
    portmap_set_range(bitmap, 0x1c, 0x45, false);
    assert_true(portmap_range_free(bitmap, 0x00, 0xffff));
}

static void word_aligned_edges(void **state)
{
    (void)state;
    portmap_set_range(bitmap, 0x20, 0x3f, true);
    assert_int_equal(bitmap[0], 0);
    assert_int_equal(bitmap[1], 0xffffffffu);
    assert_int_equal(bitmap[2], 0);
    assert_true(portmap_range_free(bitmap, 0x1f, 0x1f));
    assert_true(portmap_range_free(bitmap, 0x40, 0x40));
}

static void whole_port_space(void **state)
{
    (void)state;
    portmap_set_range(bitmap, 0, IOPORT_MASK, true);
    for (word_t w = 0; w < IOPORT_BITMAP_WORDS; w++)
        assert_int_equal(bitmap[w], 0xffffffffu);
    assert_false(portmap_range_free(bitmap, IOPORT_MASK, IOPORT_MASK));
    portmap_set_range(bitmap, 0x100, 0xfeff, false);
    assert_true(portmap_range_free(bitmap, 0x100, 0xfeff));
    assert_false(portmap_range_free(bitmap, 0xff, 0x100));
    assert_false(portmap_range_free(bitmap, 0xfeff, 0xff00));
}

static void kernel_ports(void **state)
{
    (void)state;
    assert_false(ioport_kernel_reserved(0x3f8, 0x3ff));    /* COM1: shared, as on seL4 */
    assert_true(ioport_kernel_reserved(0x21, 0x21));       /* PIC */
    assert_false(ioport_kernel_reserved(0x22, 0x3f));
    assert_true(ioport_kernel_reserved(0xa0, 0xa0));
    assert_false(ioport_kernel_reserved(0x40, 0x43));      /* PIT: user level's on pc99 */
    assert_false(ioport_kernel_reserved(0x44, 0x5f));
    assert_true(ioport_kernel_reserved(0xf7, 0xf7));       /* isa-debug-exit */
    assert_false(ioport_kernel_reserved(0xf8, 0xff));
    assert_true(ioport_kernel_reserved(0, IOPORT_MASK));
    assert_false(ioport_kernel_reserved(0x100, IOPORT_MASK));
    assert_true(portmap_kernel_ports_clear(bitmap));
    portmap_set_range(bitmap, 0xa1, 0xa1, true);          /* a PIC port */
    assert_false(portmap_kernel_ports_clear(bitmap));
}

static void access_bounds(void **state)
{
    (void)state;
    /* A cap for 0x60..0x64. */
    assert_true(ioport_access_ok(0x60, 0x64, 0x60, 1));
    assert_true(ioport_access_ok(0x60, 0x64, 0x64, 1));
    assert_true(ioport_access_ok(0x60, 0x64, 0x63, 2));
    assert_false(ioport_access_ok(0x60, 0x64, 0x64, 2));
    assert_true(ioport_access_ok(0x60, 0x64, 0x61, 4));
    assert_false(ioport_access_ok(0x60, 0x64, 0x62, 4));
    assert_false(ioport_access_ok(0x60, 0x64, 0x5f, 1));
    assert_false(ioport_access_ok(0x60, 0x64, 0x65, 1));
    /* The access may not run past the top of the port space. */
    assert_true(ioport_access_ok(0xfff0, IOPORT_MASK, 0xfffc, 4));
    assert_false(ioport_access_ok(0xfff0, IOPORT_MASK, 0xfffd, 4));
    assert_false(ioport_access_ok(0xfff0, IOPORT_MASK, IOPORT_MASK, 2));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(single_port, clear_bitmap),
        cmocka_unit_test_setup(range_across_words, clear_bitmap),
        cmocka_unit_test_setup(word_aligned_edges, clear_bitmap),
        cmocka_unit_test_setup(whole_port_space, clear_bitmap),
        cmocka_unit_test_setup(kernel_ports, clear_bitmap),
        cmocka_unit_test_setup(access_bounds, clear_bitmap),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
