/*
 * The untyped registry: splitting on demand, merging when the kernel
 * allows it.
 *
 * An untyped of 2^n bytes is split by one Retype into two untypeds of
 * 2^(n-1): the halves are its kernel children, each with its own
 * capability and watermark. memmgr splits the smallest free untyped that
 * fits until it has one of the size asked for (best fit keeps big
 * untypeds whole for big requests). The reverse is not free: two freed
 * halves are still two capabilities, and the parent is whole again only
 * once it has no children, so merging deletes both halves' capabilities;
 * the kernel then resets the parent (watermark to zero, memory cleared)
 * on its next retype. That clear is why freed halves stay split until a
 * request finds no free leaf big enough (or the owner calls mm_shrink). Records name their parent by index, so a subtree
 * is found by following parents.
 *
 * One free leaf may be held back as the reserve for the next CNode of a
 * growing CSpace (slot.c): ordinary requests never take it, so growing
 * the CSpace never waits for memory that only more slots could free.
 * Growth uses it up and takes the next at once, reclaiming if it must
 * (pooled objects of slabs with nothing live deleted, halves merged, page
 * tables taken back): memory sitting in pools must not leave the CSpace
 * unable to grow. Without memory for it the reserve is taken again the
 * moment a big enough leaf comes free (ut_put), and mm_room() counts only
 * the slots there are until then.
 */
#include "internal.h"

struct mm_ut *ut_new(struct mm *mm)
{
    for (uint32_t i = 0; i < mm->nuts; i++) {
        struct mm_ut *u = &mm->uts[i];

        if (!u->in_use) {
            *u = (struct mm_ut){ .in_use = 1 };
            return u;
        }
    }
    return NULL;
}

void ut_drop(struct mm *mm, struct mm_ut *u)
{
    ut_unreserve(mm, u);
    u->in_use = 0;
}

/* u is no longer held back for the next CNode. */
void ut_unreserve(struct mm *mm, struct mm_ut *u)
{
    if (!u->reserve)
        return;
    u->reserve = 0;
    mm->reserve = 0;
}

struct mm_ut *ut_find_root(const struct mm *mm, mm_cptr_t cap)
{
    for (struct mm_ut *u = mm_ut_at(mm, mm->roots); u != NULL; u = mm_ut_at(mm, u->next_root))
        if (u->cap == cap)
            return u;
    return NULL;
}

int ut_in_subtree(const struct mm *mm, const struct mm_ut *u, const struct mm_ut *top)
{
    while (u != NULL && u != top)
        u = mm_ut_at(mm, u->parent);
    return u != NULL;
}

/* The smallest free leaf of at least 2^bits bytes of the right memory. */
static struct mm_ut *best_fit(struct mm *mm, uint32_t bits, int device, int use_reserve)
{
    struct mm_ut *best = NULL;

    for (uint32_t i = 0; i < mm->nuts; i++) {
        struct mm_ut *u = &mm->uts[i];

        if (!u->in_use || u->kind != MM_UT_FREE || u->bits < bits || u->device != (device != 0))
            continue;
        if (u->reserve && !use_reserve)
            continue;
        if (best == NULL || u->bits < best->bits || (u->bits == best->bits && u->reserve < best->reserve))
            best = u;
    }
    return best;
}

/* Retypes a free leaf into two halves; on failure nothing changed. */
mm_err_t ut_split(struct mm *mm, struct mm_ut *u)
{
    struct mm_ut *a, *b;
    mm_cptr_t first, node;
    uint32_t depth, off;
    mm_err_t err = slot_alloc_n(mm, 2, &first, 1);

    if (err != ERR_NONE)
        return err;
    a = ut_new(mm);
    b = a != NULL ? ut_new(mm) : NULL;
    if (b == NULL) {
        if (a != NULL)
            ut_drop(mm, a);
        mm_slot_free_range(mm, first, 2);
        return ERR_NOT_ENOUGH_MEMORY;
    }
    slot_dest(slot_block(mm, first), first, &node, &depth, &off);
    err = mm_sys_retype(u->cap, OBJ_UNTYPED, u->bits - 1u, mm->root, node, depth, off, 2);
    if (err != ERR_NONE) {
        ut_drop(mm, a);
        ut_drop(mm, b);
        mm_slot_free_range(mm, first, 2);
        return err;
    }
    for (uint32_t i = 0; i < 2; i++) {
        struct mm_ut *h = i == 0 ? a : b;

        h->cap = first + i;
        h->bits = (uint8_t)(u->bits - 1u);
        h->paddr = u->paddr + i * mm_bit(h->bits);
        h->device = u->device;
        h->kind = MM_UT_FREE;
        h->parent = mm_ut_idx(mm, u);
        slot_hold_ut(mm, h->cap, mm_ut_idx(mm, h));
    }
    u->kind = MM_UT_SPLIT;
    mm->st.retypes++;
    return ERR_NONE;
}

static struct mm_ut *sibling(struct mm *mm, const struct mm_ut *u)
{
    for (uint32_t i = 0; i < mm->nuts; i++) {
        struct mm_ut *s = &mm->uts[i];

        if (s->in_use && s != u && s->parent == u->parent)
            return s;
    }
    return NULL;
}

/* Merges u with its buddy while both are free and u is smaller than
 * 2^bits: deleting both halves leaves the parent without children, whole
 * again. */
int ut_merge_up_to(struct mm *mm, struct mm_ut *u, uint32_t bits)
{
    int n = 0;

    while (u->parent != 0 && u->bits < bits && u->kind == MM_UT_FREE && !u->reserve) {
        struct mm_ut *s = sibling(mm, u), *p = mm_ut_at(mm, u->parent);

        if (s == NULL || s->kind != MM_UT_FREE || s->reserve)
            break;
        if (mm_sys_delete(mm->root, u->cap, MM_WORD_BITS) != ERR_NONE ||
            mm_sys_delete(mm->root, s->cap, MM_WORD_BITS) != ERR_NONE)
            break;
        mm_slot_free(mm, u->cap);
        mm_slot_free(mm, s->cap);
        ut_drop(mm, u);
        ut_drop(mm, s);
        p->kind = MM_UT_FREE;
        u = p;
        n++;
    }
    return n;
}

/* A free leaf of exactly 2^bits bytes, split off as needed. */
static mm_err_t take(struct mm *mm, uint32_t bits, int device, int use_reserve,
                     struct mm_ut **out)
{
    struct mm_ut *u = best_fit(mm, bits, device, use_reserve);
    mm_err_t err = ERR_NONE;

    if (u == NULL)
        return ERR_NOT_ENOUGH_MEMORY;
    while (u->bits > bits && err == ERR_NONE) {
        err = ut_split(mm, u);
        if (err == ERR_NONE)
            u = best_fit(mm, bits, device, use_reserve);
    }
    if (err != ERR_NONE) {
        ut_merge_up_to(mm, u, MM_WORD_BITS);    /* merge the halves made so far back */
        return err;
    }
    ut_unreserve(mm, u);
    *out = u;
    return ERR_NONE;
}

/* As take(), but when memory runs short, first empty the pools and then
 * take back reclaimable page tables, oldest first, and try again. */
struct mm_ut *ut_take(struct mm *mm, uint32_t bits, int device, int use_reserve)
{
    struct mm_ut *u = NULL;

    while (take(mm, bits, device, use_reserve, &u) != ERR_NONE) {
        if (!ut_merge(mm) && !pool_drain(mm) && !vs_reclaim_one(mm))
            return NULL;
    }
    return u;
}

/* u is free again. It stays split: merging makes the parent whole, and
 * the kernel clears the whole parent on its next retype, so a slab that
 * empties and fills again would pay for clearing everything above it.
 * Merging waits until a request finds no free leaf big enough. If the
 * CNode reserve was used up for want of memory, a leaf big enough for it
 * is taken now. */
void ut_put(struct mm *mm, struct mm_ut *u)
{
    if (mm->reserve == 0 && !u->device && u->bits >= mm->grow.l2_bits + SLOT_BITS)
        ut_keep_reserve(mm, 0);
}

int ut_merge(struct mm *mm)
{
    int n = 0;

    for (uint32_t i = 0; i < mm->nuts; i++)
        if (mm->uts[i].in_use && mm->uts[i].kind == MM_UT_FREE)
            n += ut_merge_up_to(mm, &mm->uts[i], MM_WORD_BITS);
    return n;
}

/* Keeps a free leaf the size of the next CNode of a growing CSpace;
 * reclaim: from memory memmgr keeps for reuse too (ut_take). A reclaim
 * may free a slab whose ut_put() takes the reserve first: then the leaf
 * found here simply stays free. */
void ut_keep_reserve(struct mm *mm, int reclaim)
{
    uint32_t bits = mm->grow.l2_bits + SLOT_BITS;
    struct mm_ut *u = NULL;

    if (mm->reserve != 0 || !slot_can_grow(mm))
        return;
    if (reclaim)
        u = ut_take(mm, bits, 0, 0);
    else if (take(mm, bits, 0, 0, &u) != ERR_NONE)
        u = NULL;
    if (u != NULL && mm->reserve == 0) {
        u->reserve = 1;
        mm->reserve = mm_ut_idx(mm, u);
    }
}

void mm_reclaim(struct mm *mm)
{
    pool_drain(mm);
    ut_merge(mm);
    ut_keep_reserve(mm, 1);
    acct_after(mm);
}

mm_err_t mm_alloc_untyped(struct mm *mm, uint32_t bits, int device, mm_cptr_t *cap)
{
    struct mm_ut *u;

    if (bits < MIN_UNTYPED_BITS || bits > MAX_UNTYPED_BITS)
        return ERR_INVALID_ARGUMENT;
    u = ut_take(mm, bits, device, 0);
    if (u == NULL) {
        acct_after(mm);
        return ERR_NOT_ENOUGH_MEMORY;
    }
    acct_whole(mm, u, MM_UT_GIVEN);
    slot_lend_ut(mm, u, 1);
    *cap = u->cap;
    acct_after(mm);
    return ERR_NONE;
}

/* A given untyped comes back: everything built in it goes. */
mm_err_t ut_free_given(struct mm *mm, struct mm_ut *u)
{
    mm_err_t err = mm_sys_revoke(mm->root, u->cap, MM_WORD_BITS);

    if (err != ERR_NONE)
        return err;
    acct_unwhole(mm, u);
    slot_lend_ut(mm, u, 0);
    ut_put(mm, u);
    return ERR_NONE;
}

struct mm_ut *ut_given(const struct mm *mm, mm_cptr_t cap)
{
    for (uint32_t i = 0; i < mm->nuts; i++)
        if (mm->uts[i].in_use && mm->uts[i].kind == MM_UT_GIVEN && mm->uts[i].cap == cap)
            return &mm->uts[i];
    return NULL;
}

uint32_t mm_paddr(const struct mm *mm, mm_cptr_t cap)
{
    for (uint32_t i = 0; i < mm->nuts; i++)
        if (mm->uts[i].in_use && mm->uts[i].cap == cap)
            return mm->uts[i].paddr;
    return 0;
}
