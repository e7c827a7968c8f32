/* unit-test-sources: */
/*
 * The console input ring (vmm/include/vmm/input_ring.h), as the VMM fills
 * it and the guest empties it: bytes come out in order, across the end of
 * the data and across the 2^32 wrap of the indices; a full ring refuses
 * the next byte; a guest that scribbles on its tail only makes its own
 * ring look full to the VMM, and a bad head never makes the guest read
 * more than the ring holds.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include <vmm/input_ring.h>

#define SIZE VMM_INPUT_RING_BYTES

static vmm_input_ring_t ring;

static void start_at(uint32_t index)
{
    memset(&ring, 0, sizeof(ring));
    ring.head = ring.tail = index;
}

static void bytes_in_order_across_the_end(void **state)
{
    uint8_t out[100];

    (void)state;
    start_at(SIZE - 30);
    for (int i = 0; i < 100; i++)
        assert_true(vmm_ring_put(&ring, (uint8_t)i));
    assert_int_equal(vmm_ring_waiting(&ring), 100);
    assert_int_equal(vmm_ring_take(&ring, out, 40), 40);
    assert_int_equal(vmm_ring_take(&ring, out + 40, 100), 60);
    for (int i = 0; i < 100; i++)
        assert_int_equal(out[i], i);
    assert_int_equal(vmm_ring_waiting(&ring), 0);
    assert_int_equal(vmm_ring_take(&ring, out, sizeof(out)), 0);
}

static void indices_wrap_at_2_to_the_32(void **state)
{
    uint8_t out[64];

    (void)state;
    start_at(0xffffffe0u);
    for (int i = 0; i < 64; i++)
        assert_true(vmm_ring_put(&ring, (uint8_t)(i + 1)));
    assert_int_equal(ring.head, 0x20u);
    assert_int_equal(vmm_ring_waiting(&ring), 64);
    assert_int_equal(vmm_ring_take(&ring, out, sizeof(out)), 64);
    for (int i = 0; i < 64; i++)
        assert_int_equal(out[i], i + 1);
    assert_int_equal(ring.tail, 0x20u);
}

static void a_full_ring_refuses_and_keeps_what_it_has(void **state)
{
    uint8_t c;

    (void)state;
    start_at(7);
    for (uint32_t i = 0; i < SIZE; i++)
        assert_true(vmm_ring_put(&ring, (uint8_t)i));
    assert_false(vmm_ring_put(&ring, 0xaa));
    assert_int_equal(vmm_ring_waiting(&ring), SIZE);
    assert_int_equal(vmm_ring_take(&ring, &c, 1), 1);
    assert_int_equal(c, 0);
    assert_true(vmm_ring_put(&ring, 0xbb));
    assert_false(vmm_ring_put(&ring, 0xcc));
}

static void a_scribbled_tail_only_fills_its_own_ring(void **state)
{
    (void)state;
    start_at(100);
    ring.tail = 105;                        /* ahead of head: head - tail wraps */
    assert_false(vmm_ring_put(&ring, 1));
    assert_int_equal(ring.head, 100);
    ring.tail = 100 - SIZE - 1;             /* more than a ring behind */
    assert_false(vmm_ring_put(&ring, 1));
    ring.tail = 100;
    assert_true(vmm_ring_put(&ring, 1));
}

static void a_bad_head_never_reads_past_the_ring(void **state)
{
    static uint8_t out[3 * SIZE];

    (void)state;
    start_at(0);
    ring.head = 5 * SIZE;
    assert_int_equal(vmm_ring_waiting(&ring), SIZE);
    assert_int_equal(vmm_ring_take(&ring, out, sizeof(out)), SIZE);
    assert_int_equal(ring.tail, SIZE);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(bytes_in_order_across_the_end),
        cmocka_unit_test(indices_wrap_at_2_to_the_32),
        cmocka_unit_test(a_full_ring_refuses_and_keeps_what_it_has),
        cmocka_unit_test(a_scribbled_tail_only_fills_its_own_ring),
        cmocka_unit_test(a_bad_head_never_reads_past_the_ring),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
