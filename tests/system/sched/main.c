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
#include <stdio.h>

static volatile seL4_Word log_buf[LOG_MAX];
static volatile int log_n;

void log_reset(void)
{
    log_n = 0;
}

void log_ev(seL4_Word ev)
{
    if (log_n < LOG_MAX)
        log_buf[log_n] = ev;
    log_n++;
}

int log_len(void)
{
    return log_n;
}

seL4_Word log_at(int i)
{
    return i < log_n && i < LOG_MAX ? log_buf[i] : (seL4_Word)-1;
}

int log_check(const char *file, int line, const seL4_Word *want, int n)
{
    char got[LOG_MAX * 12] = "", exp[LOG_MAX * 12] = "";
    int ok = log_n == n, off = 0;

    for (int i = 0; i < n && ok; i++)
        ok = log_buf[i] == want[i];
    if (ok)
        return 1;
    for (int i = 0; i < log_n && i < LOG_MAX; i++)
        off += snprintf(got + off, sizeof(got) - off, " %lx", (unsigned long)log_buf[i]);
    off = 0;
    for (int i = 0; i < n; i++)
        off += snprintf(exp + off, sizeof(exp) - off, " %lx", (unsigned long)want[i]);
    return rt_test_fail(file, line, "event log [%s ] expected [%s ]", got, exp);
}

int main(bootinfo_t *bi)
{
    (void)bi;
    st_set_root_prio(ROOT_PRIO);
    sched_queue_tests();
    sched_switch_tests();
    sched_priority_tests();
    sched_timeslice_tests();
    sched_suspend_tests();
    sched_delete_tests();
    tests_done();
}
