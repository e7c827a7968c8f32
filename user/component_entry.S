/*
 * First instruction of a component started by its parent (rt/component.h):
 * ESP is the top of its stack, EBX the address of its rt_component_info_t.
 * Aligns the stack and calls the C start with the info pointer, which sets
 * the TLS base and reloads %gs before anything reads through it.
 */
#include <rt/tls.h>

    .text
    .globl rt_component_entry
    .type rt_component_entry, @function
rt_component_entry:
    xorl    %ebp, %ebp
    andl    $-16, %esp
    subl    $12, %esp
    pushl   %ebx
    call    __rt_start_component
1:  jmp     1b
    .size rt_component_entry, . - rt_component_entry

    .section .note.GNU-stack, "", @progbits
