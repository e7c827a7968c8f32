/*
 * Operations on capabilities that every object type takes part in:
 * deriving (copy/mint rules), comparing what two capabilities name,
 * deleting (with the finalisation of an object whose last capability goes)
 * and revoking. Delete and revoke are preemptible: they return
 * EXCEPTION_PREEMPTED with their progress kept in the slots (zombies) and
 * the system call is restarted from the beginning.
 */
#ifndef KERNEL_CAPOPS_H
#define KERNEL_CAPOPS_H

#include <kernel/objects.h>

/* Do a and b name memory such that one may be derived from the other
 * (untyped containing an object, same object, ...)? */
bool cap_same_region_as(cap_t a, cap_t b);
/* Do a and b name the same object (for is_final)? */
bool cap_same_object_as(cap_t a, cap_t b);
/* The capability a Copy/Mint/Move of `cap` from `slot` produces, or an
 * error (untyped with children: REVOKE_FIRST). May return a null cap for
 * types that cannot be copied (reply, IRQ control, zombie). */
exception_t cap_derive(cte_t *slot, cap_t cap, cap_t *out);
/* Mint/Mutate: apply badge or guard data. Returns null cap if not allowed. */
cap_t cap_update_data(bool preserve, word_t data, cap_t cap);
/* Intersect rights (endpoint, notification, reply grant, frame vm rights). */
cap_t cap_mask_rights(word_t rights, cap_t cap);
/* Does a new copy of cap (derived from src) become revocable? */
bool cap_is_revocable(cap_t derived, cap_t src);
/* Size in bits and kernel pointer of the object a capability names (0 and
 * unspecified for capabilities that name no memory). */
word_t cap_object_size_bits(cap_t c);
/* Physical base and size (bits) of the memory a capability names, false
 * for the types that name none. */
bool cap_memory(cap_t c, paddr_t *base, word_t *bits);
void *cap_object_ptr(cap_t c);

/* seL4 cteInsert: put `cap`, derived from src's capability, into the empty
 * slot dest right after src (its child or sibling as the tree rules say),
 * revocable as cap_is_revocable() says; an untyped copy of the same memory
 * marks the source full. Use it for every new copy of a capability. */
void cte_insert(cap_t cap, cte_t *src, cte_t *dest);
/* seL4 slotCapLongRunningDelete: would deleting this slot's cap need a
 * zombie (last cap to a TCB or CNode, or a zombie)? TCB Configure refuses. */
bool cte_long_running_delete(const cte_t *slot);

/* Delete the capability in slot, finalising the object if this was its
 * last capability. Preemptible. */
exception_t cte_delete(cte_t *slot, bool exposed);
/* Delete a capability whose finalisation cannot need preemption (reply,
 * endpoint, notification, frame, ...). Never fails. */
void cte_delete_one(cte_t *slot);
/* Delete every descendant of slot. Preemptible. */
exception_t cte_revoke(cte_t *slot);

/* Preemption point: count work, and say PREEMPTED if an interrupt is
 * pending and enough work was done (CONFIG_MAX_NUM_WORK_UNITS_PER_PREEMPTION). */
exception_t preemption_point(void);
#define WORK_UNITS_PER_PREEMPTION 100

/* Object-type finalisers, called when the last cap to an object goes. */
void ep_cancel_all(struct endpoint *ep);
void tcb_finalise(tcb_t *t);                     /* halt, dequeue, unbind; slots emptied by caller */
/* arch: unmap a frame / page table, invalidate a page directory's ASID,
 * free an ASID pool's ASIDs, release IRQ/IO port state. */
void arch_finalise_cap(cap_t cap, bool final);

#endif
