/*
 * Untyped memory and retype. The pure arithmetic (object sizes, alignment
 * of the next object, bytes left) is separate from the invocation so host
 * unit tests can check it.
 */
#ifndef KERNEL_UNTYPED_H
#define KERNEL_UNTYPED_H

#include <kernel/objects.h>
#include <kernel/invocation.h>

/* Size in bits of one object of `type` with user size argument `user_bits`
 * (CNode: radix -> radix + SLOT_BITS; Untyped: user_bits). */
word_t obj_size_bits(word_t type, word_t user_bits);

/* Create the object (memory already zeroed) and return its capability. */
cap_t obj_create(word_t type, paddr_t paddr, word_t user_bits, bool device);

/* Retype: label 1 (seL4 decodeUntypedInvocation); may return
 * EXCEPTION_PREEMPTED while clearing memory (progress in the free index). */
exception_t untyped_decode(struct invocation *inv);

/* Clearing an untyped on reset happens in chunks of 2^8 bytes, with a
 * preemption point after each (seL4 CONFIG_RESET_CHUNK_BITS). */
#define UNTYPED_RESET_CHUNK_BITS 8

/* Pure retype arithmetic (no memory touched), used by the decoder and by
 * host tests. `reset`: the untyped has no children, so the next retype
 * starts again from the bottom. */
word_t untyped_bytes_left(cap_t ut, bool reset);
/* Physical address of the first object of 2^obj_bits bytes the next retype
 * would place: the free pointer aligned up to the object size. */
paddr_t untyped_next_object(cap_t ut, bool reset, word_t obj_bits);
/* May this untyped hold objects of `type`? Device memory and RAM the
 * kernel window cannot reach hold only frames and smaller untypeds. */
bool untyped_may_hold(cap_t ut, word_t type);

#endif
