/* A system call Linux i386 does not have (number 500) answers ENOSYS. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/syscall.h>

int main(void)
{
    long r = syscall(500, 1, 2, 3);

    printf("syscall(500) = %ld, errno %s\n", r, strerror(errno));
    r = syscall(500, 1, 2, 3);
    printf("again = %ld, errno %s\n", r, strerror(errno));
    printf("getppid = %d\n", (int)getppid() >= 0);
    return 0;
}
