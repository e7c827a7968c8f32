/* unit-test-sources: memmgr/mm.c memmgr/account.c memmgr/untyped.c memmgr/slot.c memmgr/pool.c memmgr/release.c memmgr/vspace.c memmgr/region.c memmgr/device.c */
/*
 * memmgr's logic against a fake kernel (fake_kernel.h): splitting and
 * merging, slot ranges and the low-water mark, CSpace growth and the
 * return of a grown CNode left empty, the
 * accounting arithmetic and its conservation, release of a whole
 * untyped, out-of-memory and back, page tables on demand, freed when
 * empty and reclaimed under pressure, two owners side by side.
 */
#include "fake_kernel.h"
#include <memmgr/vspace.h>
#include <stdlib.h>

#define ROOT        2u
#define UT_CAP      10u
#define UT2_CAP     11u
#define UT_PADDR    0x01000000u
#define SLOT_BASE   16u
#define SLOT_COUNT  1000u
#define META_SIZE   (256u * 1024u)
#define MAX_UTS     512u

static uint8_t meta[META_SIZE], meta2[META_SIZE];
static struct mm mm, mm2;

/* An owner with one untyped of 2^bits bytes and SLOT_COUNT slots. */
static void setup_mm(uint32_t bits)
{
    fk_reset();
    fk_untyped(UT_CAP, UT_PADDR, bits, 0);
    assert_int_equal(mm_init(&mm, meta, sizeof(meta), ROOT, MAX_UTS), ERR_NONE);
    assert_int_equal(mm_add_slots(&mm, SLOT_BASE, SLOT_BASE, SLOT_COUNT, 0, 0), ERR_NONE);
    assert_int_equal(mm_add_untyped(&mm, UT_CAP, UT_PADDR, bits, 0), ERR_NONE);
}

static void split_then_merge_back(void **state)
{
    mm_cptr_t ep;
    uint32_t caps0;

    (void)state;
    setup_mm(20);
    caps0 = fk_live_caps();
    assert_int_equal(mm_alloc(&mm, OBJ_ENDPOINT, 0, &ep), ERR_NONE);
    /* 2^20 split eight times down to a 4 KiB slab: 16 halves, plus the batch. */
    assert_int_equal(fk_live_caps(), caps0 + 16 + MM_BATCH);
    assert_int_equal(fk[ep].type, OBJ_ENDPOINT);
    assert_int_equal(mm_stats(&mm)->live[OBJ_ENDPOINT], 16);
    assert_int_equal(mm_stats(&mm)->pooled[OBJ_ENDPOINT], 16 * (MM_BATCH - 1));
    assert_int_equal(mm_free(&mm, ep), ERR_NONE);
    assert_int_equal(mm_stats(&mm)->live[OBJ_ENDPOINT], 0);
    mm_shrink(&mm);
    /* Halves merged all the way up: the untyped has no children again. */
    assert_int_equal(fk[UT_CAP].kids, 0);
    assert_int_equal(fk_live_caps(), caps0);
    assert_int_equal(mm_stats(&mm)->free, 1u << 20);
    assert_int_equal(mm_slots_free(&mm), SLOT_COUNT);
}

static void halves_stay_apart_while_one_is_used(void **state)
{
    mm_cptr_t a, b;

    (void)state;
    setup_mm(13);           /* two pages: each page directory's slab is one half */
    assert_int_equal(mm_alloc(&mm, OBJ_X86_PAGE_DIRECTORY, 0, &a), ERR_NONE);
    assert_int_equal(mm_alloc(&mm, OBJ_X86_PAGE_DIRECTORY, 0, &b), ERR_NONE);
    assert_int_equal(fk[UT_CAP].kids, 2);
    assert_int_equal(mm_free(&mm, a), ERR_NONE);
    mm_shrink(&mm);         /* a's half is free, b's is not: no merge */
    assert_int_equal(fk[UT_CAP].kids, 2);
    assert_int_equal(mm_stats(&mm)->free, 4096);
    assert_int_equal(mm_free(&mm, b), ERR_NONE);
    assert_int_equal(fk[UT_CAP].kids, 2);     /* free halves stay split ... */
    mm_shrink(&mm);
    assert_int_equal(fk[UT_CAP].kids, 0);     /* ... until the owner asks */
    assert_int_equal(mm_check(&mm), ERR_NONE);
}

static void slot_ranges_are_contiguous(void **state)
{
    mm_cptr_t a, b, c, r;

    (void)state;
    setup_mm(16);
    assert_int_equal(mm_slot_alloc_range(&mm, 10, &a), ERR_NONE);
    assert_int_equal(mm_slot_alloc(&mm, &b), ERR_NONE);
    assert_int_equal(b, a + 10);
    mm_slot_free_range(&mm, a + 2, 3);
    /* A hole of three does not hold four: the range goes after b. */
    assert_int_equal(mm_slot_alloc_range(&mm, 4, &r), ERR_NONE);
    assert_int_equal(r, b + 1);
    assert_int_equal(mm_slot_alloc_range(&mm, 3, &c), ERR_NONE);
    assert_int_equal(c, a + 2);
    assert_int_equal(mm_slots_free(&mm), SLOT_COUNT - 15);
}

static void low_water_slots_are_kept(void **state)
{
    mm_cptr_t s;
    uint32_t n = 0;

    (void)state;
    setup_mm(16);
    while (mm_slot_alloc(&mm, &s) == ERR_NONE)
        n++;
    assert_int_equal(n, SLOT_COUNT - MM_SLOT_LOW_WATER);
    assert_int_equal(mm_slots_free(&mm), MM_SLOT_LOW_WATER);
    assert_int_equal(mm_slot_alloc(&mm, &s), ERR_NOT_ENOUGH_MEMORY);
}

/* With 40 slots and room to grow, allocating 600 endpoints grows the
 * CSpace by CNodes of 256 slots and never dead-locks. */
static void cspace_grows_before_running_dry(void **state)
{
    mm_cptr_t ep[600];

    (void)state;
    fk_reset();
    fk_untyped(UT_CAP, UT_PADDR, 20, 0);
    assert_int_equal(mm_init(&mm, meta, sizeof(meta), ROOT, MAX_UTS), ERR_NONE);
    assert_int_equal(mm_add_slots(&mm, SLOT_BASE, SLOT_BASE, 40, 0, 0), ERR_NONE);
    assert_int_equal(mm_add_untyped(&mm, UT_CAP, UT_PADDR, 20, 0), ERR_NONE);
    mm_set_grow(&mm, 10, 1, 4);
    for (int i = 0; i < 600; i++)
        assert_int_equal(mm_alloc(&mm, OBJ_ENDPOINT, 0, &ep[i]), ERR_NONE);
    assert_true(mm.nblocks >= 2);
    assert_int_equal(mm_stats(&mm)->cspace, (uint64_t)(mm.nblocks - 1) << (10 + SLOT_BITS));
    assert_int_equal(fk[1].type, OBJ_CNODE);
    assert_true(mm_slots_free(&mm) >= MM_SLOT_LOW_WATER);
    for (int i = 0; i < 600; i++)
        assert_int_equal(mm_free(&mm, ep[i]), ERR_NONE);
    assert_int_equal(mm_check(&mm), ERR_NONE);
}

/* An owner with base_slots slots of its own that may grow by CNodes of
 * 2^10 slots at top-level indices 1..3; 600 endpoints made and freed. */
static void grow_and_free_600(uint32_t base_slots)
{
    mm_cptr_t ep[600];

    fk_reset();
    fk_top_depth = 32 - 10;
    fk_untyped(UT_CAP, UT_PADDR, 20, 0);
    assert_int_equal(mm_init(&mm, meta, sizeof(meta), ROOT, MAX_UTS), ERR_NONE);
    assert_int_equal(mm_add_slots(&mm, SLOT_BASE, SLOT_BASE, base_slots, 0, 0), ERR_NONE);
    assert_int_equal(mm_add_untyped(&mm, UT_CAP, UT_PADDR, 20, 0), ERR_NONE);
    mm_set_grow(&mm, 10, 1, 4);
    for (int i = 0; i < 600; i++)
        assert_int_equal(mm_alloc(&mm, OBJ_ENDPOINT, 0, &ep[i]), ERR_NONE);
    assert_int_equal(fk[1].type, OBJ_CNODE);
    for (int i = 0; i < 600; i++)
        assert_int_equal(mm_free(&mm, ep[i]), ERR_NONE);
}

/* A grown CNode goes back once every slot in it is free (the pooled
 * endpoints hold slots until they are drained), and the next growth puts
 * a CNode at the same top-level index with the same slot metadata. */
static void cspace_gives_back_an_empty_cnode(void **state)
{
    uint64_t meta_used;
    mm_cptr_t ep;

    (void)state;
    grow_and_free_600(64);
    assert_int_equal(mm_stats(&mm)->cspace, 1u << (10 + SLOT_BITS));
    mm_shrink(&mm);
    assert_int_equal(mm_stats(&mm)->cspace, 0);
    assert_false(fk[1].used);                   /* the kernel's view: deleted */
    assert_true(mm_slots_free(&mm) >= MM_SLOT_RELEASE_KEEP);
    assert_int_equal(mm_check(&mm), ERR_NONE);
    mm_shrink(&mm);
    assert_int_equal(mm_stats(&mm)->free, 1u << 20);    /* its untyped is free memory */
    meta_used = mm_stats(&mm)->meta_used;
    for (int i = 0; i < 600; i++)
        assert_int_equal(mm_alloc(&mm, OBJ_ENDPOINT, 0, &ep), ERR_NONE);
    assert_int_equal(fk[1].type, OBJ_CNODE);
    assert_false(fk[2].used);
    assert_int_equal(mm_stats(&mm)->meta_used, meta_used);
    assert_int_equal(mm_check(&mm), ERR_NONE);
}

/* Without MM_SLOT_RELEASE_KEEP free slots elsewhere the empty CNode stays. */
static void cspace_keeps_a_cnode_it_would_need_again(void **state)
{
    (void)state;
    grow_and_free_600(24);
    mm_shrink(&mm);
    assert_true(mm_slots_free(&mm) - (1u << 10) < MM_SLOT_RELEASE_KEEP);
    assert_int_equal(mm_stats(&mm)->cspace, 1u << (10 + SLOT_BITS));
    assert_int_equal(fk[1].type, OBJ_CNODE);
    assert_int_equal(mm_check(&mm), ERR_NONE);
}

#define FIRST_SLOTS 128u
#define GROWN_BASE  (1u << 10)     /* CPtr of slot 0 of the CNode in top-level slot 1 */

/* Every capability of the fake kernel's grown CNode's window is gone. */
static int grown_window_empty(void)
{
    for (mm_cptr_t c = GROWN_BASE; c < 2 * GROWN_BASE; c++)
        if (fk[c].used)
            return 0;
    return 1;
}

/* Every untyped record memmgr keeps names a capability the fake kernel
 * holds for the same memory. */
static int records_match_kernel(void)
{
    for (uint32_t i = 0; i < mm.nuts; i++) {
        const struct mm_ut *u = &mm.uts[i];
        const struct fk_cap *k = &fk[u->cap];

        if (u->in_use && (!k->used || k->type != OBJ_UNTYPED || k->paddr != u->paddr ||
                          k->bits != u->bits))
            return 0;
    }
    return 1;
}

/* A grown CNode that holds nothing but capabilities of memmgr's own
 * untypeds (a slab and the halves split while the first block was full)
 * is given back too: they move to the first block, their children with
 * them. An untyped given to the caller stays where the caller knows it,
 * and keeps the CNode until it is freed. */
static void cspace_moves_own_untypeds_out_of_a_grown_cnode(void **state)
{
    mm_cptr_t held[FIRST_SLOTS], s, ep, given;
    struct mm_stats before;
    uint32_t n = 0, caps0, slots0;

    (void)state;
    fk_reset();
    fk_top_depth = 32 - 10;
    fk_untyped(UT_CAP, UT_PADDR, 20, 0);
    assert_int_equal(mm_init(&mm, meta, sizeof(meta), ROOT, MAX_UTS), ERR_NONE);
    assert_int_equal(mm_add_slots(&mm, SLOT_BASE, SLOT_BASE, FIRST_SLOTS, 0, 0), ERR_NONE);
    assert_int_equal(mm_add_untyped(&mm, UT_CAP, UT_PADDR, 20, 0), ERR_NONE);
    mm_set_grow(&mm, 10, 1, 4);
    caps0 = fk_live_caps();
    slots0 = mm_slots_free(&mm);
    before = *mm_stats(&mm);
    /* The caller takes every slot of the first block: the CSpace grows. */
    for (;;) {
        assert_int_equal(mm_slot_alloc(&mm, &s), ERR_NONE);
        if (s >= GROWN_BASE)
            break;
        assert_true(n < FIRST_SLOTS);
        held[n++] = s;
    }
    mm_slot_free(&mm, s);
    assert_int_equal(n, slots0);
    assert_int_equal(fk[1].type, OBJ_CNODE);
    /* So the halves, the slab and the given untyped land in the grown CNode. */
    assert_int_equal(mm_alloc(&mm, OBJ_ENDPOINT, 0, &ep), ERR_NONE);
    assert_int_equal(mm_alloc_untyped(&mm, 12, 0, &given), ERR_NONE);
    assert_true(ep >= GROWN_BASE && fk[ep].parent >= GROWN_BASE && given >= GROWN_BASE);
    for (uint32_t i = 0; i < n; i++)
        mm_slot_free(&mm, held[i]);
    assert_int_equal(mm_free(&mm, ep), ERR_NONE);
    mm_drain(&mm);
    /* Only untyped capabilities are left in it, one of them the caller's. */
    assert_int_equal(mm_stats(&mm)->cspace, 1u << (10 + SLOT_BITS));
    assert_int_equal(fk_calls_move, 0);
    assert_int_equal(fk[given].type, OBJ_UNTYPED);
    assert_int_equal(mm_free(&mm, given), ERR_NONE);
    /* Freed, the given one is memmgr's own again: all move, the CNode goes. */
    assert_true(fk_calls_move > 0);
    assert_int_equal(mm_stats(&mm)->cspace, 0);
    assert_false(fk[1].used);
    assert_true(grown_window_empty());
    assert_true(records_match_kernel());
    assert_int_equal(mm_check(&mm), ERR_NONE);
    /* Merged, the kernel's view and the accounting are those of the start. */
    mm_shrink(&mm);
    assert_int_equal(fk_live_caps(), caps0);
    assert_true(records_match_kernel());
    assert_memory_equal(&before, mm_stats(&mm), offsetof(struct mm_stats, meta_used));
    assert_int_equal(mm_stats(&mm)->objects_live, 0);
    assert_int_equal(mm_slots_free(&mm), slots0);
}

/* Growth without memory: a clean refusal, slots still above zero. */
static void cspace_growth_without_memory_refuses(void **state)
{
    mm_cptr_t c;
    mm_err_t err = ERR_NONE;

    (void)state;
    fk_reset();
    fk_untyped(UT_CAP, UT_PADDR, 14, 0);
    assert_int_equal(mm_init(&mm, meta, sizeof(meta), ROOT, MAX_UTS), ERR_NONE);
    assert_int_equal(mm_add_slots(&mm, SLOT_BASE, SLOT_BASE, 24, 0, 0), ERR_NONE);
    assert_int_equal(mm_add_untyped(&mm, UT_CAP, UT_PADDR, 14, 0), ERR_NONE);
    mm_set_grow(&mm, 8, 1, 2);      /* one CNode of 4 KiB: the reserve */
    for (int i = 0; i < 2000 && err == ERR_NONE; i++)
        err = mm_alloc(&mm, OBJ_NOTIFICATION, 0, &c);
    assert_int_equal(err, ERR_NOT_ENOUGH_MEMORY);
    assert_true(mm_slots_free(&mm) > 0);
    assert_int_equal(mm_check(&mm), ERR_NONE);
}

/* An owner of 2^bits bytes with 40 slots of its own that may grow by
 * CNodes of 2^8 slots (4 KiB) at top-level indices 1..9 (UT_CAP is top-level
 * slot 10 in the fake kernel). */
static void setup_growing(uint32_t bits)
{
    fk_reset();
    fk_top_depth = 32 - 8;
    fk_untyped(UT_CAP, UT_PADDR, bits, 0);
    assert_int_equal(mm_init(&mm, meta, sizeof(meta), ROOT, MAX_UTS), ERR_NONE);
    assert_int_equal(mm_add_slots(&mm, SLOT_BASE, SLOT_BASE, 40, 0, 0), ERR_NONE);
    assert_int_equal(mm_add_untyped(&mm, UT_CAP, UT_PADDR, bits, 0), ERR_NONE);
    mm_set_grow(&mm, 8, 1, UT_CAP);
}

/* Memory full of frames, all given back to their pool: no free leaf is
 * left for the next CNode, but the pooled frames' slabs are. The CSpace
 * still grows (the frames deleted, their slab's memory reused) until it
 * has no top-level index or block left, never failing for want of a slot
 * while memory is there. */
static void cspace_grows_from_pooled_memory(void **state)
{
    static mm_cptr_t f[256];
    mm_cptr_t s;
    uint32_t n = 0, slots = 0;

    (void)state;
    setup_growing(18);
    while (n < 256 && mm_alloc(&mm, OBJ_X86_4K, 0, &f[n]) == ERR_NONE)
        n++;
    assert_true(n > 32 && n < 64);
    for (uint32_t i = 0; i < n; i++)
        assert_int_equal(mm_free(&mm, f[i]), ERR_NONE);
    assert_true(mm_stats(&mm)->pooled[OBJ_X86_4K] >= 32u << 12);
    while (mm_slot_alloc(&mm, &s) == ERR_NONE)
        slots++;
    assert_true(mm.grow.l1_next == mm.grow.l1_end || mm.nblocks == MM_MAX_SLOT_BLOCKS);
    assert_true(slots > 8u * 256u);
    assert_int_equal(mm_check(&mm), ERR_NONE);
}

/* A fixed CSpace of 1000 slots over 4 MiB: the bytes would make 1024
 * frames, the slots (two a frame: itself and a copy) under 500. mm_room
 * says the latter, and exactly that many can be had. */
static void room_counts_slots(void **state)
{
    struct mm_room r;
    mm_cptr_t f, c;
    uint32_t room, n = 0;

    (void)state;
    setup_mm(22);
    room = mm_room(&mm, OBJ_X86_4K, 0, 2, &r);
    assert_int_equal(r.any, 1u << 22);
    assert_int_equal(r.slots, SLOT_COUNT - MM_SLOT_LOW_WATER);
    /* Two slots a frame, two a split for a slab of MM_BATCH frames, and
     * a chain of splits kept back. */
    assert_int_equal(room, (SLOT_COUNT - MM_SLOT_LOW_WATER - 2 * (32 - 12)) * MM_BATCH /
                           (2 * MM_BATCH + 2));
    while (mm_alloc(&mm, OBJ_X86_4K, 0, &f) == ERR_NONE && mm_slot_alloc(&mm, &c) == ERR_NONE)
        n++;
    /* Frames come in batches whose pooled members already hold a slot:
     * a few more than promised, never fewer. */
    assert_true(n >= room && n < room + 2 * MM_BATCH);
    assert_true(mm_stats(&mm)->free + mm_stats(&mm)->pooled[OBJ_X86_4K] > 512u << 12);
    assert_int_equal(mm_room(&mm, OBJ_X86_4K, 0, 2, NULL), 0);
}

/* A slab with a live frame: its other bytes serve frames only (slack),
 * and nothing else can be made from them until the frame goes. */
static void stuck_and_slack_counted(void **state)
{
    const struct mm_stats *st;
    struct mm_room r;
    mm_cptr_t f, g;

    (void)state;
    setup_mm(20);
    st = mm_stats(&mm);
    assert_int_equal(mm_alloc(&mm, OBJ_X86_4K, 0, &f), ERR_NONE);
    assert_int_equal(mm_alloc(&mm, OBJ_X86_4K, 0, &g), ERR_NONE);
    assert_int_equal(st->busy[OBJ_X86_4K], MM_BATCH << 12);
    assert_int_equal(st->busy_dead[OBJ_X86_4K], 0);
    mm_room(&mm, OBJ_TCB, 0, 1, &r);
    assert_int_equal(r.any, (1u << 20) - (MM_BATCH << 12));
    assert_int_equal(r.slack, 0);
    assert_int_equal(mm_room(&mm, OBJ_X86_4K, 0, 1, &r), 256 - 2);
    assert_int_equal(r.slack, (MM_BATCH - 2) << 12);
    assert_int_equal(mm_free(&mm, f), ERR_NONE);
    mm_room(&mm, OBJ_X86_4K, 0, 1, &r);
    assert_int_equal(r.slack, (MM_BATCH - 1) << 12);
    /* The last live frame goes: the whole slab can be drained. */
    assert_int_equal(mm_free(&mm, g), ERR_NONE);
    assert_int_equal(st->busy[OBJ_X86_4K], 0);
    mm_room(&mm, OBJ_X86_4K, 0, 1, &r);
    assert_int_equal(r.slack, 0);
    mm_room(&mm, OBJ_TCB, 0, 1, &r);
    assert_int_equal(r.any, 1u << 20);
    assert_int_equal(mm_check(&mm), ERR_NONE);
}

/* A growing owner filled with frames, each with a copy's slot, while
 * mm_room says there is room: every one it promised is had, the reserve
 * for the next CNode is held throughout, and the room runs out only with
 * the memory, not with the slots. All back: the start again. */
static void room_kept_while_filling(void **state)
{
    static mm_cptr_t f[1024], c[1024];
    uint32_t n = 0, held, slots0;
    uint64_t free0;

    (void)state;
    setup_growing(22);
    held = 1u << 22;
    slots0 = mm_slots_free(&mm);
    free0 = mm_stats(&mm)->free;
    while (mm_room(&mm, OBJ_X86_4K, 0, 2, NULL) > 0) {
        assert_true(n < 1024);
        assert_int_equal(mm_alloc(&mm, OBJ_X86_4K, 0, &f[n]), ERR_NONE);
        assert_int_equal(mm_slot_alloc(&mm, &c[n]), ERR_NONE);
        n++;
        assert_true(mm.reserve != 0 || mm_room(&mm, OBJ_X86_4K, 0, 2, NULL) < 256);
    }
    assert_true(n > 1024 * 9 / 10);
    assert_true(mm.nblocks > 4);
    assert_int_equal(mm_check(&mm), ERR_NONE);
    while (n-- > 0) {
        mm_slot_free(&mm, c[n]);
        assert_int_equal(mm_free(&mm, f[n]), ERR_NONE);
    }
    mm_reclaim(&mm);
    /* One grown CNode may stay: the first block alone is under
     * MM_SLOT_RELEASE_KEEP plus a CNode (cspace_keeps_a_cnode_...). */
    assert_int_equal(mm_stats(&mm)->busy[OBJ_X86_4K], 0);
    assert_true(mm_stats(&mm)->cspace <= 1u << 12);
    assert_int_equal(mm_stats(&mm)->free + mm_stats(&mm)->cspace, free0);
    assert_int_equal(mm_stats(&mm)->held, held);
    assert_true(mm_slots_free(&mm) >= slots0);
    assert_true(mm.reserve != 0);
    assert_int_equal(mm_check(&mm), ERR_NONE);
}

static void accounting_is_exact(void **state)
{
    const struct mm_stats *s;
    mm_cptr_t tcb, cn, f, ut;

    (void)state;
    setup_mm(22);
    s = mm_stats(&mm);
    assert_int_equal(mm_alloc(&mm, OBJ_TCB, 0, &tcb), ERR_NONE);
    assert_int_equal(mm_alloc(&mm, OBJ_CNODE, 6, &cn), ERR_NONE);
    assert_int_equal(mm_alloc(&mm, OBJ_X86_4K, 0, &f), ERR_NONE);
    assert_int_equal(mm_alloc_untyped(&mm, 16, 0, &ut), ERR_NONE);
    assert_int_equal(s->live[OBJ_TCB], 2048);
    assert_int_equal(s->pooled[OBJ_TCB], 2048);            /* the slab's other TCB */
    assert_int_equal(s->live[OBJ_CNODE], 1024);
    assert_int_equal(s->pooled[OBJ_CNODE], 3072);
    assert_int_equal(s->live[OBJ_X86_4K], 4096);
    assert_int_equal(s->pooled[OBJ_X86_4K], (MM_BATCH - 1) * 4096);
    assert_int_equal(s->live[OBJ_UNTYPED], 65536);
    assert_int_equal(s->objects_live, 4);
    assert_int_equal(s->free + s->dead + s->cspace + 2048 * 2 + 4096 + 16 * 4096 + 65536,
                     1u << 22);
    assert_int_equal(mm_paddr(&mm, ut), fk[ut].paddr);
    assert_int_equal(mm_free(&mm, ut), ERR_NONE);
    assert_int_equal(s->live[OBJ_UNTYPED], 0);
    assert_int_equal(mm_check(&mm), ERR_NONE);
    /* A slip is caught: break one counter behind memmgr's back. */
    mm.st.free += 16;
    assert_int_equal(mm_check(&mm), ERR_ILLEGAL_OPERATION);
    mm.st.free -= 16;
    /* So is a block miscounting the untyped capabilities it holds. */
    mm.blocks[0].nut++;
    assert_int_equal(mm_check(&mm), ERR_ILLEGAL_OPERATION);
    mm.blocks[0].nut--;
    assert_int_equal(mm_check(&mm), ERR_NONE);
    assert_true(mm_meta_per_mib(&mm) > 0);
}

/* Allocate TCBs until out of memory, free all: back to the start. */
static void out_of_memory_and_back(void **state)
{
    mm_cptr_t t[64];
    int n = 0;
    uint32_t caps0;

    (void)state;
    setup_mm(16);
    caps0 = fk_live_caps();
    while (n < 64 && mm_alloc(&mm, OBJ_TCB, 0, &t[n]) == ERR_NONE)
        n++;
    assert_int_equal(n, 32);
    assert_int_equal(mm_stats(&mm)->free, 0);
    for (int i = 0; i < n; i++)
        assert_int_equal(mm_free(&mm, t[i]), ERR_NONE);
    mm_shrink(&mm);
    assert_int_equal(fk_live_caps(), caps0);
    assert_int_equal(mm_stats(&mm)->free, 1u << 16);
    assert_int_equal(mm_slots_free(&mm), SLOT_COUNT);
}

/* A failed retype leaves no trace. */
static void failed_retype_changes_nothing(void **state)
{
    struct mm_stats before;
    mm_cptr_t c;
    uint32_t caps0;

    (void)state;
    setup_mm(16);
    caps0 = fk_live_caps();
    before = *mm_stats(&mm);
    fk_fail_after = 3;      /* fails in the middle of the splits */
    assert_int_equal(mm_alloc(&mm, OBJ_ENDPOINT, 0, &c), ERR_NOT_ENOUGH_MEMORY);
    assert_memory_equal(&before, mm_stats(&mm), offsetof(struct mm_stats, meta_used));
    assert_int_equal(fk_live_caps(), caps0);
    assert_int_equal(mm_slots_free(&mm), SLOT_COUNT);
}

static void release_refused_while_live_then_done(void **state)
{
    mm_cptr_t ep, f;
    uint32_t cost;

    (void)state;
    setup_mm(18);
    assert_int_equal(mm_alloc(&mm, OBJ_ENDPOINT, 0, &ep), ERR_NONE);
    assert_int_equal(mm_alloc(&mm, OBJ_X86_4K, 0, &f), ERR_NONE);
    assert_int_equal(mm_free(&mm, f), ERR_NONE);
    assert_int_equal(mm_reclaimable(&mm, UT_CAP, &cost), 0);
    assert_int_equal(mm_release_untyped(&mm, UT_CAP), ERR_REVOKE_FIRST);
    assert_int_equal(mm_stats(&mm)->held, 1u << 18);
    assert_int_equal(fk[ep].type, OBJ_ENDPOINT);
    assert_int_equal(mm_free(&mm, ep), ERR_NONE);
    assert_int_equal(mm_reclaimable(&mm, UT_CAP, &cost), 1u << 18);
    assert_true(cost >= 2 * MM_BATCH);
    assert_int_equal(mm_release_untyped(&mm, UT_CAP), ERR_NONE);
    assert_int_equal(fk[UT_CAP].kids, 0);
    assert_int_equal(mm_stats(&mm)->held, 0);
    assert_int_equal(mm_stats(&mm)->free, 0);
    assert_int_equal(mm_slots_free(&mm), SLOT_COUNT);
    assert_int_equal(mm_release_untyped(&mm, UT_CAP), ERR_INVALID_ARGUMENT);
}

static uint32_t reclaimed_at;
static int reclaims;

static void on_reclaim(struct mm_vspace *vs, uint32_t vaddr, void *arg)
{
    (void)vs;
    (void)arg;
    reclaimed_at = vaddr;
    reclaims++;
}

static void page_tables_on_demand_and_freed_when_empty(void **state)
{
    struct mm_vspace vs;
    mm_cptr_t f[3], pool = 5;

    (void)state;
    setup_mm(20);
    fk[pool] = (struct fk_cap){ .used = 1, .type = OBJ_NUM_TYPES };
    assert_int_equal(mm_vspace_create(&mm, &vs, pool), ERR_NONE);
    for (int i = 0; i < 3; i++)
        assert_int_equal(mm_alloc(&mm, OBJ_X86_4K, 0, &f[i]), ERR_NONE);
    assert_int_equal(mm_vspace_map(&vs, f[0], 0x400000, MM_RW, 0, 0), ERR_NONE);
    assert_int_equal(mm_vspace_map(&vs, f[1], 0x401000, MM_RW, 0, 0), ERR_NONE);
    assert_int_equal(mm_vspace_pts(&vs), 1);
    assert_int_equal(mm_vspace_map(&vs, f[2], 0x800000, MM_RO, 0, 0), ERR_NONE);
    assert_int_equal(mm_vspace_pts(&vs), 2);
    assert_int_equal(mm_vspace_map(&vs, f[1], 0x800000, MM_RW, 0, 0), ERR_DELETE_FIRST);
    assert_int_equal(mm_vspace_map(&vs, f[1], 0x800800, MM_RW, 0, 0), ERR_ALIGNMENT_ERROR);
    assert_int_equal(mm_vspace_lookup(&vs, 0x401000), f[1]);
    assert_int_equal(mm_vspace_protect(&vs, 0x401000, MM_RO), ERR_NONE);
    assert_int_equal(mm_vspace_protect(&vs, 0x401000, MM_RW), ERR_NONE);
    assert_int_equal(mm_vspace_unmap(&vs, 0x400000), ERR_NONE);
    assert_int_equal(mm_vspace_pts(&vs), 2);
    assert_int_equal(mm_vspace_unmap(&vs, 0x401000), ERR_NONE);
    assert_int_equal(mm_vspace_pts(&vs), 1);        /* freed with its last mapping */
    assert_int_equal(mm_stats(&mm)->live[OBJ_X86_PAGE_TABLE], 4096);
    mm_vspace_destroy(&vs);
    assert_int_equal(mm_stats(&mm)->live[OBJ_X86_PAGE_TABLE], 0);
    assert_int_equal(mm_stats(&mm)->live[OBJ_X86_PAGE_DIRECTORY], 0);
    assert_false(fk[f[2]].mapped);
}

/* mm_alloc_fresh tells an object straight from its retype (the kernel
 * cleared it) from one freed and pooled since (memmgr clears nothing). */
static void fresh_objects_told_from_pooled_ones(void **state)
{
    mm_cptr_t f[2], g, ep;
    int fresh = -1;

    (void)state;
    setup_mm(20);
    assert_int_equal(mm_alloc_fresh(&mm, OBJ_X86_4K, 0, &f[0], &fresh), ERR_NONE);
    assert_int_equal(fresh, 1);
    assert_int_equal(mm_alloc_fresh(&mm, OBJ_X86_4K, 0, &f[1], &fresh), ERR_NONE);
    assert_int_equal(fresh, 1);
    assert_int_equal(mm_free(&mm, f[0]), ERR_NONE);
    assert_int_equal(mm_alloc_fresh(&mm, OBJ_X86_4K, 0, &g, &fresh), ERR_NONE);
    assert_int_equal(g, f[0]);          /* the pool is last in, first out */
    assert_int_equal(fresh, 0);
    assert_int_equal(mm_alloc_fresh(&mm, OBJ_X86_4K, 0, &g, &fresh), ERR_NONE);
    assert_int_equal(fresh, 1);         /* the rest of the batch is untouched */
    assert_int_equal(mm_alloc_fresh(&mm, OBJ_ENDPOINT, 0, &ep, &fresh), ERR_NONE);
    assert_int_equal(fresh, 1);
    assert_int_equal(mm_alloc_fresh(&mm, OBJ_X86_4K, 0, &g, NULL), ERR_NONE);
    assert_int_equal(mm_alloc_fresh(&mm, OBJ_NUM_TYPES, 0, &g, &fresh), ERR_INVALID_ARGUMENT);
    assert_int_equal(mm_stats(&mm)->live[OBJ_X86_4K], 4 * 4096);
    assert_int_equal(mm_check(&mm), ERR_NONE);
}

/* The record-naming calls: no search to map, unmap or protect, records
 * packed (address, rights, attributes) and in the same lists as
 * mm_vspace_map's, so either kind of call finds the other's. */
static void page_records_found_without_search(void **state)
{
    struct mm_vspace vs;
    struct mm_map *rec[4];
    mm_cptr_t f[5], pool = 5;

    (void)state;
    setup_mm(20);
    fk[pool] = (struct fk_cap){ .used = 1, .type = OBJ_NUM_TYPES };
    assert_int_equal(mm_vspace_create(&mm, &vs, pool), ERR_NONE);
    for (int i = 0; i < 5; i++)
        assert_int_equal(mm_alloc(&mm, OBJ_X86_4K, 0, &f[i]), ERR_NONE);
    for (uint32_t i = 0; i < 4; i++)
        assert_int_equal(mm_vspace_map_page(&vs, f[i], 0x400000 + i * 4096, MM_RO, &rec[i]),
                         ERR_NONE);
    assert_int_equal(mm_vspace_map_page(&vs, f[4], 0x400800, MM_RO, &rec[0]),
                     ERR_ALIGNMENT_ERROR);
    assert_int_equal(mm_vspace_map(&vs, f[4], 0xc00000, MM_RW, 2, 0), ERR_NONE);
    assert_int_equal(mm_vspace_pts(&vs), 2);
    assert_int_equal(mm_map_vaddr(rec[2]), 0x402000);
    assert_int_equal(mm_map_rights(rec[2]), MM_RO);
    assert_int_equal(rec[2]->frame, f[2]);
    assert_true(fk[f[2]].mapped && fk[f[2]].vaddr == 0x402000);
    assert_int_equal(mm_vspace_lookup(&vs, 0x401000), f[1]);
    assert_int_equal(mm_vspace_protect_page(&vs, rec[1], MM_RW), ERR_NONE);
    assert_int_equal(mm_map_rights(rec[1]), MM_RW);
    assert_int_equal(mm_map_vaddr(rec[1]), 0x401000);
    /* A record in the middle of its list, then one by address. */
    mm_vspace_unmap_page(&vs, rec[1]);
    assert_false(fk[f[1]].mapped);
    assert_int_equal(mm_vspace_lookup(&vs, 0x401000), 0);
    assert_int_equal(mm_vspace_unmap(&vs, 0x402000), ERR_NONE);
    assert_int_equal(mm_vspace_lookup(&vs, 0x400000), f[0]);
    assert_int_equal(mm_vspace_lookup(&vs, 0x403000), f[3]);
    assert_int_equal(mm_vspace_protect(&vs, 0xc00000, MM_RO), ERR_NONE);
    assert_int_equal(mm_vspace_lookup(&vs, 0xc00000), f[4]);
    for (struct mm_pt *pt = vs.pts; pt != NULL; pt = pt->next) {
        if (pt->base != 0xc00000)
            continue;
        assert_int_equal(mm_map_attr(pt->maps), 2);
        assert_int_equal(mm_map_rights(pt->maps), MM_RO);
        assert_int_equal(mm_map_vaddr(pt->maps), 0xc00000);
    }
    mm_vspace_unmap_page(&vs, rec[3]);
    mm_vspace_unmap_page(&vs, rec[0]);
    assert_int_equal(mm_vspace_pts(&vs), 1);        /* freed with its last mapping */
    assert_false(fk[f[0]].mapped || fk[f[3]].mapped);
    mm_vspace_destroy(&vs);
    assert_false(fk[f[4]].mapped);
    assert_int_equal(mm_stats(&mm)->live[OBJ_X86_PAGE_TABLE], 0);
    assert_int_equal(mm_check(&mm), ERR_NONE);
}

/* Page tables of a cache-able space go first when memory runs out,
 * oldest first, the owner is told, and restore maps them again. */
static void reclaim_under_pressure_then_restore(void **state)
{
    struct mm_vspace vs;
    mm_cptr_t f[2], pool = 5, t[64];
    int n = 0;

    (void)state;
    setup_mm(17);           /* 32 pages */
    reclaims = 0;
    fk[pool] = (struct fk_cap){ .used = 1, .type = OBJ_NUM_TYPES };
    assert_int_equal(mm_vspace_create(&mm, &vs, pool), ERR_NONE);
    mm_vspace_set_cacheable(&vs, on_reclaim, NULL);
    assert_int_equal(mm_alloc(&mm, OBJ_X86_4K, 0, &f[0]), ERR_NONE);
    assert_int_equal(mm_alloc(&mm, OBJ_X86_4K, 0, &f[1]), ERR_NONE);
    assert_int_equal(mm_vspace_map(&vs, f[0], 0x10000000, MM_RW, 0, 0), ERR_NONE);
    assert_int_equal(mm_vspace_map(&vs, f[1], 0x20000000, MM_RW, 0, 0), ERR_NONE);
    while (n < 64 && mm_alloc(&mm, OBJ_TCB, 0, &t[n]) == ERR_NONE)
        n++;
    /* Both page tables went, oldest first; the second freed their slab. */
    assert_int_equal(reclaims, 2);
    assert_int_equal(reclaimed_at, 0x20000000);
    assert_int_equal(n, 30);
    assert_false(fk[f[0]].mapped);
    assert_int_equal(mm_vspace_pts(&vs), 0);
    assert_int_equal(mm_vspace_lookup(&vs, 0x10000000), f[0]);
    assert_int_equal(mm_vspace_restore(&vs, 0x10000000), ERR_NOT_ENOUGH_MEMORY);
    for (int i = 0; i < n; i++)
        assert_int_equal(mm_free(&mm, t[i]), ERR_NONE);
    assert_int_equal(mm_vspace_restore(&vs, 0x10000000), ERR_NONE);
    assert_true(fk[f[0]].mapped);
    assert_int_equal(mm_vspace_pts(&vs), 1);
    assert_int_equal(mm_check(&mm), ERR_NONE);
}

static void two_owners_stay_disjoint(void **state)
{
    mm_cptr_t a[40], b[40];

    (void)state;
    setup_mm(16);
    fk_untyped(UT2_CAP, 0x02000000u, 16, 0);
    assert_int_equal(mm_init(&mm2, meta2, sizeof(meta2), ROOT, MAX_UTS), ERR_NONE);
    assert_int_equal(mm_add_slots(&mm2, 2000, 2000, 500, 0, 0), ERR_NONE);
    assert_int_equal(mm_add_untyped(&mm2, UT2_CAP, 0x02000000u, 16, 0), ERR_NONE);
    for (int i = 0; i < 40; i++) {
        assert_int_equal(mm_alloc(&mm, OBJ_NOTIFICATION, 0, &a[i]), ERR_NONE);
        assert_int_equal(mm_alloc(&mm2, OBJ_NOTIFICATION, 0, &b[i]), ERR_NONE);
        assert_true(a[i] >= SLOT_BASE && a[i] < SLOT_BASE + SLOT_COUNT);
        assert_true(b[i] >= 2000 && b[i] < 2500);
        assert_true(fk_descends(a[i], UT_CAP));
        assert_true(fk_descends(b[i], UT2_CAP));
    }
    /* Neither frees the other's objects. */
    assert_int_equal(mm_free(&mm, b[0]), ERR_INVALID_ARGUMENT);
    assert_int_equal(mm_free(&mm2, a[0]), ERR_INVALID_ARGUMENT);
    assert_int_equal(mm_stats(&mm)->live[OBJ_NOTIFICATION], 40 * 16);
    assert_int_equal(mm_stats(&mm2)->live[OBJ_NOTIFICATION], 40 * 16);
}

/* Reclaimable page tables do not block a release: they are taken back,
 * the owner told, and rebuilt elsewhere. */
static void release_takes_page_tables_back(void **state)
{
    struct mm_vspace vs;
    mm_cptr_t f, pd = 6;
    uint32_t cost;

    (void)state;
    setup_mm(14);                                   /* exactly one page-table slab */
    fk_untyped(UT2_CAP, 0x02000000u, 17, 0);        /* frames come from here */
    assert_int_equal(mm_add_untyped(&mm, UT2_CAP, 0x02000000u, 17, 0), ERR_NONE);
    fk[pd] = (struct fk_cap){ .used = 1, .type = OBJ_X86_PAGE_DIRECTORY };
    reclaims = 0;
    mm_vspace_adopt(&mm, &vs, pd);
    mm_vspace_set_cacheable(&vs, on_reclaim, NULL);
    assert_int_equal(mm_alloc(&mm, OBJ_X86_4K, 0, &f), ERR_NONE);
    assert_true(fk_descends(f, UT2_CAP));
    assert_int_equal(mm_vspace_map(&vs, f, 0x400000, MM_RW, 0, 0), ERR_NONE);
    assert_int_equal(mm_reclaimable(&mm, UT_CAP, &cost), 1u << 14);
    assert_int_equal(cost, 4);                      /* the slab's four page tables */
    assert_int_equal(mm_reclaimable(&mm, UT2_CAP, &cost), 0);   /* a live frame */
    assert_int_equal(mm_release_untyped(&mm, UT_CAP), ERR_NONE);
    assert_int_equal(reclaims, 1);
    assert_int_equal(reclaimed_at, 0x400000);
    assert_false(fk[f].mapped);
    assert_int_equal(fk[UT_CAP].kids, 0);
    assert_int_equal(mm_stats(&mm)->held, 1u << 17);
    assert_int_equal(mm_vspace_restore(&vs, 0x400000), ERR_NONE);
    assert_true(fk[f].mapped);
    assert_int_equal(mm_check(&mm), ERR_NONE);
}

#define REGION      0x400000u                   /* 4 MiB-aligned */
#define REGION_SIZE ((8u << 20) + 0x2000u)      /* two 4 MiB stretches and two pages */
#define MANY_SLOTS  4096u                       /* one per 4 KiB frame of REGION_SIZE */

/* An owner with MANY_SLOTS slots, n untypeds of 2^bits bytes side by side,
 * and an address space. */
static void setup_space(struct mm_vspace *vs, uint32_t n, uint32_t bits)
{
    mm_cptr_t pool = 5;

    fk_reset();
    assert_int_equal(mm_init(&mm, meta, sizeof(meta), ROOT, MAX_UTS), ERR_NONE);
    assert_int_equal(mm_add_slots(&mm, SLOT_BASE, SLOT_BASE, MANY_SLOTS, 0, 0), ERR_NONE);
    for (uint32_t i = 0; i < n; i++) {
        fk_untyped(UT_CAP + i, UT_PADDR + (i << bits), bits, 0);
        assert_int_equal(mm_add_untyped(&mm, UT_CAP + i, UT_PADDR + (i << bits), bits, 0),
                         ERR_NONE);
    }
    fk[pool] = (struct fk_cap){ .used = 1, .type = OBJ_NUM_TYPES };
    assert_int_equal(mm_vspace_create(&mm, vs, pool), ERR_NONE);
}

/* Backing a range: with prefer_large, 4 MiB frames where the range allows
 * them and one page table for the tail; without, 4 KiB frames and three
 * page tables. Unbacking gives every frame and page table back. */
static void back_prefers_large_frames(void **state)
{
    const struct mm_stats *s = mm_stats(&mm);
    struct mm_vspace vs;

    (void)state;
    setup_space(&vs, 1, 24);
    assert_true(mm.prefer_large);
    assert_int_equal(mm_vspace_back(&vs, REGION, REGION_SIZE, MM_RW, 0), ERR_NONE);
    assert_int_equal(mm_vspace_pts(&vs), 1);
    assert_int_equal(s->live[OBJ_X86_LARGE_PAGE], 8u << 20);
    assert_int_equal(s->live[OBJ_X86_4K], 0x2000);
    assert_int_equal(fk[mm_vspace_lookup(&vs, REGION + (4u << 20))].type, OBJ_X86_LARGE_PAGE);
    mm_vspace_unback(&vs, REGION, REGION_SIZE);
    assert_int_equal(mm_vspace_pts(&vs), 0);
    assert_int_equal(s->live[OBJ_X86_LARGE_PAGE] + s->live[OBJ_X86_4K], 0);

    mm.prefer_large = 0;
    assert_int_equal(mm_vspace_back(&vs, REGION, REGION_SIZE, MM_RW, 0), ERR_NONE);
    assert_int_equal(mm_vspace_pts(&vs), 3);
    assert_int_equal(s->live[OBJ_X86_LARGE_PAGE], 0);
    assert_int_equal(s->live[OBJ_X86_4K], REGION_SIZE);
    mm_vspace_unback(&vs, REGION, REGION_SIZE);
    assert_int_equal(mm_vspace_pts(&vs), 0);
    assert_int_equal(s->live[OBJ_X86_4K], 0);
    /* Misaligned or wrapping ranges are refused before anything is made. */
    assert_int_equal(mm_vspace_back(&vs, REGION + 1, 0x1000, MM_RW, 0), ERR_ALIGNMENT_ERROR);
    assert_int_equal(mm_vspace_back(&vs, 0xfffff000u, 0x2000, MM_RW, 0), ERR_RANGE_ERROR);
    mm_vspace_destroy(&vs);
    assert_int_equal(mm_check(&mm), ERR_NONE);
}

/* Three 2 MiB untypeds: no 4 MiB frame anywhere, so a 4 MiB stretch gets
 * 4 KiB frames; a second one does not fit and leaves nothing behind. */
static void back_falls_back_and_fails_cleanly(void **state)
{
    const struct mm_stats *s = mm_stats(&mm);
    struct mm_vspace vs;
    uint64_t free0;

    (void)state;
    setup_space(&vs, 3, 21);
    assert_int_equal(mm_vspace_back(&vs, REGION, 4u << 20, MM_RW, 0), ERR_NONE);
    assert_int_equal(s->live[OBJ_X86_LARGE_PAGE], 0);
    assert_int_equal(s->live[OBJ_X86_4K], 4u << 20);
    assert_int_equal(mm_vspace_pts(&vs), 1);
    free0 = s->free + s->pooled[OBJ_X86_4K] + s->pooled[OBJ_X86_PAGE_TABLE];
    assert_int_equal(mm_vspace_back(&vs, REGION + (4u << 20), 4u << 20, MM_RW, 0),
                     ERR_NOT_ENOUGH_MEMORY);
    assert_int_equal(s->live[OBJ_X86_4K], 4u << 20);
    assert_int_equal(mm_vspace_pts(&vs), 1);
    assert_int_equal(s->free + s->pooled[OBJ_X86_4K] + s->pooled[OBJ_X86_PAGE_TABLE], free0);
    mm_vspace_unback(&vs, REGION, 4u << 20);
    mm_vspace_destroy(&vs);
    assert_int_equal(s->live[OBJ_X86_4K], 0);
    assert_int_equal(mm_check(&mm), ERR_NONE);
}

/* Device memory leaves only as a whole untyped asked for as such (or as
 * a device frame, below). */
static void device_untypeds_kept_apart(void **state)
{
    mm_cptr_t ep, dev;

    (void)state;
    fk_reset();
    fk_untyped(UT_CAP, 0xfe000000u, 16, 1);
    assert_int_equal(mm_init(&mm, meta, sizeof(meta), ROOT, MAX_UTS), ERR_NONE);
    assert_int_equal(mm_add_slots(&mm, SLOT_BASE, SLOT_BASE, SLOT_COUNT, 0, 0), ERR_NONE);
    assert_int_equal(mm_add_untyped(&mm, UT_CAP, 0xfe000000u, 16, 1), ERR_NONE);
    assert_int_equal(mm_stats(&mm)->device_held, 1u << 16);
    assert_int_equal(mm_alloc(&mm, OBJ_ENDPOINT, 0, &ep), ERR_NOT_ENOUGH_MEMORY);
    assert_int_equal(mm_alloc_untyped(&mm, 12, 0, &dev), ERR_NOT_ENOUGH_MEMORY);
    assert_int_equal(mm_alloc_untyped(&mm, 12, 1, &dev), ERR_NONE);
    assert_true(fk[dev].device);
    assert_int_equal(mm_paddr(&mm, dev), fk[dev].paddr);
    assert_int_equal(mm_free(&mm, dev), ERR_NONE);
    mm_shrink(&mm);
    assert_int_equal(fk[UT_CAP].kids, 0);
    /* Misaligned or out-of-range untypeds are refused. */
    assert_int_equal(mm_add_untyped(&mm, UT2_CAP, 0x1000, 16, 0), ERR_INVALID_ARGUMENT);
    assert_int_equal(mm_add_untyped(&mm, UT_CAP, 0xfe000000u, 16, 1), ERR_DELETE_FIRST);
}

/* Device frames come from a pool of their own, fed by device untypeds
 * only: never from RAM, never given out for an ordinary frame, back to
 * their own pool when freed. */
static void device_frames_pooled_apart(void **state)
{
    mm_cptr_t f, g, big, ram;

    (void)state;
    fk_reset();
    fk_untyped(UT_CAP, 0xfe000000u, 23, 1);
    fk_untyped(UT2_CAP, UT_PADDR, 20, 0);
    assert_int_equal(mm_init(&mm, meta, sizeof(meta), ROOT, MAX_UTS), ERR_NONE);
    assert_int_equal(mm_add_slots(&mm, SLOT_BASE, SLOT_BASE, SLOT_COUNT, 0, 0), ERR_NONE);
    assert_int_equal(mm_add_untyped(&mm, UT_CAP, 0xfe000000u, 23, 1), ERR_NONE);
    assert_int_equal(mm_alloc_device_frame(&mm, 0, &f), ERR_NONE);
    assert_true(fk[f].device);
    assert_int_equal(fk[f].type, OBJ_X86_4K);
    /* One batch refilled the device pool: 16 frames of a 64 KiB slab. */
    assert_int_equal(mm.pools[MM_POOL_DEVICE_4K].count, MM_BATCH - 1);
    assert_int_equal(mm_stats(&mm)->pooled[OBJ_X86_4K], (MM_BATCH - 1) * 4096);
    /* An owner holding only device memory has no ordinary frames. */
    assert_int_equal(mm_alloc(&mm, OBJ_X86_4K, 0, &ram), ERR_NOT_ENOUGH_MEMORY);
    assert_int_equal(mm_alloc_device_frame(&mm, 1, &big), ERR_NONE);
    assert_true(fk[big].device);
    assert_int_equal(fk[big].type, OBJ_X86_LARGE_PAGE);
    /* With RAM added, ordinary frames are RAM and device ones stay device. */
    assert_int_equal(mm_add_untyped(&mm, UT2_CAP, UT_PADDR, 20, 0), ERR_NONE);
    assert_int_equal(mm_alloc(&mm, OBJ_X86_4K, 0, &ram), ERR_NONE);
    assert_false(fk[ram].device);
    assert_int_equal(mm_free(&mm, f), ERR_NONE);
    assert_int_equal(mm.pools[MM_POOL_DEVICE_4K].count, MM_BATCH);
    assert_int_equal(mm_alloc_device_frame(&mm, 0, &g), ERR_NONE);
    assert_int_equal(g, f);                     /* reused, not retyped again */
    assert_int_equal(mm_free(&mm, ram), ERR_NONE);
    assert_int_equal(mm.pools[OBJ_X86_4K].count, MM_BATCH);
    assert_int_equal(mm_check(&mm), ERR_NONE);
    /* Everything back: the device untyped merges whole again. */
    assert_int_equal(mm_free(&mm, g), ERR_NONE);
    assert_int_equal(mm_free(&mm, big), ERR_NONE);
    mm_shrink(&mm);
    assert_int_equal(fk[UT_CAP].kids, 0);
    assert_int_equal(mm_check(&mm), ERR_NONE);
}

#define DEV_PADDR   0xfe000000u                 /* a 2^23 device untyped */
#define DEV_LAST    (DEV_PADDR + 0x7ff000u)     /* its last page */
#define DEV_UPPER   (DEV_PADDR + 0x400000u)     /* its upper 4 MiB */

/* Asks for the device frame at paddr: refused with want, and then the
 * accounting and the kernel's capabilities are exactly as before. */
static void frame_at_refused(uint32_t paddr, uint32_t bits, mm_err_t want)
{
    struct mm_stats before = *mm_stats(&mm);
    uint32_t caps = fk_live_caps();
    mm_cptr_t c;

    assert_int_equal(mm_alloc_device_frame_at(&mm, paddr, bits, &c), want);
    assert_memory_equal(&before, mm_stats(&mm), offsetof(struct mm_stats, meta_used));
    assert_int_equal(mm_stats(&mm)->objects_live, before.objects_live);
    assert_int_equal(fk_live_caps(), caps);
}

/* The device untyped is split down the buddy path to the frame asked
 * for; the other halves stay free, and a held frame, a frame over a live
 * one, a misaligned, uncovered or odd-sized request is refused cleanly. */
static void device_frame_at_splits_down_to_the_address(void **state)
{
    const struct mm_stats *s = mm_stats(&mm);
    mm_cptr_t pool, big, f, g, again;
    uint32_t caps0, caps, retypes;

    (void)state;
    fk_reset();
    fk_untyped(UT_CAP, DEV_PADDR, 23, 1);
    fk_untyped(UT2_CAP, UT_PADDR, 20, 0);
    assert_int_equal(mm_init(&mm, meta, sizeof(meta), ROOT, MAX_UTS), ERR_NONE);
    assert_int_equal(mm_add_slots(&mm, SLOT_BASE, SLOT_BASE, SLOT_COUNT, 0, 0), ERR_NONE);
    assert_int_equal(mm_add_untyped(&mm, UT_CAP, DEV_PADDR, 23, 1), ERR_NONE);
    assert_int_equal(mm_add_untyped(&mm, UT2_CAP, UT_PADDR, 20, 0), ERR_NONE);
    caps0 = fk_live_caps();
    /* The device pool's slab lies at the bottom: the 4 MiB there is held
     * while its frame is live, and drained and merged once it is pooled. */
    assert_int_equal(mm_alloc_device_frame(&mm, 0, &pool), ERR_NONE);
    assert_int_equal(fk[pool].paddr >> 22, DEV_PADDR >> 22);
    frame_at_refused(DEV_PADDR, LARGE_PAGE_BITS, ERR_DELETE_FIRST);
    assert_int_equal(mm_free(&mm, pool), ERR_NONE);
    assert_int_equal(mm_alloc_device_frame_at(&mm, DEV_PADDR, LARGE_PAGE_BITS, &big), ERR_NONE);
    assert_int_equal(fk[big].type, OBJ_X86_LARGE_PAGE);
    assert_int_equal(fk[big].paddr, DEV_PADDR);
    assert_true(fk[big].device);
    assert_int_equal(mm.pools[MM_POOL_DEVICE_4K].count, 0);
    assert_int_equal(fk_live_caps(), caps0 + 2 + 1);    /* 2^23 in two halves, the frame */
    /* The last page: ten more splits, 2^22 down to 2^12, then the frame. */
    assert_int_equal(mm_alloc_device_frame_at(&mm, DEV_LAST, PAGE_BITS, &f), ERR_NONE);
    assert_int_equal(fk[f].type, OBJ_X86_4K);
    assert_int_equal(fk[f].paddr, DEV_LAST);
    assert_int_equal(fk_live_caps(), caps0 + 3 + 2 * 10 + 1);
    assert_int_equal(s->live[OBJ_X86_4K], 4096);
    assert_int_equal(s->live[OBJ_X86_LARGE_PAGE], 1u << 22);
    assert_int_equal(s->free, (1u << 23) - (1u << 22) - 4096 + (1u << 20));
    assert_int_equal(mm_paddr(&mm, f), 0);      /* a frame, not an untyped record */
    /* Held: refused. Its buddy needs no split, just the retype. */
    frame_at_refused(DEV_LAST, PAGE_BITS, ERR_DELETE_FIRST);
    retypes = s->retypes;
    assert_int_equal(mm_alloc_device_frame_at(&mm, DEV_LAST - 0x1000, PAGE_BITS, &g), ERR_NONE);
    assert_int_equal(fk[g].paddr, DEV_LAST - 0x1000);
    assert_int_equal(s->retypes, retypes + 1);
    /* Clean refusals. */
    frame_at_refused(DEV_LAST + 0x800, PAGE_BITS, ERR_ALIGNMENT_ERROR);
    frame_at_refused(DEV_UPPER, LARGE_PAGE_BITS, ERR_DELETE_FIRST);     /* f and g live */
    frame_at_refused(DEV_PADDR - 0x1000, PAGE_BITS, ERR_RANGE_ERROR);
    frame_at_refused(UT_PADDR, PAGE_BITS, ERR_RANGE_ERROR);             /* RAM */
    frame_at_refused(DEV_LAST, PAGE_BITS + 1, ERR_INVALID_ARGUMENT);
    /* Freed, it is deleted and the same address comes back at once. */
    caps = fk_live_caps();
    assert_int_equal(mm_free(&mm, f), ERR_NONE);
    assert_int_equal(fk_live_caps(), caps - 1);
    assert_int_equal(mm_alloc_device_frame_at(&mm, DEV_LAST, PAGE_BITS, &again), ERR_NONE);
    assert_int_equal(fk[again].paddr, DEV_LAST);
    assert_int_equal(fk_live_caps(), caps);
    assert_int_equal(mm_check(&mm), ERR_NONE);
    /* A retype failing half-way down leaves no trace. */
    fk_fail_after = fk_calls_retype + 3;
    frame_at_refused(DEV_UPPER, PAGE_BITS, ERR_NOT_ENOUGH_MEMORY);
    fk_fail_after = UINT32_MAX;
    /* Everything back: the device untyped merges whole again. */
    assert_int_equal(mm_free(&mm, again), ERR_NONE);
    assert_int_equal(mm_free(&mm, g), ERR_NONE);
    assert_int_equal(mm_free(&mm, big), ERR_NONE);
    mm_shrink(&mm);
    assert_int_equal(fk[UT_CAP].kids, 0);
    assert_int_equal(s->free, (1u << 23) + (1u << 20));
    assert_int_equal(mm_check(&mm), ERR_NONE);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(split_then_merge_back),
        cmocka_unit_test(halves_stay_apart_while_one_is_used),
        cmocka_unit_test(slot_ranges_are_contiguous),
        cmocka_unit_test(low_water_slots_are_kept),
        cmocka_unit_test(cspace_grows_before_running_dry),
        cmocka_unit_test(cspace_growth_without_memory_refuses),
        cmocka_unit_test(cspace_gives_back_an_empty_cnode),
        cmocka_unit_test(cspace_keeps_a_cnode_it_would_need_again),
        cmocka_unit_test(cspace_moves_own_untypeds_out_of_a_grown_cnode),
        cmocka_unit_test(cspace_grows_from_pooled_memory),
        cmocka_unit_test(room_counts_slots),
        cmocka_unit_test(stuck_and_slack_counted),
        cmocka_unit_test(room_kept_while_filling),
        cmocka_unit_test(accounting_is_exact),
        cmocka_unit_test(out_of_memory_and_back),
        cmocka_unit_test(failed_retype_changes_nothing),
        cmocka_unit_test(release_refused_while_live_then_done),
        cmocka_unit_test(page_tables_on_demand_and_freed_when_empty),
        cmocka_unit_test(fresh_objects_told_from_pooled_ones),
        cmocka_unit_test(page_records_found_without_search),
        cmocka_unit_test(reclaim_under_pressure_then_restore),
        cmocka_unit_test(two_owners_stay_disjoint),
        cmocka_unit_test(device_untypeds_kept_apart),
        cmocka_unit_test(device_frames_pooled_apart),
        cmocka_unit_test(device_frame_at_splits_down_to_the_address),
        cmocka_unit_test(release_takes_page_tables_back),
        cmocka_unit_test(back_prefers_large_frames),
        cmocka_unit_test(back_falls_back_and_fails_cleanly),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
