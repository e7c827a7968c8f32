/*
 * Endpoints, message transfer and reply capabilities (notifications:
 * notification.h).
 */
#ifndef KERNEL_IPC_H
#define KERNEL_IPC_H

#include <kernel/objects.h>

/* Endpoint operations (thread t is usually ks_cur_thread). */
void ep_send(tcb_t *t, endpoint_t *ep, word_t badge, bool can_grant, bool can_grant_reply,
             bool blocking, bool is_call);
void ep_receive(tcb_t *t, cap_t ep_cap, bool blocking);
void ep_cancel_ipc(tcb_t *t);           /* t leaves whatever IPC it is blocked in */
void ep_cancel_badged_sends(endpoint_t *ep, word_t badge);
/* Thread queues of endpoints and notifications: doubly linked through
 * ep_next/ep_prev, from head to tail. A notification packs its tail with
 * its state, so it passes a local copy of the tail and stores it back. */
static inline void ipc_queue_append(tcb_t **head, tcb_t **tail, tcb_t *t)
{
    t->ep_next = NULL;
    t->ep_prev = *tail;
    if (*tail != NULL)
        (*tail)->ep_next = t;
    else
        *head = t;
    *tail = t;
}

/* Unlink t, which is queued, and forget what it was blocked on. */
static inline void ipc_queue_remove(tcb_t **head, tcb_t **tail, tcb_t *t)
{
    if (t->ep_prev != NULL)
        t->ep_prev->ep_next = t->ep_next;
    else
        *head = t->ep_next;
    if (t->ep_next != NULL)
        t->ep_next->ep_prev = t->ep_prev;
    else
        *tail = t->ep_prev;
    t->ep_next = t->ep_prev = NULL;
    t->blocking_object = NULL;
}

/* Unlink and return the first thread of a non-empty queue: as
 * ipc_queue_remove() of the head, without the tests a head cannot need
 * (it has no predecessor). The wake-up paths of Signal, Send and Receive
 * all take the head, so this is the one they use. */
static inline tcb_t *ipc_queue_pop(tcb_t **head, tcb_t **tail)
{
    tcb_t *t = *head;
    tcb_t *next = t->ep_next;

    *head = next;
    if (next != NULL) {
        next->ep_prev = NULL;
        t->ep_next = NULL;
    } else {
        *tail = NULL;
    }
    t->blocking_object = NULL;
    return t;
}

/* Restart every thread of a queue detached from its endpoint or
 * notification (they re-run their system calls). */
void ipc_restart_all(tcb_t *head);

/* Reply: t replies to the thread named by its caller slot. */
void do_reply_transfer(tcb_t *sender, tcb_t *receiver, cte_t *reply_slot, bool grant);
/* Copy message (and caps if allowed) from sender to receiver; sets the
 * receiver's msginfo and badge registers. */
void do_ipc_transfer(tcb_t *sender, endpoint_t *ep, word_t badge, bool grant, tcb_t *receiver);

#endif
