/*
 * The signal system calls: actions (rt_sigaction and the old sigaction and
 * signal), the mask (rt_sigprocmask, sigprocmask), pending sets, the
 * alternate stack, sending (kill, tkill, tgkill, alarm), waiting (pause,
 * sigsuspend, rt_sigsuspend) and the return from a handler (sigreturn,
 * rt_sigreturn). Delivery itself is signal.c's.
 *
 * Each call checks everything and copies every user structure in before it
 * changes anything, so a refused call changes nothing. sigreturn and
 * rt_sigreturn need the whole register set, not just the arguments: the
 * guest kernel lends it in p->uregs for the duration of the call (EIP on
 * the `int $0x80`, as lx_regs_t has it), and they rewrite it from the frame
 * (returning the restored EAX, which the guest kernel then puts back in EAX
 * as for any call). Only the bits of EFLAGS a program may change are taken
 * from the frame; the segment selectors are ignored. The FPU state at the
 * frame's fpstate is loaded by the process itself: it resumes at a stub
 * sigfpu.c writes, which loads it and jumps on to the frame's EIP.
 *
 * pause and sigsuspend park (LX_BLOCK) until lx_sig_interrupt() ends the
 * wait for a deliverable signal; sigsuspend sets its mask on the first try
 * only, and delivery restores the old one.
 */
#include "sys.h"
#include "linux/misc.h"
#include <string.h>

#define UNBLOCKABLE (LX_SIGBIT(LX_SIGKILL) | LX_SIGBIT(LX_SIGSTOP))
#define SIGSET_SIZE 8u          /* sizeof(sigset_t) the kernel takes on i386 */
#define KNOWN_SA_FLAGS (LX_SA_NOCLDSTOP | LX_SA_NOCLDWAIT | LX_SA_SIGINFO | LX_SA_RESTORER | \
                        LX_SA_ONSTACK | LX_SA_RESTART | LX_SA_NODEFER | LX_SA_RESETHAND)
#define NS_PER_SEC  1000000000ull
#define HALF_SEC_NS 500000000ull
#define ALARM_MAX   0x7fffffffu /* seconds; Linux clamps to INT_MAX as well */
#define INT80_LEN   2u          /* the guest kernel resumes after `int $0x80` */

static bool valid_sig(uint32_t sig)
{
    return sig >= 1 && sig <= LX_NSIG;
}

static uint64_t set64(const uint32_t w[2])
{
    return (uint64_t)w[0] | (uint64_t)w[1] << 32;
}

/* Installs an action; an action that drops the signal drops what is
 * pending of it too (kernel/signal.c do_sigaction). */
static void set_action(lx_proc_t *p, int sig, const lx_sigact_t *na)
{
    lx_sigact_t *a = &p->sig.act[sig - 1];
    *a = *na;
    a->flags &= KNOWN_SA_FLAGS;
    a->mask &= ~UNBLOCKABLE;
    if (lx_sig_drops(a, sig))
        lx_sig_flush(p, LX_SIGBIT(sig));
}

LX_HANDLER(rt_sigaction)
{
    struct lx_k_sigaction na, oa;
    uint32_t sig = a[0];

    if (a[3] != SIGSET_SIZE || !valid_sig(sig))
        return LX_ERR(LX_EINVAL);
    if (a[1] && (sig == LX_SIGKILL || sig == LX_SIGSTOP))
        return LX_ERR(LX_EINVAL);
    if (a[1] && lx_user_in(p, &na, a[1], sizeof(na)))
        return LX_ERR(LX_EFAULT);
    const lx_sigact_t *cur = &p->sig.act[sig - 1];
    oa = (struct lx_k_sigaction){ cur->handler, cur->flags, cur->restorer,
                                  { (uint32_t)cur->mask, (uint32_t)(cur->mask >> 32) } };
    if (a[2] && lx_user_out(p, a[2], &oa, sizeof(oa)))
        return LX_ERR(LX_EFAULT);
    if (a[1]) {
        lx_sigact_t n = { na.handler, na.flags, na.restorer, set64(na.mask) };
        set_action(p, (int)sig, &n);
    }
    return 0;
}

/* The old call: a 32-bit mask, fields in another order. */
LX_HANDLER(sigaction)
{
    struct lx_old_sigaction na, oa;
    uint32_t sig = a[0];

    if (!valid_sig(sig) || (a[1] && (sig == LX_SIGKILL || sig == LX_SIGSTOP)))
        return LX_ERR(LX_EINVAL);
    if (a[1] && lx_user_in(p, &na, a[1], sizeof(na)))
        return LX_ERR(LX_EFAULT);
    const lx_sigact_t *cur = &p->sig.act[sig - 1];
    oa = (struct lx_old_sigaction){ cur->handler, (uint32_t)cur->mask, cur->flags,
                                    cur->restorer };
    if (a[2] && lx_user_out(p, a[2], &oa, sizeof(oa)))
        return LX_ERR(LX_EFAULT);
    if (a[1]) {
        lx_sigact_t n = { na.handler, na.flags, na.restorer, na.mask };
        set_action(p, (int)sig, &n);
    }
    return 0;
}

/* signal(2) as the kernel has it: SysV semantics (one-shot, not deferred),
 * the old handler returned. */
LX_HANDLER(signal)
{
    uint32_t sig = a[0];

    if (!valid_sig(sig) || sig == LX_SIGKILL || sig == LX_SIGSTOP)
        return LX_ERR(LX_EINVAL);
    uint32_t old = p->sig.act[sig - 1].handler;
    lx_sigact_t n = { a[1], LX_SA_RESETHAND | LX_SA_NODEFER, 0, 0 };
    set_action(p, (int)sig, &n);
    return (int32_t)old;
}

/* The new mask for how, or false for a bad how. */
static bool new_mask(uint64_t cur, uint32_t how, uint64_t set, uint64_t *out)
{
    switch (how) {
    case LX_SIG_BLOCK:   *out = cur | set; break;
    case LX_SIG_UNBLOCK: *out = cur & ~set; break;
    case LX_SIG_SETMASK: *out = set; break;
    default: return false;
    }
    *out &= ~UNBLOCKABLE;
    return true;
}

/* The calling thread's mask becomes mask. A signal of the process's it
 * blocks now may be for another thread (retarget_shared_pending): the guest
 * kernel looks again. */
static void set_mask(lx_proc_t *p, uint64_t mask)
{
    if (p->sig.pending & mask & ~p->tsig.blocked)
        p->k->sig_raised = true;
    p->tsig.blocked = mask;
}

LX_HANDLER(rt_sigprocmask)
{
    uint32_t set[2], old[2] = { (uint32_t)p->tsig.blocked, (uint32_t)(p->tsig.blocked >> 32) };
    uint64_t mask = p->tsig.blocked;

    if (a[3] != SIGSET_SIZE)
        return LX_ERR(LX_EINVAL);
    if (a[1]) {
        if (lx_user_in(p, set, a[1], sizeof(set)))
            return LX_ERR(LX_EFAULT);
        if (!new_mask(p->tsig.blocked, a[0], set64(set), &mask))
            return LX_ERR(LX_EINVAL);
    }
    if (a[2] && lx_user_out(p, a[2], old, sizeof(old)))
        return LX_ERR(LX_EFAULT);
    set_mask(p, mask);
    return 0;
}

/* The old call changes signals 1..32 only. */
LX_HANDLER(sigprocmask)
{
    uint32_t set, old = (uint32_t)p->tsig.blocked;
    uint64_t mask = p->tsig.blocked, high = p->tsig.blocked & ~0xffffffffull;

    if (a[1]) {
        if (lx_user_in(p, &set, a[1], sizeof(set)))
            return LX_ERR(LX_EFAULT);
        if (!new_mask(p->tsig.blocked & 0xffffffffu, a[0], set, &mask))
            return LX_ERR(LX_EINVAL);
        mask = high | (mask & 0xffffffffu);
    }
    if (a[2] && lx_user_out(p, a[2], &old, sizeof(old)))
        return LX_ERR(LX_EFAULT);
    set_mask(p, mask);
    return 0;
}

/* Pending (for the calling thread or its process) and blocked, as Linux's
 * do_sigpending reports. */
static uint64_t pending_blocked(const lx_proc_t *p)
{
    return (p->sig.pending | p->tsig.pending) & p->tsig.blocked;
}

LX_HANDLER(rt_sigpending)
{
    uint64_t set = pending_blocked(p);

    if (a[1] > SIGSET_SIZE)
        return LX_ERR(LX_EINVAL);
    return lx_user_out(p, a[0], &set, a[1]);
}

LX_HANDLER(sigpending)
{
    uint32_t set = (uint32_t)pending_blocked(p);
    return lx_user_out(p, a[0], &set, sizeof(set));
}

static uint32_t user_sp(const lx_proc_t *p)
{
    return p->uregs ? p->uregs->esp : 0;
}

LX_HANDLER(sigaltstack)
{
    struct lx_stack ns, os = { p->tsig.ss_sp, (int32_t)lx_sig_ss_flags(p, user_sp(p)),
                               p->tsig.ss_size };
    uint32_t mode = 0;

    if (a[0]) {
        if (lx_user_in(p, &ns, a[0], sizeof(ns)))
            return LX_ERR(LX_EFAULT);
        if (lx_sig_on_altstack(p, user_sp(p)))
            return LX_ERR(LX_EPERM);
        mode = (uint32_t)ns.ss_flags & ~LX_SS_AUTODISARM;
        if (mode != 0 && mode != LX_SS_DISABLE && mode != LX_SS_ONSTACK)
            return LX_ERR(LX_EINVAL);
        if (mode != LX_SS_DISABLE && ns.ss_size < LX_MINSIGSTKSZ)
            return LX_ERR(LX_ENOMEM);
        if (mode != LX_SS_DISABLE && !lx_user_range_ok(p, ns.ss_sp, ns.ss_size))
            return LX_ERR(LX_EFAULT);
    }
    if (a[1] && lx_user_out(p, a[1], &os, sizeof(os)))
        return LX_ERR(LX_EFAULT);
    if (a[0]) {
        bool off = mode == LX_SS_DISABLE;
        p->tsig.ss_sp = off ? 0 : ns.ss_sp;
        p->tsig.ss_size = off ? 0 : ns.ss_size;
        p->tsig.ss_autodisarm = !off && ((uint32_t)ns.ss_flags & LX_SS_AUTODISARM);
    }
    return 0;
}

/* ------------------------------------------------------------------ */
/* Sending                                                              */

/* Signal sig (0: only check) from p to the process pid; a zombie exists
 * but takes nothing. */
static int32_t send_to(lx_proc_t *p, uint32_t pid, uint32_t sig, int code)
{
    lx_sigsrc_t src = { .code = code, .pid = p->pid, .uid = p->uid };
    lx_proc_t *to = lx_proc_find(p->k, pid);

    if (!to)
        return LX_ERR(LX_ESRCH);
    if (sig && !to->exited)
        lx_sig_send(to, (int)sig, &src);
    return 0;
}

/* kill(-1, sig): every process but init and the caller. */
static int32_t send_all(lx_proc_t *p, uint32_t sig)
{
    lx_sigsrc_t src = { .code = LX_SI_USER, .pid = p->pid, .uid = p->uid };
    bool any = false;

    for (lx_proc_t *q = p->k->procs; q; q = q->next) {
        if (q == p || q->pid == 1 || q->exited)
            continue;
        any = true;
        if (sig)
            lx_sig_send(q, (int)sig, &src);
    }
    return any ? 0 : LX_ERR(LX_ESRCH);
}

/* kill(pid, sig): pid > 0 one process, 0 the caller's group, -1 every
 * process but init and the caller, < -1 group -pid. Signal 0 only checks. */
LX_HANDLER(kill)
{
    int32_t pid = (int32_t)a[0];
    uint32_t sig = a[1];
    lx_sigsrc_t src = { .code = LX_SI_USER, .pid = p->pid, .uid = p->uid };

    if (sig > LX_NSIG)
        return LX_ERR(LX_EINVAL);
    if (pid > 0)
        return send_to(p, (uint32_t)pid, sig, LX_SI_USER);
    if (pid == -1)
        return send_all(p, sig);
    if (pid == INT32_MIN)
        return LX_ERR(LX_ESRCH);
    uint32_t pgrp = pid == 0 ? p->pgid : (uint32_t)-pid;
    return lx_sig_group(p, pgrp, (int)sig, &src) ? 0 : LX_ERR(LX_ESRCH);
}

/* A signal for one thread: pending for it alone, whatever the others
 * block. */
static int32_t send_thread(lx_proc_t *p, uint32_t tgid, uint32_t tid, uint32_t sig)
{
    lx_sigsrc_t src = { .code = LX_SI_TKILL, .pid = p->pid, .uid = p->uid };
    lx_thread_t *t;
    lx_proc_t *to = lx_thread_owner(p->k, tid, &t);

    if (!to) {                  /* a zombie's is still there, taking nothing */
        to = lx_proc_find(p->k, tid);
        return to && (!tgid || tgid == tid) ? 0 : LX_ERR(LX_ESRCH);
    }
    if (tgid && to->pid != tgid)
        return LX_ERR(LX_ESRCH);
    if (sig)
        lx_sig_send_thread(to, t, (int)sig, &src);
    return 0;
}

LX_HANDLER(tkill)
{
    if ((int32_t)a[0] <= 0 || a[1] > LX_NSIG)
        return LX_ERR(LX_EINVAL);
    return send_thread(p, 0, a[0], a[1]);
}

LX_HANDLER(tgkill)
{
    if ((int32_t)a[0] <= 0 || (int32_t)a[1] <= 0 || a[2] > LX_NSIG)
        return LX_ERR(LX_EINVAL);
    return send_thread(p, a[0], a[1], a[2]);
}

/* alarm(secs): the seconds left of the previous alarm, rounded to the
 * nearest (at least 1 if any time was left), as kernel/time/itimer.c. */
LX_HANDLER(alarm)
{
    lx_kernel_t *k = p->k;
    uint64_t now = k->ops->now_ns(k->ctx, LX_CLOCK_MONOTONIC);
    uint32_t left = 0, secs = a[0] > ALARM_MAX ? ALARM_MAX : a[0];

    if (p->sig.alarm_ns > now) {
        uint64_t ns = p->sig.alarm_ns - now;
        left = (uint32_t)(ns / NS_PER_SEC);
        if (ns % NS_PER_SEC >= HALF_SEC_NS || left == 0)
            left++;
    }
    p->sig.alarm_ns = secs ? now + secs * NS_PER_SEC : 0;
    p->sig.alarm_interval_ns = 0;   /* alarm is ITIMER_REAL without an interval */
    if (secs)
        k->sig_raised = true;   /* the guest kernel watches the clock for it */
    return (int32_t)left;
}

/* ------------------------------------------------------------------ */
/* Waiting                                                              */

LX_HANDLER(pause)
{
    (void)p;
    (void)a;
    return LX_BLOCK;
}

static int32_t suspend(lx_proc_t *p, uint64_t mask)
{
    if (!p->retrying) {
        p->tsig.saved_mask = p->tsig.blocked;
        p->tsig.restore_mask = true;
        p->tsig.blocked = mask & ~UNBLOCKABLE;
    }
    return LX_BLOCK;
}

LX_HANDLER(rt_sigsuspend)
{
    uint32_t set[2];

    if (a[1] != SIGSET_SIZE)
        return LX_ERR(LX_EINVAL);
    if (lx_user_in(p, set, a[0], sizeof(set)))
        return LX_ERR(LX_EFAULT);
    return suspend(p, set64(set));
}

/* The old call: sigsuspend(unused, unused, mask), signals 1..32. */
LX_HANDLER(sigsuspend)
{
    return suspend(p, a[2]);
}

/* ------------------------------------------------------------------ */
/* Returning from a handler                                             */

static void restore_regs(lx_regs_t *r, const struct lx_sigcontext *sc)
{
    *r = (lx_regs_t){
        .eip = sc->eip - INT80_LEN, .esp = sc->esp,
        .eflags = (r->eflags & ~LX_FIX_EFLAGS) | (sc->eflags & LX_FIX_EFLAGS),
        .eax = sc->eax, .ebx = sc->ebx, .ecx = sc->ecx, .edx = sc->edx,
        .esi = sc->esi, .edi = sc->edi, .ebp = sc->ebp,
    };
}

/* Registers and FPU state from a frame that started at `frame`: the
 * thread resumes at the stub that loads the FPU state (the guest kernel
 * adds INT80_LEN to EIP, as after any call). Nothing changes on failure. */
static int restore_frame(lx_proc_t *p, const struct lx_sigcontext *sc, uint32_t frame)
{
    lx_regs_t r = *p->uregs;
    uint32_t resume = sc->eip;

    restore_regs(&r, sc);
    int err = lx_sig_fpu_restore(p, sc->fpstate, frame, &r, &resume);
    if (err)
        return err;
    r.eip = resume - INT80_LEN;
    *p->uregs = r;
    return 0;
}

/* A frame that cannot be read: SIGSEGV (arch/x86/kernel/signal_32.c
 * badframe), registers untouched. */
static int32_t bad_frame(lx_proc_t *p)
{
    lx_sig_fault(p, LX_SIGSEGV, LX_SI_KERNEL, 0, p->tsig.trapno, p->tsig.err);
    return (int32_t)p->uregs->eax;
}

/* The handler returned through `popl %eax; movl $119, %eax; int $0x80`:
 * the frame starts 8 bytes below ESP (pretcode and sig popped). */
LX_HANDLER(sigreturn)
{
    struct lx_sigframe f;
    (void)a;

    if (!p->uregs)
        return LX_ERR(LX_ENOSYS);
    if (lx_user_in(p, &f, p->uregs->esp - 8, sizeof(f)))
        return bad_frame(p);
    p->tsig.blocked = ((uint64_t)f.extramask << 32 | f.sc.oldmask) & ~UNBLOCKABLE;
    if (restore_frame(p, &f.sc, p->uregs->esp - 8))
        return bad_frame(p);
    return (int32_t)p->uregs->eax;
}

/* The alternate stack a frame saved, if it may come back (errors ignored
 * as Linux's restore_altstack does). */
static void restore_altstack(lx_proc_t *p, const struct lx_stack *ss)
{
    uint32_t mode = (uint32_t)ss->ss_flags & ~LX_SS_AUTODISARM;

    if (lx_sig_on_altstack(p, p->uregs->esp))
        return;
    if (mode == LX_SS_DISABLE) {
        p->tsig.ss_sp = p->tsig.ss_size = 0;
        p->tsig.ss_autodisarm = false;
    } else if ((mode == 0 || mode == LX_SS_ONSTACK) && ss->ss_size >= LX_MINSIGSTKSZ &&
               lx_user_range_ok(p, ss->ss_sp, ss->ss_size)) {
        p->tsig.ss_sp = ss->ss_sp;
        p->tsig.ss_size = ss->ss_size;
        p->tsig.ss_autodisarm = ((uint32_t)ss->ss_flags & LX_SS_AUTODISARM) != 0;
    }
}

/* ... through `movl $173, %eax; int $0x80`: 4 bytes below ESP (pretcode
 * popped). The alternate stack comes back too. */
LX_HANDLER(rt_sigreturn)
{
    struct lx_ucontext uc;
    (void)a;

    if (!p->uregs)
        return LX_ERR(LX_ENOSYS);
    uint32_t at = p->uregs->esp - 4 + (uint32_t)offsetof(struct lx_rt_sigframe, uc);
    if (lx_user_in(p, &uc, at, sizeof(uc)))
        return bad_frame(p);
    p->tsig.blocked = set64(uc.uc_sigmask) & ~UNBLOCKABLE;
    if (restore_frame(p, &uc.uc_mcontext, p->uregs->esp - 4))
        return bad_frame(p);
    restore_altstack(p, &uc.uc_stack);
    return (int32_t)p->uregs->eax;
}
