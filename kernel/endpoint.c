/*
 * Endpoints: synchronous rendezvous between a sender and a receiver.
 *
 * An endpoint is a queue of threads waiting on it and a state saying who
 * they are: nobody (Idle), senders (Send) or receivers (Recv); senders and
 * receivers never wait together, because a sender that finds a receiver
 * waiting (or the other way round) completes the transfer at once, taking
 * the first thread off the queue (FIFO). A blocked sender remembers the
 * badge and the Grant / GrantReply rights of the capability it sent with,
 * and whether it was a Call; a blocked receiver remembers whether its
 * capability had Grant (the reply capability it gets will carry Grant only
 * then).
 *
 * A Call, and a fault message (which the kernel sends as a Call), needs
 * Grant or GrantReply on the sender's capability: with either the caller
 * waits for the reply, with neither it is left Inactive. A thread blocked
 * on an endpoint leaves it when it is suspended, restarted or deleted
 * (ep_cancel_ipc); deleting the endpoint restarts every waiter, so each
 * re-executes its system call and finds the capability gone.
 */
#include <kernel/endpoint.h>
#include <kernel/ipc.h>
#include <kernel/transfer.h>
#include <kernel/sched.h>
#include <kernel/state.h>
#include <kernel/debug.h>
#include <kernel/notification.h>
#include <kernel/tcb.h>
#include <abi/faults.h>

static void ep_append(endpoint_t *ep, tcb_t *t)
{
    ipc_queue_append(&ep->head, &ep->tail, t);
}

/* Take t off ep's queue; the endpoint goes Idle when the queue empties. */
static void ep_remove(endpoint_t *ep, tcb_t *t)
{
    ipc_queue_remove(&ep->head, &ep->tail, t);
    if (ep->head == NULL)
        ep->state = EP_IDLE;
}

/* ep_remove() of the first thread, which a send or receive takes. */
static tcb_t *ep_pop(endpoint_t *ep)
{
    tcb_t *t = ipc_queue_pop(&ep->head, &ep->tail);

    if (ep->head == NULL)
        ep->state = EP_IDLE;
    return t;
}

static void block_sender(tcb_t *t, endpoint_t *ep, word_t badge, word_t rights, bool is_call)
{
    tcb_set_state(t, TS_BLOCKED_ON_SEND);
    t->blocking_object = ep;
    t->blocking_badge = badge;
    t->blocking_rights = rights;
    t->blocking_is_call = is_call;
    ep_append(ep, t);
    ep->state = EP_SEND;
}

/* After a transfer from a Call (or a fault): sender waits for the reply,
 * or is dropped if its capability could not carry one. */
static void finish_call(tcb_t *sender, word_t sender_rights, tcb_t *receiver, bool reply_grant)
{
    if (sender_rights & (RIGHT_GRANT | RIGHT_GRANT_REPLY))
        ipc_setup_caller_cap(sender, receiver, reply_grant);
    else
        tcb_set_state(sender, TS_INACTIVE);
}

void ep_send(tcb_t *t, endpoint_t *ep, word_t badge, bool can_grant, bool can_grant_reply,
             bool blocking, bool is_call)
{
    word_t rights = (can_grant ? RIGHT_GRANT : 0) | (can_grant_reply ? RIGHT_GRANT_REPLY : 0);

    /* A thread with a saved fault sends that fault (transfer.c), and a
     * fault always waits for its reply, even on a plain Send (seL4). */
    is_call = is_call || t->fault.type != FAULT_NULL;
    if (ep->state != EP_RECV) {
        if (blocking)
            block_sender(t, ep, badge, rights, is_call);
        return;
    }
    tcb_t *dest = ep_pop(ep);
    do_ipc_transfer(t, ep, badge, can_grant, dest);
    bool reply_grant = (dest->blocking_rights & RIGHT_GRANT) != 0;
    tcb_set_state(dest, TS_RUNNING);
    sched_possible_switch_to(dest);
    if (is_call)
        finish_call(t, rights, dest, reply_grant);
}

void ep_receive(tcb_t *t, cap_t ep_cap, bool blocking)
{
    endpoint_t *ep = cap_ptr(ep_cap);
    notification_t *bound = t->bound_ntfn;

    if (bound != NULL && ntfn_state(bound) == NTFN_ACTIVE) {
        ntfn_complete_signal(bound, t);
        return;
    }
    if (ep->state != EP_SEND) {
        if (!blocking) {
            tcb_set_badge(t, 0);
            return;
        }
        tcb_set_state(t, TS_BLOCKED_ON_RECEIVE);
        t->blocking_object = ep;
        t->blocking_rights = cap_rights(ep_cap) & RIGHT_GRANT;
        ep_append(ep, t);
        ep->state = EP_RECV;
        return;
    }
    tcb_t *s = ep_pop(ep);
    do_ipc_transfer(s, ep, s->blocking_badge, (s->blocking_rights & RIGHT_GRANT) != 0, t);
    if (s->blocking_is_call) {
        finish_call(s, s->blocking_rights, t, cap_can_grant(ep_cap));
    } else {
        tcb_set_state(s, TS_RUNNING);
        sched_possible_switch_to(s);
    }
}

void ep_cancel_ipc(tcb_t *t)
{
    switch (t->state) {
    case TS_BLOCKED_ON_SEND:
        /* As seL4 (non-MCS): a fault message not yet delivered stays
         * recorded; a restart re-raises it from the faulting instruction. */
    case TS_BLOCKED_ON_RECEIVE:
        ep_remove(t->blocking_object, t);
        tcb_set_state(t, TS_INACTIVE);
        break;
    case TS_BLOCKED_ON_NOTIFICATION:
        ntfn_cancel_signal(t, t->blocking_object);
        break;
    case TS_BLOCKED_ON_REPLY:
        t->fault.type = FAULT_NULL;
        tcb_delete_reply_to(t);
        break;
    default:
        break;
    }
}

/* Every thread of a queue already detached from its endpoint or
 * notification re-runs its system call (seL4 cancelAllIPC and
 * cancelAllSignals: Restart, then onto the head of its ready queue). */
void ipc_restart_all(tcb_t *head)
{
    tcb_t *t, *next;

    for (t = head; t != NULL; t = next) {
        next = t->ep_next;
        t->ep_next = t->ep_prev = NULL;
        t->blocking_object = NULL;
        tcb_set_state(t, TS_RESTART);
        sched_enqueue_head(t);
    }
    sched_reschedule_required();
}

void ep_cancel_all(endpoint_t *ep)
{
    tcb_t *head = ep->head;

    if (ep->state == EP_IDLE)
        return;
    ep->head = ep->tail = NULL;
    ep->state = EP_IDLE;
    ipc_restart_all(head);
}

/* Senders that used `badge` re-run their system call (CNode
 * CancelBadgedSends, and revoking a badged capability). */
void ep_cancel_badged_sends(endpoint_t *ep, word_t badge)
{
    tcb_t *t, *next;

    if (ep->state != EP_SEND)
        return;
    for (t = ep->head; t != NULL; t = next) {
        next = t->ep_next;
        if (t->blocking_badge != badge)
            continue;
        ep_remove(ep, t);
        tcb_set_state(t, TS_RESTART);
        sched_enqueue_head(t);
    }
    if (ep->head != NULL)
        ep->state = EP_SEND;
    sched_reschedule_required();
}

/* ---- Send, NBSend and Call on endpoint and reply capabilities ---- */

exception_t ep_decode(invocation_t *inv)
{
    cap_t c = inv->cap;

    if (!cap_can_send(c))
        return refuse_cap(0, "endpoint capability cannot send");
    ep_send(ks_cur_thread, cap_ptr(c), cap_badge(c), cap_can_grant(c), cap_can_grant_reply(c),
            inv->block, inv->call);
    return EXCEPTION_NONE;
}

exception_t reply_decode(invocation_t *inv)
{
    cap_t c = inv->cap;

    if (cap_reply_is_master(c))
        return refuse_cap(0, "master reply capability cannot be invoked");
    do_reply_transfer(ks_cur_thread, cap_reply_tcb(c), inv->slot, cap_reply_can_grant(c));
    return EXCEPTION_NONE;
}
