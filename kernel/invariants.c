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
 * It also checks the links between objects (invariant 5): every thread
 * on an endpoint or notification queue is live, in the matching blocked
 * state, names that object as the one it blocks on (so it is on exactly
 * one queue), and the queue's links agree both ways; every blocked thread
 * is on the queue it names; a bound notification and its TCB name each
 * other; reply slots hold the thread's own master reply cap, caller slots
 * a reply cap, and every reply cap names a live thread blocked on reply,
 * sits in that thread's reply list, and is its only one; the IRQ table
 * names live notifications only, for IRQs with an issued handler.
 *
 * Reaching every capability: the registry holds one slot of each list a
 * boot capability started (never more than the root CNode's slots), and
 * each thread's reply list (started by tcb_setup_reply_master at retype)
 * is reached through the first capability of its TCB. So every capability
 * is visited in O(capabilities) with no limit on their number. "Live"
 * means "some capability names it", a walk of all capabilities; the checks
 * are therefore quadratic in the number of capabilities: for tests, not
 * for production.
 *
 * A failure is reported (inv_fail: one console line) and remembered; each
 * phase below runs only when the ones before found nothing, since a later
 * phase may follow the links an earlier one found broken.
 */
#include <kernel/invariants.h>
#include <kernel/cdt.h>
#include <kernel/transfer.h>
#include <kernel/capops.h>
#include <kernel/state.h>
#include <kernel/debug.h>
#include <arch/arch.h>
#include <arch/memlayout.h>

#if CONFIG_DEBUG

/* More slots than this in one list means the list has a cycle. */
#define MAX_LIST_LENGTH (1u << 24)
/* More threads than memory can hold on one queue means it has a cycle. */
#define MAX_QUEUE_LENGTH (1u << (WORD_BITS - TCB_BITS))

void invariants_record(word_t code)
{
    if (ks_inv_violation == INV_NONE)
        ks_inv_violation = code;
}

static bool found_violation(void)
{
    return ks_inv_violation != INV_NONE;
}

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
        if (steps >= MAX_LIST_LENGTH) {
            inv_fail(INV_CDT_LINKS, "derivation list through slot %p has a cycle",
                     (void *)ks_cdt_lists[i]);
            return;
        }
        ks_cdt_lists[i] = cap_is_null(s->cap) && mdb_next(s) == NULL ? NULL : s;
        for (word_t j = 0; j < i; j++) {
            if (ks_cdt_lists[j] == ks_cdt_lists[i])
                ks_cdt_lists[i] = NULL;
        }
    }
}

/* The first slot of a run of capabilities to one object (copies sit next
 * to each other, cdt.c), so per-object work is done once. */
static bool first_of_object(const cte_t *s)
{
    const cte_t *prev = mdb_prev(s);

    return prev == NULL || cap_type(prev->cap) != cap_type(s->cap) ||
           cap_ptr(prev->cap) != cap_ptr(s->cap);
}

static bool names_tcb(cap_t c)
{
    return cap_type(c) == CAP_TCB || (cap_type(c) == CAP_ZOMBIE && cap_zombie_kind(c) == ZOMBIE_TCB);
}

static void for_each_in_list(cte_t *head, inv_slot_fn_t fn, void *ctx)
{
    for (cte_t *s = head; s != NULL; s = mdb_next(s))
        fn(s, ctx);
}

void invariants_for_each_slot(inv_slot_fn_t fn, void *ctx)
{
    word_t n = num_lists();

    for (word_t i = 0; i < n; i++) {
        for (cte_t *s = ks_cdt_lists[i]; s != NULL; s = mdb_next(s)) {
            fn(s, ctx);
            if (names_tcb(s->cap) && first_of_object(s)) {
                cte_t *reply = tcb_slot(cap_tcb_ptr(s->cap), TCB_SLOT_REPLY);
                if (!cap_is_null(reply->cap))
                    for_each_in_list(reply, fn, ctx);
            }
        }
    }
}

/* ---- liveness: some capability names the object ---- */

typedef struct live_ctx {
    cap_type_t type;
    const void *obj;
    bool found;
} live_ctx_t;

static void match_object(cte_t *s, void *p)
{
    live_ctx_t *l = p;

    if (cap_type(s->cap) == l->type && cap_ptr(s->cap) == l->obj)
        l->found = true;
}

static bool object_live(cap_type_t type, const void *obj)
{
    live_ctx_t l = { type, obj, false };

    if (obj == NULL)
        return false;
    invariants_for_each_slot(match_object, &l);
    return l.found;
}

bool invariants_tcb_live(const tcb_t *t)
{
    return t != NULL && (t == ks_idle_thread || object_live(CAP_TCB, t));
}

/* ---- 1: the lists themselves ---- */

static void check_list_links(cte_t *head)
{
    word_t length = 0;

    if (mdb_prev(head) != NULL)
        inv_fail(INV_CDT_LINKS, "list head %p has a predecessor", (void *)head);
    for (cte_t *s = head; s != NULL; s = mdb_next(s)) {
        if (cap_is_null(s->cap))
            inv_fail(INV_CDT_LINKS, "empty slot %p is linked in the derivation tree", (void *)s);
        if (mdb_next(s) != NULL && mdb_prev(mdb_next(s)) != s) {
            inv_fail(INV_CDT_LINKS, "slot %p -> %p link is not symmetric", (void *)s,
                     (void *)mdb_next(s));
            return;
        }
        if (++length > MAX_LIST_LENGTH) {
            inv_fail(INV_CDT_LINKS, "derivation list at %p does not end", (void *)head);
            return;
        }
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
    invariants_for_each_slot(count_inside, &u);
    for (cte_t *s = mdb_next(ut); s != NULL && cdt_is_parent_of(ut, s); s = mdb_next(s)) {
        region_t r;
        if (!cap_region(s->cap, &r) || same_region_untyped(s->cap, &u.r))
            continue;
        if (r.end > mark)
            inv_fail(INV_OBJECT_OUTSIDE_UNTYPED, "object at %x above the watermark of untyped %x", (unsigned)r.base,
                  (unsigned)u.r.base);
        in_run++;
    }
    if (in_run != u.inside)
        inv_fail(INV_CDT_UNTYPED_DESCENT, "untyped %x/%u contains %u caps but only %u descend from it",
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
        inv_fail(INV_OBJECT_OVERLAP, "caps in slots %p and %p name overlapping objects at %x and %x",
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
    invariants_for_each_slot(check_pair, &c);
    if (cap_type(cap) == CAP_UNTYPED) {
        if (in_reserved(&c.r, true))
            inv_fail(INV_RESERVED_MEMORY, "untyped at %x covers reserved memory", (unsigned)c.r.base);
        return;
    }
    if (!c.covered && !in_reserved(&c.r, false))
        inv_fail(INV_OBJECT_OUTSIDE_UNTYPED, "object at %x (cap type %u) is in no untyped and not boot memory",
              (unsigned)c.r.base, (unsigned)cap_type(cap));
    if (cap_type(cap) != CAP_FRAME && !paddr_in_window(c.r.base, (word_t)(c.r.end - c.r.base)))
        inv_fail(INV_OBJECT_OUTSIDE_WINDOW, "kernel object at %x outside the kernel window", (unsigned)c.r.base);
}

/* ---- 5: queues, bindings, reply caps, IRQ table ---- */

/* The TCBs of a thread's reply list are reached only through its TCB caps,
 * so their links are checked from there, before anything walks them. */
static void check_reply_list_links(cte_t *s, void *ctx)
{
    (void)ctx;
    if (names_tcb(s->cap) && first_of_object(s)) {
        cte_t *reply = tcb_slot(cap_tcb_ptr(s->cap), TCB_SLOT_REPLY);
        if (!cap_is_null(reply->cap))
            check_list_links(reply);
    }
}

static void check_lists(void)
{
    normalise_registry();
    if (found_violation())
        return;
    for (word_t i = 0; i < num_lists(); i++) {
        if (ks_cdt_lists[i] != NULL)
            check_list_links(ks_cdt_lists[i]);
    }
    if (found_violation())
        return;
    for (word_t i = 0; i < num_lists(); i++) {
        for (cte_t *s = ks_cdt_lists[i]; s != NULL; s = mdb_next(s))
            check_reply_list_links(s, NULL);
    }
}

/* One endpoint or notification queue: `head`, the tail it records, the
 * thread state its members must be in. Every member must be live before
 * its fields are read, name this object as what it blocks on (so it is on
 * no other queue), and link back to its predecessor. */
typedef struct queue {
    const void *obj;
    tcb_t *head, *tail;
    thread_state_t member_state;
    word_t code;
} queue_t;

static void check_queue(const queue_t *q)
{
    tcb_t *prev = NULL;
    word_t n = 0;

    for (tcb_t *t = q->head; t != NULL; prev = t, t = t->ep_next) {
        if (!invariants_tcb_live(t) || t == ks_idle_thread) {
            inv_fail(q->code, "queue of %p holds %p, which is no live TCB", q->obj, (void *)t);
            return;
        }
        if (t->state != q->member_state || t->blocking_object != q->obj)
            inv_fail(q->code, "thread %p '%s' on the queue of %p is in state %u blocked on %p",
                     (void *)t, t->name, q->obj, t->state, t->blocking_object);
        if (t->ep_prev != prev) {
            inv_fail(q->code, "queue of %p: %p does not link back to %p", q->obj, (void *)t,
                     (void *)prev);
            return;
        }
        if (++n > MAX_QUEUE_LENGTH) {
            inv_fail(q->code, "queue of %p has a cycle", q->obj);
            return;
        }
    }
    if (q->tail != prev)
        inv_fail(q->code, "queue of %p ends at %p but records tail %p", q->obj, (void *)prev,
                 (void *)q->tail);
}

static void check_endpoint(endpoint_t *ep)
{
    queue_t q = { ep, ep->head, ep->tail, TS_BLOCKED_ON_SEND, INV_EP_QUEUE };

    switch (ep->state) {
    case EP_IDLE:
        if (ep->head != NULL || ep->tail != NULL)
            inv_fail(INV_EP_QUEUE, "idle endpoint %p has a queue", (void *)ep);
        return;
    case EP_RECV:
        q.member_state = TS_BLOCKED_ON_RECEIVE;
        break;
    case EP_SEND:
        break;
    default:
        inv_fail(INV_EP_QUEUE, "endpoint %p has state %u", (void *)ep, (unsigned)ep->state);
        return;
    }
    if (ep->head == NULL)
        inv_fail(INV_EP_QUEUE, "endpoint %p in state %u has an empty queue", (void *)ep,
                 (unsigned)ep->state);
    check_queue(&q);
}

static void check_notification(notification_t *n)
{
    queue_t q = { n, n->head, ntfn_tail(n), TS_BLOCKED_ON_NOTIFICATION, INV_NTFN_QUEUE };
    tcb_t *b = n->bound_tcb;

    if ((ntfn_state(n) == NTFN_WAITING) != (n->head != NULL))
        inv_fail(INV_NTFN_QUEUE, "notification %p in state %u has head %p", (void *)n,
                 (unsigned)ntfn_state(n), (void *)n->head);
    check_queue(&q);
    if (b != NULL && (!invariants_tcb_live(b) || b->bound_ntfn != n))
        inv_fail(INV_BOUND_NTFN, "notification %p is bound to %p, which is not bound to it",
                 (void *)n, (void *)b);
}

/* A blocked thread is on the queue of the object it names. */
static void check_blocked_on(tcb_t *t)
{
    cap_type_t type = t->state == TS_BLOCKED_ON_NOTIFICATION ? CAP_NOTIFICATION : CAP_ENDPOINT;
    tcb_t *m;
    word_t n = 0;

    if (!object_live(type, t->blocking_object)) {
        inv_fail(INV_BLOCKED_THREAD, "thread %p '%s' in state %u blocks on %p, no live object",
                 (void *)t, t->name, t->state, t->blocking_object);
        return;
    }
    m = type == CAP_NOTIFICATION ? ((notification_t *)t->blocking_object)->head
                                 : ((endpoint_t *)t->blocking_object)->head;
    for (; m != NULL && m != t && n < MAX_QUEUE_LENGTH; m = m->ep_next, n++)
        ;
    if (m != t)
        inv_fail(INV_BLOCKED_THREAD, "thread %p '%s' is not on the queue of %p it blocks on",
                 (void *)t, t->name, t->blocking_object);
}

/* The reply list holds the master and at most one reply cap, all to t. */
static void check_reply_slots(tcb_t *t)
{
    cte_t *master = tcb_slot(t, TCB_SLOT_REPLY), *caller = tcb_slot(t, TCB_SLOT_CALLER);
    word_t replies = 0;

    if (!cap_is_null(caller->cap) &&
        (cap_type(caller->cap) != CAP_REPLY || cap_reply_is_master(caller->cap)))
        inv_fail(INV_REPLY_CAP, "caller slot of %p holds cap type %u", (void *)t,
                 (unsigned)cap_type(caller->cap));
    if (cap_is_null(master->cap))
        return;
    if (cap_type(master->cap) != CAP_REPLY || !cap_reply_is_master(master->cap) ||
        cap_reply_tcb(master->cap) != t) {
        inv_fail(INV_REPLY_CAP, "reply slot of %p holds no master reply cap to it", (void *)t);
        return;
    }
    for (cte_t *s = mdb_next(master); s != NULL; s = mdb_next(s)) {
        if (cap_type(s->cap) != CAP_REPLY || cap_reply_tcb(s->cap) != t || cap_reply_is_master(s->cap))
            inv_fail(INV_REPLY_CAP, "reply list of %p holds slot %p of cap type %u", (void *)t,
                     (void *)s, (unsigned)cap_type(s->cap));
        replies++;
    }
    if (replies > 1)
        inv_fail(INV_REPLY_CAP, "thread %p has %u reply caps", (void *)t, (unsigned)replies);
}

static void check_tcb(tcb_t *t)
{
    notification_t *n = t->bound_ntfn;

    switch (t->state) {
    case TS_BLOCKED_ON_SEND:
    case TS_BLOCKED_ON_RECEIVE:
    case TS_BLOCKED_ON_NOTIFICATION:
        check_blocked_on(t);
        break;
    default:
        break;
    }
    if (n != NULL && (!object_live(CAP_NOTIFICATION, n) || n->bound_tcb != t))
        inv_fail(INV_BOUND_NTFN, "thread %p '%s' is bound to %p, which is not bound to it",
                 (void *)t, t->name, (void *)n);
    check_reply_slots(t);
}

/* A reply cap (not a master) lets someone resume a thread blocked on reply. */
static void check_reply_cap(cte_t *s)
{
    tcb_t *t = cap_reply_tcb(s->cap);
    const cte_t *head = s;

    if (!invariants_tcb_live(t)) {
        inv_fail(INV_REPLY_CAP, "reply cap in slot %p names %p, no live TCB", (void *)s, (void *)t);
        return;
    }
    if (t->state != TS_BLOCKED_ON_REPLY)
        inv_fail(INV_REPLY_CAP, "reply cap in slot %p names %p '%s' in state %u", (void *)s,
                 (void *)t, t->name, t->state);
    while (mdb_prev(head) != NULL)
        head = mdb_prev(head);
    if (head != tcb_slot(t, TCB_SLOT_REPLY))
        inv_fail(INV_REPLY_CAP, "reply cap in slot %p to %p is not under its master", (void *)s,
                 (void *)t);
}

static void check_links_slot(cte_t *s, void *ctx)
{
    cap_t c = s->cap;

    (void)ctx;
    if (cap_type(c) == CAP_REPLY && !cap_reply_is_master(c)) {
        check_reply_cap(s);
        return;
    }
    if (!first_of_object(s))
        return;
    switch (cap_type(c)) {
    case CAP_ENDPOINT:
        check_endpoint(cap_ptr(c));
        break;
    case CAP_NOTIFICATION:
        check_notification(cap_ptr(c));
        break;
    case CAP_TCB:
        check_tcb(cap_tcb_ptr(c));
        break;
    default:
        break;
    }
}

/* An IRQ delivers to a notification only while its handler is issued. */
static void check_irq_table(void)
{
    for (word_t irq = 0; irq < MAX_IRQS; irq++) {
        cap_t c = ks_irq_slots[irq].cap;

        if (cap_is_null(c))
            continue;
        if (cap_type(c) != CAP_NOTIFICATION || !object_live(CAP_NOTIFICATION, cap_ptr(c)))
            inv_fail(INV_IRQ_TABLE, "IRQ %u names %p (cap type %u), no live notification",
                     (unsigned)irq, cap_ptr(c), (unsigned)cap_type(c));
        if (ks_irq_state[irq] != IRQ_USER)
            inv_fail(INV_IRQ_TABLE, "IRQ %u in state %u has a notification", (unsigned)irq,
                     (unsigned)ks_irq_state[irq]);
    }
}

/* The phases, in order; each runs only if the ones before found nothing. */
word_t invariants_check(void)
{
    word_t found;

    ks_inv_violation = INV_NONE;
    check_lists();
    if (!found_violation())
        invariants_for_each_slot(check_untyped_slot, NULL);
    if (!found_violation())
        invariants_for_each_slot(check_object, NULL);
    if (!found_violation())
        sched_check_invariants();
    if (!found_violation()) {
        invariants_for_each_slot(check_links_slot, NULL);
        check_irq_table();
    }
    if (!found_violation())
        arch_check_invariants();
    found = ks_inv_violation;
    ks_inv_violation = INV_NONE;
    return found;
}

#else

/* Release kernels have no checker; they say so rather than claim 0. */
word_t invariants_check(void)
{
    return INV_NOT_CHECKED;
}

#endif
