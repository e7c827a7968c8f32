/*
 * System tests of the kernel's invariant checker itself (kernel/invariants.c,
 * arch/ia32/vspace_check.c), run through seL4_DebugCheckInvariants, which
 * returns 0 or the code of the first violation (<abi/invariant.h>).
 *
 * The checker reaches every capability through the derivation-tree lists.
 * Each thread's reply capability starts a list of its own; the checker once
 * kept them in a registry of 4096 entries and, past it, stopped checking
 * that every user mapping is recorded by a capability. Here more threads
 * than that are alive while a frame is mapped, unmapped by deleting its
 * capability, and mapped again: the check must still run (and a kernel
 * whose delete forgot the unmap must be caught, which is how this test was
 * seen to fail).
 */
#include <rt/rt.h>
#include <rt/test.h>
#include <sel4/sel4.h>
#include <abi/objtype.h>
#include <abi/invariant.h>
#include <systest.h>

static struct st_root mem;    /* what the tests allocate from */

#define ROOT_CNODE      seL4_CapInitThreadCNode
#define CPTR_DEPTH      seL4_WordBits
#define DEFAULT_ATTR    seL4_X86_Default_VMAttributes
/* More threads (so more reply lists) than the old registry's 4096 entries. */
#define MANY_THREADS    4200u
/* An untyped that holds them: 4200 * 2 KiB < 16 MiB. */
#define THREADS_UT_BITS 24u
/* Where the test maps its frame: far from the image and the runtime's area. */
#define TEST_VADDR      0x50000000u
#define PATTERN         0x5eed1234u

static void test_clean_after_boot(void)
{
    TEST_BEGIN("invariants/clean_after_boot");
    EXPECT_EQ(seL4_DebugCheckInvariants(), INV_NONE);
    TEST_END();
}

/* Retype `n` TCBs from `ut` into consecutive fresh slots; resuming a thread
 * gives it its master reply capability, which starts a derivation list (it
 * is suspended again at once: it has no VSpace to run in). */
static int make_threads(seL4_CPtr ut, seL4_Word n)
{
    seL4_CPtr first = st_slots(&mem, n);

    if (first == 0)
        return 0;
    for (seL4_Word done = 0; done < n;) {
        seL4_Word batch = n - done < RETYPE_FAN_OUT_LIMIT ? n - done : RETYPE_FAN_OUT_LIMIT;
        if (seL4_Untyped_Retype(ut, seL4_TCBObject, 0, ROOT_CNODE, 0, 0, first + done, batch) !=
            seL4_NoError)
            return 0;
        done += batch;
    }
    for (seL4_Word i = 0; i < n; i++) {
        if (seL4_TCB_Resume(first + i) != seL4_NoError || seL4_TCB_Suspend(first + i) != seL4_NoError)
            return 0;
    }
    return 1;
}

static void test_mappings_beyond_4096_lists(void)
{
    TEST_BEGIN("invariants/mappings_checked_beyond_4096_lists");
    seL4_CPtr ut = st_untyped(&mem, THREADS_UT_BITS, NULL);
    ASSERT_NE(ut, 0);
    ASSERT_EQ(make_threads(ut, MANY_THREADS), 1);

    seL4_CPtr frame = st_new_object(&mem, seL4_X86_4K);
    ASSERT_NE(frame, 0);
    ASSERT_OK(st_map_frame(&mem, frame, TEST_VADDR, seL4_ReadWrite, DEFAULT_ATTR));
    *(volatile seL4_Word *)TEST_VADDR = PATTERN;
    EXPECT_EQ(seL4_DebugCheckInvariants(), INV_NONE);
    /* Deleting the only cap to a mapped frame must unmap it. */
    ASSERT_OK(seL4_CNode_Delete(ROOT_CNODE, frame, CPTR_DEPTH));
    EXPECT_EQ(seL4_DebugCheckInvariants(), INV_NONE);

    ASSERT_OK(seL4_CNode_Revoke(ROOT_CNODE, ut, CPTR_DEPTH));
    EXPECT_EQ(seL4_DebugCheckInvariants(), INV_NONE);
    TEST_END();
}

int main(bootinfo_t *bi)
{
    st_root_init(&mem, bi);
    test_clean_after_boot();
    test_mappings_beyond_4096_lists();
    tests_done();
}
