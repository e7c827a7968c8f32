/*
 * Device frames at a given physical address.
 *
 * A driver needs the frame holding its device's registers (the local
 * APIC at 0xfee00000, a PCI BAR), not just some device frame. The device
 * untyped covering that address is cut down to it along the buddy path:
 * each Retype splits the leaf holding the address into two halves, the
 * half with the address is split again, the other stays free for anyone,
 * until a leaf of exactly the frame's size is left; one more Retype makes
 * the frame. That leaf is then a slab of one live frame (pool
 * MM_POOL_DEVICE_AT, which is never filled): mm_free deletes the frame
 * instead of pooling it, the leaf is free again, and the same address can
 * be asked for again without another split.
 *
 * Before anything changes, every leaf of the frame's range must be free
 * or hold only pooled objects (device frames the device pool made and
 * nobody holds); anything else there is in use, ERR_DELETE_FIRST. Then the
 * pooled objects go, and leaves smaller than the frame (a 4 MiB frame over
 * halves split for 4 KiB ones) are merged back up to its size.
 */
#include "internal.h"

static uint64_t end_of(const struct mm_ut *u)
{
    return (uint64_t)u->paddr + mm_ut_size(u);
}

/* The device untyped the owner added that holds all of [paddr, paddr + 2^bits). */
static const struct mm_ut *covering_root(const struct mm *mm, uint32_t paddr, uint32_t bits)
{
    for (const struct mm_ut *u = mm_ut_at(mm, mm->roots); u != NULL;
         u = mm_ut_at(mm, u->next_root))
        if (u->device && u->paddr <= paddr && (uint64_t)paddr + mm_bit(bits) <= end_of(u))
            return u;
    return NULL;
}

/* The leaf record (not split) of device memory holding paddr. */
static struct mm_ut *leaf_at(struct mm *mm, uint32_t paddr)
{
    for (uint32_t i = 0; i < mm->nuts; i++) {
        struct mm_ut *u = &mm->uts[i];

        if (u->in_use && u->device && u->kind != MM_UT_SPLIT && u->paddr <= paddr &&
            paddr < end_of(u))
            return u;
    }
    return NULL;
}

static int overlaps(const struct mm_ut *u, uint32_t paddr, uint32_t bits)
{
    return u->in_use && u->device && u->kind != MM_UT_SPLIT &&
           u->paddr < (uint64_t)paddr + mm_bit(bits) && paddr < end_of(u);
}

/* Every leaf in [paddr, paddr + 2^bits) is free or holds pooled objects only. */
static int range_unused(const struct mm *mm, uint32_t paddr, uint32_t bits)
{
    for (uint32_t i = 0; i < mm->nuts; i++) {
        const struct mm_ut *u = &mm->uts[i];

        if (overlaps(u, paddr, bits) && u->kind != MM_UT_FREE &&
            !(u->kind == MM_UT_SLAB && u->nlive == 0))
            return 0;
    }
    return 1;
}

/* Makes the range one free leaf or part of one: its pooled objects
 * deleted, its free leaves merged up to 2^bits. Returns that leaf. */
static struct mm_ut *clear_range(struct mm *mm, uint32_t paddr, uint32_t bits)
{
    struct mm_ut *u;

    for (uint32_t i = 0; i < mm->nuts; i++)
        if (overlaps(&mm->uts[i], paddr, bits) && mm->uts[i].kind == MM_UT_SLAB)
            pool_drain_slab(mm, &mm->uts[i]);
    for (uint32_t i = 0; i < mm->nuts; i++)
        if (overlaps(&mm->uts[i], paddr, bits) && mm->uts[i].kind == MM_UT_FREE)
            ut_merge_up_to(mm, &mm->uts[i], bits);
    u = leaf_at(mm, paddr);
    return u != NULL && u->kind == MM_UT_FREE && u->bits >= bits ? u : NULL;
}

/* Splits the free leaf u down to the 2^bits one holding paddr. */
static mm_err_t split_down(struct mm *mm, struct mm_ut **u, uint32_t paddr, uint32_t bits)
{
    mm_err_t err = ERR_NONE;

    while ((*u)->bits > bits && err == ERR_NONE) {
        err = ut_split(mm, *u);
        if (err == ERR_NONE)
            *u = leaf_at(mm, paddr);
    }
    return err;
}

/* One frame of type in the leaf u of its size, handed out. */
static mm_err_t make_frame(struct mm *mm, struct mm_ut *u, uint32_t type, mm_cptr_t *cap)
{
    mm_cptr_t slot, node;
    uint32_t depth, off;
    struct mm_slot *s;
    mm_err_t err = slot_alloc_n(mm, 1, &slot, 0);

    if (err != ERR_NONE)
        return err;
    slot_dest(slot_block(mm, slot), slot, &node, &depth, &off);
    err = mm_sys_retype(u->cap, type, 0, mm->root, node, depth, off, 1);
    if (err != ERR_NONE) {
        mm_slot_free(mm, slot);
        return err;
    }
    u->kind = MM_UT_SLAB;
    u->obj_type = (uint8_t)type;
    u->obj_bits = u->bits;
    u->obj_arg = 0;
    u->wm = 0;
    acct_slab_retyped(mm, u, 1);
    s = slot_meta(mm, slot);
    s->ut = mm_ut_idx(mm, u);
    s->pool = MM_POOL_DEVICE_AT;
    s->state = MM_SLOT_LIVE;
    acct_pool_to_live(mm, u);
    *cap = slot;
    return ERR_NONE;
}

static mm_err_t frame_at(struct mm *mm, uint32_t paddr, uint32_t bits, mm_cptr_t *cap)
{
    struct mm_ut *u;
    uint32_t top;
    mm_err_t err;

    if (bits != PAGE_BITS && bits != LARGE_PAGE_BITS)
        return ERR_INVALID_ARGUMENT;
    if ((paddr & (mm_bit(bits) - 1)) != 0)
        return ERR_ALIGNMENT_ERROR;
    if (covering_root(mm, paddr, bits) == NULL)
        return ERR_RANGE_ERROR;
    if (!range_unused(mm, paddr, bits))
        return ERR_DELETE_FIRST;
    u = clear_range(mm, paddr, bits);
    if (u == NULL)
        return ERR_DELETE_FIRST;        /* the kernel refused a merge */
    top = u->bits;
    err = split_down(mm, &u, paddr, bits);
    if (err == ERR_NONE)
        err = make_frame(mm, u, bits == PAGE_BITS ? OBJ_X86_4K : OBJ_X86_LARGE_PAGE, cap);
    if (err != ERR_NONE)
        ut_merge_up_to(mm, u, top);     /* the halves made so far back */
    return err;
}

mm_err_t mm_alloc_device_frame_at(struct mm *mm, uint32_t paddr, uint32_t size_bits,
                                  mm_cptr_t *cap)
{
    mm_err_t err = frame_at(mm, paddr, size_bits, cap);

    acct_after(mm);
    return err;
}
