/*
 * Making a thread current and leaving the kernel into it.
 *
 * Switching costs only what differs: the TSS stack pointer, which the
 * sysenter stub reads too (one store), CR3 only when the address space
 * changes, the fs/gs segment bases only when they change, and the FPU
 * state, which is saved and restored eagerly (FXSAVE/FXRSTOR) but only when
 * another thread's state is live in the FPU. The switch itself is inline
 * in arch/fastpath.h, shared with the fastpath.
 */
#include <arch/arch.h>
#include <arch/fastpath.h>
#include <arch/frametype.h>
#include <arch/gdt.h>
#include <arch/machine.h>
#include <arch/memlayout.h>
#include <arch/mmu.h>
#include <arch/vspace.h>
#include <kernel/state.h>
#include <kernel/debug.h>

#define FXSAVE_FCW_OFFSET   0
#define FXSAVE_MXCSR_OFFSET 24
#define FCW_INIT            0x037fu     /* fninit value: all exceptions masked */
#define MXCSR_INIT          0x1f80u

void ia32_idle(void) __attribute__((noreturn));

/* No thread's FPU state in the FPU: the owner is this dummy, so that the
 * switch (here and in entry.S) never tests for NULL. */
static tcb_t fpu_nobody __attribute__((aligned(1u << TCB_BITS)));
tcb_t *ia32_fpu_owner = &fpu_nobody;
bool ia32_fpu_off;

/* seL4 (RFC-18 TCB-flag FPU switching, lazyFPURestore): a thread with
 * seL4_TCBFlag_fpuDisabled runs with CR0.TS set, so its first FPU or SSE
 * instruction raises #NM, a UserException (Number 7) for its fault
 * handler; whichever thread owns the FPU keeps its state there. Any other
 * thread gets the FPU back (TS clear) and its own state. entry.S
 * (FP_SWITCH_RARE) does the same for the fastpath. */
static void ia32_switch_fpu_flagged(tcb_t *t)
{
    if (t->flags & TCB_FLAG_FPU_DISABLED) {
        if (!ia32_fpu_off) {
            write_cr0(read_cr0() | CR0_TS);
            ia32_fpu_off = true;
        }
        return;
    }
    __asm__ volatile("clts" ::: "memory");
    ia32_fpu_off = false;
    tcb_t *owner = ia32_fpu_owner;
    if (owner != t) {
        __asm__ volatile("fxsave %0" : "=m"(owner->fpu));
        __asm__ volatile("fxrstor %0" : : "m"(t->fpu));
        ia32_fpu_owner = t;
    }
}

/* Make t's context the one the CPU uses, root its page directory
 * (physical address). entry.S ia32_fastpath_switch_exit is the same in
 * assembly. */
static void ia32_switch_context(tcb_t *t, paddr_t root)
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
        __asm__ volatile("fxsave %0" : "=m"(owner->fpu));
        __asm__ volatile("fxrstor %0" : : "m"(t->fpu));
        ia32_fpu_owner = t;
    }
}

/* entry.S addresses the context by these offsets. */
_Static_assert(__builtin_offsetof(user_context_t, fault_ip) == 8 &&
               __builtin_offsetof(user_context_t, eax) == 12 &&
               __builtin_offsetof(user_context_t, ebx) == 16 &&
               __builtin_offsetof(user_context_t, esi) == 28 &&
               __builtin_offsetof(user_context_t, edi) == 32 &&
               __builtin_offsetof(user_context_t, ebp) == 36 &&
               __builtin_offsetof(user_context_t, vector) == 40 &&
               __builtin_offsetof(user_context_t, eip) == 48 &&
               __builtin_offsetof(user_context_t, eflags) == 56 &&
               __builtin_offsetof(user_context_t, esp) == 60 &&
               sizeof(user_context_t) == 68, "entry.S context offsets");
_Static_assert(__builtin_offsetof(tcb_t, ctx) == 0 &&
               __builtin_offsetof(tcb_t, fpu) == 80 &&
               __builtin_offsetof(tcb_t, flags) == 768 &&
               TCB_FLAG_FPU_DISABLED == 1 && CR0_TS == 8, "entry.S TCB offsets");

void arch_tcb_init(tcb_t *t)
{
    t->ctx.cs = SEL_CS_3;
    t->ctx.ss = SEL_DS_3;
    t->ctx.eflags = EFLAGS_USER_INIT;
    t->ctx.vector = VECTOR_RESTORE_IRET;
    uint16_t fcw = FCW_INIT;
    uint32_t mxcsr = MXCSR_INIT;
    memcpy(&t->fpu.bytes[FXSAVE_FCW_OFFSET], &fcw, sizeof(fcw));
    memcpy(&t->fpu.bytes[FXSAVE_MXCSR_OFFSET], &mxcsr, sizeof(mxcsr));
}

void arch_tcb_destroyed(tcb_t *t)
{
    if (ia32_fpu_owner == t)
        ia32_fpu_owner = &fpu_nobody;
}

void arch_switch_to_thread(tcb_t *t)
{
    if (t == ks_idle_thread) {
        /* Keep the current address space: the kernel half is in all. */
        return;
    }
    pde_t *pd = ia32_thread_pd(t);
    assert(!pd || ft_get(kptr_to_paddr(pd)) == FT_PAGE_DIRECTORY ||
           ft_get(kptr_to_paddr(pd)) == FT_UNTRACKED);
    /* No valid VSpace: the kernel's PD, and a fault on the first user access. */
    ia32_switch_context(t, kptr_to_paddr(pd ? pd : ia32_kernel_pd));
}

void arch_vspace_reload(tcb_t *t)
{
    if (t == ks_cur_thread)
        arch_switch_to_thread(t);
}

void arch_restore_user_context(void)
{
    tcb_t *t = ks_cur_thread;
    if (t == ks_idle_thread)
        ia32_idle();
    /* The sysenter stub never writes the cs slot (entry.S): it must hold
     * the only ring-3 code selector for an iret. */
    assert(t->ctx.cs == SEL_CS_3);
    /* The thread may have changed its own TLS base in this call. */
    gdt_set_user_bases(t->ctx.fs_base, t->ctx.gs_base);
    ia32_restore_user(&t->ctx.eax);
}
