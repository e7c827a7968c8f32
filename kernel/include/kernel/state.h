/*
 * The kernel's mutable global state. Every global the running kernel
 * keeps lives in kernel/state.c, prefixed ks_, so the whole of what the
 * kernel remembers between entries is listed in one place. Two kinds stay
 * beside their code: the CPU's own tables and FPU bookkeeping, which only
 * arch/ia32 reads (ia32_gdt, ia32_tss, ia32_fs_base/gs_base in gdt.c, the
 * IDT in idt.c, ia32_fpu_owner/ia32_fpu_off in thread.c, the device page
 * table in pc99.c), and the boot allocators' cursors in kernel/boot.c and
 * arch/ia32/boot.c, dead once the first thread runs.
 */
#ifndef KERNEL_STATE_H
#define KERNEL_STATE_H

#include <kernel/types.h>
#include <kernel/objects.h>
#include <kernel/errors.h>

/* What the scheduler does on the way out of the kernel. */
typedef enum sched_action {
    SCHED_RESUME_CURRENT = 0,   /* keep running ks_cur_thread */
    SCHED_CHOOSE_NEW,           /* pick the highest-priority ready thread */
    SCHED_SWITCH_TO,            /* run ks_switch_target if it beats the ready queue */
} sched_action_t;

extern tcb_t *ks_cur_thread;            /* thread whose context is live */
extern tcb_t *ks_idle_thread;           /* runs when nothing is ready */
extern tcb_t ks_idle_tcb;               /* the idle thread itself (kernel/boot.c sets it up) */
extern sched_action_t ks_sched_action;
extern tcb_t *ks_switch_target;         /* for SCHED_SWITCH_TO */
extern tcb_t *ks_ready_head[NUM_PRIORITIES];
extern tcb_t *ks_ready_tail[NUM_PRIORITIES];
extern word_t ks_ready_bitmap_top;      /* bit i: some priority in 32i..32i+31 ready */
extern word_t ks_ready_bitmap[NUM_PRIORITIES / 32];

extern syscall_error_t ks_syscall_error;   /* details of the last refusal */
extern lookup_fault_t ks_lookup_fault;     /* details of the last failed lookup */
extern fault_t ks_cur_fault;               /* fault being raised */

extern word_t ks_work_units;            /* work done since the last preemption point */
extern word_t ks_ticks;                 /* timer ticks since boot */

#ifndef CONFIG_BENCHMARK_IRQ_LATENCY
#define CONFIG_BENCHMARK_IRQ_LATENCY 0
#endif
#if CONFIG_BENCHMARK_IRQ_LATENCY
/* Latency-tracking builds (kernel/benchmark.h), time-stamp counter low words: */
extern word_t ks_bench_entry;           /* when the current kernel entry began */
extern word_t ks_bench_mark;            /* last point it could have noticed an interrupt */
extern word_t ks_bench_max_stretch;     /* longest stretch between such points */
extern word_t ks_bench_max_entry;       /* longest kernel entry */
#endif

/* Interrupt table: what each IRQ line is connected to. */
#define MAX_IRQS 256
typedef enum irq_state { IRQ_INACTIVE = 0, IRQ_USER = 1, IRQ_TIMER = 2, IRQ_RESERVED = 3 } irq_state_t;
extern uint8_t ks_irq_state[MAX_IRQS];
extern cte_t ks_irq_slots[MAX_IRQS];     /* notification cap per IRQ (SetNotification) */


/* The domain schedule (kernel/syscall.c's domain object; seL4
 * ksDomSchedule): DOM_SCHEDULES entries (seL4's
 * CONFIG_NUM_DOMAIN_SCHEDULES) of {domain, duration in ticks}; a zero
 * duration is an end marker and the last entry always is one. */
#define DOM_SCHEDULES       2u
#define DSCHED_MAX_DURATION ((1ull << 56) - 1)
typedef struct dom_schedule_entry {
    word_t domain;
    uint64_t duration;
} dom_schedule_entry_t;
extern dom_schedule_entry_t ks_dom_schedule[DOM_SCHEDULES];
extern word_t ks_dom_schedule_start;    /* index of the first entry */

/* ---- capability core (kernel/cdt.c, kernel/invariants.c) ---------------- */
#ifndef CONFIG_DEBUG
#define CONFIG_DEBUG 0
#endif
#if CONFIG_DEBUG
/* Debug builds: one slot of every derivation-tree list a boot capability
 * started (NULL once a list is empty), kept up to date by cdt.c, so the
 * invariant checker can reach every capability. Every such list starts in
 * a slot of the root CNode (cdt_insert_root at boot), so there are never
 * more than its slots; a thread's reply list, started at retype, is not
 * registered but reached through the thread's TCB capabilities. */
#ifndef CONFIG_ROOT_CNODE_SIZE_BITS
#define CONFIG_ROOT_CNODE_SIZE_BITS 13
#endif
#define CDT_MAX_LISTS BIT(CONFIG_ROOT_CNODE_SIZE_BITS)
extern cte_t *ks_cdt_lists[CDT_MAX_LISTS];
extern word_t ks_cdt_num_lists;
/* First violation the running invariant check found (abi/invariant.h). */
extern word_t ks_inv_violation;
#endif
/* Physical ranges boot kept out of the untypeds (kernel image, boot-time
 * structures, the root task's initial objects, kept modules), recorded by
 * the boot code and checked by invariants_check(): no untyped overlaps
 * them, and objects outside every untyped must lie inside them. */
#define MAX_RESERVED_RANGES 32
typedef struct phys_range {
    paddr_t base;
    word_t size;
} phys_range_t;
extern phys_range_t ks_reserved[MAX_RESERVED_RANGES];
extern word_t ks_num_reserved;

/* ---- ia32 virtual memory and I/O ports (arch/ia32/asid.c, vspace.c, ioport.c) ---- */
struct asid_pool;
/* ASID table: entry i is the pool of ASIDs i*1024 .. i*1024+1023, or NULL
 * (seL4 x86KSASIDTable); NUM_ASID_POOLS entries (arch/vspace.h). */
extern struct asid_pool *ks_asid_table[];
/* Issued I/O ports, one bit per port (seL4 x86KSAllocatedIOPorts);
 * IOPORT_BITMAP_WORDS words (arch/ioport.h). */
extern word_t ks_ioport_bitmap[];
/* Frame-type table, one frame_type_t byte per 4 KiB frame of the kernel
 * window; FT_NUM_FRAMES entries (arch/frametype.h). */
extern uint8_t ks_frame_type[];

/* ---- pc99 interrupts (arch/ia32/irq_x86.c, ioapic.c) ---- */
/* Where each IRQ comes from, an IOAPIC pin or an MSI (seL4 x86KSIRQState):
 * ks_x86_irq[NUM_X86_IRQS], declared with its type in arch/irq_x86.h. */
extern word_t ks_num_ioapics;           /* IOAPICs in use (at most MAX_NUM_IOAPIC) */

#endif
