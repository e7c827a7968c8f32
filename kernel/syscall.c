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
 * capability); any other number is an UnknownSyscall fault, sent to the
 * thread's fault handler like every other fault.
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
#include <kernel/untyped.h>
#include <kernel/sched.h>
#include <kernel/state.h>
#include <kernel/invariants.h>
#include <kernel/debugcall.h>
#include <kernel/debug.h>
#include <kernel/notification.h>
#include <arch/arch.h>
#include <arch/mmu.h>
#include <abi/syscall.h>
#include <abi/invocation.h>
#include <abi/errors.h>

#ifndef CONFIG_BENCHMARK
#define CONFIG_BENCHMARK 0
#endif

#define DEBUG_CHAR_MASK 0xffu
#define NUM_DOMAINS     1u      /* one scheduling domain (abi.md configuration) */

/* ---- invocations ---- */

/* The domain schedule (seL4 src/object/domain.c), ks_dom_schedule in
 * state.c. With a single domain the schedule changes nothing observable,
 * so it is only kept and checked. */

/* Cannot fail: the decoders below checked everything. */
static exception_t domain_invoke_configure(word_t index, word_t domain, uint64_t duration)
{
    ks_dom_schedule[index].domain = domain;
    ks_dom_schedule[index].duration = duration;
    return EXCEPTION_NONE;
}

static exception_t domain_invoke_set_start(word_t index)
{
    ks_dom_schedule_start = index;
    sched_reschedule_required();    /* seL4 ends the current domain slot */
    return EXCEPTION_NONE;
}

static exception_t domain_decode_configure(invocation_t *inv)
{
    if (inv->length < 4)            /* index, domain, 64-bit duration (low word first) */
        return refuse(ERR_TRUNCATED_MESSAGE, "ScheduleConfigure: need 4 words");
    word_t index = inv_arg(inv, 0), domain = inv_arg(inv, 1);
    uint64_t duration = inv_arg(inv, 2) | (uint64_t)inv_arg(inv, 3) << 32;
    if (index >= DOM_SCHEDULES - 1)
        return refuse_range(0, DOM_SCHEDULES - 2, "ScheduleConfigure: bad index");
    if (domain >= NUM_DOMAINS)
        return refuse_range(0, NUM_DOMAINS - 1, "ScheduleConfigure: bad domain");
    if (duration > DSCHED_MAX_DURATION)
        return refuse_arg(2, "ScheduleConfigure: duration above 2^56 - 1");
    if (duration == 0 && domain != 0)
        return refuse_arg(1, "ScheduleConfigure: an end marker has domain 0");
    if (index == ks_dom_schedule_start && duration == 0)
        return refuse_arg(2, "ScheduleConfigure: the start entry needs a duration");
    return domain_invoke_configure(index, domain, duration);
}

static exception_t domain_decode_set_start(invocation_t *inv)
{
    if (inv->length < 1)
        return refuse(ERR_TRUNCATED_MESSAGE, "ScheduleSetStart: need an index");
    word_t index = inv_arg(inv, 0);
    if (index >= DOM_SCHEDULES)
        return refuse_range(0, DOM_SCHEDULES - 1, "ScheduleSetStart: bad index");
    if (ks_dom_schedule[index].duration == 0)
        return refuse_arg(0, "ScheduleSetStart: an end marker");
    return domain_invoke_set_start(index);
}

static exception_t domain_decode(invocation_t *inv)
{
    if (inv->label == INV_DOMAIN_SCHEDULE_CONFIGURE)
        return domain_decode_configure(inv);
    if (inv->label == INV_DOMAIN_SCHEDULE_SET_START)
        return domain_decode_set_start(inv);
    if (inv->label != INV_DOMAIN_SET_SET)
        return refuse(ERR_ILLEGAL_OPERATION, "Domain: not a domain invocation");
    if (inv->length < 1)
        return refuse(ERR_TRUNCATED_MESSAGE, "DomainSet: need a domain");
    if (inv_arg(inv, 0) >= NUM_DOMAINS)
        return refuse_arg(0, "DomainSet: no such domain");
    if (inv->n_extra < 1)
        return refuse(ERR_TRUNCATED_MESSAGE, "DomainSet: need a thread");
    if (cap_type(inv->extra_caps[0]) != CAP_TCB)
        return refuse_arg(1, "DomainSet: not a thread");
    return EXCEPTION_NONE;          /* every thread is in domain 0 already */
}

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
    case CAP_CNODE: return cnode_decode(inv);
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
    if (!lookup_extra_caps(t, inv->buffer, inv->n_extra, inv->extra_slots, &failed)) {
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

/* ---- debugging aids (debug builds) ---- */

#if CONFIG_DEBUG

static word_t sel4_cap_tag(cap_t c)
{
    switch (cap_type(c)) {
    case CAP_UNTYPED: return SEL4_TAG_UNTYPED;
    case CAP_ENDPOINT: return SEL4_TAG_ENDPOINT;
    case CAP_NOTIFICATION: return SEL4_TAG_NOTIFICATION;
    case CAP_REPLY: return SEL4_TAG_REPLY;
    case CAP_CNODE: return SEL4_TAG_CNODE;
    case CAP_TCB: return SEL4_TAG_THREAD;
    case CAP_FRAME: return SEL4_TAG_FRAME;
    case CAP_PAGE_TABLE: return SEL4_TAG_PAGE_TABLE;
    case CAP_PAGE_DIRECTORY: return SEL4_TAG_PAGE_DIRECTORY;
    case CAP_ASID_POOL: return SEL4_TAG_ASID_POOL;
    case CAP_IRQ_HANDLER: return SEL4_TAG_IRQ_HANDLER;
    case CAP_IO_PORT: return SEL4_TAG_IO_PORT;
    case CAP_ZOMBIE: return SEL4_TAG_ZOMBIE;
    case CAP_CONTROL:
        switch (cap_control_sub(c)) {
        case CONTROL_IRQ: return SEL4_TAG_IRQ_CONTROL;
        case CONTROL_ASID: return SEL4_TAG_ASID_CONTROL;
        case CONTROL_IO_PORT: return SEL4_TAG_IO_PORT_CONTROL;
        case CONTROL_DOMAIN: return SEL4_TAG_DOMAIN;
        }
        return SEL4_TAG_NULL;
    default:
        return SEL4_TAG_NULL;
    }
}

static void debug_cap_identify(tcb_t *t)
{
    cte_t *slot;

    if (cspace_lookup_slot(t, tcb_cptr(t), &slot) != EXCEPTION_NONE)
        tcb_set_badge(t, SEL4_TAG_NULL);
    else
        tcb_set_badge(t, sel4_cap_tag(slot->cap));
}

/* seL4 halts the machine on a bad DebugNameThread; we ignore the call. */
static void debug_name_thread(tcb_t *t)
{
    cte_t *slot;
    const word_t max = MSG_MAX_LENGTH * sizeof(word_t);
    word_t *buf = tcb_ipc_buffer(t, false);

    if (cspace_lookup_slot(t, tcb_cptr(t), &slot) != EXCEPTION_NONE || cap_type(slot->cap) != CAP_TCB ||
        buf == NULL) {
        printk("DebugNameThread: no TCB capability or IPC buffer; ignored\n");
        return;
    }
    const char *name = (const char *)(buf + 1);
    word_t len = strnlen(name, max);
    if (len == max) {
        printk("DebugNameThread: name not terminated; ignored\n");
        return;
    }
    tcb_t *target = cap_tcb_ptr(slot->cap);
    if (len >= sizeof(target->name))
        len = sizeof(target->name) - 1;
    memcpy(target->name, name, len);
    target->name[len] = '\0';
}

/* A capDL dump is beyond us: list the caller's root CNode instead. */
static void debug_snapshot(tcb_t *t)
{
    cap_t root = tcb_slot(t, TCB_SLOT_CTABLE)->cap;

    printk("snapshot of '%s' root CNode:\n", t->name);
    if (cap_type(root) != CAP_CNODE)
        return;
    cte_t *slots = cnode_slots(root);
    for (word_t i = 0; i < BIT(cap_cnode_radix(root)); i++)
        if (!cap_is_null(slots[i].cap))
            printk("  slot %u: type %u %x %x\n", i, cap_type(slots[i].cap), slots[i].cap.w0, slots[i].cap.w1);
}

#endif

#if CONFIG_BENCHMARK_IRQ_LATENCY
/* Our SYS_BENCH_MAX_KERNEL_INSNS: the longest stretch without a chance to
 * notice an interrupt (EAX) and the longest kernel entry (EBX) since the
 * last call, which starts both again. This call's own stretch is the first
 * of the new ones. */
static void bench_read_maxima(tcb_t *t)
{
    t->ctx.eax = ks_bench_max_stretch;
    tcb_set_badge(t, ks_bench_max_entry);
    ks_bench_max_stretch = 0;
    ks_bench_max_entry = 0;
}
#endif

/* The debug and benchmark system calls; false if sysno is none of them. */
static bool handle_debug_syscall(sword_t sysno)
{
    tcb_t *t = ks_cur_thread;

    switch (sysno) {
    case SYS_DEBUG_PUT_CHAR:
        kputc((char)(t->ctx.ebx & DEBUG_CHAR_MASK));
        return true;
    case SYS_DEBUG_DUMP_SCHEDULER:
        sched_dump();
        return true;
#if CONFIG_DEBUG
    case SYS_DEBUG_HALT:
        printk("debug halt from thread %p '%s'\n", (void *)t, t->name);
        arch_halt(HALT_CODE_DEBUG_HALT);
    case SYS_DEBUG_CAP_IDENTIFY:
        debug_cap_identify(t);
        return true;
    case SYS_DEBUG_SNAPSHOT:
        debug_snapshot(t);
        return true;
    case SYS_DEBUG_NAME_THREAD:
        debug_name_thread(t);
        return true;
    case SYS_DEBUG_CHECK_INVARIANTS:
        invariants_check();
        t->ctx.eax = 0;
        return true;
#endif
#if CONFIG_BENCHMARK
    case SYS_BENCH_NULL_SYSCALL:
        return true;
#endif
#if CONFIG_BENCHMARK_IRQ_LATENCY
    case SYS_BENCH_MAX_KERNEL_INSNS:
        bench_read_maxima(t);
        return true;
#endif
    default:
        return false;
    }
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
