/*
 * System tests of CNode ReadSlots, our extension (kernel/cnode_read.c,
 * abi/capinfo.h): what each slot holds (type, size, rights, badge or guard,
 * the object's physical address, the untyped it descends from), read
 * exactly for objects whose addresses the test can predict, and every
 * refusal with seL4's error and details: a capability that is not a CNode,
 * an empty slot, a bad slot range, a truncated message.
 */
#include <rt/rt.h>
#include <rt/test.h>
#include <sel4/sel4.h>
#include <sel4/extensions.h>
#include <systest.h>

static struct st_root mem;    /* what the tests allocate from */

#define ROOT        seL4_CapInitThreadCNode
#define DEPTH       seL4_WordBits
#define UT_BITS     16
#define SMALL_RADIX 3
#define SMALL_SLOTS (1u << SMALL_RADIX)
#define EP_SLOT     5
#define BADGE       0x55u
#define GUARD_DATA  0x44u  /* Mint data giving a CNode cap a guard of a few bits */

/* seL4 rights bits, as ReadSlots reports them. */
#define R_W   1u
#define R_R   2u
#define R_G   4u
#define R_GR  8u
#define R_ALL 0xfu

static struct {
    seL4_CPtr ut;           /* a child untyped of 2^UT_BITS: the test's own memory */
    seL4_Word ut_paddr;
    seL4_Word parent_paddr; /* the untyped memmgr gave, it was carved from */
    seL4_Word parent_bits;
} carved;

static seL4_CPtr retype(seL4_CPtr ut, seL4_Word type, seL4_Word bits)
{
    seL4_CPtr slot = st_slot(&mem);

    if (slot == 0 || seL4_Untyped_Retype(ut, type, bits, ROOT, 0, 0, slot, 1) != seL4_NoError)
        return 0;
    return slot;
}

/* Reads one slot of the root CNode (CPtr = slot index: its guard is 0). */
static seL4_Error read_one(seL4_CNode cnode, seL4_Word slot, ext_CapInfo_t *info)
{
    ext_CNode_ReadSlots_t r = ext_CNode_ReadSlots(cnode, slot, 1, info);

    if (r.error == seL4_NoError && r.count != 1)
        return seL4_IllegalOperation;
    return r.error;
}

/* Reads n slots, asking again where an interrupt cut a reply short. */
static seL4_Error read_all(seL4_CNode cnode, seL4_Word first, seL4_Word n, ext_CapInfo_t *out)
{
    seL4_Word done = 0;

    while (done < n) {
        ext_CNode_ReadSlots_t r = ext_CNode_ReadSlots(cnode, first + done, n - done, out + done);
        if (r.error != seL4_NoError)
            return r.error;
        if (r.count < 1 || r.count > n - done)
            return seL4_IllegalOperation;
        done += r.count;
    }
    return seL4_NoError;
}

static seL4_Error raw(seL4_CPtr cap, seL4_Word length, seL4_Word mr0, seL4_Word mr1)
{
    return rt_invoke(cap, INV_EXT_CNODE_READ_SLOTS, 0, length, mr0, mr1);
}

static void setup_memory(void)
{
    seL4_CPtr parent = st_untyped(&mem, UT_BITS, &carved.parent_paddr);

    if (parent == 0)
        return;
    carved.parent_bits = UT_BITS;
    carved.ut = retype(parent, seL4_UntypedObject, UT_BITS);
    carved.ut_paddr = carved.parent_paddr;
}

static void expect_ancestor(const ext_CapInfo_t *i, seL4_Word paddr, seL4_Word bits)
{
    EXPECT_TRUE(i->flags & CAPINFO_ANC_FOUND);
    EXPECT_FALSE(i->flags & CAPINFO_ANC_GAVE_UP);
    EXPECT_EQ(i->ancestor_paddr, paddr);
    EXPECT_EQ(i->ancestor_bits, bits);
}

static void initial_caps(bootinfo_t *bi)
{
    ext_CapInfo_t i[seL4_CapDomain + 1];

    TEST_BEGIN("read_slots/initial_caps");
    ASSERT_OK(read_all(ROOT, 0, seL4_CapDomain + 1, i));
    EXPECT_EQ(i[seL4_CapNull].type, CAPINFO_TYPE_NULL);
    EXPECT_EQ(i[seL4_CapNull].rights, 0);
    EXPECT_EQ(i[seL4_CapNull].paddr, 0);
    EXPECT_EQ(i[seL4_CapInitThreadTCB].type, CAPINFO_TYPE_TCB);
    EXPECT_EQ(i[seL4_CapInitThreadTCB].size_bits, 11);
    EXPECT_EQ(i[seL4_CapInitThreadTCB].rights, R_ALL);
    EXPECT_NE(i[seL4_CapInitThreadTCB].paddr, 0);
    EXPECT_EQ(i[seL4_CapInitThreadCNode].type, CAPINFO_TYPE_CNODE);
    EXPECT_EQ(i[seL4_CapInitThreadCNode].size_bits, bi->init_thread_cnode_size_bits + 4);
    EXPECT_EQ(i[seL4_CapInitThreadCNode].data,
              (seL4_WordBits - bi->init_thread_cnode_size_bits) << CAPINFO_GUARD_SIZE_SHIFT |
              bi->init_thread_cnode_size_bits << CAPINFO_RADIX_SHIFT);
    EXPECT_EQ(i[seL4_CapInitThreadVSpace].type, CAPINFO_TYPE_PAGE_DIRECTORY);
    EXPECT_EQ(i[seL4_CapInitThreadVSpace].size_bits, 12);
    EXPECT_TRUE(i[seL4_CapInitThreadVSpace].flags & CAPINFO_MAPPED);
    EXPECT_EQ(i[seL4_CapIRQControl].type, CAPINFO_TYPE_IRQ_CONTROL);
    EXPECT_EQ(i[seL4_CapIRQControl].paddr, 0);
    EXPECT_EQ(i[seL4_CapIRQControl].flags, 0);     /* no memory: no ancestor either */
    EXPECT_EQ(i[seL4_CapASIDControl].type, CAPINFO_TYPE_ASID_CONTROL);
    EXPECT_EQ(i[seL4_CapInitThreadASIDPool].type, CAPINFO_TYPE_ASID_POOL);
    EXPECT_EQ(i[seL4_CapInitThreadASIDPool].size_bits, 12);
    EXPECT_EQ(i[seL4_CapInitThreadASIDPool].data, 0);   /* the pool of ASIDs 0..1023 */
    EXPECT_EQ(i[seL4_CapIOPortControl].type, CAPINFO_TYPE_IO_PORT_CONTROL);
    EXPECT_EQ(i[seL4_CapIOSpace].type, CAPINFO_TYPE_NULL);
    EXPECT_EQ(i[seL4_CapBootInfoFrame].type, CAPINFO_TYPE_FRAME);
    EXPECT_EQ(i[seL4_CapInitThreadIPCBuffer].type, CAPINFO_TYPE_FRAME);
    EXPECT_EQ(i[seL4_CapInitThreadIPCBuffer].rights, R_R | R_W);
    EXPECT_TRUE(i[seL4_CapInitThreadIPCBuffer].flags & CAPINFO_MAPPED);
    EXPECT_EQ(i[seL4_CapInitThreadIPCBuffer].data & ~CAPINFO_ASID_MASK,
              bi->ipc_buffer & ~CAPINFO_ASID_MASK);
    EXPECT_EQ(i[seL4_CapDomain].type, CAPINFO_TYPE_DOMAIN);
    TEST_END();
}

static void boot_untyped(bootinfo_t *bi)
{
    ext_CapInfo_t i;
    seL4_Word first = bi->untyped.start;

    TEST_BEGIN("read_slots/boot_untyped_has_no_ancestor");
    ASSERT_OK(read_one(ROOT, first, &i));
    EXPECT_EQ(i.type, CAPINFO_TYPE_UNTYPED);
    EXPECT_EQ(i.paddr, bi->untyped_list[0].paddr);
    EXPECT_EQ(i.size_bits, bi->untyped_list[0].size_bits);
    EXPECT_EQ(!!(i.flags & CAPINFO_DEVICE), !!bi->untyped_list[0].is_device);
    EXPECT_FALSE(i.flags & (CAPINFO_ANC_FOUND | CAPINFO_ANC_GAVE_UP));
    EXPECT_EQ(i.ancestor_paddr, 0);
    TEST_END();
}

/* Objects carved in a known order from a fresh untyped at a known address:
 * each lands at the watermark rounded up to its own size. */
static void objects_exact(void)
{
    static const struct {
        seL4_Word type, bits, info_type, size_bits, offset;
    } objs[] = {
        { seL4_EndpointObject, 0, CAPINFO_TYPE_ENDPOINT, 4, 0x0 },
        { seL4_NotificationObject, 0, CAPINFO_TYPE_NOTIFICATION, 4, 0x10 },
        { seL4_TCBObject, 0, CAPINFO_TYPE_TCB, 11, 0x800 },
        { seL4_CapTableObject, SMALL_RADIX, CAPINFO_TYPE_CNODE, SMALL_RADIX + 4, 0x1000 },
        { seL4_X86_4K, 0, CAPINFO_TYPE_FRAME, 12, 0x2000 },
        { seL4_X86_PageTableObject, 0, CAPINFO_TYPE_PAGE_TABLE, 12, 0x3000 },
        { seL4_X86_PageDirectoryObject, 0, CAPINFO_TYPE_PAGE_DIRECTORY, 12, 0x4000 },
        { seL4_UntypedObject, 12, CAPINFO_TYPE_UNTYPED, 12, 0x5000 },
    };
    ext_CapInfo_t i;

    TEST_BEGIN("read_slots/objects_exact");
    ASSERT_TRUE(carved.ut != 0);
    ASSERT_OK(read_one(ROOT, carved.ut, &i));
    EXPECT_EQ(i.type, CAPINFO_TYPE_UNTYPED);
    EXPECT_EQ(i.paddr, carved.ut_paddr);
    EXPECT_EQ(i.size_bits, UT_BITS);
    EXPECT_EQ(i.data, 0);                           /* nothing retyped yet */
    expect_ancestor(&i, carved.parent_paddr, carved.parent_bits);
    for (seL4_Word k = 0; k < sizeof(objs) / sizeof(objs[0]); k++) {
        seL4_CPtr c = retype(carved.ut, objs[k].type, objs[k].bits);
        ASSERT_TRUE(c != 0);
        ASSERT_OK(read_one(ROOT, c, &i));
        EXPECT_EQ(i.type, objs[k].info_type);
        EXPECT_EQ(i.size_bits, objs[k].size_bits);
        EXPECT_EQ(i.paddr, carved.ut_paddr + objs[k].offset);
        /* Frames carry R W; notifications only send and receive (as in seL4);
         * the rest check no rights and report all four. */
        seL4_Word want = objs[k].info_type == CAPINFO_TYPE_FRAME ||
                         objs[k].info_type == CAPINFO_TYPE_NOTIFICATION ? (R_R | R_W) : R_ALL;
        EXPECT_EQ(i.rights, want);
        expect_ancestor(&i, carved.ut_paddr, UT_BITS);
        if (objs[k].info_type == CAPINFO_TYPE_FRAME) {
            seL4_X86_Page_GetAddress_t a = seL4_X86_Page_GetAddress(c);
            EXPECT_EQ(i.paddr, a.paddr);
            EXPECT_FALSE(i.flags & CAPINFO_MAPPED);
        }
        if (objs[k].info_type == CAPINFO_TYPE_UNTYPED) {
            /* Objects from the child untyped descend from it, not from carved.ut. */
            seL4_CPtr n = retype(c, seL4_NotificationObject, 0);
            ASSERT_TRUE(n != 0);
            ASSERT_OK(read_one(ROOT, n, &i));
            EXPECT_EQ(i.paddr, carved.ut_paddr + objs[k].offset);
            expect_ancestor(&i, carved.ut_paddr + objs[k].offset, 12);
            ASSERT_OK(read_one(ROOT, c, &i));
            EXPECT_EQ(i.data, 1u << 4);             /* one notification retyped */
        }
    }
    ASSERT_OK(read_one(ROOT, carved.ut, &i));
    EXPECT_EQ(i.data, 0x6000);                      /* the watermark */
    TEST_END();
}

static seL4_Word cn_paddr(seL4_CPtr cn)
{
    ext_CapInfo_t i;

    return read_one(ROOT, cn, &i) == seL4_NoError ? i.paddr : 0;
}

static void badge_rights_guard(void)
{
    seL4_CPtr ep = retype(carved.ut, seL4_EndpointObject, 0), m = st_slot(&mem);
    seL4_CPtr cn = retype(carved.ut, seL4_CapTableObject, SMALL_RADIX), g = st_slot(&mem);
    ext_CapInfo_t i, e;

    TEST_BEGIN("read_slots/badge_rights_guard");
    ASSERT_TRUE(ep != 0 && m != 0 && cn != 0 && g != 0);
    ASSERT_OK(read_one(ROOT, ep, &e));
    ASSERT_OK(seL4_CNode_Mint(ROOT, m, DEPTH, ROOT, ep, DEPTH,
                              seL4_CapRights_new(0, 1, 1, 0), BADGE));
    ASSERT_OK(read_one(ROOT, m, &i));
    EXPECT_EQ(i.type, CAPINFO_TYPE_ENDPOINT);
    EXPECT_EQ(i.rights, R_R | R_G);
    EXPECT_EQ(i.data, BADGE);
    EXPECT_EQ(i.paddr, e.paddr);
    /* The minted copy is a child of the endpoint cap, a child of the untyped. */
    expect_ancestor(&i, carved.ut_paddr, UT_BITS);
    ASSERT_OK(seL4_CNode_Mint(ROOT, g, DEPTH, ROOT, cn, DEPTH, seL4_AllRights, GUARD_DATA));
    ASSERT_OK(read_one(ROOT, g, &i));
    EXPECT_EQ(i.type, CAPINFO_TYPE_CNODE);
    EXPECT_EQ(i.paddr, cn_paddr(cn));
    /* The guard reported is the one lookups use: a slot named through it
     * with guard + radix bits is found, one with another guard is not. */
    seL4_Word radix = (i.data >> CAPINFO_RADIX_SHIFT) & CAPINFO_FIELD5_MASK;
    seL4_Word gsize = (i.data >> CAPINFO_GUARD_SIZE_SHIFT) & CAPINFO_FIELD5_MASK;
    seL4_Word guard = i.data & ((1u << CAPINFO_GUARD_BITS) - 1);
    EXPECT_EQ(radix, SMALL_RADIX);
    ASSERT_TRUE(gsize > 0 && gsize + radix < seL4_WordBits);
    EXPECT_EQ(guard >> gsize, 0);
    EXPECT_ERR(seL4_CNode_Copy(g, (guard ^ 1) << radix | EP_SLOT, gsize + radix, ROOT, ep,
                               DEPTH, seL4_AllRights), seL4_FailedLookup);
    ASSERT_OK(seL4_CNode_Copy(g, guard << radix | EP_SLOT, gsize + radix, ROOT, ep, DEPTH,
                              seL4_AllRights));
    ASSERT_OK(read_one(cn, EP_SLOT, &i));
    EXPECT_EQ(i.type, CAPINFO_TYPE_ENDPOINT);
    EXPECT_EQ(i.paddr, e.paddr);
    TEST_END();
}

static void mapped_frame(void)
{
    seL4_CPtr frame;
    void *p = st_pages(&mem, 1, &frame);
    ext_CapInfo_t i;

    TEST_BEGIN("read_slots/mapped_frame");
    ASSERT_TRUE(p != NULL);
    ASSERT_OK(read_one(ROOT, frame, &i));
    EXPECT_EQ(i.type, CAPINFO_TYPE_FRAME);
    EXPECT_TRUE(i.flags & CAPINFO_MAPPED);
    EXPECT_EQ(i.data & ~CAPINFO_ASID_MASK, (seL4_Word)p);
    EXPECT_NE(i.data & CAPINFO_ASID_MASK, 0);
    EXPECT_EQ(i.paddr, seL4_X86_Page_GetAddress(frame).paddr);
    TEST_END();
}

/* A CNode other than the caller's own: whoever holds its capability reads it. */
static void other_cnode(void)
{
    seL4_CPtr cn = retype(carved.ut, seL4_CapTableObject, SMALL_RADIX);
    seL4_CPtr ep = retype(carved.ut, seL4_EndpointObject, 0);
    ext_CapInfo_t i[SMALL_SLOTS], e;

    TEST_BEGIN("read_slots/other_cnode_all_slots");
    ASSERT_TRUE(cn != 0 && ep != 0);
    ASSERT_OK(read_one(ROOT, ep, &e));
    ASSERT_OK(seL4_CNode_Copy(cn, EP_SLOT, SMALL_RADIX, ROOT, ep, DEPTH, seL4_CanWrite));
    ASSERT_OK(read_all(cn, 0, SMALL_SLOTS, i));
    for (seL4_Word k = 0; k < SMALL_SLOTS; k++) {
        if (k == EP_SLOT)
            continue;
        EXPECT_EQ(i[k].type, CAPINFO_TYPE_NULL);
        EXPECT_EQ(i[k].flags | i[k].data | i[k].paddr, 0);
    }
    EXPECT_EQ(i[EP_SLOT].type, CAPINFO_TYPE_ENDPOINT);
    EXPECT_EQ(i[EP_SLOT].rights, R_W);
    EXPECT_EQ(i[EP_SLOT].paddr, e.paddr);
    expect_ancestor(&i[EP_SLOT], carved.ut_paddr, UT_BITS);
    /* The last slot alone, and a whole reply's worth of the root CNode. */
    ASSERT_OK(read_one(cn, SMALL_SLOTS - 1, &i[0]));
    EXPECT_EQ(i[0].type, CAPINFO_TYPE_NULL);
    ext_CapInfo_t many[CAPINFO_MAX_SLOTS];
    ext_CNode_ReadSlots_t r = ext_CNode_ReadSlots(ROOT, 0, CAPINFO_MAX_SLOTS, many);
    EXPECT_OK(r.error);
    EXPECT_GE(r.count, 1);
    EXPECT_LE(r.count, CAPINFO_MAX_SLOTS);
    EXPECT_EQ(many[seL4_CapInitThreadTCB].type, CAPINFO_TYPE_TCB);
    TEST_END();
}

/* The ancestor search is bounded: each retyped object is inserted right
 * after its untyped, so the k-th of N siblings finds the untyped behind
 * N - 1 - k younger ones, and gives up when that reaches
 * CAPINFO_ANCESTOR_STEPS. Exactly at the boundary, on both sides. */
#define MANY_RADIX  15
#define MANY_EPS    (CAPINFO_ANCESTOR_STEPS + 64)
#define MANY_BITS   20          /* 2^19 for the CNode, 2^19 for the endpoints */
#define RETYPE_MAX  256         /* seL4's fan-out limit */

static void ancestor_search_bounded(void)
{
    seL4_CPtr pool = st_untyped(&mem, MANY_BITS, NULL);
    seL4_CPtr cn = 0, ut = 0;
    ext_CapInfo_t i;

    TEST_BEGIN("read_slots/ancestor_search_bounded");
    ASSERT_TRUE(pool != 0);
    cn = retype(pool, seL4_CapTableObject, MANY_RADIX);
    ut = retype(pool, seL4_UntypedObject, MANY_BITS - 1);
    ASSERT_TRUE(cn != 0 && ut != 0);
    ext_CapInfo_t u;
    ASSERT_OK(read_one(ROOT, ut, &u));
    for (seL4_Word k = 0; k < MANY_EPS; k += RETYPE_MAX) {
        seL4_Word n = MANY_EPS - k < RETYPE_MAX ? MANY_EPS - k : RETYPE_MAX;
        ASSERT_OK(seL4_Untyped_Retype(ut, seL4_EndpointObject, 0, ROOT, cn, DEPTH, k, n));
    }
    seL4_Word boundary = MANY_EPS - CAPINFO_ANCESTOR_STEPS;   /* first found */
    ASSERT_OK(read_one(cn, boundary - 1, &i));
    EXPECT_EQ(i.type, CAPINFO_TYPE_ENDPOINT);
    EXPECT_EQ(i.paddr, u.paddr + (boundary - 1) * 16);
    EXPECT_TRUE(i.flags & CAPINFO_ANC_GAVE_UP);
    EXPECT_FALSE(i.flags & CAPINFO_ANC_FOUND);
    EXPECT_EQ(i.ancestor_paddr, 0);
    ASSERT_OK(read_one(cn, 0, &i));
    EXPECT_TRUE(i.flags & CAPINFO_ANC_GAVE_UP);
    ASSERT_OK(read_one(cn, boundary, &i));
    EXPECT_FALSE(i.flags & CAPINFO_ANC_GAVE_UP);
    expect_ancestor(&i, u.paddr, MANY_BITS - 1);
    ASSERT_OK(read_one(cn, MANY_EPS - 1, &i));
    expect_ancestor(&i, u.paddr, MANY_BITS - 1);
    /* Revoking the untyped empties the slots: they read as null. */
    ASSERT_OK(seL4_CNode_Revoke(ROOT, ut, DEPTH));
    ASSERT_OK(read_one(cn, MANY_EPS - 1, &i));
    EXPECT_EQ(i.type, CAPINFO_TYPE_NULL);
    TEST_END();
}

static void expect_range(seL4_Error e, seL4_Word min, seL4_Word max)
{
    EXPECT_ERR(e, seL4_RangeError);
    EXPECT_EQ(seL4_GetMR(0), min);
    EXPECT_EQ(seL4_GetMR(1), max);
}

static void refusals(bootinfo_t *bi)
{
    seL4_CPtr cn = retype(carved.ut, seL4_CapTableObject, SMALL_RADIX);
    seL4_CPtr frame = retype(carved.ut, seL4_X86_4K, 0), empty = st_slot(&mem);
    seL4_Word root_slots = 1u << bi->init_thread_cnode_size_bits;
    ext_CapInfo_t i;

    TEST_BEGIN("read_slots/refusals_exact");
    ASSERT_TRUE(cn != 0 && frame != 0 && empty != 0);
    /* Truncated messages. */
    EXPECT_ERR(raw(cn, 0, 0, 1), seL4_TruncatedMessage);
    EXPECT_ERR(raw(cn, 1, 0, 1), seL4_TruncatedMessage);
    /* Slot range: first outside the CNode, then counts from 0 and from 6. */
    expect_range(raw(cn, 2, SMALL_SLOTS, 1), 0, SMALL_SLOTS - 1);
    expect_range(raw(cn, 2, ~0u, 1), 0, SMALL_SLOTS - 1);
    expect_range(raw(cn, 2, 0, 0), 1, SMALL_SLOTS);
    expect_range(raw(cn, 2, 0, SMALL_SLOTS + 1), 1, SMALL_SLOTS);
    expect_range(raw(cn, 2, 6, 3), 1, 2);
    expect_range(raw(cn, 2, 6, ~0u), 1, 2);
    expect_range(raw(ROOT, 2, 0, CAPINFO_MAX_SLOTS + 1), 1, CAPINFO_MAX_SLOTS);
    expect_range(raw(ROOT, 2, root_slots, 1), 0, root_slots - 1);
    EXPECT_OK(raw(cn, 2, 6, 2));
    /* Not a CNode: the label is one these types do not know. */
    EXPECT_ERR(raw(seL4_CapInitThreadTCB, 2, 0, 1), seL4_IllegalOperation);
    EXPECT_ERR(raw(carved.ut, 2, 0, 1), seL4_IllegalOperation);
    EXPECT_ERR(raw(frame, 2, 0, 1), seL4_IllegalOperation);
    EXPECT_ERR(raw(seL4_CapInitThreadVSpace, 2, 0, 1), seL4_IllegalOperation);
    EXPECT_ERR(raw(seL4_CapIRQControl, 2, 0, 1), seL4_IllegalOperation);
    EXPECT_ERR(raw(empty, 2, 0, 1), seL4_InvalidCapability);
    /* A refusal changed nothing: the CNode still reads as before. */
    ASSERT_OK(read_one(ROOT, cn, &i));
    EXPECT_EQ(i.type, CAPINFO_TYPE_CNODE);
    TEST_END();
}

int main(bootinfo_t *bi)
{
    st_root_init(&mem, bi);
    setup_memory();
    initial_caps(bi);
    boot_untyped(bi);
    objects_exact();
    badge_rights_guard();
    mapped_frame();
    other_cnode();
    refusals(bi);
    ancestor_search_bounded();
    tests_done();
}
