/*
 * What the memmgr source files share and callers do not need: record
 * lookup, the accounting transitions and the slot states. Every change
 * of an untyped record's counters goes through the acct_* helpers in
 * account.c, so the running totals in struct mm_stats and the records
 * can never drift apart without mm_check() noticing.
 */
#ifndef MEMMGR_INTERNAL_H
#define MEMMGR_INTERNAL_H

#include <memmgr/mm.h>
#include <memmgr/vspace.h>

#define MM_WORD_BITS    32u
#define MM_PAGE_BITS    PAGE_BITS
/* Slabs for objects smaller than a page are one page (issue 21: nothing
 * under 4 KiB is cut from a shared untyped). */
#define MM_SLAB_MIN_BITS PAGE_BITS
/* Frames and page tables come in slabs of up to 2^these objects. */
#define MM_SLAB_PAGES_LOG2 4u
#define MM_SLAB_PT_LOG2 2u
/* Slots one chain of splits from the largest untyped down to a page takes:
 * mm_room() keeps them out of what it promises. */
#define MM_SPLIT_CHAIN_SLOTS (2u * (MM_WORD_BITS - MM_PAGE_BITS))

enum mm_slot_state {
    MM_SLOT_FREE,       /* empty, in the bitmap */
    MM_SLOT_USED,       /* the caller's (an untyped given whole included) */
    MM_SLOT_LIVE,       /* an object handed out */
    MM_SLOT_POOL,       /* an object in its pool */
    MM_SLOT_UT,         /* an untyped record's capability only memmgr names: movable */
};

static inline uint32_t mm_bit(uint32_t bits)
{
    return (uint32_t)1 << bits;
}

static inline struct mm_ut *mm_ut_at(const struct mm *mm, uint32_t idx1)
{
    return idx1 == 0 ? NULL : &mm->uts[idx1 - 1];
}

static inline uint16_t mm_ut_idx(const struct mm *mm, const struct mm_ut *u)
{
    return (uint16_t)(u - mm->uts + 1);
}

static inline uint64_t mm_ut_size(const struct mm_ut *u)
{
    return (uint64_t)1 << u->bits;
}

/* meta.c */
void *mm_meta_alloc(struct mm *mm, size_t size);

/* account.c: the only places counters change. */
void acct_after(struct mm *mm);
void acct_after_no_free(struct mm *mm);
void acct_slab_retyped(struct mm *mm, struct mm_ut *u, uint32_t n);
void acct_pool_to_live(struct mm *mm, struct mm_ut *u);
void acct_live_to_pool(struct mm *mm, struct mm_ut *u);
void acct_pool_to_dead(struct mm *mm, struct mm_ut *u);
void acct_live_to_dead(struct mm *mm, struct mm_ut *u);
void acct_slab_reset(struct mm *mm, struct mm_ut *u);
void acct_whole(struct mm *mm, struct mm_ut *u, int kind);
void acct_unwhole(struct mm *mm, struct mm_ut *u);

/* untyped.c */
struct mm_ut *ut_new(struct mm *mm);
void ut_drop(struct mm *mm, struct mm_ut *u);
struct mm_ut *ut_take(struct mm *mm, uint32_t bits, int device, int use_reserve);
void ut_put(struct mm *mm, struct mm_ut *u);
int ut_merge(struct mm *mm);
mm_err_t ut_split(struct mm *mm, struct mm_ut *u);
int ut_merge_up_to(struct mm *mm, struct mm_ut *u, uint32_t bits);
struct mm_ut *ut_find_root(const struct mm *mm, mm_cptr_t cap);
int ut_in_subtree(const struct mm *mm, const struct mm_ut *u, const struct mm_ut *top);
void ut_keep_reserve(struct mm *mm, int reclaim);
void ut_unreserve(struct mm *mm, struct mm_ut *u);
mm_err_t ut_free_given(struct mm *mm, struct mm_ut *u);
struct mm_ut *ut_given(const struct mm *mm, mm_cptr_t cap);

/* slot.c */
mm_err_t slot_alloc_n(struct mm *mm, uint32_t n, mm_cptr_t *first, int internal);
struct mm_slot_block *slot_block(const struct mm *mm, mm_cptr_t cap);
struct mm_slot *slot_meta(const struct mm *mm, mm_cptr_t cap);
void slot_dest(const struct mm_slot_block *b, mm_cptr_t cap, mm_cptr_t *node_index,
               uint32_t *node_depth, uint32_t *offset);
int slot_can_grow(const struct mm *mm);
uint32_t slot_growths_left(const struct mm *mm);
void slot_trim(struct mm *mm);
void slot_hold_ut(struct mm *mm, mm_cptr_t cap, uint16_t idx);
void slot_lend_ut(struct mm *mm, const struct mm_ut *u, int lent);

/* pool.c */
uint32_t pool_index(uint32_t type, uint32_t size_bits);
uint32_t pool_slab_bits(uint32_t type, uint32_t obj_bits);
void pool_unlink_in(struct mm *mm, const struct mm_ut *top);
int pool_drain(struct mm *mm);
int pool_drain_slab(struct mm *mm, const struct mm_ut *slab);

/* vspace.c */
int vs_reclaim_one(struct mm *mm);
int vs_reclaim_in(struct mm *mm, const struct mm_ut *top);
uint32_t vs_reclaimable_in(const struct mm *mm, const struct mm_ut *top);

#endif
