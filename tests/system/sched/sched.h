/*
 * Constants of the scheduler suite. Its helpers (objects, threads, the
 * root's priority, the fresh time slice that tests of equal-priority
 * order start with, and the event log its threads append to so a test can
 * assert the exact order in which they ran) are the suites' common ones
 * (<systest.h>, st_*).
 */
#ifndef SCHED_TESTS_H
#define SCHED_TESTS_H

#include <rt/rt.h>
#include <rt/test.h>
#include <rt/thread.h>
#include <sel4/sel4.h>
#include <systest.h>

/* The suite's memory (main.c). */
extern struct st_root mem;

#define ROOT_CNODE  seL4_CapInitThreadCNode
#define DEPTH       seL4_WordBits
#define ROOT_PRIO   100         /* the root task's priority between steps */
#define PARK_PRIO   40          /* the root drops here to let low workers run */
#define LOW_PRIO    50
#define HIGH_PRIO   150

/* Test cases, one group per file. */
void sched_queue_tests(void);
void sched_switch_tests(void);
void sched_priority_tests(void);
void sched_timeslice_tests(void);
void sched_suspend_tests(void);
void sched_delete_tests(void);

#endif
