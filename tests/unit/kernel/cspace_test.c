/* unit-test-sources: kernel/cspace.c */
/*
 * Capability lookup: guards, radix, depth, multi-level walks, early stops
 * at non-CNode caps, and seL4's exact lookup-failure details.
 */
#include "captest.h"

static void setup(void)
{
    arena_reset();
    stubs_reset();
}

/* A 2^8 root with a 24-bit guard 0 resolves a 32-bit address in one step. */
static void one_level(void **state)
{
    (void)state;
    setup();
    cap_t root = make_cnode(8, 24, 0);
    resolve_result_t r;

    assert_int_equal(cspace_resolve(root, 5, 32, &r), EXCEPTION_NONE);
    assert_ptr_equal(r.slot, cnode_slots(root) + 5);
    assert_int_equal(r.bits_remaining, 0);
}

static void guard_mismatch(void **state)
{
    (void)state;
    setup();
    cap_t root = make_cnode(8, 24, 0x5);
    resolve_result_t r;

    assert_int_equal(cspace_resolve(root, (0x5u << 8) | 7, 32, &r), EXCEPTION_NONE);
    assert_ptr_equal(r.slot, cnode_slots(root) + 7);
    assert_int_equal(cspace_resolve(root, (0x6u << 8) | 7, 32, &r), EXCEPTION_LOOKUP_FAULT);
    assert_int_equal(ks_lookup_fault.type, LOOKUP_GUARD_MISMATCH);
    assert_int_equal(ks_lookup_fault.bits_left, 32);
    assert_int_equal(ks_lookup_fault.bits_found, 24);
    assert_int_equal(ks_lookup_fault.guard_found, 0x5);
    /* A guard longer than the bits left is a guard mismatch too. */
    assert_int_equal(cspace_resolve(root, 0, 20, &r), EXCEPTION_LOOKUP_FAULT);
    assert_int_equal(ks_lookup_fault.type, LOOKUP_GUARD_MISMATCH);
    assert_int_equal(ks_lookup_fault.bits_left, 20);
}

static void depth_mismatch(void **state)
{
    (void)state;
    setup();
    cap_t root = make_cnode(8, 0, 0);
    resolve_result_t r;

    assert_int_equal(cspace_resolve(root, 3, 4, &r), EXCEPTION_LOOKUP_FAULT);
    assert_int_equal(ks_lookup_fault.type, LOOKUP_DEPTH_MISMATCH);
    assert_int_equal(ks_lookup_fault.bits_left, 4);
    assert_int_equal(ks_lookup_fault.bits_found, 8);
    /* Exactly the radix: slot 3 of the root. */
    assert_int_equal(cspace_resolve(root, 3, 8, &r), EXCEPTION_NONE);
    assert_ptr_equal(r.slot, cnode_slots(root) + 3);
}

static void invalid_root(void **state)
{
    (void)state;
    setup();
    resolve_result_t r;

    assert_int_equal(cspace_resolve(cap_endpoint_new((void *)0x1000, 0, RIGHTS_ALL), 0, 32, &r),
                     EXCEPTION_LOOKUP_FAULT);
    assert_int_equal(ks_lookup_fault.type, LOOKUP_INVALID_ROOT);
}

/* Root radix 4 (no guard); slot 3 holds a radix-4 CNode with a 24-bit guard. */
static void two_levels(void **state)
{
    (void)state;
    setup();
    cap_t root = make_cnode(4, 0, 0);
    cap_t second = make_cnode(4, 24, 0);
    resolve_result_t r;

    cnode_slots(root)[3].cap = second;
    assert_int_equal(cspace_resolve(root, (3u << 28) | 7, 32, &r), EXCEPTION_NONE);
    assert_ptr_equal(r.slot, cnode_slots(second) + 7);
    /* Depth 4 names the slot holding the second CNode, without descending. */
    assert_int_equal(cspace_resolve(root, 3, 4, &r), EXCEPTION_NONE);
    assert_ptr_equal(r.slot, cnode_slots(root) + 3);
    /* A second-level guard failure reports the bits left at that level. */
    assert_int_equal(cspace_resolve(root, (3u << 28) | (1u << 4), 32, &r), EXCEPTION_LOOKUP_FAULT);
    assert_int_equal(ks_lookup_fault.type, LOOKUP_GUARD_MISMATCH);
    assert_int_equal(ks_lookup_fault.bits_left, 28);
}

/* The walk stops at a non-CNode cap (or an empty slot) with bits left. */
static void early_stop(void **state)
{
    (void)state;
    setup();
    cap_t root = make_cnode(4, 0, 0);
    resolve_result_t r;
    tcb_t *t = make_tcb();
    cte_t *slot;

    cnode_slots(root)[2].cap = cap_endpoint_new((void *)0x1000, 0, RIGHTS_ALL);
    assert_int_equal(cspace_resolve(root, 2u << 28, 32, &r), EXCEPTION_NONE);
    assert_ptr_equal(r.slot, cnode_slots(root) + 2);
    assert_int_equal(r.bits_remaining, 28);

    /* seL4 lookupSlot: leftover bits are ignored, empty slots are found. */
    tcb_slot(t, TCB_SLOT_CTABLE)->cap = root;
    assert_int_equal(cspace_lookup_slot(t, 2u << 28, &slot), EXCEPTION_NONE);
    assert_ptr_equal(slot, cnode_slots(root) + 2);
    assert_int_equal(cspace_lookup_slot(t, 9u << 28, &slot), EXCEPTION_NONE);
    assert_ptr_equal(slot, cnode_slots(root) + 9);

    /* A CNode operation needs an exact match: depth mismatch, found 0. */
    assert_int_equal(cspace_lookup_target_slot(root, 2u << 28, 32, &slot), EXCEPTION_SYSCALL_ERROR);
    assert_int_equal(ks_syscall_error.type, ERR_FAILED_LOOKUP);
    assert_false(ks_syscall_error.failed_lookup_was_source);
    assert_int_equal(ks_lookup_fault.type, LOOKUP_DEPTH_MISMATCH);
    assert_int_equal(ks_lookup_fault.bits_left, 28);
    assert_int_equal(ks_lookup_fault.bits_found, 0);
}

static void cnode_op_errors(void **state)
{
    (void)state;
    setup();
    cap_t root = make_cnode(4, 0, 0);
    cte_t *slot;

    assert_int_equal(cspace_lookup_target_slot(root, 1, 0, &slot), EXCEPTION_SYSCALL_ERROR);
    assert_int_equal(ks_syscall_error.type, ERR_RANGE_ERROR);
    assert_int_equal(ks_syscall_error.range_min, 1);
    assert_int_equal(ks_syscall_error.range_max, 32);
    assert_int_equal(cspace_lookup_source_slot(root, 1, 33, &slot), EXCEPTION_SYSCALL_ERROR);
    assert_int_equal(ks_syscall_error.type, ERR_RANGE_ERROR);

    assert_int_equal(cspace_lookup_source_slot(cap_null(), 1, 4, &slot), EXCEPTION_SYSCALL_ERROR);
    assert_int_equal(ks_syscall_error.type, ERR_FAILED_LOOKUP);
    assert_true(ks_syscall_error.failed_lookup_was_source);
    assert_int_equal(ks_lookup_fault.type, LOOKUP_INVALID_ROOT);

    assert_int_equal(cspace_lookup_source_slot(root, 1, 3, &slot), EXCEPTION_SYSCALL_ERROR);
    assert_true(ks_syscall_error.failed_lookup_was_source);
    assert_int_equal(ks_lookup_fault.type, LOOKUP_DEPTH_MISMATCH);
    assert_int_equal(ks_lookup_fault.bits_left, 3);
    assert_int_equal(ks_lookup_fault.bits_found, 4);

    assert_int_equal(cspace_lookup_target_slot(root, 0xf, 4, &slot), EXCEPTION_NONE);
    assert_ptr_equal(slot, cnode_slots(root) + 15);
}

/* A CNode whose slot 0 holds itself: the walk still ends (1 bit a step). */
static void cyclic_cspace_terminates(void **state)
{
    (void)state;
    setup();
    cap_t root = make_cnode(1, 0, 0);
    resolve_result_t r;

    cnode_slots(root)[0].cap = root;
    assert_int_equal(cspace_resolve(root, 0, 32, &r), EXCEPTION_NONE);
    assert_ptr_equal(r.slot, cnode_slots(root));
    assert_int_equal(r.bits_remaining, 0);
    assert_int_equal(cspace_resolve(root, 1, 32, &r), EXCEPTION_NONE);
    assert_ptr_equal(r.slot, cnode_slots(root) + 1);
}

/* Several addresses at full depth from a thread's root, as the extra
 * capabilities of an invocation: each found as cspace_lookup_slot() finds
 * it; the first that fails is reported and the ones after it are left. */
static void lookup_slots(void **state)
{
    (void)state;
    setup();
    tcb_t *t = make_tcb();
    cap_t root = make_cnode(8, 24, 0x5);
    const cptr_t good[3] = { (0x5u << 8) | 1, (0x5u << 8) | 9, (0x5u << 8) | 200 };
    const cptr_t bad[3] = { (0x5u << 8) | 3, (0x6u << 8) | 4, (0x5u << 8) | 5 };
    cte_t *slots[3] = { NULL, NULL, NULL };
    cte_t *one;
    cptr_t failed = 0;

    tcb_slot(t, TCB_SLOT_CTABLE)->cap = root;
    assert_true(cspace_lookup_slots(t, good, 3, slots, &failed));
    for (int i = 0; i < 3; i++) {
        assert_int_equal(cspace_lookup_slot(t, good[i], &one), EXCEPTION_NONE);
        assert_ptr_equal(slots[i], one);
        assert_ptr_equal(slots[i], cnode_slots(root) + (good[i] & 0xff));
    }
    assert_int_equal(failed, 0);

    slots[2] = NULL;
    assert_false(cspace_lookup_slots(t, bad, 3, slots, &failed));
    assert_int_equal(failed, bad[1]);
    assert_int_equal(ks_lookup_fault.type, LOOKUP_GUARD_MISMATCH);
    assert_int_equal(ks_lookup_fault.guard_found, 0x5);
    assert_ptr_equal(slots[0], cnode_slots(root) + 3);
    assert_null(slots[2]);

    /* None asked: nothing looked up, nothing failed. */
    failed = 0;
    assert_true(cspace_lookup_slots(t, bad, 0, slots, &failed));
    assert_int_equal(failed, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(one_level),
        cmocka_unit_test(guard_mismatch),
        cmocka_unit_test(depth_mismatch),
        cmocka_unit_test(invalid_root),
        cmocka_unit_test(two_levels),
        cmocka_unit_test(early_stop),
        cmocka_unit_test(cnode_op_errors),
        cmocka_unit_test(cyclic_cspace_terminates),
        cmocka_unit_test(lookup_slots),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
