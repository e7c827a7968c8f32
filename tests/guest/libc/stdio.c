/*
 * A libc's everyday paths through files, directories and clocks, built
 * against glibc (bin/stdio) and musl (bin/stdio-musl), which reach them by
 * different system calls (musl: readv for buffered reads, statx for fstat,
 * the *_time64 calls first). Run natively and in a guest by the
 * differential tests (tests/guest/diff.tsv); only what is the same on both
 * sides is printed. Scratch files go to tmp/ and are removed.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define SCRATCH "tmp/stdio-scratch"

static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* A file written through a buffered stream, read back by lines and by
 * getline, seeked, appended to, its size by fstat and stat. */
static void files(void)
{
    FILE *f = fopen(SCRATCH, "w+");
    char line[64], *dyn = NULL;
    size_t cap = 0;
    struct stat st;

    if (!f) {
        printf("fopen: %s\n", strerror(errno));
        return;
    }
    for (int i = 1; i <= 300; i++)
        fprintf(f, "line %d of %s %.3f\n", i, "scratch", i / 8.0);
    printf("ftell after writing: %ld\n", ftell(f));
    rewind(f);
    if (fgets(line, sizeof(line), f))
        printf("first: %s", line);
    int lines = 1;
    ssize_t n, longest = 0;
    while ((n = getline(&dyn, &cap, f)) > 0) {
        lines++;
        if (n > longest)
            longest = n;
    }
    printf("lines %d, longest %zd, eof %d\n", lines, longest, feof(f) != 0);
    free(dyn);
    fseek(f, -12, SEEK_END);
    if (fgets(line, sizeof(line), f))
        printf("tail: %s", line);
    int c = fgetc(f);
    printf("past the end: %d\n", c == EOF);
    int r = fstat(fileno(f), &st);
    printf("fstat: %d size %lld regular %d\n", r, (long long)st.st_size, S_ISREG(st.st_mode));
    fclose(f);
    f = fopen(SCRATCH, "a");
    fputs("appended\n", f);
    fclose(f);
    r = stat(SCRATCH, &st);
    printf("stat: %d size %lld\n", r, (long long)st.st_size);
    f = fopen(SCRATCH "-none", "r");
    printf("missing: %s\n", f ? "opened" : strerror(errno));
}

/* Modification times set by utimensat and futimens, read back by stat
 * (the guest keeps no access time: docs/guest.md, utimensat). */
static void file_times(void)
{
    struct timespec ts[2] = { { 1000000000, 0 }, { 1234567890, 500 } };
    struct stat st;
    int fd = open(SCRATCH, O_RDONLY);

    printf("utimensat: %d\n", utimensat(AT_FDCWD, SCRATCH, ts, 0));
    stat(SCRATCH, &st);
    printf("mtime %lld\n", (long long)st.st_mtime);
    ts[1].tv_sec = 1500000000;
    printf("futimens: %d\n", futimens(fd, ts));
    fstat(fd, &st);
    printf("mtime %lld\n", (long long)st.st_mtime);
    close(fd);
}

/* A directory read by readdir, its names sorted (the order is the file
 * system's), a directory made and removed. */
static void dirs(void)
{
    DIR *d = opendir("data");
    char *names[32];
    int n = 0;
    struct dirent *e;

    if (!d) {
        printf("opendir: %s\n", strerror(errno));
        return;
    }
    while ((e = readdir(d)) && n < 32)
        names[n++] = strdup(e->d_name);
    closedir(d);
    qsort(names, n, sizeof(names[0]), by_name);
    for (int i = 0; i < n; i++) {
        printf("data/%s\n", names[i]);
        free(names[i]);
    }
    printf("mkdir: %d\n", mkdir("tmp/stdio-dir", 0755));
    printf("again: %s\n", mkdir("tmp/stdio-dir", 0755) ? strerror(errno) : "made");
    printf("rmdir: %d\n", rmdir("tmp/stdio-dir"));
    printf("opendir missing: %s\n", opendir("tmp/stdio-dir") ? "opened" : strerror(errno));
}

/* A pipe to a child through fdopen'ed streams both ways. */
static void pipes(void)
{
    int down[2], up[2];
    char line[64];

    if (pipe(down) || pipe(up))
        return;
    pid_t pid = fork();
    if (pid == 0) {
        FILE *in = fdopen(down[0], "r"), *out = fdopen(up[1], "w");
        close(down[1]);
        close(up[0]);
        int sum = 0, v;
        while (fscanf(in, "%d", &v) == 1)
            sum += v;
        fprintf(out, "sum %d\n", sum);
        fclose(out);
        _exit(0);
    }
    close(down[0]);
    close(up[1]);
    FILE *out = fdopen(down[1], "w"), *in = fdopen(up[0], "r");
    for (int i = 1; i <= 1000; i++)
        fprintf(out, "%d ", i);
    fclose(out);
    if (fgets(line, sizeof(line), in))
        printf("child: %s", line);
    fclose(in);
    int status;
    waitpid(pid, &status, 0);
    printf("child status %d\n", status);
}

/* The clocks: plausible and not going back. */
static void clocks(void)
{
    struct timespec a, b;
    struct timeval tv;
    time_t t = time(NULL);

    printf("time after 2020: %d\n", t > 1577836800);
    clock_gettime(CLOCK_MONOTONIC, &a);
    struct timespec nap = { 0, 5 * 1000 * 1000 };
    nanosleep(&nap, NULL);
    clock_gettime(CLOCK_MONOTONIC, &b);
    long long ns = (b.tv_sec - a.tv_sec) * 1000000000LL + (b.tv_nsec - a.tv_nsec);
    printf("slept at least 5 ms: %d\n", ns >= 5 * 1000 * 1000);
    int r = gettimeofday(&tv, NULL);
    printf("gettimeofday: %d, agrees with time: %d\n", r, tv.tv_sec >= t && tv.tv_sec - t < 60);
    printf("realtime: %d\n", clock_gettime(CLOCK_REALTIME, &a) == 0 && a.tv_sec >= t);
}

int main(void)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    files();
    file_times();
    dirs();
    pipes();
    clocks();
    printf("unlink: %d\n", unlink(SCRATCH));
    return 0;
}
