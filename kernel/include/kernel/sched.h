/*
 * Scheduling: 256 fixed priorities, round robin within a priority on a
 * timer-driven time slice (CONFIG_TIME_SLICE ticks of CONFIG_TIMER_TICK_MS),
 * a two-level bitmap to find the highest ready priority in constant time.
 * The current thread is not kept in the ready queue while it runs (as seL4).
 */
#ifndef KERNEL_SCHED_H
#define KERNEL_SCHED_H

#include <kernel/objects.h>

#define TIME_SLICE_TICKS 5
#define TIMER_TICK_MS 2

void sched_enqueue(tcb_t *t);           /* at the tail of its priority */
void sched_enqueue_head(tcb_t *t);
void sched_dequeue(tcb_t *t);           /* no-op if not queued */
static inline bool sched_is_runnable(const tcb_t *t)
{
    return t->state == TS_RUNNING || t->state == TS_RESTART;
}
/* t is no longer runnable (tcb_set_state): dequeue it, choose again. */
void sched_thread_stopped(tcb_t *t);
/* A thread became runnable: run it now if it should preempt the current
 * thread (higher priority), else queue it (seL4 possibleSwitchTo). */
void sched_possible_switch_to(tcb_t *t);
void sched_reschedule_required(void);   /* current thread stops being the choice */
void sched_yield(void);
void sched_timer_tick(void);
/* Decide who runs next and make them current (called on every kernel exit). */
void schedule(void);
void sched_set_priority(tcb_t *t, word_t prio);
/* Print the current thread and the ready queues (DebugDumpScheduler). */
void sched_dump(void);

#endif
