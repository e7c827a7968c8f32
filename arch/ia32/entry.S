/*
 * Kernel entry and exit.
 *
 * Every way into the kernel from user level saves the user registers in
 * the current thread's TCB (user_context_t, arch/context.h) without copying:
 * TSS.esp0 and ia32_ctx_end both point just past the end of that context,
 * so the CPU's interrupt frame and the pushes below fill it in place. Then
 * we switch to the single kernel stack and call C. The kernel runs with
 * interrupts off; the only place it enables them is the idle loop.
 *
 * DS and ES always hold the flat user data selector (usable in ring 0), but
 * user code may have loaded anything into them, so every entry reloads them
 * before the first memory access through DS.
 *
 * Exit: a thread that last entered through sysenter returns with sysexit
 * (ECX and EDX are clobbered, as seL4's stubs expect); any other thread
 * returns through iret with every register restored.
 */
#include <arch/gdt.h>

#define VECTOR_SYSENTER 0x100
#define EFLAGS_IF       0x200
/* Offsets in user_context_t (arch/context.h). */
#define CTX_EAX         12
#define CTX_VECTOR      40
#define FRAME_CS        40  /* cs relative to the saved eax */

.macro RELOAD_DATA_SEGMENTS
    movl $SEL_DS_3, %ecx
    movl %ecx, %ds
    movl %ecx, %es
.endm

    .text
/* sysenter: ESP comes from MSR_SYSENTER_ESP and is not trusted; EDX holds
 * the address of the sysenter instruction, ECX the user stack pointer. */
    .globl ia32_sysenter_entry
    .align 16
ia32_sysenter_entry:
    movl %ss:ia32_ctx_end, %esp
    pushl $SEL_DS_3                     /* ss */
    pushl %ecx                          /* esp */
    pushfl
    orl $EFLAGS_IF, (%esp)              /* eflags, as user level had them */
    pushl $SEL_CS_3                     /* cs */
    pushl %edx                          /* eip: the sysenter instruction */
    pushl $0                            /* error */
    pushl $VECTOR_SYSENTER              /* vector */
    pushl %ebp
    pushl %edi
    pushl %esi
    pushl %edx
    pushl %ecx
    pushl %ebx
    pushl %eax
    RELOAD_DATA_SEGMENTS
    cld
    movl $ia32_kernel_stack_top, %esp
    pushl %eax
    call c_handle_syscall               /* does not return */

/* Interrupts and exceptions. Vectors without a CPU error code push 0. */
    .altmacro
.macro TRAP_STUB vec
    .align 8
trap_stub_\vec:
    .if (\vec <> 8) && (\vec <> 10) && (\vec <> 11) && (\vec <> 12) && (\vec <> 13) && (\vec <> 14) && (\vec <> 17) && (\vec <> 21) && (\vec <> 29) && (\vec <> 30)
    pushl $0
    .endif
    pushl $\vec
    jmp trap_common
    .pushsection .rodata
    .long trap_stub_\vec
    .popsection
.endm

    .pushsection .rodata
    .align 4
    .globl ia32_trap_stub_table
ia32_trap_stub_table:
    .popsection
    .set vec_i, 0
    .rept 256
    TRAP_STUB %vec_i
    .set vec_i, vec_i + 1
    .endr
    .noaltmacro

trap_common:
    pushl %ebp
    pushl %edi
    pushl %esi
    pushl %edx
    pushl %ecx
    pushl %ebx
    pushl %eax
    RELOAD_DATA_SEGMENTS
    cld
    movl %esp, %eax                     /* the saved frame */
    testl $3, FRAME_CS(%esp)                  /* CS of the interrupted code */
    jz 1f
    movl $ia32_kernel_stack_top, %esp
    pushl %eax
    call c_handle_user_trap             /* does not return */
1:  /* From ring 0: the idle loop, or a kernel bug. Stay on this stack. */
    pushl %eax
    call c_handle_kernel_trap           /* does not return */

/* void ia32_restore_user(user_context_t *ctx) */
    .globl ia32_restore_user
ia32_restore_user:
    movl 4(%esp), %esp
    cmpl $VECTOR_SYSENTER, CTX_VECTOR-CTX_EAX(%esp)
    jne restore_iret
    popl %eax
    popl %ebx
    addl $8, %esp                       /* ecx, edx: clobbered by sysexit */
    popl %esi
    popl %edi
    popl %ebp
    addl $8, %esp                       /* vector, error */
    popl %edx                           /* eip */
    addl $4, %esp                       /* cs */
    andl $~EFLAGS_IF, (%esp)
    popfl
    popl %ecx                           /* esp */
    sti                                 /* takes effect after sysexit */
    sysexit
restore_iret:
    popl %eax
    popl %ebx
    popl %ecx
    popl %edx
    popl %esi
    popl %edi
    popl %ebp
    addl $8, %esp                       /* vector, error */
    iret

/* The idle loop: wait for an interrupt with interrupts on. The interrupt
 * arrives through trap_common from ring 0. */
    .globl ia32_idle
ia32_idle:
    movl $ia32_kernel_stack_top, %esp
1:  sti
    hlt
    cli
    jmp 1b

    .data
    .globl ia32_ctx_end
ia32_ctx_end:
    .long 0
