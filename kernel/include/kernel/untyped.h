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

exception_t untyped_decode(struct invocation *inv);

#endif
