/*
 * The guest kernel runs Linux programs: bootargs `init=PATH ARG...`.
 *
 * The personality (guest-stub/linux/, liblinux.a) is set up over memmgr
 * (lxhost.c); the initrd the configuration names (a newc cpio archive, which
 * the VMM maps read-only at boot->initrd_vaddr) is unpacked into its file
 * system; PATH becomes process 1 (init). Every process has its own address
 * space and one thread whose faults come to one endpoint of the guest
 * kernel's, through a copy of it badged with the process's pid, so one
 * receive loop serves them all (serve()).
 *
 * An `int $0x80` arrives as an UnknownSyscall fault: lx_syscall() answers,
 * then what the call left for us is done (a forked child's thread started,
 * a new image's thread started in place of the old, an exited process torn
 * down) and the caller resumed: resume() builds its whole register set,
 * and the reply goes with the loop's next receive (seL4_ReplyRecv: one
 * kernel entry, which the kernel's fastpath takes for a fault's reply, so a
 * system call costs two entries, the fault and the ReplyRecv; a process
 * about to be stopped for a signal, or a non-blocking receive, gets its
 * reply first). A call that cannot finish now (LX_BLOCK) is parked: its reply
 * capability moves to a slot of the process's own (CNode SaveCaller) and
 * the call is repeated after every event until it finishes, then answered
 * through that capability. While some process sleeps or waits for the
 * console, nothing arrives to wake it, so the loop polls: a non-blocking
 * receive, and when nothing came, seL4_Yield (other threads at our
 * priority run) and a look at the clock. The guest kernel never blocks
 * while a process can run; when every process waits on another (a pipe
 * nobody will write), it reports the deadlock and ends them.
 *
 * A VMFault is first a copy-on-write or lazily mapped page (lxh_fault),
 * then demand paging of the process's layout (lx_page_fault); otherwise,
 * and for any other fault, the process gets the signal Linux would send
 * (SIGSEGV for a page fault or a general protection fault, SIGFPE for a
 * divide error, SIGILL for an invalid opcode): its handler's frame through
 * TCB Read/WriteRegisters, or death (SIGKILL when no memory is left for a
 * copy-on-write copy). Signals: resume() delivers before every reply; a
 * parked call is interrupted when one becomes deliverable; a process that
 * is running when one arrives is suspended, given its frame and resumed
 * (signal_running); a process a stop signal stops keeps its thread
 * suspended, with the registers it resumes with, until SIGCONT or SIGKILL
 * (stop_thread, continue_stopped); docs/guest.md, Signals. When init ends, every other
 * process is ended too; the guest kernel checks that every frame and byte
 * came back and reports init's status.
 *
 * While programs run, the guest tells the VMM its usage (VMM_CALL_USAGE,
 * what `list` shows) whenever it has changed by 1/32 of the partition (at
 * least 64 KiB) since the last report, looking after every 16 memory events
 * (page faults served, processes made, replaced or ended): a decrement per
 * event, one Call per report. Under mediated the VMM keeps the account.
 *
 * Arguments are split at blanks; 'single' and "double" quotes group words
 * (no escapes).
 */
#include <guest/guest.h>
#include <guest/lxhost.h>
#include <guest/lxback.h>
#include <guest/input.h>
#include <memmgr/mm.h>
#include <memmgr/thread.h>
#include <memmgr/vspace.h>
#include <sel4/sel4.h>
#include <vmm/tsc.h>
#include <string.h>
#include "linux/lx.h"

#define MAX_ARGS        32u
#define INT80_LEN       2u
#define GDT_TLS_ENTRY   7u              /* selector 0x3B (docs/api.md) */
#define SIGILL          4u
#define SIGFPE          8u
#define SIGSEGV         11u
#define SIGKILL         9u
#define EXC_DIVIDE      0u
#define EXC_INVALID_OP  6u
#define PF_WRITE        2u              /* page-fault error code: a write (Intel SDM 4.7) */
#define CAP_DEPTH       32u
#define POLICY_MEDIATED 1u              /* enum vmm_policy's value (vmm/config.h) */
#define USAGE_EVENTS    16u             /* memory events between looks at the usage */
#define USAGE_MIN_STEP  (64u << 10)     /* bytes of change worth a report, at least ... */
#define USAGE_STEP_SHIFT 5u             /* ... and 1/32 of the partition */
#define FXSAVE_MXCSR_MASK 28u           /* its offset in the FXSAVE image (Intel SDM vol. 1 10.5.1) */

static const char *const envp[] = {
    "HOME=/", "PATH=/sbin:/usr/sbin:/bin:/usr/bin", "TERM=vt100", NULL,
};

/* Splits the words after `init=` into argv (pointing into buf). */
static int parse_init(const char *bootargs, char *buf, uint32_t size, const char **argv)
{
    const char *p = bootargs;
    uint32_t n = 0, used = 0;

    while (*p && !((p == bootargs || p[-1] == ' ') && strncmp(p, "init=", 5) == 0))
        p++;
    if (!*p)
        return -1;
    p += 5;
    while (*p && n < MAX_ARGS - 1) {
        while (*p == ' ')
            p++;
        if (!*p)
            break;
        argv[n++] = buf + used;
        while (*p && *p != ' ') {
            if (*p == '\'' || *p == '"') {
                char q = *p++;
                while (*p && *p != q && used < size - 1)
                    buf[used++] = *p++;
                if (*p)
                    p++;
            } else if (used < size - 1) {
                buf[used++] = *p++;
            } else {
                p++;
            }
        }
        if (used < size)
            buf[used++] = '\0';
    }
    argv[n] = NULL;
    return n ? (int)n : -1;
}

static uint32_t cpuid1_edx(void)
{
    uint32_t a = 1, b, c = 0, d;

    __asm__ volatile("cpuid" : "+a"(a), "=b"(b), "+c"(c), "=d"(d));
    return d;
}

/* The MXCSR bits FXRSTOR accepts here: FXSAVE's MXCSR_MASK (0 when the
 * processor reports none; Intel SDM vol. 1 11.6.6). sigreturn masks a
 * frame's MXCSR with it, as Linux does. */
static uint32_t mxcsr_mask(void)
{
    uint8_t area[512] __attribute__((aligned(16)));
    uint32_t mask;

    __asm__ volatile("fxsave %0" : "=m"(area));
    memcpy(&mask, &area[FXSAVE_MXCSR_MASK], sizeof(mask));
    return mask;
}

/* The guest kernel's side of one process (lx_proc_t.host). */
typedef struct gproc {
    lxb_thread_t t;             /* faults to the backend's endpoint, badged with the pid */
    mm_cptr_t reply;            /* the parked call's reply capability; 0: none */
    lx_regs_t regs;             /* the parked call's registers */
    bool stopped;               /* suspended by job control (stop_thread) */
} gproc_t;

/* The run loop's state. */
typedef struct lxr {
    lx_kernel_t *k;
    const lxb_ops_t *b;         /* every process's faults arrive on b->ep */
    uint32_t prio;
    lx_proc_t *init;
    uint32_t running;           /* threads not parked */
    uint32_t nsys;
    uint32_t faults;            /* page faults served (lazy mapping, copy-on-write) */
    uint64_t fault_ticks;       /* time-stamp ticks serving them, reply excluded */
    bool timed;                 /* fault_ticks kept: only for `bench` (under -icount the
                                 * counter counts other guests' instructions too, and the
                                 * replay test wants nothing of them in this guest) */
    /* The reply to the last message, held back for the next ReplyRecv:
     * whose (NULL: none), and its words (reply_len of them). */
    lx_proc_t *replying;
    uint32_t reply_len;
    lx_regs_t reply_regs;
    bool input_bound;           /* console input wakes our receive (bind_input) */
    /* Usage reports to the VMM while programs run (usage_event); usage_mm
     * NULL: none (mediated: the VMM keeps the account itself). */
    const struct mm *usage_mm;
    uint32_t usage_last;        /* b->in_use() at the last report */
    uint32_t usage_step;        /* change worth a report */
    uint32_t usage_countdown;   /* memory events until the next look */
} lxr_t;

/* A memory event (a page backed, a process made, replaced or ended): every
 * USAGE_EVENTS of them, the usage is compared with the last report and
 * reported again if it moved by usage_step either way. */
static void usage_event(lxr_t *r)
{
    uint32_t now, moved;

    if (!r->usage_mm || --r->usage_countdown != 0)
        return;
    r->usage_countdown = USAGE_EVENTS;
    now = r->b->in_use();
    moved = now > r->usage_last ? now - r->usage_last : r->usage_last - now;
    if (moved < r->usage_step)
        return;
    r->usage_last = now;
    guest_report_usage(r->usage_mm, 0);
}

/* Answers the last message later, with the receive of the next one
 * (seL4_ReplyRecv: one kernel entry, the fastpath's for a fault's reply);
 * the words are kept here, as the IPC buffer may carry other calls first. */
static void reply_later(lxr_t *r, lx_proc_t *p, const lx_regs_t *regs)
{
    r->replying = p;
    r->reply_len = regs ? seL4_UnknownSyscall_Syscall : 0;
    if (regs)
        r->reply_regs = *regs;
}

static seL4_MessageInfo_t reply_words(lxr_t *r)
{
    const uint32_t *w = &r->reply_regs.eax;

    for (uint32_t i = 0; i < r->reply_len; i++)
        seL4_SetMR((int)i, w[i]);
    r->replying = NULL;
    return seL4_MessageInfo_new(0, 0, 0, r->reply_len);
}

/* The held-back reply now (before a thread is stopped, a non-blocking
 * receive). */
static void reply_now(lxr_t *r)
{
    if (r->replying)
        seL4_Reply(reply_words(r));
}

static void thread_stop(lxr_t *r, lx_proc_t *p)
{
    gproc_t *g = p->host;

    if (!g)
        return;
    if (r->replying == p)
        r->replying = NULL;     /* its caller is going: no reply */
    if (g->reply)
        r->b->slot_free(g->reply);
    else if (!g->stopped)
        r->running--;
    r->b->thread_free(&g->t);
    lx_free(r->k, g, sizeof(*g));
    p->host = NULL;
}

/* Starts p's thread in p->space with the registers given. */
static int thread_start(lxr_t *r, lx_proc_t *p, seL4_UserContext *ctx)
{
    gproc_t *g = lx_alloc(r->k, sizeof(*g));

    if (!g)
        return -1;
    ctx->gs_base = p->tls_base;     /* the TLS base is the GDT entry's (docs/api.md) */
    if (r->b->thread_new(&g->t, lxh_space_backend(p->space), p->pid, r->prio, ctx) != 0) {
        lxh_spare_drain();      /* the frames kept for pages, then again */
        if (r->b->thread_new(&g->t, lxh_space_backend(p->space), p->pid, r->prio, ctx) != 0) {
            lx_free(r->k, g, sizeof(*g));
            return -1;
        }
    }
    p->host = g;
    r->running++;
    return 0;
}

/* Ends a process: its thread and address space go, it stays a zombie. */
static void proc_end(lxr_t *r, lx_proc_t *p, uint32_t status)
{
    lx_proc_exit(p, status);
    thread_stop(r, p);
    if (p->space)
        lxh_space_destroy(p->space);
    p->space = NULL;
}

/* The guest kernel ends the process with a signal no handler may catch
 * (a fault a handler can take goes through fault_to_signal instead). */
static void kill_proc(lxr_t *r, lx_proc_t *p, uint32_t sig)
{
    proc_end(r, p, sig);
}

static void stop_thread(lxr_t *r, lx_proc_t *p, const lx_regs_t *regs);

/* The registers a call (number nr) resumes with: its result in EAX, after
 * the instruction, through the saved reply capability if the call was
 * parked; then a deliverable signal may point them at a handler, or end
 * the process instead. A parked call answered early (a signal: -EINTR, once
 * p->retrying and the waiting state are cleared) comes through here too. */
static void resume(lxr_t *r, lx_proc_t *p, lx_regs_t *regs, int32_t nr, int32_t ret)
{
    gproc_t *g = p->host;

    regs->eax = (uint32_t)ret;
    regs->eip += INT80_LEN;
    if (p->tls_changed) {
        r->b->thread_tls(&g->t, p->tls_base);
        p->tls_changed = false;
    }
    switch (lx_sig_deliver(p, regs, nr)) {
    case LX_SIG_KILLED:
        proc_end(r, p, p->exit_status);
        return;
    case LX_SIG_STOPPED:
        stop_thread(r, p, regs);
        return;
    default:
        break;
    }
    _Static_assert(sizeof(*regs) == seL4_UnknownSyscall_Syscall * sizeof(uint32_t),
                   "lx_regs_t is the UnknownSyscall reply");
    if (g->reply) {
        const uint32_t *w = &regs->eax;
        for (int i = 0; i < seL4_UnknownSyscall_Syscall; i++)
            seL4_SetMR(i, w[i]);
        seL4_Send(g->reply, seL4_MessageInfo_new(0, 0, 0, seL4_UnknownSyscall_Syscall));
        r->b->slot_free(g->reply);
        g->reply = 0;
        r->running++;
    } else {
        reply_later(r, p, regs);
    }
}

/* fork's child: the parent's registers, EAX 0, after the instruction. */
static void start_child(lxr_t *r, lx_proc_t *p, const lx_regs_t *regs)
{
    lx_proc_t *c = p->new_child;
    seL4_UserContext ctx = { .eip = regs->eip + INT80_LEN, .esp = regs->esp,
                             .eflags = regs->eflags, .eax = 0, .ebx = regs->ebx,
                             .ecx = regs->ecx, .edx = regs->edx, .esi = regs->esi,
                             .edi = regs->edi, .ebp = regs->ebp };

    p->new_child = NULL;
    if (c->child_stack)
        ctx.esp = c->child_stack;
    if (thread_start(r, c, &ctx) == 0)
        return;
    gprintf("guest-stub: linux: no memory for the thread of pid %u\n", c->pid);
    kill_proc(r, c, SIGKILL);
}

/* execve succeeded: the new image starts in a new thread. */
static void restart(lxr_t *r, lx_proc_t *p)
{
    seL4_UserContext ctx = { .eip = p->exec_entry, .esp = p->exec_sp, .eflags = 0x202 };

    p->execed = false;
    thread_stop(r, p);
    lxh_space_destroy(p->old_space);
    p->old_space = NULL;
    if (thread_start(r, p, &ctx) != 0) {
        gprintf("guest-stub: linux: no memory for the thread of pid %u\n", p->pid);
        proc_end(r, p, SIGKILL);
    }
}

/* What a finished call leaves to do; false if the caller is not resumed. */
static bool after_call(lxr_t *r, lx_proc_t *p, lx_regs_t *regs, int32_t ret)
{
    if (p->new_child || p->exited || p->execed)
        usage_event(r);
    if (p->new_child)
        start_child(r, p, regs);
    if (p->exited) {
        proc_end(r, p, p->exit_status);
        return false;
    }
    if (p->execed) {
        restart(r, p);
        return false;
    }
    return ret != LX_BLOCK;
}

static void on_syscall(lxr_t *r, lx_proc_t *p)
{
    gproc_t *g = p->host;
    lx_regs_t regs;
    uint32_t *w = &regs.eax;
    int32_t ret, nr;

    for (int i = 0; i < seL4_UnknownSyscall_Syscall; i++)
        w[i] = seL4_GetMR(i);
    r->nsys++;
    nr = (int32_t)regs.eax;
    p->uregs = &regs;           /* sigreturn rewrites them */
    ret = lx_syscall(p, &regs);
    p->uregs = NULL;
    if (ret == LX_BLOCK && !p->exited && !p->execed) {
        if (r->b->slot_new(&g->reply) != 0 ||
            seL4_CNode_SaveCaller(r->b->root, g->reply, CAP_DEPTH) != seL4_NoError) {
            gprintf("guest-stub: linux: no slot to park pid %u\n", p->pid);
            if (g->reply)
                r->b->slot_free(g->reply);
            g->reply = 0;
            kill_proc(r, p, SIGKILL);
            return;
        }
        g->regs = regs;
        r->running--;
    }
    if (after_call(r, p, &regs, ret))
        resume(r, p, &regs, nr, ret);
}

/* ------------------------------------------------------------------ */
/* Signals outside a system call: faults, and processes that are running */

#define UREGS   10u             /* eip .. ebp of seL4_UserContext: lx_regs_t's set */
#define TRAP_PF 14u             /* Intel SDM vol. 3 6.15: page fault */

static void regs_of(lx_regs_t *x, const seL4_UserContext *c)
{
    *x = (lx_regs_t){ .eax = c->eax, .ebx = c->ebx, .ecx = c->ecx, .edx = c->edx,
                      .esi = c->esi, .edi = c->edi, .ebp = c->ebp, .eip = c->eip,
                      .esp = c->esp, .eflags = c->eflags };
}

static void ctx_of(seL4_UserContext *c, const lx_regs_t *x)
{
    *c = (seL4_UserContext){ .eip = x->eip, .esp = x->esp, .eflags = x->eflags,
                             .eax = x->eax, .ebx = x->ebx, .ecx = x->ecx, .edx = x->edx,
                             .esi = x->esi, .edi = x->edi, .ebp = x->ebp };
}

/* Delivers what is pending to p, whose thread is stopped (at a fault, or
 * suspended): a handler's frame through TCB Read/WriteRegisters, the end
 * of p (LX_SIG_KILLED), or a stop (LX_SIG_STOPPED, the registers written:
 * the caller keeps the thread from running). */
static lx_sig_result_t deliver_stopped(lxr_t *r, lx_proc_t *p)
{
    gproc_t *g = p->host;
    seL4_UserContext ctx;
    lx_regs_t regs;
    lx_sig_result_t res;

    if (r->b->thread_read(&g->t, &ctx, UREGS) != 0) {
        proc_end(r, p, SIGKILL);
        return LX_SIG_KILLED;
    }
    regs_of(&regs, &ctx);
    res = lx_sig_deliver(p, &regs, -1);
    if (res == LX_SIG_KILLED) {
        proc_end(r, p, p->exit_status);
        return res;
    }
    if (res == LX_SIG_NONE)
        return res;
    ctx_of(&ctx, &regs);
    if (r->b->thread_write(&g->t, &ctx, UREGS) != 0) {
        proc_end(r, p, SIGKILL);
        return LX_SIG_KILLED;
    }
    return res;
}

/* Job control: a stop signal's default action stopped p (p->sig.stopped),
 * whose thread waits for our reply (held back, or parked) or is suspended:
 * it stays suspended (TCB Suspend, which drops the reply capability) with
 * the registers it resumes with once SIGCONT comes. */
static void stop_thread(lxr_t *r, lx_proc_t *p, const lx_regs_t *regs)
{
    gproc_t *g = p->host;
    seL4_UserContext ctx;

    if (r->replying == p)
        r->replying = NULL;     /* the registers are written instead */
    ctx_of(&ctx, regs);
    if (r->b->thread_stop(&g->t) != 0 || r->b->thread_write(&g->t, &ctx, UREGS) != 0) {
        proc_end(r, p, SIGKILL);
        return;
    }
    if (g->reply) {
        r->b->slot_free(g->reply);
        g->reply = 0;
    } else {
        r->running--;
    }
    g->stopped = true;
}

static bool continue_stopped(lxr_t *r, lx_proc_t *p)
{
    gproc_t *g = p->host;

    switch (deliver_stopped(r, p)) {
    case LX_SIG_KILLED:
        return false;
    case LX_SIG_STOPPED:
        return true;            /* stopped again before it ran */
    default:
        g->stopped = false;
        r->running++;
        r->b->thread_resume(&g->t);
        return true;
    }
}

/* A fault the pager did not resolve becomes the signal Linux sends: to the
 * handler if there is one (the reply resumes the thread there), else the
 * process ends with it. */
static void fault_to_signal(lxr_t *r, lx_proc_t *p, seL4_Word label)
{
    int sig = SIGSEGV, code = LX_SI_KERNEL;
    uint32_t addr = 0, trapno, err, ip;

    if (label == seL4_Fault_VMFault) {
        addr = seL4_GetMR(seL4_VMFault_Addr);
        ip = seL4_GetMR(seL4_VMFault_IP);
        err = seL4_GetMR(seL4_VMFault_FSR);
        trapno = TRAP_PF;
        code = lx_sig_segv_code(p, addr);
    } else if (label == seL4_Fault_UserException) {
        ip = seL4_GetMR(seL4_UserException_FaultIP);
        trapno = seL4_GetMR(seL4_UserException_Number);
        err = seL4_GetMR(seL4_UserException_Code);
        if (trapno == EXC_DIVIDE || trapno == EXC_INVALID_OP) {
            sig = trapno == EXC_DIVIDE ? SIGFPE : SIGILL;
            code = trapno == EXC_DIVIDE ? LX_FPE_INTDIV : LX_ILL_ILLOPN;
            addr = ip;
        }
    } else {
        kill_proc(r, p, SIGKILL);
        return;
    }
    lx_sig_fault(p, sig, code, addr, trapno, err);
    lx_sig_result_t res = deliver_stopped(r, p);
    gproc_t *g = p->host;
    if (res == LX_SIG_STOPPED) {
        if (r->b->thread_stop(&g->t) == 0) {    /* the fault is not answered */
            g->stopped = true;
            r->running--;
        }
    } else if (res != LX_SIG_KILLED) {
        reply_later(r, p, NULL);
    } else if (label == seL4_Fault_VMFault) {
        gprintf("guest-stub: linux: pid %u segfault at 0x%08x ip 0x%08x\n", p->pid, addr, ip);
    } else {
        gprintf("guest-stub: linux: pid %u exception %u at ip 0x%08x\n", p->pid, trapno, ip);
    }
}

static void on_fault(lxr_t *r, lx_proc_t *p, seL4_Word label)
{
    if (label == seL4_Fault_VMFault) {
        uint64_t t0 = r->timed ? vmm_rdtsc() : 0;
        uint32_t addr = seL4_GetMR(seL4_VMFault_Addr);
        bool write = seL4_GetMR(seL4_VMFault_FSR) & PF_WRITE;
        int err = lxh_fault(p->space, addr, write);

        if (err == 0) {
            r->faults++;
            usage_event(r);
            if (r->timed)
                r->fault_ticks += vmm_rdtsc() - t0;
            reply_later(r, p, NULL);
            return;
        }
        if (err == LX_ERR(LX_ENOMEM)) {
            gprintf("guest-stub: linux: pid %u killed: out of memory for a page at 0x%08x "
                    "(%u KiB free)\n", p->pid, addr, lxh_mem_free() >> 10);
            kill_proc(r, p, SIGKILL);
            return;
        }
    }
    fault_to_signal(r, p, label);
}

static void wake_parked(lxr_t *r);

/* Job control: what the continued thread resumes with, or the end of p. */
static bool continue_stopped(lxr_t *r, lx_proc_t *p);

/* A signal for a process that is running, not in a call of ours (alarm's,
 * another process's kill, the terminal's ^C): its thread is suspended,
 * given the frame (or ended) and resumed; if it had a call on its way to
 * us, the call is made again once the handler returns. Parked processes
 * are wake_parked()'s. True if a process ended (the walk starts again). */
static bool signal_running(lxr_t *r)
{
    for (lx_proc_t *p = r->k->procs; p; p = p->next) {
        gproc_t *g = p->host;

        if (!g || p->exited)
            continue;
        lx_sig_tick(p);
        if (g->stopped) {
            if (!p->sig.stopped && !continue_stopped(r, p))
                return true;
            continue;
        }
        if (g->reply || !lx_sig_deliverable(p))
            continue;
        if (r->replying == p)
            reply_now(r);       /* it runs: stopped as any running process */
        if (r->b->thread_stop(&g->t) != 0)
            continue;
        switch (deliver_stopped(r, p)) {
        case LX_SIG_KILLED:
            return true;
        case LX_SIG_STOPPED:
            g->stopped = true;
            r->running--;
            break;
        default:
            r->b->thread_resume(&g->t);
        }
    }
    return false;
}

/* After every event: signals first, then the parked calls. */
static void after_event(lxr_t *r)
{
    while (signal_running(r))
        ;
    wake_parked(r);
}

/* Repeats parked calls until none finishes; a finished call may let another
 * go on (a pipe read makes room for a writer), and may reap processes, so
 * the walk starts again after each. */
static void wake_parked(lxr_t *r)
{
    bool again = true;

    while (again) {
        again = false;
        for (lx_proc_t *p = r->k->procs; p && !again; p = p->next) {
            gproc_t *g = p->host;
            if (!g || !g->reply)
                continue;
            int32_t ret = lx_syscall(p, &g->regs);
            if (ret == LX_BLOCK)
                ret = lx_sig_interrupt(p, g->regs.eax);
            if (ret == LX_BLOCK)
                continue;
            if (after_call(r, p, &g->regs, ret))
                resume(r, p, &g->regs, (int32_t)g->regs.eax, ret);
            again = true;
        }
    }
}

/* ------------------------------------------------------------------ */
/* Console input                                                       */

#define INPUT_CHUNK 64u

/* The console's notification, bound to our thread (TCB BindNotification):
 * a keystroke then ends the receive that waits for faults (badge 0, which
 * no process has), so typing reaches the line discipline at once, even
 * while every process computes or waits for something else. Without it
 * (no console), input is only pulled when a process reads the console. */
static void bind_input(lxr_t *r)
{
    seL4_CPtr ntfn = guest_input_notification();

    r->input_bound = ntfn && seL4_TCB_BindNotification(VMM_SLOT_TCB, ntfn) == seL4_NoError;
}

static void unbind_input(lxr_t *r)
{
    if (r->input_bound)
        seL4_TCB_UnbindNotification(VMM_SLOT_TCB);
    r->input_bound = false;
}

/* What was typed goes through the line discipline now: echo, editing, and
 * ^C's SIGINT to the foreground group (delivered by after_event). */
static void feed_input(lxr_t *r)
{
    uint8_t buf[INPUT_CHUNK];
    uint32_t n;

    if (!r->input_bound)
        return;
    while ((n = guest_input_read(buf, sizeof(buf))) != 0)
        lx_tty_input(r->init, buf, n);
}

/* A parked process only time or the console can wake; with the console's
 * notification bound, a console reader waits in the receive instead. */
static bool must_poll(lxr_t *r)
{
    for (lx_proc_t *p = r->k->procs; p; p = p->next) {
        gproc_t *g = p->host;
        if (g && g->reply && (p->sleep_until || (p->wait_external && !r->input_bound)))
            return true;
        if (g && p->sig.alarm_ns)
            return true;        /* alarm() runs out while nothing happens */
    }
    return false;
}

/* Some process waits for the console, which can wake it (a stopped one:
 * ^C, ^Z or a keystroke for its shell may lead to SIGCONT or SIGKILL). */
static bool console_waits(lxr_t *r)
{
    for (lx_proc_t *p = r->k->procs; p; p = p->next) {
        gproc_t *g = p->host;
        if (g && ((g->reply && p->wait_external) || (g->stopped && r->input_bound)))
            return true;
    }
    return false;
}

/* Every thread is parked and nothing outside can wake one: end them all. */
static void deadlock(lxr_t *r)
{
    gprintf("guest-stub: linux: every process waits for another: ending them\n");
    for (lx_proc_t *p = r->k->procs; p; p = p->next)
        if (p->host)
            kill_proc(r, p, SIGKILL);
}

/* Serves every process's faults until init has exited. */
static void serve(lxr_t *r)
{
    while (!r->init->exited) {
        seL4_Word badge = 0;
        seL4_MessageInfo_t m;
        lx_proc_t *p;

        if (must_poll(r)) {
            reply_now(r);
            m = seL4_NBRecv(r->b->ep, &badge);
            if (badge == 0) {
                seL4_Yield();
                feed_input(r);
                after_event(r);
                continue;
            }
        } else if (r->running == 0 && !console_waits(r)) {
            deadlock(r);
            break;
        } else if (r->replying) {
            m = seL4_ReplyRecv(r->b->ep, reply_words(r), &badge);
        } else {
            m = seL4_Recv(r->b->ep, &badge);
        }
        /* The fault's words first: feeding input echoes it through calls to
         * the VMM, which reuse the message registers. */
        p = lx_proc_find(r->k, badge);
        if (p && p->host) {
            if (seL4_MessageInfo_get_label(m) == seL4_Fault_UnknownSyscall)
                on_syscall(r, p);
            else
                on_fault(r, p, seL4_MessageInfo_get_label(m));
        }                       /* else input (badge 0), or a thread already ended */
        feed_input(r);
        after_event(r);
    }
}

/* Ends every process but init's zombie, then init itself. */
static void shutdown(lxr_t *r)
{
    for (lx_proc_t *p = r->k->procs; p; p = p->next)
        if (p->host || p->space)
            proc_end(r, p, SIGKILL);
    while (r->k->procs)
        lx_proc_reap(r->k->procs);
}

/* Runs argv[0] as init; its wait status, or -1 if it never ran. */
static int run(lxr_t *r, const char *const argv[])
{
    static lx_proc_t init;
    lxh_space_t *space;
    lx_exec_info_t xi;
    int err, status = -1;

    if (lxh_space_create(&space) != 0)
        return gprintf("guest-stub: linux: cannot make an address space (no memory, or no "
                       "ASID pool: the VMM gives one to each of at most 3 guests)\n"), -1;
    err = lx_proc_init(r->k, &init, space);
    if (err == 0)
        err = lx_exec(&init, argv[0], argv, envp, &xi);
    r->init = &init;
    if (err != 0) {
        gprintf("guest-stub: linux: cannot execute %s: error %d\n", argv[0], -err);
    } else {
        seL4_UserContext ctx = { .eip = xi.entry, .esp = xi.sp, .eflags = 0x202 };
        if (thread_start(r, &init, &ctx) == 0) {
            bind_input(r);
            serve(r);
            unbind_input(r);
            status = (int)init.exit_status;
        } else {
            gprintf("guest-stub: linux: cannot start the thread\n");
        }
    }
    shutdown(r);
    return status;
}

/* Is `bench` one of the words before init=? */
static bool bench_wanted(const char *bootargs)
{
    for (const char *p = bootargs; *p; p++) {
        bool word = p == bootargs || p[-1] == ' ';
        if (word && strncmp(p, "init=", 5) == 0)
            return false;
        if (word && strncmp(p, "bench", 5) == 0 && (p[5] == ' ' || p[5] == '\0'))
            return true;
    }
    return false;
}

/* The page faults the run served and their mean cost in the guest kernel
 * (from the fault's arrival to the reply: the backend's work, round trips
 * to the VMM included under mediated); with `bench` before init=, also as
 * BENCH <policy>_linux_fault for the VMM to print. */
static void report_faults(const lxr_t *r, const vmm_guest_boot_t *boot)
{
    uint64_t mean = r->faults ? r->fault_ticks / r->faults : 0;

    if (!r->faults)
        return;
    if (!r->timed) {
        gprintf("guest-stub: linux: %u page faults served\n", r->faults);
        return;
    }
    gprintf("guest-stub: linux: %u page faults served, %llu ticks each\n", r->faults,
            (unsigned long long)mean);
    if (bench_wanted(boot->bootargs))
        guest_bench_report(boot->policy == POLICY_MEDIATED ? "mediated_" : "delegated_",
                           "linux_fault", mean, 0);
}

int guest_run_linux(rt_component_info_t *info, const vmm_guest_boot_t *boot)
{
    static char words[1024];
    static lx_kernel_t k;
    static lxr_t r;
    const char *argv[MAX_ARGS];
    const lxb_ops_t *b;
    uint32_t live, nsys = 0;
    int status, code;

    if (parse_init(boot->bootargs, words, sizeof(words), argv) < 0)
        return gprintf("guest-stub: linux: no program (bootargs init=PATH ...)\n"), 1;
    b = boot->policy == POLICY_MEDIATED ? lxb_mediated(boot) : lxb_delegated(info);
    if (!b)
        return 1;
    gprintf("guest-stub: up in its partition, %u KiB, %s, Linux program %s\n",
            boot->memory >> 10, b->policy, argv[0]);
    if (lx_kernel_init(&k, lxh_init(b), NULL) != 0)
        return gprintf("guest-stub: linux: no memory for the personality\n"), 1;
    k.tls_gdt_entry = GDT_TLS_ENTRY;
    k.hwcap = cpuid1_edx();
    k.mxcsr_mask = mxcsr_mask();
    if (boot->initrd_size) {
        uint32_t bad = 0;
        int err = lx_cpio_unpack(&k, (const uint8_t *)boot->initrd_vaddr, boot->initrd_size,
                                 &bad);
        if (err)
            return gprintf("guest-stub: linux: initrd refused at offset %u: error %d\n", bad,
                           -err), 1;
        gprintf("guest-stub: linux: initrd unpacked, %u bytes, file system uses %u bytes\n",
                boot->initrd_size, k.mem_used);
    }
    live = b->in_use() - lxh_kept_bytes();
    r = (lxr_t){ .k = &k, .b = b, .prio = boot->priority,
                 .timed = bench_wanted(boot->bootargs), .usage_countdown = USAGE_EVENTS,
                 .usage_step = boot->memory >> USAGE_STEP_SHIFT };
    if (r.usage_step < USAGE_MIN_STEP)
        r.usage_step = USAGE_MIN_STEP;
    if (boot->policy != POLICY_MEDIATED) {
        struct mm_vspace *vs;
        r.usage_mm = guest_own_mm(info, &vs);
        r.usage_last = b->in_use();
        guest_report_usage(r.usage_mm, 0);  /* the file system unpacked */
    }
    status = run(&r, argv);
    nsys = r.nsys;
    if (status < 0)
        return 1;
    if ((status & 0x7f) == 0) {
        code = (status >> 8) & 0xff;
        gprintf("guest-stub: linux: %s exited with status %d after %u system calls\n",
                argv[0], code, nsys);
    } else {
        code = 128 + (status & 0x7f);
        gprintf("guest-stub: linux: %s killed by signal %d after %u system calls\n",
                argv[0], status & 0x7f, nsys);
    }
    report_faults(&r, boot);
    lxh_spare_drain();
    /* The heap keeps its pages and their page tables; everything else the
     * processes took is back. */
    if (b->in_use() - lxh_kept_bytes() != live)
        gprintf("guest-stub: linux: process objects not given back (%u bytes live, %u before)\n",
                b->in_use() - lxh_kept_bytes(), live);
    lx_kernel_release(&k);
    if (k.mem_used != 0)
        gprintf("guest-stub: linux: %u bytes of the personality not given back\n", k.mem_used);
    return code;
}
