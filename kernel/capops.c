/*
 * Operations every capability type takes part in.
 *
 * Comparing: two capabilities "name the same region" when one may have
 * been derived from the other (an untyped and any object inside it, two
 * copies of an endpoint, IRQ control and an IRQ handler); they "name the
 * same object" when deleting one of them must not destroy the object
 * while the other lives. The derivation tree (cdt.c) is built from the
 * first relation, finality from the second.
 *
 * Deriving: Copy and Mint produce a new capability from an old one, with
 * rights masked and badge or guard data applied; some capabilities cannot
 * be copied at all (reply, zombie, IRQ control, I/O-port control), and an
 * untyped may be copied only while nothing has been made from it.
 *
 * Deleting: removing the last capability to an object first finalises the
 * object, so no kernel structure keeps pointing at it (waiting threads are
 * released, a thread is halted, a mapping is removed). Objects that hold
 * capability slots (CNodes and TCBs) may hold arbitrarily much; their
 * capability is replaced by a zombie that records how many of their slots
 * are still to be emptied, and the slots are emptied one by one with a
 * preemption point between them. A preempted delete leaves the zombie in
 * place and the system call is restarted: it finds the zombie and carries
 * on. A CNode that holds its own last capability is handled by swapping
 * the zombie into the CNode's first slot ("cyclic" zombie), where it is
 * emptied last. This is seL4's algorithm (finaliseSlot, reduceZombie).
 */
#include <abi/capdata.h>
#include <kernel/capops.h>
#include <kernel/benchmark.h>
#include <kernel/cdt.h>
#include <kernel/state.h>
#include <kernel/invocation.h>
#include <kernel/debug.h>
#include <kernel/notification.h>
#include <arch/arch.h>
#include <arch/memlayout.h>

/* ---- regions ------------------------------------------------------------- */

/* Physical base and size (bits) of the memory a capability names, for the
 * types that name memory (seL4's cap_get_capIsPhysical). */
bool cap_memory(cap_t c, paddr_t *base, word_t *bits)
{
    switch (cap_type(c)) {
    case CAP_UNTYPED:
        *base = cap_ut_paddr(c);
        *bits = cap_ut_size_bits(c);
        return true;
    case CAP_FRAME:
        *base = cap_frame_paddr(c);
        *bits = cap_frame_size_bits(c);
        return true;
    default:
        break;
    }
    *bits = cap_object_size_bits(c);
    if (*bits == 0)
        return false;
    *base = kptr_to_paddr(cap_object_ptr(c));
    return true;
}

word_t cap_object_size_bits(cap_t c)
{
    switch (cap_type(c)) {
    case CAP_UNTYPED: return cap_ut_size_bits(c);
    case CAP_FRAME: return cap_frame_size_bits(c);
    case CAP_ENDPOINT: return ENDPOINT_BITS;
    case CAP_NOTIFICATION: return NOTIFICATION_BITS;
    case CAP_CNODE: return cap_cnode_radix(c) + SLOT_BITS;
    case CAP_TCB: return TCB_BITS;
    case CAP_PAGE_TABLE: return PAGE_TABLE_BITS;
    case CAP_PAGE_DIRECTORY: return PAGE_DIR_BITS;
    case CAP_ASID_POOL: return ASID_POOL_BITS;
    case CAP_ZOMBIE:
        if (cap_zombie_kind(c) == ZOMBIE_TCB)
            return TCB_BITS;
        return cap_zombie_kind(c) - ZOMBIE_CNODE_BASE + SLOT_BITS;
    default:
        return 0;
    }
}

void *cap_object_ptr(cap_t c)
{
    switch (cap_type(c)) {
    case CAP_PAGE_TABLE:
    case CAP_PAGE_DIRECTORY:
        return cap_paging_ptr(c);
    default:
        return cap_ptr(c);
    }
}

static bool untyped_contains(cap_t ut, cap_t b)
{
    paddr_t a_base = cap_ut_paddr(ut), b_base;
    word_t b_bits;
    word_t a_top = a_base + MASK(cap_ut_size_bits(ut));

    if (!cap_memory(b, &b_base, &b_bits))
        return false;
    word_t b_top = b_base + MASK(b_bits);
    return a_base <= b_base && b_top <= a_top && b_base <= b_top;
}

static bool frame_contains(cap_t a, cap_t b)
{
    paddr_t a_bot = cap_frame_paddr(a), b_bot = cap_frame_paddr(b);
    word_t a_top = a_bot + MASK(cap_frame_size_bits(a));
    word_t b_top = b_bot + MASK(cap_frame_size_bits(b));

    return a_bot <= b_bot && a_top >= b_top && b_bot <= b_top;
}

/* Control capabilities are the parents of what they issue. */
static bool control_same_region(cap_t a, cap_t b)
{
    switch (cap_control_sub(a)) {
    case CONTROL_IRQ:
        return cap_is_control(b, CONTROL_IRQ) || cap_type(b) == CAP_IRQ_HANDLER;
    case CONTROL_IO_PORT:
        return cap_is_control(b, CONTROL_IO_PORT) || cap_type(b) == CAP_IO_PORT;
    default:
        return cap_is_control(b, cap_control_sub(a));
    }
}

bool cap_same_region_as(cap_t a, cap_t b)
{
    bool same_type = cap_type(a) == cap_type(b);

    switch (cap_type(a)) {
    case CAP_UNTYPED:
        return untyped_contains(a, b);
    case CAP_ENDPOINT:
    case CAP_NOTIFICATION:
    case CAP_TCB:
    case CAP_ASID_POOL:
        return same_type && cap_ptr(a) == cap_ptr(b);
    case CAP_PAGE_TABLE:
    case CAP_PAGE_DIRECTORY:
        return same_type && cap_paging_ptr(a) == cap_paging_ptr(b);
    case CAP_CNODE:
        return same_type && cap_ptr(a) == cap_ptr(b) && cap_cnode_radix(a) == cap_cnode_radix(b);
    case CAP_REPLY:
        return same_type && cap_reply_tcb(a) == cap_reply_tcb(b);
    case CAP_IRQ_HANDLER:
        return same_type && cap_irq(a) == cap_irq(b);
    case CAP_FRAME:
        return same_type && frame_contains(a, b);
    case CAP_IO_PORT:
        return same_type && cap_io_first(a) == cap_io_first(b) && cap_io_last(a) == cap_io_last(b);
    case CAP_CONTROL:
        return control_same_region(a, b);
    default:
        return false;           /* null, zombie */
    }
}

bool cap_same_object_as(cap_t a, cap_t b)
{
    if (cap_type(a) == CAP_UNTYPED)
        return false;
    if (cap_type(a) == CAP_CONTROL && cap_type(b) != CAP_CONTROL)
        return false;           /* control vs. an issued IRQ handler / port range */
    if (cap_type(a) == CAP_FRAME && cap_type(b) == CAP_FRAME)
        return cap_frame_paddr(a) == cap_frame_paddr(b) &&
               cap_frame_is_large(a) == cap_frame_is_large(b) &&
               cap_frame_is_device(a) == cap_frame_is_device(b);
    return cap_same_region_as(a, b);
}

/* ---- deriving ------------------------------------------------------------ */

exception_t cap_derive(cte_t *slot, cap_t cap, cap_t *out)
{
    *out = cap;
    switch (cap_type(cap)) {
    case CAP_ZOMBIE:
    case CAP_REPLY:
        *out = cap_null();
        break;
    case CAP_CONTROL:
        if (cap_is_control(cap, CONTROL_IRQ) || cap_is_control(cap, CONTROL_IO_PORT))
            *out = cap_null();
        break;
    case CAP_UNTYPED:
        if (cdt_has_children(slot)) {
            *out = cap_null();
            return refuse(ERR_REVOKE_FIRST, "untyped has children: cannot copy");
        }
        break;
    case CAP_PAGE_TABLE:
        if (!cap_paging_is_mapped(cap)) {
            *out = cap_null();
            return refuse(ERR_ILLEGAL_OPERATION, "deriving an unmapped page table cap");
        }
        break;
    case CAP_PAGE_DIRECTORY:
        if (!cap_paging_is_mapped(cap)) {
            *out = cap_null();
            return refuse(ERR_ILLEGAL_OPERATION, "deriving a page directory cap without an ASID");
        }
        break;
    case CAP_FRAME:
        *out = cap_set_mapping(cap, 0, 0);      /* copies start unmapped */
        break;
    default:
        break;
    }
    return EXCEPTION_NONE;
}

/* seL4_CNode_CapData (abi/capdata.h). */
static cap_t cnode_update_guard(word_t data, cap_t cap)
{
    word_t guard_size = (data >> CNODE_CAPDATA_GUARD_SIZE_SHIFT) &
                        MASK(CNODE_CAPDATA_GUARD_SIZE_BITS);
    word_t guard = (data >> CNODE_CAPDATA_GUARD_SHIFT) & MASK(CNODE_CAPDATA_GUARD_BITS);

    if (guard_size + cap_cnode_radix(cap) > WORD_BITS)
        return cap_null();
    guard &= MASK(guard_size);
    return cap_cnode_new(cap_ptr(cap), cap_cnode_radix(cap), guard_size, guard);
}

cap_t cap_update_data(bool preserve, word_t data, cap_t cap)
{
    switch (cap_type(cap)) {
    case CAP_ENDPOINT:
    case CAP_NOTIFICATION:
        if (!preserve && cap_badge(cap) == 0)
            return cap_set_badge(cap, data);
        return cap_null();
    case CAP_CNODE:
        return cnode_update_guard(data, cap);
    default:
        return cap;
    }
}

/* seL4 maskVMRights: read-only survives a mask with Read; read-write
 * becomes read-only without Write; anything else is kernel-only. */
static word_t mask_vm_rights(word_t vm, word_t mask)
{
    bool read = mask & RIGHT_READ, write = mask & RIGHT_WRITE;

    if (vm == VM_READ_ONLY && read)
        return VM_READ_ONLY;
    if (vm == VM_READ_WRITE && read)
        return write ? VM_READ_WRITE : VM_READ_ONLY;
    return VM_KERNEL_ONLY;
}

cap_t cap_mask_rights(word_t rights, cap_t cap)
{
    const word_t ntfn_rights = RIGHT_READ | RIGHT_WRITE;
    word_t r = cap_rights(cap);

    switch (cap_type(cap)) {
    case CAP_ENDPOINT:
        return cap_set_rights(cap, r & rights);
    case CAP_NOTIFICATION:
        return cap_set_rights(cap, (r & ~ntfn_rights) | (r & rights & ntfn_rights));
    case CAP_REPLY:
        return (rights & RIGHT_GRANT) ? cap : cap_reply_clear_grant(cap);
    case CAP_FRAME:
        return cap_frame_set_vmrights(cap, mask_vm_rights(cap_frame_vmrights(cap), rights));
    default:
        return cap;
    }
}

bool cap_is_revocable(cap_t derived, cap_t src)
{
    switch (cap_type(derived)) {
    case CAP_ENDPOINT:
    case CAP_NOTIFICATION:
        return cap_badge(derived) != cap_badge(src);
    case CAP_IRQ_HANDLER:
        return cap_is_control(src, CONTROL_IRQ);
    case CAP_IO_PORT:
        return cap_is_control(src, CONTROL_IO_PORT);
    case CAP_UNTYPED:
        return true;
    default:
        return false;
    }
}

/* A copy of an untyped covering the same memory marks the source full, so
 * only one of the two can carve objects (seL4 setUntypedCapAsFull). */
static void mark_untyped_full(cte_t *src, cap_t newcap)
{
    cap_t s = src->cap;

    if (cap_type(s) != CAP_UNTYPED || cap_type(newcap) != CAP_UNTYPED)
        return;
    if (cap_ut_paddr(s) == cap_ut_paddr(newcap) && cap_ut_size_bits(s) == cap_ut_size_bits(newcap))
        src->cap = cap_ut_set_free(s, BIT(cap_ut_size_bits(s)));
}

void cte_insert(cap_t cap, cte_t *src, cte_t *dest)
{
    bool revocable = cap_is_revocable(cap, src->cap);

    assert(cap_is_null(dest->cap));
    mark_untyped_full(src, cap);
    cdt_insert(src, dest, cap, revocable, revocable);
}

/* ---- zombies ------------------------------------------------------------- */

static cap_t zombie_new(void *obj, word_t kind, word_t slots)
{
    return cap_zombie_new(obj, kind, slots);
}

/* The slot array a zombie is emptying. */
static cte_t *zombie_slots(cap_t z)
{
    if (cap_zombie_kind(z) == ZOMBIE_TCB)
        return cap_tcb_ptr(z)->slots;
    return (cte_t *)cap_ptr(z);
}

/* A zombie can go once no slot is left, or when the one slot left is the
 * one holding the zombie itself. */
static bool cap_removable(cap_t c, const cte_t *slot)
{
    if (cap_is_null(c))
        return true;
    assert(cap_type(c) == CAP_ZOMBIE);
    word_t n = cap_zombie_left(c);
    return n == 0 || (n == 1 && zombie_slots(c) == slot);
}

static bool cap_cyclic_zombie(cap_t c, const cte_t *slot)
{
    return cap_type(c) == CAP_ZOMBIE && zombie_slots(c) == slot;
}

bool cte_long_running_delete(const cte_t *slot)
{
    if (cap_is_null(slot->cap) || !cdt_is_final(slot))
        return false;
    switch (cap_type(slot->cap)) {
    case CAP_TCB:
    case CAP_ZOMBIE:
    case CAP_CNODE:
        return true;
    default:
        return false;
    }
}

/* ---- finalisation -------------------------------------------------------- */

static bool is_arch_cap(cap_t c)
{
    switch (cap_type(c)) {
    case CAP_FRAME:
    case CAP_PAGE_TABLE:
    case CAP_PAGE_DIRECTORY:
    case CAP_ASID_POOL:
    case CAP_IO_PORT:
        return true;
    case CAP_CONTROL:
        return cap_is_control(c, CONTROL_ASID) || cap_is_control(c, CONTROL_IO_PORT);
    default:
        return false;
    }
}

/* Reply, untyped and control capabilities (and null) finalise to nothing
 * and touch nothing, whether or not they are the last to their object:
 * deleting one needs neither finalise_cap() nor the search for copies.
 * Every reply and every receive deletes a reply capability. */
static bool finalises_to_nothing(cap_t cap)
{
    switch (cap_type(cap)) {
    case CAP_NULL:
    case CAP_REPLY:
    case CAP_UNTYPED:
    case CAP_CONTROL:
        return true;
    default:
        return false;
    }
}

/* What is left of a capability after one finalisation step: null, or a
 * zombie whose slots must be emptied. `exposed` (cte_delete_one) promises
 * the cap is of a kind that finalises at once. */
static cap_t finalise_cap(cap_t cap, bool final, bool exposed)
{
    if (finalises_to_nothing(cap))
        return cap_null();
    if (is_arch_cap(cap)) {
        arch_finalise_cap(cap, final);
        return cap_null();
    }
    switch (cap_type(cap)) {
    case CAP_ENDPOINT:
        if (final)
            ep_cancel_all((endpoint_t *)cap_ptr(cap));
        return cap_null();
    case CAP_NOTIFICATION:
        if (final) {
            ntfn_unbind_all((notification_t *)cap_ptr(cap));
            ntfn_cancel_all((notification_t *)cap_ptr(cap));
        }
        return cap_null();
    default:
        break;
    }
    assert(!exposed);
    switch (cap_type(cap)) {
    case CAP_CNODE:
        if (!final)
            return cap_null();
        return zombie_new(cap_ptr(cap), ZOMBIE_CNODE_BASE + cap_cnode_radix(cap),
                          BIT(cap_cnode_radix(cap)));
    case CAP_TCB:
        if (!final)
            return cap_null();
        tcb_finalise(cap_tcb_ptr(cap));
        return zombie_new(cap_tcb_ptr(cap), ZOMBIE_TCB, TCB_NUM_SLOTS);
    case CAP_ZOMBIE:
        return cap;
    case CAP_IRQ_HANDLER:
        if (final)
            arch_finalise_cap(cap, true);
        return cap_null();
    default:
        panic("finalise_cap: unknown cap type %u", (unsigned)cap_type(cap));
    }
}

static void empty_slot(cte_t *slot)
{
    if (!cap_is_null(slot->cap))
        cdt_remove(slot);
}

typedef struct finalise_slot_result {
    exception_t status;
    bool success;               /* the slot may now be emptied */
} finalise_slot_result_t;

static exception_t reduce_zombie(cte_t *slot, bool immediate);

/* Finalise the capability in slot until what is left can be removed. Not
 * `immediate` (a nested delete inside a zombie): stop at a cyclic zombie,
 * which the outer delete moves aside. */
static finalise_slot_result_t finalise_slot(cte_t *slot, bool immediate)
{
    finalise_slot_result_t r = { EXCEPTION_NONE, true };

    while (!cap_is_null(slot->cap)) {
        bool final = cdt_is_final(slot);
        cap_t rest = finalise_cap(slot->cap, final, false);

        if (cap_removable(rest, slot))
            return r;
        slot->cap = rest;
        if (!immediate && cap_cyclic_zombie(rest, slot)) {
            r.success = false;
            return r;
        }
        r.status = reduce_zombie(slot, immediate);
        if (r.status == EXCEPTION_NONE)
            r.status = preemption_point();
        if (r.status != EXCEPTION_NONE) {
            r.success = false;
            return r;
        }
    }
    return r;
}

exception_t cte_delete(cte_t *slot, bool exposed)
{
    finalise_slot_result_t r = finalise_slot(slot, exposed);

    if (r.status != EXCEPTION_NONE)
        return r.status;
    if (exposed || r.success)
        empty_slot(slot);
    return EXCEPTION_NONE;
}

/* Swap two slots' capabilities and tree positions (no-op on one slot). */
static void swap_for_delete(cte_t *a, cte_t *b)
{
    if (a != b)
        cdt_swap(a, a->cap, b, b->cap);
}

/* Immediate: delete the zombie's last remaining slot and count it off
 * (that delete may itself replace our zombie with a cyclic one). Not
 * immediate: move the zombie into the first slot of its own object, so the
 * outer delete finishes it there. */
static exception_t reduce_zombie(cte_t *slot, bool immediate)
{
    cap_t z = slot->cap;
    cte_t *ptr = zombie_slots(z);
    word_t n = cap_zombie_left(z);

    assert(cap_type(z) == CAP_ZOMBIE && n > 0);
    if (!immediate) {
        assert(ptr != slot);
        assert(cap_type(ptr->cap) != CAP_ZOMBIE || zombie_slots(ptr->cap) != ptr);
        swap_for_delete(ptr, slot);
        return EXCEPTION_NONE;
    }
    cte_t *end = &ptr[n - 1];
    exception_t status = cte_delete(end, false);
    if (status != EXCEPTION_NONE)
        return status;
    if (cap_is_null(slot->cap))
        return EXCEPTION_NONE;
    assert(cap_type(slot->cap) == CAP_ZOMBIE);
    if (slot->cap.w0 == z.w0 && slot->cap.w1 == z.w1) {
        assert(cap_is_null(end->cap));
        slot->cap = zombie_new(cap_ptr(z), cap_zombie_kind(z), n - 1);
    } else {
        assert(zombie_slots(slot->cap) == slot && ptr != slot);
    }
    return EXCEPTION_NONE;
}

void cte_delete_one(cte_t *slot)
{
    if (cap_is_null(slot->cap))
        return;
    if (!finalises_to_nothing(slot->cap)) {
        cap_t rest = finalise_cap(slot->cap, cdt_is_final(slot), true);
        assert(cap_removable(rest, slot));
        (void)rest;
    }
    empty_slot(slot);
}

/* Deletes the children one at a time, always the one right after slot:
 * a preempted revoke restarts and finds its progress in the tree. */
exception_t cte_revoke(cte_t *slot)
{
    cte_t *next;

    for (next = mdb_next(slot); next != NULL && cdt_is_parent_of(slot, next); next = mdb_next(slot)) {
        exception_t status = cte_delete(next, true);
        if (status != EXCEPTION_NONE)
            return status;
        status = preemption_point();
        if (status != EXCEPTION_NONE)
            return status;
    }
    return EXCEPTION_NONE;
}

exception_t preemption_point(void)
{
    ks_work_units++;
    if (ks_work_units < WORK_UNITS_PER_PREEMPTION)
        return EXCEPTION_NONE;
    ks_work_units = 0;
    bench_irq_check();
    return arch_irq_pending() ? EXCEPTION_PREEMPTED : EXCEPTION_NONE;
}
