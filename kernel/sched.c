/*
 * The scheduler: 256 fixed priorities, round robin within a priority.
 *
 * Every runnable thread except the one running sits in the ready queue of
 * its priority, a doubly linked list through sched_next/sched_prev. Which
 * queues are non-empty is kept in a two-level bitmap: bit i of the top
 * word says that one of priorities 32i..32i+31 has a ready thread, and
 * ks_ready_bitmap[i] says which, so the highest ready priority is two
 * count-leading-zeros away, however many threads exist.
 *
 * Like seL4, the kernel does not switch threads on the spot: operations
 * that wake a thread record a wish in ks_sched_action (keep the current
 * thread, switch to one particular thread, or choose afresh), and
 * schedule(), on the way out of every kernel entry, settles it. A woken
 * thread of higher priority runs at once; one of equal priority waits its
 * turn. The running thread is charged one tick per timer interrupt and goes
 * to the back of its queue when its time slice is used up. Finally the
 * chosen thread is activated: one in the Restart state resumes at its
 * fault_ip, i.e. re-executes the system call or instruction that stopped it.
 */
#include <kernel/sched.h>
#include <kernel/state.h>
#include <kernel/invariants.h>
#include <kernel/debug.h>
#include <arch/arch.h>

#define PRIO_GROUP_BITS 5u      /* priorities per bitmap word: 2^5 = 32 */

static inline word_t prio_group(word_t prio) { return prio >> PRIO_GROUP_BITS; }
static inline word_t prio_bit(word_t prio) { return BIT(prio & MASK(PRIO_GROUP_BITS)); }
static inline word_t highest_bit(word_t w) { return WORD_BITS - 1u - (word_t)__builtin_clz(w); }

static void bitmap_add(word_t prio)
{
    ks_ready_bitmap[prio_group(prio)] |= prio_bit(prio);
    ks_ready_bitmap_top |= BIT(prio_group(prio));
}

static void bitmap_remove(word_t prio)
{
    word_t g = prio_group(prio);

    ks_ready_bitmap[g] &= ~prio_bit(prio);
    if (ks_ready_bitmap[g] == 0)
        ks_ready_bitmap_top &= ~BIT(g);
}

/* Highest priority with a ready thread; only if the bitmap is non-empty. */
static word_t highest_ready_prio(void)
{
    word_t g = highest_bit(ks_ready_bitmap_top);

    return (g << PRIO_GROUP_BITS) | highest_bit(ks_ready_bitmap[g]);
}

static bool is_highest_prio(word_t prio)
{
    return ks_ready_bitmap_top == 0 || prio >= highest_ready_prio();
}

void sched_enqueue(tcb_t *t)
{
    word_t p = t->priority;

    if (t->in_ready_queue)
        return;
    assert(sched_is_runnable(t));
    t->sched_next = NULL;
    t->sched_prev = ks_ready_tail[p];
    if (ks_ready_tail[p] != NULL)
        ks_ready_tail[p]->sched_next = t;
    else
        ks_ready_head[p] = t;
    ks_ready_tail[p] = t;
    bitmap_add(p);
    t->in_ready_queue = true;
}

void sched_enqueue_head(tcb_t *t)
{
    word_t p = t->priority;

    if (t->in_ready_queue)
        return;
    assert(sched_is_runnable(t));
    t->sched_prev = NULL;
    t->sched_next = ks_ready_head[p];
    if (ks_ready_head[p] != NULL)
        ks_ready_head[p]->sched_prev = t;
    else
        ks_ready_tail[p] = t;
    ks_ready_head[p] = t;
    bitmap_add(p);
    t->in_ready_queue = true;
}

void sched_dequeue(tcb_t *t)
{
    word_t p = t->priority;

    if (!t->in_ready_queue)
        return;
    if (t->sched_prev != NULL)
        t->sched_prev->sched_next = t->sched_next;
    else
        ks_ready_head[p] = t->sched_next;
    if (t->sched_next != NULL)
        t->sched_next->sched_prev = t->sched_prev;
    else
        ks_ready_tail[p] = t->sched_prev;
    if (ks_ready_head[p] == NULL)
        bitmap_remove(p);
    t->sched_next = t->sched_prev = NULL;
    t->in_ready_queue = false;
}

void sched_reschedule_required(void)
{
    if (ks_sched_action == SCHED_SWITCH_TO)
        sched_enqueue_head(ks_switch_target);
    ks_sched_action = SCHED_CHOOSE_NEW;
    ks_switch_target = NULL;
}

/* A thread that stopped being runnable leaves the ready queue, and if it
 * was the one about to run (or running), someone else is chosen. */
void sched_thread_stopped(tcb_t *t)
{
    sched_dequeue(t);
    if (t == ks_cur_thread && ks_sched_action == SCHED_RESUME_CURRENT)
        sched_reschedule_required();
    if (ks_sched_action == SCHED_SWITCH_TO && ks_switch_target == t) {
        ks_sched_action = SCHED_CHOOSE_NEW;
        ks_switch_target = NULL;
    }
}

void sched_possible_switch_to(tcb_t *t)
{
    if (t == ks_cur_thread)
        return;
    if (ks_sched_action != SCHED_RESUME_CURRENT) {
        sched_reschedule_required();
        sched_enqueue_head(t);
    } else {
        ks_sched_action = SCHED_SWITCH_TO;
        ks_switch_target = t;
    }
}

void sched_yield(void)
{
    tcb_t *t = ks_cur_thread;

    sched_dequeue(t);
    sched_enqueue(t);
    sched_reschedule_required();
}

void sched_timer_tick(void)
{
    tcb_t *t = ks_cur_thread;

    if (t->state != TS_RUNNING)
        return;
    if (t->time_slice > 1) {
        t->time_slice--;
        return;
    }
    t->time_slice = TIME_SLICE_TICKS;
    sched_enqueue(t);
    sched_reschedule_required();
}

void sched_set_priority(tcb_t *t, word_t prio)
{
    sched_dequeue(t);
    t->priority = prio;
    if (!sched_is_runnable(t))
        return;
    if (t == ks_cur_thread)
        sched_reschedule_required();
    else
        sched_possible_switch_to(t);
}

static void switch_to_thread(tcb_t *t)
{
    arch_switch_to_thread(t);
    sched_dequeue(t);
    ks_cur_thread = t;
}

static void choose_thread(void)
{
    if (ks_ready_bitmap_top == 0) {
        arch_switch_to_thread(ks_idle_thread);
        ks_cur_thread = ks_idle_thread;
        return;
    }
    tcb_t *t = ks_ready_head[highest_ready_prio()];
    assert(t != NULL && sched_is_runnable(t));
    switch_to_thread(t);
}

/* The thread someone woke competes with the one that was running
 * (seL4's schedule(): the woken one wins only with a higher priority, or
 * an equal one when the current thread stopped). */
static void switch_to_candidate(tcb_t *cand, bool was_runnable)
{
    tcb_t *cur = ks_cur_thread;
    bool fastfail = cur == ks_idle_thread || cand->priority < cur->priority;

    if (fastfail && !is_highest_prio(cand->priority)) {
        sched_enqueue_head(cand);
        choose_thread();
    } else if (was_runnable && cand->priority == cur->priority) {
        sched_enqueue(cand);
        choose_thread();
    } else {
        switch_to_thread(cand);
    }
}

static void activate_thread(tcb_t *t)
{
    if (likely(t->state == TS_RUNNING))
        return;                 /* every exit but a restart or idle */
    switch (t->state) {
    case TS_RUNNING:
    case TS_IDLE:
        break;
    case TS_RESTART:
        t->ctx.eip = t->ctx.fault_ip;
        t->state = TS_RUNNING;
        break;
    default:
        panic("activating thread %p '%s' in state %u", (void *)t, t->name, t->state);
    }
}

void schedule(void)
{
    if (ks_sched_action != SCHED_RESUME_CURRENT) {
        tcb_t *cur = ks_cur_thread;
        bool was_runnable = cur != ks_idle_thread && sched_is_runnable(cur);

        if (was_runnable)
            sched_enqueue_head(cur);
        if (ks_sched_action == SCHED_SWITCH_TO && ks_switch_target != NULL &&
            sched_is_runnable(ks_switch_target))
            switch_to_candidate(ks_switch_target, was_runnable);
        else
            choose_thread();
    }
    ks_sched_action = SCHED_RESUME_CURRENT;
    ks_switch_target = NULL;
    activate_thread(ks_cur_thread);
}

/* ---- debug: invariants and the scheduler dump ---- */

#if CONFIG_DEBUG
/* Each failure is reported (invariants.h) and ends the walk of that queue:
 * beyond a broken link the queue cannot be trusted. A queued thread must be
 * live (a TCB capability names it) before any of its fields is read. */
static void check_queue(word_t p)
{
    tcb_t *prev = NULL;
    word_t n = 0;

    for (tcb_t *t = ks_ready_head[p]; t != NULL; prev = t, t = t->sched_next) {
        if (!invariants_tcb_live(t)) {
            inv_fail(INV_READY_QUEUE, "ready queue %u holds %p, which is no live TCB", p, (void *)t);
            return;
        }
        if (t->sched_prev != prev || t->priority != p || !t->in_ready_queue) {
            inv_fail(INV_READY_QUEUE, "ready queue %u broken at thread %p", p, (void *)t);
            return;
        }
        if (!sched_is_runnable(t))
            inv_fail(INV_READY_QUEUE, "thread %p '%s' in ready queue %u is in state %u", (void *)t,
                     t->name, p, t->state);
        if (t == ks_cur_thread || t == ks_idle_thread)
            inv_fail(INV_READY_QUEUE, "running or idle thread %p in ready queue %u", (void *)t, p);
        if (++n > (1u << (WORD_BITS - TCB_BITS))) {
            inv_fail(INV_READY_QUEUE, "ready queue %u has a cycle", p);
            return;
        }
    }
    if (ks_ready_tail[p] != prev)
        inv_fail(INV_READY_QUEUE, "ready queue %u tail is wrong", p);
    bool bit = (ks_ready_bitmap[prio_group(p)] & prio_bit(p)) != 0;
    if (bit != (prev != NULL))
        inv_fail(INV_READY_QUEUE, "bitmap disagrees with ready queue %u", p);
}

void sched_check_invariants(void)
{
    for (word_t p = 0; p < NUM_PRIORITIES; p++)
        check_queue(p);
    for (word_t g = 0; g < NUM_PRIORITIES / WORD_BITS; g++)
        if (((ks_ready_bitmap_top >> g) & 1u) != (ks_ready_bitmap[g] != 0))
            inv_fail(INV_READY_QUEUE, "top bitmap word disagrees with group %u", g);
    if (ks_cur_thread == NULL || ks_idle_thread == NULL || ks_idle_thread->state != TS_IDLE) {
        inv_fail(INV_CURRENT_THREAD, "no current or idle thread");
        return;
    }
    if (!invariants_tcb_live(ks_cur_thread)) {
        inv_fail(INV_CURRENT_THREAD, "current thread %p is no live TCB", (void *)ks_cur_thread);
        return;
    }
    if (ks_cur_thread != ks_idle_thread && !sched_is_runnable(ks_cur_thread))
        inv_fail(INV_CURRENT_THREAD, "current thread %p '%s' is in state %u", (void *)ks_cur_thread,
                 ks_cur_thread->name, ks_cur_thread->state);
}
#endif

void sched_dump(void)
{
    printk("scheduler: current %p '%s' prio %u\n", (void *)ks_cur_thread, ks_cur_thread->name,
           ks_cur_thread->priority);
    for (word_t p = NUM_PRIORITIES; p-- > 0;)
        for (tcb_t *t = ks_ready_head[p]; t != NULL; t = t->sched_next)
            printk("  ready prio %u: %p '%s' state %u\n", p, (void *)t, t->name, t->state);
}
