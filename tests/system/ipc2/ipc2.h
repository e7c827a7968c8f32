/*
 * Shared helpers of the second IPC suite: object and thread set-up, the
 * root task's own priority, and seL4's DebugCapIdentify tags.
 */
#ifndef IPC2_TESTS_H
#define IPC2_TESTS_H

#include <rt/rt.h>
#include <rt/test.h>
#include <rt/thread.h>
#include <sel4/sel4.h>
#include <systest.h>

/* The suite's memory (main.c). */
extern struct st_root mem;

#define ROOT_CNODE  seL4_CapInitThreadCNode
#define DEPTH       seL4_WordBits
#define ROOT_PRIO   100
#define PARK_PRIO   40
#define LOW_PRIO    50
#define HIGH_PRIO   150

/* seL4 cap tags returned by DebugCapIdentify. */
#define TAG_NULL            0
#define TAG_ENDPOINT        4
#define TAG_NOTIFICATION    6
#define TAG_REPLY           8

/* Objects, threads and the root's priority: st_* of <systest.h>. This
 * suite's own: st_spawn with no IPC buffer registered in the thread's TCB
 * (its page stays mapped). */
int spawn_unbuffered(rt_thread_t *t, seL4_Word prio, rt_thread_fn_t fn, void *arg);

void ipc2_transfer_tests(void);
void ipc2_reply_tests(void);
void ipc2_ntfn_tests(void);
void ipc2_fault_tests(void);

#endif
