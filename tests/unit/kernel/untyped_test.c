/* unit-test-sources: kernel/untyped.c kernel/cdt.c kernel/capops.c kernel/cspace.c */
/*
 * Retype: object sizes, the watermark and alignment arithmetic, every
 * refusal with seL4's details in seL4's order, the reset that clears an
 * untyped once its children are gone (preemptible), and device memory.
 * Objects are made from untypeds whose memory is never touched on the host
 * (endpoints, frames, untypeds); destination CNodes live in the arena.
 */
#include "captest.h"
#include <kernel/untyped.h>
#include <abi/invocation.h>

#define UT_PADDR 0x00100000u
#define UT_BITS  12

static cte_t *root_slots;
static cap_t root;
static invocation_t inv;

/* Slot 0 of the root CNode holds the untyped; the root (radix 8, guard 24)
 * is also the destination. */
static void setup_ut(cap_t ut)
{
    arena_reset();
    stubs_reset();
    root = make_cnode(8, 24, 0);
    root_slots = cnode_slots(root);
    cdt_insert_root(&root_slots[0], ut);
    memset(&inv, 0, sizeof(inv));
    inv.label = INV_UNTYPED_RETYPE;
    inv.length = 6;
    inv.slot = &root_slots[0];
    inv.cap = root_slots[0].cap;
    inv.n_extra = 1;
    inv.extra_caps[0] = root;
}

static void setup(void) { setup_ut(cap_untyped_new(UT_PADDR, UT_BITS, false, 0)); }

static exception_t retype(word_t type, word_t bits, word_t offset, word_t count)
{
    word_t args[6] = { type, bits, 0, 0, offset, count };
    memcpy(test_mrs, args, sizeof(args));
    inv.cap = inv.slot->cap;
    return untyped_decode(&inv);
}

static void object_sizes(void **state)
{
    (void)state;
    assert_int_equal(obj_size_bits(OBJ_UNTYPED, 17), 17);
    assert_int_equal(obj_size_bits(OBJ_TCB, 0), 11);
    assert_int_equal(obj_size_bits(OBJ_ENDPOINT, 0), 4);
    assert_int_equal(obj_size_bits(OBJ_NOTIFICATION, 0), 4);
    assert_int_equal(obj_size_bits(OBJ_CNODE, 5), 9);
    assert_int_equal(obj_size_bits(OBJ_X86_4K, 0), 12);
    assert_int_equal(obj_size_bits(OBJ_X86_LARGE_PAGE, 0), 22);
    assert_int_equal(obj_size_bits(OBJ_X86_PAGE_TABLE, 0), 12);
    assert_int_equal(obj_size_bits(OBJ_X86_PAGE_DIRECTORY, 0), 12);
}

static void watermark_arithmetic(void **state)
{
    (void)state;
    cap_t ut = cap_ut_set_free(cap_untyped_new(UT_PADDR, UT_BITS, false, 0), 0x30);

    assert_int_equal(untyped_bytes_left(ut, false), 4096 - 0x30);
    assert_int_equal(untyped_bytes_left(ut, true), 4096);
    assert_int_equal(untyped_next_object(ut, false, 4), UT_PADDR + 0x30);
    assert_int_equal(untyped_next_object(ut, false, 8), UT_PADDR + 0x100);
    assert_int_equal(untyped_next_object(ut, true, 8), UT_PADDR);
    assert_true(untyped_may_hold(ut, OBJ_TCB));
    assert_false(untyped_may_hold(cap_untyped_new(UT_PADDR, 12, true, 0), OBJ_TCB));
    assert_true(untyped_may_hold(cap_untyped_new(UT_PADDR, 12, true, 0), OBJ_X86_4K));
    assert_false(untyped_may_hold(cap_untyped_new(0x40000000u, 12, false, 0), OBJ_CNODE));
    assert_true(untyped_may_hold(cap_untyped_new(0x40000000u, 12, false, 0), OBJ_UNTYPED));
}

static void endpoints_then_aligned_untyped(void **state)
{
    (void)state;
    setup();
    /* The caller's Restart state is syscall.c's: a decoder leaves it alone. */
    last_state_set = TS_RUNNING;
    assert_int_equal(retype(OBJ_ENDPOINT, 0, 10, 3), EXCEPTION_NONE);
    assert_int_equal(last_state_set, TS_RUNNING);
    assert_int_equal(cap_ut_free_bytes_used(root_slots[0].cap), 48);
    for (word_t i = 0; i < 3; i++) {
        cte_t *s = &root_slots[10 + i];
        assert_int_equal(cap_type(s->cap), CAP_ENDPOINT);
        assert_ptr_equal(cap_ptr(s->cap), paddr_to_kptr(UT_PADDR + 16 * i));
        assert_int_equal(cap_rights(s->cap), RIGHTS_ALL);
        assert_true(cdt_is_parent_of(&root_slots[0], s));
    }
    /* A 2^8 untyped goes to the next 256-byte boundary. */
    assert_int_equal(retype(OBJ_UNTYPED, 8, 20, 1), EXCEPTION_NONE);
    assert_int_equal(cap_ut_paddr(root_slots[20].cap), UT_PADDR + 0x100);
    assert_int_equal(cap_ut_free_bytes_used(root_slots[0].cap), 0x200);
    check_list(&root_slots[0]);
}

static void argument_refusals(void **state)
{
    (void)state;
    setup();
    inv.label = INV_CNODE_COPY;
    assert_int_equal(retype(OBJ_ENDPOINT, 0, 1, 1), EXCEPTION_SYSCALL_ERROR);
    assert_int_equal(ks_syscall_error.type, ERR_ILLEGAL_OPERATION);
    inv.label = INV_UNTYPED_RETYPE;
    inv.length = 5;
    assert_int_equal(retype(OBJ_ENDPOINT, 0, 1, 1), EXCEPTION_SYSCALL_ERROR);
    assert_int_equal(ks_syscall_error.type, ERR_TRUNCATED_MESSAGE);
    inv.length = 6;
    inv.n_extra = 0;
    assert_int_equal(retype(OBJ_ENDPOINT, 0, 1, 1), EXCEPTION_SYSCALL_ERROR);
    assert_int_equal(ks_syscall_error.type, ERR_TRUNCATED_MESSAGE);
    inv.n_extra = 1;

    assert_int_equal(retype(OBJ_NUM_TYPES, 0, 1, 1), EXCEPTION_SYSCALL_ERROR);
    assert_int_equal(ks_syscall_error.type, ERR_INVALID_ARGUMENT);
    assert_int_equal(ks_syscall_error.invalid_argument, 0);
    assert_int_equal(retype(OBJ_UNTYPED, 30, 1, 1), EXCEPTION_SYSCALL_ERROR);
    assert_int_equal(ks_syscall_error.type, ERR_RANGE_ERROR);
    assert_int_equal(ks_syscall_error.range_min, 0);
    assert_int_equal(ks_syscall_error.range_max, 29);
    assert_int_equal(retype(OBJ_CNODE, 26, 1, 1), EXCEPTION_SYSCALL_ERROR);
    assert_int_equal(ks_syscall_error.type, ERR_RANGE_ERROR);
    assert_int_equal(retype(OBJ_ENDPOINT, 32, 1, 1), EXCEPTION_SYSCALL_ERROR);
    assert_int_equal(ks_syscall_error.type, ERR_RANGE_ERROR);
    assert_int_equal(retype(OBJ_CNODE, 0, 1, 1), EXCEPTION_SYSCALL_ERROR);
    assert_int_equal(ks_syscall_error.type, ERR_INVALID_ARGUMENT);
    assert_int_equal(ks_syscall_error.invalid_argument, 1);
    assert_int_equal(retype(OBJ_UNTYPED, 3, 1, 1), EXCEPTION_SYSCALL_ERROR);
    assert_int_equal(ks_syscall_error.type, ERR_INVALID_ARGUMENT);
    assert_int_equal(ks_syscall_error.invalid_argument, 1);
}

static void destination_refusals(void **state)
{
    (void)state;
    setup();
    /* Destination named at depth 32 holds the untyped, not a CNode. */
    word_t args[6] = { OBJ_ENDPOINT, 0, 0, 32, 0, 1 };
    memcpy(test_mrs, args, sizeof(args));
    assert_int_equal(untyped_decode(&inv), EXCEPTION_SYSCALL_ERROR);
    assert_int_equal(ks_syscall_error.type, ERR_FAILED_LOOKUP);
    assert_false(ks_syscall_error.failed_lookup_was_source);
    assert_int_equal(ks_lookup_fault.type, LOOKUP_MISSING_CAPABILITY);
    assert_int_equal(ks_lookup_fault.bits_left, 32);
    test_mrs[3] = 33;
    assert_int_equal(untyped_decode(&inv), EXCEPTION_SYSCALL_ERROR);
    assert_int_equal(ks_syscall_error.type, ERR_RANGE_ERROR);

    assert_int_equal(retype(OBJ_ENDPOINT, 0, 256, 1), EXCEPTION_SYSCALL_ERROR);
    assert_int_equal(ks_syscall_error.type, ERR_RANGE_ERROR);
    assert_int_equal(ks_syscall_error.range_min, 0);
    assert_int_equal(ks_syscall_error.range_max, 255);
    assert_int_equal(retype(OBJ_ENDPOINT, 0, 1, 0), EXCEPTION_SYSCALL_ERROR);
    assert_int_equal(ks_syscall_error.range_min, 1);
    assert_int_equal(ks_syscall_error.range_max, 256);
    assert_int_equal(retype(OBJ_ENDPOINT, 0, 1, 257), EXCEPTION_SYSCALL_ERROR);
    assert_int_equal(ks_syscall_error.range_max, 256);
    assert_int_equal(retype(OBJ_ENDPOINT, 0, 250, 10), EXCEPTION_SYSCALL_ERROR);
    assert_int_equal(ks_syscall_error.type, ERR_RANGE_ERROR);
    assert_int_equal(ks_syscall_error.range_min, 1);
    assert_int_equal(ks_syscall_error.range_max, 6);
    /* Slot 0 (the untyped itself) is in the window: DeleteFirst. */
    assert_int_equal(retype(OBJ_ENDPOINT, 0, 0, 2), EXCEPTION_SYSCALL_ERROR);
    assert_int_equal(ks_syscall_error.type, ERR_DELETE_FIRST);
    /* Nothing changed. */
    assert_int_equal(cap_ut_free_bytes_used(root_slots[0].cap), 0);
    assert_false(cdt_has_children(&root_slots[0]));
}

static void memory_refusals(void **state)
{
    (void)state;
    setup();
    assert_int_equal(retype(OBJ_X86_4K, 0, 1, 2), EXCEPTION_SYSCALL_ERROR);
    assert_int_equal(ks_syscall_error.type, ERR_NOT_ENOUGH_MEMORY);
    assert_int_equal(ks_syscall_error.memory_left, 4096);
    assert_int_equal(retype(OBJ_ENDPOINT, 0, 1, 1), EXCEPTION_NONE);
    /* 4096 - 16 bytes left: a second 4 KiB page does not fit. */
    assert_int_equal(retype(OBJ_X86_4K, 0, 2, 1), EXCEPTION_SYSCALL_ERROR);
    assert_int_equal(ks_syscall_error.memory_left, 4096 - 16);
    /* 254 more endpoints fill all but 16 bytes. */
    assert_int_equal(retype(OBJ_ENDPOINT, 0, 2, 254), EXCEPTION_NONE);
    assert_int_equal(cap_ut_free_bytes_used(root_slots[0].cap), 4096 - 16);
    assert_int_equal(retype(OBJ_NOTIFICATION, 0, 2, 1), EXCEPTION_SYSCALL_ERROR);
    assert_int_equal(ks_syscall_error.type, ERR_DELETE_FIRST);
}

static void device_and_high_memory(void **state)
{
    (void)state;
    setup_ut(cap_untyped_new(0xfe000000u, 22, true, 0));
    assert_int_equal(retype(OBJ_ENDPOINT, 0, 1, 1), EXCEPTION_SYSCALL_ERROR);
    assert_int_equal(ks_syscall_error.type, ERR_INVALID_ARGUMENT);
    assert_int_equal(ks_syscall_error.invalid_argument, 1);
    assert_int_equal(retype(OBJ_X86_4K, 0, 1, 2), EXCEPTION_NONE);
    assert_true(cap_frame_is_device(root_slots[1].cap));
    assert_int_equal(cap_frame_paddr(root_slots[2].cap), 0xfe001000u);
    assert_int_equal(n_clear_memory, 0);

    setup_ut(cap_untyped_new(0x40000000u, 22, false, 0));
    assert_int_equal(retype(OBJ_TCB, 0, 1, 1), EXCEPTION_SYSCALL_ERROR);
    assert_int_equal(ks_syscall_error.invalid_argument, 1);
    assert_int_equal(retype(OBJ_X86_LARGE_PAGE, 0, 1, 1), EXCEPTION_NONE);
    assert_false(cap_frame_is_device(root_slots[1].cap));
    assert_true(cap_frame_is_large(root_slots[1].cap));
}

/* After its children are gone the untyped is cleared and starts again. */
static void reset_clears_and_restarts(void **state)
{
    (void)state;
    setup();
    assert_int_equal(retype(OBJ_ENDPOINT, 0, 1, 40), EXCEPTION_NONE);
    assert_int_equal(cte_revoke(&root_slots[0]), EXCEPTION_NONE);
    assert_int_equal(cap_ut_free_bytes_used(root_slots[0].cap), 640);
    assert_int_equal(retype(OBJ_X86_4K, 0, 1, 1), EXCEPTION_NONE);
    assert_int_equal(clear_lo, UT_PADDR);
    assert_int_equal(clear_hi, UT_PADDR + 768);            /* 640 rounded up to 256 */
    assert_int_equal(n_clear_memory, 3);
    assert_int_equal(cap_frame_paddr(root_slots[1].cap), UT_PADDR);
    assert_int_equal(cap_ut_free_bytes_used(root_slots[0].cap), 4096);
}

/* Clearing stops at a pending interrupt; the free index keeps the progress. */
static void reset_is_preemptible(void **state)
{
    (void)state;
    setup();
    root_slots[0].cap = cap_ut_set_free(root_slots[0].cap, 4096);
    irq_pending = true;
    ks_work_units = WORK_UNITS_PER_PREEMPTION - 2;
    assert_int_equal(retype(OBJ_ENDPOINT, 0, 1, 1), EXCEPTION_PREEMPTED);
    assert_int_equal(cap_ut_free_bytes_used(root_slots[0].cap), 4096 - 2 * 256);
    assert_true(cap_is_null(root_slots[1].cap));
    irq_pending = false;
    assert_int_equal(retype(OBJ_ENDPOINT, 0, 1, 1), EXCEPTION_NONE);
    assert_int_equal(cap_ut_free_bytes_used(root_slots[0].cap), 16);
    assert_int_equal(n_clear_memory, 16);
}

/* A copy of an untyped marks the source full: the source cannot retype. */
static void copied_untyped_is_full(void **state)
{
    (void)state;
    setup();
    cte_insert(root_slots[0].cap, &root_slots[0], &root_slots[1]);
    assert_int_equal(retype(OBJ_ENDPOINT, 0, 2, 1), EXCEPTION_SYSCALL_ERROR);
    assert_int_equal(ks_syscall_error.type, ERR_NOT_ENOUGH_MEMORY);
    assert_int_equal(ks_syscall_error.memory_left, 0);
    inv.slot = &root_slots[1];
    assert_int_equal(retype(OBJ_ENDPOINT, 0, 2, 1), EXCEPTION_NONE);
    assert_true(cdt_is_parent_of(&root_slots[1], &root_slots[2]));
    check_list(&root_slots[0]);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(object_sizes),
        cmocka_unit_test(watermark_arithmetic),
        cmocka_unit_test(endpoints_then_aligned_untyped),
        cmocka_unit_test(argument_refusals),
        cmocka_unit_test(destination_refusals),
        cmocka_unit_test(memory_refusals),
        cmocka_unit_test(device_and_high_memory),
        cmocka_unit_test(reset_clears_and_restarts),
        cmocka_unit_test(reset_is_preemptible),
        cmocka_unit_test(copied_untyped_is_full),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
