/*
 * The ia32 half of the fastpath (kernel/fastpath.c): what it needs to
 * switch threads and leave the kernel without going through schedule().
 *
 * Making a thread current is cheap because its registers already sit in
 * its TCB: point TSS.esp0 (which the sysenter stub reads too) just past
 * its context, load its page directory if CR3 holds another, reload the
 * fs/gs bases if they differ, and give it the FPU if another thread's
 * state is live there. The fastpath does that and leaves the kernel in
 * one hand-written tail (entry.S ia32_fastpath_switch_exit);
 * arch_switch_to_thread() (thread.c) does the same in C after finding the
 * page directory the slow way.
 */
#ifndef ARCH_FASTPATH_H
#define ARCH_FASTPATH_H

#include <kernel/objects.h>
#include <kernel/state.h>
#include <kernel/tcb.h>
#include <kernel/debug.h>
#include <arch/apic.h>
#include <arch/traps.h>
#include <arch/gdt.h>
#include <arch/machine.h>
#include <arch/memlayout.h>
#include <arch/mmu.h>
#include <arch/vspace.h>

/* Thread whose FPU state is in the FPU (thread.c): never NULL, a dummy
 * TCB when no thread's state is there. */
extern tcb_t *ia32_fpu_owner;
/* CR0.TS is set: the running thread has seL4_TCBFlag_fpuDisabled (thread.c). */
extern bool ia32_fpu_off;

/* entry.S: leave into the user context whose saved EAX is at `eax`
 * (sysexit if it entered by sysenter, else iret). */
__attribute__((noreturn, regparm(1))) void ia32_restore_user(word_t *eax);
/* entry.S: run the slow system-call path for the current thread, whose
 * registers the sysenter stub saved (sets up what the fastpath skipped). */
__attribute__((noreturn, regparm(1))) void ia32_syscall_slowpath(sword_t sysno);
/* entry.S: the same for a trap from user level (vector and error saved). */
__attribute__((noreturn)) void ia32_trap_slowpath(void);

/* ---- What kernel/fastpath.c calls. ---- */

/* Does t have a valid page directory: the checks of ia32_thread_pd()? A
 * mapped page-directory capability is the PD's address (4 KiB aligned)
 * plus exactly its mapped bit and CAP_PAGE_DIRECTORY, so one subtraction both checks
 * the type and the mapped bit and yields the address. ASID 0 needs no test
 * of its own: it is never handed out, so the entry for it in pool 0 stays
 * NULL and no PD matches it. An assigned page directory's second word is
 * its ASID alone (asid.c), so it needs no mask either. */
#define FP_PD_CAP_LOW (CAP_PAGE_DIRECTORY | BIT(PAGING_MAPPED_SHIFT))
static inline __attribute__((always_inline)) bool arch_fastpath_vspace(const tcb_t *t)
{
    const cap_t *root = &t->slots[TCB_SLOT_VTABLE].cap;
    word_t pd = root->w0 - FP_PD_CAP_LOW;

    if (unlikely(pd & MASK(PAGE_BITS)))
        return false;
    word_t asid = root->w1;
    assert(asid == cap_mapped_asid(*root));
    asid_pool_t *pool = ks_asid_table[asid_pool_of(asid)];
    return likely(pool != NULL) && likely(pool->pd[asid_index(asid)] == (pde_t *)(uintptr_t)pd);
}

/* The physical address of the page directory of t, which
 * arch_fastpath_vspace() accepted. Read again, when it is needed, rather
 * than kept in a register (or on the stack) from the check. */
static inline __attribute__((always_inline)) paddr_t arch_fastpath_pd_paddr(const tcb_t *t)
{
    const volatile word_t *w0 = &t->slots[TCB_SLOT_VTABLE].cap.w0;

    return *w0 - FP_PD_CAP_LOW - KERNEL_BASE;
}

/* Make t current (its context, its page directory, its TLS bases and FPU
 * state) and leave the kernel into it, delivering a message: the badge,
 * the tag and the two register words (entry.S ia32_fastpath_switch_exit). */
__attribute__((noreturn)) static inline __attribute__((always_inline))
void arch_fastpath_switch_exit(tcb_t *t, word_t badge, word_t info, word_t mr0, word_t mr1)
{
    __asm__ volatile("jmp ia32_fastpath_switch_exit"
                     : : "a"(t), "d"(arch_fastpath_pd_paddr(t)), "b"(badge), "S"(info), "D"(mr0),
                         "c"(mr1)
                     : "memory");
    __builtin_unreachable();
}

/* The same for a message from sender, which entered by sysenter: the info
 * is its ESI without the unwrapped bits, MR0 and MR1 its EDI and EBP (entry.S
 * ia32_fastpath_send_exit). */
__attribute__((noreturn)) static inline __attribute__((always_inline))
void arch_fastpath_send_exit(tcb_t *t, word_t badge, const tcb_t *sender)
{
    __asm__ volatile("jmp ia32_fastpath_send_exit"
                     : : "a"(t), "d"(arch_fastpath_pd_paddr(t)), "b"(badge), "c"(sender)
                     : "memory");
    __builtin_unreachable();
}

/* Make t current and leave into it, restoring every register from its
 * context (entry.S ia32_fastpath_switch_restore). */
__attribute__((noreturn)) static inline __attribute__((always_inline))
void arch_fastpath_switch_restore(tcb_t *t)
{
    __asm__ volatile("jmp ia32_fastpath_switch_restore"
                     : : "a"(t), "d"(arch_fastpath_pd_paddr(t)) : "memory");
    __builtin_unreachable();
}

/* Is the trap being handled at `vector` a delivered interrupt (in service
 * at the local APIC) rather than a software `int`? */
static inline __attribute__((always_inline)) bool arch_fastpath_trap_is_irq(word_t vector)
{
    return apic_in_service(vector);
}

/* The page fault being handled: the address it faulted at (CR2, which
 * nothing in the kernel changes before the slow path reads it again) and
 * whether it was an instruction fetch (the error code's I/D bit). */
static inline __attribute__((always_inline)) vaddr_t arch_fastpath_fault_addr(void)
{
    return read_cr2();
}

static inline __attribute__((always_inline)) bool arch_fastpath_fault_prefetch(word_t error)
{
    return (error & PF_INSTR) != 0;
}

/* Give up a trap: the slow path handles it from the start. */
__attribute__((noreturn)) static inline __attribute__((always_inline)) void arch_fastpath_trap_fallback(void)
{
    ia32_trap_slowpath();
}

/* Give up: the slow path handles system call sysno from the start. */
__attribute__((noreturn)) static inline __attribute__((always_inline)) void arch_fastpath_fallback(sword_t sysno)
{
    ia32_syscall_slowpath(sysno);
}

#endif
