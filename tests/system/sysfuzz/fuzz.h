/*
 * The system-call fuzzer's shared state (tests/system/sysfuzz/).
 *
 * Two CSpaces keep the fuzz away from what supervises it:
 *
 *   the root CNode   belongs to the supervisor (the root thread) and the
 *                    watchdogs. No fuzz thread holds a capability to it, to
 *                    the root TCB, to the root task's IPC buffer or ASID
 *                    pool, or to the supervisor's endpoints other than the
 *                    badged fault and service capabilities below.
 *   the fuzz CSpace  what the actor and the storms run in (two levels, see
 *                    below). Its fixed slots (CS_*) hold capabilities to
 *                    their own TCBs, an idle TCB as priority authority,
 *                    copies of the ASID control and domain capabilities, the
 *                    IRQ and I/O port control capabilities themselves (seL4
 *                    cannot copy those), an ASID pool of the fuzz's own and
 *                    the badged endpoints they fault and ask for service
 *                    through. The arena, ARENA_SLOTS slots of the arena
 *                    CNode, and everything made from the arena's untypeds, is
 *                    what the fuzz may break.
 *
 * Threads:
 *
 *   supervisor  priority PRIO_SUPER. Receives on one endpoint every fault of
 *               the actor and the storms, the actor's service calls (reset
 *               the arena, done) and the watchdogs' calls (badge says which),
 *               and restarts a thread by configuring it from scratch
 *               (CSpace, VSpace, IPC buffer, priorities, TLS, registers), so
 *               nothing the fuzz did to its own TCB outlives a restart. A
 *               restart that fails is a failure of the run, never a retry.
 *   actor       makes the fuzz steps from a generator seeded by (seed, step)
 *               whose progress lives here, so a restarted actor carries on
 *               with the next step.
 *   storms      STORM_THREADS threads at the actor's priority that make IPC
 *               without pause (Call, ReplyRecv, Send, NBSend, Recv, NBRecv,
 *               Signal, Poll, Wait, Reply) between each other on the arena's
 *               first ARENA_IPC slots, with random lengths, capabilities and
 *               badges, while the actor deletes, revokes, re-mints and
 *               re-creates those objects and suspends or reconfigures the
 *               storms themselves. They also serve the workers' faults.
 *   workers     TCBs the actor makes from the arena and starts in page
 *               directories of its own where only the worker code
 *               (worker.S) and arena frames are mapped, at up to the
 *               actor's priority: random system calls and every kind of
 *               fault, until the arena goes.
 *   timer watchdog  priority PRIO_TIMER_WD, above every fuzz thread, woken
 *               by the PIT every WD_TICK_HZ-th of a second of (icount)
 *               time. If the actor or a storm made no progress for a while
 *               it asks the supervisor to restart it, so progress never
 *               depends on fuzz threads blocking or yielding.
 *   idle watchdog   priority PRIO_IDLE_WD: it runs only when every fuzz
 *               thread above it is blocked, and then asks the supervisor to
 *               restart the actor at once (the common way a step ends that
 *               blocked for good).
 *
 * The generator names a fixed slot only for the purpose it was put there
 * for: controls as listed by pick_control(), the thread capabilities only as
 * the invoked capability of op_self()'s TCB operations (nothing that writes
 * registers or the TLS base of a thread running the root task's code), never
 * the fault or service capabilities; and a fixed capability is an extra
 * capability (which a Call on an endpoint would hand out) only of an
 * invocation on a fixed capability, or if it is harmless to hand out
 * (A, CS_AUTHORITY, the controls). Whatever goes wrong inside the
 * fuzz CSpace, the supervisor's objects are out of reach.
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

/*
 * The fuzz CSpace has two levels. The top CNode F (2^FZ_CSPACE_BITS slots,
 * guard 0 of FZ_GUARD_BITS) holds the fixed slots CS_*; its slot
 * CS_ARENA_CNODE holds the arena CNode A (2^FZ_ARENA_BITS slots). So a
 * fuzz thread names fixed slot s by FZC(s) and arena slot i by
 * FZC(CS_ARENA_CNODE) + i. For CNode operations, receive paths and retypes
 * the fuzz uses the capability in A's slot AX_AROOT, a copy of A whose guard
 * makes FZC(CS_ARENA_CNODE) + i resolve with depth 32 (a CNode capability
 * in F itself could not be named: a lookup goes on through it). A is all
 * the fuzz can ever hand out as a CNode
 * (a libsel4 CNode or retype call on a slot that turns out to hold an
 * endpoint sends its root CNode argument as a capability), and nothing in A
 * leads back to F. No fuzz thread holds a capability to F.
 *
 * A's slots 0..ARENA_SLOTS-1 are the arena; AX_WORKER_CODE holds a copy of
 * the worker code frame, AX_AROOT the guarded copy of A (both harmless if
 * the fuzz gets at them; every arena reset puts them back); AX_BOGUS.. are
 * empty unless a raw invocation on A filled them.
 */
#define FZ_CSPACE_BITS  6u
#define FZ_ARENA_BITS   9u
#define FZ_GUARD_BITS   (seL4_WordBits - FZ_CSPACE_BITS - FZ_ARENA_BITS)
#define FZC(slot)       ((seL4_CPtr)(slot) << FZ_ARENA_BITS)
#define STORM_THREADS   8u
enum {
    CS_NULL = 0,
    CS_ARENA_CNODE,                   /* A, guard 0: the path to the arena slots */
    CS_SHARED_VSPACE,                 /* the root VSpace: only for op_self()'s SetSpace/Configure */
    CS_AUTHORITY,                     /* an idle TCB with MCP PRIO_ACTOR: priority authority */
    CS_ACTOR_TCB,
    CS_STORM_TCB0,                    /* STORM_THREADS of them */
    CS_IRQ_CONTROL = CS_STORM_TCB0 + STORM_THREADS,
    CS_IOPORT_CONTROL,                /* used only with ports in the harmless window */
    CS_ASID_CONTROL,
    CS_ASID_POOL,                     /* a pool of the fuzz's own */
    CS_DOMAIN,
    CS_SERVICE,                       /* badged endpoint: the actor calls the supervisor */
    CS_FAULT_ACTOR,
    CS_FAULT_STORM0,                  /* STORM_THREADS of them */
    CS_CHECK_NTFN = CS_FAULT_STORM0 + STORM_THREADS, /* the actor wakes the checker (cpu.c) */
    CS_SCRATCH,                       /* CS_SCRATCH .. CS_SCRATCH + 7 stay empty */
    CS_FIXED_END = CS_SCRATCH + 8,
};
_Static_assert(CS_FIXED_END <= (1u << FZ_CSPACE_BITS), "fixed slots fit the fuzz CSpace");

#define AX_WORKER_CODE  256u
#define AX_AROOT        257u
#define AX_BOGUS        384u

#define ARENA_SLOTS     256u
#define ARENA_IPC       24u           /* the storms' objects: the arena's first slots */
#define ARENA_HOT       8u            /* most storm IPC goes to the first few of them */
#define ARENA_UTS       4u            /* untypeds handed to the arena, after ARENA_IPC */

/* Where the actor maps the worker code in a worker's page directory. */
#define WORKER_VADDR    0x10000000u

#define PRIO_SUPER      250u
#define PRIO_TIMER_WD   245u
#define PRIO_PARTNER    202u          /* the modeller's receiver (oracle.c) */
#define PRIO_CHECKER    201u          /* runs as soon as the actor signals it (cpu.c) */
#define PRIO_ACTOR      200u          /* also the MCP of actor and storms */
#define PRIO_MODEL      200u          /* the modeller: time-sliced with the actor and storms */
#define PRIO_STORM      200u          /* same as the actor: time-sliced together */
#define PRIO_IDLE_WD    1u

/* The timer watchdog (PIT through the IOAPIC, as tests/system/pc99_irq does). */
#define WD_TICK_HZ      1000u
#define WD_ACTOR_TICKS  40u           /* actor without progress this long: restart */
#define WD_STORM_TICKS  80u           /* a storm without progress this long: restart */

/* Badges on the supervisor's endpoint: who is talking. */
#define BADGE_ACTOR     1u
#define BADGE_IDLE_WD   2u
#define BADGE_TIMER_WD  3u
#define BADGE_SERVICE   4u
#define BADGE_CHECKER   5u
#define BADGE_MODEL     6u
#define BADGE_PARTNER   7u
#define BADGE_STORM0    8u

/* Labels of the actor's service calls and the timer watchdog's calls. */
enum { SVC_RESET = 1, SVC_DONE, WD_ACTOR, WD_STORM, WD_DONE };

/* Outcome buckets of the histogram (0..10 are seL4_Error values). */
enum {
    OUT_ERR_LAST = seL4_NumErrors - 1,
    OUT_IPC = seL4_NumErrors,         /* invocation of an endpoint/notification/reply */
    OUT_SEND,                         /* Send/NBSend/Recv/...: no error to look at */
    OUT_FAULT,                        /* the actor faulted (e.g. invoked an empty slot) */
    OUT_STUCK,                        /* the actor blocked for good and was restarted */
    OUT_NUM,
};

/* What the storms did, by system call. */
enum {
    ST_CALL, ST_REPLY_RECV, ST_SEND, ST_NB_SEND, ST_RECV, ST_NB_RECV, ST_SIGNAL, ST_POLL,
    ST_WAIT, ST_REPLY, ST_YIELD, ST_MINT, ST_NUM,
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

/*
 * The CPU state a thread enters the kernel with (cpu.S, cpu.c). fz_cpu_enter()
 * loads the selectors, then the system-call registers, pops the flags and,
 * for FZ_ENTRY_ODD_ESP, loads ESP itself right before sysenter (ECX keeps
 * the real stack, which is all the sysenter ABI uses). On the way back it
 * records the flags, the selectors and (want_tls) the word at %gs:0 as the
 * kernel left them, then puts back the caller's selectors and clean flags.
 * The offsets are cpu.S's.
 */
enum { FZ_ENTRY_SYSENTER = 0, FZ_ENTRY_ODD_ESP = 1, FZ_ENTRY_INT80 = 2 };
typedef struct fz_cpu {
    seL4_Word eax, ebx, esi, edi, ebp;  /*  0: number; capability, info, MR0, MR1 (in and out) */
    seL4_Word ds, es, fs, gs;           /* 20: loaded before the entry */
    seL4_Word eflags;                   /* 36: popped right before it */
    seL4_Word esp;                      /* 40: ESP at sysenter for FZ_ENTRY_ODD_ESP */
    seL4_Word entry;                    /* 44: FZ_ENTRY_* */
    seL4_Word out_eax, out_eflags;      /* 48 */
    seL4_Word out_ds, out_es, out_fs, out_gs; /* 56: as the kernel left them */
    seL4_Word out_tls;                  /* 72: %gs:0 on return, if want_tls */
    seL4_Word want_tls;                 /* 76 */
} fz_cpu_t;
_Static_assert(sizeof(fz_cpu_t) == 80, "cpu.S offsets");

#include <eflags.h>

/* What the modeller's partner got (oracle.c). */
#define FZ_MSG_WORDS 4u
typedef struct fz_msg {
    volatile uint32_t seq;            /* messages received */
    seL4_Word info, badge, mr[FZ_MSG_WORDS], mr_last, cap_badge[2], received;
} fz_msg_t;

#ifndef SYSFUZZ_RELEASE
#define SYSFUZZ_RELEASE 0             /* 1: a kernel without the debug system calls */
#endif

typedef struct fz {
    /* Configuration, written by the supervisor before anything starts. */
    uint32_t seed;
    uint32_t steps;
    seL4_CPtr arena;                  /* FZC(CS_ARENA_CNODE): arena slot i is arena + i */

    /* The actor's progress; survives its restarts. */
    volatile uint32_t step;           /* next step to make */
    volatile uint32_t in_call;        /* 1 while the actor is inside a fuzz system call */
    volatile uint32_t done;
    volatile uint32_t invocations;
    volatile uint32_t checks;
    volatile uint32_t invariant_bad;  /* seL4_DebugCheckInvariants found something */
    volatile uint32_t resets;
    volatile uint32_t hist[OUT_NUM];
    volatile uint32_t by_label[64];   /* invocations per label (Call/Send) */
    volatile uint32_t self_ops;       /* TCB operations on the actor's and storms' own TCBs */
    volatile uint32_t maybe_bound;    /* bit 0 the actor, bit 1 + i storm i: BindNotification made */
    volatile uint32_t workers_started;

    /* The storms' generators, progress and counters. */
    fz_rng_t storm_rng[STORM_THREADS];
    volatile uint32_t storm_beat[STORM_THREADS];
    volatile uint32_t storm_ops;
    volatile uint32_t storm_by_op[ST_NUM];
    volatile uint32_t storm_msgs;     /* Recv/Call/ReplyRecv that came back with a message */
    volatile uint32_t storm_faults;
    volatile uint32_t storm_restarts;

    /* Watchdogs. */
    volatile uint32_t idle_wd_runs;
    volatile uint32_t timer_ticks;
    volatile uint32_t timer_actor;    /* actor restarts the timer watchdog asked for */

    /* CPU state (cpu.c): the actor's entries with odd state, the checker. */
    volatile uint32_t cpu_entries;    /* invocations made through fz_cpu_enter */
    volatile uint32_t cpu_tf, cpu_nt, cpu_odd_esp, cpu_odd_sel, cpu_int80;
    volatile uint32_t cpu_fpu_lost;   /* the actor's x87/SSE control words changed by a call */
    volatile uint32_t checks_cpu;     /* checker wake-ups checked */
    volatile uint32_t checker_bad;    /* checker wake-ups with a mismatch */
    volatile uint32_t checker_tls_moves;

    /* The oracles (oracle.c). */
    volatile uint32_t model_steps, model_checks, model_bad;
    volatile uint32_t model_hist[seL4_NumErrors];
    volatile uint32_t refused_digests, refused_bad, refused_rebuilds;
    volatile uint32_t msgs_sent, msgs_checked, msgs_bad;
    fz_msg_t msg;

    rt_thread_t actor_thread;
    rt_thread_t storm_thread[STORM_THREADS];
} fz_t;

/* actor.c */
void fz_actor_main(void *arg);
/* storm.c */
void fz_storm_main(void *arg);
/* A storm's index from its argument (storm_arg[i] points at fz and i). */
typedef struct fz_storm_arg {
    fz_t *f;
    unsigned index;
} fz_storm_arg_t;

/* cpu.S, cpu.c */
void fz_cpu_enter(fz_cpu_t *c);
void fz_cpu_pick(fz_t *f, fz_rng_t *r, fz_cpu_t *c);
void fz_cpu_call(fz_t *f, fz_rng_t *r, fz_cpu_t *c);
void fz_cpu_kick(fz_t *f, fz_rng_t *r);
void fz_cpu_ambient(fz_rng_t *r);
void fz_cpu_clean(void);
void fz_checker_main(void *arg);
/* The checker's notification (root CNode), its own TCB, and its second TLS block. */
typedef struct fz_checker_arg {
    fz_t *f;
    seL4_CPtr ntfn, tcb;
    seL4_CPtr model_go;               /* signalled every MODEL_EVERY checks (oracle.c) */
    void *tls_b;
} fz_checker_arg_t;

/* oracle.c: the modeller makes MODEL_BATCH steps every MODEL_EVERY actor steps, so
 * that it keeps pace with the actor and blocks when the actor does. */
#define MODEL_EVERY 2u
#define MODEL_BATCH 1u
void fz_model_main(void *arg);
void fz_partner_main(void *arg);

/* worker.S */
extern const uint8_t fz_worker_blob[], fz_worker_blob_end[];

#endif
