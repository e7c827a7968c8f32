/*
 * Message and capability transfer (seL4 doNormalTransfer, copyMRs,
 * transferCaps, getReceiveSlots): lengths above 120 words are cut to 120;
 * without an IPC buffer on either side only the two register words
 * arrive; capabilities move only with Grant, into the single receive slot
 * the receiver names, and only if that slot can be found and is empty;
 * endpoint capabilities naming the endpoint used are unwrapped to their
 * badge whether or not a slot is free; a transferred capability keeps its
 * rights and is a derivation child of the sender's.
 */
#include "ipc2.h"
#include <systest.h>

#define REPLY_LABEL 0x77
#define REPLY_BASE  1000
#define OVERLONG    127             /* largest length the 7-bit field holds */
#define SHORT_LEN   10
#define SELF_BADGE  0x33
#define BAD_DEPTH   31

/* A server that records each message it gets and replies with reply_len words. */
struct rec {
    seL4_CPtr ep;
    seL4_Word reply_len;
    volatile seL4_Word n, label, len, extra, unwrapped, badge, mr0, mr1, mr_last;
    volatile seL4_Word cb[seL4_MsgMaxExtraCaps];
};

static void record(struct rec *r, seL4_MessageInfo_t info, seL4_Word badge)
{
    r->label = seL4_MessageInfo_get_label(info);
    r->len = seL4_MessageInfo_get_length(info);
    r->extra = seL4_MessageInfo_get_extraCaps(info);
    r->unwrapped = seL4_MessageInfo_get_capsUnwrapped(info);
    r->badge = badge;
    r->mr0 = seL4_GetMR(0);
    r->mr1 = seL4_GetMR(1);
    r->mr_last = r->len > 0 ? seL4_GetMR(r->len - 1) : 0;
    for (int i = 0; i < seL4_MsgMaxExtraCaps; i++)
        r->cb[i] = seL4_GetBadge(i);
    r->n++;
}

static void recorder(void *arg)
{
    struct rec *r = arg;
    seL4_Word badge;
    seL4_MessageInfo_t info = seL4_Recv(r->ep, &badge);

    for (;;) {
        record(r, info, badge);
        for (seL4_Word i = 0; i < r->reply_len && i < seL4_MsgMaxLength; i++)
            seL4_SetMR(i, REPLY_BASE + i);
        info = seL4_ReplyRecv(r->ep, seL4_MessageInfo_new(REPLY_LABEL, 0, 0, r->reply_len), &badge);
    }
}

static void test_overlong(void)
{
    struct rec r = { 0 };
    rt_thread_t t;

    TEST_BEGIN("ipc2/length_above_120_is_cut_to_120");
    r.ep = st_new_object(&mem, seL4_EndpointObject);
    ASSERT_NE(r.ep, 0);
    r.reply_len = OVERLONG;
    ASSERT_TRUE(st_spawn(&mem, &t, HIGH_PRIO, 0, recorder, &r));
    for (seL4_Word i = 0; i < seL4_MsgMaxLength; i++)
        seL4_SetMR(i, i * 7 + 1);
    seL4_MessageInfo_t info = seL4_Call(r.ep, seL4_MessageInfo_new(3, 0, 0, OVERLONG));
    EXPECT_EQ(r.len, seL4_MsgMaxLength);
    EXPECT_EQ(r.label, 3);
    EXPECT_EQ(r.mr_last, (seL4_MsgMaxLength - 1) * 7 + 1);
    EXPECT_EQ(seL4_MessageInfo_get_length(info), seL4_MsgMaxLength);
    EXPECT_EQ(seL4_MessageInfo_get_label(info), REPLY_LABEL);
    EXPECT_EQ(seL4_GetMR(seL4_MsgMaxLength - 1), REPLY_BASE + seL4_MsgMaxLength - 1);
    st_reap(&t);
    EXPECT_INVARIANTS();
    TEST_END();
}

struct nobuf_job {
    seL4_CPtr ep, cap;
    volatile seL4_Word done, reply_len, reply_label, mr0, mr1, len, badge;
};

/* Calls with 10 words and a cap, but the kernel knows no IPC buffer. */
static void unbuffered_caller(void *arg)
{
    struct nobuf_job *j = arg;

    for (seL4_Word i = 0; i < SHORT_LEN; i++)
        seL4_SetMR(i, 0x500 + i);
    seL4_SetCap(0, j->cap);
    seL4_MessageInfo_t info = seL4_Call(j->ep, seL4_MessageInfo_new(4, 0, 1, SHORT_LEN));
    j->reply_len = seL4_MessageInfo_get_length(info);
    j->reply_label = seL4_MessageInfo_get_label(info);
    j->mr0 = seL4_GetMR(0);
    j->mr1 = seL4_GetMR(1);
    j->done = 1;
}

static void unbuffered_receiver(void *arg)
{
    struct nobuf_job *j = arg;
    seL4_Word badge;
    seL4_MessageInfo_t info = seL4_Recv(j->ep, &badge);

    j->len = seL4_MessageInfo_get_length(info);
    j->badge = badge;
    j->mr0 = seL4_GetMR(0);
    j->mr1 = seL4_GetMR(1);
    j->done = 1;
}

static void test_no_ipc_buffer(void)
{
    struct rec r = { 0 };
    struct nobuf_job c = { 0 }, d = { 0 };
    rt_thread_t ts, tc, td;

    TEST_BEGIN("ipc2/no_ipc_buffer_moves_register_words_only");
    r.ep = st_new_object(&mem, seL4_EndpointObject);
    seL4_CPtr slot = st_slot(&mem);
    c.ep = r.ep;
    c.cap = st_new_object(&mem, seL4_NotificationObject);
    ASSERT_TRUE(r.ep != 0 && slot != 0 && c.cap != 0);
    r.reply_len = SHORT_LEN;
    ASSERT_TRUE(st_spawn(&mem, &ts, HIGH_PRIO, 0, recorder, &r));
    ts.ipc_buffer->receiveCNode = ROOT_CNODE;
    ts.ipc_buffer->receiveIndex = slot;
    ts.ipc_buffer->receiveDepth = DEPTH;
    ASSERT_TRUE(spawn_unbuffered(&tc, HIGH_PRIO - 10, unbuffered_caller, &c));
    EXPECT_EQ(c.done, 1);
    EXPECT_EQ(r.n, 1);
    EXPECT_EQ(r.len, seL4_FastMessageRegisters);    /* sender without buffer */
    EXPECT_EQ(r.label, 4);
    EXPECT_EQ(r.mr0, 0x500);
    EXPECT_EQ(r.mr1, 0x501);
    EXPECT_EQ(r.extra, 0);                          /* its caps cannot be named */
    EXPECT_EQ(seL4_DebugCapIdentify(slot), TAG_NULL);
    EXPECT_EQ(c.reply_len, seL4_FastMessageRegisters); /* receiver without buffer */
    EXPECT_EQ(c.reply_label, REPLY_LABEL);
    EXPECT_EQ(c.mr0, REPLY_BASE);
    EXPECT_EQ(c.mr1, REPLY_BASE + 1);
    /* A receiver without buffer gets the first two words of a long Send. */
    d.ep = st_new_object(&mem, seL4_EndpointObject);
    seL4_CPtr badged = st_mint(&mem, d.ep, seL4_AllRights, 0x9);
    ASSERT_TRUE(d.ep != 0 && badged != 0);
    ASSERT_TRUE(spawn_unbuffered(&td, HIGH_PRIO, unbuffered_receiver, &d));
    for (seL4_Word i = 0; i < SHORT_LEN; i++)
        seL4_SetMR(i, 0x600 + i);
    seL4_Send(badged, seL4_MessageInfo_new(0, 0, 0, SHORT_LEN));
    EXPECT_EQ(d.done, 1);
    EXPECT_EQ(d.len, seL4_FastMessageRegisters);
    EXPECT_EQ(d.badge, 0x9);
    EXPECT_EQ(d.mr0, 0x600);
    EXPECT_EQ(d.mr1, 0x601);
    st_reap(&ts);
    st_reap(&tc);
    st_reap(&td);
    EXPECT_INVARIANTS();
    TEST_END();
}

/* ---- capability transfer ---- */

struct xfer {
    struct rec r;
    rt_thread_t t;
    seL4_IPCBuffer *sbuf;           /* the server's IPC buffer: its receive path */
};

static int xfer_start(struct xfer *x, seL4_CPtr ep)
{
    x->r = (struct rec){ .ep = ep };
    if (!st_spawn(&mem, &x->t, HIGH_PRIO, 0, recorder, &x->r))
        return 0;
    x->sbuf = x->t.ipc_buffer;
    return 1;
}

static void set_path(struct xfer *x, seL4_CPtr cnode, seL4_CPtr index, seL4_Word depth)
{
    x->sbuf->receiveCNode = cnode;
    x->sbuf->receiveIndex = index;
    x->sbuf->receiveDepth = depth;
}

/* Calls through `through` carrying caps c0..c(n-1); returns the server's count. */
static seL4_Word call_with_caps(struct xfer *x, seL4_CPtr through, int n, const seL4_CPtr *caps)
{
    for (int i = 0; i < n; i++)
        seL4_SetCap(i, caps[i]);
    seL4_SetMR(0, 0xabc);
    seL4_Call(through, seL4_MessageInfo_new(5, 0, n, 1));
    return x->r.n;
}

static void test_receive_slot_problems(void)
{
    struct xfer x;

    TEST_BEGIN("ipc2/cap_not_moved_when_receive_slot_unusable");
    seL4_CPtr ep = st_new_object(&mem, seL4_EndpointObject);
    seL4_CPtr ntfn = st_new_object(&mem, seL4_NotificationObject);
    seL4_CPtr full = st_slot(&mem), empty = st_slot(&mem);
    ASSERT_TRUE(ep != 0 && ntfn != 0 && full != 0 && empty != 0);
    ASSERT_OK(seL4_CNode_Copy(ROOT_CNODE, full, DEPTH, ROOT_CNODE, ep, DEPTH, seL4_AllRights));
    ASSERT_TRUE(xfer_start(&x, ep));
    const seL4_CPtr caps[1] = { ntfn };
    /* Occupied slot. */
    set_path(&x, ROOT_CNODE, full, DEPTH);
    EXPECT_EQ(call_with_caps(&x, ep, 1, caps), 1);
    EXPECT_EQ(x.r.extra, 0);
    EXPECT_EQ(x.r.len, 1);                          /* the message itself arrives */
    EXPECT_EQ(x.r.mr0, 0xabc);
    EXPECT_EQ(seL4_DebugCapIdentify(full), TAG_ENDPOINT);
    /* Receive CNode names an empty slot, then a non-CNode. */
    set_path(&x, empty, 0, DEPTH);
    EXPECT_EQ(call_with_caps(&x, ep, 1, caps), 2);
    EXPECT_EQ(x.r.extra, 0);
    set_path(&x, ep, 0, DEPTH);
    EXPECT_EQ(call_with_caps(&x, ep, 1, caps), 3);
    EXPECT_EQ(x.r.extra, 0);
    /* Depth that does not resolve the root CNode. */
    set_path(&x, ROOT_CNODE, empty, BAD_DEPTH);
    EXPECT_EQ(call_with_caps(&x, ep, 1, caps), 4);
    EXPECT_EQ(x.r.extra, 0);
    EXPECT_EQ(seL4_DebugCapIdentify(empty), TAG_NULL);
    /* An empty slot as the cap sent: nothing to transfer. */
    set_path(&x, ROOT_CNODE, empty, DEPTH);
    const seL4_CPtr none[1] = { empty };
    EXPECT_EQ(call_with_caps(&x, ep, 1, none), 5);
    EXPECT_EQ(x.r.extra, 0);
    EXPECT_EQ(seL4_DebugCapIdentify(empty), TAG_NULL);
    /* And finally a good path. */
    EXPECT_EQ(call_with_caps(&x, ep, 1, caps), 6);
    EXPECT_EQ(x.r.extra, 1);
    EXPECT_EQ(seL4_DebugCapIdentify(empty), TAG_NOTIFICATION);
    st_reap(&x.t);
    EXPECT_INVARIANTS();
    TEST_END();
}

static void test_several_caps(void)
{
    struct xfer x;
    seL4_CPtr slot;

    TEST_BEGIN("ipc2/one_slot_per_message_and_unwrapping");
    seL4_CPtr ep = st_new_object(&mem, seL4_EndpointObject);
    seL4_CPtr n1 = st_new_object(&mem, seL4_NotificationObject);
    seL4_CPtr n2 = st_new_object(&mem, seL4_NotificationObject);
    seL4_CPtr self = st_mint(&mem, ep, seL4_AllRights, SELF_BADGE);
    ASSERT_TRUE(ep != 0 && n1 != 0 && n2 != 0 && self != 0);
    ASSERT_TRUE(xfer_start(&x, ep));
    /* Two caps needing a slot: only the first moves. */
    slot = st_slot(&mem);
    set_path(&x, ROOT_CNODE, slot, DEPTH);
    const seL4_CPtr two[2] = { n1, n2 };
    call_with_caps(&x, ep, 2, two);
    EXPECT_EQ(x.r.extra, 1);
    EXPECT_EQ(x.r.unwrapped, 0);
    EXPECT_EQ(seL4_DebugCapIdentify(slot), TAG_NOTIFICATION);
    /* It is a derivation child of ours: revoking ours removes it. */
    ASSERT_OK(seL4_CNode_Revoke(ROOT_CNODE, n1, DEPTH));
    EXPECT_EQ(seL4_DebugCapIdentify(slot), TAG_NULL);
    /* Unwrapped first, then moved. */
    const seL4_CPtr mixed[2] = { self, n2 };
    call_with_caps(&x, ep, 2, mixed);
    EXPECT_EQ(x.r.extra, 2);
    EXPECT_EQ(x.r.unwrapped, 1);
    EXPECT_EQ(x.r.cb[0], SELF_BADGE);
    EXPECT_EQ(x.r.badge, 0);
    EXPECT_EQ(seL4_DebugCapIdentify(slot), TAG_NOTIFICATION);
    /* Moved first; the unbadged self cap unwraps to 0 with no slot left. */
    slot = st_slot(&mem);
    set_path(&x, ROOT_CNODE, slot, DEPTH);
    const seL4_CPtr mixed2[3] = { n2, ep, self };
    x.sbuf->caps_or_badges[1] = 0xffff;
    call_with_caps(&x, ep, 3, mixed2);
    EXPECT_EQ(x.r.extra, 3);
    EXPECT_EQ(x.r.unwrapped, 6);
    EXPECT_EQ(x.r.cb[1], 0);
    EXPECT_EQ(x.r.cb[2], SELF_BADGE);
    EXPECT_EQ(seL4_DebugCapIdentify(slot), TAG_NOTIFICATION);
    /* Unwrapping, like moving, needs Grant on the sender's cap. */
    seL4_CPtr nogrant = st_mint(&mem, ep, seL4_CapRights_new(1, 0, 1, 1), 0);
    ASSERT_NE(nogrant, 0);
    const seL4_CPtr one[1] = { self };
    call_with_caps(&x, nogrant, 1, one);
    EXPECT_EQ(x.r.extra, 0);
    EXPECT_EQ(x.r.unwrapped, 0);
    st_reap(&x.t);
    EXPECT_INVARIANTS();
    TEST_END();
}

static void test_rights_kept(void)
{
    struct xfer x;

    TEST_BEGIN("ipc2/transferred_cap_keeps_its_rights");
    seL4_CPtr ep = st_new_object(&mem, seL4_EndpointObject);
    seL4_CPtr other = st_new_object(&mem, seL4_EndpointObject);
    ASSERT_TRUE(ep != 0 && other != 0);
    seL4_CPtr ro = st_mint(&mem, other, seL4_CanRead, 0);
    seL4_CPtr slot = st_slot(&mem);
    ASSERT_TRUE(ro != 0 && slot != 0);
    ASSERT_TRUE(xfer_start(&x, ep));
    set_path(&x, ROOT_CNODE, slot, DEPTH);
    const seL4_CPtr caps[1] = { ro };
    call_with_caps(&x, ep, 1, caps);
    EXPECT_EQ(x.r.extra, 1);
    EXPECT_EQ(seL4_DebugCapIdentify(slot), TAG_ENDPOINT);
    /* Read only, as sent: it cannot be used to send. */
    seL4_MessageInfo_t info = seL4_Call(slot, seL4_MessageInfo_new(0, 0, 0, 0));
    EXPECT_EQ(seL4_MessageInfo_get_label(info), seL4_InvalidCapability);
    st_reap(&x.t);
    EXPECT_INVARIANTS();
    TEST_END();
}

void ipc2_transfer_tests(void)
{
    test_overlong();
    test_no_ipc_buffer();
    test_receive_slot_problems();
    test_several_caps();
    test_rights_kept();
}
