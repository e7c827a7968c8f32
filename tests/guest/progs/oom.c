/*
 * malloc, then mmap, until memory runs out (in a guest: its partition;
 * natively: the cap below), touching every page, each round in a child of
 * its own; a third round after both children are gone shows the memory
 * came back. The output does not depend on where the rounds stopped.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#define CHUNK   (64 * 1024)
#define CAP     (64 * 1024 * 1024 / CHUNK)

static int fill_malloc(void)
{
    int n = 0;
    void *p;
    while (n < CAP && (p = malloc(CHUNK)) != NULL) {
        memset(p, 0x5a, CHUNK);
        n++;
    }
    return n;
}

static int fill_mmap(void)
{
    int n = 0;
    while (n < CAP) {
        void *p = mmap(NULL, CHUNK, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (p == MAP_FAILED)
            break;
        memset(p, 0xa5, CHUNK);
        n++;
    }
    return n;
}

/* Runs one round in a child; its count of chunks (0 if it died). */
static void round_in_child(const char *name, int (*fill)(void))
{
    int st;
    pid_t pid = fork();

    if (pid == 0) {
        int n = fill();
        printf("%s: %s\n", name, n > 16 ? "stopped" : "too few");
        fflush(stdout);
        _exit(0);
    }
    if (pid < 0 || waitpid(pid, &st, 0) != pid || !WIFEXITED(st))
        printf("%s: the child failed\n", name);
}

int main(void)
{
    round_in_child("malloc", fill_malloc);
    round_in_child("mmap", fill_mmap);
    round_in_child("malloc again", fill_malloc);
    return 0;
}
