/*
 * Interrupt capabilities: IRQControl hands out IRQHandler capabilities,
 * one per line; a handler capability connects its line to a notification
 * (SetNotification), and acknowledges it (Ack unmasks the line, which the
 * kernel masked when it delivered the interrupt).
 */
#ifndef KERNEL_IRQ_H
#define KERNEL_IRQ_H

#include <kernel/objects.h>
#include <kernel/invocation.h>

/* Interrupt controller the build assumes: with the IOAPIC (seL4 pc99's
 * default, and the only controller arch/ia32 drives: the 8259 is masked)
 * IssueIRQHandler (label 26) is refused and handlers come from labels
 * 50/51 (arch/ia32/irq_x86.c); with the 8259 PIC label 26 would issue ISA
 * lines 0-15. */
#ifndef CONFIG_IRQ_IOAPIC
#define CONFIG_IRQ_IOAPIC 1
#endif
#define IRQ_ISA_MIN 0u
#define IRQ_ISA_MAX 15u

exception_t irq_control_decode(invocation_t *inv);
exception_t irq_handler_decode(invocation_t *inv);

/* Has a handler capability been issued for irq? */
bool irq_is_active(word_t irq);
/* Issue a handler for irq into the empty dest, derived from the control
 * capability in control_slot (arch decoders of labels 50/51 use this
 * after their own checks). Cannot fail. */
void irq_issue_handler(word_t irq, cte_t *control_slot, cte_t *dest);
/* The last handler capability for irq is being deleted: drop its
 * notification and mark the line inactive (capops calls this). */
void irq_handler_finalise(word_t irq);

#endif
