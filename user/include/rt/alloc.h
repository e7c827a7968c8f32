/*
 * A bump allocator over the root task's bootinfo: CSpace slots from
 * bootinfo's empty region, kernel objects retyped from its non-device
 * untypeds, and virtual addresses (with page tables made on demand) in a
 * region of the caller's VSpace. Nothing is ever freed: it exists to make
 * tests and the demo root task short.
 *
 * It mirrors the kernel's retype arithmetic (each new object starts at the
 * untyped's free offset rounded up to the object's size), so it knows which
 * untyped can hold an object without asking. That holds as long as nobody
 * else retypes those untypeds; rt_alloc_reserve_untyped() hands one out
 * for a caller to use by itself.
 *
 * Slots are CPtrs in the root CNode, resolved with depth seL4_WordBits.
 */
#ifndef RT_ALLOC_H
#define RT_ALLOC_H

#include <abi/bootinfo.h>
#include <sel4/sel4.h>

/* Where rt_map_pages() places mappings (below the kernel, above images). */
#define RT_VADDR_BASE   0x80000000u
#define RT_VADDR_END    0xC0000000u

typedef struct rt_alloc {
    bootinfo_t *bi;
    seL4_CPtr next_slot;                /* next free slot in the root CNode */
    seL4_CPtr end_slot;
    seL4_Word ut_used[BOOTINFO_MAX_UNTYPED_CAPS];  /* bytes used per untyped */
    uint8_t ut_reserved[BOOTINFO_MAX_UNTYPED_CAPS];
    seL4_Word next_vaddr;               /* next free address for rt_map_pages */
    seL4_Error last_error;              /* error of the last failed invocation */
} rt_alloc_t;

void rt_alloc_init(rt_alloc_t *a, bootinfo_t *bi);
/* A free slot, or 0 when the empty region is used up. */
seL4_CPtr rt_alloc_slot_in(rt_alloc_t *a);
/* Retypes one object into a fresh slot; 0 on failure (a->last_error). */
seL4_CPtr rt_alloc_object_in(rt_alloc_t *a, seL4_Word type, seL4_Word size_bits);
/* Size in bits of an object of this type (size_bits for untyped/CNode). */
seL4_Word rt_object_size_bits(seL4_Word type, seL4_Word size_bits);
/* Takes a whole untyped of at least 2^size_bits bytes out of the allocator:
 * returns its CPtr (0 if none) and its bootinfo index in *index. */
seL4_CPtr rt_alloc_reserve_untyped(rt_alloc_t *a, seL4_Word size_bits, seL4_Word *index);
/* Maps frame at vaddr in the root VSpace, making a page table if needed. */
seL4_Error rt_map_frame_in(rt_alloc_t *a, seL4_CPtr frame, seL4_Word vaddr,
                           seL4_CapRights_t rights, seL4_X86_VMAttributes attr);
/* n fresh zeroed pages, mapped read-write at a new address, preceded by an
 * unmapped guard page; returns the address or 0. Frame caps go to
 * frames[0..n-1] if frames is not NULL. */
void *rt_map_pages_in(rt_alloc_t *a, seL4_Word n, seL4_CPtr *frames);

/* The root task's allocator, set up by crt0 before main. */
rt_alloc_t *rt_default_alloc(void);
static inline seL4_CPtr rt_alloc_slot(void)
{
    return rt_alloc_slot_in(rt_default_alloc());
}
static inline seL4_CPtr rt_alloc_object(seL4_Word type, seL4_Word size_bits)
{
    return rt_alloc_object_in(rt_default_alloc(), type, size_bits);
}
static inline void *rt_map_pages(seL4_Word n, seL4_CPtr *frames)
{
    return rt_map_pages_in(rt_default_alloc(), n, frames);
}

#endif
