/*
 * Kernel entry points called by the architecture layer, and the system-call
 * dispatcher. Each handler runs with interrupts off and ends by choosing the
 * thread to run (schedule()); the arch layer then restores it.
 */
#ifndef KERNEL_SYSCALL_H
#define KERNEL_SYSCALL_H

#include <kernel/types.h>

/* Entry from sysenter: EAX held `sysno`; registers are in ks_cur_thread->ctx. */
void handle_syscall(sword_t sysno);
/* Entry from a hardware interrupt (already acknowledged or masked as needed). */
void handle_interrupt(word_t irq);
/* User exception (vector < 32 other than page fault), or a trap on an
 * unknown vector (int $n from user). */
void handle_user_exception(word_t vector, word_t code);
void handle_unknown_syscall(word_t number);
/* User page fault at addr with the x86 error code. */
void handle_vm_fault(vaddr_t addr, word_t fsr);

#endif
