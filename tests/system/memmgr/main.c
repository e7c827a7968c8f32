/*
 * System tests of memmgr on the real kernel: allocating until out of
 * memory and back to exactly the start (memmgr's accounting and the
 * kernel's own view: no children left, whole-size retype, invariant
 * check), a seeded random sequence against a model, page tables reclaimed
 * under pressure and rebuilt, release of an untyped refused while live
 * objects remain, two owners staying disjoint, and a component holding
 * only delegated untypeds building a process with memmgr alone.
 *
 * The root task's own struct mm (tests/system/common/root.c) hands a
 * parent struct mm one whole untyped; each test makes child owners from
 * untypeds the parent delegates, exactly as the VMM does for its guests.
 */
#include "memmgr_tests.h"
#include <stdio.h>
#include <string.h>

#define POOL_BITS       24
#define POOL_MIN_BITS   22
#define PARENT_SLOTS    512u
#define ROOT_PRIO       100

struct st_root mem;
struct mm parent;
static uint8_t parent_meta[META_BYTES];

int child_make(struct child *c, uint32_t bits, uint32_t slots)
{
    if (c->nslots < slots) {
        c->first = st_slots(&mem, slots);
        c->nslots = slots;
    }
    seL4_CPtr first = c->first;

    c->bits = bits;
    if (first == 0 || mm_alloc_untyped(&parent, bits, 0, &c->ut) != ERR_NONE)
        return 0;
    c->paddr = mm_paddr(&parent, c->ut);
    return mm_init(&c->mm, c->meta, sizeof(c->meta), ROOT, MAX_UTS) == ERR_NONE &&
           mm_add_slots(&c->mm, first, first, slots, 0, 0) == ERR_NONE &&
           mm_add_untyped(&c->mm, c->ut, c->paddr, bits, 0) == ERR_NONE;
}

void child_done(struct child *c)
{
    mm_free(&parent, c->ut);
}

int untyped_whole(mm_cptr_t ut, uint32_t bits)
{
    seL4_CPtr s = st_slot(&mem);
    int ok = seL4_Untyped_Retype(ut, seL4_UntypedObject, bits, ROOT, 0, 0, s, 1) == 0;

    if (ok)
        seL4_CNode_Delete(ROOT, s, DEPTH);
    return ok;
}

uint32_t frame_paddr(mm_cptr_t frame)
{
    seL4_X86_Page_GetAddress_t r = seL4_X86_Page_GetAddress(frame);

    return r.error == seL4_NoError ? r.paddr : 0;
}

static int setup(bootinfo_t *bi)
{
    seL4_Word bits = POOL_BITS + 1, paddr = 0;
    seL4_CPtr ut = 0, slots;

    st_root_init(&mem, bi);
    slots = st_slots(&mem, PARENT_SLOTS);
    while (ut == 0 && --bits >= POOL_MIN_BITS)
        ut = st_untyped(&mem, bits, &paddr);
    if (ut == 0 || slots == 0)
        return 0;
    return mm_init(&parent, parent_meta, sizeof(parent_meta), ROOT, MAX_UTS) == ERR_NONE &&
           mm_add_slots(&parent, slots, slots, PARENT_SLOTS, 0, 0) == ERR_NONE &&
           mm_add_untyped(&parent, ut, paddr, bits, 0) == ERR_NONE;
}

static void setup_test(bootinfo_t *bi)
{
    TEST_BEGIN("memmgr_setup");
    ASSERT_TRUE(setup(bi));
    EXPECT_EQ(mm_check(&parent), ERR_NONE);
    TEST_END();
}

int main(bootinfo_t *bi)
{
    seL4_TCB_SetPriority(seL4_CapInitThreadTCB, seL4_CapInitThreadTCB, ROOT_PRIO);
    setup_test(bi);
    alloc_tests();
    vspace_tests();
    device_tests(bi);
    thread_tests();
    process_tests();
    cspace_tests();
    mm_report(&parent);
    tests_done();
}
