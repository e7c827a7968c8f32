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
 *
 * write: a store to each untouched page of a MAP_PRIVATE PROT_READ|
 *   PROT_WRITE mapping costs one minor fault per page (/proc/self/stat's
 *   minflt, counted around the stores on a second mapping, once the code
 *   has run: Linux copies the cache page on the write fault itself); the
 *   mapping holds the writes, the file and a new mapping do not.
 *
 * maps: /proc/self/maps names a mapped file: rights, private or shared,
 *   offset, the inode stat() gives, and the path's last part (the rest
 *   differs from the build host's).
 *
 * busy: ETXTBSY. While a child runs a copy of this program, opening the
 *   copy for writing (O_WRONLY, O_RDWR) and truncate() fail with ETXTBSY,
 *   O_RDONLY does not; once it has exited they work. execve of a file
 *   open for writing, or mapped from a descriptor open for writing (the
 *   descriptor closed), fails with ETXTBSY.
 * wait: the child of busy: says it runs on descriptor 3, then reads its
 *   standard input to the end.
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
#include <sys/stat.h>
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

/* Field 10 of /proc/self/stat (minflt); buf is touched before, so that
 * reading it faults nothing. */
static unsigned long minflt(char *buf, size_t size)
{
    int fd = open("/proc/self/stat", O_RDONLY);
    ssize_t n = fd < 0 ? -1 : read(fd, buf, size - 1);
    char *s;

    if (fd >= 0)
        close(fd);
    if (n <= 0)
        return 0;
    buf[n] = '\0';
    s = strrchr(buf, ')');
    for (int field = 2; s && field < 10; field++)
        s = strchr(s + 1, ' ');
    return s ? strtoul(s + 1, NULL, 10) : 0;
}

static int write_case(void)
{
    static char stat_buf[1024];
    int fd = make_file("tmp/filemap.write");
    unsigned long before, after;
    char *w = NULL;

    memset(stat_buf, 0, sizeof(stat_buf));
    for (int round = 0; round < 2; round++) {
        w = map(PAGES * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
        if (w == MAP_FAILED)
            return 1;
        before = minflt(stat_buf, sizeof(stat_buf));
        for (int i = 0; i < PAGES; i++)
            w[i * PG + 1] = (char)('a' + i);
        after = minflt(stat_buf, sizeof(stat_buf));
        if (round == 0)
            munmap(w, PAGES * PG);
    }
    printf("faults for %d page writes: %lu\n", PAGES, after - before);
    for (int i = 0; i < PAGES; i++)
        printf("page %d: mapping %.2s\n", i, w + i * PG);
    for (int i = 0; i < PAGES; i++)
        file_bytes(fd, i * PG, 2);
    munmap(w, PAGES * PG);
    w = map(PAGES * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
    printf("new mapping: %.2s %.2s\n", w, w + (PAGES - 1) * PG);
    munmap(w, PAGES * PG);
    close(fd);
    unlink("tmp/filemap.write");
    return 0;
}

/* The lines of /proc/self/maps whose path ends in suffix: rights, offset,
 * whether the inode is ino, and the path's last part. */
static void maps_of(const char *suffix, ino_t ino)
{
    static char buf[16384];
    int fd = open("/proc/self/maps", O_RDONLY);
    ssize_t n, got = 0;

    while (fd >= 0 && (n = read(fd, buf + got, sizeof(buf) - 1 - (size_t)got)) > 0)
        got += n;
    close(fd);
    buf[got] = '\0';
    for (char *line = strtok(buf, "\n"); line; line = strtok(NULL, "\n")) {
        char perms[8], dev[16], path[256];
        unsigned long off, inode;
        size_t len;

        if (sscanf(line, "%*x-%*x %7s %lx %15s %lu %255s", perms, &off, dev, &inode, path) != 5)
            continue;
        len = strlen(path);
        if (len < strlen(suffix) || strcmp(path + len - strlen(suffix), suffix))
            continue;
        printf("%s %08lx inode %s %s\n", perms, off, inode == ino ? "matches" : "differs",
               strrchr(path, '/') + 1);
    }
}

static int maps_case(void)
{
    int fd = make_file("tmp/filemap.maps");
    struct stat st;
    char *r, *s;

    fstat(fd, &st);
    r = map(2 * PG, PROT_READ, MAP_PRIVATE, fd, PG);
    s = map(PG, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (r == MAP_FAILED || s == MAP_FAILED)
        return 1;
    printf("read %c %c\n", r[0], s[0]);
    maps_of("/tmp/filemap.maps", st.st_ino);
    munmap(s, PG);
    printf("after munmap of the shared one:\n");
    maps_of("/tmp/filemap.maps", st.st_ino);
    munmap(r, 2 * PG);
    close(fd);
    unlink("tmp/filemap.maps");
    return 0;
}

/* A copy of this program at name (mode 0755); the descriptor, still open
 * for writing. */
static int copy_self(const char *name)
{
    static char buf[65536];
    int in = open("bin/filemap", O_RDONLY), out = open(name, O_WRONLY | O_CREAT | O_TRUNC, 0755);
    ssize_t n;

    if (in < 0 || out < 0) {
        perror("copy");
        exit(1);
    }
    while ((n = read(in, buf, sizeof(buf))) > 0)
        if (write(out, buf, (size_t)n) != n) {
            perror("copy");
            exit(1);
        }
    close(in);
    return out;
}

static void try_open(const char *what, const char *name, int flags)
{
    int fd = open(name, flags);

    printf("%s: %s\n", what, fd < 0 ? strerror(errno) : "opened");
    if (fd >= 0)
        close(fd);
}

static void try_exec(const char *what, const char *name)
{
    char *argv[] = { "filemap", "none", NULL };

    execv(name, argv);
    printf("%s: execve: %s\n", what, strerror(errno));
}

static int busy_case(void)
{
    const char *name = "tmp/filemap.busy";
    int out = copy_self(name), in[2], ready[2], status;
    char c;
    pid_t pid;
    void *m;

    try_exec("open for writing", name);
    close(out);
    out = open(name, O_RDWR);
    m = map(PG, PROT_READ, MAP_PRIVATE, out, 0);
    close(out);
    try_exec("mapped from a descriptor open for writing", name);
    munmap(m, PG);
    if (pipe(in) || pipe(ready))
        return 1;
    pid = fork();
    if (pid == 0) {
        char *argv[] = { "filemap", "wait", NULL };

        dup2(in[0], 0);
        dup2(ready[1], 3);
        close(in[1]);
        close(ready[0]);
        execv(name, argv);
        _exit(127);
    }
    close(in[0]);
    close(ready[1]);
    if (read(ready[0], &c, 1) != 1)
        printf("the child did not start\n");
    try_open("O_WRONLY while running", name, O_WRONLY);
    try_open("O_RDWR while running", name, O_RDWR);
    try_open("O_RDWR|O_TRUNC while running", name, O_RDWR | O_TRUNC);
    try_open("O_RDONLY while running", name, O_RDONLY);
    printf("truncate while running: %s\n", truncate(name, 0) ? strerror(errno) : "done");
    close(in[1]);
    waitpid(pid, &status, 0);
    printf("child status %d\n", WEXITSTATUS(status));
    try_open("O_WRONLY after exit", name, O_WRONLY);
    printf("truncate after exit: %s\n", truncate(name, 0) ? strerror(errno) : "done");
    unlink(name);
    return 0;
}

static int wait_case(void)
{
    char buf[64];

    if (write(3, "r", 1) != 1)
        return 1;
    while (read(0, buf, sizeof(buf)) > 0)
        ;
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
    if (argc == 2 && !strcmp(argv[1], "write"))
        return write_case();
    if (argc == 2 && !strcmp(argv[1], "maps"))
        return maps_case();
    if (argc == 2 && !strcmp(argv[1], "busy"))
        return busy_case();
    if (argc == 2 && !strcmp(argv[1], "wait"))
        return wait_case();
    fprintf(stderr, "usage: filemap private|shared|fork|write|maps|busy|wait\n");
    return 2;
}
