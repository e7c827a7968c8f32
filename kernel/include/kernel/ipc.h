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
/* Restart every thread of a queue detached from its endpoint or
 * notification (they re-run their system calls). */
void ipc_restart_all(tcb_t *head);

/* Reply: t replies to the thread named by its caller slot. */
void do_reply_transfer(tcb_t *sender, tcb_t *receiver, cte_t *reply_slot, bool grant);
/* Copy message (and caps if allowed) from sender to receiver; sets the
 * receiver's msginfo and badge registers. */
void do_ipc_transfer(tcb_t *sender, endpoint_t *ep, word_t badge, bool grant, tcb_t *receiver);

#endif
