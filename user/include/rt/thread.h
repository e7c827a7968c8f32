/*
 * Threads for tests: a TCB retyped from the default allocator, sharing the
 * caller's CSpace and VSpace, with its own IPC buffer, TLS block and stack.
 *
 * One fresh page holds the IPC buffer (offset 0, 512 bytes) and the TLS
 * area behind it; the stack is RT_THREAD_STACK_PAGES fresh pages above an
 * unmapped guard page. The thread starts in rt_thread_entry (thread_entry.S),
 * which calls fn(arg) and, if it returns, suspends the thread.
 *
 *     rt_thread_t t;
 *     rt_thread_create(&t, 100, 0);         // priority 100, no fault ep
 *     rt_thread_start(&t, worker, &data);
 *
 * rt_thread_create_in() takes everything it uses from the caller: the
 * allocator the TCB and pages come from, the CSpace root and VSpace the
 * thread gets, and the TCB whose MCP authorises the priority;
 * rt_thread_create() passes the root task's. A failure part-way deletes
 * every capability made so far (a bump allocator cannot take the memory
 * back; memmgr's mm_thread_create() does, see docs/memmgr.md).
 */
#ifndef RT_THREAD_H
#define RT_THREAD_H

#include <sel4/sel4.h>
#include <rt/tls.h>

#define RT_THREAD_STACK_PAGES 4

typedef void (*rt_thread_fn_t)(void *arg);

typedef struct rt_thread {
    seL4_CPtr tcb;
    seL4_CPtr ipc_frame;            /* frame holding IPC buffer and TLS */
    seL4_IPCBuffer *ipc_buffer;
    rt_tls_t *tls;
    void *stack_top;
} rt_thread_t;

/* What a thread is made from and with. The pages are mapped in the
 * allocator's VSpace (for rt_alloc_t: the root task's), so vspace must
 * be that one. */
typedef struct rt_thread_env {
    struct rt_alloc *alloc;
    seL4_CPtr cspace;
    seL4_Word cspace_data;          /* guard word for the CSpace root (0: as is) */
    seL4_CPtr vspace;
    seL4_CPtr authority;
} rt_thread_env_t;

/* The root task's: default allocator, its CSpace, VSpace and TCB. */
rt_thread_env_t rt_root_thread_env(void);
seL4_Error rt_thread_create_in(rt_thread_t *t, const rt_thread_env_t *env, seL4_Word prio,
                               seL4_CPtr fault_ep);
/* Makes a suspended thread: TCB configured with the caller's CSpace root
 * and VSpace, fault endpoint CPtr fault_ep (0: none), priority prio, TLS
 * base set. Returns seL4_NoError or the first error. */
seL4_Error rt_thread_create(rt_thread_t *t, seL4_Word prio, seL4_CPtr fault_ep);
/* Sets EIP/ESP and resumes it running fn(arg). */
seL4_Error rt_thread_start(rt_thread_t *t, rt_thread_fn_t fn, void *arg);
/* Ends the calling thread (suspends itself); never returns. */
__attribute__((noreturn)) void rt_thread_exit(void);

#endif
