/*
 * Delete, Revoke, SaveCaller and CancelBadgedSends: what each removes or
 * moves, and their refusals (destination lookup, DeleteFirst for
 * SaveCaller, IllegalOperation for CancelBadgedSends on anything but an
 * endpoint capability with all four rights).
 */
#include "cnode_tests.h"

#define BADGE_A     0x31
#define BADGE_B     0x4c
#define REPLY_LABEL 0x77
#define SUB_RADIX   2
#define ROOT_RADIX  13      /* CONFIG_ROOT_CNODE_SIZE_BITS of the test build */

static void delete_ops(void)
{
    TEST_BEGIN("delete/slots");
    seL4_CPtr ep = obj(seL4_EndpointObject), empty = slot();
    ASSERT_TRUE(ep != 0 && empty != 0);
    seL4_CPtr c = copy_of(ep, ALL);
    ASSERT_NE(c, 0);
    EXPECT_OK(seL4_CNode_Delete(ROOT, c, DEPTH));
    EXPECT_EQ(ident(c), TAG_NULL);
    EXPECT_EQ(ident(ep), TAG_EP);
    /* Deleting an empty slot does nothing and succeeds. */
    EXPECT_OK(seL4_CNode_Delete(ROOT, empty, DEPTH));
    EXPECT_OK(seL4_CNode_Revoke(ROOT, empty, DEPTH));
    /* Destination lookup failures (source flag 0). */
    EXPECT_RANGE(seL4_CNode_Delete(ROOT, ep, 0), 1, 32);
    EXPECT_LOOKUP(seL4_CNode_Delete(ROOT, ep, DEPTH - 1), 0, seL4_DepthMismatch);
    EXPECT_EQ(seL4_GetMR(2), DEPTH - 1);
    EXPECT_EQ(seL4_GetMR(3), DEPTH);
    EXPECT_LOOKUP(seL4_CNode_Revoke(ROOT, 0xffffffffu, DEPTH), 0, seL4_GuardMismatch);
    EXPECT_EQ(seL4_GetMR(2), DEPTH);
    EXPECT_EQ(seL4_GetMR(3), 0);
    EXPECT_EQ(seL4_GetMR(4), DEPTH - ROOT_RADIX);
    /* Deleting a CNode deletes what it holds: the last endpoint cap inside
     * goes, but a copy outside keeps the endpoint alive. */
    seL4_CPtr cn = st_new_cnode(&mem, SUB_RADIX);
    ASSERT_NE(cn, 0);
    ASSERT_OK(seL4_CNode_Copy(cn, 0, SUB_RADIX, ROOT, ep, DEPTH, ALL));
    ASSERT_OK(seL4_CNode_Copy(cn, 1, SUB_RADIX, ROOT, cn, DEPTH, ALL));   /* itself */
    EXPECT_OK(seL4_CNode_Delete(ROOT, cn, DEPTH));
    EXPECT_EQ(ident(cn), TAG_NULL);
    EXPECT_EQ(ident(ep), TAG_EP);
    EXPECT_INVARIANTS();
    TEST_END();
}

static void revoke_ops(void)
{
    TEST_BEGIN("revoke/children_only");
    seL4_CPtr ep = obj(seL4_EndpointObject);
    ASSERT_NE(ep, 0);
    seL4_CPtr c1 = copy_of(ep, ALL), a = st_mint(&mem, ep, ALL, BADGE_A);
    seL4_CPtr b = st_mint(&mem, ep, ALL, BADGE_B);
    ASSERT_TRUE(c1 && a && b);
    seL4_CPtr a1 = copy_of(a, ALL), a2 = copy_of(a1, seL4_CanWrite), b1 = copy_of(b, ALL);
    ASSERT_TRUE(a1 && a2 && b1);
    /* A badged cap's revoke takes its copies, nothing else. */
    EXPECT_OK(seL4_CNode_Revoke(ROOT, a, DEPTH));
    EXPECT_EQ(ident(a), TAG_EP);
    EXPECT_EQ(ident(a1), TAG_NULL);
    EXPECT_EQ(ident(a2), TAG_NULL);
    EXPECT_EQ(ident(b1), TAG_EP);
    EXPECT_EQ(ident(c1), TAG_EP);
    /* A copy of an unbadged cap has no children of its own. */
    seL4_CPtr c2 = copy_of(c1, ALL);
    ASSERT_NE(c2, 0);
    EXPECT_OK(seL4_CNode_Revoke(ROOT, c1, DEPTH));
    EXPECT_EQ(ident(c2), TAG_EP);
    /* The original's revoke takes everything derived from it. */
    EXPECT_OK(seL4_CNode_Revoke(ROOT, ep, DEPTH));
    EXPECT_EQ(ident(ep), TAG_EP);
    EXPECT_EQ(ident(c1), TAG_NULL);
    EXPECT_EQ(ident(c2), TAG_NULL);
    EXPECT_EQ(ident(a), TAG_NULL);
    EXPECT_EQ(ident(b), TAG_NULL);
    EXPECT_EQ(ident(b1), TAG_NULL);
    EXPECT_INVARIANTS();
    TEST_END();
}

struct call_job {
    seL4_CPtr ep;
    volatile seL4_Word label;
    volatile int returned;
};

static void caller(void *arg)
{
    struct call_job *j = arg;
    seL4_MessageInfo_t r = seL4_Call(j->ep, seL4_MessageInfo_new(0, 0, 0, 0));
    j->label = seL4_MessageInfo_get_label(r);
    j->returned = 1;
}

static void save_caller(void)
{
    struct call_job j = { 0, 0, 0 };
    rt_thread_t t;
    seL4_Word badge;

    TEST_BEGIN("save_caller/move_reply_cap");
    seL4_CPtr full = obj(seL4_EndpointObject), s = slot(), s2 = slot(), d = slot();
    j.ep = obj(seL4_EndpointObject);
    ASSERT_TRUE(full && s && s2 && d && j.ep);
    /* No caller: success, nothing saved. */
    EXPECT_OK(seL4_CNode_SaveCaller(ROOT, s, DEPTH));
    EXPECT_EQ(ident(s), TAG_NULL);
    EXPECT_ERR(seL4_CNode_SaveCaller(ROOT, full, DEPTH), seL4_DeleteFirst);
    EXPECT_RANGE(seL4_CNode_SaveCaller(ROOT, s, DEPTH + 1), 1, 32);
    ASSERT_TRUE(st_spawn(&mem, &t, HIGH_PRIO, 0, caller, &j));
    seL4_Recv(j.ep, &badge);
    /* A full destination keeps the reply capability where it is. */
    EXPECT_ERR(seL4_CNode_SaveCaller(ROOT, full, DEPTH), seL4_DeleteFirst);
    EXPECT_OK(seL4_CNode_SaveCaller(ROOT, s, DEPTH));
    EXPECT_EQ(ident(s), TAG_REPLY);
    /* Reply capabilities cannot be copied, but move. */
    EXPECT_ERR(copy_into(d, s, ALL), seL4_IllegalOperation);
    EXPECT_ERR(seL4_CNode_Mint(ROOT, d, DEPTH, ROOT, s, DEPTH, ALL, 1), seL4_IllegalOperation);
    EXPECT_OK(seL4_CNode_Move(ROOT, s2, DEPTH, ROOT, s, DEPTH));
    EXPECT_EQ(ident(s2), TAG_REPLY);
    EXPECT_EQ(j.returned, 0);
    /* Saving again finds nothing (the slot was emptied). */
    EXPECT_OK(seL4_CNode_SaveCaller(ROOT, s, DEPTH));
    EXPECT_EQ(ident(s), TAG_NULL);
    seL4_Send(s2, seL4_MessageInfo_new(REPLY_LABEL, 0, 0, 0));
    EXPECT_EQ(j.returned, 1);
    EXPECT_EQ(j.label, REPLY_LABEL);
    EXPECT_EQ(ident(s2), TAG_NULL);
    EXPECT_INVARIANTS();
    TEST_END();
}

struct send_job {
    seL4_CPtr ep;
    volatile int sent;
};

static void sender(void *arg)
{
    struct send_job *j = arg;
    seL4_Send(j->ep, seL4_MessageInfo_new(0, 0, 0, 0));
    j->sent = 1;
}

static void cancel_badged_sends(void)
{
    rt_thread_t ta, tb;
    seL4_Word badge = 0;

    TEST_BEGIN("cancel_badged_sends/requeue");
    seL4_CPtr ep = obj(seL4_EndpointObject), nt = obj(seL4_NotificationObject), empty = slot();
    ASSERT_TRUE(ep && nt && empty);
    struct send_job ja = { st_mint(&mem, ep, ALL, BADGE_A), 0 };
    struct send_job jb = { st_mint(&mem, ep, ALL, BADGE_B), 0 };
    ASSERT_TRUE(ja.ep && jb.ep);
    /* Only an endpoint cap with all rights qualifies. */
    EXPECT_ERR(seL4_CNode_CancelBadgedSends(ROOT, nt, DEPTH), seL4_IllegalOperation);
    EXPECT_ERR(seL4_CNode_CancelBadgedSends(ROOT, empty, DEPTH), seL4_IllegalOperation);
    EXPECT_ERR(seL4_CNode_CancelBadgedSends(ROOT, copy_of(ja.ep, seL4_NoWrite), DEPTH),
               seL4_IllegalOperation);
    EXPECT_ERR(seL4_CNode_CancelBadgedSends(ROOT, copy_of(ja.ep, seL4_NoRead), DEPTH),
               seL4_IllegalOperation);
    EXPECT_ERR(seL4_CNode_CancelBadgedSends(ROOT, copy_of(ja.ep, seL4_CapRights_new(1, 0, 1, 1)),
                                            DEPTH), seL4_IllegalOperation);
    EXPECT_LOOKUP(seL4_CNode_CancelBadgedSends(ROOT, 0xffffffffu, DEPTH), 0, seL4_GuardMismatch);
    /* A blocks sending, then B. Cancelling A's badge restarts A, which
     * sends again behind B; the unbadged cap cancels nothing. */
    ASSERT_TRUE(st_spawn(&mem, &ta, HIGH_PRIO, 0, sender, &ja));
    ASSERT_TRUE(st_spawn(&mem, &tb, HIGH_PRIO, 0, sender, &jb));
    EXPECT_OK(seL4_CNode_CancelBadgedSends(ROOT, ep, DEPTH));
    EXPECT_OK(seL4_CNode_CancelBadgedSends(ROOT, ja.ep, DEPTH));
    EXPECT_EQ(ja.sent, 0);
    seL4_Recv(ep, &badge);
    EXPECT_EQ(badge, BADGE_B);
    seL4_Recv(ep, &badge);
    EXPECT_EQ(badge, BADGE_A);
    EXPECT_EQ(ja.sent, 1);
    EXPECT_EQ(jb.sent, 1);
    EXPECT_INVARIANTS();
    TEST_END();
}

/* The usual pattern: revoke a badge, cancel its queued sends. The sender
 * restarts its Send through a slot that is empty now: that is refused
 * (InvalidCapability, dropped since Send gets no reply) and it goes on. */
static void cancel_after_revoke(void)
{
    rt_thread_t ta, tb;
    seL4_Word badge = 0;

    TEST_BEGIN("cancel_badged_sends/after_revoke");
    seL4_CPtr ep = obj(seL4_EndpointObject);
    ASSERT_NE(ep, 0);
    seL4_CPtr a = st_mint(&mem, ep, ALL, BADGE_A);
    struct send_job ja = { copy_of(a, ALL), 0 }, jb = { st_mint(&mem, ep, ALL, BADGE_B), 0 };
    ASSERT_TRUE(a && ja.ep && jb.ep);
    ASSERT_TRUE(st_spawn(&mem, &ta, HIGH_PRIO, 0, sender, &ja));
    ASSERT_TRUE(st_spawn(&mem, &tb, HIGH_PRIO, 0, sender, &jb));
    EXPECT_OK(seL4_CNode_Revoke(ROOT, a, DEPTH));
    EXPECT_EQ(ident(ja.ep), TAG_NULL);
    EXPECT_EQ(ja.sent, 0);
    EXPECT_OK(seL4_CNode_CancelBadgedSends(ROOT, a, DEPTH));
    EXPECT_EQ(ja.sent, 1);
    seL4_Recv(ep, &badge);
    EXPECT_EQ(badge, BADGE_B);
    EXPECT_EQ(jb.sent, 1);
    badge = 1;
    seL4_NBRecv(ep, &badge);
    EXPECT_EQ(badge, 0);
    EXPECT_INVARIANTS();
    TEST_END();
}

void ops_tests(void)
{
    delete_ops();
    revoke_ops();
    save_caller();
    cancel_badged_sends();
    cancel_after_revoke();
}
