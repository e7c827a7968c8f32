/*
 * Our extension (not seL4's, docs/api.md): CNode ReadSlots, reading what a
 * CNode's slots hold, for the VMM's live isolation audit (issue 23).
 *
 * seL4 offers only DebugCapIdentify (debug builds, type only) and a debug
 * snapshot. ReadSlots is an invocation of a CNode capability, so only the
 * holder of a capability to the CNode may read it; it works in release
 * builds. Call it with:
 *
 *   label  INV_EXT_CNODE_READ_SLOTS
 *   MR0    first slot (an index into this CNode, 0 .. 2^radix - 1; the
 *          guard plays no part: the capability names the CNode itself)
 *   MR1    number of slots, 1 .. CAPINFO_MAX_SLOTS
 *
 * The reply (label 0) holds in MR0 the number n of slots described, at
 * least 1 and at most what was asked (fewer only when an interrupt arrived
 * while searching derivations: ask again from first + n), then
 * CAPINFO_WORDS words per slot, in slot order:
 *
 *   word 0  type (CAPINFO_TYPE_*) | object size in bits << 8 |
 *           rights (seL4 rights bits: W 1, R 2, G 4, GR 8) << 16 | flags;
 *           rights are the capability's (endpoint, notification), R or RW
 *           (frame), G (a reply capability that carries Grant), or all four
 *           for types whose invocations check none (full authority)
 *   word 1  per type: badge (endpoint, notification); guard | guard size
 *           << 18 | radix << 23 (CNode); bytes already retyped (untyped);
 *           mapped address | ASID (frame, page table); ASID (page directory);
 *           first ASID (ASID pool); line (IRQ handler); first port | last
 *           port << 16 (I/O ports); 0 otherwise
 *   word 2  physical address of the object (0 for capabilities naming none)
 *   word 3  physical address of the untyped it descends from
 *   word 4  size in bits of that untyped | CAPINFO_ANC_DEVICE
 *
 * The untyped it descends from is the nearest capability before it in the
 * derivation tree that is an untyped containing its object (for a copy of
 * an untyped, the untyped it was copied from, its parent).
 * The kernel looks back at most CAPINFO_ANCESTOR_STEPS slots of the tree;
 * the flags say whether it was found, or there is none (the capability
 * names no memory, or nothing before it contains it), or the search gave up
 * (then memory-model.md invariant 2 still gives it: the smallest untyped
 * containing the object's bytes is its ancestor).
 *
 * Refusals (nothing is changed): TruncatedMessage with fewer than two
 * words; RangeError (min 0, max 2^radix - 1) for a first slot outside the
 * CNode; RangeError (min 1, max the largest count allowed from that first
 * slot) for a bad count; IllegalOperation when the caller has no writable
 * IPC buffer to receive the answer. Any other capability type refuses the
 * label as it refuses every label it does not know (IllegalOperation), an
 * empty slot with InvalidCapability; on an endpoint or notification the
 * label is just a message label.
 */
#ifndef ABI_CAPINFO_H
#define ABI_CAPINFO_H

/* Far above seL4's invocation labels (0..51 here, below 100 in every seL4
 * configuration), inside the 20-bit label field. */
#define INV_EXT_CNODE_READ_SLOTS    0xC0001u

#define CAPINFO_WORDS               5
/* One word for the count, then whole records within seL4_MsgMaxLength (120). */
#define CAPINFO_MAX_SLOTS           23
#define CAPINFO_ANCESTOR_STEPS      16384

/* The words of one slot's record. */
#define CAPINFO_W_INFO              0
#define CAPINFO_W_DATA              1
#define CAPINFO_W_PADDR             2
#define CAPINFO_W_ANC_PADDR         3
#define CAPINFO_W_ANC_SIZE          4

/* Word 0. */
#define CAPINFO_TYPE_MASK           0xffu
#define CAPINFO_SIZE_SHIFT          8
#define CAPINFO_SIZE_MASK           0xffu
#define CAPINFO_RIGHTS_SHIFT        16
#define CAPINFO_RIGHTS_MASK         0xfu
#define CAPINFO_DEVICE              (1u << 20)  /* untyped or frame of device memory */
#define CAPINFO_MAPPED              (1u << 21)  /* frame, page table, page directory */
#define CAPINFO_REPLY_MASTER        (1u << 22)
#define CAPINFO_ANC_FOUND           (1u << 23)  /* words 3, 4 name the untyped */
#define CAPINFO_ANC_GAVE_UP         (1u << 24)  /* search stopped after CAPINFO_ANCESTOR_STEPS */

/* Word 4. */
#define CAPINFO_ANC_SIZE_MASK       0xffu
#define CAPINFO_ANC_DEVICE          (1u << 8)

/* Word 1 of a CNode: guard, guard size, radix. */
#define CAPINFO_GUARD_BITS          18
#define CAPINFO_GUARD_SIZE_SHIFT    18
#define CAPINFO_RADIX_SHIFT         23
#define CAPINFO_FIELD5_MASK         0x1fu

/* Word 1 of an I/O port capability. */
#define CAPINFO_PORT_LAST_SHIFT     16
#define CAPINFO_PORT_MASK           0xffffu

/* Word 1 of a mapped frame or page table: address | ASID. */
#define CAPINFO_ASID_MASK           0xfffu

enum capinfo_type {
    CAPINFO_TYPE_NULL = 0,
    CAPINFO_TYPE_UNTYPED = 1,
    CAPINFO_TYPE_TCB = 2,
    CAPINFO_TYPE_ENDPOINT = 3,
    CAPINFO_TYPE_NOTIFICATION = 4,
    CAPINFO_TYPE_CNODE = 5,
    CAPINFO_TYPE_FRAME = 6,
    CAPINFO_TYPE_PAGE_TABLE = 7,
    CAPINFO_TYPE_PAGE_DIRECTORY = 8,
    CAPINFO_TYPE_ASID_POOL = 9,
    CAPINFO_TYPE_ASID_CONTROL = 10,
    CAPINFO_TYPE_IRQ_CONTROL = 11,
    CAPINFO_TYPE_IRQ_HANDLER = 12,
    CAPINFO_TYPE_IO_PORT_CONTROL = 13,
    CAPINFO_TYPE_IO_PORT = 14,
    CAPINFO_TYPE_REPLY = 15,
    CAPINFO_TYPE_DOMAIN = 16,
    CAPINFO_TYPE_ZOMBIE = 17,       /* an object being deleted */
    CAPINFO_NUM_TYPES = 18,
};

#endif
