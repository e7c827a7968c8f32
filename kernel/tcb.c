/*
 * Thread control blocks and their invocations.
 *
 * A TCB is a thread's registers, its scheduling parameters and five
 * capability slots: its CSpace root, its VSpace root (a page directory),
 * the master reply capability to itself, the reply capability to whoever
 * last called it, and the frame holding its IPC buffer. Invoking a TCB
 * capability (labels 2-16, seL4's argument orders) reads or writes its
 * registers, sets those slots (Configure, SetSpace, SetIPCBuffer), its
 * priorities, its TLS base and flags, binds a notification, or suspends
 * and resumes it. Rights on a TCB capability are not checked: holding one
 * is full authority over the thread.
 *
 * Priorities are bounded by authority: a thread may give another thread
 * (or itself) at most the maximum controlled priority (MCP) of the TCB
 * passed as authority.
 *
 * Every decoder checks everything first and changes nothing until its
 * last check has passed; the invoke functions after it cannot fail, bar
 * being preempted while deleting the old CSpace or VSpace root, in which
 * case the system call restarts and redoes the whole operation.
 */
#include <kernel/tcb.h>
#include <kernel/ipc.h>
#include <kernel/endpoint.h>
#include <kernel/transfer.h>
#include <kernel/capops.h>
#include <kernel/cdt.h>
#include <kernel/sched.h>
#include <kernel/state.h>
#include <kernel/debug.h>
#include <kernel/notification.h>
#include <arch/arch.h>
#include <arch/memlayout.h>
#include <abi/invocation.h>
#include <abi/errors.h>

/* Argument layouts (seL4 interface XML, fact sheet section 4). */
#define READREGS_SUSPEND        BIT(0)
#define WRITEREGS_RESUME        BIT(0)
#define COPYREGS_SUSPEND_SOURCE BIT(0)
#define COPYREGS_RESUME_TARGET  BIT(1)
#define COPYREGS_FRAME          BIT(2)
#define COPYREGS_INTEGER        BIT(3)
#define PRIO_MIN                0u

/* ---- registers ---- */

static word_t *user_reg_ptr(tcb_t *t, word_t i)
{
    user_context_t *c = &t->ctx;

    switch (i) {
    case UREG_EIP: return &c->fault_ip;
    case UREG_ESP: return &c->esp;
    case UREG_EFLAGS: return &c->eflags;
    case UREG_EAX: return &c->eax;
    case UREG_EBX: return &c->ebx;
    case UREG_ECX: return &c->ecx;
    case UREG_EDX: return &c->edx;
    case UREG_ESI: return &c->esi;
    case UREG_EDI: return &c->edi;
    case UREG_EBP: return &c->ebp;
    case UREG_FS_BASE: return &c->fs_base;
    default: return &c->gs_base;
    }
}

/* EFLAGS reads with IF set: a thread that entered by sysenter through the
 * fastpath has it clear in its saved copy (entry.S). */
word_t tcb_get_user_reg(const tcb_t *t, word_t i)
{
    assert(i < UREG_COUNT);
    word_t v = *user_reg_ptr((tcb_t *)t, i);
    return i == UREG_EFLAGS ? v | EFLAGS_IF : v;
}

static word_t sanitise_eflags(word_t v)
{
    v |= EFLAGS_FIXED_ONE | EFLAGS_IF;
    v &= ~(EFLAGS_FIXED_ZERO | EFLAGS_TF);
    return v & EFLAGS_USER_BITS;
}

void tcb_set_user_reg(tcb_t *t, word_t i, word_t v)
{
    assert(i < UREG_COUNT);
    *user_reg_ptr(t, i) = i == UREG_EFLAGS ? sanitise_eflags(v) : v;
}

void tcb_force_iret(tcb_t *t)
{
    t->ctx.vector = VECTOR_RESTORE_IRET;
    t->ctx.eflags |= EFLAGS_IF;
}

/* ---- life cycle ---- */

void tcb_init_new(tcb_t *t)
{
    arch_tcb_init(t);
    t->state = TS_INACTIVE;
    t->priority = PRIO_MIN;
    t->mcp = PRIO_MIN;
    t->time_slice = TIME_SLICE_TICKS;
}

#define TCB_NAME_PREFIX "child of: '"

void tcb_name_child(tcb_t *t, const tcb_t *creator)
{
    const word_t cap = sizeof(t->name) - 1;
    word_t n = 0;

    for (const char *p = TCB_NAME_PREFIX; *p != '\0' && n < cap; p++)
        t->name[n++] = *p;
    for (const char *p = creator != NULL ? creator->name : ""; *p != '\0' && n < cap; p++)
        t->name[n++] = *p;
    if (n < cap)
        t->name[n++] = '\'';
    t->name[n] = '\0';
}

bool tcb_is_stopped(const tcb_t *t)
{
    switch (t->state) {
    case TS_INACTIVE:
    case TS_BLOCKED_ON_SEND:
    case TS_BLOCKED_ON_RECEIVE:
    case TS_BLOCKED_ON_NOTIFICATION:
    case TS_BLOCKED_ON_REPLY:
        return true;
    default:
        return false;
    }
}

void tcb_update_restart_pc(tcb_t *t)
{
    t->ctx.fault_ip = t->ctx.eip;
}

void tcb_setup_reply_master(tcb_t *t)
{
    cte_t *slot = tcb_slot(t, TCB_SLOT_REPLY);

    if (cap_is_null(slot->cap))
        cdt_insert_root(slot, cap_reply_new(t, true, true));
}

void tcb_suspend(tcb_t *t)
{
    ep_cancel_ipc(t);
    if (t->state == TS_RUNNING)
        tcb_update_restart_pc(t);
    tcb_set_state(t, TS_INACTIVE);
    sched_dequeue(t);
}

void tcb_restart(tcb_t *t)
{
    if (!tcb_is_stopped(t))
        return;
    ep_cancel_ipc(t);
    tcb_setup_reply_master(t);
    tcb_set_state(t, TS_RESTART);
    sched_enqueue_head(t);
    sched_possible_switch_to(t);
}

/* The last capability to t is going: nothing may keep pointing at it.
 * Its slots are emptied by the caller (a zombie). */
void tcb_finalise(tcb_t *t)
{
    if (t->bound_ntfn != NULL)
        ntfn_unbind(t->bound_ntfn);
    tcb_suspend(t);
    arch_tcb_destroyed(t);
}

/* Keeps the queues and the scheduler's wish consistent with t's state. */
void tcb_set_state(tcb_t *t, thread_state_t s)
{
    t->state = s;
    if (!sched_is_runnable(t))
        sched_thread_stopped(t);
}

/* ---- reply capabilities ---- */

void tcb_delete_caller_cap(tcb_t *t)
{
    cte_t *slot = tcb_slot(t, TCB_SLOT_CALLER);

    if (!cap_is_null(slot->cap))
        cte_delete_one(slot);
}

/* The reply capability to t, if it exists, is the only child of t's master
 * reply capability, so it follows the master in the derivation list. */
void tcb_delete_reply_to(tcb_t *t)
{
    cte_t *next = mdb_next(tcb_slot(t, TCB_SLOT_REPLY));

    if (next != NULL && cap_type(next->cap) == CAP_REPLY &&
        !cap_reply_is_master(next->cap) && cap_reply_tcb(next->cap) == t)
        cte_delete_one(next);
}

/* ---- IPC buffer ---- */

/* seL4 lookupIPCBuffer: the frame in the thread's buffer slot, readable
 * (and writable if the kernel is going to write), not device memory. */
word_t *tcb_ipc_buffer(tcb_t *t, bool writable)
{
    cap_t c = tcb_slot(t, TCB_SLOT_BUFFER)->cap;

    if (cap_type(c) != CAP_FRAME || cap_frame_is_device(c))
        return NULL;
    word_t vmr = cap_frame_vmrights(c);
    if (vmr != VM_READ_WRITE && (writable || vmr != VM_READ_ONLY))
        return NULL;
    word_t in_frame = cap_frame_is_large(c) ? MASK(LARGE_PAGE_BITS) : MASK(PAGE_BITS);
    paddr_t p = cap_frame_paddr(c) + (t->ipc_buffer & in_frame & ~MASK(IPC_BUFFER_SIZE_BITS));
    /* p and the window's top are multiples of the buffer size: a buffer
     * that starts inside the window ends inside it (paddr_in_window). */
    if (p >= PADDR_WINDOW_TOP)
        return NULL;
    return paddr_to_kptr(p);
}
_Static_assert(PADDR_WINDOW_TOP % IPCBUF_SIZE == 0 && IPCBUF_SIZE == BIT(IPC_BUFFER_SIZE_BITS),
               "IPC buffers never straddle the kernel window's top");

/* ---- Read, Write and CopyRegisters ---- */

static exception_t invoke_read_registers(tcb_t *src, bool suspend, word_t n, bool call)
{
    tcb_t *cur = ks_cur_thread;
    word_t *buf = tcb_ipc_buffer(cur, true);
    word_t len = 0;

    if (suspend)
        tcb_suspend(src);
    if (call) {
        for (word_t i = 0; i < n; i++)
            len = mr_set(cur, buf, i, tcb_get_user_reg(src, i));
        reply_from_kernel_success(cur, len);
    }
    tcb_set_state(cur, TS_RUNNING);
    return EXCEPTION_NONE;
}

static exception_t decode_read_registers(invocation_t *inv, tcb_t *t)
{
    if (inv->length < 2)
        return refuse(ERR_TRUNCATED_MESSAGE, "ReadRegisters: need flags and count");
    word_t flags = inv_arg(inv, 0), n = inv_arg(inv, 1);
    if (n < 1 || n > UREG_COUNT)
        return refuse_range(1, UREG_COUNT, "ReadRegisters: bad count");
    if (t == ks_cur_thread)
        return refuse(ERR_ILLEGAL_OPERATION, "ReadRegisters: cannot read own registers");
    return invoke_read_registers(t, flags & READREGS_SUSPEND, n, inv->call);
}

static exception_t invoke_write_registers(tcb_t *dest, bool resume, word_t n, const invocation_t *inv)
{
    if (n > UREG_COUNT)
        n = UREG_COUNT;
    for (word_t i = 0; i < n; i++)
        tcb_set_user_reg(dest, i, inv_arg(inv, i + 2));
    dest->ctx.eip = dest->ctx.fault_ip;
    tcb_force_iret(dest);
    if (resume)
        tcb_restart(dest);
    if (dest == ks_cur_thread)
        sched_reschedule_required();
    return EXCEPTION_NONE;
}

static exception_t decode_write_registers(invocation_t *inv, tcb_t *t)
{
    if (inv->length < 2)
        return refuse(ERR_TRUNCATED_MESSAGE, "WriteRegisters: need flags and count");
    word_t flags = inv_arg(inv, 0), n = inv_arg(inv, 1);
    if (inv->length - 2 < n)
        return refuse(ERR_TRUNCATED_MESSAGE, "WriteRegisters: message shorter than count");
    if (t == ks_cur_thread)
        return refuse(ERR_ILLEGAL_OPERATION, "WriteRegisters: cannot write own registers");
    return invoke_write_registers(t, flags & WRITEREGS_RESUME, n, inv);
}

static exception_t invoke_copy_registers(tcb_t *dest, tcb_t *src, word_t flags)
{
    if (flags & COPYREGS_SUSPEND_SOURCE)
        tcb_suspend(src);
    if (flags & COPYREGS_RESUME_TARGET)
        tcb_restart(dest);
    if (flags & COPYREGS_FRAME) {
        for (word_t i = 0; i < UREG_NUM_FRAME; i++)
            tcb_set_user_reg(dest, i, tcb_get_user_reg(src, i));
        dest->ctx.eip = dest->ctx.fault_ip;
    }
    if (flags & COPYREGS_INTEGER)
        for (word_t i = UREG_NUM_FRAME; i < UREG_COUNT; i++)
            tcb_set_user_reg(dest, i, tcb_get_user_reg(src, i));
    if (dest != ks_cur_thread)
        tcb_force_iret(dest);
    else
        sched_reschedule_required();
    return EXCEPTION_NONE;
}

static exception_t decode_copy_registers(invocation_t *inv, tcb_t *t)
{
    if (inv->length < 1 || inv->n_extra < 1)
        return refuse(ERR_TRUNCATED_MESSAGE, "CopyRegisters: need flags and source");
    word_t flags = inv_arg(inv, 0);
    if (cap_type(inv->extra_caps[0]) != CAP_TCB)
        return refuse_cap(1, "CopyRegisters: source is not a TCB");
    return invoke_copy_registers(t, cap_tcb_ptr(inv->extra_caps[0]), flags);
}

/* ---- thread control: spaces, IPC buffer, priorities ---- */

enum tc_update { TC_SPACE = 1, TC_BUFFER = 2, TC_PRIO = 4, TC_MCP = 8 };

typedef struct thread_control {
    word_t update;              /* enum tc_update bits */
    cptr_t fault_ep;
    word_t prio, mcp;
    cap_t croot, vroot, buffer_cap;
    cte_t *croot_src, *vroot_src, *buffer_src;   /* buffer_src NULL: no buffer */
    vaddr_t buffer;
} thread_control_t;

/* Replace one of t's root slots; insert the new cap only if both it and
 * the invoked TCB capability survived the deletion (which may run long). */
static exception_t install_slot(tcb_t *t, cte_t *tcb_cap_slot, enum tcb_slot which,
                                cap_t cap, cte_t *src)
{
    cte_t *slot = tcb_slot(t, which);
    exception_t e = cte_delete(slot, true);

    if (e != EXCEPTION_NONE)
        return e;
    if (src != NULL && cap_same_object_as(cap, src->cap) &&
        cap_same_object_as(cap_tcb_new(t), tcb_cap_slot->cap))
        cte_insert(cap, src, slot);
    return EXCEPTION_NONE;
}

static exception_t invoke_thread_control(tcb_t *t, cte_t *tcb_cap_slot, const thread_control_t *tc)
{
    exception_t e;

    if (tc->update & TC_SPACE)
        t->fault_handler = tc->fault_ep;
    if (tc->update & TC_MCP)
        t->mcp = tc->mcp;
    if (tc->update & TC_PRIO)
        sched_set_priority(t, tc->prio);
    if (tc->update & TC_SPACE) {
        e = install_slot(t, tcb_cap_slot, TCB_SLOT_CTABLE, tc->croot, tc->croot_src);
        if (e != EXCEPTION_NONE)
            return e;
        e = install_slot(t, tcb_cap_slot, TCB_SLOT_VTABLE, tc->vroot, tc->vroot_src);
        if (e != EXCEPTION_NONE)
            return e;
        arch_vspace_changed(t);
    }
    if (tc->update & TC_BUFFER) {
        e = install_slot(t, tcb_cap_slot, TCB_SLOT_BUFFER, tc->buffer_cap, tc->buffer_src);
        if (e != EXCEPTION_NONE)
            return e;
        t->ipc_buffer = tc->buffer;
        if (t == ks_cur_thread)
            sched_reschedule_required();
    }
    return EXCEPTION_NONE;
}

/* seL4 checkValidIPCBuffer (x86). */
static exception_t check_ipc_buffer(vaddr_t addr, cap_t cap)
{
    if (cap_type(cap) != CAP_FRAME)
        return refuse(ERR_ILLEGAL_OPERATION, "IPC buffer is not a frame");
    if (cap_frame_is_device(cap))
        return refuse(ERR_ILLEGAL_OPERATION, "IPC buffer is device memory");
    if (!IS_ALIGNED(addr, IPC_BUFFER_SIZE_BITS))
        return refuse(ERR_ALIGNMENT_ERROR, "IPC buffer is not 512-byte aligned");
    return EXCEPTION_NONE;
}

/* The IPC buffer part of Configure and SetIPCBuffer: address 0 removes it. */
static exception_t decode_buffer(thread_control_t *tc, vaddr_t addr, cte_t *slot)
{
    tc->buffer = addr;
    tc->buffer_src = NULL;
    tc->buffer_cap = cap_null();
    if (addr == 0)
        return EXCEPTION_NONE;
    exception_t e = cap_derive(slot, slot->cap, &tc->buffer_cap);
    if (e != EXCEPTION_NONE)
        return e;
    e = check_ipc_buffer(addr, tc->buffer_cap);
    if (e != EXCEPTION_NONE)
        return e;
    tc->buffer_src = slot;
    return EXCEPTION_NONE;
}

/* The CSpace and VSpace part of Configure and SetSpace. */
static exception_t decode_spaces(thread_control_t *tc, tcb_t *t, word_t cdata, word_t vdata,
                                 cte_t *cslot, cte_t *vslot)
{
    cap_t c = cslot->cap, v = vslot->cap;
    exception_t e;

    if (cte_long_running_delete(tcb_slot(t, TCB_SLOT_CTABLE)) ||
        cte_long_running_delete(tcb_slot(t, TCB_SLOT_VTABLE)))
        return refuse(ERR_ILLEGAL_OPERATION, "CSpace or VSpace is being deleted");
    if (cdata != 0)
        c = cap_update_data(false, cdata, c);
    e = cap_derive(cslot, c, &tc->croot);
    if (e != EXCEPTION_NONE)
        return e;
    if (cap_type(tc->croot) != CAP_CNODE)
        return refuse(ERR_ILLEGAL_OPERATION, "CSpace root is not a CNode");
    if (vdata != 0)
        v = cap_update_data(false, vdata, v);
    e = cap_derive(vslot, v, &tc->vroot);
    if (e != EXCEPTION_NONE)
        return e;
    if (!arch_is_valid_vtable_root(tc->vroot))
        return refuse(ERR_ILLEGAL_OPERATION, "VSpace root is not an assigned page directory");
    tc->croot_src = cslot;
    tc->vroot_src = vslot;
    return EXCEPTION_NONE;
}

static exception_t decode_configure(invocation_t *inv, tcb_t *t)
{
    thread_control_t tc = { .update = TC_SPACE | TC_BUFFER };

    if (inv->length < 4 || inv->n_extra < 3)
        return refuse(ERR_TRUNCATED_MESSAGE, "Configure: need 4 words and 3 caps");
    tc.fault_ep = inv_arg(inv, 0);
    exception_t e = decode_buffer(&tc, inv_arg(inv, 3), inv->extra_slots[2]);
    if (e != EXCEPTION_NONE)
        return e;
    e = decode_spaces(&tc, t, inv_arg(inv, 1), inv_arg(inv, 2), inv->extra_slots[0], inv->extra_slots[1]);
    if (e != EXCEPTION_NONE)
        return e;
    return invoke_thread_control(t, inv->slot, &tc);
}

static exception_t decode_set_space(invocation_t *inv, tcb_t *t)
{
    thread_control_t tc = { .update = TC_SPACE };

    if (inv->length < 3 || inv->n_extra < 2)
        return refuse(ERR_TRUNCATED_MESSAGE, "SetSpace: need 3 words and 2 caps");
    tc.fault_ep = inv_arg(inv, 0);
    exception_t e = decode_spaces(&tc, t, inv_arg(inv, 1), inv_arg(inv, 2), inv->extra_slots[0], inv->extra_slots[1]);
    if (e != EXCEPTION_NONE)
        return e;
    return invoke_thread_control(t, inv->slot, &tc);
}

static exception_t decode_set_ipc_buffer(invocation_t *inv, tcb_t *t)
{
    thread_control_t tc = { .update = TC_BUFFER };

    if (inv->length < 1 || inv->n_extra < 1)
        return refuse(ERR_TRUNCATED_MESSAGE, "SetIPCBuffer: need address and frame");
    exception_t e = decode_buffer(&tc, inv_arg(inv, 0), inv->extra_slots[0]);
    if (e != EXCEPTION_NONE)
        return e;
    return invoke_thread_control(t, inv->slot, &tc);
}

/* seL4 checkPrio: at most the authority's MCP. */
static exception_t check_prio(word_t prio, const tcb_t *auth)
{
    if (prio > auth->mcp)
        return refuse_range(PRIO_MIN, auth->mcp, "priority above the authority's MCP");
    return EXCEPTION_NONE;
}

/* SetPriority, SetMCPriority, SetSchedParams (MCP first, then priority). */
static exception_t decode_sched(invocation_t *inv, tcb_t *t, word_t update)
{
    thread_control_t tc = { .update = update };
    word_t nargs = update == (TC_MCP | TC_PRIO) ? 2 : 1;

    if (inv->length < nargs || inv->n_extra < 1)
        return refuse(ERR_TRUNCATED_MESSAGE, "priority: need value(s) and authority");
    if (cap_type(inv->extra_caps[0]) != CAP_TCB)
        return refuse_cap(1, "priority: authority is not a TCB");
    const tcb_t *auth = cap_tcb_ptr(inv->extra_caps[0]);
    word_t first = inv_arg(inv, 0);
    if (update & TC_MCP)
        tc.mcp = first;
    else
        tc.prio = first;
    if (nargs == 2)
        tc.prio = inv_arg(inv, 1);
    exception_t e = check_prio(first, auth);
    if (e == EXCEPTION_NONE && nargs == 2)
        e = check_prio(tc.prio, auth);
    if (e != EXCEPTION_NONE)
        return e;
    return invoke_thread_control(t, NULL, &tc);
}

/* ---- notifications, TLS, flags ---- */

/* Cannot fail: decode_bind_notification() checked both are unbound. */
static exception_t invoke_bind_notification(tcb_t *t, notification_t *n)
{
    ntfn_bind(n, t);
    return EXCEPTION_NONE;
}

static exception_t invoke_unbind_notification(tcb_t *t)
{
    ntfn_unbind(t->bound_ntfn);
    return EXCEPTION_NONE;
}

static exception_t invoke_set_tls_base(tcb_t *t, word_t base)
{
    t->ctx.gs_base = base;
    /* The TLS segment is loaded when a thread is switched to. */
    if (t == ks_cur_thread)
        sched_reschedule_required();
    return EXCEPTION_NONE;
}

/* Replies with the new flags to a Call. */
static exception_t invoke_set_flags(tcb_t *t, word_t flags, const invocation_t *inv)
{
    t->flags = flags;
    /* The FPU is turned on or off when a thread is switched to. */
    if (t == ks_cur_thread)
        sched_reschedule_required();
    if (inv->call) {
        set_mr(ks_cur_thread, inv->buffer, 0, flags);
        reply_from_kernel_success(ks_cur_thread, 1);
    }
    tcb_set_state(ks_cur_thread, TS_RUNNING);
    return EXCEPTION_NONE;
}

static exception_t decode_bind_notification(invocation_t *inv, tcb_t *t)
{
    if (inv->n_extra < 1)
        return refuse(ERR_TRUNCATED_MESSAGE, "BindNotification: need a notification");
    if (t->bound_ntfn != NULL)
        return refuse(ERR_ILLEGAL_OPERATION, "BindNotification: thread already bound");
    cap_t c = inv->extra_caps[0];
    if (cap_type(c) != CAP_NOTIFICATION)
        return refuse(ERR_ILLEGAL_OPERATION, "BindNotification: not a notification");
    if (!cap_can_receive(c))
        return refuse(ERR_ILLEGAL_OPERATION, "BindNotification: no receive right");
    notification_t *n = cap_ptr(c);
    if (n->head != NULL || n->bound_tcb != NULL)
        return refuse(ERR_ILLEGAL_OPERATION, "BindNotification: notification busy or bound");
    return invoke_bind_notification(t, n);
}

static exception_t decode_unbind_notification(tcb_t *t)
{
    if (t->bound_ntfn == NULL)
        return refuse(ERR_ILLEGAL_OPERATION, "UnbindNotification: thread not bound");
    return invoke_unbind_notification(t);
}

static exception_t decode_set_tls_base(invocation_t *inv, tcb_t *t)
{
    if (inv->length < 1)
        return refuse(ERR_TRUNCATED_MESSAGE, "SetTLSBase: need the base");
    return invoke_set_tls_base(t, inv_arg(inv, 0));
}

static exception_t decode_set_flags(invocation_t *inv, tcb_t *t)
{
    if (inv->length < 2)
        return refuse(ERR_TRUNCATED_MESSAGE, "SetFlags: need clear and set");
    word_t flags = (t->flags & ~inv_arg(inv, 0)) | (inv_arg(inv, 1) & TCB_FLAGS_MASK);
    return invoke_set_flags(t, flags, inv);
}

/* syscall.c has put the caller in the Restart state already (seL4's
 * decoders do it just before invoking) and puts it back on a refusal. */
exception_t tcb_decode(invocation_t *inv)
{
    tcb_t *t = cap_tcb_ptr(inv->cap);

    switch (inv->label) {
    case INV_TCB_READ_REGISTERS: return decode_read_registers(inv, t);
    case INV_TCB_WRITE_REGISTERS: return decode_write_registers(inv, t);
    case INV_TCB_COPY_REGISTERS: return decode_copy_registers(inv, t);
    case INV_TCB_CONFIGURE: return decode_configure(inv, t);
    case INV_TCB_SET_PRIORITY: return decode_sched(inv, t, TC_PRIO);
    case INV_TCB_SET_MC_PRIORITY: return decode_sched(inv, t, TC_MCP);
    case INV_TCB_SET_SCHED_PARAMS: return decode_sched(inv, t, TC_MCP | TC_PRIO);
    case INV_TCB_SET_IPC_BUFFER: return decode_set_ipc_buffer(inv, t);
    case INV_TCB_SET_SPACE: return decode_set_space(inv, t);
    case INV_TCB_SUSPEND:
        tcb_suspend(t);
        return EXCEPTION_NONE;
    case INV_TCB_RESUME:
        tcb_restart(t);
        return EXCEPTION_NONE;
    case INV_TCB_BIND_NOTIFICATION: return decode_bind_notification(inv, t);
    case INV_TCB_UNBIND_NOTIFICATION: return decode_unbind_notification(t);
    case INV_TCB_SET_TLS_BASE: return decode_set_tls_base(inv, t);
    case INV_TCB_SET_FLAGS: return decode_set_flags(inv, t);
    default:
        return refuse(ERR_ILLEGAL_OPERATION, "TCB: not a TCB invocation");
    }
}
