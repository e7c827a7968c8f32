/*
 * CNode ReadSlots: our extension that lets the holder of a CNode capability
 * read what the CNode's slots hold (abi/capinfo.h has the message layout,
 * docs/api.md the rationale: the VMM's live isolation audit reads every
 * guest's CSpace as it is, not as the VMM remembers it).
 *
 * Each slot is described from its capability alone, except the untyped it
 * descends from: the derivation tree is a depth-first list, so a
 * capability's ancestors all come before it, and the nearest untyped before
 * it that contains its object is the one it was made from (invariant 2 of
 * memory-model.md: every capability to memory inside an untyped descends
 * from it). Siblings made earlier lie in between, so the walk back is
 * bounded (CAPINFO_ANCESTOR_STEPS) and has a preemption point per step.
 *
 * Reading changes nothing, so a preempted call can simply be re-run: the
 * records are built in a kernel buffer and only written to the caller's
 * message registers (whose first two hold the arguments) once done. If an
 * interrupt arrives after some slots were described, the reply says how
 * many, and the caller asks again from there; if it arrives during the
 * first slot, the call is restarted.
 */
#include <kernel/cnode_read.h>
#include <kernel/capops.h>
#include <kernel/cdt.h>
#include <kernel/state.h>
#include <kernel/sched.h>
#include <kernel/tcb.h>
#include <kernel/debug.h>
#include <arch/memlayout.h>
#include <abi/capinfo.h>
#include <abi/errors.h>

/* Message words of ReadSlots. */
enum {
    ARG_FIRST = 0,
    ARG_COUNT = 1,
    READ_SLOTS_ARGS = 2,
    REPLY_COUNT_MR = 0,
    REPLY_FIRST_RECORD_MR = 1,
};

typedef struct capinfo {
    word_t w[CAPINFO_WORDS];
} capinfo_t;

/* Our stable type numbers for the kernel's capability types. */
static word_t info_type(cap_t c)
{
    static const uint8_t control_types[] = {
        [CONTROL_IRQ] = CAPINFO_TYPE_IRQ_CONTROL,
        [CONTROL_ASID] = CAPINFO_TYPE_ASID_CONTROL,
        [CONTROL_IO_PORT] = CAPINFO_TYPE_IO_PORT_CONTROL,
        [CONTROL_DOMAIN] = CAPINFO_TYPE_DOMAIN,
    };
    static const uint8_t types[CAP_NUM_TYPES] = {
        [CAP_NULL] = CAPINFO_TYPE_NULL,
        [CAP_UNTYPED] = CAPINFO_TYPE_UNTYPED,
        [CAP_ENDPOINT] = CAPINFO_TYPE_ENDPOINT,
        [CAP_NOTIFICATION] = CAPINFO_TYPE_NOTIFICATION,
        [CAP_REPLY] = CAPINFO_TYPE_REPLY,
        [CAP_CNODE] = CAPINFO_TYPE_CNODE,
        [CAP_TCB] = CAPINFO_TYPE_TCB,
        [CAP_FRAME] = CAPINFO_TYPE_FRAME,
        [CAP_PAGE_TABLE] = CAPINFO_TYPE_PAGE_TABLE,
        [CAP_PAGE_DIRECTORY] = CAPINFO_TYPE_PAGE_DIRECTORY,
        [CAP_ASID_POOL] = CAPINFO_TYPE_ASID_POOL,
        [CAP_IRQ_HANDLER] = CAPINFO_TYPE_IRQ_HANDLER,
        [CAP_IO_PORT] = CAPINFO_TYPE_IO_PORT,
        [CAP_ZOMBIE] = CAPINFO_TYPE_ZOMBIE,
    };

    if (cap_type(c) == CAP_CONTROL) {
        word_t sub = cap_control_sub(c);
        assert(sub < sizeof(control_types));
        return control_types[sub];
    }
    return types[cap_type(c)];
}

/* Rights as seL4's rights word: those the capability carries, or all for
 * types whose invocations check none (the capability is full authority). */
static word_t info_rights(cap_t c)
{
    switch (cap_type(c)) {
    case CAP_NULL:
        return 0;
    case CAP_ENDPOINT:
    case CAP_NOTIFICATION:
        return cap_rights(c);
    case CAP_FRAME:
        switch (cap_frame_vmrights(c)) {
        case VM_READ_WRITE: return RIGHT_READ | RIGHT_WRITE;
        case VM_READ_ONLY: return RIGHT_READ;
        default: return 0;
        }
    case CAP_REPLY:
        return cap_reply_can_grant(c) ? RIGHT_GRANT : 0;
    default:
        return RIGHTS_ALL;
    }
}

static word_t info_data(cap_t c)
{
    switch (cap_type(c)) {
    case CAP_ENDPOINT:
    case CAP_NOTIFICATION:
        return cap_badge(c);
    case CAP_CNODE:
        return cap_cnode_guard(c) | cap_cnode_guard_size(c) << CAPINFO_GUARD_SIZE_SHIFT |
               cap_cnode_radix(c) << CAPINFO_RADIX_SHIFT;
    case CAP_UNTYPED:
        return cap_ut_free_bytes_used(c);
    case CAP_FRAME:
    case CAP_PAGE_TABLE:
    case CAP_PAGE_DIRECTORY:
        return c.w1;            /* mapped address | ASID, as the capability keeps it */
    case CAP_ASID_POOL:
        return cap_asid_pool_base(c);
    case CAP_IRQ_HANDLER:
        return cap_irq(c);
    case CAP_IO_PORT:
        return cap_io_first(c) | cap_io_last(c) << CAPINFO_PORT_LAST_SHIFT;
    default:
        return 0;
    }
}

static word_t info_flags(cap_t c)
{
    switch (cap_type(c)) {
    case CAP_UNTYPED:
        return cap_ut_is_device(c) ? CAPINFO_DEVICE : 0;
    case CAP_FRAME:
        return (cap_frame_is_device(c) ? CAPINFO_DEVICE : 0) |
               (cap_mapped_asid(c) != 0 ? CAPINFO_MAPPED : 0);
    case CAP_PAGE_TABLE:
    case CAP_PAGE_DIRECTORY:
        return cap_paging_is_mapped(c) ? CAPINFO_MAPPED : 0;
    case CAP_REPLY:
        return cap_reply_is_master(c) ? CAPINFO_REPLY_MASTER : 0;
    default:
        return 0;
    }
}

/* Physical base and size of the memory a capability names; false if none.
 * A reply capability names its caller's TCB here (the audit wants to know
 * whose it is), where cap_memory() says it names no memory. */
static bool info_memory(cap_t c, paddr_t *base, word_t *bits)
{
    if (cap_type(c) == CAP_REPLY) {
        *base = kptr_to_paddr(cap_reply_tcb(c));
        *bits = TCB_BITS;
        return true;
    }
    return cap_memory(c, base, bits);
}

/* Does untyped u contain the memory [base, base + 2^bits)? */
static bool untyped_holds(cap_t u, paddr_t base, word_t bits)
{
    paddr_t ubase = cap_ut_paddr(u);
    word_t ubits = cap_ut_size_bits(u);

    if (ubits < bits)
        return false;
    return base >= ubase && base - ubase <= MASK(ubits) - MASK(bits);
}

/* Look back through the derivation list for the untyped slot s descends
 * from. Any untyped before s that contains its memory is an ancestor: the
 * children of one untyped are disjoint, and a copy of an untyped is its
 * child (memory-model.md). PREEMPTED: an interrupt is pending. */
static exception_t find_ancestor(const cte_t *s, paddr_t base, word_t bits, capinfo_t *out)
{
    const cte_t *p = mdb_prev(s);

    for (word_t steps = 0; p != NULL; steps++, p = mdb_prev(p)) {
        if (steps == CAPINFO_ANCESTOR_STEPS) {
            out->w[CAPINFO_W_INFO] |= CAPINFO_ANC_GAVE_UP;
            return EXCEPTION_NONE;
        }
        if (cap_type(p->cap) == CAP_UNTYPED && untyped_holds(p->cap, base, bits)) {
            out->w[CAPINFO_W_INFO] |= CAPINFO_ANC_FOUND;
            out->w[CAPINFO_W_ANC_PADDR] = cap_ut_paddr(p->cap);
            out->w[CAPINFO_W_ANC_SIZE] = cap_ut_size_bits(p->cap) |
                        (cap_ut_is_device(p->cap) ? CAPINFO_ANC_DEVICE : 0);
            return EXCEPTION_NONE;
        }
        exception_t status = preemption_point();
        if (status != EXCEPTION_NONE)
            return status;
    }
    return EXCEPTION_NONE;
}

static exception_t describe_slot(const cte_t *s, capinfo_t *out)
{
    cap_t c = s->cap;
    paddr_t base = 0;
    word_t bits = 0;
    bool memory = info_memory(c, &base, &bits);

    out->w[CAPINFO_W_INFO] = info_type(c) | (bits & CAPINFO_SIZE_MASK) << CAPINFO_SIZE_SHIFT |
                info_rights(c) << CAPINFO_RIGHTS_SHIFT | info_flags(c);
    out->w[CAPINFO_W_DATA] = info_data(c);
    out->w[CAPINFO_W_PADDR] = memory ? base : 0;
    out->w[CAPINFO_W_ANC_PADDR] = 0;
    out->w[CAPINFO_W_ANC_SIZE] = 0;
    if (!memory || cap_type(c) == CAP_ZOMBIE)
        return EXCEPTION_NONE;
    return find_ancestor(s, base, bits, out);
}

/* Cannot fail: the decode checked everything. May describe fewer slots
 * than asked (an interrupt is pending), or be PREEMPTED before the first. */
static exception_t cnode_invoke_read_slots(const cte_t *slots, word_t count, word_t *buffer,
                                           bool call)
{
    capinfo_t info[CAPINFO_MAX_SLOTS];
    tcb_t *t = ks_cur_thread;
    word_t n = 0;

    for (; n < count; n++) {
        exception_t status = describe_slot(&slots[n], &info[n]);
        if (status == EXCEPTION_PREEMPTED && n == 0)
            return status;
        if (status != EXCEPTION_NONE)
            break;
    }
    if (call) {
        set_mr(t, buffer, REPLY_COUNT_MR, n);
        for (word_t i = 0; i < n; i++)
            for (word_t w = 0; w < CAPINFO_WORDS; w++)
                set_mr(t, buffer, REPLY_FIRST_RECORD_MR + i * CAPINFO_WORDS + w, info[i].w[w]);
        reply_from_kernel_success(t, REPLY_FIRST_RECORD_MR + n * CAPINFO_WORDS);
    }
    tcb_set_state(t, TS_RUNNING);
    return EXCEPTION_NONE;
}
_Static_assert(1 + CAPINFO_MAX_SLOTS * CAPINFO_WORDS <= MSG_MAX_LENGTH,
               "a full ReadSlots reply fits the message registers");

exception_t cnode_read_slots_decode(invocation_t *inv)
{
    assert(cap_type(inv->cap) == CAP_CNODE);
    if (inv->length < READ_SLOTS_ARGS)
        return refuse(ERR_TRUNCATED_MESSAGE, "CNode ReadSlots: need first slot and count");
    word_t slots = BIT(cap_cnode_radix(inv->cap));
    word_t first = inv_arg(inv, ARG_FIRST);
    word_t count = inv_arg(inv, ARG_COUNT);
    if (first >= slots)
        return refuse_range(0, slots - 1, "CNode ReadSlots: first slot outside the CNode");
    word_t max = slots - first < CAPINFO_MAX_SLOTS ? slots - first : CAPINFO_MAX_SLOTS;
    if (count < 1 || count > max)
        return refuse_range(1, max, "CNode ReadSlots: bad count");
    word_t *buffer = tcb_ipc_buffer(ks_cur_thread, true);
    if (buffer == NULL)
        return refuse(ERR_ILLEGAL_OPERATION, "CNode ReadSlots: no IPC buffer for the reply");
    const cte_t *table = cap_ptr(inv->cap);
    return cnode_invoke_read_slots(table + first, count, buffer, inv->call);
}
