/*
 * The benchmark root task (tests/bench/): shared helpers.
 *
 * Figures are guest instructions: under `-icount shift=0` rdtsc returns the
 * number of instructions executed so far (one tick per instruction), so a
 * difference of two rdtsc values counts the instructions between them.
 * Every benchmark warms up first, then takes bench_cfg.samples samples and
 * reports the most frequent value; all samples should be equal under
 * icount, and a line BENCH_VARIES says so when they are not.
 *
 * Output (serial console), read by tools/bench-report.py:
 *     BENCH <name> <instructions>
 *     BENCH_SKIP <name> <reason>
 *     BENCH_VARIES <name> <min> <max> <equal>/<samples>
 *     BENCH_NOTE <name> <text>
 *     BENCH DONE
 * On a kernel without the benchmark system call (a debug build: make test
 * boots this task once as a smoke test), the same code runs with fewer
 * samples and the task ends with a TEST line, TESTS DONE and DebugHalt.
 */
#ifndef BENCH_H
#define BENCH_H

#include <sel4/sel4.h>
#include <abi/bootinfo.h>
#include <rt/thread.h>
#include <abi/syscall.h>
#include <stdint.h>

#define BENCH_MAX_SAMPLES   32
#define ROOT_CNODE          seL4_CapInitThreadCNode
#define ROOT_VSPACE         seL4_CapInitThreadVSpace
#define CPTR_DEPTH          seL4_WordBits
#define PAGE_SIZE           4096u
#define LARGE_PAGE_SIZE     0x400000u

/* Priorities: the root task runs at 255 and blocks while threads measure. */
#define PRIO_BENCH          254
#define PRIO_LOW            253

struct bench_cfg {
    int smoke;              /* debug kernel: prove it runs, few samples */
    int irq_kernel;         /* latency-tracking bench kernel: irq_latency_max_revoke only */
    int warmup;             /* samples thrown away first */
    int samples;            /* samples kept (<= BENCH_MAX_SAMPLES) */
    int failures;           /* unexpected errors (smoke test verdict) */
};
extern struct bench_cfg bench_cfg;

/* ---- timestamps ---- */

static inline uint32_t rdtsc32(void)
{
    uint32_t lo;
    __asm__ volatile("rdtsc" : "=a"(lo) : : "edx", "memory");
    return lo;
}

/* Shared timestamp words, written by the asm stubs by absolute address
 * (they are in the image, which every benchmark address space maps). */
extern volatile uint32_t bench_ts[8];
#define TS_A 0
#define TS_B 1
#define TS_C 2
#define TS_D 3

/* Overheads measured once at start-up (instructions). */
extern uint32_t bench_pair_overhead;     /* rdtsc32(); rdtsc32(); from C */
extern uint32_t bench_stub_overhead;     /* timed syscall stub with a 2-byte nop */

/*
 * A timed system call: rdtsc -> bench_ts[start]; registers set up;
 * sysenter; rdtsc -> bench_ts[end]. EBX, ESI, EDI carry the capability,
 * message info and MR0 in and the badge, info and MR0 out. With
 * SYSCALL_INSN = BENCH_NOP2 the same code runs with the sysenter replaced
 * by a 2-byte nop: the overhead that sel4bench subtracts.
 */
#define BENCH_SYSENTER "sysenter"
#define BENCH_NOP2 ".byte 0x66, 0x90"
#define TIMED_SYSCALL(SYS, EBX, ESI, EDI, START, END, SYSCALL_INSN) \
    __asm__ volatile( \
        "pushl %%ebp\n\t" \
        "rdtsc\n\t" \
        "movl %%eax, %c[ts_s]\n\t" \
        "movl %[sys], %%eax\n\t" \
        "movl %%esp, %%ecx\n\t" \
        "leal 1f, %%edx\n\t" \
        "1: " SYSCALL_INSN "\n\t" \
        "rdtsc\n\t" \
        "movl %%eax, %c[ts_e]\n\t" \
        "popl %%ebp" \
        : "+b"(EBX), "+S"(ESI), "+D"(EDI) \
        : [sys] "i"(SYS), [ts_s] "i"(&bench_ts[START]), [ts_e] "i"(&bench_ts[END]) \
        : "eax", "ecx", "edx", "memory", "cc")

/* ---- results ---- */

void bench_report(const char *name, const uint32_t *samples, int n);
void bench_report_value(const char *name, uint32_t value);
void bench_skip(const char *name, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void bench_note(const char *name, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Most frequent value (ties: the smallest). */
uint32_t bench_mode(const uint32_t *samples, int n);
/* Records an unexpected error (printed, counted for the smoke test). */
void bench_fail(const char *where, seL4_Error err);
#define BENCH_TOTAL() (bench_cfg.warmup + bench_cfg.samples)

/* ---- resources ---- */

/* Hands memmgr bootinfo's RAM untypeds and empty slots (tests/system/common/root.c);
 * everything below comes from it. */
void bench_memory_init(bootinfo_t *bi);
/* n consecutive empty slots of the root CNode (0 if none left). */
seL4_CPtr bench_slots(seL4_Word n);
/* A fresh untyped of 2^bits bytes, memmgr's no more. */
seL4_CPtr bench_untyped(seL4_Word bits);
/* Retype n objects from ut into slots [slot, slot + n). */
seL4_Error bench_retype(seL4_CPtr ut, seL4_Word type, seL4_Word size_bits, seL4_CPtr slot,
                        seL4_Word n);
/* One object from memmgr. */
seL4_CPtr bench_obj(seL4_Word type, seL4_Word size_bits);
/* 2048 consecutive slots shared by benchmarks that empty them again. */
seL4_CPtr bench_scratch_slots(void);
/* A 4 MiB-aligned virtual region nobody else uses. */
seL4_Word bench_region(seL4_Word n_large_pages);

/* A new address space that maps the whole image (code, data, bss: shared
 * with the root task) at the same addresses; 0 on failure. */
seL4_CPtr bench_vspace_new(void);
/* Maps frame at vaddr in vspace, making a page table when needed. */
seL4_Error bench_map(seL4_CPtr vspace, seL4_CPtr frame, seL4_Word vaddr, seL4_CapRights_t rights);
/* A thread in vspace (ROOT_VSPACE or one from bench_vspace_new()), root
 * CSpace, priority prio, fault endpoint fault_ep; its IPC buffer and stack
 * are mapped in both the root's and its own VSpace. */
seL4_Error bench_thread_new(rt_thread_t *t, seL4_Word prio, seL4_CPtr fault_ep, seL4_CPtr vspace);
seL4_Error bench_thread_run(rt_thread_t *t, seL4_Word prio, seL4_CPtr fault_ep, seL4_CPtr vspace,
                            rt_thread_fn_t fn, void *arg);
/* The notification threads signal when a benchmark is over. */
extern seL4_CPtr bench_done_ntfn;
void bench_wait_done(void);
void bench_signal_done(void);
/* Stops a thread for good (suspends it). */
void bench_thread_stop(rt_thread_t *t);

/* ---- benchmark groups ---- */

void bench_ipc(void);
void bench_faults(void);
void bench_vspace(void);
void bench_caps(void);
void bench_irq_latency(void);     /* latency.c, called by bench_caps() */
void bench_irq(void);
void bench_memmgr(void);       /* memmgr.c */

#endif
