/*
 * The slot allocator: empty capability slots, one at a time or as a
 * contiguous window (a batch Retype fills a window of one CNode).
 *
 * Slots come in blocks, each a window of one CNode, with a free bitmap
 * and 8 bytes of metadata per slot (which slab the object in it came
 * from, and the pool free list). Allocating anything needs slots, and a
 * new CNode for more slots needs a slot in the top-level CNode and
 * memory: so the CSpace grows before it runs dry, while
 * MM_SLOT_LOW_WATER slots are still free, from a free untyped held back
 * for just that (untyped.c). Ordinary requests may not take the last
 * MM_SLOT_LOW_WATER slots; memmgr's own splits may. Running out is
 * ERR_NOT_ENOUGH_MEMORY, never a half-built object.
 *
 * The reverse: once every slot of a grown CNode is free again (and
 * MM_SLOT_RELEASE_KEEP slots stay free elsewhere), the CNode is deleted
 * and its untyped is free memory again. Slots that hold only capabilities
 * of memmgr's own untyped records (halves, slabs, the CNode reserve: no
 * caller knows their CPtrs) do not keep it: those capabilities are moved
 * first, each by a CNode Move into a free slot of another block, which
 * takes its place in the derivation tree along, so the kernel's children
 * of each untyped and memmgr's byte counts stay exactly as they were; only
 * the record's CPtr changes. An untyped given whole to the caller stays
 * put (the caller holds that CPtr), as does every object.
 *
 * A released block keeps its top-level index and its metadata, and the
 * next growth retypes a CNode into that index and reuses both: the
 * metadata area is a bump allocator, so a new block for every growth
 * would leak it.
 */
#include "internal.h"

#define MAP_BITS    32u

struct mm_slot_block *slot_block(const struct mm *mm, mm_cptr_t cap)
{
    for (uint32_t i = 0; i < mm->nblocks; i++) {
        const struct mm_slot_block *b = &mm->blocks[i];

        if (!b->released && cap >= b->base && cap - b->base < b->count)
            return (struct mm_slot_block *)b;
    }
    return NULL;
}

struct mm_slot *slot_meta(const struct mm *mm, mm_cptr_t cap)
{
    struct mm_slot_block *b = slot_block(mm, cap);

    return b == NULL ? NULL : &b->meta[cap - b->base];
}

void slot_dest(const struct mm_slot_block *b, mm_cptr_t cap, mm_cptr_t *node_index,
               uint32_t *node_depth, uint32_t *offset)
{
    *node_index = b->node_index;
    *node_depth = b->node_depth;
    *offset = b->first + (cap - b->base);
}

static int is_free(const struct mm_slot_block *b, uint32_t i)
{
    return (b->bitmap[i / MAP_BITS] >> (i % MAP_BITS)) & 1u;
}

/* First index of n free slots in a row in b, or b->count. */
static uint32_t find_run(const struct mm_slot_block *b, uint32_t n)
{
    uint32_t run = 0;

    for (uint32_t i = 0; i < b->count; i++) {
        if (run == 0 && i % MAP_BITS == 0 && b->bitmap[i / MAP_BITS] == 0) {
            i += MAP_BITS - 1;
            continue;
        }
        run = is_free(b, i) ? run + 1 : 0;
        if (run == n)
            return i + 1 - n;
    }
    return b->count;
}

static void mark(struct mm *mm, struct mm_slot_block *b, uint32_t i, int free)
{
    uint32_t bit = (uint32_t)1 << (i % MAP_BITS);

    if (b->meta[i].state == MM_SLOT_UT)
        b->nut--;
    if (free) {
        b->bitmap[i / MAP_BITS] |= bit;
        b->nfree++;
        mm->slots_free++;
    } else {
        b->bitmap[i / MAP_BITS] &= ~bit;
        b->nfree--;
        mm->slots_free--;
    }
    b->meta[i] = (struct mm_slot){ .state = free ? MM_SLOT_FREE : MM_SLOT_USED };
}

static mm_err_t add_block(struct mm *mm, mm_cptr_t base, uint32_t first, uint32_t count,
                          mm_cptr_t node_index, uint32_t node_depth)
{
    struct mm_slot_block *b;
    uint32_t words = (count + MAP_BITS - 1) / MAP_BITS;

    if (mm->nblocks == MM_MAX_SLOT_BLOCKS || count == 0 || base + count < base)
        return ERR_NOT_ENOUGH_MEMORY;
    b = &mm->blocks[mm->nblocks];
    b->bitmap = mm_meta_alloc(mm, words * sizeof(uint32_t));
    b->meta = mm_meta_alloc(mm, count * sizeof(struct mm_slot));
    if (b->bitmap == NULL || b->meta == NULL)
        return ERR_NOT_ENOUGH_MEMORY;
    b->base = base;
    b->first = first;
    b->count = count;
    b->node_index = node_index;
    b->node_depth = node_depth;
    b->ut = 0;
    b->nut = 0;
    b->released = 0;
    mm->nblocks++;
    for (uint32_t i = 0; i < count; i++)
        mark(mm, b, i, 1);
    return ERR_NONE;
}

mm_err_t mm_add_slots(struct mm *mm, mm_cptr_t base, uint32_t first, uint32_t count,
                      mm_cptr_t node_index, uint32_t node_depth)
{
    mm_err_t err;

    for (uint32_t i = 0; i < mm->nblocks; i++) {
        const struct mm_slot_block *b = &mm->blocks[i];

        if (base < b->base + b->count && b->base < base + count)
            return ERR_DELETE_FIRST;
    }
    err = add_block(mm, base, first, count, node_index, node_depth);
    acct_after(mm);
    return err;
}

static struct mm_slot_block *released_block(const struct mm *mm)
{
    for (uint32_t i = 0; i < mm->nblocks; i++)
        if (mm->blocks[i].released)
            return (struct mm_slot_block *)&mm->blocks[i];
    return NULL;
}

/* A next CNode has a top-level index and a block for its slots. */
int slot_can_grow(const struct mm *mm)
{
    if (mm->grow.l1_end == 0)
        return 0;               /* a fixed CSpace: no block was ever grown */
    return (mm->grow.l1_next < mm->grow.l1_end && mm->nblocks < MM_MAX_SLOT_BLOCKS) ||
           released_block(mm) != NULL;
}

/* How many more CNodes the CSpace may grow by: released blocks, and new
 * top-level indices while blocks remain. */
uint32_t slot_growths_left(const struct mm *mm)
{
    const struct mm_cspace_grow *g = &mm->grow;
    uint32_t n = 0, fresh;

    if (g->l1_end == 0)
        return 0;
    for (uint32_t i = 0; i < mm->nblocks; i++)
        n += mm->blocks[i].released;
    fresh = g->l1_next < g->l1_end ? g->l1_end - g->l1_next : 0;
    if (fresh > MM_MAX_SLOT_BLOCKS - mm->nblocks)
        fresh = MM_MAX_SLOT_BLOCKS - mm->nblocks;
    return n + fresh;
}

/* The block for the next CNode: a released one (same size, as l2_bits is
 * fixed), or a new one at the next top-level index; NULL if neither. */
static struct mm_slot_block *grow_block(struct mm *mm)
{
    struct mm_cspace_grow *g = &mm->grow;
    struct mm_slot_block *b = released_block(mm);

    if (b != NULL) {
        b->released = 0;
        for (uint32_t i = 0; i < b->count; i++)
            mark(mm, b, i, 1);
        return b;
    }
    if (g->l1_next >= g->l1_end ||
        add_block(mm, g->l1_next << g->l2_bits, 0, mm_bit(g->l2_bits), g->l1_next,
                  MM_WORD_BITS - g->l2_bits) != ERR_NONE)
        return NULL;
    g->l1_next++;
    return &mm->blocks[mm->nblocks - 1];
}

/* Takes block b out of use: no slot of it is free or found any more. */
static void retire_block(struct mm *mm, struct mm_slot_block *b)
{
    for (uint32_t i = 0; i < b->count; i++)
        if (is_free(b, i))
            mark(mm, b, i, 0);
    b->released = 1;
}

/* One more CNode from the reserve untyped, into a top-level slot; with
 * the reserve used up (memory was short when it was last taken), from
 * wherever memory can be found or reclaimed now. */
static mm_err_t grow(struct mm *mm)
{
    struct mm_cspace_grow *g = &mm->grow;
    struct mm_ut *u = mm_ut_at(mm, mm->reserve);
    uint32_t nblocks = mm->nblocks, l1_next = g->l1_next;
    uint8_t *mark_meta = mm->meta_next;
    struct mm_slot_block *b;
    mm_err_t err;

    if (!slot_can_grow(mm))
        return ERR_NOT_ENOUGH_MEMORY;
    if (u == NULL)
        u = ut_take(mm, g->l2_bits + SLOT_BITS, 0, 0);
    if (u == NULL || (b = grow_block(mm)) == NULL)
        return ERR_NOT_ENOUGH_MEMORY;
    err = mm_sys_retype(u->cap, OBJ_CNODE, g->l2_bits, mm->root, 0, 0, b->node_index, 1);
    if (err != ERR_NONE) {
        retire_block(mm, b);
        if (mm->nblocks > nblocks) {    /* drop a new block and its metadata again */
            mm->nblocks = nblocks;
            mm->meta_next = mark_meta;
            g->l1_next = l1_next;
        }
        return err;
    }
    mm->st.retypes++;
    ut_unreserve(mm, u);
    b->ut = mm_ut_idx(mm, u);
    acct_whole(mm, u, MM_UT_CSPACE);
    ut_keep_reserve(mm, 1);
    return ERR_NONE;
}

/* Slot cap now holds the capability of untyped record idx, which only
 * memmgr names (ut_split() puts halves there). */
void slot_hold_ut(struct mm *mm, mm_cptr_t cap, uint16_t idx)
{
    struct mm_slot_block *b = slot_block(mm, cap);
    struct mm_slot *s = &b->meta[cap - b->base];

    if (s->state != MM_SLOT_UT)
        b->nut++;
    s->state = MM_SLOT_UT;
    s->ut = idx;
}

/* Untyped u is given to the caller whole (lent), or back: while lent its
 * CPtr is the caller's, so it is never moved. An untyped the caller added
 * sits in the caller's own slot: nothing to do. */
void slot_lend_ut(struct mm *mm, const struct mm_ut *u, int lent)
{
    struct mm_slot_block *b = u->parent != 0 ? slot_block(mm, u->cap) : NULL;
    struct mm_slot *s = b == NULL ? NULL : &b->meta[u->cap - b->base];

    if (s == NULL || (s->state == MM_SLOT_UT) == !lent)
        return;
    s->state = lent ? MM_SLOT_USED : MM_SLOT_UT;
    if (lent)
        b->nut--;
    else
        b->nut++;
}

/* A free slot in a block other than b, taken; 0 if there is none. */
static mm_cptr_t take_outside(struct mm *mm, const struct mm_slot_block *b)
{
    for (uint32_t k = 0; k < mm->nblocks; k++) {
        struct mm_slot_block *c = &mm->blocks[k];
        uint32_t i = c != b && !c->released && c->nfree > 0 ? find_run(c, 1) : c->count;

        if (i < c->count) {
            mark(mm, c, i, 0);
            return c->base + i;
        }
    }
    return 0;
}

/* Moves every untyped capability only memmgr names out of block b into
 * other blocks; on a failure the rest stays (b is then kept). */
static mm_err_t move_uts_out(struct mm *mm, struct mm_slot_block *b)
{
    for (uint32_t i = 0; i < b->count && b->nut > 0; i++) {
        struct mm_slot *s = &b->meta[i];
        uint16_t idx = s->ut;
        mm_cptr_t dst;
        mm_err_t err;

        if (s->state != MM_SLOT_UT)
            continue;
        dst = take_outside(mm, b);
        if (dst == 0)
            return ERR_NOT_ENOUGH_MEMORY;
        err = mm_sys_move(mm->root, dst, b->base + i);
        if (err != ERR_NONE) {
            mm_slot_free(mm, dst);
            return err;
        }
        mm_ut_at(mm, idx)->cap = dst;
        slot_hold_ut(mm, dst, idx);
        mark(mm, b, i, 1);
    }
    return ERR_NONE;
}

/* Gives back grown CNodes with every slot free, or holding nothing but
 * untyped capabilities memmgr can move elsewhere: those moved, Delete of
 * the CNode in its top-level slot (it is empty, so that deletes nothing
 * else), and its untyped is a free leaf again. The margin is the same
 * either way: the moved capabilities take as many slots elsewhere as they
 * leave free here. Called only when the CSpace may grow. */
void slot_trim(struct mm *mm)
{
    for (uint32_t k = 0; k < mm->nblocks; k++) {
        struct mm_slot_block *b = &mm->blocks[k];
        struct mm_ut *u = mm_ut_at(mm, b->ut);

        if (u == NULL || b->released || b->nfree + b->nut != b->count ||
            mm->slots_free < b->count + MM_SLOT_RELEASE_KEEP)
            continue;
        if (move_uts_out(mm, b) != ERR_NONE ||
            mm_sys_delete(mm->root, b->node_index, b->node_depth) != ERR_NONE)
            continue;
        retire_block(mm, b);
        b->ut = 0;
        acct_unwhole(mm, u);
        ut_keep_reserve(mm, 0);     /* the CSpace may grow again */
    }
}

mm_err_t slot_alloc_n(struct mm *mm, uint32_t n, mm_cptr_t *first, int internal)
{
    uint32_t keep = internal ? 0 : MM_SLOT_LOW_WATER;

    if (n == 0)
        return ERR_INVALID_ARGUMENT;
    if (!internal && mm->slots_free < n + keep)
        grow(mm);
    if (mm->slots_free < n + keep)
        return ERR_NOT_ENOUGH_MEMORY;
    for (uint32_t k = 0; k < mm->nblocks; k++) {
        struct mm_slot_block *b = &mm->blocks[k];
        uint32_t i = b->nfree >= n ? find_run(b, n) : b->count;

        if (i == b->count)
            continue;
        for (uint32_t j = 0; j < n; j++)
            mark(mm, b, i + j, 0);
        *first = b->base + i;
        return ERR_NONE;
    }
    /* Enough slots, but not n in a row: a new CNode has them. */
    if (!internal && grow(mm) == ERR_NONE)
        return slot_alloc_n(mm, n, first, internal);
    return ERR_NOT_ENOUGH_MEMORY;
}

mm_err_t mm_slot_alloc(struct mm *mm, mm_cptr_t *slot)
{
    mm_err_t err = slot_alloc_n(mm, 1, slot, 0);

    acct_after(mm);
    return err;
}

mm_err_t mm_slot_alloc_range(struct mm *mm, uint32_t n, mm_cptr_t *first)
{
    mm_err_t err = slot_alloc_n(mm, n, first, 0);

    acct_after(mm);
    return err;
}

void mm_slot_free_range(struct mm *mm, mm_cptr_t first, uint32_t n)
{
    for (uint32_t j = 0; j < n; j++) {
        struct mm_slot_block *b = slot_block(mm, first + j);

        if (b != NULL && !is_free(b, first + j - b->base))
            mark(mm, b, first + j - b->base, 1);
    }
}

void mm_slot_free(struct mm *mm, mm_cptr_t slot)
{
    mm_slot_free_range(mm, slot, 1);
}

uint32_t mm_slots_free(const struct mm *mm)
{
    return mm->slots_free;
}
