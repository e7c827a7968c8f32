/*
 * The less common calls, with their errors, run natively and in a guest:
 * positioned I/O, sendfile, fsync and friends, owners, mknod, renameat2,
 * the older time setters, flock, statfs, accounting, scheduling questions,
 * prctl, setting ids, ITIMER_REAL, msync and mincore. Only what is the same
 * on both sides is printed (relative checks for times and sizes).
 * Usage: calls2 io|owner|paths|flock|fs|acct|sched|ids|timer|mem
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/times.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static void say(const char *what, long r)
{
    if (r < 0)
        printf("%s: %s\n", what, strerror(errno));
    else
        printf("%s: %ld\n", what, r);
}

static int make(const char *path, const char *text)
{
    int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
    if (text)
        write(fd, text, strlen(text));
    return fd;
}

static void owner(const char *path, int follow)
{
    struct stat st;
    int r = follow ? stat(path, &st) : lstat(path, &st);
    if (r < 0)
        printf("%s: %s\n", path, strerror(errno));
    else
        printf("%s: uid %u gid %u mode %o\n", path, st.st_uid, st.st_gid, st.st_mode & 07777);
}

/* pread/pwrite, sendfile, fsync and friends. */
static void io(void)
{
    char buf[64] = "";
    int fd = make("tmp/c2", "hello world"), p[2];

    say("pwrite", pwrite(fd, "HELLO", 5, 0));
    say("pread", pread(fd, buf, 5, 6));
    printf("read %s; position %ld\n", buf, (long)lseek(fd, 0, SEEK_CUR));
    say("pread at -1", syscall(SYS_pread64, fd, buf, 5, -1, -1));
    say("pread past end", pread(fd, buf, 5, 100));
    pipe(p);
    say("pread pipe", pread(p[0], buf, 1, 0));
    int wo = open("tmp/c2", O_WRONLY);
    say("pread write-only", pread(wo, buf, 1, 0));
    int ro = open("tmp/c2", O_RDONLY);
    say("pwrite read-only", pwrite(ro, "x", 1, 0));
    say("pwrite far", pwrite(fd, "!", 1, 20));
    say("size", lseek(fd, 0, SEEK_END));

    /* A large file through sendfile: with an offset, then from the position. */
    int big = make("tmp/c2big", NULL);
    static char data[100000];
    for (unsigned i = 0; i < sizeof(data); i++)
        data[i] = (char)('a' + i % 23);
    write(big, data, sizeof(data));
    int out = make("tmp/c2out", NULL);
    off_t off = 10;
    lseek(big, 0, SEEK_SET);
    say("sendfile offset", sendfile(out, big, &off, 50000));
    printf("offset %ld position %ld\n", (long)off, (long)lseek(big, 0, SEEK_CUR));
    say("sendfile rest", sendfile(out, big, NULL, 200000));
    say("sendfile at end", sendfile(out, big, NULL, 10));
    static char back[150000];
    lseek(out, 0, SEEK_SET);
    long got = read(out, back, sizeof(back));
    printf("copied %ld, same: %s\n", got, got == 150000 && !memcmp(back, data + 10, 50000) &&
           !memcmp(back + 50000, data, 100000) ? "yes" : "no");
    off = 5;
    say("sendfile to pipe", sendfile(p[1], big, &off, 7));
    memset(buf, 0, sizeof(buf));
    read(p[0], buf, sizeof(buf));
    printf("pipe got %s\n", buf);
    say("sendfile from write-only", sendfile(out, wo, NULL, 1));
    say("sendfile to read-only", sendfile(ro, big, NULL, 1));
    off = 0;
    say("sendfile offset on pipe", sendfile(out, p[0], &off, 1));
    off = -1;
    say("sendfile negative offset", sendfile(out, big, &off, 1));
    int app = open("tmp/c2out", O_WRONLY | O_APPEND);
    say("sendfile to append", sendfile(app, big, NULL, 1));

    say("fsync", fsync(fd));
    say("fdatasync", fdatasync(fd));
    say("fsync pipe", fsync(p[0]));
    say("fsync bad", fsync(99));
    sync();
    say("syncfs", syncfs(fd));
    say("syncfs bad", syncfs(99));
    unlink("tmp/c2");
    unlink("tmp/c2big");
    unlink("tmp/c2out");
}

/* Owners: -1 keeps a field; set-user-id goes; a non-root owner may only
 * change the group to its own. */
static void owners(void)
{
    int fd = make("tmp/own", "x");

    say("chown", chown("tmp/own", 1000, 2000));
    owner("tmp/own", 1);
    say("chown keep uid", chown("tmp/own", -1, 3000));
    owner("tmp/own", 1);
    chmod("tmp/own", 06755);
    say("fchown", fchown(fd, 1000, -1));
    owner("tmp/own", 1);
    symlink("own", "tmp/ownlink");
    say("lchown", lchown("tmp/ownlink", 7, 8));
    owner("tmp/ownlink", 0);
    owner("tmp/own", 1);
    say("chown 16-bit", syscall(SYS_lchown, "tmp/own", 5, 0xffff));
    owner("tmp/own", 1);
    say("fchownat empty", fchownat(fd, "", 1000, 1000, AT_EMPTY_PATH));
    owner("tmp/own", 1);
    say("fchownat bad flags", fchownat(AT_FDCWD, "tmp/own", 1, 1, 0x8000));
    say("chown missing", chown("tmp/nonesuch", 1, 1));
    pid_t pid = fork();
    if (pid == 0) {
        setgroups(0, NULL);
        setresgid(1000, 1000, 1000);
        setresuid(1000, 1000, 1000);
        say("user chown to root", chown("tmp/own", 0, -1));
        say("user chgrp to own group", chown("tmp/own", -1, 1000));
        say("user chgrp elsewhere", chown("tmp/own", -1, 4));
        exit(0);
    }
    waitpid(pid, NULL, 0);
    owner("tmp/own", 1);
    unlink("tmp/ownlink");
    unlink("tmp/own");
}

/* Bytes through a FIFO from a child: a reader that comes first waits for
 * its writer, a writer that comes first for its reader. */
static void fifo_pass(int reader_first)
{
    char buf[64] = "";
    pid_t pid = fork();

    if (pid == 0) {
        if (reader_first)
            usleep(50000);
        int fd = open("tmp/fifo2", O_WRONLY);
        write(fd, "through the fifo", 16);
        exit(0);
    }
    if (!reader_first)
        usleep(50000);
    int fd = open("tmp/fifo2", O_RDONLY);
    long n, got = 0;
    while ((n = read(fd, buf + got, sizeof(buf) - 1 - got)) > 0)
        got += n;
    printf("fifo (%s first): %s\n", reader_first ? "reader" : "writer", buf);
    close(fd);
    waitpid(pid, NULL, 0);
}

static void fifo_pairs(void)
{
    char c;
    say("fifo writer, no reader, O_NONBLOCK", open("tmp/fifo2", O_WRONLY | O_NONBLOCK));
    int r = open("tmp/fifo2", O_RDONLY | O_NONBLOCK);
    say("fifo reader O_NONBLOCK", r >= 0 ? 0 : -1);
    say("fifo read, no writer", read(r, &c, 1));
    int w = open("tmp/fifo2", O_WRONLY | O_NONBLOCK);
    say("fifo writer with a reader", w >= 0 ? 0 : -1);
    say("fifo write", write(w, "x", 1));
    say("fifo read", read(r, &c, 1));
    close(w);
    close(r);
    fifo_pass(1);
    fifo_pass(0);
}

/* mknod, renameat2, the older time setters, faccessat2, fchmodat2. */
static void paths(void)
{
    struct stat st;

    say("mknod fifo", mknod("tmp/fifo", S_IFIFO | 0640, 0));
    stat("tmp/fifo", &st);
    printf("fifo: %s mode %o\n", S_ISFIFO(st.st_mode) ? "yes" : "no", st.st_mode & 0777);
    say("mknod regular", mknod("tmp/plain", 0600, 0));
    stat("tmp/plain", &st);
    printf("regular: %s size %ld\n", S_ISREG(st.st_mode) ? "yes" : "no", (long)st.st_size);
    say("mknod again", mknod("tmp/plain", S_IFREG | 0600, 0));
    say("mknod dir", mknod("tmp/d", S_IFDIR | 0700, 0));
    say("mkfifo", mkfifo("tmp/fifo2", 0600));
    fifo_pairs();

    say("renameat2 noreplace onto", renameat2(AT_FDCWD, "tmp/fifo2", AT_FDCWD, "tmp/plain",
                                              RENAME_NOREPLACE));
    say("renameat2 noreplace", renameat2(AT_FDCWD, "tmp/fifo2", AT_FDCWD, "tmp/fifo3",
                                         RENAME_NOREPLACE));
    say("renameat2 old name", access("tmp/fifo2", F_OK));
    say("renameat2 bad flags", renameat2(AT_FDCWD, "tmp/fifo3", AT_FDCWD, "tmp/x", 0x100));
    say("renameat2 both", renameat2(AT_FDCWD, "tmp/fifo3", AT_FDCWD, "tmp/x",
                                    RENAME_NOREPLACE | RENAME_EXCHANGE));
    say("renameat2 plain", renameat2(AT_FDCWD, "tmp/fifo3", AT_FDCWD, "tmp/plain", 0));

    struct timeval tv[2] = { { 1000000, 0 }, { 2000000, 500 } };
    say("utimes", syscall(SYS_utimes, "tmp/fifo", tv));
    stat("tmp/fifo", &st);
    printf("mtime %ld\n", (long)st.st_mtime);
    long ub[2] = { 5, 3000000 };
    say("utime", syscall(SYS_utime, "tmp/fifo", ub));
    stat("tmp/fifo", &st);
    printf("mtime %ld\n", (long)st.st_mtime);
    tv[1].tv_sec = 4000000;
    say("futimesat", syscall(SYS_futimesat, AT_FDCWD, "tmp/fifo", tv));
    stat("tmp/fifo", &st);
    printf("mtime %ld\n", (long)st.st_mtime);
    tv[0].tv_usec = 1000000;
    say("utimes bad usec", syscall(SYS_utimes, "tmp/fifo", tv));
    say("utimes now", syscall(SYS_utimes, "tmp/fifo", NULL));
    stat("tmp/fifo", &st);
    printf("now: %s\n", st.st_mtime > 4000000 ? "yes" : "no");

    say("faccessat2", syscall(SYS_faccessat2, AT_FDCWD, "tmp/fifo", R_OK, AT_EACCESS));
    say("faccessat2 bad flags", syscall(SYS_faccessat2, AT_FDCWD, "tmp/fifo", R_OK, 0x8000));
    say("fchmodat2", syscall(452, AT_FDCWD, "tmp/fifo", 0600, 0));
    stat("tmp/fifo", &st);
    printf("mode %o\n", st.st_mode & 0777);
    symlink("fifo", "tmp/flink");
    say("fchmodat2 link", syscall(452, AT_FDCWD, "tmp/flink", 0600, AT_SYMLINK_NOFOLLOW));
    say("fchmodat2 bad flags", syscall(452, AT_FDCWD, "tmp/fifo", 0600, 0x8000));
    unlink("tmp/flink");
    unlink("tmp/fifo");
    unlink("tmp/plain");
}

/* flock: per open file description; a failed conversion loses the lock. */
static void flocks(void)
{
    int a = make("tmp/lock", "x"), b = open("tmp/lock", O_RDWR), p[2];

    say("a shared", flock(a, LOCK_SH));
    say("b shared", flock(b, LOCK_SH | LOCK_NB));
    say("b exclusive", flock(b, LOCK_EX | LOCK_NB));
    say("a unlock", flock(a, LOCK_UN));
    say("b exclusive", flock(b, LOCK_EX | LOCK_NB));
    int c = dup(b);
    say("dup exclusive", flock(c, LOCK_EX | LOCK_NB));
    say("a shared", flock(a, LOCK_SH | LOCK_NB));
    close(b);
    say("a shared after one close", flock(a, LOCK_SH | LOCK_NB));
    close(c);
    say("a shared after last close", flock(a, LOCK_SH | LOCK_NB));
    b = open("tmp/lock", O_RDONLY);
    say("b shared", flock(b, LOCK_SH | LOCK_NB));
    say("a to exclusive", flock(a, LOCK_EX | LOCK_NB));
    say("b to exclusive", flock(b, LOCK_EX | LOCK_NB));
    say("bad op", flock(a, 0));
    say("bad fd", flock(99, LOCK_SH));
    flock(b, LOCK_UN);

    /* A child holds the lock a while; the parent waits for it. */
    pipe(p);
    pid_t pid = fork();
    if (pid == 0) {
        int d = open("tmp/lock", O_RDONLY);
        flock(d, LOCK_EX);
        write(p[1], "x", 1);
        usleep(100000);
        printf("child unlocks\n");
        fflush(stdout);
        exit(0);
    }
    char ch;
    read(p[0], &ch, 1);
    say("parent exclusive, waits", flock(a, LOCK_EX));
    waitpid(pid, NULL, 0);
    unlink("tmp/lock");
}

static void fs(void)
{
    struct statfs s;
    say("statfs", statfs("/", &s));
    printf("blocks: %s; names up to %ld\n",
           s.f_bsize > 0 && s.f_blocks > 0 && s.f_bfree <= s.f_blocks &&
           s.f_bavail <= s.f_bfree ? "yes" : "no", (long)s.f_namelen);
    int fd = open(".", O_RDONLY);
    struct statfs t;
    say("fstatfs", fstatfs(fd, &t));
    say("statfs missing", statfs("nonesuch/x", &s));
    say("statfs64 wrong size", syscall(SYS_statfs64, "/", 10, &s));
    say("fstatfs bad", fstatfs(99, &t));
}

static void spin(long ms)
{
    struct timespec a, b;
    clock_gettime(CLOCK_MONOTONIC, &a);
    do
        clock_gettime(CLOCK_MONOTONIC, &b);
    while ((b.tv_sec - a.tv_sec) * 1000 + (b.tv_nsec - a.tv_nsec) / 1000000 < ms);
}

static void accounting(void)
{
    struct tms t0, t1;
    struct rusage r0, r1;

    clock_t c0 = times(&t0);
    getrusage(RUSAGE_SELF, &r0);
    char *mem = malloc(400 * 4096);
    for (int i = 0; i < 400; i++)
        mem[i * 4096] = 1;
    spin(60);
    clock_t c1 = times(&t1);
    getrusage(RUSAGE_SELF, &r1);
    printf("times advanced: %s\n", c1 > c0 ? "yes" : "no");
    printf("minflt grew: %s\n", r1.ru_minflt - r0.ru_minflt >= 100 ? "yes" : "no");
    printf("no children yet: %s\n", t1.tms_cutime + t1.tms_cstime == 0 ? "yes" : "no");
    pid_t pid = fork();
    if (pid == 0) {
        spin(60);
        exit(0);
    }
    waitpid(pid, NULL, 0);
    times(&t1);
    getrusage(RUSAGE_CHILDREN, &r1);
    /* CPU time is left out: the host's tick sampling under load makes it
     * no figure to compare; page faults are. */
    printf("children's faults counted: %s\n", r1.ru_minflt > 0 ? "yes" : "no");
    pid = fork();
    if (pid == 0) {
        char *m = malloc(200 * 4096);
        for (int i = 0; i < 200; i++)
            m[i * 4096] = 1;
        exit(0);
    }
    struct rusage wr;
    memset(&wr, 0, sizeof(wr));
    wait4(pid, NULL, 0, &wr);
    printf("wait4 rusage minflt: %s\n", wr.ru_minflt >= 200 ? "yes" : "no");
    say("getrusage thread", getrusage(RUSAGE_THREAD, &r1));
    say("getrusage bad", getrusage(5, &r1));
    say("times null", times(NULL) > 0 ? 0 : -1);
}

static int told_fd;
static void on_parent_death(int sig)
{
    (void)sig;
    write(told_fd, "told", 4);
    _exit(0);
}

/* PR_SET_PDEATHSIG: a grandchild hears of its parent's death. */
static void parent_death(void)
{
    int p[2];
    char c, buf[8] = "";

    pipe(p);
    told_fd = p[1];
    pid_t a = fork();
    if (a == 0) {
        if (fork() == 0) {
            signal(SIGUSR1, on_parent_death);
            prctl(PR_SET_PDEATHSIG, SIGUSR1);
            write(p[1], "a", 1);
            for (;;)
                pause();
        }
        read(p[0], &c, 1);      /* armed */
        _exit(0);
    }
    waitpid(a, NULL, 0);
    read(p[0], buf, 4);
    printf("parent death: %s\n", buf);
}

static void sched(void)
{
    cpu_set_t set;
    unsigned cpu = 99, node = 99;

    say("sched_yield", sched_yield());
    CPU_ZERO(&set);
    CPU_SET(0, &set);
    say("sched_setaffinity", sched_setaffinity(0, sizeof(set), &set));
    CPU_ZERO(&set);
    say("sched_getaffinity", sched_getaffinity(0, sizeof(set), &set));
    printf("cpus %d, cpu 0 %s\n", CPU_COUNT(&set), CPU_ISSET(0, &set) ? "yes" : "no");
    say("sched_getaffinity short", syscall(SYS_sched_getaffinity, 0, 2, &set));
    say("sched_getaffinity nobody", sched_getaffinity(99999, sizeof(set), &set));
    say("getcpu", syscall(SYS_getcpu, &cpu, &node, NULL));
    printf("cpu %u node %u\n", cpu, node);

    int base = getpriority(PRIO_PROCESS, 0);
    errno = 0;
    int n = nice(-3);       /* down, as root may: the run may start niced up to 19 */
    printf("nice -3: %s\n", n == base - 3 && !errno ? "yes" : "no");
    printf("getpriority: %s\n", getpriority(PRIO_PROCESS, 0) == base - 3 ? "yes" : "no");
    say("setpriority", setpriority(PRIO_PROCESS, 0, 10));
    printf("now 10: %s\n", getpriority(PRIO_PROCESS, getpid()) == 10 ? "yes" : "no");
    printf("raw form: %s\n", syscall(SYS_getpriority, PRIO_PROCESS, 0) == 10 ? "yes" : "no");
    say("setpriority back (root)", setpriority(PRIO_PROCESS, 0, base));
    say("setpriority clamped", setpriority(PRIO_PGRP, 0, 100));
    printf("clamped to 19: %s\n", getpriority(PRIO_PROCESS, 0) == 19 ? "yes" : "no");
    setpriority(PRIO_PROCESS, 0, base);
    say("getpriority bad which", getpriority(7, 0));
    say("getpriority nobody", getpriority(PRIO_PROCESS, 99999));

    char name[32] = "";
    say("PR_SET_NAME", prctl(PR_SET_NAME, "a-name-longer-than-fifteen"));
    say("PR_GET_NAME", prctl(PR_GET_NAME, name));
    printf("name %s\n", name);
    FILE *f = fopen("/proc/self/stat", "r");
    char line[256] = "";
    fgets(line, sizeof(line), f);
    fclose(f);
    char *l = strchr(line, '('), *r = strrchr(line, ')');
    printf("stat comm %.*s\n", l && r ? (int)(r - l - 1) : 0, l ? l + 1 : "");
    int sig = -1;
    say("PR_SET_PDEATHSIG", prctl(PR_SET_PDEATHSIG, SIGTERM));
    say("PR_GET_PDEATHSIG", prctl(PR_GET_PDEATHSIG, &sig));
    printf("pdeathsig %d\n", sig);
    say("PR_SET_PDEATHSIG bad", prctl(PR_SET_PDEATHSIG, 99));
    prctl(PR_SET_PDEATHSIG, 0);
    parent_death();
    say("PR_GET_DUMPABLE", prctl(PR_GET_DUMPABLE));
    say("PR_SET_DUMPABLE 0", prctl(PR_SET_DUMPABLE, 0));
    say("PR_GET_DUMPABLE", prctl(PR_GET_DUMPABLE));
    say("PR_SET_DUMPABLE 2", prctl(PR_SET_DUMPABLE, 2));
    prctl(PR_SET_DUMPABLE, 1);
    say("prctl unknown", prctl(9999, 0));
}

static void ids(void)
{
    struct stat st;
    mkdir("tmp/ww", 0777);
    chmod("tmp/ww", 01777);     /* a world-writable place for the child's files */
    mkdir("tmp/sg", 0777);
    chown("tmp/sg", 0, 77);
    chmod("tmp/sg", 02777);
    pid_t pid = fork();
    if (pid == 0) {
        gid_t g[4] = { 0 };
        uid_t r, e, s;
        gid_t gr, ge, gs;
        say("setgroups", setgroups(2, (gid_t[]){ 5, 6 }));
        int n = getgroups(4, g);
        printf("groups %d: %u %u\n", n, g[0], g[1]);
        say("getgroups short", getgroups(1, g));
        say("setresgid", setresgid(10, 11, 12));
        getresgid(&gr, &ge, &gs);
        printf("gids %u %u %u; getgid %u getegid %u\n", gr, ge, gs, getgid(), getegid());
        say("setresuid", setresuid(20, 21, 22));
        getresuid(&r, &e, &s);
        printf("uids %u %u %u; getuid %u geteuid %u\n", r, e, s, getuid(), geteuid());
        close(open("tmp/ww/f", O_CREAT | O_WRONLY, 0644));
        stat("tmp/ww/f", &st);
        printf("new file owned %u %u\n", st.st_uid, st.st_gid);
        mkdir("tmp/sg/d", 0755);
        stat("tmp/sg/d", &st);
        printf("in a set-group-id directory: %u %u, set-group-id %s\n", st.st_uid, st.st_gid,
               st.st_mode & S_ISGID ? "kept" : "not kept");
        say("setuid to saved", setuid(22));
        getresuid(&r, &e, &s);
        printf("uids %u %u %u\n", r, e, s);
        say("setuid to root", setuid(0));
        say("setreuid", setreuid(-1, 20));
        getresuid(&r, &e, &s);
        printf("uids %u %u %u\n", r, e, s);
        say("setresuid foreign", setresuid(-1, 99, -1));
        say("setgroups as user", setgroups(0, NULL));
        say("setgid as user", setgid(5));
        exit(0);
    }
    waitpid(pid, NULL, 0);
    pid = fork();
    if (pid == 0) {
        uid_t r, e, s;
        say("setreuid root", setreuid(30, 31));
        getresuid(&r, &e, &s);
        printf("uids %u %u %u\n", r, e, s);
        say("setuid -1", syscall(SYS_setuid32, -1));
        exit(0);
    }
    waitpid(pid, NULL, 0);
    unlink("tmp/ww/f");
    rmdir("tmp/ww");
    rmdir("tmp/sg/d");
    rmdir("tmp/sg");
}

static volatile int alarms;
static void on_alarm(int sig) { (void)sig; alarms++; }

static void timer(void)
{
    struct itimerval v = { { 0, 50000 }, { 0, 50000 } }, o;

    signal(SIGALRM, on_alarm);
    say("setitimer", setitimer(ITIMER_REAL, &v, NULL));
    while (alarms < 3)
        pause();
    say("getitimer", getitimer(ITIMER_REAL, &o));
    printf("interval %ld.%06ld, running %s\n", (long)o.it_interval.tv_sec,
           (long)o.it_interval.tv_usec, o.it_value.tv_usec > 0 || o.it_value.tv_sec ? "yes" : "no");
    memset(&v, 0, sizeof(v));
    say("disarm", setitimer(ITIMER_REAL, &v, &o));
    printf("old interval %ld.%06ld\n", (long)o.it_interval.tv_sec, (long)o.it_interval.tv_usec);
    getitimer(ITIMER_REAL, &o);
    printf("stopped: %s\n", o.it_value.tv_sec == 0 && o.it_value.tv_usec == 0 ? "yes" : "no");
    alarm(5);
    getitimer(ITIMER_REAL, &o);
    printf("alarm is ITIMER_REAL: %s\n", o.it_value.tv_sec >= 4 && o.it_interval.tv_sec == 0 ?
           "yes" : "no");
    v.it_value.tv_sec = 7;
    setitimer(ITIMER_REAL, &v, NULL);
    printf("alarm sees it: %u\n", alarm(0));
    v.it_value.tv_usec = 1000000;
    say("setitimer bad usec", setitimer(ITIMER_REAL, &v, NULL));
    say("getitimer bad which", getitimer(7, &o));
}

static void mem(void)
{
    int fd = make("tmp/map", NULL);
    ftruncate(fd, 3 * 4096);
    char *m = mmap(NULL, 3 * 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    unsigned char vec[3];

    strcpy(m + 4096, "shared");
    say("msync", msync(m, 3 * 4096, MS_SYNC));
    say("msync async", msync(m, 100, MS_ASYNC));
    say("msync unaligned", msync(m + 1, 100, MS_SYNC));
    say("msync both", msync(m, 100, MS_SYNC | MS_ASYNC));
    say("msync bad flags", msync(m, 100, 8));
    munmap(m + 2 * 4096, 4096);
    say("msync hole", msync(m, 3 * 4096, MS_SYNC));
    say("msync zero", msync(m, 0, MS_SYNC));
    char buf[8] = "";
    pread(fd, buf, 6, 4096);
    printf("file has %s\n", buf);
    m[0] = 1;
    say("mincore", mincore(m, 2 * 4096, vec));
    printf("resident %d %d\n", vec[0] & 1, vec[1] & 1);
    say("mincore unaligned", mincore(m + 1, 4096, vec));
    say("mincore hole", mincore(m, 3 * 4096, vec));
    unlink("tmp/map");
}

int main(int argc, char **argv)
{
    static const struct { const char *name; void (*fn)(void); } parts[] = {
        { "io", io }, { "owner", owners }, { "paths", paths }, { "flock", flocks },
        { "fs", fs }, { "acct", accounting }, { "sched", sched }, { "ids", ids },
        { "timer", timer }, { "mem", mem },
    };
    setvbuf(stdout, NULL, _IONBF, 0);
    for (unsigned i = 0; argc > 1 && i < sizeof(parts) / sizeof(parts[0]); i++) {
        if (strcmp(argv[1], parts[i].name) == 0) {
            parts[i].fn();
            return 0;
        }
    }
    fprintf(stderr, "usage: calls2 io|owner|paths|flock|fs|acct|sched|ids|timer|mem\n");
    return 2;
}
