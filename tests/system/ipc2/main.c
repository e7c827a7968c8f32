/*
 * Second IPC suite: the hard cases of message and capability transfer,
 * reply capabilities and their rights, bound notifications and the edges
 * of Signal/Wait/Poll, and fault handling (kernel/transfer.c,
 * endpoint.c, notification.c, fault.c), checked against seL4's non-MCS
 * semantics. The root task runs at ROOT_PRIO; every test ends with the
 * kernel's invariant check.
 */
#include "ipc2.h"

struct st_root mem;    /* what the tests allocate from */

int spawn_unbuffered(rt_thread_t *t, seL4_Word prio, rt_thread_fn_t fn, void *arg)
{
    if (st_thread_create(&mem, t, prio, 0) != seL4_NoError ||
        seL4_TCB_SetIPCBuffer(t->tcb, 0, seL4_CapNull) != seL4_NoError ||
        rt_thread_start(t, fn, arg) != seL4_NoError) {
        t->tcb = 0;
        return 0;
    }
    return 1;
}

int main(bootinfo_t *bi)
{
    st_root_init(&mem, bi);
    st_set_root_prio(ROOT_PRIO);
    ipc2_transfer_tests();
    ipc2_reply_tests();
    ipc2_ntfn_tests();
    ipc2_fault_tests();
    tests_done();
}
