/*
 * Faults: a user thread's exception, page fault, unknown system call or
 * failed capability lookup becomes a message to its fault endpoint. The
 * handler's reply may resume the thread (and, for UnknownSyscall and
 * UserException, set its registers).
 */
#ifndef KERNEL_FAULT_H
#define KERNEL_FAULT_H

#include <kernel/objects.h>

/* Deliver ks_cur_fault for thread t: look up its fault endpoint in t's own
 * CSpace and send; on failure t becomes Inactive (double fault). */
void handle_fault(tcb_t *t);
/* Length and MRs of the fault message for t->fault, written to the receiver. */
word_t fault_message_setup(tcb_t *faulter, tcb_t *receiver, word_t *rbuf);
/* Apply a reply to a faulted thread; returns whether it should restart. */
bool fault_handle_reply(tcb_t *faulter, tcb_t *replier, word_t label, word_t length, word_t *sbuf);

#endif
