/*
 * Faults: when a user thread does something the kernel will not do for
 * it (touches unmapped memory, raises a CPU exception, makes an unknown
 * system call, names a capability that is not there), the kernel turns
 * it into a message and sends it, as a Call, to the thread's fault
 * endpoint. The faulting thread then waits for the reply, and the handler
 * (a pager, a debugger, a guest kernel) decides what happens next.
 *
 * seL4 (non-MCS) keeps the fault endpoint as a capability address, looked
 * up in the faulting thread's own CSpace when the fault happens. It must
 * name an endpoint capability with Send and Grant or GrantReply (the reply
 * capability has to exist); otherwise the thread "double faults" and
 * simply becomes Inactive.
 *
 * Message layouts (label = fault type):
 *   CapFault       IP, Addr, InRecvPhase, LookupFailureType, details...
 *   UnknownSyscall EAX EBX ECX EDX ESI EDI EBP FaultIP ESP EFLAGS Syscall
 *   UserException  FaultIP ESP EFLAGS Number Code
 *   VMFault        IP Addr PrefetchFault FSR
 * A reply with label 0 to UnknownSyscall or UserException writes the
 * registers it carries back in the same order and resumes the thread at
 * FaultIP; any other label leaves it Inactive. A reply to a CapFault or
 * VMFault simply re-runs the faulting instruction. Our `int $0x80`
 * extension (abi.md) arrives as UnknownSyscall with Syscall =
 * 0x80 << 24 | EAX: one reply setting EAX and FaultIP + 2 completes it.
 */
#include <kernel/fault.h>
#include <kernel/ipc.h>
#include <kernel/tcb.h>
#include <kernel/endpoint.h>
#include <kernel/transfer.h>
#include <kernel/cspace.h>
#include <kernel/sched.h>
#include <kernel/state.h>
#include <kernel/debug.h>

/* Registers of the UnknownSyscall and UserException messages, in order. */
static const uint8_t syscall_msg_regs[] = {
    UREG_EAX, UREG_EBX, UREG_ECX, UREG_EDX, UREG_ESI, UREG_EDI, UREG_EBP,
    UREG_EIP, UREG_ESP, UREG_EFLAGS,
};
static const uint8_t exception_msg_regs[] = { UREG_EIP, UREG_ESP, UREG_EFLAGS };
_Static_assert(ARRAY_SIZE(syscall_msg_regs) == UNKSYS_SYSCALL, "UnknownSyscall register words");
_Static_assert(ARRAY_SIZE(exception_msg_regs) == USEREXC_NUMBER, "UserException register words");

static bool valid_fault_handler(cap_t h)
{
    return cap_type(h) == CAP_ENDPOINT && cap_can_send(h) &&
           (cap_can_grant(h) || cap_can_grant_reply(h));
}

static void double_fault(tcb_t *t, const fault_t *f, const char *why)
{
    debug_printk("thread %p '%s': fault %u (%x) not delivered (%s); thread stops\n",
                 (void *)t, t->name, f->type, f->w[0], why);
    if (!CONFIG_DEBUG) {
        (void)f;
        (void)why;
    }
    tcb_set_state(t, TS_INACTIVE);
}

void handle_fault(tcb_t *t)
{
    fault_t f = ks_cur_fault;
    lookup_fault_t lf = ks_lookup_fault;
    cte_t *slot;

    if (cspace_lookup_slot(t, t->fault_handler, &slot) != EXCEPTION_NONE) {
        double_fault(t, &f, "fault endpoint lookup failed");
        return;
    }
    cap_t h = slot->cap;
    if (!valid_fault_handler(h)) {
        double_fault(t, &f, "no endpoint with Send and Grant/GrantReply");
        return;
    }
    t->fault = f;
    if (f.type == FAULT_CAP)
        t->lookup_fault = lf;
    ep_send(t, cap_ptr(h), cap_badge(h), cap_can_grant(h), cap_can_grant_reply(h), true, true);
}

/* MRs from the faulter's registers, seL4's copyMRsFault. */
static word_t copy_regs_to_msg(tcb_t *faulter, tcb_t *receiver, word_t *rbuf,
                               const uint8_t *regs, word_t n)
{
    word_t len = 0;

    for (word_t i = 0; i < n; i++)
        len = mr_set(receiver, rbuf, i, tcb_get_user_reg(faulter, regs[i]));
    return len;
}

word_t fault_message_setup(tcb_t *faulter, tcb_t *receiver, word_t *rbuf)
{
    const fault_t *f = &faulter->fault;

    switch (f->type) {
    case FAULT_CAP:
        mr_set(receiver, rbuf, CAPFAULT_IP, faulter->ctx.fault_ip);
        mr_set(receiver, rbuf, CAPFAULT_ADDR, f->w[FW_CAP_ADDR]);
        mr_set(receiver, rbuf, CAPFAULT_IN_RECV_PHASE, f->w[FW_CAP_IN_RECV]);
        return mr_set_lookup_failure(receiver, rbuf, &faulter->lookup_fault, CAPFAULT_LOOKUP_TYPE);
    case FAULT_UNKNOWN_SYSCALL:
        copy_regs_to_msg(faulter, receiver, rbuf, syscall_msg_regs, ARRAY_SIZE(syscall_msg_regs));
        return mr_set(receiver, rbuf, UNKSYS_SYSCALL, f->w[FW_UNKSYS_NUMBER]);
    case FAULT_USER_EXCEPTION:
        copy_regs_to_msg(faulter, receiver, rbuf, exception_msg_regs, ARRAY_SIZE(exception_msg_regs));
        mr_set(receiver, rbuf, USEREXC_NUMBER, f->w[FW_EXC_NUMBER]);
        return mr_set(receiver, rbuf, USEREXC_CODE, f->w[FW_EXC_CODE]);
    case FAULT_VM:
        mr_set(receiver, rbuf, VMFAULT_IP, faulter->ctx.fault_ip);
        mr_set(receiver, rbuf, VMFAULT_ADDR, f->w[FW_VM_ADDR]);
        mr_set(receiver, rbuf, VMFAULT_PREFETCH, f->w[FW_VM_PREFETCH]);
        return mr_set(receiver, rbuf, VMFAULT_FSR, f->w[FW_VM_FSR]);
    default:
        panic("fault message for unknown fault type %u", f->type);
    }
}

/* Reply words back into the faulter's registers, seL4's copyMRsFaultReply. */
static void copy_msg_to_regs(tcb_t *faulter, tcb_t *replier, const word_t *sbuf,
                             const uint8_t *regs, word_t n, word_t length)
{
    word_t i;

    if (length < n)
        n = length;
    for (i = 0; i < n && i < MSG_FAST_REGISTERS; i++)
        tcb_set_user_reg(faulter, regs[i], mr_get_reg(replier, i));
    for (; i < n && sbuf != NULL; i++)
        tcb_set_user_reg(faulter, regs[i], sbuf[i + 1]);
    if (n > 0)
        tcb_force_iret(faulter);
}

bool fault_handle_reply(tcb_t *faulter, tcb_t *replier, word_t label, word_t length, word_t *sbuf)
{
    switch (faulter->fault.type) {
    case FAULT_UNKNOWN_SYSCALL:
        copy_msg_to_regs(faulter, replier, sbuf, syscall_msg_regs, ARRAY_SIZE(syscall_msg_regs), length);
        return label == 0;
    case FAULT_USER_EXCEPTION:
        copy_msg_to_regs(faulter, replier, sbuf, exception_msg_regs, ARRAY_SIZE(exception_msg_regs), length);
        return label == 0;
    default:
        return true;
    }
}
