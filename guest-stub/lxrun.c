/*
 * The guest kernel runs Linux programs: bootargs `init=PATH ARG...`.
 *
 * The personality (guest-stub/linux/, liblinux.a) is set up over memmgr
 * (lxhost.c); the initrd the configuration names (a newc cpio archive, which
 * the VMM maps read-only at boot->initrd_vaddr) is unpacked into its file
 * system; PATH becomes process 1 (init). Every process has its own address
 * space (a vfork child its parent's, until it execs or exits) and one or
 * more threads (clone's thread form: more TCBs in the same VSpace), each of
 * whose faults come to one endpoint of the guest kernel's, through a copy
 * of it badged with the thread's id, so one receive loop serves them all
 * (serve()). The personality keeps the calling thread's state in place in
 * its process (lx_thread_find, lx_thread_switch); the walks below put each
 * thread of a process with several in place in turn.
 *
 * An `int $0x80` arrives as an UnknownSyscall fault: lx_syscall() answers,
 * then what the call left for us is done (a forked child's or a new
 * thread started, a new image's thread started in place of the old ones, an
 * exited thread stopped, an exited process's threads and space torn down)
 * and the caller resumed: resume() builds its whole register set,
 * and the reply goes with the loop's next receive (seL4_ReplyRecv: one
 * kernel entry, which the kernel's fastpath takes for a fault's reply, so a
 * system call costs two entries, the fault and the ReplyRecv; a process
 * about to be stopped for a signal, or a non-blocking receive, gets its
 * reply first). A call that cannot finish now (LX_BLOCK) is parked: its reply
 * capability moves to a slot of the process's own (CNode SaveCaller) and
 * the call is repeated after every event until it finishes, then answered
 * through that capability. The walks after an event (signals for running
 * processes, parked calls) happen only while there may be work for them
 * (k->sig_raised, r->parked): a null call is a receive, a table lookup,
 * the call and the reply. While some process sleeps or waits for the
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
 * parked call is interrupted when one becomes deliverable to its thread; a
 * thread that is running when one arrives for it (its own, or its process's
 * and not blocked) is suspended, given its frame and resumed
 * (signal_running); a process a stop signal stops keeps its threads
 * suspended -- the one that took the signal with the registers it resumes
 * with, the others as they ran (stop_running), a parked call not repeated
 * -- until SIGCONT or SIGKILL (stop_thread, continue_stopped); docs/guest.md,
 * Signals. When init ends, every other process is ended too; the guest
 * kernel checks that every frame and byte came back and reports init's
 * status.
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
#include "linux/unistd.h"

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

/* The guest kernel's side of one thread (lx_proc_t.host, per thread). */
typedef struct gproc {
    lxb_thread_t t;             /* faults to the backend's endpoint, badged with the tid */
    mm_cptr_t reply;            /* the parked call's reply capability; 0: none */
    lx_regs_t regs;             /* the call's registers: being served, parked, or the
                                 * held-back reply's (only one of these at a time) */
    bool stopped;               /* suspended by job control (stop_thread) */
} gproc_t;

/* Words of a system call's reply: EAX .. EBP and FaultIP (advanced past the
 * `int $0x80`) set the caller's registers, ESP and EFLAGS stay as they are;
 * a reply that moves the stack (a handler's frame, sigreturn) carries all. */
#define REPLY_SHORT     (seL4_UnknownSyscall_FaultIP + 1)
#define REPLY_FULL      seL4_UnknownSyscall_Syscall

/* The run loop's state. */
typedef struct lxr {
    lx_kernel_t *k;
    const lxb_ops_t *b;         /* every process's faults arrive on b->ep */
    uint32_t prio;
    lx_proc_t *init;
    uint32_t running;           /* threads not parked */
    uint32_t parked;            /* threads parked in a call (gproc_t.reply) */
    uint32_t nsys;
    uint32_t faults;            /* page faults served (lazy mapping, copy-on-write) */
    uint64_t fault_ticks;       /* time-stamp ticks serving them, reply excluded */
    bool timed;                 /* fault_ticks kept: only for `bench` (under -icount the
                                 * counter counts other guests' instructions too, and the
                                 * replay test wants nothing of them in this guest) */
    /* The reply to the last message, held back for the next ReplyRecv:
     * which thread's (NULL: none), and its words (reply_len of them, from
     * its gproc_t.regs). */
    gproc_t *replying;
    uint32_t reply_len;
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

/* sigreturn and rt_sigreturn set every register: their reply is full. */
static inline bool is_sigreturn(int32_t nr)
{
    return nr == LX_NR_sigreturn || nr == LX_NR_rt_sigreturn;
}

/* Answers the last message later, with the receive of the next one
 * (seL4_ReplyRecv: one kernel entry, the fastpath's for a fault's reply):
 * len words of p's registers (0: a fault's reply, which sets none). The
 * words stay in p's gproc_t until then, as the IPC buffer may carry other
 * calls first. */
static void reply_later(lxr_t *r, lx_proc_t *p, uint32_t len)
{
    r->replying = p->host;
    r->reply_len = len;
}

/* n message words between the IPC buffer and a process's registers (the
 * same order: lx_regs_t is the UnknownSyscall message). One `rep movsl`
 * (the ABI keeps the direction flag clear between calls): every call
 * moves six or eight words, which as loads and stores are two
 * instructions each and as a string instruction one with its setup. */
static inline void copy_words(uint32_t *to, const uint32_t *from, uint32_t n)
{
    __asm__ volatile("rep movsl" : "+D"(to), "+S"(from), "+c"(n) : : "memory");
}

/* The held-back reply's message: MR0 and MR1 for the kernel's registers
 * (seL4_*WithMRs), the rest written to the IPC buffer. */
static seL4_MessageInfo_t reply_message(lxr_t *r, seL4_Word *mr0, seL4_Word *mr1)
{
    const lx_regs_t *x = &r->replying->regs;
    uint32_t n = r->reply_len;

    _Static_assert(sizeof(*x) == seL4_UnknownSyscall_Syscall * sizeof(uint32_t) &&
                   offsetof(lx_regs_t, ecx) == seL4_UnknownSyscall_ECX * sizeof(uint32_t),
                   "lx_regs_t is the UnknownSyscall message");
    r->replying = NULL;
    *mr0 = x->eax;
    *mr1 = x->ebx;
    if (n == REPLY_SHORT)
        copy_words(&seL4_GetIPCBuffer()->msg[seL4_UnknownSyscall_ECX], &x->ecx,
                   REPLY_SHORT - seL4_UnknownSyscall_ECX);
    else if (n == REPLY_FULL)
        copy_words(&seL4_GetIPCBuffer()->msg[seL4_UnknownSyscall_ECX], &x->ecx,
                   REPLY_FULL - seL4_UnknownSyscall_ECX);
    return seL4_MessageInfo_new(0, 0, 0, n);
}

/* The held-back reply now (before a thread is stopped, a non-blocking
 * receive). */
static void reply_now(lxr_t *r)
{
    seL4_Word mr0, mr1;

    if (r->replying) {
        seL4_MessageInfo_t m = reply_message(r, &mr0, &mr1);
        seL4_ReplyWithMRs(m, &mr0, &mr1);
    }
}

/* Stops the thread in place in p. */
static void thread_stop(lxr_t *r, lx_proc_t *p)
{
    gproc_t *g = p->host;

    if (!g)
        return;
    if (r->replying == g)
        r->replying = NULL;     /* its caller is going: no reply */
    if (g->reply) {
        r->b->slot_free(g->reply);
        r->parked--;
    } else if (!g->stopped) {
        r->running--;
    }
    r->b->thread_free(&g->t);
    lx_free(r->k, g, sizeof(*g));
    p->host = NULL;
}

/* Starts the thread in place in p, in p->space, with the registers given;
 * its faults come badged with its tid. */
static int thread_start(lxr_t *r, lx_proc_t *p, seL4_UserContext *ctx)
{
    gproc_t *g = lx_alloc(r->k, sizeof(*g));

    if (!g)
        return -1;
    ctx->gs_base = p->tls_base;     /* the TLS base is the GDT entry's (docs/api.md) */
    if (r->b->thread_new(&g->t, lxh_space_backend(p->space), p->tid, r->prio, ctx) != 0) {
        lxh_spare_drain();      /* the frames kept for pages, then again */
        if (r->b->thread_new(&g->t, lxh_space_backend(p->space), p->tid, r->prio, ctx) != 0) {
            lx_free(r->k, g, sizeof(*g));
            return -1;
        }
    }
    p->host = g;
    r->running++;
    return 0;
}

/* Stops every thread of p but the one in place, and forgets them. */
static void stop_others(lxr_t *r, lx_proc_t *p)
{
    lx_thread_t *me = p->cur;

    if (!me)
        return;                 /* one thread: nothing to do */
    for (lx_thread_t *t = p->threads; t; t = t->next) {
        if (t == me)
            continue;
        lx_thread_switch(p, t);
        thread_stop(r, p);
    }
    lx_thread_switch(p, me);
    lx_thread_drop_others(p);
}

/* Ends a process: its threads and address space go (the space stays while
 * a vfork child or parent still runs in it), it stays a zombie. */
static void proc_end(lxr_t *r, lx_proc_t *p, uint32_t status)
{
    lx_proc_exit(p, status);
    stop_others(r, p);
    thread_stop(r, p);
    if (p->space && !lx_space_shared(p, p->space))
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

/* The registers a call (number nr, its registers in p's gproc_t) resumes
 * with: its result in EAX, after the instruction, through the saved reply
 * capability if the call was parked; then a deliverable signal may point
 * them at a handler, or end the process instead. A parked call answered
 * early (a signal: -EINTR, once p->retrying and the waiting state are
 * cleared) comes through here too. */
static void resume(lxr_t *r, lx_proc_t *p, int32_t nr, int32_t ret)
{
    gproc_t *g = p->host;
    lx_regs_t *regs = &g->regs;
    lx_sig_result_t sig;

    regs->eax = (uint32_t)ret;
    regs->eip += INT80_LEN;
    if (p->tls_changed) {
        r->b->thread_tls(&g->t, p->tls_base);
        p->tls_changed = false;
    }
    sig = lx_sig_idle(p, regs) ? LX_SIG_NONE : lx_sig_deliver(p, regs, nr);
    switch (sig) {
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
        r->parked--;
        r->running++;
    } else if (sig == LX_SIG_HANDLER || is_sigreturn(nr)) {
        reply_later(r, p, REPLY_FULL);
    } else {
        reply_later(r, p, REPLY_SHORT);
    }
}

/* The registers a new thread or process starts with: the caller's, EAX 0,
 * after the instruction, on its own stack if clone gave one. */
static seL4_UserContext child_ctx(const lx_regs_t *regs, uint32_t stack)
{
    return (seL4_UserContext){ .eip = regs->eip + INT80_LEN,
                               .esp = stack ? stack : regs->esp,
                               .eflags = regs->eflags, .eax = 0, .ebx = regs->ebx,
                               .ecx = regs->ecx, .edx = regs->edx, .esi = regs->esi,
                               .edi = regs->edi, .ebp = regs->ebp };
}

/* fork's child. */
static void start_child(lxr_t *r, lx_proc_t *p, const lx_regs_t *regs)
{
    lx_proc_t *c = p->new_child;
    seL4_UserContext ctx = child_ctx(regs, c->child_stack);

    p->new_child = NULL;
    if (thread_start(r, c, &ctx) == 0)
        return;
    gprintf("guest-stub: linux: no memory for the thread of pid %u\n", c->pid);
    kill_proc(r, c, SIGKILL);
}

/* clone's new thread in p; false if p ended for want of memory. */
static bool start_thread(lxr_t *r, lx_proc_t *p, const lx_regs_t *regs)
{
    lx_thread_t *me = p->cur, *t = p->new_thread;
    seL4_UserContext ctx = child_ctx(regs, t->st.child_stack);
    int err;

    p->new_thread = NULL;
    lx_thread_switch(p, t);
    err = thread_start(r, p, &ctx);
    lx_thread_switch(p, me);
    if (err == 0)
        return true;
    gprintf("guest-stub: linux: no memory for thread %u of pid %u\n", t->st.tid, p->pid);
    proc_end(r, p, SIGKILL);
    return false;
}

/* execve succeeded: the new image starts in a new thread. */
static void restart(lxr_t *r, lx_proc_t *p)
{
    seL4_UserContext ctx = { .eip = p->exec_entry, .esp = p->exec_sp, .eflags = 0x202 };

    p->execed = false;
    stop_others(r, p);          /* execve leaves one thread (de_thread) */
    thread_stop(r, p);
    if (p->old_space)
        lxh_space_destroy(p->old_space);
    p->old_space = NULL;
    if (thread_start(r, p, &ctx) != 0) {
        gprintf("guest-stub: linux: no memory for the thread of pid %u\n", p->pid);
        proc_end(r, p, SIGKILL);
    }
}

/* after_call's work, when there is some. */
static __attribute__((noinline)) bool after_call_work(lxr_t *r, lx_proc_t *p, lx_regs_t *regs,
        int32_t ret)
{
    if (p->new_child || p->exited || p->execed)
        usage_event(r);
    if (p->new_child)
        start_child(r, p, regs);
    if (p->new_thread && !start_thread(r, p, regs))
        return false;
    if (p->thread_exited) {
        thread_stop(r, p);
        lx_thread_drop(p);
        return false;
    }
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

/* What a finished call leaves to do; false if the caller is not resumed.
 * Most calls leave nothing: that test is all they pay here. */
static inline bool after_call(lxr_t *r, lx_proc_t *p, lx_regs_t *regs, int32_t ret)
{
    if (p->new_child || p->new_thread || p->thread_exited || p->exited || p->execed)
        return after_call_work(r, p, regs, ret);
    return ret != LX_BLOCK;
}

/* An `int $0x80`: MR0 and MR1 (EAX, EBX) came in the kernel's registers,
 * the rest of the message is in the IPC buffer. */
static void on_syscall(lxr_t *r, lx_proc_t *p, seL4_Word mr0, seL4_Word mr1)
{
    gproc_t *g = p->host;
    lx_regs_t *regs = &g->regs;
    int32_t ret, nr = (int32_t)mr0;

    regs->eax = mr0;
    regs->ebx = mr1;
    copy_words(&regs->ecx, &seL4_GetIPCBuffer()->msg[seL4_UnknownSyscall_ECX],
               seL4_UnknownSyscall_Syscall - seL4_UnknownSyscall_ECX);
    r->nsys++;
    p->uregs = regs;            /* sigreturn rewrites them */
    ret = lx_syscall(p, regs);
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
        r->running--;
        r->parked++;
    }
    if (!after_call(r, p, regs, ret))
        return;
    /* resume()'s common case in line: no new TLS base, no signal to
     * deliver or restart to settle, not a sigreturn (a full reply). The
     * thread parks no call here: it was running, so it had none before,
     * and one this call parked is not resumed (after_call). */
    regs->eax = (uint32_t)ret;
    if (p->tls_changed || !lx_sig_idle(p, regs) || is_sigreturn(nr)) {
        resume(r, p, nr, ret);
        return;
    }
    regs->eip += INT80_LEN;
    reply_later(r, p, REPLY_SHORT);
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

    if (r->replying == g)
        r->replying = NULL;     /* the registers are written instead */
    ctx_of(&ctx, regs);
    if (r->b->thread_stop(&g->t) != 0 || r->b->thread_write(&g->t, &ctx, UREGS) != 0) {
        proc_end(r, p, SIGKILL);
        return;
    }
    if (g->reply) {
        r->b->slot_free(g->reply);
        g->reply = 0;
        r->parked--;
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
static void fault_to_signal(lxr_t *r, lx_proc_t *p, seL4_Word label, bool bus)
{
    int sig = SIGSEGV, code = LX_SI_KERNEL;
    uint32_t addr = 0, trapno, err, ip;

    if (label == seL4_Fault_VMFault) {
        addr = seL4_GetMR(seL4_VMFault_Addr);
        ip = seL4_GetMR(seL4_VMFault_IP);
        err = seL4_GetMR(seL4_VMFault_FSR);
        trapno = TRAP_PF;
        code = lx_sig_segv_code(p, addr);
        if (bus) {
            sig = LX_SIGBUS;    /* past the end of a mapped file */
            code = LX_BUS_ADRERR;
        }
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
        reply_later(r, p, 0);
    } else if (label == seL4_Fault_VMFault) {
        gprintf("guest-stub: linux: pid %u %s at 0x%08x ip 0x%08x\n", p->pid,
                bus ? "bus error" : "segfault", addr, ip);
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

        if (err == LX_ERR(LX_EFAULT))
            err = lx_file_fault(p, addr, write);
        if (err == 0) {
            r->faults++;
            p->minflt++;
            usage_event(r);
            if (r->timed)
                r->fault_ticks += vmm_rdtsc() - t0;
            reply_later(r, p, 0);
            return;
        }
        if (err == LX_ERR(LX_ENOMEM)) {
            gprintf("guest-stub: linux: pid %u killed: out of memory for a page at 0x%08x "
                    "(%u KiB free)\n", p->pid, addr, lxh_mem_free() >> 10);
            kill_proc(r, p, SIGKILL);
            return;
        }
        fault_to_signal(r, p, label, err == LX_ERR(LX_EIO));
        return;
    }
    fault_to_signal(r, p, label, false);
}

static void wake_parked(lxr_t *r);

/* Job control: what the continued thread resumes with, or the end of p. */
static bool continue_stopped(lxr_t *r, lx_proc_t *p);

enum { SIG_NOT_TAKEN, SIG_TAKEN, SIG_ENDED };

/* The thread in place in p, running, takes p's deliverable signal: it is
 * suspended, given the frame (or p ends) and resumed. */
static int signal_thread(lxr_t *r, lx_proc_t *p)
{
    gproc_t *g = p->host;

    if (r->replying == g)
        reply_now(r);           /* it runs: stopped as any running thread */
    if (r->b->thread_stop(&g->t) != 0)
        return SIG_NOT_TAKEN;
    switch (deliver_stopped(r, p)) {
    case LX_SIG_KILLED:
        return SIG_ENDED;
    case LX_SIG_STOPPED:
        g->stopped = true;      /* job control: it stays suspended */
        r->running--;
        return SIG_TAKEN;
    default:
        r->b->thread_resume(&g->t);
        return SIG_TAKEN;
    }
}

/* Job control: a running thread of a process that a stop signal stopped
 * (through another of its threads) is suspended too. */
static void stop_running(lxr_t *r, lx_proc_t *p)
{
    gproc_t *g = p->host;

    if (r->replying == g)
        reply_now(r);
    if (r->b->thread_stop(&g->t) != 0)
        return;
    g->stopped = true;
    r->running--;
}

/* The same for a process with several threads: each running thread takes
 * what it may (its own signals, the process's it does not block), the
 * oldest first; a parked one is wake_parked()'s. A stop stops them all.
 * True if p ended. */
static __attribute__((noinline)) bool signal_threads(lxr_t *r, lx_proc_t *p)
{
    if (p->exited)
        return false;
    lx_sig_tick(p);
    if (p->sig.alarm_ns)
        r->k->sig_raised = true;
    for (lx_thread_t *t = p->threads; t; t = t->next) {
        lx_thread_switch(p, t);
        gproc_t *g = p->host;
        if (g && g->stopped) {
            if (!p->sig.stopped && !continue_stopped(r, p))
                return true;
            continue;
        }
        if (!g || g->reply)
            continue;
        if (p->sig.stopped) {
            stop_running(r, p);
            continue;
        }
        if (!lx_sig_deliverable(p))
            continue;
        int taken = signal_thread(r, p);
        if (taken == SIG_ENDED)
            return true;
        if (taken == SIG_NOT_TAKEN)
            r->k->sig_raised = true;    /* tried again after the next event */
    }
    return false;
}

/* A signal for a process that is running, not in a call of ours (alarm's,
 * another process's kill, the terminal's ^C): its thread is suspended,
 * given the frame (or ended) and resumed; if it had a call on its way to
 * us, the call is made again once the handler returns. Parked processes
 * are wake_parked()'s. True if a process ended (the walk starts again).
 * The walk leaves k->sig_raised set while an alarm runs or a signal could
 * not be delivered, so that the next event walks again. */
static bool signal_running(lxr_t *r)
{
    r->k->sig_raised = false;
    for (lx_proc_t *p = r->k->procs; p; p = p->next) {
        gproc_t *g = p->host;

        if (p->threads) {
            if (signal_threads(r, p))
                return true;
            continue;
        }
        if (!g || p->exited)
            continue;
        lx_sig_tick(p);
        if (p->sig.alarm_ns)
            r->k->sig_raised = true;
        if (g->stopped) {
            if (!p->sig.stopped && !continue_stopped(r, p))
                return true;
            continue;
        }
        if (g->reply || !lx_sig_deliverable(p))
            continue;           /* parked: wake_parked()'s */
        int taken = signal_thread(r, p);
        if (taken == SIG_NOT_TAKEN)
            r->k->sig_raised = true;    /* tried again after the next event */
        if (taken == SIG_ENDED)
            return true;
    }
    return false;
}

/* After every event: signals first, then the parked calls. Each only when
 * there may be something to do (a signal raised or an alarm running since
 * the last walk; a parked call), so a call that raised nothing and left
 * nothing parked costs no walk of the processes. */
static void after_event_walk(lxr_t *r)
{
    if (r->k->sig_raised)
        while (signal_running(r))
            ;
    if (r->parked)
        wake_parked(r);
}

static inline void after_event(lxr_t *r)
{
    if (r->k->sig_raised || r->parked)
        after_event_walk(r);
}

/* Repeats the parked call of the thread in place in p, if it has one;
 * true if it finished. */
static inline __attribute__((always_inline)) bool wake_one(lxr_t *r, lx_proc_t *p)
{
    gproc_t *g = p->host;

    if (!g || !g->reply)
        return false;
    int32_t ret = lx_syscall(p, &g->regs);
    if (ret == LX_BLOCK)
        ret = lx_sig_interrupt(p, g->regs.eax);
    if (ret == LX_BLOCK)
        return false;
    if (after_call(r, p, &g->regs, ret))
        resume(r, p, (int32_t)g->regs.eax, ret);
    return true;
}

/* Repeats parked calls until none finishes; a finished call may let another
 * go on (a pipe read makes room for a writer), and may reap processes, so
 * the walk starts again after each. */
static void wake_parked(lxr_t *r)
{
    bool again = r->parked != 0;

    while (again) {
        again = false;
        for (lx_proc_t *p = r->k->procs; p && !again; p = p->next) {
            if (!p->threads) {
                again = wake_one(r, p);
                continue;
            }
            if (p->sig.stopped)
                continue;       /* its parked calls go on once it is continued (a
                                 * single thread that stops is not parked) */
            for (lx_thread_t *t = p->threads; t; t = t->next) {
                lx_thread_switch(p, t);
                if ((again = wake_one(r, p)))
                    break;      /* t may be gone: the walk starts again */
            }
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

/* A thread parked in a call that needs the loop to poll: one with a
 * deadline, or one only the console can end (with console_only, any
 * such; else only while the console's notification is not bound). */
static inline __attribute__((always_inline)) bool thread_waits(const lxr_t *r,
        const lx_thread_state_t *st, bool console_only)
{
    const gproc_t *g = st->host;

    if (!g || !g->reply)
        return false;
    if (console_only)
        return st->wait_external;
    return st->sleep_until || (st->wait_external && !r->input_bound);
}

/* The same for the threads of a process that has several. */
static __attribute__((noinline)) bool threads_wait(const lxr_t *r, lx_proc_t *p,
        bool console_only)
{
    for (lx_thread_t *t = p->threads; t; t = t->next)
        if (thread_waits(r, lx_thread_state(p, t), console_only))
            return true;
    return false;
}

/* A parked thread only time or the console can wake; with the console's
 * notification bound, a console reader waits in the receive instead.
 * Looked at before every receive: with nothing parked and no alarm running
 * (k->sig_raised stays set while one runs) there is none, and no walk; else
 * a process with one thread costs a look at its own state. */
static bool must_poll(lxr_t *r)
{
    if (!r->parked && !r->k->sig_raised)
        return false;
    for (lx_proc_t *p = r->k->procs; p; p = p->next) {
        if (p->threads ? threads_wait(r, p, false) : thread_waits(r, &p->th, false))
            return true;
        if (p->sig.alarm_ns && (p->host || p->threads))
            return true;        /* alarm() runs out while nothing happens */
    }
    return false;
}

/* Some thread waits for the console, which can wake it (a stopped one too:
 * ^C, ^Z or a keystroke for its shell may lead to SIGCONT or SIGKILL). */
static bool console_waits(lxr_t *r)
{
    for (lx_proc_t *p = r->k->procs; p; p = p->next) {
        const gproc_t *g = p->host;
        if (p->threads ? threads_wait(r, p, true) : thread_waits(r, &p->th, true))
            return true;
        if (g && g->stopped && r->input_bound)
            return true;
    }
    return false;
}

/* Every thread is parked and nothing outside can wake one: end them all. */
static void deadlock(lxr_t *r)
{
    gprintf("guest-stub: linux: every process waits for another: ending them\n");
    for (lx_proc_t *p = r->k->procs; p; p = p->next)
        if (p->host || p->threads)
            kill_proc(r, p, SIGKILL);
}

/* Serves every process's faults until init has exited. A system call
 * comes with EAX and EBX in registers (seL4_*WithMRs) and goes back with
 * the next receive; console input (the bound notification, badge 0) comes
 * before any queued fault, so it is fed to the line discipline then. */
static void serve(lxr_t *r)
{
    while (!r->init->exited) {
        seL4_Word badge = 0, mr0 = 0, mr1 = 0;
        seL4_MessageInfo_t m;
        lx_proc_t *p;

        /* A thread with a reply held back is running: no deadlock, and
         * the common case (a call answered, nothing parked or raised)
         * pays must_poll()'s first test and that one. */
        if (must_poll(r)) {
            reply_now(r);
            m = seL4_NBRecvWithMRs(r->b->ep, &badge, &mr0, &mr1);
            if (badge == 0) {
                seL4_Yield();
                feed_input(r);
                after_event(r);
                continue;
            }
        } else if (!r->replying && r->running == 0 && !console_waits(r)) {
            deadlock(r);
            break;
        } else if (r->replying) {
            seL4_Word out0, out1;
            seL4_MessageInfo_t reply = reply_message(r, &out0, &out1);
            m = seL4_ReplyRecvWithMRs(r->b->ep, reply, &badge, &out0, &out1);
            mr0 = out0;
            mr1 = out1;
        } else {
            m = seL4_RecvWithMRs(r->b->ep, &badge, &mr0, &mr1);
        }
        if (badge == 0) {
            feed_input(r);      /* console input */
            after_event(r);
            continue;
        }
        p = lx_thread_lookup(r->k, badge);
        if (!p || !p->host) {
            after_event(r);     /* a thread already ended */
            continue;
        }
        if (seL4_MessageInfo_get_label(m) == seL4_Fault_UnknownSyscall) {
            on_syscall(r, p, mr0, mr1);
        } else {
            seL4_SetMR(0, mr0);
            seL4_SetMR(1, mr1);
            on_fault(r, p, seL4_MessageInfo_get_label(m));
        }
        after_event(r);
    }
}

/* Ends every process but init's zombie, then init itself. */
static void shutdown(lxr_t *r)
{
    for (lx_proc_t *p = r->k->procs; p; p = p->next)
        if (p->host || p->threads || p->space)
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
                       "ASID pool: the VMM gives one to each of the first 3 guests "
                       "not under mediated)\n"), -1;
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
    /* Before the initrd: its files are page-cache frames, given back with
     * the file system at the end. */
    live = b->in_use() - lxh_kept_bytes();
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
    lx_kernel_release(&k);
    lxh_spare_drain();
    /* The heap keeps its pages and their page tables; everything else the
     * processes and the file system took is back. */
    if (b->in_use() - lxh_kept_bytes() != live)
        gprintf("guest-stub: linux: process objects not given back (%u bytes live, %u before)\n",
                b->in_use() - lxh_kept_bytes(), live);
    if (k.mem_used != 0)
        gprintf("guest-stub: linux: %u bytes of the personality not given back\n", k.mem_used);
    return code;
}
