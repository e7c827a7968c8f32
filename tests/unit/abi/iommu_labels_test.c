/* unit-test-sources: */
/*
 * seL4's invocation labels when seL4 is configured with KernelIOMMU, as the
 * prebuilt sel4bench images in ../shared/sel4 are, and as our
 * kernel-bench-iommu variant numbers them (-DCONFIG_IOMMU_LABELS=1).
 *
 * seL4 numbers its labels in the order of its interface XML, skipping
 * methods whose <condition> is off. In libsel4's object-api-arch.xml for
 * x86 at commit 1326364b, X86IOPageTableMap, X86IOPageTableUnmap (between
 * X86PageTableUnmap and X86PageMap) and X86PageMapIO (between X86PageUnmap
 * and X86PageGetAddress) depend on CONFIG_IOMMU. So with it on, every label
 * from X86PageMap moves: +2 up to X86PageUnmap, +3 after.
 *
 * Before kernel-bench-iommu, sel4bench's first X86PageMap (label 40) reached
 * our X86PageGetAddress, which succeeded and mapped nothing; its next write
 * took a VMFault. This test holds the numbering where ../shared is absent.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#define CONFIG_IOMMU_LABELS 1
#include <abi/invocation.h>

/* Labels the I/O-MMU methods do not move keep the numbers abi.md lists. */
#define SEL4_NOIOMMU_PAGE_TABLE_UNMAP 37
#define SEL4_NOIOMMU_PAGE_MAP         38
#define SEL4_NOIOMMU_IRQ_MSI          51
#define IOMMU_LABELS_BEFORE_PAGE_MAP  2    /* X86IOPageTableMap, X86IOPageTableUnmap */
#define IOMMU_LABELS_TOTAL            3    /* and X86PageMapIO */

static void untouched_below_page_map(void **state)
{
    (void)state;
    assert_int_equal(INV_X86_PAGE_TABLE_UNMAP, SEL4_NOIOMMU_PAGE_TABLE_UNMAP);
    assert_int_equal(INV_DOMAIN_SCHEDULE_SET_START, 32);
}

static void page_map_is_forty(void **state)
{
    (void)state;
    assert_int_equal(INV_X86_IO_PAGE_TABLE_MAP, SEL4_NOIOMMU_PAGE_MAP);
    assert_int_equal(INV_X86_IO_PAGE_TABLE_UNMAP, INV_X86_IO_PAGE_TABLE_MAP + 1);
    assert_int_equal(INV_X86_PAGE_MAP, SEL4_NOIOMMU_PAGE_MAP + IOMMU_LABELS_BEFORE_PAGE_MAP);
    assert_int_equal(INV_X86_PAGE_UNMAP, INV_X86_PAGE_MAP + 1);
    assert_int_equal(INV_X86_PAGE_MAP_IO, INV_X86_PAGE_UNMAP + 1);
    assert_int_equal(INV_X86_PAGE_GET_ADDRESS, INV_X86_PAGE_MAP_IO + 1);
}

/* After X86PageGetAddress the order is that of the no-IOMMU list. */
static void later_labels_in_order(void **state)
{
    (void)state;
    assert_int_equal(INV_X86_ASID_CONTROL_MAKE_POOL, INV_X86_PAGE_GET_ADDRESS + 1);
    assert_int_equal(INV_X86_ASID_POOL_ASSIGN, INV_X86_ASID_CONTROL_MAKE_POOL + 1);
    assert_int_equal(INV_X86_IOPORT_CONTROL_ISSUE, INV_X86_ASID_POOL_ASSIGN + 1);
    assert_int_equal(INV_X86_IOPORT_IN8, INV_X86_IOPORT_CONTROL_ISSUE + 1);
    assert_int_equal(INV_X86_IOPORT_IN16, INV_X86_IOPORT_IN8 + 1);
    assert_int_equal(INV_X86_IOPORT_IN32, INV_X86_IOPORT_IN16 + 1);
    assert_int_equal(INV_X86_IOPORT_OUT8, INV_X86_IOPORT_IN32 + 1);
    assert_int_equal(INV_X86_IOPORT_OUT16, INV_X86_IOPORT_OUT8 + 1);
    assert_int_equal(INV_X86_IOPORT_OUT32, INV_X86_IOPORT_OUT16 + 1);
    assert_int_equal(INV_X86_IRQ_ISSUE_IRQ_HANDLER_IOAPIC, INV_X86_IOPORT_OUT32 + 1);
    assert_int_equal(INV_X86_IRQ_ISSUE_IRQ_HANDLER_MSI,
                     SEL4_NOIOMMU_IRQ_MSI + IOMMU_LABELS_TOTAL);
    assert_int_equal(INV_NUM_LABELS, INV_X86_IRQ_ISSUE_IRQ_HANDLER_MSI + 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(untouched_below_page_map),
        cmocka_unit_test(page_map_is_forty),
        cmocka_unit_test(later_labels_in_order),
    };

    return cmocka_run_group_tests_name("iommu_labels", tests, NULL, NULL);
}
