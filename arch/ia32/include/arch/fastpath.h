/*
 * The ia32 half of the fastpath (kernel/fastpath.c): what it needs to
 * switch threads and leave the kernel without going through schedule().
 *
 * Making a thread current is cheap because its registers already sit in
 * its TCB: point TSS.esp0 (which the sysenter stub reads too) just past
 * its context, load its page directory if CR3 holds another, reload the
 * fs/gs bases if they differ, and give it the FPU if another thread's
 * state is live there. arch_switch_to_thread() (thread.c) does the same
 * after finding the page directory the slow way.
 */
#ifndef ARCH_FASTPATH_H
#define ARCH_FASTPATH_H

#include <kernel/objects.h>
#include <kernel/state.h>
#include <kernel/tcb.h>
#include <arch/gdt.h>
#include <arch/machine.h>
#include <arch/memlayout.h>
#include <arch/mmu.h>
#include <arch/vspace.h>

/* Thread whose FPU state is in the FPU (thread.c). */
extern tcb_t *ia32_fpu_owner;
/* CR0.TS is set: the running thread has seL4_TCBFlag_fpuDisabled (thread.c). */
extern bool ia32_fpu_off;
/* thread.c: the FPU switch when t has the FPU disabled or it is off now. */
void ia32_switch_fpu_flagged(tcb_t *t);

/* entry.S: leave into the user context whose saved EAX is at `eax`
 * (sysexit if it entered by sysenter, else iret). */
__attribute__((noreturn, regparm(1))) void ia32_restore_user(word_t *eax);
/* entry.S: run the slow system-call path for the current thread, whose
 * registers the sysenter stub saved (sets up what the fastpath skipped). */
__attribute__((noreturn, regparm(1))) void ia32_syscall_slowpath(sword_t sysno);
/* entry.S: the same for a trap from user level (vector and error saved). */
__attribute__((noreturn)) void ia32_trap_slowpath(void);

/* The page directory t runs in (*pd), if it has a valid one: the checks
 * of ia32_thread_pd(). */
static inline __attribute__((always_inline)) bool arch_fastpath_vspace(const tcb_t *t, pde_t **pd)
{
    cap_t root = t->slots[TCB_SLOT_VTABLE].cap;

    if (unlikely((root.w0 & (CAP_TYPE_MASK | BIT(4))) != (CAP_PAGE_DIRECTORY | BIT(4))))
        return false;
    word_t asid = cap_mapped_asid(root);
    if (unlikely(asid == ASID_INVALID))
        return false;
    asid_pool_t *pool = ks_asid_table[asid_pool_of(asid)];
    *pd = cap_paging_ptr(root);
    return likely(pool != NULL) && likely(pool->pd[asid_index(asid)] == *pd);
}

/* Make t's context the one the CPU uses, root its page directory
 * (physical address). */
static inline __attribute__((always_inline)) void ia32_switch_context(tcb_t *t, paddr_t root)
{
    tss_set_esp0((word_t)(uintptr_t)(&t->ctx + 1));
    /* Reloading CR3 drops the whole non-global TLB: only on a real change. */
    if ((read_cr3() & PTE_ADDR_MASK) != root)
        write_cr3(root);
    gdt_set_user_bases(t->ctx.fs_base, t->ctx.gs_base);
    if (unlikely((t->flags & TCB_FLAG_FPU_DISABLED) || ia32_fpu_off)) {
        ia32_switch_fpu_flagged(t);
        return;
    }
    tcb_t *owner = ia32_fpu_owner;
    if (owner != t) {
        if (owner != NULL)
            __asm__ volatile("fxsave %0" : "=m"(owner->fpu));
        __asm__ volatile("fxrstor %0" : : "m"(t->fpu));
        ia32_fpu_owner = t;
    }
}

/* ---- What kernel/fastpath.c calls. ---- */

/* Make t current in the CPU: its context and its page directory pd. */
static inline __attribute__((always_inline)) void arch_fastpath_switch(tcb_t *t, pde_t *pd)
{
    ia32_switch_context(t, kptr_to_paddr(pd));
}

/* Leave the kernel into t, which receives a message: badge, info and the
 * two register words (entry.S ia32_fastpath_exit). */
__attribute__((noreturn)) static inline __attribute__((always_inline))
void arch_fastpath_restore(tcb_t *t, word_t badge, word_t info, word_t mr0, word_t mr1)
{
    __asm__ volatile("movl %0, %%esp\n\t"
                     "jmp ia32_fastpath_exit"
                     : : "a"(&t->ctx.eax), "b"(badge), "S"(info), "D"(mr0), "c"(mr1) : "memory");
    __builtin_unreachable();
}

/* Leave the kernel into t, restoring every register from its context. */
__attribute__((noreturn)) static inline __attribute__((always_inline))
void arch_fastpath_restore_context(tcb_t *t)
{
    ia32_restore_user(&t->ctx.eax);
}

/* Give up: the slow path handles system call sysno from the start. */
__attribute__((noreturn)) static inline __attribute__((always_inline)) void arch_fastpath_fallback(sword_t sysno)
{
    ia32_syscall_slowpath(sysno);
}

#endif
