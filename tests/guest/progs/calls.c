/*
 * The later system calls, as a program sees them: one case per first
 * argument, each run natively and in a guest by the differential tests
 * (tests/guest/diff.tsv). Only what is the same on both sides is printed:
 * results and errno values, never addresses, times or memory sizes.
 *
 * futex: FUTEX_WAIT on a word that changed (EAGAIN), with a timeout that
 *   runs out (ETIMEDOUT), cut short by SIGALRM (EINTR); FUTEX_WAKE with
 *   nobody waiting (0); the refusals (EINVAL, EFAULT, ENOSYS).
 *
 * mremap: an anonymous mapping shrunk, grown in place, grown by moving
 *   (its bytes kept), moved with MREMAP_FIXED, and the refusals.
 *
 * sysinfo: the figures' relations (free at most total, a unit that is a
 *   power of two, a process at least), and EFAULT.
 *
 * eintr: a read of an empty pipe and a wait4 for a child that sleeps, each
 *   cut short by a SIGALRM handler without SA_RESTART (EINTR), then with
 *   SA_RESTART (the read goes on and gets the bytes the child writes).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/futex.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/sysinfo.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define PG 4096

static long fx(uint32_t *addr, int op, uint32_t val, const struct timespec *ts, uint32_t v3)
{
    long r = syscall(SYS_futex, addr, op, val, ts, NULL, v3);
    return r < 0 ? -errno : r;
}

static void on_alarm(int sig) { (void)sig; }

static void handle_alarm(int flags)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_alarm;
    sa.sa_flags = flags;
    sigaction(SIGALRM, &sa, NULL);
}

static int futex_case(void)
{
    static uint32_t word = 7;
    struct timespec short_ts = { 0, 20 * 1000 * 1000 };
    printf("wait changed: %ld\n", fx(&word, FUTEX_WAIT_PRIVATE, 6, NULL, 0));
    printf("wait timeout: %ld\n", fx(&word, FUTEX_WAIT_PRIVATE, 7, &short_ts, 0));
    printf("wait bitset past: %ld\n", fx(&word, FUTEX_WAIT_BITSET_PRIVATE, 7, &short_ts,
            FUTEX_BITSET_MATCH_ANY));
    printf("wake none: %ld\n", fx(&word, FUTEX_WAKE_PRIVATE, 1, NULL, 0));
    printf("wake shared: %ld\n", fx(&word, FUTEX_WAKE, 10, NULL, 0));
    handle_alarm(0);
    alarm(1);
    printf("wait interrupted: %ld\n", fx(&word, FUTEX_WAIT_PRIVATE, 7, NULL, 0));
    printf("unaligned: %ld\n", fx((uint32_t *)((char *)&word + 1), FUTEX_WAKE, 1, NULL, 0));
    printf("bad address: %ld\n", fx(NULL, FUTEX_WAIT, 0, NULL, 0));
    printf("bitset zero: %ld\n", fx(&word, FUTEX_WAIT_BITSET, 7, NULL, 0));
    printf("realtime wake: %ld\n", fx(&word, FUTEX_WAKE | FUTEX_CLOCK_REALTIME, 1, NULL, 0));
    return 0;
}

static const char *err_of(void *p)
{
    return p == MAP_FAILED ? strerror(errno) : "ok";
}

static int mremap_case(void)
{
    char *a = mmap(NULL, 4 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    char *b, *c;
    strcpy(a, "page zero");
    strcpy(a + PG, "page one");
    /* Shrink, then grow back into the free pages (ours: a was 4 pages). */
    b = mremap(a, 4 * PG, 2 * PG, 0);
    printf("shrink: %s same %d\n", err_of(b), b == a);
    b = mremap(a, 2 * PG, 4 * PG, 0);
    printf("grow in place: %s same %d zero %d\n", err_of(b), b == a, a[3 * PG + 5]);
    /* A page right after it: growing needs a move. */
    /* (natively something may be there already: either way it is taken) */
    mmap(a + 4 * PG, PG, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
    b = mremap(a, 4 * PG, 64 * PG, 0);
    printf("grow, no move: %s\n", err_of(b));
    b = mremap(a, 4 * PG, 64 * PG, MREMAP_MAYMOVE);
    printf("grow, move: %s moved %d kept '%s' '%s' zero %d\n", err_of(b), b != a, b, b + PG,
           b[63 * PG]);
    b[63 * PG] = 'x';
    c = mremap(b, 64 * PG, 2 * PG, MREMAP_MAYMOVE | MREMAP_FIXED, a);
    printf("fixed: %s at a %d kept '%s'\n", err_of(c), c == a, c + PG);
    /* b's 64 pages are unmapped now, on both sides. */
    errno = 0;
    printf("unaligned: %s\n", err_of(mremap(a + 1, PG, PG, 0)));
    printf("zero size: %s\n", err_of(mremap(a, PG, 0, 0)));
    printf("fixed without maymove: %s\n", err_of(mremap(a, PG, PG, MREMAP_FIXED, a + PG)));
    printf("unmapped: %s\n", err_of(mremap(b + 8 * PG, PG, 2 * PG, MREMAP_MAYMOVE)));
    return 0;
}

static int sysinfo_case(void)
{
    struct sysinfo si;
    printf("sysinfo: %d\n", sysinfo(&si));
    printf("free <= total: %d\n", si.freeram <= si.totalram && si.totalram > 0);
    /* 1, or a larger power of two where byte counts would not fit 32 bits */
    printf("unit: %d\n", si.mem_unit != 0 && (si.mem_unit & (si.mem_unit - 1)) == 0);
    printf("procs: %d\n", si.procs >= 1);
    /* long in glibc's struct, unsigned long in musl's: compared as the kernel's long */
    printf("uptime: %d\n", (long)si.uptime >= 0);
    long r = syscall(SYS_sysinfo, NULL);
    printf("bad: %ld %s\n", r, strerror(errno));
    return 0;
}

static int eintr_case(void)
{
    int fd[2], status;
    char buf[16];
    ssize_t n;
    pid_t child;

    pipe(fd);
    handle_alarm(0);
    alarm(1);
    n = read(fd[0], buf, sizeof(buf));
    printf("read: %zd %s\n", n, n < 0 ? strerror(errno) : "");
    child = fork();
    if (child == 0) {
        sleep(2);
        write(fd[1], "late", 4);
        _exit(3);
    }
    alarm(1);
    n = waitpid(child, &status, 0);
    printf("wait: %zd %s\n", n, n < 0 ? strerror(errno) : "");
    handle_alarm(SA_RESTART);
    alarm(1);
    n = read(fd[0], buf, sizeof(buf));
    printf("restarted read: %zd '%.*s'\n", n, (int)(n > 0 ? n : 0), buf);
    n = waitpid(child, &status, 0);
    printf("child: %d status %d\n", n == child, WEXITSTATUS(status));
    return 0;
}

int main(int argc, char **argv)
{
    setvbuf(stdout, NULL, _IONBF, 0);
    if (argc == 2 && !strcmp(argv[1], "futex"))
        return futex_case();
    if (argc == 2 && !strcmp(argv[1], "mremap"))
        return mremap_case();
    if (argc == 2 && !strcmp(argv[1], "sysinfo"))
        return sysinfo_case();
    if (argc == 2 && !strcmp(argv[1], "eintr"))
        return eintr_case();
    fprintf(stderr, "usage: calls futex|mremap|sysinfo|eintr\n");
    return 2;
}
