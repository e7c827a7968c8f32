/*
 * Threads from an explicit context (memmgr/thread.h): a thread made from
 * a child owner's memory, in the root task's address space and CSpace,
 * runs and is torn down with the accounting back to the start; and a
 * creation that runs out of memory part-way gives back everything it had
 * made.
 */
#include "memmgr_tests.h"
#include <memmgr/thread.h>
#include <string.h>

#define THREAD_VADDR    0x58000000u
#define THREAD_PRIO     100         /* the root task's: they take turns */
#define ROUNDS          1000
#define TOKEN           0x7468u

static struct child ct;
static volatile uint32_t seen;

static seL4_IPCBuffer *expected_ipc;

/* Proves its TLS block is set up: %gs:0x1c is its own IPC buffer. */
static void worker(void *arg)
{
    seen = seL4_GetIPCBuffer() == expected_ipc ? (uint32_t)(uintptr_t)arg : 1;
    for (;;)
        seL4_Yield();
}

static void runs_and_tears_down(void)
{
    struct mm_thread t;
    struct mm_vspace vs;
    struct mm_thread_env env;
    uint64_t free0;

    TEST_BEGIN("memmgr_thread_create_run_destroy");
    ASSERT_TRUE(child_make(&ct, 17, 256));
    mm_vspace_adopt(&ct.mm, &vs, seL4_CapInitThreadVSpace);
    env = (struct mm_thread_env){ .mm = &ct.mm, .vs = &vs, .local = 1, .cspace = ROOT,
                                  .authority = seL4_CapInitThreadTCB, .vaddr = THREAD_VADDR };
    free0 = mm_stats(&ct.mm)->free;
    seen = 0;
    ASSERT_EQ(mm_thread_create(&t, &env, THREAD_PRIO, 0), ERR_NONE);
    EXPECT_EQ(mm_stats(&ct.mm)->objects_live, 2 + RT_THREAD_STACK_PAGES + 1);
    expected_ipc = t.rt.ipc_buffer;
    EXPECT_EQ((uint32_t)(uintptr_t)expected_ipc, THREAD_VADDR + PAGE);
    ASSERT_OK(rt_thread_start(&t.rt, worker, (void *)TOKEN));
    for (int i = 0; i < ROUNDS && seen != TOKEN; i++)
        seL4_Yield();
    EXPECT_EQ(seen, TOKEN);
    mm_thread_destroy(&t);
    EXPECT_EQ(mm_stats(&ct.mm)->objects_live, 0);
    EXPECT_EQ(mm_vspace_pts(&vs), 0);
    mm_shrink(&ct.mm);
    EXPECT_EQ(mm_stats(&ct.mm)->free, free0);
    EXPECT_OK(mm_release_untyped(&ct.mm, ct.ut));
    child_done(&ct);
    EXPECT_INVARIANTS();
    TEST_END();
}

static void failure_gives_everything_back(void)
{
    struct mm_thread t;
    struct mm_vspace vs;
    struct mm_thread_env env;
    mm_err_t err = ERR_NONE;

    TEST_BEGIN("memmgr_thread_create_out_of_memory_cleans_up");
    /* 16 KiB: a page of TCBs, a slab of two frames, one page table; the
     * third of the thread's five frames does not fit. */
    ASSERT_TRUE(child_make(&ct, 14, 256));
    mm_vspace_adopt(&ct.mm, &vs, seL4_CapInitThreadVSpace);
    env = (struct mm_thread_env){ .mm = &ct.mm, .vs = &vs, .local = 1, .cspace = ROOT,
                                  .authority = seL4_CapInitThreadTCB, .vaddr = THREAD_VADDR };
    err = mm_thread_create(&t, &env, THREAD_PRIO, 0);
    EXPECT_ERR(err, seL4_NotEnoughMemory);
    EXPECT_EQ(mm_stats(&ct.mm)->objects_live, 0);
    EXPECT_EQ(mm_vspace_pts(&vs), 0);
    EXPECT_EQ(mm_vspace_lookup(&vs, THREAD_VADDR + 2 * PAGE), 0);
    mm_shrink(&ct.mm);
    EXPECT_EQ(mm_stats(&ct.mm)->free, 1u << 14);
    EXPECT_OK(mm_release_untyped(&ct.mm, ct.ut));
    child_done(&ct);
    EXPECT_INVARIANTS();
    TEST_END();
}

void thread_tests(void)
{
    runs_and_tears_down();
    failure_gives_everything_back();
}
