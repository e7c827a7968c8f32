/*
 * System tests of the scheduler and of the orderings IPC imposes on it
 * (kernel/sched.c, endpoint.c, notification.c, tcb.c), checked against
 * seL4's non-MCS semantics: endpoint and notification queues are FIFO
 * whatever the priorities; a woken thread preempts only a lower-priority
 * one (an equal one waits its turn); Yield and the timer rotate a priority
 * level; SetPriority re-queues; Suspend, Resume and deletion take threads
 * out of queues and restart them in seL4's order.
 *
 * The root task runs at ROOT_PRIO and drops to PARK_PRIO when it wants
 * lower-priority workers to run up to their next block.
 */
#include "sched.h"

struct st_root mem;    /* what the tests allocate from */

int main(bootinfo_t *bi)
{
    st_root_init(&mem, bi);
    st_set_root_prio(ROOT_PRIO);
    sched_queue_tests();
    sched_switch_tests();
    sched_priority_tests();
    sched_timeslice_tests();
    sched_suspend_tests();
    sched_delete_tests();
    tests_done();
}
