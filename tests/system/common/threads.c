/*
 * Threads and capabilities for system tests, shared by every suite
 * (declared in tests/system/include/systest.h): badged copies in the
 * root CNode, starting and deleting worker threads, the root
 * task's own priority, and starting a test at the beginning of a fresh
 * time slice.
 *
 * Why the last one: a test that asserts an order among threads of one
 * priority (an equal-priority thread woken by IPC waits until we block or
 * Yield) silently depends on no timer tick ending our time slice in the
 * middle, since the kernel then rotates the level itself. Where the slice
 * ends depends on how many instructions ran since boot, so unrelated code
 * moving (a helper in another file, another test before it) could flip
 * such a test. Starting on a fresh slice removes that dependence: a slice
 * (TIME_SLICE_TICKS of the timer, millions of instructions under -icount)
 * is far longer than any such test.
 */
#include <systest.h>

#define ST_ROOT_CNODE   seL4_CapInitThreadCNode
#define ST_DEPTH        seL4_WordBits

seL4_CPtr st_mint(struct st_root *r, seL4_CPtr src, seL4_CapRights_t rights, seL4_Word badge)
{
    seL4_CPtr s = st_slot(r);

    if (s == 0 || seL4_CNode_Mint(ST_ROOT_CNODE, s, ST_DEPTH, ST_ROOT_CNODE, src, ST_DEPTH, rights,
                                  badge) != seL4_NoError)
        return 0;
    return s;
}

int st_spawn(struct st_root *r, rt_thread_t *t, seL4_Word prio, seL4_CPtr fault_ep,
             rt_thread_fn_t fn, void *arg)
{
    if (st_thread_create(r, t, prio, fault_ep) != seL4_NoError ||
        rt_thread_start(t, fn, arg) != seL4_NoError) {
        t->tcb = 0;
        return 0;
    }
    return 1;
}

void st_reap(rt_thread_t *t)
{
    if (t->tcb != 0)
        seL4_CNode_Delete(ST_ROOT_CNODE, t->tcb, ST_DEPTH);
    t->tcb = 0;
}

void st_set_root_prio(seL4_Word prio)
{
    seL4_TCB_SetPriority(seL4_CapInitThreadTCB, seL4_CapInitThreadTCB, prio);
}

void st_park_root(seL4_Word park_prio, seL4_Word root_prio)
{
    st_set_root_prio(park_prio);
    st_set_root_prio(root_prio);
}

/* Runs when our slice has ended (it shares our priority and is queued
 * behind us), says so, and returns: the runtime suspends it. */
static void slice_marker(void *arg)
{
    volatile int *ended = arg;

    *ended = 1;
}

int st_sync_fresh_slice(struct st_root *r, seL4_Word root_prio)
{
    static volatile int ended;
    rt_thread_t marker;

    ended = 0;
    if (!st_spawn(r, &marker, root_prio, 0, slice_marker, (void *)&ended))
        return 0;
    while (!ended)
        ;
    /* The timer ended our slice (the kernel gave us a new one) and the
     * marker ran; it is suspended now, and deleting it is quick. */
    st_reap(&marker);
    return 1;
}
