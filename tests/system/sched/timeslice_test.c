/*
 * Round robin on the timer (seL4 timerTick): a thread that runs through
 * its time slice (5 ticks of 2 ms) goes to the back of its priority's
 * queue, so threads of equal priority that never block share the CPU in
 * turn, and a lower-priority thread gets nothing while any of them is
 * runnable.
 *
 * The root task spins at the same priority as two counting threads; each
 * time it finds that both counters moved since it last looked, it has
 * been preempted and both others have had a slice: one round.
 */
#include "sched.h"
#include <systest.h>

#define ROUNDS      12
#define MAX_SPINS   (1u << 30)      /* gives up if the timer never preempts */
#define SPIN_PRIO   ROOT_PRIO
#define BELOW_PRIO  90
#define MAX_RATIO   3               /* equal shares, within a factor of 3 */

struct spin {
    volatile seL4_Word count;
    volatile int *stop;
};

static void spinner(void *arg)
{
    struct spin *s = arg;

    while (!*s->stop)
        s->count++;
}

static void test_round_robin(void)
{
    volatile int stop = 0;
    struct spin a = { 0, &stop }, b = { 0, &stop }, low = { 0, &stop };
    rt_thread_t ta, tb, tl;
    seL4_Word last_a, last_b, rounds = 0, spins;

    TEST_BEGIN("sched/timer_round_robin_shares_equal_priority");
    ASSERT_TRUE(st_spawn(&mem, &tl, BELOW_PRIO, 0, spinner, &low));
    ASSERT_TRUE(st_spawn(&mem, &ta, SPIN_PRIO, 0, spinner, &a));
    ASSERT_TRUE(st_spawn(&mem, &tb, SPIN_PRIO, 0, spinner, &b));
    last_a = a.count;
    last_b = b.count;
    for (spins = 0; rounds < ROUNDS && spins < MAX_SPINS; spins++) {
        if (a.count != last_a && b.count != last_b) {
            rounds++;
            last_a = a.count;
            last_b = b.count;
        }
    }
    stop = 1;
    seL4_Word ca = a.count, cb = b.count, cl = low.count;
    EXPECT_EQ(rounds, ROUNDS);
    EXPECT_GT(ca, 0);
    EXPECT_GT(cb, 0);
    EXPECT_LT(ca, cb * MAX_RATIO);
    EXPECT_LT(cb, ca * MAX_RATIO);
    EXPECT_EQ(cl, 0);                               /* starved while we spun */
    st_reap(&ta);
    st_reap(&tb);
    st_reap(&tl);
    EXPECT_INVARIANTS();
    TEST_END();
}

void sched_timeslice_tests(void)
{
    test_round_robin();
}
