/*
 * Shared helpers of the untyped suite: private untypeds carved from one
 * untyped that memmgr hands out whole and never touches again, retype
 * into fresh root slots, seL4's DebugCapIdentify tags, error checks.
 */
#ifndef UNTYPED_TESTS_H
#define UNTYPED_TESTS_H

#include <rt/test.h>
#include <sel4/sel4.h>
#include <systest.h>

#define ROOT        seL4_CapInitThreadCNode
#define ROOT_VSPACE seL4_CapInitThreadVSpace
#define DEPTH       seL4_WordBits
#define PAGE        ((seL4_Word)1 << seL4_PageBits)
#define LARGE_PAGE  ((seL4_Word)1 << seL4_LargePageBits)
/* The end of the physical memory the kernel window maps (508 MiB). */
#define WINDOW_TOP  0x1fc00000u

#define TAG_NULL    0x00
#define TAG_FRAME   0x01
#define TAG_UNTYPED 0x02
#define TAG_PT      0x03
#define TAG_EP      0x04
#define TAG_PD      0x05
#define TAG_NTFN    0x06
#define TAG_CNODE   0x0a
#define TAG_TCB     0x0c

/* The suite's memory (main.c). */
extern struct st_root mem;

#define ident(c)    seL4_DebugCapIdentify(c)

#define EXPECT_RANGE(err, lo, hi) do { \
        EXPECT_ERR(err, seL4_RangeError); \
        EXPECT_EQ(seL4_GetMR(0), lo); \
        EXPECT_EQ(seL4_GetMR(1), hi); \
    } while (0)
#define EXPECT_LOOKUP(err, src, type) do { \
        EXPECT_ERR(err, seL4_FailedLookup); \
        EXPECT_EQ(seL4_GetMR(0), src); \
        EXPECT_EQ(seL4_GetMR(1), type); \
    } while (0)
#define EXPECT_ARG(err, n) do { \
        EXPECT_ERR(err, seL4_InvalidArgument); \
        EXPECT_EQ(seL4_GetMR(0), n); \
    } while (0)
#define EXPECT_MEMORY(err, left) do { \
        EXPECT_ERR(err, seL4_NotEnoughMemory); \
        EXPECT_EQ(seL4_GetMR(0), left); \
    } while (0)

/* A fresh untyped of 2^bits bytes of RAM inside the kernel window, made
 * from this suite's private pool (0 if the pool is used up). */
seL4_CPtr fresh_untyped(seL4_Word bits);
/* n consecutive free slots of the root CNode; returns the first. */
seL4_CPtr slots(seL4_Word n);
/* Retype one object of type/size into a fresh root slot (0 on failure,
 * the error in *err if err is not NULL). */
seL4_CPtr retype_one(seL4_CPtr ut, seL4_Word type, seL4_Word size_bits, seL4_Error *err);
seL4_Error retype_at(seL4_CPtr ut, seL4_Word type, seL4_Word size_bits, seL4_CPtr first,
                     seL4_Word n);
seL4_Word frame_paddr(seL4_CPtr frame);
/* Maps frame at a fresh address of the root VSpace (0 on failure). */
volatile seL4_Word *map_frame(seL4_CPtr frame);
/* Index of the first bootinfo untyped matching want(desc), -1 if none.
 * Only device untypeds are free to use: memmgr holds the RAM ones. */
int find_boot_untyped(int (*want)(const seL4_UntypedDesc *d));

void retype_tests(void);
void watermark_tests(void);
void derivation_tests(void);
void memory_kind_tests(void);

#endif
