/*
 * Revoke of a large derivation tree (issue 14): an untyped of 2 MiB retyped
 * into 131072 notifications, whose capabilities fill 32 CNodes of 4096
 * slots, then one Revoke of the untyped. A thread at the root's own
 * priority counts in a loop and notices each time it was switched out (a
 * jump in the time-stamp counter). The root's time slice runs out every
 * few timer ticks, so if the kernel takes the timer interrupt during the
 * revoke (a preemption point), the counter gets the processor several
 * times while the revoke is still in progress; if the revoke ran with
 * interrupts off to the end, at most once (when the pending tick is taken
 * on the way out).
 */
#include "capmodel.h"
#include <rt/test.h>
#include <rt/thread.h>
#include <sel4/sel4.h>
#include <stdio.h>
#include <systest.h>

#define ROOT            seL4_CapInitThreadCNode
#define DEPTH           seL4_WordBits
#define TREE_UT_BITS    21u
#define NODE_RADIX      12u
#define OBJS            ((seL4_Word)1 << (TREE_UT_BITS - seL4_NotificationBits))
#define NODES           (OBJS >> NODE_RADIX)
#define FANOUT          256u
#define ROOT_PRIO       255u
#define SWITCH_GAP      2000000ull    /* TSC ticks: far more than one loop iteration */
#define MIN_RUNS        2u

typedef struct ticker {
    volatile uint32_t in_revoke;
    volatile uint32_t runs;           /* times the counter was switched back in */
    volatile uint32_t runs_during;    /* ... while the revoke was in progress */
    volatile uint64_t count;
} ticker_t;

static ticker_t ticker;

static inline uint64_t rdtsc(void)
{
    uint32_t lo, hi;
    __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
    return ((uint64_t)hi << 32) | lo;
}

static void counter_main(void *arg)
{
    ticker_t *t = arg;
    uint64_t last = rdtsc();

    for (;;) {
        uint64_t now = rdtsc();
        if (now - last > SWITCH_GAP) {
            t->runs++;
            if (t->in_revoke)
                t->runs_during++;
        }
        last = now;
        t->count++;
    }
}

/* Retypes OBJS notifications from ut into NODES fresh CNodes; 0 on success. */
static int build_tree(seL4_CPtr ut, seL4_CPtr cn_ut, seL4_CPtr *nodes)
{
    for (seL4_Word i = 0; i < NODES; i++) {
        nodes[i] = st_slot(&mem);
        if (nodes[i] == 0 || seL4_Untyped_Retype(cn_ut, seL4_CapTableObject, NODE_RADIX, ROOT,
                                                 0, 0, nodes[i], 1) != seL4_NoError)
            return 1;
        for (seL4_Word off = 0; off < ((seL4_Word)1 << NODE_RADIX); off += FANOUT)
            if (seL4_Untyped_Retype(ut, seL4_NotificationObject, 0, ROOT, nodes[i], DEPTH, off,
                                    FANOUT) != seL4_NoError)
                return 2;
    }
    return 0;
}

void capmodel_big_revoke(void)
{
    seL4_CPtr ut, cn_ut, nodes[NODES];
    rt_thread_t counter;
    seL4_Error err;
    uint64_t t0, t1;

    TEST_BEGIN("capmodel/revoke_131072_caps_with_timer");
    ut = st_untyped(&mem, TREE_UT_BITS, NULL);
    cn_ut = st_untyped(&mem, TREE_UT_BITS, NULL);
    ASSERT_TRUE(ut != 0 && cn_ut != 0);
    ASSERT_EQ(build_tree(ut, cn_ut, nodes), 0);
    EXPECT_EQ(seL4_DebugCapIdentify(nodes[NODES - 1]), 10);
    ASSERT_OK(st_thread_create(&mem, &counter, ROOT_PRIO, 0));
    ASSERT_OK(rt_thread_start(&counter, counter_main, &ticker));
    seL4_Yield();                     /* the counter runs; we come back with a fresh slice */
    ticker.in_revoke = 1;
    t0 = rdtsc();
    err = seL4_CNode_Revoke(ROOT, ut, DEPTH);
    t1 = rdtsc();
    ticker.in_revoke = 0;
    seL4_TCB_Suspend(counter.tcb);
    EXPECT_OK(err);
    printf("capmodel: revoke of %u capabilities: %llu TSC ticks; counter switched in %u times "
           "during it (%u in all, %llu iterations)\n", OBJS, (unsigned long long)(t1 - t0),
           ticker.runs_during, ticker.runs, (unsigned long long)ticker.count);
    EXPECT_GE(ticker.runs_during, MIN_RUNS);
    /* The tree is gone: the untyped is whole again and the CNodes are empty. */
    EXPECT_ERR(seL4_Untyped_Retype(ut, seL4_UntypedObject, TREE_UT_BITS, ROOT, nodes[0], DEPTH,
                                   0, 2), seL4_NotEnoughMemory);
    EXPECT_EQ(seL4_GetMR(0), (seL4_Word)1 << TREE_UT_BITS);
    EXPECT_OK(seL4_CNode_Copy(nodes[0], 0, NODE_RADIX, ROOT, nodes[1], DEPTH, seL4_AllRights));
    EXPECT_OK(seL4_CNode_Delete(nodes[0], 0, NODE_RADIX));
    EXPECT_INVARIANTS();
    TEST_END();
}
