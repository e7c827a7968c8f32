/*
 * Notifications (seL4 sendSignal, receiveSignal, completeSignal, bound
 * notifications in receiveIPC). A signal to a notification bound to a
 * thread wakes that thread only if it waits in an endpoint Recv; blocked
 * in anything else (another notification, a Send, a reply) it leaves the
 * word pending, and the thread's next endpoint Recv returns it at once,
 * before any sender queued there. Signal through an unbadged capability
 * still counts: the word is "active" with value 0.
 */
#include "ipc2.h"
#include <systest.h>

#define BADGE_A     0x4
#define BADGE_B     0x10
#define MSG_LABEL   0x21
#define MSG_MR0     0x5150
#define FAULT_BADGE 0x99

struct bound {
    seL4_CPtr ep, other;
    volatile seL4_Word stage, badge1, label1, badge2, label2, mr0;
};

/* Recv twice on ep, recording what each returned. */
static void twice_receiver(void *arg)
{
    struct bound *b = arg;
    seL4_Word badge = 0;
    seL4_MessageInfo_t info;

    if (b->other != 0) {
        seL4_Wait(b->other, &badge);
        b->stage = 1;
    }
    info = seL4_Recv(b->ep, &badge);
    b->badge1 = badge;
    b->label1 = seL4_MessageInfo_get_label(info);
    b->stage = 2;
    info = seL4_Recv(b->ep, &badge);
    b->badge2 = badge;
    b->label2 = seL4_MessageInfo_get_label(info);
    b->mr0 = seL4_GetMR(0);
    b->stage = 3;
}

static int start_bound(rt_thread_t *t, seL4_CPtr ntfn, rt_thread_fn_t fn, void *arg)
{
    return st_thread_create(&mem, t, HIGH_PRIO, 0) == seL4_NoError &&
           seL4_TCB_BindNotification(t->tcb, ntfn) == seL4_NoError &&
           rt_thread_start(t, fn, arg) == seL4_NoError;
}

static void test_bound_wakes_endpoint_receiver(void)
{
    struct bound b = { 0 };
    rt_thread_t t;

    TEST_BEGIN("ipc2/bound_signal_wakes_recv_and_leaves_endpoint_clean");
    b.ep = st_new_object(&mem, seL4_EndpointObject);
    seL4_CPtr n = st_new_object(&mem, seL4_NotificationObject);
    seL4_CPtr na = st_mint(&mem, n, seL4_AllRights, BADGE_A);
    ASSERT_TRUE(b.ep != 0 && n != 0 && na != 0);
    ASSERT_TRUE(start_bound(&t, n, twice_receiver, &b));
    EXPECT_EQ(b.stage, 0);
    seL4_Signal(na);
    EXPECT_EQ(b.stage, 2);                          /* woke out of the endpoint */
    EXPECT_EQ(b.badge1, BADGE_A);
    /* It left the endpoint's queue and is back in it once, as a receiver. */
    seL4_SetMR(0, MSG_MR0);
    seL4_Send(b.ep, seL4_MessageInfo_new(MSG_LABEL, 0, 0, 1));
    EXPECT_EQ(b.stage, 3);
    EXPECT_EQ(b.label2, MSG_LABEL);
    EXPECT_EQ(b.mr0, MSG_MR0);
    seL4_Word badge = 0xff;
    seL4_NBRecv(b.ep, &badge);
    EXPECT_EQ(badge, 0);
    st_reap(&t);
    EXPECT_INVARIANTS();
    TEST_END();
}

static void test_bound_pending_elsewhere(void)
{
    struct bound b = { 0 };
    rt_thread_t t;

    TEST_BEGIN("ipc2/bound_signal_pends_while_thread_waits_elsewhere");
    b.ep = st_new_object(&mem, seL4_EndpointObject);
    b.other = st_new_object(&mem, seL4_NotificationObject);
    seL4_CPtr n = st_new_object(&mem, seL4_NotificationObject);
    seL4_CPtr na = st_mint(&mem, n, seL4_AllRights, BADGE_A);
    seL4_CPtr nb = st_mint(&mem, n, seL4_AllRights, BADGE_B);
    ASSERT_TRUE(b.ep != 0 && b.other != 0 && n != 0 && na != 0 && nb != 0);
    ASSERT_TRUE(start_bound(&t, n, twice_receiver, &b));
    seL4_Signal(na);                                /* it waits on `other` */
    seL4_Signal(nb);
    EXPECT_EQ(b.stage, 0);
    seL4_Signal(b.other);                           /* its Recv then returns the word */
    EXPECT_EQ(b.stage, 2);
    EXPECT_EQ(b.badge1, BADGE_A | BADGE_B);
    st_reap(&t);
    EXPECT_INVARIANTS();
    TEST_END();
}

struct snd {
    seL4_CPtr ep;
};

static void sender(void *arg)
{
    struct snd *s = arg;

    seL4_SetMR(0, MSG_MR0);
    seL4_Send(s->ep, seL4_MessageInfo_new(MSG_LABEL, 0, 0, 1));
}

static void test_pending_beats_sender(void)
{
    struct bound b = { 0 };
    struct snd s;
    rt_thread_t t, ts;

    TEST_BEGIN("ipc2/pending_bound_signal_served_before_queued_sender");
    b.ep = st_new_object(&mem, seL4_EndpointObject);
    seL4_CPtr n = st_new_object(&mem, seL4_NotificationObject);
    seL4_CPtr na = st_mint(&mem, n, seL4_AllRights, BADGE_A);
    ASSERT_TRUE(b.ep != 0 && n != 0 && na != 0);
    s.ep = b.ep;
    ASSERT_TRUE(st_spawn(&mem, &ts, HIGH_PRIO, 0, sender, &s)); /* queued on ep */
    ASSERT_OK(st_thread_create(&mem, &t, HIGH_PRIO, 0));
    ASSERT_OK(seL4_TCB_BindNotification(t.tcb, n));
    seL4_Signal(na);                                /* nobody waiting: Active */
    ASSERT_OK(rt_thread_start(&t, twice_receiver, &b));
    EXPECT_EQ(b.stage, 3);
    EXPECT_EQ(b.badge1, BADGE_A);                   /* the notification first */
    EXPECT_EQ(b.badge2, 0);
    EXPECT_EQ(b.label2, MSG_LABEL);                 /* then the sender */
    EXPECT_EQ(b.mr0, MSG_MR0);
    st_reap(&t);
    st_reap(&ts);
    EXPECT_INVARIANTS();
    TEST_END();
}

struct bcaller {
    seL4_CPtr ep, ep2;
    volatile seL4_Word stage, badge;
};

static void bound_caller(void *arg)
{
    struct bcaller *c = arg;
    seL4_Word badge = 0;

    seL4_Call(c->ep, seL4_MessageInfo_new(0, 0, 0, 0));
    c->stage = 1;
    seL4_Recv(c->ep2, &badge);
    c->badge = badge;
    c->stage = 2;
}

static void test_bound_not_woken_from_call(void)
{
    struct bcaller c = { 0 };
    rt_thread_t t;
    seL4_Word badge;

    TEST_BEGIN("ipc2/bound_signal_does_not_interrupt_send_or_reply_wait");
    c.ep = st_new_object(&mem, seL4_EndpointObject);
    c.ep2 = st_new_object(&mem, seL4_EndpointObject);
    seL4_CPtr n = st_new_object(&mem, seL4_NotificationObject);
    seL4_CPtr na = st_mint(&mem, n, seL4_AllRights, BADGE_A);
    seL4_CPtr nb = st_mint(&mem, n, seL4_AllRights, BADGE_B);
    ASSERT_TRUE(c.ep != 0 && c.ep2 != 0 && n != 0 && na != 0 && nb != 0);
    ASSERT_TRUE(start_bound(&t, n, bound_caller, &c));  /* blocked sending */
    seL4_Signal(na);
    EXPECT_EQ(c.stage, 0);
    seL4_Recv(c.ep, &badge);                        /* now blocked on reply */
    seL4_Signal(nb);
    EXPECT_EQ(c.stage, 0);
    seL4_Reply(seL4_MessageInfo_new(0, 0, 0, 0));
    EXPECT_EQ(c.stage, 2);                          /* its Recv found the word */
    EXPECT_EQ(c.badge, BADGE_A | BADGE_B);
    st_reap(&t);
    EXPECT_INVARIANTS();
    TEST_END();
}

struct waiter {
    seL4_CPtr ntfn;
    volatile seL4_Word badge;
    volatile int woke;
};

static void waiter(void *arg)
{
    struct waiter *w = arg;
    seL4_Word badge = 0xff;

    seL4_Wait(w->ntfn, &badge);
    w->badge = badge;
    w->woke = 1;
}

static void test_bound_to_other_faults(void)
{
    struct waiter w = { 0 }, own = { 0 };
    rt_thread_t tb, tw;
    seL4_Word badge;

    TEST_BEGIN("ipc2/wait_on_notification_bound_elsewhere_is_cap_fault");
    seL4_CPtr n = st_new_object(&mem, seL4_NotificationObject);
    seL4_CPtr fep = st_new_object(&mem, seL4_EndpointObject);
    seL4_CPtr na = st_mint(&mem, n, seL4_AllRights, BADGE_A);
    seL4_CPtr fb = fep != 0 ? st_mint(&mem, fep, seL4_AllRights, FAULT_BADGE) : 0;
    ASSERT_TRUE(n != 0 && fep != 0 && na != 0 && fb != 0);
    own.ntfn = w.ntfn = n;
    ASSERT_TRUE(start_bound(&tb, n, waiter, &own));     /* own bound ntfn: fine */
    ASSERT_TRUE(st_spawn(&mem, &tw, HIGH_PRIO, fb, waiter, &w));
    seL4_MessageInfo_t info = seL4_Recv(fep, &badge);
    EXPECT_EQ(badge, FAULT_BADGE);
    EXPECT_EQ(seL4_MessageInfo_get_label(info), seL4_Fault_CapFault);
    EXPECT_EQ(seL4_GetMR(seL4_CapFault_Addr), n);
    EXPECT_EQ(seL4_GetMR(seL4_CapFault_InRecvPhase), 1);
    EXPECT_EQ(seL4_GetMR(seL4_CapFault_LookupFailureType), seL4_MissingCapability);
    seL4_Signal(na);
    EXPECT_EQ(own.woke, 1);
    EXPECT_EQ(own.badge, BADGE_A);
    EXPECT_EQ(w.woke, 0);
    st_reap(&tb);
    st_reap(&tw);
    EXPECT_INVARIANTS();
    TEST_END();
}

static void test_delete_bound(void)
{
    struct bound b = { 0 };
    rt_thread_t t, u;

    TEST_BEGIN("ipc2/deleting_either_side_unbinds");
    b.ep = st_new_object(&mem, seL4_EndpointObject);
    seL4_CPtr n = st_new_object(&mem, seL4_NotificationObject);
    seL4_CPtr n2 = st_new_object(&mem, seL4_NotificationObject);
    ASSERT_TRUE(b.ep != 0 && n != 0 && n2 != 0);
    ASSERT_TRUE(start_bound(&t, n, twice_receiver, &b));
    ASSERT_OK(seL4_CNode_Delete(ROOT_CNODE, n, DEPTH));
    EXPECT_INVARIANTS();
    EXPECT_EQ(b.stage, 0);                          /* still waiting on ep */
    ASSERT_OK(seL4_TCB_BindNotification(t.tcb, n2));    /* it is free to bind again */
    seL4_Send(b.ep, seL4_MessageInfo_new(MSG_LABEL, 0, 0, 0));
    EXPECT_EQ(b.stage, 2);
    EXPECT_EQ(b.label1, MSG_LABEL);
    st_reap(&t);                                    /* n2 is free again too */
    EXPECT_INVARIANTS();
    ASSERT_OK(st_thread_create(&mem, &u, HIGH_PRIO, 0));
    EXPECT_OK(seL4_TCB_BindNotification(u.tcb, n2));
    st_reap(&u);
    EXPECT_INVARIANTS();
    TEST_END();
}

static void test_signal_edges(void)
{
    struct waiter w = { 0 }, x = { 0 };
    rt_thread_t tw, tx;
    seL4_Word word;

    TEST_BEGIN("ipc2/signal_wait_poll_edges");
    seL4_CPtr n = st_new_object(&mem, seL4_NotificationObject);
    seL4_CPtr nb = st_mint(&mem, n, seL4_AllRights, BADGE_B);
    seL4_CPtr ro = st_mint(&mem, n, seL4_CapRights_new(0, 0, 1, 0), BADGE_A);
    ASSERT_TRUE(n != 0 && nb != 0 && ro != 0);
    /* An unbadged Signal makes a later Wait return at once, with 0. */
    seL4_Signal(n);
    w.ntfn = n;
    ASSERT_TRUE(st_spawn(&mem, &tw, HIGH_PRIO, 0, waiter, &w));
    EXPECT_EQ(w.woke, 1);
    EXPECT_EQ(w.badge, 0);
    /* Poll does not block and leaves a waiter alone. */
    x.ntfn = n;
    ASSERT_TRUE(st_spawn(&mem, &tx, HIGH_PRIO, 0, waiter, &x));
    word = 0xff;
    seL4_Poll(n, &word);
    EXPECT_EQ(word, 0);
    EXPECT_EQ(x.woke, 0);
    /* No Write right: the Signal is refused (dropped for Send). */
    seL4_Signal(ro);
    EXPECT_EQ(x.woke, 0);
    seL4_MessageInfo_t info = seL4_Call(ro, seL4_MessageInfo_new(0, 0, 0, 0));
    EXPECT_EQ(seL4_MessageInfo_get_label(info), seL4_InvalidCapability);
    EXPECT_EQ(x.woke, 0);
    /* Call on a notification signals and gets an empty reply. */
    info = seL4_Call(nb, seL4_MessageInfo_new(0x3, 0, 0, 0));
    EXPECT_EQ(seL4_MessageInfo_get_label(info), 0);
    EXPECT_EQ(seL4_MessageInfo_get_length(info), 0);
    EXPECT_EQ(x.woke, 1);
    EXPECT_EQ(x.badge, BADGE_B);
    /* Signals OR together; Wait and Poll clear. NBSend is a Signal too. */
    seL4_Signal(nb);
    seL4_NBSend(st_mint(&mem, n, seL4_AllRights, BADGE_A), seL4_MessageInfo_new(0, 0, 0, 0));
    seL4_Poll(n, &word);
    EXPECT_EQ(word, BADGE_A | BADGE_B);
    seL4_Poll(n, &word);
    EXPECT_EQ(word, 0);
    st_reap(&tw);
    st_reap(&tx);
    EXPECT_INVARIANTS();
    TEST_END();
}

static void test_wait_without_read(void)
{
    struct waiter w = { 0 };
    rt_thread_t t;
    seL4_Word badge;

    TEST_BEGIN("ipc2/wait_without_read_right_is_cap_fault");
    seL4_CPtr n = st_new_object(&mem, seL4_NotificationObject);
    seL4_CPtr fep = st_new_object(&mem, seL4_EndpointObject);
    ASSERT_TRUE(n != 0 && fep != 0);
    w.ntfn = st_mint(&mem, n, seL4_CanWrite, 0);
    ASSERT_NE(w.ntfn, 0);
    ASSERT_TRUE(st_spawn(&mem, &t, HIGH_PRIO, fep, waiter, &w));
    seL4_MessageInfo_t info = seL4_Recv(fep, &badge);
    EXPECT_EQ(seL4_MessageInfo_get_label(info), seL4_Fault_CapFault);
    EXPECT_EQ(seL4_GetMR(seL4_CapFault_Addr), w.ntfn);
    EXPECT_EQ(seL4_GetMR(seL4_CapFault_InRecvPhase), 1);
    EXPECT_EQ(w.woke, 0);
    st_reap(&t);
    EXPECT_INVARIANTS();
    TEST_END();
}

void ipc2_ntfn_tests(void)
{
    test_bound_wakes_endpoint_receiver();
    test_bound_pending_elsewhere();
    test_pending_beats_sender();
    test_bound_not_woken_from_call();
    test_bound_to_other_faults();
    test_delete_bound();
    test_signal_edges();
    test_wait_without_read();
}
