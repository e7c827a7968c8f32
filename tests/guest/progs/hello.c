/* glibc, statically linked: stdio, TLS (errno), malloc, its start-up. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    char *copy = malloc(64);

    printf("hello from glibc, argc %d\n", argc);
    for (int i = 1; i < argc; i++)
        printf("argv[%d] = %s\n", i, argv[i]);
    snprintf(copy, 64, "%s", "malloc works");
    puts(copy);
    free(copy);
    errno = 0;
    if (write(99, "x", 1) < 0)
        printf("write(99): %s\n", strerror(errno));
    printf("pid is positive: %s\n", getpid() > 0 ? "yes" : "no");
    return 3;
}
