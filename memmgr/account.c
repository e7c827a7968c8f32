/*
 * Accounting: where every byte of the untypeds an owner holds is.
 *
 * A leaf untyped record is in exactly one state: free (no kernel
 * children), a slab (objects below the watermark, each live, pooled or
 * dead; free above it), given whole to the caller, or a CNode memmgr made
 * for its own slots. A split record holds nothing itself: its two halves
 * do. So held = free + live + pooled + dead + cspace, exactly, and the
 * running totals the helpers below keep must equal what mm_check()
 * recomputes from the records. Debug builds check that after every
 * public operation (acct_after), so a bookkeeping slip shows up at the
 * operation that made it.
 */
#include "internal.h"
#include <stdio.h>
#include <stdlib.h>

static uint64_t obj_size(const struct mm_ut *u)
{
    return (uint64_t)1 << u->obj_bits;
}

/* A slab is busy while an object in it is live (struct mm_stats.busy):
 * its bytes then serve its type only. The totals change only when its
 * first object goes live or its last one stops, and by a dead object of a
 * busy slab: the page a guest makes or frees costs one test. */
/* A slab is at most 4 MiB (one large frame; 16 frames, a 2^16-slot
 * CNode): its size and its dead bytes fit in 32 bits. */
static void busy_in(struct mm *mm, const struct mm_ut *u)
{
    mm->st.busy[u->obj_type] += (uint32_t)1 << u->bits;
    if (u->ndead != 0)
        mm->st.busy_dead[u->obj_type] += (uint32_t)u->ndead << u->obj_bits;
}

static void busy_out(struct mm *mm, const struct mm_ut *u, uint32_t ndead)
{
    mm->st.busy[u->obj_type] -= (uint32_t)1 << u->bits;
    if (ndead != 0)
        mm->st.busy_dead[u->obj_type] -= (uint32_t)ndead << u->obj_bits;
}

void acct_slab_retyped(struct mm *mm, struct mm_ut *u, uint32_t n)
{
    uint64_t bytes = (uint64_t)n << u->obj_bits;

    u->wm += (uint32_t)bytes;
    u->npool += n;
    mm->st.free -= bytes;
    mm->st.pooled[u->obj_type] += bytes;
    mm->st.retypes++;
}

void acct_pool_to_live(struct mm *mm, struct mm_ut *u)
{
    u->npool--;
    u->nlive++;
    mm->st.pooled[u->obj_type] -= obj_size(u);
    mm->st.live[u->obj_type] += obj_size(u);
    mm->st.objects_live++;
    if (u->nlive == 1)
        busy_in(mm, u);
}

void acct_live_to_pool(struct mm *mm, struct mm_ut *u)
{
    u->nlive--;
    u->npool++;
    mm->st.live[u->obj_type] -= obj_size(u);
    mm->st.pooled[u->obj_type] += obj_size(u);
    mm->st.objects_live--;
    if (u->nlive == 0)
        busy_out(mm, u, u->ndead);
}

void acct_pool_to_dead(struct mm *mm, struct mm_ut *u)
{
    u->npool--;
    u->ndead++;
    mm->st.pooled[u->obj_type] -= obj_size(u);
    mm->st.dead += obj_size(u);
    if (u->nlive != 0)
        mm->st.busy_dead[u->obj_type] += obj_size(u);
}

void acct_live_to_dead(struct mm *mm, struct mm_ut *u)
{
    u->nlive--;
    u->ndead++;
    mm->st.live[u->obj_type] -= obj_size(u);
    mm->st.dead += obj_size(u);
    mm->st.objects_live--;
    if (u->nlive == 0)
        busy_out(mm, u, u->ndead - 1);
    else
        mm->st.busy_dead[u->obj_type] += obj_size(u);
}

/* A slab with only dead objects left has no kernel children: the kernel
 * resets it on the next retype, so its bytes are free again. */
void acct_slab_reset(struct mm *mm, struct mm_ut *u)
{
    uint64_t dead = (uint64_t)u->ndead << u->obj_bits;

    mm->st.dead -= dead;
    mm->st.free += dead;
    u->ndead = 0;
    u->wm = 0;
    u->kind = MM_UT_FREE;
}

/* A free leaf becomes one whole object: given to the caller or a CNode. */
void acct_whole(struct mm *mm, struct mm_ut *u, int kind)
{
    mm->st.free -= mm_ut_size(u);
    if (kind == MM_UT_GIVEN) {
        mm->st.live[OBJ_UNTYPED] += mm_ut_size(u);
        mm->st.objects_live++;
    } else {
        mm->st.cspace += mm_ut_size(u);
    }
    u->kind = (uint8_t)kind;
}

void acct_unwhole(struct mm *mm, struct mm_ut *u)
{
    if (u->kind == MM_UT_GIVEN) {
        mm->st.live[OBJ_UNTYPED] -= mm_ut_size(u);
        mm->st.objects_live--;
    } else {
        mm->st.cspace -= mm_ut_size(u);
    }
    mm->st.free += mm_ut_size(u);
    u->kind = MM_UT_FREE;
    u->wm = 0;
}

/* Adds one leaf record's bytes into s; returns 0 if the record is
 * inconsistent in itself. */
static int tally_leaf(const struct mm_ut *u, struct mm_stats *s)
{
    uint64_t size = mm_ut_size(u);

    switch (u->kind) {
    case MM_UT_FREE:
        s->free += size;
        return u->nlive == 0 && u->npool == 0 && u->ndead == 0;
    case MM_UT_SLAB:
        if (u->wm != (uint64_t)(u->nlive + u->npool + u->ndead) << u->obj_bits || u->wm > size)
            return 0;
        s->free += size - u->wm;
        s->live[u->obj_type] += (uint64_t)u->nlive << u->obj_bits;
        s->pooled[u->obj_type] += (uint64_t)u->npool << u->obj_bits;
        s->dead += (uint64_t)u->ndead << u->obj_bits;
        s->objects_live += u->nlive;
        if (u->nlive != 0) {
            s->busy[u->obj_type] += size;
            s->busy_dead[u->obj_type] += (uint64_t)u->ndead << u->obj_bits;
        }
        return u->nlive + u->npool > 0;
    case MM_UT_GIVEN:
        s->live[OBJ_UNTYPED] += size;
        s->objects_live++;
        return 1;
    default:
        s->cspace += size;
        return 1;
    }
}

/* Recomputes the byte totals from the records into s. */
static int tally(const struct mm *mm, struct mm_stats *s)
{
    int ok = 1;

    for (uint32_t i = 0; i < mm->nuts; i++) {
        const struct mm_ut *u = &mm->uts[i];

        if (!u->in_use)
            continue;
        if (u->parent == 0)
            s->held += mm_ut_size(u);
        if (u->kind != MM_UT_SPLIT && !tally_leaf(u, s))
            ok = 0;
    }
    return ok;
}

static int pools_agree(const struct mm *mm)
{
    uint64_t listed = 0, counted = 0;

    for (uint32_t p = 0; p < MM_NUM_POOLS; p++) {
        uint32_t n = 0;

        for (mm_cptr_t c = mm->pools[p].head; c != 0; c = slot_meta(mm, c)->next)
            if (++n > mm->pools[p].count)
                return 0;
        if (n != mm->pools[p].count)
            return 0;
        listed += n;
    }
    for (uint32_t i = 0; i < mm->nuts; i++)
        if (mm->uts[i].in_use && mm->uts[i].kind == MM_UT_SLAB)
            counted += mm->uts[i].npool;
    return listed == counted;
}

/* Every untyped record whose capability sits in memmgr's slots is marked
 * there (MM_SLOT_UT, naming the record; a given one is the caller's,
 * MM_SLOT_USED), and each block counts exactly those marks: slot.c moves
 * capabilities by these marks. */
static int slots_agree(const struct mm *mm)
{
    uint32_t nut[MM_MAX_SLOT_BLOCKS] = { 0 };

    for (uint32_t i = 0; i < mm->nuts; i++) {
        const struct mm_ut *u = &mm->uts[i];
        /* Untypeds the caller added sit in its own slots. */
        const struct mm_slot_block *b = u->in_use && u->parent != 0 ?
                                        slot_block(mm, u->cap) : NULL;
        const struct mm_slot *s = b == NULL ? NULL : &b->meta[u->cap - b->base];

        if (s == NULL)
            continue;
        if (u->kind == MM_UT_GIVEN ? s->state != MM_SLOT_USED :
                                      s->state != MM_SLOT_UT || s->ut != i + 1)
            return 0;
        nut[b - mm->blocks] += u->kind != MM_UT_GIVEN;
    }
    for (uint32_t k = 0; k < mm->nblocks; k++)
        if (nut[k] != (mm->blocks[k].released ? 0 : mm->blocks[k].nut))
            return 0;
    return 1;
}

mm_err_t mm_check(const struct mm *mm)
{
    struct mm_stats s = { 0 };
    const struct mm_stats *t = &mm->st;
    uint64_t sum = t->free + t->dead + t->cspace;

    if (!tally(mm, &s) || s.held != t->held || s.free != t->free || s.dead != t->dead ||
        s.cspace != t->cspace || s.objects_live != t->objects_live)
        return ERR_ILLEGAL_OPERATION;
    for (uint32_t k = 0; k < OBJ_NUM_TYPES; k++) {
        if (s.live[k] != t->live[k] || s.pooled[k] != t->pooled[k] || s.busy[k] != t->busy[k] ||
            s.busy_dead[k] != t->busy_dead[k])
            return ERR_ILLEGAL_OPERATION;
        sum += t->live[k] + t->pooled[k];
    }
    if (sum != t->held || !pools_agree(mm) || !slots_agree(mm))
        return ERR_ILLEGAL_OPERATION;
    return ERR_NONE;
}

/* Every public operation ends here: grown CNodes left empty go back
 * (slot.c), then the conservation check in debug builds (mm->check),
 * which stops the program at the first slip. */
void acct_after(struct mm *mm)
{
    if (mm->grow.l1_end != 0)
        slot_trim(mm);
    acct_after_no_free(mm);
}

/* The end of an operation that freed no slot (an allocation from a pool,
 * a mapping made): no CNode can have been left empty, so the walk of the
 * slot blocks is skipped on these hot paths. */
void acct_after_no_free(struct mm *mm)
{
    mm->st.meta_used = (uint64_t)(mm->meta_next - mm->meta);
    if (mm->check && mm_check(mm) != ERR_NONE) {
        printf("memmgr: accounting check failed\n");
        mm_report(mm);
        abort();
    }
}

const struct mm_stats *mm_stats(const struct mm *mm)
{
    return &mm->st;
}

/* Past the slots there are (spare, in units of per objects taking kp
 * slots), each object pays for its share of a grown CNode (2^SLOT_BITS
 * bytes a slot), as far as the CSpace can grow: of the objects the bytes
 * would make beyond those (left), the share that goes into CNodes is
 * left * kp * 2^SLOT_BITS / (per * 2^bits + kp * 2^SLOT_BITS). In 32 bits
 * where it fits: a guest asks this at every page while it holds more
 * memory than its slots cover. */
static uint64_t room_growing(const struct mm *mm, uint64_t by_bytes, uint32_t bits,
                             uint32_t spare, uint32_t per, uint32_t kp, uint32_t grows)
{
    uint32_t n = spare * per / kp, slot_bytes = kp << SLOT_BITS;
    uint32_t cap = grows * mm_bit(mm->grow.l2_bits) * per / kp;
    uint64_t left = by_bytes - n, more, whole = ((uint64_t)per << bits) + slot_bytes;

    /* The CNodes' share rounded up: never a promise too many. */
    if (whole <= UINT32_MAX / 2 && left < (UINT32_MAX / 2) / slot_bytes)
        more = left - ((uint32_t)left * slot_bytes + (uint32_t)whole - 1) / (uint32_t)whole;
    else
        more = left - (left * slot_bytes + whole - 1) / whole;
    return n + (more < cap ? more : cap);
}

/* Bytes of slabs with a live object that are not live: free, pooled and
 * dead bytes any object cannot use until those objects go. Every live
 * object but a whole untyped given out is in a slab. */
static uint64_t stuck(const struct mm_stats *st)
{
    uint64_t b = 0;

    for (uint32_t k = 0; k < OBJ_NUM_TYPES; k++)
        if (k != OBJ_UNTYPED)
            b += st->busy[k] - st->live[k];
    return b;
}

/* Free, pooled and dead bytes: all that is neither live nor a CNode of
 * memmgr's own. */
static uint64_t loose(const struct mm_stats *st)
{
    uint64_t b = st->free + st->dead;

    for (uint32_t k = 0; k < OBJ_NUM_TYPES; k++)
        b += st->pooled[k];
    return b;
}

/* Read from the running totals, never from the records, in a loop over
 * the types and one 32-bit division when memory, not slots, is short.
 * The reserve is held only while the CSpace may grow (ut_keep_reserve),
 * so its CNode's slots count. */
uint32_t mm_room(const struct mm *mm, uint32_t type, uint32_t size_bits, uint32_t slots_each,
                 struct mm_room *room)
{
    const struct mm_stats *st = &mm->st;
    const struct mm_ut *res = mm_ut_at(mm, mm->reserve);
    struct mm_room r = { .any = loose(st) - stuck(st) };
    uint32_t bits = mm_obj_bits(type, size_bits), cn = mm_bit(mm->grow.l2_bits);
    uint32_t per, kp, spare, grows;
    uint64_t n;

    if (res != NULL)
        r.any -= mm_ut_size(res);
    if (type < OBJ_NUM_TYPES && type != OBJ_UNTYPED)
        r.slack = st->busy[type] - st->live[type] - st->busy_dead[type];
    if (mm->slots_free > MM_SLOT_LOW_WATER)
        r.slots = mm->slots_free - MM_SLOT_LOW_WATER;
    if (res != NULL)
        r.slots += cn;          /* the reserve's CNode is paid for */
    spare = r.slots > MM_SPLIT_CHAIN_SLOTS ? r.slots - MM_SPLIT_CHAIN_SLOTS : 0;
    if (room != NULL) {
        grows = slot_growths_left(mm);
        r.slots += (grows - (res != NULL && grows > 0)) * cn;
        *room = r;
    }
    n = bits == 0 ? 0 : (r.any + r.slack) >> bits;
    if (slots_each != 0 && n != 0) {
        /* In units of per objects (a slab's worth) they take kp slots:
         * their own, and two for the split a new slab takes; the chain of
         * splits down from the largest untyped is kept out. */
        per = mm_bit(pool_slab_bits(type, bits) - bits);
        kp = slots_each * per + 2;
        if (n > spare * per / kp) {
            grows = slot_growths_left(mm);
            grows -= res != NULL && grows > 0;
            n = room_growing(mm, n, bits, spare, per, kp, grows);
        }
    }
    return n > UINT32_MAX ? UINT32_MAX : (uint32_t)n;
}

uint32_t mm_meta_per_mib(const struct mm *mm)
{
    uint64_t mib = mm->st.held >> 20;

    return mib == 0 ? 0 : (uint32_t)(mm->st.meta_used / mib);
}

static const char *const type_names[OBJ_NUM_TYPES] = {
    "untyped", "tcb", "endpoint", "notification", "cnode", "frame4k", "frame4m",
    "pagetable", "pagedir",
};

static const char *const kind_names[] = { "free", "split", "slab", "given", "cspace" };

static void report_ut(const struct mm *mm, const struct mm_ut *u)
{
    uint32_t cost = 0;

    printf("  ut %08x+2^%u cap %u %s%s", (unsigned)u->paddr, u->bits, (unsigned)u->cap,
           kind_names[u->kind], u->device ? " dev" : "");
    if (u->kind == MM_UT_SLAB)
        printf(" %s live %u pool %u dead %u wm %u", type_names[u->obj_type], (unsigned)u->nlive,
               (unsigned)u->npool, (unsigned)u->ndead, (unsigned)u->wm);
    if (u->parent == 0)
        printf(" reclaimable %u cost %u", (unsigned)mm_reclaimable(mm, u->cap, &cost),
               (unsigned)cost);
    printf("\n");
}

void mm_report(const struct mm *mm)
{
    const struct mm_stats *s = &mm->st;

    printf("memmgr: held %llu (device %llu) free %llu dead %llu cspace %llu meta %llu/%llu\n",
           (unsigned long long)s->held, (unsigned long long)s->device_held,
           (unsigned long long)s->free, (unsigned long long)s->dead,
           (unsigned long long)s->cspace, (unsigned long long)s->meta_used,
           (unsigned long long)s->meta_size);
    for (uint32_t k = 0; k < OBJ_NUM_TYPES; k++)
        if (s->live[k] != 0 || s->pooled[k] != 0)
            printf("  %-12s live %llu pooled %llu\n", type_names[k],
                   (unsigned long long)s->live[k], (unsigned long long)s->pooled[k]);
    for (uint32_t i = 0; i < mm->nuts; i++)
        if (mm->uts[i].in_use)
            report_ut(mm, &mm->uts[i]);
}
