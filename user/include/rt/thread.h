/*
 * Threads: what the runtime knows of one, how it starts and how it ends.
 * The runtime makes none itself (it allocates nothing): memmgr's
 * mm_thread_create() (<memmgr/thread.h>) builds a thread from an explicit
 * struct mm, address space, CSpace and priority authority, and fills the
 * rt_thread_t here. One page holds the IPC buffer (offset 0) and the TLS
 * block behind it; the stack is RT_THREAD_STACK_PAGES pages above an
 * unmapped guard page. The thread starts in rt_thread_entry
 * (thread_entry.S), which calls fn(arg) and, if it returns, suspends the
 * thread.
 *
 *     struct mm_thread t;
 *     mm_thread_create(&t, &env, 100, 0);      // priority 100, no fault ep
 *     rt_thread_start(&t.rt, worker, &data);
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

/* Sets EIP/ESP and resumes it running fn(arg). */
seL4_Error rt_thread_start(rt_thread_t *t, rt_thread_fn_t fn, void *arg);
/* Ends the calling thread (suspends itself); never returns. */
__attribute__((noreturn)) void rt_thread_exit(void);

#endif
