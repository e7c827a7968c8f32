/*
 * The time-stamp counter, for the benchmarks: under QEMU's
 * `-icount shift=0,sleep=off` it advances one tick per guest instruction
 * on one virtual clock, so the difference of two readings, in any
 * partition, counts the instructions between them (docs/bench/method.md).
 */
#ifndef VMM_TSC_H
#define VMM_TSC_H

#include <stdint.h>

static inline uint64_t vmm_rdtsc(void)
{
    uint32_t lo, hi;

    __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi) : : "memory");
    return ((uint64_t)hi << 32) | lo;
}

#endif
