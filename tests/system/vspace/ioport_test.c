/*
 * I/O ports: issuing a range (never a kernel port, never twice), accesses
 * inside and outside the capability's range, and the range coming back
 * when its capability is deleted. Ports 0x80-0x83 (POST code and DMA page
 * registers) are harmless to touch under QEMU.
 */
#include "vspace_tests.h"
#include <systest.h>

#define TEST_FIRST      0x80u
#define TEST_LAST       0x83u
#define COM1            0x3f8u
#define PIC1            0x20u
#define DEBUG_EXIT      0xf4u
#define OUT_VALUE       0x42u

static seL4_Error issue(seL4_Word first, seL4_Word last, seL4_CPtr *slot)
{
    *slot = st_slot(&mem);
    return seL4_X86_IOPortControl_Issue(seL4_CapIOPortControl, first, last, ROOT_CNODE, *slot,
                                        CPTR_DEPTH);
}

static void issue_and_use(void)
{
    TEST_BEGIN("ioport/issue_and_use");
    seL4_CPtr port, other;
    ASSERT_OK(issue(TEST_FIRST, TEST_LAST, &port));
    EXPECT_OK(seL4_X86_IOPort_Out8(port, TEST_FIRST, OUT_VALUE));
    EXPECT_OK(seL4_X86_IOPort_In8(port, TEST_FIRST).error);
    EXPECT_OK(seL4_X86_IOPort_In16(port, TEST_LAST - 1).error);
    EXPECT_OK(seL4_X86_IOPort_In32(port, TEST_FIRST).error);
    /* Accesses must lie wholly inside the range. */
    EXPECT_ERR(seL4_X86_IOPort_In8(port, TEST_LAST + 1).error, seL4_IllegalOperation);
    EXPECT_ERR(seL4_X86_IOPort_In16(port, TEST_LAST).error, seL4_IllegalOperation);
    EXPECT_ERR(seL4_X86_IOPort_In32(port, TEST_FIRST + 1).error, seL4_IllegalOperation);
    EXPECT_ERR(seL4_X86_IOPort_Out8(port, TEST_FIRST - 1, OUT_VALUE), seL4_IllegalOperation);
    seL4_MessageInfo_t tag = seL4_Call(port, seL4_MessageInfo_new(INV_X86_IOPORT_OUT8, 0, 0, 1));
    EXPECT_EQ(seL4_MessageInfo_get_label(tag), seL4_TruncatedMessage);
    /* Issued once only, overlaps included. */
    EXPECT_ERR(issue(TEST_LAST, TEST_LAST + 4, &other), seL4_RevokeFirst);
    /* Released with its last capability. */
    ASSERT_OK(delete_cap(port));
    EXPECT_OK(issue(TEST_FIRST, TEST_FIRST, &other));
    EXPECT_OK(delete_cap(other));
    EXPECT_INVARIANTS();
    TEST_END();
}

static void issue_errors(void)
{
    TEST_BEGIN("ioport/issue_errors");
    seL4_CPtr slot;
    EXPECT_ERR(issue(PIC1 - 1, PIC1, &slot), seL4_RevokeFirst);
    /* COM1, the kernel's debug console, can be issued and shared, as on seL4. */
    EXPECT_OK(issue(COM1, COM1 + 7, &slot));
    EXPECT_OK(delete_cap(slot));
    EXPECT_ERR(issue(DEBUG_EXIT, DEBUG_EXIT, &slot), seL4_RevokeFirst);
    EXPECT_ERR(issue(TEST_LAST, TEST_FIRST, &slot), seL4_InvalidArgument);
    EXPECT_EQ(seL4_GetMR(0), 1);
    EXPECT_ERR(seL4_X86_IOPortControl_Issue(seL4_CapIOPortControl, TEST_FIRST, TEST_LAST,
                                            ROOT_CNODE, seL4_CapInitThreadTCB, CPTR_DEPTH),
               seL4_DeleteFirst);
    EXPECT_INVARIANTS();
    TEST_END();
}

void ioport_tests(void)
{
    issue_and_use();
    issue_errors();
}
