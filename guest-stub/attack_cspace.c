/*
 * Guessing capabilities: every index of the attacker's root CNode (2^10
 * slots, its capability guarded so that CPtrs resolve at depth 32), at
 * every depth, and with every kind of wrong guard. The probe is CNode
 * Move of a slot onto a scratch slot or onto itself, which changes
 * nothing: seL4 looks up the destination first (DeleteFirst if occupied),
 * then the source (FailedLookup if empty or unreachable), and refuses a
 * depth outside 1..32 with RangeError before any lookup. What it finds is
 * checked against what the kernel says the slot holds (ReadSlots, our
 * extension), so a slot that answered otherwise than it reads would show.
 *
 * Then every capability it holds is invoked with every invocation label,
 * with no arguments and with wild ones (attack_labels below): seL4 refuses
 * a label the object does not know (IllegalOperation), a message too short
 * for the label (TruncatedMessage), a bad depth (RangeError), a slot that
 * does not resolve (FailedLookup). Labels that would act on the attacker
 * itself with no argument (suspend its own TCB, unmap its own page tables)
 * are left to the last class, done on purpose.
 */
#include <guest/attack.h>
#include <sel4/extensions.h>

#define CNODE_SLOTS     (1u << VMM_GUEST_CNODE_BITS)
#define SCRATCH         (CNODE_SLOTS - 1)      /* kept empty by every class */
#define GUARD_PROBES    2048u
#define READ_CHUNK      16u
#define LABEL_EXTRA_N   8u
#define WILD_ROUNDS     6u
#define WILD_MAX_WORDS  8u
#define BAD_DEPTH_MAX   256u
#define FORGE_BADGES    32u
#define PORT_MASK       0xffffu
#define PORT_NEAR       16u             /* ports probed one by one around its range */
#define PORT_STEP       61u             /* and every 61st port of the 64 Ki */             /* 16 guests, with and without the fault bit */

/* What every slot of the root CNode holds now (CAPINFO_TYPE_*). */
static uint8_t slot_type[CNODE_SLOTS];

static void read_types(void)
{
    ext_CapInfo_t info[READ_CHUNK];

    for (uint32_t first = 0; first < CNODE_SLOTS;) {
        ext_CNode_ReadSlots_t r = ext_CNode_ReadSlots(VMM_SLOT_CNODE, first, READ_CHUNK, info);
        if (r.error != seL4_NoError || r.count == 0)
            break;
        for (uint32_t i = 0; i < r.count; i++)
            slot_type[first + i] = (uint8_t)info[i].type;
        first += r.count;
    }
}

static seL4_Error move(seL4_Word dest, seL4_Word dest_depth, seL4_Word src, seL4_Word src_depth)
{
    return seL4_CNode_Move(VMM_SLOT_CNODE, dest, dest_depth, VMM_SLOT_CNODE, src, src_depth);
}

/* A copy of the VMM's badged endpoint with more rights or another badge
 * (another guest's, the fault bit): Copy masks the rights to what the
 * original has, Mint of a badged capability makes nothing (seL4's
 * updateCapData gives a null capability: IllegalOperation). */
static void forge(struct atk *a, seL4_Word slot)
{
    ext_CapInfo_t orig = { 0 }, copy = { 0 };

    ext_CNode_ReadSlots(VMM_SLOT_CNODE, slot, 1, &orig);
    for (seL4_Word badge = 0; badge <= FORGE_BADGES; badge++) {
        seL4_Word b = badge == FORGE_BADGES ? 0xfffffffu : (badge & 0xf) | (badge & 0x10) << 4;
        atk_expect(a, "mint the VMM's endpoint with a badge", b,
                   seL4_CNode_Mint(VMM_SLOT_CNODE, SCRATCH, seL4_WordBits, VMM_SLOT_CNODE, slot,
                                   seL4_WordBits, seL4_AllRights, b), seL4_IllegalOperation);
    }
    atk_expect(a, "copy the VMM's endpoint with all rights", slot,
               seL4_CNode_Copy(VMM_SLOT_CNODE, SCRATCH, seL4_WordBits, VMM_SLOT_CNODE, slot,
                               seL4_WordBits, seL4_AllRights), seL4_NoError);
    ext_CNode_ReadSlots(VMM_SLOT_CNODE, SCRATCH, 1, &copy);
    atk_expect(a, "the copy's rights", slot, copy.rights, orig.rights);
    atk_expect(a, "the copy's badge", slot, copy.data, orig.data);
    atk_expect(a, "no Grant on the VMM's endpoint", slot, copy.rights & seL4_CanGrant.words[0], 0);
    atk_expect(a, "delete the copy", slot,
               seL4_CNode_Delete(VMM_SLOT_CNODE, SCRATCH, seL4_WordBits), seL4_NoError);
}

void atk_cspace(struct atk *a)
{
    read_types();
    atk_expect(a, "scratch slot empty", SCRATCH, slot_type[SCRATCH], CAPINFO_TYPE_NULL);
    /* Every index at depth 32: onto itself. */
    for (uint32_t i = 0; i < CNODE_SLOTS; i++)
        atk_expect(a, "slot at depth 32", i, move(i, seL4_WordBits, i, seL4_WordBits),
                   slot_type[i] == CAPINFO_TYPE_NULL ? seL4_FailedLookup : seL4_DeleteFirst);
    /* Every index at the CNode's own depth and every other depth below
     * 32: the guard's 22 bits are never consumed, the lookup fails. */
    for (uint32_t i = 0; i < CNODE_SLOTS; i++)
        atk_expect(a, "slot at the CNode's depth", i,
                   move(SCRATCH, seL4_WordBits, i, VMM_GUEST_CNODE_BITS), seL4_FailedLookup);
    for (uint32_t d = 1; d < seL4_WordBits; d++)
        atk_expect(a, "service slot at a short depth", d,
                   move(SCRATCH, seL4_WordBits, VMM_SLOT_SERVICE, d), seL4_FailedLookup);
    /* Depths outside 1..32 are refused before any lookup (the depth is a
     * byte in seL4's stubs; the label sweep sends whole words). */
    for (uint32_t d = seL4_WordBits + 1; d < BAD_DEPTH_MAX; d += 7)
        atk_expect(a, "bad depth", d, move(SCRATCH, seL4_WordBits, VMM_SLOT_SERVICE, d),
                   seL4_RangeError);
    atk_expect(a, "depth 0", 0, move(SCRATCH, seL4_WordBits, VMM_SLOT_SERVICE, 0),
               seL4_RangeError);
    /* Wrong guards: any bit above the index set. */
    for (uint32_t k = 0; k < GUARD_PROBES; k++) {
        seL4_Word cptr = (atk_rand(a) | (1u << (VMM_GUEST_CNODE_BITS + k % 22)));
        atk_expect(a, "guessed CPtr", cptr, move(SCRATCH, seL4_WordBits, cptr, seL4_WordBits),
                   seL4_FailedLookup);
    }
    atk_expect(a, "scratch still empty", SCRATCH, atk_slot_empty(SCRATCH), 1);
    forge(a, VMM_SLOT_SERVICE);
    forge(a, VMM_SLOT_FAULT);
}

/* ---- every label on every capability ---------------------------------- */

/* seL4's label range per object type (kernel/include/abi/invocation.h);
 * the VMM's endpoints are the protocol class's, own endpoints the
 * transfer class's. */
static int label_known(uint32_t type, seL4_Word l)
{
    switch (type) {
    case CAPINFO_TYPE_UNTYPED: return l == INV_UNTYPED_RETYPE;
    case CAPINFO_TYPE_TCB: return l >= INV_TCB_READ_REGISTERS && l <= INV_TCB_SET_FLAGS;
    case CAPINFO_TYPE_CNODE:
        return (l >= INV_CNODE_REVOKE && l <= INV_CNODE_SAVE_CALLER) ||
               l == INV_EXT_CNODE_READ_SLOTS;
    case CAPINFO_TYPE_PAGE_DIRECTORY: return l == INV_X86_PAGE_DIRECTORY_GET_STATUS_BITS;
    case CAPINFO_TYPE_ASID_POOL: return l == INV_X86_ASID_POOL_ASSIGN;
    case CAPINFO_TYPE_FRAME: return l >= INV_X86_PAGE_MAP && l <= INV_X86_PAGE_GET_ADDRESS;
    case CAPINFO_TYPE_PAGE_TABLE:
        return l == INV_X86_PAGE_TABLE_MAP || l == INV_X86_PAGE_TABLE_UNMAP;
    case CAPINFO_TYPE_IO_PORT: return l >= INV_X86_IOPORT_IN8 && l <= INV_X86_IOPORT_OUT32;
    }
    return 0;
}

/* With no argument at all. */
static seL4_Word expect_empty(uint32_t type, seL4_Word l)
{
    if (!label_known(type, l))
        return seL4_IllegalOperation;
    if (type == CAPINFO_TYPE_TCB && l == INV_TCB_RESUME)
        return seL4_NoError;                    /* it runs already: nothing to do */
    if (type == CAPINFO_TYPE_TCB && l == INV_TCB_UNBIND_NOTIFICATION)
        return seL4_IllegalOperation;           /* nothing bound */
    return seL4_TruncatedMessage;
}

/* Labels that would act on the attacker itself without an argument. */
static int acts_on_itself(uint32_t type, seL4_Word l)
{
    return (type == CAPINFO_TYPE_TCB && l == INV_TCB_SUSPEND) ||
           (type == CAPINFO_TYPE_PAGE_TABLE && l == INV_X86_PAGE_TABLE_UNMAP) ||
           (type == CAPINFO_TYPE_FRAME && l != INV_X86_PAGE_MAP);
}

static seL4_Error invoke(seL4_Word slot, seL4_Word label, uint32_t n, const seL4_Word *w)
{
    for (uint32_t i = 0; i < n; i++)
        seL4_SetMR((int)i, w[i]);
    return (seL4_Error)seL4_MessageInfo_get_label(
        seL4_Call(slot, seL4_MessageInfo_new(label, 0, 0, n)));
}

/* The ports of the I/O port capability in slot, from the boot page. */
static int port_range(const struct atk *a, seL4_Word slot, seL4_Word *first, seL4_Word *last)
{
    for (uint32_t k = 0; k < a->boot->n_links; k++) {
        const vmm_guest_link_t *l = &a->boot->link[k];
        if (l->kind == VMM_LINK_PORTS && l->where == slot) {
            *first = l->size;
            *last = l->size + l->flags - 1;
            return 1;
        }
    }
    return 0;
}

/* An I/O port access of the label's size at w[0] (16 bits), inside the
 * capability's ports or IllegalOperation; Out needs the value too. */
static seL4_Word expect_port(seL4_Word l, uint32_t n, const seL4_Word *w, seL4_Word first,
                             seL4_Word last)
{
    static const uint8_t size[] = { 1, 2, 4, 1, 2, 4 };
    seL4_Word k = l - INV_X86_IOPORT_IN8, port = w[0] & PORT_MASK;

    if (n < (k >= 3 ? 2u : 1u))
        return seL4_TruncatedMessage;
    return port >= first && port + size[k] - 1 <= last ? seL4_NoError : seL4_IllegalOperation;
}

/*
 * Wild words, made so that seL4's answer is known: a slot index always
 * has a bit above the CNode's index set (the guard fails), a depth is
 * random, a size huge. With no extra capability, every label that needs
 * one is TruncatedMessage after its length check; the rest fail on their
 * first argument.
 */
static seL4_Word expect_wild(const struct atk *a, seL4_Word slot, uint32_t type, seL4_Word l,
                             uint32_t n, const seL4_Word *w)
{
    seL4_Word first, last;

    if (!label_known(type, l))
        return seL4_IllegalOperation;
    if (type == CAPINFO_TYPE_IO_PORT && port_range(a, slot, &first, &last))
        return expect_port(l, n, w, first, last);
    if (type == CAPINFO_TYPE_CNODE && l == INV_EXT_CNODE_READ_SLOTS)
        return n < 2 ? seL4_TruncatedMessage : seL4_RangeError;
    if (type == CAPINFO_TYPE_CNODE) {
        if (n < 2)
            return seL4_TruncatedMessage;
        return w[1] < 1 || w[1] > seL4_WordBits ? seL4_RangeError : seL4_FailedLookup;
    }
    if (type == CAPINFO_TYPE_PAGE_DIRECTORY)    /* an address it maps, or refused */
        return n < 1 ? seL4_TruncatedMessage
                     : w[0] < seL4_UserTop && atk_mapped(a, w[0]) ? seL4_NoError
                                                                   : seL4_InvalidArgument;
    if (type == CAPINFO_TYPE_TCB && l == INV_TCB_READ_REGISTERS)
        return n < 2 ? seL4_TruncatedMessage : seL4_IllegalOperation;  /* its own */
    if (type == CAPINFO_TYPE_TCB && l == INV_TCB_WRITE_REGISTERS)
        return n < 2 ? seL4_TruncatedMessage : seL4_IllegalOperation;
    return expect_empty(type, l);
}

/* TCB labels whose wild words would change the attacker itself
 * (priority down, TLS base, flags): done with care in the self class. */
static int wild_skips(uint32_t type, seL4_Word l)
{
    return acts_on_itself(type, l) ||
           (type == CAPINFO_TYPE_TCB && (l == INV_TCB_SET_TLS_BASE || l == INV_TCB_SET_FLAGS ||
                                         l == INV_TCB_RESUME || l == INV_TCB_WRITE_REGISTERS ||
                                         l == INV_TCB_READ_REGISTERS));
}

static void wild_words(struct atk *a, uint32_t n, seL4_Word *w)
{
    for (uint32_t i = 0; i < n; i++)
        w[i] = atk_rand(a) | (1u << (VMM_GUEST_CNODE_BITS + i));
    if (n > 1 && (atk_rand(a) & 1))
        w[1] = atk_rand(a) % (seL4_WordBits + 2);      /* a depth, sometimes valid */
}

static void sweep_slot(struct atk *a, seL4_Word slot, uint32_t type)
{
    static const seL4_Word extra[LABEL_EXTRA_N] = {
        INV_NUM_LABELS, INV_NUM_LABELS + 1, 100, 0x7ff, 0xbffff, 0xc0000,
        INV_EXT_CNODE_READ_SLOTS + 1, 0xfffff,
    };
    seL4_Word w[WILD_MAX_WORDS];

    for (seL4_Word l = 0; l < INV_NUM_LABELS + LABEL_EXTRA_N; l++) {
        seL4_Word label = l < INV_NUM_LABELS ? l : extra[l - INV_NUM_LABELS];
        if (acts_on_itself(type, label))
            continue;
        atk_expect(a, "label, no argument", (slot << 20) | label, invoke(slot, label, 0, w),
                   expect_empty(type, label));
        if (wild_skips(type, label))
            continue;
        for (uint32_t r = 0; r < WILD_ROUNDS; r++) {
            uint32_t n = 1 + atk_rand(a) % WILD_MAX_WORDS;
            wild_words(a, n, w);
            atk_expect(a, "label, wild words", (slot << 20) | label, invoke(slot, label, n, w),
                       expect_wild(a, slot, type, label, n, w));
        }
    }
}

/* Above its own priority, with its own TCB as authority (MCP = its
 * priority): RangeError, 0 .. MCP; its own priority again is allowed. */
static void priorities(struct atk *a)
{
    seL4_Word mine = a->boot->priority;

    for (seL4_Word p = mine + 1; p <= seL4_MaxPrio; p++) {
        atk_expect(a, "priority above its MCP", p,
                   seL4_TCB_SetPriority(VMM_SLOT_TCB, VMM_SLOT_TCB, p), seL4_RangeError);
        atk_expect(a, "MCP above its MCP", p,
                   seL4_TCB_SetMCPriority(VMM_SLOT_TCB, VMM_SLOT_TCB, p), seL4_RangeError);
        atk_expect(a, "both above its MCP", p,
                   seL4_TCB_SetSchedParams(VMM_SLOT_TCB, VMM_SLOT_TCB, p, p), seL4_RangeError);
    }
    atk_expect(a, "priority 2^32-1", 0,
               seL4_TCB_SetPriority(VMM_SLOT_TCB, VMM_SLOT_TCB, 0xffffffffu), seL4_RangeError);
    atk_expect(a, "its own priority", mine,
               seL4_TCB_SetPriority(VMM_SLOT_TCB, VMM_SLOT_TCB, mine), seL4_NoError);
}

/* In of every size around its ports and across the port space, Out
 * outside them: inside the capability's range or IllegalOperation. */
static void port_access(struct atk *a, seL4_Word slot, seL4_Word port, seL4_Word first,
                        seL4_Word last)
{
    for (seL4_Word l = INV_X86_IOPORT_IN8; l <= INV_X86_IOPORT_OUT32; l++) {
        seL4_Word w[2] = { port, 0 }, want = expect_port(l, 2, w, first, last);
        if (l >= INV_X86_IOPORT_OUT8 && want == seL4_NoError)
            continue;               /* no writes to the device it was given */
        atk_expect(a, "I/O port", (l << 16) | port, invoke(slot, l, 2, w), want);
    }
}

static void ports(struct atk *a, seL4_Word slot)
{
    seL4_Word first, last;

    if (!port_range(a, slot, &first, &last))
        return;
    for (seL4_Word p = first - PORT_NEAR; p <= last + PORT_NEAR; p++)
        port_access(a, slot, p, first, last);
    for (seL4_Word p = 0; p <= PORT_MASK; p += PORT_STEP)
        port_access(a, slot, p, first, last);
    port_access(a, slot, first + PORT_MASK + 1, first, last);  /* above 16 bits: masked */
}

void atk_labels(struct atk *a)
{
    read_types();
    for (uint32_t s = 0; s < CNODE_SLOTS; s++) {
        uint32_t t = slot_type[s];
        if (t == CAPINFO_TYPE_NULL || t == CAPINFO_TYPE_ENDPOINT ||
            t == CAPINFO_TYPE_NOTIFICATION)
            continue;
        sweep_slot(a, s, t);
    }
    priorities(a);
    for (uint32_t k = 0; k < a->boot->n_links; k++)
        if (a->boot->link[k].kind == VMM_LINK_PORTS)
            ports(a, a->boot->link[k].where);
    /* Nothing it did moved a capability. */
    read_types();
    atk_expect(a, "its TCB still in its slot", VMM_SLOT_TCB, slot_type[VMM_SLOT_TCB],
               CAPINFO_TYPE_TCB);
    atk_expect(a, "its CNode still in its slot", VMM_SLOT_CNODE, slot_type[VMM_SLOT_CNODE],
               CAPINFO_TYPE_CNODE);
    atk_expect(a, "scratch still empty", SCRATCH, slot_type[SCRATCH], CAPINFO_TYPE_NULL);
}
