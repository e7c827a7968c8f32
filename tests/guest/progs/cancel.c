/*
 * pthread_cancel of a thread blocked in pause(): glibc and musl send the
 * cancellation signal with tgkill to that thread, whose handler then acts
 * on the cancellation; pthread_join sees PTHREAD_CANCELED.
 */
#include <pthread.h>
#include <stdio.h>
#include <unistd.h>

static void *sleeper(void *arg)
{
    (void)arg;
    for (;;)
        pause();
    return NULL;
}

int main(void)
{
    pthread_t t;
    void *res = NULL;

    if (pthread_create(&t, NULL, sleeper, NULL) != 0) {
        printf("pthread_create failed\n");
        return 1;
    }
    usleep(20000);
    printf("cancel: %d\n", pthread_cancel(t));
    printf("join: %d\n", pthread_join(t, &res));
    printf("canceled: %s\n", res == PTHREAD_CANCELED ? "yes" : "no");
    return 0;
}
