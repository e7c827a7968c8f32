/*
 * Signals, as a program sees them: one case per first argument, each run
 * natively and in a guest by the differential tests (tests/guest/diff.tsv).
 * One program rather than six keeps the initramfs small.
 *
 * segv-jmp: Catches SIGSEGV with SA_SIGINFO and siglongjmps out of the handler, three
 *   times: si_signo, si_code and si_addr as Linux reports them, the signal
 *   unblocked again by siglongjmp, then an unhandled fault would kill.
 *
 * self: Signals a process sends itself: sigaction handlers with and without
 *   SA_SIGINFO, signal(), raise(), SA_RESETHAND, SA_NODEFER, the mask while
 *   a handler runs, siginfo of kill() and tgkill(), and kill's refusals.
 *
 * mask: Blocking and unblocking: a blocked signal stays pending (sigpending)
 *   until unblocked, then its handler runs before sigprocmask returns;
 *   signals 1..64 in the mask survive a handler; sigsuspend waits with a
 *   temporary mask and restores the old one.
 *
 * alarm: alarm(): SIGALRM to a handler, both while the process waits in pause()
 *   and while it computes; the seconds left of an earlier alarm; and the
 *   default action, which ends the process.
 *
 * pipe: A write to a pipe whose reader has gone: EPIPE while SIGPIPE is ignored,
 *   a handler's SIGPIPE, then the default action, which ends the process.
 *
 * frame: What a handler finds in its ucontext: the registers at the fault (set to
 *   known values just before it), the fault's kind, and a handler that moves
 *   the saved EIP past the faulting instruction so sigreturn resumes there.
 *   Also a handler on the alternate stack (sigaltstack, SA_ONSTACK).
 *
 * fpu: The FPU and SSE state across handlers. A child sends SIGUSR1 50 times,
 *   each once the last handler has said so through a pipe, while the parent
 *   accumulates doubles in loops that keep their sums in x87 registers and
 *   in XMM registers, and checks every result against one computed before.
 *   The handler checks it starts with a fresh FPU (the control word and
 *   MXCSR as Linux initialises them, the interrupted state in its
 *   ucontext), switches both units to rounding upwards and computes sums of
 *   its own, which it leaves for sigreturn to undo.
 *
 * stop: Job control between a parent and a child that echoes bytes through
 *   pipes: SIGSTOP stops it (waitpid with WUNTRACED reports it once, SIGCHLD
 *   says CLD_STOPPED, and it answers nothing), SIGCONT continues it
 *   (WCONTINUED) and it answers; SIGTSTP to its group stops it again; a
 *   SIGTERM waits until SIGCONT, then kills it; with SA_NOCLDSTOP a stop
 *   sends no SIGCHLD, an exit still does.
 *
 * exec: What fork and execve keep: a child has nothing pending (a blocked
 *   signal raised before fork stays the parent's), an exec'd image finds a
 *   handled signal back at its default, an ignored one still ignored, the
 *   mask kept, then dies of the signal it used to catch.
 */
#define _GNU_SOURCE
#include <emmintrin.h>
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <poll.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <ucontext.h>
#include <unistd.h>

static sigjmp_buf segv_jmp_env;
static volatile int segv_jmp_faults;
static volatile uintptr_t segv_jmp_nowhere = 0x10;       /* hidden from the compiler */
static volatile uintptr_t segv_jmp_far = 0x40000000u;     /* mapped in neither */

static void segv_jmp_on_segv(int sig, siginfo_t *si, void *uc)
{
    (void)uc;
    segv_jmp_faults++;
    printf("caught %d code %d addr %p\n", sig, si->si_code, si->si_addr);
    siglongjmp(segv_jmp_env, segv_jmp_faults);
}

static int segv_jmp(void)
{
    struct sigaction sa;
    sigset_t now;

    memset(&sa, 0, sizeof(sa));
    sa.sa_sigaction = segv_jmp_on_segv;
    sa.sa_flags = SA_SIGINFO;
    sigaction(SIGSEGV, &sa, NULL);
    int round = sigsetjmp(segv_jmp_env, 1);
    sigprocmask(SIG_BLOCK, NULL, &now);
    printf("round %d, SIGSEGV blocked: %d\n", round, sigismember(&now, SIGSEGV));
    if (round == 0)
        *(volatile int *)segv_jmp_nowhere = 1;            /* nothing mapped there */
    if (round == 1)
        (void)*(volatile int *)segv_jmp_far;    /* nor here */
    if (round == 2)
        *(volatile char *)(void *)segv_jmp = 0; /* text: mapped, read-only */
    printf("done after %d faults\n", segv_jmp_faults);
    return 0;
}

static volatile int self_depth;

static void self_plain(int sig)
{
    sigset_t now;
    sigprocmask(SIG_BLOCK, NULL, &now);
    printf("plain %d, in handler: %d blocked, USR2 %d\n", sig, sigismember(&now, sig),
           sigismember(&now, SIGUSR2));
}

static void self_info(int sig, siginfo_t *si, void *uc)
{
    (void)uc;
    printf("info %d code %d from self %d\n", sig, si->si_code, si->si_pid == getpid());
}

static void self_nested(int sig)
{
    if (self_depth++ == 0)
        raise(sig);             /* SA_NODEFER: runs again inside */
    printf("nested depth %d\n", self_depth);
}

static int self(void)
{
    struct sigaction sa;

    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = self_plain;
    sigaddset(&sa.sa_mask, SIGUSR2);
    sigaction(SIGUSR1, &sa, NULL);
    kill(getpid(), SIGUSR1);
    printf("after kill\n");

    memset(&sa, 0, sizeof(sa));
    sa.sa_sigaction = self_info;
    sa.sa_flags = SA_SIGINFO;
    sigaction(SIGUSR2, &sa, NULL);
    raise(SIGUSR2);
    syscall(SYS_tgkill, getpid(), getpid(), SIGUSR2);

    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = self_nested;
    sa.sa_flags = SA_NODEFER;
    sigaction(SIGHUP, &sa, NULL);
    raise(SIGHUP);

    signal(SIGTERM, self_plain);
    raise(SIGTERM);
    struct sigaction old;
    sigaction(SIGTERM, NULL, &old);
    printf("signal() keeps its handler: %d\n", old.sa_handler == self_plain);

    printf("kill 0 on self: %d\n", kill(getpid(), 0));
    errno = 0;
    int r = kill(getpid(), 99);
    printf("kill bad signal: %d errno %d\n", r, errno == EINVAL);
    errno = 0;
    r = sigaction(SIGKILL, &sa, NULL);
    printf("sigaction SIGKILL: %d errno %d\n", r, errno == EINVAL);
    errno = 0;
    r = kill(99999, SIGUSR1);
    printf("kill nobody: %d errno %d\n", r, errno == ESRCH);
    signal(SIGCHLD, SIG_DFL);
    raise(SIGCHLD);             /* ignored by default */
    printf("SIGCHLD ignored\n");

    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = self_plain;
    sa.sa_flags = SA_RESETHAND;
    sigaction(SIGINT, &sa, NULL);
    raise(SIGINT);
    printf("once more, now the default\n");
    raise(SIGINT);
    printf("not reached\n");
    return 0;
}

static volatile int mask_got;

static void mask_handler(int sig)
{
    mask_got = sig;
    printf("handler %d\n", sig);
}

static void mask_show(const char *what)
{
    sigset_t s;
    sigprocmask(SIG_BLOCK, NULL, &s);
    printf("%s: USR1 %d USR2 %d RTMIN+3 %d\n", what, sigismember(&s, SIGUSR1),
           sigismember(&s, SIGUSR2), sigismember(&s, SIGRTMIN + 3));
}

static int mask(void)
{
    sigset_t block, pend, old;
    struct sigaction sa;

    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = mask_handler;
    sigaction(SIGUSR1, &sa, NULL);
    sigaction(SIGUSR2, &sa, NULL);

    sigemptyset(&block);
    sigaddset(&block, SIGUSR1);
    sigaddset(&block, SIGRTMIN + 3);
    sigprocmask(SIG_BLOCK, &block, &old);
    mask_show("blocked");
    kill(getpid(), SIGUSR1);
    printf("sent, got %d\n", mask_got);
    sigpending(&pend);
    printf("pending USR1 %d USR2 %d\n", sigismember(&pend, SIGUSR1), sigismember(&pend, SIGUSR2));
    raise(SIGUSR2);
    mask_show("after USR2's handler");
    sigprocmask(SIG_SETMASK, &old, NULL);
    printf("unblocked, got %d\n", mask_got);
    sigpending(&pend);
    printf("pending USR1 %d\n", sigismember(&pend, SIGUSR1));

    sigset_t kill_stop;
    sigfillset(&kill_stop);
    sigprocmask(SIG_SETMASK, &kill_stop, NULL);
    sigprocmask(SIG_SETMASK, NULL, &kill_stop);
    printf("KILL blockable %d STOP blockable %d\n", sigismember(&kill_stop, SIGKILL),
           sigismember(&kill_stop, SIGSTOP));

    /* sigsuspend: USR1 blocked, then waited for with it unblocked */
    sigprocmask(SIG_SETMASK, &block, NULL);
    mask_got = 0;
    raise(SIGUSR1);
    sigset_t wait_mask;
    sigemptyset(&wait_mask);
    int r = sigsuspend(&wait_mask);
    printf("sigsuspend %d, got %d\n", r, mask_got);
    mask_show("after sigsuspend");
    return 0;
}

static volatile sig_atomic_t alarm_rang;

static void alarm_ring(int sig)
{
    alarm_rang++;
    printf("ring %d\n", sig);
}

static int alarm_case(void)
{
    struct sigaction sa;

    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = alarm_ring;
    sigaction(SIGALRM, &sa, NULL);
    printf("alarm %u\n", alarm(10));
    printf("left %u\n", alarm(0));
    alarm(1);
    errno = 0;
    int r = pause();
    printf("pause %d errno %d rang %d\n", r, errno == EINTR, alarm_rang);
    alarm(1);
    unsigned long spins = 0;
    while (!alarm_rang || alarm_rang < 2)
        spins++;
    printf("computing, rang %d\n", alarm_rang);
    signal(SIGALRM, SIG_DFL);
    alarm(1);
    for (;;)
        pause();
    return 0;
}

static void pipe_handler(int sig)
{
    printf("handler %d\n", sig);
}

static int pipe_case(void)
{
    int fd[2];

    if (pipe(fd) != 0)
        return 1;
    close(fd[0]);
    signal(SIGPIPE, SIG_IGN);
    errno = 0;
    ssize_t r = write(fd[1], "x", 1);
    printf("ignored: write %zd errno %d\n", r, errno == EPIPE);
    signal(SIGPIPE, pipe_handler);
    errno = 0;
    ssize_t n = write(fd[1], "x", 1);
    printf("handled: write %zd errno %d\n", n, errno == EPIPE);
    signal(SIGPIPE, SIG_DFL);
    write(fd[1], "x", 1);
    printf("not reached\n");
    return 0;
}

static char frame_altstack[16384];

static void frame_on_ill(int sig, siginfo_t *si, void *p)
{
    ucontext_t *uc = p;
    greg_t *g = uc->uc_mcontext.gregs;
    printf("sig %d code %d at insn %d\n", sig, si->si_code,
           (uintptr_t)si->si_addr == (uintptr_t)g[REG_EIP]);
    printf("ebx %08x esi %08x edi %08x trapno %d\n", (unsigned)g[REG_EBX], (unsigned)g[REG_ESI],
           (unsigned)g[REG_EDI], (int)g[REG_TRAPNO]);
    g[REG_EIP] += 2;            /* ud2 */
    g[REG_EBX] = 0x600d;
}

static void frame_on_usr1(int sig)
{
    char here;
    printf("sig %d on the alternate stack: %d\n", sig,
           &here >= frame_altstack && &here < frame_altstack + sizeof(frame_altstack));
    stack_t ss;
    sigaltstack(NULL, &ss);
    printf("ss_flags %d\n", ss.ss_flags);
}

static int frame(void)
{
    struct sigaction sa;
    unsigned ebx_after;

    memset(&sa, 0, sizeof(sa));
    sa.sa_sigaction = frame_on_ill;
    sa.sa_flags = SA_SIGINFO;
    sigaction(SIGILL, &sa, NULL);
    __asm__ volatile("movl $0x11223344, %%ebx\n\t"
                     "movl $0x55667788, %%esi\n\t"
                     "movl $0x99aabbcc, %%edi\n\t"
                     "ud2\n\t"
                     "movl %%ebx, %0"
                     : "=r"(ebx_after) : : "ebx", "esi", "edi", "memory");
    printf("resumed, ebx %08x\n", ebx_after);

    stack_t ss = { .ss_sp = frame_altstack, .ss_size = sizeof(frame_altstack), .ss_flags = 0 };
    sigaltstack(&ss, NULL);
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = frame_on_usr1;
    sa.sa_flags = SA_ONSTACK;
    sigaction(SIGUSR1, &sa, NULL);
    raise(SIGUSR1);
    sigaltstack(NULL, &ss);
    printf("after: ss_flags %d size %zu\n", ss.ss_flags, ss.ss_size);
    return 0;
}

#define FPU_SIGNALS   50
#define FPU_N         20000
#define FCW_DEFAULT   0x037f    /* what FNINIT sets, Linux's initial control word */
#define FCW_ROUND_UP  0x0800    /* RC = 10b */
#define MXCSR_DEFAULT 0x1f80
#define MXCSR_ROUND_UP 0x4000   /* RC = 10b */

static volatile int fpu_handled, fpu_fresh, fpu_ack = -1;
static volatile double fpu_h87, fpu_hsse;

static unsigned fpu_cw(void)
{
    unsigned short cw;
    __asm__ volatile("fnstcw %0" : "=m"(cw));
    return cw;
}

__attribute__((target("sse"))) static unsigned fpu_mxcsr(void)
{
    unsigned m;
    __asm__ volatile("stmxcsr %0" : "=m"(m));
    return m;
}

/* The same sums on the x87 (the default for -m32) and in SSE registers;
 * -O2 keeps a and b in registers for the whole loop. */
static double fpu_sum87(int n)
{
    double a = 0, b = 1;
    for (int i = 1; i <= n; i++) {
        a += b / i;
        b = b * 1.0000001 + 1e-9;
    }
    return a + b;
}

__attribute__((target("sse2"))) static double fpu_sum_sse(int n)
{
    __m128d a = _mm_setzero_pd(), b = _mm_set_sd(1.0);
    const __m128d k = _mm_set_sd(1.0000001), e = _mm_set_sd(1e-9);
    for (int i = 1; i <= n; i++) {
        a = _mm_add_sd(a, _mm_div_sd(b, _mm_cvtsi32_sd(_mm_setzero_pd(), i)));
        b = _mm_add_sd(_mm_mul_sd(b, k), e);
    }
    return _mm_cvtsd_f64(_mm_add_sd(a, b));
}

static void fpu_on_usr1(int sig, siginfo_t *si, void *p)
{
    ucontext_t *uc = p;
    unsigned short up = FCW_DEFAULT | FCW_ROUND_UP;
    unsigned mx = MXCSR_DEFAULT | MXCSR_ROUND_UP;
    (void)sig; (void)si;

    if (fpu_cw() == FCW_DEFAULT && fpu_mxcsr() == MXCSR_DEFAULT && uc->uc_mcontext.fpregs &&
        (uc->uc_mcontext.fpregs->cw & 0xffff) == FCW_DEFAULT)
        fpu_fresh++;
    __asm__ volatile("fldcw %0" : : "m"(up));
    __asm__ volatile("ldmxcsr %0" : : "m"(mx));
    fpu_h87 = fpu_sum87(100);
    fpu_hsse = fpu_sum_sse(100);
    fpu_handled++;
    if (write(fpu_ack, "x", 1) != 1)
        _exit(3);
}

static int fpu(void)
{
    struct sigaction sa = { .sa_sigaction = fpu_on_usr1, .sa_flags = SA_SIGINFO | SA_RESTART };
    volatile double r87 = fpu_sum87(FPU_N), rsse = fpu_sum_sse(FPU_N), x;
    int ack[2], bad = 0, status;
    char c;

    if (pipe(ack) != 0)
        return 1;
    fpu_ack = ack[1];           /* the first signal may come before fork returns */
    sigaction(SIGUSR1, &sa, NULL);
    pid_t child = fork();
    if (child == 0) {
        close(ack[1]);
        for (int i = 0; i < FPU_SIGNALS; i++) {
            kill(getppid(), SIGUSR1);
            if (read(ack[0], &c, 1) != 1)
                _exit(1);
        }
        _exit(0);
    }
    close(ack[0]);
    while (fpu_handled < FPU_SIGNALS) {
        x = fpu_sum87(FPU_N);
        bad += x != r87;
        x = fpu_sum_sse(FPU_N);
        bad += x != rsse;
    }
    waitpid(child, &status, 0);
    printf("signals %d, a fresh FPU in the handler %d times, child status %d\n", fpu_handled,
           fpu_fresh, status);
    printf("main: %.17g %.17g, %d wrong\n", r87, rsse, bad);
    printf("handler, rounding up: %.17g %.17g\n", fpu_h87, fpu_hsse);
    printf("after: cw %#x mxcsr %#x\n", fpu_cw(), fpu_mxcsr() & ~0x3fu);  /* less its flags */
    return 0;
}

static volatile int stop_chlds, stop_code, stop_status;

static void stop_on_chld(int sig, siginfo_t *si, void *uc)
{
    (void)sig; (void)uc;
    stop_chlds++;
    stop_code = si->si_code;
    stop_status = si->si_status;
}

/* waitpid(pid, options) and what it said. */
static void stop_show(const char *what, pid_t pid, int options)
{
    int st = 0;
    pid_t got = waitpid(pid, &st, options);

    printf("%s: pid %s, status %#x: exited %d signaled %d (%d) stopped %d (%d) continued %d\n",
           what, got == pid ? "the child's" : got == 0 ? "0" : "error", got > 0 ? st : 0,
           got > 0 && WIFEXITED(st), got > 0 && WIFSIGNALED(st), got > 0 && WIFSIGNALED(st) ?
           WTERMSIG(st) : 0, got > 0 && WIFSTOPPED(st), got > 0 && WIFSTOPPED(st) ?
           WSTOPSIG(st) : 0, got > 0 && WIFCONTINUED(st));
}

/* A child that answers each byte with the next one. */
static pid_t stop_echo_child(int *to, int *from)
{
    int a[2], b[2];
    char c;

    if (pipe(a) != 0 || pipe(b) != 0)
        return -1;
    pid_t pid = fork();
    if (pid == 0) {
        setpgid(0, 0);
        close(a[1]);
        close(b[0]);
        while (read(a[0], &c, 1) == 1) {
            c++;
            if (write(b[1], &c, 1) != 1)
                _exit(1);
        }
        _exit(0);
    }
    setpgid(pid, pid);
    close(a[0]);
    close(b[1]);
    *to = a[1];
    *from = b[0];
    return pid;
}

/* Sends c; the answer, waiting at most timeout ms (-1: for ever). */
static void stop_ask(int to, int from, char c, int timeout)
{
    struct pollfd pfd = { .fd = from, .events = POLLIN };

    if (write(to, &c, 1) != 1)
        return;
    int n = poll(&pfd, 1, timeout);
    if (n == 0) {
        printf("sent %c: no answer in 100 ms\n", c);
        return;
    }
    if (read(from, &c, 1) == 1)
        printf("answer %c\n", c);
}

static int stop_case(void)
{
    struct sigaction sa = { .sa_sigaction = stop_on_chld, .sa_flags = SA_SIGINFO | SA_RESTART };
    int to, from;
    char c;

    sigaction(SIGCHLD, &sa, NULL);
    pid_t pid = stop_echo_child(&to, &from);
    stop_ask(to, from, 'a', -1);
    kill(pid, SIGSTOP);
    stop_show("SIGSTOP, WUNTRACED", pid, WUNTRACED);
    printf("SIGCHLD code %d status %d\n", stop_code, stop_status);
    stop_ask(to, from, 'c', 100);     /* stopped: never */
    stop_show("again, WNOHANG", pid, WUNTRACED | WNOHANG);
    kill(pid, SIGCONT);
    stop_show("SIGCONT, WCONTINUED", pid, WCONTINUED);
    if (read(from, &c, 1) == 1)
        printf("answer %c once continued\n", c);
    stop_ask(to, from, 'x', -1);

    kill(-pid, SIGTSTP);
    stop_show("SIGTSTP to the group", pid, WUNTRACED);
    printf("SIGCHLD code %d status %d\n", stop_code, stop_status);
    kill(pid, SIGTERM);
    stop_show("SIGTERM while stopped, WNOHANG", pid, WNOHANG);
    kill(pid, SIGCONT);
    stop_show("SIGCONT", pid, 0);
    close(to);
    close(from);

    sa.sa_flags |= SA_NOCLDSTOP;
    sigaction(SIGCHLD, &sa, NULL);
    int before = stop_chlds;
    pid = stop_echo_child(&to, &from);
    stop_ask(to, from, 'm', -1);
    kill(pid, SIGSTOP);
    stop_show("SA_NOCLDSTOP: SIGSTOP", pid, WUNTRACED);
    printf("SIGCHLDs %d\n", stop_chlds - before);
    kill(pid, SIGKILL);
    stop_show("SIGKILL while stopped", pid, 0);
    printf("SIGCHLDs %d, code %d status %d\n", stop_chlds - before, stop_code, stop_status);
    return 0;
}

static void exec_on_usr1(int sig)
{
    (void)sig;
    printf("the old image's handler\n");
}

/* After the exec: the dispositions as the new image finds them. */
static int exec_after(void)
{
    struct sigaction old;
    sigset_t set;

    sigaction(SIGUSR1, NULL, &old);
    printf("usr1 %s\n", old.sa_handler == SIG_DFL ? "default" : "not default");
    sigaction(SIGUSR2, NULL, &old);
    printf("usr2 %s\n", old.sa_handler == SIG_IGN ? "ignored" : "not ignored");
    sigprocmask(SIG_BLOCK, NULL, &set);
    printf("hup blocked %d\n", sigismember(&set, SIGHUP));
    sigpending(&set);
    printf("hup pending %d\n", sigismember(&set, SIGHUP));
    raise(SIGUSR1);
    printf("not reached\n");
    return 0;
}

static int exec_case(void)
{
    struct sigaction sa = { .sa_handler = exec_on_usr1 };
    sigset_t set;
    int st;

    sigaction(SIGUSR1, &sa, NULL);
    signal(SIGUSR2, SIG_IGN);
    sigemptyset(&set);
    sigaddset(&set, SIGHUP);
    sigprocmask(SIG_BLOCK, &set, NULL);
    raise(SIGHUP);
    pid_t pid = fork();
    if (pid == 0) {
        sigpending(&set);
        printf("child: hup pending %d\n", sigismember(&set, SIGHUP));
        _exit(0);
    }
    waitpid(pid, &st, 0);
    fflush(stdout);
    execl("/proc/self/exe", "signals", "exec-after", (char *)NULL);
    printf("execl failed\n");
    return 1;
}

int main(int argc, char **argv)
{
    static const struct { const char *name; int (*run)(void); } cases[] = {
        { "segv-jmp", segv_jmp }, { "self", self }, { "mask", mask },
        { "alarm", alarm_case }, { "pipe", pipe_case }, { "frame", frame },
        { "fpu", fpu }, { "stop", stop_case }, { "exec", exec_case },
        { "exec-after", exec_after },
    };

    setvbuf(stdout, NULL, _IONBF, 0);
    for (size_t i = 0; argc == 2 && i < sizeof(cases) / sizeof(cases[0]); i++)
        if (strcmp(argv[1], cases[i].name) == 0)
            return cases[i].run();
    fprintf(stderr, "usage: signals segv-jmp|self|mask|alarm|pipe|frame|fpu|stop|exec\n");
    return 2;
}
