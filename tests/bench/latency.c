/*
 * irq_latency_max_revoke (issue 14): the longest an interrupt can wait for
 * the kernel during a revoke of more than 100,000 capabilities.
 *
 * An untyped of 2 MiB is retyped into 131072 notifications whose
 * capabilities fill 32 CNodes of 4096 slots (256 objects per Retype), then
 * one CNode_Revoke of the untyped destroys them all. The kernel stops at a
 * preemption point whenever the timer's interrupt is pending (every 2 ms of
 * virtual time, 2 million instructions under -icount), the interrupt is
 * taken, and the root task's Revoke runs again from where it stopped.
 *
 * The latency-tracking bench kernel (kernel-bench-irq; make bench boots it
 * a second time with this root task, which then measures only this row)
 * keeps, for every entry, the stretches between points
 * where it could notice an interrupt: entry, each preemption point's
 * question to the interrupt controller, exit (kernel/benchmark.h).
 * seL4_BenchmarkMaxKernelInsns() reads the longest since its last call and
 * starts again: called right before and right after the revoke, it gives
 * the longest stretch of the revoke (and of the interrupt entries between
 * its restarts). That is the row. The note beside it gives the whole
 * revoke and its longest single entry, which lasts until the timer next
 * fires because nothing else is pending. The entry and exit stubs (a few
 * dozen instructions) are outside the kernel's clock.
 */
#include "bench.h"
#include <rt/rt.h>
#include <rt/test.h>

#define ROW             "irq_latency_max_revoke"
#define TREE_UT_BITS    21u
#define NODE_RADIX      12u
#define OBJS            ((seL4_Word)1 << (TREE_UT_BITS - seL4_NotificationBits))
#define NODES           (OBJS >> NODE_RADIX)
#define PER_RETYPE      256u

/* Retypes OBJS notifications from ut into NODES fresh CNodes from cn_ut,
 * whose capabilities go to slots [nodes, nodes + NODES). */
static seL4_Error build_tree(seL4_CPtr ut, seL4_CPtr cn_ut, seL4_CPtr nodes)
{
    seL4_Error err = bench_retype(cn_ut, seL4_CapTableObject, NODE_RADIX, nodes, NODES);

    for (seL4_Word i = 0; i < NODES && err == seL4_NoError; i++)
        for (seL4_Word off = 0; off < ((seL4_Word)1 << NODE_RADIX) && err == seL4_NoError; off += PER_RETYPE)
            err = seL4_Untyped_Retype(ut, seL4_NotificationObject, 0, ROOT_CNODE, nodes + i,
                                      CPTR_DEPTH, off, PER_RETYPE);
    return err;
}

void bench_irq_latency(void)
{
    seL4_CPtr ut, cn_ut, nodes;
    seL4_Word longest_entry = 0;
    seL4_Error err;

    if (!bench_cfg.irq_kernel) {
        bench_skip(ROW, "measured on the latency-tracking kernel (kernel-bench-irq), "
                   "which has SYS_BENCH_MAX_KERNEL_INSNS");
        return;
    }
    ut = bench_untyped(TREE_UT_BITS);
    cn_ut = bench_untyped(TREE_UT_BITS);
    nodes = bench_slots(NODES);
    err = ut == 0 || cn_ut == 0 || nodes == 0 ? seL4_NotEnoughMemory : build_tree(ut, cn_ut, nodes);
    if (err != seL4_NoError) {
        bench_fail("revoke tree", err);
        bench_skip(ROW, "building the tree failed: %s", rt_error_name(err));
        return;
    }
    (void)seL4_BenchmarkMaxKernelInsns(seL4_Null);
    uint32_t t0 = rdtsc32();
    err = seL4_CNode_Revoke(ROOT_CNODE, ut, CPTR_DEPTH);
    uint32_t t1 = rdtsc32();
    seL4_Word stretch = seL4_BenchmarkMaxKernelInsns(&longest_entry);
    if (err != seL4_NoError) {
        bench_fail("revoke tree", err);
        bench_skip(ROW, "the revoke failed: %s", rt_error_name(err));
        return;
    }
    bench_report_value(ROW, (uint32_t)stretch);
    bench_note(ROW, "revoke of %u capabilities: %u instructions in all; longest kernel entry "
               "%u (it runs on until an interrupt is pending)", (unsigned)OBJS,
               (unsigned)(t1 - t0 - bench_pair_overhead), (unsigned)longest_entry);
}
