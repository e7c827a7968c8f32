/*
 * A fork bomb held in check: children that wait on a pipe pile up until
 * fork fails (in a guest: EAGAIN once its memory is spent; natively: the
 * cap below), then the pipe closes, every child exits 0 and is reaped, and
 * a fork after that works again. What it prints does not depend on where
 * fork stopped; the guest-diff rule checks the guest's log says it did
 * stop for want of memory.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define CAP 400

int main(void)
{
    int fds[2], made = 0, err = 0, bad = 0;
    char c;

    if (pipe(fds) != 0)
        return perror("pipe"), 1;
    while (made < CAP) {
        pid_t pid = fork();
        if (pid < 0) {
            err = errno;
            break;
        }
        if (pid == 0) {
            close(fds[1]);
            _exit(read(fds[0], &c, 1) == 0 ? 0 : 1);    /* end of file: go */
        }
        made++;
    }
    printf("fork stopped: %s\n", err == 0 || err == EAGAIN ? "ok" : strerror(err));
    close(fds[1]);
    for (int i = 0; i < made; i++) {
        int st;
        if (wait(&st) < 0 || !WIFEXITED(st) || WEXITSTATUS(st) != 0)
            bad++;
    }
    printf("children reaped, %s\n", bad ? "some failed" : "all exited 0");
    pid_t pid = fork();
    if (pid == 0)
        _exit(42);
    int st = 0;
    waitpid(pid, &st, 0);
    printf("fork afterwards: %s\n", pid > 0 && WEXITSTATUS(st) == 42 ? "works" : "fails");
    return 0;
}
