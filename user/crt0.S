/*
 * Entry point of a root task. The kernel starts the root thread at the ELF
 * entry with EBX = user address of the bootinfo frame, ESP = 0 and a TLS
 * base of 0: there is no stack and no IPC-buffer pointer yet. We clear .bss
 * (whatever the loader did), switch to a static 64 KiB stack and continue
 * in C (__rt_start_root, rt_start.c), which sets up TLS and calls main.
 */

#define RT_ROOT_STACK_SIZE 65536

    .section .text.start, "ax"
    .globl _start
    .type _start, @function
_start:
    cld
    movl    %ebx, %edx                  /* bootinfo: rep stos uses eax, ecx, edi */
    movl    $__bss_start, %edi
    movl    $__bss_end, %ecx
    subl    %edi, %ecx
    shrl    $2, %ecx
    xorl    %eax, %eax
    rep stosl
    movl    $__rt_root_stack_top, %esp
    xorl    %ebp, %ebp
    subl    $12, %esp                   /* keep %esp 16-byte aligned at the call */
    pushl   %edx
    call    __rt_start_root
    /* __rt_start_root does not return; if it did, stop here. */
1:  hlt                                 /* privileged: faults, the kernel stops us */
    jmp     1b
    .size _start, . - _start

    .section .bss.rt_root_stack, "aw", @nobits
    .balign 16
    .globl __rt_root_stack_bottom
__rt_root_stack_bottom:
    .space RT_ROOT_STACK_SIZE
    .globl __rt_root_stack_top
__rt_root_stack_top:

    .section .note.GNU-stack, "", @progbits
