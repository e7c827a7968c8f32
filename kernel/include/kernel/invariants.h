/*
 * The kernel's invariant checker (memory-model.md, invariants 1-8), run by
 * debug builds on demand (SYS_DEBUG_CHECK_INVARIANTS) and by tests after
 * every step. Each part panics with a message naming what is broken.
 */
#ifndef KERNEL_INVARIANTS_H
#define KERNEL_INVARIANTS_H

/* kernel/invariants.c: objects, capabilities, derivation tree; calls the two
 * below. It reaches every capability through the derivation-tree list
 * registry that cdt.c keeps (every list starts with cdt_insert_root at
 * boot), and reads the physical ranges boot recorded in ks_reserved
 * (state.h): no untyped may overlap them, and every object that is not in
 * an untyped must lie inside them (the root task's boot-time objects). */
void invariants_check(void);
/* kernel/sched.c etc.: scheduler and IPC queues point only at live TCBs in the right states. */
void sched_check_invariants(void);
/* arch/ia32: paging, ASID table, kernel half of every PD (arch.h). */

#endif
