/*
 * First instruction of a thread made by rt_thread_start(): EAX holds the
 * function, EBX its argument, ESP the top of the thread's stack. Reloads
 * %gs so the TLS segment's base is this thread's, aligns the stack for the
 * call, and suspends the thread if the function returns.
 */
#include <rt/tls.h>

    .text
    .globl rt_thread_entry
    .type rt_thread_entry, @function
rt_thread_entry:
    movw    $RT_TLS_GS_SELECTOR, %cx
    movw    %cx, %gs
    xorl    %ebp, %ebp
    andl    $-16, %esp
    subl    $12, %esp
    pushl   %ebx
    call    *%eax
    call    rt_thread_exit
    .size rt_thread_entry, . - rt_thread_entry

    .section .note.GNU-stack, "", @progbits
