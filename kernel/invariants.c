/*
 * The capability part of the kernel's invariant checker (debug builds).
 *
 * The kernel has no list of its objects, but it can reach every
 * capability: each derivation-tree list was started at boot and cdt.c
 * keeps one slot of every list in a registry (ks_cdt_lists). From the
 * capabilities that name memory the checker sees every object and checks
 * memory-model.md's invariants 1, 2 and 8:
 *
 *   - the tree is well formed: links are symmetric, no empty slot is
 *     linked, every list starts at a slot with no predecessor;
 *   - every capability to memory inside an untyped descends from it (it
 *     lies in the run of slots revoke would delete), below its watermark,
 *     and kernel objects lie inside the kernel window;
 *   - capabilities to different objects name disjoint memory, unless one
 *     is an untyped containing the other;
 *   - no untyped covers reserved memory (ks_reserved, filled at boot), and
 *     every other object lies inside an untyped or inside reserved memory
 *     (the root task's boot-time objects).
 *
 * The checks are quadratic in the number of capabilities; they are for
 * tests, not for production. Each failure panics naming what it found.
 */
#include <kernel/invariants.h>
#include <kernel/cdt.h>
#include <kernel/capops.h>
#include <kernel/state.h>
#include <kernel/debug.h>
#include <arch/arch.h>
#include <arch/memlayout.h>

#if CONFIG_DEBUG

/* More slots than this in one list means the list has a cycle. */
#define MAX_LIST_LENGTH (1u << 24)

typedef struct region {
    paddr_t base;
    uint64_t end;               /* exclusive; 64 bits so 4 GiB - 1 + 1 fits */
} region_t;

static bool cap_region(cap_t c, region_t *r)
{
    word_t bits = cap_object_size_bits(c);

    if (bits == 0)
        return false;
    switch (cap_type(c)) {
    case CAP_UNTYPED: r->base = cap_ut_paddr(c); break;
    case CAP_FRAME: r->base = cap_frame_paddr(c); break;
    default: r->base = kptr_to_paddr(cap_object_ptr(c)); break;
    }
    r->end = (uint64_t)r->base + ((uint64_t)1 << bits);
    return true;
}

static bool regions_overlap(const region_t *a, const region_t *b)
{
    return a->base < b->end && b->base < a->end;
}

static bool region_inside(const region_t *in, const region_t *out)
{
    return out->base <= in->base && in->end <= out->end;
}

/* ---- the registry: one entry per live list, normalised to its head ---- */

static word_t num_lists(void)
{
    return ks_cdt_num_lists < CDT_MAX_LISTS ? ks_cdt_num_lists : CDT_MAX_LISTS;
}

static void normalise_registry(void)
{
    word_t n = num_lists();

    for (word_t i = 0; i < n; i++) {
        cte_t *s = ks_cdt_lists[i];
        word_t steps = 0;

        if (s == NULL)
            continue;
        while (mdb_prev(s) != NULL && steps++ < MAX_LIST_LENGTH)
            s = mdb_prev(s);
        if (steps >= MAX_LIST_LENGTH)
            panic("invariants: derivation list through slot %p has a cycle", (void *)ks_cdt_lists[i]);
        ks_cdt_lists[i] = cap_is_null(s->cap) && mdb_next(s) == NULL ? NULL : s;
        for (word_t j = 0; j < i; j++) {
            if (ks_cdt_lists[j] == ks_cdt_lists[i])
                ks_cdt_lists[i] = NULL;
        }
    }
}

typedef void (*slot_fn_t)(cte_t *s, void *ctx);

static void for_each_slot(slot_fn_t fn, void *ctx)
{
    word_t n = num_lists();

    for (word_t i = 0; i < n; i++) {
        for (cte_t *s = ks_cdt_lists[i]; s != NULL; s = mdb_next(s))
            fn(s, ctx);
    }
}

/* ---- 1: the lists themselves ---- */

static void check_list_links(cte_t *head)
{
    word_t length = 0;

    if (mdb_prev(head) != NULL)
        panic("invariants: list head %p has a predecessor", (void *)head);
    for (cte_t *s = head; s != NULL; s = mdb_next(s)) {
        if (cap_is_null(s->cap))
            panic("invariants: empty slot %p is linked in the derivation tree", (void *)s);
        if (mdb_next(s) != NULL && mdb_prev(mdb_next(s)) != s)
            panic("invariants: slot %p -> %p link is not symmetric", (void *)s, (void *)mdb_next(s));
        if (++length > MAX_LIST_LENGTH)
            panic("invariants: derivation list at %p does not end", (void *)head);
    }
}

/* ---- 2: objects inside their untyped ---- */

typedef struct untyped_ctx {
    cte_t *ut;
    region_t r;
    word_t inside;              /* memory caps inside, other than same-region untypeds */
} untyped_ctx_t;

static bool same_region_untyped(cap_t c, const region_t *r)
{
    region_t cr;
    return cap_type(c) == CAP_UNTYPED && cap_region(c, &cr) && cr.base == r->base && cr.end == r->end;
}

static void count_inside(cte_t *s, void *p)
{
    untyped_ctx_t *u = p;
    region_t r;

    if (s == u->ut || !cap_region(s->cap, &r) || same_region_untyped(s->cap, &u->r))
        return;
    if (region_inside(&r, &u->r))
        u->inside++;
}

/* Everything inside the untyped is in the run revoke would delete, below
 * the watermark; counting both sides proves the sets equal, since the run
 * holds only capabilities inside the untyped. */
static void check_untyped(cte_t *ut)
{
    untyped_ctx_t u = { ut, { 0, 0 }, 0 };
    word_t in_run = 0;
    uint64_t mark;

    cap_region(ut->cap, &u.r);
    mark = u.r.base + cap_ut_free_bytes_used(ut->cap);
    for_each_slot(count_inside, &u);
    for (cte_t *s = mdb_next(ut); s != NULL && cdt_is_parent_of(ut, s); s = mdb_next(s)) {
        region_t r;
        if (!cap_region(s->cap, &r) || same_region_untyped(s->cap, &u.r))
            continue;
        if (r.end > mark)
            panic("invariants: object at %x above the watermark of untyped %x", (unsigned)r.base,
                  (unsigned)u.r.base);
        in_run++;
    }
    if (in_run != u.inside)
        panic("invariants: untyped %x/%u contains %u caps but only %u descend from it",
              (unsigned)u.r.base, (unsigned)cap_ut_size_bits(ut->cap), (unsigned)u.inside,
              (unsigned)in_run);
}

static void check_untyped_slot(cte_t *s, void *ctx)
{
    (void)ctx;
    if (cap_type(s->cap) == CAP_UNTYPED)
        check_untyped(s);
}

/* ---- 1 and 8: disjoint objects, reserved memory, kernel window ---- */

typedef struct pair_ctx {
    cte_t *a;
    region_t r;
    bool covered;               /* inside some untyped */
} pair_ctx_t;

static bool overlap_allowed(cap_t a, cap_t b)
{
    return cap_type(a) == CAP_UNTYPED || cap_type(b) == CAP_UNTYPED ||
           cap_same_region_as(a, b) || cap_same_region_as(b, a);
}

static void check_pair(cte_t *s, void *p)
{
    pair_ctx_t *c = p;
    region_t r;

    if (s == c->a || !cap_region(s->cap, &r) || !regions_overlap(&r, &c->r))
        return;
    if (cap_type(s->cap) == CAP_UNTYPED && region_inside(&c->r, &r))
        c->covered = true;
    if (!overlap_allowed(c->a->cap, s->cap))
        panic("invariants: caps in slots %p and %p name overlapping objects at %x and %x",
              (void *)c->a, (void *)s, (unsigned)c->r.base, (unsigned)r.base);
}

static bool in_reserved(const region_t *r, bool any_overlap)
{
    for (word_t i = 0; i < ks_num_reserved; i++) {
        region_t res = { ks_reserved[i].base, (uint64_t)ks_reserved[i].base + ks_reserved[i].size };
        if (any_overlap ? regions_overlap(r, &res) : region_inside(r, &res))
            return true;
    }
    return false;
}

static void check_object(cte_t *s, void *ctx)
{
    pair_ctx_t c = { s, { 0, 0 }, false };
    cap_t cap = s->cap;

    (void)ctx;
    if (!cap_region(cap, &c.r))
        return;
    for_each_slot(check_pair, &c);
    if (cap_type(cap) == CAP_UNTYPED) {
        if (in_reserved(&c.r, true))
            panic("invariants: untyped at %x covers reserved memory", (unsigned)c.r.base);
        return;
    }
    if (!c.covered && !in_reserved(&c.r, false))
        panic("invariants: object at %x (cap type %u) is in no untyped and not boot memory",
              (unsigned)c.r.base, (unsigned)cap_type(cap));
    if (cap_type(cap) != CAP_FRAME && !paddr_in_window(c.r.base, (word_t)(c.r.end - c.r.base)))
        panic("invariants: kernel object at %x outside the kernel window", (unsigned)c.r.base);
}

void invariants_check(void)
{
    normalise_registry();
    for (word_t i = 0; i < num_lists(); i++) {
        if (ks_cdt_lists[i] != NULL)
            check_list_links(ks_cdt_lists[i]);
    }
    for_each_slot(check_untyped_slot, NULL);
    for_each_slot(check_object, NULL);
    sched_check_invariants();
    arch_check_invariants();
}

#else

void invariants_check(void)
{
}

#endif
