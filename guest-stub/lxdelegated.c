/*
 * The Linux run's backend under delegated (and balloon, unaccounted): the
 * guest kernel makes every object itself with memmgr from the untypeds
 * the VMM gave it (guest-stub/include/guest/lxback.h).
 *
 * A process page is a frame of the guest's from memmgr's pool, its key its
 * capability's CPtr times the page size (no X86_Page_GetAddress; the
 * CSpace below has 2^16 slots, so keys stay under LXB_SHADOW_SPAN). It is
 * mapped in a process with its own capability or a copy, as the caller
 * says, and in the guest kernel at LXB_SHADOW_BASE plus its key only on
 * request, through a copy (so its own capability stays free for a
 * process) or, for a frame no process maps with it (a page-cache page), its
 * own capability; such a frame's processes map it through a copy the guest
 * kernel keeps with the frame (frame_copy), made once. A frame straight from memmgr's retype is zero (LXB_ZERO): an
 * anonymous page's first touch is one mapping, with no copy and no clear.
 * Mappings are made with memmgr's record-returning calls
 * (mm_vspace_map_page), whose record is the mapping's name: unmapping and
 * protecting it needs no search of memmgr's records.
 *
 * A thread is a TCB alone (no IPC buffer, no stack) whose CSpace
 * holds only a copy of the guest kernel's endpoint badged with the
 * process's number: its fault endpoint.
 *
 * A Linux process needs a slot per frame and another per mapping of it: far
 * more than the guest's root CNode holds (2^VMM_GUEST_CNODE_BITS). The guest
 * makes its CSpace two-level, as docs/memmgr.md describes: a top-level CNode
 * of 2^L1_RADIX slots becomes its root, the old root sits in its slot 0 with
 * no guard (so every CPtr below 2^10 names what it named before), and memmgr
 * puts new CNodes of 2^10 slots in slots 1 and up when it runs out.
 */
#include <guest/guest.h>
#include <guest/lxback.h>
#include <guest/lxhost.h>
#include <memmgr/mm.h>
#include <memmgr/thread.h>
#include <memmgr/vspace.h>
#include <sel4/sel4.h>
#include <string.h>

#define CAP_DEPTH       32u
#define PAGE            (1u << seL4_PageBits)
#define THREAD_CNODE_BITS 1u            /* a thread's CSpace: its fault capability */
#define THREAD_FAULT_SLOT 1u
#define META_PER_PAGE   64u             /* memmgr record bytes a process page may need */
#define SPARE_THREADS   4u              /* freed threads kept for the next process */
#define SPARE_SPACES    4u              /* emptied address spaces kept likewise */
#define L1_RADIX        6u
#define L2_BITS         VMM_GUEST_CNODE_BITS
#define L1_GUARD        (32u - L1_RADIX - L2_BITS)
/* The top-level slot of the endpoint's copy that every receive names: the
 * lookup stops there after one level (the first capability that is not a
 * CNode), where one in a second-level CNode costs the kernel's fastpath a
 * second. memmgr grows into the slots below it. */
#define L1_EP_SLOT      ((1u << L1_RADIX) - 1u)
#define L1_EP_CPTR      (L1_EP_SLOT << L2_BITS)

static struct {
    struct mm *mm;
    struct mm_vspace *vs;       /* the guest kernel's own */
    mm_cptr_t tcb;              /* the guest kernel's TCB: authority for priorities */
    mm_cptr_t ep;               /* the endpoint in memmgr's slot: badged copies come from
                                 * it (a CNode call must resolve all 32 bits; B.ep stops at 19) */
    /* Kept for reuse: a process's end and the next one's start skip
     * memmgr's free (Revoke, emptying the CNode) and alloc, and an address
     * space its new page directory and ASID. */
    struct { mm_cptr_t tcb, cnode; } thread[SPARE_THREADS];
    uint32_t nthread;
    /* mem_free's last answer and the totals it came from: asked again with
     * nothing changed (a brk that only promises), it is not worked out. */
    struct { uint64_t free, dead; uint32_t live, slots, reserve, bytes; } room;
    struct mm_vspace space[SPARE_SPACES];
    uint32_t nspace;
} D;

static lxb_ops_t B;     /* defined at the end, with the functions */

static int grow_cspace(struct mm *mm, rt_component_info_t *info)
{
    seL4_Word none = seL4_CNode_CapData_new(0, 0).words[0];
    seL4_Word guard = seL4_CNode_CapData_new(0, L1_GUARD).words[0];
    mm_cptr_t l1, l1g, root = info->cspace;

    if (mm_slot_alloc(mm, &l1g) != ERR_NONE ||
        mm_alloc(mm, seL4_CapTableObject, L1_RADIX, &l1) != ERR_NONE ||
        seL4_CNode_Mint(l1, 0, L1_RADIX, root, root, 32, seL4_AllRights, none) != 0 ||
        seL4_CNode_Mint(root, l1g, 32, root, l1, 32, seL4_AllRights, guard) != 0 ||
        seL4_TCB_SetSpace(info->tcb, VMM_SLOT_FAULT, l1g, 0, VMM_SLOT_VSPACE, 0) != 0)
        return -1;
    /* memmgr's slots so far are in the old root: from the new one it is the
     * CNode at index 0, depth 32 - L2_BITS. */
    mm->root = l1g;
    for (uint32_t i = 0; i < mm->nblocks; i++)
        if (mm->blocks[i].node_depth == 0) {
            mm->blocks[i].node_index = 0;
            mm->blocks[i].node_depth = 32 - L2_BITS;
        }
    mm_set_grow(mm, L2_BITS, 1, L1_EP_SLOT);
    return 0;
}

static int heap_page(uint32_t va)
{
    mm_cptr_t f;

    if (mm_alloc(D.mm, OBJ_X86_4K, 0, &f) != ERR_NONE)
        return -1;
    if (mm_vspace_map(D.vs, f, va, MM_RW, 0, 0) != ERR_NONE) {
        mm_free(D.mm, f);
        return -1;
    }
    return 0;
}

static int frame_new(mm_cptr_t *frame, uint32_t *key, uint32_t *how)
{
    mm_cptr_t f;
    int fresh;

    if (mm_alloc_fresh(D.mm, OBJ_X86_4K, 0, &f, &fresh) != ERR_NONE)
        return -1;
    if (f >= LXB_SHADOW_SPAN / PAGE) {
        mm_free(D.mm, f);
        return -1;
    }
    *frame = f;
    *key = f * PAGE;
    *how = fresh ? LXB_ZERO : 0;
    return 0;
}

static void frame_free(mm_cptr_t frame, uint32_t key)
{
    (void)key;
    mm_free(D.mm, frame);
}

/* A copy of cap in a slot of memmgr's; 0 if none could be had. */
static mm_cptr_t cap_copy(mm_cptr_t cap)
{
    mm_cptr_t slot;

    if (mm_slot_alloc(D.mm, &slot) != ERR_NONE)
        return 0;
    if (seL4_CNode_Copy(D.mm->root, slot, CAP_DEPTH, D.mm->root, cap, CAP_DEPTH,
                        seL4_AllRights) != seL4_NoError) {
        mm_slot_free(D.mm, slot);
        return 0;
    }
    return slot;
}

static void cap_drop(mm_cptr_t slot)
{
    seL4_CNode_Delete(D.mm->root, slot, CAP_DEPTH);
    mm_slot_free(D.mm, slot);
}

/* cap (own: the frame's capability, else a copy made here) at va in vs. */
static int map_in(struct mm_vspace *vs, mm_cptr_t frame, uint32_t va, uint32_t rights,
                  bool own, uintptr_t *m)
{
    mm_cptr_t cap = own ? frame : cap_copy(frame);
    struct mm_map *rec;

    if (cap == 0)
        return -1;
    if (mm_vspace_map_page(vs, cap, va, rights, &rec) != ERR_NONE) {
        if (!own)
            cap_drop(cap);
        return -1;
    }
    *m = (uintptr_t)rec;
    return 0;
}

static void unmap_in(struct mm_vspace *vs, uintptr_t m, bool own)
{
    struct mm_map *rec = (struct mm_map *)m;
    mm_cptr_t cap = rec->frame;

    mm_vspace_unmap_page(vs, rec);
    if (!own)
        cap_drop(cap);
}

static int shadow(mm_cptr_t frame, uint32_t key, bool own, uintptr_t *m)
{
    return map_in(D.vs, frame, LXB_SHADOW_BASE + key, MM_RW, own, m);
}

static void unshadow(uintptr_t m, bool own)
{
    unmap_in(D.vs, m, own);
}

/* The pages memmgr can still make, memory and slots both (mm_room: free
 * untyped, pooled frames, slabs it can drain; slots free, the CNode its
 * reserve becomes, LXB_SLOTS_PER_PAGE a page), and no more than it has room to
 * record (its records are a fixed area: META_PER_PAGE bytes for a page's
 * two mappings and two slots, as a high watermark). */
static uint32_t mem_free(void)
{
    const struct mm_stats *st = mm_stats(D.mm);
    uint64_t b, by_meta;

    if (st->free == D.room.free && st->dead == D.room.dead &&
        st->objects_live == D.room.live && D.mm->slots_free == D.room.slots &&
        D.mm->reserve == D.room.reserve)
        return D.room.bytes;
    b = (uint64_t)mm_room(D.mm, OBJ_X86_4K, 0, LXB_SLOTS_PER_PAGE, NULL) << seL4_PageBits;
    by_meta = (st->meta_size - st->meta_used) / META_PER_PAGE * (1u << seL4_PageBits);
    if (by_meta < b)
        b = by_meta;
    D.room.free = st->free;
    D.room.live = st->objects_live;
    D.room.dead = st->dead;
    D.room.slots = D.mm->slots_free;
    D.room.reserve = D.mm->reserve;
    D.room.bytes = b > 0xffffffffu ? 0xffffffffu : (uint32_t)b;
    return D.room.bytes;
}

static int space_new(lxb_space_t *s)
{
    if (D.nspace) {
        s->vs = D.space[--D.nspace];
        return 0;
    }
    return mm_vspace_create(D.mm, &s->vs, VMM_SLOT_ASID_POOL) == ERR_NONE ? 0 : -1;
}

/* An address space with nothing mapped (no page table left, which is what
 * memmgr's records would point back from) is kept as it is: its page
 * directory is empty and keeps its ASID. */
static void space_free(lxb_space_t *s)
{
    if (D.nspace < SPARE_SPACES && s->vs.pts == NULL && s->vs.large == NULL)
        D.space[D.nspace++] = s->vs;
    else
        mm_vspace_destroy(&s->vs);
}

static int map(lxb_space_t *s, mm_cptr_t frame, uint32_t va, uint32_t rights, bool own,
               uintptr_t *m)
{
    return map_in(&s->vs, frame, va, rights, own, m);
}

static void unmap(lxb_space_t *s, uint32_t va, uintptr_t m, bool own)
{
    (void)va;
    unmap_in(&s->vs, m, own);
}

static int protect(lxb_space_t *s, uint32_t va, uintptr_t m, uint32_t rights)
{
    (void)va;
    return mm_vspace_protect_page(&s->vs, (struct mm_map *)m, rights) == ERR_NONE ? 0 : -1;
}

/* The thread's whole CSpace is a CNode of two slots holding its fault
 * capability (slot 1, a guard of 31 zero bits): a process that makes seL4
 * calls itself can name nothing of the guest kernel's. Send with
 * GrantReply (a fault needs a grant right), never Grant. A TCB alone: no
 * IPC buffer (a fault's message goes to the handler's buffer, and its
 * reply sets registers) and no stack (the process has its own), so a
 * process's thread costs no frames and no mappings (memmgr's
 * mm_thread_create would give it both). */
static int thread_new(lxb_thread_t *t, lxb_space_t *s, uint32_t badge, uint32_t prio,
                      seL4_UserContext *ctx)
{
    seL4_Word guard = seL4_CNode_CapData_new(0, CAP_DEPTH - THREAD_CNODE_BITS).words[0];
    mm_cptr_t tcb;

    memset(&t->t, 0, sizeof(t->t));
    if (D.nthread) {
        /* A kept one: suspended, its CNode holding the last badge. */
        D.nthread--;
        tcb = D.thread[D.nthread].tcb;
        t->cnode = D.thread[D.nthread].cnode;
        seL4_CNode_Delete(t->cnode, THREAD_FAULT_SLOT, THREAD_CNODE_BITS);
    } else if (mm_alloc(D.mm, seL4_CapTableObject, THREAD_CNODE_BITS, &t->cnode) != ERR_NONE) {
        return -1;
    } else if (mm_alloc(D.mm, OBJ_TCB, 0, &tcb) != ERR_NONE) {
        mm_free(D.mm, t->cnode);
        return -1;
    }
    /* Configure's buffer frame is not looked at with address 0. */
    if (seL4_CNode_Mint(t->cnode, THREAD_FAULT_SLOT, THREAD_CNODE_BITS, D.mm->root, D.ep,
                        CAP_DEPTH, seL4_CapRights_new(1, 0, 0, 1), badge) != seL4_NoError ||
        seL4_TCB_Configure(tcb, THREAD_FAULT_SLOT, t->cnode, guard, s->vs.pd, 0, 0,
                           t->cnode) != seL4_NoError ||
        seL4_TCB_SetPriority(tcb, D.tcb, prio) != seL4_NoError ||
        seL4_TCB_WriteRegisters(tcb, 1, 0, sizeof(*ctx) / sizeof(seL4_Word), ctx) !=
        seL4_NoError) {
        mm_free(D.mm, tcb);
        mm_free(D.mm, t->cnode);
        return -1;
    }
    t->t.rt.tcb = tcb;
    return 0;
}

static void thread_free(lxb_thread_t *t)
{
    if (D.nthread < SPARE_THREADS && seL4_TCB_Suspend(t->t.rt.tcb) == seL4_NoError) {
        D.thread[D.nthread].tcb = t->t.rt.tcb;
        D.thread[D.nthread].cnode = t->cnode;
        D.nthread++;
    } else {
        mm_free(D.mm, t->t.rt.tcb);     /* suspends it first */
        mm_free(D.mm, t->cnode);
    }
    t->t.rt.tcb = 0;
}

static void trim(void)
{
    while (D.nthread) {
        D.nthread--;
        mm_free(D.mm, D.thread[D.nthread].tcb);
        mm_free(D.mm, D.thread[D.nthread].cnode);
    }
    while (D.nspace)
        mm_vspace_destroy(&D.space[--D.nspace]);
}

/* What the guest keeps and memmgr pools go back; memmgr takes its CNode
 * reserve again if growth used it up while memory was short. */
static void reclaim(void)
{
    trim();
    mm_reclaim(D.mm);
}

static void thread_tls(lxb_thread_t *t, uint32_t base)
{
    seL4_TCB_SetTLSBase(t->t.rt.tcb, base);
}

static int thread_read(lxb_thread_t *t, seL4_UserContext *ctx, uint32_t n)
{
    return seL4_TCB_ReadRegisters(t->t.rt.tcb, 0, 0, n, ctx) == seL4_NoError ? 0 : -1;
}

static int thread_write(lxb_thread_t *t, const seL4_UserContext *ctx, uint32_t n)
{
    return seL4_TCB_WriteRegisters(t->t.rt.tcb, 0, 0, n, (seL4_UserContext *)ctx) ==
           seL4_NoError ? 0 : -1;
}

static int thread_stop(lxb_thread_t *t)
{
    return seL4_TCB_Suspend(t->t.rt.tcb) == seL4_NoError ? 0 : -1;
}

static void thread_resume(lxb_thread_t *t)
{
    seL4_TCB_Resume(t->t.rt.tcb);
}

static int slot_new(mm_cptr_t *slot)
{
    return mm_slot_alloc(D.mm, slot) == ERR_NONE ? 0 : -1;
}

static void slot_free(mm_cptr_t slot)
{
    seL4_CNode_Delete(D.mm->root, slot, CAP_DEPTH);
    mm_slot_free(D.mm, slot);
}

static uint32_t in_use(void)
{
    const struct mm_stats *st = mm_stats(D.mm);
    uint64_t live = 0;

    for (uint32_t t = 0; t < OBJ_NUM_TYPES; t++)
        live += st->live[t];
    return (uint32_t)live;
}

static lxb_ops_t B = {
    .policy = "delegated",
    .heap_page = heap_page, .frame_new = frame_new, .frame_free = frame_free,
    .shadow = shadow, .unshadow = unshadow, .mem_free = mem_free, .space_new = space_new, .space_free = space_free,
    .map = map, .unmap = unmap, .protect = protect, .frame_copy = cap_copy,
    .thread_new = thread_new, .thread_free = thread_free, .thread_tls = thread_tls,
    .thread_read = thread_read, .thread_write = thread_write, .thread_stop = thread_stop,
    .thread_resume = thread_resume, .slot_new = slot_new, .slot_free = slot_free, .in_use = in_use,
    .trim = trim, .reclaim = reclaim,
};

const lxb_ops_t *lxb_delegated(rt_component_info_t *info)
{
    D.mm = guest_own_mm(info, &D.vs);
    D.tcb = info->tcb;
    if (!D.mm)
        return gprintf("guest-stub: memmgr refused its untypeds\n"), NULL;
    D.mm->check = 0;
    if (grow_cspace(D.mm, info) != 0)
        return gprintf("guest-stub: linux: cannot make the CSpace two-level\n"), NULL;
    if (mm_alloc(D.mm, seL4_EndpointObject, 0, &D.ep) != ERR_NONE)
        return gprintf("guest-stub: linux: no memory for an endpoint\n"), NULL;
    if (seL4_CNode_Copy(D.mm->root, L1_EP_SLOT, L1_GUARD + L1_RADIX, D.mm->root, D.ep, CAP_DEPTH,
                        seL4_AllRights) != seL4_NoError)
        return gprintf("guest-stub: linux: cannot copy the endpoint to the top level\n"), NULL;
    B.ep = L1_EP_CPTR;
    B.root = D.mm->root;
    return &B;
}
