/*
 * What a guest kernel and the VMM agree on: where the guest finds its boot
 * description, which capabilities sit in which slot of its CSpace, and the
 * calls it makes to the VMM over its service endpoint.
 *
 * A guest starts as a component (user/include/rt/component.h): EBX points
 * at an rt_component_info_t in its boot page, whose `arg` is the address of
 * the vmm_guest_boot_t that follows it in the same page.
 *
 * Calls (seL4_Call on VMM_SLOT_SERVICE; the label says which, the reply's
 * label is an seL4_Error, details in MR0..). The VMM only replies: a guest
 * that never calls costs it nothing, and nothing a guest sends reaches
 * libfdt or the ELF loader. The mediated calls exist for guests under the
 * mediated policy (others get seL4_IllegalOperation): the VMM makes every
 * object from the guest's quota, keeps the capability and returns a handle.
 *
 *   VMM_CALL_WRITE  MR0 = n bytes, MR1.. the bytes, 4 per word        -> -
 *   VMM_CALL_EXIT   MR0 = status: the guest is done (it stays, halted)  -> (no reply)
 *   VMM_CALL_BENCH  MR0/MR1 = value (low, high), MR2 = flags, MR3.. the name, 4 bytes per
 *                   word, NUL-padded: the VMM prints "BENCH <name> <value>"; with
 *                   VMM_BENCH_SINCE_START the value is a time-stamp and the VMM prints it
 *                   less its own start                                  -> -
 *   VMM_CALL_ALLOC  MR0 = object type, MR1 = size bits                  -> MR0 = handle
 *   VMM_CALL_MAP    MR0 = handle of a frame, MR1 = vaddr, MR2 = rights  -> -
 *   VMM_CALL_UNMAP  MR0 = vaddr                                         -> -
 *   VMM_CALL_FREE   MR0 = handle                                        -> -
 *   VMM_CALL_QUERY       -> MR0 = quota, MR1 = bytes used, MR2 = pages it can still keep for
 *                        the guest's processes whatever the quota (handles, slots, records)
 *
 * Under mediated the guest's own processes are the VMM's objects too (the
 * guest kernel holds none of their capabilities): an address space is a
 * page directory with an ASID, a thread a TCB in one of them whose faults
 * go to an endpoint of the guest's (badged as the guest asks), and a
 * frame may be mapped into a process as well as into the guest itself.
 * Every page table, page directory, TCB and the CNode a thread's fault
 * capability sits in comes from the guest's quota (docs/vmm.md):
 *
 *   VMM_CALL_SPACE                                     -> MR0 = handle
 *   VMM_CALL_SPACE_MAP   MR0 = space, MR1 = frame, MR2 = vaddr, MR3 = rights -> -
 *   VMM_CALL_SPACE_UNMAP MR0 = space, MR1 = vaddr                            -> -
 *   VMM_CALL_SPACE_PROTECT MR0 = space, MR1 = vaddr, MR2 = rights            -> -
 *   VMM_CALL_THREAD      MR0 = space, MR1 = endpoint, MR2 = badge, MR3 = priority
 *                        (at most the guest's): a stopped thread       -> MR0 = handle
 *   VMM_CALL_THREAD_START MR0 = thread, MR1..MR12 = seL4_UserContext: its
 *                        registers, then it runs                        -> -
 *   VMM_CALL_THREAD_READ MR0 = thread                    -> MR0..MR11 = seL4_UserContext
 *   VMM_CALL_THREAD_STOP MR0 = thread: suspended                           -> -
 *   VMM_CALL_THREAD_WRITE MR0 = thread, MR1 = n (1..12), MR2.. the first n words
 *                        of its seL4_UserContext; it stays as it is (stopped or not) -> -
 *   VMM_CALL_THREAD_RESUME MR0 = thread: runs again                         -> -
 *   VMM_CALL_THREAD_TLS  MR0 = thread, MR1 = TLS base (GDT entry 7)         -> -
 *   VMM_CALL_EP_GIVE     MR0 = endpoint, MR1 = empty slot of the guest's CNode
 *                        at or above VMM_SLOT_FIRST_FREE: a copy there that may
 *                        only Receive (no Grant, no Send)                   -> -
 *   VMM_CALL_FREE        works on every handle; a frame still mapped in a
 *                        process and a space with a thread are refused
 *                        (seL4_DeleteFirst)
 *   VMM_CALL_USAGE  MR0 = bytes the guest says it uses, MR1 = bytes it says are
 *                   free: kept as the guest's claim for `list` (any policy)   -> -
 *
 * Console input (`console <guest>` on the VMM's console) reaches a guest
 * through a page and a notification, so the VMM never waits for a guest:
 * the VMM appends bytes to the ring (vmm_input_ring_t at
 * VMM_GUEST_INPUT_VADDR) and Signals the notification in
 * VMM_SLOT_INPUT_NTFN (the guest may only Wait on it); the guest takes
 * bytes and advances `tail`. A full ring drops bytes: the VMM never waits.
 *
 * Interrupt lines of its devices: one IRQHandler capability per line (at
 * VMM_SLOT_IRQ0 on, in configuration order; the guest may Ack it), and
 * one notification in VMM_SLOT_IRQ_NTFN (Wait only) that every line of
 * the guest signals with its own bit (the link's flags). The kernel masks a
 * line when it fires until the guest Acks it.
 */
#ifndef VMM_GUEST_ABI_H
#define VMM_GUEST_ABI_H

#include <stdint.h>

/* The guest's address space (below the kernel window, away from images). */
#define VMM_GUEST_STACK_VADDR   0x7f000000u   /* stack pages; one unmapped guard below */
#define VMM_GUEST_STACK_PAGES   4u
#define VMM_GUEST_IPC_VADDR     0x7f010000u   /* IPC buffer, then TLS area, one page */
#define VMM_GUEST_BOOT_VADDR    0x7f020000u   /* rt_component_info_t + vmm_guest_boot_t */
#define VMM_GUEST_INITRD_VADDR  0x60000000u   /* initrd, read-only */
#define VMM_GUEST_FREE_VADDR    0x40000000u   /* the guest's own from here to the initrd */
#define VMM_GUEST_SHM_VADDR     0x7e000000u   /* shared memory, channels one after another */
#define VMM_GUEST_SHM_END       0x7f000000u
#define VMM_GUEST_INPUT_VADDR   0x7f030000u   /* console input ring, one page */

/* Slots of the guest's root CNode (2^VMM_GUEST_CNODE_BITS slots; CPtrs at
 * depth 32: the root capability has a guard of the remaining bits, 0). */
#define VMM_GUEST_CNODE_BITS    10u
#define VMM_SLOT_TCB            1u      /* its TCB */
#define VMM_SLOT_CNODE          2u      /* its CSpace root */
#define VMM_SLOT_VSPACE         3u      /* its page directory (not under mediated) */
#define VMM_SLOT_ASID_POOL      4u      /* its ASID pool (own pool, not under mediated) */
#define VMM_SLOT_FAULT          5u      /* the VMM's endpoint, badged: its faults */
#define VMM_SLOT_SERVICE        6u      /* the VMM's endpoint, badged: its calls */
#define VMM_SLOT_CHANNEL0       8u      /* endpoint channel k at slot 8 + k */
#define VMM_SLOT_DEVICE0        40u     /* I/O port ranges, in configuration order (32) */
#define VMM_SLOT_UNTYPED0       24u     /* its untypeds (delegated, balloon, unaccounted) */
#define VMM_SLOT_INPUT_NTFN     72u     /* console input: Signalled by the VMM, Wait only */
#define VMM_SLOT_IRQ_NTFN       73u     /* its interrupt lines' notification, Wait only */
#define VMM_SLOT_IRQ0           80u     /* IRQ handlers, a line each, in configuration order (32) */
#define VMM_SLOT_FIRST_FREE     128u    /* the rest is its own */

enum vmm_call {
    VMM_CALL_WRITE = 1,
    VMM_CALL_EXIT,
    VMM_CALL_BENCH,
    VMM_CALL_USAGE,
    VMM_CALL_ALLOC = 16,
    VMM_CALL_MAP,
    VMM_CALL_UNMAP,
    VMM_CALL_FREE,
    VMM_CALL_QUERY,
    VMM_CALL_SPACE = 32,
    VMM_CALL_SPACE_MAP,
    VMM_CALL_SPACE_UNMAP,
    VMM_CALL_SPACE_PROTECT,
    VMM_CALL_THREAD,
    VMM_CALL_THREAD_START,
    VMM_CALL_THREAD_READ,
    VMM_CALL_THREAD_STOP,
    VMM_CALL_THREAD_TLS,
    VMM_CALL_EP_GIVE,
    VMM_CALL_THREAD_WRITE,
    VMM_CALL_THREAD_RESUME,
};

/* Under mediated: process addresses a SPACE_MAP may name (below the kernel
 * window), words of a THREAD_START/READ context, highest badge. */
#define VMM_PROC_VADDR_END      0xe0000000u
#define VMM_CONTEXT_WORDS       12u     /* seL4_UserContext: eip .. gs_base */
#define VMM_BADGE_MAX           0x0fffffffu     /* 28 bits of badge */

#define VMM_WRITE_MAX_BYTES     100u    /* per VMM_CALL_WRITE: 25 message registers */
#define VMM_BENCH_NAME_MAX      32u     /* bytes of a VMM_CALL_BENCH name: 8 registers */
#define VMM_BENCH_SINCE_START   1u
#define VMM_GUEST_BOOT_MAGIC    0x76676273u     /* "vgbs" */

#define VMM_BOOT_MAX_LINKS      16u

/* A channel or device as the guest sees it. */
typedef struct vmm_guest_link {
    char name[24];
    uint32_t kind;              /* VMM_LINK_* */
    uint32_t where;             /* shared memory: vaddr; endpoint, ports: CSpace slot */
    uint32_t size;              /* shared memory: bytes; ports: first port */
    uint32_t flags;             /* shared memory: writable; endpoint: 1 = server; ports: count */
} vmm_guest_link_t;

/* An interrupt line: where = its IRQHandler's slot, size = the line, flags =
 * its bit in the word Wait on VMM_SLOT_IRQ_NTFN returns. */
enum vmm_link_kind { VMM_LINK_SHM = 1, VMM_LINK_ENDPOINT, VMM_LINK_PORTS, VMM_LINK_IRQ };

/* Console input: byte n is data[n % VMM_INPUT_RING_BYTES]; bytes
 * [tail, head) are waiting. The VMM only writes head and data, the guest
 * only tail; the VMM treats a tail it cannot believe (head - tail above
 * the size) as a full ring, which only costs that guest its input. */
#define VMM_INPUT_RING_BYTES    2048u
typedef struct vmm_input_ring {
    volatile uint32_t head;     /* bytes the VMM has put in, ever */
    volatile uint32_t tail;     /* bytes the guest has taken, ever */
    volatile uint8_t data[VMM_INPUT_RING_BYTES];
} vmm_input_ring_t;

typedef struct vmm_guest_boot {
    uint32_t magic;             /* VMM_GUEST_BOOT_MAGIC */
    char name[24];              /* its name in the configuration */
    uint32_t policy;            /* enum vmm_policy (vmm/config.h) */
    uint32_t priority;          /* its priority, also its maximum (MCP) */
    uint32_t memory;            /* bytes granted (delegated) or its quota (mediated) */
    uint32_t initrd_vaddr, initrd_size;
    uint32_t input_vaddr;       /* its vmm_input_ring_t (VMM_GUEST_INPUT_VADDR) */
    uint32_t n_irqs;            /* interrupt lines among its links */
    uint32_t tsc_mhz;           /* time-stamp counter ticks per microsecond, 0: unknown */
    uint32_t n_links;
    vmm_guest_link_t link[VMM_BOOT_MAX_LINKS];
    char bootargs[1024];
} vmm_guest_boot_t;

#endif
