/*
 * Capabilities: two words naming an object and what the holder may do with
 * it. Word 0 carries the type in its low four bits and, for objects the
 * kernel reaches, the object's kernel address (objects are at least 16-byte
 * aligned, so the low bits are free). Untypeds and frames carry a physical
 * address instead, because their memory may lie above the kernel window.
 *
 *   type           word 0                          word 1
 *   NULL           0                               0
 *   UNTYPED        paddr | type                    free_index(26, 16-byte units) | size_bits<<26 | device<<31
 *   ENDPOINT       kptr | type                     badge<<4 | rights(4)
 *   NOTIFICATION   kptr | type                     badge<<4 | rights(4)
 *   REPLY          tcb kptr | master<<4 | grant<<5 | type   0
 *   CNODE          kptr | type                     guard(18) | guard_size<<18 | radix<<23
 *   TCB            kptr | type                     0
 *   FRAME          paddr | large<<4 | vmrights<<5 (2) | device<<7 | type
 *                                                  mapped vaddr (page aligned) | asid(12)
 *   PAGE_TABLE     kptr | mapped<<4 | type         mapped vaddr (4 MiB aligned) | asid(12)
 *   PAGE_DIRECTORY kptr | mapped<<4 | type         asid(12)
 *   ASID_POOL      kptr | type                     asid base
 *   IRQ_HANDLER    irq<<4 | type                   0
 *   IO_PORT        type                            first port | last port<<16
 *   ZOMBIE         object kptr | type              slots left<<6 | zombie kind(6)
 *   CONTROL        subtype<<4 | type               0
 *
 * Badges are 28 bits (seL4 on 32-bit). A capability in a slot is followed
 * by that slot's derivation links (cdt.h).
 */
#ifndef KERNEL_CAP_H
#define KERNEL_CAP_H

#include <kernel/types.h>
#include <abi/msginfo.h>
#include <abi/objtype.h>

typedef enum cap_type {
    CAP_NULL = 0,
    CAP_UNTYPED = 1,
    CAP_ENDPOINT = 2,
    CAP_NOTIFICATION = 3,
    CAP_REPLY = 4,
    CAP_CNODE = 5,
    CAP_TCB = 6,
    CAP_FRAME = 7,
    CAP_PAGE_TABLE = 8,
    CAP_PAGE_DIRECTORY = 9,
    CAP_ASID_POOL = 10,
    CAP_IRQ_HANDLER = 11,
    CAP_IO_PORT = 12,
    CAP_ZOMBIE = 13,
    CAP_CONTROL = 14,
    CAP_NUM_TYPES = 15,
} cap_type_t;

/* Subtypes of CAP_CONTROL: authority objects that have no memory. */
typedef enum cap_control {
    CONTROL_IRQ = 0,
    CONTROL_ASID = 1,
    CONTROL_IO_PORT = 2,
    CONTROL_DOMAIN = 3,
} cap_control_t;

typedef struct cap {
    word_t w0;
    word_t w1;
} cap_t;
_Static_assert(sizeof(cap_t) == 8, "a capability is two words");

/*
 * The layout above, field by field: every shift and mask of a capability's
 * two words is named here once. The accessors below and the fastpath's
 * raw-word helpers (cap_w0_*, cap_w1_*: a word read once, as seL4's
 * fastpath.h reads its bitfield words) use only these names.
 */
#define CAP_TYPE_BITS           4
#define CAP_TYPE_MASK           MASK(CAP_TYPE_BITS)
#define CAP_PTR_MASK            (~CAP_TYPE_MASK)
/* Word 0 fields above the type (reply, frame, paging, IRQ, control). */
#define CAP_W0_FIELD_SHIFT      CAP_TYPE_BITS
#define REPLY_MASTER_SHIFT      CAP_W0_FIELD_SHIFT
#define REPLY_GRANT_SHIFT       (REPLY_MASTER_SHIFT + 1)
#define FRAME_LARGE_SHIFT       CAP_W0_FIELD_SHIFT
#define FRAME_VMRIGHTS_SHIFT    (FRAME_LARGE_SHIFT + 1)
#define FRAME_VMRIGHTS_BITS     2
#define FRAME_VMRIGHTS_MASK     (MASK(FRAME_VMRIGHTS_BITS) << FRAME_VMRIGHTS_SHIFT)
#define FRAME_DEVICE_SHIFT      (FRAME_VMRIGHTS_SHIFT + FRAME_VMRIGHTS_BITS)
#define PAGING_MAPPED_SHIFT     CAP_W0_FIELD_SHIFT
#define IRQ_HANDLER_IRQ_SHIFT   CAP_W0_FIELD_SHIFT
#define CONTROL_SUB_SHIFT       CAP_W0_FIELD_SHIFT
/* Endpoint and notification word 1: badge above the rights. */
#define CAP_RIGHTS_BITS         4
#define BADGE_SHIFT             CAP_RIGHTS_BITS
#define BADGE_BITS              28
#define BADGE_MASK              MASK(BADGE_BITS)
/* CNode word 1: guard, guard size, radix (sizes are five-bit fields). */
#define CNODE_GUARD_BITS        18
#define CNODE_SIZE_FIELD_BITS   5
#define CNODE_SIZE_FIELD_MASK   MASK(CNODE_SIZE_FIELD_BITS)
#define CNODE_GUARD_SIZE_SHIFT  CNODE_GUARD_BITS
#define CNODE_RADIX_SHIFT       (CNODE_GUARD_SIZE_SHIFT + CNODE_SIZE_FIELD_BITS)
/* Untyped word 1: free index in 16-byte units, size bits, device. */
#define UT_FREE_INDEX_BITS      26
#define UT_FREE_UNIT_BITS       4
#define UT_SIZE_SHIFT           UT_FREE_INDEX_BITS
#define UT_SIZE_FIELD_BITS      5
#define UT_DEVICE_SHIFT         (UT_SIZE_SHIFT + UT_SIZE_FIELD_BITS)
/* Frame, page table and page directory word 1: vaddr above the ASID. */
#define ASID_MASK               MASK(ASID_BITS)
/* I/O port word 1: first and last port, 16 bits each. */
#define IO_PORT_BITS            16
#define IO_PORT_FIELD_MASK      MASK(IO_PORT_BITS)
#define IO_PORT_LAST_SHIFT      IO_PORT_BITS
/* Frame VM rights (seL4 vm_rights): kernel-only, read-only, read-write. */
#define VM_KERNEL_ONLY      1u
#define VM_READ_ONLY        2u
#define VM_READ_WRITE       3u
/* Zombie kinds: a TCB, or a CNode whose radix is kind - ZOMBIE_CNODE_BASE. */
#define ZOMBIE_TCB          63u
#define ZOMBIE_CNODE_BASE   0u
#define ZOMBIE_KIND_BITS    6

_Static_assert(CAP_NUM_TYPES <= BIT(CAP_TYPE_BITS), "the type fits its field");
_Static_assert(RIGHTS_ALL < BIT(CAP_RIGHTS_BITS), "rights fit below the badge");
_Static_assert(BADGE_SHIFT + BADGE_BITS == WORD_BITS, "badge fills word 1");
_Static_assert(CNODE_RADIX_SHIFT + CNODE_SIZE_FIELD_BITS <= WORD_BITS, "radix fits word 1");
_Static_assert(UT_DEVICE_SHIFT == WORD_BITS - 1, "untyped device bit is the top bit");
_Static_assert(FRAME_DEVICE_SHIFT < PAGE_BITS, "frame fields fit below the page address");
_Static_assert(REPLY_GRANT_SHIFT < TCB_BITS, "reply fields fit below the TCB address");
_Static_assert(ASID_BITS <= PAGE_BITS, "the ASID fits below a mapped page address");
_Static_assert(IO_PORT_LAST_SHIFT + IO_PORT_BITS == WORD_BITS, "two ports fill word 1");
_Static_assert(VM_READ_WRITE <= MASK(FRAME_VMRIGHTS_BITS), "VM rights fit their field");

/* Raw-word helpers: one field of one capability word. */
static inline cap_type_t cap_w0_type(word_t w0) { return (cap_type_t)(w0 & CAP_TYPE_MASK); }
static inline bool cap_w0_bit(word_t w0, word_t shift) { return (w0 >> shift) & 1u; }
static inline word_t cap_w0_frame_vmrights(word_t w0) { return (w0 >> FRAME_VMRIGHTS_SHIFT) & MASK(FRAME_VMRIGHTS_BITS); }
static inline word_t cap_w1_badge(word_t w1) { return w1 >> BADGE_SHIFT; }
static inline word_t cap_w1_cnode_guard(word_t w1) { return w1 & MASK(CNODE_GUARD_BITS); }
static inline word_t cap_w1_cnode_guard_size(word_t w1) { return (w1 >> CNODE_GUARD_SIZE_SHIFT) & CNODE_SIZE_FIELD_MASK; }
static inline word_t cap_w1_cnode_radix(word_t w1) { return (w1 >> CNODE_RADIX_SHIFT) & CNODE_SIZE_FIELD_MASK; }
/* Unmasked: the radix is word 1's top field (bits above it are zero in
 * every CNode capability), and guard size and radix together. */
static inline word_t cap_w1_cnode_radix_top(word_t w1) { return w1 >> CNODE_RADIX_SHIFT; }
static inline word_t cap_w1_cnode_sizes(word_t w1) { return w1 >> CNODE_GUARD_SIZE_SHIFT; }
/* Word 0 of a reply capability's Grant bit for endpoint `rights`. */
#define REPLY_GRANT_FROM_RIGHTS_SHIFT (REPLY_GRANT_SHIFT - 2)
_Static_assert(RIGHT_GRANT << REPLY_GRANT_FROM_RIGHTS_SHIFT == BIT(REPLY_GRANT_SHIFT), "reply grant bit");
static inline word_t cap_w0_reply_grant(word_t rights) { return (rights & RIGHT_GRANT) << REPLY_GRANT_FROM_RIGHTS_SHIFT; }
/* The low bits of word 0 of a reply capability that is not the master. */
#define REPLY_LOW_MASK          (BIT(REPLY_MASTER_SHIFT) | CAP_TYPE_MASK)

static inline cap_type_t cap_type(cap_t c) { return cap_w0_type(c.w0); }
static inline bool cap_is_null(cap_t c) { return cap_type(c) == CAP_NULL; }
static inline word_t cap_ptr_word(cap_t c) { return c.w0 & CAP_PTR_MASK; }
static inline void *cap_ptr(cap_t c) { return (void *)(uintptr_t)cap_ptr_word(c); }
static inline cap_t cap_null(void) { return (cap_t){ 0, 0 }; }

/* Untyped. */
static inline cap_t cap_untyped_new(paddr_t paddr, word_t size_bits, bool device, word_t free_index)
{
    return (cap_t){ paddr | CAP_UNTYPED,
                    (free_index & MASK(UT_FREE_INDEX_BITS)) | (size_bits << UT_SIZE_SHIFT) |
                    ((word_t)device << UT_DEVICE_SHIFT) };
}
static inline paddr_t cap_ut_paddr(cap_t c) { return c.w0 & CAP_PTR_MASK; }
static inline word_t cap_ut_size_bits(cap_t c) { return (c.w1 >> UT_SIZE_SHIFT) & MASK(UT_SIZE_FIELD_BITS); }
static inline bool cap_ut_is_device(cap_t c) { return (c.w1 >> UT_DEVICE_SHIFT) & 1u; }
/* Free index in bytes from the start of the untyped (stored in 16-byte units). */
static inline word_t cap_ut_free_bytes_used(cap_t c) { return (c.w1 & MASK(UT_FREE_INDEX_BITS)) << UT_FREE_UNIT_BITS; }
static inline cap_t cap_ut_set_free(cap_t c, word_t bytes_used)
{
    c.w1 = (c.w1 & ~MASK(UT_FREE_INDEX_BITS)) | ((bytes_used >> UT_FREE_UNIT_BITS) & MASK(UT_FREE_INDEX_BITS));
    return c;
}

/* Endpoint and notification: badge and rights share a layout. */
static inline cap_t cap_endpoint_new(void *ep, word_t badge, word_t rights)
{
    return (cap_t){ (word_t)(uintptr_t)ep | CAP_ENDPOINT, ((badge & BADGE_MASK) << BADGE_SHIFT) | (rights & RIGHTS_ALL) };
}
static inline cap_t cap_notification_new(void *ntfn, word_t badge, word_t rights)
{
    return (cap_t){ (word_t)(uintptr_t)ntfn | CAP_NOTIFICATION, ((badge & BADGE_MASK) << BADGE_SHIFT) | (rights & RIGHTS_ALL) };
}
static inline word_t cap_badge(cap_t c) { return cap_w1_badge(c.w1); }
static inline word_t cap_rights(cap_t c) { return c.w1 & RIGHTS_ALL; }
static inline cap_t cap_set_badge(cap_t c, word_t badge) { c.w1 = (c.w1 & RIGHTS_ALL) | ((badge & BADGE_MASK) << BADGE_SHIFT); return c; }
static inline cap_t cap_set_rights(cap_t c, word_t rights) { c.w1 = (c.w1 & ~RIGHTS_ALL) | (rights & RIGHTS_ALL); return c; }

/* Reply. */
static inline cap_t cap_reply_new(void *tcb, bool master, bool grant)
{
    return (cap_t){ (word_t)(uintptr_t)tcb | ((word_t)master << REPLY_MASTER_SHIFT) |
                    ((word_t)grant << REPLY_GRANT_SHIFT) | CAP_REPLY, 0 };
}
static inline void *cap_reply_tcb(cap_t c) { return (void *)(uintptr_t)(c.w0 & ~MASK(TCB_BITS)); }
static inline bool cap_reply_is_master(cap_t c) { return cap_w0_bit(c.w0, REPLY_MASTER_SHIFT); }
static inline bool cap_reply_can_grant(cap_t c) { return cap_w0_bit(c.w0, REPLY_GRANT_SHIFT); }
static inline cap_t cap_reply_clear_grant(cap_t c) { c.w0 &= ~BIT(REPLY_GRANT_SHIFT); return c; }

/* CNode. */
static inline cap_t cap_cnode_new(void *cnode, word_t radix, word_t guard_size, word_t guard)
{
    return (cap_t){ (word_t)(uintptr_t)cnode | CAP_CNODE,
                    (guard & MASK(CNODE_GUARD_BITS)) | (guard_size << CNODE_GUARD_SIZE_SHIFT) |
                    (radix << CNODE_RADIX_SHIFT) };
}
static inline word_t cap_cnode_guard(cap_t c) { return cap_w1_cnode_guard(c.w1); }
static inline word_t cap_cnode_guard_size(cap_t c) { return cap_w1_cnode_guard_size(c.w1); }
static inline word_t cap_cnode_radix(cap_t c) { return cap_w1_cnode_radix(c.w1); }

/* TCB. */
static inline cap_t cap_tcb_new(void *tcb) { return (cap_t){ (word_t)(uintptr_t)tcb | CAP_TCB, 0 }; }

/* Frames (4 KiB or 4 MiB). */
static inline cap_t cap_frame_new(paddr_t paddr, bool large, word_t vmrights, bool device)
{
    return (cap_t){ paddr | ((word_t)large << FRAME_LARGE_SHIFT) | (vmrights << FRAME_VMRIGHTS_SHIFT) |
                    ((word_t)device << FRAME_DEVICE_SHIFT) | CAP_FRAME, 0 };
}
static inline paddr_t cap_frame_paddr(cap_t c) { return c.w0 & ~MASK(PAGE_BITS); }
static inline bool cap_frame_is_large(cap_t c) { return cap_w0_bit(c.w0, FRAME_LARGE_SHIFT); }
static inline word_t cap_frame_vmrights(cap_t c) { return cap_w0_frame_vmrights(c.w0); }
static inline bool cap_frame_is_device(cap_t c) { return cap_w0_bit(c.w0, FRAME_DEVICE_SHIFT); }
static inline word_t cap_frame_size_bits(cap_t c) { return cap_frame_is_large(c) ? LARGE_PAGE_BITS : PAGE_BITS; }
static inline cap_t cap_frame_set_vmrights(cap_t c, word_t vmrights)
{
    c.w0 = (c.w0 & ~FRAME_VMRIGHTS_MASK) | (vmrights << FRAME_VMRIGHTS_SHIFT);
    return c;
}
static inline word_t cap_mapped_asid(cap_t c) { return c.w1 & ASID_MASK; }
static inline vaddr_t cap_mapped_vaddr(cap_t c) { return c.w1 & ~ASID_MASK; }
static inline cap_t cap_set_mapping(cap_t c, word_t asid, vaddr_t vaddr) { c.w1 = (vaddr & ~ASID_MASK) | (asid & ASID_MASK); return c; }

/* Page tables and page directories: a bit of word 0 says "mapped". */
static inline cap_t cap_page_table_new(void *pt) { return (cap_t){ (word_t)(uintptr_t)pt | CAP_PAGE_TABLE, 0 }; }
static inline cap_t cap_page_directory_new(void *pd) { return (cap_t){ (word_t)(uintptr_t)pd | CAP_PAGE_DIRECTORY, 0 }; }
static inline bool cap_paging_is_mapped(cap_t c) { return cap_w0_bit(c.w0, PAGING_MAPPED_SHIFT); }
static inline void *cap_paging_ptr(cap_t c) { return (void *)(uintptr_t)(c.w0 & ~MASK(PAGE_BITS)); }
static inline cap_t cap_paging_set_mapped(cap_t c, bool mapped, word_t asid, vaddr_t vaddr)
{
    c.w0 = (c.w0 & ~BIT(PAGING_MAPPED_SHIFT)) | ((word_t)mapped << PAGING_MAPPED_SHIFT);
    c.w1 = mapped ? ((vaddr & ~ASID_MASK) | (asid & ASID_MASK)) : 0;
    return c;
}

/* ASID pool. */
static inline cap_t cap_asid_pool_new(void *pool, word_t asid_base) { return (cap_t){ (word_t)(uintptr_t)pool | CAP_ASID_POOL, asid_base }; }
static inline word_t cap_asid_pool_base(cap_t c) { return c.w1; }

/* IRQ handler. */
static inline cap_t cap_irq_handler_new(word_t irq) { return (cap_t){ (irq << IRQ_HANDLER_IRQ_SHIFT) | CAP_IRQ_HANDLER, 0 }; }
static inline word_t cap_irq(cap_t c) { return c.w0 >> IRQ_HANDLER_IRQ_SHIFT; }

/* I/O ports: an inclusive range. */
static inline cap_t cap_io_port_new(word_t first, word_t last)
{
    return (cap_t){ CAP_IO_PORT, (first & IO_PORT_FIELD_MASK) | (last << IO_PORT_LAST_SHIFT) };
}
static inline word_t cap_io_first(cap_t c) { return c.w1 & IO_PORT_FIELD_MASK; }
static inline word_t cap_io_last(cap_t c) { return c.w1 >> IO_PORT_LAST_SHIFT; }

/* Zombie: an object being destroyed whose slots are being emptied. */
static inline cap_t cap_zombie_new(void *obj, word_t kind, word_t slots_left)
{
    return (cap_t){ (word_t)(uintptr_t)obj | CAP_ZOMBIE, (slots_left << ZOMBIE_KIND_BITS) | kind };
}
static inline word_t cap_zombie_kind(cap_t c) { return c.w1 & MASK(ZOMBIE_KIND_BITS); }
static inline word_t cap_zombie_left(cap_t c) { return c.w1 >> ZOMBIE_KIND_BITS; }

/* Control capabilities. */
static inline cap_t cap_control_new(cap_control_t sub) { return (cap_t){ ((word_t)sub << CONTROL_SUB_SHIFT) | CAP_CONTROL, 0 }; }
static inline cap_control_t cap_control_sub(cap_t c) { return (cap_control_t)(c.w0 >> CONTROL_SUB_SHIFT); }
static inline bool cap_is_control(cap_t c, cap_control_t sub) { return cap_type(c) == CAP_CONTROL && cap_control_sub(c) == sub; }

#endif
