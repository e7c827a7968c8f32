/*
 * The system-call fuzzer's root task: the supervisor (fuzz.h). It builds
 * the arena, starts the actor, the storms and the watchdog, restarts
 * whichever faults or gets stuck, and when the actor has made its steps,
 * revokes everything the fuzz built, checks the kernel's invariants and
 * prints the seed and the outcome histogram:
 *
 *     sysfuzz: seed 1 steps 4000 invocations 9876 checks 63 resets 1
 *     sysfuzz: outcome NoError 1234
 *     ...
 *     TEST sysfuzz/run PASS
 *
 * Seed and step count are build-time defines (SYSFUZZ_SEED, SYSFUZZ_STEPS);
 * `make fuzz-sys SEED=... STEPS=...` builds and boots other ones
 * (mk/sysfuzz.mk, docs/fuzzing.md). regress.c holds the regression tests of
 * the kernel bugs the fuzzer found; they run first.
 */
#include "fuzz.h"
#include "regress.h"
#include <rt/rt.h>
#include <rt/alloc.h>
#include <rt/test.h>
#include <rt/thread.h>
#include <sel4/sel4.h>
#include <stdio.h>
#include <string.h>

#define ROOT  seL4_CapInitThreadCNode
#define DEPTH seL4_WordBits

static const char *const out_name[OUT_NUM] = {
    "NoError", "InvalidArgument", "InvalidCapability", "IllegalOperation", "RangeError",
    "AlignmentError", "FailedLookup", "TruncatedMessage", "DeleteFirst", "RevokeFirst",
    "NotEnoughMemory", "ipc-reply", "send/recv/other", "fault", "stuck",
};

/* Untyped sizes handed to the arena; the last also seeds the storms' endpoints. */
static const seL4_Word arena_ut_bits[ARENA_UTS] = { 22, 20, 18, 14 };

static fz_t fz;
static fz_storm_arg_t storm_args[STORM_THREADS];

static seL4_CPtr mint_badged(seL4_CPtr ep, seL4_Word badge)
{
    seL4_CPtr s = rt_alloc_slot();
    if (s == 0 || seL4_CNode_Mint(ROOT, s, DEPTH, ROOT, ep, DEPTH, seL4_AllRights, badge) != 0)
        return 0;
    return s;
}

/* Slots, untypeds and endpoints; 0 on success. */
static int setup_arena(fz_t *f)
{
    rt_alloc_t *a = rt_default_alloc();

    f->seed = SYSFUZZ_SEED;
    f->steps = SYSFUZZ_STEPS;
    f->scratch = rt_alloc_slot();
    f->arena = rt_alloc_slot();
    for (seL4_Word i = 1; i < ARENA_SLOTS; i++)
        if (rt_alloc_slot() != f->arena + i)
            return 1;
    for (unsigned i = 0; i < ARENA_UTS; i++) {
        f->ut_bits[i] = arena_ut_bits[i];
        f->ut_parent[i] = rt_alloc_reserve_untyped(a, arena_ut_bits[i], NULL);
        if (f->ut_parent[i] == 0)
            return 2;
    }
    f->fault_ep = rt_alloc_object(seL4_EndpointObject, 0);
    f->actor_fault = mint_badged(f->fault_ep, BADGE_ACTOR);
    f->wd_ep = mint_badged(f->fault_ep, BADGE_WATCHDOG);
    if (f->fault_ep == 0 || f->actor_fault == 0 || f->wd_ep == 0)
        return 3;
    for (unsigned i = 0; i < STORM_THREADS; i++) {
        f->kick[i] = rt_alloc_object(seL4_NotificationObject, 0);
        f->storm_fault[i] = mint_badged(f->fault_ep, BADGE_STORM0 + i);
        f->storm_rng[i].s = ((uint64_t)f->seed << 32) ^ (0x5bd1e995u * (i + 1));
        if (f->kick[i] == 0 || f->storm_fault[i] == 0)
            return 4;
    }
    fz_arena_reset(f);
    return 0;
}

static int start_threads(fz_t *f)
{
    if (rt_thread_create(&f->actor_thread, PRIO_ACTOR, f->actor_fault) != 0 ||
        rt_thread_create(&f->watchdog_thread, PRIO_WATCHDOG, f->wd_ep) != 0)
        return 1;
    for (unsigned i = 0; i < STORM_THREADS; i++) {
        storm_args[i].f = f;
        storm_args[i].index = i;
        if (rt_thread_create(&f->storm_thread[i], PRIO_STORM, f->storm_fault[i]) != 0 ||
            rt_thread_start(&f->storm_thread[i], fz_storm_main, &storm_args[i]) != 0)
            return 2;
    }
    if (rt_thread_start(&f->watchdog_thread, fz_watchdog_main, f) != 0 ||
        rt_thread_start(&f->actor_thread, fz_actor_main, f) != 0)
        return 3;
    return 0;
}

/* 0 on success; a failure is reported once, with the scheduler's state. */
static int restart(rt_thread_t *t, rt_thread_fn_t fn, void *arg)
{
    seL4_Error e1 = seL4_TCB_Suspend(t->tcb), e2 = rt_thread_start(t, fn, arg);

    if (e1 == seL4_NoError && e2 == seL4_NoError)
        return 0;
    printf("sysfuzz: restart of TCB %u failed: Suspend %s, WriteRegisters %s (MR0 %u); "
           "IPC buffer %p tag %u\n", t->tcb, rt_error_name(e1), rt_error_name(e2),
           seL4_GetMR(0), (void *)seL4_GetIPCBuffer(),
           seL4_DebugCapIdentify(seL4_CapInitThreadIPCBuffer));
    seL4_DebugDumpScheduler();
    return 1;
}

/* Serves faults and the watchdog until the actor is done. */
static void supervise(fz_t *f)
{
    for (;;) {
        seL4_Word badge = 0;
        seL4_MessageInfo_t info = seL4_Recv(f->fault_ep, &badge);

        (void)info;
        if (badge == BADGE_WATCHDOG) {
            if (f->done)
                return;
            f->hist[OUT_STUCK]++;
            f->in_call = 0;
            if (restart(&f->actor_thread, fz_actor_main, f))
                return;
            seL4_Reply(seL4_MessageInfo_new(0, 0, 0, 0));
        } else if (badge == BADGE_ACTOR) {
            f->hist[OUT_FAULT]++;
            f->in_call = 0;
            if (restart(&f->actor_thread, fz_actor_main, f))
                return;
        } else if (badge >= BADGE_STORM0 && badge < BADGE_STORM0 + STORM_THREADS) {
            unsigned i = badge - BADGE_STORM0;
            f->storm_faults++;
            if (restart(&f->storm_thread[i], fz_storm_main, &storm_args[i]))
                return;
        }
    }
}

static void report(fz_t *f)
{
    uint32_t sum = 0;

    printf("sysfuzz: seed %u steps %u invocations %u checks %u resets %u\n", f->seed, f->steps,
           f->invocations, f->checks, f->resets);
    printf("sysfuzz: storms %u ipc ops, %u faults; watchdog ran %u times\n", f->storm_ops,
           f->storm_faults, f->watchdog_runs);
    for (unsigned i = 0; i < OUT_NUM; i++) {
        printf("sysfuzz: outcome %-18s %u\n", out_name[i], f->hist[i]);
        sum += f->hist[i];
    }
    printf("sysfuzz: labels");
    for (unsigned i = 0; i < 64; i++)
        if (f->by_label[i])
            printf(" %u:%u", i, f->by_label[i]);
    printf("\n");
    if (sum != f->invocations)
        printf("sysfuzz: note: %u outcomes for %u invocations\n", sum, f->invocations);
}

static void run_fuzz(void)
{
    fz_t *f = &fz;
    int err;

    TEST_BEGIN("sysfuzz/run");
    err = setup_arena(f);
    if (err != 0) {
        rt_test_fail(__FILE__, __LINE__, "arena setup failed (%d)", err);
        TEST_END();
        return;
    }
    printf("sysfuzz: seed %u steps %u (rebuild with make fuzz-sys SEED=%u STEPS=%u)\n",
           f->seed, f->steps, f->seed, f->steps);
    err = start_threads(f);
    ASSERT_EQ(err, 0);
    supervise(f);
    /* Everything the fuzz built goes; the storms then wait on their kicks or fault. */
    fz_arena_reset(f);
    for (unsigned i = 0; i < STORM_THREADS; i++)
        seL4_TCB_Suspend(f->storm_thread[i].tcb);
    seL4_TCB_Suspend(f->watchdog_thread.tcb);
    EXPECT_EQ(seL4_DebugCheckInvariants(), 0);
    report(f);
    EXPECT_EQ(f->step, f->steps);
    EXPECT_GT(f->invocations, f->steps);
    TEST_END();
}

int main(bootinfo_t *bi)
{
    (void)bi;
    sysfuzz_regressions();
    run_fuzz();
    tests_done();
}
