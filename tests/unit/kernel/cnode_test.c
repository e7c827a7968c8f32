/* unit-test-sources: kernel/cnode.c kernel/cdt.c kernel/capops.c kernel/cspace.c */
/*
 * CNode invocations: each operation's effect on slots and the derivation
 * tree, and refusals with seL4's errors in seL4's check order.
 */
#include "captest.h"
#include <kernel/cnode.h>
#include <abi/capdata.h>
#include <abi/invocation.h>

#define EP_PADDR 0x00100100u

static cap_t root;
static cte_t *s;
static invocation_t inv;

/* One radix-8 CNode (guard 24) is both the invoked CNode and the source
 * root; slot 1 holds an endpoint with all rights. */
static void setup(void)
{
    arena_reset();
    stubs_reset();
    root = make_cnode(8, 24, 0);
    s = cnode_slots(root);
    cdt_insert_root(&s[1], cap_endpoint_new(paddr_to_kptr(EP_PADDR), 0, RIGHTS_ALL));
    memset(&inv, 0, sizeof(inv));
    inv.cap = root;
    inv.n_extra = 2;
    inv.extra_caps[0] = root;
    inv.extra_caps[1] = root;
    ks_cur_thread = make_tcb();
}

static exception_t invoke(word_t label, word_t length, const word_t *args)
{
    inv.label = label;
    inv.length = length;
    memcpy(test_mrs, args, length * sizeof(word_t));
    return cnode_decode(&inv);
}

static void copy_mint_move_mutate(void **state)
{
    (void)state;
    setup();
    word_t copy[] = { 2, 32, 1, 32, RIGHT_READ };
    assert_int_equal(invoke(INV_CNODE_COPY, 5, copy), EXCEPTION_NONE);
    assert_int_equal(cap_rights(s[2].cap), RIGHT_READ);
    assert_true(cdt_is_parent_of(&s[1], &s[2]));

    word_t mint[] = { 3, 32, 1, 32, RIGHTS_ALL, 0x42 };
    assert_int_equal(invoke(INV_CNODE_MINT, 6, mint), EXCEPTION_NONE);
    assert_int_equal(cap_badge(s[3].cap), 0x42);
    assert_true(mdb_first_badged(&s[3]));

    word_t move[] = { 4, 32, 3, 32 };
    assert_int_equal(invoke(INV_CNODE_MOVE, 4, move), EXCEPTION_NONE);
    assert_empty_slot(&s[3]);
    assert_int_equal(cap_badge(s[4].cap), 0x42);
    assert_true(cdt_is_parent_of(&s[1], &s[4]));

    /* Mutate sets a CNode guard while moving; on an endpoint it is refused. */
    cdt_insert(&s[1], &s[5], root, false, false);
    word_t mutate[] = { 6, 32, 5, 32, (4u << CNODE_CAPDATA_GUARD_SHIFT) |
                                      (2u << CNODE_CAPDATA_GUARD_SIZE_SHIFT) };
    assert_int_equal(invoke(INV_CNODE_MUTATE, 5, mutate), EXCEPTION_NONE);
    assert_int_equal(cap_cnode_guard_size(s[6].cap), 2);
    assert_int_equal(cap_cnode_guard(s[6].cap), 0);
    word_t mutate_ep[] = { 7, 32, 4, 32, 9 };
    assert_int_equal(invoke(INV_CNODE_MUTATE, 5, mutate_ep), EXCEPTION_SYSCALL_ERROR);
    assert_int_equal(ks_syscall_error.type, ERR_ILLEGAL_OPERATION);
    check_list(&s[1]);
}

static void copy_family_refusals(void **state)
{
    (void)state;
    setup();
    word_t args[] = { 2, 32, 1, 32, RIGHTS_ALL, 5 };

    assert_int_equal(invoke(INV_CNODE_COPY, 3, args), EXCEPTION_SYSCALL_ERROR);
    assert_int_equal(ks_syscall_error.type, ERR_TRUNCATED_MESSAGE);
    inv.n_extra = 0;
    assert_int_equal(invoke(INV_CNODE_COPY, 5, args), EXCEPTION_SYSCALL_ERROR);
    assert_int_equal(ks_syscall_error.type, ERR_TRUNCATED_MESSAGE);
    inv.n_extra = 1;
    /* Destination checked before the source: DeleteFirst. */
    word_t full[] = { 1, 32, 9, 32, RIGHTS_ALL };
    assert_int_equal(invoke(INV_CNODE_COPY, 5, full), EXCEPTION_SYSCALL_ERROR);
    assert_int_equal(ks_syscall_error.type, ERR_DELETE_FIRST);
    /* Empty source: FailedLookup (source), MissingCapability, bits = depth. */
    word_t empty[] = { 2, 32, 9, 32, RIGHTS_ALL };
    assert_int_equal(invoke(INV_CNODE_COPY, 5, empty), EXCEPTION_SYSCALL_ERROR);
    assert_int_equal(ks_syscall_error.type, ERR_FAILED_LOOKUP);
    assert_true(ks_syscall_error.failed_lookup_was_source);
    assert_int_equal(ks_lookup_fault.type, LOOKUP_MISSING_CAPABILITY);
    assert_int_equal(ks_lookup_fault.bits_left, 32);
    /* Bad destination depth: RangeError 1..32. */
    word_t depth[] = { 2, 0, 1, 32, RIGHTS_ALL };
    assert_int_equal(invoke(INV_CNODE_COPY, 5, depth), EXCEPTION_SYSCALL_ERROR);
    assert_int_equal(ks_syscall_error.type, ERR_RANGE_ERROR);
    /* Copy needs 5 words, Mint 6. */
    assert_int_equal(invoke(INV_CNODE_COPY, 4, args), EXCEPTION_SYSCALL_ERROR);
    assert_int_equal(ks_syscall_error.type, ERR_TRUNCATED_MESSAGE);
    assert_int_equal(invoke(INV_CNODE_MINT, 5, args), EXCEPTION_SYSCALL_ERROR);
    assert_int_equal(ks_syscall_error.type, ERR_TRUNCATED_MESSAGE);
    /* Label outside 17..25. */
    assert_int_equal(invoke(INV_UNTYPED_RETYPE, 5, args), EXCEPTION_SYSCALL_ERROR);
    assert_int_equal(ks_syscall_error.type, ERR_ILLEGAL_OPERATION);
    assert_true(cap_is_null(s[2].cap));
}

static void rotate(void **state)
{
    (void)state;
    setup();
    void *t1 = (void *)0x00200000, *t2 = (void *)0x00200800;

    /* Mutate and Rotate preserve badges: on endpoints they give nothing. */
    cte_delete(&s[1], true);
    cdt_insert_root(&s[1], cap_tcb_new(t1));
    cdt_insert_root(&s[2], cap_tcb_new(t2));
    /* dest 3 <- pivot 2 <- src 1 */
    word_t args[] = { 3, 32, 0, 2, 32, 0, 1, 32 };
    assert_int_equal(invoke(INV_CNODE_ROTATE, 8, args), EXCEPTION_NONE);
    assert_ptr_equal(cap_ptr(s[3].cap), t2);
    assert_ptr_equal(cap_ptr(s[2].cap), t1);
    assert_empty_slot(&s[1]);
    /* src == dest swaps src and pivot. */
    word_t swap[] = { 3, 32, 0, 2, 32, 0, 3, 32 };
    assert_int_equal(invoke(INV_CNODE_ROTATE, 8, swap), EXCEPTION_NONE);
    assert_ptr_equal(cap_ptr(s[2].cap), t2);
    assert_ptr_equal(cap_ptr(s[3].cap), t1);
    /* Pivot equal to the destination. */
    word_t bad[] = { 3, 32, 0, 3, 32, 0, 2, 32 };
    assert_int_equal(invoke(INV_CNODE_ROTATE, 8, bad), EXCEPTION_SYSCALL_ERROR);
    assert_int_equal(ks_syscall_error.type, ERR_ILLEGAL_OPERATION);
    /* Empty pivot: FailedLookup, not the source. */
    word_t nopivot[] = { 3, 32, 0, 9, 32, 0, 3, 32 };
    assert_int_equal(invoke(INV_CNODE_ROTATE, 8, nopivot), EXCEPTION_SYSCALL_ERROR);
    assert_int_equal(ks_syscall_error.type, ERR_FAILED_LOOKUP);
    assert_false(ks_syscall_error.failed_lookup_was_source);
    cdt_insert_root(&s[9], cap_endpoint_new(paddr_to_kptr(EP_PADDR), 0, RIGHTS_ALL));
    word_t ep[] = { 3, 32, 0, 9, 32, 0, 3, 32 };
    assert_int_equal(invoke(INV_CNODE_ROTATE, 8, ep), EXCEPTION_SYSCALL_ERROR);
    assert_int_equal(ks_syscall_error.type, ERR_ILLEGAL_OPERATION);
    inv.n_extra = 1;
    assert_int_equal(invoke(INV_CNODE_ROTATE, 8, swap), EXCEPTION_SYSCALL_ERROR);
    assert_int_equal(ks_syscall_error.type, ERR_TRUNCATED_MESSAGE);
}

static void delete_revoke_cancel(void **state)
{
    (void)state;
    setup();
    word_t mint[] = { 2, 32, 1, 32, RIGHTS_ALL, 7 };
    assert_int_equal(invoke(INV_CNODE_MINT, 6, mint), EXCEPTION_NONE);
    word_t cancel[] = { 2, 32 };
    assert_int_equal(invoke(INV_CNODE_CANCEL_BADGED_SENDS, 2, cancel), EXCEPTION_NONE);
    assert_int_equal(n_cancel_badged, 1);
    assert_int_equal(last_badge_cancelled, 7);
    /* Without all rights: IllegalOperation. */
    word_t copy[] = { 3, 32, 2, 32, RIGHT_WRITE };
    assert_int_equal(invoke(INV_CNODE_COPY, 5, copy), EXCEPTION_NONE);
    word_t cancel3[] = { 3, 32 };
    assert_int_equal(invoke(INV_CNODE_CANCEL_BADGED_SENDS, 2, cancel3), EXCEPTION_SYSCALL_ERROR);
    assert_int_equal(ks_syscall_error.type, ERR_ILLEGAL_OPERATION);

    word_t revoke[] = { 1, 32 };
    assert_int_equal(invoke(INV_CNODE_REVOKE, 2, revoke), EXCEPTION_NONE);
    assert_empty_slot(&s[2]);
    assert_empty_slot(&s[3]);
    assert_int_equal(n_ep_cancel_all, 0);
    assert_int_equal(invoke(INV_CNODE_DELETE, 2, revoke), EXCEPTION_NONE);
    assert_empty_slot(&s[1]);
    assert_int_equal(n_ep_cancel_all, 1);
    assert_int_equal(invoke(INV_CNODE_DELETE, 1, revoke), EXCEPTION_SYSCALL_ERROR);
    assert_int_equal(ks_syscall_error.type, ERR_TRUNCATED_MESSAGE);
}

static void save_caller(void **state)
{
    (void)state;
    setup();
    tcb_t *caller = make_tcb();
    cte_t *master = tcb_slot(caller, TCB_SLOT_REPLY);
    word_t args[] = { 5, 32 };

    assert_int_equal(invoke(INV_CNODE_SAVE_CALLER, 2, args), EXCEPTION_NONE);   /* nothing to save */
    assert_true(cap_is_null(s[5].cap));
    cdt_insert_root(master, cap_reply_new(caller, true, true));
    cdt_insert(master, tcb_slot(ks_cur_thread, TCB_SLOT_CALLER), cap_reply_new(caller, false, true), false, false);
    assert_int_equal(invoke(INV_CNODE_SAVE_CALLER, 2, args), EXCEPTION_NONE);
    assert_int_equal(cap_type(s[5].cap), CAP_REPLY);
    assert_empty_slot(tcb_slot(ks_cur_thread, TCB_SLOT_CALLER));
    assert_ptr_equal(mdb_next(master), &s[5]);
    word_t full[] = { 1, 32 };
    assert_int_equal(invoke(INV_CNODE_SAVE_CALLER, 2, full), EXCEPTION_SYSCALL_ERROR);
    assert_int_equal(ks_syscall_error.type, ERR_DELETE_FIRST);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(copy_mint_move_mutate),
        cmocka_unit_test(copy_family_refusals),
        cmocka_unit_test(rotate),
        cmocka_unit_test(delete_revoke_cancel),
        cmocka_unit_test(save_caller),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
