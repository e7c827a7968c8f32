/*
 * SetPriority and SetMCPriority (seL4 non-MCS setPriority): the thread
 * leaves its ready queue, takes the new priority and, if runnable, competes
 * again at once (possibleSwitchTo; for the running thread a fresh choice,
 * in which it keeps the head of its new level). MCP changes schedule
 * nothing by themselves.
 */
#include "sched.h"
#include <systest.h>

enum { EV_ROOT = 0x100, EV_A = 0x200, EV_B, EV_C, EV_X_RECV };

#define WORKER_MCP  200
#define MID_PRIO    80

static void logger(void *arg)
{
    st_log_ev((seL4_Word)arg);
}

static void test_raise_and_lower_ready(void)
{
    rt_thread_t a, b, c;

    TEST_BEGIN("sched/set_priority_of_ready_thread_requeues");
    ASSERT_TRUE(st_sync_fresh_slice(&mem, ROOT_PRIO));    /* no slice end rotates our level */
    st_log_reset();
    ASSERT_TRUE(st_spawn(&mem, &a, LOW_PRIO, 0, logger, (void *)EV_A));
    ASSERT_TRUE(st_spawn(&mem, &b, LOW_PRIO, 0, logger, (void *)EV_B));
    ASSERT_TRUE(st_spawn(&mem, &c, LOW_PRIO, 0, logger, (void *)EV_C));
    EXPECT_EQ(st_log_len(), 0);
    ASSERT_OK(seL4_TCB_SetPriority(c.tcb, seL4_CapInitThreadTCB, ROOT_PRIO));
    ASSERT_OK(seL4_TCB_SetPriority(a.tcb, seL4_CapInitThreadTCB, HIGH_PRIO));
    EXPECT_LOG(EV_A);                               /* above us: ran before we returned */
    ASSERT_OK(seL4_TCB_SetPriority(b.tcb, seL4_CapInitThreadTCB, ROOT_PRIO));
    EXPECT_LOG(EV_A);                               /* equal: queued */
    ASSERT_OK(seL4_TCB_SetPriority(c.tcb, seL4_CapInitThreadTCB, LOW_PRIO));
    seL4_Yield();                                   /* b runs; c moved below us */
    EXPECT_LOG(EV_A, EV_B);
    st_park_root(PARK_PRIO, ROOT_PRIO);
    EXPECT_LOG(EV_A, EV_B, EV_C);
    st_reap(&a);
    st_reap(&b);
    st_reap(&c);
    EXPECT_INVARIANTS();
    TEST_END();
}

static void test_lower_self(void)
{
    rt_thread_t x;

    TEST_BEGIN("sched/lowering_self_below_ready_thread_switches");
    ASSERT_TRUE(st_sync_fresh_slice(&mem, ROOT_PRIO));
    st_log_reset();
    ASSERT_TRUE(st_spawn(&mem, &x, MID_PRIO, 0, logger, (void *)EV_A));
    /* To the same level: we stay at the head of it and keep running. */
    st_set_root_prio(MID_PRIO);
    st_log_ev(EV_ROOT);
    seL4_Yield();
    EXPECT_LOG(EV_ROOT, EV_A);
    st_reap(&x);
    st_log_reset();
    ASSERT_TRUE(st_spawn(&mem, &x, MID_PRIO, 0, logger, (void *)EV_B));
    st_set_root_prio(PARK_PRIO);
    st_log_ev(EV_ROOT);
    st_set_root_prio(ROOT_PRIO);
    EXPECT_LOG(EV_B, EV_ROOT);
    st_reap(&x);
    EXPECT_INVARIANTS();
    TEST_END();
}

struct mcp_job {
    seL4_CPtr self, ep;
    volatile seL4_Word err_over, mr0, mr1, err_ok;
};

static void mcp_worker(void *arg)
{
    struct mcp_job *j = arg;
    seL4_Word badge;

    j->err_over = seL4_TCB_SetPriority(j->self, j->self, WORKER_MCP + 1);
    j->mr0 = seL4_GetMR(0);
    j->mr1 = seL4_GetMR(1);
    j->err_ok = seL4_TCB_SetPriority(j->self, j->self, WORKER_MCP);
    seL4_Recv(j->ep, &badge);
    st_log_ev(EV_X_RECV);
}

static void test_mcp(void)
{
    struct mcp_job j = { 0 };
    rt_thread_t x;

    TEST_BEGIN("sched/mcp_bounds_self_raise_and_schedules_nothing");
    st_log_reset();
    j.ep = st_new_object(&mem, seL4_EndpointObject);
    ASSERT_NE(j.ep, 0);
    ASSERT_OK(st_thread_create(&mem, &x, LOW_PRIO, 0));
    j.self = x.tcb;
    j.err_over = j.err_ok = 0xff;
    ASSERT_OK(rt_thread_start(&x, mcp_worker, &j));
    ASSERT_OK(seL4_TCB_SetMCPriority(x.tcb, seL4_CapInitThreadTCB, WORKER_MCP));
    EXPECT_EQ(j.err_over, 0xff);                    /* still below us, not run */
    st_park_root(PARK_PRIO, ROOT_PRIO);             /* it raises itself to 200 and waits */
    EXPECT_EQ(j.err_over, seL4_RangeError);
    EXPECT_EQ(j.mr0, 0);
    EXPECT_EQ(j.mr1, WORKER_MCP);
    EXPECT_EQ(j.err_ok, seL4_NoError);
    seL4_Send(j.ep, seL4_MessageInfo_new(0, 0, 0, 0));
    EXPECT_LOG(EV_X_RECV);                          /* now above us: ran at once */
    st_reap(&x);
    EXPECT_INVARIANTS();
    TEST_END();
}

void sched_priority_tests(void)
{
    test_raise_and_lower_ready();
    test_lower_self();
    test_mcp();
}
