/* unit-test-sources: vmm/mediate_check.c */
/*
 * The mediated policy's request checks (vmm/mediate_check.c), as the VMM
 * runs them on what a guest sends: a handle names only a live entry of the
 * kind and type asked for, whatever number the guest makes up; addresses,
 * rights, badges, priorities, slots and allocation sizes outside what the
 * protocol allows are refused with the error the guest gets back.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include <vmm/mediate_check.h>
#include <vmm/guest_abi.h>
#include <memmgr/vspace.h>

#define N 8u

static med_obj_t tab[N];

static void fill(void)
{
    memset(tab, 0, sizeof(tab));
    tab[0] = (med_obj_t){ .cap = 100, .kind = MED_OBJECT, .type = OBJ_X86_4K };
    tab[1] = (med_obj_t){ .cap = 101, .kind = MED_OBJECT, .type = OBJ_ENDPOINT };
    tab[2] = (med_obj_t){ .cap = 102, .kind = MED_SPACE };
    tab[4] = (med_obj_t){ .cap = 104, .kind = MED_THREAD, .where = 3 };
}

static void handles_name_only_live_entries_of_their_kind(void **state)
{
    (void)state;
    fill();
    assert_ptr_equal(med_lookup(tab, N, 1, MED_OBJECT, OBJ_X86_4K), &tab[0]);
    assert_ptr_equal(med_lookup(tab, N, 2, MED_OBJECT, MED_ANY_TYPE), &tab[1]);
    assert_ptr_equal(med_lookup(tab, N, 3, MED_SPACE, MED_ANY_TYPE), &tab[2]);
    assert_ptr_equal(med_lookup(tab, N, 5, MED_THREAD, MED_ANY_TYPE), &tab[4]);
    /* 0, a free entry, past the end, the wrap of a word */
    assert_null(med_lookup(tab, N, 0, MED_OBJECT, MED_ANY_TYPE));
    assert_null(med_lookup(tab, N, 4, MED_OBJECT, MED_ANY_TYPE));
    assert_null(med_lookup(tab, N, N + 1, MED_OBJECT, MED_ANY_TYPE));
    assert_null(med_lookup(tab, N, 0xffffffffu, MED_OBJECT, MED_ANY_TYPE));
    /* the wrong type or kind: an endpoint is no frame, a space no thread */
    assert_null(med_lookup(tab, N, 2, MED_OBJECT, OBJ_X86_4K));
    assert_null(med_lookup(tab, N, 1, MED_OBJECT, OBJ_ENDPOINT));
    assert_null(med_lookup(tab, N, 3, MED_THREAD, MED_ANY_TYPE));
    assert_null(med_lookup(tab, N, 5, MED_SPACE, MED_ANY_TYPE));
    assert_null(med_lookup(tab, N, 3, MED_OBJECT, MED_ANY_TYPE));
}

static void free_entries_are_found_and_a_full_table_says_so(void **state)
{
    (void)state;
    fill();
    assert_int_equal(med_free_entry(tab, N, 0), 3);
    assert_int_equal(med_free_entry(tab, N, 3), 3);
    assert_int_equal(med_free_entry(tab, N, 4), 5);
    assert_int_equal(med_free_entry(tab, N, N), N);
    assert_int_equal(med_free_entry(tab, N, 0xffffffffu), N);
    for (uint32_t i = 0; i < N; i++)
        tab[i].kind = MED_OBJECT;
    assert_int_equal(med_free_entry(tab, N, 0), N);
}

static void allocations_are_objects_of_a_fixed_size_never_untyped(void **state)
{
    (void)state;
    assert_int_equal(med_check_alloc(OBJ_X86_4K, 0), ERR_NONE);
    assert_int_equal(med_check_alloc(OBJ_ENDPOINT, 0), ERR_NONE);
    assert_int_equal(med_check_alloc(OBJ_CNODE, 4), ERR_NONE);
    assert_int_equal(med_check_alloc(OBJ_UNTYPED, 12), ERR_INVALID_ARGUMENT);
    assert_int_equal(med_check_alloc(OBJ_NUM_TYPES, 0), ERR_INVALID_ARGUMENT);
    assert_int_equal(med_check_alloc(0xffffffffu, 0), ERR_INVALID_ARGUMENT);
    assert_int_equal(med_check_alloc(OBJ_X86_4K, 1), ERR_RANGE_ERROR);
    assert_int_equal(med_check_alloc(OBJ_CNODE, 0), ERR_RANGE_ERROR);
    assert_int_equal(med_check_alloc(OBJ_CNODE, 31), ERR_RANGE_ERROR);
}

static void addresses_stay_in_their_range_and_page_aligned(void **state)
{
    (void)state;
    assert_int_equal(med_check_own_vaddr(VMM_GUEST_FREE_VADDR), ERR_NONE);
    assert_int_equal(med_check_own_vaddr(VMM_GUEST_INITRD_VADDR - 0x1000), ERR_NONE);
    assert_int_equal(med_check_own_vaddr(VMM_GUEST_INITRD_VADDR), ERR_INVALID_ARGUMENT);
    assert_int_equal(med_check_own_vaddr(VMM_GUEST_FREE_VADDR - 0x1000), ERR_INVALID_ARGUMENT);
    assert_int_equal(med_check_own_vaddr(VMM_GUEST_FREE_VADDR + 4), ERR_INVALID_ARGUMENT);
    assert_int_equal(med_check_own_vaddr(VMM_GUEST_STACK_VADDR), ERR_INVALID_ARGUMENT);
    assert_int_equal(med_check_proc_vaddr(0x08048000u), ERR_NONE);
    assert_int_equal(med_check_proc_vaddr(VMM_PROC_VADDR_END - 0x1000), ERR_NONE);
    assert_int_equal(med_check_proc_vaddr(0), ERR_INVALID_ARGUMENT);
    assert_int_equal(med_check_proc_vaddr(VMM_PROC_VADDR_END), ERR_INVALID_ARGUMENT);
    assert_int_equal(med_check_proc_vaddr(0xfffff000u), ERR_INVALID_ARGUMENT);
    assert_int_equal(med_check_proc_vaddr(0x08048001u), ERR_INVALID_ARGUMENT);
}

static void rights_badges_priorities_and_slots_have_bounds(void **state)
{
    (void)state;
    assert_int_equal(med_check_rights(MM_RO), ERR_NONE);
    assert_int_equal(med_check_rights(MM_RW), ERR_NONE);
    assert_int_equal(med_check_rights(0), ERR_INVALID_ARGUMENT);
    assert_int_equal(med_check_rights(MM_RIGHT_WRITE), ERR_INVALID_ARGUMENT);
    assert_int_equal(med_check_rights(MM_RW | 4), ERR_INVALID_ARGUMENT);
    assert_int_equal(med_check_badge(1), ERR_NONE);
    assert_int_equal(med_check_badge(VMM_BADGE_MAX), ERR_NONE);
    assert_int_equal(med_check_badge(0), ERR_RANGE_ERROR);
    assert_int_equal(med_check_badge(VMM_BADGE_MAX + 1), ERR_RANGE_ERROR);
    assert_int_equal(med_check_priority(100, 100), ERR_NONE);
    assert_int_equal(med_check_priority(0, 100), ERR_NONE);
    assert_int_equal(med_check_priority(101, 100), ERR_RANGE_ERROR);
    assert_int_equal(med_check_slot(VMM_SLOT_FIRST_FREE), ERR_NONE);
    assert_int_equal(med_check_slot((1u << VMM_GUEST_CNODE_BITS) - 1), ERR_NONE);
    assert_int_equal(med_check_slot(VMM_SLOT_SERVICE), ERR_RANGE_ERROR);
    assert_int_equal(med_check_slot(VMM_SLOT_FIRST_FREE - 1), ERR_RANGE_ERROR);
    assert_int_equal(med_check_slot(1u << VMM_GUEST_CNODE_BITS), ERR_RANGE_ERROR);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(handles_name_only_live_entries_of_their_kind),
        cmocka_unit_test(free_entries_are_found_and_a_full_table_says_so),
        cmocka_unit_test(allocations_are_objects_of_a_fixed_size_never_untyped),
        cmocka_unit_test(addresses_stay_in_their_range_and_page_aligned),
        cmocka_unit_test(rights_badges_priorities_and_slots_have_bounds),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
