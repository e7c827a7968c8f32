/*
 * The capability derivation tree (CDT).
 *
 * Every capability remembers where it came from, so that revoking a
 * capability can find and delete everything derived from it, and deleting
 * the last capability to an object can be recognised. The tree costs no
 * memory of its own: each slot carries two link words, and the slots of a
 * tree form one doubly linked list in depth-first order. A node's
 * descendants therefore follow it directly: "has children" and "is this
 * the last capability to its object" look only at neighbours, and revoke
 * deletes the run of slots after a node.
 *
 * Parenthood is not stored: it is recomputed from two neighbouring
 * capabilities (seL4's isMDBParentOf). A is the parent of B when A is
 * revocable and names a region that contains B's, except that a badged
 * endpoint or notification capability is parent only of copies with the
 * same badge that are not themselves the first of their badge (the
 * first-badged flag marks where a Mint started a new badge).
 *
 * New capabilities go right after their source: as a child when the
 * source is revocable and covers them, otherwise as a sibling (a copy of a
 * copy). The list operations below keep the links and the two flag bits
 * consistent; deciding what to insert is capops.c's business.
 *
 * Debug builds also keep a registry of the lists (one slot per list,
 * followed as slots move) so the invariant checker can visit every
 * capability in the system without a heap: every list is started by
 * cdt_insert_root(), and later insertions only join existing lists. A
 * thread's reply list is left out: the checker reaches it through the
 * thread's TCB capabilities, so the registry holds only the lists boot
 * started.
 */
#include <kernel/cdt.h>
#include <kernel/capops.h>
#include <kernel/state.h>
#include <kernel/debug.h>

static inline void set_next(cte_t *s, cte_t *next)
{
    s->mdb.next = (uintptr_t)next | (s->mdb.next & MDB_FLAGS);
}

static inline void set_prev(cte_t *s, cte_t *prev)
{
    s->mdb.prev = (uintptr_t)prev;
}

static inline uintptr_t mdb_flags(bool revocable, bool first_badged)
{
    return (revocable ? MDB_REVOCABLE : 0) | (first_badged ? MDB_FIRST_BADGED : 0);
}

static inline bool slot_is_unlinked(const cte_t *s)
{
    return cap_is_null(s->cap) && mdb_next(s) == NULL && mdb_prev(s) == NULL;
}

/* ---- debug registry of lists ------------------------------------------ */

#if CONFIG_DEBUG
/* Drop entries of lists that have emptied (NULL), so a long-running
 * system that keeps starting and ending lists never fills the registry. */
static void registry_compact(void)
{
    word_t n = 0;
    for (word_t i = 0; i < ks_cdt_num_lists; i++)
        if (ks_cdt_lists[i] != NULL)
            ks_cdt_lists[n++] = ks_cdt_lists[i];
    ks_cdt_num_lists = n;
}

/* A thread's reply list is reached through its TCB (invariants.c), so
 * only the lists boot capabilities start are registered: no more than the
 * root CNode has slots, which is the registry's size. */
static void registry_add(cte_t *s)
{
    if (cap_type(s->cap) == CAP_REPLY)
        return;
    if (ks_cdt_num_lists >= CDT_MAX_LISTS)
        registry_compact();
    if (ks_cdt_num_lists >= CDT_MAX_LISTS)
        panic("cdt: more derivation lists than root CNode slots");
    ks_cdt_lists[ks_cdt_num_lists++] = s;
}

/* Slot `from` stops being in its list; `to` (may be NULL) now is. */
static void registry_replace(cte_t *from, cte_t *to)
{
    for (word_t i = 0; i < ks_cdt_num_lists; i++) {
        if (ks_cdt_lists[i] == from)
            ks_cdt_lists[i] = to;
    }
}

static void registry_swap(cte_t *a, cte_t *b)
{
    for (word_t i = 0; i < ks_cdt_num_lists; i++) {
        if (ks_cdt_lists[i] == a)
            ks_cdt_lists[i] = b;
        else if (ks_cdt_lists[i] == b)
            ks_cdt_lists[i] = a;
    }
}
#else
static inline void registry_add(cte_t *s) { (void)s; }
static inline void registry_replace(cte_t *from, cte_t *to) { (void)from; (void)to; }
static inline void registry_swap(cte_t *a, cte_t *b) { (void)a; (void)b; }
#endif

/* ---- parenthood -------------------------------------------------------- */

/* A badged endpoint or notification capability is parent only of copies
 * that carry its badge and do not start a new badge themselves. */
static bool badged_parent_of(const cte_t *parent, const cte_t *child)
{
    word_t badge = cap_badge(parent->cap);

    if (badge == 0)
        return true;
    return badge == cap_badge(child->cap) && !mdb_first_badged(child);
}

bool cdt_is_parent_of(const cte_t *parent, const cte_t *child)
{
    if (!mdb_revocable(parent))
        return false;
    if (!cap_same_region_as(parent->cap, child->cap))
        return false;
    switch (cap_type(parent->cap)) {
    case CAP_ENDPOINT:
    case CAP_NOTIFICATION:
        return badged_parent_of(parent, child);
    default:
        return true;
    }
}

bool cdt_has_children(const cte_t *s)
{
    const cte_t *next = mdb_next(s);

    return next != NULL && cdt_is_parent_of(s, next);
}

/* Copies of one object sit next to each other in the list (a copy goes
 * right after its source), so looking at both neighbours suffices. */
bool cdt_is_final(const cte_t *s)
{
    const cte_t *prev = mdb_prev(s);
    const cte_t *next = mdb_next(s);

    if (prev != NULL && cap_same_object_as(prev->cap, s->cap))
        return false;
    return next == NULL || !cap_same_object_as(s->cap, next->cap);
}

/* ---- list operations ---------------------------------------------------- */

void cdt_insert(cte_t *src, cte_t *dest, cap_t cap, bool revocable, bool first_badged)
{
    cte_t *next = mdb_next(src);

    assert(slot_is_unlinked(dest));
    assert(!cap_is_null(src->cap));
    dest->cap = cap;
    dest->mdb.prev = (uintptr_t)src;
    dest->mdb.next = (uintptr_t)next | mdb_flags(revocable, first_badged);
    set_next(src, dest);
    if (next != NULL)
        set_prev(next, dest);
}

/* A boot capability starts a tree of its own; like seL4's boot caps it is
 * revocable, so that its copies become its children. */
void cdt_insert_root(cte_t *dest, cap_t cap)
{
    assert(slot_is_unlinked(dest));
    dest->cap = cap;
    dest->mdb.prev = 0;
    dest->mdb.next = mdb_flags(true, true);
    registry_add(dest);
}

/* The node's children become children of its parent simply by staying in
 * place. A first-badged mark is handed on to the next slot, so that the
 * next capability in line starts the badge's tree if the first goes. */
void cdt_remove(cte_t *s)
{
    cte_t *prev = mdb_prev(s);
    cte_t *next = mdb_next(s);

    if (prev != NULL)
        set_next(prev, next);
    if (next != NULL) {
        set_prev(next, prev);
        if (mdb_first_badged(s))
            next->mdb.next |= MDB_FIRST_BADGED;
    }
    registry_replace(s, prev != NULL ? prev : next);
    s->cap = cap_null();
    s->mdb.prev = 0;
    s->mdb.next = 0;
}

void cdt_move(cte_t *src, cte_t *dest, cap_t newcap)
{
    cte_t *prev = mdb_prev(src);
    cte_t *next = mdb_next(src);

    assert(slot_is_unlinked(dest));
    dest->cap = newcap;
    dest->mdb = src->mdb;
    src->cap = cap_null();
    src->mdb.prev = 0;
    src->mdb.next = 0;
    if (prev != NULL)
        set_next(prev, dest);
    if (next != NULL)
        set_prev(next, dest);
    registry_replace(src, dest);
}

static inline cte_t *swapped(cte_t *x, cte_t *a, cte_t *b)
{
    return x == a ? b : x == b ? a : x;
}

/* Each capability takes its whole tree position and flags along. The
 * slots may be neighbours, so every link is translated through swapped()
 * and the neighbours' own links are rewritten only if they are not a or b. */
void cdt_swap(cte_t *a, cap_t cap_a, cte_t *b, cap_t cap_b)
{
    cte_t *pa = mdb_prev(a), *na = mdb_next(a);
    cte_t *pb = mdb_prev(b), *nb = mdb_next(b);
    uintptr_t fa = a->mdb.next & MDB_FLAGS, fb = b->mdb.next & MDB_FLAGS;

    if (a == b)
        return;
    a->cap = cap_b;
    b->cap = cap_a;
    a->mdb.prev = (uintptr_t)swapped(pb, a, b);
    a->mdb.next = (uintptr_t)swapped(nb, a, b) | fb;
    b->mdb.prev = (uintptr_t)swapped(pa, a, b);
    b->mdb.next = (uintptr_t)swapped(na, a, b) | fa;
    if (pa != NULL && pa != b)
        set_next(pa, b);
    if (na != NULL && na != b)
        set_prev(na, b);
    if (pb != NULL && pb != a)
        set_next(pb, a);
    if (nb != NULL && nb != a)
        set_prev(nb, a);
    registry_swap(a, b);
}
