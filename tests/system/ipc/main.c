/*
 * System tests of IPC (kernel/endpoint.c, notification.c, transfer.c):
 * long messages through the IPC buffers, badges, Call/Reply with the
 * reply capability, capability transfer and unwrapping, notifications
 * (signal, poll, bound notifications), the Grant/GrantReply rule for
 * Call, and deleting an endpoint while a thread waits on it. The root
 * task lowers itself to ROOT_PRIO so that workers above it run as soon as
 * they are made runnable, and workers below it only when it blocks.
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
#define HIGH_PRIO   150
#define LOW_PRIO    50
#define BADGE_A     0x11
#define BADGE_B     0x240
#define LONG_LEN    100
#define LABEL       0x4321

static void start(rt_thread_t *t, seL4_Word prio, rt_thread_fn_t fn, void *arg)
{
    if (st_thread_create(&mem, t, prio, 0) != seL4_NoError ||
        rt_thread_start(t, fn, arg) != seL4_NoError)
        t->tcb = 0;
}

/* ---- long Call and Reply ---- */

struct echo_job {
    seL4_CPtr ep;
    volatile seL4_Word badge, label, len, sum;
};

/* Receives one Call and replies with the message reversed. */
static void echo_server(void *arg)
{
    struct echo_job *j = arg;
    seL4_Word badge = 0, n, tmp[LONG_LEN];
    seL4_MessageInfo_t info = seL4_Recv(j->ep, &badge);

    n = seL4_MessageInfo_get_length(info);
    j->badge = badge;
    j->label = seL4_MessageInfo_get_label(info);
    j->len = n;
    for (seL4_Word i = 0; i < n; i++) {
        tmp[i] = seL4_GetMR(i);
        j->sum += tmp[i];
    }
    for (seL4_Word i = 0; i < n; i++)
        seL4_SetMR(i, tmp[n - 1 - i]);
    seL4_Reply(seL4_MessageInfo_new(LABEL + 1, 0, 0, n));
}

static void test_long_call(void)
{
    struct echo_job j = { 0 };
    rt_thread_t t;
    seL4_Word want = 0;

    TEST_BEGIN("ipc/long_call_reply");
    j.ep = st_new_object(&mem, seL4_EndpointObject);
    seL4_CPtr badged = st_mint(&mem, j.ep, seL4_AllRights, BADGE_A);
    ASSERT_TRUE(j.ep != 0 && badged != 0);
    start(&t, HIGH_PRIO, echo_server, &j);          /* runs now, waits in Recv */
    ASSERT_NE(t.tcb, 0);
    for (seL4_Word i = 0; i < LONG_LEN; i++) {
        seL4_SetMR(i, i * 3 + 1);
        want += i * 3 + 1;
    }
    seL4_MessageInfo_t r = seL4_Call(badged, seL4_MessageInfo_new(LABEL, 0, 0, LONG_LEN));
    EXPECT_EQ(j.badge, BADGE_A);
    EXPECT_EQ(j.label, LABEL);
    EXPECT_EQ(j.len, LONG_LEN);
    EXPECT_EQ(j.sum, want);
    EXPECT_EQ(seL4_MessageInfo_get_label(r), LABEL + 1);
    EXPECT_EQ(seL4_MessageInfo_get_length(r), LONG_LEN);
    EXPECT_EQ(seL4_GetMR(0), (LONG_LEN - 1) * 3 + 1);
    EXPECT_EQ(seL4_GetMR(LONG_LEN - 1), 1);
    EXPECT_INVARIANTS();
    TEST_END();
}

/* ---- a blocked sender found by a later receiver ---- */

struct sender_job {
    seL4_CPtr ep;
    volatile int sent;
};

static void sender(void *arg)
{
    struct sender_job *j = arg;

    seL4_SetMR(0, 0xabc);
    seL4_SetMR(1, 0xdef);
    seL4_SetMR(2, 0x123);
    seL4_Send(j->ep, seL4_MessageInfo_new(7, 0, 0, 3));
    j->sent = 1;
}

static void test_send_then_recv(void)
{
    struct sender_job j = { 0, 0 };
    rt_thread_t t;
    seL4_Word badge = 0;

    TEST_BEGIN("ipc/blocked_send_then_recv");
    seL4_CPtr ep = st_new_object(&mem, seL4_EndpointObject);
    j.ep = st_mint(&mem, ep, seL4_AllRights, BADGE_B);
    ASSERT_TRUE(ep != 0 && j.ep != 0);
    start(&t, HIGH_PRIO, sender, &j);               /* blocks in Send */
    ASSERT_NE(t.tcb, 0);
    EXPECT_EQ(j.sent, 0);
    seL4_MessageInfo_t info = seL4_Recv(ep, &badge);  /* sender wakes and finishes first */
    EXPECT_EQ(j.sent, 1);
    EXPECT_EQ(badge, BADGE_B);
    EXPECT_EQ(seL4_MessageInfo_get_label(info), 7);
    EXPECT_EQ(seL4_MessageInfo_get_length(info), 3);
    EXPECT_EQ(seL4_GetMR(0), 0xabc);
    EXPECT_EQ(seL4_GetMR(1), 0xdef);
    EXPECT_EQ(seL4_GetMR(2), 0x123);
    /* NBSend with no receiver is dropped; NBRecv with no sender gets badge 0. */
    seL4_NBSend(j.ep, seL4_MessageInfo_new(1, 0, 0, 0));
    badge = 1;
    seL4_NBRecv(ep, &badge);
    EXPECT_EQ(badge, 0);
    EXPECT_INVARIANTS();
    TEST_END();
}

/* ---- capability transfer and unwrapping ---- */

struct cap_job {
    seL4_CPtr ep, recv_slot;
    volatile seL4_Word extra, unwrapped, badge0, tag;
};

static void cap_receiver(void *arg)
{
    struct cap_job *j = arg;
    seL4_Word badge;

    seL4_SetCapReceivePath(ROOT_CNODE, j->recv_slot, DEPTH);
    seL4_MessageInfo_t info = seL4_Recv(j->ep, &badge);
    j->extra = seL4_MessageInfo_get_extraCaps(info);
    j->unwrapped = seL4_MessageInfo_get_capsUnwrapped(info);
    j->badge0 = seL4_GetBadge(0);
    j->tag = seL4_DebugCapIdentify(j->recv_slot);
    seL4_Reply(seL4_MessageInfo_new(0, 0, 0, 0));
}

static void test_cap_transfer(void)
{
    struct cap_job j = { 0 };
    rt_thread_t t;

    TEST_BEGIN("ipc/cap_transfer_and_unwrap");
    SKIP_ON_RELEASE("seL4_DebugCapIdentify");
    j.ep = st_new_object(&mem, seL4_EndpointObject);
    j.recv_slot = st_slot(&mem);
    seL4_CPtr ntfn = st_new_object(&mem, seL4_NotificationObject);
    seL4_CPtr self_badged = st_mint(&mem, j.ep, seL4_AllRights, BADGE_A);
    ASSERT_TRUE(j.ep != 0 && j.recv_slot != 0 && ntfn != 0 && self_badged != 0);
    /* A notification cap travels into the receive slot. */
    start(&t, HIGH_PRIO, cap_receiver, &j);
    ASSERT_NE(t.tcb, 0);
    seL4_SetCap(0, ntfn);
    seL4_Call(j.ep, seL4_MessageInfo_new(0, 0, 1, 0));
    EXPECT_EQ(j.extra, 1);
    EXPECT_EQ(j.unwrapped, 0);
    EXPECT_EQ(j.tag, 6);                            /* seL4 tag: notification */
    /* A badged cap to the endpoint itself is unwrapped to its badge. */
    j.recv_slot = st_slot(&mem);
    start(&t, HIGH_PRIO, cap_receiver, &j);
    ASSERT_NE(t.tcb, 0);
    seL4_SetCap(0, self_badged);
    seL4_Call(j.ep, seL4_MessageInfo_new(0, 0, 1, 0));
    EXPECT_EQ(j.extra, 1);
    EXPECT_EQ(j.unwrapped, 1);
    EXPECT_EQ(j.badge0, BADGE_A);
    EXPECT_EQ(j.tag, 0);                            /* receive slot untouched */
    /* Without Grant no capability moves. */
    seL4_CPtr nogrant = st_mint(&mem, j.ep, seL4_CapRights_new(1, 0, 1, 1), 0);
    j.recv_slot = st_slot(&mem);
    ASSERT_NE(nogrant, 0);
    start(&t, HIGH_PRIO, cap_receiver, &j);
    seL4_SetCap(0, ntfn);
    seL4_Call(nogrant, seL4_MessageInfo_new(0, 0, 1, 0));
    EXPECT_EQ(j.extra, 0);
    EXPECT_EQ(j.tag, 0);
    EXPECT_INVARIANTS();
    TEST_END();
}

/* ---- Call through a capability without Grant or GrantReply ---- */

struct caller_job {
    seL4_CPtr ep;
    volatile int returned;
};

static void caller(void *arg)
{
    struct caller_job *j = arg;

    seL4_Call(j->ep, seL4_MessageInfo_new(0, 0, 0, 0));
    j->returned = 1;
}

static void test_call_without_grant(void)
{
    struct caller_job j = { 0, 0 };
    rt_thread_t t;
    seL4_Word badge;

    TEST_BEGIN("ipc/call_needs_grant_or_grant_reply");
    seL4_CPtr ep = st_new_object(&mem, seL4_EndpointObject);
    j.ep = st_mint(&mem, ep, seL4_CapRights_new(0, 0, 1, 1), 0);  /* read and write only */
    ASSERT_TRUE(ep != 0 && j.ep != 0);
    start(&t, HIGH_PRIO, caller, &j);                      /* blocks sending */
    ASSERT_NE(t.tcb, 0);
    seL4_Recv(ep, &badge);
    /* No reply capability was made: Reply does nothing, the caller stays stopped. */
    seL4_Reply(seL4_MessageInfo_new(0, 0, 0, 0));
    seL4_Yield();
    EXPECT_EQ(j.returned, 0);
    EXPECT_EQ(seL4_CNode_SaveCaller(ROOT_CNODE, st_slot(&mem), DEPTH), 0);
    EXPECT_INVARIANTS();
    TEST_END();
}

/* ---- notifications ---- */

struct waiter_job {
    seL4_CPtr ntfn, ep;
    volatile seL4_Word badge;
    volatile int woke;
};

static void bound_waiter(void *arg)
{
    struct waiter_job *j = arg;
    seL4_Word badge = 0;

    seL4_Recv(j->ep, &badge);       /* woken by a signal to the bound notification */
    j->badge = badge;
    j->woke = 1;
}

static void test_notifications(void)
{
    struct waiter_job j = { 0 };
    rt_thread_t t;
    seL4_Word word = 0;

    TEST_BEGIN("ipc/notification_signal_poll_bound");
    seL4_CPtr n = st_new_object(&mem, seL4_NotificationObject);
    seL4_CPtr a = st_mint(&mem, n, seL4_AllRights, BADGE_A);
    seL4_CPtr b = st_mint(&mem, n, seL4_AllRights, BADGE_B);
    ASSERT_TRUE(n != 0 && a != 0 && b != 0);
    seL4_Poll(n, &word);
    EXPECT_EQ(word, 0);
    seL4_Signal(a);
    seL4_Signal(b);
    seL4_Poll(n, &word);
    EXPECT_EQ(word, BADGE_A | BADGE_B);
    seL4_Poll(n, &word);
    EXPECT_EQ(word, 0);
    /* A thread waiting on an endpoint is woken by its bound notification. */
    j.ep = st_new_object(&mem, seL4_EndpointObject);
    ASSERT_NE(j.ep, 0);
    ASSERT_OK(st_thread_create(&mem, &t, HIGH_PRIO, 0));
    ASSERT_OK(seL4_TCB_BindNotification(t.tcb, n));
    EXPECT_ERR(seL4_TCB_BindNotification(t.tcb, n), seL4_IllegalOperation);
    ASSERT_OK(rt_thread_start(&t, bound_waiter, &j));
    EXPECT_EQ(j.woke, 0);
    seL4_Signal(b);
    EXPECT_EQ(j.woke, 1);
    EXPECT_EQ(j.badge, BADGE_B);
    /* Waiting on a notification bound to another thread is a CapFault;
     * signal before unbinding leaves the word pending. */
    EXPECT_OK(seL4_TCB_UnbindNotification(t.tcb));
    EXPECT_ERR(seL4_TCB_UnbindNotification(t.tcb), seL4_IllegalOperation);
    EXPECT_INVARIANTS();
    TEST_END();
}

/* ---- deleting an endpoint under a blocked thread ---- */

static void test_delete_endpoint_with_waiter(void)
{
    struct sender_job j = { 0, 0 };
    rt_thread_t t;

    TEST_BEGIN("ipc/delete_endpoint_restarts_waiter");
    j.ep = st_new_object(&mem, seL4_EndpointObject);
    ASSERT_NE(j.ep, 0);
    start(&t, HIGH_PRIO, sender, &j);               /* blocks in Send */
    ASSERT_NE(t.tcb, 0);
    EXPECT_EQ(j.sent, 0);
    /* The waiter re-runs its Send on an empty slot: refused, and it goes on. */
    ASSERT_OK(seL4_CNode_Delete(ROOT_CNODE, j.ep, DEPTH));
    EXPECT_EQ(j.sent, 1);
    EXPECT_INVARIANTS();
    TEST_END();
}

/* ---- deleting a thread that waits for a reply ---- */

static void test_delete_caller(void)
{
    struct caller_job j = { 0, 0 };
    rt_thread_t t;
    seL4_Word badge;

    TEST_BEGIN("ipc/delete_thread_blocked_on_reply");
    SKIP_ON_RELEASE("seL4_DebugCapIdentify");
    j.ep = st_new_object(&mem, seL4_EndpointObject);
    seL4_CPtr saved = st_slot(&mem);
    ASSERT_TRUE(j.ep != 0 && saved != 0);
    start(&t, HIGH_PRIO, caller, &j);
    ASSERT_NE(t.tcb, 0);
    seL4_Recv(j.ep, &badge);
    ASSERT_OK(seL4_CNode_SaveCaller(ROOT_CNODE, saved, DEPTH));
    EXPECT_EQ(seL4_DebugCapIdentify(saved), 8);      /* seL4 tag: reply */
    ASSERT_OK(seL4_CNode_Delete(ROOT_CNODE, t.tcb, DEPTH));
    EXPECT_EQ(seL4_DebugCapIdentify(saved), 0);      /* the reply cap went with it */
    EXPECT_EQ(j.returned, 0);
    EXPECT_INVARIANTS();
    TEST_END();
}

int main(bootinfo_t *bi)
{
    st_root_init(&mem, bi);
    seL4_TCB_SetPriority(seL4_CapInitThreadTCB, seL4_CapInitThreadTCB, ROOT_PRIO);
    test_long_call();
    test_send_then_recv();
    test_cap_transfer();
    test_call_without_grant();
    test_notifications();
    test_delete_endpoint_with_waiter();
    test_delete_caller();
    tests_done();
}
