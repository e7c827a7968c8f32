/*
 * Starting and ending threads (see rt/thread.h); memmgr makes them.
 */
#include <rt/thread.h>
#include <rt/rt.h>
#include <string.h>

void rt_thread_entry(void);                 /* thread_entry.S */

#define RT_EFLAGS_IF    0x200u
#define RT_EFLAGS_RSVD  0x2u

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
