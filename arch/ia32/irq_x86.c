/*
 * Interrupts on pc99 as seL4 configures them by default: IOAPIC and MSI,
 * the 8259 masked. A program gets an IRQHandler capability by asking
 * IRQControl for a *vector* 0..107 (IRQ = vector + 16, CPU vector = IRQ +
 * 0x20) and saying where the interrupt comes from: an IOAPIC pin with its
 * trigger mode and polarity (GetIOAPIC, label 50) or a PCI function's MSI
 * (GetMSI, label 51), which the program itself points at that CPU vector
 * by writing the device's MSI capability. The kernel routes the IOAPIC pin;
 * for MSI it only records the PCI address, as seL4 does without an IOMMU.
 *
 * The generic kernel (kernel/irq.c) owns the handler capabilities and the
 * notification each IRQ signals; this file adds the x86 routing, the arch
 * hooks it calls (mask, ack, pending, timer), and the decode of 50/51 with
 * seL4's checks in seL4's order (src/arch/x86/object/interrupt.c,
 * src/plat/pc99/machine/ioapic.c).
 */
#include <arch/irq_x86.h>
#include <arch/ioapic.h>
#include <arch/apic.h>
#include <arch/arch.h>
#include <abi/invocation.h>
#include <kernel/irq.h>
#include <kernel/cspace.h>
#include <kernel/debug.h>
#include <kernel/sched.h>
#include <kernel/state.h>

/* IRQControl GetIOAPIC / GetMSI arguments (seL4 interface XML order). */
enum {
    ARG_INDEX = 0, ARG_DEPTH = 1,
    ARG_IOAPIC = 2, ARG_PIN = 3, ARG_LEVEL = 4, ARG_POLARITY = 5,
    ARG_PCI_BUS = 2, ARG_PCI_DEV = 3, ARG_PCI_FUNC = 4, ARG_HANDLE = 5,
    ARG_VECTOR = 6, IRQ_CONTROL_ARGS = 7,
};

/* ---- arch hooks for kernel/irq.c and the scheduler ---- */

word_t arch_timer_irq(void)
{
    return IRQ_X86_TIMER;
}

void arch_irq_mask(word_t irq, bool masked)
{
    if (irq >= NUM_X86_IRQS)
        return;
    const x86_irq_t *s = &ks_x86_irq[irq];
    /* MSIs cannot be masked here; the timer is never masked. */
    if (s->kind == X86_IRQ_IOAPIC)
        ioapic_mask(s->ioapic, s->pin, masked);
}

void arch_irq_ack(word_t irq)
{
    arch_irq_mask(irq, false);
}

bool arch_irq_pending(void)
{
    return apic_irq_pending(VEC_IRQ_MIN, VEC_IRQ_MAX);
}

/* ---- IRQControl GetIOAPIC (50), GetMSI (51) ---- */

/* Cannot fail: ia32_irq_control_decode() checked everything. */
static exception_t irq_invoke_issue(word_t irq, x86_irq_t route, cte_t *control, cte_t *dest)
{
    ks_x86_irq[irq] = route;
    if (route.kind == X86_IRQ_IOAPIC)
        ioapic_map_pin(route.ioapic, route.pin, route.level, route.active_low,
                       irq + IRQ_INT_OFFSET);
    irq_issue_handler(irq, control, dest);
    /* Issued means live (seL4 setIRQState unmasks): the pin opens now. */
    arch_irq_mask(irq, false);
    return EXCEPTION_NONE;
}

/* seL4 ioapic_decode_map_pin_to_vector. */
static exception_t decode_ioapic(const invocation_t *inv, x86_irq_t *route)
{
    word_t ioapic = inv_arg(inv, ARG_IOAPIC), pin = inv_arg(inv, ARG_PIN);
    word_t level = inv_arg(inv, ARG_LEVEL), polarity = inv_arg(inv, ARG_POLARITY);

    if (ks_num_ioapics == 0)
        return refuse(ERR_ILLEGAL_OPERATION, "IRQ control: the system has no IOAPIC");
    if (ioapic >= ks_num_ioapics)
        return refuse_range(0, ks_num_ioapics - 1, "IRQ control: no such IOAPIC");
    if (pin >= IOAPIC_PINS)
        return refuse_range(0, IOAPIC_PINS - 1, "IRQ control: IOAPIC pin out of range");
    if (level > 1)
        return refuse_range(0, 1, "IRQ control: level must be 0 or 1");
    if (polarity > 1)
        return refuse_range(0, 1, "IRQ control: polarity must be 0 or 1");
    *route = (x86_irq_t){ .kind = X86_IRQ_IOAPIC, .ioapic = (uint8_t)ioapic, .pin = (uint8_t)pin,
                          .level = level, .active_low = polarity };
    return EXCEPTION_NONE;
}

static exception_t decode_msi(const invocation_t *inv, x86_irq_t *route)
{
    word_t bus = inv_arg(inv, ARG_PCI_BUS), dev = inv_arg(inv, ARG_PCI_DEV);
    word_t func = inv_arg(inv, ARG_PCI_FUNC);

    if (bus > PCI_BUS_MAX)
        return refuse_range(0, PCI_BUS_MAX, "IRQ control: PCI bus out of range");
    if (dev > PCI_DEV_MAX)
        return refuse_range(0, PCI_DEV_MAX, "IRQ control: PCI device out of range");
    if (func > PCI_FUNC_MAX)
        return refuse_range(0, PCI_FUNC_MAX, "IRQ control: PCI function out of range");
    *route = (x86_irq_t){ .kind = X86_IRQ_MSI, .pci_bus = (uint8_t)bus, .pci_dev = (uint8_t)dev,
                          .pci_func = (uint8_t)func, .handle = inv_arg(inv, ARG_HANDLE) };
    return EXCEPTION_NONE;
}

exception_t ia32_irq_control_decode(invocation_t *inv)
{
    if (inv->label != INV_X86_IRQ_ISSUE_IRQ_HANDLER_IOAPIC &&
        inv->label != INV_X86_IRQ_ISSUE_IRQ_HANDLER_MSI)
        return refuse(ERR_ILLEGAL_OPERATION, "IRQ control: illegal operation");
    if (inv->length < IRQ_CONTROL_ARGS || inv->n_extra < 1)
        return refuse(ERR_TRUNCATED_MESSAGE, "IRQ control: truncated message");

    word_t vector = inv_arg(inv, ARG_VECTOR);
    if (vector > IRQ_USER_VECTOR_MAX)
        return refuse_range(0, IRQ_USER_VECTOR_MAX, "IRQ control: vector out of range");
    word_t irq = vector + IRQ_USER_MIN;
    if (irq_is_active(irq))
        return refuse(ERR_REVOKE_FIRST, "IRQ control: IRQ already has a handler");

    cte_t *dest;
    exception_t e = cspace_lookup_empty_slot(inv->extra_caps[0], inv_arg(inv, ARG_INDEX),
                                             inv_arg(inv, ARG_DEPTH), &dest,
                                             "IRQ control: destination not empty");
    if (e != EXCEPTION_NONE)
        return e;

    x86_irq_t route;
    e = inv->label == INV_X86_IRQ_ISSUE_IRQ_HANDLER_IOAPIC ? decode_ioapic(inv, &route)
                                                           : decode_msi(inv, &route);
    if (e != EXCEPTION_NONE)
        return e;
    return irq_invoke_issue(irq, route, inv->slot, dest);
}
