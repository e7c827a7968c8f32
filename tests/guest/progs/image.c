/*
 * The image's pages as the file has them, however they are first reached:
 * the guest fills an execve'd image's pages from the file on first touch,
 * so each way in is tried on pages nothing touched before -- a load, a
 * store, the guest kernel copying out of one (write) and into one (read),
 * and a forked child reading the parent's (fork reads the pages the parent
 * has not, so both share them) -- and every page's words are summed.
 */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define WORDS 1024                      /* a page of words */
#define PAGE(n) [(n) * WORDS ... (n) * WORDS + WORDS - 1] = 0x01010101u * ((n) + 1)

/* Read-only text of its own on every page, zero after it. */
static const char text[6][4096] = {
    "page zero\n", "page one\n", "page two\n", "page three\n", "page four\n", "page five\n",
};
/* Writable, every page a value of its own. */
static unsigned data[12 * WORDS] = {
    PAGE(0), PAGE(1), PAGE(2), PAGE(3), PAGE(4), PAGE(5),
    PAGE(6), PAGE(7), PAGE(8), PAGE(9), PAGE(10), PAGE(11),
};
static unsigned bss[4 * WORDS];

static unsigned sum(const unsigned *w, unsigned n)
{
    unsigned s = 0;

    for (unsigned i = 0; i < n; i++)
        s = s * 31 + w[i];
    return s;
}

static unsigned page_sum(int page)
{
    return sum(&data[page * WORDS], WORDS);
}

int main(void)
{
    int fd, status;
    pid_t pid;

    /* The guest kernel copies out of untouched read-only pages. */
    fflush(stdout);
    write(1, text[3], strlen(text[3]));
    write(1, text[5], strlen(text[5]));
    /* A load, then a store, each the first touch of its page. */
    printf("data page 1 sum %08x\n", page_sum(1));
    data[2 * WORDS + 5] = 7;
    printf("data page 2 sum %08x after a store\n", page_sum(2));
    /* A read into the middle of an untouched page: the rest of it is the file's. */
    fd = open("etc/motd", O_RDONLY);
    if (fd < 0 || read(fd, &data[3 * WORDS + 100], 8) != 8)
        printf("read: failed\n");
    else
        printf("data page 3 word 99 %08x word 102 %08x\n", data[3 * WORDS + 99],
               data[3 * WORDS + 102]);
    /* A forked child sees the parent's pages, touched or not. */
    fflush(stdout);
    pid = fork();
    if (pid == 0) {
        printf("child: data %08x bss %08x text %s", sum(data, 12 * WORDS), sum(bss, 4 * WORDS),
               text[4]);
        data[8 * WORDS] = 1;        /* its own copy */
        return 0;
    }
    waitpid(pid, &status, 0);
    printf("parent: child status %d, data %08x bss %08x text %s", status,
           sum(data, 12 * WORDS), sum(bss, 4 * WORDS), text[0]);
    for (int i = 0; i < 12; i++)
        printf("data page %d sum %08x\n", i, page_sum(i));
    return 0;
}
