/*
 * Attacks on the VMM's protocol (vmm/include/vmm/guest_abi.h, docs/vmm.md
 * "The mediated protocol"): every label on the service endpoint, malformed
 * and short requests, capabilities offered and asked for, the quota and the
 * handle table run dry; the channels to other guests, capabilities sent on
 * them; and spinning at the attacker's priority.
 *
 * The VMM answers every call with an seL4 error in the reply's label and
 * never stops a guest for a bad request. Three labels act for real and are
 * not swept: EXIT (no reply: the guest would stop), BENCH (a benchmark
 * line on the console; sent only too short), WRITE (sent malformed,
 * below). Sending on the fault capability (slot 5) would be taken as the
 * guest's own crash: that harms only itself, and is not done.
 */
#include <guest/attack.h>
#include <sel4/extensions.h>

#define SWEEP_LABELS    64u
#define SCRATCH         ((1u << VMM_GUEST_CNODE_BITS) - 1)
#define RECV_SLOT       (SCRATCH - 1)
#define PAGE            (1u << seL4_PageBits)
#define GOOD_VADDR      (VMM_GUEST_FREE_VADDR + 0x200000u)
#define RIGHTS_RW       3u
#define MAX_HANDLES     256u    /* the VMM's handle table (DOMAIN_MAX_HANDLES) */
#define QUOTA_CNODE_BITS 12u    /* 64 KiB objects to run the quota dry */
#define LARGE_PAGE      (1u << seL4_LargePageBits)
#define LARGE_VADDR     (VMM_GUEST_FREE_VADDR + 2 * LARGE_PAGE)
#define SPIN_ROUNDS     4000000u
#define CHANNEL_WORD    42u     /* the guest stub's channel protocol (links.c) */

/* The reply's first two words, saved before anything prints (printing
 * goes through the VMM and reuses the message registers). */
static seL4_Word reply0, reply1;

static seL4_Error call(seL4_Word label, uint32_t n, seL4_Word a, seL4_Word b, seL4_Word c)
{
    seL4_MessageInfo_t m;

    seL4_SetMR(0, a);
    seL4_SetMR(1, b);
    seL4_SetMR(2, c);
    m = seL4_Call(VMM_SLOT_SERVICE, seL4_MessageInfo_new(label, 0, 0, n));
    reply0 = seL4_GetMR(0);
    reply1 = seL4_GetMR(1);
    return (seL4_Error)seL4_MessageInfo_get_label(m);
}

static int is_mediated_call(seL4_Word l)
{
    return l >= VMM_CALL_ALLOC && l <= VMM_CALL_QUERY;
}

/* Every label but the three that act; mediated ones only where the
 * attacker is not mediated (then all are IllegalOperation). */
static void sweep(struct atk *a)
{
    for (seL4_Word l = 0; l < SWEEP_LABELS; l++) {
        if (l == VMM_CALL_WRITE || l == VMM_CALL_EXIT || l == VMM_CALL_BENCH ||
            (a->mediated && is_mediated_call(l)))
            continue;
        atk_expect(a, "service label", l, call(l, 3, atk_rand(a), atk_rand(a), atk_rand(a)),
                   seL4_IllegalOperation);
    }
    atk_expect(a, "label beyond 16 bits", 0xfffff, call(0xfffff, 0, 0, 0, 0),
               seL4_IllegalOperation);
}

/* Offered: its own CNode in the extra capabilities, on a capability with
 * no Grant: dropped, the call goes through as without it. Asked for: a
 * receive slot set, the reply carries nothing, the slot stays empty. */
static void caps(struct atk *a)
{
    seL4_MessageInfo_t m;

    seL4_SetCap(0, VMM_SLOT_CNODE);
    seL4_SetCapReceivePath(VMM_SLOT_CNODE, RECV_SLOT, seL4_WordBits);
    m = seL4_Call(VMM_SLOT_SERVICE, seL4_MessageInfo_new(VMM_CALL_QUERY, 0, 1, 0));
    atk_expect(a, "cap offered to the VMM: reply", 0, seL4_MessageInfo_get_label(m),
               a->mediated ? seL4_NoError : seL4_IllegalOperation);
    atk_expect(a, "cap offered to the VMM: reply carries none", 0,
               seL4_MessageInfo_get_extraCaps(m), 0);
    atk_expect(a, "receive slot still empty", RECV_SLOT, atk_slot_empty(RECV_SLOT), 1);
    seL4_SetCapReceivePath(0, 0, 0);
}

/* A line of 100 bytes claimed as 2^32 - 1: the VMM prints at most 100,
 * each non-printable as '?'. */
static void write_malformed(struct atk *a)
{
    for (int i = 1; i <= (int)(VMM_WRITE_MAX_BYTES / 4); i++)
        seL4_SetMR(i, 0x07415441u);     /* "ATA\a" */
    seL4_SetMR(0, 0xffffffffu);
    atk_expect(a, "write, length 2^32-1", 0,
               seL4_MessageInfo_get_label(seL4_Call(VMM_SLOT_SERVICE,
                   seL4_MessageInfo_new(VMM_CALL_WRITE, 0, 0, 1 + VMM_WRITE_MAX_BYTES / 4))),
               seL4_NoError);
    /* One word: the byte count alone. Only the words a message carries
     * count (the VMM used to print what earlier messages left in its
     * buffer: the line above again, or another guest's words). */
    seL4_SetMR(0, VMM_WRITE_MAX_BYTES);
    atk_expect(a, "write, the count without the bytes", 0,
               seL4_MessageInfo_get_label(seL4_Call(VMM_SLOT_SERVICE,
                   seL4_MessageInfo_new(VMM_CALL_WRITE, 0, 0, 1))), seL4_NoError);
    gprintf("\n");
    atk_expect(a, "write, empty", 0, seL4_MessageInfo_get_label(seL4_Call(VMM_SLOT_SERVICE,
                   seL4_MessageInfo_new(VMM_CALL_WRITE, 0, 0, 0))), seL4_TruncatedMessage);
    atk_expect(a, "bench, empty", 0, seL4_MessageInfo_get_label(seL4_Call(VMM_SLOT_SERVICE,
                   seL4_MessageInfo_new(VMM_CALL_BENCH, 0, 0, 2))), seL4_TruncatedMessage);
}

/* Handles of objects that are no frame, mapped: refused. (The VMM used
 * to invoke them as frames: an endpoint's capability so invoked is a Call
 * on it, and the VMM waited on it for ever, serving nobody.) */
static void not_frames(struct atk *a)
{
    static const seL4_Word types[] = {
        seL4_EndpointObject, seL4_NotificationObject, seL4_TCBObject, seL4_CapTableObject,
        seL4_X86_PageTableObject, seL4_X86_PageDirectoryObject,
    };

    for (uint32_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
        seL4_Word h;
        if (!atk_expect(a, "alloc", types[i], call(VMM_CALL_ALLOC, 2, types[i], 4, 0),
                        seL4_NoError))
            continue;
        h = reply0;
        atk_expect(a, "map a handle that is no frame", types[i],
                   call(VMM_CALL_MAP, 3, h, GOOD_VADDR, RIGHTS_RW), seL4_InvalidArgument);
        atk_expect(a, "unmap it", types[i], call(VMM_CALL_UNMAP, 1, GOOD_VADDR, 0, 0),
                   seL4_InvalidArgument);
        atk_expect(a, "free it", types[i], call(VMM_CALL_FREE, 1, h, 0, 0), seL4_NoError);
    }
}

/* A 4 MiB frame: only at a 4 MiB boundary; no 4 KiB frame inside it;
 * unmapped only from where it starts. */
static void large_page(struct atk *a)
{
    seL4_Word big, small;

    if (!atk_expect(a, "alloc a large page", 0,
                    call(VMM_CALL_ALLOC, 2, seL4_X86_LargePageObject, 0, 0), seL4_NoError))
        return;
    big = reply0;
    call(VMM_CALL_ALLOC, 2, seL4_X86_4K, 0, 0);
    small = reply0;
    atk_expect(a, "large page misaligned", big,
               call(VMM_CALL_MAP, 3, big, LARGE_VADDR + PAGE, RIGHTS_RW), seL4_InvalidArgument);
    atk_expect(a, "large page", big, call(VMM_CALL_MAP, 3, big, LARGE_VADDR, RIGHTS_RW),
               seL4_NoError);
    atk_expect(a, "a page inside it", small,
               call(VMM_CALL_MAP, 3, small, LARGE_VADDR + PAGE, RIGHTS_RW), seL4_DeleteFirst);
    atk_expect(a, "unmap from inside it", big, call(VMM_CALL_UNMAP, 1, LARGE_VADDR + PAGE, 0, 0),
               seL4_InvalidArgument);
    atk_expect(a, "unmap it", big, call(VMM_CALL_UNMAP, 1, LARGE_VADDR, 0, 0), seL4_NoError);
    atk_expect(a, "the page where it was", small,
               call(VMM_CALL_MAP, 3, small, LARGE_VADDR + PAGE, RIGHTS_RW), seL4_NoError);
    atk_expect(a, "the large page over it", big,
               call(VMM_CALL_MAP, 3, big, LARGE_VADDR, RIGHTS_RW), seL4_DeleteFirst);
    atk_expect(a, "free", small, call(VMM_CALL_FREE, 1, small, 0, 0), seL4_NoError);
    atk_expect(a, "free", big, call(VMM_CALL_FREE, 1, big, 0, 0), seL4_NoError);
}

/* The mediated calls, malformed, each refused as docs/vmm.md says. */
static void mediated_malformed(struct atk *a)
{
    static const seL4_Word bad_va[] = {
        0, PAGE, VMM_GUEST_FREE_VADDR - PAGE, VMM_GUEST_INITRD_VADDR, VMM_GUEST_SHM_VADDR,
        VMM_GUEST_STACK_VADDR, VMM_GUEST_IPC_VADDR, VMM_GUEST_BOOT_VADDR, 0xe0000000u,
        0xfffff000u, GOOD_VADDR + 1, GOOD_VADDR + PAGE - 1,
    };
    static const seL4_Word bad_handle[] = { 0, MAX_HANDLES + 1, 0x80000000u, 0xffffffffu };
    seL4_Word frame, ep;

    atk_expect(a, "alloc untyped", 0, call(VMM_CALL_ALLOC, 2, seL4_UntypedObject, 20, 0),
               seL4_InvalidArgument);
    for (seL4_Word t = seL4_ObjectTypeCount; t < seL4_ObjectTypeCount + 8; t++)
        atk_expect(a, "alloc bad type", t, call(VMM_CALL_ALLOC, 2, t, 0, 0),
                   seL4_InvalidArgument);
    atk_expect(a, "alloc type 2^32-1", 0, call(VMM_CALL_ALLOC, 2, 0xffffffffu, 0, 0),
               seL4_InvalidArgument);
    atk_expect(a, "alloc a 2^31-slot CNode", 0,
               call(VMM_CALL_ALLOC, 2, seL4_CapTableObject, 31, 0), seL4_NotEnoughMemory);
    atk_expect(a, "alloc frame", 0, call(VMM_CALL_ALLOC, 2, seL4_X86_4K, 0, 0), seL4_NoError);
    frame = reply0;
    atk_expect(a, "alloc endpoint", 0, call(VMM_CALL_ALLOC, 2, seL4_EndpointObject, 0, 0),
               seL4_NoError);
    ep = reply0;
    for (uint32_t i = 0; i < sizeof(bad_va) / sizeof(bad_va[0]); i++)
        atk_expect(a, "map at a forbidden address", bad_va[i],
                   call(VMM_CALL_MAP, 3, frame, bad_va[i], RIGHTS_RW), seL4_InvalidArgument);
    for (uint32_t i = 0; i < sizeof(bad_handle) / sizeof(bad_handle[0]); i++) {
        atk_expect(a, "map a bad handle", bad_handle[i],
                   call(VMM_CALL_MAP, 3, bad_handle[i], GOOD_VADDR, RIGHTS_RW),
                   seL4_InvalidArgument);
        atk_expect(a, "free a bad handle", bad_handle[i],
                   call(VMM_CALL_FREE, 1, bad_handle[i], 0, 0), seL4_InvalidArgument);
    }
    for (seL4_Word r = 0; r < 16; r++)
        if (r != RIGHTS_RW && r != 2)
            atk_expect(a, "map with bad rights", r, call(VMM_CALL_MAP, 3, frame, GOOD_VADDR, r),
                       seL4_InvalidArgument);
    not_frames(a);
    large_page(a);
    atk_expect(a, "unmap where nothing is", GOOD_VADDR, call(VMM_CALL_UNMAP, 1, GOOD_VADDR, 0, 0),
               seL4_InvalidArgument);
    atk_expect(a, "map read-only", frame, call(VMM_CALL_MAP, 3, frame, GOOD_VADDR, 2),
               seL4_NoError);
    atk_expect(a, "map the same frame again", frame,
               call(VMM_CALL_MAP, 3, frame, GOOD_VADDR + PAGE, RIGHTS_RW), seL4_DeleteFirst);
    atk_expect(a, "map over a mapping", ep, call(VMM_CALL_MAP, 3, frame, GOOD_VADDR, RIGHTS_RW),
               seL4_DeleteFirst);
    atk_expect(a, "unmap the kernel window", 0, call(VMM_CALL_UNMAP, 1, 0xe0000000u, 0, 0),
               seL4_InvalidArgument);
    atk_expect(a, "unmap its stack", 0, call(VMM_CALL_UNMAP, 1, VMM_GUEST_STACK_VADDR, 0, 0),
               seL4_InvalidArgument);
    atk_expect(a, "free while mapped", frame, call(VMM_CALL_FREE, 1, frame, 0, 0), seL4_NoError);
    atk_expect(a, "free twice", frame, call(VMM_CALL_FREE, 1, frame, 0, 0),
               seL4_InvalidArgument);
    atk_expect(a, "unmap after free", GOOD_VADDR, call(VMM_CALL_UNMAP, 1, GOOD_VADDR, 0, 0),
               seL4_InvalidArgument);
    atk_expect(a, "free endpoint", ep, call(VMM_CALL_FREE, 1, ep, 0, 0), seL4_NoError);
    atk_expect(a, "alloc, one word", 0, call(VMM_CALL_ALLOC, 1, seL4_X86_4K, 0, 0),
               seL4_TruncatedMessage);
    atk_expect(a, "map, two words", 0, call(VMM_CALL_MAP, 2, 1, GOOD_VADDR, RIGHTS_RW),
               seL4_TruncatedMessage);
    atk_expect(a, "unmap, no word", 0, call(VMM_CALL_UNMAP, 0, GOOD_VADDR, 0, 0),
               seL4_TruncatedMessage);
    atk_expect(a, "free, no word", 0, call(VMM_CALL_FREE, 0, 1, 0, 0), seL4_TruncatedMessage);
    atk_expect(a, "query", 0, call(VMM_CALL_QUERY, 0, 0, 0, 0), seL4_NoError);
    atk_expect(a, "nothing left in use", 0, reply1, 0);
}

void atk_vmm_protocol(struct atk *a)
{
    sweep(a);
    caps(a);
    write_malformed(a);
    if (a->mediated) {
        mediated_malformed(a);
        return;
    }
    for (seL4_Word l = VMM_CALL_ALLOC; l <= VMM_CALL_QUERY; l++)
        atk_expect(a, "mediated call, not mediated", l, call(l, 3, 1, GOOD_VADDR, RIGHTS_RW),
                   seL4_IllegalOperation);
}

/* ---- channels to other guests ----------------------------------------- */

/* Its channels as the configuration made them: on an endpoint it is the
 * client of (Write and GrantReply, never Grant), it calls as the guest
 * stub's protocol says (42, answered 43: the server's output is the one a
 * quiet neighbour causes) with its own CNode capability in the extra
 * capabilities and a receive slot set. The capability is dropped (the
 * server says if one arrived), the reply carries none. A copy of the
 * channel's capability with all rights has only the original's. */
static void client(struct atk *a, const vmm_guest_link_t *l)
{
    ext_CapInfo_t orig = { 0 }, copy = { 0 };
    seL4_MessageInfo_t m;

    ext_CNode_ReadSlots(VMM_SLOT_CNODE, l->where, 1, &orig);
    atk_expect(a, "copy the channel with all rights", l->where,
               seL4_CNode_Copy(VMM_SLOT_CNODE, SCRATCH, seL4_WordBits, VMM_SLOT_CNODE, l->where,
                               seL4_WordBits, seL4_AllRights), seL4_NoError);
    ext_CNode_ReadSlots(VMM_SLOT_CNODE, SCRATCH, 1, &copy);
    atk_expect(a, "the copy's rights", l->where, copy.rights, orig.rights);
    atk_expect(a, "no Grant on the channel", l->where, copy.rights & seL4_CanGrant.words[0], 0);
    seL4_CNode_Delete(VMM_SLOT_CNODE, SCRATCH, seL4_WordBits);
    seL4_SetMR(0, CHANNEL_WORD);
    seL4_SetCap(0, VMM_SLOT_CNODE);
    seL4_SetCapReceivePath(VMM_SLOT_CNODE, RECV_SLOT, seL4_WordBits);
    m = seL4_Call(l->where, seL4_MessageInfo_new(0, 0, 1, 1));
    reply0 = seL4_GetMR(0);
    seL4_SetCapReceivePath(0, 0, 0);
    atk_expect(a, "the server's answer", l->where, reply0, CHANNEL_WORD + 1);
    atk_expect(a, "no capability in the reply", l->where, seL4_MessageInfo_get_extraCaps(m), 0);
    atk_expect(a, "receive slot still empty", RECV_SLOT, atk_slot_empty(RECV_SLOT), 1);
}

void atk_channels(struct atk *a)
{
    for (uint32_t k = 0; k < a->boot->n_links; k++)
        if (a->boot->link[k].kind == VMM_LINK_ENDPOINT && !a->boot->link[k].flags)
            client(a, &a->boot->link[k]);
}

/* ---- the quota and the handle table ------------------------------------ */

static uint32_t alloc_until_refused(struct atk *a, seL4_Word type, seL4_Word bits,
                                    seL4_Word *handles)
{
    uint32_t n = 0;

    while (n <= MAX_HANDLES && call(VMM_CALL_ALLOC, 2, type, bits, 0) == seL4_NoError)
        handles[n++] = reply0;
    a->tries++;             /* the refusal that ended the loop */
    return n;
}

static void free_all(struct atk *a, const seL4_Word *handles, uint32_t n)
{
    for (uint32_t i = 0; i < n; i++)
        atk_expect(a, "free", handles[i], call(VMM_CALL_FREE, 1, handles[i], 0, 0),
                   seL4_NoError);
    atk_expect(a, "query after freeing", n, call(VMM_CALL_QUERY, 0, 0, 0, 0), seL4_NoError);
    atk_expect(a, "nothing in use", n, reply1, 0);
}

void atk_quota(struct atk *a)
{
    static seL4_Word h[MAX_HANDLES + 1];
    seL4_Word quota, used;
    uint32_t n;

    call(VMM_CALL_QUERY, 0, 0, 0, 0);
    quota = reply0;
    /* Large objects: the quota runs out before the handle table. */
    n = alloc_until_refused(a, seL4_CapTableObject, QUOTA_CNODE_BITS, h);
    call(VMM_CALL_QUERY, 0, 0, 0, 0);
    used = reply1;
    gprintf("attack: quota: %u objects of 64 KiB before the VMM refused, %u of %u bytes used\n",
            n, used, quota);
    atk_expect(a, "used within the quota", used, used <= quota, 1);
    atk_expect(a, "refused before the handles ran out", n, n < MAX_HANDLES, 1);
    atk_expect(a, "the refusal", n, call(VMM_CALL_ALLOC, 2, seL4_CapTableObject,
                                         QUOTA_CNODE_BITS, 0), seL4_NotEnoughMemory);
    free_all(a, h, n);
    /* Small objects: the handle table runs out. */
    n = alloc_until_refused(a, seL4_NotificationObject, 0, h);
    atk_expect(a, "handles granted", n, n, MAX_HANDLES);
    atk_expect(a, "one more", n, call(VMM_CALL_ALLOC, 2, seL4_NotificationObject, 0, 0),
               seL4_NotEnoughMemory);
    free_all(a, h, n);
}

/* ---- spinning ----------------------------------------------------------- */

/* Temporal isolation is out of scope (docs/isolation.md): the attacker
 * runs at a priority not above its victim's, and round robin among equal
 * priorities keeps the victim turning. The count is fixed, not timed. */
void atk_spin(struct atk *a)
{
    volatile uint32_t x = 0;

    for (uint32_t i = 0; i < SPIN_ROUNDS; i++)
        x += i;
    atk_expect(a, "spun", SPIN_ROUNDS, x, (uint32_t)((uint64_t)SPIN_ROUNDS * (SPIN_ROUNDS - 1) / 2));
    gprintf("attack: spin: %u rounds at priority %u without a system call\n", SPIN_ROUNDS,
            a->boot->priority);
}
