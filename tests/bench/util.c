/*
 * Helpers of the benchmark root task: reporting, slots, untypeds, address
 * spaces and threads (see bench.h).
 */
#include "bench.h"
#include <rt/rt.h>
#include <rt/test.h>
#include <systest.h>
#include <stdio.h>
#include <stdarg.h>
#include <string.h>

struct bench_cfg bench_cfg;
volatile uint32_t bench_ts[8];
uint32_t bench_pair_overhead;
uint32_t bench_stub_overhead;
seL4_CPtr bench_done_ntfn;
/* The root task's memory: memmgr over bootinfo, as in the system suites. */
static struct st_root bench_root;

extern char __image_start[], __image_end[];

/* ---- results ---- */

uint32_t bench_mode(const uint32_t *s, int n)
{
    uint32_t best = 0;
    int best_count = 0;

    for (int i = 0; i < n; i++) {
        int c = 0;
        for (int j = 0; j < n; j++)
            c += s[j] == s[i];
        if (c > best_count || (c == best_count && s[i] < best)) {
            best = s[i];
            best_count = c;
        }
    }
    return best;
}

void bench_report(const char *name, const uint32_t *s, int n)
{
    uint32_t mode = bench_mode(s, n), lo = s[0], hi = s[0];
    int equal = 0;

    for (int i = 0; i < n; i++) {
        lo = s[i] < lo ? s[i] : lo;
        hi = s[i] > hi ? s[i] : hi;
        equal += s[i] == mode;
    }
    printf("BENCH %s %u\n", name, (unsigned)mode);
    if (lo != hi)
        printf("BENCH_VARIES %s %u %u %d/%d\n", name, (unsigned)lo, (unsigned)hi, equal, n);
}

void bench_report_value(const char *name, uint32_t value)
{
    printf("BENCH %s %u\n", name, (unsigned)value);
}

void bench_skip(const char *name, const char *fmt, ...)
{
    va_list ap;

    printf("BENCH_SKIP %s ", name);
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    printf("\n");
}

void bench_note(const char *name, const char *fmt, ...)
{
    va_list ap;

    printf("BENCH_NOTE %s ", name);
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    printf("\n");
}

void bench_fail(const char *where, seL4_Error err)
{
    printf("bench: %s failed: %s\n", where, rt_error_name(err));
    bench_cfg.failures++;
}

/* ---- resources ---- */

void bench_memory_init(bootinfo_t *bi)
{
    st_root_init(&bench_root, bi);
    bench_root.mm.check = 0;    /* thousands of records; the suites check memmgr */
}

seL4_CPtr bench_slots(seL4_Word n)
{
    return st_slots(&bench_root, n);
}

/* memmgr may hand out an untyped the kernel has yet to reset (a bootinfo
 * untyped handed out whole, whose watermark boot left at the top, or
 * halves merged back): its first retype would clear it inside a
 * measurement. A child retyped from it, outside, is clean. */
seL4_CPtr bench_untyped(seL4_Word bits)
{
    seL4_CPtr parent = st_untyped(&bench_root, bits, NULL), child = bench_slots(1);

    if (parent == 0 || child == 0 ||
        bench_retype(parent, seL4_UntypedObject, bits, child, 1) != seL4_NoError)
        return 0;
    return child;
}

seL4_CPtr bench_obj(seL4_Word type, seL4_Word size_bits)
{
    mm_cptr_t cap = 0;

    return mm_alloc(&bench_root.mm, type, size_bits, &cap) == ERR_NONE ? cap : 0;
}

seL4_Error bench_retype(seL4_CPtr ut, seL4_Word type, seL4_Word size_bits, seL4_CPtr slot,
                        seL4_Word n)
{
    return seL4_Untyped_Retype(ut, type, size_bits, ROOT_CNODE, 0, 0, slot, n);
}

seL4_Word bench_region(seL4_Word n_large_pages)
{
    static seL4_Word next = 0x40000000u;
    seL4_Word r = next;

    next += n_large_pages * LARGE_PAGE_SIZE;
    return r;
}

seL4_Error bench_map(seL4_CPtr vspace, seL4_CPtr frame, seL4_Word vaddr, seL4_CapRights_t rights)
{
    seL4_Error err = seL4_X86_Page_Map(frame, vspace, vaddr, rights, seL4_X86_Default_VMAttributes);
    seL4_CPtr pt;

    if (err != seL4_FailedLookup)
        return err;
    pt = bench_obj(seL4_X86_PageTableObject, 0);
    if (pt == 0)
        return seL4_NotEnoughMemory;
    err = seL4_X86_PageTable_Map(pt, vspace, vaddr & ~(LARGE_PAGE_SIZE - 1),
                                 seL4_X86_Default_VMAttributes);
    if (err != seL4_NoError)
        return err;
    return seL4_X86_Page_Map(frame, vspace, vaddr, rights, seL4_X86_Default_VMAttributes);
}

/* Maps a copy of frame (a root-task mapping) at the same address in vspace. */
static seL4_Error map_copy(seL4_CPtr vspace, seL4_CPtr frame, seL4_Word vaddr)
{
    seL4_CPtr copy = bench_slots(1);
    seL4_Error err;

    if (copy == 0)
        return seL4_NotEnoughMemory;
    err = seL4_CNode_Copy(ROOT_CNODE, copy, CPTR_DEPTH, ROOT_CNODE, frame, CPTR_DEPTH,
                          seL4_AllRights);
    if (err != seL4_NoError)
        return err;
    return bench_map(vspace, copy, vaddr, seL4_ReadWrite);
}

seL4_CPtr bench_vspace_new(void)
{
    bootinfo_t *bi = rt_bootinfo();
    seL4_CPtr pd = bench_obj(seL4_X86_PageDirectoryObject, 0);
    seL4_Word v = (seL4_Word)__image_start;
    seL4_Error err;

    if (pd == 0) {
        bench_fail("vspace: page directory", seL4_NotEnoughMemory);
        return 0;
    }
    err = seL4_X86_ASIDPool_Assign(seL4_CapInitThreadASIDPool, pd);
    if (err != seL4_NoError) {
        bench_fail("vspace: ASID assign", err);
        return 0;
    }
    for (seL4_CPtr f = bi->user_image_frames.start; f < bi->user_image_frames.end;
         f++, v += PAGE_SIZE) {
        err = map_copy(pd, f, v);
        if (err != seL4_NoError) {
            bench_fail("vspace: mapping the image", err);
            return 0;
        }
    }
    return pd;
}

seL4_Error bench_thread_new(rt_thread_t *t, seL4_Word prio, seL4_CPtr fault_ep, seL4_CPtr vspace)
{
    seL4_CPtr frames[1 + RT_THREAD_STACK_PAGES];
    uint8_t *frame, *stack;
    seL4_Error err;

    memset(t, 0, sizeof(*t));
    t->tcb = bench_obj(seL4_TCBObject, 0);
    frame = st_pages(&bench_root, 1, &frames[0]);
    stack = st_pages(&bench_root, RT_THREAD_STACK_PAGES, &frames[1]);
    if (t->tcb == 0 || frame == NULL || stack == NULL)
        return seL4_NotEnoughMemory;
    t->ipc_frame = frames[0];
    if (vspace != ROOT_VSPACE) {
        err = map_copy(vspace, frames[0], (seL4_Word)frame);
        for (int i = 0; i < RT_THREAD_STACK_PAGES && err == seL4_NoError; i++)
            err = map_copy(vspace, frames[1 + i], (seL4_Word)stack + (seL4_Word)i * PAGE_SIZE);
        if (err != seL4_NoError)
            return err;
    }
    t->ipc_buffer = (seL4_IPCBuffer *)frame;
    t->tls = thread_tls_setup(frame + sizeof(seL4_IPCBuffer), PAGE_SIZE - sizeof(seL4_IPCBuffer),
                              t->ipc_buffer);
    if (t->tls == NULL)
        return seL4_NotEnoughMemory;
    t->tls->tcb = t->tcb;
    t->stack_top = stack + RT_THREAD_STACK_PAGES * PAGE_SIZE;
    err = seL4_TCB_Configure(t->tcb, fault_ep, ROOT_CNODE, 0, vspace, 0, (seL4_Word)frame,
                             t->ipc_frame);
    if (err == seL4_NoError)
        err = seL4_TCB_SetPriority(t->tcb, seL4_CapInitThreadTCB, prio);
    if (err == seL4_NoError)
        err = seL4_TCB_SetTLSBase(t->tcb, (seL4_Word)t->tls);
    return err;
}

seL4_Error bench_thread_run(rt_thread_t *t, seL4_Word prio, seL4_CPtr fault_ep, seL4_CPtr vspace,
                            rt_thread_fn_t fn, void *arg)
{
    seL4_Error err = bench_thread_new(t, prio, fault_ep, vspace);

    if (err == seL4_NoError)
        err = rt_thread_start(t, fn, arg);
    if (err != seL4_NoError)
        bench_fail("thread", err);
    return err;
}

void bench_thread_stop(rt_thread_t *t)
{
    if (t->tcb != 0)
        seL4_TCB_Suspend(t->tcb);
}

void bench_wait_done(void)
{
    seL4_Word badge;

    seL4_Wait(bench_done_ntfn, &badge);
}

void bench_signal_done(void)
{
    seL4_Signal(bench_done_ntfn);
}
