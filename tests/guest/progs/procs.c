/*
 * Processes as a C program sees them: fork's copy-on-write (globals, heap,
 * an anonymous mapping and the stack stay the parent's after the child
 * writes them), wait statuses (exit codes, a signal), a pipe carrying more
 * than it holds between two processes, vfork and posix_spawn, execve with
 * arguments and environment and of a #! script, orphans adopted by init, WNOHANG, process
 * groups, poll and select on a pipe, nanosleep.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/select.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define BIG (100 * 1024)

static int global = 1;
extern char **environ;

static void show_status(const char *what, int st)
{
    if (WIFEXITED(st))
        printf("%s: exited %d\n", what, WEXITSTATUS(st));
    else if (WIFSIGNALED(st))
        printf("%s: killed by signal %d\n", what, WTERMSIG(st));
    else
        printf("%s: status %#x\n", what, st);
}

static void copy_on_write(void)
{
    int local = 2, st;
    char *heap = malloc(64);
    char *map = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

    strcpy(heap, "parent heap");
    strcpy(map + 4096, "parent map");
    pid_t pid = fork();
    if (pid == 0) {
        global = 10;
        local = 20;
        strcpy(heap, "child heap");
        strcpy(map + 4096, "child map");
        printf("child sees %d %d %s %s\n", global, local, heap, map + 4096);
        fflush(stdout);
        _exit(0);
    }
    waitpid(pid, &st, 0);
    printf("parent sees %d %d %s %s\n", global, local, heap, map + 4096);
    free(heap);
    munmap(map, 8192);
}

static void statuses(void)
{
    int st;
    for (int code = 0; code < 3; code++) {
        pid_t pid = fork();
        if (pid == 0)
            _exit(code * 100);
        waitpid(pid, &st, 0);
        show_status("exit", st);
    }
    volatile int *volatile bad = (int *)8;
    pid_t pid = fork();
    if (pid == 0)
        *bad = 1;
    waitpid(pid, &st, 0);
    show_status("null write", st);
    pid = fork();
    if (pid == 0)
        __asm__ volatile("ud2");
    waitpid(pid, &st, 0);
    show_status("ud2", st);
    int r = waitpid(-1, &st, WNOHANG);
    printf("no children: %d %s\n", r, strerror(errno));
}

static void big_pipe(void)
{
    int fds[2], st;
    static char buf[BIG];
    if (pipe(fds) != 0)
        return;
    pid_t pid = fork();
    if (pid == 0) {
        close(fds[0]);
        for (int i = 0; i < BIG; i++)
            buf[i] = (char)(i * 7);
        ssize_t done = 0;
        while (done < BIG) {
            ssize_t n = write(fds[1], buf + done, BIG - done);
            if (n <= 0)
                _exit(1);
            done += n;
        }
        _exit(0);
    }
    close(fds[1]);
    long got = 0, sum = 0, n;
    char chunk[1000];
    while ((n = read(fds[0], chunk, sizeof(chunk))) > 0) {
        for (long i = 0; i < n; i++)
            sum += (unsigned char)chunk[i];
        got += n;
    }
    close(fds[0]);
    waitpid(pid, &st, 0);
    printf("pipe: %ld bytes, sum %ld, ", got, sum);
    show_status("writer", st);
}

static void vfork_and_spawn(void)
{
    int st;
    pid_t pid = vfork();
    if (pid == 0)
        _exit(7);
    waitpid(pid, &st, 0);
    show_status("vfork", st);
    char *argv[] = { "hello", "spawned", "with args", NULL };
    char *envp[] = { "ONLY=this", NULL };
    if (posix_spawn(&pid, "bin/hello", NULL, NULL, argv, envp) != 0) {
        printf("posix_spawn failed\n");
        return;
    }
    waitpid(pid, &st, 0);
    show_status("posix_spawn", st);
    fflush(stdout);
    pid = fork();
    if (pid == 0) {
        char *a[] = { "bin/busybox", "sh", "-c", "echo exec: $0 $1 $X", "zero", "one", NULL };
        char *e[] = { "X=from-env", NULL };
        execve(a[0], a, e);
        _exit(99);
    }
    waitpid(pid, &st, 0);
    show_status("execve", st);
    pid = fork();
    if (pid == 0) {
        char *a[] = { "scripts/hashbang.sh", "one", "two", NULL };
        execve(a[0], a, environ);           /* #!bin/busybox sh */
        _exit(99);
    }
    waitpid(pid, &st, 0);
    show_status("#! script", st);
    pid = fork();
    if (pid == 0) {
        char *a[] = { "/nonexistent", NULL };
        execve(a[0], a, environ);
        printf("execve failed: %s\n", strerror(errno));
        fflush(stdout);
        _exit(3);
    }
    waitpid(pid, &st, 0);
    show_status("bad execve", st);
}

static void orphans_and_groups(void)
{
    int fds[2], done[2], st, r;
    char c;
    pipe(fds);
    pipe(done);
    pid_t pid = fork();
    if (pid == 0) {
        pid_t gc = fork();
        if (gc == 0) {
            close(fds[1]);
            close(done[0]);
            read(fds[0], &c, 1);            /* until the middle process is gone */
            printf("orphan's parent is %s\n", getppid() == 1 ? "init" : "someone else");
            fflush(stdout);
            _exit(0);                       /* closes done[1]: the test goes on */
        }
        _exit(0);
    }
    waitpid(pid, &st, 0);
    close(fds[1]);
    close(fds[0]);
    close(done[1]);
    read(done[0], &c, 1);
    close(done[0]);
    pipe(fds);
    pid = fork();
    if (pid == 0) {
        char c;
        close(fds[1]);
        read(fds[0], &c, 1);
        _exit(5);
    }
    close(fds[0]);
    r = setpgid(pid, pid);
    printf("setpgid: %d, child's group: %s\n", r, getpgid(pid) == pid ? "its own" : "shared");
    printf("WNOHANG on a running child: %d\n", waitpid(pid, &st, WNOHANG));
    close(fds[1]);
    waitpid(pid, &st, 0);
    show_status("released child", st);
}

static void readiness(void)
{
    int fds[2];
    pipe(fds);
    struct pollfd p = { fds[0], POLLIN, 0 };
    printf("poll empty: %d\n", poll(&p, 1, 10));
    write(fds[1], "x", 1);
    int r = poll(&p, 1, -1);
    printf("poll data: %d revents %#x\n", r, p.revents);
    fd_set rs;
    FD_ZERO(&rs);
    FD_SET(fds[0], &rs);
    struct timeval tv = { 0, 0 };
    printf("select data: %d\n", select(fds[0] + 1, &rs, NULL, NULL, &tv));
    close(fds[1]);
    char c;
    read(fds[0], &c, 1);
    p.revents = 0;
    r = poll(&p, 1, -1);
    printf("poll after close: %d revents %#x\n", r, p.revents);
    close(fds[0]);
    struct timespec t0, t1, d = { 0, 50 * 1000 * 1000 };
    clock_gettime(CLOCK_MONOTONIC, &t0);
    nanosleep(&d, NULL);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    long ms = (t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000;
    printf("slept at least 50 ms: %s\n", ms >= 50 ? "yes" : "no");
}

int main(void)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    copy_on_write();
    statuses();
    big_pipe();
    vfork_and_spawn();
    orphans_and_groups();
    readiness();
    return 0;
}
