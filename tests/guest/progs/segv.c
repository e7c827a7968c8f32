/* Prints a line, then writes through a null pointer: killed by SIGSEGV. */
#include <stdio.h>

int main(void)
{
    printf("about to fault\n");
    fflush(stdout);
    *(volatile int *)0 = 42;
    printf("still here\n");
    return 0;
}
