/*
 * The tiny exec target of the guest benchmarks (lxbench.c): a static i386
 * ELF without libc whose first instructions are exit(0), so that an
 * execve of it costs loading a one-page image and nothing else. Built with
 * -nostdlib -static -s into a file under 4 KiB (Makefile, LXBENCH_TINY).
 */
#define NR_EXIT 1                   /* i386 __NR_exit */

    .text
    .globl _start
_start:
    movl    $NR_EXIT, %eax
    xorl    %ebx, %ebx
    int     $0x80
    hlt                             /* not reached: exit does not return */
