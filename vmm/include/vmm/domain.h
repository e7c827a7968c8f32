/*
 * A domain is one guest partition as the VMM built it: the kernel objects
 * it is made of (CSpace, page directory with an ASID, TCB), the memory it
 * was given under its policy, and the frames of its image and boot pages.
 * The VMM keeps a capability to everything it made, so destroying a domain
 * gives every byte back: its untypeds are revoked (everything the guest
 * built in them goes, wherever the capabilities went) and the objects the
 * VMM made for it are freed to the VMM's struct mm.
 */
#ifndef VMM_DOMAIN_H
#define VMM_DOMAIN_H

#include <memmgr/mm.h>
#include <memmgr/vspace.h>
#include <vmm/config.h>
#include <vmm/guest_abi.h>
#include <vmm/mediate_check.h>

#define DOMAIN_MAX_FRAMES   512     /* image, stack, IPC buffer, boot page */
#define DOMAIN_MAX_INITRD   (1u << VMM_L2_BITS)    /* initrd pages: 32 MiB */
#define DOMAIN_PT_PAGES     1024u   /* 4 KiB pages one ia32 page table maps (Intel SDM 4.3) */
#define DOMAIN_INITRD_PTS   (DOMAIN_MAX_INITRD / DOMAIN_PT_PAGES)  /* page tables it needs */
#define DOMAIN_MAX_UTS      16      /* untypeds: memory as a sum of powers of two */
#define DOMAIN_MAX_HANDLES  8192    /* mediated: objects, spaces, threads it has */
#define DOMAIN_MAX_SPACES   32      /* mediated: address spaces of its processes */
/* The VMM's CSpace is two-level (vmm/domain.c): a top CNode of
 * 2^VMM_L1_BITS slots, the boot CNode (2^VMM_L2_BITS) in slot 0; in slot
 * VMM_L1_MEDIATED(i) a CNode of guest i's under mediated, for its objects and
 * their mappings in its processes (a slot per 2 KiB of its quota, within
 * bounds), in VMM_L1_INITRD(i) one for the copies of its initrd's frames. */
#define VMM_L1_BITS         5u
#define VMM_L2_BITS         13u     /* the kernel's root CNode size */
#define VMM_L1_MEDIATED(i)  (1u + (i))
#define VMM_L1_INITRD(i)    (1u + VMM_MAX_GUESTS + (i))
#define DOMAIN_MED_MIN_BITS 9u
#define DOMAIN_MED_SLOT_SHIFT 11u   /* 2 KiB */
#define DOMAIN_MED_SLOTS_MAX (1u << VMM_L2_BITS)
#define DOMAIN_MED_META     (512u * 1024u)  /* its struct mm's records */
#define DOMAIN_LINE_MAX     160     /* one line of guest output; longer ones are split */
#define VMM_META_BYTES      (160u * 1024u)
#define DOMAIN_MAX_LINK_CAPS 1024   /* shared-memory frame copies and the like */
#define VMM_MAX_SHM_FRAMES  1024    /* frames of all shared-memory channels */
#define VMM_INPUT_QUEUE     512     /* COM1 bytes read but not yet consumed */

/* The VMM's own windows on frames, all but the last in the 4 MiB that the
 * page table vmm_t.keeper (made and mapped by vmm_init()) covers:
 * SCRATCH is where domain.c fills a new frame; INPUT + 4 KiB * i is guest
 * i's input ring (vmm/input.c); DIGEST and DIGEST_LARGE (4 MiB aligned, no
 * page table) are where vmm/digest.c maps a read-only copy of a guest's
 * frame. */
#define VMM_SCRATCH_VADDR       0x5f000000u
#define VMM_INPUT_WINDOW        0x5f002000u     /* VMM_MAX_GUESTS pages */
#define VMM_DIGEST_VADDR        0x5f010000u
#define VMM_DIGEST_LARGE_VADDR  0x5f400000u
#define VMM_PT_SPAN             (1u << 22)      /* what one page table maps: 4 MiB */
_Static_assert(VMM_SCRATCH_VADDR % VMM_PT_SPAN == 0 &&
               VMM_DIGEST_VADDR < VMM_SCRATCH_VADDR + VMM_PT_SPAN,
               "the windows but the large one share the page table vmm_init() makes");
_Static_assert(VMM_INPUT_WINDOW + VMM_MAX_GUESTS * 4096u <= VMM_DIGEST_VADDR,
               "the input rings' windows end before the digest's");

/* What the VMM keeps for a mediated guest: its handle table, the frame
 * each mapping copy is of, its struct mm's records. Not in the VMM's image:
 * vmm_init() maps one, of frames from its own pool, at VMM_MED_WINDOW +
 * i * VMM_MED_STRIDE for each guest i the configuration makes mediated, and
 * keeps it while the VMM runs (destroy and restart reuse it). */
typedef struct vmm_med_state {
    med_obj_t handle[DOMAIN_MAX_HANDLES];   /* handle h is entry h - 1 */
    uint16_t copy_of[DOMAIN_MED_SLOTS_MAX]; /* a mapping copy's frame handle, by slot */
    uint8_t meta[DOMAIN_MED_META];
} vmm_med_state_t;

#define VMM_MED_WINDOW          0x5e000000u
#define VMM_MED_STRIDE          (1u << 20)      /* 1 MiB a guest */
#define VMM_MED_PTS             (VMM_MAX_GUESTS * VMM_MED_STRIDE / VMM_PT_SPAN)
_Static_assert(sizeof(vmm_med_state_t) <= VMM_MED_STRIDE &&
               sizeof(vmm_med_state_t) <= VMM_MEDIATED_OVERHEAD,
               "a mediated guest's state fits its window and what config.c counts for it");
_Static_assert(VMM_MED_WINDOW % VMM_PT_SPAN == 0 &&
               VMM_MED_WINDOW + VMM_MAX_GUESTS * VMM_MED_STRIDE <= VMM_SCRATCH_VADDR,
               "the mediated guests' windows are whole page tables' below the scratch window");

typedef enum domain_state {
    DOMAIN_EMPTY,           /* never built, or destroyed */
    DOMAIN_RUNNING,
    DOMAIN_EXITED,          /* said it is done (VMM_CALL_EXIT) */
    DOMAIN_CRASHED,         /* faulted: stopped and reported */
} domain_state_t;

typedef struct vmm_domain {
    const vmm_guest_t *g;
    uint32_t index;
    domain_state_t state;
    int exit_status;
    struct mm_vspace vs;
    mm_cptr_t cnode, tcb, asid_pool, asid_ut;
    uint32_t n_uts;
    mm_cptr_t ut[DOMAIN_MAX_UTS];
    uint32_t ut_bits[DOMAIN_MAX_UTS], ut_paddr[DOMAIN_MAX_UTS];
    mm_cptr_t ipc_frame;
    uint32_t n_frames;
    mm_cptr_t frame[DOMAIN_MAX_FRAMES];
    uint32_t n_initrd;
    mm_cptr_t initrd_cnode;                 /* the copies of its initrd's frames */
    uint32_t n_initrd_pts;
    mm_cptr_t initrd_pt[DOMAIN_INITRD_PTS]; /* the page tables they are mapped through */
    /* mediated: the VMM's own owner for the guest's quota */
    struct mm med;
    uint32_t n_handles;                     /* entries of handle[] in use */
    uint32_t handle_hint;                   /* no free entry below this one */
    mm_cptr_t med_slots;                    /* CPtr of its CNode's slot 0 */
    mm_cptr_t med_cnode;                    /* that CNode, in the VMM's boot CNode */
    uint32_t med_bits;                      /* its size */
    vmm_med_state_t *ms;                    /* its handles and records (vmm_init()) */
    struct mm_vspace space[DOMAIN_MAX_SPACES];  /* its processes'; .mm NULL: free */
    uint32_t n_links;
    vmm_guest_link_t link[VMM_BOOT_MAX_LINKS];  /* its channels and devices, for its boot page */
    uint32_t n_link_caps;
    mm_cptr_t link_cap[DOMAIN_MAX_LINK_CAPS];   /* VMM copies mapped or copied into it */
    uint64_t granted;                       /* bytes of untypeds (quota under mediated) */
    uint64_t vmm_bytes;                     /* the VMM's objects for it */
    /* mediated: its VSpace as its quota's owner sees it, so the page tables
     * its own mappings need come from its quota (vmm/mediate.c) */
    struct mm_vspace med_vs;
    /* console input (vmm/input.c): the ring page, the VMM's mapping of it,
     * the copy mapped in the guest, the notification */
    mm_cptr_t input_frame, input_copy, input_ntfn;
    vmm_input_ring_t *input;
    uint32_t input_dropped;                 /* bytes lost to a full ring */
    /* VMM_CALL_USAGE: what the guest last said; only its claim */
    bool claimed;
    uint32_t claim_used, claim_free;
    char line[DOMAIN_LINE_MAX + 1];
    uint32_t line_len;
} vmm_domain_t;

typedef struct vmm {
    const vmm_config_t *cfg;
    struct mm mm;                   /* the VMM's memory: every guest is built from it */
    struct mm_vspace local;         /* the VMM's own address space */
    mm_cptr_t ep;                   /* the endpoint guests Call and fault to */
    mm_cptr_t keeper;               /* the page table of its windows (scratch, input, digest) */
    mm_cptr_t med_pt[VMM_MED_PTS];  /* the page tables of the mediated guests' windows */
    vmm_med_state_t *med_state[VMM_MAX_GUESTS];     /* NULL: not mediated */
    mm_cptr_t l1, l1_obj;           /* its CSpace root (guarded) and the CNode's own cap */
    uint64_t t_start;               /* time-stamp at the VMM's start (benchmarks) */
    uint64_t t_config;              /* time-stamps vmm_config_read() took */
    vmm_domain_t dom[VMM_MAX_GUESTS];
    /* the channels' and devices' objects, made once, attached to each guest */
    mm_cptr_t chan_first[VMM_MAX_CHANNELS];     /* shm: index into shm; endpoint: its cap */
    uint32_t n_shm;
    mm_cptr_t shm[VMM_MAX_SHM_FRAMES];
    mm_cptr_t ports[VMM_MAX_DEVICES][VMM_MAX_PORT_RANGES];
    /* interrupt lines: a handler per line, a notification per guest with any */
    mm_cptr_t irq[VMM_MAX_DEVICES][VMM_MAX_IRQS];
    mm_cptr_t irq_badged[VMM_MAX_DEVICES][VMM_MAX_IRQS];   /* what each line signals */
    uint32_t irq_badge[VMM_MAX_DEVICES][VMM_MAX_IRQS];     /* its bit for the guest */
    mm_cptr_t irq_ntfn[VMM_MAX_GUESTS];     /* one per guest with any line */
    uint32_t irq_lines[VMM_MAX_GUESTS];     /* lines given out so far, per guest */
    /* COM1 input (vmm/input.c): ports, IRQ handler, the notification bound
     * to the VMM's TCB, and the bytes read but not yet consumed */
    bool in_open;
    mm_cptr_t in_port, in_irq, in_ntfn, in_badged;
    uint32_t in_head, in_tail, in_escapes, in_dropped;
    uint8_t in_buf[VMM_INPUT_QUEUE];
    uint8_t meta[VMM_META_BYTES];
    uint32_t tsc_mhz;           /* the kernel's measure at boot, told to every guest */
} vmm_t;

/* Takes the VMM's untypeds and slots from bootinfo; makes its endpoint. */
mm_err_t vmm_init(vmm_t *v, const vmm_config_t *cfg);
/* Builds guest i (not started); on failure nothing of it is left. */
mm_err_t domain_build(vmm_t *v, uint32_t i);
/* Starts a built guest. */
mm_err_t domain_start(vmm_t *v, uint32_t i);
/* Makes the channels' and devices' objects (once, before any guest). */
mm_err_t links_make(vmm_t *v);
/* Gives guest i its channels and devices (before its boot page is written). */
mm_err_t links_attach(vmm_t *v, vmm_domain_t *d);
/* Stops guest i and gives back everything it had. */
void domain_destroy(vmm_t *v, uint32_t i);
/* Bytes free in the VMM's pool (free + pooled + dead: all it can reuse). */
uint64_t vmm_free_bytes(const vmm_t *v);

/* Badges of the VMM's endpoint: guest index + 1, and a bit for faults;
 * the notification bound to the VMM's TCB signals COM1 input with its own. */
#define VMM_BADGE_FAULT     0x100u
#define VMM_BADGE_INPUT     0x10000u
#define VMM_BADGE_GUEST(b)  (((b) & 0xffu) - 1u)

#endif
