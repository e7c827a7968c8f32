/*
 * What SYS_DEBUG_CHECK_INVARIANTS (seL4_DebugCheckInvariants) returns in
 * EAX: 0 when every invariant holds, otherwise the code of the first
 * violation the checker found; a release kernel, which has no checker,
 * returns INV_NOT_CHECKED. Our extension, not seL4's.
 *
 * A code is (invariant << 8) | check: the high byte is the number of the
 * invariant in ../shared/design/memory-model.md ("Invariants the kernel
 * keeps"), the low byte which of its checks failed. The kernel also prints
 * one line per violation on the console,
 *
 *     INVARIANT VIOLATED 0x503: <what, with addresses>
 *
 * and does not panic, so a test can see the value (and the system test
 * harness fails any run whose log shows such a line). Only the first
 * violation's code is returned; the checker stops at the end of the phase
 * in which it found one, since later phases may follow the broken links.
 */
#ifndef ABI_INVARIANT_H
#define ABI_INVARIANT_H

#define INV_CODE(invariant, check)   (((invariant) << 8) | (check))

#define INV_NONE                     0
/* A release kernel (CONFIG_DEBUG=0) has no checker and returns this. */
#define INV_NOT_CHECKED              INV_CODE(0, 1)

/* 1: objects are disjoint and lie inside their untyped. */
#define INV_OBJECT_OVERLAP           INV_CODE(1, 1)  /* two caps name overlapping objects */
#define INV_OBJECT_OUTSIDE_UNTYPED   INV_CODE(1, 2)  /* above a watermark, or in no untyped */
#define INV_OBJECT_OUTSIDE_WINDOW    INV_CODE(1, 3)  /* kernel object beyond the kernel window */

/* 2: the derivation tree. */
#define INV_CDT_LINKS                INV_CODE(2, 1)  /* cycle, asymmetric link, linked empty slot */
#define INV_CDT_UNTYPED_DESCENT      INV_CODE(2, 2)  /* a cap inside an untyped not below it */
#define INV_CDT_REGISTRY             INV_CODE(2, 3)  /* a list the checker cannot reach */

/* 3: user mappings. */
#define INV_MAPPING_UNRECORDED       INV_CODE(3, 1)  /* present entry no live cap records */
#define INV_MAPPING_TARGET           INV_CODE(3, 2)  /* entry reaches kernel or non-user frame */
#define INV_MAPPING_CAP_FRAME_TYPE   INV_CODE(3, 3)  /* frame or paging cap vs frame-type table */

/* 4: the kernel half of every page directory. */
#define INV_KERNEL_HALF              INV_CODE(4, 1)

/* 5: kernel structures point only at live objects of the right type. */
#define INV_READY_QUEUE              INV_CODE(5, 1)  /* links, states, bitmaps, dead TCB */
#define INV_CURRENT_THREAD           INV_CODE(5, 2)  /* current or idle thread */
#define INV_EP_QUEUE                 INV_CODE(5, 3)  /* endpoint queue: dead, wrong state, links */
#define INV_NTFN_QUEUE               INV_CODE(5, 4)  /* notification queue, same */
#define INV_BLOCKED_THREAD           INV_CODE(5, 5)  /* blocked thread not on its object's queue */
#define INV_BOUND_NTFN               INV_CODE(5, 6)  /* TCB and notification disagree on binding */
#define INV_REPLY_CAP                INV_CODE(5, 7)  /* reply, caller slot or reply-cap target */
#define INV_IRQ_TABLE                INV_CODE(5, 8)  /* IRQ handler names no live notification */
#define INV_ASID_TABLE               INV_CODE(5, 9)  /* pools and PDs under the ASID table */

/* 7: CR3 and page-directory entries. */
#define INV_CR3                      INV_CODE(7, 1)
#define INV_PAGE_TABLE_ENTRY         INV_CODE(7, 2)  /* PDE names something not a page table */

/* 8: reserved memory. */
#define INV_RESERVED_MEMORY          INV_CODE(8, 1)  /* an untyped covers reserved memory */

/* Not in memory-model.md: the issued I/O-port bitmap agrees with the caps. */
#define INV_IO_PORTS                 INV_CODE(10, 1)

#endif
