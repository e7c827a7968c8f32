/*
 * The guest benchmarks of issue 24: one static i386 Linux program
 * (gcc -m32 -static -O2, glibc) run natively -- as the init of Debian's own
 * i386 kernel in the same QEMU (`make bench-native`) -- and as the init=
 * program of a guest partition (`make bench-guest`), so that both columns
 * are the same code measuring the same thing.
 *
 * Under `-icount shift=0,sleep=off` the time-stamp counter advances by one
 * per guest instruction, so rdtsc before and after an operation counts the
 * instructions it took, user and kernel together (and, in a guest, our
 * kernel and the guest kernel too). Each row is measured exactly as the
 * method column of shared/bench/linux-native-icount.tsv says: the median
 * of N samples, each the rdtsc pair around the operation less the median
 * empty rdtsc pair (unless the method says otherwise).
 *
 * Output, one line per row: "BENCH <name> <instructions>", or
 * "BENCH_SKIP <name> <why>" when a call the row needs is refused (a guest
 * without fork or signals yet answers ENOSYS): never a made-up number.
 * "BENCH DONE" ends the run. Arguments: --native (this is pid 1 of a real
 * Linux: mount /dev and /tmp, power off at the end), --quick (a few samples
 * and a small mapping: the smoke test that keeps this program from rotting).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define PAGE            4096u
#define SAMPLES_SYSCALL 10001u      /* the tsv's sample counts, per row */
#define SAMPLES_PROCESS 1001u
#define SAMPLES_SHELL   301u
#define SAMPLES_FILE_PASS 21u
#define SAMPLES_FILE_FAULT 255u
#define MAP_BYTES       (16u << 20) /* the page-fault rows' 16 MiB mapping */
#define WINDOW_BYTES    (64u << 10) /* one fault-around window: 16 pages */
#define RESIZE_BYTES    65536       /* mmap_64k and brk_64k */
#define NR_GETPID       20          /* i386 __NR_getpid */
#define QUICK_SAMPLES   5u
#define MIN_MAP_BYTES   (1u << 20)  /* the smallest mapping tried when 16 MiB is refused */
/*
 * No kernel handles a page fault in fewer instructions than this (seL4's
 * bare fault round trip is several hundred): a smaller per-page figure
 * means the page was mapped before the touch and no fault was measured.
 */
#define FAULT_MIN       100u
#define QUICK_MAP_BYTES (256u << 10)

#define EXIT0_PATH  "/bin/exit0"    /* the tiny no-libc ELF: exit(0) at once */
#define TSC_PATH    "/bin/tscexit"  /* the same, writing its first rdtsc to fd 3 first */
#define SHELL_PATH  "/bin/sh"
#define FILE_PATH   "/tmp/lxbench.data"
#define TSC_FD      3               /* where tscexit writes its 8 bytes */

static uint32_t samples[SAMPLES_SYSCALL];
static uint32_t overhead;           /* the median empty rdtsc pair */
static unsigned quick_divisor = 1;  /* --quick: sample counts become QUICK_SAMPLES */
static size_t map_bytes = MAP_BYTES;
static volatile unsigned long sink; /* keeps loads the compiler would drop */
static volatile uint32_t caught;
static volatile uint64_t vfork_t0;  /* written by the vfork child, read by its parent */

static inline uint64_t rdtsc(void)
{
    uint32_t lo, hi;

    __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi) :: "memory");
    return ((uint64_t)hi << 32) | lo;
}

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

    return x < y ? -1 : x > y;
}

static uint32_t median(uint32_t *s, unsigned n)
{
    qsort(s, n, sizeof(*s), cmp_u32);
    return s[n / 2];
}

static unsigned count(unsigned n)
{
    return quick_divisor == 1 ? n : QUICK_SAMPLES;
}

/* One sample: the rdtsc pair around an operation, less the empty pair. */
static uint32_t net(uint64_t t0, uint64_t t1)
{
    uint64_t d = t1 - t0;

    return d > overhead ? (uint32_t)(d - overhead) : 0;
}

static void report(const char *name, uint32_t value)
{
    printf("BENCH %s %u\n", name, value);
    fflush(stdout);
}

static void skip(const char *name, const char *why, int err)
{
    printf("BENCH_SKIP %s %s: %s\n", name, why, strerror(err));
    fflush(stdout);
}

static void bench_overhead(void)
{
    unsigned n = count(SAMPLES_SYSCALL);

    for (unsigned i = 0; i < n; i++) {
        uint64_t t0 = rdtsc();
        uint64_t t1 = rdtsc();

        samples[i] = (uint32_t)(t1 - t0);
    }
    overhead = median(samples, n);
    report("rdtsc_overhead", overhead);
}

static long raw_getpid(void)
{
    long r;

    __asm__ volatile("int $0x80" : "=a"(r) : "a"(NR_GETPID) : "memory");
    return r;
}

static void bench_getpid(void)
{
    unsigned n = count(SAMPLES_SYSCALL);

    for (unsigned i = 0; i < n; i++) {
        uint64_t t0 = rdtsc();
        long r = raw_getpid();
        uint64_t t1 = rdtsc();

        sink += (unsigned long)r;
        samples[i] = net(t0, t1);
    }
    report("guest_syscall_getpid", median(samples, n));
    for (unsigned i = 0; i < n; i++) {
        uint64_t t0 = rdtsc();
        pid_t r = getpid();
        uint64_t t1 = rdtsc();

        sink += (unsigned long)r;
        samples[i] = net(t0, t1);
    }
    report("guest_syscall_getpid_vdso", median(samples, n));
}

static void bench_mmap(void)
{
    unsigned n = count(SAMPLES_SYSCALL);

    for (unsigned i = 0; i < n; i++) {
        uint64_t t0 = rdtsc();
        void *p = mmap(NULL, RESIZE_BYTES, PROT_READ | PROT_WRITE,
                       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        int r = p == MAP_FAILED ? -1 : munmap(p, RESIZE_BYTES);
        uint64_t t1 = rdtsc();

        if (p == MAP_FAILED || r != 0) {
            skip("guest_mmap_64k", p == MAP_FAILED ? "mmap" : "munmap", errno);
            return;
        }
        samples[i] = net(t0, t1);
    }
    report("guest_mmap_64k", median(samples, n));
}

static void bench_brk(void)
{
    unsigned n = count(SAMPLES_SYSCALL);

    for (unsigned i = 0; i < n; i++) {
        uint64_t t0 = rdtsc();
        void *up = sbrk(RESIZE_BYTES);
        void *down = up == (void *)-1 ? up : sbrk(-RESIZE_BYTES);
        uint64_t t1 = rdtsc();

        if (up == (void *)-1 || down == (void *)-1) {
            skip("guest_brk_64k", "sbrk", errno);
            return;
        }
        samples[i] = net(t0, t1);
    }
    report("guest_brk_64k", median(samples, n));
}

static void on_usr1(int sig)
{
    (void)sig;
    caught++;
}

static void bench_signal(void)
{
    unsigned n = count(SAMPLES_SYSCALL);
    struct sigaction sa;
    pid_t me = getpid();

    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_usr1;
    if (sigaction(SIGUSR1, &sa, NULL) != 0) {
        skip("guest_signal_catch", "sigaction", errno);
        return;
    }
    caught = 0;
    for (unsigned i = 0; i < n; i++) {
        uint64_t t0 = rdtsc();
        int r = kill(me, SIGUSR1);
        uint64_t t1 = rdtsc();

        if (r != 0) {
            skip("guest_signal_catch", "kill", errno);
            return;
        }
        samples[i] = net(t0, t1);
    }
    if (caught != n) {
        printf("BENCH_SKIP guest_signal_catch handler ran %u times for %u kills\n", caught, n);
        return;
    }
    signal(SIGUSR1, SIG_DFL);
    report("guest_signal_catch", median(samples, n));
}

/* The child of the pipe round trip: echoes each byte until end of file. */
static void echo_child(int in, int out)
{
    char c;

    while (read(in, &c, 1) == 1)
        if (write(out, &c, 1) != 1)
            break;
    _exit(0);
}

static int reap(pid_t pid)
{
    int status;

    if (waitpid(pid, &status, 0) != pid)
        return -1;
    return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -1;
}

static void bench_pipe(void)
{
    unsigned n = count(SAMPLES_SYSCALL);
    int to_child[2], to_parent[2];
    pid_t pid;
    char c = 'x';

    if (pipe(to_child) != 0 || pipe(to_parent) != 0) {
        skip("guest_pipe_roundtrip", "pipe", errno);
        return;
    }
    pid = fork();
    if (pid < 0) {
        skip("guest_pipe_roundtrip", "fork", errno);
        close(to_child[0]), close(to_child[1]), close(to_parent[0]), close(to_parent[1]);
        return;
    }
    if (pid == 0) {
        close(to_child[1]), close(to_parent[0]);
        echo_child(to_child[0], to_parent[1]);
    }
    close(to_child[0]), close(to_parent[1]);
    for (unsigned i = 0; i < n; i++) {
        uint64_t t0 = rdtsc();
        int ok = write(to_child[1], &c, 1) == 1 && read(to_parent[0], &c, 1) == 1;
        uint64_t t1 = rdtsc();

        if (!ok) {
            skip("guest_pipe_roundtrip", "round trip", errno);
            n = 0;
            break;
        }
        samples[i] = net(t0, t1);
    }
    close(to_child[1]), close(to_parent[0]);
    if (reap(pid) != 0)
        printf("BENCH_SKIP guest_pipe_roundtrip the echoing child did not exit with 0\n");
    else if (n)
        report("guest_pipe_roundtrip", median(samples, n));
}

/* How a process row starts its child: fork or vfork, then exit or exec. */
enum child_kind { CHILD_EXIT, CHILD_EXEC, CHILD_VFORK_EXEC, CHILD_SHELL };

static pid_t start_child(enum child_kind kind)
{
    static char *const exit0_argv[] = { "exit0", NULL };
    static char *const shell_argv[] = { "sh", "-c", "exit", NULL };
    static char *const no_env[] = { NULL };
    pid_t pid;

    if (kind == CHILD_VFORK_EXEC) {
        pid = vfork();
        if (pid == 0) {
            execve(EXIT0_PATH, exit0_argv, no_env);
            _exit(127);
        }
        return pid;
    }
    pid = fork();
    if (pid == 0) {
        if (kind == CHILD_EXEC)
            execve(EXIT0_PATH, exit0_argv, no_env);
        else if (kind == CHILD_SHELL)
            execve(SHELL_PATH, shell_argv, no_env);
        _exit(kind == CHILD_EXIT ? 0 : 127);
    }
    return pid;
}

static void bench_process(const char *name, enum child_kind kind, unsigned samples_wanted)
{
    unsigned n = count(samples_wanted);

    for (unsigned i = 0; i < n; i++) {
        uint64_t t0 = rdtsc();
        pid_t pid = start_child(kind);
        int st = pid < 0 ? -1 : reap(pid);
        uint64_t t1 = rdtsc();

        if (pid < 0) {
            skip(name, kind == CHILD_VFORK_EXEC ? "vfork" : "fork", errno);
            return;
        }
        if (st != 0) {
            printf("BENCH_SKIP %s the child did not exit with status 0\n", name);
            return;
        }
        samples[i] = net(t0, t1);
    }
    report(name, median(samples, n));
}

/* execve alone: from the vfork child's last rdtsc to the new image's first. */
static void bench_execve_only(void)
{
    static char *const tsc_argv[] = { "tscexit", NULL };
    static char *const no_env[] = { NULL };
    unsigned n = count(SAMPLES_PROCESS);
    int fds[2];

    if (pipe(fds) != 0) {
        skip("guest_execve_only", "pipe", errno);
        return;
    }
    for (unsigned i = 0; i < n; i++) {
        uint64_t t1;
        pid_t pid;

        vfork_t0 = 0;
        pid = vfork();

        if (pid == 0) {
            if (dup2(fds[1], TSC_FD) != TSC_FD)
                _exit(126);
            vfork_t0 = rdtsc();
            execve(TSC_PATH, tsc_argv, no_env);
            _exit(127);
        }
        if (pid < 0) {
            skip("guest_execve_only", "vfork", errno);
            break;
        }
        if (reap(pid) != 0 || read(fds[0], &t1, sizeof(t1)) != sizeof(t1)) {
            printf("BENCH_SKIP guest_execve_only tscexit did not report its rdtsc\n");
            break;
        }
        if (vfork_t0 == 0 || vfork_t0 > t1) {
            printf("BENCH_SKIP guest_execve_only the vfork child's rdtsc did not reach its "
                   "parent: vfork does not share the parent's memory\n");
            break;
        }
        samples[i] = net(vfork_t0, t1);
        if (i + 1 == n)
            report("guest_execve_only", median(samples, n));
    }
    close(fds[0]), close(fds[1]);
}

/* A fault row whose per-page median shows no fault: says so instead of a figure. */
static void report_fault(const char *name, uint32_t value)
{
    if (value < FAULT_MIN) {
        printf("BENCH_SKIP %s no page fault taken: %u instructions per page (the pages were "
               "mapped before the first access)\n", name, value);
        fflush(stdout);
        return;
    }
    report(name, value);
}

/*
 * The page-fault rows map 16 MiB; a guest that refuses so much at once
 * (ENOMEM) gets the largest power-of-two size it accepts, and a note says so:
 * the per-page medians do not depend on the size.
 */
static void choose_map_size(void)
{
    while (map_bytes > MIN_MAP_BYTES) {
        void *p = mmap(NULL, map_bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
                       -1, 0);

        if (p != MAP_FAILED) {
            munmap(p, map_bytes);
            break;
        }
        printf("BENCH_NOTE guest_pagefault mmap of %zu KiB refused (%s): trying %zu KiB\n",
               map_bytes >> 10, strerror(errno), map_bytes >> 11);
        map_bytes /= 2;
    }
}

static void bench_pagefault(void)
{
    unsigned pages = (unsigned)(map_bytes / PAGE);
    char *p = mmap(NULL, map_bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

    if (p == MAP_FAILED) {
        skip("guest_pagefault", "mmap", errno);
        return;
    }
    /* The first page is left out: 4095 samples, as the native figure. */
    for (unsigned i = 1; i < pages; i++) {
        volatile char *at = p + (size_t)i * PAGE;
        uint64_t t0 = rdtsc();

        *at = 1;
        samples[i - 1] = net(t0, rdtsc());
    }
    report_fault("guest_pagefault", median(samples, pages - 1));
    munmap(p, map_bytes);
}

/* The page-cache file of the file-fault rows: map_bytes of non-zero bytes in /tmp. */
static int make_file(void)
{
    static char block[WINDOW_BYTES];
    int fd = open(FILE_PATH, O_RDWR | O_CREAT | O_TRUNC, 0600);

    if (fd < 0)
        return -1;
    memset(block, 'f', sizeof(block));
    for (size_t done = 0; done < map_bytes; done += sizeof(block))
        if (write(fd, block, sizeof(block)) != (ssize_t)sizeof(block)) {
            int err = errno;

            close(fd);
            errno = err;
            return -1;
        }
    return fd;
}

static void bench_file_pass(int fd)
{
    unsigned pages = (unsigned)(map_bytes / PAGE), n = count(SAMPLES_FILE_PASS);

    for (unsigned i = 0; i < n; i++) {
        const volatile char *p = mmap(NULL, map_bytes, PROT_READ, MAP_PRIVATE, fd, 0);
        uint64_t t0, t1;
        unsigned long sum = 0;

        if (p == MAP_FAILED) {
            skip("guest_pagefault_file", "mmap", errno);
            return;
        }
        t0 = rdtsc();
        for (unsigned pg = 0; pg < pages; pg++)
            sum += (unsigned char)p[(size_t)pg * PAGE];
        t1 = rdtsc();
        sink += sum;
        samples[i] = (uint32_t)((t1 - t0) / pages);
        munmap((void *)p, map_bytes);
    }
    report_fault("guest_pagefault_file", median(samples, n));
}

static void bench_file_fault(int fd)
{
    unsigned windows = (unsigned)(map_bytes / WINDOW_BYTES);
    const volatile char *p = mmap(NULL, map_bytes, PROT_READ, MAP_PRIVATE, fd, 0);

    if (p == MAP_FAILED) {
        skip("guest_pagefault_file_fault", "mmap", errno);
        return;
    }
    for (unsigned w = 1; w < windows; w++) {
        uint64_t t0 = rdtsc();

        sink += (unsigned char)p[(size_t)w * WINDOW_BYTES];
        samples[w - 1] = net(t0, rdtsc());
    }
    report_fault("guest_pagefault_file_fault", median(samples, windows - 1));
    munmap((void *)p, map_bytes);
}

static void bench_file_1page(int fd)
{
    unsigned n = count(SAMPLES_FILE_FAULT), pages = (unsigned)(map_bytes / PAGE);

    for (unsigned i = 0; i < n; i++) {
        off_t at = (off_t)((i + 1) % pages) * PAGE;
        const volatile char *p = mmap(NULL, PAGE, PROT_READ, MAP_PRIVATE, fd, at);
        uint64_t t0;

        if (p == MAP_FAILED) {
            skip("guest_pagefault_file_1page", "mmap", errno);
            return;
        }
        t0 = rdtsc();
        sink += (unsigned char)*p;
        samples[i] = net(t0, rdtsc());
        munmap((void *)p, PAGE);
    }
    report_fault("guest_pagefault_file_1page", median(samples, n));
}

static void bench_files(void)
{
    int fd = make_file();

    while (fd < 0 && (errno == ENOSPC || errno == ENOMEM) && map_bytes > MIN_MAP_BYTES) {
        printf("BENCH_NOTE guest_pagefault_file a %zu KiB file refused (%s): trying %zu KiB\n",
               map_bytes >> 10, strerror(errno), map_bytes >> 11);
        unlink(FILE_PATH);
        map_bytes /= 2;
        fd = make_file();
    }

    if (fd < 0) {
        int err = errno;

        skip("guest_pagefault_file", "writing " FILE_PATH, err);
        skip("guest_pagefault_file_fault", "writing " FILE_PATH, err);
        skip("guest_pagefault_file_1page", "writing " FILE_PATH, err);
        unlink(FILE_PATH);
        return;
    }
    while (map_bytes > MIN_MAP_BYTES) {     /* the file's private mappings, as above */
        void *p = mmap(NULL, map_bytes, PROT_READ, MAP_PRIVATE, fd, 0);

        if (p != MAP_FAILED) {
            munmap(p, map_bytes);
            break;
        }
        printf("BENCH_NOTE guest_pagefault_file mmap of %zu KiB of the file refused (%s): "
               "trying %zu KiB\n", map_bytes >> 10, strerror(errno), map_bytes >> 11);
        map_bytes /= 2;
    }
    bench_file_pass(fd);
    bench_file_fault(fd);
    bench_file_1page(fd);
    close(fd);
    unlink(FILE_PATH);
}

/* As pid 1 of a real Linux: a console, a tmpfs on /tmp (the file rows' page cache). */
static void native_setup(void)
{
    if (fcntl(1, F_GETFD) < 0) {
        int fd;

        mkdir("/dev", 0755);
        mount("devtmpfs", "/dev", "devtmpfs", 0, NULL);
        fd = open("/dev/console", O_RDWR);
        if (fd >= 0) {
            dup2(fd, 0), dup2(fd, 1), dup2(fd, 2);
            if (fd > 2)
                close(fd);
        }
    }
    mkdir("/tmp", 01777);
    if (mount("tmpfs", "/tmp", "tmpfs", 0, NULL) != 0)
        fprintf(stderr, "lxbench: mounting a tmpfs on /tmp: %s\n", strerror(errno));
}

int main(int argc, char **argv)
{
    int native = 0;

    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--native") == 0)
            native = 1;
        else if (strcmp(argv[i], "--quick") == 0)
            quick_divisor = 0, map_bytes = QUICK_MAP_BYTES;
        else {
            fprintf(stderr, "lxbench: unknown argument '%s' (--native, --quick)\n", argv[i]);
            return 2;
        }
    }
    if (native)
        native_setup();
    setvbuf(stdout, NULL, _IOLBF, 0);
    signal(SIGPIPE, SIG_IGN);           /* a child that died early: EPIPE, a skipped row */
    bench_overhead();
    bench_getpid();
    bench_mmap();
    bench_brk();
    bench_signal();
    bench_pipe();
    bench_process("guest_fork_exit", CHILD_EXIT, SAMPLES_PROCESS);
    bench_process("guest_fork_exec", CHILD_EXEC, SAMPLES_PROCESS);
    bench_process("guest_exec", CHILD_VFORK_EXEC, SAMPLES_PROCESS);
    bench_execve_only();
    bench_process("guest_shell", CHILD_SHELL, SAMPLES_SHELL);
    /* The rows with 16 MiB mappings last: a guest short of memory still runs the others. */
    choose_map_size();
    bench_pagefault();
    bench_files();
    printf("BENCH DONE\n");
    fflush(stdout);
    if (native) {
        sync();
        reboot(RB_POWER_OFF);
        fprintf(stderr, "lxbench: reboot(RB_POWER_OFF): %s\n", strerror(errno));
    }
    return 0;
}
