/*
 * Helpers shared by the IPC and thread modules: message registers, the
 * registers that carry badge and message info, extra-capability
 * lookups and reply capabilities.
 */
#ifndef KERNEL_TRANSFER_H
#define KERNEL_TRANSFER_H

#include <kernel/objects.h>

/* Register roles on ia32 (seL4's capRegister/badgeRegister, msgInfoRegister,
 * msgRegisters). */
static inline word_t tcb_msginfo(const tcb_t *t) { return t->ctx.esi; }
static inline void tcb_set_msginfo(tcb_t *t, word_t v) { t->ctx.esi = v; }
static inline void tcb_set_badge(tcb_t *t, word_t v) { t->ctx.ebx = v; }
static inline word_t tcb_cptr(const tcb_t *t) { return t->ctx.ebx; }
word_t mr_get_reg(const tcb_t *t, word_t i);          /* i < MSG_FAST_REGISTERS */
void mr_set_reg(tcb_t *t, word_t i, word_t v);

/* Set MR i of t (registers, else buffer word i + 1); returns the message
 * length this makes (i + 1, or MSG_FAST_REGISTERS when there is no buffer
 * for i). */
word_t mr_set(tcb_t *t, word_t *buffer, word_t i, word_t v);

/* Write a lookup failure's words starting at MR `offset`; returns length. */
word_t mr_set_lookup_failure(tcb_t *t, word_t *buffer, const lookup_fault_t *lf, word_t offset);

/* Look up `n` extra caps of t at full depth; on failure fills ks_lookup_fault,
 * sets *failed_cptr and returns false. */
bool lookup_extra_caps(tcb_t *t, const word_t *buffer, word_t n, cte_t **slots, cptr_t *failed_cptr);

/* A Call (or fault) from sender was received by receiver: sender waits for
 * the reply, receiver's caller slot gets a reply capability to it. */
void ipc_setup_caller_cap(tcb_t *sender, tcb_t *receiver, bool can_grant);

#endif
