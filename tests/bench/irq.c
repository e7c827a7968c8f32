/*
 * Device interrupts (issue 16): irq_to_notification and irq_ack.
 *
 * The device is the PIT, channel 0 as a 1 kHz rate generator, its ISA IRQ
 * 0 routed by IRQControl GetIOAPIC to IOAPIC pin 2 (QEMU's MADT overrides
 * IRQ 0 to GSI 2, edge, active high, on pc and q35; the kernel prints it at
 * boot) and bound to a notification.
 *
 *  - irq_to_notification: a thread at priority 253 spins in
 *        irq_spin_loop: rdtsc; irq_spin_jmp: jmp irq_spin_loop
 *    while a thread at 254 waits on the notification with the timed stub
 *    (sysenter, then at once rdtsc). When the interrupt has woken it, it
 *    reads the spinner's saved registers (TCB ReadRegisters): EAX is the
 *    spinner's last rdtsc and EIP says which of the two instructions was
 *    next, so the instruction boundary at which the interrupt was taken is
 *    EAX + 1 (EIP at the jmp) or EAX + 2 (EIP at the rdtsc). The figure is
 *    the waiter's rdtsc minus that boundary: every instruction executed
 *    from the interrupt being taken to the waiting thread running (kernel
 *    entry, the interrupt path, the signal, the switch, the return to user
 *    level), exactly, with nothing to subtract. sel4bench's irquser
 *    benchmark has the same two threads but takes the spinner's last
 *    stored timestamp, a few instructions early.
 *  - irq_ack: an rdtsc pair around seL4_IRQHandler_Ack in the woken
 *    thread, minus the pair's cost (rdtsc_pair_overhead), as for every
 *    invocation timed from C. The Ack unmasks the pin the kernel masked on
 *    delivery.
 */
#include "bench.h"
#include <rt/rt.h>
#include <stdio.h>
#include <string.h>

#define PIT_CH0         0x40
#define PIT_CMD         0x43
#define PIT_HZ          1193182u
#define PIT_MODE2       0x34        /* ch0, lo/hi byte, rate generator */
#define PIT_MODE0       0x30        /* ch0, lo/hi byte, interrupt on terminal count */
#define PIT_RATE_HZ     1000u
#define PIT_IOAPIC      0
#define PIT_PIN         2           /* ISA IRQ 0 after QEMU's override */
#define PIT_VECTOR      20
#define SAMPLE_BAD      0xffffffffu

extern char irq_spin_loop[], irq_spin_jmp[];
__asm__(".text\n"
        ".globl irq_spin_loop\n"
        ".globl irq_spin_jmp\n"
        "irq_spin_loop: rdtsc\n"
        "irq_spin_jmp: jmp irq_spin_loop\n");

static struct {
    seL4_CPtr ntfn, handler, spinner_tcb;
    int n, total, odd;
    seL4_Error err;
    uint32_t wake[BENCH_MAX_SAMPLES + 2], ack[BENCH_MAX_SAMPLES + 2];
} iq;

static void spinner(void *arg)
{
    (void)arg;
    __asm__ volatile("jmp irq_spin_loop");
}

static void waiter(void *arg)
{
    (void)arg;
    for (;;) {
        seL4_Word b = iq.ntfn, si = 0, d = 0;
        TIMED_SYSCALL(SYS_RECV, b, si, d, TS_C, TS_D, BENCH_SYSENTER);
        uint32_t woke = bench_ts[TS_D];
        seL4_UserContext regs = { 0 };
        seL4_Error err = seL4_TCB_ReadRegisters(iq.spinner_tcb, 0, 0, 4, &regs);
        uint32_t a = rdtsc32();
        seL4_Error ack_err = seL4_IRQHandler_Ack(iq.handler);
        uint32_t z = rdtsc32();
        if (iq.n >= iq.total)
            continue;
        if (err == seL4_NoError)
            err = ack_err;
        if (err != seL4_NoError && iq.err == seL4_NoError)
            iq.err = err;
        uint32_t boundary = 0;
        if (regs.eip == (seL4_Word)irq_spin_jmp)
            boundary = (uint32_t)regs.eax + 1;
        else if (regs.eip == (seL4_Word)irq_spin_loop)
            boundary = (uint32_t)regs.eax + 2;
        else
            iq.odd++;
        iq.wake[iq.n] = boundary ? woke - boundary : SAMPLE_BAD;
        iq.ack[iq.n] = z - a - bench_pair_overhead;
        if (++iq.n == iq.total)
            bench_signal_done();
    }
}

static void pit_program(seL4_CPtr port, seL4_Word mode, seL4_Word count)
{
    seL4_X86_IOPort_Out8(port, PIT_CMD, mode);
    seL4_X86_IOPort_Out8(port, PIT_CH0, count & 0xff);
    seL4_X86_IOPort_Out8(port, PIT_CH0, (count >> 8) & 0xff);
}

static void report_kept(const char *name, const uint32_t *raw)
{
    bench_report(name, raw + bench_cfg.warmup, bench_cfg.samples);
}

void bench_irq(void)
{
    rt_thread_t spin, wait;
    seL4_CPtr port = bench_slots(1), handler = bench_slots(1);
    seL4_Error err;

    memset(&iq, 0, sizeof(iq));
    iq.total = BENCH_TOTAL();
    iq.ntfn = bench_obj(seL4_NotificationObject, 0);
    iq.handler = handler;
    if (port == 0 || handler == 0 || iq.ntfn == 0) {
        bench_skip("irq_to_notification", "no slots or notification");
        bench_skip("irq_ack", "no slots or notification");
        return;
    }
    err = seL4_X86_IOPortControl_Issue(seL4_CapIOPortControl, PIT_CH0, PIT_CMD, ROOT_CNODE,
                                       port, CPTR_DEPTH);
    if (err == seL4_NoError)
        err = seL4_IRQControl_GetIOAPIC(seL4_CapIRQControl, ROOT_CNODE, handler, CPTR_DEPTH,
                                        PIT_IOAPIC, PIT_PIN, 0, 0, PIT_VECTOR);
    if (err == seL4_NoError)
        err = seL4_IRQHandler_SetNotification(handler, iq.ntfn);
    /* An edge latched before the notification was bound masked the pin. */
    if (err == seL4_NoError)
        err = seL4_IRQHandler_Ack(handler);
    if (err != seL4_NoError) {
        bench_fail("irq setup", err);
        bench_skip("irq_to_notification", "PIT interrupt setup failed (%d)", err);
        bench_skip("irq_ack", "PIT interrupt setup failed (%d)", err);
        return;
    }
    if (bench_thread_run(&spin, PRIO_LOW, 0, ROOT_VSPACE, spinner, NULL) != seL4_NoError) {
        bench_skip("irq_to_notification", "could not start the spinner");
        bench_skip("irq_ack", "could not start the spinner");
        return;
    }
    iq.spinner_tcb = spin.tcb;
    if (bench_thread_run(&wait, PRIO_BENCH, 0, ROOT_VSPACE, waiter, NULL) != seL4_NoError) {
        bench_thread_stop(&spin);
        bench_skip("irq_to_notification", "could not start the waiter");
        bench_skip("irq_ack", "could not start the waiter");
        return;
    }
    pit_program(port, PIT_MODE2, PIT_HZ / PIT_RATE_HZ);
    bench_wait_done();
    /* One last terminal count and the PIT falls silent. */
    pit_program(port, PIT_MODE0, 1);
    bench_thread_stop(&wait);
    bench_thread_stop(&spin);
    if (iq.err != seL4_NoError)
        bench_fail("irq waiter", iq.err);
    if (iq.odd)
        bench_note("irq_to_notification", "%d sample(s) found the spinner outside its loop",
                   iq.odd);
    report_kept("irq_to_notification", iq.wake);
    report_kept("irq_ack", iq.ack);
    seL4_IRQHandler_Clear(handler);
    seL4_CNode_Delete(ROOT_CNODE, handler, CPTR_DEPTH);
    seL4_CNode_Delete(ROOT_CNODE, port, CPTR_DEPTH);
}
