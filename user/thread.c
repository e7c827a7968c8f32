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

rt_thread_env_t rt_root_thread_env(void)
{
    rt_thread_env_t env = {
        .alloc = rt_default_alloc(), .cspace = seL4_CapInitThreadCNode,
        .vspace = seL4_CapInitThreadVSpace, .authority = seL4_CapInitThreadTCB,
    };
    return env;
}

static void delete_cap(seL4_CPtr c, int frame)
{
    if (c == 0)
        return;
    if (frame)
        seL4_X86_Page_Unmap(c);
    seL4_CNode_Delete(seL4_CapInitThreadCNode, c, seL4_WordBits);
}

/* A failed creation leaves no capability behind that could be used. */
static seL4_Error undo(rt_thread_t *t, const seL4_CPtr *stack, seL4_Error err)
{
    delete_cap(t->tcb, 0);
    delete_cap(t->ipc_frame, 1);
    for (int i = 0; i < RT_THREAD_STACK_PAGES; i++)
        delete_cap(stack[i], 1);
    memset(t, 0, sizeof(*t));
    return err != seL4_NoError ? err : seL4_NotEnoughMemory;
}

static seL4_Error configure(rt_thread_t *t, const rt_thread_env_t *env, seL4_Word prio,
                            seL4_CPtr fault_ep)
{
    seL4_Error err = seL4_TCB_Configure(t->tcb, fault_ep, env->cspace, env->cspace_data,
                                        env->vspace, 0, (seL4_Word)t->ipc_buffer,
                                        t->ipc_frame);
    if (err == seL4_NoError)
        err = seL4_TCB_SetPriority(t->tcb, env->authority, prio);
    if (err == seL4_NoError)
        err = seL4_TCB_SetTLSBase(t->tcb, (seL4_Word)t->tls);
    return err;
}

seL4_Error rt_thread_create_in(rt_thread_t *t, const rt_thread_env_t *env, seL4_Word prio,
                               seL4_CPtr fault_ep)
{
    rt_alloc_t *a = env->alloc;
    seL4_Word page = (seL4_Word)1 << seL4_PageBits;
    seL4_CPtr stack_frames[RT_THREAD_STACK_PAGES] = { 0 };
    uint8_t *frame = NULL, *stack = NULL;
    seL4_Error err;

    memset(t, 0, sizeof(*t));
    if (sizeof(seL4_IPCBuffer) + rt_tls_area_size() > page)
        return seL4_NotEnoughMemory;
    t->tcb = rt_alloc_object_in(a, seL4_TCBObject, 0);
    if (t->tcb != 0)
        frame = rt_map_pages_in(a, 1, &t->ipc_frame);
    if (frame != NULL)
        stack = rt_map_pages_in(a, RT_THREAD_STACK_PAGES, stack_frames);
    if (stack == NULL)
        return undo(t, stack_frames, a->last_error);
    t->ipc_buffer = (seL4_IPCBuffer *)frame;
    t->tls = thread_tls_setup(frame + sizeof(seL4_IPCBuffer), page - sizeof(seL4_IPCBuffer),
                              t->ipc_buffer);
    t->tls->tcb = t->tcb;
    t->stack_top = stack + RT_THREAD_STACK_PAGES * page;
    err = configure(t, env, prio, fault_ep);
    if (err != seL4_NoError)
        return undo(t, stack_frames, err);
    return seL4_NoError;
}

seL4_Error rt_thread_create(rt_thread_t *t, seL4_Word prio, seL4_CPtr fault_ep)
{
    rt_thread_env_t env = rt_root_thread_env();

    return rt_thread_create_in(t, &env, prio, fault_ep);
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
