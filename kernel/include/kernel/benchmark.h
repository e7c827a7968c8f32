/*
 * Latency-tracking benchmark builds (CONFIG_BENCHMARK_IRQ_LATENCY, the
 * kernel-bench-irq variant): how long the kernel can keep an interrupt
 * waiting.
 *
 * The kernel runs with interrupts off. An interrupt that arrives meanwhile
 * is noticed at one of three points: when the kernel returns to user level
 * (interrupts come back on there), or when a preemption point of a long
 * operation asks the interrupt controller (capops.c: every
 * WORK_UNITS_PER_PREEMPTION units of work; the operation then stops, its
 * progress kept in the objects, and the caller re-runs it later). Kernel
 * entry starts the clock, since user level ran with interrupts on until
 * then. The longest stretch between two such points is the longest an
 * interrupt can wait for the kernel (issue 14's irq_latency_max_revoke);
 * the longest whole entry is kept beside it, for an entry that could have
 * been cut short by a pending interrupt runs on while none arrives.
 *
 * The hooks are single inline calls, empty in every other build (so the
 * kernel whose paths `make bench` counts has none): every C entry
 * point calls bench_kernel_entry() first and bench_kernel_exit() after
 * schedule(); preemption_point() calls bench_irq_check() where it asks.
 * Times are the low word of the time-stamp counter (instructions under
 * QEMU -icount), so a stretch must be shorter than 2^32 ticks. Not
 * counted: the entry stub before the C handler and the register restore
 * after it (arch/ia32/entry.S, a few dozen instructions each).
 * SYS_BENCH_MAX_KERNEL_INSNS reads both maxima and starts them again.
 */
#ifndef KERNEL_BENCHMARK_H
#define KERNEL_BENCHMARK_H

#include <kernel/types.h>

#ifndef CONFIG_BENCHMARK_IRQ_LATENCY
#define CONFIG_BENCHMARK_IRQ_LATENCY 0
#endif

#if CONFIG_BENCHMARK_IRQ_LATENCY
#include <kernel/state.h>
#include <arch/machine.h>

static inline word_t bench_now(void)
{
    return (word_t)rdtsc();
}

/* The stretch since the last point an interrupt could be noticed ends now. */
static inline word_t bench_stretch_end(void)
{
    word_t now = bench_now();
    word_t stretch = now - ks_bench_mark;

    if (stretch > ks_bench_max_stretch)
        ks_bench_max_stretch = stretch;
    ks_bench_mark = now;
    return now;
}

static inline void bench_kernel_entry(void)
{
    ks_bench_entry = ks_bench_mark = bench_now();
}

static inline void bench_irq_check(void)
{
    (void)bench_stretch_end();
}

static inline void bench_kernel_exit(void)
{
    word_t entry = bench_stretch_end() - ks_bench_entry;

    if (entry > ks_bench_max_entry)
        ks_bench_max_entry = entry;
}
#else
static inline void bench_kernel_entry(void) {}
static inline void bench_irq_check(void) {}
static inline void bench_kernel_exit(void) {}
#endif

#endif
