/*
 * Shared helpers of the memmgr suite: one parent struct mm over an
 * untyped the root task's struct mm hands out whole, children made
 * from untypeds it delegates, and the kernel's view of a capability.
 */
#ifndef MEMMGR_TESTS_H
#define MEMMGR_TESTS_H

#include <memmgr/mm.h>
#include <memmgr/vspace.h>
#include <rt/test.h>
#include <sel4/sel4.h>
#include <systest.h>

#define ROOT        seL4_CapInitThreadCNode
#define DEPTH       seL4_WordBits
#define PAGE        ((seL4_Word)1 << seL4_PageBits)
#define META_BYTES  (192u * 1024u)
#define MAX_UTS     1024u

#define TAG_NULL    0x00
#define TAG_FRAME   0x01
#define TAG_UNTYPED 0x02
#define TAG_EP      0x04
#define TAG_TCB     0x0c
#define ident(c)    seL4_DebugCapIdentify(c)

/* A child owner: an untyped of 2^bits from the parent and n root slots. */
struct child {
    struct mm mm;
    mm_cptr_t ut;
    uint32_t bits, paddr;
    seL4_CPtr first;            /* its slot window, kept for the next use */
    uint32_t nslots;
    uint8_t meta[META_BYTES];
};

extern struct st_root mem;    /* the root task's memory (main.c) */
extern struct mm parent;
int child_make(struct child *c, uint32_t bits, uint32_t slots);
/* Gives the child's untyped back to the parent (it must be released). */
void child_done(struct child *c);
/* The untyped has no children: a whole-size retype succeeds. */
int untyped_whole(mm_cptr_t ut, uint32_t bits);
uint32_t frame_paddr(mm_cptr_t frame);

void alloc_tests(void);
void vspace_tests(void);
void process_tests(void);
void cspace_tests(void);
void device_tests(const bootinfo_t *bi);
void thread_tests(void);

#endif
