/*
 * Notifications (notification.c): a word of flags and a queue of waiting
 * threads, optionally bound to one thread. Every notification operation
 * the rest of the kernel calls is declared here.
 */
#ifndef KERNEL_NOTIFICATION_H
#define KERNEL_NOTIFICATION_H

#include <kernel/objects.h>
#include <kernel/invocation.h>

/* Send or NBSend on a notification capability (syscall.c). */
exception_t ntfn_decode(invocation_t *inv);

void ntfn_signal(notification_t *n, word_t badge);
void ntfn_receive(tcb_t *t, cap_t ntfn_cap, bool blocking);
/* t receives the pending word of its bound notification n (Active). */
void ntfn_complete_signal(notification_t *n, tcb_t *t);
/* t, waiting on n, stops waiting. */
void ntfn_cancel_signal(tcb_t *t, notification_t *n);
void ntfn_bind(notification_t *n, tcb_t *t);
void ntfn_unbind(notification_t *n);

/* Finalisers, when the last capability to n goes (capops.c). */
void ntfn_cancel_all(notification_t *n);
void ntfn_unbind_all(notification_t *n);    /* unbind its TCB if any */

#endif
