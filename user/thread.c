/*
 * Thread creation for tests (see rt/thread.h).
 */
#include <rt/thread.h>
#include <rt/alloc.h>
#include <rt/rt.h>
#include <string.h>

void rt_thread_entry(void);                 /* thread_entry.S */

#define RT_EFLAGS_IF    0x200u
#define RT_EFLAGS_RSVD  0x2u

seL4_Error rt_thread_create(rt_thread_t *t, seL4_Word prio, seL4_CPtr fault_ep)
{
    rt_alloc_t *a = rt_default_alloc();
    seL4_Word page = (seL4_Word)1 << seL4_PageBits;
    uint8_t *frame, *stack;
    seL4_Error err;

    memset(t, 0, sizeof(*t));
    if (sizeof(seL4_IPCBuffer) + rt_tls_area_size() > page)
        return seL4_NotEnoughMemory;
    t->tcb = rt_alloc_object_in(a, seL4_TCBObject, 0);
    frame = rt_map_pages_in(a, 1, &t->ipc_frame);
    stack = rt_map_pages_in(a, RT_THREAD_STACK_PAGES, NULL);
    if (t->tcb == 0 || frame == NULL || stack == NULL)
        return a->last_error;
    t->ipc_buffer = (seL4_IPCBuffer *)frame;
    t->tls = thread_tls_setup(frame + sizeof(seL4_IPCBuffer), page - sizeof(seL4_IPCBuffer),
                              t->ipc_buffer);
    t->tls->tcb = t->tcb;
    t->stack_top = stack + RT_THREAD_STACK_PAGES * page;

    err = seL4_TCB_Configure(t->tcb, fault_ep, seL4_CapInitThreadCNode, 0,
                             seL4_CapInitThreadVSpace, 0, (seL4_Word)frame, t->ipc_frame);
    if (err == seL4_NoError)
        err = seL4_TCB_SetPriority(t->tcb, seL4_CapInitThreadTCB, prio);
    if (err == seL4_NoError)
        err = seL4_TCB_SetTLSBase(t->tcb, (seL4_Word)t->tls);
    return err;
}

seL4_Error rt_thread_start(rt_thread_t *t, rt_thread_fn_t fn, void *arg)
{
    seL4_UserContext regs;

    memset(&regs, 0, sizeof(regs));
    regs.eip = (seL4_Word)rt_thread_entry;
    regs.esp = (seL4_Word)t->stack_top;
    regs.eflags = RT_EFLAGS_IF | RT_EFLAGS_RSVD;
    regs.eax = (seL4_Word)fn;
    regs.ebx = (seL4_Word)arg;
    regs.gs_base = (seL4_Word)t->tls;
    return seL4_TCB_WriteRegisters(t->tcb, 1, 0, sizeof(regs) / sizeof(seL4_Word), &regs);
}

void rt_thread_exit(void)
{
    seL4_CPtr self = rt_tls_self()->tcb;

    for (;;) {
        seL4_TCB_Suspend(self);
        seL4_DebugPutString("rt: rt_thread_exit: Suspend returned\n");
        rt_halt();
    }
}
