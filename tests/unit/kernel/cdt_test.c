/* unit-test-sources: kernel/cdt.c kernel/capops.c */
/*
 * Derivation tree and capability operations: insert, remove, move, swap,
 * has-children, is-final, badge rules, untyped copies, revoke order, and
 * deletion with finalisation, zombies and preemption.
 */
#include "captest.h"
#include <abi/capdata.h>

/* Fake object addresses: only compared, never dereferenced. */
#define UT_PADDR  0x00100000u
#define UT_BITS   16
#define EP_PADDR  (UT_PADDR + 0x100u)
#define EP2_PADDR (UT_PADDR + 0x110u)

static cte_t *slots;

static void setup(void)
{
    arena_reset();
    stubs_reset();
    slots = cnode_slots(make_cnode(8, 24, 0));
}

static cap_t ut_cap(void) { return cap_untyped_new(UT_PADDR, UT_BITS, false, 0); }
static cap_t ep_cap(paddr_t p, word_t badge) { return cap_endpoint_new(paddr_to_kptr(p), badge, RIGHTS_ALL); }

/* The untyped in slot 0 with an endpoint child in slot 1, as retype makes it. */
static void untyped_with_endpoint(void)
{
    cdt_insert_root(&slots[0], ut_cap());
    cdt_insert(&slots[0], &slots[1], ep_cap(EP_PADDR, 0), true, true);
}

static void insert_children_and_finality(void **state)
{
    (void)state;
    setup();
    untyped_with_endpoint();
    assert_true(cdt_has_children(&slots[0]));
    assert_false(cdt_has_children(&slots[1]));
    assert_true(cdt_is_final(&slots[1]));
    assert_true(cdt_is_parent_of(&slots[0], &slots[1]));

    /* A plain copy of the endpoint: child of the revocable original. */
    cte_insert(slots[1].cap, &slots[1], &slots[2]);
    assert_false(mdb_revocable(&slots[2]));
    assert_ptr_equal(mdb_next(&slots[1]), &slots[2]);
    assert_true(cdt_has_children(&slots[1]));
    assert_false(cdt_is_final(&slots[1]));
    assert_false(cdt_is_final(&slots[2]));
    /* A copy of the copy is a sibling, not a child. */
    cte_insert(slots[2].cap, &slots[2], &slots[3]);
    assert_false(cdt_has_children(&slots[2]));
    check_list(&slots[0]);
}

static void badge_rules(void **state)
{
    (void)state;
    setup();
    untyped_with_endpoint();
    cte_t *e = &slots[1], *b1 = &slots[2], *b1c = &slots[3], *b2 = &slots[4];

    cte_insert(cap_update_data(false, 5, e->cap), e, b1);       /* Mint badge 5 */
    assert_true(mdb_revocable(b1) && mdb_first_badged(b1));
    cte_insert(b1->cap, b1, b1c);                               /* copy of it */
    assert_false(mdb_revocable(b1c));
    assert_true(cdt_is_parent_of(b1, b1c));
    cte_insert(cap_update_data(false, 5, e->cap), e, b2);       /* Mint badge 5 again */
    /* List: e, b2, b1, b1c. b2 is not the parent of the other badge-5 tree. */
    assert_ptr_equal(mdb_next(e), b2);
    assert_false(cdt_is_parent_of(b2, b1));
    assert_false(cdt_has_children(b2));
    assert_true(cdt_is_parent_of(e, b1));
    /* Minting an already badged cap gives nothing. */
    assert_true(cap_is_null(cap_update_data(false, 7, b1->cap)));
    assert_true(cap_is_null(cap_update_data(true, 7, e->cap)));

    /* Revoking b2 leaves b1's tree alone. */
    assert_int_equal(cte_revoke(b2), EXCEPTION_NONE);
    assert_int_equal(cap_badge(b1c->cap), 5);
    /* Deleting b1 hands its first-badged mark on to b1c... */
    assert_int_equal(cte_delete(b1, true), EXCEPTION_NONE);
    assert_true(mdb_first_badged(b1c));
    assert_false(cdt_is_parent_of(b2, b1c));
    /* ...and revoking the unbadged original takes everything. */
    assert_int_equal(cte_revoke(e), EXCEPTION_NONE);
    assert_empty_slot(b1c);
    assert_empty_slot(b2);
    assert_int_equal(n_ep_cancel_all, 0);       /* e still names the endpoint */
    check_list(&slots[0]);
}

static void revoke_deletes_children_in_order(void **state)
{
    (void)state;
    setup();
    cdt_insert_root(&slots[0], ut_cap());
    cdt_insert_root(&slots[10], ep_cap(0x900000, 0));          /* outside the untyped */
    for (int i = 1; i <= 4; i++)
        cdt_insert(&slots[0], &slots[i], ep_cap(UT_PADDR + 16u * i, 0), true, true);
    /* Children follow in reverse insertion order: 4 3 2 1. */
    assert_ptr_equal(mdb_next(&slots[0]), &slots[4]);
    assert_int_equal(cte_revoke(&slots[0]), EXCEPTION_NONE);
    assert_int_equal(n_ep_cancel_all, 4);
    assert_ptr_equal(last_ep_cancelled, paddr_to_kptr(UT_PADDR + 16u));
    for (int i = 1; i <= 4; i++)
        assert_empty_slot(&slots[i]);
    assert_null(mdb_next(&slots[0]));
    assert_false(cap_is_null(slots[10].cap));
}

static void move_and_swap(void **state)
{
    (void)state;
    setup();
    untyped_with_endpoint();
    cte_insert(slots[1].cap, &slots[1], &slots[2]);
    /* Move the middle node: neighbours now point at the new slot. */
    cdt_move(&slots[1], &slots[20], slots[1].cap);
    assert_empty_slot(&slots[1]);
    assert_ptr_equal(mdb_next(&slots[0]), &slots[20]);
    assert_ptr_equal(mdb_prev(&slots[2]), &slots[20]);
    assert_true(mdb_revocable(&slots[20]));
    check_list(&slots[0]);

    /* Swap neighbours (20 and 2), then non-neighbours (0 and 2). */
    cap_t c20 = slots[20].cap, c2 = slots[2].cap;
    cdt_swap(&slots[20], c20, &slots[2], c2);
    assert_ptr_equal(mdb_next(&slots[0]), &slots[2]);
    assert_ptr_equal(mdb_next(&slots[2]), &slots[20]);
    assert_true(mdb_revocable(&slots[2]));              /* flags travel with the cap */
    assert_false(mdb_revocable(&slots[20]));
    check_list(&slots[0]);
    cdt_swap(&slots[0], slots[0].cap, &slots[20], slots[20].cap);
    assert_int_equal(cap_type(slots[20].cap), CAP_UNTYPED);
    assert_null(mdb_prev(&slots[20]));
    assert_ptr_equal(mdb_next(&slots[20]), &slots[2]);
    assert_ptr_equal(mdb_next(&slots[2]), &slots[0]);
    check_list(&slots[20]);
    assert_true(cdt_has_children(&slots[20]));
}

static void untyped_copy_marks_source_full(void **state)
{
    (void)state;
    setup();
    cap_t copy;

    cdt_insert_root(&slots[0], ut_cap());
    assert_int_equal(cap_derive(&slots[0], slots[0].cap, &copy), EXCEPTION_NONE);
    cte_insert(copy, &slots[0], &slots[1]);
    assert_int_equal(cap_ut_free_bytes_used(slots[0].cap), 1u << UT_BITS);
    assert_int_equal(cap_ut_free_bytes_used(slots[1].cap), 0);
    assert_true(cdt_has_children(&slots[0]));           /* the copy is its child */
    /* Now the source has children: no second copy. */
    assert_int_equal(cap_derive(&slots[0], slots[0].cap, &copy), EXCEPTION_SYSCALL_ERROR);
    assert_int_equal(ks_syscall_error.type, ERR_REVOKE_FIRST);
}

static void derive_rules(void **state)
{
    (void)state;
    setup();
    cap_t out;

    assert_int_equal(cap_derive(&slots[0], cap_reply_new(make_tcb(), false, true), &out), EXCEPTION_NONE);
    assert_true(cap_is_null(out));
    assert_int_equal(cap_derive(&slots[0], cap_control_new(CONTROL_IRQ), &out), EXCEPTION_NONE);
    assert_true(cap_is_null(out));
    assert_int_equal(cap_derive(&slots[0], cap_control_new(CONTROL_ASID), &out), EXCEPTION_NONE);
    assert_false(cap_is_null(out));
    assert_int_equal(cap_derive(&slots[0], cap_page_table_new((void *)0x3000), &out), EXCEPTION_SYSCALL_ERROR);
    assert_int_equal(ks_syscall_error.type, ERR_ILLEGAL_OPERATION);
    cap_t frame = cap_set_mapping(cap_frame_new(0x5000, false, VM_READ_WRITE, false), 7, 0x400000);
    assert_int_equal(cap_derive(&slots[0], frame, &out), EXCEPTION_NONE);
    assert_int_equal(cap_mapped_asid(out), 0);

    /* Rights: endpoint rights are ANDed; frame rights follow maskVMRights. */
    out = cap_mask_rights(RIGHT_READ | RIGHT_GRANT, ep_cap(EP_PADDR, 0));
    assert_int_equal(cap_rights(out), RIGHT_READ | RIGHT_GRANT);
    assert_int_equal(cap_frame_vmrights(cap_mask_rights(RIGHT_READ, frame)), VM_READ_ONLY);
    assert_int_equal(cap_frame_vmrights(cap_mask_rights(RIGHT_WRITE, frame)), VM_KERNEL_ONLY);
    assert_int_equal(cap_frame_vmrights(cap_mask_rights(RIGHTS_ALL, frame)), VM_READ_WRITE);

    /* CNode guard data (seL4_CNode_CapData): size in bits 3-7, guard in
     * bits 8-25; radix + size <= 32; the guard is cut to its size. */
    cap_t cn = cap_cnode_new((void *)0x4000, 8, 0, 0);
    out = cap_update_data(true, (0x3u << CNODE_CAPDATA_GUARD_SHIFT) |
                                (4u << CNODE_CAPDATA_GUARD_SIZE_SHIFT), cn);
    assert_int_equal(cap_cnode_guard_size(out), 4);
    assert_int_equal(cap_cnode_guard(out), 3);
    assert_true(cap_is_null(cap_update_data(true, 25u << CNODE_CAPDATA_GUARD_SIZE_SHIFT, cn)));
    assert_int_equal(cap_cnode_guard(cap_update_data(true, (0xffu << CNODE_CAPDATA_GUARD_SHIFT) |
                                                     (2u << CNODE_CAPDATA_GUARD_SIZE_SHIFT), cn)), 3);
    /* The three low bits are padding. */
    assert_int_equal(cap_cnode_guard_size(cap_update_data(true, 7, cn)), 0);
}

/* Last cap to an endpoint: finalised once; a copy's delete does not. */
static void delete_finalises_last_cap(void **state)
{
    (void)state;
    setup();
    untyped_with_endpoint();
    cte_insert(slots[1].cap, &slots[1], &slots[2]);
    assert_int_equal(cte_delete(&slots[2], true), EXCEPTION_NONE);
    assert_int_equal(n_ep_cancel_all, 0);
    assert_int_equal(cte_delete(&slots[1], true), EXCEPTION_NONE);
    assert_int_equal(n_ep_cancel_all, 1);
    assert_ptr_equal(last_ep_cancelled, paddr_to_kptr(EP_PADDR));
    assert_false(cdt_has_children(&slots[0]));
    /* Deleting the untyped leaves nothing behind. */
    assert_int_equal(cte_delete(&slots[0], true), EXCEPTION_NONE);
    assert_empty_slot(&slots[0]);
}

/* Removing a parent: its children stay and move up to the grandparent. */
static void delete_parent_keeps_children(void **state)
{
    (void)state;
    setup();
    untyped_with_endpoint();
    cdt_insert(&slots[0], &slots[2], ep_cap(EP2_PADDR, 0), true, true);
    assert_int_equal(cte_delete(&slots[0], true), EXCEPTION_NONE);
    assert_false(cap_is_null(slots[1].cap));
    assert_false(cap_is_null(slots[2].cap));
    assert_null(mdb_prev(&slots[2]));
    check_list(&slots[2]);
}

/* A CNode full of endpoints, whose only cap sits elsewhere. */
static cap_t cnode_of_endpoints(word_t radix)
{
    cap_t cn = make_cnode(radix, 0, 0);
    cte_t *s = cnode_slots(cn);

    for (word_t i = 0; i < BIT(radix); i++)
        cdt_insert_root(&s[i], ep_cap(0x01000000u + 16u * i, 0));
    return cn;
}

static void delete_cnode_through_zombie(void **state)
{
    (void)state;
    setup();
    cap_t cn = cnode_of_endpoints(3);

    cdt_insert_root(&slots[5], cn);
    assert_int_equal(cte_delete(&slots[5], true), EXCEPTION_NONE);
    assert_empty_slot(&slots[5]);
    assert_int_equal(n_ep_cancel_all, 8);
    for (word_t i = 0; i < 8; i++)
        assert_empty_slot(&cnode_slots(cn)[i]);
}

/* A CNode that holds its own last capability (a cyclic zombie). */
static void delete_self_referential_cnode(void **state)
{
    (void)state;
    setup();
    cap_t cn = cnode_of_endpoints(2);
    cte_t *s = cnode_slots(cn);

    cte_delete(&s[1], true);
    cte_delete(&s[2], true);
    cdt_insert_root(&slots[7], cn);
    cte_insert(cn, &slots[7], &s[2]);           /* a copy inside cn */
    cdt_move(&slots[7], &s[1], slots[7].cap);   /* and the original too */
    assert_false(cdt_is_final(&s[1]));
    cte_delete(&s[2], true);                    /* one of two CNode caps: not final */
    assert_true(cdt_is_final(&s[1]));           /* the only cap to cn is in cn */
    int before = n_ep_cancel_all;
    assert_int_equal(cte_delete(&s[1], true), EXCEPTION_NONE);
    assert_int_equal(n_ep_cancel_all - before, 2);
    /* As in seL4, the CNode now holds only a zombie of itself in its first
     * slot; it goes when that slot is deleted (revoking the untyped it was
     * made from does that). */
    assert_int_equal(cap_type(s[0].cap), CAP_ZOMBIE);
    for (word_t i = 1; i < 4; i++)
        assert_empty_slot(&s[i]);
    assert_int_equal(cte_delete(&s[0], true), EXCEPTION_NONE);
    assert_empty_slot(&s[0]);
}

/* With an interrupt pending, a big delete stops with a zombie in place and
 * finishes when re-run (the system call restart). */
static void delete_is_preemptible(void **state)
{
    (void)state;
    setup();
    cap_t cn = cnode_of_endpoints(8);
    int runs = 0;
    exception_t status;

    cdt_insert_root(&slots[5], cn);
    irq_pending = true;
    do {
        status = cte_delete(&slots[5], true);
        runs++;
        if (status == EXCEPTION_PREEMPTED)
            assert_int_equal(cap_type(slots[5].cap), CAP_ZOMBIE);
    } while (status == EXCEPTION_PREEMPTED && runs < 1000);
    assert_int_equal(status, EXCEPTION_NONE);
    assert_true(runs > 1);
    assert_int_equal(n_ep_cancel_all, 256);
    assert_empty_slot(&slots[5]);
}

static void delete_tcb(void **state)
{
    (void)state;
    setup();
    tcb_t *t = make_tcb();
    cap_t cn = make_cnode(2, 30, 0);

    cdt_insert_root(&slots[1], cap_tcb_new(t));
    cdt_insert_root(&slots[2], cn);
    cte_insert(cn, &slots[2], tcb_slot(t, TCB_SLOT_CTABLE));
    cdt_insert_root(tcb_slot(t, TCB_SLOT_REPLY), cap_reply_new(t, true, true));
    assert_int_equal(cte_delete(&slots[1], true), EXCEPTION_NONE);
    assert_int_equal(n_tcb_finalise, 1);
    for (int i = 0; i < TCB_NUM_SLOTS; i++)
        assert_empty_slot(tcb_slot(t, i));
    assert_false(cap_is_null(slots[2].cap));
    assert_true(cdt_is_final(&slots[2]));
}

static void same_region_and_object(void **state)
{
    (void)state;
    cap_t ut = ut_cap();
    cap_t big = cap_frame_new(0x00400000, true, VM_READ_WRITE, false);
    cap_t small = cap_frame_new(0x00401000, false, VM_READ_WRITE, false);

    assert_true(cap_same_region_as(ut, ep_cap(EP_PADDR, 0)));
    assert_false(cap_same_region_as(ut, ep_cap(UT_PADDR + BIT(UT_BITS), 0)));
    assert_false(cap_same_object_as(ut, ut));
    assert_true(cap_same_region_as(big, small));
    assert_false(cap_same_object_as(big, small));
    assert_true(cap_same_region_as(cap_control_new(CONTROL_IRQ), cap_irq_handler_new(3)));
    assert_false(cap_same_object_as(cap_control_new(CONTROL_IRQ), cap_irq_handler_new(3)));
    assert_true(cap_is_revocable(cap_irq_handler_new(3), cap_control_new(CONTROL_IRQ)));
    assert_true(cap_same_region_as(cap_control_new(CONTROL_IO_PORT), cap_io_port_new(0x60, 0x64)));
    assert_false(cap_same_region_as(cap_io_port_new(0x60, 0x64), cap_io_port_new(0x60, 0x60)));
    assert_true(cap_is_revocable(ep_cap(EP_PADDR, 3), ep_cap(EP_PADDR, 0)));
    assert_false(cap_is_revocable(ep_cap(EP_PADDR, 3), ep_cap(EP_PADDR, 3)));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(insert_children_and_finality),
        cmocka_unit_test(badge_rules),
        cmocka_unit_test(revoke_deletes_children_in_order),
        cmocka_unit_test(move_and_swap),
        cmocka_unit_test(untyped_copy_marks_source_full),
        cmocka_unit_test(derive_rules),
        cmocka_unit_test(delete_finalises_last_cap),
        cmocka_unit_test(delete_parent_keeps_children),
        cmocka_unit_test(delete_cnode_through_zombie),
        cmocka_unit_test(delete_self_referential_cnode),
        cmocka_unit_test(delete_is_preemptible),
        cmocka_unit_test(delete_tcb),
        cmocka_unit_test(same_region_and_object),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
