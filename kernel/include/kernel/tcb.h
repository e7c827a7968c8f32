/*
 * Threads: the TCB invocations (labels 2-16), the life-cycle operations
 * other modules share (suspend, restart, the master reply capability),
 * and the user-visible register order seL4_UserContext. A thread is
 * "stopped" when it is Inactive or blocked in IPC; restart() makes a
 * stopped thread re-run the instruction at its fault_ip, suspend() stops
 * it wherever it is.
 */
#ifndef KERNEL_TCB_H
#define KERNEL_TCB_H

#include <kernel/objects.h>
#include <kernel/invocation.h>

/* seL4_UserContext on ia32: eip esp eflags eax ebx ecx edx esi edi ebp
 * (the "frame" registers) then fs_base gs_base (the "gp" registers). */
enum user_reg {
    UREG_EIP = 0, UREG_ESP, UREG_EFLAGS, UREG_EAX, UREG_EBX, UREG_ECX,
    UREG_EDX, UREG_ESI, UREG_EDI, UREG_EBP,
    UREG_FS_BASE, UREG_GS_BASE,
    UREG_COUNT,
};
#define UREG_NUM_FRAME 10u
#define UREG_NUM_GP    2u

/* TCB flags (seL4_TCBFlag): the only one on x86 disables the FPU. */
#define TCB_FLAG_FPU_DISABLED 1u
#define TCB_FLAGS_MASK        TCB_FLAG_FPU_DISABLED

exception_t tcb_decode(invocation_t *inv);

/* Initialise a TCB just carved from an untyped (memory already zero). */
void tcb_init_new(tcb_t *t);
/* Debug name of a new thread, as seL4 names it: child of: '<creator>'. */
void tcb_name_child(tcb_t *t, const tcb_t *creator);
bool tcb_is_stopped(const tcb_t *t);
void tcb_suspend(tcb_t *t);
void tcb_restart(tcb_t *t);
/* Put a master reply capability into t's reply slot if it has none
 * (boot code calls this for the root task, restart() for every thread). */
void tcb_setup_reply_master(tcb_t *t);
/* Make a running thread's fault_ip its current eip, so that a later
 * restart continues where it is now. */
void tcb_update_restart_pc(tcb_t *t);

/* Set t's thread state, keeping the scheduler's queues consistent. */
void tcb_set_state(tcb_t *t, thread_state_t s);
/* Delete the reply capability in t's caller slot, if any. */
void tcb_delete_caller_cap(tcb_t *t);
/* t is blocked on reply: delete the reply capability that names it. */
void tcb_delete_reply_to(tcb_t *t);
/* Kernel pointer to thread t's IPC buffer, or NULL if it has none usable
 * (no frame cap in its buffer slot, or the frame lies above the window).
 * `writable`: the kernel is going to write it (receiver side). */
word_t *tcb_ipc_buffer(tcb_t *t, bool writable);

/* Register i of seL4_UserContext (UREG_*), as ReadRegisters sees it. */
word_t tcb_get_user_reg(const tcb_t *t, word_t i);
/* Write register i, sanitised (EFLAGS keeps user bits only). */
void tcb_set_user_reg(tcb_t *t, word_t i, word_t v);
/* ECX/EDX or EIP of t changed behind its back: return to it with iret. */
void tcb_force_iret(tcb_t *t);

#endif
