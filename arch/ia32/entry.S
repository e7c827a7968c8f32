/*
 * Kernel entry and exit.
 *
 * Every way into the kernel from user level saves the user registers in
 * the current thread's TCB (user_context_t, arch/context.h) without copying:
 * TSS.esp0 points just past the end of that context (the sysenter stub
 * reads it from the TSS too), so the CPU's interrupt frame and the pushes
 * below fill it in place. Then we switch to the single kernel stack and
 * call C. The kernel runs with interrupts off; the only place it enables
 * them is the idle loop.
 *
 * Nothing of the CPU state a thread controls survives into the kernel or
 * into another thread (docs/design.md, "CPU state a thread controls"):
 *  - Segments: every entry loads DS and ES with the flat user data
 *    selector (usable in ring 0) and FS and GS with the two TLS selectors,
 *    before the first memory access through DS, as seL4's RESET_SELECTORS
 *    does; so a selector one thread loads never reaches the next, and
 *    every thread leaves the kernel with exactly those four.
 *  - EFLAGS: sysenter keeps the user's NT, TF, AC and DF (it clears only
 *    IF, VM and RF). The stub saves them and then loads the kernel's flags
 *    (EFLAGS_KERNEL), so an iret never runs with NT set (a nested-task
 *    return: #TS in ring 0) and no kernel code runs single-stepped. TF
 *    set at sysenter raises a debug trap on the stub's first instruction
 *    on real hardware: trap_debug clears TF in that frame and resumes the
 *    stub (the CPU pushes that frame at MSR_SYSENTER_ESP, the kernel
 *    stack's top, which is free while user code runs). Interrupt gates
 *    clear NT and TF themselves; trap_common clears DF.
 *  - The stub saves the flags as sysenter left them: IF clear (sysenter
 *    clears it) and TF clear (trap_debug clears it in the saved copy too),
 *    so the sysexit tails restore them with a plain popfl in ring 0 and
 *    enable interrupts with the sti before sysexit: a thread loses TF
 *    across a system call, as under seL4's sanitised flags. So the saved
 *    flags of every thread whose last entry was sysenter have IF clear;
 *    that IF of 0 never reaches user level: reading the register sets it
 *    (tcb_get_user_reg), and so does every change to an iret exit
 *    (tcb_force_iret), which pops the user's flags as the privilege
 *    change returns to ring 3.
 *
 * With CONFIG_FASTPATH, Call and ReplyRecv go from the sysenter stub
 * straight to kernel/fastpath.c, which either completes them and leaves
 * through ia32_restore_user or falls back to ia32_syscall_slowpath.
 *
 * Exit: a thread that last entered through sysenter returns with sysexit
 * (ECX and EDX are clobbered, as seL4's stubs expect); any other thread
 * returns through iret with every register restored.
 */
#include <arch/context.h>
#include <arch/gdt.h>
#include <arch/traps.h>
#include <abi/syscall.h>
#include <abi/msginfo.h>

/* Offsets in user_context_t (arch/context.h). */
#define CTX_FAULT_IP    8
#define CTX_EAX         12
#define CTX_EBX         16
#define CTX_ESI         28
#define CTX_EDI         32
#define CTX_EBP         36
#define CTX_VECTOR      40
#define CTX_EIP         48
#define CTX_EFLAGS      56
#define CTX_ESP         60
#define CTX_SIZE        68
#define FRAME_CS        40  /* cs relative to the saved eax */
/* Offsets in tcb_t (kernel/objects.h; the context comes first). */
#define TCB_FS_BASE     0
#define TCB_GS_BASE     4
#define TCB_FPU         80
#define TCB_FLAGS       768
#define TCB_FLAG_FPU_DISABLED 1
#define CR0_TS_MASK     8   /* CR0_TS (arch/mmu.h), checked in thread.c */
#define INFO_UNWRAPPED  (((1 << MSGINFO_UNWRAPPED_BITS) - 1) << MSGINFO_UNWRAPPED_SHIFT)

/* Leave by sysexit from the context whose saved EAX is at ESP, with EBX,
 * ESI, EDI and EBP already loaded: EDX gets the return EIP, ECX the user
 * ESP. Interrupts stay off until sysexit has completed (sti shadow). */
.macro SYSEXIT_TAIL
    movl (%esp), %eax
    movl CTX_EIP-CTX_EAX(%esp), %edx
    movl CTX_ESP-CTX_EAX(%esp), %ecx
    addl $CTX_EFLAGS-CTX_EAX, %esp
    popfl
    sti
    sysexit
.endm

/* Push the general registers into the context in user_context_t's order
 * (arch/context.h): EAX ends lowest, EBP just below the vector. */
.macro SAVE_GPRS
    pushl %ebp
    pushl %edi
    pushl %esi
    pushl %edx
    pushl %ecx
    pushl %ebx
    pushl %eax
.endm

.macro RELOAD_DATA_SEGMENTS
    movw %ss:sel_ds, %ds
    movw sel_ds, %es
    movw sel_fs, %fs
    movw sel_gs, %gs
.endm

/* The selectors every entry loads, as memory operands: one instruction
 * per load. */
    .pushsection .rodata
sel_ds: .word SEL_DS_3
sel_fs: .word SEL_FS
sel_gs: .word SEL_GS
    .popsection

    .text
/* sysenter: ESP comes from MSR_SYSENTER_ESP and is not trusted; EDX holds
 * the address of the sysenter instruction, ECX the user stack pointer. */
    .globl ia32_sysenter_entry
    .align 16
ia32_sysenter_entry:
    movl %ss:ia32_tss + TSS_ESP0_OFFSET, %esp
    pushl $SEL_DS_3                     /* ss */
    pushl %ecx                          /* esp */
    pushfl                              /* eflags: IF and TF clear */
    /* cs: always the user code selector (the only ring-3 code segment),
     * written at thread creation and by every trap frame; eip: below;
     * error: read only after a trap. */
    subl $12, %esp
    pushl $EFLAGS_KERNEL                /* in the vector's slot, for a moment */
    popfl
sysenter_flags_clean:                   /* TF is off from here on */
    pushl $VECTOR_SYSENTER              /* vector */
    SAVE_GPRS
    pushl %edx                          /* fault_ip: a restart re-runs the sysenter */
    leal SYSENTER_INSN_LEN(%edx), %ecx
    movl %ecx, %ss:CTX_EIP-CTX_FAULT_IP(%esp) /* eip: after the sysenter instruction */
    movw %ss:sel_ds, %ds
    movw sel_ds, %es
    movw sel_fs, %fs
    movw sel_gs, %gs
    movl $ia32_kernel_stack_top, %esp
#if CONFIG_FASTPATH
    /* Call (-1) and ReplyRecv (-2) are the two largest numbers. The
     * fastpath functions never return: they are jumped to. */
    cmpl $SYS_REPLY_RECV, %eax
    ja fastpath_call
    je fastpath_reply_recv
#endif
2:  pushl %eax
    call c_handle_syscall               /* does not return */

/* void ia32_syscall_slowpath(sword_t sysno) (regparm: EAX): the fastpath
 * gives up; the registers are saved, the segments and flags are the
 * kernel's already. */
    .globl ia32_syscall_slowpath
ia32_syscall_slowpath:
    movl $ia32_kernel_stack_top, %esp
    jmp 2b

/* Interrupts and exceptions. Vectors without a CPU error code push 0. */
    .altmacro
.macro TRAP_STUB vec
    .align 8
trap_stub_\vec:
    .if (\vec <> 8) && (\vec <> 10) && (\vec <> 11) && (\vec <> 12) && (\vec <> 13) && (\vec <> 14) && (\vec <> 17) && (\vec <> 21) && (\vec <> 29) && (\vec <> 30)
    pushl $0
    .endif
    pushl $\vec
    .if \vec == VEC_DB
    jmp trap_debug
    .else
#if CONFIG_FASTPATH
    .if \vec == VEC_LINUX
    jmp trap_linux
    .elseif \vec == VEC_PF
    jmp trap_page_fault
    .else
    jmp trap_common
    .endif
#else
    jmp trap_common
#endif
    .endif
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

/* A debug trap. From user level (single-stepping, int1) it is a user
 * exception like any other. In ring 0 it can only be the single step of
 * a thread that entered by sysenter with TF set, taken before the stub
 * cleared TF: clear TF in the interrupted flags and let the stub go on.
 * Only the stack (SS) is used here: DS may still be the user's. Frame:
 * vector, error, eip, cs, eflags. */
trap_debug:
    testl $3, 12(%esp)
    jnz trap_common
    cmpl $ia32_sysenter_entry, 8(%esp)
    jb trap_common
    cmpl $sysenter_flags_clean, 8(%esp)
    ja trap_common
    andl $~EFLAGS_TF, 16(%esp)
    /* If the stub saved the flags already, TF goes from that copy too:
     * the sysexit tails restore it with popfl in ring 0. */
    pushl %eax
    movl %ss:ia32_tss + TSS_ESP0_OFFSET, %eax
    andl $~EFLAGS_TF, %ss:CTX_EFLAGS-CTX_SIZE(%eax)
    popl %eax
    addl $8, %esp
    iret

trap_common:
    SAVE_GPRS
trap_common_saved:
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

#if CONFIG_FASTPATH
/* int $0x80, our Linux system-call trap (an UnknownSyscall fault), goes
 * to its own fastpath (kernel/fastpath.c) once the registers are saved:
 * a trap from ring 0 is an interrupt in the idle loop, which takes the
 * common path. The fastpath tells a delivered IRQ 96 (the same vector)
 * from a software `int` and falls back to ia32_trap_slowpath. */
trap_linux:
    SAVE_GPRS
    testl $3, FRAME_CS(%esp)
    jz trap_common_saved
    /* As on the sysenter entry, DS, ES and the direction flag are the
     * kernel's before any C runs (it may copy with string instructions). */
    RELOAD_DATA_SEGMENTS
    cld
    movl $ia32_kernel_stack_top, %esp
    jmp fastpath_unknown_syscall

/* A page fault from user level (a VMFault) goes to its own fastpath
 * (kernel/fastpath.c) in the same way; one from ring 0 is a kernel bug,
 * which the common path reports. Vector 14 is never an interrupt (the
 * interrupt vectors start at VEC_IRQ_MIN). */
trap_page_fault:
    SAVE_GPRS
    testl $3, FRAME_CS(%esp)
    jz trap_common_saved
    RELOAD_DATA_SEGMENTS
    cld
    movl $ia32_kernel_stack_top, %esp
    jmp fastpath_vm_fault

/* void ia32_trap_slowpath(void): the fastpath gives up a trap from user
 * level, whose registers, vector and error are saved (and DS, ES and the
 * direction flag set, trap_linux). */
    .globl ia32_trap_slowpath
ia32_trap_slowpath:
    movl $ia32_kernel_stack_top, %esp
    pushl $0                            /* the frame: unused */
    call c_handle_user_trap             /* does not return */
#endif

/* void ia32_restore_user(word_t *eax) (regparm: EAX points at the saved
 * EAX of the context to restore) */
    .globl ia32_restore_user
ia32_restore_user:
    movl %eax, %esp
    cmpl $VECTOR_SYSENTER, CTX_VECTOR-CTX_EAX(%esp)
    jne restore_iret
    movl CTX_EBX-CTX_EAX(%esp), %ebx
    movl CTX_ESI-CTX_EAX(%esp), %esi
    movl CTX_EDI-CTX_EAX(%esp), %edi
    movl CTX_EBP-CTX_EAX(%esp), %ebp
    SYSEXIT_TAIL

#if CONFIG_FASTPATH
/* The fastpath's switch and exit (arch/fastpath.h): make the thread whose
 * TCB is at EAX current, with the page directory at physical address EDX,
 * and leave into it; EBX, ESI, EDI and ECX hold the badge, message info,
 * MR0 and MR1 it receives: these survive the switch in EBX, ESI, EDI and
 * EBP. What it does is ia32_switch_context() (arch/fastpath.h): TSS.esp0,
 * CR3 and the fs/gs bases only if they change, the FPU eagerly unless a
 * thread involved has it disabled (then thread.c decides).
 *
 * A thread that entered by sysenter gets the four words in registers only
 * (its saved copies are dead until its next entry, which overwrites them);
 * any other thread leaves through iret, from its context, so they are
 * stored there first. A thread restarted by a fault reply leaves with the
 * registers its context holds (ia32_fastpath_switch_restore): the same
 * switch, then ia32_restore_user's exit.
 *
 * The switch, once per exit (each copy has its own numeric labels; its
 * out-of-line cases follow the exit code, FP_SWITCH_RARE). EAX: the TCB,
 * EDX: its page directory; ECX is clobbered; the thread is current after. */
.macro FP_SWITCH
    leal CTX_SIZE(%eax), %ecx
    movl %ecx, ia32_tss + TSS_ESP0_OFFSET
    movl %cr3, %ecx                     /* CR3 holds a bare address */
    cmpl %ecx, %edx
    je 1f
    movl %edx, %cr3
1:  movl TCB_FS_BASE(%eax), %ecx
    cmpl ia32_fs_base, %ecx
    jne 7f
2:  movl TCB_GS_BASE(%eax), %ecx
    cmpl ia32_gs_base, %ecx
    je 3f
    movl %ecx, ia32_gs_base
    movw %cx, ia32_gdt + GDT_GS * 8 + 2 /* base 15:0 */
    shrl $16, %ecx
    movb %cl, ia32_gdt + GDT_GS * 8 + 4 /* base 23:16 */
    movb %ch, ia32_gdt + GDT_GS * 8 + 7 /* base 31:24 */
    movw sel_gs, %gs
3:  testb $TCB_FLAG_FPU_DISABLED, TCB_FLAGS(%eax)
    jnz 8f
    cmpb $0, ia32_fpu_off
    jnz 9f
6:  movl ia32_fpu_owner, %ecx           /* never NULL (thread.c) */
    cmpl %ecx, %eax
    je 4f
    fxsave TCB_FPU(%ecx)
    fxrstor TCB_FPU(%eax)
    movl %eax, ia32_fpu_owner
4:  movl %eax, ks_cur_thread
.endm

/* The rare cases of the FP_SWITCH just above, out of line:
 * 7: a new fs base (rare: seL4 threads keep TLS in gs);
 * 8: the thread has the FPU disabled, so it runs with CR0.TS set (its
 * first FPU instruction is a #NM for its fault handler) and the owner
 * keeps its state in the FPU, as ia32_switch_fpu_flagged (thread.c);
 * 9: the FPU is off and the thread uses it: clear TS, then switch the
 * state as usual. */
.macro FP_SWITCH_RARE
7:  movl %ecx, ia32_fs_base
    movw %cx, ia32_gdt + GDT_FS * 8 + 2
    shrl $16, %ecx
    movb %cl, ia32_gdt + GDT_FS * 8 + 4
    movb %ch, ia32_gdt + GDT_FS * 8 + 7
    movw sel_fs, %fs
    jmp 2b
8:  cmpb $0, ia32_fpu_off
    jnz 4b
    movl %cr0, %ecx
    orl $CR0_TS_MASK, %ecx
    movl %ecx, %cr0
    movb $1, ia32_fpu_off
    jmp 4b
9:  clts
    movb $0, ia32_fpu_off
    jmp 6b
.endm

    .globl ia32_fastpath_switch_exit
ia32_fastpath_switch_exit:
    movl %ecx, %ebp
    jmp fp_switch

/* The same for a message sent by the thread whose TCB is at ECX (a Call
 * or a reply from the sysenter stub): the info (without the unwrapped
 * bits), MR0 and MR1 are its saved ESI, EDI and EBP. */
    .globl ia32_fastpath_send_exit
ia32_fastpath_send_exit:
    movl CTX_ESI(%ecx), %esi
    movl CTX_EDI(%ecx), %edi
    movl CTX_EBP(%ecx), %ebp
    andl $~INFO_UNWRAPPED, %esi
fp_switch:
    FP_SWITCH
    leal CTX_EFLAGS(%eax), %esp
    cmpl $VECTOR_SYSENTER, CTX_VECTOR-CTX_EFLAGS(%esp)
    jne 5f
    movl CTX_EAX-CTX_EFLAGS(%esp), %eax
    movl CTX_EIP-CTX_EFLAGS(%esp), %edx
    movl CTX_ESP-CTX_EFLAGS(%esp), %ecx
    popfl
    sti
    sysexit
5:  movl %ebx, CTX_EBX-CTX_EFLAGS(%esp)
    movl %esi, CTX_ESI-CTX_EFLAGS(%esp)
    movl %edi, CTX_EDI-CTX_EFLAGS(%esp)
    movl %ebp, CTX_EBP-CTX_EFLAGS(%esp)
    leal CTX_EAX-CTX_EFLAGS(%esp), %esp
    jmp restore_iret
    FP_SWITCH_RARE

/* void ia32_fastpath_switch_restore(tcb_t *t) (EAX; EDX: its page
 * directory): make t current and leave into it with every register as
 * its context holds them (a thread restarted by a fault reply). */
    .globl ia32_fastpath_switch_restore
ia32_fastpath_switch_restore:
    FP_SWITCH
    leal CTX_EAX(%eax), %esp
    cmpl $VECTOR_SYSENTER, CTX_VECTOR-CTX_EAX(%esp)
    jne restore_iret
    movl CTX_EBX-CTX_EAX(%esp), %ebx
    movl CTX_ESI-CTX_EAX(%esp), %esi
    movl CTX_EDI-CTX_EAX(%esp), %edi
    movl CTX_EBP-CTX_EAX(%esp), %ebp
    SYSEXIT_TAIL
    FP_SWITCH_RARE

#endif

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

