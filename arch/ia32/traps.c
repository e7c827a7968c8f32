/*
 * From the entry stubs to the kernel. Each handler finds the saved user
 * context in ks_cur_thread (entry.S wrote it in place), records the fault
 * address, calls the architecture-independent handler (which ends by
 * choosing the next thread) and leaves through arch_restore_user_context.
 *
 * Faults from traps (UnknownSyscall from `int`, VMFault, UserException)
 * first try the fastpath (kernel/fastpath.c), which returns only if the
 * handler is not simply waiting for them; `int $0x80` and page faults have
 * tried it before they get here (their own stubs, fastpath_unknown_syscall()
 * and fastpath_vm_fault()).
 *
 * A trap taken in ring 0 is an interrupt in the idle loop or a kernel bug;
 * a bug panics with the vector, address and instruction (invariant 9).
 */
#include <arch/arch.h>
#include <arch/traps.h>
#include <arch/pic.h>
#include <arch/apic.h>
#include <arch/irq_x86.h>
#include <arch/machine.h>
#include <arch/mmu.h>
#include <kernel/syscall.h>
#include <kernel/fastpath.h>
#include <kernel/fault.h>
#include <kernel/sched.h>
#include <kernel/state.h>
#include <kernel/debug.h>
#include <abi/faults.h>

void c_handle_syscall(sword_t sysno) __attribute__((noreturn));
void c_handle_user_trap(user_context_t *frame) __attribute__((noreturn));
void c_handle_kernel_trap(word_t *frame) __attribute__((noreturn));

/* The sysenter stub saved eip past the sysenter and fault_ip at it. */
void c_handle_syscall(sword_t sysno)
{
    handle_syscall(sysno);
    arch_restore_user_context();
}

/* Is this vector a device or timer interrupt? Vector 0x80 is both our
 * Linux system-call gate and the CPU vector of IRQ 96: the local APIC's
 * in-service bit tells a delivered interrupt from a software `int`. */
static bool is_irq_vector(word_t vector)
{
    if (vector < VEC_IRQ_MIN || vector > VEC_IRQ_MAX)
        return false;
    return vector != VEC_LINUX || apic_in_service(vector);
}

/* Take an interrupt: mask its line (an IOAPIC pin; a user handler's Ack
 * unmasks it), end it at the local APIC, and hand it on. */
static void take_irq(word_t vector)
{
    word_t irq = irq_of_vector(vector);
    if (irq != arch_timer_irq())
        arch_irq_mask(irq, true);
    apic_eoi();
    handle_interrupt(irq);
}

/* Returns only if the fastpath left the fault to the slow path. f is
 * the caller's own record (no copy of it is made on the way). */
static inline void try_fastpath(const fault_t *f)
{
    if (CONFIG_FASTPATH)
        fastpath_fault(f);
}

static void dispatch_user_trap(word_t vector, word_t error)
{
    user_context_t *ctx = &ks_cur_thread->ctx;
    if (is_irq_vector(vector)) {
        take_irq(vector);
        return;
    }
    /* A spurious local-APIC interrupt is owed no EOI (SDM 10.9). */
    if (vector == VEC_SPURIOUS) {
        schedule();
        return;
    }
    if (vector == VEC_LINUX || (vector >= VEC_TRAP_MIN && vector <= VEC_TRAP_MAX)) {
        word_t number = UNKSYS_TRAP_NUMBER(vector, ctx->eax);
        ctx->fault_ip = ctx->eip - INT_INSN_LEN;
        /* int $0x80 tried its own fastpath already (entry.S trap_linux). */
        if (vector != VEC_LINUX) {
            const fault_t f = fault_unknown_syscall(number);
            try_fastpath(&f);
        }
        handle_unknown_syscall(number);
        return;
    }
    ctx->fault_ip = ctx->eip;
    if (vector == VEC_PF) {
        /* With the fastpath, a page fault tried its own already (entry.S
         * trap_page_fault) and changed nothing; CR2 still holds its address. */
        handle_vm_fault(read_cr2(), error);
        return;
    }
    const fault_t f = fault_user_exception(vector, error);
    try_fastpath(&f);
    handle_user_exception(vector, error);
}

void c_handle_user_trap(user_context_t *frame)
{
    (void)frame;
    user_context_t *ctx = &ks_cur_thread->ctx;
    dispatch_user_trap(ctx->vector, ctx->error);
    arch_restore_user_context();
}

/* frame: eax ebx ecx edx esi edi ebp vector error eip cs eflags (no esp/ss:
 * same-privilege interrupt). */
enum { KF_VECTOR = 7, KF_ERROR = 8, KF_EIP = 9, KF_CS = 10, KF_EFLAGS = 11 };

void c_handle_kernel_trap(word_t *frame)
{
    word_t vector = frame[KF_VECTOR];
    if (ks_cur_thread == ks_idle_thread && is_irq_vector(vector)) {
        take_irq(vector);
        arch_restore_user_context();
    }
    if (ks_cur_thread == ks_idle_thread && vector == VEC_SPURIOUS)
        arch_restore_user_context();
    panic("kernel trap: vector %u error %x at eip %x (cr2 %x, eflags %x, eax %x ebx %x ecx %x edx %x)",
          vector, frame[KF_ERROR], frame[KF_EIP], read_cr2(), frame[KF_EFLAGS],
          frame[0], frame[1], frame[2], frame[3]);
}

void arch_halt(word_t code)
{
    __asm__ volatile("cli");
    outb(DEBUG_EXIT_PORT, (uint8_t)code);
    for (;;)
        __asm__ volatile("hlt");
}

word_t arch_in(word_t port, word_t size)
{
    return size == 1 ? inb(port) : size == 2 ? inw(port) : inl(port);
}

void arch_out(word_t port, word_t size, word_t value)
{
    if (size == 1)
        outb(port, (uint8_t)value);
    else if (size == 2)
        outw(port, (uint16_t)value);
    else
        outl(port, value);
}
