/*
 * Copies honour the process's page rights, as Linux's copy_to_user does:
 * reading into read-only memory, writing from an unmapped or PROT_NONE page
 * fail with EFAULT; the same page readable again works.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

static const char rodata[64] = "read-only";
static volatile unsigned long low = 16;     /* an address nothing maps, hidden from gcc */

static void show(const char *what, long r)
{
    printf("%s: %ld %s\n", what, r, r < 0 ? strerror(errno) : "ok");
}

int main(void)
{
    int fd = open("etc/motd", O_RDONLY);
    char *page = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

    show("open", fd < 0 ? -1 : 0);
    show("read into rodata", read(fd, (void *)rodata, 8));
    show("write from unmapped", write(1, (void *)low, 4));
    memcpy(page, "page\n", 5);
    show("mprotect none", mprotect(page, 4096, PROT_NONE));
    show("write from PROT_NONE", write(1, page, 5));
    show("mprotect read", mprotect(page, 4096, PROT_READ));
    fflush(stdout);
    show("write from PROT_READ", write(1, page, 5));
    show("read into PROT_READ", read(fd, page, 4));
    show("mprotect rw", mprotect(page, 4096, PROT_READ | PROT_WRITE));
    show("read into PROT_READ|WRITE", read(fd, page, 4));
    printf("got '%.4s'\n", page);
    return 0;
}
