/*
 * System tests at the fastpath's boundaries (kernel/fastpath.c): each case
 * sits just inside or just outside one of its conditions, so that with
 * CONFIG_FASTPATH 1 one side goes fast and the other falls back, while the
 * kernel without the fastpath runs both slowly. Both kernels must give the
 * same results: message lengths around the two register words, extra
 * capabilities with and without Grant, badges and capsUnwrapped, the
 * scheduling decision with lower- and higher-priority partners, a deleted
 * endpoint, Grant versus GrantReply, a receiver without IPC buffer, a
 * saved reply capability and nested calls, fault delivery and replies,
 * `int $0x80` with replies of every length (the UnknownSyscall fastpath),
 * page faults (the VMFault fastpath: delivery, replies with and without
 * words and labels, and each fall-back: no receiver waiting, a handler of
 * lower priority, none with an IPC buffer, a fault endpoint that is not
 * one or lacks Grant and GrantReply), UserException replies of every length,
 * the eager FPU switch, also once the FPU's owner is deleted, and callers
 * whose CSpace root resolves all 32 bits at once or not.
 *
 * The root task runs at ROOT_PRIO; servers above it run as soon as they
 * are made runnable, a "mid" thread in between shows who runs next.
 */
#include <rt/rt.h>
#include <rt/test.h>
#include <rt/thread.h>
#include <rt/tls.h>
#include <sel4/sel4.h>
#include <string.h>
#include <systest.h>

static struct st_root mem;    /* what the tests allocate from */

#define ROOT_CNODE  seL4_CapInitThreadCNode
#define DEPTH       seL4_WordBits
#define ROOT_PRIO   100
#define HIGH_PRIO   150
#define MID_PRIO    80
#define LOW_PRIO    50
#define BADGE       0x5a5
#define LABEL       0x123
#define INSN_LEN_2  2
#define UNWRAPPED_ALL 7

static seL4_Error start(rt_thread_t *t, seL4_Word prio, seL4_CPtr fault_ep, rt_thread_fn_t fn, void *arg)
{
    seL4_Error e = st_thread_create(&mem, t, prio, fault_ep);
    return e != seL4_NoError ? e : rt_thread_start(t, fn, arg);
}

/* ---- an echo server: records what each Call brought, replies with it ---- */

struct echo {
    seL4_CPtr ep;
    volatile seL4_Word badge, info, mr[4];
    volatile int calls;
    volatile char log[16];
    volatile int nlog;
};

static void echo_log(struct echo *e, char c)
{
    if (e->nlog < (int)sizeof(e->log) - 1)
        e->log[e->nlog++] = c;
}

/* Replies to every call with its label + 1, its length and its first
 * words, through ReplyRecv (the fastpath's second half). */
static void echo_server(void *arg)
{
    struct echo *e = arg;
    seL4_Word badge;
    seL4_MessageInfo_t info = seL4_Recv(e->ep, &badge);

    for (;;) {
        seL4_Word n = seL4_MessageInfo_get_length(info);
        e->badge = badge;
        e->info = info.words[0];
        for (int i = 0; i < 4; i++)
            e->mr[i] = seL4_GetMR(i);
        e->calls++;
        echo_log(e, 'S');
        info = seL4_ReplyRecv(e->ep, seL4_MessageInfo_new(seL4_MessageInfo_get_label(info) + 1, 0, 0, n),
                              &badge);
    }
}

static void test_lengths(void)
{
    struct echo e = { 0 };
    rt_thread_t t;

    TEST_BEGIN("fastpath/lengths_around_two_words");
    e.ep = st_new_object(&mem, seL4_EndpointObject);
    ASSERT_NE(e.ep, 0);
    ASSERT_OK(start(&t, HIGH_PRIO, 0, echo_server, &e));
    for (seL4_Word len = 0; len <= 4; len++) {
        for (seL4_Word i = 0; i < 4; i++)
            seL4_SetMR(i, 0x100 * (len + 1) + i);
        seL4_MessageInfo_t r = seL4_Call(e.ep, seL4_MessageInfo_new(LABEL, 0, 0, len));
        EXPECT_EQ(seL4_MessageInfo_get_length((seL4_MessageInfo_t){ { e.info } }), len);
        EXPECT_EQ(seL4_MessageInfo_get_label((seL4_MessageInfo_t){ { e.info } }), LABEL);
        for (seL4_Word i = 0; i < len; i++)
            EXPECT_EQ(e.mr[i], 0x100 * (len + 1) + i);
        EXPECT_EQ(seL4_MessageInfo_get_label(r), LABEL + 1);
        EXPECT_EQ(seL4_MessageInfo_get_length(r), len);
        EXPECT_EQ(seL4_MessageInfo_get_extraCaps(r), 0);
        for (seL4_Word i = 0; i < len; i++)
            EXPECT_EQ(seL4_GetMR(i), 0x100 * (len + 1) + i);
    }
    EXPECT_EQ(e.calls, 5);
    seL4_TCB_Suspend(t.tcb);
    EXPECT_INVARIANTS();
    TEST_END();
}

/* Badge and capsUnwrapped: the receiver sees the badge, and no
 * capsUnwrapped bits a sender put in its tag. */
static void test_badge_and_unwrapped(void)
{
    struct echo e = { 0 };
    rt_thread_t t;

    TEST_BEGIN("fastpath/badge_and_caps_unwrapped");
    e.ep = st_new_object(&mem, seL4_EndpointObject);
    seL4_CPtr badged = st_mint(&mem, e.ep, seL4_AllRights, BADGE);
    ASSERT_TRUE(e.ep != 0 && badged != 0);
    ASSERT_OK(start(&t, HIGH_PRIO, 0, echo_server, &e));
    seL4_MessageInfo_t m = seL4_MessageInfo_new(LABEL, UNWRAPPED_ALL, 0, 1);
    seL4_SetMR(0, 9);
    seL4_MessageInfo_t r = seL4_Call(badged, m);
    EXPECT_EQ(e.badge, BADGE);
    EXPECT_EQ(seL4_MessageInfo_get_capsUnwrapped((seL4_MessageInfo_t){ { e.info } }), 0);
    EXPECT_EQ(seL4_MessageInfo_get_label((seL4_MessageInfo_t){ { e.info } }), LABEL);
    EXPECT_EQ(seL4_MessageInfo_get_capsUnwrapped(r), 0);
    r = seL4_Call(e.ep, m);                         /* unbadged: badge 0 */
    EXPECT_EQ(e.badge, 0);
    EXPECT_EQ(seL4_MessageInfo_get_length(r), 1);
    seL4_TCB_Suspend(t.tcb);
    EXPECT_INVARIANTS();
    TEST_END();
}

/* ---- capabilities in the message ---- */

struct capsrv {
    seL4_CPtr ep, slot;
    volatile seL4_Word info, badge0;
    volatile int got;
};

static void cap_server(void *arg)
{
    struct capsrv *c = arg;
    seL4_Word badge;

    for (;;) {
        seL4_SetCapReceivePath(ROOT_CNODE, c->slot, DEPTH);
        seL4_MessageInfo_t info = seL4_Recv(c->ep, &badge);
        c->info = info.words[0];
        c->badge0 = seL4_GetBadge(0);
        c->got++;
        seL4_Reply(seL4_MessageInfo_new(0, 0, 0, 0));
    }
}

static void test_caps(void)
{
    struct capsrv c = { 0 };
    rt_thread_t t;

    TEST_BEGIN("fastpath/extra_caps_with_and_without_grant");
    SKIP_ON_RELEASE("seL4_DebugCapIdentify");
    c.ep = st_new_object(&mem, seL4_EndpointObject);
    c.slot = st_slot(&mem);
    seL4_CPtr ntfn = st_new_object(&mem, seL4_NotificationObject);
    /* GrantReply, R, W */
    seL4_CPtr no_grant = st_mint(&mem, c.ep, seL4_CapRights_new(1, 0, 1, 1), 0);
    seL4_CPtr self_badged = st_mint(&mem, c.ep, seL4_AllRights, BADGE);
    ASSERT_TRUE(c.ep && c.slot && ntfn && no_grant && self_badged);
    ASSERT_OK(start(&t, HIGH_PRIO, 0, cap_server, &c));
    /* With Grant: the capability arrives in the receive slot. */
    seL4_SetCap(0, ntfn);
    seL4_Call(c.ep, seL4_MessageInfo_new(0, 0, 1, 0));
    EXPECT_EQ(seL4_MessageInfo_get_extraCaps((seL4_MessageInfo_t){ { c.info } }), 1);
    EXPECT_EQ(seL4_DebugCapIdentify(c.slot), seL4_DebugCapIdentify(ntfn));
    EXPECT_OK(seL4_CNode_Delete(ROOT_CNODE, c.slot, DEPTH));
    /* Without Grant: the message arrives, the capability does not. */
    seL4_SetCap(0, ntfn);
    seL4_Call(no_grant, seL4_MessageInfo_new(0, 0, 1, 0));
    EXPECT_EQ(c.got, 2);
    EXPECT_EQ(seL4_MessageInfo_get_extraCaps((seL4_MessageInfo_t){ { c.info } }), 0);
    EXPECT_EQ(seL4_DebugCapIdentify(c.slot), 0);
    /* The endpoint's own capability is unwrapped to its badge. */
    seL4_SetCap(0, self_badged);
    seL4_Call(c.ep, seL4_MessageInfo_new(0, 0, 1, 0));
    EXPECT_EQ(seL4_MessageInfo_get_capsUnwrapped((seL4_MessageInfo_t){ { c.info } }), 1);
    EXPECT_EQ(c.badge0, BADGE);
    seL4_TCB_Suspend(t.tcb);
    EXPECT_INVARIANTS();
    TEST_END();
}

/* ---- who runs next ---- */

static struct {
    volatile char log[32];
    volatile int n;
    seL4_CPtr ep, mid_ntfn, done;
    volatile int signal_mid;
} ord;

static void ord_log(char c)
{
    if (ord.n < (int)sizeof(ord.log) - 1)
        ord.log[ord.n++] = c;
}

/* Logs 'M' when it starts and each time it is signalled. */
static void mid_thread(void *arg)
{
    (void)arg;
    for (;;) {
        ord_log('M');
        seL4_Wait(ord.mid_ntfn, NULL);
    }
}

/* Logs 'S' per call; signals the mid thread before replying if asked. */
static void ord_server(void *arg)
{
    seL4_Word badge;
    (void)arg;
    seL4_Recv(ord.ep, &badge);
    for (;;) {
        ord_log('S');
        if (ord.signal_mid)
            seL4_Signal(ord.mid_ntfn);
        seL4_ReplyRecv(ord.ep, seL4_MessageInfo_new(0, 0, 0, 0), &badge);
    }
}

static void ord_worker(void *arg)
{
    (void)arg;
    seL4_Call(ord.ep, seL4_MessageInfo_new(0, 0, 0, 0));
    ord_log('W');
    seL4_Signal(ord.done);
}

static int log_is(const char *want)
{
    return ord.n == (int)strlen(want) && memcmp((const char *)ord.log, want, ord.n) == 0;
}

/* A Call to a server below the caller runs a ready thread between them
 * first; a reply to a caller below the server likewise. */
static void test_priorities(void)
{
    rt_thread_t srv, mid, w;

    TEST_BEGIN("fastpath/lower_priority_partners_wait_their_turn");
    memset((void *)&ord, 0, sizeof(ord));
    ord.ep = st_new_object(&mem, seL4_EndpointObject);
    ord.mid_ntfn = st_new_object(&mem, seL4_NotificationObject);
    ord.done = st_new_object(&mem, seL4_NotificationObject);
    ASSERT_TRUE(ord.ep && ord.mid_ntfn && ord.done);
    ASSERT_OK(start(&srv, HIGH_PRIO, 0, ord_server, NULL));     /* now waits in Recv */
    ASSERT_OK(seL4_TCB_SetPriority(srv.tcb, seL4_CapInitThreadTCB, LOW_PRIO));
    ASSERT_OK(start(&mid, MID_PRIO, 0, mid_thread, NULL));      /* ready, not yet run */
    seL4_Call(ord.ep, seL4_MessageInfo_new(0, 0, 0, 0));        /* mid runs before srv */
    EXPECT_TRUE(log_is("MS"));
    seL4_Call(ord.ep, seL4_MessageInfo_new(0, 0, 0, 0));        /* nothing in between */
    EXPECT_TRUE(log_is("MSS"));
    /* A higher-priority server answers a lower-priority caller while the
     * mid thread it woke is ready: mid first. */
    ASSERT_OK(seL4_TCB_SetPriority(srv.tcb, seL4_CapInitThreadTCB, HIGH_PRIO));
    ord.n = 0;
    ord.signal_mid = 1;
    ASSERT_OK(start(&w, LOW_PRIO + 10, 0, ord_worker, NULL));
    seL4_Wait(ord.done, NULL);
    EXPECT_TRUE(log_is("SMW"));
    ord.signal_mid = 0;
    ord.n = 0;
    ASSERT_OK(start(&w, LOW_PRIO + 10, 0, ord_worker, NULL));
    seL4_Wait(ord.done, NULL);
    EXPECT_TRUE(log_is("SW"));
    seL4_TCB_Suspend(srv.tcb);
    seL4_TCB_Suspend(mid.tcb);
    EXPECT_INVARIANTS();
    TEST_END();
}

/* ---- rights: Grant, GrantReply, neither; a deleted endpoint ---- */

struct rsrv {
    seL4_CPtr ep;
    volatile int got;
    volatile seL4_Word badge;
};

static void once_server(void *arg)
{
    struct rsrv *r = arg;
    seL4_Word badge;

    for (;;) {
        seL4_Recv(r->ep, &badge);
        r->badge = badge;
        r->got++;
        seL4_Reply(seL4_MessageInfo_new(LABEL, 0, 0, 0));
    }
}

struct caller_job {
    seL4_CPtr cap;
    volatile int returned;
    volatile seL4_Word label;
};

static void caller_thread(void *arg)
{
    struct caller_job *j = arg;
    seL4_MessageInfo_t r = seL4_Call(j->cap, seL4_MessageInfo_new(0, 0, 0, 0));
    j->label = seL4_MessageInfo_get_label(r);
    j->returned = 1;
    seL4_TCB_Suspend(rt_tls_self()->tcb);
}

static void test_rights(void)
{
    struct rsrv r = { 0 };
    struct caller_job j1 = { 0 }, j2 = { 0 }, j3 = { 0 };
    rt_thread_t srv, c1, c2, c3;

    TEST_BEGIN("fastpath/grant_grantreply_neither");
    r.ep = st_new_object(&mem, seL4_EndpointObject);
    j1.cap = st_mint(&mem, r.ep, seL4_CapRights_new(0, 1, 0, 1), 1);  /* Grant, W */
    j2.cap = st_mint(&mem, r.ep, seL4_CapRights_new(1, 0, 0, 1), 2);  /* GrantReply, W */
    j3.cap = st_mint(&mem, r.ep, seL4_CapRights_new(0, 0, 0, 1), 3);  /* W only */
    ASSERT_TRUE(r.ep && j1.cap && j2.cap && j3.cap);
    ASSERT_OK(start(&srv, HIGH_PRIO, 0, once_server, &r));
    ASSERT_OK(start(&c1, HIGH_PRIO, 0, caller_thread, &j1));
    ASSERT_OK(start(&c2, HIGH_PRIO, 0, caller_thread, &j2));
    ASSERT_OK(start(&c3, HIGH_PRIO, 0, caller_thread, &j3));
    EXPECT_EQ(r.got, 3);
    EXPECT_EQ(r.badge, 3);
    EXPECT_TRUE(j1.returned && j1.label == LABEL);
    EXPECT_TRUE(j2.returned && j2.label == LABEL);
    EXPECT_FALSE(j3.returned);                  /* no reply capability: Inactive */
    seL4_TCB_Suspend(srv.tcb);
    seL4_TCB_Suspend(c3.tcb);
    EXPECT_INVARIANTS();
    TEST_END();
}

static void test_deleted_endpoint(void)
{
    struct rsrv r = { 0 };
    struct caller_job j = { 0 };
    rt_thread_t srv, c;

    TEST_BEGIN("fastpath/call_on_deleted_endpoint");
    r.ep = st_new_object(&mem, seL4_EndpointObject);
    j.cap = st_mint(&mem, r.ep, seL4_AllRights, 0);
    ASSERT_TRUE(r.ep && j.cap);
    ASSERT_OK(start(&srv, HIGH_PRIO, 0, once_server, &r));   /* waits on r.ep */
    ASSERT_OK(seL4_CNode_Delete(ROOT_CNODE, j.cap, DEPTH));  /* the caller's copy goes */
    ASSERT_OK(start(&c, HIGH_PRIO, 0, caller_thread, &j));   /* an empty slot: error reply */
    EXPECT_EQ(r.got, 0);
    EXPECT_TRUE(j.returned);
    EXPECT_EQ(j.label, seL4_InvalidCapability);
    /* Deleting the last capability restarts the waiting server, whose
     * Recv then faults on the empty slot (no handler: it stops). */
    ASSERT_OK(seL4_CNode_Delete(ROOT_CNODE, r.ep, DEPTH));
    EXPECT_EQ(r.got, 0);
    seL4_TCB_Suspend(srv.tcb);
    EXPECT_INVARIANTS();
    TEST_END();
}

/* ---- a receiver without IPC buffer ---- */

static struct {
    seL4_CPtr ep;
    volatile seL4_Word info, mr0, mr1;
    volatile int got;
} nb;

/* Echoes through registers only: MR0 + 1, MR1 + 1, the length it got. */
static void nobuf_server(void *arg)
{
    seL4_Word badge, mr0, mr1;
    (void)arg;
    seL4_MessageInfo_t info = seL4_RecvWithMRs(nb.ep, &badge, &mr0, &mr1);
    for (;;) {
        nb.info = info.words[0];
        nb.mr0 = mr0;
        nb.mr1 = mr1;
        nb.got++;
        mr0++;
        mr1++;
        info = seL4_ReplyRecvWithMRs(nb.ep, seL4_MessageInfo_new(0, 0, 0, 2), &badge, &mr0, &mr1);
    }
}

static void test_no_ipc_buffer(void)
{
    rt_thread_t t;

    TEST_BEGIN("fastpath/receiver_without_ipc_buffer");
    nb.ep = st_new_object(&mem, seL4_EndpointObject);
    ASSERT_NE(nb.ep, 0);
    ASSERT_OK(st_thread_create(&mem, &t, HIGH_PRIO, 0));
    ASSERT_OK(seL4_TCB_SetIPCBuffer(t.tcb, 0, seL4_CapNull));
    ASSERT_OK(rt_thread_start(&t, nobuf_server, NULL));
    for (seL4_Word len = 2; len <= 3; len++) {
        seL4_Word a = 11, b = 22;
        seL4_SetMR(2, 33);
        seL4_MessageInfo_t r = seL4_CallWithMRs(nb.ep, seL4_MessageInfo_new(LABEL, 0, 0, len), &a, &b);
        EXPECT_EQ(nb.got, (int)len - 1);
        EXPECT_EQ(seL4_MessageInfo_get_length((seL4_MessageInfo_t){ { nb.info } }), 2);
        EXPECT_EQ(nb.mr0, 11);
        EXPECT_EQ(nb.mr1, 22);
        EXPECT_EQ(seL4_MessageInfo_get_length(r), 2);
        EXPECT_EQ(a, 12);
        EXPECT_EQ(b, 23);
    }
    seL4_TCB_Suspend(t.tcb);
    EXPECT_INVARIANTS();
    TEST_END();
}

/* ---- saved and nested replies ---- */

static struct {
    seL4_CPtr ep, ep2, saved;
    volatile int stage;
} nest;

/* Inner server: answers with label 2. */
static void inner_server(void *arg)
{
    seL4_Word badge;
    (void)arg;
    seL4_Recv(nest.ep2, &badge);
    for (;;)
        seL4_ReplyRecv(nest.ep2, seL4_MessageInfo_new(2, 0, 0, 0), &badge);
}

/* Outer server: on a call, calls the inner server first (its own caller
 * slot occupied), then saves the reply capability, does a ReplyRecv with
 * no reply capability, and finally answers through the saved one. */
static void outer_server(void *arg)
{
    seL4_Word badge;
    (void)arg;
    seL4_Recv(nest.ep, &badge);
    seL4_MessageInfo_t r = seL4_Call(nest.ep2, seL4_MessageInfo_new(0, 0, 0, 0));
    nest.stage = (int)seL4_MessageInfo_get_label(r);
    seL4_CNode_SaveCaller(ROOT_CNODE, nest.saved, DEPTH);
    seL4_Send(nest.saved, seL4_MessageInfo_new(3, 0, 0, 0));
    seL4_ReplyRecv(nest.ep, seL4_MessageInfo_new(4, 0, 0, 0), &badge);   /* nothing to reply to */
    nest.stage = 5;
    seL4_ReplyRecv(nest.ep, seL4_MessageInfo_new(6, 0, 0, 0), &badge);
    for (;;)
        seL4_Recv(nest.ep, &badge);
}

static void test_nested_and_saved(void)
{
    rt_thread_t o, i;

    TEST_BEGIN("fastpath/nested_call_and_saved_reply");
    nest.ep = st_new_object(&mem, seL4_EndpointObject);
    nest.ep2 = st_new_object(&mem, seL4_EndpointObject);
    nest.saved = st_slot(&mem);
    ASSERT_TRUE(nest.ep && nest.ep2 && nest.saved);
    ASSERT_OK(start(&i, HIGH_PRIO, 0, inner_server, NULL));
    ASSERT_OK(start(&o, HIGH_PRIO, 0, outer_server, NULL));
    seL4_MessageInfo_t r = seL4_Call(nest.ep, seL4_MessageInfo_new(1, 0, 0, 0));
    EXPECT_EQ(nest.stage, 2);
    EXPECT_EQ(seL4_MessageInfo_get_label(r), 3);
    r = seL4_Call(nest.ep, seL4_MessageInfo_new(1, 0, 0, 0));
    EXPECT_EQ(nest.stage, 5);
    EXPECT_EQ(seL4_MessageInfo_get_label(r), 6);
    seL4_TCB_Suspend(o.tcb);
    seL4_TCB_Suspend(i.tcb);
    EXPECT_INVARIANTS();
    TEST_END();
}

/* ---- faults: delivery and replies ---- */

struct fjob {
    volatile seL4_Word eax;
    volatile int done;
};

static void int80_thread(void *arg)
{
    struct fjob *j = arg;
    seL4_Word r;

    __asm__ volatile("int $0x80" : "=a"(r) : "a"(LABEL) : "memory");
    j->eax = r;
    j->done = 1;
    seL4_TCB_Suspend(rt_tls_self()->tcb);
}

static void ud2_thread(void *arg)
{
    struct fjob *j = arg;

    __asm__ volatile("ud2" ::: "memory");
    j->done = 1;
    seL4_TCB_Suspend(rt_tls_self()->tcb);
}

/* Handler replies in several ways: full (EAX and FaultIP set), too short
 * to move FaultIP (the int re-runs and faults again), label != 0 (the
 * thread stops); a ud2 answered with EIP only. */
static void test_fault_replies(void)
{
    struct fjob j = { 0 }, k = { 0 };
    rt_thread_t t, u;
    seL4_Word badge, mr[seL4_UnknownSyscall_Length];
    seL4_CPtr ep = st_new_object(&mem, seL4_EndpointObject);
    seL4_CPtr fep = st_mint(&mem, ep, seL4_CapRights_new(1, 0, 0, 1), BADGE); /* GrantReply, W */

    TEST_BEGIN("fastpath/fault_delivery_and_replies");
    ASSERT_TRUE(ep && fep);
    ASSERT_OK(start(&t, HIGH_PRIO, fep, int80_thread, &j));
    seL4_MessageInfo_t info = seL4_Recv(ep, &badge);
    EXPECT_EQ(badge, BADGE);
    EXPECT_EQ(seL4_MessageInfo_get_label(info), seL4_Fault_UnknownSyscall);
    EXPECT_EQ(seL4_MessageInfo_get_length(info), seL4_UnknownSyscall_Length);
    EXPECT_EQ(seL4_GetMR(seL4_UnknownSyscall_EAX), LABEL);
    for (int i = 0; i < seL4_UnknownSyscall_Length; i++)
        mr[i] = seL4_GetMR(i);
    /* Short reply (EAX only): EIP stays at the int, which faults again. */
    seL4_SetMR(0, 7);
    info = seL4_ReplyRecv(ep, seL4_MessageInfo_new(0, 0, 0, 1), &badge);
    EXPECT_EQ(seL4_MessageInfo_get_label(info), seL4_Fault_UnknownSyscall);
    EXPECT_EQ(seL4_GetMR(seL4_UnknownSyscall_EAX), 7);
    EXPECT_EQ(seL4_GetMR(seL4_UnknownSyscall_FaultIP), mr[seL4_UnknownSyscall_FaultIP]);
    EXPECT_EQ(j.done, 0);
    /* Full reply: EAX and FaultIP + 2. */
    for (int i = 0; i < seL4_UnknownSyscall_Syscall; i++)
        seL4_SetMR(i, seL4_GetMR(i));
    seL4_SetMR(seL4_UnknownSyscall_EAX, 99);
    seL4_SetMR(seL4_UnknownSyscall_FaultIP, mr[seL4_UnknownSyscall_FaultIP] + INSN_LEN_2);
    seL4_Reply(seL4_MessageInfo_new(0, 0, 0, seL4_UnknownSyscall_Syscall));
    EXPECT_EQ(j.done, 1);
    EXPECT_EQ(j.eax, 99);
    /* A reply with a label stops the thread; the ReplyRecv then takes the
     * UserException of a ud2 thread already waiting to send it. */
    memset(&j, 0, sizeof(j));
    ASSERT_OK(start(&t, HIGH_PRIO, fep, int80_thread, &j));
    info = seL4_Recv(ep, &badge);
    EXPECT_EQ(seL4_MessageInfo_get_label(info), seL4_Fault_UnknownSyscall);
    ASSERT_OK(start(&u, HIGH_PRIO, fep, ud2_thread, &k));
    info = seL4_ReplyRecv(ep, seL4_MessageInfo_new(1, 0, 0, 0), &badge);
    EXPECT_EQ(j.done, 0);
    EXPECT_EQ(seL4_MessageInfo_get_label(info), seL4_Fault_UserException);
    EXPECT_EQ(seL4_MessageInfo_get_length(info), seL4_UserException_Length);
    EXPECT_EQ(seL4_GetMR(seL4_UserException_Number), 6);
    /* EIP only. */
    seL4_SetMR(0, seL4_GetMR(0) + INSN_LEN_2);
    seL4_Reply(seL4_MessageInfo_new(0, 0, 0, 1));
    EXPECT_EQ(k.done, 1);
    seL4_TCB_Suspend(t.tcb);
    EXPECT_INVARIANTS();
    TEST_END();
}

/* A handler without IPC buffer gets only the two register words. */
static struct {
    seL4_CPtr ep;
    volatile seL4_Word info, mr0;
    volatile int got;
} fh;

static void nobuf_handler(void *arg)
{
    seL4_Word badge, mr0, mr1;
    (void)arg;
    seL4_MessageInfo_t info = seL4_RecvWithMRs(fh.ep, &badge, &mr0, &mr1);
    fh.info = info.words[0];
    fh.mr0 = mr0;
    fh.got = 1;
    for (;;)
        seL4_RecvWithMRs(fh.ep, &badge, &mr0, &mr1);
}

static void test_fault_handler_without_buffer(void)
{
    struct fjob j = { 0 };
    rt_thread_t h, t;

    TEST_BEGIN("fastpath/fault_handler_without_ipc_buffer");
    fh.ep = st_new_object(&mem, seL4_EndpointObject);
    ASSERT_NE(fh.ep, 0);
    ASSERT_OK(st_thread_create(&mem, &h, HIGH_PRIO, 0));
    ASSERT_OK(seL4_TCB_SetIPCBuffer(h.tcb, 0, seL4_CapNull));
    ASSERT_OK(rt_thread_start(&h, nobuf_handler, NULL));
    ASSERT_OK(start(&t, HIGH_PRIO, fh.ep, int80_thread, &j));
    EXPECT_EQ(fh.got, 1);
    EXPECT_EQ(seL4_MessageInfo_get_label((seL4_MessageInfo_t){ { fh.info } }), seL4_Fault_UnknownSyscall);
    EXPECT_EQ(seL4_MessageInfo_get_length((seL4_MessageInfo_t){ { fh.info } }), 2);
    EXPECT_EQ(fh.mr0, LABEL);
    seL4_TCB_Suspend(t.tcb);
    seL4_TCB_Suspend(h.tcb);
    EXPECT_INVARIANTS();
    TEST_END();
}

/* ---- VMFault (fastpath_vm_fault and the fault reply): a thread reads
 * and writes pages its handler maps on demand. It loads known values into
 * EBX and ESI first and records them after: a VMFault reply, whatever
 * words it carries, sets no register. ---- */

#define VM_EBX      0x0b0b0b0bu
#define VM_ESI      0x05151515u
#define VM_JUNK     0xdeadbeefu
#define VM_VALUE    0x5a5a
#define PF_USER     0x4u            /* page-fault error code: user mode */
#define PF_WRITE    0x2u            /* ... a write */
#define PAGE_WORDS  ((1u << seL4_PageBits) / sizeof(seL4_Word))

struct vmjob {
    seL4_Word *page;                /* two pages, unmapped until the handler maps them */
    volatile seL4_Word val, ebx, esi;
    volatile int done;
};

extern const char vm_read_insn[], vm_write_insn[];

static void vm_touch_thread(void *arg)
{
    struct vmjob *j = arg;
    seL4_Word v, b = VM_EBX, s = VM_ESI;

    __asm__ volatile(".globl vm_read_insn\nvm_read_insn: movl (%[a]), %[v]"
                     : [v] "=&d"(v), "+b"(b), "+S"(s) : [a] "c"(j->page) : "memory");
    j->val = v;
    j->ebx = b;
    j->esi = s;
    __asm__ volatile(".globl vm_write_insn\nvm_write_insn: movl %[v], (%[a])"
                     : : [v] "d"(v), [a] "c"(j->page + PAGE_WORDS) : "memory");
    j->done = 1;
    seL4_TCB_Suspend(rt_tls_self()->tcb);
}

/* The VMFault message from a Recv or ReplyRecv that returned info. */
static void expect_vm_fault(seL4_MessageInfo_t info, seL4_Word badge, const char *ip, void *addr,
                            seL4_Word fsr)
{
    EXPECT_EQ(badge, BADGE);
    EXPECT_EQ(seL4_MessageInfo_get_label(info), seL4_Fault_VMFault);
    EXPECT_EQ(seL4_MessageInfo_get_length(info), seL4_VMFault_Length);
    EXPECT_EQ(seL4_GetMR(seL4_VMFault_IP), (seL4_Word)ip);
    EXPECT_EQ(seL4_GetMR(seL4_VMFault_Addr), (seL4_Word)addr);
    EXPECT_EQ(seL4_GetMR(seL4_VMFault_PrefetchFault), 0);
    EXPECT_EQ(seL4_GetMR(seL4_VMFault_FSR), fsr);
}

static seL4_Error vm_map(seL4_CPtr frame, void *page)
{
    return seL4_X86_Page_Map(frame, seL4_CapInitThreadVSpace, (seL4_Word)page, seL4_ReadWrite,
                             seL4_X86_Default_VMAttributes);
}

/* Let the threads below us run until they block (we drop below them). */
static void let_lower_run(void)
{
    seL4_TCB_SetPriority(seL4_CapInitThreadTCB, seL4_CapInitThreadTCB, LOW_PRIO - 1);
    seL4_TCB_SetPriority(seL4_CapInitThreadTCB, seL4_CapInitThreadTCB, ROOT_PRIO);
}

/* Two unmapped pages behind j->page, their frames in frames[0..2). */
static int vm_setup(struct vmjob *j, seL4_CPtr frames[2])
{
    memset(j, 0, sizeof(*j));
    j->page = st_pages(&mem, 2, frames);
    if (j->page == NULL)
        return 0;
    j->page[0] = VM_VALUE;
    return seL4_X86_Page_Unmap(frames[0]) == seL4_NoError &&
           seL4_X86_Page_Unmap(frames[1]) == seL4_NoError;
}

/* The handler (the root task) waits before each fault, so every fault is
 * delivered on the fastpath, and answers with ReplyRecv: empty (the read
 * faults again), with four words of junk and label 0 (likewise, and no
 * register changes), then with the page mapped and a non-zero label (a
 * VMFault restarts whatever the label). */
static void test_vm_fault_replies(void)
{
    struct vmjob j;
    seL4_CPtr frames[2];
    rt_thread_t t;
    seL4_Word badge;
    seL4_CPtr ep = st_new_object(&mem, seL4_EndpointObject);
    seL4_CPtr fep = st_mint(&mem, ep, seL4_CapRights_new(1, 0, 0, 1), BADGE); /* GrantReply, W */

    TEST_BEGIN("fastpath/vm_fault_delivery_and_replies");
    ASSERT_TRUE(ep && fep);
    ASSERT_TRUE(vm_setup(&j, frames));
    ASSERT_OK(start(&t, LOW_PRIO, fep, vm_touch_thread, &j));
    seL4_MessageInfo_t info = seL4_Recv(ep, &badge);
    expect_vm_fault(info, badge, vm_read_insn, j.page, PF_USER);
    info = seL4_ReplyRecv(ep, seL4_MessageInfo_new(0, 0, 0, 0), &badge);
    expect_vm_fault(info, badge, vm_read_insn, j.page, PF_USER);
    for (int i = 0; i < seL4_VMFault_Length; i++)
        seL4_SetMR(i, VM_JUNK);
    info = seL4_ReplyRecv(ep, seL4_MessageInfo_new(0, 0, 0, seL4_VMFault_Length), &badge);
    expect_vm_fault(info, badge, vm_read_insn, j.page, PF_USER);
    EXPECT_EQ(j.done, 0);
    ASSERT_OK(vm_map(frames[0], j.page));
    seL4_SetMR(0, VM_JUNK);
    info = seL4_ReplyRecv(ep, seL4_MessageInfo_new(LABEL, 0, 0, 1), &badge);
    expect_vm_fault(info, badge, vm_write_insn, j.page + PAGE_WORDS, PF_USER | PF_WRITE);
    EXPECT_EQ(j.val, VM_VALUE);
    EXPECT_EQ(j.ebx, VM_EBX);
    EXPECT_EQ(j.esi, VM_ESI);
    ASSERT_OK(vm_map(frames[1], j.page + PAGE_WORDS));
    seL4_Reply(seL4_MessageInfo_new(0, 0, 0, 0));
    let_lower_run();
    EXPECT_EQ(j.done, 1);
    EXPECT_EQ(j.page[PAGE_WORDS], VM_VALUE);
    seL4_TCB_Suspend(t.tcb);
    EXPECT_INVARIANTS();
    TEST_END();
}

/* A handler of lower priority than the faulter, while the root task is
 * ready: schedule() would not pick it, so the fault takes the slow path
 * and the root runs on first. */
static struct {
    seL4_CPtr ep, ntfn, frame;
    struct vmjob *j;
    volatile seL4_Word info, badge, mr[seL4_VMFault_Length];
    volatile int got;
} vh;

static void vm_low_handler(void *arg)
{
    seL4_Word badge;
    (void)arg;
    seL4_MessageInfo_t info = seL4_Recv(vh.ep, &badge);
    vh.info = info.words[0];
    vh.badge = badge;
    for (int i = 0; i < seL4_VMFault_Length; i++)
        vh.mr[i] = seL4_GetMR(i);
    vh.got = 1;
    vm_map(vh.frame, vh.j->page);
    seL4_Reply(seL4_MessageInfo_new(0, 0, 0, 0));
    seL4_Signal(vh.ntfn);
    for (;;)
        seL4_Recv(vh.ep, &badge);
}

static void test_vm_fault_fallbacks(void)
{
    struct vmjob j;
    seL4_CPtr frames[2];
    rt_thread_t h, t;
    seL4_Word badge;
    seL4_CPtr ep = st_new_object(&mem, seL4_EndpointObject);
    seL4_CPtr fep = st_mint(&mem, ep, seL4_CapRights_new(1, 0, 0, 1), BADGE);

    TEST_BEGIN("fastpath/vm_fault_fallbacks");
    ASSERT_TRUE(ep && fep);
    /* Nobody waiting: the faulter (above us) blocks sending its fault. */
    ASSERT_TRUE(vm_setup(&j, frames));
    ASSERT_OK(start(&t, HIGH_PRIO, fep, vm_touch_thread, &j));
    seL4_MessageInfo_t info = seL4_Recv(ep, &badge);
    expect_vm_fault(info, badge, vm_read_insn, j.page, PF_USER);
    ASSERT_OK(vm_map(frames[0], j.page));
    ASSERT_OK(vm_map(frames[1], j.page + PAGE_WORDS));
    seL4_Reply(seL4_MessageInfo_new(0, 0, 0, 0));
    EXPECT_EQ(j.done, 1);
    EXPECT_EQ(j.val, VM_VALUE);
    seL4_TCB_Suspend(t.tcb);

    /* A waiting handler of lower priority than the faulter and than us. */
    ASSERT_TRUE(vm_setup(&j, frames));
    memset((void *)&vh, 0, sizeof(vh));
    vh.ep = ep;
    vh.ntfn = st_new_object(&mem, seL4_NotificationObject);
    vh.frame = frames[0];
    vh.j = &j;
    ASSERT_NE(vh.ntfn, 0);
    ASSERT_OK(start(&h, LOW_PRIO, 0, vm_low_handler, NULL));
    let_lower_run();                /* the handler waits on ep */
    ASSERT_OK(start(&t, HIGH_PRIO, fep, vm_touch_thread, &j));
    EXPECT_EQ(vh.got, 0);           /* the fault made it ready, not current */
    seL4_Wait(vh.ntfn, NULL);
    EXPECT_EQ(vh.got, 1);
    EXPECT_EQ(vh.badge, BADGE);
    EXPECT_EQ(seL4_MessageInfo_get_label((seL4_MessageInfo_t){ { vh.info } }), seL4_Fault_VMFault);
    EXPECT_EQ(seL4_MessageInfo_get_length((seL4_MessageInfo_t){ { vh.info } }), seL4_VMFault_Length);
    EXPECT_EQ(vh.mr[seL4_VMFault_IP], (seL4_Word)vm_read_insn);
    EXPECT_EQ(vh.mr[seL4_VMFault_Addr], (seL4_Word)j.page);
    EXPECT_EQ(vh.mr[seL4_VMFault_FSR], PF_USER);
    EXPECT_EQ(j.val, VM_VALUE);
    seL4_TCB_Suspend(t.tcb);
    seL4_TCB_Suspend(h.tcb);
    EXPECT_INVARIANTS();
    TEST_END();
}

/* A handler without IPC buffer gets the two register words (IP, address). */
static void test_vm_fault_handler_without_buffer(void)
{
    struct vmjob j;
    seL4_CPtr frames[2];
    rt_thread_t h, t;

    TEST_BEGIN("fastpath/vm_fault_handler_without_ipc_buffer");
    ASSERT_TRUE(vm_setup(&j, frames));
    memset((void *)&fh, 0, sizeof(fh));
    fh.ep = st_new_object(&mem, seL4_EndpointObject);
    ASSERT_NE(fh.ep, 0);
    ASSERT_OK(st_thread_create(&mem, &h, HIGH_PRIO, 0));
    ASSERT_OK(seL4_TCB_SetIPCBuffer(h.tcb, 0, seL4_CapNull));
    ASSERT_OK(rt_thread_start(&h, nobuf_handler, NULL));
    ASSERT_OK(start(&t, HIGH_PRIO, fh.ep, vm_touch_thread, &j));
    EXPECT_EQ(fh.got, 1);
    EXPECT_EQ(seL4_MessageInfo_get_label((seL4_MessageInfo_t){ { fh.info } }), seL4_Fault_VMFault);
    EXPECT_EQ(seL4_MessageInfo_get_length((seL4_MessageInfo_t){ { fh.info } }), 2);
    EXPECT_EQ(fh.mr0, (seL4_Word)vm_read_insn);
    EXPECT_EQ(j.done, 0);
    seL4_TCB_Suspend(t.tcb);
    seL4_TCB_Suspend(h.tcb);
    EXPECT_INVARIANTS();
    TEST_END();
}

/* A fault endpoint that is no endpoint, or one without Grant or GrantReply:
 * the fault is not delivered (a double fault) and the thread stops at the
 * faulting instruction, with a handler waiting all the same. */
static void test_vm_fault_bad_endpoint(void)
{
    struct vmjob j;
    seL4_CPtr frames[2];
    rt_thread_t h, t;
    seL4_UserContext regs;
    seL4_CPtr ntfn = st_new_object(&mem, seL4_NotificationObject);
    seL4_CPtr ep = st_new_object(&mem, seL4_EndpointObject);
    seL4_CPtr write_only = st_mint(&mem, ep, seL4_CapRights_new(0, 0, 0, 1), BADGE);
    seL4_CPtr bad[] = { ntfn, write_only, st_slot(&mem) };

    TEST_BEGIN("fastpath/vm_fault_bad_fault_endpoint");
    ASSERT_TRUE(ntfn && ep && write_only && bad[2]);
    memset((void *)&fh, 0, sizeof(fh));
    fh.ep = ep;
    ASSERT_OK(start(&h, HIGH_PRIO, 0, nobuf_handler, NULL));
    for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        ASSERT_TRUE(vm_setup(&j, frames));
        ASSERT_OK(start(&t, HIGH_PRIO, bad[i], vm_touch_thread, &j));
        seL4_Yield();
        EXPECT_EQ(fh.got, 0);
        EXPECT_EQ(j.done, 0);
        ASSERT_OK(seL4_TCB_ReadRegisters(t.tcb, 0, 0, 1, &regs));
        EXPECT_EQ(regs.eip, (seL4_Word)vm_read_insn);
        seL4_TCB_Suspend(t.tcb);
    }
    seL4_TCB_Suspend(h.tcb);
    EXPECT_INVARIANTS();
    TEST_END();
}

/* ---- int $0x80 registers both ways (fastpath_unknown_syscall and the
 * UnknownSyscall reply): the faulter loads distinct values into every
 * register, traps, and records what it resumes with. ---- */

struct fp_regs {
    seL4_Word eax, ebx, ecx, edx, esi, edi, ebp, flags;
};
struct fp_regs fp_rin, fp_rout;
volatile int fp_rounds;

static void regs_thread(void *arg)
{
    (void)arg;
    for (;;) {
        __asm__ volatile("pushl %%ebp\n\t"
                         "movl fp_rin+4, %%ebx\n\t"
                         "movl fp_rin+8, %%ecx\n\t"
                         "movl fp_rin+12, %%edx\n\t"
                         "movl fp_rin+16, %%esi\n\t"
                         "movl fp_rin+20, %%edi\n\t"
                         "movl fp_rin+24, %%ebp\n\t"
                         "movl fp_rin, %%eax\n\t"
                         "int $0x80\n\t"
                         "movl %%eax, fp_rout\n\t"
                         "movl %%ebx, fp_rout+4\n\t"
                         "movl %%ecx, fp_rout+8\n\t"
                         "movl %%edx, fp_rout+12\n\t"
                         "movl %%esi, fp_rout+16\n\t"
                         "movl %%edi, fp_rout+20\n\t"
                         "movl %%ebp, fp_rout+24\n\t"
                         "pushfl\n\t"
                         "popl fp_rout+28\n\t"
                         "popl %%ebp\n\t"
                         : : : "eax", "ebx", "ecx", "edx", "esi", "edi", "memory", "cc");
        fp_rounds++;
    }
}

#define EFLAGS_CF 0x1u
#define EFLAGS_TF 0x100u

/* The handler waits before each trap (delivery on the fastpath) and
 * answers with ReplyRecv (the reply on the fastpath), with every length
 * from 0 to the whole register set: a reply sets the first n registers in
 * the message's order and no others; EFLAGS is sanitised (TF dropped). */
static void test_unknown_syscall_registers(void)
{
    rt_thread_t t;
    seL4_Word badge, mr[seL4_UnknownSyscall_Length];
    seL4_CPtr ep = st_new_object(&mem, seL4_EndpointObject);
    seL4_CPtr fep = st_mint(&mem, ep, seL4_CapRights_new(1, 0, 0, 1), BADGE);

    TEST_BEGIN("fastpath/unknown_syscall_registers_each_reply_length");
    ASSERT_TRUE(ep && fep);
    fp_rin = (struct fp_regs){ 0xab000011, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0 };
    ASSERT_OK(start(&t, LOW_PRIO, fep, regs_thread, NULL));
    seL4_MessageInfo_t info = seL4_Recv(ep, &badge);
    for (seL4_Word n = 0; n <= seL4_UnknownSyscall_Syscall; n++) {
        EXPECT_EQ(badge, BADGE);
        EXPECT_EQ(seL4_MessageInfo_get_label(info), seL4_Fault_UnknownSyscall);
        EXPECT_EQ(seL4_MessageInfo_get_length(info), seL4_UnknownSyscall_Length);
        for (int i = 0; i < seL4_UnknownSyscall_Length; i++)
            mr[i] = seL4_GetMR(i);
        EXPECT_EQ(mr[seL4_UnknownSyscall_EAX], fp_rin.eax);
        EXPECT_EQ(mr[seL4_UnknownSyscall_EBX], fp_rin.ebx);
        EXPECT_EQ(mr[seL4_UnknownSyscall_ECX], fp_rin.ecx);
        EXPECT_EQ(mr[seL4_UnknownSyscall_EDX], fp_rin.edx);
        EXPECT_EQ(mr[seL4_UnknownSyscall_ESI], fp_rin.esi);
        EXPECT_EQ(mr[seL4_UnknownSyscall_EDI], fp_rin.edi);
        EXPECT_EQ(mr[seL4_UnknownSyscall_EBP], fp_rin.ebp);
        EXPECT_EQ(mr[seL4_UnknownSyscall_Syscall], (0x80u << 24) | (fp_rin.eax & 0xffffffu));
        int before = fp_rounds;
        /* Every register the reply carries gets a new value; FaultIP moves
         * past the int only when the reply reaches it. */
        seL4_Word want[seL4_UnknownSyscall_Syscall];
        for (int i = 0; i < seL4_UnknownSyscall_Syscall; i++)
            want[i] = mr[i];
        for (int i = seL4_UnknownSyscall_EAX; i <= seL4_UnknownSyscall_EBP; i++)
            want[i] = mr[i] + 0x100 * (n + 1);
        want[seL4_UnknownSyscall_FaultIP] = mr[seL4_UnknownSyscall_FaultIP] + INSN_LEN_2;
        want[seL4_UnknownSyscall_FLAGS] = mr[seL4_UnknownSyscall_FLAGS] | EFLAGS_CF | EFLAGS_TF;
        for (seL4_Word i = 0; i < n; i++)
            seL4_SetMR(i, want[i]);
        info = seL4_ReplyRecv(ep, seL4_MessageInfo_new(0, 0, 0, n), &badge);
        if (n > seL4_UnknownSyscall_FaultIP) {
            /* The int completed, the thread went round and trapped again. */
            EXPECT_EQ(fp_rounds, before + 1);
            EXPECT_EQ(fp_rout.eax, want[seL4_UnknownSyscall_EAX]);
            EXPECT_EQ(fp_rout.ebx, want[seL4_UnknownSyscall_EBX]);
            EXPECT_EQ(fp_rout.ecx, want[seL4_UnknownSyscall_ECX]);
            EXPECT_EQ(fp_rout.edx, want[seL4_UnknownSyscall_EDX]);
            EXPECT_EQ(fp_rout.esi, want[seL4_UnknownSyscall_ESI]);
            EXPECT_EQ(fp_rout.edi, want[seL4_UnknownSyscall_EDI]);
            EXPECT_EQ(fp_rout.ebp, want[seL4_UnknownSyscall_EBP]);
            if (n > seL4_UnknownSyscall_FLAGS) {
                EXPECT_EQ(fp_rout.flags & EFLAGS_CF, EFLAGS_CF);
                EXPECT_EQ(fp_rout.flags & EFLAGS_TF, 0);
            }
        } else {
            /* The int ran again with the registers the reply set. */
            EXPECT_EQ(fp_rounds, before);
            if (n > seL4_UnknownSyscall_EAX)
                fp_rin.eax = want[seL4_UnknownSyscall_EAX];
            if (n > seL4_UnknownSyscall_EBX)
                fp_rin.ebx = want[seL4_UnknownSyscall_EBX];
            if (n > seL4_UnknownSyscall_ECX)
                fp_rin.ecx = want[seL4_UnknownSyscall_ECX];
            if (n > seL4_UnknownSyscall_EDX)
                fp_rin.edx = want[seL4_UnknownSyscall_EDX];
            if (n > seL4_UnknownSyscall_ESI)
                fp_rin.esi = want[seL4_UnknownSyscall_ESI];
            if (n > seL4_UnknownSyscall_EDI)
                fp_rin.edi = want[seL4_UnknownSyscall_EDI];
            if (n > seL4_UnknownSyscall_EBP)
                fp_rin.ebp = want[seL4_UnknownSyscall_EBP];
        }
    }
    seL4_TCB_Suspend(t.tcb);
    EXPECT_INVARIANTS();
    TEST_END();
}

/* ---- UserException replies of every length (the fastpath's reply in
 * place): a thread runs ud2 in a loop; each reply's first words set
 * FaultIP, ESP and EFLAGS (sanitised: TF dropped), the rest is ignored. ---- */

#define UD_VECTOR   6               /* #UD */
#define UE_JUNK     0x0badf00du

extern const char ue_insn[];
static volatile seL4_Word ue_flags;
static volatile int ue_rounds;

static void ue_thread(void *arg)
{
    (void)arg;
    for (;;) {
        seL4_Word f;
        __asm__ volatile(".globl ue_insn\nue_insn: ud2\n\tpushfl\n\tpopl %0" : "=r"(f) : : "memory", "cc");
        ue_flags = f;
        ue_rounds++;
    }
}

/* The message from info is a UserException at ue_insn with the stack
 * pointer sp. */
static void expect_ue(seL4_MessageInfo_t info, seL4_Word sp)
{
    EXPECT_EQ(seL4_MessageInfo_get_label(info), seL4_Fault_UserException);
    EXPECT_EQ(seL4_MessageInfo_get_length(info), seL4_UserException_Length);
    EXPECT_EQ(seL4_GetMR(seL4_UserException_FaultIP), (seL4_Word)ue_insn);
    EXPECT_EQ(seL4_GetMR(seL4_UserException_SP), sp);
    EXPECT_EQ(seL4_GetMR(seL4_UserException_Number), UD_VECTOR);
    EXPECT_EQ(seL4_GetMR(seL4_UserException_Code), 0);
}

static void test_user_exception_replies(void)
{
    rt_thread_t t;
    seL4_Word badge;
    seL4_CPtr ep = st_new_object(&mem, seL4_EndpointObject);
    seL4_CPtr fep = st_mint(&mem, ep, seL4_CapRights_new(1, 0, 0, 1), BADGE);

    TEST_BEGIN("fastpath/user_exception_reply_each_length");
    ASSERT_TRUE(ep && fep);
    ue_rounds = 0;
    ASSERT_OK(start(&t, LOW_PRIO, fep, ue_thread, NULL));
    seL4_MessageInfo_t info = seL4_Recv(ep, &badge);
    EXPECT_EQ(badge, BADGE);
    seL4_Word sp = seL4_GetMR(seL4_UserException_SP);
    seL4_Word flags = seL4_GetMR(seL4_UserException_FLAGS);
    expect_ue(info, sp);
    /* Empty: the ud2 runs again. */
    info = seL4_ReplyRecv(ep, seL4_MessageInfo_new(0, 0, 0, 0), &badge);
    expect_ue(info, sp);
    EXPECT_EQ(ue_rounds, 0);
    /* FaultIP past the ud2; then the stack pointer too (the same). */
    for (seL4_Word n = 1; n <= 2; n++) {
        seL4_SetMR(seL4_UserException_FaultIP, (seL4_Word)ue_insn + INSN_LEN_2);
        seL4_SetMR(seL4_UserException_SP, sp);
        info = seL4_ReplyRecv(ep, seL4_MessageInfo_new(0, 0, 0, n), &badge);
        expect_ue(info, sp);
        EXPECT_EQ(ue_rounds, (int)n);
    }
    /* EFLAGS: CF is the thread's to set, TF is dropped (else a debug trap
     * would arrive instead of the next ud2). */
    seL4_SetMR(seL4_UserException_FaultIP, (seL4_Word)ue_insn + INSN_LEN_2);
    seL4_SetMR(seL4_UserException_SP, sp);
    seL4_SetMR(seL4_UserException_FLAGS, flags | EFLAGS_CF | EFLAGS_TF);
    info = seL4_ReplyRecv(ep, seL4_MessageInfo_new(0, 0, 0, 3), &badge);
    expect_ue(info, sp);
    EXPECT_EQ(ue_rounds, 3);
    EXPECT_EQ(ue_flags & (EFLAGS_CF | EFLAGS_TF), EFLAGS_CF);
    /* The whole message: Number and Code are not registers. */
    seL4_SetMR(seL4_UserException_FaultIP, (seL4_Word)ue_insn + INSN_LEN_2);
    seL4_SetMR(seL4_UserException_SP, sp);
    seL4_SetMR(seL4_UserException_FLAGS, flags);
    seL4_SetMR(seL4_UserException_Number, UE_JUNK);
    seL4_SetMR(seL4_UserException_Code, UE_JUNK);
    info = seL4_ReplyRecv(ep, seL4_MessageInfo_new(0, 0, 0, seL4_UserException_Length), &badge);
    expect_ue(info, sp);
    EXPECT_EQ(ue_rounds, 4);
    EXPECT_EQ(ue_flags & (EFLAGS_CF | EFLAGS_TF), 0);
    /* A label stops the thread whatever the words say. */
    seL4_SetMR(seL4_UserException_FaultIP, (seL4_Word)ue_insn + INSN_LEN_2);
    seL4_Reply(seL4_MessageInfo_new(LABEL, 0, 0, 1));
    let_lower_run();
    EXPECT_EQ(ue_rounds, 4);
    seL4_TCB_Suspend(t.tcb);
    EXPECT_INVARIANTS();
    TEST_END();
}


/* int $0x80 with ES holding the TLS segment (a base other than 0) and the
 * direction flag set: the kernel must not use either. */
static void odd_segments_thread(void *arg)
{
    (void)arg;
    for (;;) {
        __asm__ volatile("movw %%gs, %%ax\n\t"
                         "movw %%ax, %%es\n\t"
                         "std\n\t"
                         "movl $0x77, %%eax\n\t"
                         "int $0x80\n\t"
                         "cld\n\t"
                         "movw %%ds, %%ax\n\t"
                         "movw %%ax, %%es\n\t"
                         : : : "eax", "memory", "cc");
        fp_rounds++;
    }
}

static void test_unknown_syscall_odd_segments(void)
{
    rt_thread_t t;
    seL4_Word badge;
    seL4_CPtr ep = st_new_object(&mem, seL4_EndpointObject);
    seL4_CPtr fep = st_mint(&mem, ep, seL4_CapRights_new(1, 0, 0, 1), BADGE);

    TEST_BEGIN("fastpath/unknown_syscall_with_user_es_and_direction_flag");
    ASSERT_TRUE(ep && fep);
    fp_rounds = 0;
    ASSERT_OK(start(&t, LOW_PRIO, fep, odd_segments_thread, NULL));
    seL4_MessageInfo_t info = seL4_Recv(ep, &badge);
    for (int round = 0; round < 2; round++) {
        EXPECT_EQ(seL4_MessageInfo_get_label(info), seL4_Fault_UnknownSyscall);
        EXPECT_EQ(seL4_MessageInfo_get_length(info), seL4_UnknownSyscall_Length);
        EXPECT_EQ(seL4_GetMR(seL4_UnknownSyscall_EAX), 0x77);
        EXPECT_EQ(seL4_GetMR(seL4_UnknownSyscall_Syscall), (0x80u << 24) | 0x77);
        EXPECT_EQ(fp_rounds, round);
        for (int i = 0; i < seL4_UnknownSyscall_FaultIP; i++)
            seL4_SetMR(i, seL4_GetMR(i));
        seL4_SetMR(seL4_UnknownSyscall_FaultIP, seL4_GetMR(seL4_UnknownSyscall_FaultIP) + INSN_LEN_2);
        info = seL4_ReplyRecv(ep, seL4_MessageInfo_new(0, 0, 0, seL4_UnknownSyscall_FaultIP + 1), &badge);
    }
    EXPECT_EQ(fp_rounds, 2);
    seL4_TCB_Suspend(t.tcb);
    EXPECT_INVARIANTS();
    TEST_END();
}

/* The sysenter fastpaths set neither ES nor the direction flag (their C
 * uses no string instructions): Call and ReplyRecv made with ES on the
 * TLS segment and DF set must work all the same. */
static void odd_flags_enter(void)
{
    __asm__ volatile("movw %%gs, %%ax\n\t"
                     "movw %%ax, %%es\n\t"
                     "std\n\t"
                     : : : "eax", "memory", "cc");
}

static void odd_flags_leave(void)
{
    __asm__ volatile("cld\n\t"
                     "movw %%ds, %%ax\n\t"
                     "movw %%ax, %%es\n\t"
                     : : : "eax", "memory", "cc");
}

static struct {
    seL4_CPtr ep;
    volatile int rounds;
} odd;

static void odd_server(void *arg)
{
    seL4_Word badge;
    (void)arg;
    seL4_MessageInfo_t info = seL4_Recv(odd.ep, &badge);
    for (;;) {
        odd.rounds++;
        seL4_SetMR(0, seL4_GetMR(0) + 1);
        odd_flags_enter();
        info = seL4_ReplyRecv(odd.ep, seL4_MessageInfo_new(seL4_MessageInfo_get_label(info) + 1, 0, 0, 1),
                              &badge);
        odd_flags_leave();
    }
}

static void test_ipc_odd_segments(void)
{
    rt_thread_t s;

    TEST_BEGIN("fastpath/call_replyrecv_with_user_es_and_direction_flag");
    odd.ep = st_new_object(&mem, seL4_EndpointObject);
    ASSERT_NE(odd.ep, 0);
    ASSERT_OK(start(&s, HIGH_PRIO, 0, odd_server, NULL));
    for (seL4_Word i = 0; i < 3; i++) {
        seL4_SetMR(0, 10 * i);
        odd_flags_enter();
        seL4_MessageInfo_t r = seL4_Call(odd.ep, seL4_MessageInfo_new(LABEL, 0, 0, 1));
        odd_flags_leave();
        EXPECT_EQ(seL4_MessageInfo_get_label(r), LABEL + 1);
        EXPECT_EQ(seL4_GetMR(0), 10 * i + 1);
    }
    EXPECT_EQ(odd.rounds, 3);
    seL4_TCB_Suspend(s.tcb);
    EXPECT_INVARIANTS();
    TEST_END();
}

/* ---- the eager FPU switch: each thread keeps its own x87 control word
 * across Call/ReplyRecv switches, also after the thread whose state was
 * in the FPU is gone, and with a server that has the FPU disabled. ---- */

static seL4_Word fcw_get(void)
{
    uint16_t cw;
    __asm__ volatile("fnstcw %0" : "=m"(cw));
    return cw;
}

static void fcw_set(seL4_Word v)
{
    uint16_t cw = (uint16_t)v;
    __asm__ volatile("fldcw %0" : : "m"(cw));
}

#define FCW_SERVER 0x0e7f
#define FCW_CLIENT 0x067f
#define FCW_GONE   0x0a7f

static struct {
    seL4_CPtr ep;
    volatile int bad, rounds;
} fpu;

static void fpu_server(void *arg)
{
    seL4_Word badge;
    (void)arg;
    fcw_set(FCW_SERVER);
    seL4_Recv(fpu.ep, &badge);
    for (;;) {
        if (fcw_get() != FCW_SERVER)
            fpu.bad++;
        fpu.rounds++;
        seL4_ReplyRecv(fpu.ep, seL4_MessageInfo_new(0, 0, 0, 0), &badge);
    }
}

/* Takes the FPU and deletes its own TCB while its state is there. */
static void fpu_gone(void *arg)
{
    fcw_set(FCW_GONE);
    seL4_CNode_Delete(ROOT_CNODE, (seL4_CPtr)arg, DEPTH);
    fpu.bad++;          /* not reached */
}

/* A server with the FPU disabled (CR0.TS set while it runs). */
static struct {
    seL4_CPtr ep;
    volatile int rounds;
} nofpu;

static void nofpu_server(void *arg)
{
    seL4_Word badge;
    (void)arg;
    seL4_Recv(nofpu.ep, &badge);
    for (;;) {
        nofpu.rounds++;
        seL4_ReplyRecv(nofpu.ep, seL4_MessageInfo_new(0, 0, 0, 0), &badge);
    }
}

static void test_fpu_switch(void)
{
    rt_thread_t s, g, d;

    TEST_BEGIN("fastpath/fpu_state_follows_each_thread");
    fpu.ep = st_new_object(&mem, seL4_EndpointObject);
    ASSERT_NE(fpu.ep, 0);
    seL4_Word mine = fcw_get();
    fcw_set(FCW_CLIENT);
    ASSERT_OK(start(&s, HIGH_PRIO, 0, fpu_server, NULL));
    for (int i = 0; i < 4; i++) {
        seL4_Call(fpu.ep, seL4_MessageInfo_new(0, 0, 0, 0));
        EXPECT_EQ(fcw_get(), FCW_CLIENT);
    }
    /* A thread that owned the FPU is deleted; the switches go on. */
    ASSERT_OK(st_thread_create(&mem, &g, HIGH_PRIO, 0));
    ASSERT_OK(rt_thread_start(&g, fpu_gone, (void *)g.tcb));
    EXPECT_EQ(fcw_get(), FCW_CLIENT);
    for (int i = 0; i < 4; i++) {
        seL4_Call(fpu.ep, seL4_MessageInfo_new(0, 0, 0, 0));
        EXPECT_EQ(fcw_get(), FCW_CLIENT);
    }
    /* Calls alternate between it and a server with the FPU disabled. */
    nofpu.ep = st_new_object(&mem, seL4_EndpointObject);
    ASSERT_NE(nofpu.ep, 0);
    ASSERT_OK(st_thread_create(&mem, &d, HIGH_PRIO, 0));
    ASSERT_OK(seL4_TCB_SetFlags(d.tcb, 0, seL4_TCBFlag_fpuDisabled).error);
    ASSERT_OK(rt_thread_start(&d, nofpu_server, NULL));
    for (int i = 0; i < 4; i++) {
        seL4_Call(nofpu.ep, seL4_MessageInfo_new(0, 0, 0, 0));
        EXPECT_EQ(fcw_get(), FCW_CLIENT);
        seL4_Call(fpu.ep, seL4_MessageInfo_new(0, 0, 0, 0));
        EXPECT_EQ(fcw_get(), FCW_CLIENT);
    }
    EXPECT_EQ(nofpu.rounds, 4);
    EXPECT_EQ(fpu.rounds, 12);
    EXPECT_EQ(fpu.bad, 0);
    fcw_set(mine);
    seL4_TCB_Suspend(d.tcb);
    seL4_TCB_Suspend(s.tcb);
    EXPECT_INVARIANTS();
    TEST_END();
}

/* ---- the caller's CSpace shapes: a root CNode that resolves all 32 bits
 * at once (the fastpath's inline lookup) and ones that do not (its loop):
 * one level of fewer bits ending at an endpoint with bits left, and two
 * levels. ---- */

static struct {
    seL4_CPtr cptr;
    volatile seL4_Word label;
    volatile int done;
} shape;

static void shape_client(void *arg)
{
    (void)arg;
    seL4_MessageInfo_t r = seL4_Call(shape.cptr, seL4_MessageInfo_new(LABEL, 0, 0, 0));
    shape.label = seL4_MessageInfo_get_label(r);
    shape.done = 1;
    /* No guard here matches all ones: a capability fault nobody handles,
     * which stops the thread. */
    seL4_Call(~(seL4_CPtr)0, seL4_MessageInfo_new(0, 0, 0, 0));
}

/* A CNode of `radix` slots holding the endpoint at `index`, minted with a
 * guard; returns the capability to give a thread as its CSpace root. */
static seL4_CPtr shape_cnode(seL4_Word radix, seL4_Word guard, seL4_Word guard_bits, seL4_Word index,
                             seL4_CPtr what)
{
    seL4_CPtr cn = st_new_cnode(&mem, radix);
    seL4_CPtr g = st_slot(&mem);
    if (cn == 0 || g == 0)
        return 0;
    if (seL4_CNode_Copy(cn, index, (seL4_Uint8)radix, ROOT_CNODE, what, DEPTH, seL4_AllRights) != 0)
        return 0;
    if (seL4_CNode_Mint(ROOT_CNODE, g, DEPTH, ROOT_CNODE, cn, DEPTH, seL4_AllRights,
                        seL4_CNode_CapData_new(guard, guard_bits).words[0]) != 0)
        return 0;
    return g;
}

static void shape_call(struct echo *e, seL4_CPtr root, seL4_CPtr cptr, int reaches)
{
    rt_thread_t c;
    int before = e->calls;

    memset((void *)&shape, 0, sizeof(shape));
    shape.cptr = cptr;
    ASSERT_OK(st_thread_create(&mem, &c, MID_PRIO, 0));
    ASSERT_OK(seL4_TCB_SetSpace(c.tcb, 0, root, 0, seL4_CapInitThreadVSpace, 0));
    ASSERT_OK(rt_thread_start(&c, shape_client, NULL));
    seL4_TCB_SetPriority(seL4_CapInitThreadTCB, seL4_CapInitThreadTCB, LOW_PRIO);
    seL4_TCB_SetPriority(seL4_CapInitThreadTCB, seL4_CapInitThreadTCB, ROOT_PRIO);
    EXPECT_EQ(shape.done, 1);
    if (reaches) {
        EXPECT_EQ(shape.label, LABEL + 1);
        EXPECT_EQ(e->calls, before + 1);
    } else {
        EXPECT_EQ(shape.label, seL4_InvalidCapability);
        EXPECT_EQ(e->calls, before);
    }
    seL4_TCB_Suspend(c.tcb);
}

static void test_cspace_shapes(void)
{
    struct echo e = { 0 };
    rt_thread_t t;

    TEST_BEGIN("fastpath/caller_cspace_shapes");
    e.ep = st_new_object(&mem, seL4_EndpointObject);
    ASSERT_NE(e.ep, 0);
    ASSERT_OK(start(&t, HIGH_PRIO, 0, echo_server, &e));
    /* Radix 4 and a 28-bit guard: all 32 bits in one level. */
    seL4_CPtr one = shape_cnode(4, 0x5, 28, 1, e.ep);
    ASSERT_NE(one, 0);
    shape_call(&e, one, (0x5u << 4) | 1, 1);
    /* Radix 4, a 20-bit guard: 24 bits, the endpoint with 8 left over. */
    seL4_CPtr short_ = shape_cnode(4, 0, 20, 1, e.ep);
    ASSERT_NE(short_, 0);
    shape_call(&e, short_, 1u << 8, 1);
    /* Read as one 32-bit level, 1 would name the endpoint; in 24 bits it
     * names slot 0, which is empty. */
    shape_call(&e, short_, 1, 0);
    /* Two levels: 4 + 4 guard bits, then 8 + 16 guard bits. */
    seL4_CPtr inner = shape_cnode(8, 0, 16, 3, e.ep);
    ASSERT_NE(inner, 0);
    seL4_CPtr outer = shape_cnode(4, 0, 4, 2, inner);
    ASSERT_NE(outer, 0);
    shape_call(&e, outer, 0x02000003u, 1);
    seL4_TCB_Suspend(t.tcb);
    EXPECT_INVARIANTS();
    TEST_END();
}

/* The server's CSpace shapes for its ReplyRecv (the fastpath's in-line
 * first level of a root that resolves fewer bits, and the walk after it):
 * an echo server whose CSpace root is a shaped CNode, called twice from
 * the root task's; then one whose ReplyRecv names a capability its guard
 * does not match, whose caller still gets the reply (the reply comes
 * first) while the server stops at the failed lookup and waits on
 * nothing. */
static void shape_serve(seL4_CPtr root, seL4_CPtr ep, seL4_CPtr cptr)
{
    struct echo e = { .ep = cptr };
    rt_thread_t t;

    ASSERT_OK(st_thread_create(&mem, &t, HIGH_PRIO, 0));
    ASSERT_OK(seL4_TCB_SetSpace(t.tcb, 0, root, 0, seL4_CapInitThreadVSpace, 0));
    ASSERT_OK(rt_thread_start(&t, echo_server, &e));
    for (int i = 0; i < 2; i++) {
        seL4_MessageInfo_t r = seL4_Call(ep, seL4_MessageInfo_new(LABEL + (seL4_Word)i, 0, 0, 1));
        EXPECT_EQ(seL4_MessageInfo_get_label(r), LABEL + (seL4_Word)i + 1);
        EXPECT_EQ(e.calls, i + 1);
    }
    seL4_TCB_Suspend(t.tcb);
}

static struct {
    seL4_CPtr good, bad;
    volatile int received, after;
} stray;

static void stray_server(void *arg)
{
    seL4_Word badge;

    (void)arg;
    seL4_Recv(stray.good, &badge);
    stray.received = 1;
    seL4_ReplyRecv(stray.bad, seL4_MessageInfo_new(LABEL + 1, 0, 0, 0), &badge);
    stray.after = 1;            /* not reached: the lookup fails */
}

static void test_server_cspace_shapes(void)
{
    rt_thread_t t;

    TEST_BEGIN("fastpath/server_cspace_shapes");
    seL4_CPtr ep = st_new_object(&mem, seL4_EndpointObject);
    ASSERT_NE(ep, 0);
    /* Radix 4, a 20-bit guard: 24 bits, the endpoint with 8 left over. */
    seL4_CPtr short_ = shape_cnode(4, 0, 20, 1, ep);
    ASSERT_NE(short_, 0);
    shape_serve(short_, ep, 1u << 8);
    /* The same with the guard 0x5a: the guard is checked. */
    seL4_CPtr guarded = shape_cnode(4, 0x5a, 20, 1, ep);
    ASSERT_NE(guarded, 0);
    shape_serve(guarded, ep, (0x5au << 12) | (1u << 8));
    /* Two levels: a CNode in the first level's slot goes on to the walk. */
    seL4_CPtr inner = shape_cnode(8, 0, 16, 3, ep);
    ASSERT_NE(inner, 0);
    seL4_CPtr outer = shape_cnode(4, 0, 4, 2, inner);
    ASSERT_NE(outer, 0);
    shape_serve(outer, ep, 0x02000003u);
    /* A ReplyRecv whose guard does not match. */
    memset((void *)&stray, 0, sizeof(stray));
    stray.good = (0x5au << 12) | (1u << 8);
    stray.bad = (0x5bu << 12) | (1u << 8);
    ASSERT_OK(st_thread_create(&mem, &t, HIGH_PRIO, 0));
    ASSERT_OK(seL4_TCB_SetSpace(t.tcb, 0, guarded, 0, seL4_CapInitThreadVSpace, 0));
    ASSERT_OK(rt_thread_start(&t, stray_server, NULL));
    seL4_MessageInfo_t r = seL4_Call(ep, seL4_MessageInfo_new(LABEL, 0, 0, 0));
    EXPECT_EQ(stray.received, 1);
    EXPECT_EQ(seL4_MessageInfo_get_label(r), LABEL + 1);
    /* Had the lookup found the endpoint, the server would wait on it and
     * take this message at once (it runs at a higher priority). */
    seL4_NBSend(ep, seL4_MessageInfo_new(LABEL, 0, 0, 0));
    EXPECT_EQ(stray.after, 0);
    seL4_TCB_Suspend(t.tcb);
    EXPECT_INVARIANTS();
    TEST_END();
}

int main(bootinfo_t *bi)
{
    st_root_init(&mem, bi);
    seL4_TCB_SetPriority(seL4_CapInitThreadTCB, seL4_CapInitThreadTCB, ROOT_PRIO);
    test_lengths();
    test_badge_and_unwrapped();
    test_caps();
    test_priorities();
    test_rights();
    test_deleted_endpoint();
    test_no_ipc_buffer();
    test_nested_and_saved();
    test_fault_replies();
    test_fault_handler_without_buffer();
    test_vm_fault_replies();
    test_vm_fault_fallbacks();
    test_vm_fault_handler_without_buffer();
    test_vm_fault_bad_endpoint();
    test_unknown_syscall_registers();
    test_user_exception_replies();
    test_unknown_syscall_odd_segments();
    test_ipc_odd_segments();
    test_fpu_switch();
    test_cspace_shapes();
    test_server_cspace_shapes();
    tests_done();
}
