/*
 * System tests of TCB invocations (kernel/tcb.c): register access in
 * seL4_UserContext order, priorities bounded by the authority's MCP, the
 * exact errors of malformed calls, suspend and resume, IPC buffer checks,
 * TLS base and flags.
 */
#include <rt/rt.h>
#include <rt/test.h>
#include <rt/thread.h>
#include <sel4/sel4.h>
#include <abi/invocation.h>
#include <string.h>
#include <systest.h>

static struct st_root mem;    /* what the tests allocate from */

#define ROOT_PRIO   100
#define WORKER_PRIO 150
#define LOW_MCP     120
#define NUM_REGS    (sizeof(seL4_UserContext) / sizeof(seL4_Word))
#define EFLAGS_IF   0x200u
#define EFLAGS_TF   0x100u
#define EFLAGS_BIT1 0x2u
#define MISALIGNED  0x100u
#define FPU_DISABLED 1u

static void spin_worker(void *arg)
{
    volatile seL4_Word *count = arg;

    for (;;) {
        (*count)++;
        seL4_Yield();
    }
}

static void test_registers(void)
{
    rt_thread_t t;
    seL4_UserContext regs, back;
    volatile seL4_Word count = 0;

    TEST_BEGIN("tcb/read_write_registers");
    /* Same priority as the root: the two take turns at each Yield. */
    ASSERT_OK(st_thread_create(&mem, &t, ROOT_PRIO, 0));
    ASSERT_OK(rt_thread_start(&t, spin_worker, (void *)&count));
    seL4_Yield();
    ASSERT_OK(seL4_TCB_Suspend(t.tcb));
    seL4_Word seen = count;
    EXPECT_GT(seen, 0);
    ASSERT_OK(seL4_TCB_ReadRegisters(t.tcb, 0, 0, NUM_REGS, &regs));
    EXPECT_EQ(regs.gs_base, (seL4_Word)t.tls);
    EXPECT_NE(regs.eip, 0);
    /* Write everything back with TF set: the kernel clears it, keeps IF. */
    regs.edi = 0x1234;
    regs.eflags |= EFLAGS_TF;
    ASSERT_OK(seL4_TCB_WriteRegisters(t.tcb, 0, 0, NUM_REGS, &regs));
    ASSERT_OK(seL4_TCB_ReadRegisters(t.tcb, 0, 0, NUM_REGS, &back));
    EXPECT_EQ(back.edi, 0x1234);
    EXPECT_EQ(back.eflags & (EFLAGS_TF | EFLAGS_IF | EFLAGS_BIT1), EFLAGS_IF | EFLAGS_BIT1);
    EXPECT_EQ(back.eip, regs.eip);
    /* Resume: it carries on counting; suspend again. */
    ASSERT_OK(seL4_TCB_Resume(t.tcb));
    seL4_Yield();
    EXPECT_GT(count, seen);
    ASSERT_OK(seL4_TCB_Suspend(t.tcb));
    seen = count;
    seL4_Yield();
    EXPECT_EQ(count, seen);
    EXPECT_INVARIANTS();
    TEST_END();
}

static void test_register_errors(void)
{
    rt_thread_t t;
    seL4_UserContext regs;

    TEST_BEGIN("tcb/register_errors");
    ASSERT_OK(st_thread_create(&mem, &t, WORKER_PRIO, 0));
    EXPECT_ERR(seL4_TCB_ReadRegisters(t.tcb, 0, 0, 0, &regs), seL4_RangeError);
    EXPECT_EQ(seL4_GetMR(0), 1);
    EXPECT_EQ(seL4_GetMR(1), NUM_REGS);
    EXPECT_ERR(seL4_TCB_ReadRegisters(t.tcb, 0, 0, NUM_REGS + 1, &regs), seL4_RangeError);
    EXPECT_ERR(seL4_TCB_ReadRegisters(seL4_CapInitThreadTCB, 0, 0, 1, &regs), seL4_IllegalOperation);
    EXPECT_ERR(seL4_TCB_WriteRegisters(seL4_CapInitThreadTCB, 0, 0, 1, &regs), seL4_IllegalOperation);
    /* Count larger than the message: TruncatedMessage. */
    seL4_SetMR(0, 0);
    seL4_SetMR(1, 5);
    seL4_MessageInfo_t info = seL4_Call(t.tcb, seL4_MessageInfo_new(INV_TCB_WRITE_REGISTERS, 0, 0, 4));
    EXPECT_EQ(seL4_MessageInfo_get_label(info), seL4_TruncatedMessage);
    /* CopyRegisters from a non-TCB: InvalidCapability 1. */
    EXPECT_ERR(seL4_TCB_CopyRegisters(t.tcb, seL4_CapInitThreadCNode, 0, 0, 1, 1, 0), seL4_InvalidCapability);
    EXPECT_EQ(seL4_GetMR(0), 1);
    /* An unknown label on a TCB. */
    info = seL4_Call(t.tcb, seL4_MessageInfo_new(INV_CNODE_COPY, 0, 0, 0));
    EXPECT_EQ(seL4_MessageInfo_get_label(info), seL4_IllegalOperation);
    EXPECT_INVARIANTS();
    TEST_END();
}

static void test_priorities(void)
{
    rt_thread_t t;

    TEST_BEGIN("tcb/priority_bounded_by_mcp");
    ASSERT_OK(st_thread_create(&mem, &t, 1, 0));
    EXPECT_ERR(seL4_TCB_SetPriority(t.tcb, seL4_CapInitThreadCNode, 1), seL4_InvalidCapability);
    EXPECT_EQ(seL4_GetMR(0), 1);
    /* The worker's MCP is 0: as authority it allows priority 0 only. */
    EXPECT_ERR(seL4_TCB_SetPriority(t.tcb, t.tcb, 1), seL4_RangeError);
    EXPECT_EQ(seL4_GetMR(0), 0);
    EXPECT_EQ(seL4_GetMR(1), 0);
    EXPECT_OK(seL4_TCB_SetPriority(t.tcb, t.tcb, 0));
    EXPECT_OK(seL4_TCB_SetSchedParams(t.tcb, seL4_CapInitThreadTCB, LOW_MCP, LOW_MCP));
    EXPECT_ERR(seL4_TCB_SetPriority(t.tcb, t.tcb, LOW_MCP + 1), seL4_RangeError);
    EXPECT_EQ(seL4_GetMR(1), LOW_MCP);
    EXPECT_OK(seL4_TCB_SetPriority(t.tcb, t.tcb, LOW_MCP));
    EXPECT_ERR(seL4_TCB_SetMCPriority(t.tcb, seL4_CapInitThreadTCB, seL4_MaxPrio + 1), seL4_RangeError);
    EXPECT_INVARIANTS();
    TEST_END();
}

static void test_buffer_tls_flags(void)
{
    rt_thread_t t;
    seL4_UserContext regs;

    TEST_BEGIN("tcb/ipc_buffer_tls_flags");
    ASSERT_OK(st_thread_create(&mem, &t, WORKER_PRIO, 0));
    EXPECT_ERR(seL4_TCB_SetIPCBuffer(t.tcb, (seL4_Word)t.ipc_buffer + MISALIGNED, t.ipc_frame),
               seL4_AlignmentError);
    EXPECT_ERR(seL4_TCB_SetIPCBuffer(t.tcb, (seL4_Word)t.ipc_buffer, seL4_CapInitThreadCNode),
               seL4_IllegalOperation);
    EXPECT_OK(seL4_TCB_SetIPCBuffer(t.tcb, (seL4_Word)t.ipc_buffer, t.ipc_frame));
    EXPECT_OK(seL4_TCB_SetIPCBuffer(t.tcb, 0, seL4_CapNull));
    EXPECT_OK(seL4_TCB_SetTLSBase(t.tcb, 0xabcd000));
    ASSERT_OK(seL4_TCB_ReadRegisters(t.tcb, 0, 0, NUM_REGS, &regs));
    EXPECT_EQ(regs.gs_base, 0xabcd000);
    seL4_TCB_SetFlags_t f = seL4_TCB_SetFlags(t.tcb, 0, FPU_DISABLED);
    EXPECT_OK(f.error);
    EXPECT_EQ(f.flags, FPU_DISABLED);
    f = seL4_TCB_SetFlags(t.tcb, FPU_DISABLED, 0);
    EXPECT_EQ(f.flags, 0);
    EXPECT_ERR(seL4_TCB_UnbindNotification(t.tcb), seL4_IllegalOperation);
    EXPECT_ERR(seL4_TCB_BindNotification(t.tcb, seL4_CapInitThreadCNode), seL4_IllegalOperation);
    EXPECT_INVARIANTS();
    TEST_END();
}

static void test_configure_errors(void)
{
    rt_thread_t t;

    TEST_BEGIN("tcb/configure_checks_roots");
    ASSERT_OK(st_thread_create(&mem, &t, WORKER_PRIO, 0));
    EXPECT_ERR(seL4_TCB_SetSpace(t.tcb, 0, seL4_CapInitThreadVSpace, 0, seL4_CapInitThreadVSpace, 0),
               seL4_IllegalOperation);
    EXPECT_ERR(seL4_TCB_SetSpace(t.tcb, 0, seL4_CapInitThreadCNode, 0, seL4_CapInitThreadCNode, 0),
               seL4_IllegalOperation);
    EXPECT_OK(seL4_TCB_SetSpace(t.tcb, 0, seL4_CapInitThreadCNode, 0, seL4_CapInitThreadVSpace, 0));
    EXPECT_ERR(seL4_TCB_Configure(t.tcb, 0, seL4_CapInitThreadCNode, 0, seL4_CapInitThreadVSpace, 0,
                                  (seL4_Word)t.ipc_buffer + MISALIGNED, t.ipc_frame),
               seL4_AlignmentError);
    /* Deleting the last TCB capability of a suspended thread. */
    EXPECT_OK(seL4_CNode_Delete(seL4_CapInitThreadCNode, t.tcb, seL4_WordBits));
    EXPECT_INVARIANTS();
    TEST_END();
}

int main(bootinfo_t *bi)
{
    st_root_init(&mem, bi);
    seL4_TCB_SetPriority(seL4_CapInitThreadTCB, seL4_CapInitThreadTCB, ROOT_PRIO);
    test_registers();
    test_register_errors();
    test_priorities();
    test_buffer_tls_flags();
    test_configure_errors();
    tests_done();
}
