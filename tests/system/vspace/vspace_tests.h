/*
 * Shared helpers of the vspace suite: fresh objects and slots from the
 * runtime's allocator, a private 4 MiB-aligned address region per test,
 * mapping with page tables made on demand, and running a function in a
 * second thread whose faults come back to us as fault messages.
 */
#ifndef VSPACE_TESTS_H
#define VSPACE_TESTS_H

#include <rt/test.h>
#include <sel4/sel4.h>
#include <systest.h>

/* The suite's memory (main.c). */
extern struct st_root mem;

#define PAGE            ((seL4_Word)1 << seL4_PageBits)
#define LARGE_PAGE      ((seL4_Word)1 << seL4_LargePageBits)
#define ROOT_CNODE      seL4_CapInitThreadCNode
#define ROOT_VSPACE     seL4_CapInitThreadVSpace
#define CPTR_DEPTH      seL4_WordBits
#define DEFAULT_ATTR    seL4_X86_Default_VMAttributes

/* A fresh object (test fails fatally in the caller when 0). */
seL4_CPtr obj(seL4_Word type);
/* A fresh 4 MiB-aligned, 4 MiB-long range of the root VSpace, unused so far. */
seL4_Word region(void);
/* Map frame at v in the root VSpace, making a page table when needed. */
seL4_Error map_page(seL4_CPtr frame, seL4_Word v, seL4_CapRights_t rights);
/* Copy a capability into a fresh slot (0 on failure). */
seL4_CPtr copy_cap(seL4_CPtr src);
seL4_Error delete_cap(seL4_CPtr slot);

/* What a thread's fault told its handler. */
typedef struct fault_report {
    seL4_Word label;            /* seL4_Fault_* (0 if no fault came) */
    seL4_Word ip, addr, prefetch, fsr;
} fault_report_t;

/* Runs fn(arg) in a new thread of the root task's CSpace and VSpace and
 * waits for its fault (or its end: fn returning signals a null report). */
void run_and_catch_fault(void (*fn)(void *), void *arg, fault_report_t *out);

/* x86 page-fault error code bits (Intel SDM 4.7). */
#define PF_PRESENT      0x1u
#define PF_WRITE        0x2u
#define PF_USER         0x4u

void frame_tests(void);
void fault_tests(void);
void asid_tests(void);
void ioport_tests(void);
void arch_invoke_tests(void);
void revoke_tests(bootinfo_t *bi);

#endif
