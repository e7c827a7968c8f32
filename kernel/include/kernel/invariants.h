/*
 * The kernel's invariant checker (memory-model.md, invariants 1-8), run by
 * debug builds on demand (SYS_DEBUG_CHECK_INVARIANTS) and by tests after
 * every step. It returns the code of the first violation it found
 * (abi/invariant.h; 0 when all hold) and prints one line per violation;
 * it does not panic, so that a test sees the code.
 */
#ifndef KERNEL_INVARIANTS_H
#define KERNEL_INVARIANTS_H

#include <abi/invariant.h>
#include <kernel/objects.h>
#include <kernel/debug.h>

/* kernel/invariants.c: objects, capabilities, derivation tree, queues and
 * links between objects; calls the two below. It reaches every capability
 * through the derivation-tree list registry that cdt.c keeps (every list
 * but a thread's reply list starts with cdt_insert_root at boot, so the
 * registry never holds more lists than the root CNode has slots) and
 * through each TCB's reply slot; it reads the physical ranges boot recorded
 * in ks_reserved (state.h): no untyped may overlap them, and every object
 * that is not in an untyped must lie inside them (the root task's
 * boot-time objects). Returns INV_NONE or the first violation's code. */
word_t invariants_check(void);

/* kernel/sched.c: the ready queues, bitmaps and current thread. */
void sched_check_invariants(void);
/* arch/ia32: paging, ASID table, kernel half of every PD (arch.h). */

#if CONFIG_DEBUG
/* Visit every capability slot in the system once (a slot reachable from
 * no registered list and no live TCB is not visited). */
typedef void (*inv_slot_fn_t)(cte_t *s, void *ctx);
void invariants_for_each_slot(inv_slot_fn_t fn, void *ctx);

/* True when a TCB capability names `t`, or `t` is the idle thread. */
bool invariants_tcb_live(const tcb_t *t);

/* Remember `code` if it is the first violation of this run. */
void invariants_record(word_t code);

/* Report a violation: one console line, and the code for the caller. */
#define inv_fail(code, fmt, ...)                                                   \
    do {                                                                           \
        printk("INVARIANT VIOLATED 0x%x: " fmt "\n", (unsigned)(code), ##__VA_ARGS__); \
        invariants_record(code);                                                   \
    } while (0)
#endif

#endif
