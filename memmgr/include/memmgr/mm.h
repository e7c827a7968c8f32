/*
 * memmgr: turning untyped memory into kernel objects for one owner.
 *
 * The kernel allocates nothing by itself: every TCB, endpoint, CNode,
 * frame or paging structure is carved out of an untyped capability by a
 * Retype that user level makes. A struct mm is one owner's view of the
 * untypeds it holds (the root task's from bootinfo, a guest's from its
 * parent's grant): where each one lies, what it was split into, which
 * objects live in it, and how many bytes are live, pooled, dead or free.
 * There is no state outside the struct, so two owners in one program
 * never touch each other's memory.
 *
 * Objects come from per-type pools. A pool is refilled by one batch
 * Retype into a slab: an untyped of its own, split off a bigger one, that
 * holds objects of that type only (so nothing smaller than a page is ever
 * cut from a shared untyped). A freed object is made fresh and goes back
 * to its pool; when every object of a slab is gone the slab has no kernel
 * children, the kernel resets it on its next retype, and memmgr merges it
 * with its buddy back into the parent untyped.
 *
 * Every function returns the kernel's error enum (seL4's numbers):
 * ERR_NOT_ENOUGH_MEMORY when memory or slots run out, ERR_REVOKE_FIRST
 * when an untyped cannot be released because live objects remain in it.
 * A failed call leaves the accounting exactly as it was.
 */
#ifndef MEMMGR_MM_H
#define MEMMGR_MM_H

#include <stddef.h>
#include <stdint.h>
#include <abi/errors.h>
#include <abi/objtype.h>

typedef uint32_t mm_cptr_t;             /* a CPtr, resolved at depth 32 */
typedef enum abi_error mm_err_t;

/* Limits of the fixed tables inside struct mm. */
#define MM_MAX_SLOT_BLOCKS  16          /* CNode windows the slot allocator manages */
#define MM_CNODE_MAX_RADIX  16          /* CNodes up to 2^16 slots have pools */
/* Pools: one per type, one per CNode radix, and the device frame pools
 * (4 KiB and 4 MiB frames of device untypeds, apart from RAM's). Frames
 * asked for at a physical address name MM_POOL_DEVICE_AT, which is never
 * filled: freed, they are deleted, so the address can be asked for again. */
#define MM_POOL_DEVICE_4K   (OBJ_NUM_TYPES + MM_CNODE_MAX_RADIX + 1)
#define MM_POOL_DEVICE_4M   (MM_POOL_DEVICE_4K + 1)
#define MM_POOL_DEVICE_AT   (MM_POOL_DEVICE_4M + 1)
#define MM_NUM_POOLS        (MM_POOL_DEVICE_AT + 1)
/* Slots kept back so that growing the CSpace (a split or two, one
 * CNode) never needs a slot it cannot get. */
#define MM_SLOT_LOW_WATER   16
/* A grown CNode is given back only if this many slots stay free without
 * it: twice the low-water mark, so that a caller allocating and freeing
 * one slot at the mark does not make memmgr grow and shrink each time. */
#define MM_SLOT_RELEASE_KEEP (2 * MM_SLOT_LOW_WATER)
/* Objects per batch retype when a pool is refilled. */
#define MM_BATCH            16

/* What an untyped record is used for. */
enum mm_ut_kind {
    MM_UT_FREE,         /* leaf with no kernel children: the whole range is free */
    MM_UT_SPLIT,        /* retyped into two halves, each its own record */
    MM_UT_SLAB,         /* objects of one type and size, see pool.c */
    MM_UT_GIVEN,        /* handed to the caller whole (mm_alloc_untyped) */
    MM_UT_CSPACE,       /* one CNode memmgr made for its own slots */
};

/* One untyped capability memmgr holds. Records live in the metadata area
 * and are addressed by index (0 = none), so they stay put. */
struct mm_ut {
    mm_cptr_t cap;
    uint32_t paddr;
    uint8_t bits;               /* size is 2^bits bytes */
    uint8_t kind;               /* enum mm_ut_kind */
    uint8_t device;             /* device memory: frames and untypeds only */
    uint8_t obj_type;           /* slabs: enum abi_object_type */
    uint8_t obj_bits;           /* slabs: log2 of one object's size */
    uint8_t obj_arg;            /* slabs: size argument of the retype (CNode radix) */
    uint8_t in_use;             /* record allocated */
    uint8_t reserve;            /* held back for the next CNode of the CSpace */
    uint8_t mark;               /* scratch: inside the untyped being released */
    uint16_t parent;            /* record index + 1 of the untyped it was split from */
    uint16_t next_root;         /* chain of untypeds the caller added */
    uint32_t wm;                /* bytes below the kernel's watermark */
    uint32_t nlive, npool, ndead;   /* objects handed out, pooled, deleted */
};

/* Per-slot metadata of a slot block: whose object sits in the slot. */
struct mm_slot {
    uint16_t ut;                /* slab record index + 1, 0 if no pooled object */
    uint8_t state : 7;          /* enum in slot.c */
    uint8_t worn : 1;           /* pooled after use: no longer as its retype made it */
    uint8_t pool;               /* pool index of the object */
    mm_cptr_t next;             /* pool free list */
};

/* A window of slots in one CNode: slot i is CPtr base + i and offset
 * first + i in the CNode that (node_index, node_depth) names from the
 * CSpace root (depth 0: the root itself), as Retype wants it. */
struct mm_slot_block {
    mm_cptr_t base;
    uint32_t first, count, nfree;
    mm_cptr_t node_index;
    uint32_t node_depth;
    uint32_t *bitmap;           /* 1 = free */
    struct mm_slot *meta;
    uint32_t nut;               /* slots holding untyped caps only memmgr names */
    uint16_t ut;                /* grown: record index + 1 of the CNode's untyped */
    uint8_t released;           /* grown, CNode given back: no slots until regrown */
};

/* How the CSpace may grow: new CNodes of 2^l2_bits slots go into the
 * top-level CNode (the CSpace root) at indices [l1_next, l1_end); slot j
 * of the CNode at index i is CPtr (i << l2_bits) | j. Zero l1_end: the
 * CSpace is fixed. A grown CNode whose slots are all free again is
 * deleted and its untyped freed, as long as MM_SLOT_RELEASE_KEEP slots
 * stay free elsewhere; its top-level index and its slot metadata wait
 * for the next growth. Capabilities of untypeds only memmgr names (halves,
 * slabs, the reserve, other CNodes' untypeds) do not keep a grown CNode:
 * they are moved (CNode Move) to free slots of other CNodes first. */
struct mm_cspace_grow {
    uint32_t l2_bits;
    uint32_t l1_next, l1_end;
};

struct mm_pool {
    mm_cptr_t head;             /* free list through struct mm_slot.next */
    uint32_t count;
    uint16_t open;              /* slab with room for the next batch, index + 1 */
};

/* Bytes by category; held = free + sum(live) + sum(pooled) + dead + cspace. */
struct mm_stats {
    uint64_t held;              /* untypeds the owner added (not device) */
    uint64_t device_held;
    uint64_t free;              /* in free leaves and above slab watermarks */
    uint64_t live[OBJ_NUM_TYPES];   /* handed out, by type (untyped: given whole) */
    uint64_t pooled[OBJ_NUM_TYPES];
    uint64_t dead;              /* deleted, below a watermark, back at the next reset */
    uint64_t cspace;            /* CNodes memmgr made for its own slots */
    /* Slabs that hold a live object, by type: their size (busy) and their
     * dead bytes (busy_dead). Their other bytes not live (pooled, above
     * the watermark) serve objects of that type only, the dead ones
     * nothing, until the slab's last object goes (mm_room). */
    uint64_t busy[OBJ_NUM_TYPES];
    uint64_t busy_dead[OBJ_NUM_TYPES];
    uint64_t meta_used, meta_size;  /* bookkeeping in the caller's memory */
    uint32_t objects_live, retypes, reclaims;
};

struct mm_vspace;
struct mm_map;
struct mm_pt;
/* Told after memmgr took back a reclaimable page table of vs that mapped
 * [vaddr, vaddr + 4 MiB): its frames are unmapped, their records kept;
 * mm_vspace_restore() maps them again. */
typedef void (*mm_reclaim_fn)(struct mm_vspace *vs, uint32_t vaddr, void *arg);

struct mm {
    /* Metadata area (the caller's memory): bump allocation. */
    uint8_t *meta, *meta_end, *meta_next;
    struct mm_ut *uts;
    uint32_t nuts;              /* records in the table */
    uint16_t roots;             /* chain of added untypeds, index + 1 */
    mm_cptr_t root;             /* CSpace root, invoked for CNode operations */
    struct mm_slot_block blocks[MM_MAX_SLOT_BLOCKS];
    uint32_t nblocks, slots_free;
    struct mm_cspace_grow grow;
    struct mm_pool pools[MM_NUM_POOLS];
    struct mm_pt *reclaim_head, *reclaim_tail;   /* FIFO of reclaimable page tables */
    struct mm_map *map_free;    /* spare mapping records */
    struct mm_pt *pt_free;      /* spare page-table records */
    struct mm_stats st;
    int check;                  /* run mm_check() after every operation */
    int prefer_large;           /* policy: mm_vspace_back() uses 4 MiB frames where it can
                                 * (on after mm_init) */
    int growing;                /* inside CSpace growth: the reserve may be used */
    uint16_t reserve;           /* the record held back for the next CNode, index + 1 */
};

/* Start an owner: meta is memory memmgr keeps its records in (40 bytes
 * per untyped record, 8 per slot, 16 per mapping, 32 per page table),
 * root the CSpace root; max_uts bounds the untyped records. */
mm_err_t mm_init(struct mm *mm, void *meta, size_t meta_size, mm_cptr_t root,
                 uint32_t max_uts);
/* Hand memmgr an untyped capability with its physical address and size. */
mm_err_t mm_add_untyped(struct mm *mm, mm_cptr_t cap, uint32_t paddr, uint32_t bits,
                        int device);
/* Hand memmgr slots [base, base + count) of the CNode named by
 * (node_index, node_depth) from the root; CPtr base is offset first. */
mm_err_t mm_add_slots(struct mm *mm, mm_cptr_t base, uint32_t first, uint32_t count,
                      mm_cptr_t node_index, uint32_t node_depth);
/* Let the CSpace grow (see struct mm_cspace_grow). */
void mm_set_grow(struct mm *mm, uint32_t l2_bits, uint32_t l1_first, uint32_t l1_end);

/* Slots: one, or n contiguous ones in one CNode (the first is returned). */
mm_err_t mm_slot_alloc(struct mm *mm, mm_cptr_t *slot);
mm_err_t mm_slot_alloc_range(struct mm *mm, uint32_t n, mm_cptr_t *first);
void mm_slot_free(struct mm *mm, mm_cptr_t slot);
void mm_slot_free_range(struct mm *mm, mm_cptr_t first, uint32_t n);
uint32_t mm_slots_free(const struct mm *mm);

/* Objects. size_bits: CNode radix, untyped size; ignored otherwise. */
mm_err_t mm_alloc(struct mm *mm, uint32_t type, uint32_t size_bits, mm_cptr_t *cap);
/* As mm_alloc, and *fresh says whether the object is as its retype made it
 * (never handed out before): the kernel clears memory before it retypes
 * it, so a fresh frame is all zero, where one freed and pooled since
 * holds what its last user left (memmgr clears no frame). */
mm_err_t mm_alloc_fresh(struct mm *mm, uint32_t type, uint32_t size_bits, mm_cptr_t *cap,
                        int *fresh);
/* A frame of device memory (4 KiB, or 4 MiB if large) from the device
 * frame pool, refilled from the device untypeds only: device memory is
 * never handed out by mm_alloc, and RAM never by this. Its contents are
 * whatever the device or the last user left: neither the kernel nor
 * memmgr clears device memory. mm_free puts it back in its own pool. */
mm_err_t mm_alloc_device_frame(struct mm *mm, int large, mm_cptr_t *cap);
/* The device frame of 2^size_bits bytes (PAGE_BITS or LARGE_PAGE_BITS) at
 * physical address paddr (a device's registers, a PCI BAR): the device
 * untyped covering it is split down to it, the other halves stay free.
 * ERR_INVALID_ARGUMENT for another size, ERR_ALIGNMENT_ERROR if paddr is
 * not aligned to it, ERR_RANGE_ERROR if no device untyped memmgr holds
 * covers it, ERR_DELETE_FIRST if (part of) it is in use (a frame there,
 * or given as an untyped). mm_free deletes it, so the same paddr can be
 * asked for again. */
mm_err_t mm_alloc_device_frame_at(struct mm *mm, uint32_t paddr, uint32_t size_bits,
                                  mm_cptr_t *cap);
/* Gives an object back; it is made fresh (see pool.c) and pooled. */
mm_err_t mm_free(struct mm *mm, mm_cptr_t cap);
/* A whole untyped of 2^bits bytes for the caller (to delegate); freeing it
 * with mm_free revokes everything built in it. device: from device memory. */
mm_err_t mm_alloc_untyped(struct mm *mm, uint32_t bits, int device, mm_cptr_t *cap);
/* Physical address of an untyped memmgr holds or gave out (0 if unknown). */
uint32_t mm_paddr(const struct mm *mm, mm_cptr_t cap);
/* Deletes the pooled objects of slabs with nothing live. Freed slabs
 * stay split (see untyped.c: merging costs a clear of the parent). */
void mm_drain(struct mm *mm);
/* mm_drain, then merges every pair of free halves back into its parent. */
void mm_shrink(struct mm *mm);

/* Giving memory back. How many bytes the added untyped cap could be
 * released for now (its size, or 0 while live objects remain) and the
 * number of capabilities that would cost deleting. */
uint32_t mm_reclaimable(const struct mm *mm, mm_cptr_t cap, uint32_t *cost);
/* Releases an added untyped with everything built in it: pooled objects
 * and reclaimable page tables (owners told) go, the cap is revoked and is
 * the caller's again. ERR_REVOKE_FIRST, changing nothing, while live
 * objects remain in it; ERR_INVALID_ARGUMENT if cap was not added. */
mm_err_t mm_release_untyped(struct mm *mm, mm_cptr_t cap);

/* What can still be had, reclaim included: any counts the bytes any
 * object can be made from (free leaves, and slabs with nothing live,
 * whose pooled objects are deleted on demand), less the untyped held back
 * for the next CNode; slack the bytes only objects of the type asked
 * about can use (pooled or above the watermark in its busy slabs); slots the free slots an ordinary request
 * may take (above MM_SLOT_LOW_WATER) plus, while the reserve is held and
 * the CSpace may grow, the slots of the CNode it becomes. */
struct mm_room {
    uint64_t any;
    uint64_t slack;
    uint32_t slots;
};
/* How many objects of type (and size_bits) the owner can still make,
 * each needing slots_each slots (itself, copies, mappings' copies): bytes
 * and slots both, so that a caller refusing work when this runs low never
 * finds memory but no slot for it. Fills *room if not NULL. O(1). */
uint32_t mm_room(const struct mm *mm, uint32_t type, uint32_t size_bits, uint32_t slots_each,
                 struct mm_room *room);
/* Gives back what memmgr keeps for reuse so that anything can be made
 * from it: pooled objects of slabs with nothing live are deleted, free
 * halves merged, and the untyped for the next CNode is held back again if
 * it was used up (under pressure the growth takes it wherever memory is). */
void mm_reclaim(struct mm *mm);

/* Accounting. */
const struct mm_stats *mm_stats(const struct mm *mm);
/* Recomputes everything from the records; ERR_NONE if it agrees. */
mm_err_t mm_check(const struct mm *mm);
/* Prints the per-untyped and total report with printf. */
void mm_report(const struct mm *mm);
/* Bytes of records per MiB of managed memory. */
uint32_t mm_meta_per_mib(const struct mm *mm);
/* log2 of an object's size, 0 for an unknown type. */
uint32_t mm_obj_bits(uint32_t type, uint32_t size_bits);

/* The system-call layer (sys.c; host tests supply their own). */
mm_err_t mm_sys_retype(mm_cptr_t ut, uint32_t type, uint32_t size_bits, mm_cptr_t root,
                       mm_cptr_t node_index, uint32_t node_depth, uint32_t offset,
                       uint32_t num);
mm_err_t mm_sys_delete(mm_cptr_t root, mm_cptr_t cap, uint32_t depth);
mm_err_t mm_sys_revoke(mm_cptr_t root, mm_cptr_t cap, uint32_t depth);
/* Moves the capability in src to the empty slot dest, its place in the
 * derivation tree with it (both resolved from root at depth 32). */
mm_err_t mm_sys_move(mm_cptr_t root, mm_cptr_t dest, mm_cptr_t src);
mm_err_t mm_sys_tcb_suspend(mm_cptr_t tcb);
mm_err_t mm_sys_page_map(mm_cptr_t frame, mm_cptr_t pd, uint32_t vaddr, uint32_t rights,
                         uint32_t attr);
mm_err_t mm_sys_page_unmap(mm_cptr_t frame);
mm_err_t mm_sys_pt_map(mm_cptr_t pt, mm_cptr_t pd, uint32_t vaddr, uint32_t attr);
mm_err_t mm_sys_pt_unmap(mm_cptr_t pt);
mm_err_t mm_sys_asid_assign(mm_cptr_t pool, mm_cptr_t pd);

#endif
