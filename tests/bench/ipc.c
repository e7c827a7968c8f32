/*
 * IPC, notification, yield and capability-lookup benchmarks, measured as
 * sel4bench measures them (../shared/bench/sel4-icount.tsv):
 *
 *  - one-way Call: rdtsc just before the client's sysenter to rdtsc just
 *    after the server's ReplyRecv returns; one-way ReplyRecv: rdtsc before
 *    the server's sysenter to rdtsc after the client's Call returns. Both
 *    minus the same stub with the sysenter replaced by a 2-byte nop.
 *  - Send slowpath, Signal to a higher-priority waiter: the same.
 *  - Yield: rdtsc before one thread's Yield to rdtsc after the other
 *    thread's Yield returns, minus only an rdtsc pair (as sel4bench).
 *  - Lookup depth: Send on a notification whose capability sits 1, 2 or 3
 *    CNodes deep in the caller's CSpace, minus the nop stub.
 */
#include "bench.h"
#include <rt/rt.h>
#include <stdio.h>
#include <string.h>

/* rdtsc; store; rdtsc; store: what sel4bench's "Read ccnt overhead" is. */
static uint32_t asm_pair_overhead(void)
{
    uint32_t s[BENCH_MAX_SAMPLES];

    for (int i = 0; i < BENCH_TOTAL(); i++) {
        __asm__ volatile("rdtsc\n\tmovl %%eax, %c[a]\n\trdtsc\n\tmovl %%eax, %c[b]"
                         : : [a] "i"(&bench_ts[TS_A]), [b] "i"(&bench_ts[TS_B])
                         : "eax", "edx", "memory");
        if (i >= bench_cfg.warmup)
            s[i - bench_cfg.warmup] = bench_ts[TS_B] - bench_ts[TS_A];
    }
    return bench_mode(s, bench_cfg.samples);
}

/* Drops the warm-up samples, subtracts an overhead and reports. */
static void report_run(const char *name, const uint32_t *raw, uint32_t overhead)
{
    uint32_t s[BENCH_MAX_SAMPLES];

    for (int i = 0; i < bench_cfg.samples; i++)
        s[i] = raw[bench_cfg.warmup + i] - overhead;
    bench_report(name, s, bench_cfg.samples);
}

static void fpu_touch(void)
{
    __asm__ volatile("fninit\n\tfld1\n\tfstp %%st(0)" : : : "memory");
}

/* ---- Call / ReplyRecv ping-pong ---- */

static struct {
    seL4_CPtr ep;
    seL4_Word info;
    int calls;
    int fpu;
    uint32_t call[BENCH_MAX_SAMPLES + 2];
    uint32_t rr[BENCH_MAX_SAMPLES + 2];
} pp;

static void pp_server(void *arg)
{
    seL4_Word badge;

    (void)arg;
    if (pp.fpu)
        fpu_touch();
    seL4_RecvWithMRs(pp.ep, &badge, NULL, NULL);
    for (int i = 0;; i++) {
        seL4_Word b = pp.ep, s = pp.info, d = 0;
        TIMED_SYSCALL(SYS_REPLY_RECV, b, s, d, TS_C, TS_B, BENCH_SYSENTER);
        if (i < BENCH_MAX_SAMPLES + 2)
            pp.call[i] = bench_ts[TS_B] - bench_ts[TS_A];
    }
}

static void pp_client(void *arg)
{
    (void)arg;
    for (int i = 0; i < pp.calls; i++) {
        seL4_Word b = pp.ep, s = pp.info, d = 0;
        TIMED_SYSCALL(SYS_CALL, b, s, d, TS_A, TS_D, BENCH_SYSENTER);
        pp.rr[i] = bench_ts[TS_D] - bench_ts[TS_C];
    }
    bench_signal_done();
}

/* One ping-pong run: client in the root VSpace, server in server_vs.
 * Fills pp.call / pp.rr; false if the threads could not be made. */
static int pingpong(seL4_CPtr server_vs, seL4_Word len, int fpu)
{
    rt_thread_t server, client;

    memset(&pp, 0, sizeof(pp));
    pp.ep = bench_obj(seL4_EndpointObject, 0);
    pp.info = seL4_MessageInfo_new(0, 0, 0, len).words[0];
    pp.calls = BENCH_TOTAL() + 1;
    pp.fpu = fpu;
    if (pp.ep == 0 || server_vs == 0)
        return 0;
    if (bench_thread_new(&server, PRIO_BENCH, 0, server_vs) != seL4_NoError)
        return 0;
    /* As sel4bench's ipc app: the server of every row but the FPU rows runs with the FPU
     * disabled (seL4_TCBFlag_fpuDisabled), so no path saves or loads FPU state for it. */
    if (!fpu && seL4_TCB_SetFlags(server.tcb, 0, seL4_TCBFlag_fpuDisabled).error != seL4_NoError)
        return 0;
    if (rt_thread_start(&server, pp_server, NULL) != seL4_NoError)
        return 0;
    if (bench_thread_run(&client, PRIO_BENCH, 0, ROOT_VSPACE, pp_client, NULL) != seL4_NoError)
        return 0;
    bench_wait_done();
    bench_thread_stop(&client);
    bench_thread_stop(&server);
    return 1;
}

static void report_pingpong(const char *call_name, const char *rr_name)
{
    report_run(call_name, pp.call, bench_stub_overhead);
    report_run(rr_name, pp.rr, bench_stub_overhead);
}

/* ---- Send to a higher-priority waiter (slowpath) ---- */

static struct {
    seL4_CPtr cap;
    int total;
    uint32_t s[BENCH_MAX_SAMPLES + 2];
} sw;

static void sw_receiver(void *arg)
{
    (void)arg;
    for (int i = 0;; i++) {
        seL4_Word b = sw.cap, s = 0, d = 0;
        TIMED_SYSCALL(SYS_RECV, b, s, d, TS_C, TS_B, BENCH_SYSENTER);
        if (i < BENCH_MAX_SAMPLES + 2)
            sw.s[i] = bench_ts[TS_B] - bench_ts[TS_A];
    }
}

static void sw_sender(void *arg)
{
    (void)arg;
    for (int i = 0; i < sw.total; i++) {
        seL4_Word b = sw.cap, s = 0, d = 0;
        TIMED_SYSCALL(SYS_SEND, b, s, d, TS_A, TS_D, BENCH_SYSENTER);
    }
    bench_signal_done();
}

static void send_to_waiter(const char *name, seL4_Word type, seL4_CPtr recv_vs)
{
    rt_thread_t r, s;

    memset(&sw, 0, sizeof(sw));
    sw.cap = bench_obj(type, 0);
    sw.total = BENCH_TOTAL();
    if (sw.cap == 0 || recv_vs == 0 ||
        bench_thread_run(&r, PRIO_BENCH, 0, recv_vs, sw_receiver, NULL) != seL4_NoError ||
        bench_thread_run(&s, PRIO_LOW, 0, ROOT_VSPACE, sw_sender, NULL) != seL4_NoError) {
        bench_skip(name, "could not set up the threads");
        return;
    }
    bench_wait_done();
    bench_thread_stop(&s);
    bench_thread_stop(&r);
    report_run(name, sw.s, bench_stub_overhead);
}

/* ---- Yield between two threads of the same priority ---- */

static struct {
    int n, total;
    uint32_t s[BENCH_MAX_SAMPLES + 2];
} yd;

static void yielder(void *arg)
{
    (void)arg;
    for (;;) {
        seL4_Word b = 0, s = 0, d = 0;
        TIMED_SYSCALL(SYS_YIELD, b, s, d, TS_A, TS_B, BENCH_SYSENTER);
        if (yd.n < yd.total)
            yd.s[yd.n++] = bench_ts[TS_B] - bench_ts[TS_A];
        if (yd.n == yd.total)
            bench_signal_done();
    }
}

static void yield_switch(const char *name, seL4_CPtr other_vs, uint32_t pair)
{
    rt_thread_t a, b;

    memset(&yd, 0, sizeof(yd));
    yd.total = BENCH_TOTAL();
    if (other_vs == 0 ||
        bench_thread_run(&a, PRIO_BENCH, 0, ROOT_VSPACE, yielder, NULL) != seL4_NoError ||
        bench_thread_run(&b, PRIO_BENCH, 0, other_vs, yielder, NULL) != seL4_NoError) {
        bench_skip(name, "could not set up the threads");
        return;
    }
    bench_wait_done();
    bench_thread_stop(&a);
    bench_thread_stop(&b);
    report_run(name, yd.s, pair);
}

/* ---- sub-paths from the root thread: no receiver, no waiter ---- */

static void lone_send(const char *name, int sys, seL4_CPtr cap)
{
    uint32_t raw[BENCH_MAX_SAMPLES + 2];

    for (int i = 0; i < BENCH_TOTAL(); i++) {
        seL4_Word b = cap, s = 0, d = 0;
        if (sys == SYS_NB_SEND)
            TIMED_SYSCALL(SYS_NB_SEND, b, s, d, TS_A, TS_B, BENCH_SYSENTER);
        else if (sys == SYS_SEND)
            TIMED_SYSCALL(SYS_SEND, b, s, d, TS_A, TS_B, BENCH_SYSENTER);
        else
            TIMED_SYSCALL(SYS_NB_RECV, b, s, d, TS_A, TS_B, BENCH_SYSENTER);
        raw[i] = bench_ts[TS_B] - bench_ts[TS_A];
    }
    report_run(name, raw, bench_stub_overhead);
}

/* ---- idle threads: each blocked in Recv on an endpoint of its own ---- */

void bench_idle_entry(void);
__asm__(".text\n"
        ".globl bench_idle_entry\n"
        "bench_idle_entry:\n\t"
        "sysenter\n"
        "1:\tjmp 1b\n");

static uint32_t idle_stack[64];

static int idle_threads_add(seL4_CPtr ut, seL4_CPtr slots, int n)
{
    seL4_Error err;

    if (slots == 0)
        return 0;
    for (int i = 0; i < n; i++) {
        seL4_CPtr tcb = slots + 2 * (seL4_Word)i, ep = tcb + 1;
        seL4_UserContext regs;

        err = bench_retype(ut, seL4_TCBObject, 0, tcb, 1);
        if (err == seL4_NoError)
            err = bench_retype(ut, seL4_EndpointObject, 0, ep, 1);
        if (err == seL4_NoError)
            err = seL4_TCB_Configure(tcb, 0, ROOT_CNODE, 0, ROOT_VSPACE, 0, 0, 0);
        if (err == seL4_NoError)
            err = seL4_TCB_SetPriority(tcb, seL4_CapInitThreadTCB, 100);
        memset(&regs, 0, sizeof(regs));
        regs.eip = (seL4_Word)bench_idle_entry;
        regs.esp = (seL4_Word)&idle_stack[60];
        regs.ecx = regs.esp;
        regs.edx = regs.eip;
        regs.eax = (seL4_Word)SYS_RECV;
        regs.ebx = ep;
        regs.eflags = 0x202;
        if (err == seL4_NoError)
            err = seL4_TCB_WriteRegisters(tcb, 1, 0, sizeof(regs) / sizeof(seL4_Word), &regs);
        if (err != seL4_NoError) {
            bench_fail("idle thread", err);
            return 0;
        }
    }
    /* Let them run into their Recv: drop below them for a moment. */
    err = seL4_TCB_SetPriority(seL4_CapInitThreadTCB, seL4_CapInitThreadTCB, 50);
    if (err == seL4_NoError)
        err = seL4_TCB_SetPriority(seL4_CapInitThreadTCB, seL4_CapInitThreadTCB, 255);
    if (err != seL4_NoError)
        bench_fail("root priority", err);
    return err == seL4_NoError;
}

static void idle_scaling(seL4_CPtr vs)
{
    static const int counts[] = { 1, 100, 1000 };
    seL4_CPtr ut = bench_untyped(22), scratch = bench_scratch_slots();
    int have = 0;
    char call[64], rr[64];

    if (ut == 0) {
        bench_skip("ipc_call_idle1", "no untyped for idle threads");
        return;
    }
    for (unsigned k = 0; k < sizeof(counts) / sizeof(counts[0]); k++) {
        snprintf(call, sizeof(call), "ipc_call_cross_as_len0_idle%d", counts[k]);
        snprintf(rr, sizeof(rr), "ipc_replyrecv_cross_as_len0_idle%d", counts[k]);
        if (!idle_threads_add(ut, scratch + 2 * (seL4_CPtr)have, counts[k] - have)) {
            bench_skip(call, "could not make %d idle threads", counts[k]);
            return;
        }
        have = counts[k];
        if (!pingpong(vs, 0, 0)) {
            bench_skip(call, "could not set up the threads");
            return;
        }
        report_pingpong(call, rr);
    }
    /* The idle threads go with their untyped. */
    seL4_CNode_Revoke(ROOT_CNODE, ut, CPTR_DEPTH);
}

/* ---- capability lookup depth ---- */

#define LK_RADIX 8

static struct {
    seL4_CPtr cptr[3], done;
    int total;
    uint32_t s[3][BENCH_MAX_SAMPLES + 2];
} lk;

static void lookup_thread(void *arg)
{
    (void)arg;
    for (int lvl = 0; lvl < 3; lvl++)
        for (int i = 0; i < lk.total; i++) {
            seL4_Word b = lk.cptr[lvl], s = 0, d = 0;
            TIMED_SYSCALL(SYS_SEND, b, s, d, TS_A, TS_B, BENCH_SYSENTER);
            lk.s[lvl][i] = bench_ts[TS_B] - bench_ts[TS_A];
        }
    seL4_Signal(lk.done);
    for (;;)
        seL4_Yield();
}

static void lookup_depth(void)
{
    seL4_CPtr l1 = bench_obj(seL4_CapTableObject, LK_RADIX);
    seL4_CPtr l2 = bench_obj(seL4_CapTableObject, LK_RADIX);
    seL4_CPtr l3 = bench_obj(seL4_CapTableObject, LK_RADIX);
    seL4_CPtr ntfn = bench_obj(seL4_NotificationObject, 0);
    seL4_Error err = seL4_NoError;
    rt_thread_t t;

    memset(&lk, 0, sizeof(lk));
    if (l1 == 0 || l2 == 0 || l3 == 0 || ntfn == 0)
        err = seL4_NotEnoughMemory;
    /* L1[1] ntfn, L1[2] -> L2, L1[3] done; L2[1] ntfn, L2[2] -> L3 (guard 8 bits);
     * L3[1] ntfn. Each CNode takes 8 bits; a lookup stops at the first
     * capability that is not a CNode. */
    if (err == seL4_NoError)
        err = seL4_CNode_Copy(l1, 1, LK_RADIX, ROOT_CNODE, ntfn, CPTR_DEPTH, seL4_AllRights);
    if (err == seL4_NoError)
        err = seL4_CNode_Copy(l1, 2, LK_RADIX, ROOT_CNODE, l2, CPTR_DEPTH, seL4_AllRights);
    if (err == seL4_NoError)
        err = seL4_CNode_Copy(l1, 3, LK_RADIX, ROOT_CNODE, bench_done_ntfn, CPTR_DEPTH,
                              seL4_AllRights);
    if (err == seL4_NoError)
        err = seL4_CNode_Copy(l2, 1, LK_RADIX, ROOT_CNODE, ntfn, CPTR_DEPTH, seL4_AllRights);
    if (err == seL4_NoError)
        err = seL4_CNode_Mint(l2, 2, LK_RADIX, ROOT_CNODE, l3, CPTR_DEPTH, seL4_AllRights,
                              seL4_CNode_CapData_new(0, 8).words[0]);
    if (err == seL4_NoError)
        err = seL4_CNode_Copy(l3, 1, LK_RADIX, ROOT_CNODE, ntfn, CPTR_DEPTH, seL4_AllRights);
    if (err == seL4_NoError)
        err = bench_thread_new(&t, PRIO_BENCH, 0, ROOT_VSPACE);
    if (err == seL4_NoError)
        err = seL4_TCB_SetSpace(t.tcb, 0, l1, 0, ROOT_VSPACE, 0);
    lk.cptr[0] = 0x01000000u;
    lk.cptr[1] = 0x02010000u;
    lk.cptr[2] = 0x02020001u;
    lk.done = 0x03000000u;
    lk.total = BENCH_TOTAL();
    if (err == seL4_NoError)
        err = rt_thread_start(&t, lookup_thread, NULL);
    if (err != seL4_NoError) {
        bench_fail("lookup depth set-up", err);
        bench_skip("cap_lookup_level1", "set-up failed: %s", "see log");
        return;
    }
    bench_wait_done();
    bench_thread_stop(&t);
    report_run("cap_lookup_level1", lk.s[0], bench_stub_overhead);
    report_run("cap_lookup_level2", lk.s[1], bench_stub_overhead);
    report_run("cap_lookup_level3", lk.s[2], bench_stub_overhead);
}

void bench_ipc(void)
{
    seL4_CPtr vs = bench_vspace_new();
    uint32_t pair = asm_pair_overhead();
    char call[64], rr[64];

    printf("bench: asm rdtsc pair %u, syscall stub %u\n", (unsigned)pair,
           (unsigned)bench_stub_overhead);
    if (pingpong(ROOT_VSPACE, 0, 0))
        report_pingpong("ipc_call_same_as_len0", "ipc_replyrecv_same_as_len0");
    if (pingpong(vs, 0, 0))
        report_pingpong("ipc_call_cross_as_len0", "ipc_replyrecv_cross_as_len0");
    if (pingpong(vs, 0, 1))
        report_pingpong("ipc_call_cross_as_len0_fpu", "ipc_replyrecv_cross_as_len0_fpu");
    for (seL4_Word len = 10; len <= seL4_MsgMaxLength; len += 10) {
        snprintf(call, sizeof(call), "ipc_call_cross_as_len%u", (unsigned)len);
        snprintf(rr, sizeof(rr), "ipc_replyrecv_cross_as_len%u", (unsigned)len);
        if (pingpong(vs, len, 0))
            report_pingpong(call, rr);
        else
            bench_skip(call, "could not set up the threads");
    }
    send_to_waiter("ipc_send_slowpath", seL4_EndpointObject, vs);
    /* Not seL4's notify_signal_wait (sel4-icount.tsv): sel4bench's "Signal to thread of
     * higher prio" times a blocking Wait and the switch to a lower-priority thread, not a
     * Signal that wakes a higher-priority waiter. That row is compared through sel4bench
     * itself (docs/bench/README.md); this one has no seL4 figure. */
    send_to_waiter("notify_signal_wakes_higher", seL4_NotificationObject, ROOT_VSPACE);
    yield_switch("yield_thread_switch", ROOT_VSPACE, pair);
    yield_switch("yield_process_switch", vs, pair);

    seL4_CPtr ep = bench_obj(seL4_EndpointObject, 0);
    seL4_CPtr ntfn = bench_obj(seL4_NotificationObject, 0);
    lone_send("ipc_nbsend_no_receiver", SYS_NB_SEND, ep);
    lone_send("notify_signal_no_waiter", SYS_SEND, ntfn);
    lone_send("ipc_nbrecv_no_sender", SYS_NB_RECV, ep);

    lookup_depth();
    idle_scaling(vs);
}
