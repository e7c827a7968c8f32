/*
 * CNode invocations (labels CNodeRevoke 17 .. CNodeSaveCaller 25): moving,
 * copying, minting, mutating, rotating, deleting and revoking the
 * capabilities in a CNode, as seL4 does them.
 */
#ifndef KERNEL_CNODE_H
#define KERNEL_CNODE_H

#include <kernel/invocation.h>

/* Decode and perform an invocation of a CNode capability. Refusals carry
 * seL4's error details; Revoke and Delete may return EXCEPTION_PREEMPTED
 * (the caller is left in Restart and re-runs the call). */
exception_t cnode_decode(invocation_t *inv);

#endif
