/*
 * Making a thread current and leaving the kernel into it.
 *
 * Switching costs only what differs: the TSS and sysenter stack pointers
 * (two stores), CR3 only when the address space changes, the fs/gs segment
 * bases only when they change, and the FPU state, which is saved and
 * restored eagerly (FXSAVE/FXRSTOR) but only when another thread's state
 * is live in the FPU.
 */
#include <arch/arch.h>
#include <arch/gdt.h>
#include <arch/machine.h>
#include <arch/memlayout.h>
#include <arch/mmu.h>
#include <arch/vspace.h>
#include <kernel/state.h>
#include <kernel/debug.h>

#define EFLAGS_USER_INIT    0x202u      /* IF and the always-one bit */
#define FXSAVE_FCW_OFFSET   0
#define FXSAVE_MXCSR_OFFSET 24
#define FCW_INIT            0x037fu     /* fninit value: all exceptions masked */
#define MXCSR_INIT          0x1f80u

extern word_t ia32_ctx_end;
void ia32_restore_user(word_t *frame) __attribute__((noreturn));
void ia32_idle(void) __attribute__((noreturn));

static tcb_t *fpu_owner;                /* thread whose FPU state is in the FPU */

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
    if (fpu_owner == t)
        fpu_owner = NULL;
}

static void switch_fpu(tcb_t *t)
{
    if (fpu_owner == t)
        return;
    if (fpu_owner)
        __asm__ volatile("fxsave %0" : "=m"(fpu_owner->fpu));
    __asm__ volatile("fxrstor %0" : : "m"(t->fpu));
    fpu_owner = t;
}

void arch_switch_to_thread(tcb_t *t)
{
    if (t == ks_idle_thread) {
        /* Keep the current address space: the kernel half is in all. */
        return;
    }
    word_t end = (word_t)(uintptr_t)(&t->ctx + 1);
    ia32_ctx_end = end;
    tss_set_esp0(end);
    vspace_set_root(t);
    gdt_set_user_bases(t->ctx.fs_base, t->ctx.gs_base);
    switch_fpu(t);
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
    /* The thread may have changed its own TLS base in this call. */
    gdt_set_user_bases(t->ctx.fs_base, t->ctx.gs_base);
    ia32_restore_user(&t->ctx.eax);
}
