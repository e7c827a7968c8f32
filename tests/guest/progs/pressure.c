/*
 * Memory pressure of every kind, until the guest refuses (in a guest: its
 * partition; natively: the caps below), each way in a child of its own:
 * the page cache (files written to tmp and read back), anonymous memory,
 * many small mappings, processes sharing pages after fork (each child
 * reads them all, mapping a copy of every frame's capability: slots, not
 * bytes), and all of them at once. After each, a command still runs: a
 * shell's (busybox sh -c; `pressure sh`), or this program again (`pressure`,
 * for a guest too small to hold busybox too). `pressure shared` shares
 * SHARED_MAX, whatever the memory, in each round instead. The first round is the warm-up; after each later one the free
 * memory (sysinfo) is back where the warm-up left it, give or take 1/32
 * of the total. The output does not depend on where a round stopped.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/sysinfo.h>
#include <sys/wait.h>
#include <unistd.h>

#define PG              4096
#define FILE_BYTES      (256 * 1024)
#define FILES_MAX       64              /* 16 MiB of files natively */
#define CHUNK           (64 * 1024)
#define CHUNKS_MAX      256             /* 16 MiB of anonymous memory natively */
#define SMALL_MAX       2048            /* 4 KiB mappings */
#define KIDS_MAX        64
#define SHARED_MAX      (2 * 1024 * 1024)   /* what the children read: at most this, */
#define SHARED_PART     3                   /* and an eighth of the free memory */
#define COW_PAGES       1               /* and write, copied on write */
#define ENOUGH          2               /* a round that got this far was stopped by memory */
#define ROUNDS          3
#define SLACK_SHIFT     5               /* memory back within total >> 5 */

static unsigned long long free_bytes(unsigned long long *total);

static char name_buf[64];
static unsigned char page[PG];

/* Named by the round's process too: natively, cases run side by side in
 * one rootfs. */
static const char *file_name(int i)
{
    snprintf(name_buf, sizeof(name_buf), "tmp/pressure.%d.%d", (int)getpid(), i);
    return name_buf;
}

static unsigned char fill_byte(int file, int off)
{
    return (unsigned char)('a' + (file + off / PG) % 26);
}

/* A file of FILE_BYTES; 0, or -1 (and no file) when the guest refused. */
static int write_file(int i)
{
    int fd = open(file_name(i), O_WRONLY | O_CREAT | O_TRUNC, 0644);

    if (fd < 0)
        return -1;
    for (int off = 0; off < FILE_BYTES; off += PG) {
        memset(page, fill_byte(i, off), PG);
        if (write(fd, page, PG) != PG) {
            close(fd);
            unlink(file_name(i));
            return -1;
        }
    }
    close(fd);
    return 0;
}

/* Whether file i reads back as written. */
static int file_ok(int i)
{
    int fd = open(file_name(i), O_RDONLY), ok = fd >= 0;

    for (int off = 0; ok && off < FILE_BYTES; off += PG)
        ok = read(fd, page, PG) == PG && page[0] == fill_byte(i, off) &&
             page[PG - 1] == fill_byte(i, off);
    if (fd >= 0)
        close(fd);
    return ok;
}

/* Files until there is no room; the count, or -1 if one read back wrong. */
static int make_files(void)
{
    int n = 0;

    while (n < FILES_MAX && write_file(n) == 0)
        n++;
    for (int i = 0; i < n; i++)
        if (!file_ok(i))
            return -1;
    return n;
}

static void remove_files(int n)
{
    for (int i = 0; i < n; i++)
        unlink(file_name(i));
}

static int fill_files(void)
{
    int n = make_files();

    remove_files(n);
    return n;
}

static int fill_anon(void)
{
    int n = 0;

    while (n < CHUNKS_MAX) {
        char *p = mmap(NULL, CHUNK, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (p == MAP_FAILED)
            break;
        memset(p, 0x5a, CHUNK);
        n++;
    }
    return n;
}

/* One-page mappings, each touched, until the guest refuses one; max
 * bounds them. */
static int fill_small_upto(int max)
{
    int n = 0;

    while (n < max) {
        char *p = mmap(NULL, PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (p == MAP_FAILED)
            break;
        p[n % PG] = 1;
        n++;
    }
    return n;
}

static int fill_small(void)
{
    return fill_small_upto(SMALL_MAX);
}

/* A child of fill_shared: reads every page (in a guest, a copy of each
 * frame's capability maps it: a slot a page, and no memory), writes a
 * few, says so, and waits for the parent to close `go`. */
static void sharer(const volatile unsigned char *mem, int bytes, int ready, int go)
{
    unsigned sum = 0;
    char c;

    for (int off = 0; off < bytes; off += PG)
        sum += mem[off];
    for (int i = 0; i < COW_PAGES; i++)
        ((volatile unsigned char *)mem)[i * PG] = (unsigned char)sum;
    if (write(ready, "r", 1) != 1)
        _exit(2);
    while (read(go, &c, 1) > 0)
        ;
    _exit(0);
}

/* Children sharing `bytes` (halved until the mapping is granted), one
 * after the other, until fork is refused; the count of children, or -1
 * if one of them died. */
static int share(int bytes)
{
    unsigned char *mem = MAP_FAILED;
    int ready[2], go[2], n = 0, died = 0, st;
    char c;

    for (; mem == MAP_FAILED && bytes >= PG; bytes /= 2)
        mem = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    bytes *= 2;
    if (mem == MAP_FAILED || pipe(ready) != 0 || pipe(go) != 0)
        return 0;
    memset(mem, 7, bytes);
    while (n < KIDS_MAX) {
        pid_t pid = fork();
        if (pid < 0)
            break;
        if (pid == 0) {
            close(go[1]);
            sharer(mem, bytes, ready[1], go[0]);
        }
        n++;
        if (read(ready[0], &c, 1) != 1)
            break;
    }
    close(go[1]);
    while (wait(&st) > 0)
        died += !WIFEXITED(st) || WEXITSTATUS(st) != 0;
    close(go[0]);
    close(ready[0]);
    close(ready[1]);
    return died ? -1 : n;
}

/* Up to SHARED_MAX, and an eighth of the free memory. */
static int fill_shared(void)
{
    unsigned long long total, part = free_bytes(&total) >> SHARED_PART;
    int bytes = SHARED_MAX;

    while (bytes > PG && (unsigned long long)bytes > part)
        bytes /= 2;
    return share(bytes);
}

/* SHARED_MAX whatever the memory: the slots run short before the memory
 * does; fork is refused then, and no child dies. */
static int fill_shared_max(void)
{
    return share(SHARED_MAX);
}

/* Everything at once: files kept while anonymous memory, small mappings
 * and sharing children fill the rest. */
static int fill_mix(void)
{
    int files = make_files(), n;

    remove_files(files > 0 ? files / 2 : 0);
    n = fill_shared();
    if (n >= 0)
        n += fill_small() + fill_anon();
    for (int i = files / 2; i < files; i++)
        unlink(file_name(i));
    return files < 0 ? -1 : n;
}

struct way {
    const char *name;
    int (*fill)(void);
    int least;                  /* the count that shows it was stopped by memory */
};

/* A round in a child; what it printed says whether it was stopped. */
static void in_child(const struct way *w)
{
    int st;
    pid_t pid = fork();
    const char *name = w->name;

    if (pid == 0) {
        int n = w->fill();
        printf("%s: %s\n", name, n >= w->least ? "stopped" : n < 0 ? "broken" : "too few");
        fflush(stdout);
        _exit(0);
    }
    if (pid < 0 || waitpid(pid, &st, 0) != pid || !WIFEXITED(st) || WEXITSTATUS(st) != 0)
        printf("%s: the child failed\n", name);
}

/* Paths relative to the root: natively the program runs in the rootfs. */
static void command(int sh)
{
    int st;
    pid_t pid = fork();

    if (pid == 0) {
        if (sh)
            execl("bin/busybox", "sh", "-c", "echo a command runs", (char *)NULL);
        else
            execl("bin/pressure", "pressure", "echo", (char *)NULL);
        _exit(127);
    }
    if (pid < 0 || waitpid(pid, &st, 0) != pid || !WIFEXITED(st) || WEXITSTATUS(st) != 0)
        printf("command: failed\n");
    fflush(stdout);
}

static unsigned long long free_bytes(unsigned long long *total)
{
    struct sysinfo si;

    if (sysinfo(&si) != 0)
        return 0;
    *total = (unsigned long long)si.totalram * si.mem_unit;
    return (unsigned long long)si.freeram * si.mem_unit;
}

int main(int argc, char **argv)
{
    static const struct way ways[] = {
        { "files", fill_files, ENOUGH }, { "anon", fill_anon, ENOUGH },
        { "small", fill_small, ENOUGH }, { "shared", fill_shared, ENOUGH },
        { "mix", fill_mix, ENOUGH },
    };
    /* However few children fit: none may die. */
    static const struct way most = { "shared", fill_shared_max, 0 };
    unsigned long long base = 0, total = 0, now;
    int sh = argc > 1 && strcmp(argv[1], "sh") == 0;
    int only = argc > 1 && strcmp(argv[1], "shared") == 0;
    unsigned nways = only ? 1 : sizeof(ways) / sizeof(ways[0]);

    if (argc > 1 && strcmp(argv[1], "echo") == 0)
        return printf("a command runs\n") < 0;
    setvbuf(stdout, NULL, _IOLBF, 0);
    for (int r = 1; r <= ROUNDS; r++) {
        printf("round %d\n", r);
        for (unsigned i = 0; i < nways; i++) {
            in_child(only ? &most : &ways[i]);
            command(sh);
        }
        now = free_bytes(&total);
        if (r == 1)
            base = now;
        else if (now + (total >> SLACK_SHIFT) >= base)
            printf("memory back\n");
        else
            printf("memory short by %llu KiB\n", (base - now) >> 10);
    }
    return 0;
}
