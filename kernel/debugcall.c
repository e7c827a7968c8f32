/*
 * The debugging and benchmarking system calls (seL4's DebugPutChar,
 * DebugHalt, DebugCapIdentify, DebugNameThread, DebugSnapshot,
 * DebugDumpScheduler, BenchmarkNullSyscall, and our
 * SYS_DEBUG_CHECK_INVARIANTS and SYS_BENCH_MAX_KERNEL_INSNS): the
 * numbers syscall.c does not dispatch itself. Most exist in debug builds
 * only; elsewhere they are UnknownSyscall faults like any other number.
 */
#include <kernel/debugcall.h>
#include <kernel/benchmark.h>
#include <kernel/cspace.h>
#include <kernel/transfer.h>
#include <kernel/invocation.h>
#include <kernel/tcb.h>
#include <kernel/sched.h>
#include <kernel/state.h>
#include <kernel/invariants.h>
#include <kernel/debug.h>
#include <arch/arch.h>
#include <abi/syscall.h>

#ifndef CONFIG_BENCHMARK
#define CONFIG_BENCHMARK 0
#endif

#define DEBUG_CHAR_MASK 0xffu

/* ---- debugging aids (debug builds) ---- */

#if CONFIG_DEBUG

static word_t sel4_cap_tag(cap_t c)
{
    switch (cap_type(c)) {
    case CAP_UNTYPED: return SEL4_TAG_UNTYPED;
    case CAP_ENDPOINT: return SEL4_TAG_ENDPOINT;
    case CAP_NOTIFICATION: return SEL4_TAG_NOTIFICATION;
    case CAP_REPLY: return SEL4_TAG_REPLY;
    case CAP_CNODE: return SEL4_TAG_CNODE;
    case CAP_TCB: return SEL4_TAG_THREAD;
    case CAP_FRAME: return SEL4_TAG_FRAME;
    case CAP_PAGE_TABLE: return SEL4_TAG_PAGE_TABLE;
    case CAP_PAGE_DIRECTORY: return SEL4_TAG_PAGE_DIRECTORY;
    case CAP_ASID_POOL: return SEL4_TAG_ASID_POOL;
    case CAP_IRQ_HANDLER: return SEL4_TAG_IRQ_HANDLER;
    case CAP_IO_PORT: return SEL4_TAG_IO_PORT;
    case CAP_ZOMBIE: return SEL4_TAG_ZOMBIE;
    case CAP_CONTROL:
        switch (cap_control_sub(c)) {
        case CONTROL_IRQ: return SEL4_TAG_IRQ_CONTROL;
        case CONTROL_ASID: return SEL4_TAG_ASID_CONTROL;
        case CONTROL_IO_PORT: return SEL4_TAG_IO_PORT_CONTROL;
        case CONTROL_DOMAIN: return SEL4_TAG_DOMAIN;
        }
        return SEL4_TAG_NULL;
    default:
        return SEL4_TAG_NULL;
    }
}

static void debug_cap_identify(tcb_t *t)
{
    cte_t *slot;

    if (cspace_lookup_slot(t, tcb_cptr(t), &slot) != EXCEPTION_NONE)
        tcb_set_badge(t, SEL4_TAG_NULL);
    else
        tcb_set_badge(t, sel4_cap_tag(slot->cap));
}

/* seL4 halts the machine on a bad DebugNameThread; we ignore the call. */
static void debug_name_thread(tcb_t *t)
{
    cte_t *slot;
    const word_t max = MSG_MAX_LENGTH * sizeof(word_t);
    word_t *buf = tcb_ipc_buffer(t, false);

    if (cspace_lookup_slot(t, tcb_cptr(t), &slot) != EXCEPTION_NONE || cap_type(slot->cap) != CAP_TCB ||
        buf == NULL) {
        printk("DebugNameThread: no TCB capability or IPC buffer; ignored\n");
        return;
    }
    const char *name = (const char *)(buf + 1);
    word_t len = strnlen(name, max);
    if (len == max) {
        printk("DebugNameThread: name not terminated; ignored\n");
        return;
    }
    tcb_t *target = cap_tcb_ptr(slot->cap);
    if (len >= sizeof(target->name))
        len = sizeof(target->name) - 1;
    memcpy(target->name, name, len);
    target->name[len] = '\0';
}

/* A capDL dump is beyond us: list the caller's root CNode instead. */
static void debug_snapshot(tcb_t *t)
{
    cap_t root = tcb_slot(t, TCB_SLOT_CTABLE)->cap;

    printk("snapshot of '%s' root CNode:\n", t->name);
    if (cap_type(root) != CAP_CNODE)
        return;
    cte_t *slots = cnode_slots(root);
    for (word_t i = 0; i < BIT(cap_cnode_radix(root)); i++)
        if (!cap_is_null(slots[i].cap))
            printk("  slot %u: type %u %x %x\n", i, cap_type(slots[i].cap), slots[i].cap.w0, slots[i].cap.w1);
}

#endif

#if CONFIG_BENCHMARK_IRQ_LATENCY
/* Our SYS_BENCH_MAX_KERNEL_INSNS: the longest stretch without a chance to
 * notice an interrupt (EAX) and the longest kernel entry (EBX) since the
 * last call, which starts both again. This call's own stretch is the first
 * of the new ones. */
static void bench_read_maxima(tcb_t *t)
{
    t->ctx.eax = ks_bench_max_stretch;
    tcb_set_badge(t, ks_bench_max_entry);
    ks_bench_max_stretch = 0;
    ks_bench_max_entry = 0;
}
#endif

/* The debug and benchmark system calls; false if sysno is none of them. */
bool handle_debug_syscall(sword_t sysno)
{
    tcb_t *t = ks_cur_thread;

    switch (sysno) {
    case SYS_DEBUG_PUT_CHAR:
        kputc((char)(t->ctx.ebx & DEBUG_CHAR_MASK));
        return true;
    case SYS_DEBUG_DUMP_SCHEDULER:
        sched_dump();
        return true;
#if CONFIG_DEBUG
    case SYS_DEBUG_HALT:
        printk("debug halt from thread %p '%s'\n", (void *)t, t->name);
        arch_halt(HALT_CODE_DEBUG_HALT);
    case SYS_DEBUG_CAP_IDENTIFY:
        debug_cap_identify(t);
        return true;
    case SYS_DEBUG_SNAPSHOT:
        debug_snapshot(t);
        return true;
    case SYS_DEBUG_NAME_THREAD:
        debug_name_thread(t);
        return true;
#endif
    /* Release kernels answer too (INV_NOT_CHECKED), so that the system
     * suites also run on them. */
    case SYS_DEBUG_CHECK_INVARIANTS:
        t->ctx.eax = invariants_check();
        return true;
#if CONFIG_BENCHMARK
    case SYS_BENCH_NULL_SYSCALL:
        return true;
#endif
#if CONFIG_BENCHMARK_IRQ_LATENCY
    case SYS_BENCH_MAX_KERNEL_INSNS:
        bench_read_maxima(t);
        return true;
#endif
    default:
        return false;
    }
}
