/*
 * Endpoint and notification queues are FIFO, whatever the priorities of
 * the waiting threads (seL4 non-MCS tcbEPAppend): the first thread to
 * block is the first served, and raising a blocked thread's priority does
 * not move it forward.
 */
#include "sched.h"
#include <systest.h>

#define N_WAITERS   3
#define LABEL_BASE  0x10

struct waiter {
    seL4_CPtr obj;
    seL4_Word id;
    volatile seL4_Word got;         /* label or badge received */
};

/* Sends its id in MR0, then logs it. */
static void sender(void *arg)
{
    struct waiter *w = arg;

    seL4_SetMR(0, w->id);
    seL4_Send(w->obj, seL4_MessageInfo_new(LABEL_BASE + w->id, 0, 0, 1));
    st_log_ev(w->id);
}

static void receiver(void *arg)
{
    struct waiter *w = arg;
    seL4_Word badge;

    w->got = seL4_MessageInfo_get_label(seL4_Recv(w->obj, &badge));
    st_log_ev(w->id);
}

static void ntfn_waiter(void *arg)
{
    struct waiter *w = arg;
    seL4_Word badge = 0;

    seL4_Wait(w->obj, &badge);
    w->got = badge;
    st_log_ev(w->id);
}

/* Priorities deliberately not in start order. */
static const seL4_Word waiter_prio[N_WAITERS] = { 110, 140, 120 };

static void test_senders_fifo(void)
{
    struct waiter w[N_WAITERS];
    rt_thread_t t[N_WAITERS];
    seL4_Word badge;

    TEST_BEGIN("sched/senders_served_fifo_not_by_priority");
    st_log_reset();
    seL4_CPtr ep = st_new_object(&mem, seL4_EndpointObject);
    ASSERT_NE(ep, 0);
    for (int i = 0; i < N_WAITERS; i++) {
        w[i] = (struct waiter){ ep, i + 1, 0 };
        /* each blocks at once */
        ASSERT_TRUE(st_spawn(&mem, &t[i], waiter_prio[i], 0, sender, &w[i]));
    }
    EXPECT_EQ(st_log_len(), 0);
    for (int i = 0; i < N_WAITERS; i++) {
        seL4_MessageInfo_t info = seL4_Recv(ep, &badge);
        EXPECT_EQ(seL4_GetMR(0), i + 1);
        EXPECT_EQ(seL4_MessageInfo_get_label(info), LABEL_BASE + i + 1);
        /* The woken sender outranks us: it ran before Recv returned. */
        EXPECT_EQ(st_log_len(), i + 1);
    }
    EXPECT_LOG(1, 2, 3);
    for (int i = 0; i < N_WAITERS; i++)
        st_reap(&t[i]);
    EXPECT_INVARIANTS();
    TEST_END();
}

static void test_receivers_fifo(void)
{
    struct waiter w[N_WAITERS];
    rt_thread_t t[N_WAITERS];

    TEST_BEGIN("sched/receivers_served_fifo_not_by_priority");
    st_log_reset();
    seL4_CPtr ep = st_new_object(&mem, seL4_EndpointObject);
    ASSERT_NE(ep, 0);
    for (int i = 0; i < N_WAITERS; i++) {
        w[i] = (struct waiter){ ep, i + 1, 0 };
        ASSERT_TRUE(st_spawn(&mem, &t[i], waiter_prio[i], 0, receiver, &w[i]));
    }
    for (int i = 0; i < N_WAITERS; i++) {
        seL4_Send(ep, seL4_MessageInfo_new(LABEL_BASE * (i + 2), 0, 0, 0));
        EXPECT_EQ(st_log_len(), i + 1);             /* higher receiver ran at once */
    }
    EXPECT_LOG(1, 2, 3);
    for (int i = 0; i < N_WAITERS; i++)
        EXPECT_EQ(w[i].got, LABEL_BASE * (i + 2));
    for (int i = 0; i < N_WAITERS; i++)
        st_reap(&t[i]);
    EXPECT_INVARIANTS();
    TEST_END();
}

static void test_ntfn_waiters_fifo(void)
{
    struct waiter w[N_WAITERS];
    rt_thread_t t[N_WAITERS];

    TEST_BEGIN("sched/notification_waiters_fifo_not_by_priority");
    st_log_reset();
    seL4_CPtr n = st_new_object(&mem, seL4_NotificationObject);
    ASSERT_NE(n, 0);
    seL4_CPtr b[N_WAITERS];
    for (int i = 0; i < N_WAITERS; i++) {
        b[i] = st_mint(&mem, n, seL4_AllRights, 1u << i);
        ASSERT_NE(b[i], 0);
        w[i] = (struct waiter){ n, i + 1, 0 };
        ASSERT_TRUE(st_spawn(&mem, &t[i], waiter_prio[i], 0, ntfn_waiter, &w[i]));
    }
    /* Signal 2 first: still the first waiter is woken, with badge 4. */
    seL4_Signal(b[2]);
    seL4_Signal(b[0]);
    seL4_Signal(b[1]);
    EXPECT_LOG(1, 2, 3);
    EXPECT_EQ(w[0].got, 4);
    EXPECT_EQ(w[1].got, 1);
    EXPECT_EQ(w[2].got, 2);
    seL4_Word word = 0xdead;
    seL4_Poll(n, &word);
    EXPECT_EQ(word, 0);                             /* each signal went to a waiter */
    /* Taking the last waiter left the notification Idle, not Waiting on an
     * empty queue: the next Signal is kept, not handed to a waiter. */
    seL4_Signal(b[1]);
    seL4_Poll(n, &word);
    EXPECT_EQ(word, 2);
    for (int i = 0; i < N_WAITERS; i++)
        st_reap(&t[i]);
    EXPECT_INVARIANTS();
    TEST_END();
}

/* Two waiting receivers at a low priority; the second one is raised while
 * it waits. Its place in the queue stays second. */
static void test_raise_blocked_keeps_place(void)
{
    struct waiter w[2];
    rt_thread_t t[2];

    TEST_BEGIN("sched/raising_a_blocked_receiver_keeps_queue_order");
    st_log_reset();
    seL4_CPtr ep = st_new_object(&mem, seL4_EndpointObject);
    ASSERT_NE(ep, 0);
    for (int i = 0; i < 2; i++) {
        w[i] = (struct waiter){ ep, i + 1, 0 };
        ASSERT_TRUE(st_spawn(&mem, &t[i], LOW_PRIO + 10, 0, receiver, &w[i]));
        st_park_root(PARK_PRIO, ROOT_PRIO);         /* it blocks in Recv */
    }
    EXPECT_EQ(st_log_len(), 0);
    ASSERT_OK(seL4_TCB_SetPriority(t[1].tcb, seL4_CapInitThreadTCB, HIGH_PRIO));
    EXPECT_EQ(st_log_len(), 0);                     /* blocked: nothing runs */
    seL4_Send(ep, seL4_MessageInfo_new(0x21, 0, 0, 0));
    EXPECT_EQ(st_log_len(), 0);                     /* went to the first, low one */
    EXPECT_EQ(w[0].got, 0);
    seL4_Send(ep, seL4_MessageInfo_new(0x22, 0, 0, 0));
    EXPECT_LOG(2);                                  /* the raised one ran at once */
    EXPECT_EQ(w[1].got, 0x22);
    st_park_root(PARK_PRIO, ROOT_PRIO);
    EXPECT_LOG(2, 1);
    EXPECT_EQ(w[0].got, 0x21);
    for (int i = 0; i < 2; i++)
        st_reap(&t[i]);
    EXPECT_INVARIANTS();
    TEST_END();
}

static void logger(void *arg)
{
    st_log_ev((seL4_Word)arg);
}

/* Resume (as rt_thread_start uses) puts a thread at the head of its ready
 * queue (seL4 restart: SCHED_ENQUEUE), so threads resumed below us run
 * last-resumed first. */
static void test_resumed_below_run_lifo(void)
{
    rt_thread_t t[N_WAITERS];

    TEST_BEGIN("sched/threads_resumed_below_run_last_resumed_first");
    st_log_reset();
    for (int i = 0; i < N_WAITERS; i++)
        ASSERT_TRUE(st_spawn(&mem, &t[i], LOW_PRIO, 0, logger, (void *)(seL4_Word)(i + 1)));
    EXPECT_EQ(st_log_len(), 0);
    st_park_root(PARK_PRIO, ROOT_PRIO);
    EXPECT_LOG(3, 2, 1);
    for (int i = 0; i < N_WAITERS; i++)
        st_reap(&t[i]);
    EXPECT_INVARIANTS();
    TEST_END();
}

void sched_queue_tests(void)
{
    test_resumed_below_run_lifo();
    test_senders_fifo();
    test_receivers_fifo();
    test_ntfn_waiters_fifo();
    test_raise_blocked_keeps_place();
}
