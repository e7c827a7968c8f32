/*
 * Capability lookup.
 *
 * A CSpace is a tree of CNodes. A capability address (CPtr) is a string of
 * bits read from the most significant end: each CNode on the way consumes
 * first its guard (a fixed bit pattern that must match, letting a small
 * CNode stand for a large, sparse address range) and then `radix` bits
 * that index one of its 2^radix slots. If that slot holds another CNode
 * capability and bits are left, the walk continues there; otherwise it
 * stops at that slot. `depth` says how many bits of the address are
 * meaningful, so a caller can also name a slot that holds a CNode cap
 * instead of descending into it.
 *
 * Every step consumes at least one bit (a CNode has radix >= 1), so a walk
 * ends after at most 32 steps on any CSpace, including cyclic ones.
 *
 * Failures are reported exactly as seL4 reports them (ks_lookup_fault):
 * the root is not a CNode (InvalidRoot), a guard does not match or is
 * longer than the bits left (GuardMismatch: bits left, guard found, guard
 * size), or a CNode needs more bits than are left (DepthMismatch: bits
 * left, bits the level needed).
 */
#include <kernel/cspace.h>
#include <kernel/state.h>
#include <kernel/invocation.h>
#include <kernel/debug.h>
#include <abi/errors.h>

exception_t cspace_lookup_fault(word_t type, word_t bits_left, word_t bits_found, word_t guard_found)
{
    ks_lookup_fault.type = type;
    ks_lookup_fault.bits_left = bits_left;
    ks_lookup_fault.bits_found = bits_found;
    ks_lookup_fault.guard_found = guard_found;
    return EXCEPTION_LOOKUP_FAULT;
}

/* The top `n` bits of the `bits` still unread in cptr. */
static inline word_t take_bits(cptr_t cptr, word_t bits, word_t n)
{
    if (n == 0)
        return 0;
    return (cptr >> (bits - n)) & MASK(n);
}

/* A level that needs more bits than are left, or none: report it exactly
 * as the checks in seL4's order (guard first, then depth) find it. */
static exception_t level_fault(cap_t node, cptr_t cptr, word_t bits)
{
    word_t guard_size = cap_cnode_guard_size(node);
    word_t guard = cap_cnode_guard(node);

    if (guard_size > bits || take_bits(cptr, bits, guard_size) != guard)
        return cspace_lookup_fault(LOOKUP_GUARD_MISMATCH, bits, guard_size, guard);
    return cspace_lookup_fault(LOOKUP_DEPTH_MISMATCH, bits, guard_size + cap_cnode_radix(node), 0);
}

/*
 * Each level reads its guard and index as one chunk of `level` bits: with
 * 1 <= level <= bits <= 32 both shifts below are in range, and the chunk's
 * top guard_size bits are the guard, the rest the slot index. A level that
 * does not fit is rare and goes to level_fault().
 *
 * Always inlined: cspace_resolve() is its general form, and the lookups
 * at full depth that every invocation makes (the invoked capability and
 * each extra one) get a copy specialised for depth 32 inside their loop,
 * which takes about half the instructions of a call per address.
 */
static inline __attribute__((always_inline)) exception_t walk(cap_t root, cptr_t cptr,
                                                              word_t depth, resolve_result_t *out)
{
    cap_t node = root;
    word_t bits = depth;
    cte_t *slot = NULL;
    exception_t status = EXCEPTION_NONE;

    if (cap_type(node) != CAP_CNODE) {
        out->slot = NULL;
        out->bits_remaining = depth;
        return cspace_lookup_fault(LOOKUP_INVALID_ROOT, 0, 0, 0);
    }
    for (;;) {
        word_t radix = cap_cnode_radix(node);
        word_t level = radix + cap_cnode_guard_size(node);

        if (unlikely(level > bits || level == 0)) {
            status = level_fault(node, cptr, bits);
            break;
        }
        word_t chunk = (cptr << (WORD_BITS - bits)) >> (WORD_BITS - level);
        if (unlikely((chunk >> radix) != cap_cnode_guard(node))) {
            status = level_fault(node, cptr, bits);
            break;
        }
        slot = cnode_slots(node) + (chunk & MASK(radix));
        bits -= level;
        if (bits == 0 || cap_type(slot->cap) != CAP_CNODE)
            break;
        node = slot->cap;
    }
    out->slot = slot;
    out->bits_remaining = bits;
    return status;
}

exception_t cspace_resolve(cap_t root, cptr_t cptr, word_t depth, resolve_result_t *out)
{
    return walk(root, cptr, depth, out);
}

/* As seL4's lookupSlot: the walk may stop early at a capability that is
 * not a CNode (the remaining bits are ignored), and an empty slot is a
 * successful lookup of a null capability (invoking it is refused later). */
exception_t cspace_lookup_slot(tcb_t *t, cptr_t cptr, cte_t **slot)
{
    resolve_result_t r;
    exception_t status = walk(tcb_slot(t, TCB_SLOT_CTABLE)->cap, cptr, WORD_BITS, &r);

    *slot = r.slot;
    return status;
}

/* cspace_lookup_slot() of each of n addresses, from t's root read once (a
 * lookup changes no capability); stops at the first that fails. */
bool cspace_lookup_slots(tcb_t *t, const cptr_t *cptrs, word_t n, cte_t **slots,
                         cptr_t *failed_cptr)
{
    cap_t root = tcb_slot(t, TCB_SLOT_CTABLE)->cap;
    resolve_result_t r;

    for (word_t i = 0; i < n; i++) {
        if (walk(root, cptrs[i], WORD_BITS, &r) != EXCEPTION_NONE) {
            *failed_cptr = cptrs[i];
            return false;
        }
        slots[i] = r.slot;
    }
    return true;
}

/* seL4 lookupSlotForCNodeOp: errors become a refusal with the lookup
 * failure attached and `source` saying which of the addresses failed. */
static exception_t lookup_for_cnode_op(bool source, cap_t root, cptr_t index, word_t depth,
                                       cte_t **slot)
{
    resolve_result_t r;

    *slot = NULL;
    if (cap_type(root) != CAP_CNODE)
        return cspace_refuse_lookup(source, LOOKUP_INVALID_ROOT, 0, "CNode operation: root is not a CNode");
    if (depth < 1 || depth > WORD_BITS)
        return refuse_range(1, WORD_BITS, "CNode operation: depth out of range");
    if (cspace_resolve(root, index, depth, &r) != EXCEPTION_NONE)
        return refuse_lookup(source, "CNode operation: lookup failed");
    if (r.bits_remaining != 0)
        return cspace_refuse_lookup(source, LOOKUP_DEPTH_MISMATCH, r.bits_remaining,
                                    "CNode operation: address ends inside a non-CNode cap");
    *slot = r.slot;
    return EXCEPTION_NONE;
}

exception_t cspace_refuse_lookup(bool source, word_t type, word_t bits_left, const char *why)
{
    cspace_lookup_fault(type, bits_left, 0, 0);
    return refuse_lookup(source, why);
}

exception_t cspace_lookup_target_slot(cap_t root, cptr_t index, word_t depth, cte_t **slot)
{
    return lookup_for_cnode_op(false, root, index, depth, slot);
}

exception_t cspace_lookup_source_slot(cap_t root, cptr_t index, word_t depth, cte_t **slot)
{
    return lookup_for_cnode_op(true, root, index, depth, slot);
}

exception_t cspace_ensure_empty(const cte_t *slot, const char *why)
{
    if (!cap_is_null(slot->cap))
        return refuse(ERR_DELETE_FIRST, why);
    return EXCEPTION_NONE;
}

exception_t cspace_lookup_empty_slot(cap_t root, cptr_t index, word_t depth, cte_t **slot,
                                     const char *why)
{
    exception_t status = cspace_lookup_target_slot(root, index, depth, slot);

    if (status != EXCEPTION_NONE)
        return status;
    return cspace_ensure_empty(*slot, why);
}
