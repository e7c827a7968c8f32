/*
 * The Linux run's backend under mediated (guest-stub/include/guest/
 * lxback.h): the guest kernel holds no untyped and no paging authority,
 * so every object and every mapping its processes need is a call to the
 * VMM (vmm/include/vmm/guest_abi.h), which checks it, charges the guest's
 * quota and keeps the capability; the guest only holds handles.
 *
 * - A frame: ALLOC, then MAP into the guest kernel's own space at
 *   LXB_SHADOW_BASE + handle * page size (the handle is the key: no
 *   allocator of addresses is needed), so copies stay a memcpy.
 * - A process's address space: SPACE; a page of it: SPACE_MAP of one of
 *   those frames (a demand-paged fault therefore costs ALLOC, MAP and
 *   SPACE_MAP: three round trips to the VMM, as under Iguana), SPACE_UNMAP,
 *   SPACE_PROTECT.
 * - A thread: THREAD in a space, faulting to the guest's endpoint with the
 *   process's number as badge, and THREAD_START with its registers. The
 *   guest receives on a copy of that endpoint the VMM put in its CNode
 *   (EP_GIVE; Receive only) and replies itself.
 * - Slots for parked calls' reply capabilities: its own CNode's, above the
 *   endpoint's copy, kept in a bitmap (it makes no CNode of its own).
 *
 * What it may still ask for is the VMM's QUERY (quota less use, at most the
 * pages the VMM can still keep for it), asked again every QUERY_EVERY frames
 * and counted down a page at a time between.
 */
#include <guest/guest.h>
#include <guest/lxback.h>
#include <sel4/sel4.h>
#include <string.h>

#define PG              (1u << seL4_PageBits)
#define CAP_DEPTH       32u
#define EP_SLOT         VMM_SLOT_FIRST_FREE
#define SLOTS           (1u << VMM_GUEST_CNODE_BITS)
#define QUERY_EVERY     32u
#define MAX_HANDLE      (LXB_SHADOW_SPAN / PG - 1)
#define COPY_BYTES      (PG / LXB_SLOTS_PER_PAGE)   /* a mapping's share of mem_free */

static struct {
    uint32_t ep;                /* the endpoint's handle */
    uint32_t free;              /* bytes it may still ask for, as last counted */
    uint32_t until_query;
    uint8_t slot_used[SLOTS / 8];
} M;

static lxb_ops_t B;     /* defined at the end, with the functions */

/* One call to the VMM with n words; the reply's words are in MR0... */
static seL4_Error vmm(seL4_Word label, uint32_t n, const seL4_Word *w)
{
    for (uint32_t i = 0; i < n; i++)
        seL4_SetMR(i, w[i]);
    return (seL4_Error)seL4_MessageInfo_get_label(
        seL4_Call(VMM_SLOT_SERVICE, seL4_MessageInfo_new(label, 0, 0, n)));
}

static seL4_Error vmm1(seL4_Word label, seL4_Word a)
{
    return vmm(label, 1, (seL4_Word[]){ a });
}

/* Quota less use, and no more than the pages the VMM says it can still
 * keep for it (its handles, slots and records run out before a large
 * quota does). */
static void count_free(void)
{
    if (vmm(VMM_CALL_QUERY, 0, NULL) == seL4_NoError) {
        uint64_t room = (uint64_t)seL4_GetMR(2) * PG;
        M.free = seL4_GetMR(0) > seL4_GetMR(1) ? seL4_GetMR(0) - seL4_GetMR(1) : 0;
        if (room < M.free)
            M.free = (uint32_t)room;
    }
    M.until_query = QUERY_EVERY;
}

/* A frame of the quota mapped at va in the guest kernel; its handle. */
static int frame_at(uint32_t va_or_0, mm_cptr_t *handle)
{
    seL4_Word h;

    if (vmm(VMM_CALL_ALLOC, 2, (seL4_Word[]){ seL4_X86_4K, 0 }) != seL4_NoError)
        return -1;
    h = seL4_GetMR(0);
    if (h > MAX_HANDLE ||
        vmm(VMM_CALL_MAP, 3, (seL4_Word[]){ h, va_or_0 ? va_or_0 : LXB_SHADOW_BASE + h * PG,
                                            MM_RW }) != seL4_NoError) {
        vmm1(VMM_CALL_FREE, h);
        return -1;
    }
    M.free = M.free > PG ? M.free - PG : 0;
    *handle = h;
    return 0;
}

static int heap_page(uint32_t va)
{
    mm_cptr_t h;

    return frame_at(va, &h);
}

/* Every frame is mapped in the shadow when it is made (the VMM's memory
 * may hold what its last user left: not known to be zero). */
static int frame_new(mm_cptr_t *frame, uint32_t *key, uint32_t *how)
{
    if (frame_at(0, frame) != 0)
        return -1;
    *key = *frame * PG;
    *how = LXB_SHOWN;
    return 0;
}

static void frame_free(mm_cptr_t frame, uint32_t key)
{
    (void)key;
    if (vmm1(VMM_CALL_FREE, frame) == seL4_NoError)
        M.free += PG;
}

static uint32_t mem_free(void)
{
    if (M.until_query-- == 0)
        count_free();
    return M.free;
}

static int space_new(lxb_space_t *s)
{
    if (vmm(VMM_CALL_SPACE, 0, NULL) != seL4_NoError)
        return -1;
    s->handle = seL4_GetMR(0);
    return 0;
}

static void space_free(lxb_space_t *s)
{
    vmm1(VMM_CALL_FREE, s->handle);
}

/* The VMM always maps a copy of its own: own does not matter. The copy
 * takes one of the slots the VMM keeps for the guest, counted in the
 * estimate as the VMM's room counts it (LXB_SLOTS_PER_PAGE a page). */
static int map(lxb_space_t *s, mm_cptr_t frame, uint32_t va, uint32_t rights, bool own,
               uintptr_t *m)
{
    (void)own;
    if (vmm(VMM_CALL_SPACE_MAP, 4, (seL4_Word[]){ s->handle, frame, va, rights }) !=
        seL4_NoError)
        return -1;
    *m = 1;         /* the VMM keeps the copy: nothing for the guest to name */
    M.free = M.free > COPY_BYTES ? M.free - COPY_BYTES : 0;
    return 0;
}

static void unmap(lxb_space_t *s, uint32_t va, uintptr_t m, bool own)
{
    (void)m;
    (void)own;
    if (vmm(VMM_CALL_SPACE_UNMAP, 2, (seL4_Word[]){ s->handle, va }) == seL4_NoError)
        M.free += COPY_BYTES;
}

static int protect(lxb_space_t *s, uint32_t va, uintptr_t m, uint32_t rights)
{
    (void)m;
    return vmm(VMM_CALL_SPACE_PROTECT, 3, (seL4_Word[]){ s->handle, va, rights }) ==
           seL4_NoError ? 0 : -1;
}

static int thread_new(lxb_thread_t *t, lxb_space_t *s, uint32_t badge, uint32_t prio,
                      seL4_UserContext *ctx)
{
    seL4_Word w[1 + VMM_CONTEXT_WORDS];

    _Static_assert(sizeof(*ctx) == VMM_CONTEXT_WORDS * sizeof(seL4_Word),
                   "THREAD_START carries a whole seL4_UserContext");
    if (vmm(VMM_CALL_THREAD, 4, (seL4_Word[]){ s->handle, M.ep, badge, prio }) !=
        seL4_NoError)
        return -1;
    t->handle = seL4_GetMR(0);
    w[0] = t->handle;
    memcpy(&w[1], ctx, sizeof(*ctx));
    if (vmm(VMM_CALL_THREAD_START, 1 + VMM_CONTEXT_WORDS, w) != seL4_NoError) {
        vmm1(VMM_CALL_FREE, t->handle);
        return -1;
    }
    return 0;
}

static void thread_free(lxb_thread_t *t)
{
    vmm1(VMM_CALL_FREE, t->handle);
}

static void thread_tls(lxb_thread_t *t, uint32_t base)
{
    vmm(VMM_CALL_THREAD_TLS, 2, (seL4_Word[]){ t->handle, base });
}

/* All its words come back; the first n are copied out. */
static int thread_read(lxb_thread_t *t, seL4_UserContext *ctx, uint32_t n)
{
    seL4_Word *w = (seL4_Word *)ctx;

    if (n > VMM_CONTEXT_WORDS || vmm1(VMM_CALL_THREAD_READ, t->handle) != seL4_NoError)
        return -1;
    for (uint32_t i = 0; i < n; i++)
        w[i] = seL4_GetMR(i);
    return 0;
}

static int thread_write(lxb_thread_t *t, const seL4_UserContext *ctx, uint32_t n)
{
    seL4_Word w[2 + VMM_CONTEXT_WORDS];

    if (n > VMM_CONTEXT_WORDS)
        return -1;
    w[0] = t->handle;
    w[1] = n;
    memcpy(&w[2], ctx, n * sizeof(seL4_Word));
    return vmm(VMM_CALL_THREAD_WRITE, 2 + n, w) == seL4_NoError ? 0 : -1;
}

static int thread_stop(lxb_thread_t *t)
{
    return vmm1(VMM_CALL_THREAD_STOP, t->handle) == seL4_NoError ? 0 : -1;
}

static void thread_resume(lxb_thread_t *t)
{
    vmm1(VMM_CALL_THREAD_RESUME, t->handle);
}

static int slot_new(mm_cptr_t *slot)
{
    for (uint32_t s = EP_SLOT + 1; s < SLOTS; s++)
        if (!(M.slot_used[s / 8] & (1u << (s % 8)))) {
            M.slot_used[s / 8] |= (uint8_t)(1u << (s % 8));
            *slot = s;
            return 0;
        }
    return -1;
}

static void slot_free(mm_cptr_t slot)
{
    seL4_CNode_Delete(VMM_SLOT_CNODE, slot, CAP_DEPTH);
    M.slot_used[slot / 8] &= (uint8_t)~(1u << (slot % 8));
}

static uint32_t in_use(void)
{
    return vmm(VMM_CALL_QUERY, 0, NULL) == seL4_NoError ? seL4_GetMR(1) : 0;
}

static lxb_ops_t B = {
    .policy = "mediated", .root = VMM_SLOT_CNODE, .ep = EP_SLOT,
    .heap_page = heap_page, .frame_new = frame_new, .frame_free = frame_free,
    .mem_free = mem_free, .space_new = space_new, .space_free = space_free,
    .map = map, .unmap = unmap, .protect = protect,
    .thread_new = thread_new, .thread_free = thread_free, .thread_tls = thread_tls,
    .thread_read = thread_read, .thread_write = thread_write, .thread_stop = thread_stop,
    .thread_resume = thread_resume, .slot_new = slot_new, .slot_free = slot_free, .in_use = in_use,
    .reclaim = count_free,              /* the count between queries is an estimate */
};

const lxb_ops_t *lxb_mediated(const vmm_guest_boot_t *boot)
{
    (void)boot;
    memset(&M, 0, sizeof(M));
    if (vmm(VMM_CALL_ALLOC, 2, (seL4_Word[]){ seL4_EndpointObject, 0 }) != seL4_NoError)
        return gprintf("guest-stub: linux: the VMM refused an endpoint\n"), NULL;
    M.ep = seL4_GetMR(0);
    if (vmm(VMM_CALL_EP_GIVE, 2, (seL4_Word[]){ M.ep, EP_SLOT }) != seL4_NoError)
        return gprintf("guest-stub: linux: the VMM refused the endpoint's copy\n"), NULL;
    count_free();
    return &B;
}
