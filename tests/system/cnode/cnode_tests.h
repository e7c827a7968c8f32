/*
 * Shared helpers of the cnode suite: fresh objects and slots from the
 * runtime's allocator, seL4's DebugCapIdentify tags, raw invocations for
 * truncated messages, and checks of an error's message registers.
 */
#ifndef CNODE_TESTS_H
#define CNODE_TESTS_H

#include <rt/test.h>
#include <rt/thread.h>
#include <sel4/sel4.h>
#include <systest.h>

/* The suite's memory (main.c). */
extern struct st_root mem;

#define ROOT        seL4_CapInitThreadCNode
#define ROOT_VSPACE seL4_CapInitThreadVSpace
#define DEPTH       seL4_WordBits
#define ROOT_PRIO   100
#define HIGH_PRIO   150

/* seL4's ia32 capability tags, as DebugCapIdentify returns them. */
#define TAG_NULL        0x00
#define TAG_FRAME       0x01
#define TAG_UNTYPED     0x02
#define TAG_PT          0x03
#define TAG_EP          0x04
#define TAG_PD          0x05
#define TAG_NTFN        0x06
#define TAG_REPLY       0x08
#define TAG_ASID_CTRL   0x09
#define TAG_CNODE       0x0a
#define TAG_ASID_POOL   0x0b
#define TAG_TCB         0x0c
#define TAG_IRQ_CTRL    0x0e
#define TAG_DOMAIN      0x3e
#define TAG_IOPORT_CTRL 0x7f

#define ident(c)    seL4_DebugCapIdentify(c)
#define ALL         seL4_AllRights
#define NO_BADGE    0

/* FailedLookup with the source flag and lookup failure type in MR0/MR1. */
#define EXPECT_LOOKUP(err, src, type) do { \
        EXPECT_ERR(err, seL4_FailedLookup); \
        EXPECT_EQ(seL4_GetMR(0), src); \
        EXPECT_EQ(seL4_GetMR(1), type); \
    } while (0)

#define EXPECT_RANGE(err, lo, hi) do { \
        EXPECT_ERR(err, seL4_RangeError); \
        EXPECT_EQ(seL4_GetMR(0), lo); \
        EXPECT_EQ(seL4_GetMR(1), hi); \
    } while (0)


seL4_CPtr obj(seL4_Word type);
seL4_CPtr slot(void);
/* Copy into a fresh slot of the root CNode (0 on failure); Mint: st_mint. */
seL4_CPtr copy_of(seL4_CPtr src, seL4_CapRights_t rights);
seL4_Error copy_into(seL4_CPtr dest, seL4_CPtr src, seL4_CapRights_t rights);
/* A CNode invocation with the words mrs[0..len) and n_caps extra caps, as
 * the wrappers send it but with any length. */
seL4_Error cnode_raw(seL4_CPtr cnode, seL4_Word label, seL4_Word len, const seL4_Word *mrs,
                     seL4_Word n_caps, seL4_CPtr cap0, seL4_CPtr cap1);
/* Physical address of a frame (0 if the cap is no frame). */
seL4_Word frame_paddr(seL4_CPtr frame);

void copy_tests(void);
void rotate_tests(void);
void ops_tests(void);

#endif
