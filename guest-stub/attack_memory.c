/*
 * Attacks with the attacker's own memory (delegated): running its
 * untypeds, its CNode's slots and its ASID pool dry with raw retypes;
 * mapping where nothing of its may go; passing capabilities over channels
 * without Grant; and destroying its own threads mid-call.
 *
 * Exhaustion runs before its memmgr owner takes the untypeds over: it
 * retypes untypeds and slots until seL4 says NotEnoughMemory, RangeError
 * or DeleteFirst, fills its ASID pool until Assign says DeleteFirst, and
 * revokes its untyped after each round, so the untyped is whole again (the
 * next retype starts at its beginning) when memmgr gets it. None of it can
 * reach a byte outside its own untypeds: every frame it makes reports a
 * physical address inside them.
 */
#include <guest/attack.h>
#include <guest/lxhost.h>
#include <memmgr/mm.h>
#include <memmgr/vspace.h>
#include <memmgr/thread.h>

#define ROOT            VMM_SLOT_CNODE
#define DEPTH           seL4_WordBits
#define CNODE_SLOTS     (1u << VMM_GUEST_CNODE_BITS)
#define RECV_SLOT       (CNODE_SLOTS - 2)      /* kept empty, with the scratch above it */
#define EX_FIRST        VMM_SLOT_FIRST_FREE
#define EX_FRAMES       100u                   /* frames from here, then notifications */
#define EX_PD_SLOT      70u
#define EX_SUB          66u
#define PAGE            (1u << seL4_PageBits)
#define KERNEL_BASE     0xe0000000u
#define FREE_VADDR      0x48000000u            /* no page table yet */
#define SERVER_VADDR    0x40400000u
#define CLIENT_VADDR    0x40800000u
#define SELF_VADDR      0x40c00000u
#define MSG_MAGIC       0x5eed0001u
#define TCB_UT_BITS     12u
#define RETYPE_FAN_OUT  256u            /* seL4's CONFIG_RETYPE_FAN_OUT_LIMIT */
#define SUB_CNODE_BITS  VMM_GUEST_CNODE_BITS

static seL4_Error retype(seL4_Word ut, seL4_Word type, seL4_Word bits, seL4_Word offset,
                         seL4_Word n)
{
    return seL4_Untyped_Retype(ut, type, bits, ROOT, 0, 0, offset, n);
}

static int within_own(const struct atk *a, seL4_Word paddr)
{
    for (uint32_t k = 0; k < a->info->n_untypeds; k++) {
        const rt_component_untyped_t *u = &a->info->untypeds[k];
        if (paddr >= u->paddr && paddr - u->paddr < (1u << u->size_bits))
            return 1;
    }
    return 0;
}

/* Untypeds and slots of one untyped of 2^b bytes. */
static void exhaust_memory(struct atk *a, seL4_Word ut, uint32_t b)
{
    seL4_Word quarter = EX_FIRST, n = 0, left;

    atk_expect(a, "no such type", b, retype(ut, seL4_ObjectTypeCount, 0, EX_FIRST, 1),
               seL4_InvalidArgument);
    atk_expect(a, "untyped of 2^30", b, retype(ut, seL4_UntypedObject, 30, EX_FIRST, 1),
               seL4_RangeError);
    atk_expect(a, "size 2^32", b, retype(ut, seL4_UntypedObject, 32, EX_FIRST, 1),
               seL4_RangeError);
    atk_expect(a, "untyped of 8 bytes", b, retype(ut, seL4_UntypedObject, 3, EX_FIRST, 1),
               seL4_InvalidArgument);
    atk_expect(a, "CNode of one slot", b, retype(ut, seL4_CapTableObject, 0, EX_FIRST, 1),
               seL4_InvalidArgument);
    atk_expect(a, "CNode of 2^26 slots", b, retype(ut, seL4_CapTableObject, 26, EX_FIRST, 1),
               seL4_RangeError);
    atk_expect(a, "twice its size", b, retype(ut, seL4_UntypedObject, b + 1, EX_FIRST, 1),
               seL4_NotEnoughMemory);
    atk_expect(a, "no object", b, retype(ut, seL4_EndpointObject, 0, EX_FIRST, 0),
               seL4_RangeError);
    atk_expect(a, "past the CNode", b, retype(ut, seL4_EndpointObject, 0, CNODE_SLOTS, 1),
               seL4_RangeError);
    atk_expect(a, "over its own TCB", b, retype(ut, seL4_EndpointObject, 0, VMM_SLOT_TCB, 1),
               seL4_DeleteFirst);
    atk_expect(a, "four quarters", b, retype(ut, seL4_UntypedObject, b - 2, EX_FIRST, 4),
               seL4_NoError);
    atk_expect(a, "one more object", b, retype(ut, seL4_EndpointObject, 0, EX_FIRST + 4, 1),
               seL4_NotEnoughMemory);
    /* Frames from the first quarter, one at a time, until it is used up. */
    while (n < (1u << (b - 2 - seL4_PageBits)) &&
           retype(quarter, seL4_X86_4K, 0, EX_FRAMES + n, 1) == seL4_NoError)
        n++;
    atk_expect(a, "frames in a quarter", n, n, 1u << (b - 2 - seL4_PageBits));
    atk_expect(a, "a frame past the end", n, retype(quarter, seL4_X86_4K, 0, EX_FRAMES + n, 1),
               seL4_NotEnoughMemory);
    atk_expect(a, "its frame's address is its own", n,
               within_own(a, seL4_X86_Page_GetAddress(EX_FRAMES + n - 1).paddr), 1);
    /* Slots: the rest filled with notifications, at most seL4's fan-out
     * limit of objects per retype, then none. */
    left = RECV_SLOT - (EX_FRAMES + n);
    atk_expect(a, "more objects than a retype makes", left,
               retype(quarter + 1, seL4_NotificationObject, 0, EX_FRAMES + n, RETYPE_FAN_OUT + 1),
               seL4_RangeError);
    for (seL4_Word off = EX_FRAMES + n; off < RECV_SLOT; off += RETYPE_FAN_OUT) {
        seL4_Word k = RECV_SLOT - off < RETYPE_FAN_OUT ? RECV_SLOT - off : RETYPE_FAN_OUT;
        atk_expect(a, "the rest of the slots", off,
                   retype(quarter + 1, seL4_NotificationObject, 0, off, k), seL4_NoError);
    }
    atk_expect(a, "an occupied slot", EX_FRAMES,
               retype(quarter + 1, seL4_NotificationObject, 0, EX_FRAMES, 1), seL4_DeleteFirst);
    atk_expect(a, "past the CNode's end", CNODE_SLOTS,
               retype(quarter + 1, seL4_NotificationObject, 0, CNODE_SLOTS - 1, 2),
               seL4_RangeError);
    atk_expect(a, "revoke", ut, seL4_CNode_Revoke(ROOT, ut, DEPTH), seL4_NoError);
    atk_expect(a, "slots empty again", EX_FRAMES, atk_slot_empty(EX_FRAMES) &&
               atk_slot_empty(EX_FIRST) && atk_slot_empty(RECV_SLOT - 1), 1);
}

/* Its ASID pool: a page directory assigned and moved into a second CNode
 * (the root's guard takes every bit of a CPtr, so that CNode is reached
 * only through CNode operations) until the pool says DeleteFirst. */
static void exhaust_asids(struct atk *a, seL4_Word ut, uint32_t b)
{
    seL4_Word pool = a->info->asid_pool, n = 0;
    seL4_Error e = seL4_NoError;

    atk_expect(a, "halves", b, retype(ut, seL4_UntypedObject, b - 1, EX_FIRST, 2), seL4_NoError);
    atk_expect(a, "a second CNode", b,
               retype(EX_FIRST + 1, seL4_CapTableObject, SUB_CNODE_BITS, EX_SUB, 1), seL4_NoError);
    while (n < CNODE_SLOTS && retype(EX_FIRST, seL4_X86_PageDirectoryObject, 0, EX_PD_SLOT, 1) ==
           seL4_NoError) {
        if ((e = seL4_X86_ASIDPool_Assign(pool, EX_PD_SLOT)) != seL4_NoError)
            break;
        seL4_CNode_Move(EX_SUB, n, SUB_CNODE_BITS, ROOT, EX_PD_SLOT, DEPTH);
        n++;
    }
    gprintf("attack: exhaust: %u ASIDs assigned before the pool was full\n", n);
    atk_expect(a, "pool full", n, e, seL4_DeleteFirst);
    atk_expect(a, "the pool's ASIDs, less its own", n, n, CNODE_SLOTS - 1);
    atk_expect(a, "revoke", ut, seL4_CNode_Revoke(ROOT, ut, DEPTH), seL4_NoError);
    atk_expect(a, "a page directory again", ut,
               retype(ut, seL4_X86_PageDirectoryObject, 0, EX_PD_SLOT, 1), seL4_NoError);
    atk_expect(a, "an ASID again", ut, seL4_X86_ASIDPool_Assign(pool, EX_PD_SLOT), seL4_NoError);
    atk_expect(a, "revoke", ut, seL4_CNode_Revoke(ROOT, ut, DEPTH), seL4_NoError);
}

void atk_exhaust(struct atk *a)
{
    const rt_component_untyped_t *u = &a->info->untypeds[0];

    if (!atk_expect(a, "an untyped of 1 MiB or more", 0,
                    a->info->n_untypeds > 0 && u->size_bits >= 20, 1))
        return;
    exhaust_memory(a, u->cap, u->size_bits);
    if (a->info->asid_pool && u->size_bits >= 23)
        exhaust_asids(a, u->cap, u->size_bits);
}

/* ---- mapping where it may not ------------------------------------------ */

/*
 * Its own frames where they may not go. seL4's x86 Map replaces a present
 * entry of the caller's own address space without asking (a remap): that
 * is tried on a frame of its own at an address of its own, and the frame
 * it displaced unmaps without touching the new one.
 */
void atk_mapping(struct atk *a)
{
    mm_cptr_t f, g, pt, pd;
    seL4_X86_VMAttributes attr = seL4_X86_Default_VMAttributes;
    volatile uint32_t *page = (volatile uint32_t *)(FREE_VADDR + PAGE);

    if (mm_alloc(a->mm, seL4_X86_4K, 0, &f) || mm_alloc(a->mm, seL4_X86_4K, 0, &g) ||
        mm_alloc(a->mm, seL4_X86_PageTableObject, 0, &pt) ||
        mm_alloc(a->mm, seL4_X86_PageDirectoryObject, 0, &pd)) {
        atk_expect(a, "objects", 0, 0, 1);
        return;
    }
    atk_expect(a, "frame in the kernel window", 0,
               seL4_X86_Page_Map(f, VMM_SLOT_VSPACE, KERNEL_BASE, seL4_AllRights, attr),
               seL4_InvalidArgument);
    atk_expect(a, "frame at the top", 0,
               seL4_X86_Page_Map(f, VMM_SLOT_VSPACE, 0xfffff000u, seL4_AllRights, attr),
               seL4_InvalidArgument);
    atk_expect(a, "page table in the kernel window", 0,
               seL4_X86_PageTable_Map(pt, VMM_SLOT_VSPACE, KERNEL_BASE, attr),
               seL4_InvalidArgument);
    atk_expect(a, "page table at the top", 0,
               seL4_X86_PageTable_Map(pt, VMM_SLOT_VSPACE, 0xffc00000u, attr),
               seL4_InvalidArgument);
    atk_expect(a, "frame misaligned", 0,
               seL4_X86_Page_Map(f, VMM_SLOT_VSPACE, FREE_VADDR + 4, seL4_AllRights, attr),
               seL4_AlignmentError);
    atk_expect(a, "frame where no page table is", 0,
               seL4_X86_Page_Map(f, VMM_SLOT_VSPACE, FREE_VADDR, seL4_AllRights, attr),
               seL4_FailedLookup);
    atk_expect(a, "frame in a page directory without ASID", 0,
               seL4_X86_Page_Map(f, pd, FREE_VADDR, seL4_AllRights, attr), seL4_InvalidCapability);
    atk_expect(a, "page directory without ASID assigned to no pool", 0,
               seL4_X86_ASIDPool_Assign(VMM_SLOT_CNODE, pd), seL4_IllegalOperation);
    if (a->info->asid_pool)
        atk_expect(a, "its page directory assigned twice", 0,
                   seL4_X86_ASIDPool_Assign(a->info->asid_pool, VMM_SLOT_VSPACE),
                   seL4_InvalidCapability);
    atk_expect(a, "page table mapped", 0, seL4_X86_PageTable_Map(pt, VMM_SLOT_VSPACE, FREE_VADDR,
                                                                 attr), seL4_NoError);
    atk_expect(a, "the same page table again", 0,
               seL4_X86_PageTable_Map(pt, VMM_SLOT_VSPACE, FREE_VADDR + (1u << 22), attr),
               seL4_InvalidCapability);
    atk_expect(a, "a frame", 0, seL4_X86_Page_Map(g, VMM_SLOT_VSPACE, FREE_VADDR + PAGE,
                                                  seL4_AllRights, attr), seL4_NoError);
    *page = MSG_MAGIC;
    atk_expect(a, "another frame over it", 0,
               seL4_X86_Page_Map(f, VMM_SLOT_VSPACE, FREE_VADDR + PAGE, seL4_AllRights, attr),
               seL4_NoError);
    atk_expect(a, "the new frame is there", 0, *page, 0);
    atk_expect(a, "the displaced frame unmaps", 0, seL4_X86_Page_Unmap(g), seL4_NoError);
    atk_expect(a, "the new frame stays", 0, *page, 0);
    atk_expect(a, "the same frame elsewhere", 0,
               seL4_X86_Page_Map(f, VMM_SLOT_VSPACE, FREE_VADDR + 2 * PAGE, seL4_AllRights, attr),
               seL4_InvalidArgument);
    atk_expect(a, "its frame's address is its own", 0,
               within_own(a, seL4_X86_Page_GetAddress(f).paddr), 1);
    atk_expect(a, "frame unmapped", 0, seL4_X86_Page_Unmap(f), seL4_NoError);
    atk_expect(a, "page table unmapped", 0, seL4_X86_PageTable_Unmap(pt), seL4_NoError);
    mm_free(a->mm, pd);
    mm_free(a->mm, pt);
    mm_free(a->mm, g);
    mm_free(a->mm, f);
}

/* ---- capabilities over a channel without Grant --------------------------- */

struct courier {
    mm_cptr_t recv, done;
    volatile seL4_Word word, extra, got_cap, rounds;
};

static void receiver(void *arg)
{
    struct courier *c = arg;
    seL4_Word badge;

    for (;;) {
        seL4_SetCapReceivePath(ROOT, RECV_SLOT, DEPTH);
        seL4_MessageInfo_t m = seL4_Recv(c->recv, &badge);
        c->word = seL4_GetMR(0);
        c->extra = seL4_MessageInfo_get_extraCaps(m);
        c->got_cap = !atk_slot_empty(RECV_SLOT);
        c->rounds++;
        seL4_Signal(c->done);
    }
}

static void send_cap(struct courier *c, seL4_Word ep)
{
    seL4_SetMR(0, MSG_MAGIC);
    seL4_SetCap(0, VMM_SLOT_CNODE);
    seL4_Send(ep, seL4_MessageInfo_new(0, 0, 1, 1));
    seL4_Wait(c->done, NULL);
}

static mm_cptr_t mint(struct atk *a, mm_cptr_t ep, seL4_CapRights_t r)
{
    mm_cptr_t s = 0;

    if (mm_slot_alloc(a->mm, &s) == ERR_NONE)
        seL4_CNode_Mint(ROOT, s, DEPTH, ROOT, ep, DEPTH, r, 0);
    return s;
}

static void unmint(struct atk *a, mm_cptr_t s)
{
    seL4_CNode_Delete(ROOT, s, DEPTH);
    mm_slot_free(a->mm, s);
}

void atk_transfer(struct atk *a)
{
    static struct courier c;
    static struct mm_thread t;
    struct mm_thread_env env = { a->mm, a->vs, 1, ROOT, 0, VMM_SLOT_TCB, SERVER_VADDR };
    mm_cptr_t ep, write_only, write_grant;

    if (mm_alloc(a->mm, seL4_EndpointObject, 0, &ep) ||
        mm_alloc(a->mm, seL4_NotificationObject, 0, &c.done) ||
        mm_thread_create(&t, &env, a->boot->priority, 0)) {
        atk_expect(a, "objects", 0, 0, 1);
        return;
    }
    c.recv = mint(a, ep, seL4_CapRights_new(0, 0, 1, 0));
    write_only = mint(a, ep, seL4_CapRights_new(0, 0, 0, 1));
    write_grant = mint(a, ep, seL4_CapRights_new(0, 1, 0, 1));
    rt_thread_start(&t.rt, receiver, &c);
    send_cap(&c, write_only);
    atk_expect(a, "without Grant: the words arrive", 0, c.word, MSG_MAGIC);
    atk_expect(a, "without Grant: no capability", 0, c.extra, 0);
    atk_expect(a, "without Grant: the receive slot stays empty", 0, c.got_cap, 0);
    /* The same with Grant: the capability goes (the check can see it). */
    send_cap(&c, write_grant);
    atk_expect(a, "with Grant: transferred", 0, c.extra, 1);
    atk_expect(a, "with Grant: in the receive slot", 0, c.got_cap, 1);
    seL4_CNode_Delete(ROOT, RECV_SLOT, DEPTH);
    atk_expect(a, "rounds", 0, c.rounds, 2);
    mm_thread_destroy(&t);
    unmint(a, c.recv);
    unmint(a, write_only);
    unmint(a, write_grant);
    mm_free(a->mm, c.done);
    mm_free(a->mm, ep);
}

/* ---- destroying itself mid-call ------------------------------------------ */

struct midcall {
    mm_cptr_t ep, got, go;
    volatile seL4_Word called, returned, replied;
};

static void server(void *arg)
{
    struct midcall *m = arg;
    seL4_Word badge;

    seL4_Recv(m->ep, &badge);
    m->called = 1;
    seL4_Signal(m->got);
    seL4_Wait(m->go, NULL);
    seL4_Reply(seL4_MessageInfo_new(0, 0, 0, 0));
    m->replied = 1;
    seL4_Signal(m->got);
    seL4_Recv(m->ep, &badge);           /* deleted while waiting here */
}

static void client(void *arg)
{
    struct midcall *m = arg;

    seL4_Call(m->ep, seL4_MessageInfo_new(0, 0, 0, 0));
    m->returned = 1;
}

static volatile seL4_Word self_deleted_returned;

static void self_deleter(void *arg)
{
    seL4_CNode_Delete(ROOT, (seL4_Word)arg, DEPTH);
    self_deleted_returned = 1;
    for (;;)
        seL4_Yield();
}

/* A thread whose only TCB capability it deletes itself, inside that call. */
static void delete_itself(struct atk *a)
{
    static struct mm_thread host;      /* lends its stack and IPC buffer; never runs */
    struct mm_thread_env env = { a->mm, a->vs, 1, ROOT, 0, VMM_SLOT_TCB, SELF_VADDR };
    mm_cptr_t ut, slot;
    rt_thread_t raw;

    if (mm_thread_create(&host, &env, a->boot->priority, 0) ||
        mm_alloc_untyped(a->mm, TCB_UT_BITS, 0, &ut) || mm_slot_alloc(a->mm, &slot)) {
        atk_expect(a, "objects", 0, 0, 1);
        return;
    }
    raw = host.rt;
    raw.tcb = slot;
    atk_expect(a, "a TCB of its own", slot, retype(ut, seL4_TCBObject, 0, slot, 1), seL4_NoError);
    atk_expect(a, "configured", slot,
               seL4_TCB_Configure(slot, 0, ROOT, 0, VMM_SLOT_VSPACE, 0,
                                  (seL4_Word)raw.ipc_buffer, raw.ipc_frame), seL4_NoError);
    atk_expect(a, "priority", slot, seL4_TCB_SetPriority(slot, VMM_SLOT_TCB, a->boot->priority),
               seL4_NoError);
    atk_expect(a, "started", slot, rt_thread_start(&raw, self_deleter, (void *)slot),
               seL4_NoError);
    seL4_Yield();
    atk_expect(a, "its TCB capability gone", slot, atk_slot_empty(slot), 1);
    atk_expect(a, "its call never returned", slot, self_deleted_returned, 0);
    mm_slot_free(a->mm, slot);
    mm_free(a->mm, ut);
    mm_thread_destroy(&host);
}

void atk_self(struct atk *a)
{
    static struct midcall m;
    static struct mm_thread s, c;
    struct mm_thread_env es = { a->mm, a->vs, 1, ROOT, 0, VMM_SLOT_TCB, SERVER_VADDR };
    struct mm_thread_env ec = { a->mm, a->vs, 1, ROOT, 0, VMM_SLOT_TCB, CLIENT_VADDR };

    if (mm_alloc(a->mm, seL4_EndpointObject, 0, &m.ep) ||
        mm_alloc(a->mm, seL4_NotificationObject, 0, &m.got) ||
        mm_alloc(a->mm, seL4_NotificationObject, 0, &m.go) ||
        mm_thread_create(&s, &es, a->boot->priority, 0) ||
        mm_thread_create(&c, &ec, a->boot->priority, 0)) {
        atk_expect(a, "objects", 0, 0, 1);
        return;
    }
    rt_thread_start(&s.rt, server, &m);
    rt_thread_start(&c.rt, client, &m);
    seL4_Wait(m.got, NULL);
    /* The client waits for its reply: suspend it, then delete it. */
    atk_expect(a, "client in its call", 0, m.called, 1);
    atk_expect(a, "suspend the caller mid-call", 0, seL4_TCB_Suspend(c.rt.tcb), seL4_NoError);
    seL4_Signal(m.go);
    seL4_Wait(m.got, NULL);
    atk_expect(a, "the server's reply went nowhere", 0, m.replied, 1);
    atk_expect(a, "the caller never returned", 0, m.returned, 0);
    mm_thread_destroy(&c);
    seL4_Yield();
    mm_thread_destroy(&s);              /* the server, deleted mid-receive */
    delete_itself(a);
    mm_free(a->mm, m.go);
    mm_free(a->mm, m.got);
    mm_free(a->mm, m.ep);
}

/* ---- the main thread suspends itself ------------------------------------- */

struct last_word {
    mm_cptr_t go;
    int status;
    volatile seL4_Word after_suspend;
};

static void reporter(void *arg)
{
    struct last_word *w = arg;

    seL4_Wait(w->go, NULL);
    seL4_Yield();                       /* the main thread runs on to its Suspend */
    gprintf("attack: self: the main thread suspended itself (%s), a helper exits\n",
            w->after_suspend ? "it ran on: WRONG" : "it stopped");
    guest_exit(w->after_suspend ? 1 : w->status);
}

void atk_suspend_itself(struct atk *a, int status)
{
    static struct last_word w;
    static struct mm_thread t;
    struct mm_thread_env env = { a->mm, a->vs, 1, ROOT, 0, VMM_SLOT_TCB, SERVER_VADDR };

    w.status = status;
    if (mm_alloc(a->mm, seL4_NotificationObject, 0, &w.go) ||
        mm_thread_create(&t, &env, a->boot->priority, 0))
        guest_exit(1);
    rt_thread_start(&t.rt, reporter, &w);
    seL4_Signal(w.go);
    seL4_TCB_Suspend(VMM_SLOT_TCB);
    w.after_suspend = 1;
    for (;;)
        seL4_Yield();
}
