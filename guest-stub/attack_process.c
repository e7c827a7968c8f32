/*
 * Attacks on what a guest is given beyond its own memory: the calls a
 * mediated guest makes for its processes (address spaces, threads, its
 * endpoints' Receive-only copies: docs/vmm.md "The mediated protocol"),
 * and, under any policy, its console input ring, the input and interrupt
 * notifications it may only Wait on, and the IRQ handlers of its lines.
 *
 * Every number a process call takes is sent wild (handles of nothing and
 * of the wrong kind, addresses, rights, badges, priorities, slots,
 * lengths) and refused with the error the protocol table names; then a
 * thread is made and started on an address it does not map, and its fault
 * must reach the guest, on the copy it was given, with the guest's badge.
 * Freeing everything gives the quota back to the byte (QUERY).
 *
 * The ring is the guest's to scribble on: the VMM writes only head and
 * data, treats a tail it cannot believe as a full ring (the guest loses
 * its own input) and is never the worse for it (vmm/include/vmm/
 * input_ring.h). The notifications may be bound and polled, not
 * Signalled; an IRQ handler may be Acked, and given no notification it
 * may not Signal.
 */
#include <guest/attack.h>
#include <sel4/extensions.h>

#define PAGE            (1u << seL4_PageBits)
#define CNODE_SLOTS     (1u << VMM_GUEST_CNODE_BITS)
#define SCRATCH         (CNODE_SLOTS - 1)
#define GIVE_SLOT       (VMM_SLOT_FIRST_FREE + 72u)
#define PROC_VADDR      0x00010000u     /* where the process maps the frame */
#define PROC_NOWHERE    0x00020000u     /* and where its thread starts: unmapped */
#define MAX_HANDLES     8192u           /* DOMAIN_MAX_HANDLES */
#define MAX_SPACES      32u             /* DOMAIN_MAX_SPACES */
#define RIGHTS_RO       2u
#define RIGHTS_RW       3u
#define BADGE           0x1234u
#define CTX_EIP         0u              /* seL4_UserContext: eip, esp, eflags, ... */
#define CTX_EFLAGS      2u
#define EFLAGS_IF       0x200u          /* SDM vol. 1, 3.4.3 */
#define EFLAGS_IOPL     0x3000u
#define EFLAGS_TF       0x100u
#define MAX_WORDS       16u

static seL4_Word reply[MAX_WORDS];

/* A call of n words w[]; the reply's words are kept before anything prints. */
static seL4_Error callv(seL4_Word label, uint32_t n, const seL4_Word *w)
{
    seL4_MessageInfo_t m;

    for (uint32_t i = 0; i < n; i++)
        seL4_SetMR((int)i, w[i]);
    m = seL4_Call(VMM_SLOT_SERVICE, seL4_MessageInfo_new(label, 0, 0, n));
    for (uint32_t i = 0; i < MAX_WORDS; i++)
        reply[i] = seL4_GetMR((int)i);
    return (seL4_Error)seL4_MessageInfo_get_label(m);
}

static seL4_Error call4(seL4_Word label, uint32_t n, seL4_Word a, seL4_Word b, seL4_Word c,
                        seL4_Word d)
{
    seL4_Word w[4] = { a, b, c, d };

    return callv(label, n, w);
}

static seL4_Word alloc(struct atk *a, seL4_Word type)
{
    atk_expect(a, "alloc", type, call4(VMM_CALL_ALLOC, 2, type, 0, 0, 0), seL4_NoError);
    return reply[0];
}

/* ---- address spaces ------------------------------------------------------ */

static void space_wild(struct atk *a, seL4_Word s, seL4_Word frame, seL4_Word ep)
{
    const seL4_Word not_space[] = { 0, MAX_HANDLES + 1, 0xffffffffu, frame, ep };
    const seL4_Word not_frame[] = { 0, MAX_HANDLES + 1, 0xffffffffu, s, ep };
    static const seL4_Word bad_va[] = {
        0, PROC_VADDR + 1, PROC_VADDR + PAGE - 1, VMM_PROC_VADDR_END, 0xfffff000u,
    };
    static const seL4_Word bad_rights[] = { 0, 1, 4, 7, 0xffffffffu };

    for (uint32_t i = 0; i < sizeof(not_space) / sizeof(not_space[0]); i++) {
        atk_expect(a, "space map, no space", not_space[i],
                   call4(VMM_CALL_SPACE_MAP, 4, not_space[i], frame, PROC_VADDR, RIGHTS_RW),
                   seL4_InvalidArgument);
        atk_expect(a, "space unmap, no space", not_space[i],
                   call4(VMM_CALL_SPACE_UNMAP, 2, not_space[i], PROC_VADDR, 0, 0),
                   seL4_InvalidArgument);
        atk_expect(a, "space protect, no space", not_space[i],
                   call4(VMM_CALL_SPACE_PROTECT, 3, not_space[i], PROC_VADDR, RIGHTS_RO, 0),
                   seL4_InvalidArgument);
        atk_expect(a, "space map, no frame", not_frame[i],
                   call4(VMM_CALL_SPACE_MAP, 4, s, not_frame[i], PROC_VADDR, RIGHTS_RW),
                   seL4_InvalidArgument);
    }
    for (uint32_t i = 0; i < sizeof(bad_va) / sizeof(bad_va[0]); i++)
        atk_expect(a, "space map, bad address", bad_va[i],
                   call4(VMM_CALL_SPACE_MAP, 4, s, frame, bad_va[i], RIGHTS_RW),
                   seL4_InvalidArgument);
    for (uint32_t i = 0; i < sizeof(bad_rights) / sizeof(bad_rights[0]); i++)
        atk_expect(a, "space map, bad rights", bad_rights[i],
                   call4(VMM_CALL_SPACE_MAP, 4, s, frame, PROC_VADDR, bad_rights[i]),
                   seL4_InvalidArgument);
    atk_expect(a, "space map, three words", 0,
               call4(VMM_CALL_SPACE_MAP, 3, s, frame, PROC_VADDR, RIGHTS_RW),
               seL4_TruncatedMessage);
    atk_expect(a, "space unmap, nothing there", PROC_VADDR,
               call4(VMM_CALL_SPACE_UNMAP, 2, s, PROC_VADDR, 0, 0), seL4_InvalidArgument);
    atk_expect(a, "space protect, nothing there", PROC_VADDR,
               call4(VMM_CALL_SPACE_PROTECT, 3, s, PROC_VADDR, RIGHTS_RO, 0),
               seL4_InvalidArgument);
}

static void space_maps(struct atk *a, seL4_Word s, seL4_Word frame)
{
    atk_expect(a, "space map", PROC_VADDR,
               call4(VMM_CALL_SPACE_MAP, 4, s, frame, PROC_VADDR, RIGHTS_RW), seL4_NoError);
    atk_expect(a, "space map over it", PROC_VADDR,
               call4(VMM_CALL_SPACE_MAP, 4, s, frame, PROC_VADDR, RIGHTS_RW), seL4_DeleteFirst);
    atk_expect(a, "the frame again, elsewhere", PROC_VADDR + PAGE,
               call4(VMM_CALL_SPACE_MAP, 4, s, frame, PROC_VADDR + PAGE, RIGHTS_RW),
               seL4_NoError);
    atk_expect(a, "free the frame a process maps", frame,
               call4(VMM_CALL_FREE, 1, frame, 0, 0, 0), seL4_DeleteFirst);
    atk_expect(a, "space protect, bad rights", PROC_VADDR,
               call4(VMM_CALL_SPACE_PROTECT, 3, s, PROC_VADDR, 0xffffffffu, 0),
               seL4_InvalidArgument);
    atk_expect(a, "space protect", PROC_VADDR,
               call4(VMM_CALL_SPACE_PROTECT, 3, s, PROC_VADDR, RIGHTS_RO, 0), seL4_NoError);
    atk_expect(a, "space unmap", PROC_VADDR + PAGE,
               call4(VMM_CALL_SPACE_UNMAP, 2, s, PROC_VADDR + PAGE, 0, 0), seL4_NoError);
    atk_expect(a, "space unmap twice", PROC_VADDR + PAGE,
               call4(VMM_CALL_SPACE_UNMAP, 2, s, PROC_VADDR + PAGE, 0, 0),
               seL4_InvalidArgument);
}

/* Spaces until refused: at most 32, then NotEnoughMemory; all freed. */
static void spaces_dry(struct atk *a)
{
    seL4_Word h[MAX_SPACES + 1];
    uint32_t n = 0;

    while (n <= MAX_SPACES && call4(VMM_CALL_SPACE, 0, 0, 0, 0, 0) == seL4_NoError)
        h[n++] = reply[0];
    atk_expect(a, "spaces made", n, n, MAX_SPACES);
    atk_expect(a, "one more space", n, call4(VMM_CALL_SPACE, 0, 0, 0, 0, 0),
               seL4_NotEnoughMemory);
    for (uint32_t i = 0; i < n; i++)
        atk_expect(a, "free a space", h[i], call4(VMM_CALL_FREE, 1, h[i], 0, 0, 0),
                   seL4_NoError);
}

/* ---- threads ------------------------------------------------------------- */

static seL4_Word thread_wild(struct atk *a, seL4_Word s, seL4_Word frame, seL4_Word ep)
{
    static const seL4_Word bad_badge[] = { 0, VMM_BADGE_MAX + 1, 0xffffffffu };
    const seL4_Word bad_prio[] = { a->boot->priority + 1, seL4_MaxPrio, 0xffffffffu };
    seL4_Word prio = a->boot->priority;

    atk_expect(a, "thread in a frame", frame,
               call4(VMM_CALL_THREAD, 4, frame, ep, BADGE, prio), seL4_InvalidArgument);
    atk_expect(a, "thread faulting to a frame", frame,
               call4(VMM_CALL_THREAD, 4, s, frame, BADGE, prio), seL4_InvalidArgument);
    atk_expect(a, "thread faulting to a space", s,
               call4(VMM_CALL_THREAD, 4, s, s, BADGE, prio), seL4_InvalidArgument);
    for (uint32_t i = 0; i < sizeof(bad_badge) / sizeof(bad_badge[0]); i++)
        atk_expect(a, "thread, bad badge", bad_badge[i],
                   call4(VMM_CALL_THREAD, 4, s, ep, bad_badge[i], prio), seL4_RangeError);
    for (uint32_t i = 0; i < sizeof(bad_prio) / sizeof(bad_prio[0]); i++)
        atk_expect(a, "thread above its priority", bad_prio[i],
                   call4(VMM_CALL_THREAD, 4, s, ep, BADGE, bad_prio[i]), seL4_RangeError);
    atk_expect(a, "thread, three words", 0, call4(VMM_CALL_THREAD, 3, s, ep, BADGE, prio),
               seL4_TruncatedMessage);
    atk_expect(a, "thread at its priority", prio,
               call4(VMM_CALL_THREAD, 4, s, ep, BADGE, prio), seL4_NoError);
    return reply[0];
}

/* Every thread call on handles of nothing and of every other kind. */
static void thread_calls_wild(struct atk *a, seL4_Word s, seL4_Word frame, seL4_Word ep)
{
    static const seL4_Word labels[] = {
        VMM_CALL_THREAD_START, VMM_CALL_THREAD_READ, VMM_CALL_THREAD_STOP,
        VMM_CALL_THREAD_TLS, VMM_CALL_THREAD_WRITE, VMM_CALL_THREAD_RESUME,
    };
    const seL4_Word not_thread[] = { 0, MAX_HANDLES + 1, 0xffffffffu, s, frame, ep };
    seL4_Word w[MAX_WORDS] = { 0 };

    for (uint32_t l = 0; l < sizeof(labels) / sizeof(labels[0]); l++)
        for (uint32_t i = 0; i < sizeof(not_thread) / sizeof(not_thread[0]); i++) {
            w[0] = not_thread[i];
            w[1] = 1;
            atk_expect(a, "thread call on no thread", (labels[l] << 24) | (not_thread[i] & 0xffff),
                       callv(labels[l], 1 + VMM_CONTEXT_WORDS, w), seL4_InvalidArgument);
        }
}

static void thread_write_wild(struct atk *a, seL4_Word t)
{
    static const seL4_Word bad_n[] = { 0, VMM_CONTEXT_WORDS + 1, 0x80000000u, 0xffffffffu };
    seL4_Word w[MAX_WORDS] = { t };

    for (uint32_t i = 0; i < sizeof(bad_n) / sizeof(bad_n[0]); i++) {
        w[1] = bad_n[i];
        atk_expect(a, "thread write, bad count", bad_n[i],
                   callv(VMM_CALL_THREAD_WRITE, 2 + VMM_CONTEXT_WORDS, w), seL4_RangeError);
    }
    w[1] = VMM_CONTEXT_WORDS;
    atk_expect(a, "thread write, fewer words than it says", VMM_CONTEXT_WORDS,
               callv(VMM_CALL_THREAD_WRITE, 5, w), seL4_TruncatedMessage);
    atk_expect(a, "thread write, one word", 0, callv(VMM_CALL_THREAD_WRITE, 1, w),
               seL4_TruncatedMessage);
    atk_expect(a, "thread start, a word short", 0,
               callv(VMM_CALL_THREAD_START, VMM_CONTEXT_WORDS, w), seL4_TruncatedMessage);
    /* Flags it may not have: the kernel sanitises them (IOPL, single step
     * off, interrupts on). */
    w[1] = 3;
    w[2 + CTX_EIP] = PROC_NOWHERE;
    w[2 + 1] = 0;
    w[2 + CTX_EFLAGS] = 0xffffffffu;
    atk_expect(a, "thread write, all flags", 3, callv(VMM_CALL_THREAD_WRITE, 5, w),
               seL4_NoError);
    atk_expect(a, "thread read", t, call4(VMM_CALL_THREAD_READ, 1, t, 0, 0, 0), seL4_NoError);
    atk_expect(a, "its eip", t, reply[CTX_EIP], PROC_NOWHERE);
    atk_expect(a, "no IOPL, no single step", reply[CTX_EFLAGS],
               reply[CTX_EFLAGS] & (EFLAGS_IOPL | EFLAGS_TF), 0);
    atk_expect(a, "interrupts on", reply[CTX_EFLAGS], reply[CTX_EFLAGS] & EFLAGS_IF, EFLAGS_IF);
    /* Every register wild (its TLS and GS bases too: segments of its own,
     * the kernel's pages stay supervisor-only), a wild TLS base; stopping
     * a stopped thread. All its own business: NoError. */
    w[1] = VMM_CONTEXT_WORDS;
    for (uint32_t i = 0; i < VMM_CONTEXT_WORDS; i++)
        w[2 + i] = atk_rand(a);
    atk_expect(a, "thread write, every register wild", VMM_CONTEXT_WORDS,
               callv(VMM_CALL_THREAD_WRITE, 2 + VMM_CONTEXT_WORDS, w), seL4_NoError);
    atk_expect(a, "thread read", t, call4(VMM_CALL_THREAD_READ, 1, t, 0, 0, 0), seL4_NoError);
    atk_expect(a, "still no IOPL", reply[CTX_EFLAGS], reply[CTX_EFLAGS] & EFLAGS_IOPL, 0);
    atk_expect(a, "thread TLS, a wild base", t,
               call4(VMM_CALL_THREAD_TLS, 2, t, 0xfffff000u, 0, 0), seL4_NoError);
    atk_expect(a, "thread TLS, one word", t, call4(VMM_CALL_THREAD_TLS, 1, t, 0, 0, 0),
               seL4_TruncatedMessage);
    atk_expect(a, "stop a stopped thread", t, call4(VMM_CALL_THREAD_STOP, 1, t, 0, 0, 0),
               seL4_NoError);
}

/* ---- the endpoint's copy ------------------------------------------------- */

static void ep_give_wild(struct atk *a, seL4_Word s, seL4_Word frame, seL4_Word ep)
{
    static const seL4_Word reserved[] = {
        0, VMM_SLOT_TCB, VMM_SLOT_CNODE, VMM_SLOT_SERVICE, VMM_SLOT_CHANNEL0, VMM_SLOT_UNTYPED0,
        VMM_SLOT_DEVICE0, VMM_SLOT_INPUT_NTFN, VMM_SLOT_IRQ_NTFN, VMM_SLOT_IRQ0,
        VMM_SLOT_FIRST_FREE - 1, CNODE_SLOTS, 0xffffffffu,
    };

    for (uint32_t i = 0; i < sizeof(reserved) / sizeof(reserved[0]); i++)
        atk_expect(a, "give into a slot not its own", reserved[i],
                   call4(VMM_CALL_EP_GIVE, 2, ep, reserved[i], 0, 0), seL4_RangeError);
    atk_expect(a, "give a frame", frame, call4(VMM_CALL_EP_GIVE, 2, frame, GIVE_SLOT, 0, 0),
               seL4_InvalidArgument);
    atk_expect(a, "give a space", s, call4(VMM_CALL_EP_GIVE, 2, s, GIVE_SLOT, 0, 0),
               seL4_InvalidArgument);
    atk_expect(a, "give, one word", ep, call4(VMM_CALL_EP_GIVE, 1, ep, GIVE_SLOT, 0, 0),
               seL4_TruncatedMessage);
    atk_expect(a, "slot still empty", GIVE_SLOT, atk_slot_empty(GIVE_SLOT), 1);
}

/* The copy may only Receive, whatever it does with it. */
static void ep_given(struct atk *a, seL4_Word ep, seL4_Word ep2)
{
    ext_CapInfo_t c = { 0 };

    atk_expect(a, "give", ep, call4(VMM_CALL_EP_GIVE, 2, ep, GIVE_SLOT, 0, 0), seL4_NoError);
    atk_expect(a, "give twice", ep, call4(VMM_CALL_EP_GIVE, 2, ep, GIVE_SLOT + 1, 0, 0),
               seL4_DeleteFirst);
    atk_expect(a, "give another into the taken slot", ep2,
               call4(VMM_CALL_EP_GIVE, 2, ep2, GIVE_SLOT, 0, 0), seL4_DeleteFirst);
    ext_CNode_ReadSlots(VMM_SLOT_CNODE, GIVE_SLOT, 1, &c);
    atk_expect(a, "the copy's rights", GIVE_SLOT, c.rights, seL4_CanRead.words[0]);
    atk_expect(a, "copy it with all rights", GIVE_SLOT,
               seL4_CNode_Copy(VMM_SLOT_CNODE, SCRATCH, seL4_WordBits, VMM_SLOT_CNODE,
                               GIVE_SLOT, seL4_WordBits, seL4_AllRights), seL4_NoError);
    ext_CNode_ReadSlots(VMM_SLOT_CNODE, SCRATCH, 1, &c);
    atk_expect(a, "its copy's rights", SCRATCH, c.rights, seL4_CanRead.words[0]);
    seL4_CNode_Delete(VMM_SLOT_CNODE, SCRATCH, seL4_WordBits);
    atk_expect(a, "call on it", GIVE_SLOT, seL4_MessageInfo_get_label(
                   seL4_Call(GIVE_SLOT, seL4_MessageInfo_new(0, 0, 0, 0))),
               seL4_InvalidCapability);
}

/* Started where nothing is mapped, the thread's fault reaches the guest
 * on its copy, badged as it asked; the VMM hears nothing of it. */
static void thread_faults(struct atk *a, seL4_Word t)
{
    seL4_Word w[1 + VMM_CONTEXT_WORDS] = { t, PROC_NOWHERE };
    seL4_Word badge = 0, ip, addr;
    seL4_MessageInfo_t m;

    atk_expect(a, "thread start", t, callv(VMM_CALL_THREAD_START, 1 + VMM_CONTEXT_WORDS, w),
               seL4_NoError);
    m = seL4_Recv(GIVE_SLOT, &badge);
    ip = seL4_GetMR(seL4_VMFault_IP);
    addr = seL4_GetMR(seL4_VMFault_Addr);
    atk_expect(a, "its fault", t, seL4_MessageInfo_get_label(m), seL4_Fault_VMFault);
    atk_expect(a, "its badge", t, badge, BADGE);
    atk_expect(a, "where it faulted", t, ip, PROC_NOWHERE);
    atk_expect(a, "the address", t, addr, PROC_NOWHERE);
    atk_expect(a, "thread stop", t, call4(VMM_CALL_THREAD_STOP, 1, t, 0, 0, 0), seL4_NoError);
}

void atk_process(struct atk *a)
{
    seL4_Word base, frame, ep, ep2, s, t;

    call4(VMM_CALL_QUERY, 0, 0, 0, 0, 0);
    base = reply[1];
    frame = alloc(a, seL4_X86_4K);
    ep = alloc(a, seL4_EndpointObject);
    ep2 = alloc(a, seL4_EndpointObject);
    atk_expect(a, "space", 0, call4(VMM_CALL_SPACE, 0, 0, 0, 0, 0), seL4_NoError);
    s = reply[0];
    space_wild(a, s, frame, ep);
    space_maps(a, s, frame);
    t = thread_wild(a, s, frame, ep);
    atk_expect(a, "free a space with a thread", s, call4(VMM_CALL_FREE, 1, s, 0, 0, 0),
               seL4_DeleteFirst);
    thread_calls_wild(a, s, frame, ep);
    thread_write_wild(a, t);
    ep_give_wild(a, s, frame, ep);
    ep_given(a, ep, ep2);
    thread_faults(a, t);
    atk_expect(a, "free the thread", t, call4(VMM_CALL_FREE, 1, t, 0, 0, 0), seL4_NoError);
    atk_expect(a, "free the space", s, call4(VMM_CALL_FREE, 1, s, 0, 0, 0), seL4_NoError);
    atk_expect(a, "free the frame", frame, call4(VMM_CALL_FREE, 1, frame, 0, 0, 0),
               seL4_NoError);
    atk_expect(a, "free the endpoint", ep, call4(VMM_CALL_FREE, 1, ep, 0, 0, 0), seL4_NoError);
    atk_expect(a, "its copy gone with it", GIVE_SLOT, atk_slot_empty(GIVE_SLOT), 1);
    atk_expect(a, "free the other", ep2, call4(VMM_CALL_FREE, 1, ep2, 0, 0, 0), seL4_NoError);
    spaces_dry(a);
    atk_expect(a, "query", 0, call4(VMM_CALL_QUERY, 0, 0, 0, 0, 0), seL4_NoError);
    atk_expect(a, "in use as before", base, reply[1], base);
}

/* ---- input ring, notifications, interrupt lines ---------------------------- */

static void ring(struct atk *a)
{
    vmm_input_ring_t *r = (vmm_input_ring_t *)a->boot->input_vaddr;

    atk_expect(a, "the ring where the ABI says", a->boot->input_vaddr, a->boot->input_vaddr,
               VMM_GUEST_INPUT_VADDR);
    atk_expect(a, "nothing typed: head", 0, r->head, 0);
    atk_expect(a, "nothing typed: tail", 0, r->tail, 0);
    /* Both indices wild (a tail past the head: the VMM sees a full
     * ring), the data overwritten; the VMM must not care. */
    r->head = 0x7ffffff0u;
    r->tail = 0xfffffff0u;
    for (uint32_t i = 0; i < VMM_INPUT_RING_BYTES; i++)
        r->data[i] = (uint8_t)atk_rand(a);
    seL4_SetMR(0, ATK_USAGE_LIE_USED);
    seL4_SetMR(1, ATK_USAGE_LIE_FREE);
    atk_expect(a, "the VMM still answers", 0, seL4_MessageInfo_get_label(seL4_Call(
                   VMM_SLOT_SERVICE, seL4_MessageInfo_new(VMM_CALL_USAGE, 0, 0, 2))),
               seL4_NoError);
    atk_expect(a, "head as it left it", 0, r->head, 0x7ffffff0u);
}

/* A notification it may only Wait on: no Signal, no Signal through a
 * copy with more rights; binding it to its own TCB and polling it are
 * its own business. */
static void wait_only(struct atk *a, seL4_Word slot)
{
    ext_CapInfo_t c = { 0 };
    seL4_Word badge = 1;

    ext_CNode_ReadSlots(VMM_SLOT_CNODE, slot, 1, &c);
    atk_expect(a, "a notification there", slot, c.type, CAPINFO_TYPE_NOTIFICATION);
    atk_expect(a, "Receive only", slot, c.rights, seL4_CanRead.words[0]);
    atk_expect(a, "signal it", slot, seL4_MessageInfo_get_label(
                   seL4_Call(slot, seL4_MessageInfo_new(0, 0, 0, 0))), seL4_InvalidCapability);
    atk_expect(a, "copy it with all rights", slot,
               seL4_CNode_Copy(VMM_SLOT_CNODE, SCRATCH, seL4_WordBits, VMM_SLOT_CNODE, slot,
                               seL4_WordBits, seL4_AllRights), seL4_NoError);
    ext_CNode_ReadSlots(VMM_SLOT_CNODE, SCRATCH, 1, &c);
    atk_expect(a, "the copy's rights", slot, c.rights, seL4_CanRead.words[0]);
    atk_expect(a, "signal the copy", slot, seL4_MessageInfo_get_label(
                   seL4_Call(SCRATCH, seL4_MessageInfo_new(0, 0, 0, 0))), seL4_InvalidCapability);
    seL4_CNode_Delete(VMM_SLOT_CNODE, SCRATCH, seL4_WordBits);
    seL4_Poll(slot, &badge);
    atk_expect(a, "poll: nothing signalled", slot, badge, 0);
    atk_expect(a, "bind it to its own TCB", slot,
               seL4_TCB_BindNotification(VMM_SLOT_TCB, slot), seL4_NoError);
    atk_expect(a, "bind it twice", slot, seL4_TCB_BindNotification(VMM_SLOT_TCB, slot),
               seL4_IllegalOperation);
    atk_expect(a, "unbind it", slot, seL4_TCB_UnbindNotification(VMM_SLOT_TCB), seL4_NoError);
}

/* Its own lines: Ack as often as it likes (the line is its own); no
 * notification of its own that could Signal, so it cannot redirect one. */
static void irq_lines(struct atk *a)
{
    for (uint32_t k = 0; k < a->boot->n_links; k++) {
        const vmm_guest_link_t *l = &a->boot->link[k];
        if (l->kind != VMM_LINK_IRQ)
            continue;
        for (uint32_t i = 0; i < 4; i++)
            atk_expect(a, "ack its line", l->size, seL4_IRQHandler_Ack(l->where), seL4_NoError);
        atk_expect(a, "its line to the input notification", l->size,
                   seL4_IRQHandler_SetNotification(l->where, VMM_SLOT_INPUT_NTFN),
                   seL4_InvalidCapability);
        atk_expect(a, "its line to its own notification", l->size,
                   seL4_IRQHandler_SetNotification(l->where, VMM_SLOT_IRQ_NTFN),
                   seL4_InvalidCapability);
        atk_expect(a, "its line to the VMM's endpoint", l->size,
                   seL4_IRQHandler_SetNotification(l->where, VMM_SLOT_SERVICE),
                   seL4_InvalidCapability);
        atk_expect(a, "a line past its own", l->where + a->boot->n_irqs,
                   atk_slot_empty(l->where + a->boot->n_irqs), 1);
    }
}

void atk_input(struct atk *a)
{
    ring(a);
    wait_only(a, VMM_SLOT_INPUT_NTFN);
    if (a->boot->n_irqs) {
        wait_only(a, VMM_SLOT_IRQ_NTFN);
        irq_lines(a);
    } else {
        atk_expect(a, "no interrupt notification", VMM_SLOT_IRQ_NTFN,
                   atk_slot_empty(VMM_SLOT_IRQ_NTFN), 1);
    }
}
