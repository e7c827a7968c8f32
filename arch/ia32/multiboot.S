/*
 * Multiboot (v1) entry. The loader jumps here in 32-bit protected mode with
 * paging off, EAX = 0x2BADB002 and EBX = physical address of the multiboot
 * information. We build the kernel's page directory (the kernel window,
 * 0xE0000000 -> physical 0 in 4 MiB pages, plus a temporary identity map of
 * the first 4 MiB so the next instruction fetch still works), turn on
 * paging, move to the linked (high) addresses and call boot_main().
 */

#define MB_MAGIC        0x1BADB002
#define MB_FLAGS        0x00000003      /* page-align modules, want memory map */
#define MB_LOADER_MAGIC 0x2BADB002
#define PDE_4M_KERNEL   0x1e3           /* present, write, accessed, dirty, 4 MiB, global:
                                           A and D preset so the CPU never writes them
                                           and every copy of the kernel half stays equal */
#define PDE_4M_IDENT    0x083
#define CR4_PSE_PGE     0x90
#define CR0_PG_WP       0x80010000
#define WINDOW_PDES     128             /* 512 MiB / 4 MiB */
#define KERNEL_PD_FIRST_OFFSET (896 * 4)
#define PHYS(x)         ((x) - 0xE0000000)

    .section .multiboot, "a"
    .align 4
    .long MB_MAGIC
    .long MB_FLAGS
    .long -(MB_MAGIC + MB_FLAGS)

    .section .boot.text, "ax"
    .code32
    .globl _start
_start:
    cli
    cld
    cmpl $MB_LOADER_MAGIC, %eax
    jne not_multiboot
    movl %ebx, %esi                     /* keep the multiboot info address */

    /* Kernel window: PDEs 896..1023 map physical 0..512 MiB. */
    movl $PHYS(ia32_kernel_pd), %edi
    leal KERNEL_PD_FIRST_OFFSET(%edi), %edx
    movl $PDE_4M_KERNEL, %eax
    movl $WINDOW_PDES, %ecx
1:  movl %eax, (%edx)
    addl $0x400000, %eax
    addl $4, %edx
    loop 1b
    /* Temporary identity map of the first 4 MiB (removed in boot_main). */
    movl $PDE_4M_IDENT, (%edi)

    movl %cr4, %eax
    orl $CR4_PSE_PGE, %eax
    movl %eax, %cr4
    movl %edi, %cr3
    movl %cr0, %eax
    orl $CR0_PG_WP, %eax
    movl %eax, %cr0
    movl $high_entry, %eax
    jmp *%eax

not_multiboot:
    /* No console yet: write "NOMB" to the serial port and stop. */
    movw $0x3f8, %dx
    movb $'N', %al
    outb %al, %dx
    movb $'O', %al
    outb %al, %dx
    movb $'M', %al
    outb %al, %dx
    movb $'B', %al
    outb %al, %dx
2:  hlt
    jmp 2b

    .text
high_entry:
    movl $ia32_kernel_stack_top, %esp
    xorl %ebp, %ebp
    pushl %esi
    call boot_main
3:  hlt
    jmp 3b

    .bss
    .align 4096
    .globl ia32_kernel_pd
ia32_kernel_pd:
    .space 4096
    .align 16
    .globl ia32_kernel_stack
ia32_kernel_stack:
    .space 16384
    .globl ia32_kernel_stack_top
ia32_kernel_stack_top:
