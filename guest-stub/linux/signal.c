/*
 * Signals: generation, delivery on the process's own stack, and the return.
 *
 * A signal is generated for a process (lx_sig_send) by kill, by the
 * terminal, by alarm, by a child's exit; for one thread (lx_sig_send_thread)
 * by tkill, tgkill and a write to a pipe nobody reads; or forced on the
 * thread by a fault (lx_sig_fault). It is then pending in the process's set
 * or the thread's; one instance of each number is kept with where it came
 * from. It is delivered when the guest kernel is about to resume a thread
 * (lx_sig_deliver), and only if that thread does not block it: the
 * thread's own before the process's, in each a synchronous fault signal
 * first, then the lowest number, as Linux's dequeue_signal() and
 * next_signal() pick; a process's signal goes to whichever of its threads
 * that do not block it comes first. Delivery does what the action says.
 * SIG_IGN, and a default action of "ignore" (SIGCHLD, SIGCONT, SIGURG,
 * SIGWINCH), drop it.
 * A default action of "stop" (SIGSTOP, SIGTSTP, SIGTTIN, SIGTTOU) stops the
 * process -- unless its group is orphaned and the signal is not SIGSTOP,
 * when it is dropped, as Linux's get_signal does -- and tells the parent
 * (SIGCHLD with CLD_STOPPED, unless SA_NOCLDSTOP; wait4 with WUNTRACED);
 * the guest kernel keeps its threads from running until SIGCONT (whatever
 * its action, even blocked: prepare_signal) or SIGKILL comes, and SIGCONT
 * tells the parent again (CLD_CONTINUED; WCONTINUED). Any
 * other default terminates the process with the signal in its wait status.
 * For the signals whose default is "core" (SIGQUIT, SIGILL, SIGABRT,
 * SIGFPE, SIGSEGV, ...) Linux adds the core flag 0x80 only when it wrote a
 * core file; the guest writes none (RLIMIT_CORE reads 0, Linux's default),
 * so they terminate the same way and the flag stays clear. A handler gets
 * Linux's i386 frame, built below the interrupted stack pointer (or at the
 * top of the alternate stack for SA_ONSTACK): `struct sigframe` with a
 * sigcontext, or for SA_SIGINFO `struct rt_sigframe` with a siginfo and a
 * ucontext; the handler returns
 * to sa_restorer (libc's __restore/__restore_rt) or, without SA_RESTORER,
 * to the trampoline in the frame's retcode. Either makes sigreturn or
 * rt_sigreturn (sys_signal.c), which reads the frame back.
 *
 * The FPU and SSE state goes on the frame too (struct _fpstate_32 above it,
 * sigcontext.fpstate pointing at it), saved and loaded by the process
 * itself through instructions delivery writes beside it (sigfpu.c): the
 * thread starts there, and they jump to the handler.
 *
 * If the frame cannot be written (stack unmapped, alternate stack too
 * small) the process gets SIGSEGV instead, with its handler reset when the
 * failed signal was SIGSEGV, so a second fault while delivering kills.
 */
#include "sys.h"
#include "linux/misc.h"
#include "linux/unistd.h"
#include <string.h>

#define SYNC_SIGS (LX_SIGBIT(LX_SIGSEGV) | LX_SIGBIT(LX_SIGBUS) | LX_SIGBIT(LX_SIGILL) | \
                   LX_SIGBIT(LX_SIGTRAP) | LX_SIGBIT(LX_SIGFPE) | LX_SIGBIT(LX_SIGSYS))
#define UNBLOCKABLE (LX_SIGBIT(LX_SIGKILL) | LX_SIGBIT(LX_SIGSTOP))
#define DFL_IGNORE (LX_SIGBIT(LX_SIGCHLD) | LX_SIGBIT(LX_SIGCONT) | LX_SIGBIT(LX_SIGURG) | \
                    LX_SIGBIT(LX_SIGWINCH))
#define DFL_STOP (LX_SIGBIT(LX_SIGSTOP) | LX_SIGBIT(LX_SIGTSTP) | LX_SIGBIT(LX_SIGTTIN) | \
                  LX_SIGBIT(LX_SIGTTOU))
#define TRAP_PAGE_FAULT 14u     /* Intel SDM vol. 3 6.15: #PF, the one that sets CR2 */
#define INT80_LEN       2u      /* `int $0x80`: cd 80 */
#define LOW32(m)        ((uint32_t)(m))
#define HIGH32(m)       ((uint32_t)((m) >> 32))

/* Whether the action drops the signal at once (SIG_IGN, or a default that
 * ignores; SIGKILL never). */
bool lx_sig_drops(const lx_sigact_t *a, int sig)
{
    if (sig == LX_SIGKILL)
        return false;
    if (a->handler == LX_SIG_IGN)
        return true;
    return a->handler == LX_SIG_DFL && (DFL_IGNORE & LX_SIGBIT(sig));
}

/* SIGCHLD to p's parent for a stop or a continue (do_notify_parent_cldstop),
 * unless it asked not to hear of them. */
static void notify_stop(lx_proc_t *p, int code, int sig)
{
    lx_proc_t *parent = p->parent;
    lx_sigsrc_t src = { .code = code, .pid = p->pid, .status = sig };

    if (!parent || parent->exited || (parent->sig.act[LX_SIGCHLD - 1].flags & LX_SA_NOCLDSTOP))
        return;
    lx_sig_send(parent, LX_SIGCHLD, &src);
}

/* SIGCONT continues a stopped process whatever its action; SIGKILL wakes it
 * to die (kernel/signal.c prepare_signal, signal_wake_up). */
static void wake_stopped(lx_proc_t *p, int sig)
{
    lx_sigstate_t *s = &p->sig;

    if (!s->stopped)
        return;
    s->stopped = false;
    p->k->sig_raised = true;    /* the guest kernel resumes its threads */
    if (sig != LX_SIGCONT)
        return;
    s->stop_report = false;
    s->cont_report = true;
    notify_stop(p, LX_CLD_CONTINUED, LX_SIGCONT);
}

void lx_sig_flush(lx_proc_t *p, uint64_t mask)
{
    lx_thread_t *t = p->threads;

    p->sig.pending &= ~mask;
    do {
        lx_sigthread_t *ts = &lx_thread_state(p, t)->tsig;
        ts->pending &= ~mask;
        ts->own = ts->pending != 0;
        t = t ? t->next : NULL;
    } while (t);
}

/* Makes sig pending in *pending (the process's or a thread's set, whose
 * sources are srcs; the mask of p's thread t decides whether an ignored
 * signal is dropped at once), after what any generation does first
 * (prepare_signal): SIGCONT drops pending stop signals and a stop signal a
 * pending SIGCONT, for the process and every thread; SIGCONT and SIGKILL
 * wake a stopped process. */
static inline __attribute__((always_inline)) void make_pending(lx_proc_t *p,
        uint64_t *pending, lx_sigsrc_t *srcs, lx_thread_t *t, int sig, const lx_sigsrc_t *src)
{
    uint64_t bit = LX_SIGBIT(sig);

    if (sig == LX_SIGCONT)
        lx_sig_flush(p, DFL_STOP);
    if (bit & DFL_STOP)
        lx_sig_flush(p, LX_SIGBIT(LX_SIGCONT));
    if (sig == LX_SIGCONT || sig == LX_SIGKILL)
        wake_stopped(p, sig);
    if (lx_sig_drops(&p->sig.act[sig - 1], sig) && !(lx_thread_state(p, t)->tsig.blocked & bit))
        return;
    if (*pending & bit)
        return;                 /* standard signals do not queue */
    *pending |= bit;
    if (srcs)
        srcs[sig - 1] = *src;
    p->k->sig_raised = true;
}

/* The thread's table of sources, made at its first own signal; NULL if
 * the guest has no memory for it. */
static lx_sigsrc_t *thread_srcs(lx_proc_t *p, lx_sigthread_t *ts)
{
    if (!ts->src)
        ts->src = lx_alloc(p->k, LX_NSIG * sizeof(*ts->src));
    return ts->src;
}

void lx_sig_thread_free(lx_kernel_t *k, lx_sigthread_t *ts)
{
    if (ts->src)
        lx_free(k, ts->src, LX_NSIG * sizeof(*ts->src));
    ts->src = NULL;
}

/* Linux asks the thread the pid names (sig_ignored(t)): for a process, its
 * first thread. */
void lx_sig_send(lx_proc_t *p, int sig, const lx_sigsrc_t *src)
{
    make_pending(p, &p->sig.pending, p->sig.src, p->threads, sig, src);
}

void lx_sig_send_thread(lx_proc_t *p, lx_thread_t *t, int sig, const lx_sigsrc_t *src)
{
    lx_sigthread_t *ts = &lx_thread_state(p, t)->tsig;

    make_pending(p, &ts->pending, thread_srcs(p, ts), t, sig, src);
    ts->own |= ts->pending != 0;    /* lx_sig_idle looks at own, not pending */
}

/* For the thread in place: a fault is its own (force_sig_fault_to_task). */
void lx_sig_fault(lx_proc_t *p, int sig, int code, uint32_t addr, uint32_t trapno, uint32_t err)
{
    lx_sigthread_t *ts = &p->tsig;
    lx_sigact_t *a = &p->sig.act[sig - 1];
    uint64_t bit = LX_SIGBIT(sig);

    if ((ts->blocked & bit) || a->handler == LX_SIG_IGN) {
        a->handler = LX_SIG_DFL;
        ts->blocked &= ~bit;
    }
    ts->trapno = trapno;
    ts->err = err;
    if (trapno == TRAP_PAGE_FAULT)
        ts->cr2 = addr;
    ts->pending |= bit;
    ts->own = true;
    if (thread_srcs(p, ts))
        ts->src[sig - 1] = (lx_sigsrc_t){ .code = code, .addr = addr };
    p->k->sig_raised = true;
}

bool lx_sig_group(lx_proc_t *self, uint32_t pgrp, int sig, const lx_sigsrc_t *src)
{
    bool found = false;

    for (lx_proc_t *q = self->k->procs; q; q = q->next) {
        if (q->pgid != pgrp || q->exited)
            continue;
        found = true;
        if (sig)
            lx_sig_send(q, sig, src);
    }
    return found;
}

bool lx_sig_deliverable(const lx_proc_t *p)
{
    uint64_t pending = p->sig.pending;

    if (p->tsig.own)            /* else the thread's set is empty */
        pending |= p->tsig.pending;
    return (pending & ~p->tsig.blocked) != 0;
}

int32_t lx_sig_interrupt(lx_proc_t *p, uint32_t nr)
{
    if (!lx_sig_deliverable(p))
        return LX_BLOCK;
    if (p->vfork_pid && !((p->sig.pending | p->tsig.pending) & LX_SIGBIT(LX_SIGKILL)))
        return LX_BLOCK;        /* vfork's wait is not interruptible */
    bool timed = p->sleep_until != 0;
    p->retrying = false;
    p->sleep_until = 0;
    p->wait_external = false;
    switch (nr) {
    case LX_NR_futex: case LX_NR_futex_time64:     /* kernel/futex/waitwake.c */
        return LX_ERR(timed ? LX_ERESTART_RESTARTBLOCK : LX_ERESTARTSYS);
    case LX_NR_pause: case LX_NR_rt_sigsuspend: case LX_NR_sigsuspend:
    case LX_NR_select: case LX_NR__newselect: case LX_NR_poll:
    case LX_NR_pselect6: case LX_NR_ppoll: case LX_NR_pselect6_time64: case LX_NR_ppoll_time64:
        return LX_ERR(LX_ERESTARTNOHAND);   /* never restarted after a handler */
    case LX_NR_nanosleep: case LX_NR_clock_nanosleep: case LX_NR_clock_nanosleep_time64:
        return LX_ERR(LX_ERESTART_RESTARTBLOCK);
    default:
        return LX_ERR(LX_ERESTARTSYS);
    }
}

int lx_sig_wait_mask(lx_proc_t *p, uint32_t umask, uint32_t size)
{
    uint64_t mask;

    if (!umask || p->retrying)
        return 0;
    if (size != sizeof(mask))
        return LX_ERR(LX_EINVAL);
    if (lx_user_in(p, &mask, umask, sizeof(mask)))
        return LX_ERR(LX_EFAULT);
    p->tsig.saved_mask = p->tsig.blocked;
    p->tsig.restore_mask = true;
    p->tsig.blocked = mask & ~UNBLOCKABLE;
    return 0;
}

int32_t lx_sig_wait_done(lx_proc_t *p, int32_t ret)
{
    if (ret != LX_BLOCK && p->tsig.restore_mask) {
        p->tsig.blocked = p->tsig.saved_mask;
        p->tsig.restore_mask = false;
    }
    return ret;
}

int lx_sig_segv_code(const lx_proc_t *p, uint32_t addr)
{
    if (addr >= p->brk_start && addr < p->brk)
        return LX_SEGV_ACCERR;
    for (int i = 0; i < LX_VMA_MAX; i++)
        if (addr >= p->vma[i].start && addr < p->vma[i].end)
            return LX_SEGV_ACCERR;
    return LX_SEGV_MAPERR;
}

/* SIGALRM, and setitimer's interval: the next expiry one interval after
 * this one, or after now if the guest looked late (Linux drops overruns of
 * a process timer's signal too). Out of line: the tick's common path, no
 * alarm due, stays a load and a test. */
static __attribute__((noinline)) void alarm_fire(lx_proc_t *p, uint64_t now)
{
    lx_sigsrc_t src = { .code = LX_SI_KERNEL };
    uint64_t next = p->sig.alarm_ns + p->sig.alarm_interval_ns;

    p->sig.alarm_ns = !p->sig.alarm_interval_ns ? 0 :
                      next > now ? next : now + p->sig.alarm_interval_ns;
    lx_sig_send(p, LX_SIGALRM, &src);
}

void lx_sig_tick(lx_proc_t *p)
{
    lx_kernel_t *k = p->k;
    uint64_t now;

    if (p->sig.alarm_ns && (now = k->ops->now_ns(k->ctx, LX_CLOCK_MONOTONIC)) >= p->sig.alarm_ns)
        alarm_fire(p, now);
}

uint32_t lx_sig_wait_status(int sig)
{
    return (uint32_t)sig;       /* no core file, so no LX_WCOREFLAG */
}

bool lx_sig_child(lx_proc_t *parent, uint32_t child_pid, uint32_t status)
{
    const lx_sigact_t *a = &parent->sig.act[LX_SIGCHLD - 1];
    lx_sigsrc_t src = { .pid = child_pid };

    if ((status & 0x7f) == 0) {
        src.code = LX_CLD_EXITED;
        src.status = (int32_t)((status >> 8) & 0xff);
    } else {
        src.code = (status & LX_WCOREFLAG) ? LX_CLD_DUMPED : LX_CLD_KILLED;
        src.status = (int32_t)(status & 0x7f);
    }
    lx_sig_send(parent, LX_SIGCHLD, &src);
    return a->handler == LX_SIG_IGN || (a->flags & LX_SA_NOCLDWAIT);
}

void lx_sig_fork(lx_proc_t *child, const lx_proc_t *parent)
{
    child->sig = parent->sig;
    child->sig.pending = 0;
    child->sig.stopped = child->sig.stop_report = child->sig.cont_report = false;
    memset(child->sig.src, 0, sizeof(child->sig.src));
    child->sig.alarm_ns = child->sig.alarm_interval_ns = 0;
}

void lx_sig_exec(lx_proc_t *p)
{
    for (int i = 0; i < LX_NSIG; i++) {
        lx_sigact_t *a = &p->sig.act[i];
        *a = (lx_sigact_t){ .handler = a->handler == LX_SIG_IGN ? LX_SIG_IGN : LX_SIG_DFL };
    }
    p->tsig.ss_sp = p->tsig.ss_size = 0;
    p->tsig.ss_autodisarm = false;
}

/* ------------------------------------------------------------------ */
/* Alternate stack                                                      */

bool lx_sig_on_altstack(const lx_proc_t *p, uint32_t sp)
{
    const lx_sigthread_t *s = &p->tsig;
    if (s->ss_autodisarm)
        return false;
    return sp > s->ss_sp && sp - s->ss_sp <= s->ss_size;
}

/* sigaltstack's ss_flags for a stack pointer (Linux sas_ss_flags). */
uint32_t lx_sig_ss_flags(const lx_proc_t *p, uint32_t sp)
{
    uint32_t f = p->tsig.ss_size == 0 ? LX_SS_DISABLE :
                 lx_sig_on_altstack(p, sp) ? LX_SS_ONSTACK : 0;
    return f | (p->tsig.ss_autodisarm ? LX_SS_AUTODISARM : 0);
}

/* The frame's address: below the interrupted stack (and below the block
 * of a restore stub not yet run, sigfpu.c) or at the top of the alternate
 * one, under the FPU area (*fp), aligned so that the handler starts as if
 * called (ESP + 4 a multiple of 16, arch/x86/kernel/signal.c
 * get_sigframe). 0: no room. */
static uint32_t frame_addr(lx_proc_t *p, uint32_t sp, uint32_t restore, uint32_t flags,
        uint32_t size, uint32_t *fp)
{
    bool on_alt = lx_sig_on_altstack(p, sp);

    if ((flags & LX_SA_ONSTACK) && p->tsig.ss_size && !on_alt) {
        sp = p->tsig.ss_sp + p->tsig.ss_size;
        on_alt = true;
    } else if (restore && sp > restore) {
        sp = restore;
    }
    *fp = lx_sig_fpu_place(sp);
    if (*fp < size + 16)
        return 0;
    sp = ((*fp - size + 4) & ~15u) - 4;
    if (on_alt && sp < p->tsig.ss_sp)
        return 0;               /* the frame would overflow the alternate stack */
    return sp;
}

/* ------------------------------------------------------------------ */
/* Frames                                                               */

static void fill_sigcontext(lx_proc_t *p, struct lx_sigcontext *sc, const lx_regs_t *r,
        uint64_t mask, uint32_t fp)
{
    *sc = (struct lx_sigcontext){
        .gs = (p->k->tls_gdt_entry << 3) | 3, .fs = 0, .es = LX_USER_DS, .ds = LX_USER_DS,
        .edi = r->edi, .esi = r->esi, .ebp = r->ebp, .esp = r->esp, .ebx = r->ebx,
        .edx = r->edx, .ecx = r->ecx, .eax = r->eax,
        .trapno = p->tsig.trapno, .err = p->tsig.err, .eip = r->eip, .cs = LX_USER_CS,
        .eflags = r->eflags, .esp_at_signal = r->esp, .ss = LX_USER_DS,
        .fpstate = fp, .oldmask = LOW32(mask), .cr2 = p->tsig.cr2,
    };
}

/* siginfo as Linux lays it out for the code (kernel/signal.c siginfo_layout):
 * kernel-internal codes of the fault signals carry an address, SIGCHLD's
 * the child, everything else (SI_USER, SI_TKILL, SI_KERNEL) a sender. */
static void fill_siginfo(struct lx_siginfo *si, int sig, const lx_sigsrc_t *src)
{
    memset(si, 0, sizeof(*si));
    si->si_signo = sig;
    si->si_code = src->code;
    if (src->code > 0 && src->code < LX_SI_KERNEL && (SYNC_SIGS & LX_SIGBIT(sig))) {
        si->f.fault.addr = src->addr;
    } else if (src->code > 0 && src->code < LX_SI_KERNEL && sig == LX_SIGCHLD) {
        si->f.chld.pid = src->pid;
        si->f.chld.uid = src->uid;
        si->f.chld.status = src->status;
    } else {
        si->f.kill.pid = src->pid;
        si->f.kill.uid = src->uid;
    }
}

static int build_sigframe(lx_proc_t *p, lx_regs_t *r, int sig, const lx_sigact_t *a,
        uint64_t mask)
{
    struct lx_sigframe f;
    lx_regs_t in = *r;
    uint32_t fp, entry, restore = lx_sig_fpu_resume(p, &in);
    uint32_t at = frame_addr(p, in.esp, restore, a->flags, sizeof(f), &fp);
    uint32_t nr = LX_NR_sigreturn;

    if (!at)
        return LX_ERR(LX_EFAULT);
    memset(&f, 0, sizeof(f));
    f.pretcode = (a->flags & LX_SA_RESTORER) ? a->restorer :
                 at + (uint32_t)offsetof(struct lx_sigframe, retcode);
    f.sig = sig;
    fill_sigcontext(p, &f.sc, &in, mask, fp);
    f.extramask = HIGH32(mask);
    f.retcode[0] = LX_OP_POP_EAX;
    f.retcode[1] = LX_OP_MOV_EAX;
    memcpy(&f.retcode[2], &nr, sizeof(nr));
    f.retcode[6] = LX_OP_INT;
    f.retcode[7] = LX_INT_LINUX;
    int err = lx_user_out(p, at, &f, sizeof(f));
    if (!err)
        err = lx_sig_fpu_save(p, fp, a->handler, restore, &entry);
    if (err)
        return err;
    *r = (lx_regs_t){ .eip = entry, .esp = at, .eflags = in.eflags, .eax = (uint32_t)sig,
                       .ebx = in.ebx, .esi = in.esi, .edi = in.edi, .ebp = in.ebp };
    return 0;
}

static int build_rt_sigframe(lx_proc_t *p, lx_regs_t *r, int sig, const lx_sigact_t *a,
        uint64_t mask, const lx_sigsrc_t *src)
{
    struct lx_rt_sigframe f;
    lx_regs_t in = *r;
    uint32_t fp, entry, restore = lx_sig_fpu_resume(p, &in);
    uint32_t at = frame_addr(p, in.esp, restore, a->flags, sizeof(f), &fp);
    uint32_t nr = LX_NR_rt_sigreturn;

    if (!at)
        return LX_ERR(LX_EFAULT);
    memset(&f, 0, sizeof(f));
    f.pretcode = (a->flags & LX_SA_RESTORER) ? a->restorer :
                 at + (uint32_t)offsetof(struct lx_rt_sigframe, retcode);
    f.sig = sig;
    f.pinfo = at + (uint32_t)offsetof(struct lx_rt_sigframe, info);
    f.puc = at + (uint32_t)offsetof(struct lx_rt_sigframe, uc);
    fill_siginfo(&f.info, sig, src);
    f.uc.uc_stack = (struct lx_stack){ p->tsig.ss_sp, (int32_t)lx_sig_ss_flags(p, in.esp),
                                       p->tsig.ss_size };
    fill_sigcontext(p, &f.uc.uc_mcontext, &in, mask, fp);
    f.uc.uc_sigmask[0] = LOW32(mask);
    f.uc.uc_sigmask[1] = HIGH32(mask);
    f.retcode[0] = LX_OP_MOV_EAX;
    memcpy(&f.retcode[1], &nr, sizeof(nr));
    f.retcode[5] = LX_OP_INT;
    f.retcode[6] = LX_INT_LINUX;
    int err = lx_user_out(p, at, &f, sizeof(f));
    if (!err)
        err = lx_sig_fpu_save(p, fp, a->handler, restore, &entry);
    if (err)
        return err;
    *r = (lx_regs_t){ .eip = entry, .esp = at, .eflags = in.eflags, .eax = (uint32_t)sig,
                       .ecx = f.puc, .edx = f.pinfo, .ebx = in.ebx, .esi = in.esi,
                       .edi = in.edi, .ebp = in.ebp };
    return 0;
}

/* Runs the handler of sig: the frame carries the mask to restore (the one
 * sigsuspend saved, if any); while the handler runs its sa_mask and, unless
 * SA_NODEFER, sig itself are blocked too. */
static int run_handler(lx_proc_t *p, lx_regs_t *r, int sig, const lx_sigsrc_t *src)
{
    lx_sigthread_t *s = &p->tsig;
    lx_sigact_t a = p->sig.act[sig - 1];
    uint64_t saved = s->restore_mask ? s->saved_mask : s->blocked;
    int err;

    if (a.flags & LX_SA_RESETHAND)
        p->sig.act[sig - 1].handler = LX_SIG_DFL;
    if (a.flags & LX_SA_SIGINFO)
        err = build_rt_sigframe(p, r, sig, &a, saved, src);
    else
        err = build_sigframe(p, r, sig, &a, saved);
    if (err)
        return err;
    if (s->ss_autodisarm && (a.flags & LX_SA_ONSTACK)) {
        s->ss_sp = s->ss_size = 0;
        s->ss_autodisarm = false;
    }
    r->eflags &= ~(LX_EFLAGS_DF | LX_EFLAGS_RF | LX_EFLAGS_TF);
    s->restore_mask = false;
    s->blocked |= a.mask;
    if (!(a.flags & LX_SA_NODEFER))
        s->blocked |= LX_SIGBIT(sig);
    s->blocked &= ~UNBLOCKABLE;
    return 0;
}

/* An interrupted system call: -EINTR, or run again (Linux handle_signal's
 * restart rules; with no handler every restart code restarts). */
static void settle_restart(lx_regs_t *r, int32_t nr, bool handler, uint32_t flags)
{
    bool restart;

    switch ((int32_t)r->eax) {
    case -LX_ERESTARTNOHAND: case -LX_ERESTART_RESTARTBLOCK:
        restart = !handler;
        break;
    case -LX_ERESTARTSYS:
        restart = !handler || (flags & LX_SA_RESTART);
        break;
    case -LX_ERESTARTNOINTR:
        restart = true;
        break;
    default:
        return;
    }
    if (restart) {
        r->eax = (uint32_t)nr;
        r->eip -= INT80_LEN;
    } else {
        r->eax = (uint32_t)LX_ERR(LX_EINTR);
    }
}

/* Of a set of signals ready to deliver: a synchronous one first, then the
 * lowest (next_signal). */
static int pick(uint64_t ready)
{
    if (ready & SYNC_SIGS)
        ready &= SYNC_SIGS;
    return ready ? __builtin_ctzll(ready) + 1 : 0;
}

/* The next signal the thread in place takes: its own before the process's
 * (dequeue_signal); *own says whose it is. */
static int next_signal(const lx_proc_t *p, bool *own)
{
    const lx_sigthread_t *ts = &p->tsig;
    uint64_t mine;

    *own = false;
    if (__builtin_expect(!ts->own, 1))  /* the common case: one test */
        return pick(p->sig.pending & ~ts->blocked);
    mine = ts->pending & ~ts->blocked;
    *own = mine != 0;
    return pick(mine ? mine : p->sig.pending & ~ts->blocked);
}

static void terminate(lx_proc_t *p, int sig)
{
    lx_proc_exit(p, lx_sig_wait_status(sig));
}

bool lx_sig_pgrp_orphaned(lx_kernel_t *k, uint32_t pgrp)
{
    for (lx_proc_t *q = k->procs; q; q = q->next) {
        const lx_proc_t *up = q->parent;
        if (q->pgid != pgrp || q->exited || !up || up->exited)
            continue;
        if (up->pgid != pgrp && up->sid == q->sid)
            return false;
    }
    return true;
}

/* A stop signal's default action (do_signal_stop); false if it is dropped
 * instead (an orphaned group's SIGTSTP, SIGTTIN or SIGTTOU). */
static bool stop(lx_proc_t *p, int sig)
{
    if (sig != LX_SIGSTOP && lx_sig_pgrp_orphaned(p->k, p->pgid))
        return false;
    p->sig.stopped = true;
    p->sig.stop_sig = (uint8_t)sig;
    p->sig.stop_report = true;
    p->sig.cont_report = false;
    notify_stop(p, LX_CLD_STOPPED, sig);
    p->k->sig_raised = true;    /* the guest kernel stops the other threads */
    return true;
}

lx_sig_result_t lx_sig_deliver(lx_proc_t *p, lx_regs_t *r, int32_t nr)
{
    lx_sigstate_t *s = &p->sig;
    lx_sig_result_t done = LX_SIG_NONE;
    bool own;
    int sig;

    if (lx_sig_idle(p, r))
        return LX_SIG_NONE;
    lx_sig_tick(p);
    if (nr == LX_NR_sigreturn || nr == LX_NR_rt_sigreturn)
        nr = -1;                /* what they restored is no system call's result */
    while ((sig = next_signal(p, &own)) != 0) {
        lx_sigsrc_t src = !own ? s->src[sig - 1] :
                          p->tsig.src ? p->tsig.src[sig - 1] : (lx_sigsrc_t){ .code = LX_SI_KERNEL };
        const lx_sigact_t *a = &s->act[sig - 1];

        if (own) {
            p->tsig.pending &= ~LX_SIGBIT(sig);
            p->tsig.own = p->tsig.pending != 0;
        } else {
            s->pending &= ~LX_SIGBIT(sig);
        }
        if (lx_sig_drops(a, sig))
            continue;
        if (a->handler == LX_SIG_DFL && (DFL_STOP & LX_SIGBIT(sig))) {
            if (!stop(p, sig))
                continue;
            done = LX_SIG_STOPPED;  /* a call restarts once continued, as without a handler */
            break;
        }
        if (a->handler == LX_SIG_DFL) {
            terminate(p, sig);
            return LX_SIG_KILLED;
        }
        if (nr >= 0)
            settle_restart(r, nr, true, a->flags);
        nr = -1;
        if (run_handler(p, r, sig, &src) != 0) {
            if (sig == LX_SIGSEGV)
                s->act[sig - 1].handler = LX_SIG_DFL;
            lx_sig_fault(p, LX_SIGSEGV, LX_SI_KERNEL, 0, p->tsig.trapno, p->tsig.err);
            continue;
        }
        done = LX_SIG_HANDLER;
    }
    if (nr >= 0)
        settle_restart(r, nr, false, 0);
    if (p->tsig.restore_mask) {
        p->tsig.blocked = p->tsig.saved_mask;
        p->tsig.restore_mask = false;
    }
    return done;
}
