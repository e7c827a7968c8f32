/*
 * Suspend and Resume (seL4 suspend, restart). Suspend cancels whatever IPC
 * the thread is in: it leaves an endpoint or notification queue, or, if it
 * waits for a reply, the reply capability to it is deleted, so the server's
 * Reply goes nowhere. Resume of a stopped thread (Inactive or blocked) puts
 * it in Restart: it re-executes the system call it was in, from the start,
 * with the registers it had, so a Call is sent again, and a Recv joins the
 * back of the queue. Resume of a runnable thread does nothing.
 */
#include "sched.h"
#include <systest.h>

enum {
    EV_A = 0x100, EV_B,
    EV_CALLER_BACK = 0x200, EV_SRV_GOT,
};

#define CALL_LABEL  7
#define CALL_MR0    0x1234
#define REPLY_LABEL 9
#define REPLY_MR0   0x99
#define CALL_BADGE  5
#define CALLER_PRIO 120

static void logger(void *arg)
{
    st_log_ev((seL4_Word)arg);
}

static void test_suspend_ready(void)
{
    rt_thread_t x;

    TEST_BEGIN("sched/suspend_ready_thread_then_resume");
    st_log_reset();
    ASSERT_TRUE(st_spawn(&mem, &x, LOW_PRIO, 0, logger, (void *)EV_A));
    ASSERT_OK(seL4_TCB_Suspend(x.tcb));
    st_park_root(PARK_PRIO, ROOT_PRIO);
    EXPECT_EQ(st_log_len(), 0);                     /* suspended: never ran */
    ASSERT_OK(seL4_TCB_Resume(x.tcb));
    EXPECT_EQ(st_log_len(), 0);                     /* below us */
    ASSERT_OK(seL4_TCB_Resume(x.tcb));              /* not stopped: no effect */
    st_park_root(PARK_PRIO, ROOT_PRIO);
    EXPECT_LOG(EV_A);
    st_reap(&x);
    EXPECT_INVARIANTS();
    TEST_END();
}

struct rx {
    seL4_CPtr ep;
    seL4_Word ev;
};

static void receiver(void *arg)
{
    struct rx *r = arg;
    seL4_Word badge;

    seL4_Recv(r->ep, &badge);
    st_log_ev(r->ev);
}

static void test_resume_receiver_requeues(void)
{
    struct rx a, b;
    rt_thread_t ta, tb;

    TEST_BEGIN("sched/resume_of_blocked_receiver_restarts_its_recv_at_the_tail");
    st_log_reset();
    seL4_CPtr ep = st_new_object(&mem, seL4_EndpointObject);
    ASSERT_NE(ep, 0);
    a = (struct rx){ ep, EV_A };
    b = (struct rx){ ep, EV_B };
    ASSERT_TRUE(st_spawn(&mem, &ta, HIGH_PRIO, 0, receiver, &a));
    ASSERT_TRUE(st_spawn(&mem, &tb, HIGH_PRIO, 0, receiver, &b));
    ASSERT_OK(seL4_TCB_Resume(ta.tcb));             /* a re-runs Recv, behind b */
    EXPECT_EQ(st_log_len(), 0);
    seL4_Send(ep, seL4_MessageInfo_new(0, 0, 0, 0));
    seL4_Send(ep, seL4_MessageInfo_new(0, 0, 0, 0));
    EXPECT_LOG(EV_B, EV_A);
    st_reap(&ta);
    st_reap(&tb);
    EXPECT_INVARIANTS();
    TEST_END();
}

struct caller {
    seL4_CPtr ep;
    volatile seL4_Word returned, label, mr0;
};

static void caller(void *arg)
{
    struct caller *c = arg;

    seL4_SetMR(0, CALL_MR0);
    seL4_MessageInfo_t info = seL4_Call(c->ep, seL4_MessageInfo_new(CALL_LABEL, 0, 0, 1));
    c->label = seL4_MessageInfo_get_label(info);
    c->mr0 = seL4_GetMR(0);
    c->returned++;
    st_log_ev(EV_CALLER_BACK);
}

/* Receives the Call the caller (re)sent and checks it is intact. */
#define EXPECT_CALL_RECEIVED(ep) do { \
        seL4_Word badge_ = 0; \
        seL4_MessageInfo_t in_ = seL4_Recv(ep, &badge_); \
        EXPECT_EQ(badge_, CALL_BADGE); \
        EXPECT_EQ(seL4_MessageInfo_get_label(in_), CALL_LABEL); \
        EXPECT_EQ(seL4_MessageInfo_get_length(in_), 1); \
        EXPECT_EQ(seL4_GetMR(0), CALL_MR0); \
    } while (0)

static void reply_to_caller(void)
{
    seL4_SetMR(0, REPLY_MR0);
    seL4_Reply(seL4_MessageInfo_new(REPLY_LABEL, 0, 0, 1));
}

static void test_suspend_caller_on_send(void)
{
    struct caller c = { 0 };
    rt_thread_t t;
    seL4_Word badge = 0xff;

    TEST_BEGIN("sched/suspend_caller_blocked_on_send");
    st_log_reset();
    seL4_CPtr ep = st_new_object(&mem, seL4_EndpointObject);
    c.ep = st_mint(&mem, ep, seL4_AllRights, CALL_BADGE);
    ASSERT_TRUE(ep != 0 && c.ep != 0);
    ASSERT_TRUE(st_spawn(&mem, &t, HIGH_PRIO, 0, caller, &c)); /* blocks sending */
    ASSERT_OK(seL4_TCB_Suspend(t.tcb));
    seL4_NBRecv(ep, &badge);
    EXPECT_EQ(badge, 0);                            /* it left the queue */
    ASSERT_OK(seL4_TCB_Resume(t.tcb));              /* sends again, blocks again */
    EXPECT_EQ(c.returned, 0);
    EXPECT_CALL_RECEIVED(ep);
    reply_to_caller();
    EXPECT_LOG(EV_CALLER_BACK);                     /* above us: ran at once */
    EXPECT_EQ(c.returned, 1);
    EXPECT_EQ(c.label, REPLY_LABEL);
    EXPECT_EQ(c.mr0, REPLY_MR0);
    st_reap(&t);
    EXPECT_INVARIANTS();
    TEST_END();
}

static void test_suspend_caller_on_reply(void)
{
    struct caller c = { 0 };
    rt_thread_t t;

    TEST_BEGIN("sched/suspend_caller_blocked_on_reply_voids_the_reply");
    SKIP_ON_RELEASE("seL4_DebugCapIdentify");
    st_log_reset();
    seL4_CPtr ep = st_new_object(&mem, seL4_EndpointObject);
    c.ep = st_mint(&mem, ep, seL4_AllRights, CALL_BADGE);
    seL4_CPtr saved = st_slot(&mem);
    ASSERT_TRUE(ep != 0 && c.ep != 0 && saved != 0);
    ASSERT_TRUE(st_spawn(&mem, &t, HIGH_PRIO, 0, caller, &c));
    EXPECT_CALL_RECEIVED(ep);                       /* it waits for our reply */
    ASSERT_OK(seL4_TCB_Suspend(t.tcb));             /* our reply cap is gone */
    EXPECT_OK(seL4_CNode_SaveCaller(ROOT_CNODE, saved, DEPTH));
    EXPECT_EQ(seL4_DebugCapIdentify(saved), 0);
    reply_to_caller();                              /* goes nowhere */
    st_park_root(PARK_PRIO, ROOT_PRIO);
    EXPECT_EQ(c.returned, 0);
    EXPECT_INVARIANTS();
    ASSERT_OK(seL4_TCB_Resume(t.tcb));              /* the Call is made again */
    EXPECT_EQ(c.returned, 0);
    EXPECT_CALL_RECEIVED(ep);
    reply_to_caller();
    EXPECT_LOG(EV_CALLER_BACK);
    EXPECT_EQ(c.returned, 1);
    EXPECT_EQ(c.label, REPLY_LABEL);
    st_reap(&t);
    EXPECT_INVARIANTS();
    TEST_END();
}

struct holder {
    seL4_CPtr ep, ntfn;
};

/* Takes one Call and then waits on a notification, holding the reply. */
static void holding_server(void *arg)
{
    struct holder *h = arg;
    seL4_Word badge;

    seL4_Recv(h->ep, &badge);
    st_log_ev(EV_SRV_GOT);
    seL4_Wait(h->ntfn, &badge);
}

static void test_server_deleted_holding_reply(void)
{
    struct holder h;
    struct caller c = { 0 };
    rt_thread_t ts, tc;

    TEST_BEGIN("sched/server_deleted_while_caller_waits_for_reply");
    st_log_reset();
    seL4_CPtr ep = st_new_object(&mem, seL4_EndpointObject);
    h = (struct holder){ ep, st_new_object(&mem, seL4_NotificationObject) };
    c.ep = st_mint(&mem, ep, seL4_AllRights, CALL_BADGE);
    ASSERT_TRUE(ep != 0 && h.ntfn != 0 && c.ep != 0);
    ASSERT_TRUE(st_spawn(&mem, &ts, HIGH_PRIO, 0, holding_server, &h));
    ASSERT_TRUE(st_spawn(&mem, &tc, CALLER_PRIO, 0, caller, &c));
    EXPECT_LOG(EV_SRV_GOT);
    st_reap(&ts);                                   /* the reply cap dies with it */
    EXPECT_INVARIANTS();
    st_park_root(PARK_PRIO, ROOT_PRIO);
    EXPECT_EQ(c.returned, 0);                       /* blocked on reply for good */
    seL4_Signal(h.ntfn);                            /* nobody waits there any more */
    seL4_Word word = 0;
    seL4_Poll(h.ntfn, &word);
    EXPECT_EQ(word, 0);
    ASSERT_OK(seL4_TCB_Resume(tc.tcb));             /* only a restart frees it */
    EXPECT_CALL_RECEIVED(ep);
    reply_to_caller();
    EXPECT_LOG(EV_SRV_GOT, EV_CALLER_BACK);
    EXPECT_EQ(c.label, REPLY_LABEL);
    st_reap(&tc);
    EXPECT_INVARIANTS();
    TEST_END();
}

struct waiter {
    seL4_CPtr ntfn;
    volatile seL4_Word badge;
    volatile int woke;
};

static void ntfn_waiter(void *arg)
{
    struct waiter *w = arg;
    seL4_Word badge = 0;

    seL4_Wait(w->ntfn, &badge);
    w->badge = badge;
    w->woke = 1;
}

static void test_suspend_ntfn_waiter(void)
{
    struct waiter w = { 0 };
    rt_thread_t t;
    seL4_Word word = 0;

    TEST_BEGIN("sched/suspend_notification_waiter");
    w.ntfn = st_new_object(&mem, seL4_NotificationObject);
    seL4_CPtr b1 = st_mint(&mem, w.ntfn, seL4_AllRights, 0x10);
    seL4_CPtr b2 = st_mint(&mem, w.ntfn, seL4_AllRights, 0x20);
    ASSERT_TRUE(w.ntfn != 0 && b1 != 0 && b2 != 0);
    ASSERT_TRUE(st_spawn(&mem, &t, HIGH_PRIO, 0, ntfn_waiter, &w));
    ASSERT_OK(seL4_TCB_Suspend(t.tcb));
    seL4_Signal(b1);                                /* nobody waits: stays pending */
    EXPECT_EQ(w.woke, 0);
    seL4_Poll(w.ntfn, &word);
    EXPECT_EQ(word, 0x10);
    seL4_Signal(b2);
    ASSERT_OK(seL4_TCB_Resume(t.tcb));              /* Wait again: finds 0x20 at once */
    EXPECT_EQ(w.woke, 1);
    EXPECT_EQ(w.badge, 0x20);
    st_reap(&t);
    EXPECT_INVARIANTS();
    TEST_END();
}

/* Resume without Suspend of a caller waiting for its reply: restart
 * cancels the wait (the server's reply cap goes) and the Call is made again. */
static void test_resume_caller_on_reply(void)
{
    struct caller c = { 0 };
    rt_thread_t t;
    seL4_CPtr saved;

    TEST_BEGIN("sched/resume_of_caller_waiting_for_reply_calls_again");
    SKIP_ON_RELEASE("seL4_DebugCapIdentify");
    st_log_reset();
    seL4_CPtr ep = st_new_object(&mem, seL4_EndpointObject);
    c.ep = st_mint(&mem, ep, seL4_AllRights, CALL_BADGE);
    saved = st_slot(&mem);
    ASSERT_TRUE(ep != 0 && c.ep != 0 && saved != 0);
    ASSERT_TRUE(st_spawn(&mem, &t, HIGH_PRIO, 0, caller, &c));
    EXPECT_CALL_RECEIVED(ep);
    ASSERT_OK(seL4_TCB_Resume(t.tcb));              /* blocked on reply counts as stopped */
    EXPECT_OK(seL4_CNode_SaveCaller(ROOT_CNODE, saved, DEPTH));
    EXPECT_EQ(seL4_DebugCapIdentify(saved), 0);     /* our reply cap went */
    EXPECT_EQ(c.returned, 0);
    EXPECT_CALL_RECEIVED(ep);                       /* it is queued again */
    reply_to_caller();
    EXPECT_LOG(EV_CALLER_BACK);
    EXPECT_EQ(c.label, REPLY_LABEL);
    st_reap(&t);
    EXPECT_INVARIANTS();
    TEST_END();
}

void sched_suspend_tests(void)
{
    test_resume_caller_on_reply();
    test_suspend_ready();
    test_resume_receiver_requeues();
    test_suspend_caller_on_send();
    test_suspend_caller_on_reply();
    test_server_deleted_holding_reply();
    test_suspend_ntfn_waiter();
}
