/*
 * What the architecture-independent kernel asks of the ia32 layer.
 */
#ifndef ARCH_ARCH_H
#define ARCH_ARCH_H

#include <kernel/objects.h>
#include <kernel/invocation.h>

/* Make t the thread whose context the next kernel exit restores: address
 * space (CR3 only if it changes), TSS esp0, TLS segment base, FPU state. */
void arch_switch_to_thread(tcb_t *t);
/* Return to user level in ks_cur_thread (sysexit or iret; idle loop for the
 * idle thread). */
__attribute__((noreturn)) void arch_restore_user_context(void);
/* Set up a new thread's context: user segments, IF set, entry state. */
void arch_tcb_init(tcb_t *t);
/* A TCB is being destroyed: forget any FPU state it owns. */
void arch_tcb_destroyed(tcb_t *t);

/* Invocations on arch capabilities: frames, page tables, page directories,
 * ASID control and pools, I/O-port control and I/O ports, IRQ control. */
exception_t arch_decode_invocation(invocation_t *inv);
/* VSpace of a thread changed or was deleted: reload if it is current. */
void arch_vspace_changed(tcb_t *t);
/* Is this a valid VSpace root for a TCB (an assigned page directory cap)? */
bool arch_is_valid_vtable_root(cap_t cap);
/* Clear physical memory inside the kernel window. */
void arch_clear_memory(paddr_t p, word_t size);
/* A new page directory: copy the kernel half from the reference. */
void arch_init_page_directory(void *pd);

/* Interrupts. */
void arch_irq_mask(word_t irq, bool masked);
void arch_irq_ack(word_t irq);
bool arch_irq_pending(void);            /* for preemption points */
word_t arch_timer_irq(void);
/* Port I/O. */
word_t arch_in(word_t port, word_t size);
void arch_out(word_t port, word_t size, word_t value);
/* Stop the machine: under QEMU exit through isa-debug-exit with code. */
__attribute__((noreturn)) void arch_halt(word_t code);
#define HALT_CODE_DEBUG_HALT 0x10
#define HALT_CODE_PANIC 0x7e

/* Debug build: architecture invariants (paging, ASIDs); panics on failure. */
void arch_check_invariants(void);

#endif
