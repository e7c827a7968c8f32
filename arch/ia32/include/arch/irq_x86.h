/*
 * seL4's pc99 interrupt numbering with the IOAPIC (include/plat/pc99/
 * plat/machine.h, docs/abi/sel4-ia32-facts.md section 3): IRQ n arrives on
 * CPU vector n + 0x20. User-level IRQs are 16..123, chosen by the "vector"
 * argument 0..107 of IRQControl GetIOAPIC/GetMSI (IRQ = vector + 16); the
 * local APIC timer is IRQ 125 (vector 0x9D), the highest IRQ; spurious
 * local APIC interrupts use vector 0xFF. ISA lines are not IRQs of their
 * own: a program routes an IOAPIC pin to a vector it was issued.
 *
 * Per user IRQ the kernel remembers where it comes from (seL4
 * x86KSIRQState): an IOAPIC pin (masked while a delivery is unacknowledged)
 * or an MSI (which no controller can mask; the device must be quiet until
 * the handler acknowledges).
 */
#ifndef ARCH_IRQ_X86_H
#define ARCH_IRQ_X86_H

#include <kernel/types.h>
#include <kernel/invocation.h>

#define IRQ_INT_OFFSET          0x20u       /* vector of IRQ 0 */
#define IRQ_USER_MIN            16u
#define IRQ_USER_MAX            123u
#define IRQ_USER_VECTOR_MAX     (IRQ_USER_MAX - IRQ_USER_MIN)   /* 107 */
#define IRQ_X86_TIMER           125u        /* maxIRQ */
#define IRQ_X86_MAX             IRQ_X86_TIMER
#define VEC_TIMER               (IRQ_X86_TIMER + IRQ_INT_OFFSET) /* 0x9D */
#define VEC_IRQ_MIN             IRQ_INT_OFFSET
#define VEC_IRQ_MAX             VEC_TIMER
/* PCI configuration address limits (seL4 plat/machine/pci.h). */
#define PCI_BUS_MAX             255u
#define PCI_DEV_MAX             31u
#define PCI_FUNC_MAX            7u

typedef enum x86_irq_kind { X86_IRQ_FREE = 0, X86_IRQ_IOAPIC, X86_IRQ_MSI } x86_irq_kind_t;

typedef struct x86_irq {
    uint8_t kind;               /* x86_irq_kind_t */
    uint8_t ioapic, pin;
    bool level, active_low;
    uint8_t pci_bus, pci_dev, pci_func;
    word_t handle;              /* MSI: stored, not interpreted (seL4) */
} x86_irq_t;

#define NUM_X86_IRQS            (IRQ_X86_MAX + 1)
/* kernel/state.c */
extern x86_irq_t ks_x86_irq[NUM_X86_IRQS];

/* IRQControl labels 50 (GetIOAPIC) and 51 (GetMSI), seL4's
 * Arch_decodeIRQControlInvocation; arch_invoke.c routes them here. */
exception_t ia32_irq_control_decode(invocation_t *inv);
/* IRQ number of a CPU vector in [VEC_IRQ_MIN, VEC_IRQ_MAX]. */
static inline word_t irq_of_vector(word_t v) { return v - IRQ_INT_OFFSET; }

#endif
