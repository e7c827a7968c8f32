/*
 * Giving memory back: one whole untyped, with everything built in it.
 *
 * This is what a guest does when the VMM asks for memory, and what the
 * VMM does to a guest that does not: revoking an untyped destroys every
 * object made from it, wherever its capabilities went. memmgr releases
 * an untyped the owner added only when nothing the owner still uses lives
 * in it: pooled objects, empty slabs and halves go without asking, and
 * page tables of cache-able address spaces are taken back first (their
 * owners told, see vspace.c); a live object of any other kind, an
 * untyped given out whole, or a CNode of memmgr's own CSpace makes the
 * release fail with ERR_REVOKE_FIRST before anything changes. Then one
 * Revoke removes everything, and the records under it go.
 */
#include "internal.h"

/* Live objects under top that block a release (reclaimable page tables
 * do not), and the capabilities a release would delete. */
static uint32_t blockers(const struct mm *mm, const struct mm_ut *top, uint32_t *cost)
{
    uint32_t live = 0, caps = 0;

    for (uint32_t i = 0; i < mm->nuts; i++) {
        const struct mm_ut *u = &mm->uts[i];

        if (!u->in_use || !ut_in_subtree(mm, u, top))
            continue;
        if (u != top)
            caps++;
        if (u->kind == MM_UT_GIVEN || u->kind == MM_UT_CSPACE)
            live++;
        if (u->kind == MM_UT_SLAB) {
            live += u->nlive;
            caps += u->nlive + u->npool;
        }
    }
    live -= vs_reclaimable_in(mm, top);
    if (cost != NULL)
        *cost = caps;
    return live;
}

uint32_t mm_reclaimable(const struct mm *mm, mm_cptr_t cap, uint32_t *cost)
{
    const struct mm_ut *top = ut_find_root(mm, cap);

    if (cost != NULL)
        *cost = 0;
    if (top == NULL || blockers(mm, top, cost) != 0)
        return 0;
    return (uint32_t)mm_ut_size(top);
}

/* Takes a released record's bytes out of the totals. */
static void forget(struct mm *mm, struct mm_ut *u)
{
    if (u->kind == MM_UT_FREE) {
        mm->st.free -= mm_ut_size(u);
    } else if (u->kind == MM_UT_SLAB) {
        mm->st.free -= mm_ut_size(u) - u->wm;
        mm->st.pooled[u->obj_type] -= (uint64_t)u->npool << u->obj_bits;
        mm->st.dead -= (uint64_t)u->ndead << u->obj_bits;
    }
}

static void unlink_root(struct mm *mm, struct mm_ut *top)
{
    uint16_t *link = &mm->roots, idx = mm_ut_idx(mm, top);

    while (*link != 0 && *link != idx)
        link = &mm_ut_at(mm, *link)->next_root;
    if (*link == idx)
        *link = top->next_root;
    mm->st.held -= mm_ut_size(top);
    if (top->device)
        mm->st.device_held -= mm_ut_size(top);
}

mm_err_t mm_release_untyped(struct mm *mm, mm_cptr_t cap)
{
    struct mm_ut *top = ut_find_root(mm, cap);
    mm_err_t err;

    if (top == NULL)
        return ERR_INVALID_ARGUMENT;
    if (blockers(mm, top, NULL) != 0)
        return ERR_REVOKE_FIRST;
    vs_reclaim_in(mm, top);
    err = mm_sys_revoke(mm->root, top->cap, MM_WORD_BITS);
    if (err != ERR_NONE) {
        acct_after(mm);
        return err;
    }
    pool_unlink_in(mm, top);
    for (uint32_t i = 0; i < mm->nuts; i++)
        mm->uts[i].mark = mm->uts[i].in_use && ut_in_subtree(mm, &mm->uts[i], top);
    for (uint32_t i = 0; i < mm->nuts; i++) {
        struct mm_ut *u = &mm->uts[i];

        if (!u->mark)
            continue;
        if (u->kind != MM_UT_SPLIT)
            forget(mm, u);
        if (u != top)
            mm_slot_free(mm, u->cap);
    }
    unlink_root(mm, top);
    for (uint32_t i = 0; i < mm->nuts; i++) {
        if (mm->uts[i].mark)
            ut_drop(mm, &mm->uts[i]);
        mm->uts[i].mark = 0;
    }
    ut_keep_reserve(mm, 0);
    acct_after(mm);
    return ERR_NONE;
}
