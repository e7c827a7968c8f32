/*
 * Processes: the tree (k->procs), fork and its clone and vfork forms,
 * threads (clone's thread form), execve, exit and wait4, as Linux's
 * kernel/fork.c, fs/exec.c and kernel/exit.c define them.
 *
 * fork copies the process's bookkeeping (ids, umask, current directory,
 * descriptors -- sharing their open file descriptions, so positions are
 * shared as on Linux -- layout, heap, TLS base) and asks the guest kernel
 * for a copy of its address space (space_fork, copy-on-write there); the
 * guest kernel starts the child's thread after the call (p->new_child).
 * vfork (and clone with CLONE_VM|CLONE_VFORK) makes a child that runs in
 * the parent's address space itself, while the parent's calling thread
 * waits, as a parked call, until the child has exec'd or exited; what the
 * child mapped meanwhile is then the parent's layout too. A space two
 * processes name is freed by the last to let go (lx_space_shared).
 *
 * A thread (clone with CLONE_VM|CLONE_FS|CLONE_FILES|CLONE_SIGHAND|
 * CLONE_THREAD, pthread_create's) shares everything of its process but
 * the per-thread state of lx.h (LX_THREAD_FIELDS): its id, TLS, the
 * clear_child_tid word, the call it is in. A process with several keeps
 * each thread's state in an lx_thread_t and swaps the one it works for
 * into place (lx_thread_switch), so the handlers are written for "the
 * calling thread" as p's own fields. exit ends one thread (its
 * clear_child_tid word zeroed and woken: pthread_join), exit_group and a
 * fatal signal the process; wait4 sees a process only when it has ended.
 *
 * execve reads the arguments, builds the new image in a new address space
 * and only then lets go of the old one, so a failed execve leaves the
 * caller as it was. A "#!" script runs its interpreter, as Linux's
 * binfmt_script does. The guest kernel starts the new image in a new thread
 * (p->execed) and frees the old thread and space (p->old_space).
 *
 * A process that exits closes its descriptors at once (a pipe's reader
 * sees end of file), gives its children to init (pid 1) and stays a zombie
 * holding its status until its parent's wait4 takes it. Orphans that
 * already exited when their parent went are reaped at once (init would).
 */
#include "sys.h"
#include "linux/wait.h"
#include "linux/misc.h"
#include "linux/mman.h"
#include "linux/stat.h"
#include <string.h>

#define INIT_PID        1
#define ARGV_MAX        2048u           /* pointers execve copies per vector */
#define ARG_BYTES       (32u * 1024)    /* their strings: exec.c's limit */
#define RUSAGE_BYTES    72u             /* struct rusage on i386: 2 timevals, 14 longs */
#define SCRIPT_DEPTH    4               /* #! within #!: Linux's BINPRM_MAX_RECURSION */
#define SCRIPT_LINE     256             /* the #! line Linux reads: BINPRM_BUF_SIZE */

static void vfork_release(lx_proc_t *c);

lx_proc_t *lx_proc_find(lx_kernel_t *k, uint32_t pid)
{
    for (lx_proc_t *q = k->procs; q; q = q->next)
        if (q->pid == pid)
            return q;
    return NULL;
}

void lx_proc_exit(lx_proc_t *p, uint32_t status)
{
    lx_proc_t *init = lx_proc_find(p->k, INIT_PID), *q, *next;

    if (p->exited)
        return;
    lx_robust_exit_all(p);          /* while its memory is there */
    p->exited = true;
    p->exit_status = status;
    vfork_release(p);               /* a vfork parent may go on */
    lx_proc_drop_files(p);
    if (init == p)
        init = NULL;
    for (q = p->k->procs; q; q = next) {
        next = q->next;
        if (q->parent != p)
            continue;
        q->parent = init;
        q->ppid = init ? init->pid : 0;
        if (q->pdeathsig && !q->exited) {   /* prctl PR_SET_PDEATHSIG */
            lx_sigsrc_t src = { .code = LX_SI_USER, .pid = p->pid, .uid = p->uid };
            lx_sig_send(q, (int)q->pdeathsig, &src);
        }
        if (q->exited && !init)
            lx_proc_reap(q);
    }
    if (p->parent && !p->parent->exited)
        lx_sig_child(p->parent, p->pid, status);
}

/* ------------------------------------------------------------------ */
/* Threads                                                             */

uint32_t lx_thread_count(const lx_proc_t *p)
{
    uint32_t n = 0;

    for (const lx_thread_t *t = p->threads; t; t = t->next)
        n++;
    return n ? n : 1;
}

lx_proc_t *lx_thread_owner(lx_kernel_t *k, uint32_t tid, lx_thread_t **out)
{
    for (lx_proc_t *q = k->procs; q; q = q->next) {
        if (q->exited)
            continue;
        *out = NULL;
        if (q->tid == tid)
            return q;
        for (lx_thread_t *t = q->threads; t; t = t->next) {
            if (t != q->cur && t->st.tid == tid) {
                *out = t;
                return q;
            }
        }
    }
    return NULL;
}

lx_proc_t *lx_thread_find(lx_kernel_t *k, uint32_t tid)
{
    lx_thread_t *t;
    lx_proc_t *q;

    for (q = k->procs; q; q = q->next)     /* the common case: a thread in place */
        if (q->tid == tid)
            break;
    if (q && q->exited)
        return NULL;
    if (!q) {
        q = lx_thread_owner(k, tid, &t);
        if (!q)
            return NULL;
        lx_thread_switch(q, t);
    }
    k->tid_cache[tid % LX_TID_CACHE] = q;
    return q;
}

/* Takes t off p's list and frees it; back to no list when one is left. */
static void thread_unlink(lx_proc_t *p, lx_thread_t *t)
{
    for (lx_thread_t **l = &p->threads; *l; l = &(*l)->next) {
        if (*l == t) {
            *l = t->next;
            break;
        }
    }
    lx_sig_thread_free(p->k, &t->st.tsig);
    lx_free(p->k, t, sizeof(*t));
    p->k->nprocs--;
    if (p->threads && !p->threads->next) {
        lx_free(p->k, p->threads, sizeof(*p->threads));
        p->threads = p->cur = NULL;
    }
}

void lx_thread_drop(lx_proc_t *p)
{
    lx_thread_t *gone = p->cur;

    lx_thread_switch(p, gone->next ? gone->next : p->threads);
    thread_unlink(p, gone);
}

void lx_thread_drop_others(lx_proc_t *p)
{
    while (p->threads) {
        lx_thread_t *t = p->threads == p->cur ? p->threads->next : p->threads;
        thread_unlink(p, t);
    }
}

bool lx_space_shared(const lx_proc_t *p, const void *space)
{
    for (const lx_proc_t *q = p->k->procs; q; q = q->next)
        if (q != p && q->space == space)
            return true;
    return false;
}

/* A new thread of p's (clone's thread form), its state made from the
 * caller's: its own id, stack, TLS and clear_child_tid, the caller's
 * signal mask (nothing pending, no alternate stack), no call. The guest
 * kernel starts it after the call (p->new_thread). */
static int32_t thread_new(lx_proc_t *p, uint32_t stack, uint32_t tls, uint32_t cleartid)
{
    lx_kernel_t *k = p->k;
    lx_thread_t *first = NULL, *t;

    if (k->nprocs >= LX_PROC_MAX)
        return LX_ERR(LX_EAGAIN);
    t = lx_alloc(k, sizeof(*t));
    if (t && !p->threads && !(first = lx_alloc(k, sizeof(*first)))) {
        lx_free(k, t, sizeof(*t));
        t = NULL;
    }
    if (!t)
        return LX_ERR(LX_EAGAIN);
    if (first)                  /* the caller gets a record too */
        p->threads = p->cur = first;
    t->st = (lx_thread_state_t){ .tid = k->next_pid++, .tls_base = tls,
                                 .clear_child_tid = cleartid, .child_stack = stack,
                                 .tsig = { .blocked = p->tsig.blocked } };
    t->next = NULL;
    lx_thread_t **l = &p->threads;
    while (*l)
        l = &(*l)->next;
    *l = t;
    k->nprocs++;
    p->new_thread = t;
    return (int32_t)t->st.tid;
}

/* The calling thread ends (exit, not exit_group, with others left): the
 * robust futexes it holds are marked, its clear_child_tid word is zeroed
 * and one waiter on it woken (what pthread_join waits for); the guest
 * kernel stops it (p->thread_exited) and calls lx_thread_drop. */
void lx_thread_exit(lx_proc_t *p)
{
    static const uint32_t zero;

    lx_robust_exit(p, &p->th);
    if (p->clear_child_tid &&
            lx_user_out(p, p->clear_child_tid, &zero, sizeof(zero)) == 0)
        lx_futex_wake(p, p->clear_child_tid, 1);
    p->thread_exited = true;
}

/* ------------------------------------------------------------------ */
/* fork, vfork, clone                                                  */

/* The child's bookkeeping: a copy of the parent's (of its calling thread)
 * with its own identity and one thread. */
static void copy_proc(lx_proc_t *c, const lx_proc_t *p, void *space)
{
    lx_kernel_t *k = p->k;

    *c = *p;
    lx_sig_fork(c, p);          /* nothing pending, no alarm, not stopped */
    c->space = space;
    c->pid = c->tid = k->next_pid++;
    c->ppid = p->pid;
    c->parent = (lx_proc_t *)p;
    c->allocated = true;
    c->exited = false;
    c->exit_status = 0;
    c->minflt = c->child_minflt = 0;
    c->start_ns = k->acct ? k->ops->now_ns(k->ctx, LX_CLOCK_MONOTONIC) : 0;
    c->child_ns = 0;
    c->pdeathsig = 0;           /* not inherited (kernel/fork.c) */
    c->threads = c->cur = NULL;
    c->th = (lx_thread_state_t){ .tid = c->pid, .tls_base = p->tls_base,
                                 .clear_child_tid = p->clear_child_tid };
    /* the forking thread's mask and alternate stack; no robust list
     * (kernel/fork.c: futex_init_task) */
    c->tsig = (lx_sigthread_t){ .blocked = p->tsig.blocked, .ss_sp = p->tsig.ss_sp,
                                .ss_size = p->tsig.ss_size,
                                .ss_autodisarm = p->tsig.ss_autodisarm };
    c->vfork_pending = false;
    c->execed = false;
    c->old_space = NULL;
    for (int fd = 0; fd < LX_FD_MAX; fd++)
        if (c->fd[fd])
            c->fd[fd]->refs++;
    if (c->cwd)
        c->cwd->opens++;
    if (c->exe) {
        c->exe->opens++;
        c->exe->runners++;
    }
    for (int i = 0; i < LX_VMA_MAX; i++)
        lx_vma_hold(&c->vma[i]);
    c->next = k->procs;
    k->procs = c;
    k->nprocs++;
}

/* A new process like p; its pid, or -EAGAIN when the guest has no room.
 * A vfork child (share) runs in p's address space; any other gets a copy. */
static int32_t fork_proc(lx_proc_t *p, bool share, lx_proc_t **out)
{
    lx_kernel_t *k = p->k;
    lx_proc_t *c;
    void *space = p->space;
    int err;

    if (k->nprocs >= LX_PROC_MAX)
        return LX_ERR(LX_EAGAIN);
    c = lx_alloc(k, sizeof(*c));
    if (!c)
        return LX_ERR(LX_EAGAIN);
    err = share ? 0 : k->ops->space_fork(k->ctx, p->space, &space);
    if (err) {
        lx_free(k, c, sizeof(*c));
        return LX_ERR(LX_EAGAIN);   /* Linux's fork: EAGAIN or ENOMEM; a fork bomb sees EAGAIN */
    }
    copy_proc(c, p, space);
    p->new_child = c;
    *out = c;
    return (int32_t)c->pid;
}

/* What a vfork child did to the layout it shares with its parent (mmap,
 * brk) is the parent's too, as their memory is one. */
static void vfork_give_layout(lx_proc_t *c)
{
    lx_proc_t *p = c->parent;

    if (!c->vfork_pending || !p || p->exited || p->space != c->space)
        return;
    memcpy(p->vma, c->vma, sizeof(p->vma));
    p->brk_start = c->brk_start;
    p->brk = c->brk;
    p->mmap_top = c->mmap_top;
}

/* A vfork child lets its parent go on (its end; execve does it itself). */
static void vfork_release(lx_proc_t *c)
{
    vfork_give_layout(c);
    c->vfork_pending = false;
}

/* The parent's half of vfork: parked until the child execs or exits. */
static int32_t vfork_wait(lx_proc_t *p)
{
    uint32_t pid = p->vfork_pid;
    lx_proc_t *c = lx_proc_find(p->k, pid);

    if (c && c->vfork_pending)
        return LX_BLOCK;
    p->vfork_pid = 0;
    return (int32_t)pid;
}

static void vfork_start(lx_proc_t *p, lx_proc_t *c)
{
    c->vfork_pending = true;
    p->vfork_pid = c->pid;
}

LX_HANDLER(fork) { lx_proc_t *c; (void)a; return fork_proc(p, false, &c); }

LX_HANDLER(vfork)
{
    lx_proc_t *c;
    int32_t r;

    (void)a;
    if (p->retrying && p->vfork_pid)
        return vfork_wait(p);
    r = fork_proc(p, true, &c);
    if (r < 0)
        return r;
    vfork_start(p, c);
    return LX_BLOCK;
}

/* The TLS descriptor CLONE_SETTLS names (as set_thread_area takes it). */
static int child_tls(lx_proc_t *p, uint32_t udesc, uint32_t *base)
{
    struct lx_user_desc d;
    int err = lx_user_in(p, &d, udesc, sizeof(d));

    if (err)
        return err;
    if (d.entry_number != 0xffffffffu && d.entry_number != p->k->tls_gdt_entry)
        return LX_ERR(LX_EINVAL);
    *base = d.base_addr;
    return 0;
}

#define CLONE_SHARE     (LX_CLONE_VM | LX_CLONE_FS | LX_CLONE_FILES | LX_CLONE_SIGHAND)
#define CLONE_THREADS   (CLONE_SHARE | LX_CLONE_THREAD)

/* What clone's flags ask for, checked as Linux's copy_process does: a
 * thread shares everything (CLONE_THREAD needs SIGHAND, which needs VM);
 * a process shares nothing but, with CLONE_VFORK, its parent's memory
 * until it execs or exits. CLONE_DETACHED, which musl's pthread_create
 * still passes, is accepted and ignored as Linux's clone does. 0 or
 * -EINVAL. */
static int clone_check(uint32_t flags)
{
    const uint32_t known = LX_CSIGNAL | CLONE_THREADS | LX_CLONE_SYSVSEM | LX_CLONE_VFORK |
                           LX_CLONE_SETTLS | LX_CLONE_PARENT_SETTID |
                           LX_CLONE_CHILD_CLEARTID | LX_CLONE_CHILD_SETTID |
                           LX_CLONE_DETACHED;
    uint32_t share = flags & CLONE_THREADS;

    if (flags & ~known)
        return LX_ERR(LX_EINVAL);
    if (share == CLONE_THREADS)
        return (flags & LX_CLONE_VFORK) ? LX_ERR(LX_EINVAL) : 0;
    if (share & LX_CLONE_THREAD)
        return LX_ERR(LX_EINVAL);   /* Linux: CLONE_THREAD without SIGHAND, VM */
    if (share & ~LX_CLONE_VM)
        return LX_ERR(LX_EINVAL);   /* shared tables without a thread: not supported */
    if ((flags & LX_CLONE_VM) && !(flags & LX_CLONE_VFORK))
        return LX_ERR(LX_EINVAL);   /* a process in our memory beyond vfork's wait */
    return 0;
}

/* clone's thread form (pthread_create): the id words as the flags say. */
static int32_t clone_thread(lx_proc_t *p, const uint32_t *a, uint32_t tls)
{
    uint32_t flags = a[0];
    int32_t tid = thread_new(p, a[1], tls, (flags & LX_CLONE_CHILD_CLEARTID) ? a[4] : 0);

    if (tid < 0)
        return tid;
    if (flags & LX_CLONE_PARENT_SETTID)
        lx_user_out(p, a[2], &tid, sizeof(tid));
    if (flags & LX_CLONE_CHILD_SETTID)
        lx_user_out(p, a[4], &tid, sizeof(tid));
    return tid;
}

/* clone(flags, newsp, parent_tid, tls, child_tid): the i386 argument order. */
LX_HANDLER(clone)
{
    uint32_t flags = a[0], tls = p->tls_base;
    lx_proc_t *c;
    int32_t pid;
    int err;

    if (p->retrying && p->vfork_pid)
        return vfork_wait(p);
    err = clone_check(flags);
    if (err)
        return err;
    if ((flags & LX_CLONE_SETTLS) && child_tls(p, a[3], &tls))
        return LX_ERR(LX_EFAULT);
    if ((flags & LX_CLONE_PARENT_SETTID) && !lx_user_range_ok(p, a[2], 4))
        return LX_ERR(LX_EFAULT);
    if (flags & LX_CLONE_THREAD)
        return clone_thread(p, a, tls);
    pid = fork_proc(p, flags & LX_CLONE_VM, &c);
    if (pid < 0)
        return pid;
    c->child_stack = a[1];
    c->tls_base = tls;
    c->clear_child_tid = (flags & LX_CLONE_CHILD_CLEARTID) ? a[4] : 0;
    if (flags & LX_CLONE_CHILD_SETTID)
        lx_user_out(c, a[4], &c->pid, sizeof(c->pid));
    if (flags & LX_CLONE_PARENT_SETTID)
        lx_user_out(p, a[2], &c->pid, sizeof(c->pid));
    if (!(flags & LX_CLONE_VFORK))
        return pid;
    vfork_start(p, c);
    return LX_BLOCK;
}

/* ------------------------------------------------------------------ */
/* wait4, waitpid                                                      */

static bool wanted(const lx_proc_t *p, const lx_proc_t *q, int32_t pid)
{
    if (q->parent != p)
        return false;
    if (pid > 0)
        return q->pid == (uint32_t)pid;
    if (pid == -1)
        return true;
    if (pid == 0)
        return q->pgid == p->pgid;
    return q->pgid == (uint32_t)-pid;
}

/* Closes the descriptors marked close-on-exec, a word of the bitmap at a
 * time (a flag left on a closed descriptor is simply dropped). */
static void close_on_exec(lx_proc_t *p)
{
    for (uint32_t i = 0; i < LX_FD_MAX / 32; i++) {
        uint32_t w = p->fd_cloexec[i];
        p->fd_cloexec[i] = 0;
        for (; w; w &= w - 1) {
            uint32_t fd = i * 32 + (uint32_t)__builtin_ctz(w);
            if (p->fd[fd]) {
                lx_file_put(p->k, p->fd[fd]);
                p->fd[fd] = NULL;
            }
        }
    }
}

/* Hands a zombie's status over and frees it; its pid or -EFAULT. */
static int32_t collect(lx_proc_t *p, lx_proc_t *q, uint32_t ustatus, uint32_t urusage)
{
    int32_t pid = (int32_t)q->pid;
    int err = 0;

    if (ustatus)
        err = lx_user_out(p, ustatus, &q->exit_status, sizeof(q->exit_status));
    if (!err && urusage)
        err = lx_rusage_child(p, q, urusage);
    if (err)
        return err;
    if (p->k->acct)
        lx_rusage_reaped(p, q);
    lx_proc_reap(q);
    return pid;
}

/* A stopped or continued child for WUNTRACED or WCONTINUED: its status is
 * reported once (kernel/exit.c wait_task_stopped, wait_task_continued);
 * its pid, 0 if there is nothing to report, or -EFAULT. */
static int32_t job_status(lx_proc_t *p, lx_proc_t *q, uint32_t options, uint32_t ustatus,
        uint32_t urusage)
{
    static const uint8_t zero[RUSAGE_BYTES];
    lx_sigstate_t *s = &q->sig;
    uint32_t status;
    int err = 0;

    if ((options & LX_WUNTRACED) && s->stopped && s->stop_report)
        status = LX_W_STOPCODE(s->stop_sig);
    else if ((options & LX_WCONTINUED) && s->cont_report)
        status = LX_W_CONTINUED;
    else
        return 0;
    if (ustatus)
        err = lx_user_out(p, ustatus, &status, sizeof(status));
    if (!err && urusage)
        err = lx_user_out(p, urusage, zero, sizeof(zero));
    if (err)
        return err;
    if (status == LX_W_CONTINUED)
        s->cont_report = false;
    else
        s->stop_report = false;
    return (int32_t)q->pid;
}

static int32_t do_wait(lx_proc_t *p, int32_t pid, uint32_t ustatus, uint32_t options,
        uint32_t urusage)
{
    const uint32_t known = LX_WNOHANG | LX_WUNTRACED | LX_WCONTINUED | LX_WNOTHREAD |
                           LX_WALL | LX_WCLONE;
    bool any = false;

    if (options & ~known)
        return LX_ERR(LX_EINVAL);
    if (pid == (int32_t)0x80000000)
        return LX_ERR(LX_ESRCH);    /* -INT_MIN has no group */
    for (lx_proc_t *q = p->k->procs; q; q = q->next) {
        if (!wanted(p, q, pid))
            continue;
        if (q->exited)
            return collect(p, q, ustatus, urusage);
        int32_t job = job_status(p, q, options, ustatus, urusage);
        if (job)
            return job;
        any = true;
    }
    if (!any)
        return LX_ERR(LX_ECHILD);
    return (options & LX_WNOHANG) ? 0 : LX_BLOCK;
}

LX_HANDLER(wait4) { return do_wait(p, (int32_t)a[0], a[1], a[2], a[3]); }
LX_HANDLER(waitpid) { return do_wait(p, (int32_t)a[0], a[1], a[2], 0); }

/* ------------------------------------------------------------------ */
/* execve                                                              */

typedef struct exec_args {
    const char *argv[ARGV_MAX], *envp[ARGV_MAX];
    char strs[ARG_BYTES];
    uint32_t used;
} exec_args_t;

/* Copies a NUL-terminated string from the process into the args buffer,
 * a page at a time, so a string ending just before an unmapped page is
 * read without touching it. */
static int copy_str(lx_proc_t *p, exec_args_t *x, uint32_t uaddr, const char **out)
{
    char *dst = x->strs + x->used;
    uint32_t got = 0;

    for (;;) {
        uint32_t chunk = LX_PAGE_SIZE - ((uaddr + got) & (LX_PAGE_SIZE - 1));
        char *end;
        int err;

        if (chunk > ARG_BYTES - x->used - got)
            chunk = ARG_BYTES - x->used - got;
        if (chunk == 0)
            return LX_ERR(LX_E2BIG);
        err = lx_user_in(p, dst + got, uaddr + got, chunk);
        if (err)
            return err;
        end = memchr(dst + got, '\0', chunk);
        if (end) {
            x->used += (uint32_t)(end - dst) + 1;
            *out = dst;
            return 0;
        }
        got += chunk;
    }
}

/* A NULL-terminated vector of strings (a NULL vector is empty, as Linux). */
static int copy_vec(lx_proc_t *p, exec_args_t *x, uint32_t uvec, const char **v)
{
    for (uint32_t i = 0; uvec; i++) {
        uint32_t ptr;
        int err;

        if (i == ARGV_MAX - 1)
            return LX_ERR(LX_E2BIG);
        err = lx_user_in(p, &ptr, uvec + 4 * i, sizeof(ptr));
        if (err)
            return err;
        if (!ptr)
            break;
        err = copy_str(p, x, ptr, &v[i]);
        if (err)
            return err;
    }
    return 0;
}

/* Adds a string to the args buffer; NULL when it is full. */
static const char *keep_str(exec_args_t *x, const char *str, uint32_t len)
{
    char *dst = x->strs + x->used;

    if (len + 1 > ARG_BYTES - x->used)
        return NULL;
    memcpy(dst, str, len);
    dst[len] = '\0';
    x->used += len + 1;
    return dst;
}

/* A "#!interpreter [argument]" script (fs/binfmt_script.c): argv becomes
 * interpreter, the argument (the rest of the line, one word), the script's
 * path, then argv[1..]; *path the interpreter. -ENOEXEC if it is none. */
static int script_args(lx_proc_t *p, const char **path, exec_args_t *x)
{
    lx_inode_t *n;
    char line[SCRIPT_LINE];
    uint32_t len, i = 2, nargc = 0, extra;
    const char *interp, *arg = NULL;

    if (lx_fs_walk(p->k, p->cwd, *path, true, &n) != 0 || !LX_S_ISREG(n->mode) ||
        !(n->mode & 0111))
        return LX_ERR(LX_ENOEXEC);      /* lx_exec says why, if anything is wrong */
    len = (uint32_t)lx_pcache_read(n, 0, line, SCRIPT_LINE - 1);
    if (len < 2 || line[0] != '#' || line[1] != '!')
        return LX_ERR(LX_ENOEXEC);
    line[len] = '\n';
    len = (uint32_t)((char *)memchr(line, '\n', len + 1) - line);
    while (len > 2 && (line[len - 1] == ' ' || line[len - 1] == '\t'))
        len--;
    while (i < len && (line[i] == ' ' || line[i] == '\t'))
        i++;
    uint32_t start = i;
    while (i < len && line[i] != ' ' && line[i] != '\t')
        i++;
    if (i == start)
        return LX_ERR(LX_ENOEXEC);
    interp = keep_str(x, line + start, i - start);
    while (i < len && (line[i] == ' ' || line[i] == '\t'))
        i++;
    if (i < len)
        arg = keep_str(x, line + i, len - i);
    const char *script = keep_str(x, *path, (uint32_t)strlen(*path));
    if (!interp || (i < len && !arg) || !script)
        return LX_ERR(LX_E2BIG);
    while (x->argv[nargc])
        nargc++;
    extra = arg ? 2 : 1;                    /* argv[0] is replaced */
    if (nargc + extra + 1 > ARGV_MAX - 1)
        return LX_ERR(LX_E2BIG);
    if (nargc > 1)
        memmove(&x->argv[1 + extra], &x->argv[1], (nargc - 1) * sizeof(x->argv[0]));
    x->argv[1 + extra + (nargc > 1 ? nargc - 1 : 0)] = NULL;
    x->argv[0] = interp;
    if (arg)
        x->argv[1] = arg;
    x->argv[extra] = script;
    *path = interp;
    return 0;
}

/* Loads the image into a new space; the old one is kept until it worked. */
static int exec_image(lx_proc_t *p, const char *path, exec_args_t *x)
{
    lx_kernel_t *k = p->k;
    lx_vma_t vma[LX_VMA_MAX];
    uint32_t brk_start = p->brk_start, brk = p->brk, mmap_top = p->mmap_top;
    void *old = p->space, *space;
    lx_exec_info_t xi;
    int err = k->ops->space_new(k->ctx, &space);

    if (err)
        return err;
    memcpy(vma, p->vma, sizeof(vma));
    p->space = space;
    for (int depth = 0; depth < SCRIPT_DEPTH && (err = script_args(p, &path, x)) == 0; depth++)
        ;
    if (err == 0 || err == LX_ERR(LX_ENOEXEC))
        err = lx_exec(p, path, x->argv, x->envp, &xi);
    if (err) {
        k->ops->space_free(k->ctx, space);
        p->space = old;
        memcpy(p->vma, vma, sizeof(vma));
        p->brk_start = brk_start;
        p->brk = brk;
        p->mmap_top = mmap_top;
        return err;
    }
    p->space = old;             /* the old image's threads end: their robust lists */
    lx_robust_exit_all(p);
    p->space = space;
    p->old_space = lx_space_shared(p, old) ? NULL : old;    /* a vfork parent's stays */
    p->execed = true;
    p->exec_entry = xi.entry;
    p->exec_sp = xi.sp;
    return 0;
}

/* execve(path, argv, envp) */
LX_HANDLER(execve)
{
    exec_args_t *x = lx_alloc(p->k, sizeof(*x));
    const char *path = NULL;
    int err;

    if (!x)
        return LX_ERR(LX_ENOMEM);
    err = copy_str(p, x, a[0], &path);
    if (!err)
        err = copy_vec(p, x, a[1], x->argv);
    if (!err)
        err = copy_vec(p, x, a[2], x->envp);
    if (!err) {
        vfork_give_layout(p);   /* the old image's, before exec replaces it */
        err = exec_image(p, path, x);
    }
    lx_free(p->k, x, sizeof(*x));
    if (err)
        return err;
    close_on_exec(p);
    p->tid = p->pid;            /* the thread left is the leader (de_thread) */
    p->comm_set = false;        /* the new image names the process */
    p->tls_base = 0;
    p->clear_child_tid = 0;
    p->robust_list = p->robust_len = 0;
    p->vfork_pending = false;
    lx_sig_exec(p);             /* handlers are the old image's addresses */
    return 0;
}
