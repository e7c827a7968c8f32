/*
 * Threads built with memmgr: every resource a thread needs (TCB, IPC
 * buffer frame, stack frames) comes from the struct mm the caller names,
 * is mapped in the address space it names, and the thread gets the CSpace
 * and the priority authority it names: nothing ambient, so a guest kernel
 * holding only delegated untypeds makes threads exactly as the root task
 * does. A failure part-way gives back everything made so far.
 *
 * Layout at env->vaddr (MM_THREAD_SPAN bytes, unmapped pages as guards):
 *
 *     +0 guard | +4K IPC buffer (offset 0) and TLS block (after it)
 *     | +8K guard | +12K stack, RT_THREAD_STACK_PAGES pages, top at the end
 *
 * The TLS block is written through the creator's own mapping, so it is
 * set up only when env->local says the thread's address space is the
 * creator's; otherwise the thread starts with TLS base 0 and sets up its
 * own (see docs/memmgr.md, "Starting a component"). The thread is started
 * with rt_thread_start(&t->rt, fn, arg).
 */
#ifndef MEMMGR_THREAD_H
#define MEMMGR_THREAD_H

#include <memmgr/mm.h>
#include <memmgr/vspace.h>
#include <rt/thread.h>

#define MM_THREAD_PAGES     (3u + RT_THREAD_STACK_PAGES)
#define MM_THREAD_SPAN      (MM_THREAD_PAGES << PAGE_BITS)

struct mm_thread_env {
    struct mm *mm;              /* where the objects come from */
    struct mm_vspace *vs;       /* the thread's address space */
    int local;                  /* vs is the creator's own address space */
    mm_cptr_t cspace;           /* the thread's CSpace root */
    uint32_t cspace_data;       /* its guard word (0: as the capability has it) */
    mm_cptr_t authority;        /* a TCB whose MCP covers the priority */
    uint32_t vaddr;             /* a free, page-aligned MM_THREAD_SPAN in vs */
};

struct mm_thread {
    rt_thread_t rt;             /* tcb, ipc_frame, ipc_buffer, tls, stack_top */
    struct mm_thread_env env;
    mm_cptr_t stack[RT_THREAD_STACK_PAGES];
};

mm_err_t mm_thread_create(struct mm_thread *t, const struct mm_thread_env *env, uint32_t prio,
                          mm_cptr_t fault_ep);
/* Suspends the thread and gives back its TCB, frames and mappings. */
void mm_thread_destroy(struct mm_thread *t);

#endif
