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

/* Record a lookup failure in ks_lookup_fault (the one place that fills it);
 * returns EXCEPTION_LOOKUP_FAULT. */
exception_t cspace_lookup_fault(word_t type, word_t bits_left, word_t bits_found, word_t guard_found);

/* A failure found by a decoder rather than by the walk (an empty source, a
 * missing page table, a deleted ASID): fill ks_lookup_fault with `type` and
 * `bits_left` and refuse with FailedLookup of the source or destination. */
exception_t cspace_refuse_lookup(bool source, word_t type, word_t bits_left, const char *why);

/* A capability at full depth (32) in thread t's CSpace: how system calls
 * find the cap they invoke (seL4 lookupSlot). As in seL4 the walk stops
 * early at a non-CNode capability (remaining bits are ignored) and an
 * empty slot is found, not a failure: the caller gets a slot holding a
 * null cap and refuses to invoke it (InvalidCapability). Only guard,
 * depth and invalid-root failures fail (EXCEPTION_LOOKUP_FAULT). */
exception_t cspace_lookup_slot(tcb_t *t, cptr_t cptr, cte_t **slot);
/* cspace_lookup_slot() of cptrs[0..n-1] into slots[]; on the first failure
 * sets *failed_cptr and returns false (ks_lookup_fault says why). */
bool cspace_lookup_slots(tcb_t *t, const cptr_t *cptrs, word_t n, cte_t **slots,
                         cptr_t *failed_cptr);

/* A slot named by (root, index, depth) as CNode invocations and retype
 * name them (seL4 lookupTargetSlot): root must be a CNode cap, depth
 * 1..32 (else RangeError 1..32), and the address must resolve exactly.
 * Failures are refusals: ks_syscall_error = FailedLookup with
 * failed_lookup_was_source = false and ks_lookup_fault filled. */
exception_t cspace_lookup_target_slot(cap_t root, cptr_t index, word_t depth, cte_t **slot);

/* The same for a source or pivot slot (seL4 lookupSourceSlot and
 * lookupPivotSlot): failed_lookup_was_source = true. */
exception_t cspace_lookup_source_slot(cap_t root, cptr_t index, word_t depth, cte_t **slot);

/* Refuse with DeleteFirst unless `slot` is empty. */
exception_t cspace_ensure_empty(const cte_t *slot, const char *why);

/* cspace_lookup_target_slot(), then the slot must be empty (DeleteFirst,
 * `why`): where a new capability is to go. */
exception_t cspace_lookup_empty_slot(cap_t root, cptr_t index, word_t depth, cte_t **slot,
                                     const char *why);

#endif
