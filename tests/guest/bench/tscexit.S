/*
 * lxbench's guest_execve_only target: its first instruction reads the
 * time-stamp counter, which it writes (8 bytes, low word first) to
 * descriptor 3 -- the pipe its parent left there -- and exits with 0.
 * The parent subtracts the rdtsc its vfork child took just before execve.
 */
#define NR_EXIT  1                  /* i386 __NR_exit */
#define NR_WRITE 4                  /* i386 __NR_write */
#define TSC_FD   3                  /* lxbench.c's TSC_FD */

    .text
    .globl _start
_start:
    rdtsc
    pushl   %edx
    pushl   %eax
    movl    $NR_WRITE, %eax
    movl    $TSC_FD, %ebx
    movl    %esp, %ecx
    movl    $8, %edx
    int     $0x80
    movl    $NR_EXIT, %eax
    xorl    %ebx, %ebx
    int     $0x80
    hlt                             /* not reached */
