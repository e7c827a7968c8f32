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
 * Either way a frame the guest kernel uses for a process is also mapped in
 * its own space at LXB_SHADOW_BASE + its key (delegated: its physical
 * address; mediated: its handle times the page size), so copies to and
 * from processes are a memcpy.
 */
#ifndef GUEST_LXBACK_H
#define GUEST_LXBACK_H

#include <stdint.h>
#include <memmgr/mm.h>
#include <memmgr/vspace.h>
#include <memmgr/thread.h>
#include <rt/component.h>
#include <sel4/sel4.h>
#include <vmm/guest_abi.h>

#define LXB_SHADOW_BASE 0x50000000u     /* + a frame's key */
#define LXB_SHADOW_SPAN 0x10000000u     /* keys below 256 MiB */

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
    /* A frame mapped in the guest kernel at LXB_SHADOW_BASE + *key; its
     * contents are whatever they were. */
    int (*frame_new)(mm_cptr_t *frame, uint32_t *key);
    void (*frame_free)(mm_cptr_t frame, uint32_t key);
    /* Bytes it could still get. */
    uint32_t (*mem_free)(void);
    int (*space_new)(lxb_space_t *s);
    void (*space_free)(lxb_space_t *s);
    /* frame at va in s with MM_RO or MM_RW; *copy names the mapping (not 0) */
    int (*map)(lxb_space_t *s, mm_cptr_t frame, uint32_t va, uint32_t rights, mm_cptr_t *copy);
    void (*unmap)(lxb_space_t *s, uint32_t va, mm_cptr_t copy);
    int (*protect)(lxb_space_t *s, uint32_t va, uint32_t rights);
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
} lxb_ops_t;

/* The backends; NULL (after saying why) if they cannot start. */
const lxb_ops_t *lxb_delegated(rt_component_info_t *info);
const lxb_ops_t *lxb_mediated(const vmm_guest_boot_t *boot);

#endif
