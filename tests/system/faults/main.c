/*
 * System tests of fault delivery (kernel/fault.c): every fault kind
 * arrives at the thread's fault endpoint with seL4's message layout, and
 * the handler's reply resumes the thread, with new registers where the
 * fault kind allows it. Includes our `int $0x80` extension (abi.md) and
 * the double fault of a thread without a usable fault endpoint.
 */
#include <rt/rt.h>
#include <rt/test.h>
#include <rt/thread.h>
#include <sel4/sel4.h>
#include <string.h>
#include <systest.h>

static struct st_root mem;    /* what the tests allocate from */

#define ROOT_CNODE  seL4_CapInitThreadCNode
#define DEPTH       seL4_WordBits
#define ROOT_PRIO   100
#define WORKER_PRIO 150
#define FAULT_BADGE 0x77
#define LINUX_GETPID 20
#define LINUX_RESULT 4242
#define BAD_SYSCALL  ((seL4_Word)-100)
#define SYSCALL_RESULT 77
#define INSN_LEN_2   2              /* int $0x80, sysenter and ud2 are 2 bytes */
#define INVALID_OPCODE 6            /* #UD */
#define BAD_CPTR     0xffff0000u    /* fails the root CNode's guard */
#define LOOKUP_GUARD_MISMATCH 4
#define LOOKUP_MISSING_CAP 2
#define EMPTY_SLOT_TAG 0

static seL4_CPtr fault_ep, badged_fault_ep;

struct job {
    volatile seL4_Word result;
    volatile int done;
    seL4_Word addr;
};

static seL4_Error start(rt_thread_t *t, seL4_CPtr handler, rt_thread_fn_t fn, void *arg)
{
    seL4_Error e = st_thread_create(&mem, t, WORKER_PRIO, handler);
    return e != seL4_NoError ? e : rt_thread_start(t, fn, arg);
}

/* ---- UnknownSyscall: int $0x80 and a bad sysenter number ---- */

static void int80_worker(void *arg)
{
    struct job *j = arg;
    seL4_Word r;

    __asm__ volatile("int $0x80" : "=a"(r) : "a"(LINUX_GETPID) : "memory");
    j->result = r;
    j->done = 1;
}

/* Answer an UnknownSyscall: EAX = result, resume after the 2-byte insn. */
static void reply_unknown_syscall(seL4_Word result)
{
    seL4_Word mr[seL4_UnknownSyscall_Length];

    for (int i = 0; i < seL4_UnknownSyscall_Length; i++)
        mr[i] = seL4_GetMR(i);
    mr[seL4_UnknownSyscall_EAX] = result;
    mr[seL4_UnknownSyscall_FaultIP] += INSN_LEN_2;
    for (int i = 0; i < seL4_UnknownSyscall_Syscall; i++)
        seL4_SetMR(i, mr[i]);
    seL4_Reply(seL4_MessageInfo_new(0, 0, 0, seL4_UnknownSyscall_Syscall));
}

static void test_int80(void)
{
    struct job j = { 0 };
    rt_thread_t t;
    seL4_Word badge = 0;

    TEST_BEGIN("faults/int80_is_unknown_syscall");
    ASSERT_OK(start(&t, badged_fault_ep, int80_worker, &j));
    seL4_MessageInfo_t info = seL4_Recv(fault_ep, &badge);
    EXPECT_EQ(badge, FAULT_BADGE);
    EXPECT_EQ(seL4_MessageInfo_get_label(info), seL4_Fault_UnknownSyscall);
    EXPECT_EQ(seL4_MessageInfo_get_length(info), seL4_UnknownSyscall_Length);
    EXPECT_EQ(seL4_GetMR(seL4_UnknownSyscall_EAX), LINUX_GETPID);
    EXPECT_EQ(seL4_GetMR(seL4_UnknownSyscall_Syscall), (0x80u << 24) | LINUX_GETPID);
    EXPECT_NE(seL4_GetMR(seL4_UnknownSyscall_SP), 0);
    EXPECT_EQ(j.done, 0);
    reply_unknown_syscall(LINUX_RESULT);
    seL4_Yield();
    EXPECT_EQ(j.done, 1);
    EXPECT_EQ(j.result, LINUX_RESULT);
    EXPECT_INVARIANTS();
    TEST_END();
}

static void bad_sysenter_worker(void *arg)
{
    struct job *j = arg;
    seL4_Word r;

    __asm__ volatile("movl %%esp, %%ecx\n\t"
                     "leal 1f, %%edx\n"
                     "1:\tsysenter"
                     : "=a"(r) : "a"(BAD_SYSCALL) : "ecx", "edx", "memory");
    j->result = r;
    j->done = 1;
}

static void test_bad_syscall_number(void)
{
    struct job j = { 0 };
    rt_thread_t t;
    seL4_Word badge = 0;

    TEST_BEGIN("faults/unknown_syscall_number");
    ASSERT_OK(start(&t, badged_fault_ep, bad_sysenter_worker, &j));
    seL4_MessageInfo_t info = seL4_Recv(fault_ep, &badge);
    EXPECT_EQ(seL4_MessageInfo_get_label(info), seL4_Fault_UnknownSyscall);
    EXPECT_EQ(seL4_GetMR(seL4_UnknownSyscall_Syscall), BAD_SYSCALL);
    /* FaultIP is the sysenter instruction, which EDX names. */
    EXPECT_EQ(seL4_GetMR(seL4_UnknownSyscall_FaultIP), seL4_GetMR(seL4_UnknownSyscall_EDX));
    reply_unknown_syscall(SYSCALL_RESULT);
    seL4_Yield();
    EXPECT_EQ(j.done, 1);
    EXPECT_EQ(j.result, SYSCALL_RESULT);
    EXPECT_INVARIANTS();
    TEST_END();
}

/* ---- UserException ---- */

static void ud2_worker(void *arg)
{
    struct job *j = arg;

    __asm__ volatile("ud2" ::: "memory");
    j->done = 1;
}

static void test_user_exception(void)
{
    struct job j = { 0 };
    rt_thread_t t;
    seL4_Word badge = 0;

    TEST_BEGIN("faults/user_exception_reply_resumes");
    ASSERT_OK(start(&t, badged_fault_ep, ud2_worker, &j));
    seL4_MessageInfo_t info = seL4_Recv(fault_ep, &badge);
    EXPECT_EQ(seL4_MessageInfo_get_label(info), seL4_Fault_UserException);
    EXPECT_EQ(seL4_MessageInfo_get_length(info), seL4_UserException_Length);
    EXPECT_EQ(seL4_GetMR(seL4_UserException_Number), INVALID_OPCODE);
    EXPECT_EQ(seL4_GetMR(seL4_UserException_Code), 0);
    seL4_Word ip = seL4_GetMR(seL4_UserException_FaultIP);
    EXPECT_EQ(*(const uint16_t *)ip, 0x0b0f);           /* ud2 */
    seL4_SetMR(0, ip + INSN_LEN_2);
    seL4_Reply(seL4_MessageInfo_new(0, 0, 0, 1));
    seL4_Yield();
    EXPECT_EQ(j.done, 1);
    /* A reply with a non-zero label leaves the thread stopped. */
    struct job k = { 0 };
    ASSERT_OK(start(&t, badged_fault_ep, ud2_worker, &k));
    seL4_Recv(fault_ep, &badge);
    seL4_Reply(seL4_MessageInfo_new(1, 0, 0, 0));
    seL4_Yield();
    EXPECT_EQ(k.done, 0);
    EXPECT_INVARIANTS();
    TEST_END();
}

/* ---- CapFault ---- */

static void bad_call_worker(void *arg)
{
    struct job *j = arg;

    seL4_Call(BAD_CPTR, seL4_MessageInfo_new(0, 0, 0, 0));
    j->done = 1;
}

static void bad_recv_worker(void *arg)
{
    struct job *j = arg;
    seL4_Word b;

    seL4_Recv(j->addr, &b);
    j->done = 1;
}

static void test_cap_faults(void)
{
    struct job j = { 0 };
    rt_thread_t t;
    seL4_Word badge = 0;

    TEST_BEGIN("faults/cap_fault_layouts");
    SKIP_ON_RELEASE("seL4_DebugCapIdentify");
    ASSERT_OK(start(&t, badged_fault_ep, bad_call_worker, &j));
    seL4_MessageInfo_t info = seL4_Recv(fault_ep, &badge);
    EXPECT_EQ(seL4_MessageInfo_get_label(info), seL4_Fault_CapFault);
    EXPECT_EQ(seL4_GetMR(seL4_CapFault_Addr), BAD_CPTR);
    EXPECT_EQ(seL4_GetMR(seL4_CapFault_InRecvPhase), 0);
    EXPECT_EQ(seL4_GetMR(seL4_CapFault_LookupFailureType), LOOKUP_GUARD_MISMATCH);
    EXPECT_NE(seL4_GetMR(seL4_CapFault_IP), 0);
    ASSERT_OK(seL4_TCB_Suspend(t.tcb));
    /* Receiving on an empty slot: InRecvPhase, MissingCapability. */
    struct job k = { 0 };
    k.addr = st_slot(&mem);
    ASSERT_OK(start(&t, badged_fault_ep, bad_recv_worker, &k));
    info = seL4_Recv(fault_ep, &badge);
    EXPECT_EQ(seL4_MessageInfo_get_label(info), seL4_Fault_CapFault);
    EXPECT_EQ(seL4_GetMR(seL4_CapFault_Addr), k.addr);
    EXPECT_EQ(seL4_GetMR(seL4_CapFault_InRecvPhase), 1);
    EXPECT_EQ(seL4_GetMR(seL4_CapFault_LookupFailureType), LOOKUP_MISSING_CAP);
    EXPECT_EQ(seL4_GetMR(seL4_CapFault_BitsLeft), 0);
    ASSERT_OK(seL4_TCB_Suspend(t.tcb));
    EXPECT_EQ(k.done, 0);
    /* Calling an empty slot is an error reply, not a fault. */
    EXPECT_EQ(seL4_DebugCapIdentify(k.addr), EMPTY_SLOT_TAG);
    info = seL4_Call(k.addr, seL4_MessageInfo_new(0, 0, 0, 0));
    EXPECT_EQ(seL4_MessageInfo_get_label(info), seL4_InvalidCapability);
    EXPECT_EQ(seL4_GetMR(0), 0);
    EXPECT_INVARIANTS();
    TEST_END();
}

/* ---- VMFault, and a thread with no fault handler ---- */

static void touch_worker(void *arg)
{
    struct job *j = arg;

    j->result = *(volatile seL4_Word *)j->addr;
    j->done = 1;
}

static void test_vm_fault_restart(void)
{
    struct job j = { 0 };
    rt_thread_t t;
    seL4_Word badge = 0;
    seL4_CPtr frame;

    TEST_BEGIN("faults/vm_fault_reply_restarts");
    seL4_Word *page = st_pages(&mem, 1, &frame);
    ASSERT_TRUE(page != NULL);
    page[0] = 0x5a5a;
    ASSERT_OK(seL4_X86_Page_Unmap(frame));
    j.addr = (seL4_Word)page;
    ASSERT_OK(start(&t, badged_fault_ep, touch_worker, &j));
    seL4_MessageInfo_t info = seL4_Recv(fault_ep, &badge);
    EXPECT_EQ(seL4_MessageInfo_get_label(info), seL4_Fault_VMFault);
    EXPECT_EQ(seL4_GetMR(seL4_VMFault_Addr), (seL4_Word)page);
    EXPECT_EQ(seL4_GetMR(seL4_VMFault_PrefetchFault), 0);
    ASSERT_OK(seL4_X86_Page_Map(frame, seL4_CapInitThreadVSpace, (seL4_Word)page, seL4_ReadWrite,
                                seL4_X86_Default_VMAttributes));
    seL4_Reply(seL4_MessageInfo_new(0, 0, 0, 0));
    seL4_Yield();
    EXPECT_EQ(j.done, 1);
    EXPECT_EQ(j.result, 0x5a5a);
    EXPECT_INVARIANTS();
    TEST_END();
}

static void test_double_fault(void)
{
    struct job j = { 0 };
    rt_thread_t t;
    seL4_UserContext regs;

    TEST_BEGIN("faults/no_handler_double_fault_stops_thread");
    ASSERT_OK(start(&t, 0, ud2_worker, &j));         /* faults at once, handler slot 0 */
    seL4_Yield();
    EXPECT_EQ(j.done, 0);
    ASSERT_OK(seL4_TCB_ReadRegisters(t.tcb, 0, 0, 1, &regs));
    EXPECT_EQ(*(const uint16_t *)regs.eip, 0x0b0f); /* stopped at the ud2 */
    EXPECT_INVARIANTS();
    TEST_END();
}

int main(bootinfo_t *bi)
{
    st_root_init(&mem, bi);
    seL4_TCB_SetPriority(seL4_CapInitThreadTCB, seL4_CapInitThreadTCB, ROOT_PRIO);
    fault_ep = st_new_object(&mem, seL4_EndpointObject);
    badged_fault_ep = st_slot(&mem);
    if (fault_ep == 0 || badged_fault_ep == 0 ||
        seL4_CNode_Mint(ROOT_CNODE, badged_fault_ep, DEPTH, ROOT_CNODE, fault_ep, DEPTH,
                        seL4_AllRights, FAULT_BADGE) != seL4_NoError)
        rt_halt();
    test_int80();
    test_bad_syscall_number();
    test_user_exception();
    test_cap_faults();
    test_vm_fault_restart();
    test_double_fault();
    tests_done();
}
