/*
 * CNode invocations.
 *
 * A CNode capability is the authority to rearrange the capabilities in the
 * CNode's slots. Every operation names its destination slot by the first
 * two message words (index and depth, resolved from the invoked CNode);
 * operations that take a capability from elsewhere name the source by a
 * CNode capability passed as an extra cap plus index and depth words.
 *
 *   Copy   new child (or sibling) of the source with rights masked
 *   Mint   like Copy, and sets a badge (endpoint, notification) or a guard
 *          (CNode) on the copy
 *   Move   moves a capability with its place in the derivation tree
 *   Mutate Move that also changes the guard of a CNode capability
 *   Rotate moves two capabilities at once (dest <- pivot <- source)
 *   Delete, Revoke, SaveCaller, CancelBadgedSends
 *
 * As in seL4 the checks run in a fixed order and each refusal carries the
 * same error and details; nothing is changed before the last check.
 */
#include <kernel/cnode.h>
#include <kernel/capops.h>
#include <kernel/cdt.h>
#include <kernel/cspace.h>
#include <kernel/ipc.h>
#include <kernel/sched.h>
#include <kernel/state.h>
#include <kernel/debug.h>
#include <abi/invocation.h>

/* Message words of the Copy/Mint/Move/Mutate family. */
enum {
    ARG_DEST_INDEX = 0,
    ARG_DEST_DEPTH = 1,
    ARG_SRC_INDEX = 2,
    ARG_SRC_DEPTH = 3,
    ARG_RIGHTS = 4,             /* Copy, Mint */
    ARG_MUTATE_DATA = 4,        /* Mutate */
    ARG_MINT_DATA = 5,          /* Mint */
    CNODE_MIN_ARGS = 2,
    COPY_FAMILY_MIN_ARGS = 4,
    COPY_ARGS = 5,
    MINT_ARGS = 6,
    MUTATE_ARGS = 5,
};

/* Message words of Rotate. */
enum {
    ROT_DEST_DATA = 2,          /* new data for the pivot's cap, which lands in dest */
    ROT_PIVOT_INDEX = 3,
    ROT_PIVOT_DEPTH = 4,
    ROT_SRC_DATA = 5,           /* new data for the source's cap, which lands in pivot */
    ROT_SRC_INDEX = 6,
    ROT_SRC_DEPTH = 7,
    ROTATE_ARGS = 8,
};

/* ---- invoke: cannot fail (bar preemption) ------------------------------- */

static exception_t cnode_invoke_insert(cap_t cap, cte_t *src, cte_t *dest)
{
    cte_insert(cap, src, dest);
    return EXCEPTION_NONE;
}

static exception_t cnode_invoke_move(cap_t cap, cte_t *src, cte_t *dest)
{
    cdt_move(src, dest, cap);
    return EXCEPTION_NONE;
}

static exception_t cnode_invoke_rotate(cap_t src_cap, cap_t pivot_cap, cte_t *src,
                                       cte_t *pivot, cte_t *dest)
{
    if (src == dest) {
        cdt_swap(src, src_cap, pivot, pivot_cap);
    } else {
        cdt_move(pivot, dest, pivot_cap);
        cdt_move(src, pivot, src_cap);
    }
    return EXCEPTION_NONE;
}

static exception_t cnode_invoke_save_caller(cte_t *dest)
{
    cte_t *caller = tcb_slot(ks_cur_thread, TCB_SLOT_CALLER);
    cap_t cap = caller->cap;

    switch (cap_type(cap)) {
    case CAP_NULL:
        debug_printk("CNode SaveCaller: no reply cap present\n");
        break;
    case CAP_REPLY:
        if (!cap_reply_is_master(cap))
            cdt_move(caller, dest, cap);
        break;
    default:
        panic("caller slot holds neither a reply cap nor nothing");
    }
    return EXCEPTION_NONE;
}

static exception_t cnode_invoke_cancel_badged_sends(cap_t ep_cap)
{
    word_t badge = cap_badge(ep_cap);

    if (badge != 0)
        ep_cancel_badged_sends((endpoint_t *)cap_ptr(ep_cap), badge);
    return EXCEPTION_NONE;
}

/* ---- decode ---------------------------------------------------------------- */

/* An empty source slot is a failed lookup of the source (MissingCapability,
 * bits left = the depth the caller gave). */
static exception_t refuse_missing(bool source, word_t depth, const char *why)
{
    return cspace_refuse_lookup(source, LOOKUP_MISSING_CAPABILITY, depth, why);
}

/* The new capability a Copy/Mint/Move/Mutate would place, or an error. */
static exception_t copy_family_new_cap(const invocation_t *inv, cte_t *src, cap_t *newcap)
{
    cap_t masked;

    switch (inv->label) {
    case INV_CNODE_COPY:
        if (inv->length < COPY_ARGS)
            return refuse(ERR_TRUNCATED_MESSAGE, "CNode Copy: truncated message");
        masked = cap_mask_rights(inv_arg(inv, ARG_RIGHTS), src->cap);
        return cap_derive(src, masked, newcap);
    case INV_CNODE_MINT:
        if (inv->length < MINT_ARGS)
            return refuse(ERR_TRUNCATED_MESSAGE, "CNode Mint: truncated message");
        masked = cap_mask_rights(inv_arg(inv, ARG_RIGHTS), src->cap);
        return cap_derive(src, cap_update_data(false, inv_arg(inv, ARG_MINT_DATA), masked), newcap);
    case INV_CNODE_MOVE:
        *newcap = src->cap;
        return EXCEPTION_NONE;
    default:
        if (inv->length < MUTATE_ARGS)
            return refuse(ERR_TRUNCATED_MESSAGE, "CNode Mutate: truncated message");
        *newcap = cap_update_data(true, inv_arg(inv, ARG_MUTATE_DATA), src->cap);
        return EXCEPTION_NONE;
    }
}

static exception_t decode_copy_family(const invocation_t *inv, cte_t *dest)
{
    cte_t *src;
    cap_t newcap;
    exception_t status;

    if (inv->length < COPY_FAMILY_MIN_ARGS || inv->n_extra < 1)
        return refuse(ERR_TRUNCATED_MESSAGE, "CNode Copy/Mint/Move/Mutate: truncated message");
    word_t src_index = inv_arg(inv, ARG_SRC_INDEX);
    word_t src_depth = inv_arg(inv, ARG_SRC_DEPTH);
    status = cspace_ensure_empty(dest, "CNode Copy/Mint/Move/Mutate: destination not empty");
    if (status != EXCEPTION_NONE)
        return status;
    status = cspace_lookup_source_slot(inv->extra_caps[0], src_index, src_depth, &src);
    if (status != EXCEPTION_NONE)
        return status;
    if (cap_is_null(src->cap))
        return refuse_missing(true, src_depth, "CNode Copy/Mint/Move/Mutate: source slot empty");
    status = copy_family_new_cap(inv, src, &newcap);
    if (status != EXCEPTION_NONE)
        return status;
    if (cap_is_null(newcap))
        return refuse(ERR_ILLEGAL_OPERATION, "CNode Copy/Mint/Move/Mutate: resulting cap invalid");
    if (inv->label == INV_CNODE_MOVE || inv->label == INV_CNODE_MUTATE)
        return cnode_invoke_move(newcap, src, dest);
    return cnode_invoke_insert(newcap, src, dest);
}

static bool has_cancel_send_rights(cap_t cap)
{
    return cap_type(cap) == CAP_ENDPOINT && cap_rights(cap) == RIGHTS_ALL;
}

static exception_t decode_rotate(const invocation_t *inv, cte_t *dest)
{
    cte_t *src, *pivot;
    exception_t status;

    if (inv->length < ROTATE_ARGS || inv->n_extra < 2)
        return refuse(ERR_TRUNCATED_MESSAGE, "CNode Rotate: truncated message");
    word_t pivot_data = inv_arg(inv, ROT_DEST_DATA);
    word_t pivot_index = inv_arg(inv, ROT_PIVOT_INDEX);
    word_t pivot_depth = inv_arg(inv, ROT_PIVOT_DEPTH);
    word_t src_data = inv_arg(inv, ROT_SRC_DATA);
    word_t src_index = inv_arg(inv, ROT_SRC_INDEX);
    word_t src_depth = inv_arg(inv, ROT_SRC_DEPTH);

    status = cspace_lookup_source_slot(inv->extra_caps[1], src_index, src_depth, &src);
    if (status != EXCEPTION_NONE)
        return status;
    /* seL4 looks the pivot up as a source too (lookupPivotSlot). */
    status = cspace_lookup_source_slot(inv->extra_caps[0], pivot_index, pivot_depth, &pivot);
    if (status != EXCEPTION_NONE)
        return status;
    if (pivot == src || pivot == dest)
        return refuse(ERR_ILLEGAL_OPERATION, "CNode Rotate: pivot is the source or destination");
    if (src != dest) {
        status = cspace_ensure_empty(dest, "CNode Rotate: destination not empty");
        if (status != EXCEPTION_NONE)
            return status;
    }
    if (cap_is_null(src->cap))
        return refuse_missing(true, src_depth, "CNode Rotate: source slot empty");
    if (cap_is_null(pivot->cap))
        return refuse_missing(false, pivot_depth, "CNode Rotate: pivot slot empty");
    cap_t new_src = cap_update_data(true, src_data, src->cap);
    cap_t new_pivot = cap_update_data(true, pivot_data, pivot->cap);
    if (cap_is_null(new_src))
        return refuse(ERR_ILLEGAL_OPERATION, "CNode Rotate: source cap invalid");
    if (cap_is_null(new_pivot))
        return refuse(ERR_ILLEGAL_OPERATION, "CNode Rotate: pivot cap invalid");
    return cnode_invoke_rotate(new_src, new_pivot, src, pivot, dest);
}

exception_t cnode_decode(invocation_t *inv)
{
    cte_t *dest;
    exception_t status;

    assert(cap_type(inv->cap) == CAP_CNODE);
    if (inv->label < INV_CNODE_REVOKE || inv->label > INV_CNODE_SAVE_CALLER)
        return refuse(ERR_ILLEGAL_OPERATION, "CNode: illegal operation");
    if (inv->length < CNODE_MIN_ARGS)
        return refuse(ERR_TRUNCATED_MESSAGE, "CNode: truncated message");
    status = cspace_lookup_target_slot(inv->cap, inv_arg(inv, ARG_DEST_INDEX),
                                       inv_arg(inv, ARG_DEST_DEPTH), &dest);
    if (status != EXCEPTION_NONE)
        return status;

    switch (inv->label) {
    case INV_CNODE_COPY:
    case INV_CNODE_MINT:
    case INV_CNODE_MOVE:
    case INV_CNODE_MUTATE:
        return decode_copy_family(inv, dest);
    case INV_CNODE_REVOKE:
        return cte_revoke(dest);
    case INV_CNODE_DELETE:
        return cte_delete(dest, true);
    case INV_CNODE_SAVE_CALLER:
        status = cspace_ensure_empty(dest, "CNode SaveCaller: destination not empty");
        if (status != EXCEPTION_NONE)
            return status;
        return cnode_invoke_save_caller(dest);
    case INV_CNODE_CANCEL_BADGED_SENDS:
        if (!has_cancel_send_rights(dest->cap))
            return refuse(ERR_ILLEGAL_OPERATION, "CNode CancelBadgedSends: target cap invalid");
        return cnode_invoke_cancel_badged_sends(dest->cap);
    default:
        return decode_rotate(inv, dest);
    }
}
