/*
 * The capability derivation tree, stored in the slots themselves as a
 * depth-first list: a node's descendants follow it directly, so
 * "has children" looks at one neighbour and revoke deletes the run of
 * slots after a node. Parenthood is decided from the capabilities
 * (cap_same_region_as) and the revocable / first-badged flags.
 */
#ifndef KERNEL_CDT_H
#define KERNEL_CDT_H

#include <kernel/objects.h>

static inline cte_t *mdb_next(const cte_t *s) { return (cte_t *)(s->mdb.next & ~(uintptr_t)MDB_FLAGS); }
static inline cte_t *mdb_prev(const cte_t *s) { return (cte_t *)s->mdb.prev; }
static inline bool mdb_revocable(const cte_t *s) { return s->mdb.next & MDB_REVOCABLE; }
static inline bool mdb_first_badged(const cte_t *s) { return s->mdb.next & MDB_FIRST_BADGED; }

/* Is `child` a child of `parent` in the tree (given it follows parent)? */
bool cdt_is_parent_of(const cte_t *parent, const cte_t *child);
/* Constant time: does any slot descend from s? */
bool cdt_has_children(const cte_t *s);
/* Constant time: is s the only slot whose capability names its object? */
bool cdt_is_final(const cte_t *s);
/* Put `cap` into the empty slot `dest` as a child of `src` (or as its
 * sibling when the new cap is not derived from it, e.g. untyped copies). */
void cdt_insert(cte_t *src, cte_t *dest, cap_t cap, bool revocable, bool first_badged);
/* Put `cap` into `dest` as the first node of a fresh tree (boot). */
void cdt_insert_root(cte_t *dest, cap_t cap);
/* Unlink s (its children move up to its parent) and empty the slot. */
void cdt_remove(cte_t *s);
/* Move the capability and its tree position from src to the empty dest. */
void cdt_move(cte_t *src, cte_t *dest, cap_t newcap);
/* Swap two slots' positions (Rotate with two slots, and Move into place). */
void cdt_swap(cte_t *a, cap_t cap_a, cte_t *b, cap_t cap_b);

#endif
