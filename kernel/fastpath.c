/*
 * The fastpath: Call and ReplyRecv on endpoints with short messages, the
 * two system calls of every client/server round trip, and fault delivery
 * to a waiting handler, each done in one straight run from the kernel
 * entry to the return into the other thread.
 *
 * The slow path (syscall.c, endpoint.c, transfer.c, sched.c) is general:
 * it looks up and decodes, queues and dequeues, records a wish to switch
 * threads and lets schedule() settle it. In the common case most of that
 * is known in advance: the message fits in the two register words and
 * carries no capabilities, the other thread is already waiting, it has a
 * valid address space, and it is the thread schedule() would pick. The
 * fastpath checks exactly these conditions, in a chain of unlikely tests
 * that touch nothing, and only then commits: it moves the message, makes
 * the reply capability (Call) or consumes it (ReplyRecv), sets both
 * threads' states, switches and returns. Any test that fails hands the
 * untouched system call to the slow path, so every result is the one the
 * slow path would give; the system tests run with and without the
 * fastpath to show it.
 *
 * What makes the slow path decide differently, and so sends us there:
 *   - a message longer than two words or with extra capabilities;
 *   - a capability lookup that fails, or a capability that is not an
 *     endpoint with the rights needed (Call: Send and Grant or GrantReply,
 *     so that the caller waits for a reply; Recv: Receive);
 *   - Call: no receiver waiting; ReplyRecv: a sender waiting (the receive
 *     would complete at once), an active bound notification, no reply
 *     capability, or a caller not waiting for a reply;
 *   - the thread to run has no valid page directory, or schedule() would
 *     not pick it (lower priority than the current thread and not the
 *     highest ready);
 *   - bookkeeping the slow path repairs: no master reply capability yet,
 *     or one that already has a child, a receiver whose caller slot is
 *     not empty.
 *
 * Faults raised by traps (UnknownSyscall, VMFault, UserException) take
 * the same route as a Call on the faulter's fault endpoint, with the
 * message fault.c would build, written in place; the handler must have an
 * IPC buffer (in a 4 KiB frame) for it. `int $0x80` (UnknownSyscall) and
 * page faults (VMFault) come straight from their own trap stubs
 * (fastpath_unknown_syscall(), fastpath_vm_fault()); the other trap
 * faults through the general trap dispatch (fastpath_fault(), from
 * traps.c). Anything unusual, a delivered IRQ 96 included, goes back to
 * the general trap path. A ReplyRecv to a faulted caller is fast when the
 * reply restarts it (label 0, or a VMFault or CapFault, whose reply sets
 * nothing): the reply's words set its registers as fault_handle_reply()
 * does (in place here, EFLAGS sanitised), and it resumes at its fault_ip
 * with every register from its context, as a restarted thread does
 * (ia32_fastpath_switch_restore).
 *
 * The switch and the return to user level are one hand-written tail
 * (entry.S ia32_fastpath_switch_exit). The C here is shaped so that GCC
 * keeps everything in registers: what a check read and the commit needs
 * again is read again (FP_RELOAD) rather than kept.
 *
 * Compiled to nothing unless CONFIG_FASTPATH is 1.
 */
#include <kernel/fastpath.h>

#if CONFIG_FASTPATH

#include <kernel/objects.h>
#include <kernel/cdt.h>
#include <kernel/fault.h>
#include <kernel/invocation.h>
#include <kernel/state.h>
#include <kernel/debug.h>
#include <kernel/tcb.h>
#include <abi/syscall.h>
#include <abi/faults.h>
#include <arch/fastpath.h>

/* Message info bits that must be small: extra caps and length together
 * are at most MSG_FAST_REGISTERS exactly when extraCaps is 0 and the
 * length fits in the registers. */
#define FP_INFO_SIZE_MASK   MASK(MSGINFO_EXTRA_SHIFT + MSGINFO_EXTRA_BITS)
#define FP_INFO_UNWRAPPED   (MASK(MSGINFO_UNWRAPPED_BITS) << MSGINFO_UNWRAPPED_SHIFT)
#define FP_PRIO_GROUP_BITS  5u

/* Everything here is one straight run: no calls. */
#define FP_INLINE static inline __attribute__((always_inline))

/* Read x again from memory where it is used, rather than keep it in a
 * register (and so, with seven of them, on the stack) from the check that
 * read it first. */
#define FP_RELOAD(x) (*(const volatile __typeof__(x) *)&(x))

/* What a lookup that fails yields: an empty slot, whose capability no
 * check accepts. */
static const cte_t fp_null_slot;

/* The slot cptr names in t's CSpace, resolving all 32 bits as
 * cspace_resolve() does, or fp_null_slot if that lookup would fail.
 * A level consumes guard and radix bits together: their top `level` bits
 * must be the guard followed by the index (a guard longer than the 18 bits
 * a capability stores compares its high bits with 0, as there). The
 * address is shifted left as it is consumed. A CNode's radix is at least 1
 * (retype refuses 0), so no shift below reaches 32. */
static __attribute__((noinline)) const cte_t *fp_lookup_levels(cap_t node, word_t cptr)
{
    word_t bits = WORD_BITS;

    for (;;) {
        word_t radix = cap_w1_cnode_radix(node.w1);
        word_t level = radix + cap_w1_cnode_guard_size(node.w1);

        if (unlikely(level > bits))
            return &fp_null_slot;
        word_t top = cptr >> (WORD_BITS - level);
        word_t guard = top >> radix;
        if (unlikely(guard != cap_w1_cnode_guard(node.w1)))
            return &fp_null_slot;
        const cte_t *slot = cnode_slots(node) + (top - (guard << radix));
        bits -= level;
        if (bits == 0 || cap_type(slot->cap) != CAP_CNODE)
            return slot;
        cptr <<= level;
        node = slot->cap;
    }
}

/* The first level of a root that resolves fewer than 32 bits, radix its
 * radix: the slot there if it holds no CNode (a server's endpoint in its
 * CSpace's top level, as the Linux guest kernel's ReplyRecv names it),
 * fp_null_slot if the guard does not match, NULL if the walk must go on.
 * The capability's words are read where needed, to keep registers free. */
FP_INLINE const cte_t *fp_lookup_first(const cap_t *root, word_t radix, word_t cptr)
{
    word_t level = radix + cap_w1_cnode_guard_size(FP_RELOAD(root->w1));

    if (unlikely(level >= WORD_BITS))
        return NULL;
    word_t top = cptr >> (WORD_BITS - level);
    word_t guard = top >> radix;
    if (unlikely(guard != cap_w1_cnode_guard(FP_RELOAD(root->w1))))
        return &fp_null_slot;
    const cte_t *slot = (const cte_t *)(uintptr_t)(FP_RELOAD(root->w0) & ~CAP_TYPE_MASK) +
                        (top - (guard << radix));
    assert(slot == cnode_slots(*root) + (top - (guard << radix)));
    return cap_type(slot->cap) != CAP_CNODE ? slot : NULL;
}

/* fp_lookup() for a root that resolves fewer than 32 bits, out of line
 * and with its arguments in registers, so that the common case's
 * registers stay free. */
static __attribute__((noinline, regparm(2))) const cte_t *fp_lookup_short(const cap_t *root, word_t cptr)
{
    const cte_t *slot = fp_lookup_first(root, cap_w1_cnode_radix(root->w1), cptr);

    return likely(slot != NULL) ? slot : fp_lookup_levels(*root, cptr);
}

/* The radix and guard size fields of a CNode capability (w1 >> 18) that
 * resolve all 32 bits at once, by radix: one compare instead of adding
 * the two fields up. Radix 0 does not exist (retype refuses it). */
#define FP_LEVEL32(r) (((word_t)(r) << CNODE_SIZE_FIELD_BITS) | (WORD_BITS - (r)))
static const word_t fp_level32[WORD_BITS] = {
    ~0u,              FP_LEVEL32(1),  FP_LEVEL32(2),  FP_LEVEL32(3),  FP_LEVEL32(4),  FP_LEVEL32(5),
    FP_LEVEL32(6),  FP_LEVEL32(7),  FP_LEVEL32(8),  FP_LEVEL32(9),  FP_LEVEL32(10), FP_LEVEL32(11),
    FP_LEVEL32(12), FP_LEVEL32(13), FP_LEVEL32(14), FP_LEVEL32(15), FP_LEVEL32(16), FP_LEVEL32(17),
    FP_LEVEL32(18), FP_LEVEL32(19), FP_LEVEL32(20), FP_LEVEL32(21), FP_LEVEL32(22), FP_LEVEL32(23),
    FP_LEVEL32(24), FP_LEVEL32(25), FP_LEVEL32(26), FP_LEVEL32(27), FP_LEVEL32(28), FP_LEVEL32(29),
    FP_LEVEL32(30), FP_LEVEL32(31),
};
_Static_assert(CNODE_RADIX_SHIFT - CNODE_GUARD_SIZE_SHIFT == CNODE_SIZE_FIELD_BITS,
               "radix follows the guard size");

/* The common case inline: a root CNode that resolves all 32 bits. The
 * capability is read through the returned pointer where it is needed, so
 * that its words need no register while the checks run. The radix is the
 * top field of a CNode capability's second word (at most 31: nothing above
 * it), and the CNode's address its first word less the type. With
 * short_in_line (ReplyRecv's, for the Linux guest kernel), a first level
 * that ends the lookup with fewer bits is in line too; elsewhere it would
 * cost the 32-bit case registers (seL4_Call 153 -> 161 instructions). */
FP_INLINE const cte_t *fp_lookup(const tcb_t *t, word_t cptr, bool short_in_line)
{
    const cap_t *root = &t->slots[TCB_SLOT_CTABLE].cap;
    word_t slots = root->w0 - CAP_CNODE;
    word_t w1 = root->w1;

    if (unlikely(slots & CAP_TYPE_MASK))
        return &fp_null_slot;
    assert(cap_w1_cnode_radix_top(w1) == cap_cnode_radix(*root));
    word_t radix = cap_w1_cnode_radix_top(w1);
    if (likely(cap_w1_cnode_sizes(w1) == fp_level32[radix])) {
        word_t guard = cptr >> radix;
        if (unlikely(guard != cap_w1_cnode_guard(w1)))
            return &fp_null_slot;
        return (const cte_t *)(uintptr_t)slots + (cptr - (guard << radix));
    }
    if (short_in_line) {
        const cte_t *slot = fp_lookup_first(root, radix, cptr);
        if (likely(slot != NULL))
            return slot;
    }
    return fp_lookup_short(root, cptr);
}

/* The object of c, which must be of type `type`: c's first word less the
 * type is the object's address exactly when its low bits are zero, so one
 * subtraction checks the type and yields the address. Test the result
 * with fp_is_object(). */
FP_INLINE word_t fp_cap_object(const cap_t *c, cap_type_t type)
{
    return c->w0 - type;
}

FP_INLINE bool fp_is_object(word_t p)
{
    return (p & CAP_TYPE_MASK) == 0;
}

/* x, which GCC may no longer fold into the addresses it forms from it:
 * otherwise it keeps both an object's address and the capability word it
 * came from alive, one of them on the stack. */
FP_INLINE word_t fp_opaque(word_t x)
{
    __asm__("" : "+r"(x));
    return x;
}

/* Jump to `label` if the word x is not zero: one compare with memory and
 * a branch, where GCC 12 loads, tests and branches (one more on the Call
 * fastpath, which is one instruction inside its goal). */
#define FP_GOTO_IF_NONZERO(x, label) \
    __asm__ goto("cmpl $0, %0\n\tjne %l[" #label "]" : : "m"(x) : "cc" : label)
_Static_assert(FAULT_NULL == 0, "FP_GOTO_IF_NONZERO tests a saved fault against 0");

/* t's fault record, as `t->fault = fault_...()` writes it, one word at a
 * time: GCC builds the whole record on the stack first otherwise. */
FP_INLINE void fp_set_fault(tcb_t *t, word_t type, word_t w0, word_t w1, word_t w2)
{
    _Static_assert(ARRAY_SIZE(t->fault.w) == 4, "every word of the record is written");
    t->fault.type = type;
    t->fault.w[0] = w0;
    t->fault.w[1] = w1;
    t->fault.w[2] = w2;
    t->fault.w[3] = 0;
}

/* Would schedule() pick a thread of priority prio over a non-empty set of
 * ready queues? Out of line, so that the common case (nothing else ready,
 * or the thread at least as urgent as the current one) needs no stack. */
static __attribute__((noinline)) bool fp_is_highest_ready(word_t prio)
{
    word_t g = WORD_BITS - 1u - (word_t)__builtin_clz(ks_ready_bitmap_top);
    word_t p = (g << FP_PRIO_GROUP_BITS) | (WORD_BITS - 1u - (word_t)__builtin_clz(ks_ready_bitmap[g]));
    return prio >= p;
}

/* Would schedule() pick a thread of priority prio over the ready queues? */
FP_INLINE bool fp_is_highest(word_t prio)
{
    return likely(ks_ready_bitmap_top == 0) || fp_is_highest_ready(prio);
}

/* After the current thread stops: does schedule() switch to t? */
FP_INLINE bool fp_would_run(const tcb_t *t, const tcb_t *cur)
{
    return t->priority >= cur->priority || fp_is_highest(t->priority);
}

/* The reply capability to sender goes into the receiver's caller slot as
 * the child of sender's master reply capability, which the caller checked
 * has no child yet (cte_insert() of a non-revocable capability: no flags). */
FP_INLINE void fp_insert_reply(cte_t *master, cte_t *caller, tcb_t *sender, word_t blocking_rights)
{
    /* The caller slot is empty, and an empty slot is all zero. */
    assert(caller->cap.w1 == 0 && caller->mdb.prev == 0 && caller->mdb.next == 0);
    /* cap_reply_new(sender, false, grant), added up (one lea): the grant
     * bit moves from RIGHT_GRANT to REPLY_GRANT_SHIFT. */
    caller->cap.w0 = (word_t)(uintptr_t)sender + CAP_REPLY + cap_w0_reply_grant(blocking_rights);
    assert(caller->cap.w0 == cap_reply_new(sender, false, (blocking_rights & RIGHT_GRANT) != 0).w0);
    caller->mdb.prev = (uintptr_t)master;
    master->mdb.next |= (uintptr_t)caller;
}

/* Delete the reply capability in slot (cte_delete_one(): a reply
 * capability needs no finalisation). */
FP_INLINE void fp_delete_reply(cte_t *slot)
{
#if CONFIG_DEBUG
    cdt_remove(slot);           /* also keeps the debug registry of lists */
#else
    cte_t *prev = mdb_prev(slot), *next = mdb_next(slot);

    if (likely(prev != NULL))
        prev->mdb.next = (uintptr_t)next | (prev->mdb.next & MDB_FLAGS);
    if (unlikely(next != NULL)) {
        next->mdb.prev = (uintptr_t)prev;
        next->mdb.next |= slot->mdb.next & MDB_FIRST_BADGED;
    }
    /* A reply capability's second word is zero already. */
    assert(slot->cap.w1 == 0);
    slot->cap.w0 = 0;
    slot->mdb.prev = 0;
    slot->mdb.next = 0;
#endif
}

/* Take the first receiver off ep's queue (ep_remove() of the head). */
FP_INLINE void fp_dequeue_head(endpoint_t *ep, tcb_t *t)
{
    tcb_t *next = t->ep_next;

    ep->head = next;
    if (likely(next == NULL)) {
        ep->tail = NULL;
        ep->state = EP_IDLE;
    } else {
        next->ep_prev = NULL;
        t->ep_next = NULL;
    }
    t->blocking_object = NULL;
}

/* t waits on ep for a message (ep_receive() blocking, nobody sending). */
FP_INLINE void fp_block_receive(tcb_t *t, endpoint_t *ep, word_t rights)
{
    tcb_t *tail = ep->tail;

    /* A thread that is not queued has both queue links NULL. */
    assert(t->ep_next == NULL && t->ep_prev == NULL);
    t->state = TS_BLOCKED_ON_RECEIVE;
    t->blocking_object = ep;
    t->blocking_rights = rights & RIGHT_GRANT;
    t->ep_prev = tail;
    if (likely(tail == NULL))
        ep->head = t;
    else
        tail->ep_next = t;
    ep->tail = t;
    ep->state = EP_RECV;
}

/* t's IPC buffer, as tcb_ipc_buffer() finds it: the frame in its buffer
 * slot, not device memory, with read-write rights (writable) or at least
 * read-only ones, inside the kernel's window. The type, device bit and
 * rights are bits 0-3 and 5-7 of the capability's first word.
 * fp_ipc_buffer_small() finds it only in a 4 KiB frame (one test fewer):
 * for a fault's receiver, which falls back to the slow path without one. */
#define FP_FRAME_BITS    (CAP_TYPE_MASK | FRAME_VMRIGHTS_MASK | BIT(FRAME_DEVICE_SHIFT))
#define FP_FRAME_RW      (CAP_FRAME | (VM_READ_WRITE << FRAME_VMRIGHTS_SHIFT))
FP_INLINE word_t *fp_ipc_buffer(const tcb_t *t, bool writable)
{
    word_t w0 = t->slots[TCB_SLOT_BUFFER].cap.w0;
    /* Read-only differs from read-write in bit 5 alone. */
    word_t ignore = writable ? 0 : (VM_READ_WRITE ^ VM_READ_ONLY) << FRAME_VMRIGHTS_SHIFT;

    if (unlikely(((w0 | ignore) & FP_FRAME_BITS) != FP_FRAME_RW))
        return NULL;
    word_t in_frame = (w0 & BIT(FRAME_LARGE_SHIFT)) ? MASK(LARGE_PAGE_BITS) : MASK(PAGE_BITS);
    paddr_t p = (w0 & ~MASK(PAGE_BITS)) + (t->ipc_buffer & in_frame & ~MASK(IPC_BUFFER_SIZE_BITS));
    if (unlikely(p >= PADDR_WINDOW_TOP))
        return NULL;
    return paddr_to_kptr(p);
}

FP_INLINE word_t *fp_ipc_buffer_small(const tcb_t *t)
{
    word_t w0 = t->slots[TCB_SLOT_BUFFER].cap.w0;

    if (unlikely((w0 & (FP_FRAME_BITS | BIT(FRAME_LARGE_SHIFT))) != FP_FRAME_RW))
        return NULL;
    paddr_t p = (w0 & ~MASK(PAGE_BITS)) + (t->ipc_buffer & MASK(PAGE_BITS) & ~MASK(IPC_BUFFER_SIZE_BITS));
    if (unlikely(p >= PADDR_WINDOW_TOP))
        return NULL;
    assert(paddr_to_kptr(p) == tcb_ipc_buffer((tcb_t *)t, true));
    return paddr_to_kptr(p);
}

/* The checks a Call (or a fault, which is sent as one) through the
 * capability in ep_slot makes on its receiver: returns the waiting
 * receiver if the fastpath can complete the Call. Its endpoint is then its
 * blocking object (fp_call_commit() reads it there). */
FP_INLINE tcb_t *fp_call_receiver(const tcb_t *cur, const cte_t *ep_slot)
{
    word_t p = fp_cap_object(&ep_slot->cap, CAP_ENDPOINT);
    if (unlikely(!fp_is_object(p)))
        return NULL;
    word_t rights = ep_slot->cap.w1;
    if (unlikely(!(rights & RIGHT_WRITE) || !(rights & (RIGHT_GRANT | RIGHT_GRANT_REPLY))))
        return NULL;
    endpoint_t *ep = (endpoint_t *)fp_opaque(p);
    if (unlikely(ep->state != EP_RECV))
        return NULL;
    tcb_t *dest = ep->head;
    if (unlikely(!arch_fastpath_vspace(dest)))
        return NULL;
    if (unlikely(!fp_would_run(dest, cur)))
        return NULL;
    const cte_t *master = &cur->slots[TCB_SLOT_REPLY];
    if (unlikely(cap_is_null(master->cap) || mdb_next(master) != NULL ||
                 !cap_is_null(dest->slots[TCB_SLOT_CALLER].cap)))
        return NULL;
    return dest;
}

/* Commit a Call from cur to dest: dest leaves the endpoint and runs, cur
 * waits for the reply that the new reply capability in dest names. */
FP_INLINE void fp_call_commit(tcb_t *cur, tcb_t *dest)
{
    endpoint_t *ep = FP_RELOAD(dest->blocking_object);

    assert(ks_sched_action == SCHED_RESUME_CURRENT && !dest->in_ready_queue);
    assert(dest->state == TS_BLOCKED_ON_RECEIVE && ep->head == dest);
    fp_dequeue_head(ep, dest);
    cur->state = TS_BLOCKED_ON_REPLY;
    fp_insert_reply(&cur->slots[TCB_SLOT_REPLY], &dest->slots[TCB_SLOT_CALLER], cur,
                    dest->blocking_rights);
    dest->state = TS_RUNNING;
}

FASTPATH_ENTRY void fastpath_call(void)
{
    tcb_t *cur = ks_cur_thread;

    /* A saved fault (a thread resumed after its fault was cancelled) is
     * what the slow path sends instead of the message (seL4 does too). */
    if (unlikely((cur->ctx.esi & FP_INFO_SIZE_MASK) > MSG_FAST_REGISTERS))
        arch_fastpath_fallback(SYS_CALL);
    FP_GOTO_IF_NONZERO(cur->fault.type, slow);
    const cte_t *ep_slot = fp_lookup(cur, cur->ctx.ebx, false);
    tcb_t *dest = fp_call_receiver(cur, ep_slot);
    if (unlikely(dest == NULL))
        arch_fastpath_fallback(SYS_CALL);

    /* Committed: nothing below can fail. */
    fp_call_commit(cur, dest);
    arch_fastpath_send_exit(dest, cap_w1_badge(FP_RELOAD(ep_slot->cap.w1)), cur);
slow:
    arch_fastpath_fallback(SYS_CALL);
}

void fastpath_fault(const fault_t *f)
{
    tcb_t *cur = ks_cur_thread;

    const cte_t *ep_slot = fp_lookup(cur, cur->fault_handler, false);
    tcb_t *dest = fp_call_receiver(cur, ep_slot);
    if (unlikely(dest == NULL))
        return;
    word_t *rbuf = fp_ipc_buffer_small(dest);
    if (unlikely(rbuf == NULL))
        return;

    /* Committed: nothing below can fail. */
    cur->fault = *f;
    fp_call_commit(cur, dest);
    if (likely(f->type == FAULT_USER_EXCEPTION)) {
        /* In place, as fault_message_setup() builds it: FaultIP and ESP
         * in the register words, then EFLAGS (read as tcb_get_user_reg()
         * reads it), Number and Code in the buffer. */
        user_context_t *c = &cur->ctx;
        rbuf[USEREXC_FLAGS + 1] = tcb_get_user_reg(cur, UREG_EFLAGS);
        rbuf[USEREXC_NUMBER + 1] = f->w[FW_EXC_NUMBER];
        rbuf[USEREXC_CODE + 1] = f->w[FW_EXC_CODE];
        arch_fastpath_switch_exit(dest, cap_badge(ep_slot->cap),
                                  MSGINFO_MAKE(FAULT_USER_EXCEPTION, 0, 0, USEREXC_LENGTH), c->fault_ip,
                                  c->esp);
    }
    word_t len = fault_message_setup(cur, dest, rbuf);
    arch_fastpath_switch_exit(dest, cap_badge(ep_slot->cap), MSGINFO_MAKE(f->type, 0, 0, len),
                              dest->ctx.edi, dest->ctx.ebp);
}

/* `int $0x80` (UnknownSyscall with Syscall = 0x80 << 24 | EAX, see
 * fault.c), straight from its trap stub: fastpath_fault() with the
 * message built in place, register by register, as fault_message_setup()
 * builds it (MR0 EAX, MR1 EBX in registers, then ECX EDX ESI EDI EBP
 * FaultIP ESP EFLAGS Syscall in the buffer). */
FASTPATH_ENTRY void fastpath_unknown_syscall(void)
{
    tcb_t *cur = ks_cur_thread;

    if (unlikely(arch_fastpath_trap_is_irq(VEC_LINUX)))
        arch_fastpath_trap_fallback();
    const cte_t *ep_slot = fp_lookup(cur, cur->fault_handler, false);
    tcb_t *dest = fp_call_receiver(cur, ep_slot);
    if (unlikely(dest == NULL))
        arch_fastpath_trap_fallback();
    word_t *rbuf = fp_ipc_buffer_small(dest);
    if (unlikely(rbuf == NULL))
        arch_fastpath_trap_fallback();

    /* Committed: nothing below can fail. */
    user_context_t *c = &cur->ctx;
    c->fault_ip = c->eip - INT_INSN_LEN;
    word_t number = UNKSYS_TRAP_NUMBER(VEC_LINUX, c->eax);
    fp_set_fault(cur, FAULT_UNKNOWN_SYSCALL, number, 0, 0);
    assert(cur->fault.w[0] == fault_unknown_syscall(number).w[0]);
    fp_call_commit(cur, dest);
    rbuf[UNKSYS_ECX + 1] = c->ecx;
    rbuf[UNKSYS_EDX + 1] = c->edx;
    rbuf[UNKSYS_ESI + 1] = c->esi;
    rbuf[UNKSYS_EDI + 1] = c->edi;
    rbuf[UNKSYS_EBP + 1] = c->ebp;
    rbuf[UNKSYS_FAULT_IP + 1] = c->fault_ip;
    rbuf[UNKSYS_SP + 1] = c->esp;
    rbuf[UNKSYS_FLAGS + 1] = c->eflags;
    rbuf[UNKSYS_SYSCALL + 1] = number;
    arch_fastpath_switch_exit(dest, cap_w1_badge(FP_RELOAD(ep_slot->cap.w1)),
                              MSGINFO_MAKE(FAULT_UNKNOWN_SYSCALL, 0, 0, UNKSYS_LENGTH), c->eax, c->ebx);
}

/* A page fault (VMFault), straight from its trap stub: fastpath_fault()
 * with the message built in place as fault_message_setup() builds it (MR0
 * FaultIP and MR1 the address in registers, then PrefetchFault and FSR,
 * the CPU's error code, in the buffer). The thread re-runs the faulting
 * instruction when the handler replies: FaultIP is its EIP. */
FASTPATH_ENTRY void fastpath_vm_fault(void)
{
    tcb_t *cur = ks_cur_thread;

    const cte_t *ep_slot = fp_lookup(cur, cur->fault_handler, false);
    tcb_t *dest = fp_call_receiver(cur, ep_slot);
    if (unlikely(dest == NULL))
        arch_fastpath_trap_fallback();
    word_t *rbuf = fp_ipc_buffer_small(dest);
    if (unlikely(rbuf == NULL))
        arch_fastpath_trap_fallback();

    /* Committed: nothing below can fail. */
    user_context_t *c = &cur->ctx;
    vaddr_t addr = arch_fastpath_fault_addr();
    word_t fsr = c->error;
    word_t prefetch = arch_fastpath_fault_prefetch(fsr);
    c->fault_ip = c->eip;
    fp_set_fault(cur, FAULT_VM, addr, prefetch, fsr);
    assert(cur->fault.w[FW_VM_PREFETCH] == fault_vm(addr, prefetch, fsr).w[FW_VM_PREFETCH]);
    fp_call_commit(cur, dest);
    rbuf[VMFAULT_PREFETCH + 1] = prefetch;
    rbuf[VMFAULT_FSR + 1] = fsr;
    arch_fastpath_switch_exit(dest, cap_w1_badge(FP_RELOAD(ep_slot->cap.w1)),
                              MSGINFO_MAKE(FAULT_VM, 0, 0, VMFAULT_LENGTH), c->fault_ip, addr);
}

/* The reply to an UnknownSyscall fault, label 0: its first `n` words set
 * the faulter's registers in the message's order, as fault_handle_reply()
 * does (MR0 and MR1 from the replier's registers, the rest from its
 * buffer sbuf, only two without one). */
FP_INLINE void fp_unknown_syscall_reply(tcb_t *caller, const tcb_t *cur, word_t n, const word_t *sbuf)
{
    user_context_t *c = &caller->ctx;

    if (n > UNKSYS_SYSCALL)
        n = UNKSYS_SYSCALL;
    if (unlikely(sbuf == NULL) && n > MSG_FAST_REGISTERS)
        n = MSG_FAST_REGISTERS;
    switch (n) {
    case UNKSYS_FLAGS + 1:
        tcb_set_user_reg(caller, UREG_EFLAGS, sbuf[UNKSYS_FLAGS + 1]);   /* sanitised */
        /* fallthrough */
    case UNKSYS_SP + 1:
        c->esp = sbuf[UNKSYS_SP + 1];
        /* fallthrough */
    case UNKSYS_FAULT_IP + 1:
        c->fault_ip = sbuf[UNKSYS_FAULT_IP + 1];
        /* fallthrough */
    case UNKSYS_EBP + 1:
        c->ebp = sbuf[UNKSYS_EBP + 1];
        /* fallthrough */
    case UNKSYS_EDI + 1:
        c->edi = sbuf[UNKSYS_EDI + 1];
        /* fallthrough */
    case UNKSYS_ESI + 1:
        c->esi = sbuf[UNKSYS_ESI + 1];
        /* fallthrough */
    case UNKSYS_EDX + 1:
        c->edx = sbuf[UNKSYS_EDX + 1];
        /* fallthrough */
    case UNKSYS_ECX + 1:
        c->ecx = sbuf[UNKSYS_ECX + 1];
        /* fallthrough */
    case UNKSYS_EBX + 1:
        c->ebx = cur->ctx.ebp;
        /* fallthrough */
    case UNKSYS_EAX + 1:
        c->eax = cur->ctx.edi;
        tcb_force_iret(caller);
        /* fallthrough */
    default:
        break;
    }
}

/* The reply to a UserException fault, label 0: its first `n` words set
 * FaultIP, ESP and EFLAGS (sanitised), as fault_handle_reply() does. */
FP_INLINE void fp_user_exception_reply(tcb_t *caller, const tcb_t *cur, word_t n, const word_t *sbuf)
{
    user_context_t *c = &caller->ctx;

    if (n > USEREXC_NUMBER)
        n = USEREXC_NUMBER;
    if (unlikely(sbuf == NULL) && n > MSG_FAST_REGISTERS)
        n = MSG_FAST_REGISTERS;
    switch (n) {
    case USEREXC_FLAGS + 1:
        tcb_set_user_reg(caller, UREG_EFLAGS, sbuf[USEREXC_FLAGS + 1]);   /* sanitised */
        /* fallthrough */
    case USEREXC_SP + 1:
        c->esp = cur->ctx.ebp;
        /* fallthrough */
    case USEREXC_FAULT_IP + 1:
        c->fault_ip = cur->ctx.edi;
        tcb_force_iret(caller);
        /* fallthrough */
    default:
        break;
    }
}

/* A reply ends a fault with a restart unless the handler said otherwise
 * (a non-zero label) to a fault whose reply sets registers. */
FP_INLINE bool fp_fault_reply_restarts(word_t fault, word_t info)
{
    return MSGINFO_LABEL(info) == 0 || (fault != FAULT_UNKNOWN_SYSCALL && fault != FAULT_USER_EXCEPTION);
}

FASTPATH_ENTRY void fastpath_reply_recv(void)
{
    tcb_t *cur = ks_cur_thread;

    /* As in fastpath_call: a thread with a saved fault takes the slow path
     * (its reply sends that fault, transfer.c). */
    FP_GOTO_IF_NONZERO(cur->fault.type, slow);
    /* The receive's endpoint first, while few registers are live (its
     * lookup has a first level in line for a root of fewer bits). */
    const cte_t *ep_slot = fp_lookup(cur, cur->ctx.ebx, true);
    word_t p = fp_cap_object(&ep_slot->cap, CAP_ENDPOINT);
    if (unlikely(!fp_is_object(p) || !(ep_slot->cap.w1 & RIGHT_READ)))
        arch_fastpath_fallback(SYS_REPLY_RECV);
    if (unlikely(((endpoint_t *)p)->state == EP_SEND))
        arch_fastpath_fallback(SYS_REPLY_RECV);
    /* Then the reply, which decides how long a message may be. A reply
     * capability that is not the master has exactly CAP_REPLY in its type
     * and master bits. */
    cte_t *reply_slot = &cur->slots[TCB_SLOT_CALLER];
    if (unlikely((reply_slot->cap.w0 & REPLY_LOW_MASK) != CAP_REPLY))
        arch_fastpath_fallback(SYS_REPLY_RECV);
    tcb_t *caller = cap_reply_tcb(reply_slot->cap);
    if (unlikely(caller->state != TS_BLOCKED_ON_REPLY))
        arch_fastpath_fallback(SYS_REPLY_RECV);
    word_t fault = caller->fault.type;
    if (likely(fault == FAULT_NULL)) {
        if (unlikely((cur->ctx.esi & FP_INFO_SIZE_MASK) > MSG_FAST_REGISTERS))
            arch_fastpath_fallback(SYS_REPLY_RECV);
    } else if (unlikely(!fp_fault_reply_restarts(fault, cur->ctx.esi))) {
        arch_fastpath_fallback(SYS_REPLY_RECV);
    }
    notification_t *bound = cur->bound_ntfn;
    if (unlikely(bound != NULL && ntfn_state(bound) == NTFN_ACTIVE))
        arch_fastpath_fallback(SYS_REPLY_RECV);
    if (unlikely(!arch_fastpath_vspace(caller)))
        arch_fastpath_fallback(SYS_REPLY_RECV);
    if (unlikely(!fp_would_run(caller, cur)))
        arch_fastpath_fallback(SYS_REPLY_RECV);

    /* Committed: nothing below can fail. What the checks read is read
     * again here rather than kept in registers through them. */
    assert(ks_sched_action == SCHED_RESUME_CURRENT && !caller->in_ready_queue);
    fp_delete_reply(reply_slot);
    caller->state = TS_RUNNING;
    fp_block_receive(cur, (endpoint_t *)(FP_RELOAD(ep_slot->cap.w0) - CAP_ENDPOINT),
                     FP_RELOAD(ep_slot->cap.w1));
    if (likely(FP_RELOAD(caller->fault.type) == FAULT_NULL))
        arch_fastpath_send_exit(caller, 0, cur);
    /* A fault reply: the reply's words may set registers (fault.c), then
     * the thread re-runs from its fault_ip, as activate_thread() starts a
     * restarted thread. */
    word_t info = cur->ctx.esi;
    word_t len = MSGINFO_LENGTH(info);
    if (likely(caller->fault.type == FAULT_UNKNOWN_SYSCALL))
        fp_unknown_syscall_reply(caller, cur, len, len > MSG_FAST_REGISTERS ? fp_ipc_buffer(cur, false) : NULL);
    else if (caller->fault.type == FAULT_USER_EXCEPTION)
        fp_user_exception_reply(caller, cur, len, len > MSG_FAST_REGISTERS ? fp_ipc_buffer(cur, false) : NULL);
    /* else a VMFault or CapFault: its reply sets nothing (fault_handle_reply()). */
    caller->fault.type = FAULT_NULL;
    caller->ctx.eip = caller->ctx.fault_ip;
    arch_fastpath_switch_restore(caller);
slow:
    arch_fastpath_fallback(SYS_REPLY_RECV);
}

#endif
