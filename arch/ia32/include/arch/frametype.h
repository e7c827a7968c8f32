/*
 * The frame-type table: one byte per 4 KiB physical frame of the kernel
 * window (memory-model.md, "Beyond seL4"), saying what that frame is now.
 * It duplicates nothing a capability could express cheaply: to know whether
 * a physical address is a page table, a page directory or a mapped user
 * frame, the capability state would have to be searched; the table answers
 * in one load. Operations assert their precondition on it (only memory that
 * is not kernel memory or a paging structure may be mapped for user level;
 * CR3 only ever holds a page directory) and the debug invariant checker
 * cross-checks every paging structure against it.
 *
 * Who writes which state:
 *   FT_KERNEL          boot code: kernel image, boot structures, kept modules
 *   FT_FREE/FT_OBJECT  untyped.c may mark retyped objects (optional; frames
 *                      it never marked read as FT_UNTRACKED and pass checks)
 *   FT_PAGE_DIRECTORY  arch_init_page_directory(); FT_FREE when finalised
 *   FT_PAGE_TABLE      PageTable Map; FT_FREE when finalised
 *   FT_ASID_POOL       ASIDControl MakePool; FT_FREE when finalised
 *   FT_USER_FRAME      Page Map; FT_FREE when the frame object is finalised
 * Frames above the window are not tracked (they can only ever be user
 * frames, which the kernel never touches).
 */
#ifndef ARCH_FRAMETYPE_H
#define ARCH_FRAMETYPE_H

#include <kernel/types.h>
#include <kernel/state.h>
#include <arch/memlayout.h>

typedef enum frame_type {
    FT_UNTRACKED = 0,           /* nobody said: checks accept it */
    FT_FREE = 1,                /* untyped memory holding no object */
    FT_OBJECT = 2,              /* TCB, CNode, endpoint, notification, ... */
    FT_PAGE_TABLE = 3,
    FT_PAGE_DIRECTORY = 4,
    FT_ASID_POOL = 5,
    FT_USER_FRAME = 6,          /* a 4 KiB or 4 MiB frame object (mapped at least once) */
    FT_KERNEL = 7,              /* never mapped for user level, never retyped */
} frame_type_t;

/* Entries of ks_frame_type: every 4 KiB frame the window can reach (128 Ki). */
#define FT_NUM_FRAMES       (PADDR_WINDOW_TOP >> PAGE_BITS)

static inline bool ft_tracked(paddr_t p) { return p < PADDR_WINDOW_TOP; }

static inline frame_type_t ft_get(paddr_t p)
{
    return ft_tracked(p) ? (frame_type_t)ks_frame_type[p >> PAGE_BITS] : FT_UNTRACKED;
}

/* Mark [p, p + 2^size_bits) (its part inside the window) as type t. */
static inline void ft_set(paddr_t p, word_t size_bits, frame_type_t t)
{
    word_t first = p >> PAGE_BITS;
    word_t n = size_bits > PAGE_BITS ? BIT(size_bits - PAGE_BITS) : 1u;
    for (word_t i = first; i < first + n && i < FT_NUM_FRAMES; i++)
        ks_frame_type[i] = (uint8_t)t;
}

/* Mark a byte range the boot code keeps for itself (unaligned ends round outwards). */
static inline void ft_set_kernel_range(paddr_t start, paddr_t end)
{
    for (paddr_t f = start >> PAGE_BITS; f < ROUND_UP(end, PAGE_BITS) >> PAGE_BITS && f < FT_NUM_FRAMES; f++)
        ks_frame_type[f] = FT_KERNEL;
}

/* May user level map this frame? Anything but kernel memory, paging
 * structures and ASID pools (objects are excluded by capabilities already;
 * FT_OBJECT is refused too when untyped.c marks it). */
static inline bool ft_user_mappable(frame_type_t t)
{
    return t == FT_UNTRACKED || t == FT_FREE || t == FT_USER_FRAME;
}

#endif
