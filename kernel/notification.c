/*
 * Notifications: asynchronous signals, a word of flags and a queue.
 *
 * Signal never blocks: it ORs the badge of the sender's capability into
 * the notification's word (state Active) or, if a thread is waiting, hands
 * the badge straight to the first waiter. Wait blocks until the word is
 * non-zero and then returns it (in the badge register) and clears it; Poll
 * is the non-blocking form and returns 0 when nothing was signalled. So a
 * notification is Idle (word 0, nobody waiting), Waiting (a queue of
 * threads, word 0) or Active (word non-zero, nobody waiting).
 *
 * A notification may be bound to one thread. The bound thread then also
 * receives signals while it waits on an endpoint: a signal arriving then
 * wakes it from the endpoint with the badge, and a receive on an endpoint
 * returns the pending word at once if the notification is Active. This is
 * how a server waits for both requests and interrupts.
 */
#include <kernel/endpoint.h>
#include <kernel/ipc.h>
#include <kernel/transfer.h>
#include <kernel/sched.h>
#include <kernel/state.h>
#include <kernel/debug.h>
#include <kernel/notification.h>
#include <kernel/tcb.h>

static void set_tail_state(notification_t *n, tcb_t *tail, word_t state)
{
    n->tail_state = (uintptr_t)tail | state;
}

static void ntfn_append(notification_t *n, tcb_t *t)
{
    tcb_t *tail = ntfn_tail(n);

    ipc_queue_append(&n->head, &tail, t);
    set_tail_state(n, tail, NTFN_WAITING);
}

/* Take t off n's queue; n goes Idle when the queue empties. */
static void ntfn_remove(notification_t *n, tcb_t *t)
{
    tcb_t *tail = ntfn_tail(n);

    ipc_queue_remove(&n->head, &tail, t);
    set_tail_state(n, tail, n->head != NULL ? NTFN_WAITING : NTFN_IDLE);
}

/* ntfn_remove() of the first waiter, which a signal wakes. */
static tcb_t *ntfn_pop(notification_t *n)
{
    tcb_t *tail = ntfn_tail(n);
    tcb_t *t = ipc_queue_pop(&n->head, &tail);

    set_tail_state(n, tail, tail != NULL ? NTFN_WAITING : NTFN_IDLE);
    return t;
}

static void wake_with_badge(tcb_t *t, word_t badge)
{
    tcb_set_state(t, TS_RUNNING);
    tcb_set_badge(t, badge);
    sched_possible_switch_to(t);
}

void ntfn_signal(notification_t *n, word_t badge)
{
    tcb_t *t;

    switch (ntfn_state(n)) {
    case NTFN_IDLE:
        t = n->bound_tcb;
        if (t != NULL && t->state == TS_BLOCKED_ON_RECEIVE) {
            ep_cancel_ipc(t);
            wake_with_badge(t, badge);
        } else {
            n->word = badge;
            set_tail_state(n, NULL, NTFN_ACTIVE);
        }
        break;
    case NTFN_WAITING:
        wake_with_badge(ntfn_pop(n), badge);
        break;
    case NTFN_ACTIVE:
        n->word |= badge;
        break;
    }
}

void ntfn_complete_signal(notification_t *n, tcb_t *t)
{
    assert(ntfn_state(n) == NTFN_ACTIVE);
    tcb_set_badge(t, n->word);
    n->word = 0;
    set_tail_state(n, NULL, NTFN_IDLE);
}

void ntfn_receive(tcb_t *t, cap_t ntfn_cap, bool blocking)
{
    notification_t *n = cap_ptr(ntfn_cap);

    if (ntfn_state(n) == NTFN_ACTIVE) {
        ntfn_complete_signal(n, t);
        return;
    }
    if (!blocking) {
        tcb_set_badge(t, 0);
        return;
    }
    tcb_set_state(t, TS_BLOCKED_ON_NOTIFICATION);
    t->blocking_object = n;
    ntfn_append(n, t);
}

void ntfn_cancel_signal(tcb_t *t, notification_t *n)
{
    ntfn_remove(n, t);
    tcb_set_state(t, TS_INACTIVE);
}

/* The notification is being destroyed: every waiter re-runs its Wait. */
void ntfn_cancel_all(notification_t *n)
{
    tcb_t *head = n->head;

    if (ntfn_state(n) != NTFN_WAITING)
        return;
    n->head = NULL;
    set_tail_state(n, NULL, NTFN_IDLE);
    ipc_restart_all(head);
}

void ntfn_bind(notification_t *n, tcb_t *t)
{
    n->bound_tcb = t;
    t->bound_ntfn = n;
}

void ntfn_unbind(notification_t *n)
{
    tcb_t *t = n->bound_tcb;

    n->bound_tcb = NULL;
    if (t != NULL)
        t->bound_ntfn = NULL;
}

void ntfn_unbind_all(notification_t *n)
{
    if (n->bound_tcb != NULL)
        ntfn_unbind(n);
}

/* ---- Send, NBSend and Call on a notification capability: Signal ---- */

exception_t ntfn_decode(invocation_t *inv)
{
    cap_t c = inv->cap;

    if (!cap_can_send(c))
        return refuse_cap(0, "notification capability cannot signal");
    ntfn_signal(cap_ptr(c), cap_badge(c));
    return EXCEPTION_NONE;
}
