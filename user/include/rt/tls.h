/*
 * Per-thread runtime block, reached through %gs.
 *
 * On seL4 ia32 a thread's TLS base (TCB SetTLSBase, context word gs_base) is
 * the base of the %gs segment: the kernel writes it into GDT entry 7 and
 * loads %gs with selector 0x3B before returning to the thread. We point it
 * at an rt_tls_t, the thread pointer (TP). The layout follows i386 TLS
 * variant II and glibc's tcbhead_t, so that foreign code finds what it
 * expects:
 *
 *   %gs:0x00  self pointer (the TP itself: compiler-generated __thread
 *             accesses read it; the static TLS image sits just below it)
 *   %gs:0x14  stack-protector canary (gcc -fstack-protector, libfdt.a)
 *   %gs:0x1c  this thread's IPC buffer (seL4_GetIPCBuffer)
 *
 * The root task's block is set up by crt0 before main; threads made with
 * memmgr's mm_thread_create() get one in their IPC-buffer frame; anyone creating a
 * thread by hand calls thread_tls_setup() and then TCB SetTLSBase.
 */
#ifndef RT_TLS_H
#define RT_TLS_H

/* GDT selector of the TLS segment (entry 7, RPL 3), per seL4 ia32. */
#define RT_TLS_GS_SELECTOR      0x3B
#define RT_TLS_IPC_BUFFER_OFFSET 0x1c
#define RT_TLS_STACK_GUARD      0x5e14c0deu

#ifndef __ASSEMBLER__
#include <stddef.h>
#include <stdint.h>

struct seL4_IPCBuffer_;

typedef struct rt_tls {
    struct rt_tls *self;                /* 0x00: thread pointer */
    uintptr_t dtv;                      /* 0x04: unused (no dynamic TLS) */
    struct rt_tls *self2;               /* 0x08: glibc's "self" */
    uintptr_t multiple_threads;         /* 0x0c */
    uintptr_t sysinfo;                  /* 0x10 */
    uintptr_t stack_guard;              /* 0x14: stack-protector canary */
    uintptr_t pointer_guard;            /* 0x18 */
    struct seL4_IPCBuffer_ *ipc_buffer; /* 0x1c: this thread's IPC buffer */
    uint32_t tcb;                       /* own TCB cptr, 0 if unknown */
    void *user;                         /* free for the thread's owner */
} rt_tls_t;

_Static_assert(offsetof(rt_tls_t, stack_guard) == 0x14, "canary at %gs:0x14");
_Static_assert(offsetof(rt_tls_t, ipc_buffer) == RT_TLS_IPC_BUFFER_OFFSET,
               "IPC buffer pointer offset");

/* Bytes a thread's TLS area needs: the static TLS image of the program
 * (.tdata + .tbss), aligned, followed by an rt_tls_t. */
size_t rt_tls_area_size(void);
/* Builds a TLS area inside [area, area + size): copies .tdata, clears .tbss,
 * fills the block. Returns the thread pointer to pass to TCB SetTLSBase, or
 * NULL if the area is too small. */
rt_tls_t *thread_tls_setup(void *area, size_t size, struct seL4_IPCBuffer_ *ipc_buffer);
/* The calling thread's block. */
static inline rt_tls_t *rt_tls_self(void)
{
    rt_tls_t *tp;
    __asm__ volatile("movl %%gs:0, %0" : "=r"(tp));
    return tp;
}
/* Records the calling thread's IPC buffer (seL4_SetIPCBuffer does the same). */
void sel4rt_set_ipc_buffer(struct seL4_IPCBuffer_ *ipc_buffer);
/* Reload %gs with the TLS selector so its hidden base matches the GDT. */
static inline void rt_tls_load_selector(void)
{
    __asm__ volatile("movw %w0, %%gs" : : "r"(RT_TLS_GS_SELECTOR) : "memory");
}

#endif /* __ASSEMBLER__ */
#endif
