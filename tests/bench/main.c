/*
 * Benchmark root task: instruction counts of kernel paths under QEMU's
 * `-icount shift=0` (make bench), side by side with seL4's figures measured
 * the same way (../shared/bench/sel4-icount.tsv); docs/bench/README.md
 * describes the method. On a debug kernel (make test) it runs once as a
 * smoke test with few samples and reports one TEST line.
 */
#include "bench.h"
#include <rt/rt.h>
#include <rt/test.h>
#include <stdio.h>

/* ---- is this a benchmark kernel? ---- */

/* A thread with a fault endpoint tries a benchmark system call
 * (BenchmarkNullSyscall, or with latency set our BenchmarkMaxKernelInsns): a
 * kernel without it turns it into an UnknownSyscall fault, one with it
 * returns. */
static seL4_CPtr probe_ep;

static void probe_fn(void *latency)
{
    if (latency)
        (void)seL4_BenchmarkMaxKernelInsns(seL4_Null);
    else
        seL4_BenchmarkNullSyscall();
    seL4_Send(probe_ep, seL4_MessageInfo_new(0x77, 0, 0, 0));
}

static int kernel_has_bench_call(int latency)
{
    rt_thread_t t;
    seL4_Word badge;

    if (probe_ep == 0)
        probe_ep = bench_obj(seL4_EndpointObject, 0);
    if (probe_ep == 0 || bench_thread_run(&t, PRIO_BENCH, probe_ep, ROOT_VSPACE, probe_fn,
                                          latency ? &probe_ep : NULL))
        return 0;
    seL4_MessageInfo_t info = seL4_Recv(probe_ep, &badge);
    bench_thread_stop(&t);
    return seL4_MessageInfo_get_label(info) == 0x77;
}

/* ---- overheads ---- */

static void measure_overheads(void)
{
    uint32_t s[BENCH_MAX_SAMPLES];
    int n = BENCH_TOTAL();

    for (int i = 0; i < n; i++) {
        uint32_t a = rdtsc32();
        uint32_t b = rdtsc32();
        if (i >= bench_cfg.warmup)
            s[i - bench_cfg.warmup] = b - a;
    }
    bench_pair_overhead = bench_mode(s, bench_cfg.samples);
    bench_report("rdtsc_pair_overhead", s, bench_cfg.samples);
    for (int i = 0; i < n; i++) {
        seL4_Word b = 0, si = 0, d = 0;
        TIMED_SYSCALL(SYS_CALL, b, si, d, TS_A, TS_B, BENCH_NOP2);
        if (i >= bench_cfg.warmup)
            s[i - bench_cfg.warmup] = bench_ts[TS_B] - bench_ts[TS_A];
    }
    bench_stub_overhead = bench_mode(s, bench_cfg.samples);
    bench_report("syscall_stub_overhead", s, bench_cfg.samples);
}

static void null_syscall(void)
{
    uint32_t s[BENCH_MAX_SAMPLES];

    if (bench_cfg.smoke) {
        bench_skip("null_syscall", "BenchmarkNullSyscall exists in bench kernels only");
        return;
    }
    for (int i = 0; i < BENCH_TOTAL(); i++) {
        seL4_Word b = 0, si = 0, d = 0;
        TIMED_SYSCALL(SYS_BENCH_NULL_SYSCALL, b, si, d, TS_A, TS_B, BENCH_SYSENTER);
        if (i >= bench_cfg.warmup)
            s[i - bench_cfg.warmup] = bench_ts[TS_B] - bench_ts[TS_A] - bench_stub_overhead;
    }
    bench_report("null_syscall", s, bench_cfg.samples);
}

int main(bootinfo_t *bi)
{
    bench_memory_init(bi);
    bench_cfg.smoke = !kernel_has_bench_call(0);
    bench_cfg.irq_kernel = !bench_cfg.smoke && kernel_has_bench_call(1);
    bench_cfg.warmup = bench_cfg.smoke ? 1 : 2;
    bench_cfg.samples = bench_cfg.smoke ? 2 : 8;
    bench_done_ntfn = bench_obj(seL4_NotificationObject, 0);
    printf("bench: %s kernel, %d warm-up + %d samples per figure\n",
           bench_cfg.smoke ? "debug (smoke test)" :
           bench_cfg.irq_kernel ? "latency-tracking benchmark" : "benchmark", bench_cfg.warmup,
           bench_cfg.samples);

    measure_overheads();
    if (bench_cfg.irq_kernel) {
        /* Only what needs this kernel: its tracking would cost every other row. */
        bench_irq_latency();
        printf("BENCH DONE\n");
        rt_halt();
    }
    null_syscall();
    bench_ipc();
    bench_faults();
    bench_vspace();
    bench_caps();
    bench_memmgr();
    bench_irq();

    printf("BENCH DONE\n");
    if (bench_cfg.failures == 0)
        printf("TEST bench/smoke PASS\n");
    else
        printf("TEST bench/smoke FAIL %d unexpected error(s), see the log above\n",
               bench_cfg.failures);
    printf("TESTS DONE\n");
    rt_halt();
}
