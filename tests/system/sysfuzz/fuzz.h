/*
 * The system-call fuzzer's shared state (tests/system/sysfuzz/).
 *
 * Four kinds of thread share one address space and one CSpace (the root
 * CNode):
 *
 *   supervisor  the root thread, highest priority. It receives every fault
 *               of the others on one endpoint (badge names the thread) and
 *               restarts the thread that faulted.
 *   actor       makes the fuzz invocations, one "step" at a time, from a
 *               seeded generator whose state lives here, so a restarted
 *               actor carries on with the next step.
 *   storms      STORM_THREADS threads that, when the actor kicks them, make
 *               a burst of IPC (Send, Call, Recv, Reply, ...) on the first
 *               ARENA_IPC slots of the arena, where the actor keeps making
 *               and deleting endpoints and notifications.
 *   watchdog    the lowest priority: it runs only when every other thread
 *               is blocked, and then Calls the supervisor, who restarts the
 *               actor if it is stuck (blocked on an endpoint nobody serves).
 *
 * Everything the fuzz may break lives in the arena: ARENA_SLOTS slots of the
 * root CNode and whatever objects and CNodes are made from the arena's
 * untypeds. The generator never names a root-CNode slot outside the arena
 * as a destination or an invoked capability except the harmless ones listed
 * in fz_pick_service(), so the threads' own TCBs, CSpace, VSpace and stacks
 * survive any sequence.
 */
#ifndef SYSFUZZ_FUZZ_H
#define SYSFUZZ_FUZZ_H

#include <sel4/sel4.h>
#include <rt/thread.h>
#include <stdint.h>

#ifndef SYSFUZZ_SEED
#define SYSFUZZ_SEED 1u
#endif
#ifndef SYSFUZZ_STEPS
#define SYSFUZZ_STEPS 4000u           /* the bounded run of `make test` */
#endif
#ifndef SYSFUZZ_CHECK_EVERY
#define SYSFUZZ_CHECK_EVERY 64u       /* kernel invariant check period, in steps */
#endif
#ifndef SYSFUZZ_RESET_EVERY
#define SYSFUZZ_RESET_EVERY 3000u     /* revoke the arena's untypeds this often */
#endif

#ifndef SYSFUZZ_PROGRESS_EVERY
#define SYSFUZZ_PROGRESS_EVERY 10000u /* the actor prints its progress this often */
#endif

#define ARENA_SLOTS     256u
#define ARENA_IPC       24u           /* the storms' slots: the arena's first ones */
#define ARENA_UTS       4u            /* untypeds handed to the arena */
#define STORM_THREADS   8u
#define STORM_BURST     12u           /* IPC operations per kick */

#define PRIO_SUPER      250u
#define PRIO_ACTOR      200u
#define PRIO_STORM      200u          /* same as the actor: time-sliced together */
#define PRIO_WATCHDOG   1u

/* Fault-endpoint badges: which thread sent the fault. */
#define BADGE_ACTOR     1u
#define BADGE_WATCHDOG  2u
#define BADGE_STORM0    8u

/* Outcome buckets of the histogram (0..10 are seL4_Error values). */
enum {
    OUT_ERR_LAST = seL4_NumErrors - 1,
    OUT_IPC = seL4_NumErrors,         /* invocation of an endpoint/notification/reply */
    OUT_SEND,                         /* Send/NBSend: no reply to look at */
    OUT_FAULT,                        /* the actor faulted (e.g. invoked an empty slot) */
    OUT_STUCK,                        /* the actor blocked for good and was restarted */
    OUT_NUM,
};

typedef struct fz_rng {
    uint64_t s;
} fz_rng_t;

/* splitmix64: small, fast, and every seed is a good one. */
static inline uint64_t fz_next(fz_rng_t *r)
{
    uint64_t z = (r->s += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

static inline seL4_Word fz_word(fz_rng_t *r)
{
    return (seL4_Word)(fz_next(r) >> 32);
}

/* Uniform enough in [0, n) for n well below 2^32. */
static inline seL4_Word fz_below(fz_rng_t *r, seL4_Word n)
{
    return n == 0 ? 0 : (seL4_Word)(((fz_next(r) >> 32) * (uint64_t)n) >> 32);
}

static inline int fz_chance(fz_rng_t *r, unsigned percent)
{
    return fz_below(r, 100) < percent;
}

typedef struct fz {
    /* Configuration, written by the supervisor before anything starts. */
    uint32_t seed;
    uint32_t steps;
    seL4_CPtr arena;                  /* first arena slot in the root CNode */
    seL4_CPtr ut_parent[ARENA_UTS];   /* protected parents of the arena untypeds */
    seL4_Word ut_bits[ARENA_UTS];
    seL4_CPtr kick[STORM_THREADS];    /* storms wait on these */
    seL4_CPtr scratch;                /* protected empty slot the generator may name */

    seL4_CPtr fault_ep;               /* supervisor receives on it */
    seL4_CPtr actor_fault;            /* badged copies the threads fault through */
    seL4_CPtr storm_fault[STORM_THREADS];
    seL4_CPtr wd_ep;                  /* the watchdog Calls this (badge BADGE_WATCHDOG) */

    /* The actor's progress; survives its restarts. */
    volatile uint32_t step;           /* next step to make */
    volatile uint32_t in_call;        /* 1 while the actor is inside a fuzz system call */
    volatile uint32_t done;
    volatile uint32_t invocations;
    volatile uint32_t checks;
    volatile uint32_t resets;
    volatile uint32_t hist[OUT_NUM];
    volatile uint32_t by_label[64];   /* invocations per label (Call/Send) */

    /* The storms' own generators and counters. */
    fz_rng_t storm_rng[STORM_THREADS];
    volatile uint32_t storm_ops;
    volatile uint32_t storm_faults;
    volatile uint32_t watchdog_runs;

    rt_thread_t actor_thread;
    rt_thread_t storm_thread[STORM_THREADS];
    rt_thread_t watchdog_thread;
} fz_t;

/* actor.c */
void fz_actor_main(void *arg);
/* Revokes the arena untypeds, empties the arena and seeds it again. */
void fz_arena_reset(fz_t *f);
/* storm.c */
void fz_storm_main(void *arg);
void fz_watchdog_main(void *arg);
/* A storm's index from its argument (storm_arg[i] points at fz and i). */
typedef struct fz_storm_arg {
    fz_t *f;
    unsigned index;
} fz_storm_arg_t;

#endif
