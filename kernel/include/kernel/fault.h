/*
 * Faults: a user thread's exception, page fault, unknown system call or
 * failed capability lookup becomes a message to its fault endpoint. The
 * handler's reply may resume the thread (and, for UnknownSyscall and
 * UserException, set its registers).
 */
#ifndef KERNEL_FAULT_H
#define KERNEL_FAULT_H

#include <kernel/objects.h>
#include <abi/faults.h>

/* Deliver ks_cur_fault for thread t: look up its fault endpoint in t's own
 * CSpace and send; on failure t becomes Inactive (double fault). */
void handle_fault(tcb_t *t);
/* Length and MRs of the fault message for t->fault, written to the receiver. */
word_t fault_message_setup(tcb_t *faulter, tcb_t *receiver, word_t *rbuf);
/* Apply a reply to a faulted thread; returns whether it should restart. */
bool fault_handle_reply(tcb_t *faulter, tcb_t *replier, word_t label, word_t length, word_t *sbuf);

/* Fault records (fault_t.w[] layouts; kernel/fault.c reads them). */
enum fault_word {
    FW_CAP_ADDR = 0, FW_CAP_IN_RECV = 1,                 /* FAULT_CAP */
    FW_UNKSYS_NUMBER = 0,                                /* FAULT_UNKNOWN_SYSCALL */
    FW_EXC_NUMBER = 0, FW_EXC_CODE = 1,                  /* FAULT_USER_EXCEPTION */
    FW_VM_ADDR = 0, FW_VM_PREFETCH = 1, FW_VM_FSR = 2,   /* FAULT_VM */
};
static inline fault_t fault_cap(cptr_t addr, bool in_recv)
{
    return (fault_t){ .type = FAULT_CAP, .w = { addr, in_recv } };
}
static inline fault_t fault_unknown_syscall(word_t number)
{
    return (fault_t){ .type = FAULT_UNKNOWN_SYSCALL, .w = { number } };
}
static inline fault_t fault_user_exception(word_t number, word_t code)
{
    return (fault_t){ .type = FAULT_USER_EXCEPTION, .w = { number, code } };
}
static inline fault_t fault_vm(vaddr_t addr, bool prefetch, word_t fsr)
{
    return (fault_t){ .type = FAULT_VM, .w = { addr, prefetch, fsr } };
}

#endif
