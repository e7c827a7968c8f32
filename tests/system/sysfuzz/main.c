/*
 * The system-call fuzzer's root task: the supervisor and the watchdogs
 * (fuzz.h). It builds the fuzz CSpace and the arena, starts the actor, the
 * storms and the watchdogs, restarts whichever thread faults or gets stuck
 * (configuring it from scratch), resets the arena when the actor asks, and
 * when the actor has made its steps, revokes everything the fuzz built,
 * checks the kernel's invariants and prints the seed and the outcomes:
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
 *
 * Everything the supervisor does is an invocation that cannot fail on a
 * correct kernel: if one fails, the run fails with the error, instead of
 * going on (or spinning) with a thread it could not restart.
 */
#include "fuzz.h"
#include "oracle.h"
#include "regress.h"
#include <rt/rt.h>
#include <rt/test.h>
#include <rt/thread.h>
#include <rt/tls.h>
#include <sel4/sel4.h>
#include <stdio.h>
#include <string.h>
#include <systest.h>

static struct st_root mem;    /* what the tests allocate from */

#define ROOT  seL4_CapInitThreadCNode
#define DEPTH seL4_WordBits
/* A fixed slot s of the fuzz CSpace, named from its top CNode: (sv.cspace, s, FIXED_DEPTH). */
#define FIXED_DEPTH (FZ_GUARD_BITS + FZ_CSPACE_BITS)

/* 8254 PIT channel 0 through IOAPIC pin 2 (QEMU's override of ISA IRQ 0). */
#define PIT_CH0         0x40u
#define PIT_CMD         0x43u
#define PIT_HZ          1193182u
#define PIT_MODE2       0x34u        /* ch0, lo/hi byte, rate generator */
#define PIT_PIN         2u
#define PIT_VECTOR      5u

static const char *const out_name[OUT_NUM] = {
    "NoError", "InvalidArgument", "InvalidCapability", "IllegalOperation", "RangeError",
    "AlignmentError", "FailedLookup", "TruncatedMessage", "DeleteFirst", "RevokeFirst",
    "NotEnoughMemory", "ipc-reply", "send/recv/other", "fault", "stuck",
};

static const char *const storm_op_name[ST_NUM] = {
    "Call", "ReplyRecv", "Send", "NBSend", "Recv", "NBRecv", "Signal", "Poll", "Wait", "Reply",
    "Yield", "Mint",
};

/* Untyped sizes handed to the arena. */
static const seL4_Word arena_ut_bits[ARENA_UTS] = { 22, 20, 18, 14 };

static fz_t fz;
static fz_storm_arg_t storm_args[STORM_THREADS];
static fz_checker_arg_t checker_arg;
/* The checker's second TLS block (cpu.c moves its TLS base between two). */
static uint8_t checker_tls_b[512] __attribute__((aligned(64)));

/* The supervisor's own capabilities, all in the root CNode. */
static struct {
    seL4_CPtr cspace;                 /* the fuzz CSpace's top CNode F, guard set */
    seL4_CPtr arena;                  /* the arena CNode A, guard as in AX_AROOT */
    seL4_CPtr auth;                   /* the idle TCB in CS_AUTHORITY */
    seL4_CPtr worker_frame;           /* mapped at worker_page */
    seL4_CPtr ep;                     /* everything the supervisor hears comes here */
    seL4_CPtr idle_wd_ep, timer_wd_ep;
    seL4_CPtr ut_parent[ARENA_UTS];
    seL4_CPtr storm_ut;               /* the storms' objects come from here */
    seL4_CPtr pit_port, pit_irq, pit_ntfn;
    seL4_CPtr tmp;                    /* empty slot for checking fuzz CSpace slots */
    void *worker_page;
    rt_thread_t idle_wd, timer_wd;
    rt_thread_t checker;
    rt_thread_t modeller, partner;
    seL4_CPtr model_cs;               /* the modeller's CNode M, guarded (oracle.h) */
    seL4_CPtr model_go;               /* the checker wakes the modeller with it */
    seL4_CPtr check_ntfn;             /* the actor signals it after every step */
    uint32_t idle_seen[STORM_THREADS];
    uint32_t fixed_lost;              /* fixed fuzz slots found changed */
    int failed;
} sv;

/* ---- failures ---- */

static int fail(const char *what, seL4_Word arg, seL4_Error e)
{
    if (!sv.failed)
        printf("sysfuzz: FAILED: %s (%u): %s\n", what, arg, rt_error_name(e));
    sv.failed = 1;
    return 1;
}

#define TRY(what, arg, expr)                                                   \
    do {                                                                       \
        seL4_Error e_ = (expr);                                                \
        if (e_ != seL4_NoError)                                                \
            return fail((what), (arg), e_);                                    \
    } while (0)

/* ---- the fuzz CSpace ---- */

static int fz_copy(seL4_Word dst, seL4_CPtr src)
{
    TRY("copy into the fuzz CSpace", dst,
        seL4_CNode_Copy(sv.cspace, dst, FIXED_DEPTH, ROOT, src, DEPTH, seL4_AllRights));
    return 0;
}

static int fz_mint(seL4_Word dst, seL4_CPtr src, seL4_Word badge)
{
    TRY("mint into the fuzz CSpace", dst,
        seL4_CNode_Mint(sv.cspace, dst, FIXED_DEPTH, ROOT, src, DEPTH, seL4_AllRights, badge));
    return 0;
}

static int fz_move(seL4_Word dst, seL4_CPtr src)
{
    TRY("move into the fuzz CSpace", dst,
        seL4_CNode_Move(sv.cspace, dst, FIXED_DEPTH, ROOT, src, DEPTH));
    return 0;
}

/* What a fixed slot must hold (seL4_DebugCapIdentify tags; 0: not checked,
 * as the IRQ and I/O port controls, which cannot be copied to look at). */
static seL4_Word fixed_tag(seL4_Word slot)
{
    if (slot == CS_ARENA_CNODE) return 0x0a;
    if (slot == CS_SHARED_VSPACE) return 0x05;
    if (slot == CS_AUTHORITY) return 0x0c;
    if (slot == CS_ACTOR_TCB || (slot >= CS_STORM_TCB0 && slot < CS_STORM_TCB0 + STORM_THREADS))
        return 0x0c;
    if (slot == CS_ASID_CONTROL) return 0x09;
    if (slot == CS_ASID_POOL) return 0x0b;
    if (slot == CS_DOMAIN) return 0x3e;
    if (slot == CS_CHECK_NTFN) return 0x06;
    if (slot == CS_SERVICE || slot == CS_FAULT_ACTOR ||
        (slot >= CS_FAULT_STORM0 && slot < CS_FAULT_STORM0 + STORM_THREADS))
        return 0x04;
    return 0;
}

/* The copyable fixed slots still hold what they held, and the scratch ones
 * are empty: the fuzz never names them, so a change is a failure. */
static void check_fixed(void)
{
    for (seL4_Word s = CS_ARENA_CNODE; s < CS_FIXED_END; s++) {
        seL4_Word want = s >= CS_SCRATCH ? 0 : fixed_tag(s), got = 0;
        if (s < CS_SCRATCH && want == 0)
            continue;
        if (seL4_CNode_Copy(ROOT, sv.tmp, DEPTH, sv.cspace, s, FIXED_DEPTH, seL4_AllRights) == 0) {
            /* A release kernel cannot say what it is, only that it is there. */
            got = SYSFUZZ_RELEASE ? want : seL4_DebugCapIdentify(sv.tmp);
            seL4_CNode_Delete(ROOT, sv.tmp, DEPTH);
        }
        if (got != want) {
            if (sv.fixed_lost++ == 0)
                printf("sysfuzz: fixed fuzz slot %u holds tag %u, not %u\n", s, got, want);
        }
    }
}

/* ---- the arena ---- */

/* Revokes everything made from the arena's untypeds, empties the arena and
 * seeds it again: untypeds after the first ARENA_IPC slots, endpoints
 * (even) and notifications (odd) in those, made from an untyped of the
 * supervisor's. Refreshes the worker code and the authority's MCP and, once
 * the threads exist, checks the fixed slots. */
static int arena_reset(fz_t *f)
{
    static const seL4_Word seed_types[] = { seL4_EndpointObject, seL4_NotificationObject };

    for (unsigned i = 0; i < ARENA_UTS; i++)
        TRY("revoke of an arena untyped", i, seL4_CNode_Revoke(ROOT, sv.ut_parent[i], DEPTH));
    for (seL4_Word i = 0; i < (1u << FZ_ARENA_BITS); i++)
        TRY("delete of an arena slot", i, seL4_CNode_Delete(sv.arena, f->arena + i, DEPTH));
    for (unsigned i = 0; i < ARENA_UTS; i++)
        TRY("retype of an arena untyped", i,
            seL4_Untyped_Retype(sv.ut_parent[i], seL4_UntypedObject, arena_ut_bits[i],
                                sv.arena, 0, 0, ARENA_IPC + i, 1));
    TRY("revoke of the storm untyped", 0, seL4_CNode_Revoke(ROOT, sv.storm_ut, DEPTH));
    for (unsigned i = 0; i < ARENA_IPC; i++)
        TRY("retype of a storm object", i,
            seL4_Untyped_Retype(sv.storm_ut, seed_types[i % 2], 0, sv.arena, 0, 0, i, 1));
    TRY("guarded arena CNode in itself", 0,
        seL4_CNode_Copy(sv.arena, f->arena + AX_AROOT, DEPTH, ROOT, sv.arena, DEPTH,
                        seL4_AllRights));
    TRY("worker code in the arena CNode", 0,
        seL4_CNode_Copy(sv.arena, f->arena + AX_WORKER_CODE, DEPTH, ROOT, sv.worker_frame, DEPTH,
                        seL4_AllRights));
    TRY("MCP of the authority", 0,
        seL4_TCB_SetMCPriority(sv.auth, seL4_CapInitThreadTCB, PRIO_ACTOR));
    memcpy(sv.worker_page, fz_worker_blob, (size_t)(fz_worker_blob_end - fz_worker_blob));
    if (f->actor_thread.tcb != 0)
        check_fixed();
    f->resets++;
    return 0;
}

/* ---- setup ---- */

static seL4_CPtr new_slot(void)
{
    return st_slot(&mem);
}

static seL4_CPtr mint_root(seL4_CPtr ep, seL4_Word badge)
{
    seL4_CPtr s = new_slot();
    if (s == 0 || seL4_CNode_Mint(ROOT, s, DEPTH, ROOT, ep, DEPTH, seL4_AllRights, badge) != 0)
        return 0;
    return s;
}

static void pit_out(seL4_Word port, seL4_Word value)
{
    seL4_X86_IOPort_Out8(sv.pit_port, port, value);
}

/* The PIT interrupts WD_TICK_HZ times a second into sv.pit_ntfn. */
static int setup_timer(void)
{
    seL4_Word count = PIT_HZ / WD_TICK_HZ;

    sv.pit_port = new_slot();
    sv.pit_irq = new_slot();
    sv.pit_ntfn = st_new_object(&mem, seL4_NotificationObject);
    if (sv.pit_port == 0 || sv.pit_irq == 0 || sv.pit_ntfn == 0)
        return fail("timer slots", 0, seL4_NotEnoughMemory);
    TRY("PIT ports", PIT_CH0, seL4_X86_IOPortControl_Issue(seL4_CapIOPortControl, PIT_CH0, PIT_CMD,
                                                          ROOT, sv.pit_port, DEPTH));
    TRY("PIT interrupt", PIT_PIN, seL4_IRQControl_GetIOAPIC(seL4_CapIRQControl, ROOT, sv.pit_irq,
                                                           DEPTH, 0, PIT_PIN, 0, 0, PIT_VECTOR));
    TRY("PIT notification", 0, seL4_IRQHandler_SetNotification(sv.pit_irq, sv.pit_ntfn));
    TRY("PIT ack", 0, seL4_IRQHandler_Ack(sv.pit_irq));
    pit_out(PIT_CMD, PIT_MODE2);
    pit_out(PIT_CH0, count & 0xff);
    pit_out(PIT_CH0, (count >> 8) & 0xff);
    return 0;
}

static int setup(fz_t *f)
{
    seL4_CPtr cnode, acnode, pool, pool_ut;

    f->seed = SYSFUZZ_SEED;
    f->steps = SYSFUZZ_STEPS;
    f->arena = FZC(CS_ARENA_CNODE);
    for (unsigned i = 0; i < STORM_THREADS; i++)
        f->storm_rng[i].s = ((uint64_t)f->seed << 32) ^ (0x5bd1e995u * (i + 1));

    /* The fuzz CSpace: F with a guard, A (the arena CNode) below it. */
    cnode = st_new_cnode(&mem, FZ_CSPACE_BITS);
    acnode = st_new_cnode(&mem, FZ_ARENA_BITS);
    sv.auth = st_new_object(&mem, seL4_TCBObject);
    sv.cspace = new_slot();
    sv.arena = new_slot();
    sv.tmp = new_slot();
    sv.ep = st_new_object(&mem, seL4_EndpointObject);
    if (cnode == 0 || acnode == 0 || sv.auth == 0 || sv.cspace == 0 || sv.arena == 0 ||
        sv.tmp == 0 || sv.ep == 0)
        return fail("fuzz CSpace objects", 0, mem.last_error);
    TRY("fuzz CSpace guard", 0,
        seL4_CNode_Mint(ROOT, sv.cspace, DEPTH, ROOT, cnode, DEPTH, seL4_AllRights,
                        seL4_CNode_CapData_new(0, FZ_GUARD_BITS).words[0]));
    TRY("arena CNode guard", 0,
        seL4_CNode_Mint(ROOT, sv.arena, DEPTH, ROOT, acnode, DEPTH, seL4_AllRights,
                        seL4_CNode_CapData_new(CS_ARENA_CNODE,
                                               FZ_GUARD_BITS + FZ_CSPACE_BITS).words[0]));
    sv.idle_wd_ep = mint_root(sv.ep, BADGE_IDLE_WD);
    sv.timer_wd_ep = mint_root(sv.ep, BADGE_TIMER_WD);
    if (sv.idle_wd_ep == 0 || sv.timer_wd_ep == 0)
        return fail("watchdog endpoints", 0, seL4_NotEnoughMemory);

    /* Arena untypeds, kept by the supervisor as parents of the arena's. */
    for (unsigned i = 0; i < ARENA_UTS; i++) {
        sv.ut_parent[i] = st_untyped(&mem, arena_ut_bits[i], NULL);
        if (sv.ut_parent[i] == 0)
            return fail("arena untyped", arena_ut_bits[i], seL4_NotEnoughMemory);
    }
    sv.storm_ut = st_untyped(&mem, seL4_PageBits, NULL);
    if (sv.storm_ut == 0)
        return fail("storm untyped", 0, mem.last_error);

    /* An ASID pool of the fuzz's own, and the worker code frame. */
    pool_ut = st_untyped(&mem, seL4_PageBits, NULL);
    pool = new_slot();
    sv.worker_page = st_pages(&mem, 1, &sv.worker_frame);
    if (pool_ut == 0 || pool == 0 || sv.worker_page == NULL)
        return fail("pool and worker page", 0, mem.last_error);
    TRY("ASID pool", 0, seL4_X86_ASIDControl_MakePool(seL4_CapASIDControl, pool_ut, ROOT, pool,
                                                      DEPTH));
    if ((seL4_Word)(fz_worker_blob_end - fz_worker_blob) > ((seL4_Word)1 << seL4_PageBits))
        return fail("worker code size", 0, seL4_RangeError);

    if (setup_timer())
        return 1;

    /* The fixed slots. */
    if (fz_copy(CS_ARENA_CNODE, acnode) ||
        fz_copy(CS_SHARED_VSPACE, seL4_CapInitThreadVSpace) || fz_copy(CS_AUTHORITY, sv.auth) ||
        fz_copy(CS_ASID_CONTROL, seL4_CapASIDControl) || fz_copy(CS_ASID_POOL, pool) ||
        fz_copy(CS_DOMAIN, seL4_CapDomain) ||
        fz_mint(CS_SERVICE, sv.ep, BADGE_SERVICE) || fz_mint(CS_FAULT_ACTOR, sv.ep, BADGE_ACTOR) ||
        fz_move(CS_IRQ_CONTROL, seL4_CapIRQControl) ||
        fz_move(CS_IOPORT_CONTROL, seL4_CapIOPortControl))
        return 1;
    for (unsigned i = 0; i < STORM_THREADS; i++)
        if (fz_mint(CS_FAULT_STORM0 + i, sv.ep, BADGE_STORM0 + i))
            return 1;
    sv.check_ntfn = st_new_object(&mem, seL4_NotificationObject);
    if (sv.check_ntfn == 0 || fz_copy(CS_CHECK_NTFN, sv.check_ntfn))
        return fail("checker notification", 0, mem.last_error);
    return 0;
}

/* ---- the modeller's CSpace and threads (oracle.c) ---- */

static int m_move(seL4_Word dst, seL4_CPtr src)
{
    TRY("move into the modeller's CSpace", dst,
        seL4_CNode_Move(sv.model_cs, dst, DEPTH, ROOT, src, DEPTH));
    return 0;
}

static int m_object(seL4_Word dst, seL4_Word type, seL4_Word bits)
{
    mm_cptr_t c = 0;
    mm_err_t err = mm_alloc(&mem.mm, type, bits, &c);

    if (err != ERR_NONE)
        return fail("object for the modeller", dst, (seL4_Error)err);
    return m_move(dst, c);
}

static int m_mint(seL4_Word dst, seL4_CPtr src, seL4_Word badge)
{
    TRY("mint into the modeller's CSpace", dst,
        seL4_CNode_Mint(sv.model_cs, dst, DEPTH, ROOT, src, DEPTH, seL4_AllRights, badge));
    return 0;
}

/* Starts t in M with fault endpoint fault (a slot of M). */
static int start_in_m(rt_thread_t *t, seL4_Word prio, seL4_Word fault, rt_thread_fn_t fn)
{
    TRY("modeller thread", prio, st_thread_create(&mem, t, prio, 0));
    TRY("modeller Configure", prio,
        seL4_TCB_Configure(t->tcb, fault, sv.model_cs, 0, seL4_CapInitThreadVSpace, 0,
                           (seL4_Word)t->ipc_buffer, t->ipc_frame));
    TRY("modeller start", prio, rt_thread_start(t, fn, &fz));
    return 0;
}

static int start_modeller(void)
{
    seL4_CPtr cnode = st_new_cnode(&mem, M_BITS);

    sv.model_cs = new_slot();
    sv.model_go = st_new_object(&mem, seL4_NotificationObject);
    if (cnode == 0 || sv.model_cs == 0 || sv.model_go == 0)
        return fail("modeller CNode", 0, seL4_NotEnoughMemory);
    TRY("modeller CNode guard", 0,
        seL4_CNode_Mint(ROOT, sv.model_cs, DEPTH, ROOT, cnode, DEPTH, seL4_AllRights,
                        seL4_CNode_CapData_new(0, M_GUARD_BITS).words[0]));
    for (unsigned i = 0; i < MODEL_ROOTS; i++)
        if (m_object(M_ROOTS + i, seL4_UntypedObject, M_ROOT_BITS))
            return 1;
    if (m_object(M_EP, seL4_EndpointObject, 0) || m_object(M_NTFN, seL4_NotificationObject, 0) ||
        m_object(M_D_PARENT, seL4_UntypedObject, M_D_PARENT_BITS) ||
        m_mint(M_SELF, sv.model_cs, seL4_CNode_CapData_new(0, M_GUARD_BITS).words[0]) || m_mint(M_FAULT_MODEL, sv.ep, BADGE_MODEL) ||
        m_mint(M_FAULT_PARTNER, sv.ep, BADGE_PARTNER) || m_mint(M_GO, sv.model_go, 0))
        return 1;
    if (start_in_m(&sv.partner, PRIO_PARTNER, M_FAULT_PARTNER, fz_partner_main) ||
        start_in_m(&sv.modeller, PRIO_MODEL, M_FAULT_MODEL, fz_model_main))
        return 1;
    return 0;
}

/* The checker (cpu.c) runs in the root CSpace: nothing the fuzz does can
 * name it. Its second TLS block has its IPC buffer and stack canary. */
static int start_checker(fz_t *f)
{
    rt_tls_t *b;
    seL4_CPtr fault = mint_root(sv.ep, BADGE_CHECKER);

    if (fault == 0)
        return fail("checker fault endpoint", 0, seL4_NotEnoughMemory);
    TRY("checker", 0, st_thread_create(&mem, &sv.checker, PRIO_CHECKER, fault));
    b = thread_tls_setup(checker_tls_b, sizeof(checker_tls_b), sv.checker.ipc_buffer);
    if (b == NULL)
        return fail("checker TLS block", 0, seL4_NotEnoughMemory);
    b->stack_guard = sv.checker.tls->stack_guard;
    b->tcb = sv.checker.tcb;
    checker_arg.f = f;
    checker_arg.ntfn = sv.check_ntfn;
    checker_arg.tcb = sv.checker.tcb;
    checker_arg.tls_b = b;
    checker_arg.model_go = sv.model_go;
    TRY("checker start", 0, rt_thread_start(&sv.checker, fz_checker_main, &checker_arg));
    return 0;
}

/* ---- starting and restarting threads ---- */

/* Configures t from scratch in the fuzz CSpace and starts fn(arg); bound
 * is t's bit in fz.maybe_bound. */
static int restart(rt_thread_t *t, seL4_Word fault_slot, uint32_t bound, rt_thread_fn_t fn,
                   void *arg)
{
    TRY("Suspend", t->tcb, seL4_TCB_Suspend(t->tcb));
    TRY("Configure", t->tcb,
        seL4_TCB_Configure(t->tcb, FZC(fault_slot), sv.cspace, 0, seL4_CapInitThreadVSpace, 0,
                           (seL4_Word)t->ipc_buffer, t->ipc_frame));
    TRY("SetMCPriority", t->tcb, seL4_TCB_SetMCPriority(t->tcb, seL4_CapInitThreadTCB, PRIO_ACTOR));
    TRY("SetPriority", t->tcb, seL4_TCB_SetPriority(t->tcb, seL4_CapInitThreadTCB, PRIO_ACTOR));
    TRY("SetTLSBase", t->tcb, seL4_TCB_SetTLSBase(t->tcb, (seL4_Word)t->tls));
    if (fz.maybe_bound & bound) {
        fz.maybe_bound &= ~bound;
        seL4_TCB_UnbindNotification(t->tcb);      /* IllegalOperation if none is bound */
    }
    TRY("WriteRegisters", t->tcb, rt_thread_start(t, fn, arg));
    return 0;
}

static int restart_actor(fz_t *f)
{
    f->in_call = 0;
    return restart(&f->actor_thread, CS_FAULT_ACTOR, 1u, fz_actor_main, f);
}

static int restart_storm(fz_t *f, unsigned i)
{
    f->storm_restarts++;
    return restart(&f->storm_thread[i], CS_FAULT_STORM0 + i, 2u << i, fz_storm_main,
                   &storm_args[i]);
}

/* The idle watchdog: everything above priority PRIO_IDLE_WD is blocked. */
static void idle_wd_main(void *arg)
{
    fz_t *f = arg;

    for (;;) {
        f->idle_wd_runs++;
        seL4_Call(sv.idle_wd_ep, seL4_MessageInfo_new(0, 0, 0, 0));
    }
}

static void timer_wd_call(seL4_Word label, seL4_Word arg)
{
    seL4_SetMR(0, arg);
    seL4_Call(sv.timer_wd_ep, seL4_MessageInfo_new(label, 0, 0, 1));
}

/* The timer watchdog: wakes on every PIT tick, above every fuzz thread. */
static void timer_wd_main(void *arg)
{
    fz_t *f = arg;
    uint32_t actor_last = 0, actor_quiet = 0;
    uint32_t storm_last[STORM_THREADS] = { 0 }, storm_quiet[STORM_THREADS] = { 0 };

    for (;;) {
        seL4_Wait(sv.pit_ntfn, NULL);
        seL4_IRQHandler_Ack(sv.pit_irq);
        f->timer_ticks++;
        if (f->done) {
            timer_wd_call(WD_DONE, 0);
            continue;
        }
        uint32_t beat = f->invocations + f->step;
        if (beat != actor_last) {
            actor_last = beat;
            actor_quiet = 0;
        } else if (++actor_quiet >= WD_ACTOR_TICKS) {
            actor_quiet = 0;
            timer_wd_call(WD_ACTOR, 0);
        }
        for (unsigned i = 0; i < STORM_THREADS; i++) {
            if (f->storm_beat[i] != storm_last[i]) {
                storm_last[i] = f->storm_beat[i];
                storm_quiet[i] = 0;
            } else if (++storm_quiet[i] >= WD_STORM_TICKS) {
                storm_quiet[i] = 0;
                timer_wd_call(WD_STORM, i);
            }
        }
    }
}

static int start_threads(fz_t *f)
{
    TRY("actor", 0, st_thread_create(&mem, &f->actor_thread, PRIO_ACTOR, FZC(CS_FAULT_ACTOR)));
    if (fz_copy(CS_ACTOR_TCB, f->actor_thread.tcb))
        return 1;
    for (unsigned i = 0; i < STORM_THREADS; i++) {
        storm_args[i].f = f;
        storm_args[i].index = i;
        TRY("storm", i,
            st_thread_create(&mem, &f->storm_thread[i], PRIO_STORM, FZC(CS_FAULT_STORM0 + i)));
        if (fz_copy(CS_STORM_TCB0 + i, f->storm_thread[i].tcb))
            return 1;
    }
    TRY("idle watchdog", 0, st_thread_create(&mem, &sv.idle_wd, PRIO_IDLE_WD, 0));
    TRY("timer watchdog", 0, st_thread_create(&mem, &sv.timer_wd, PRIO_TIMER_WD, 0));
    TRY("idle watchdog start", 0, rt_thread_start(&sv.idle_wd, idle_wd_main, f));
    if (start_modeller() || start_checker(f))
        return 1;
    TRY("timer watchdog start", 0, rt_thread_start(&sv.timer_wd, timer_wd_main, f));
    for (unsigned i = 0; i < STORM_THREADS; i++)
        if (restart(&f->storm_thread[i], CS_FAULT_STORM0 + i, 2u << i, fz_storm_main,
                    &storm_args[i]))
            return 1;
    return restart_actor(f);
}

/* ---- supervising ---- */

/* Serves faults, service calls and the watchdogs until the actor is done
 * (0) or a restart failed (1). */
static int supervise(fz_t *f)
{
    for (;;) {
        seL4_Word badge = 0;
        seL4_MessageInfo_t info = seL4_Recv(sv.ep, &badge);
        seL4_Word label = seL4_MessageInfo_get_label(info), mr0 = seL4_GetMR(0);

        if (badge == BADGE_ACTOR) {
            if (f->done)
                return 0;
            f->hist[OUT_FAULT]++;
            if (restart_actor(f))
                return 1;
        } else if (badge >= BADGE_STORM0 && badge < BADGE_STORM0 + STORM_THREADS) {
            f->storm_faults++;
            if (restart_storm(f, badge - BADGE_STORM0))
                return 1;
        } else if (badge == BADGE_CHECKER || badge == BADGE_MODEL || badge == BADGE_PARTNER) {
            /* These never fault on a correct kernel. */
            printf("sysfuzz: FAILED: the %s faulted: label %u, MR0 %x MR1 %x MR2 %x MR3 %x "
                   "(actor step %u)\n", badge == BADGE_CHECKER ? "checker" :
                   badge == BADGE_MODEL ? "modeller" : "partner", label, mr0, seL4_GetMR(1),
                   seL4_GetMR(2), seL4_GetMR(3), f->step);
            sv.failed = 1;
            return 1;
        } else if (badge == BADGE_SERVICE) {
            if (label == SVC_DONE || f->done)
                return 0;
            if (label == SVC_RESET && arena_reset(f))
                return 1;
            seL4_Reply(seL4_MessageInfo_new(0, 0, 0, 0));
        } else if (badge == BADGE_IDLE_WD) {
            if (f->done)
                return 0;
            f->hist[OUT_STUCK]++;
            if (restart_actor(f))
                return 1;
            /* Storms that have been blocked since the last time too. */
            for (unsigned i = 0; i < STORM_THREADS; i++) {
                if (f->storm_beat[i] == sv.idle_seen[i] && restart_storm(f, i))
                    return 1;
                sv.idle_seen[i] = f->storm_beat[i];
            }
            seL4_Reply(seL4_MessageInfo_new(0, 0, 0, 0));
        } else if (badge == BADGE_TIMER_WD) {
            if (label == WD_DONE || f->done)
                return 0;
            if (label == WD_ACTOR) {
                f->hist[OUT_STUCK]++;
                f->timer_actor++;
                if (restart_actor(f))
                    return 1;
            } else if (label == WD_STORM && mr0 < STORM_THREADS && restart_storm(f, mr0)) {
                return 1;
            }
            seL4_Reply(seL4_MessageInfo_new(0, 0, 0, 0));
        } else {
            printf("sysfuzz: message with unknown badge %u label %u\n", badge, label);
            sv.failed = 1;
            return 1;
        }
    }
}

static void report(fz_t *f)
{
    uint32_t sum = 0;

    printf("sysfuzz: seed %u steps %u invocations %u checks %u resets %u\n", f->seed, f->steps,
           f->invocations, f->checks, f->resets);
    printf("sysfuzz: storms %u ipc ops (%u with a message), %u faults, %u restarts\n",
           f->storm_ops, f->storm_msgs, f->storm_faults, f->storm_restarts);
    printf("sysfuzz: storm ops");
    for (unsigned i = 0; i < ST_NUM; i++)
        printf(" %s:%u", storm_op_name[i], f->storm_by_op[i]);
    printf("\n");
    printf("sysfuzz: workers started %u; own-TCB operations %u; watchdogs: idle %u, "
           "timer ticks %u, timer restarts of the actor %u\n", f->workers_started, f->self_ops,
           f->idle_wd_runs, f->timer_ticks, f->timer_actor);
    printf("sysfuzz: cpu state: %u odd entries (TF %u, NT %u, odd ESP %u, odd selectors %u, "
           "int 0x80 %u), FPU control words lost %u\n", f->cpu_entries, f->cpu_tf, f->cpu_nt,
           f->cpu_odd_esp, f->cpu_odd_sel, f->cpu_int80, f->cpu_fpu_lost);
    printf("sysfuzz: checker: %u checks, %u bad, %u TLS moves\n", f->checks_cpu, f->checker_bad,
           f->checker_tls_moves);
    printf("sysfuzz: modeller: %u steps, %u full checks, %u bad; outcomes", f->model_steps,
           f->model_checks, f->model_bad);
    for (unsigned i = 0; i < seL4_NumErrors; i++)
        if (f->model_hist[i])
            printf(" %s:%u", out_name[i], f->model_hist[i]);
    printf("\n");
    printf("sysfuzz: messages: %u sent, %u checked, %u bad; refused calls: %u digests "
           "compared, %u bad, %u accepted (region rebuilt)\n", f->msgs_sent, f->msgs_checked,
           f->msgs_bad, f->refused_digests, f->refused_bad, f->refused_rebuilds);
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

static void stop_all(fz_t *f)
{
    seL4_TCB_Suspend(sv.timer_wd.tcb);
    seL4_TCB_Suspend(sv.idle_wd.tcb);
    seL4_TCB_Suspend(sv.checker.tcb);
    seL4_TCB_Suspend(sv.modeller.tcb);
    seL4_TCB_Suspend(sv.partner.tcb);
    seL4_TCB_Suspend(f->actor_thread.tcb);
    for (unsigned i = 0; i < STORM_THREADS; i++)
        seL4_TCB_Suspend(f->storm_thread[i].tcb);
}

static void run_fuzz(void)
{
    fz_t *f = &fz;

    TEST_BEGIN("sysfuzz/run");
    if (setup(f) || arena_reset(f)) {
        rt_test_fail(__FILE__, __LINE__, "setup failed");
        TEST_END();
        return;
    }
    printf("sysfuzz: seed %u steps %u (rebuild with make fuzz-sys SEED=%u STEPS=%u)\n",
           f->seed, f->steps, f->seed, f->steps);
    if (start_threads(f) == 0)
        supervise(f);
    stop_all(f);
    /* Everything the fuzz built goes (workers and all). */
    if (!sv.failed)
        arena_reset(f);
#if !SYSFUZZ_RELEASE
    EXPECT_EQ(seL4_DebugCheckInvariants(), 0);
#endif
    report(f);
    EXPECT_EQ(sv.failed, 0);
    EXPECT_EQ(sv.fixed_lost, 0);
    EXPECT_EQ(f->invariant_bad, 0);
    EXPECT_EQ(f->checker_bad, 0);
    EXPECT_EQ(f->cpu_fpu_lost, 0);
    EXPECT_GT(f->checks_cpu, f->steps / 2);
    EXPECT_EQ(f->model_bad, 0);
    EXPECT_EQ(f->msgs_bad, 0);
    EXPECT_EQ(f->refused_bad, 0);
    EXPECT_GT(f->model_checks, 0);
    EXPECT_GT(f->msgs_checked, 0);
    EXPECT_GT(f->refused_digests, 0);
    EXPECT_EQ(f->step, f->steps);
    EXPECT_GT(f->invocations, f->steps);
    TEST_END();
}

int main(bootinfo_t *bi)
{
    st_root_init(&mem, bi);
    sysfuzz_regressions();
    run_fuzz();
    tests_done();
}
