/*
 * CNode ReadSlots, our extension (abi/capinfo.h, docs/api.md): the holder
 * of a CNode capability reads what its slots hold.
 */
#ifndef KERNEL_CNODE_READ_H
#define KERNEL_CNODE_READ_H

#include <kernel/invocation.h>

/* Decode and perform ReadSlots on the CNode capability inv->cap. Refusals
 * carry seL4's errors and details; may return EXCEPTION_PREEMPTED before it
 * has written anything. */
exception_t cnode_read_slots_decode(invocation_t *inv);

#endif
