/*
 * The fastpath (kernel/fastpath.c): Call and ReplyRecv with short
 * messages, taken straight from the sysenter stub, and faults from traps
 * delivered to a waiting handler, when CONFIG_FASTPATH is 1. Each either
 * completes the operation exactly as the slow path would and returns to
 * user level in the thread that runs next, or changes nothing and
 * continues in the slow path.
 */
#ifndef KERNEL_FASTPATH_H
#define KERNEL_FASTPATH_H

#include <kernel/objects.h>

#ifndef CONFIG_FASTPATH
#define CONFIG_FASTPATH 0
#endif

/* The caller's registers are saved in its TCB. These never return, so
 * they need no frame pointer: EBP is one more register. */
#define FASTPATH_ENTRY __attribute__((noreturn, optimize("omit-frame-pointer")))
FASTPATH_ENTRY void fastpath_call(void);
FASTPATH_ENTRY void fastpath_reply_recv(void);
/* `int $0x80` from user level, from its trap stub (registers saved). */
FASTPATH_ENTRY void fastpath_unknown_syscall(void);
/* A page fault from user level (VMFault), from its trap stub. */
FASTPATH_ENTRY void fastpath_vm_fault(void);
/* A trap made the current thread fault with f (its fault_ip is set):
 * deliver it to a handler waiting on its fault endpoint and return to user
 * level in the handler, as handle_fault() and schedule() would; if that
 * takes more than the fastpath does, return having changed nothing. */
void fastpath_fault(const fault_t *f);

#endif
