/*
 * Files mapped with mmap, as a program sees them: one case per first
 * argument, each run natively and in a guest by the differential tests
 * (tests/guest/diff.tsv). The file is tmp/filemap.<case> under the current
 * directory; only contents and results are printed, never addresses.
 *
 * private: a MAP_PRIVATE PROT_READ mapping reads the file (a byte of every
 *   page, the zeros after the end in the last page); write(2) from an
 *   untouched page of it; a private writable mapping's writes stay out of
 *   the file (read(2) and a second mapping do not see them) and go with
 *   munmap (a new mapping sees the file again); a page past the end of
 *   the file is SIGBUS; a write(2) to the file shows in a private
 *   mapping's untouched page.
 *
 * shared: a MAP_SHARED mapping's writes are read(2) by the file; write(2)
 *   to the file shows in the mapping; ftruncate shrinking the file makes
 *   the pages past its end SIGBUS, growing it again gives zeros; a shared
 *   writable mapping of a read-only descriptor is EACCES; mprotect adding
 *   PROT_WRITE to a shared read-only descriptor's mapping is EACCES.
 *
 * fork: a parent maps the file shared and private and forks; the child's
 *   write through the shared mapping reaches the parent and the file, its
 *   write through the private one reaches neither; the child reads what
 *   the parent wrote privately before the fork.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#define PG      4096
#define PAGES   5               /* the file: 4 pages and a bit */
#define TAIL    100             /* bytes of the last page */

static sigjmp_buf back;
static volatile int caught, caught_code;

static void on_bus(int sig, siginfo_t *si, void *uc)
{
    (void)uc;
    caught = sig;
    caught_code = si->si_code;
    siglongjmp(back, 1);
}

/* Reads *p, or reports the signal it raised. */
static void probe(const char *what, const volatile char *p)
{
    caught = 0;
    if (sigsetjmp(back, 1) == 0) {
        int c = *p;
        printf("%s: read %d\n", what, c);
    } else {
        printf("%s: %s code %d\n", what, caught == SIGBUS ? "SIGBUS" : strsignal(caught),
               caught_code);
    }
}

static int make_file(const char *name)
{
    static char buf[(PAGES - 1) * PG + TAIL];
    int fd = open(name, O_RDWR | O_CREAT | O_TRUNC, 0600);

    if (fd < 0) {
        perror(name);
        exit(1);
    }
    for (size_t i = 0; i < sizeof(buf); i++)
        buf[i] = (char)('A' + i / PG);
    if (write(fd, buf, sizeof(buf)) != (ssize_t)sizeof(buf)) {
        perror("write");
        exit(1);
    }
    return fd;
}

static void *map(size_t len, int prot, int flags, int fd, off_t off)
{
    void *p = mmap(NULL, len, prot, flags, fd, off);

    if (p == MAP_FAILED)
        printf("mmap: %s\n", strerror(errno));
    return p;
}

static void catch_bus(void)
{
    struct sigaction sa = { .sa_sigaction = on_bus, .sa_flags = SA_SIGINFO };

    sigaction(SIGBUS, &sa, NULL);
    sigaction(SIGSEGV, &sa, NULL);
}

/* pread and pwrite by lseek (the guest has no pread64). */
static ssize_t read_at(int fd, void *buf, size_t len, off_t off)
{
    return lseek(fd, off, SEEK_SET) == off ? read(fd, buf, len) : -1;
}

static ssize_t write_at(int fd, const void *buf, size_t len, off_t off)
{
    return lseek(fd, off, SEEK_SET) == off ? write(fd, buf, len) : -1;
}

static void file_bytes(int fd, off_t off, size_t len)
{
    char buf[64] = { 0 };
    ssize_t n = read_at(fd, buf, len, off);

    printf("file at %ld: %zd bytes \"%.*s\"\n", (long)off, n, (int)(n > 0 ? n : 0), buf);
}

static int private_case(void)
{
    int fd = make_file("tmp/filemap.private");
    char *r = map((PAGES + 1) * PG, PROT_READ, MAP_PRIVATE, fd, 0), *w, *again;

    catch_bus();
    if (r == MAP_FAILED)
        return 1;
    for (int i = 0; i < PAGES; i++)
        printf("page %d: %c\n", i, r[i * PG + 7]);
    printf("after the end: %d %d\n", r[(PAGES - 1) * PG + TAIL - 1], r[(PAGES - 1) * PG + TAIL]);
    fflush(stdout);
    if (write(1, r + 2 * PG + PG - 3, 3) != 3)
        printf("write from the mapping: %s\n", strerror(errno));
    printf("\n");
    probe("past the end of the file", r + PAGES * PG);

    w = map(2 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, PG);
    if (w == MAP_FAILED)
        return 1;
    printf("private page: %c\n", w[0]);
    memcpy(w + 1, "private", 7);
    printf("mapping: %.8s\n", w);
    file_bytes(fd, PG, 8);
    again = map(PG, PROT_READ, MAP_PRIVATE, fd, PG);
    printf("other mapping: %.8s\n", again);
    munmap(w, 2 * PG);
    w = map(2 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, PG);
    printf("mapped again: %.8s\n", w);
    if (write_at(fd, "written", 7, PG + PG + 1) != 7)
        printf("write: %s\n", strerror(errno));
    printf("untouched private page after write(2): %.8s\n", w + PG);
    munmap(w, 2 * PG);
    munmap(again, PG);
    munmap(r, (PAGES + 1) * PG);
    close(fd);
    unlink("tmp/filemap.private");
    return 0;
}

static int shared_case(void)
{
    int fd = make_file("tmp/filemap.shared"), ro;
    char *s = map(PAGES * PG, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0), *t;

    catch_bus();
    if (s == MAP_FAILED)
        return 1;
    memcpy(s + PG + 3, "shared", 6);
    file_bytes(fd, PG, 12);
    if (write_at(fd, "by write", 8, 2 * PG) != 8)
        printf("write: %s\n", strerror(errno));
    printf("mapping: %.10s\n", s + 2 * PG);
    s[(PAGES - 1) * PG + TAIL] = 'x';  /* past the end, in the last page: not the file's */
    if (ftruncate(fd, 2 * PG + 10) != 0)
        printf("ftruncate: %s\n", strerror(errno));
    probe("last page kept", s + 2 * PG + 9);
    probe("page after the end", s + 3 * PG);
    if (ftruncate(fd, PAGES * PG) != 0)
        printf("ftruncate: %s\n", strerror(errno));
    probe("grown again, old bytes", s + 2 * PG + 10);
    probe("grown again, new page", s + 4 * PG + TAIL);
    munmap(s, PAGES * PG);

    ro = open("tmp/filemap.shared", O_RDONLY);
    t = mmap(NULL, PG, PROT_READ | PROT_WRITE, MAP_SHARED, ro, 0);
    printf("shared writable of read-only: %s\n", t == MAP_FAILED ? strerror(errno) : "mapped");
    t = map(PG, PROT_READ, MAP_SHARED, ro, 0);
    printf("mprotect to writable: %s\n",
           mprotect(t, PG, PROT_READ | PROT_WRITE) ? strerror(errno) : "done");
    printf("read-only shared: %.4s\n", t);
    munmap(t, PG);
    close(ro);
    close(fd);
    unlink("tmp/filemap.shared");
    return 0;
}

static int fork_case(void)
{
    int fd = make_file("tmp/filemap.fork"), status;
    char *s = map(2 * PG, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    char *p = map(2 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
    pid_t pid;

    if (s == MAP_FAILED || p == MAP_FAILED)
        return 1;
    memcpy(p + PG, "parent", 6);
    pid = fork();
    if (pid == 0) {
        printf("child sees: %.6s %.6s\n", p + PG, s + PG);
        memcpy(s, "child-shared", 12);
        memcpy(p, "child-private", 13);
        _exit(0);
    }
    waitpid(pid, &status, 0);
    printf("child status %d\n", WEXITSTATUS(status));
    printf("parent shared: %.12s\n", s);
    printf("parent private: %.13s\n", p);
    file_bytes(fd, 0, 13);
    munmap(s, 2 * PG);
    munmap(p, 2 * PG);
    close(fd);
    unlink("tmp/filemap.fork");
    return 0;
}

int main(int argc, char **argv)
{
    setvbuf(stdout, NULL, _IONBF, 0);
    if (argc == 2 && !strcmp(argv[1], "private"))
        return private_case();
    if (argc == 2 && !strcmp(argv[1], "shared"))
        return shared_case();
    if (argc == 2 && !strcmp(argv[1], "fork"))
        return fork_case();
    fprintf(stderr, "usage: filemap private|shared|fork\n");
    return 2;
}
