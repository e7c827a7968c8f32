/*
 * Interrupt vectors (seL4 pc99 numbering, docs/abi/sel4-ia32-facts.md):
 * exceptions 0x00-0x1F, IRQ n on vector 0x20 + n, user trap vectors
 * 0x9E-0xFE (DPL 3, delivered as UnknownSyscall faults), plus our extension
 * 0x80 (Linux i386 system calls, same treatment), spurious 0xFF.
 */
#ifndef ARCH_TRAPS_H
#define ARCH_TRAPS_H

#define VEC_DE      0
#define VEC_DB      1
#define VEC_NMI     2
#define VEC_BP      3
#define VEC_UD      6
#define VEC_NM      7
#define VEC_DF      8
#define VEC_GP      13
#define VEC_PF      14
#define NUM_EXCEPTIONS 32
#define IRQ_VECTOR_BASE 0x20
#define VEC_LINUX   0x80
#define VEC_TRAP_MIN 0x9e
#define VEC_TRAP_MAX 0xfe
#define VEC_SPURIOUS 0xff
#define NUM_VECTORS 256
/* Length of `int imm8`: fault_ip = eip - 2 for a software trap. */
#define INT_INSN_LEN 2
#define SYSENTER_INSN_LEN 2

#ifndef __ASSEMBLER__
void idt_init(void);
#endif

#endif
