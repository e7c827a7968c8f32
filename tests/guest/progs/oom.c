/*
 * malloc, then mmap, until memory runs out (in a guest: its partition;
 * natively: the cap below), touching every page; then everything is given
 * back and a second round shows the memory came back. The output does not
 * depend on where the rounds stopped.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#define CHUNK   (64 * 1024)
#define CAP     (64 * 1024 * 1024 / CHUNK)

static void *chunks[CAP];

static int fill_malloc(void)
{
    int n = 0;
    while (n < CAP && (chunks[n] = malloc(CHUNK)) != NULL)
        memset(chunks[n++], 0x5a, CHUNK);
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
        chunks[n++] = p;
    }
    return n;
}

int main(void)
{
    int a = fill_malloc(), b;
    printf("malloc: %s\n", a > 16 ? "stopped" : "too few");
    for (int i = 0; i < a; i++)
        free(chunks[i]);
    b = fill_mmap();
    printf("mmap: %s\n", b > 16 ? "stopped" : "too few");
    for (int i = 0; i < b; i++)
        munmap(chunks[i], CHUNK);
    a = fill_malloc();
    printf("malloc again: %s\n", a > 16 ? "stopped" : "too few");
    return 0;
}
