/* unit-test-sources: */
/*
 * The thread queues of endpoints and notifications (kernel/ipc.h): append
 * at the tail, unlink anywhere, and pop the head, which the wake-up paths
 * of Signal, Send and Receive use. Popping must leave exactly what
 * unlinking the head leaves: the rest of the queue in order, both links of
 * the popped thread cleared and its blocking object forgotten.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <kernel/ipc.h>

#define N_THREADS 3

static tcb_t threads[N_THREADS];
static endpoint_t object;               /* only its address is stored */

/* Queue the first n threads in index order, each blocked on `object`. */
static void fill(tcb_t **head, tcb_t **tail, int n)
{
    *head = *tail = NULL;
    for (int i = 0; i < N_THREADS; i++)
        threads[i] = (tcb_t){ 0 };
    for (int i = 0; i < n; i++) {
        threads[i].blocking_object = &object;
        ipc_queue_append(head, tail, &threads[i]);
    }
}

/* The queue from head to tail is exactly threads[first..last]. */
static void assert_queue(tcb_t *head, tcb_t *tail, int first, int last)
{
    tcb_t *prev = NULL;
    tcb_t *t = head;

    for (int i = first; i <= last; i++) {
        assert_ptr_equal(t, &threads[i]);
        assert_ptr_equal(t->ep_prev, prev);
        prev = t;
        t = t->ep_next;
    }
    assert_null(t);
    assert_ptr_equal(tail, prev);
}

static void assert_unlinked(const tcb_t *t)
{
    assert_null(t->ep_next);
    assert_null(t->ep_prev);
    assert_null(t->blocking_object);
}

static void pop_takes_heads_in_order(void **state)
{
    tcb_t *head, *tail;

    (void)state;
    fill(&head, &tail, N_THREADS);
    for (int i = 0; i < N_THREADS; i++) {
        tcb_t *t = ipc_queue_pop(&head, &tail);
        assert_ptr_equal(t, &threads[i]);
        assert_unlinked(t);
        if (i + 1 < N_THREADS)
            assert_queue(head, tail, i + 1, N_THREADS - 1);
    }
    /* The last pop empties the queue: head and tail both NULL. */
    assert_null(head);
    assert_null(tail);
}

static void pop_equals_remove_of_head(void **state)
{
    tcb_t *head, *tail, *rhead, *rtail;

    (void)state;
    for (int n = 1; n <= N_THREADS; n++) {
        fill(&rhead, &rtail, n);
        ipc_queue_remove(&rhead, &rtail, &threads[0]);
        tcb_t removed = threads[0];
        tcb_t rest[N_THREADS];
        for (int i = 0; i < N_THREADS; i++)
            rest[i] = threads[i];

        fill(&head, &tail, n);
        assert_ptr_equal(ipc_queue_pop(&head, &tail), &threads[0]);
        assert_ptr_equal(head, rhead);
        assert_ptr_equal(tail, rtail);
        assert_memory_equal(&threads[0], &removed, sizeof(tcb_t));
        for (int i = 1; i < n; i++)
            assert_memory_equal(&threads[i], &rest[i], sizeof(tcb_t));
    }
}

static void append_after_emptying_pop(void **state)
{
    tcb_t *head, *tail;

    (void)state;
    fill(&head, &tail, 1);
    ipc_queue_pop(&head, &tail);
    ipc_queue_append(&head, &tail, &threads[1]);
    ipc_queue_append(&head, &tail, &threads[2]);
    assert_queue(head, tail, 1, 2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(pop_takes_heads_in_order),
        cmocka_unit_test(pop_equals_remove_of_head),
        cmocka_unit_test(append_after_emptying_pop),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
