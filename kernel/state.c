/*
 * The kernel's mutable global state (see kernel/state.h for what each
 * variable means).
 */
#include <kernel/state.h>

/* Scheduler. */
tcb_t *ks_cur_thread;
tcb_t *ks_idle_thread;
tcb_t ks_idle_tcb __attribute__((aligned(BIT(TCB_BITS))));
sched_action_t ks_sched_action;
tcb_t *ks_switch_target;
tcb_t *ks_ready_head[NUM_PRIORITIES];
tcb_t *ks_ready_tail[NUM_PRIORITIES];
word_t ks_ready_bitmap_top;
word_t ks_ready_bitmap[NUM_PRIORITIES / 32];

/* The current system call's outcome details. */
syscall_error_t ks_syscall_error;
lookup_fault_t ks_lookup_fault;
fault_t ks_cur_fault;

word_t ks_work_units;
word_t ks_ticks;

#if CONFIG_BENCHMARK_IRQ_LATENCY
word_t ks_bench_entry;
word_t ks_bench_mark;
word_t ks_bench_max_stretch;
word_t ks_bench_max_entry;
#endif

/* Domains: one domain, whose schedule entry never ends. */
dom_schedule_entry_t ks_dom_schedule[DOM_SCHEDULES] = {
    { 0, DSCHED_MAX_DURATION },
};
word_t ks_dom_schedule_start;

/* Interrupts. */
uint8_t ks_irq_state[MAX_IRQS];
cte_t ks_irq_slots[MAX_IRQS];

#if CONFIG_DEBUG
cte_t *ks_cdt_lists[CDT_MAX_LISTS];
word_t ks_cdt_num_lists;
word_t ks_inv_violation;
#endif
phys_range_t ks_reserved[MAX_RESERVED_RANGES];
word_t ks_num_reserved;

/* ia32 virtual memory and I/O ports (see kernel/state.h). */
#include <arch/vspace.h>
#include <arch/ioport.h>
#include <arch/frametype.h>
asid_pool_t *ks_asid_table[NUM_ASID_POOLS];
word_t ks_ioport_bitmap[IOPORT_BITMAP_WORDS];
uint8_t ks_frame_type[FT_NUM_FRAMES];

/* pc99 interrupt routing (see kernel/state.h). */
#include <arch/irq_x86.h>
x86_irq_t ks_x86_irq[NUM_X86_IRQS];
word_t ks_num_ioapics;
