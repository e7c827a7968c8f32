/*
 * Shared helpers of the scheduler suite: an event log the threads append
 * to so a test can assert the exact order in which they ran. Objects,
 * threads, the root's priority and the fresh time slice that tests of
 * equal-priority order start with are the suites' common helpers
 * (<systest.h>, st_*).
 *
 * There is one CPU and threads switch only inside the kernel, so a plain
 * volatile array is a faithful record of who ran when.
 */
#ifndef SCHED_TESTS_H
#define SCHED_TESTS_H

#include <rt/rt.h>
#include <rt/alloc.h>
#include <rt/test.h>
#include <rt/thread.h>
#include <sel4/sel4.h>
#include <systest.h>

#define ROOT_CNODE  seL4_CapInitThreadCNode
#define DEPTH       seL4_WordBits
#define ROOT_PRIO   100         /* the root task's priority between steps */
#define PARK_PRIO   40          /* the root drops here to let low workers run */
#define LOW_PRIO    50
#define HIGH_PRIO   150
#define LOG_MAX     32

/* Event log. */
void log_reset(void);
void log_ev(seL4_Word ev);
int log_len(void);
seL4_Word log_at(int i);
/* Fails the current test (without returning) unless the log is exactly want[0..n). */
int log_check(const char *file, int line, const seL4_Word *want, int n);
#define EXPECT_LOG(...) do { \
        static const seL4_Word want_[] = { __VA_ARGS__ }; \
        log_check(__FILE__, __LINE__, want_, (int)(sizeof(want_) / sizeof(want_[0]))); \
    } while (0)

/* Test cases, one group per file. */
void sched_queue_tests(void);
void sched_switch_tests(void);
void sched_priority_tests(void);
void sched_timeslice_tests(void);
void sched_suspend_tests(void);
void sched_delete_tests(void);

#endif
