/*
 * Faults from mappings: a write to a read-only mapping, a user access to the
 * kernel window, an access after unmap and a write after a remap to
 * read-only. The last two also show that the kernel dropped the stale TLB
 * entry: the root task touched each address first, in the same VSpace.
 */
#include "vspace_tests.h"
#include <systest.h>

#define KERNEL_WINDOW_ADDR  0xe0100000u     /* kernel image, mapped supervisor-only */
#define PATTERN             0x600dcafeu

static void write_word(void *p)
{
    *(volatile seL4_Word *)p = PATTERN;
}

static void read_word(void *p)
{
    (void)*(volatile seL4_Word *)p;
}

static void expect_vm_fault(const fault_report_t *f, seL4_Word addr, seL4_Word fsr)
{
    EXPECT_EQ(f->label, seL4_Fault_VMFault);
    EXPECT_EQ(f->addr, addr);
    EXPECT_EQ(f->prefetch, 0);
    EXPECT_EQ(f->fsr, fsr);
    EXPECT_NE(f->ip, 0);
}

static void write_read_only(void)
{
    TEST_BEGIN("vspace/write_read_only_faults");
    seL4_Word r = region();
    seL4_CPtr f = obj(seL4_X86_4K);
    fault_report_t rep;
    ASSERT_NE(f, 0);
    ASSERT_OK(map_page(f, r, seL4_CanRead));
    EXPECT_EQ(*(volatile seL4_Word *)r, 0);
    run_and_catch_fault(write_word, (void *)r, &rep);
    expect_vm_fault(&rep, r, PF_PRESENT | PF_WRITE | PF_USER);
    EXPECT_EQ(*(volatile seL4_Word *)r, 0);
    /* A read-only cap cannot be mapped writable. */
    seL4_CPtr ro = st_slot(&mem);
    ASSERT_NE(ro, 0);
    ASSERT_OK(seL4_CNode_Copy(ROOT_CNODE, ro, CPTR_DEPTH, ROOT_CNODE, f, CPTR_DEPTH, seL4_CanRead));
    ASSERT_OK(map_page(ro, r + PAGE, seL4_ReadWrite));
    run_and_catch_fault(write_word, (void *)(r + PAGE), &rep);
    expect_vm_fault(&rep, r + PAGE, PF_PRESENT | PF_WRITE | PF_USER);
    EXPECT_INVARIANTS();
    TEST_END();
}

static void kernel_window(void)
{
    TEST_BEGIN("vspace/kernel_window_faults");
    fault_report_t rep;
    run_and_catch_fault(read_word, (void *)KERNEL_WINDOW_ADDR, &rep);
    expect_vm_fault(&rep, KERNEL_WINDOW_ADDR, PF_PRESENT | PF_USER);
    run_and_catch_fault(write_word, (void *)KERNEL_WINDOW_ADDR, &rep);
    expect_vm_fault(&rep, KERNEL_WINDOW_ADDR, PF_PRESENT | PF_WRITE | PF_USER);
    EXPECT_INVARIANTS();
    TEST_END();
}

static void access_after_unmap(void)
{
    TEST_BEGIN("vspace/access_after_unmap_faults");
    seL4_Word r = region();
    seL4_CPtr f = obj(seL4_X86_4K);
    fault_report_t rep;
    ASSERT_NE(f, 0);
    ASSERT_OK(map_page(f, r, seL4_ReadWrite));
    *(volatile seL4_Word *)r = PATTERN;             /* into the TLB */
    ASSERT_OK(seL4_X86_Page_Unmap(f));
    run_and_catch_fault(read_word, (void *)r, &rep);
    expect_vm_fault(&rep, r, PF_USER);
    EXPECT_INVARIANTS();
    TEST_END();
}

static void write_after_remap_read_only(void)
{
    TEST_BEGIN("vspace/write_after_remap_read_only_faults");
    seL4_Word r = region();
    seL4_CPtr f = obj(seL4_X86_4K);
    fault_report_t rep;
    ASSERT_NE(f, 0);
    ASSERT_OK(map_page(f, r, seL4_ReadWrite));
    *(volatile seL4_Word *)r = PATTERN;             /* writable entry in the TLB */
    ASSERT_OK(seL4_X86_Page_Map(f, ROOT_VSPACE, r, seL4_CanRead, DEFAULT_ATTR));
    run_and_catch_fault(write_word, (void *)r, &rep);
    expect_vm_fault(&rep, r, PF_PRESENT | PF_WRITE | PF_USER);
    EXPECT_INVARIANTS();
    TEST_END();
}

void fault_tests(void)
{
    write_read_only();
    kernel_window();
    access_after_unmap();
    write_after_remap_read_only();
}
