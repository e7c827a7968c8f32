/* unit-test-sources: arch/ia32/pte.c */
/*
 * Host tests of the pure paging logic in arch/ia32/pte.c: how seL4's VM
 * rights combine with a Map call's rights mask, the bits of user PTEs and
 * PDEs for each right and memory attribute, and the USER_TOP range check
 * of Map arguments (including wrap-around at the top of the address space).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arch/vspace.h>

#define FRAME_4K    0x00123000u
#define FRAME_4M    0x01c00000u
#define ATTR_WT     1u      /* seL4_X86_WriteThrough */
#define ATTR_CD     2u      /* seL4_X86_CacheDisabled */
#define ATTR_UC     3u      /* seL4_X86_Uncacheable */
#define ATTR_WC     4u      /* seL4_X86_WriteCombining */

/* seL4 maskVMRights for every VM right and every 4-bit rights mask. */
static void rights_mask_matches_sel4(void **state)
{
    (void)state;
    for (word_t mask = 0; mask <= RIGHTS_ALL; mask++) {
        bool r = mask & RIGHT_READ, w = mask & RIGHT_WRITE;
        assert_int_equal(vm_rights_mask(VM_KERNEL_ONLY, mask), VM_KERNEL_ONLY);
        assert_int_equal(vm_rights_mask(VM_READ_ONLY, mask), r ? VM_READ_ONLY : VM_KERNEL_ONLY);
        assert_int_equal(vm_rights_mask(VM_READ_WRITE, mask),
                         !r ? VM_KERNEL_ONLY : w ? VM_READ_WRITE : VM_READ_ONLY);
    }
    /* Write without Read grants no user access at all. */
    assert_int_equal(vm_rights_mask(VM_READ_WRITE, RIGHT_WRITE), VM_KERNEL_ONLY);
}

static void pte_rights_bits(void **state)
{
    (void)state;
    assert_int_equal(pte_make_user(FRAME_4K, VM_READ_WRITE, 0), FRAME_4K | PG_PRESENT | PG_WRITE | PG_USER);
    assert_int_equal(pte_make_user(FRAME_4K, VM_READ_ONLY, 0), FRAME_4K | PG_PRESENT | PG_USER);
    /* Kernel-only: present, supervisor, writable by the kernel (seL4). */
    assert_int_equal(pte_make_user(FRAME_4K, VM_KERNEL_ONLY, 0), FRAME_4K | PG_PRESENT | PG_WRITE);
    /* Low bits of the address never leak into the flags. */
    assert_int_equal(pte_make_user(FRAME_4K | 0xfffu, VM_READ_ONLY, 0), FRAME_4K | PG_PRESENT | PG_USER);
}

static void pte_attribute_bits(void **state)
{
    (void)state;
    word_t base = FRAME_4K | PG_PRESENT | PG_USER;
    assert_int_equal(pte_make_user(FRAME_4K, VM_READ_ONLY, ATTR_WT), base | PG_PWT);
    assert_int_equal(pte_make_user(FRAME_4K, VM_READ_ONLY, ATTR_CD), base | PG_PCD);
    assert_int_equal(pte_make_user(FRAME_4K, VM_READ_ONLY, ATTR_UC), base | PG_PCD | PG_PWT);
    assert_int_equal(pte_make_user(FRAME_4K, VM_READ_ONLY, ATTR_WC), base | PTE_PAT);
    /* Bits above the three seL4 defines are ignored. */
    assert_int_equal(pte_make_user(FRAME_4K, VM_READ_ONLY, 0xfffffff8u), base);
    /* Never global: only the kernel window is. */
    assert_false(pte_make_user(FRAME_4K, VM_READ_WRITE, ~0u) & PG_GLOBAL);
}

static void large_pde_bits(void **state)
{
    (void)state;
    word_t rw = FRAME_4M | PG_PRESENT | PG_WRITE | PG_USER | PG_PS;
    assert_int_equal(pde_make_large(FRAME_4M, VM_READ_WRITE, 0), rw);
    assert_int_equal(pde_make_large(FRAME_4M, VM_READ_ONLY, 0), rw & ~PG_WRITE);
    assert_int_equal(pde_make_large(FRAME_4M, VM_KERNEL_ONLY, 0), rw & ~PG_USER);
    /* The PAT bit of a 4 MiB page is bit 12; bit 7 is PS. */
    assert_int_equal(pde_make_large(FRAME_4M, VM_READ_WRITE, ATTR_WC), rw | PDE_LARGE_PAT);
    assert_int_equal(pde_make_large(FRAME_4M, VM_READ_WRITE, ATTR_UC), rw | PG_PCD | PG_PWT);
    assert_int_equal(pde_make_large(FRAME_4M | 0x3ff000u, VM_READ_WRITE, 0), rw);
    assert_true(pde_is_large(rw));
    assert_false(pde_is_table(rw));
    assert_int_equal(pde_large_paddr(rw | PDE_LARGE_PAT), FRAME_4M);
}

static void table_pde_bits(void **state)
{
    (void)state;
    word_t pde = pde_make_table(FRAME_4K, 0);
    assert_int_equal(pde, FRAME_4K | PG_PRESENT | PG_WRITE | PG_USER);
    assert_true(pde_is_table(pde));
    assert_false(pde_is_large(pde));
    assert_int_equal(pde_table_paddr(pde), FRAME_4K);
    /* Only the cache bits of the attributes apply to a table. */
    assert_int_equal(pde_make_table(FRAME_4K, ATTR_UC | ATTR_WC), pde | PG_PCD | PG_PWT);
    assert_false(pde_is_table(0));
    assert_false(pde_is_large(PG_PS));
}

static void map_range_checks(void **state)
{
    (void)state;
    assert_true(vspace_range_ok(0, PAGE_BITS));
    assert_true(vspace_range_ok(USER_TOP - PAGE_SIZE, PAGE_BITS));
    assert_false(vspace_range_ok(USER_TOP - PAGE_SIZE + 1u, PAGE_BITS));
    assert_false(vspace_range_ok(USER_TOP, PAGE_BITS));
    assert_false(vspace_range_ok(0xfffff000u, PAGE_BITS));       /* wraps to 0 */
    assert_true(vspace_range_ok(USER_TOP - LARGE_PAGE_SIZE, LARGE_PAGE_BITS));
    assert_false(vspace_range_ok(USER_TOP - LARGE_PAGE_SIZE + PAGE_SIZE, LARGE_PAGE_BITS));
    assert_false(vspace_range_ok(0xffc00000u, LARGE_PAGE_BITS)); /* wraps to 0 */
}

static void asid_split(void **state)
{
    (void)state;
    assert_int_equal(NUM_ASIDS, 4096);
    assert_int_equal(NUM_ASID_POOLS, 4);
    assert_int_equal(asid_pool_of(1023), 0);
    assert_int_equal(asid_pool_of(1024), 1);
    assert_int_equal(asid_index(1025), 1);
    assert_int_equal(asid_pool_of(NUM_ASIDS - 1), 3);
    assert_int_equal(ARRAY_SIZE(((asid_pool_t *)0)->pd), ASID_POOL_ENTRIES);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(rights_mask_matches_sel4),
        cmocka_unit_test(pte_rights_bits),
        cmocka_unit_test(pte_attribute_bits),
        cmocka_unit_test(large_pde_bits),
        cmocka_unit_test(table_pde_bits),
        cmocka_unit_test(map_range_checks),
        cmocka_unit_test(asid_split),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
