/*
 * System calls: the kernel's front door (seL4's syscall.c).
 *
 * seL4 has eight system calls, all about capabilities: Send, NBSend and
 * Call invoke the capability named in EBX (an IPC on endpoints,
 * notifications and reply capabilities; an operation on every other
 * object, chosen by the message label), Recv and NBRecv wait on an
 * endpoint or notification, Reply answers the last Call received,
 * ReplyRecv does both, Yield gives up the time slice. A few more numbers
 * are debugging aids (print a character, halt, name a thread, identify a
 * capability: debugcall.c); any other number is an UnknownSyscall fault,
 * sent to the thread's fault handler like every other fault.
 *
 * An invocation goes: look up the invoked capability at depth 32 in the
 * caller's CSpace (failure: a CapFault, for Send and Call only), look up
 * the extra capabilities its IPC buffer names (failure: likewise), then
 * decode by capability type. A refusal becomes seL4's error reply (label =
 * error code, details in MR0..) if the caller used Call, and is dropped
 * otherwise. The caller is marked Restart while the invocation runs, here
 * and nowhere else (decoders never set it; seL4's do, just before
 * invoking): if it is preempted it re-executes the system call later; if
 * the invocation completes and nothing else changed its state, a Call gets
 * an empty reply and the caller runs on. A refusal changed nothing, so the
 * caller is still Restart then and goes back to Running.
 *
 * Every entry ends in schedule(), which also activates the next thread.
 */
#include <kernel/syscall.h>
#include <kernel/benchmark.h>
#include <kernel/invocation.h>
#include <kernel/ipc.h>
#include <kernel/endpoint.h>
#include <kernel/transfer.h>
#include <kernel/fault.h>
#include <kernel/cspace.h>
#include <kernel/tcb.h>
#include <kernel/irq.h>
#include <kernel/cnode.h>
#include <kernel/cnode_read.h>
#include <kernel/untyped.h>
#include <kernel/sched.h>
#include <kernel/state.h>
#include <kernel/debugcall.h>
#include <kernel/domain.h>
#include <kernel/debug.h>
#include <kernel/notification.h>
#include <arch/arch.h>
#include <arch/mmu.h>
#include <abi/syscall.h>
#include <abi/invocation.h>
#include <abi/capinfo.h>
#include <abi/errors.h>

/* ---- invocations ---- */

static exception_t control_decode(invocation_t *inv)
{
    switch (cap_control_sub(inv->cap)) {
    case CONTROL_IRQ: return irq_control_decode(inv);
    case CONTROL_DOMAIN: return domain_decode(inv);
    default: return arch_decode_invocation(inv);
    }
}

static exception_t decode_invocation(invocation_t *inv)
{
    switch (cap_type(inv->cap)) {
    case CAP_NULL:
    case CAP_ZOMBIE:
        return refuse_cap(0, "invoked an empty slot or a capability being deleted");
    case CAP_ENDPOINT: return ep_decode(inv);
    case CAP_NOTIFICATION: return ntfn_decode(inv);
    case CAP_REPLY: return reply_decode(inv);
    case CAP_CNODE:
        if (inv->label == INV_EXT_CNODE_READ_SLOTS)     /* our extension, abi/capinfo.h */
            return cnode_read_slots_decode(inv);
        return cnode_decode(inv);
    case CAP_UNTYPED: return untyped_decode(inv);
    case CAP_TCB: return tcb_decode(inv);
    case CAP_IRQ_HANDLER: return irq_handler_decode(inv);
    case CAP_CONTROL: return control_decode(inv);
    default: return arch_decode_invocation(inv);
    }
}

/* MRs of seL4's error reply (setMRs_syscall_error). */
static word_t error_mrs(tcb_t *t, word_t *buf)
{
    const syscall_error_t *e = &ks_syscall_error;

    switch (e->type) {
    case ERR_INVALID_ARGUMENT:
        return mr_set(t, buf, 0, e->invalid_argument);
    case ERR_INVALID_CAPABILITY:
        return mr_set(t, buf, 0, e->invalid_cap);
    case ERR_RANGE_ERROR:
        mr_set(t, buf, 0, e->range_min);
        return mr_set(t, buf, 1, e->range_max);
    case ERR_FAILED_LOOKUP:
        mr_set(t, buf, 0, e->failed_lookup_was_source ? 1 : 0);
        return mr_set_lookup_failure(t, buf, &ks_lookup_fault, 1);
    case ERR_NOT_ENOUGH_MEMORY:
        return mr_set(t, buf, 0, e->memory_left);
    default:
        return 0;
    }
}

static void reply_error(tcb_t *t)
{
    word_t len = error_mrs(t, tcb_ipc_buffer(t, true));

    tcb_set_badge(t, 0);
    tcb_set_msginfo(t, MSGINFO_MAKE(ks_syscall_error.type, 0, 0, len));
}

/* A capability the caller named could not be found: CapFault (blocking
 * calls only, as in seL4; NBSend just returns). */
static void invocation_cap_fault(tcb_t *t, cptr_t cptr, bool block)
{
    ks_cur_fault = fault_cap(cptr, false);
    if (block)
        handle_fault(t);
}

/* Build the invocation from the caller's registers and IPC buffer;
 * false if a capability lookup faulted. Only the first n_extra entries of
 * the extra-capability arrays are set: decoders check n_extra first. */
static bool setup_invocation(tcb_t *t, invocation_t *inv, bool call, bool block)
{
    word_t info = tcb_msginfo(t);
    cptr_t failed;

    inv->call = call;
    inv->block = block;
    inv->cptr = tcb_cptr(t);
    if (cspace_lookup_slot(t, inv->cptr, &inv->slot) != EXCEPTION_NONE) {
        invocation_cap_fault(t, inv->cptr, block);
        return false;
    }
    inv->cap = inv->slot->cap;
    inv->buffer = tcb_ipc_buffer(t, false);
    inv->n_extra = inv->buffer != NULL ? MSGINFO_EXTRA(info) : 0;
    /* Most invocations carry no extra capability: skip the call then. */
    if (inv->n_extra != 0 &&
        !lookup_extra_caps(t, inv->buffer, inv->n_extra, inv->extra_slots, &failed)) {
        invocation_cap_fault(t, failed, block);
        return false;
    }
    for (word_t i = 0; i < inv->n_extra; i++)
        inv->extra_caps[i] = inv->extra_slots[i]->cap;
    inv->label = MSGINFO_LABEL(info);
    inv->length = MSGINFO_LENGTH(info);
    if (inv->length > MSG_MAX_LENGTH)
        inv->length = MSG_MAX_LENGTH;
    if (inv->buffer == NULL && inv->length > MSG_FAST_REGISTERS)
        inv->length = MSG_FAST_REGISTERS;
    return true;
}

static exception_t handle_invocation(bool call, bool block)
{
    tcb_t *t = ks_cur_thread;
    invocation_t inv;

    if (!setup_invocation(t, &inv, call, block))
        return EXCEPTION_NONE;
    tcb_set_state(t, TS_RESTART);
    exception_t e = decode_invocation(&inv);
    if (e == EXCEPTION_PREEMPTED)
        return e;
    if (e != EXCEPTION_NONE) {
        assert(e == EXCEPTION_SYSCALL_ERROR);
        if (t->state == TS_RESTART)
            tcb_set_state(t, TS_RUNNING);
        if (call)
            reply_error(t);
        return EXCEPTION_NONE;
    }
    if (t->state == TS_RESTART) {
        if (call)
            reply_from_kernel_success(t, 0);
        tcb_set_state(t, TS_RUNNING);
    }
    return EXCEPTION_NONE;
}

/* ---- Recv, Reply ---- */

static void recv_cap_fault(tcb_t *t, cptr_t cptr)
{
    cspace_lookup_fault(LOOKUP_MISSING_CAPABILITY, 0, 0, 0);
    ks_cur_fault = fault_cap(cptr, true);
    handle_fault(t);
}

static void handle_recv(bool blocking)
{
    tcb_t *t = ks_cur_thread;
    cptr_t cptr = tcb_cptr(t);
    cte_t *slot;

    if (cspace_lookup_slot(t, cptr, &slot) != EXCEPTION_NONE) {
        ks_cur_fault = fault_cap(cptr, true);
        handle_fault(t);
        return;
    }
    cap_t c = slot->cap;
    if (cap_type(c) == CAP_ENDPOINT && cap_can_receive(c)) {
        tcb_delete_caller_cap(t);
        ep_receive(t, c, blocking);
        return;
    }
    if (cap_type(c) == CAP_NOTIFICATION && cap_can_receive(c)) {
        tcb_t *bound = ((notification_t *)cap_ptr(c))->bound_tcb;
        if (bound == NULL || bound == t) {
            ntfn_receive(t, c, blocking);
            return;
        }
    }
    recv_cap_fault(t, cptr);
}

static void handle_reply(void)
{
    tcb_t *t = ks_cur_thread;
    cte_t *slot = tcb_slot(t, TCB_SLOT_CALLER);
    cap_t c = slot->cap;

    if (cap_type(c) == CAP_REPLY && !cap_reply_is_master(c))
        do_reply_transfer(t, cap_reply_tcb(c), slot, cap_reply_can_grant(c));
}

/* ---- entry points ---- */

void handle_syscall(sword_t sysno)
{
    bench_kernel_entry();
    switch (sysno) {
    case SYS_SEND:
        handle_invocation(false, true);
        break;
    case SYS_NB_SEND:
        handle_invocation(false, false);
        break;
    case SYS_CALL:
        handle_invocation(true, true);
        break;
    case SYS_RECV:
        handle_recv(true);
        break;
    case SYS_NB_RECV:
        handle_recv(false);
        break;
    case SYS_REPLY:
        handle_reply();
        break;
    case SYS_REPLY_RECV:
        handle_reply();
        handle_recv(true);
        break;
    case SYS_YIELD:
        sched_yield();
        break;
    case SYS_SET_TLS_BASE:
        /* seL4's SetTLSBase: EBX is the caller's new TLS base; the GDT
         * entry is rewritten on the way out (arch_restore_user_context). */
        ks_cur_thread->ctx.gs_base = ks_cur_thread->ctx.ebx;
        break;
    default:
        if (!handle_debug_syscall(sysno)) {
            ks_cur_fault = fault_unknown_syscall((word_t)sysno);
            handle_fault(ks_cur_thread);
        }
        break;
    }
    /* A preempted invocation left the caller in Restart: it re-executes
     * the system call once the pending interrupt has been taken. */
    schedule();
    bench_kernel_exit();
}

void handle_unknown_syscall(word_t number)
{
    bench_kernel_entry();
    ks_cur_fault = fault_unknown_syscall(number);
    handle_fault(ks_cur_thread);
    schedule();
    bench_kernel_exit();
}

void handle_user_exception(word_t vector, word_t code)
{
    bench_kernel_entry();
    ks_cur_fault = fault_user_exception(vector, code);
    handle_fault(ks_cur_thread);
    schedule();
    bench_kernel_exit();
}

void handle_vm_fault(vaddr_t addr, word_t fsr)
{
    bench_kernel_entry();
    ks_cur_fault = fault_vm(addr, (fsr & PF_INSTR) != 0, fsr);
    handle_fault(ks_cur_thread);
    schedule();
    bench_kernel_exit();
}
