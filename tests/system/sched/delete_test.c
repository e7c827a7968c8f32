/*
 * Deleting objects under blocked threads, and CancelBadgedSends (seL4
 * cancelAllIPC, cancelBadgedSends, cancelIPC via TCB finalisation).
 *
 * A deleted thread leaves every queue it was in and the rest keep their
 * order. A deleted endpoint or notification puts each waiter in Restart
 * and at the head of its ready queue, in queue order, so the last waiter
 * runs first: it re-executes its system call on an empty slot (a Send is
 * refused, a Recv is a CapFault). CancelBadgedSends does the same to the
 * senders that used one badge, and those block again behind the rest.
 */
#include "sched.h"
#include <abi/faults.h>
#include <systest.h>

#define N_THREADS   3
#define SEND_LABEL  0x31
#define FAULT_BADGE_BASE 0x40

struct snd {
    seL4_CPtr ep;
    seL4_Word id;
};

static void sender(void *arg)
{
    struct snd *s = arg;

    seL4_SetMR(0, s->id);
    seL4_Send(s->ep, seL4_MessageInfo_new(SEND_LABEL, 0, 0, 1));
    st_log_ev(s->id);
}

static void receiver(void *arg)
{
    struct snd *s = arg;
    seL4_Word badge;

    seL4_Recv(s->ep, &badge);
    st_log_ev(s->id);
}

static void test_delete_queued_tcbs(void)
{
    struct snd s[N_THREADS], r[N_THREADS];
    rt_thread_t ts[N_THREADS], tr[N_THREADS];
    seL4_Word badge;

    TEST_BEGIN("sched/delete_tcbs_queued_on_endpoint");
    st_log_reset();
    seL4_CPtr sep = st_new_object(&mem, seL4_EndpointObject);
    seL4_CPtr rep = st_new_object(&mem, seL4_EndpointObject);
    ASSERT_TRUE(sep != 0 && rep != 0);
    for (int i = 0; i < N_THREADS; i++) {
        s[i] = (struct snd){ sep, i + 1 };
        r[i] = (struct snd){ rep, 0x10 + i + 1 };
        ASSERT_TRUE(st_spawn(&mem, &ts[i], HIGH_PRIO, 0, sender, &s[i]));
        ASSERT_TRUE(st_spawn(&mem, &tr[i], HIGH_PRIO, 0, receiver, &r[i]));
    }
    st_reap(&ts[1]);                                /* the middle sender */
    st_reap(&tr[0]);                                /* head and tail receivers */
    st_reap(&tr[2]);
    EXPECT_INVARIANTS();
    seL4_Recv(sep, &badge);
    EXPECT_EQ(seL4_GetMR(0), 1);
    seL4_Recv(sep, &badge);
    EXPECT_EQ(seL4_GetMR(0), 3);
    seL4_Send(rep, seL4_MessageInfo_new(0, 0, 0, 0));
    EXPECT_LOG(1, 3, 0x12);
    badge = 0xff;
    seL4_NBRecv(sep, &badge);                       /* both queues are empty now */
    EXPECT_EQ(badge, 0);
    seL4_NBSend(rep, seL4_MessageInfo_new(0, 0, 0, 0));
    for (int i = 0; i < N_THREADS; i++) {
        st_reap(&ts[i]);
        st_reap(&tr[i]);
    }
    EXPECT_INVARIANTS();
    TEST_END();
}

static void test_delete_endpoint_senders(void)
{
    struct snd s[N_THREADS];
    rt_thread_t t[N_THREADS];

    TEST_BEGIN("sched/delete_endpoint_restarts_senders_last_first");
    st_log_reset();
    seL4_CPtr ep = st_new_object(&mem, seL4_EndpointObject);
    ASSERT_NE(ep, 0);
    for (int i = 0; i < N_THREADS; i++) {
        s[i] = (struct snd){ ep, i + 1 };
        ASSERT_TRUE(st_spawn(&mem, &t[i], HIGH_PRIO, 0, sender, &s[i]));
    }
    EXPECT_EQ(st_log_len(), 0);
    ASSERT_OK(seL4_CNode_Delete(ROOT_CNODE, ep, DEPTH));
    /* Each Send re-ran on the empty slot, was refused, and went on. */
    EXPECT_LOG(3, 2, 1);
    for (int i = 0; i < N_THREADS; i++)
        st_reap(&t[i]);
    EXPECT_INVARIANTS();
    TEST_END();
}

/* Receivers of a deleted endpoint fault on their restarted Recv; their
 * fault messages queue on the fault endpoint in their restart order. */
static void test_delete_endpoint_receivers(void)
{
    struct snd r[N_THREADS];
    rt_thread_t t[N_THREADS];
    seL4_Word badge;

    TEST_BEGIN("sched/delete_endpoint_receivers_cap_fault_last_first");
    st_log_reset();
    seL4_CPtr ep = st_new_object(&mem, seL4_EndpointObject);
    seL4_CPtr fep = st_new_object(&mem, seL4_EndpointObject);
    ASSERT_TRUE(ep != 0 && fep != 0);
    for (int i = 0; i < N_THREADS; i++) {
        seL4_CPtr f = st_mint(&mem, fep, seL4_AllRights, FAULT_BADGE_BASE + i);
        ASSERT_NE(f, 0);
        r[i] = (struct snd){ ep, i + 1 };
        ASSERT_TRUE(st_spawn(&mem, &t[i], HIGH_PRIO, f, receiver, &r[i]));
    }
    ASSERT_OK(seL4_CNode_Delete(ROOT_CNODE, ep, DEPTH));
    for (int i = N_THREADS - 1; i >= 0; i--) {
        seL4_MessageInfo_t info = seL4_Recv(fep, &badge);
        EXPECT_EQ(badge, FAULT_BADGE_BASE + i);
        EXPECT_EQ(seL4_MessageInfo_get_label(info), seL4_Fault_CapFault);
        EXPECT_EQ(seL4_GetMR(seL4_CapFault_Addr), ep);
        EXPECT_EQ(seL4_GetMR(seL4_CapFault_InRecvPhase), 1);
    }
    EXPECT_EQ(st_log_len(), 0);
    for (int i = 0; i < N_THREADS; i++)
        st_reap(&t[i]);
    EXPECT_INVARIANTS();
    TEST_END();
}

static void ntfn_waiter(void *arg)
{
    struct snd *s = arg;
    seL4_Word badge;

    seL4_Wait(s->ep, &badge);
    st_log_ev(s->id);
}

static void test_delete_notification_waiters(void)
{
    struct snd w[N_THREADS];
    rt_thread_t t[N_THREADS];
    seL4_Word badge;

    TEST_BEGIN("sched/delete_notification_waiters_cap_fault_last_first");
    st_log_reset();
    seL4_CPtr n = st_new_object(&mem, seL4_NotificationObject);
    seL4_CPtr fep = st_new_object(&mem, seL4_EndpointObject);
    ASSERT_TRUE(n != 0 && fep != 0);
    for (int i = 0; i < N_THREADS; i++) {
        seL4_CPtr f = st_mint(&mem, fep, seL4_AllRights, FAULT_BADGE_BASE + i);
        ASSERT_NE(f, 0);
        w[i] = (struct snd){ n, i + 1 };
        ASSERT_TRUE(st_spawn(&mem, &t[i], HIGH_PRIO, f, ntfn_waiter, &w[i]));
    }
    ASSERT_OK(seL4_CNode_Delete(ROOT_CNODE, n, DEPTH));
    for (int i = N_THREADS - 1; i >= 0; i--) {
        seL4_MessageInfo_t info = seL4_Recv(fep, &badge);
        EXPECT_EQ(badge, FAULT_BADGE_BASE + i);
        EXPECT_EQ(seL4_MessageInfo_get_label(info), seL4_Fault_CapFault);
        EXPECT_EQ(seL4_GetMR(seL4_CapFault_InRecvPhase), 1);
    }
    EXPECT_EQ(st_log_len(), 0);
    for (int i = 0; i < N_THREADS; i++)
        st_reap(&t[i]);
    EXPECT_INVARIANTS();
    TEST_END();
}

/* Senders 1..4 with badges A, B, A, C; cancelling A restarts 1 and 3,
 * 3 first (head-enqueued in queue order), and they queue up again. */
static void test_cancel_badged_sends(void)
{
    static const seL4_Word badge_of[] = { 0xa, 0xb, 0xa, 0xc };
    static const seL4_Word recv_order[] = { 2, 4, 3, 1 };
    enum { N = 4 };
    struct snd s[N];
    rt_thread_t t[N];
    seL4_CPtr caps[N];
    seL4_Word badge;

    TEST_BEGIN("sched/cancel_badged_sends_requeues_that_badge");
    st_log_reset();
    seL4_CPtr ep = st_new_object(&mem, seL4_EndpointObject);
    ASSERT_NE(ep, 0);
    for (int i = 0; i < N; i++) {
        caps[i] = st_mint(&mem, ep, seL4_AllRights, badge_of[i]);
        ASSERT_NE(caps[i], 0);
        s[i] = (struct snd){ caps[i], i + 1 };
        ASSERT_TRUE(st_spawn(&mem, &t[i], HIGH_PRIO, 0, sender, &s[i]));
    }
    /* Refused without all four rights; a no-op on an unbadged cap. */
    seL4_CPtr weak = st_mint(&mem, ep, seL4_CapRights_new(0, 1, 1, 1), badge_of[0]);
    ASSERT_NE(weak, 0);
    EXPECT_ERR(seL4_CNode_CancelBadgedSends(ROOT_CNODE, weak, DEPTH), seL4_IllegalOperation);
    EXPECT_OK(seL4_CNode_CancelBadgedSends(ROOT_CNODE, ep, DEPTH));
    EXPECT_OK(seL4_CNode_CancelBadgedSends(ROOT_CNODE, caps[0], DEPTH));
    EXPECT_EQ(st_log_len(), 0);                     /* they sent again and wait */
    for (int i = 0; i < N; i++) {
        seL4_Recv(ep, &badge);
        EXPECT_EQ(seL4_GetMR(0), recv_order[i]);
        EXPECT_EQ(badge, badge_of[recv_order[i] - 1]);
    }
    EXPECT_LOG(2, 4, 3, 1);
    for (int i = 0; i < N; i++)
        st_reap(&t[i]);
    EXPECT_INVARIANTS();
    TEST_END();
}

static void self_deleter(void *arg)
{
    seL4_CNode_Delete(ROOT_CNODE, *(seL4_CPtr *)arg, DEPTH);
    st_log_ev(0xbad);
}

static void test_self_delete(void)
{
    rt_thread_t t;
    seL4_CPtr self;

    TEST_BEGIN("sched/thread_deleting_its_own_tcb_stops");
    SKIP_ON_RELEASE("seL4_DebugCapIdentify");
    st_log_reset();
    ASSERT_OK(st_thread_create(&mem, &t, HIGH_PRIO, 0));
    self = t.tcb;
    ASSERT_OK(rt_thread_start(&t, self_deleter, &self));
    EXPECT_EQ(st_log_len(), 0);
    EXPECT_EQ(seL4_DebugCapIdentify(self), 0);
    st_park_root(PARK_PRIO, ROOT_PRIO);
    EXPECT_EQ(st_log_len(), 0);
    EXPECT_INVARIANTS();
    TEST_END();
}

struct caller {
    seL4_CPtr ep;
    volatile seL4_Word label;
};

static void caller(void *arg)
{
    struct caller *c = arg;

    c->label = seL4_MessageInfo_get_label(seL4_Call(c->ep, seL4_MessageInfo_new(1, 0, 0, 0)));
    st_log_ev(0xca11);
}

/* A caller waiting for its reply is in no endpoint queue: deleting the
 * endpoint leaves it alone and the reply still arrives. */
static void test_delete_endpoint_caller_on_reply(void)
{
    struct caller c = { 0, 0 };
    rt_thread_t t;
    seL4_Word badge;

    TEST_BEGIN("sched/delete_endpoint_spares_caller_waiting_for_reply");
    st_log_reset();
    c.ep = st_new_object(&mem, seL4_EndpointObject);
    ASSERT_NE(c.ep, 0);
    ASSERT_TRUE(st_spawn(&mem, &t, HIGH_PRIO, 0, caller, &c));
    seL4_Recv(c.ep, &badge);
    ASSERT_OK(seL4_CNode_Delete(ROOT_CNODE, c.ep, DEPTH));
    EXPECT_EQ(st_log_len(), 0);
    EXPECT_INVARIANTS();
    seL4_Reply(seL4_MessageInfo_new(0x42, 0, 0, 0));
    EXPECT_LOG(0xca11);
    EXPECT_EQ(c.label, 0x42);
    st_reap(&t);
    EXPECT_INVARIANTS();
    TEST_END();
}

void sched_delete_tests(void)
{
    test_self_delete();
    test_delete_endpoint_caller_on_reply();
    test_delete_queued_tcbs();
    test_delete_endpoint_senders();
    test_delete_endpoint_receivers();
    test_delete_notification_waiters();
    test_cancel_badged_sends();
}
