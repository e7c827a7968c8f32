/*
 * An invocation being decoded: the capability invoked, the message label
 * and length, the extra capabilities already looked up, and the caller's
 * IPC buffer. Every <obj>_decode() takes one of these; arguments are read
 * with inv_arg() (MR0 and MR1 come from registers, the rest from the IPC
 * buffer, as seL4 does), and a decode that needs more arguments than the
 * message holds refuses with ERR_TRUNCATED_MESSAGE.
 */
#ifndef KERNEL_INVOCATION_H
#define KERNEL_INVOCATION_H

#include <kernel/objects.h>
#include <abi/msginfo.h>

typedef struct invocation {
    word_t label;               /* enum abi_invocation */
    word_t length;              /* message length in words */
    cptr_t cptr;                /* address of the invoked cap */
    cte_t *slot;                /* slot of the invoked cap */
    cap_t cap;                  /* the invoked cap */
    word_t n_extra;             /* extra caps looked up (0..3) */
    cte_t *extra_slots[MSG_MAX_EXTRA_CAPS];
    cap_t extra_caps[MSG_MAX_EXTRA_CAPS];
    word_t *buffer;             /* caller's IPC buffer (kernel pointer) or NULL */
    bool call;                  /* Call (expects a reply) */
    bool block;                 /* blocking Send/Call vs NBSend */
} invocation_t;

/* Message register i of the current thread. i < length is the decoder's
 * to check first (a shorter message is a TruncatedMessage refusal); past
 * the message this returns 0 or whatever the buffer holds. */
word_t inv_arg(const invocation_t *inv, word_t i);

/* Refusal helpers: fill ks_syscall_error and return EXCEPTION_SYSCALL_ERROR.
 * `why` is printed in debug builds. */
exception_t refuse(word_t err, const char *why);
exception_t refuse_arg(word_t index, const char *why);        /* INVALID_ARGUMENT */
exception_t refuse_cap(word_t index, const char *why);        /* INVALID_CAPABILITY */
exception_t refuse_range(word_t min, word_t max, const char *why);
exception_t refuse_memory(word_t bytes_left, const char *why);
exception_t refuse_lookup(bool source, const char *why);      /* FAILED_LOOKUP from ks_lookup_fault */

/* Write results for a successful invocation that returns values: set MR i
 * of thread t (registers for i < 2, else its IPC buffer). */
void set_mr(tcb_t *t, word_t *buffer, word_t i, word_t value);
/* Finish an invocation with a success reply of `length` words (MRs already
 * set) and label 0: the caller is Running with msginfo in its ESI. Only
 * for decoders that return values; plain successes are handled by syscall.c. */
void reply_from_kernel_success(tcb_t *t, word_t length);

#endif
