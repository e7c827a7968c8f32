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
 *
 * sigmask: Masks are per thread. Main blocks SIGUSR1; a thread it makes
 *   inherits the mask and unblocks it; kill(getpid(), SIGUSR1) is taken by
 *   that thread, not by main, and nothing is left pending for main.
 *
 * tkill: pthread_kill of a thread that blocks the signal leaves it pending
 *   for that thread alone (sigpending there, not in main); once the thread
 *   unblocks it, its handler runs in that thread.
 *
 * robust: A robust mutex held by a thread that ends: the next locker gets
 *   EOWNERDEAD (one already waiting, then main), pthread_mutex_consistent
 *   makes it usable again.
 *
 * task: /proc/self/task lists the main thread and the N threads started;
 *   each task/<tid>/stat and status name their thread, comm the program.
 *
 * stop: SIGSTOP to a child with two threads stops both: a thread that
 *   writes to a pipe every 2 ms writes nothing while the child is stopped
 *   (its main thread, which spins, is the one that takes the signal), and
 *   writes again after SIGCONT.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <semaphore.h>
#include <signal.h>
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

static sem_t ready, go, handled;
static pthread_t expected;
static volatile sig_atomic_t by_expected, by_other;

static void note_taker(int sig)
{
    (void)sig;
    if (pthread_equal(pthread_self(), expected))
        by_expected = 1;
    else
        by_other = 1;
    sem_post(&handled);
}

static int usr_blocked(int sig)
{
    sigset_t cur;
    pthread_sigmask(SIG_BLOCK, NULL, &cur);
    return sigismember(&cur, sig);
}

static int usr_pending(int sig)
{
    sigset_t set;
    sigpending(&set);
    return sigismember(&set, sig);
}

static void *unblocker(void *arg)
{
    sigset_t set;

    (void)arg;
    printf("new thread inherits SIGUSR1 blocked: %s\n", usr_blocked(SIGUSR1) ? "yes" : "no");
    sigemptyset(&set);
    sigaddset(&set, SIGUSR1);
    pthread_sigmask(SIG_UNBLOCK, &set, NULL);
    sem_post(&ready);
    while (sem_wait(&handled) != 0)  /* the handler posts it, here or in main */
        ;
    return NULL;
}

static int sigmask_case(void)
{
    sigset_t set;
    pthread_t t;

    sem_init(&ready, 0, 0);
    sem_init(&handled, 0, 0);
    signal(SIGUSR1, note_taker);
    sigemptyset(&set);
    sigaddset(&set, SIGUSR1);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    pthread_create(&t, NULL, unblocker, NULL);
    expected = t;
    sem_wait(&ready);
    kill(getpid(), SIGUSR1);
    pthread_join(t, NULL);
    printf("SIGUSR1 taken by the thread that unblocked it: %s, by main: %s\n",
           by_expected ? "yes" : "no", by_other ? "yes" : "no");
    printf("main still blocks SIGUSR1: %s, pending for main: %s\n",
           usr_blocked(SIGUSR1) ? "yes" : "no", usr_pending(SIGUSR1) ? "yes" : "no");
    return 0;
}

static void *blocker(void *arg)
{
    sigset_t set;

    (void)arg;
    sigemptyset(&set);
    sigaddset(&set, SIGUSR2);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    sem_post(&ready);
    sem_wait(&go);
    printf("target: SIGUSR2 pending: %s\n", usr_pending(SIGUSR2) ? "yes" : "no");
    sem_post(&ready);
    sem_wait(&go);
    pthread_sigmask(SIG_UNBLOCK, &set, NULL);   /* the handler runs here, now */
    printf("target: handled %s, pending after: %s\n", by_expected ? "here" : "not here",
           usr_pending(SIGUSR2) ? "yes" : "no");
    return NULL;
}

static int tkill_case(void)
{
    pthread_t t;

    sem_init(&ready, 0, 0);
    sem_init(&go, 0, 0);
    sem_init(&handled, 0, 0);
    signal(SIGUSR2, note_taker);
    pthread_create(&t, NULL, blocker, NULL);
    expected = t;
    sem_wait(&ready);
    pthread_kill(t, SIGUSR2);
    printf("main: SIGUSR2 pending: %s\n", usr_pending(SIGUSR2) ? "yes" : "no");
    sem_post(&go);
    sem_wait(&ready);
    sem_post(&go);
    pthread_join(t, NULL);
    printf("handled by another thread: %s\n", by_other ? "yes" : "no");
    return 0;
}

static pthread_mutex_t robust;

static void *owner(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&robust);
    sem_post(&ready);
    sem_wait(&go);
    return NULL;                /* ends holding it */
}

static void *waiter(void *arg)
{
    int r = pthread_mutex_lock(&robust);

    (void)arg;
    printf("waiter's lock: %s\n", r == EOWNERDEAD ? "EOWNERDEAD" : r ? "error" : "0");
    if (r == EOWNERDEAD)
        pthread_mutex_consistent(&robust);
    sem_post(&ready);
    sem_wait(&go);
    return NULL;                /* holds it too: main is next */
}

static const char *lock_result(int r)
{
    return r == EOWNERDEAD ? "EOWNERDEAD" : r == 0 ? "0" : strerror(r);
}

static int robust_case(void)
{
    pthread_mutexattr_t attr;
    pthread_t o, w;

    sem_init(&ready, 0, 0);
    sem_init(&go, 0, 0);
    pthread_mutexattr_init(&attr);
    pthread_mutexattr_setrobust(&attr, PTHREAD_MUTEX_ROBUST);
    pthread_mutex_init(&robust, &attr);
    pthread_create(&o, NULL, owner, NULL);
    sem_wait(&ready);
    pthread_create(&w, NULL, waiter, NULL);    /* waits for the owner, who ends */
    sem_post(&go);
    pthread_join(o, NULL);
    sem_wait(&ready);
    sem_post(&go);
    pthread_join(w, NULL);
    int r = pthread_mutex_lock(&robust);
    printf("main's lock: %s\n", lock_result(r));
    printf("consistent: %d\n", pthread_mutex_consistent(&robust));
    printf("unlock: %d\n", pthread_mutex_unlock(&robust));
    printf("lock again: %s\n", lock_result(pthread_mutex_lock(&robust)));
    pthread_mutex_unlock(&robust);
    return 0;
}

static void *sleeper(void *arg)
{
    *(pid_t *)arg = gettid_raw();
    sem_post(&ready);
    sem_wait(&go);
    return NULL;
}

/* Whether /proc/self/task/<tid>/<name> has a line starting with key
 * followed by want (stat: its first field). */
static int task_says(pid_t tid, const char *name, const char *key, long want)
{
    char path[64], line[256];
    int found = 0;
    FILE *f;

    snprintf(path, sizeof(path), "/proc/self/task/%d/%s", (int)tid, name);
    f = fopen(path, "r");
    while (f && !found && fgets(line, sizeof(line), f))
        found = strncmp(line, key, strlen(key)) == 0 && atol(line + strlen(key)) == want;
    if (f)
        fclose(f);
    return found;
}

static int task_case(void)
{
    pthread_t t[NTHREADS];
    pid_t tid[NTHREADS];
    struct dirent *e;
    char comm[32] = "", tcomm[32] = "";
    int n = 0, named = 0;
    FILE *f;

    sem_init(&ready, 0, 0);
    sem_init(&go, 0, 0);
    for (int i = 0; i < NTHREADS; i++) {
        pthread_create(&t[i], NULL, sleeper, &tid[i]);
        sem_wait(&ready);
    }
    DIR *d = opendir("/proc/self/task");
    while (d && (e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        n++;
        named += atol(e->d_name) == getpid();
        for (int i = 0; i < NTHREADS; i++)
            named += atol(e->d_name) == tid[i];
    }
    if (d)
        closedir(d);
    printf("/proc/self/task: %d entries after %d threads, %d of them ours\n", n, NTHREADS,
           named);
    for (int i = 0; i < NTHREADS; i++)
        printf("thread %d: stat %s, status Pid %s, Tgid %s\n", i,
               task_says(tid[i], "stat", "", tid[i]) ? "yes" : "no",
               task_says(tid[i], "status", "Pid:", tid[i]) ? "yes" : "no",
               task_says(tid[i], "status", "Tgid:", getpid()) ? "yes" : "no");
    f = fopen("/proc/self/comm", "r");
    if (f && fgets(comm, sizeof(comm), f) == NULL)
        comm[0] = '\0';
    if (f)
        fclose(f);
    snprintf(tcomm, sizeof(tcomm), "/proc/self/task/%d/comm", (int)tid[0]);
    f = fopen(tcomm, "r");
    if (f && fgets(tcomm, sizeof(tcomm), f) == NULL)
        tcomm[0] = '\0';
    if (f)
        fclose(f);
    printf("comm: %s", comm);
    printf("a thread's comm is the same: %s\n", strcmp(comm, tcomm) == 0 ? "yes" : "no");
    for (int i = 0; i < NTHREADS; i++)
        sem_post(&go);
    for (int i = 0; i < NTHREADS; i++)
        pthread_join(t[i], NULL);
    return 0;
}

static void *ticker(void *arg)
{
    int fd = *(int *)arg;

    for (;;) {
        if (write(fd, "x", 1) != 1)
            _exit(1);
        usleep(2000);
    }
    return NULL;
}

/* Bytes the pipe has now (its reading end non-blocking). */
static int drain(int fd)
{
    char buf[64];
    int n = 0;
    ssize_t got;

    while ((got = read(fd, buf, sizeof(buf))) > 0)
        n += (int)got;
    return n;
}

static int stop_case(void)
{
    int fds[2], status;
    pthread_t t;
    char c;

    if (pipe(fds) != 0)
        return printf("pipe failed\n"), 1;
    pid_t pid = fork();
    if (pid == 0) {
        volatile unsigned long spins = 0;

        close(fds[0]);
        pthread_create(&t, NULL, ticker, &fds[1]);
        for (;;)
            spins++;
    }
    close(fds[1]);
    if (read(fds[0], &c, 1) == 1)
        printf("the child's thread writes\n");
    kill(pid, SIGSTOP);
    waitpid(pid, &status, WUNTRACED);
    printf("stopped by SIGSTOP: %s\n", WIFSTOPPED(status) && WSTOPSIG(status) == SIGSTOP ?
           "yes" : "no");
    fcntl(fds[0], F_SETFL, O_NONBLOCK);
    drain(fds[0]);              /* what it wrote before it stopped */
    usleep(100000);
    printf("bytes written while stopped: %d\n", drain(fds[0]));
    fcntl(fds[0], F_SETFL, 0);
    kill(pid, SIGCONT);
    if (read(fds[0], &c, 1) == 1)
        printf("it writes again after SIGCONT\n");
    kill(pid, SIGKILL);
    waitpid(pid, &status, 0);
    printf("killed by signal %d\n", WIFSIGNALED(status) ? WTERMSIG(status) : 0);
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
        { "sigmask", sigmask_case }, { "tkill", tkill_case }, { "robust", robust_case },
        { "task", task_case }, { "stop", stop_case },
    };

    setvbuf(stdout, NULL, _IONBF, 0);
    default_stacks();
    for (size_t i = 0; argc == 2 && i < sizeof(cases) / sizeof(cases[0]); i++)
        if (strcmp(argv[1], cases[i].name) == 0)
            return cases[i].run();
    fprintf(stderr, "usage: threads mutex|cond|join|tls|exit-group|vfork|sigmask|tkill|"
            "robust|task|stop\n");
    return 2;
}
