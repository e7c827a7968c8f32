/*
 * What the Linux run (guest-stub/lxhost.c, lxrun.c) needs of the machine,
 * done one way under each memory policy: frames for the guest kernel and
 * its processes, address spaces, mappings, threads and slots.
 *
 * - delegated (guest-stub/lxdelegated.c): the guest makes everything
 *   itself with memmgr from the untypeds it was given;
 * - mediated (guest-stub/lxmediated.c): it holds no untyped and no paging
 *   authority, so every object and every mapping is a call to the VMM
 *   (vmm/include/vmm/guest_abi.h); a page fault in a process costs round
 *   trips to the VMM, as under Iguana.
 *
 * A frame the guest kernel uses for a process has a key (delegated: its
 * capability's CPtr times the page size; mediated: its handle times the
 * page size), and when the guest kernel reads or writes it, it is mapped
 * in the guest kernel's own space at LXB_SHADOW_BASE + the key, so copies
 * to and from processes are a memcpy. Under mediated every frame is mapped
 * there when it is made; under delegated only when the guest kernel needs
 * it (a page filled from a file, a copy, a clear, a copy to or from a
 * process): a page a process merely uses, say an anonymous page the
 * kernel's retype left zero, is only mapped in the process, with the
 * frame's own capability.
 */
#ifndef GUEST_LXBACK_H
#define GUEST_LXBACK_H

#include <stdbool.h>
#include <stdint.h>
#include <memmgr/mm.h>
#include <memmgr/vspace.h>
#include <memmgr/thread.h>
#include <rt/component.h>
#include <sel4/sel4.h>
#include <vmm/guest_abi.h>

#define LXB_SHADOW_BASE 0x50000000u     /* + a frame's key */
#define LXB_SHADOW_SPAN 0x10000000u     /* keys below 256 MiB */
#define LXB_ZERO        1u              /* frame_new: its bytes are zero */
#define LXB_SHOWN       2u              /* frame_new: mapped in the shadow already */
/* mem_free counts a page at this many capability slots (its frame's and a
 * copy's), as the VMM's room for a mediated guest does: so a mapping made
 * with a copy of a frame the guest holds costs PAGE_SIZE / this of it. */
#define LXB_SLOTS_PER_PAGE 2u

/* A process's address space as the backend keeps it. */
typedef struct lxb_space {
    struct mm_vspace vs;        /* delegated: memmgr's */
    uint32_t handle;            /* mediated: the VMM's handle */
} lxb_space_t;

/* A process's thread. */
typedef struct lxb_thread {
    struct mm_thread t;         /* delegated */
    mm_cptr_t cnode;            /* delegated: its CSpace, the badged fault endpoint in it */
    uint32_t handle;            /* mediated: the VMM's handle */
} lxb_thread_t;

typedef struct lxb_ops {
    const char *policy;         /* "delegated" or "mediated", for messages */
    mm_cptr_t root;             /* the guest kernel's CSpace root, depth 32 */
    mm_cptr_t ep;               /* every process's faults arrive here */
    /* The guest kernel's heap: a frame at va, kept to the end. */
    int (*heap_page)(uint32_t va);
    /* A frame and its key (below LXB_SHADOW_SPAN); *how says what is
     * known of it: LXB_ZERO (all zero: the kernel's retype cleared it),
     * LXB_SHOWN (mapped at LXB_SHADOW_BASE + *key already, until it is
     * freed); otherwise its bytes are whatever they were. frame_free wants
     * it unmapped from every process and, if shadow() mapped it, from the
     * shadow (unshadow). */
    int (*frame_new)(mm_cptr_t *frame, uint32_t *key, uint32_t *how);
    void (*frame_free)(mm_cptr_t frame, uint32_t key);
    /* The frame at LXB_SHADOW_BASE + key, through its own capability (own:
     * for a frame no process will map with it, such as a page-cache page,
     * which saves a slot) or a copy; *m names the mapping. NULL if
     * frame_new shows every frame (LXB_SHOWN). */
    int (*shadow)(mm_cptr_t frame, uint32_t key, bool own, uintptr_t *m);
    void (*unshadow)(uintptr_t m, bool own);
    /* Bytes it could still get for process pages: memory, and the slots
     * and records they need (delegated), or the VMM's quota and room
     * (mediated). */
    uint32_t (*mem_free)(void);
    int (*space_new)(lxb_space_t *s);
    void (*space_free)(lxb_space_t *s);
    /* frame at va in s with MM_RO or MM_RW, through its own capability
     * (own; a capability maps its frame in one place at a time, and the
     * caller knows which of its frames' are free) or a copy the backend
     * makes; *m names the mapping (not 0) for unmap and protect. */
    int (*map)(lxb_space_t *s, mm_cptr_t frame, uint32_t va, uint32_t rights, bool own,
               uintptr_t *m);
    void (*unmap)(lxb_space_t *s, uint32_t va, uintptr_t m, bool own);
    /* A copy of frame's capability for the caller to keep, map with own
     * and delete with slot_free once nothing maps it; 0 if none could be
     * had. NULL if the backend holds no capabilities (map copies). */
    mm_cptr_t (*frame_copy)(mm_cptr_t frame);
    int (*protect)(lxb_space_t *s, uint32_t va, uintptr_t m, uint32_t rights);
    /* A thread in s whose faults arrive on ep with badge, started with ctx. */
    int (*thread_new)(lxb_thread_t *t, lxb_space_t *s, uint32_t badge, uint32_t prio,
                      seL4_UserContext *ctx);
    void (*thread_free)(lxb_thread_t *t);
    void (*thread_tls)(lxb_thread_t *t, uint32_t base);
    /* The first n words of its registers (seL4_UserContext order), read or
     * written without changing whether it runs; stop and go again. */
    int (*thread_read)(lxb_thread_t *t, seL4_UserContext *ctx, uint32_t n);
    int (*thread_write)(lxb_thread_t *t, const seL4_UserContext *ctx, uint32_t n);
    int (*thread_stop)(lxb_thread_t *t);
    void (*thread_resume)(lxb_thread_t *t);
    /* An empty slot of root (for a parked call's reply capability); free
     * deletes what is in it. */
    int (*slot_new)(mm_cptr_t *slot);
    void (*slot_free)(mm_cptr_t slot);
    /* Bytes of objects it holds now (the leak check before and after). */
    uint32_t (*in_use)(void);
    /* Objects it keeps for reuse (a freed thread, an emptied address
     * space) go back; NULL if it keeps none. */
    void (*trim)(void);
    /* Before the guest refuses for want of memory: whatever it keeps for
     * reuse goes back so that anything can be made of it, and mem_free is
     * counted afresh; NULL if there is nothing to do. */
    void (*reclaim)(void);
} lxb_ops_t;

/* The backends; NULL (after saying why) if they cannot start. */
const lxb_ops_t *lxb_delegated(rt_component_info_t *info);
const lxb_ops_t *lxb_mediated(const vmm_guest_boot_t *boot);

#endif
