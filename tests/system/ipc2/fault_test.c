/*
 * Fault handling as a protocol between threads (seL4 handleFault,
 * sendFaultIPC, handleFaultReply): a handler that does not fix the cause
 * sees the same fault again after its reply; one that does not reply
 * leaves the faulter blocked until someone restarts it; a handler below
 * the faulter's priority runs only when nothing higher is runnable, and
 * its reply hands the CPU straight back to the faulter. The fault
 * endpoint must be an endpoint capability with Send and Grant or
 * GrantReply, else the fault is dropped and the thread stops.
 */
#include "ipc2.h"
#include <systest.h>

#define INSN_LEN_2      2           /* ud2 and int $0x80 */
#define LINUX_NR        20
#define LINUX_RESULT    4242
#define FAULT_BADGE     0x61
#define BAD_CPTR        0xffff0000u /* fails the root CNode's guard */

enum { EV_H_GOT = 0x100, EV_F_DONE, EV_H_AFTER };

struct job {
    seL4_Word addr;
    seL4_CPtr ep;
    volatile seL4_Word result;
    volatile int done;
};

static void touch_worker(void *arg)
{
    struct job *j = arg;

    j->result = *(volatile seL4_Word *)j->addr;
    j->done = 1;
    st_log_ev(EV_F_DONE);
}

static void ud2_worker(void *arg)
{
    struct job *j = arg;

    __asm__ volatile("ud2" ::: "memory");
    j->done = 1;
}

static void test_handler_not_fixing(void)
{
    struct job j = { 0 };
    rt_thread_t t;
    seL4_CPtr frame;
    seL4_Word badge;

    TEST_BEGIN("ipc2/vm_fault_reply_without_fix_faults_again");
    seL4_CPtr fep = st_new_object(&mem, seL4_EndpointObject);
    seL4_Word *page = st_pages(&mem, 1, &frame);
    ASSERT_TRUE(fep != 0 && page != NULL);
    page[0] = 0x7777;
    ASSERT_OK(seL4_X86_Page_Unmap(frame));
    j.addr = (seL4_Word)page;
    ASSERT_TRUE(st_spawn(&mem, &t, HIGH_PRIO, fep, touch_worker, &j));
    for (int round = 0; round < 2; round++) {
        seL4_MessageInfo_t info = seL4_Recv(fep, &badge);
        EXPECT_EQ(seL4_MessageInfo_get_label(info), seL4_Fault_VMFault);
        EXPECT_EQ(seL4_GetMR(seL4_VMFault_Addr), (seL4_Word)page);
        EXPECT_EQ(j.done, 0);
        if (round == 1)
            ASSERT_OK(seL4_X86_Page_Map(frame, seL4_CapInitThreadVSpace, (seL4_Word)page,
                                        seL4_ReadWrite, seL4_X86_Default_VMAttributes));
        seL4_Reply(seL4_MessageInfo_new(0, 0, 0, 0));
    }
    EXPECT_EQ(j.done, 1);                           /* above us: finished at once */
    EXPECT_EQ(j.result, 0x7777);
    st_reap(&t);
    EXPECT_INVARIANTS();
    TEST_END();
}

static void test_unanswered_fault(void)
{
    struct job j = { 0 };
    rt_thread_t t;
    seL4_Word badge;

    TEST_BEGIN("ipc2/unanswered_fault_keeps_faulter_blocked_until_restart");
    seL4_CPtr fep = st_new_object(&mem, seL4_EndpointObject);
    seL4_CPtr other = st_new_object(&mem, seL4_EndpointObject);
    ASSERT_TRUE(fep != 0 && other != 0);
    ASSERT_TRUE(st_spawn(&mem, &t, HIGH_PRIO, fep, ud2_worker, &j));
    seL4_MessageInfo_t info = seL4_Recv(fep, &badge);
    EXPECT_EQ(seL4_MessageInfo_get_label(info), seL4_Fault_UserException);
    seL4_NBRecv(other, &badge);                     /* drops our reply cap */
    st_park_root(PARK_PRIO, ROOT_PRIO);
    EXPECT_EQ(j.done, 0);
    EXPECT_INVARIANTS();
    ASSERT_OK(seL4_TCB_Resume(t.tcb));              /* ud2 again: a new fault */
    info = seL4_Recv(fep, &badge);
    EXPECT_EQ(seL4_MessageInfo_get_label(info), seL4_Fault_UserException);
    seL4_SetMR(0, seL4_GetMR(seL4_UserException_FaultIP) + INSN_LEN_2);
    seL4_Reply(seL4_MessageInfo_new(0, 0, 0, 1));
    EXPECT_EQ(j.done, 1);
    st_reap(&t);
    EXPECT_INVARIANTS();
    TEST_END();
}

struct handler_job {
    seL4_CPtr fep, frame;
    seL4_Word page;
};

/* Maps the missing page, replies, logs, and waits again. */
static void pager(void *arg)
{
    struct handler_job *h = arg;
    seL4_Word badge;

    seL4_Recv(h->fep, &badge);
    st_log_ev(EV_H_GOT);
    seL4_X86_Page_Map(h->frame, seL4_CapInitThreadVSpace, h->page, seL4_ReadWrite,
                      seL4_X86_Default_VMAttributes);
    seL4_Reply(seL4_MessageInfo_new(0, 0, 0, 0));
    st_log_ev(EV_H_AFTER);
    seL4_Recv(h->fep, &badge);
}

static void test_low_priority_handler(void)
{
    struct handler_job h = { 0 };
    struct job j = { 0 };
    rt_thread_t th, tf;

    TEST_BEGIN("ipc2/lower_priority_handler_runs_when_higher_block");
    st_log_reset();
    h.fep = st_new_object(&mem, seL4_EndpointObject);
    seL4_Word *page = st_pages(&mem, 1, &h.frame);
    ASSERT_TRUE(h.fep != 0 && page != NULL);
    page[0] = 0x8888;
    ASSERT_OK(seL4_X86_Page_Unmap(h.frame));
    h.page = j.addr = (seL4_Word)page;
    ASSERT_TRUE(st_spawn(&mem, &th, LOW_PRIO, 0, pager, &h));
    st_park_root(PARK_PRIO, ROOT_PRIO);             /* the pager waits */
    ASSERT_TRUE(st_spawn(&mem, &tf, HIGH_PRIO, h.fep, touch_worker, &j));
    EXPECT_EQ(st_log_len(), 0);                     /* the pager is below us */
    st_park_root(PARK_PRIO, ROOT_PRIO);
    /* The reply preempted the pager. */
    EXPECT_LOG(EV_H_GOT, EV_F_DONE, EV_H_AFTER);
    EXPECT_EQ(j.result, 0x8888);
    st_reap(&th);
    st_reap(&tf);
    EXPECT_INVARIANTS();
    TEST_END();
}

static void int80_worker(void *arg)
{
    struct job *j = arg;
    seL4_Word r;

    __asm__ volatile("int $0x80" : "=a"(r) : "a"(LINUX_NR) : "memory");
    j->result = r;
    j->done = 1;
}

static void test_short_syscall_reply(void)
{
    struct job j = { 0 };
    rt_thread_t t;
    seL4_Word badge, mr[seL4_UnknownSyscall_Length];

    TEST_BEGIN("ipc2/unknown_syscall_short_reply_sets_eax_and_refaults");
    seL4_CPtr fep = st_new_object(&mem, seL4_EndpointObject);
    ASSERT_NE(fep, 0);
    ASSERT_TRUE(st_spawn(&mem, &t, HIGH_PRIO, fep, int80_worker, &j));
    seL4_Recv(fep, &badge);
    EXPECT_EQ(seL4_GetMR(seL4_UnknownSyscall_EAX), LINUX_NR);
    seL4_SetMR(0, LINUX_NR + 1);                    /* EAX only: EIP stays on the int */
    seL4_Reply(seL4_MessageInfo_new(0, 0, 0, 1));
    seL4_MessageInfo_t info = seL4_Recv(fep, &badge);
    EXPECT_EQ(seL4_MessageInfo_get_label(info), seL4_Fault_UnknownSyscall);
    EXPECT_EQ(seL4_GetMR(seL4_UnknownSyscall_EAX), LINUX_NR + 1);
    EXPECT_EQ(j.done, 0);
    for (int i = 0; i < seL4_UnknownSyscall_Length; i++)
        mr[i] = seL4_GetMR(i);
    mr[seL4_UnknownSyscall_EAX] = LINUX_RESULT;
    mr[seL4_UnknownSyscall_FaultIP] += INSN_LEN_2;
    for (int i = 0; i < seL4_UnknownSyscall_Syscall; i++)
        seL4_SetMR(i, mr[i]);
    seL4_Reply(seL4_MessageInfo_new(0, 0, 0, seL4_UnknownSyscall_Syscall));
    EXPECT_EQ(j.done, 1);
    EXPECT_EQ(j.result, LINUX_RESULT);
    st_reap(&t);
    EXPECT_INVARIANTS();
    TEST_END();
}

/* Starts a ud2 worker with fault endpoint `handler`; says whether the
 * fault reached fep. */
static int fault_reaches(seL4_CPtr handler, seL4_CPtr fep, rt_thread_t *t, struct job *j)
{
    seL4_Word badge = 0;

    if (!st_spawn(&mem, t, HIGH_PRIO, handler, ud2_worker, j))
        return -1;
    seL4_NBRecv(fep, &badge);
    return badge == FAULT_BADGE;
}

static void test_fault_ep_rights(void)
{
    struct job j[4] = { { 0 } };
    rt_thread_t t[4];
    seL4_UserContext regs;

    TEST_BEGIN("ipc2/fault_endpoint_needs_send_and_grant_or_grant_reply");
    seL4_CPtr fep = st_new_object(&mem, seL4_EndpointObject);
    seL4_CPtr n = st_new_object(&mem, seL4_NotificationObject);
    ASSERT_TRUE(fep != 0 && n != 0);
    seL4_CPtr write_only = st_mint(&mem, fep, seL4_CapRights_new(0, 0, 0, 1), FAULT_BADGE);
    seL4_CPtr grant_reply = st_mint(&mem, fep, seL4_CapRights_new(1, 0, 0, 1), FAULT_BADGE);
    seL4_CPtr no_write = st_mint(&mem, fep, seL4_CapRights_new(1, 1, 1, 0), FAULT_BADGE);
    seL4_CPtr ntfn = st_mint(&mem, n, seL4_AllRights, FAULT_BADGE);
    ASSERT_TRUE(write_only != 0 && grant_reply != 0 && no_write != 0 && ntfn != 0);
    EXPECT_EQ(fault_reaches(write_only, fep, &t[0], &j[0]), 0);
    EXPECT_EQ(fault_reaches(no_write, fep, &t[1], &j[1]), 0);
    EXPECT_EQ(fault_reaches(ntfn, fep, &t[2], &j[2]), 0);
    EXPECT_EQ(fault_reaches(grant_reply, fep, &t[3], &j[3]), 1);
    /* The undelivered ones stopped at their ud2, Inactive. */
    for (int i = 0; i < 3; i++) {
        EXPECT_EQ(j[i].done, 0);
        ASSERT_OK(seL4_TCB_ReadRegisters(t[i].tcb, 0, 0, 1, &regs));
        EXPECT_EQ(*(const uint16_t *)regs.eip, 0x0b0f);
    }
    seL4_Word word = 0;
    seL4_Poll(n, &word);
    EXPECT_EQ(word, 0);                             /* nothing signalled */
    for (int i = 0; i < 4; i++)
        st_reap(&t[i]);
    EXPECT_INVARIANTS();
    TEST_END();
}

static void bad_extra_cap_sender(void *arg)
{
    struct job *j = arg;

    seL4_SetCap(0, BAD_CPTR);
    seL4_Send(j->ep, seL4_MessageInfo_new(0, 0, 1, 0));
    j->done = 1;
}

static void test_bad_extra_cap(void)
{
    struct job j = { 0 };
    rt_thread_t t;
    seL4_Word badge;

    TEST_BEGIN("ipc2/unresolvable_extra_cap_is_cap_fault");
    seL4_CPtr fep = st_new_object(&mem, seL4_EndpointObject);
    j.ep = st_new_object(&mem, seL4_EndpointObject);
    ASSERT_TRUE(fep != 0 && j.ep != 0);
    ASSERT_TRUE(st_spawn(&mem, &t, HIGH_PRIO, fep, bad_extra_cap_sender, &j));
    seL4_MessageInfo_t info = seL4_Recv(fep, &badge);
    EXPECT_EQ(seL4_MessageInfo_get_label(info), seL4_Fault_CapFault);
    EXPECT_EQ(seL4_GetMR(seL4_CapFault_Addr), BAD_CPTR);
    EXPECT_EQ(seL4_GetMR(seL4_CapFault_InRecvPhase), 0);
    EXPECT_EQ(seL4_GetMR(seL4_CapFault_LookupFailureType), seL4_GuardMismatch);
    EXPECT_EQ(j.done, 0);
    st_reap(&t);
    EXPECT_INVARIANTS();
    TEST_END();
}

static void test_fault_ep_deleted(void)
{
    struct job j = { 0 };
    rt_thread_t t;
    seL4_UserContext regs;

    TEST_BEGIN("ipc2/fault_endpoint_deleted_under_pending_fault");
    seL4_CPtr fep = st_new_object(&mem, seL4_EndpointObject);
    ASSERT_NE(fep, 0);
    seL4_CPtr badged = st_mint(&mem, fep, seL4_AllRights, FAULT_BADGE);
    ASSERT_NE(badged, 0);
    ASSERT_TRUE(st_spawn(&mem, &t, HIGH_PRIO, badged, ud2_worker, &j)); /* queued on fep */
    ASSERT_OK(seL4_CNode_Delete(ROOT_CNODE, badged, DEPTH));    /* not the last cap */
    EXPECT_INVARIANTS();
    ASSERT_OK(seL4_CNode_Delete(ROOT_CNODE, fep, DEPTH));       /* the endpoint goes */
    /* It restarted, faulted again, found no handler, and stopped. */
    EXPECT_EQ(j.done, 0);
    ASSERT_OK(seL4_TCB_ReadRegisters(t.tcb, 0, 0, 1, &regs));
    EXPECT_EQ(*(const uint16_t *)regs.eip, 0x0b0f);
    st_reap(&t);
    EXPECT_INVARIANTS();
    TEST_END();
}

struct recv_job {
    seL4_CPtr slot;
    volatile seL4_Word label;
    volatile int done;
};

static void recv_on_slot(void *arg)
{
    struct recv_job *j = arg;
    seL4_Word badge;

    j->label = seL4_MessageInfo_get_label(seL4_Recv(j->slot, &badge));
    j->done = 1;
}

/* A CapFault on Recv: replying without filling the slot brings the same
 * fault back; putting an endpoint there lets the Recv go through. */
static void test_cap_fault_fixed(void)
{
    struct recv_job j = { 0 };
    rt_thread_t t;
    seL4_Word badge;

    TEST_BEGIN("ipc2/cap_fault_reply_reruns_the_system_call");
    seL4_CPtr fep = st_new_object(&mem, seL4_EndpointObject);
    seL4_CPtr ep = st_new_object(&mem, seL4_EndpointObject);
    j.slot = st_slot(&mem);
    ASSERT_TRUE(fep != 0 && ep != 0 && j.slot != 0);
    ASSERT_TRUE(st_spawn(&mem, &t, HIGH_PRIO, fep, recv_on_slot, &j));
    for (int round = 0; round < 2; round++) {
        seL4_MessageInfo_t info = seL4_Recv(fep, &badge);
        EXPECT_EQ(seL4_MessageInfo_get_label(info), seL4_Fault_CapFault);
        EXPECT_EQ(seL4_GetMR(seL4_CapFault_Addr), j.slot);
        EXPECT_EQ(seL4_GetMR(seL4_CapFault_InRecvPhase), 1);
        if (round == 1)
            ASSERT_OK(seL4_CNode_Copy(ROOT_CNODE, j.slot, DEPTH, ROOT_CNODE, ep, DEPTH,
                                      seL4_AllRights));
        seL4_Reply(seL4_MessageInfo_new(0, 0, 0, 0));
    }
    EXPECT_EQ(j.done, 0);                           /* now waiting on ep */
    seL4_Send(ep, seL4_MessageInfo_new(0x5e, 0, 0, 0));
    EXPECT_EQ(j.done, 1);
    EXPECT_EQ(j.label, 0x5e);
    st_reap(&t);
    EXPECT_INVARIANTS();
    TEST_END();
}

/* UserException: an empty reply with label 0 changes no register, so the
 * ud2 runs again and faults again; a non-zero label stops the thread. */
static void test_user_exception_not_fixed(void)
{
    struct job j = { 0 };
    rt_thread_t t;
    seL4_Word badge, ip;

    TEST_BEGIN("ipc2/user_exception_empty_reply_faults_again");
    seL4_CPtr fep = st_new_object(&mem, seL4_EndpointObject);
    ASSERT_NE(fep, 0);
    ASSERT_TRUE(st_spawn(&mem, &t, HIGH_PRIO, fep, ud2_worker, &j));
    seL4_Recv(fep, &badge);
    ip = seL4_GetMR(seL4_UserException_FaultIP);
    seL4_Reply(seL4_MessageInfo_new(0, 0, 0, 0));
    seL4_MessageInfo_t info = seL4_Recv(fep, &badge);
    EXPECT_EQ(seL4_MessageInfo_get_label(info), seL4_Fault_UserException);
    EXPECT_EQ(seL4_GetMR(seL4_UserException_FaultIP), ip);
    seL4_Reply(seL4_MessageInfo_new(1, 0, 0, 0));
    seL4_Word none = 0xff;
    seL4_NBRecv(fep, &none);
    EXPECT_EQ(none, 0);                             /* stopped, no third fault */
    EXPECT_EQ(j.done, 0);
    st_reap(&t);
    EXPECT_INVARIANTS();
    TEST_END();
}

void ipc2_fault_tests(void)
{
    test_cap_fault_fixed();
    test_user_exception_not_fixed();
    test_handler_not_fixing();
    test_unanswered_fault();
    test_low_priority_handler();
    test_short_syscall_reply();
    test_fault_ep_rights();
    test_bad_extra_cap();
    test_fault_ep_deleted();
}
