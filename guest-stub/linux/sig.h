/*
 * Signals and the terminal: the signal state of a process (lx_sigstate_t,
 * in lx_proc_t) and of each of its threads (lx_sigthread_t, among the
 * per-thread fields), the console's line discipline (lx_tty_t, in lx_kernel_t)
 * and what the guest kernel calls around them. Pure, like the rest of the
 * personality; signal.c and sys_signal.c implement the signals, tty.c the
 * terminal. docs/guest.md describes both.
 *
 * The guest kernel's part, in outline. Before each reply to a process it
 * hands lx_sig_deliver() the process's full register set as the process
 * will resume (EIP after the `int $0x80`, the result in EAX); if a signal is
 * deliverable, delivery either builds Linux's frame on the user stack and
 * points the registers at the handler, or terminates the process
 * (lx_proc_exit with the signal's wait status), or drops an ignored signal.
 * The same call settles a system call that was interrupted: a parked call
 * (LX_BLOCK) that lx_sig_interrupt() abandons because a signal arrived
 * answers one of the LX_ERESTART* codes, which delivery turns into -EINTR
 * or a restart of the call (EIP back on the `int $0x80`, EAX the number
 * again), as Linux's SA_RESTART rules say. A fault (VMFault, UserException)
 * becomes lx_sig_fault() then lx_sig_deliver() with the registers read from
 * the thread (nr -1); so does a signal for a process that is running, after
 * the guest kernel has suspended its thread. sigreturn needs the registers
 * themselves: the guest kernel lends them in p->uregs during every call.
 */
#ifndef GUEST_LINUX_SIG_H
#define GUEST_LINUX_SIG_H

#include <stdint.h>
#include <stdbool.h>
#include "linux/signal.h"
#include "linux/termios.h"

/* What a handler was installed with (rt_sigaction). */
typedef struct lx_sigact {
    uint32_t handler;           /* LX_SIG_DFL, LX_SIG_IGN or a user address */
    uint32_t flags;             /* LX_SA_* */
    uint32_t restorer;          /* LX_SA_RESTORER: where the handler returns */
    uint64_t mask;              /* blocked while it runs */
} lx_sigact_t;

/* Where a pending signal came from, for its siginfo. Standard signals do not
 * queue; real-time ones do not either here (one instance each). */
typedef struct lx_sigsrc {
    int32_t code;               /* si_code */
    uint32_t pid, uid;          /* sender (kill, SIGCHLD's child) */
    uint32_t addr;              /* faults: si_addr */
    int32_t status;             /* SIGCHLD: exit code or signal */
} lx_sigsrc_t;

/* The process's part of the signal state (Linux's struct sighand_struct and
 * struct signal_struct): handlers, the pending set every thread may take
 * from (kill, the terminal, alarm, SIGCHLD: shared_pending), alarm, job
 * control. */
typedef struct lx_sigstate {
    lx_sigact_t act[LX_NSIG];   /* index: signal - 1 */
    lx_sigsrc_t src[LX_NSIG];   /* of pending's signals */
    uint64_t pending;           /* LX_SIGBIT() set, for any thread that does not block */
    uint64_t alarm_ns;          /* monotonic deadline of alarm(), 0: none */
    uint64_t alarm_interval_ns; /* ITIMER_REAL's interval: re-armed so on expiry; 0: none */
    /* Job control: stopped by a stop signal's default action until SIGCONT
     * (or SIGKILL) comes; what wait4's WUNTRACED and WCONTINUED have yet to
     * report to the parent. */
    bool stopped;
    uint8_t stop_sig;
    bool stop_report, cont_report;
} lx_sigstate_t;

/* A thread's part (Linux's task_struct blocked, pending, saved_sigmask,
 * sas_ss_*, thread.trap_nr, error_code, cr2): in LX_THREAD_FIELDS (lx.h),
 * so p->tsig is the calling thread's. */
typedef struct lx_sigthread {
    uint64_t blocked;           /* LX_SIGBIT() sets: the mask ... */
    uint64_t pending;           /* ... and signals for this thread alone: tkill,
                                 * tgkill, faults, SIGPIPE */
    uint64_t saved_mask;        /* sigsuspend: the mask to restore ... */
    /* Delivery's work for this thread, read as one word (work) by
     * lx_sig_idle: the guest kernel asks before every reply. */
    union {
        struct {
            bool restore_mask;  /* ... once a handler's frame carries it */
            bool own;           /* pending may not be 0 (set with it; cleared
                                 * when delivery or a flush empties it) */
        };
        uint16_t work;
    };
    uint32_t ss_sp, ss_size;    /* sigaltstack; size 0: none */
    bool ss_autodisarm;
    uint32_t trapno, err, cr2;  /* the last fault */
    /* Of pending's signals, [LX_NSIG]: allocated at the thread's first own
     * signal (NULL till then, or if the guest had no memory for it: the
     * signal is delivered with a bare siginfo), so that a thread's state
     * stays small to copy (lx_thread_switch, fork). lx_sig_thread_free
     * gives it back. */
    lx_sigsrc_t *src;
} lx_sigthread_t;

/* The console's line discipline. */
#define LX_TTY_BUF 1024u        /* bytes of input held (Linux: 4096) */
typedef struct lx_tty {
    struct lx_termios termios;
    struct lx_winsize winsize;
    uint32_t sid, pgrp;         /* controlling session and foreground group; 0: none yet */
    uint16_t buf[LX_TTY_BUF];   /* input: bytes, or LX_TTY_EOF marks */
    uint32_t len;               /* entries held */
    uint32_t ready;             /* canonical: entries up to here end in a delimiter */
    bool host_eof;              /* the console said end of file */
} lx_tty_t;
#define LX_TTY_EOF 0x100u       /* ^D: ends a line without being read */

struct lx_proc;
struct lx_kernel;
struct lx_regs;

/* signal.c */
typedef enum {
    LX_SIG_NONE,                /* nothing delivered: registers unchanged bar a restart */
    LX_SIG_HANDLER,             /* frame built, registers point at the handler */
    LX_SIG_KILLED,              /* default action: lx_proc_exit() with the signal */
    LX_SIG_STOPPED,             /* a stop signal's default action: the thread must not run
                                 * (registers final, maybe at a handler) until
                                 * p->sig.stopped is cleared by SIGCONT or SIGKILL */
} lx_sig_result_t;

/* Generates a signal for p (Linux's send_signal with PIDTYPE_TGID): pending
 * for the process, taken by the first thread that does not block it;
 * dropped at once if it would be ignored and the first thread does not
 * block it. (Linux prefers the main thread; here the first of them the
 * guest kernel comes to: the caller, then its walk, oldest first.) */
void lx_sig_send(struct lx_proc *p, int sig, const lx_sigsrc_t *src);
/* The same for one thread of p (tkill, tgkill, SIGPIPE: PIDTYPE_PID): t
 * as lx_thread_state() takes it (NULL or p->cur: the one in place). */
struct lx_thread;
void lx_sig_send_thread(struct lx_proc *p, struct lx_thread *t, int sig,
        const lx_sigsrc_t *src);
/* Gives back what a thread's signal state holds (its sources). */
void lx_sig_thread_free(struct lx_kernel *k, lx_sigthread_t *ts);
/* Drops what is pending of the signals in mask, for the process and every
 * thread (an action that ignores them now). */
void lx_sig_flush(struct lx_proc *p, uint64_t mask);
/* A synchronous fault (force_sig_fault): an ignored or blocked handler is
 * reset to the default first, so a fault in a handler for it kills. */
void lx_sig_fault(struct lx_proc *p, int sig, int code, uint32_t addr, uint32_t trapno,
        uint32_t err);
/* To every process of group pgrp (kill(-pgrp), the terminal's ^C); whether
 * any was there. */
bool lx_sig_group(struct lx_proc *self, uint32_t pgrp, int sig, const lx_sigsrc_t *src);
/* Whether the thread in place in p has a signal it may take now: its own or
 * the process's, not blocked by its mask. */
bool lx_sig_deliverable(const struct lx_proc *p);
/* Whether the action drops sig at once: SIG_IGN, or a default that
 * ignores; never SIGKILL. (A stop signal stays pending: delivery stops the
 * process, or drops it if its group is orphaned.) */
bool lx_sig_drops(const lx_sigact_t *a, int sig);
/* For a parked call (number nr) that a signal may interrupt: LX_BLOCK to
 * stay parked, or the restart code it answers with (its waiting state
 * cleared). A vfork parent waits on unless SIGKILL is pending. */
int32_t lx_sig_interrupt(struct lx_proc *p, uint32_t nr);
/* pselect6/ppoll: the mask at user address umask (sigsetsize size; 0: none)
 * replaces the blocked set while the call waits (first try only), as
 * sigsuspend's; lx_sig_wait_done() puts the old one back unless a signal
 * interrupted the wait (delivery does it then, after the handler). */
int lx_sig_wait_mask(struct lx_proc *p, uint32_t umask, uint32_t size);
int32_t lx_sig_wait_done(struct lx_proc *p, int32_t ret);
/* nr: the system call whose result is in r->eax with EIP after it, or -1. */
lx_sig_result_t lx_sig_deliver(struct lx_proc *p, struct lx_regs *r, int32_t nr);
/* SIGSEGV's si_code for a fault at addr: SEGV_ACCERR inside the layout,
 * SEGV_MAPERR outside it. */
int lx_sig_segv_code(const struct lx_proc *p, uint32_t addr);
/* Raises SIGALRM if alarm()'s deadline has passed. */
void lx_sig_tick(struct lx_proc *p);
/* fork copies handlers (the caller copies the forking thread's mask and
 * alternate stack); execve resets handlers and the alternate stack. */
void lx_sig_fork(struct lx_proc *child, const struct lx_proc *parent);
void lx_sig_exec(struct lx_proc *p);
/* Whether no process of group pgrp has a live parent in another group of
 * its session (Linux will_become_orphaned_pgrp; we count init as such a
 * parent, since the guest's shell is often init): job control's stop
 * signals from the terminal and SIGTTIN/SIGTTOU are not for such groups. */
bool lx_sig_pgrp_orphaned(struct lx_kernel *k, uint32_t pgrp);
/* The wait status of a process killed by sig (never with the core flag:
 * the guest writes no core files). */
uint32_t lx_sig_wait_status(int sig);
/* SIGCHLD for parent about a child that ended with wait status status;
 * true if the parent asked for no zombies (SIGCHLD ignored, SA_NOCLDWAIT). */
bool lx_sig_child(struct lx_proc *parent, uint32_t child_pid, uint32_t status);
/* The alternate stack as sigaltstack reports it for a stack pointer. */
bool lx_sig_on_altstack(const struct lx_proc *p, uint32_t sp);
uint32_t lx_sig_ss_flags(const struct lx_proc *p, uint32_t sp);

/* sigfpu.c: the FPU and SSE state across a handler, which the process
 * saves and loads itself through a few instructions delivery writes beside
 * the frame (see there). */
/* The struct _fpstate_32 below the stack pointer sp, its save stub above
 * it; 0 if there is no room. The frame goes below it. */
uint32_t lx_sig_fpu_place(uint32_t sp);
/* Writes the area at fp and the stub that saves the state there (after
 * loading the block at restore, if not 0) and jumps to handler; *entry:
 * where the thread starts instead of the handler. */
int lx_sig_fpu_save(struct lx_proc *p, uint32_t fp, uint32_t handler, uint32_t restore,
        uint32_t *entry);
/* sigreturn: the state at fpstate (0: the initial one) is loaded by a stub
 * written below the frame (which started at frame) and r->esp, which then
 * jumps to *resume; *resume becomes the stub's address. */
int lx_sig_fpu_restore(struct lx_proc *p, uint32_t fpstate, uint32_t frame,
        struct lx_regs *r, uint32_t *resume);
/* Registers r at a restore stub that has not finished: r->eip becomes where
 * it jumps to; the block it has yet to load is returned (the new frame goes
 * below it, and its save stub loads it first), else 0. */
uint32_t lx_sig_fpu_resume(struct lx_proc *p, struct lx_regs *r);

/* tty.c */
void lx_tty_init(lx_tty_t *t);
/* Raw bytes from the console through the line discipline: editing, echo,
 * signals to the foreground group (sent as self's). */
void lx_tty_input(struct lx_proc *self, const uint8_t *bytes, uint32_t n);
/* read(2) of the console: bytes, 0 at end of file, -EAGAIN to wait (the
 * caller parks; a signal interrupts the wait, lx_sig_interrupt). */
int32_t lx_tty_read(struct lx_proc *p, uint8_t *buf, uint32_t n);
int32_t lx_tty_ioctl(struct lx_proc *p, uint32_t req, uint32_t arg);
/* Before a write of the console: 0, or what a background process's write
 * answers under TOSTOP (SIGTTOU, as for a change of the settings). */
int32_t lx_tty_write_check(struct lx_proc *p);
/* Bytes a read would get now (FIONREAD). */
uint32_t lx_tty_available(const lx_tty_t *t);

#endif
