/*
 * Starting a component that is not the root task.
 *
 * The root task gets its start from the kernel (bootinfo in EBX). Any
 * other component (a guest kernel, a driver, a test's child) is started
 * by its parent, which builds its thread and hands it a description of
 * what it holds. The entry contract:
 *
 *   EIP   rt_component_entry (this runtime's; or the component's own
 *         code that ends up calling __rt_start_component(info))
 *   ESP   top of a stack the parent mapped, 16-byte aligned
 *   EBX   address of an rt_component_info_t mapped in the component
 *   TLS base 0; the TCB's IPC buffer already set to info->ipc_buffer
 *
 * __rt_start_component() builds the thread's TLS block in
 * info->tls_area, points its TCB's TLS base there with a registers-only
 * system call (as the root task's start does), reloads %gs and calls
 *
 *     int component_main(rt_component_info_t *info);
 *
 * which the component defines. When it returns, the thread suspends
 * itself; its parent sees that however it watches it (a fault handler,
 * or a signal component_main sends first).
 *
 * The untypeds, slots and ASID pool in info are what the component's own
 * struct mm starts from (docs/memmgr.md): no ambient authority.
 */
#ifndef RT_COMPONENT_H
#define RT_COMPONENT_H

#include <sel4/sel4.h>

#define RT_COMPONENT_MAGIC          0x636f6d70u     /* "comp" */
#define RT_COMPONENT_MAX_UNTYPEDS   16

typedef struct rt_component_untyped {
    seL4_CPtr cap;
    seL4_Word paddr;
    seL4_Word size_bits;
    seL4_Word is_device;
} rt_component_untyped_t;

typedef struct rt_component_info {
    seL4_Word magic;                /* RT_COMPONENT_MAGIC */
    seL4_Word ipc_buffer;           /* its IPC buffer's address, set in its TCB */
    seL4_Word tls_area, tls_size;   /* memory for its TLS block */
    seL4_CPtr tcb;                  /* its own TCB, in its CSpace */
    seL4_CPtr cspace;               /* its CSpace root (CPtrs at depth 32) */
    seL4_CPtr vspace;               /* its page directory */
    seL4_CPtr asid_pool;            /* for address spaces it makes (0: none) */
    seL4_CPtr parent;               /* endpoint or notification to its parent */
    seL4_Word empty_first, empty_count; /* free slots of its root CNode */
    seL4_Word n_untypeds;
    rt_component_untyped_t untypeds[RT_COMPONENT_MAX_UNTYPEDS];
    seL4_Word arg;                  /* the parent's word for it */
    seL4_Word result;               /* the component's word back */
} rt_component_info_t;

/* The entry point (component_entry.S): pushes EBX, calls the next. */
void rt_component_entry(void);
__attribute__((noreturn)) void __rt_start_component(rt_component_info_t *info);
int component_main(rt_component_info_t *info);

#endif
