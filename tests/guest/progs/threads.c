/*
 * Threads and vfork, as a program sees them: one case per first argument,
 * each run natively and in a guest by the differential tests
 * (tests/guest/diff.tsv). glibc's pthreads (built with -pthread) make the
 * threads with clone's thread form and wait on futexes; what is printed
 * depends only on what Linux promises, never on the ids or the schedule.
 *
 * mutex: Four threads add 1 to a counter 20000 times each under a mutex;
 *   the sum is exact. Thread ids are distinct from each other and from the
 *   process's; getpid is the same in every thread.
 *
 * cond: Two threads take turns through a condition variable, 200 rounds of
 *   ping and pong, each waiting for the other's signal.
 *
 * join: Threads return values that pthread_join collects (also one that ends
 *   with pthread_exit, and one joined after it ended); a thread created
 *   detached; pthread_create's argument reaches the thread.
 *
 * tls: A __thread variable (initialised and zero-initialised) is each
 *   thread's own: a thread's writes do not reach main's or another thread's.
 *
 * exit-group: Threads block (a mutex held forever, a condition nobody signals,
 *   a join of a blocked thread) while another calls exit(3): the whole
 *   process ends with status 3 and nothing after is printed. Before,
 *   /proc/self/status counts the five threads.
 *
 * vfork: A vfork child writes variables of its parent's (a global, a local
 *   on the shared stack) and _exits: the parent sees the writes once it
 *   goes on, and the child's exit status. Then a vfork child that execs: the
 *   parent goes on when the exec is done and its memory is its own again.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <semaphore.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#define NTHREADS    4
#define ADDS        20000
#define ROUNDS      200
#define THREAD_STACK (256 * 1024)

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t turn_cv = PTHREAD_COND_INITIALIZER;
static long counter;
static pid_t tids[NTHREADS], pids[NTHREADS];

static pid_t gettid_raw(void)
{
    return (pid_t)syscall(SYS_gettid);
}

static void *adder(void *arg)
{
    int i = (int)(intptr_t)arg;

    tids[i] = gettid_raw();
    pids[i] = getpid();
    for (int n = 0; n < ADDS; n++) {
        pthread_mutex_lock(&lock);
        counter++;
        pthread_mutex_unlock(&lock);
    }
    return NULL;
}

static int mutex_case(void)
{
    pthread_t t[NTHREADS];
    int distinct = 1, same_pid = 1;

    for (int i = 0; i < NTHREADS; i++)
        if (pthread_create(&t[i], NULL, adder, (void *)(intptr_t)i) != 0)
            return printf("pthread_create failed\n"), 1;
    for (int i = 0; i < NTHREADS; i++)
        pthread_join(t[i], NULL);
    for (int i = 0; i < NTHREADS; i++) {
        if (tids[i] == getpid() || tids[i] == gettid_raw())
            distinct = 0;
        for (int j = 0; j < i; j++)
            if (tids[i] == tids[j])
                distinct = 0;
        if (pids[i] != getpid())
            same_pid = 0;
    }
    printf("counter %ld (expected %d)\n", counter, NTHREADS * ADDS);
    printf("thread ids distinct: %s\n", distinct ? "yes" : "no");
    printf("getpid the same in every thread: %s\n", same_pid ? "yes" : "no");
    printf("main's tid is its pid: %s\n", gettid_raw() == getpid() ? "yes" : "no");
    return 0;
}

static int turn;                /* 0: ping's turn, 1: pong's */
static int pings, pongs;

static void *player(void *arg)
{
    int me = (int)(intptr_t)arg;

    for (int n = 0; n < ROUNDS; n++) {
        pthread_mutex_lock(&lock);
        while (turn != me)
            pthread_cond_wait(&turn_cv, &lock);
        if (me == 0)
            pings++;
        else
            pongs++;
        turn = !me;
        pthread_cond_signal(&turn_cv);
        pthread_mutex_unlock(&lock);
    }
    return NULL;
}

static int cond_case(void)
{
    pthread_t ping, pong;

    pthread_create(&pong, NULL, player, (void *)1);
    pthread_create(&ping, NULL, player, (void *)0);
    pthread_join(ping, NULL);
    pthread_join(pong, NULL);
    printf("pings %d pongs %d, last turn %s\n", pings, pongs, turn ? "pong" : "ping");
    return 0;
}

static void *square(void *arg)
{
    intptr_t v = (intptr_t)arg;
    return (void *)(v * v);
}

static void *by_exit(void *arg)
{
    pthread_exit((void *)((intptr_t)arg + 1000));
    return NULL;
}

static volatile int detached_ran;

static void *detached(void *arg)
{
    (void)arg;
    detached_ran = 1;
    return NULL;
}

static int join_case(void)
{
    pthread_t t[5], e, d;
    pthread_attr_t attr;
    intptr_t sum = 0;
    void *ret;

    for (intptr_t i = 0; i < 5; i++)
        if (pthread_create(&t[i], NULL, square, (void *)(i + 1)) != 0)
            return printf("pthread_create failed\n"), 1;
    for (int i = 4; i >= 0; i--) {
        pthread_join(t[i], &ret);
        printf("thread %d returned %ld\n", i, (long)(intptr_t)ret);
        sum += (intptr_t)ret;
    }
    printf("sum %ld\n", (long)sum);
    pthread_create(&e, NULL, by_exit, (void *)7);
    usleep(20000);              /* it has ended: the join finds it done */
    pthread_join(e, &ret);
    printf("pthread_exit gave %ld\n", (long)(intptr_t)ret);
    pthread_attr_init(&attr);
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    pthread_create(&d, &attr, detached, NULL);
    for (int i = 0; i < 10000 && !detached_ran; i++)   /* up to 10 s */
        usleep(1000);
    printf("detached thread ran: %s\n", detached_ran ? "yes" : "no");
    return 0;
}

static __thread int tls_init = 42;
static __thread int tls_zero;
static __thread char tls_name[16] = "main";

static void *tls_thread(void *arg)
{
    int me = (int)(intptr_t)arg;
    int start_init = tls_init, start_zero = tls_zero;

    tls_init = 100 + me;
    tls_zero = me;
    snprintf(tls_name, sizeof(tls_name), "thread%d", me);
    usleep(10000);              /* the others write theirs meanwhile */
    printf("thread %d: started with %d %d, now %d %d %s\n", me, start_init, start_zero,
           tls_init, tls_zero, tls_name);
    return NULL;
}

static int tls_case(void)
{
    pthread_t t;

    tls_init = 7;
    for (int i = 1; i <= 3; i++) {
        pthread_create(&t, NULL, tls_thread, (void *)(intptr_t)i);
        pthread_join(t, NULL);
    }
    printf("main: %d %d %s\n", tls_init, tls_zero, tls_name);
    return 0;
}

static pthread_mutex_t held = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t never = PTHREAD_COND_INITIALIZER;
static pthread_t blocked_on_lock;

static void *wait_lock(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&held);
    printf("wait_lock got the lock\n");
    return NULL;
}

static void *wait_cond(void *arg)
{
    pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;

    (void)arg;
    pthread_mutex_lock(&m);
    pthread_cond_wait(&never, &m);
    printf("wait_cond woke\n");
    return NULL;
}

static void *wait_join(void *arg)
{
    (void)arg;
    pthread_join(blocked_on_lock, NULL);
    printf("wait_join joined\n");
    return NULL;
}

static sem_t main_printed;

static void *ender(void *arg)
{
    (void)arg;
    sem_wait(&main_printed);    /* the output's order: main's lines first */
    usleep(30000);              /* the others are blocked by now */
    printf("ender calls exit(3)\n");
    exit(3);
}

/* /proc/self/status's Threads line. */
static void print_thread_count(void)
{
    char line[128];
    FILE *f = fopen("/proc/self/status", "r");

    while (f && fgets(line, sizeof(line), f))
        if (strncmp(line, "Threads:", 8) == 0)
            printf("%s", line);
    if (f)
        fclose(f);
}

static int exit_group_case(void)
{
    pthread_t c, j, e;

    sem_init(&main_printed, 0, 0);
    pthread_mutex_lock(&held);
    pthread_create(&blocked_on_lock, NULL, wait_lock, NULL);
    pthread_create(&c, NULL, wait_cond, NULL);
    pthread_create(&j, NULL, wait_join, NULL);
    pthread_create(&e, NULL, ender, NULL);
    print_thread_count();
    printf("main waits for the condition too\n");
    sem_post(&main_printed);
    pthread_mutex_lock(&lock);
    pthread_cond_wait(&never, &lock);
    printf("main woke\n");
    return 0;
}

static int shared_global;

static int vfork_case(void)
{
    volatile int local = 1;
    int status;
    pid_t pid;

    shared_global = 1;
    pid = vfork();
    if (pid == 0) {
        shared_global = 42;
        local = 43;
        _exit(9);
    }
    waitpid(pid, &status, 0);
    printf("after vfork: global %d local %d, child status %d\n", shared_global, local,
           WEXITSTATUS(status));
    pid = vfork();
    if (pid == 0) {
        shared_global = 7;      /* before the exec: the parent sees it */
        execl("bin/busybox", "busybox", "true", (char *)NULL);
        _exit(127);
    }
    waitpid(pid, &status, 0);
    printf("after vfork and exec: global %d, child status %d\n", shared_global,
           WEXITSTATUS(status));
    shared_global = 8;          /* the child's image is elsewhere by now */
    printf("parent's memory its own: %d\n", shared_global);
    return 0;
}

/* glibc's default thread stack is RLIMIT_STACK's 8 MiB. The guest keeps
 * every page it promises (no overcommit, docs/guest.md), so four such
 * stacks would not fit a 32 MiB guest beside its file system; Linux
 * promises them too and touches a few pages. The threads here need little. */
static void default_stacks(void)
{
    pthread_attr_t attr;

    pthread_attr_init(&attr);
    pthread_attr_setstacksize(&attr, THREAD_STACK);
    pthread_setattr_default_np(&attr);
    pthread_attr_destroy(&attr);
}

int main(int argc, char **argv)
{
    static const struct { const char *name; int (*run)(void); } cases[] = {
        { "mutex", mutex_case }, { "cond", cond_case }, { "join", join_case },
        { "tls", tls_case }, { "exit-group", exit_group_case }, { "vfork", vfork_case },
    };

    setvbuf(stdout, NULL, _IONBF, 0);
    default_stacks();
    for (size_t i = 0; argc == 2 && i < sizeof(cases) / sizeof(cases[0]); i++)
        if (strcmp(argv[1], cases[i].name) == 0)
            return cases[i].run();
    fprintf(stderr, "usage: threads mutex|cond|join|tls|exit-group|vfork\n");
    return 2;
}
