/* fuzz-sources: kernel/cspace.c kernel/state.c */
/*
 * Fuzzing capability lookup (kernel/cspace.c) on CSpaces built from the
 * input: up to MAX_NODES CNodes of 2..2^MAX_RADIX slots whose slots hold
 * null caps, caps of other types, or CNode caps (with any guard) to any of
 * the CNodes, their own included, so loops and deep chains are common.
 *
 * Capabilities hold 32-bit kernel addresses, so the CNodes live in memory
 * below 4 GiB (mmap MAP_32BIT). Each CNode's slots end exactly where an
 * inaccessible guard page starts: an index past the last slot faults.
 *
 * Then every lookup the input asks for must terminate (libFuzzer's
 * -timeout catches a hang) and be consistent:
 *  - cspace_resolve() agrees with a reference walk written from the
 *    specification in cspace.c (result, slot, bits left, lookup fault);
 *    the reference also checks that no walk takes more than 32 steps;
 *  - a slot found lies on a slot boundary inside one of our CNodes;
 *  - composition: if (cptr, depth) ends at a slot holding CNode cap C,
 *    then (cptr << k | x, depth + k) from the root resolves exactly as
 *    (x, k) from C;
 *  - cspace_lookup_slot() is cspace_resolve() at depth 32 from the
 *    thread's CSpace root;
 *  - cspace_lookup_target_slot() and cspace_lookup_source_slot() refuse
 *    with the documented errors (range 1..32, failed lookup with the
 *    fault and the source flag) and otherwise find the same slot.
 */
#include <string.h>
#include <sys/mman.h>

#include <kernel/cspace.h>
#include <kernel/state.h>
#include <kernel/invocation.h>
#include <abi/errors.h>

#include "fuzz_support.h"

#define MAX_NODES       6
#define MAX_RADIX       7           /* 128 host slots of 24 bytes fit a page */
#define PAGE            4096u
#define MAX_QUERIES     48
#define MAX_STEPS       32          /* each step consumes at least one bit */

static uint8_t *arena;              /* per node: one data page, one guard page */
static cte_t *node_slots[MAX_NODES];
static word_t node_radix[MAX_NODES];
static word_t n_nodes;
static tcb_t fake_tcb;

/* invocation.c's refusals, as it documents them (not linked: it pulls in
 * the whole message-register layer). */
exception_t refuse_lookup(bool source, const char *why)
{
    (void)why;
    ks_syscall_error = (syscall_error_t){ .type = ERR_FAILED_LOOKUP,
                                          .failed_lookup_was_source = source };
    return EXCEPTION_SYSCALL_ERROR;
}

exception_t refuse(word_t err, const char *why)
{
    (void)why;
    ks_syscall_error = (syscall_error_t){ .type = err };
    return EXCEPTION_SYSCALL_ERROR;
}

exception_t refuse_range(word_t min, word_t max, const char *why)
{
    (void)why;
    ks_syscall_error = (syscall_error_t){ .type = ERR_RANGE_ERROR, .range_min = min,
                                          .range_max = max };
    return EXCEPTION_SYSCALL_ERROR;
}

static void setup_arena(void)
{
    size_t size = (size_t)MAX_NODES * 2 * PAGE;

    arena = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_32BIT,
                 -1, 0);
    FUZZ_CHECK(arena != MAP_FAILED);
    for (word_t i = 0; i < MAX_NODES; i++)
        FUZZ_CHECK(mprotect(arena + (2 * i + 1) * PAGE, PAGE, PROT_NONE) == 0);
}

/* A CNode cap to node `n` with a guard the input picks (seL4 keeps
 * guard_size + radix <= 32 and the guard within guard_size bits). */
static cap_t make_cnode_cap(fuzz_in_t *in, word_t n)
{
    word_t radix = node_radix[n];
    word_t guard_size = fuzz_u8(in) % (WORD_BITS - radix + 1);
    word_t guard = fuzz_u32(in) & MASK(guard_size) & MASK(CNODE_GUARD_BITS);

    return cap_cnode_new(node_slots[n], radix, guard_size, guard);
}

static cap_t make_cap(fuzz_in_t *in)
{
    uint8_t kind = fuzz_u8(in);

    if (kind < 96)
        return cap_null();
    if (kind < 128) {
        /* Any other type, any payload: lookup must never follow it. */
        word_t type = 1 + fuzz_u8(in) % (CAP_NUM_TYPES - 1);
        if (type == CAP_CNODE)
            type = CAP_ENDPOINT;
        return (cap_t){ (fuzz_u32(in) & CAP_PTR_MASK) | type, fuzz_u32(in) };
    }
    return make_cnode_cap(in, fuzz_u8(in) % n_nodes);
}

static cap_t build_cspace(fuzz_in_t *in)
{
    n_nodes = 1 + fuzz_u8(in) % MAX_NODES;
    for (word_t i = 0; i < n_nodes; i++) {
        word_t radix = 1 + fuzz_u8(in) % MAX_RADIX;
        size_t bytes = ((size_t)1 << radix) * sizeof(cte_t);
        node_radix[i] = radix;
        node_slots[i] = (cte_t *)(arena + 2 * i * PAGE + PAGE - bytes);
        memset(node_slots[i], 0, bytes);
    }
    for (word_t i = 0; i < n_nodes; i++)
        for (word_t s = 0; s < BIT(node_radix[i]); s++)
            node_slots[i][s].cap = make_cap(in);
    /* Mostly a CNode root; sometimes not, which must be InvalidRoot. */
    return fuzz_u8(in) < 16 ? make_cap(in) : make_cnode_cap(in, 0);
}

/* ---- the reference walk ---- */

typedef struct outcome {
    exception_t status;
    cte_t *slot;                /* success only */
    word_t bits_remaining;      /* success only */
    lookup_fault_t fault;       /* failure only */
} outcome_t;

static uint64_t bits_of(word_t cptr, word_t bits, word_t n)
{
    return n == 0 ? 0 : ((uint64_t)cptr >> (bits - n)) & ((1ull << n) - 1);
}

static outcome_t fault_of(word_t type, word_t left, word_t found, word_t guard)
{
    return (outcome_t){ .status = EXCEPTION_LOOKUP_FAULT,
                        .fault = { type, left, found, guard } };
}

static outcome_t model_resolve(cap_t node, word_t cptr, word_t depth)
{
    word_t bits = depth;

    if (cap_type(node) != CAP_CNODE)
        return fault_of(LOOKUP_INVALID_ROOT, 0, 0, 0);
    for (word_t steps = 1;; steps++) {
        FUZZ_CHECK(steps <= MAX_STEPS);
        word_t g = cap_cnode_guard_size(node), r = cap_cnode_radix(node);
        if (g > bits || bits_of(cptr, bits, g) != cap_cnode_guard(node))
            return fault_of(LOOKUP_GUARD_MISMATCH, bits, g, cap_cnode_guard(node));
        if (g + r > bits)
            return fault_of(LOOKUP_DEPTH_MISMATCH, bits, g + r, 0);
        cte_t *slot = cnode_slots(node) + bits_of(cptr, bits - g, r);
        bits -= g + r;
        if (bits == 0 || cap_type(slot->cap) != CAP_CNODE)
            return (outcome_t){ .status = EXCEPTION_NONE, .slot = slot, .bits_remaining = bits };
        node = slot->cap;
    }
}

static outcome_t real_resolve(cap_t root, word_t cptr, word_t depth)
{
    resolve_result_t r;
    outcome_t o = { 0 };

    memset(&ks_lookup_fault, 0xa5, sizeof(ks_lookup_fault));
    o.status = cspace_resolve(root, cptr, depth, &r);
    if (o.status == EXCEPTION_NONE) {
        o.slot = r.slot;
        o.bits_remaining = r.bits_remaining;
    } else {
        o.fault = ks_lookup_fault;
    }
    return o;
}

static void check_same(const outcome_t *a, const outcome_t *b)
{
    FUZZ_CHECK(a->status == b->status);
    if (a->status == EXCEPTION_NONE) {
        FUZZ_CHECK(a->slot == b->slot);
        FUZZ_CHECK(a->bits_remaining == b->bits_remaining);
    } else {
        FUZZ_CHECK(a->status == EXCEPTION_LOOKUP_FAULT);
        FUZZ_CHECK(memcmp(&a->fault, &b->fault, sizeof(a->fault)) == 0);
    }
}

static void check_slot_in_cspace(const cte_t *slot)
{
    for (word_t i = 0; i < n_nodes; i++) {
        const cte_t *first = node_slots[i];
        if (slot >= first && slot < first + BIT(node_radix[i])) {
            FUZZ_CHECK(((const char *)slot - (const char *)first) % sizeof(cte_t) == 0);
            return;
        }
    }
    FUZZ_CHECK(!"found slot lies in none of the CNodes");
}

/* ---- the lookups built on cspace_resolve ---- */

static void check_cnode_op(cap_t root, word_t cptr, word_t depth, bool source)
{
    cte_t *slot = (cte_t *)1;
    memset(&ks_syscall_error, 0xa5, sizeof(ks_syscall_error));
    exception_t st = source ? cspace_lookup_source_slot(root, cptr, depth, &slot)
                            : cspace_lookup_target_slot(root, cptr, depth, &slot);

    if (cap_type(root) != CAP_CNODE) {
        FUZZ_CHECK(st == EXCEPTION_SYSCALL_ERROR && slot == NULL);
        FUZZ_CHECK(ks_syscall_error.type == ERR_FAILED_LOOKUP);
        FUZZ_CHECK(ks_syscall_error.failed_lookup_was_source == source);
        FUZZ_CHECK(ks_lookup_fault.type == LOOKUP_INVALID_ROOT);
        return;
    }
    if (depth < 1 || depth > WORD_BITS) {
        FUZZ_CHECK(st == EXCEPTION_SYSCALL_ERROR && slot == NULL);
        FUZZ_CHECK(ks_syscall_error.type == ERR_RANGE_ERROR);
        FUZZ_CHECK(ks_syscall_error.range_min == 1 && ks_syscall_error.range_max == WORD_BITS);
        return;
    }
    outcome_t m = model_resolve(root, cptr, depth);
    if (m.status == EXCEPTION_NONE && m.bits_remaining == 0) {
        FUZZ_CHECK(st == EXCEPTION_NONE && slot == m.slot);
        return;
    }
    FUZZ_CHECK(st == EXCEPTION_SYSCALL_ERROR && slot == NULL);
    FUZZ_CHECK(ks_syscall_error.type == ERR_FAILED_LOOKUP);
    FUZZ_CHECK(ks_syscall_error.failed_lookup_was_source == source);
    if (m.status == EXCEPTION_NONE) {
        FUZZ_CHECK(ks_lookup_fault.type == LOOKUP_DEPTH_MISMATCH);
        FUZZ_CHECK(ks_lookup_fault.bits_left == m.bits_remaining);
    } else {
        FUZZ_CHECK(memcmp(&ks_lookup_fault, &m.fault, sizeof(m.fault)) == 0);
    }
}

/* (cptr, depth) reached a CNode cap with every bit used: extending the
 * address by k bits x must continue from that cap. */
static void check_composition(cap_t root, word_t cptr, word_t depth, const outcome_t *o,
                              fuzz_in_t *in)
{
    if (o->status != EXCEPTION_NONE || o->bits_remaining != 0 || depth >= WORD_BITS ||
        cap_type(o->slot->cap) != CAP_CNODE)
        return;
    word_t k = 1 + fuzz_u8(in) % (WORD_BITS - depth);
    word_t x = fuzz_u32(in) & MASK(k);
    word_t longer = (word_t)(((uint64_t)cptr << k) | x);
    outcome_t whole = real_resolve(root, longer, depth + k);
    outcome_t rest = real_resolve(o->slot->cap, x, k);
    check_same(&whole, &rest);
}

static void one_query(cap_t root, fuzz_in_t *in)
{
    word_t cptr = fuzz_u32(in);
    uint8_t d = fuzz_u8(in);
    word_t depth = d % (WORD_BITS + 1);

    outcome_t real = real_resolve(root, cptr, depth);
    outcome_t model = model_resolve(root, cptr, depth);
    check_same(&real, &model);
    if (real.status == EXCEPTION_NONE)
        check_slot_in_cspace(real.slot);
    check_composition(root, cptr, depth, &real, in);

    cte_t *slot = NULL;
    outcome_t full = model_resolve(root, cptr, WORD_BITS);
    exception_t st = cspace_lookup_slot(&fake_tcb, cptr, &slot);
    FUZZ_CHECK(st == full.status);
    if (st == EXCEPTION_NONE)
        FUZZ_CHECK(slot == full.slot);

    /* Depths 0..40: the CNode operations check the range themselves. */
    check_cnode_op(root, cptr, d % 41, d & 0x80);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_in_t in = { data, size };

    if (arena == NULL)
        setup_arena();
    cap_t root = build_cspace(&in);
    fake_tcb.slots[TCB_SLOT_CTABLE].cap = root;
    for (word_t q = 0; q < MAX_QUERIES && in.left > 0; q++)
        one_query(root, &in);
    return 0;
}
