/*
 * Untyped memory and retype.
 *
 * All memory the kernel ever uses for objects after boot is carved out of
 * untyped capabilities by their holders: the kernel has no heap, so what a
 * subsystem may consume is exactly the untyped memory it holds. An untyped
 * capability names a power-of-two, size-aligned block of physical memory
 * and a watermark (the free index, in 16-byte units): objects are placed
 * above it, each aligned to its own size, and the watermark rises. The new
 * capabilities become children of the untyped in the derivation tree.
 *
 * The watermark never falls while objects exist. Once the untyped has no
 * children (everything made from it was deleted or revoked), the next
 * retype resets it: the used memory is cleared, top down in small chunks
 * with a preemption point after each (the watermark records how far the
 * clearing got, so a preempted retype simply runs again), and allocation
 * restarts at the bottom. Memory above the watermark is therefore always
 * zero, and objects need no clearing when they are made.
 *
 * Device untypeds (memory that is not RAM) and RAM beyond the kernel
 * window are never cleared by the kernel and may only become frames or
 * smaller untypeds; the kernel cannot (or must not) store objects there.
 */
#include <kernel/untyped.h>
#include <kernel/capops.h>
#include <kernel/cdt.h>
#include <kernel/cspace.h>
#include <kernel/sched.h>
#include <kernel/state.h>
#include <kernel/debug.h>
#include <kernel/tcb.h>
#include <abi/invocation.h>
#include <arch/arch.h>
#include <arch/memlayout.h>

/* Message words of Retype, in seL4's order. */
enum {
    ARG_TYPE = 0,
    ARG_SIZE_BITS = 1,
    ARG_NODE_INDEX = 2,
    ARG_NODE_DEPTH = 3,
    ARG_NODE_OFFSET = 4,
    ARG_NUM_OBJECTS = 5,
    RETYPE_ARGS = 6,
};

/* ---- arithmetic ------------------------------------------------------------ */

word_t obj_size_bits(word_t type, word_t user_bits)
{
    switch (type) {
    case OBJ_UNTYPED: return user_bits;
    case OBJ_TCB: return TCB_BITS;
    case OBJ_ENDPOINT: return ENDPOINT_BITS;
    case OBJ_NOTIFICATION: return NOTIFICATION_BITS;
    case OBJ_CNODE: return user_bits + SLOT_BITS;
    case OBJ_X86_4K: return PAGE_BITS;
    case OBJ_X86_LARGE_PAGE: return LARGE_PAGE_BITS;
    case OBJ_X86_PAGE_TABLE: return PAGE_TABLE_BITS;
    case OBJ_X86_PAGE_DIRECTORY: return PAGE_DIR_BITS;
    default:
        panic("obj_size_bits: invalid object type %u", (unsigned)type);
    }
}

static bool is_frame_type(word_t type)
{
    return type == OBJ_X86_4K || type == OBJ_X86_LARGE_PAGE;
}

static word_t used_bytes(cap_t ut, bool reset)
{
    return reset ? 0 : cap_ut_free_bytes_used(ut);
}

word_t untyped_bytes_left(cap_t ut, bool reset)
{
    return BIT(cap_ut_size_bits(ut)) - used_bytes(ut, reset);
}

paddr_t untyped_next_object(cap_t ut, bool reset, word_t obj_bits)
{
    return ROUND_UP(cap_ut_paddr(ut) + used_bytes(ut, reset), obj_bits);
}

static bool untyped_in_window(cap_t ut)
{
    return !cap_ut_is_device(ut) && paddr_in_window(cap_ut_paddr(ut), BIT(cap_ut_size_bits(ut)));
}

bool untyped_may_hold(cap_t ut, word_t type)
{
    return untyped_in_window(ut) || is_frame_type(type) || type == OBJ_UNTYPED;
}

/* ---- objects --------------------------------------------------------------- */

cap_t obj_create(word_t type, paddr_t paddr, word_t user_bits, bool device)
{
    void *obj = paddr_to_kptr(paddr);

    switch (type) {
    case OBJ_UNTYPED:
        return cap_untyped_new(paddr, user_bits, device, 0);
    case OBJ_TCB:
        tcb_init_new(obj);
        tcb_name_child(obj, ks_cur_thread);
        return cap_tcb_new(obj);
    case OBJ_ENDPOINT:
        return cap_endpoint_new(obj, 0, RIGHTS_ALL);
    case OBJ_NOTIFICATION:
        return cap_notification_new(obj, 0, RIGHT_READ | RIGHT_WRITE);
    case OBJ_CNODE:
        return cap_cnode_new(obj, user_bits, 0, 0);
    case OBJ_X86_4K:
        return cap_frame_new(paddr, false, VM_READ_WRITE, device);
    case OBJ_X86_LARGE_PAGE:
        return cap_frame_new(paddr, true, VM_READ_WRITE, device);
    case OBJ_X86_PAGE_TABLE:
        return cap_page_table_new(obj);
    case OBJ_X86_PAGE_DIRECTORY:
        arch_init_page_directory(obj);
        return cap_page_directory_new(obj);
    default:
        panic("obj_create: invalid object type %u", (unsigned)type);
    }
}

/* ---- invoke ---------------------------------------------------------------- */

/* Clear what the untyped handed out, top down, one chunk per preemption
 * point; the free index always says how much is still dirty. Memory the
 * kernel must not or cannot touch only has its watermark reset. */
static exception_t untyped_reset(cte_t *slot)
{
    cap_t ut = slot->cap;
    word_t used = cap_ut_free_bytes_used(ut);
    paddr_t base = cap_ut_paddr(ut);
    const word_t chunk = BIT(UNTYPED_RESET_CHUNK_BITS);

    if (used == 0)
        return EXCEPTION_NONE;
    if (!untyped_in_window(ut) || cap_ut_size_bits(ut) < UNTYPED_RESET_CHUNK_BITS) {
        if (untyped_in_window(ut))
            arch_clear_memory(base, BIT(cap_ut_size_bits(ut)));
        slot->cap = cap_ut_set_free(ut, 0);
        return EXCEPTION_NONE;
    }
    for (word_t off = ROUND_UP(used, UNTYPED_RESET_CHUNK_BITS); off > 0; off -= chunk) {
        arch_clear_memory(base + off - chunk, chunk);
        slot->cap = cap_ut_set_free(slot->cap, off - chunk);
        exception_t status = preemption_point();
        if (status != EXCEPTION_NONE)
            return status;
    }
    return EXCEPTION_NONE;
}

typedef struct retype_args {
    word_t type;
    word_t user_bits;
    word_t obj_bits;
    paddr_t first;              /* address of the first object */
    cte_t *slots;               /* destination window: slots[0 .. count) */
    word_t count;
    bool reset;
} retype_args_t;

static exception_t untyped_invoke_retype(cte_t *ut_slot, const retype_args_t *a)
{
    bool device = cap_ut_is_device(ut_slot->cap);
    paddr_t base = cap_ut_paddr(ut_slot->cap);

    if (a->reset) {
        exception_t status = untyped_reset(ut_slot);
        if (status != EXCEPTION_NONE)
            return status;
    }
    paddr_t end = a->first + (a->count << a->obj_bits);
    ut_slot->cap = cap_ut_set_free(ut_slot->cap, end - base);
    for (word_t i = 0; i < a->count; i++) {
        cap_t cap = obj_create(a->type, a->first + (i << a->obj_bits), a->user_bits, device);
        /* seL4 insertNewCap: a revocable child right after the untyped. */
        cdt_insert(ut_slot, &a->slots[i], cap, true, true);
    }
    return EXCEPTION_NONE;
}

/* ---- decode ---------------------------------------------------------------- */

/* The CNode the new capabilities go into: the root cap itself at depth 0,
 * else the CNode capability found at (index, depth) from it. */
static exception_t decode_dest_cnode(const invocation_t *inv, cap_t *cnode)
{
    word_t index = inv_arg(inv, ARG_NODE_INDEX);
    word_t depth = inv_arg(inv, ARG_NODE_DEPTH);
    cte_t *slot;

    *cnode = inv->extra_caps[0];
    if (depth != 0) {
        exception_t status = cspace_lookup_target_slot(inv->extra_caps[0], index, depth, &slot);
        if (status != EXCEPTION_NONE)
            return status;
        *cnode = slot->cap;
    }
    if (cap_type(*cnode) != CAP_CNODE)
        return cspace_refuse_lookup(false, LOOKUP_MISSING_CAPABILITY, depth,
                                    "Retype: destination is not a CNode");
    return EXCEPTION_NONE;
}

/* Offset and count must name a window of empty slots inside the CNode. */
static exception_t decode_window(const invocation_t *inv, cap_t cnode, retype_args_t *a)
{
    word_t offset = inv_arg(inv, ARG_NODE_OFFSET);
    word_t count = inv_arg(inv, ARG_NUM_OBJECTS);
    word_t size = BIT(cap_cnode_radix(cnode));
    cte_t *slots = cnode_slots(cnode);

    if (offset > size - 1)
        return refuse_range(0, size - 1, "Retype: destination offset too large");
    if (count < 1 || count > RETYPE_FAN_OUT_LIMIT)
        return refuse_range(1, RETYPE_FAN_OUT_LIMIT, "Retype: object count out of range");
    if (count > size - offset)
        return refuse_range(1, size - offset, "Retype: window overruns the CNode");
    for (word_t i = offset; i < offset + count; i++) {
        exception_t status = cspace_ensure_empty(&slots[i], "Retype: destination slot not empty");
        if (status != EXCEPTION_NONE)
            return status;
    }
    a->slots = &slots[offset];
    a->count = count;
    return EXCEPTION_NONE;
}

/* Type and size arguments, checked in seL4's order. */
static exception_t decode_type(const invocation_t *inv, retype_args_t *a)
{
    a->type = inv_arg(inv, ARG_TYPE);
    a->user_bits = inv_arg(inv, ARG_SIZE_BITS);
    if (a->type >= OBJ_NUM_TYPES)
        return refuse_arg(0, "Retype: invalid object type");
    a->obj_bits = obj_size_bits(a->type, a->user_bits);
    if (a->user_bits >= WORD_BITS || a->obj_bits > MAX_UNTYPED_BITS)
        return refuse_range(0, MAX_UNTYPED_BITS, "Retype: invalid object size");
    if (a->type == OBJ_CNODE && a->user_bits == 0)
        return refuse_arg(1, "Retype: CNode of size 0");
    if (a->type == OBJ_UNTYPED && a->user_bits < MIN_UNTYPED_BITS)
        return refuse_arg(1, "Retype: untyped too small");
    return EXCEPTION_NONE;
}

exception_t untyped_decode(invocation_t *inv)
{
    retype_args_t a = { 0 };
    cap_t cnode, ut = inv->cap;
    exception_t status;

    assert(cap_type(ut) == CAP_UNTYPED);
    if (inv->label != INV_UNTYPED_RETYPE)
        return refuse(ERR_ILLEGAL_OPERATION, "Untyped: illegal operation");
    if (inv->length < RETYPE_ARGS || inv->n_extra < 1)
        return refuse(ERR_TRUNCATED_MESSAGE, "Retype: truncated message");
    status = decode_type(inv, &a);
    if (status == EXCEPTION_NONE)
        status = decode_dest_cnode(inv, &cnode);
    if (status == EXCEPTION_NONE)
        status = decode_window(inv, cnode, &a);
    if (status != EXCEPTION_NONE)
        return status;
    /* No children: nothing lives in it, so start again from the bottom.
     * Free space is checked before alignment, as seL4 does: whatever fits
     * also fits aligned, packed against the top. */
    a.reset = !cdt_has_children(inv->slot);
    word_t left = untyped_bytes_left(ut, a.reset);
    if ((left >> a.obj_bits) < a.count)
        return refuse_memory(left, "Retype: not enough memory");
    if (!untyped_may_hold(ut, a.type))
        return refuse_arg(1, "Retype: kernel objects need RAM inside the kernel window");
    a.first = untyped_next_object(ut, a.reset, a.obj_bits);
    return untyped_invoke_retype(inv->slot, &a);
}
