/*
 * Per-type pools: objects made in batches, made fresh when freed, reused.
 *
 * A pool is refilled by one Retype of up to MM_BATCH objects into a slab,
 * an untyped that holds objects of that one type and size (a page for
 * objects smaller than a page, up to 16 frames or 4 page tables, exactly
 * one object otherwise). seL4 has no
 * Recycle, so a freed object is made fresh by hand before it is pooled:
 *
 *   every type   Revoke on its slot: copies and mints the caller made go,
 *                and with them every mapping of a frame copy;
 *   TCB          Suspend: it is off every queue; the next owner
 *                Configures it (space, IPC buffer, priority) anyway. The
 *                copies of CSpace, VSpace and buffer caps it still holds
 *                are children of caps memmgr revokes when it frees those
 *                objects, so a pooled TCB never keeps one alive;
 *   endpoint,    nothing more: with the copies gone no one else can block
 *   notification on it; the owner must not have left a thread waiting on
 *                the original capability itself;
 *   CNode        emptied: Delete on each of its slots;
 *   frames       Unmap (the original may be mapped); a frame stays with
 *                its owner, so it is not cleared: memory that changes
 *                owner goes through an untyped the kernel clears on reset;
 *   page table   Unmap;
 *   page dir.    not reused: once given an ASID it cannot be given
 *                another, so it is deleted, its bytes dead until the
 *                slab resets.
 *
 * Frames of device untypeds have pools of their own (MM_POOL_DEVICE_4K,
 * _4M), refilled from device slabs only, so device memory never serves
 * an ordinary request and RAM never a device one. Nobody clears them:
 * the kernel does not touch device memory on reset, and a device frame's
 * contents (a device's registers, RAM above the kernel window) are its
 * owner's business. A device frame asked for at its address (device.c)
 * is not pooled but deleted when freed: its slab of one frame is free
 * again, and the address can be asked for again.
 *
 * Deleting pooled objects (pool_drain, under memory pressure) empties
 * slabs; an empty slab has no kernel children, so it counts as free again
 * and merges with its buddy (untyped.c).
 */
#include "internal.h"

uint32_t pool_index(uint32_t type, uint32_t size_bits)
{
    return type == OBJ_CNODE ? OBJ_NUM_TYPES + size_bits : type;
}

/* Slab size: a page for small objects; several pages for frames and page
 * tables, which come and go in numbers; one object for the rest (page
 * directories are never reused, so a slab of them would only hold dead
 * bytes). */
uint32_t pool_slab_bits(uint32_t type, uint32_t obj_bits)
{
    if (obj_bits < MM_SLAB_MIN_BITS)
        return MM_SLAB_MIN_BITS;
    if (type == OBJ_X86_4K)
        return obj_bits + MM_SLAB_PAGES_LOG2;
    if (type == OBJ_X86_PAGE_TABLE)
        return obj_bits + MM_SLAB_PT_LOG2;
    return obj_bits;
}

static int pool_is_device(uint32_t p)
{
    return p == MM_POOL_DEVICE_4K || p == MM_POOL_DEVICE_4M;
}

/* A slab with room for more objects of this pool: the open one, or a
 * new one, as big as memory allows down to one page or one object. */
static struct mm_ut *open_slab(struct mm *mm, uint32_t p, uint32_t type, uint32_t size_bits)
{
    struct mm_ut *u = mm_ut_at(mm, mm->pools[p].open);
    uint32_t ob = mm_obj_bits(type, size_bits);
    uint32_t low = ob > MM_SLAB_MIN_BITS ? ob : MM_SLAB_MIN_BITS;

    if (u != NULL && u->kind == MM_UT_SLAB && u->wm < mm_ut_size(u))
        return u;
    u = NULL;
    for (uint32_t bits = pool_slab_bits(type, ob); u == NULL && bits >= low; bits--)
        u = ut_take(mm, bits, pool_is_device(p), 0);
    if (u == NULL)
        return NULL;
    u->kind = MM_UT_SLAB;
    u->obj_type = (uint8_t)type;
    u->obj_bits = (uint8_t)ob;
    u->obj_arg = (uint8_t)size_bits;
    u->wm = 0;
    mm->pools[p].open = mm_ut_idx(mm, u);
    return u;
}

static void push(struct mm *mm, uint32_t p, mm_cptr_t cap)
{
    struct mm_slot *s = slot_meta(mm, cap);

    s->state = MM_SLOT_POOL;
    s->next = mm->pools[p].head;
    mm->pools[p].head = cap;
    mm->pools[p].count++;
}

/* A slab left without objects goes back to the free untypeds. */
static void slab_unused(struct mm *mm, struct mm_ut *u, uint32_t p)
{
    if (u->kind != MM_UT_SLAB || u->nlive + u->npool != 0)
        return;
    if (mm->pools[p].open == mm_ut_idx(mm, u))
        mm->pools[p].open = 0;
    acct_slab_reset(mm, u);
    ut_put(mm, u);
}

/* One batch retype into the open slab. */
static mm_err_t refill(struct mm *mm, uint32_t p, uint32_t type, uint32_t size_bits)
{
    struct mm_ut *u = open_slab(mm, p, type, size_bits);
    uint32_t n, depth, off;
    mm_cptr_t first, node;
    mm_err_t err = ERR_NOT_ENOUGH_MEMORY;

    if (u == NULL)
        return ERR_NOT_ENOUGH_MEMORY;
    n = (uint32_t)((mm_ut_size(u) - u->wm) >> u->obj_bits);
    for (n = n < MM_BATCH ? n : MM_BATCH; n > 0; n /= 2)
        if ((err = slot_alloc_n(mm, n, &first, 0)) == ERR_NONE)
            break;
    if (err == ERR_NONE) {
        slot_dest(slot_block(mm, first), first, &node, &depth, &off);
        err = mm_sys_retype(u->cap, type, size_bits, mm->root, node, depth, off, n);
        if (err != ERR_NONE)
            mm_slot_free_range(mm, first, n);
    }
    if (err != ERR_NONE) {
        slab_unused(mm, u, p);
        return err;
    }
    acct_slab_retyped(mm, u, n);
    for (uint32_t i = n; i-- > 0;) {
        slot_meta(mm, first + i)->ut = mm_ut_idx(mm, u);
        slot_meta(mm, first + i)->pool = (uint8_t)p;
        push(mm, p, first + i);
    }
    return ERR_NONE;
}

/* The next object of pool p, refilling it first if it is empty; *fresh
 * (if asked) whether it comes straight from its retype. */
static inline mm_err_t alloc_from(struct mm *mm, uint32_t p, uint32_t type,
                                  uint32_t size_bits, mm_cptr_t *cap, int *fresh)
{
    struct mm_slot *s;
    mm_err_t err = ERR_NONE;

    if (mm->pools[p].head == 0)
        err = refill(mm, p, type, size_bits);
    if (err == ERR_NONE) {
        *cap = mm->pools[p].head;
        s = slot_meta(mm, *cap);
        mm->pools[p].head = s->next;
        mm->pools[p].count--;
        s->state = MM_SLOT_LIVE;
        if (fresh != NULL)
            *fresh = !s->worn;
        acct_pool_to_live(mm, mm_ut_at(mm, s->ut));
        acct_after_no_free(mm);
        return ERR_NONE;
    }
    acct_after(mm);         /* a failed refill gave its slots back */
    return err;
}

mm_err_t mm_alloc_fresh(struct mm *mm, uint32_t type, uint32_t size_bits, mm_cptr_t *cap,
                        int *fresh)
{
    if (type == OBJ_UNTYPED) {
        if (fresh != NULL)
            *fresh = 1;         /* a whole untyped: the kernel clears it at its next retype */
        return mm_alloc_untyped(mm, size_bits, 0, cap);
    }
    if (type >= OBJ_NUM_TYPES || (type == OBJ_CNODE && (size_bits == 0 ||
                                                        size_bits > MM_CNODE_MAX_RADIX)))
        return ERR_INVALID_ARGUMENT;
    return alloc_from(mm, pool_index(type, size_bits), type, size_bits, cap, fresh);
}

mm_err_t mm_alloc(struct mm *mm, uint32_t type, uint32_t size_bits, mm_cptr_t *cap)
{
    return mm_alloc_fresh(mm, type, size_bits, cap, NULL);
}

mm_err_t mm_alloc_device_frame(struct mm *mm, int large, mm_cptr_t *cap)
{
    return large ? alloc_from(mm, MM_POOL_DEVICE_4M, OBJ_X86_LARGE_PAGE, 0, cap, NULL) :
                   alloc_from(mm, MM_POOL_DEVICE_4K, OBJ_X86_4K, 0, cap, NULL);
}

static mm_err_t empty_cnode(mm_cptr_t cnode, uint32_t radix)
{
    mm_err_t err = ERR_NONE;

    for (uint32_t i = 0; i < mm_bit(radix) && err == ERR_NONE; i++)
        err = mm_sys_delete(cnode, i, radix);
    return err;
}

/* Makes a freed object fresh; ERR_ILLEGAL_OPERATION if its type cannot be. */
static mm_err_t make_fresh(struct mm *mm, mm_cptr_t cap, const struct mm_ut *u)
{
    mm_err_t err = mm_sys_revoke(mm->root, cap, MM_WORD_BITS);

    if (err != ERR_NONE)
        return err;
    switch (u->obj_type) {
    case OBJ_TCB: return mm_sys_tcb_suspend(cap);
    case OBJ_CNODE: return empty_cnode(cap, u->obj_arg);
    case OBJ_X86_4K:
    case OBJ_X86_LARGE_PAGE: return mm_sys_page_unmap(cap);
    case OBJ_X86_PAGE_TABLE: return mm_sys_pt_unmap(cap);
    case OBJ_X86_PAGE_DIRECTORY: return ERR_ILLEGAL_OPERATION;
    default: return ERR_NONE;
    }
}

/* Deletes an object of a slab: its bytes are dead until the slab resets. */
static mm_err_t destroy(struct mm *mm, mm_cptr_t cap, int live)
{
    struct mm_slot *s = slot_meta(mm, cap);
    struct mm_ut *u = mm_ut_at(mm, s->ut);
    uint32_t p = s->pool;
    mm_err_t err = mm_sys_delete(mm->root, cap, MM_WORD_BITS);

    if (err != ERR_NONE)
        return err;
    if (live)
        acct_live_to_dead(mm, u);
    else
        acct_pool_to_dead(mm, u);
    mm_slot_free(mm, cap);
    slab_unused(mm, u, p);
    return ERR_NONE;
}

mm_err_t mm_free(struct mm *mm, mm_cptr_t cap)
{
    struct mm_slot *s = slot_meta(mm, cap);
    struct mm_ut *u = ut_given(mm, cap);
    mm_err_t err;

    if (u != NULL)
        err = ut_free_given(mm, u);
    else if (s == NULL || s->state != MM_SLOT_LIVE)
        err = ERR_INVALID_ARGUMENT;
    else if (make_fresh(mm, cap, mm_ut_at(mm, s->ut)) != ERR_NONE ||
             s->pool == MM_POOL_DEVICE_AT)
        err = destroy(mm, cap, 1);      /* a frame at an address: deleted, not pooled */
    else {
        acct_live_to_pool(mm, mm_ut_at(mm, s->ut));
        push(mm, s->pool, cap);
        s->worn = 1;
        err = ERR_NONE;
    }
    acct_after(mm);
    return err;
}

/* Deletes the pooled objects of every slab with no live object left
 * (deleting others would only make dead bytes), or of that one slab;
 * returns how many went. */
static int drain(struct mm *mm, const struct mm_ut *only)
{
    int n = 0;

    for (uint32_t p = 0; p < MM_NUM_POOLS; p++) {
        mm_cptr_t *link = &mm->pools[p].head;

        while (*link != 0) {
            mm_cptr_t cap = *link;
            struct mm_slot *s = slot_meta(mm, cap);

            if (mm_ut_at(mm, s->ut)->nlive != 0 ||
                (only != NULL && s->ut != mm_ut_idx(mm, only))) {
                link = &s->next;
                continue;
            }
            *link = s->next;
            mm->pools[p].count--;
            if (destroy(mm, cap, 0) == ERR_NONE)
                n++;
        }
    }
    return n;
}

int pool_drain(struct mm *mm)
{
    return drain(mm, NULL);
}

int pool_drain_slab(struct mm *mm, const struct mm_ut *slab)
{
    return drain(mm, slab);
}

void mm_drain(struct mm *mm)
{
    pool_drain(mm);
    acct_after(mm);
}

void mm_shrink(struct mm *mm)
{
    pool_drain(mm);
    ut_merge(mm);
    acct_after(mm);
}

/* Drops from the pools every object whose slab lies under top (they were
 * just revoked) and frees their slots. */
void pool_unlink_in(struct mm *mm, const struct mm_ut *top)
{
    for (uint32_t p = 0; p < MM_NUM_POOLS; p++) {
        mm_cptr_t *link = &mm->pools[p].head;

        while (*link != 0) {
            mm_cptr_t cap = *link;
            struct mm_slot *s = slot_meta(mm, cap);

            if (!ut_in_subtree(mm, mm_ut_at(mm, s->ut), top)) {
                link = &s->next;
                continue;
            }
            *link = s->next;
            mm->pools[p].count--;
            mm_slot_free(mm, cap);
        }
        if (ut_in_subtree(mm, mm_ut_at(mm, mm->pools[p].open), top))
            mm->pools[p].open = 0;
    }
}
