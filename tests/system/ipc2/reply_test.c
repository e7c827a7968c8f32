/*
 * Reply capabilities (seL4 non-MCS setupCallerCap, doReplyTransfer): a
 * Call needs Grant or GrantReply on the caller's endpoint capability; the
 * caller's own capabilities travel only with Grant. The reply capability
 * the server gets carries Grant exactly when the server's receiving
 * endpoint capability has Grant, and only then can the reply carry
 * capabilities back. A Call with neither right delivers the message and
 * leaves the caller Inactive: the server has nothing to reply to, and
 * only a restart (Resume) makes the caller call again.
 */
#include "ipc2.h"
#include <systest.h>

#define SERVER_LABEL 0x66
#define CALL_LABEL   0x44
#define CALLER_PRIO  120

/* Receives through recv_cap, capabilities into `slot` (emptied after
 * each message), and replies with `give` attached. */
struct server {
    seL4_CPtr recv_cap, give, slot;
    volatile seL4_Word n, extra;
};

static void granting_server(void *arg)
{
    struct server *s = arg;
    seL4_Word badge;
    seL4_MessageInfo_t info;

    seL4_SetCapReceivePath(ROOT_CNODE, s->slot, DEPTH);
    info = seL4_Recv(s->recv_cap, &badge);
    for (;;) {
        s->extra = seL4_MessageInfo_get_extraCaps(info);
        s->n++;
        seL4_CNode_Delete(ROOT_CNODE, s->slot, DEPTH);
        seL4_SetCap(0, s->give);
        seL4_SetMR(0, s->n);
        info = seL4_ReplyRecv(s->recv_cap, seL4_MessageInfo_new(SERVER_LABEL, 0, 1, 1), &badge);
    }
}

struct call_result {
    seL4_Word label, extra, mr0;
};

static struct call_result call_with_cap(seL4_CPtr through, seL4_CPtr cap, seL4_CPtr recv_slot)
{
    seL4_MessageInfo_t info;

    seL4_SetCapReceivePath(ROOT_CNODE, recv_slot, DEPTH);
    seL4_SetCap(0, cap);
    info = seL4_Call(through, seL4_MessageInfo_new(CALL_LABEL, 0, 1, 0));
    return (struct call_result){ seL4_MessageInfo_get_label(info),
                                 seL4_MessageInfo_get_extraCaps(info), seL4_GetMR(0) };
}

static void test_reply_grant(void)
{
    struct server g = { 0 }, ng = { 0 };
    rt_thread_t tg, tn;
    struct call_result r;

    TEST_BEGIN("ipc2/reply_carries_caps_only_if_server_cap_has_grant");
    seL4_CPtr ep1 = st_new_object(&mem, seL4_EndpointObject);
    seL4_CPtr ep2 = st_new_object(&mem, seL4_EndpointObject);
    seL4_CPtr gift = st_new_object(&mem, seL4_NotificationObject);
    seL4_CPtr mine = st_new_object(&mem, seL4_NotificationObject);
    ASSERT_TRUE(ep1 != 0 && ep2 != 0 && gift != 0 && mine != 0);
    g = (struct server){ ep1, gift, st_slot(&mem), 0, 0 };
    ng = (struct server){ st_mint(&mem, ep2, seL4_CanRead, 0), gift, st_slot(&mem), 0, 0 };
    ASSERT_TRUE(ng.recv_cap != 0 && g.slot != 0 && ng.slot != 0);
    ASSERT_TRUE(st_spawn(&mem, &tg, HIGH_PRIO, 0, granting_server, &g));
    ASSERT_TRUE(st_spawn(&mem, &tn, HIGH_PRIO, 0, granting_server, &ng));

    seL4_CPtr slot = st_slot(&mem);
    r = call_with_cap(ep1, mine, slot);             /* both directions granted */
    EXPECT_EQ(r.label, SERVER_LABEL);
    EXPECT_EQ(g.extra, 1);
    EXPECT_EQ(r.extra, 1);
    EXPECT_EQ(seL4_DebugCapIdentify(slot), TAG_NOTIFICATION);

    slot = st_slot(&mem);
    r = call_with_cap(ep2, mine, slot);             /* server's cap: Read only */
    EXPECT_EQ(r.label, SERVER_LABEL);
    EXPECT_EQ(r.mr0, 1);
    EXPECT_EQ(ng.extra, 1);                         /* our cap went in */
    EXPECT_EQ(r.extra, 0);                          /* its reply cap had no Grant */
    EXPECT_EQ(seL4_DebugCapIdentify(slot), TAG_NULL);

    /* Caller's cap with GrantReply only: the Call works, our cap stays
     * home, the server's reply still brings its cap. */
    seL4_CPtr gr = st_mint(&mem, ep1, seL4_CapRights_new(1, 0, 0, 1), 0);
    ASSERT_NE(gr, 0);
    slot = st_slot(&mem);
    r = call_with_cap(gr, mine, slot);
    EXPECT_EQ(r.label, SERVER_LABEL);
    EXPECT_EQ(g.n, 2);
    EXPECT_EQ(g.extra, 0);
    EXPECT_EQ(r.extra, 1);
    EXPECT_EQ(seL4_DebugCapIdentify(slot), TAG_NOTIFICATION);

    /* Grant without GrantReply: also a proper Call. */
    seL4_CPtr gonly = st_mint(&mem, ep1, seL4_CapRights_new(0, 1, 0, 1), 0);
    ASSERT_NE(gonly, 0);
    slot = st_slot(&mem);
    r = call_with_cap(gonly, mine, slot);
    EXPECT_EQ(r.label, SERVER_LABEL);
    EXPECT_EQ(g.n, 3);
    EXPECT_EQ(g.extra, 1);
    EXPECT_EQ(r.extra, 1);
    st_reap(&tg);
    st_reap(&tn);
    EXPECT_INVARIANTS();
    TEST_END();
}

struct caller {
    seL4_CPtr ep;
    volatile seL4_Word returned;
};

static void plain_caller(void *arg)
{
    struct caller *c = arg;

    seL4_Call(c->ep, seL4_MessageInfo_new(CALL_LABEL, 0, 0, 0));
    c->returned++;
}

static void test_call_without_rights(void)
{
    struct server s = { 0 };
    struct caller c = { 0 };
    rt_thread_t ts, tc;

    TEST_BEGIN("ipc2/call_without_grant_rights_leaves_caller_inactive");
    seL4_CPtr ep = st_new_object(&mem, seL4_EndpointObject);
    seL4_CPtr gift = st_new_object(&mem, seL4_NotificationObject);
    ASSERT_TRUE(ep != 0 && gift != 0);
    s = (struct server){ ep, gift, st_slot(&mem), 0, 0 };
    c.ep = st_mint(&mem, ep, seL4_ReadWrite, 0);
    ASSERT_NE(c.ep, 0);
    ASSERT_TRUE(st_spawn(&mem, &ts, HIGH_PRIO, 0, granting_server, &s));
    ASSERT_TRUE(st_spawn(&mem, &tc, CALLER_PRIO, 0, plain_caller, &c));
    EXPECT_EQ(s.n, 1);                              /* the message arrived */
    st_park_root(PARK_PRIO, ROOT_PRIO);
    EXPECT_EQ(c.returned, 0);                       /* the reply went nowhere */
    EXPECT_INVARIANTS();
    ASSERT_OK(seL4_TCB_Resume(tc.tcb));             /* Inactive: restarts the Call */
    EXPECT_EQ(s.n, 2);
    EXPECT_EQ(c.returned, 0);
    st_reap(&ts);
    st_reap(&tc);
    EXPECT_INVARIANTS();
    TEST_END();
}

/* Replying through a saved reply cap, and the reply cap vanishing when
 * the caller is deleted before the reply. */
static void test_saved_reply(void)
{
    struct caller c = { 0 };
    rt_thread_t tc;
    seL4_Word badge;

    TEST_BEGIN("ipc2/saved_reply_cap_is_used_once");
    seL4_CPtr ep = st_new_object(&mem, seL4_EndpointObject), saved = st_slot(&mem);
    ASSERT_TRUE(ep != 0 && saved != 0);
    c.ep = ep;
    ASSERT_TRUE(st_spawn(&mem, &tc, CALLER_PRIO, 0, plain_caller, &c));
    seL4_Recv(ep, &badge);
    ASSERT_OK(seL4_CNode_SaveCaller(ROOT_CNODE, saved, DEPTH));
    EXPECT_EQ(seL4_DebugCapIdentify(saved), TAG_REPLY);
    seL4_Reply(seL4_MessageInfo_new(0, 0, 0, 0));   /* caller slot empty now: no-op */
    EXPECT_EQ(c.returned, 0);
    seL4_Send(saved, seL4_MessageInfo_new(0, 0, 0, 0));
    EXPECT_EQ(c.returned, 1);                       /* above us: ran at once */
    EXPECT_EQ(seL4_DebugCapIdentify(saved), TAG_NULL);  /* used up */
    st_reap(&tc);
    EXPECT_INVARIANTS();
    TEST_END();
}

void ipc2_reply_tests(void)
{
    test_reply_grant();
    test_call_without_rights();
    test_saved_reply();
}
