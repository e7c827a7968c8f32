/*
 * Capability lookup: walking a CSpace from a root CNode capability,
 * consuming guard and radix bits of a capability address until the
 * requested depth is used up. Failures are reported as lookup_fault_t.
 */
#ifndef KERNEL_CSPACE_H
#define KERNEL_CSPACE_H

#include <kernel/objects.h>

typedef struct resolve_result {
    cte_t *slot;
    word_t bits_remaining;
} resolve_result_t;

/* Walk from `root` resolving the top `depth` bits of `cptr`. Stops early at
 * a non-CNode capability (bits_remaining > 0). Fills ks_lookup_fault and
 * returns EXCEPTION_LOOKUP_FAULT on failure. Terminates on any CSpace
 * (each step consumes at least one bit). */
exception_t cspace_resolve(cap_t root, cptr_t cptr, word_t depth, resolve_result_t *out);

/* A capability at full depth (32) in thread t's CSpace: how system calls
 * find the cap they invoke. Missing cap or leftover bits is a failure. */
exception_t cspace_lookup_slot(tcb_t *t, cptr_t cptr, cte_t **slot);

/* A slot named by (root, index, depth) as CNode invocations and retype
 * name them: depth must be 1..32 and resolve exactly. */
exception_t cspace_lookup_target_slot(cap_t root, cptr_t index, word_t depth, cte_t **slot);

/* Like cspace_lookup_target_slot but also accepts a non-CNode cap only if
 * ... (seL4 lookupSourceSlot / lookupPivotSlot use the same rule). */
exception_t cspace_lookup_source_slot(cap_t root, cptr_t index, word_t depth, cte_t **slot);

#endif
