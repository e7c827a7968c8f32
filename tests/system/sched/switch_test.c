/*
 * Who runs after an IPC wakes a thread (seL4 possibleSwitchTo and
 * schedule): the woken thread runs at once only if its priority is higher
 * than the running thread's, or if the running thread blocked and nothing
 * else outranks it. An equal-priority thread woken while the current one
 * goes on is queued behind it; Yield rotates the current level and never
 * gives way to a lower priority.
 */
#include "sched.h"
#include <systest.h>

enum {
    EV_ROOT = 0x100, EV_ROOT_BACK, EV_ROOT_BACK2,
    EV_SRV_GOT = 0x200, EV_SRV_AFTER_REPLY,
    EV_WORKER = 0x300,
    EV_LOW = 0x400,
};

#define REPLY_LABEL 0x55

struct server {
    seL4_CPtr ep;
    volatile seL4_Word calls;
};

/* Receives one Call, replies, logs, and waits again. */
static void reply_server(void *arg)
{
    struct server *s = arg;
    seL4_Word badge;

    seL4_Recv(s->ep, &badge);
    st_log_ev(EV_SRV_GOT);
    s->calls++;
    seL4_Reply(seL4_MessageInfo_new(REPLY_LABEL, 0, 0, 0));
    st_log_ev(EV_SRV_AFTER_REPLY);
    seL4_Recv(s->ep, &badge);
}

/* Serves Calls forever with ReplyRecv. */
static void replyrecv_server(void *arg)
{
    struct server *s = arg;
    seL4_Word badge;

    seL4_Recv(s->ep, &badge);
    for (;;) {
        st_log_ev(EV_SRV_GOT);
        s->calls++;
        seL4_ReplyRecv(s->ep, seL4_MessageInfo_new(REPLY_LABEL, 0, 0, 0), &badge);
    }
}

static void test_call_higher_server(void)
{
    struct server s = { 0, 0 };
    rt_thread_t t;

    TEST_BEGIN("sched/call_higher_server_runs_at_once_and_keeps_cpu_after_reply");
    st_log_reset();
    s.ep = st_new_object(&mem, seL4_EndpointObject);
    ASSERT_NE(s.ep, 0);
    ASSERT_TRUE(st_spawn(&mem, &t, HIGH_PRIO, 0, reply_server, &s));
    st_log_ev(EV_ROOT);
    seL4_MessageInfo_t r = seL4_Call(s.ep, seL4_MessageInfo_new(1, 0, 0, 0));
    st_log_ev(EV_ROOT_BACK);
    EXPECT_EQ(seL4_MessageInfo_get_label(r), REPLY_LABEL);
    /* The server outranks us, so it went on to its next Recv first. */
    EXPECT_LOG(EV_ROOT, EV_SRV_GOT, EV_SRV_AFTER_REPLY, EV_ROOT_BACK);
    st_reap(&t);
    EXPECT_INVARIANTS();
    TEST_END();
}

static void test_replyrecv_higher_server(void)
{
    struct server s = { 0, 0 };
    rt_thread_t t;

    TEST_BEGIN("sched/replyrecv_server_blocks_then_caller_runs");
    st_log_reset();
    s.ep = st_new_object(&mem, seL4_EndpointObject);
    ASSERT_NE(s.ep, 0);
    ASSERT_TRUE(st_spawn(&mem, &t, HIGH_PRIO, 0, replyrecv_server, &s));
    st_log_ev(EV_ROOT);
    seL4_Call(s.ep, seL4_MessageInfo_new(1, 0, 0, 0));
    st_log_ev(EV_ROOT_BACK);
    seL4_Call(s.ep, seL4_MessageInfo_new(1, 0, 0, 0));
    st_log_ev(EV_ROOT_BACK2);
    EXPECT_LOG(EV_ROOT, EV_SRV_GOT, EV_ROOT_BACK, EV_SRV_GOT, EV_ROOT_BACK2);
    EXPECT_EQ(s.calls, 2);
    st_reap(&t);
    EXPECT_INVARIANTS();
    TEST_END();
}

/* A server below us: it runs once we block in the Call, and our reply
 * wakes us at once, before the server's next step. */
static void test_call_lower_server(void)
{
    struct server s = { 0, 0 };
    rt_thread_t t;

    TEST_BEGIN("sched/call_lower_server_runs_when_caller_blocks");
    st_log_reset();
    s.ep = st_new_object(&mem, seL4_EndpointObject);
    ASSERT_NE(s.ep, 0);
    ASSERT_TRUE(st_spawn(&mem, &t, LOW_PRIO, 0, reply_server, &s));
    EXPECT_EQ(s.calls, 0);                          /* below us: not run yet */
    st_park_root(PARK_PRIO, ROOT_PRIO);             /* it waits in Recv now */
    st_log_ev(EV_ROOT);
    seL4_MessageInfo_t r = seL4_Call(s.ep, seL4_MessageInfo_new(1, 0, 0, 0));
    st_log_ev(EV_ROOT_BACK);
    EXPECT_EQ(seL4_MessageInfo_get_label(r), REPLY_LABEL);
    EXPECT_LOG(EV_ROOT, EV_SRV_GOT, EV_ROOT_BACK);
    st_park_root(PARK_PRIO, ROOT_PRIO);
    EXPECT_LOG(EV_ROOT, EV_SRV_GOT, EV_ROOT_BACK, EV_SRV_AFTER_REPLY);
    st_reap(&t);
    EXPECT_INVARIANTS();
    TEST_END();
}

/* The same with the server not yet waiting: the Call queues, the server's
 * Recv finds it. */
static void test_call_lower_server_not_waiting(void)
{
    struct server s = { 0, 0 };
    rt_thread_t t;

    TEST_BEGIN("sched/call_queues_until_lower_server_receives");
    st_log_reset();
    s.ep = st_new_object(&mem, seL4_EndpointObject);
    ASSERT_NE(s.ep, 0);
    ASSERT_TRUE(st_spawn(&mem, &t, LOW_PRIO, 0, reply_server, &s));
    st_log_ev(EV_ROOT);
    seL4_Call(s.ep, seL4_MessageInfo_new(1, 0, 0, 0));
    st_log_ev(EV_ROOT_BACK);
    EXPECT_LOG(EV_ROOT, EV_SRV_GOT, EV_ROOT_BACK);
    st_reap(&t);
    EXPECT_INVARIANTS();
    TEST_END();
}

struct rx {
    seL4_CPtr ep;
    volatile int got;
};

static void one_receiver(void *arg)
{
    struct rx *r = arg;
    seL4_Word badge;

    seL4_Recv(r->ep, &badge);
    r->got = 1;
    st_log_ev(EV_WORKER);
}

/* Send to a waiting receiver: higher runs at once, lower and equal later. */
static void test_send_wakes_by_priority(void)
{
    struct rx hi = { 0, 0 }, lo = { 0, 0 }, eq = { 0, 0 };
    rt_thread_t th, tl, te;

    TEST_BEGIN("sched/send_switches_only_to_higher_receiver");
    ASSERT_TRUE(st_sync_fresh_slice(&mem, ROOT_PRIO));    /* no slice end rotates our level */
    st_log_reset();
    hi.ep = st_new_object(&mem, seL4_EndpointObject);
    lo.ep = st_new_object(&mem, seL4_EndpointObject);
    eq.ep = st_new_object(&mem, seL4_EndpointObject);
    ASSERT_TRUE(hi.ep != 0 && lo.ep != 0 && eq.ep != 0);
    ASSERT_TRUE(st_spawn(&mem, &th, HIGH_PRIO, 0, one_receiver, &hi));
    ASSERT_TRUE(st_spawn(&mem, &tl, LOW_PRIO, 0, one_receiver, &lo));
    ASSERT_TRUE(st_spawn(&mem, &te, ROOT_PRIO, 0, one_receiver, &eq));
    seL4_Yield();                                   /* the equal one blocks in Recv */
    st_park_root(PARK_PRIO, ROOT_PRIO);             /* and the low one */
    seL4_Send(hi.ep, seL4_MessageInfo_new(0, 0, 0, 0));
    EXPECT_EQ(hi.got, 1);
    seL4_Send(lo.ep, seL4_MessageInfo_new(0, 0, 0, 0));
    EXPECT_EQ(lo.got, 0);
    seL4_Send(eq.ep, seL4_MessageInfo_new(0, 0, 0, 0));
    EXPECT_EQ(eq.got, 0);
    seL4_Yield();
    EXPECT_EQ(eq.got, 1);
    EXPECT_EQ(lo.got, 0);
    st_park_root(PARK_PRIO, ROOT_PRIO);
    EXPECT_EQ(lo.got, 1);
    st_reap(&th);
    st_reap(&tl);
    st_reap(&te);
    EXPECT_INVARIANTS();
    TEST_END();
}

/* A server at our own priority: the Call switches to it (we blocked), its
 * Reply does not switch back (it is still running and we only tie). */
static void test_reply_to_equal_caller(void)
{
    struct server s = { 0, 0 };
    rt_thread_t t;

    TEST_BEGIN("sched/reply_to_equal_priority_caller_does_not_switch");
    ASSERT_TRUE(st_sync_fresh_slice(&mem, ROOT_PRIO));
    st_log_reset();
    s.ep = st_new_object(&mem, seL4_EndpointObject);
    ASSERT_NE(s.ep, 0);
    ASSERT_TRUE(st_spawn(&mem, &t, ROOT_PRIO, 0, reply_server, &s));
    seL4_Yield();                                   /* it waits in Recv now */
    st_log_ev(EV_ROOT);
    seL4_Call(s.ep, seL4_MessageInfo_new(1, 0, 0, 0));
    st_log_ev(EV_ROOT_BACK);
    EXPECT_LOG(EV_ROOT, EV_SRV_GOT, EV_SRV_AFTER_REPLY, EV_ROOT_BACK);
    st_reap(&t);
    EXPECT_INVARIANTS();
    TEST_END();
}

static void yielder(void *arg)
{
    (void)arg;
    for (int i = 0; i < 3; i++) {
        st_log_ev(EV_WORKER);
        seL4_Yield();
    }
}

static void low_logger(void *arg)
{
    (void)arg;
    st_log_ev(EV_LOW);
}

static void test_yield(void)
{
    rt_thread_t t, low;

    TEST_BEGIN("sched/yield_rotates_equal_priority_only");
    ASSERT_TRUE(st_sync_fresh_slice(&mem, ROOT_PRIO));
    st_log_reset();
    ASSERT_TRUE(st_spawn(&mem, &low, LOW_PRIO, 0, low_logger, NULL));
    seL4_Yield();                                   /* nobody at our level: back at once */
    EXPECT_EQ(st_log_len(), 0);
    /* Started below us and raised just now: it joins our level behind us
     * (the fresh slice above keeps the timer from rotating the level). */
    ASSERT_TRUE(st_spawn(&mem, &t, LOW_PRIO - 1, 0, yielder, NULL));
    ASSERT_OK(seL4_TCB_SetPriority(t.tcb, seL4_CapInitThreadTCB, ROOT_PRIO));
    EXPECT_EQ(st_log_len(), 0);                     /* queued behind us */
    for (int i = 0; i < 3; i++) {
        st_log_ev(EV_ROOT);
        seL4_Yield();
    }
    st_log_ev(EV_ROOT_BACK);
    EXPECT_LOG(EV_ROOT, EV_WORKER, EV_ROOT, EV_WORKER, EV_ROOT, EV_WORKER, EV_ROOT_BACK);
    st_reap(&t);
    st_park_root(PARK_PRIO, ROOT_PRIO);
    EXPECT_LOG(EV_ROOT, EV_WORKER, EV_ROOT, EV_WORKER, EV_ROOT, EV_WORKER, EV_ROOT_BACK, EV_LOW);
    st_reap(&low);
    EXPECT_INVARIANTS();
    TEST_END();
}

void sched_switch_tests(void)
{
    test_call_higher_server();
    test_replyrecv_higher_server();
    test_call_lower_server();
    test_call_lower_server_not_waiting();
    test_send_wakes_by_priority();
    test_reply_to_equal_caller();
    test_yield();
}
