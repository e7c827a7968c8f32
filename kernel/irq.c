/*
 * Interrupts as capabilities.
 *
 * User level handles device interrupts. The IRQControl capability can
 * issue one IRQHandler capability per line (IssueIRQHandler, or on an
 * IOAPIC system the arch's GetIOAPIC/GetMSI, labels 50/51); the handler
 * capability connects the line to a notification (SetNotification) and
 * acknowledges it (Ack). When the line fires the kernel masks it and
 * signals the notification with that notification capability's badge; the
 * driver does its work and calls Ack, which unmasks the line again. The
 * notification capability lives in a kernel slot per line
 * (ks_irq_slots), a derivation-tree child of the capability it was
 * copied from, so revoking that capability disconnects the line. The
 * timer line belongs to the kernel and cannot be issued.
 */
#include <kernel/irq.h>
#include <kernel/benchmark.h>
#include <kernel/ipc.h>
#include <kernel/endpoint.h>
#include <kernel/capops.h>
#include <kernel/cspace.h>
#include <kernel/sched.h>
#include <kernel/state.h>
#include <kernel/syscall.h>
#include <kernel/debug.h>
#include <kernel/notification.h>
#include <arch/arch.h>
#include <abi/invocation.h>
#include <abi/errors.h>

bool irq_is_active(word_t irq)
{
    return irq < MAX_IRQS && ks_irq_state[irq] != IRQ_INACTIVE;
}

void irq_issue_handler(word_t irq, cte_t *control_slot, cte_t *dest)
{
    ks_irq_state[irq] = IRQ_USER;
    arch_irq_mask(irq, false);
    cte_insert(cap_irq_handler_new(irq), control_slot, dest);
}

void irq_handler_finalise(word_t irq)
{
    cte_t *slot = &ks_irq_slots[irq];

    if (!cap_is_null(slot->cap))
        cte_delete_one(slot);
    ks_irq_state[irq] = IRQ_INACTIVE;
    arch_irq_mask(irq, true);
}

/* seL4 Arch_checkIRQ (x86): with the IOAPIC, ISA lines are not issued
 * through label 26 at all. */
static exception_t check_issuable(word_t irq)
{
    if (CONFIG_IRQ_IOAPIC)
        return refuse(ERR_ILLEGAL_OPERATION, "IssueIRQHandler: use the IOAPIC or MSI form");
    if (irq > IRQ_ISA_MAX)
        return refuse_range(IRQ_ISA_MIN, IRQ_ISA_MAX, "IssueIRQHandler: not an ISA line");
    if (irq == arch_timer_irq())
        return refuse(ERR_REVOKE_FIRST, "IssueIRQHandler: the timer belongs to the kernel");
    return EXCEPTION_NONE;
}

static exception_t decode_issue(invocation_t *inv)
{
    cte_t *dest;

    if (inv->length < 3 || inv->n_extra < 1)
        return refuse(ERR_TRUNCATED_MESSAGE, "IssueIRQHandler: need irq, index, depth, root");
    word_t irq = inv_arg(inv, 0);
    exception_t e = check_issuable(irq);
    if (e != EXCEPTION_NONE)
        return e;
    if (irq_is_active(irq))
        return refuse(ERR_REVOKE_FIRST, "IssueIRQHandler: line already issued");
    e = cspace_lookup_empty_slot(inv->extra_caps[0], inv_arg(inv, 1), inv_arg(inv, 2), &dest,
                                 "IssueIRQHandler: destination slot is full");
    if (e != EXCEPTION_NONE)
        return e;
    irq_issue_handler(irq, inv->slot, dest);
    return EXCEPTION_NONE;
}

exception_t irq_control_decode(invocation_t *inv)
{
    if (inv->label == INV_IRQ_ISSUE_IRQ_HANDLER)
        return decode_issue(inv);
    return arch_decode_invocation(inv);
}

/* ---- IRQHandler: Ack, SetNotification, Clear (none can fail) ---- */

static exception_t irq_invoke_ack(word_t irq)
{
    arch_irq_mask(irq, false);
    return EXCEPTION_NONE;
}

static exception_t irq_invoke_clear(word_t irq)
{
    if (!cap_is_null(ks_irq_slots[irq].cap))
        cte_delete_one(&ks_irq_slots[irq]);
    return EXCEPTION_NONE;
}

static exception_t irq_invoke_set_notification(word_t irq, cap_t ntfn, cte_t *ntfn_slot)
{
    irq_invoke_clear(irq);
    cte_insert(ntfn, ntfn_slot, &ks_irq_slots[irq]);
    return EXCEPTION_NONE;
}

static exception_t decode_set_notification(invocation_t *inv, word_t irq)
{
    if (inv->n_extra < 1)
        return refuse(ERR_TRUNCATED_MESSAGE, "SetIRQHandler: need a notification");
    cap_t c = inv->extra_caps[0];
    if (cap_type(c) != CAP_NOTIFICATION || !cap_can_send(c))
        return refuse_cap(0, "SetIRQHandler: not a notification with send right");
    return irq_invoke_set_notification(irq, c, inv->extra_slots[0]);
}

exception_t irq_handler_decode(invocation_t *inv)
{
    word_t irq = cap_irq(inv->cap);

    switch (inv->label) {
    case INV_IRQ_ACK_IRQ:
        return irq_invoke_ack(irq);
    case INV_IRQ_SET_IRQ_HANDLER:
        return decode_set_notification(inv, irq);
    case INV_IRQ_CLEAR_IRQ_HANDLER:
        return irq_invoke_clear(irq);
    default:
        return refuse(ERR_ILLEGAL_OPERATION, "IRQHandler: not an IRQ handler invocation");
    }
}

/* ---- interrupt delivery ---- */

static void deliver_user_irq(word_t irq)
{
    cap_t c = ks_irq_slots[irq].cap;

    if (cap_type(c) == CAP_NOTIFICATION && cap_can_send(c))
        ntfn_signal(cap_ptr(c), cap_badge(c));
    else
        debug_printk("undelivered IRQ %u\n", irq);
    /* The line stays masked until the handler's Ack. */
    arch_irq_mask(irq, true);
}

/* The arch layer has acknowledged the interrupt at the controller. */
void handle_interrupt(word_t irq)
{
    tcb_t *cur = ks_cur_thread;

    bench_kernel_entry();
    /* An interrupted thread resumes where it was, also after a restart. */
    if (cur != ks_idle_thread && cur->state == TS_RUNNING)
        cur->ctx.fault_ip = cur->ctx.eip;
    if (irq == arch_timer_irq()) {
        ks_ticks++;
        sched_timer_tick();
    } else if (irq < MAX_IRQS && ks_irq_state[irq] == IRQ_USER) {
        deliver_user_irq(irq);
    } else {
        arch_irq_mask(irq, true);
        debug_printk("spurious or reserved IRQ %u masked\n", irq);
    }
    schedule();
    bench_kernel_exit();
}
