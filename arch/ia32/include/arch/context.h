/*
 * The user register context saved in every TCB. Its layout is dictated by
 * how the entry stubs fill it: TSS.esp0 (and the sysenter stub) point just
 * past the end of the current thread's context, so the CPU's interrupt frame
 * (ss, esp, eflags, cs, eip, error) and the stub's pushes land directly in
 * the TCB and nothing is copied on kernel entry. Fields below `eax` are
 * never pushed; they live at lower addresses.
 */
#ifndef ARCH_CONTEXT_H
#define ARCH_CONTEXT_H

/* EFLAGS bits (SDM vol. 1, 3.4.3) and the user's flags as seL4 sanitises
 * them (sanitiseRegister): bit 1 always set, bits 3 and 5 always clear,
 * interrupts enabled, no single stepping, nothing above bit 11 (IOPL, NT,
 * RF, VM, AC, ID). The kernel itself runs with EFLAGS_KERNEL. */
#define EFLAGS_FIXED_ONE    0x00000002u
#define EFLAGS_FIXED_ZERO   0x00000028u
#define EFLAGS_TF           0x00000100u
#define EFLAGS_IF           0x00000200u
#define EFLAGS_USER_BITS    0x00000fffu
#define EFLAGS_USER_INIT    (EFLAGS_FIXED_ONE | EFLAGS_IF)
#define EFLAGS_KERNEL       EFLAGS_FIXED_ONE

#ifndef __ASSEMBLER__
#include <kernel/types.h>

typedef struct user_context {
    word_t fs_base;     /* base of the %fs segment (GDT entry 6, selector 0x33) */
    word_t gs_base;     /* base of the %gs segment = TLS base (GDT entry 7, 0x3b) */
    word_t fault_ip;    /* address of the instruction that trapped or entered */
    /* pushed by the entry stubs, last push first */
    word_t eax, ebx, ecx, edx, esi, edi, ebp;
    word_t vector;      /* how the thread last entered: trap vector or VECTOR_SYSENTER */
    word_t error;       /* hardware error code, 0 if none */
    /* pushed by the CPU (interrupt gate from ring 3) */
    word_t eip, cs, eflags, esp, ss;
} user_context_t;

/* Pseudo vector recorded for a sysenter entry: its return may use sysexit,
 * which clobbers ECX and EDX. Anything that sets those registers for the
 * thread (WriteRegisters, a fault reply) sets another value so that the
 * return goes through iret. */
#endif

#define VECTOR_SYSENTER     0x100
#define VECTOR_RESTORE_IRET 0x101

#ifndef __ASSEMBLER__
/* FXSAVE area: 512 bytes, 16-byte aligned. */
typedef struct fpu_state {
    uint8_t bytes[512];
} __attribute__((aligned(16))) fpu_state_t;
#endif

#endif
