/*
 * Second IPC suite: the hard cases of message and capability transfer,
 * reply capabilities and their rights, bound notifications and the edges
 * of Signal/Wait/Poll, and fault handling (kernel/transfer.c,
 * endpoint.c, notification.c, fault.c), checked against seL4's non-MCS
 * semantics. The root task runs at ROOT_PRIO; every test ends with the
 * kernel's invariant check.
 */
#include "ipc2.h"

seL4_CPtr new_object(seL4_Word type)
{
    return rt_alloc_object(type, 0);
}

seL4_CPtr mint(seL4_CPtr src, seL4_CapRights_t rights, seL4_Word badge)
{
    seL4_CPtr s = rt_alloc_slot();

    if (s == 0 || seL4_CNode_Mint(ROOT_CNODE, s, DEPTH, ROOT_CNODE, src, DEPTH, rights, badge) != 0)
        return 0;
    return s;
}

int spawn(rt_thread_t *t, seL4_Word prio, seL4_CPtr fault_ep, rt_thread_fn_t fn, void *arg)
{
    if (rt_thread_create(t, prio, fault_ep) != seL4_NoError ||
        rt_thread_start(t, fn, arg) != seL4_NoError) {
        t->tcb = 0;
        return 0;
    }
    return 1;
}

int spawn_unbuffered(rt_thread_t *t, seL4_Word prio, rt_thread_fn_t fn, void *arg)
{
    if (rt_thread_create(t, prio, 0) != seL4_NoError ||
        seL4_TCB_SetIPCBuffer(t->tcb, 0, seL4_CapNull) != seL4_NoError ||
        rt_thread_start(t, fn, arg) != seL4_NoError) {
        t->tcb = 0;
        return 0;
    }
    return 1;
}

void reap(rt_thread_t *t)
{
    if (t->tcb != 0)
        seL4_CNode_Delete(ROOT_CNODE, t->tcb, DEPTH);
    t->tcb = 0;
}

void set_root_prio(seL4_Word prio)
{
    seL4_TCB_SetPriority(seL4_CapInitThreadTCB, seL4_CapInitThreadTCB, prio);
}

void park_root(void)
{
    set_root_prio(PARK_PRIO);
    set_root_prio(ROOT_PRIO);
}

int main(bootinfo_t *bi)
{
    (void)bi;
    set_root_prio(ROOT_PRIO);
    ipc2_transfer_tests();
    ipc2_reply_tests();
    ipc2_ntfn_tests();
    ipc2_fault_tests();
    tests_done();
}
