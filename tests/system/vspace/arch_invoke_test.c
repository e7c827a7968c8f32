/*
 * What deleting arch capabilities undoes (arch/ia32/arch_invoke.c): the
 * last IRQ handler capability releases its interrupt line, so the same
 * vector can be issued again; a copy does not.
 */
#include "vspace_tests.h"
#include <systest.h>

#define MSI_VECTOR      5u
#define MSI_BUS         0u
#define MSI_DEV         0u
#define MSI_FUNC        0u
#define MSI_HANDLE      0u

static seL4_Error get_msi(seL4_CPtr *slot)
{
    *slot = st_slot(&mem);
    return seL4_IRQControl_GetMSI(seL4_CapIRQControl, ROOT_CNODE, *slot, CPTR_DEPTH,
                                  MSI_BUS, MSI_DEV, MSI_FUNC, MSI_HANDLE, MSI_VECTOR);
}

static void irq_handler_release(void)
{
    TEST_BEGIN("arch/irq_handler_released_on_delete");
    seL4_CPtr h, again;
    ASSERT_OK(get_msi(&h));
    EXPECT_ERR(get_msi(&again), seL4_RevokeFirst);
    seL4_CPtr copy = copy_cap(h);
    ASSERT_NE(copy, 0);
    ASSERT_OK(delete_cap(h));
    EXPECT_ERR(get_msi(&again), seL4_RevokeFirst);      /* the copy still holds it */
    ASSERT_OK(delete_cap(copy));
    EXPECT_OK(get_msi(&again));
    EXPECT_OK(delete_cap(again));
    EXPECT_INVARIANTS();
    TEST_END();
}

void arch_invoke_tests(void)
{
    irq_handler_release();
}
