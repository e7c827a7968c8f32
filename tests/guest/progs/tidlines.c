/*
 * Processes whose thread ids share a line of the guest kernel's sender
 * cache make system calls in turn. The guest kernel finds the sender of
 * every call through a cache of 64 lines indexed by thread id
 * (lx_thread_lookup); children that end are forgotten there at reap. The
 * parent forks children until three have an id on its own line (each
 * other child exits at once and is reaped, so ids move on), then passes a
 * byte around the ring parent -> child 1 -> child 2 -> child 3 -> parent,
 * each adding its place. The output is the same natively, where ids on
 * the same line are found the same way.
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#define LINES       64
#define SHARERS     3
#define ROUNDS      20
#define MAX_FORKS   4000

static int ring[SHARERS + 1][2];        /* ring[i]: into place i (0: the parent) */

static int pass(int place)
{
    unsigned char b;

    for (int r = 0; r < ROUNDS; r++) {
        if (read(ring[place][0], &b, 1) != 1)
            return 100;
        b = (unsigned char)(b + place);
        if (write(ring[(place + 1) % (SHARERS + 1)][1], &b, 1) != 1)
            return 101;
    }
    return 0;
}

int main(void)
{
    pid_t me = getpid(), kids[SHARERS];
    int found = 0, forks = 0, wrong = 0;

    for (int i = 0; i <= SHARERS; i++) {
        if (pipe(ring[i]) != 0) {
            perror("pipe");
            return 1;
        }
    }
    while (found < SHARERS && forks < MAX_FORKS) {
        pid_t c = fork();
        if (c < 0) {
            perror("fork");
            return 1;
        }
        forks++;
        if (c == 0) {
            if (getpid() % LINES != me % LINES)
                _exit(0);
            _exit(pass(found + 1));
        }
        if (c % LINES == me % LINES) {
            kids[found++] = c;
            continue;
        }
        if (waitpid(c, NULL, 0) != c)
            wrong++;
    }
    if (found < SHARERS) {
        printf("only %d children on the parent's line after %d forks\n", found, forks);
        return 1;
    }
    for (int r = 0; r < ROUNDS; r++) {
        unsigned char b = (unsigned char)r, got;
        if (write(ring[1][1], &b, 1) != 1 || read(ring[0][0], &got, 1) != 1 ||
            got != (unsigned char)(r + 1 + 2 + 3))
            wrong++;
    }
    for (int i = 0; i < SHARERS; i++) {
        int st;
        if (waitpid(kids[i], &st, 0) != kids[i] || !WIFEXITED(st) || WEXITSTATUS(st) != 0)
            wrong++;
    }
    printf("%d children share the parent's line, %d rounds: %d wrong\n", SHARERS, ROUNDS, wrong);
    return wrong != 0;
}
