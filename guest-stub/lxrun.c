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
 * down) and the caller resumed: resume() builds its whole register set and
 * replies. A call that cannot finish now (LX_BLOCK) is parked: its reply
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
 * and for any other fault, the process is killed with the signal Linux
 * would send (SIGSEGV for a page fault or a general protection fault,
 * SIGFPE for a divide error, SIGILL for an invalid opcode; SIGKILL when
 * no memory is left for a copy-on-write copy). When init ends, every other
 * process is ended too; the guest kernel checks that every frame and byte
 * came back and reports init's status.
 *
 * Arguments are split at blanks; 'single' and "double" quotes group words
 * (no escapes).
 */
#include <guest/guest.h>
#include <guest/lxhost.h>
#include <memmgr/mm.h>
#include <memmgr/thread.h>
#include <sel4/sel4.h>
#include <string.h>
#include "linux/lx.h"

#define MAX_ARGS        32u
#define THREAD_VADDR    0xbf000000u     /* the thread's IPC buffer, above mmap's range */
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

/*
 * A Linux process needs a slot per frame and another per mapping of it: far
 * more than the guest's root CNode holds (2^VMM_GUEST_CNODE_BITS). The guest
 * makes its CSpace two-level, as docs/memmgr.md describes: a top-level CNode
 * of 2^L1_RADIX slots becomes its root, the old root sits in its slot 0 with
 * no guard (so every CPtr below 2^10 names what it named before), and memmgr
 * puts new CNodes of 2^10 slots in slots 1 and up when it runs out.
 */
#define L1_RADIX    6u
#define L2_BITS     VMM_GUEST_CNODE_BITS
#define L1_GUARD    (32u - L1_RADIX - L2_BITS)

static int grow_cspace(struct mm *mm, rt_component_info_t *info)
{
    seL4_Word none = seL4_CNode_CapData_new(0, 0).words[0];
    seL4_Word guard = seL4_CNode_CapData_new(0, L1_GUARD).words[0];
    mm_cptr_t l1, l1g, root = info->cspace;

    if (mm_slot_alloc(mm, &l1g) != ERR_NONE ||
        mm_alloc(mm, seL4_CapTableObject, L1_RADIX, &l1) != ERR_NONE ||
        seL4_CNode_Mint(l1, 0, L1_RADIX, root, root, 32, seL4_AllRights, none) != 0 ||
        seL4_CNode_Mint(root, l1g, 32, root, l1, 32, seL4_AllRights, guard) != 0 ||
        seL4_TCB_SetSpace(info->tcb, VMM_SLOT_FAULT, l1g, 0, VMM_SLOT_VSPACE, 0) != 0)
        return -1;
    /* memmgr's slots so far are in the old root: from the new one it is the
     * CNode at index 0, depth 32 - L2_BITS. */
    mm->root = l1g;
    for (uint32_t i = 0; i < mm->nblocks; i++)
        if (mm->blocks[i].node_depth == 0) {
            mm->blocks[i].node_index = 0;
            mm->blocks[i].node_depth = 32 - L2_BITS;
        }
    mm_set_grow(mm, L2_BITS, 1, 1u << L1_RADIX);
    return 0;
}

/* The signal a fault other than a system call kills the process with. */
static uint32_t fault_signal(seL4_Word label)
{
    if (label == seL4_Fault_VMFault)
        return SIGSEGV;
    if (label == seL4_Fault_UserException) {
        seL4_Word n = seL4_GetMR(seL4_UserException_Number);
        gprintf("guest-stub: linux: exception %u at ip 0x%08x\n", n,
                seL4_GetMR(seL4_UserException_FaultIP));
        return n == EXC_DIVIDE ? SIGFPE : n == EXC_INVALID_OP ? SIGILL : SIGSEGV;
    }
    return SIGKILL;
}


/* The guest kernel's side of one process (lx_proc_t.host). */
typedef struct gproc {
    struct mm_thread t;
    mm_cptr_t ep;               /* the fault endpoint, badged with the pid */
    mm_cptr_t reply;            /* the parked call's reply capability; 0: none */
    lx_regs_t regs;             /* the parked call's registers */
} gproc_t;

/* The run loop's state. */
typedef struct lxr {
    lx_kernel_t *k;
    struct mm *mm;
    rt_component_info_t *info;
    uint32_t prio;
    mm_cptr_t ep;               /* every process's faults arrive here */
    lx_proc_t *init;
    uint32_t running;           /* threads not parked */
    uint32_t nsys;
} lxr_t;

static void thread_stop(lxr_t *r, lx_proc_t *p)
{
    gproc_t *g = p->host;

    if (!g)
        return;
    if (g->reply) {
        seL4_CNode_Delete(r->mm->root, g->reply, CAP_DEPTH);
        mm_slot_free(r->mm, g->reply);
    } else {
        r->running--;
    }
    mm_thread_destroy(&g->t);
    seL4_CNode_Delete(r->mm->root, g->ep, CAP_DEPTH);
    mm_slot_free(r->mm, g->ep);
    lx_free(r->k, g, sizeof(*g));
    p->host = NULL;
}

/* Starts p's thread in p->space with the registers given. */
static int thread_start(lxr_t *r, lx_proc_t *p, seL4_UserContext *ctx)
{
    gproc_t *g = lx_alloc(r->k, sizeof(*g));
    struct mm_thread_env env = { r->mm, lxh_space_vspace(p->space), 0, r->mm->root, 0,
                                 r->info->tcb, THREAD_VADDR };

    if (!g)
        return -1;
    if (mm_slot_alloc(r->mm, &g->ep) != ERR_NONE) {
        lx_free(r->k, g, sizeof(*g));
        return -1;
    }
    if (seL4_CNode_Mint(r->mm->root, g->ep, CAP_DEPTH, r->mm->root, r->ep, CAP_DEPTH,
                        seL4_AllRights, p->pid) != seL4_NoError ||
        mm_thread_create(&g->t, &env, r->prio, g->ep) != ERR_NONE) {
        seL4_CNode_Delete(r->mm->root, g->ep, CAP_DEPTH);
        mm_slot_free(r->mm, g->ep);
        lx_free(r->k, g, sizeof(*g));
        return -1;
    }
    p->host = g;
    r->running++;
    ctx->gs_base = p->tls_base;     /* the TLS base is the GDT entry's (docs/api.md) */
    if (seL4_TCB_WriteRegisters(g->t.rt.tcb, 1, 0, sizeof(*ctx) / sizeof(seL4_Word), ctx) !=
        seL4_NoError) {
        thread_stop(r, p);
        return -1;
    }
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

/* A fault or the guest kernel ends the process with a signal. (Signal
 * code, later: a caught SIGSEGV goes to the process's handler instead.) */
static void kill_proc(lxr_t *r, lx_proc_t *p, uint32_t sig)
{
    proc_end(r, p, sig);
}

/* The registers a call resumes with: its result in EAX, after the
 * instruction; through the saved reply capability if the call was parked.
 * A parked call answered early (a signal: -EINTR, once p->retrying and the
 * waiting state are cleared) comes through here too. */
static void resume(lxr_t *r, lx_proc_t *p, lx_regs_t *regs, int32_t ret)
{
    gproc_t *g = p->host;
    const uint32_t *w = &regs->eax;

    regs->eax = (uint32_t)ret;
    regs->eip += INT80_LEN;
    if (p->tls_changed) {
        seL4_TCB_SetTLSBase(g->t.rt.tcb, p->tls_base);
        p->tls_changed = false;
    }
    /* Signal delivery (guesttty) goes here: it may rewrite any of *regs. */
    _Static_assert(sizeof(*regs) == seL4_UnknownSyscall_Syscall * sizeof(uint32_t),
                   "lx_regs_t is the UnknownSyscall reply");
    for (int i = 0; i < seL4_UnknownSyscall_Syscall; i++)
        seL4_SetMR(i, w[i]);
    seL4_MessageInfo_t m = seL4_MessageInfo_new(0, 0, 0, seL4_UnknownSyscall_Syscall);
    if (g->reply) {
        seL4_Send(g->reply, m);
        seL4_CNode_Delete(r->mm->root, g->reply, CAP_DEPTH);
        mm_slot_free(r->mm, g->reply);
        g->reply = 0;
        r->running++;
    } else {
        seL4_Reply(m);
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
    int32_t ret;

    for (int i = 0; i < seL4_UnknownSyscall_Syscall; i++)
        w[i] = seL4_GetMR(i);
    r->nsys++;
    ret = lx_syscall(p, &regs);
    if (ret == LX_BLOCK && !p->exited && !p->execed) {
        if (mm_slot_alloc(r->mm, &g->reply) != ERR_NONE ||
            seL4_CNode_SaveCaller(r->mm->root, g->reply, CAP_DEPTH) != seL4_NoError) {
            gprintf("guest-stub: linux: no slot to park pid %u\n", p->pid);
            g->reply = 0;
            kill_proc(r, p, SIGKILL);
            return;
        }
        g->regs = regs;
        r->running--;
    }
    if (after_call(r, p, &regs, ret))
        resume(r, p, &regs, ret);
}

static void on_fault(lxr_t *r, lx_proc_t *p, seL4_Word label)
{
    if (label == seL4_Fault_VMFault) {
        uint32_t addr = seL4_GetMR(seL4_VMFault_Addr);
        bool write = seL4_GetMR(seL4_VMFault_FSR) & PF_WRITE;
        int err = lxh_fault(p->space, addr, write);

        if (err == 0) {
            seL4_Reply(seL4_MessageInfo_new(0, 0, 0, 0));
            return;
        }
        if (err == LX_ERR(LX_ENOMEM)) {
            gprintf("guest-stub: linux: pid %u killed: out of memory for a page at 0x%08x "
                    "(%u KiB free)\n", p->pid, addr, lxh_mem_free() >> 10);
            kill_proc(r, p, SIGKILL);
            return;
        }
        gprintf("guest-stub: linux: pid %u segfault at 0x%08x ip 0x%08x\n", p->pid, addr,
                seL4_GetMR(seL4_VMFault_IP));
    }
    kill_proc(r, p, fault_signal(label));
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
                continue;
            if (after_call(r, p, &g->regs, ret))
                resume(r, p, &g->regs, ret);
            again = true;
        }
    }
}

/* A parked process only time or the console can wake. */
static bool must_poll(lxr_t *r)
{
    for (lx_proc_t *p = r->k->procs; p; p = p->next) {
        gproc_t *g = p->host;
        if (g && g->reply && (p->sleep_until || p->wait_external))
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
            m = seL4_NBRecv(r->ep, &badge);
            if (badge == 0) {
                seL4_Yield();
                wake_parked(r);
                continue;
            }
        } else if (r->running == 0) {
            deadlock(r);
            break;
        } else {
            m = seL4_Recv(r->ep, &badge);
        }
        p = lx_proc_find(r->k, badge);
        if (!p || !p->host)
            continue;           /* a fault from a thread already ended */
        if (seL4_MessageInfo_get_label(m) == seL4_Fault_UnknownSyscall)
            on_syscall(r, p);
        else
            on_fault(r, p, seL4_MessageInfo_get_label(m));
        wake_parked(r);
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
    } else if (mm_alloc(r->mm, seL4_EndpointObject, 0, &r->ep) != ERR_NONE) {
        gprintf("guest-stub: linux: no memory for an endpoint\n");
    } else {
        seL4_UserContext ctx = { .eip = xi.entry, .esp = xi.sp, .eflags = 0x202 };
        if (thread_start(r, &init, &ctx) == 0) {
            serve(r);
            status = (int)init.exit_status;
        } else {
            gprintf("guest-stub: linux: cannot start the thread\n");
        }
        shutdown(r);
        mm_free(r->mm, r->ep);
        return status;
    }
    shutdown(r);
    return status;
}

int guest_run_linux(rt_component_info_t *info, const vmm_guest_boot_t *boot)
{
    static char words[1024];
    static lx_kernel_t k;
    static lxr_t r;
    const char *argv[MAX_ARGS];
    struct mm_vspace *vs;
    struct mm *mm = guest_own_mm(info, &vs);
    uint32_t live, nsys = 0;
    int status, code;

    if (parse_init(boot->bootargs, words, sizeof(words), argv) < 0)
        return gprintf("guest-stub: linux: no program (bootargs init=PATH ...)\n"), 1;
    if (!mm)
        return gprintf("guest-stub: memmgr refused its untypeds\n"), 1;
    gprintf("guest-stub: up in its partition, %u KiB, delegated, Linux program %s\n",
            boot->memory >> 10, argv[0]);
    mm->check = 0;
    if (grow_cspace(mm, info) != 0)
        return gprintf("guest-stub: linux: cannot make the CSpace two-level\n"), 1;
    if (lx_kernel_init(&k, lxh_init(mm, vs, mm->root), NULL) != 0)
        return gprintf("guest-stub: linux: no memory for the personality\n"), 1;
    k.tls_gdt_entry = GDT_TLS_ENTRY;
    k.hwcap = cpuid1_edx();
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
    live = mm_stats(mm)->objects_live - lxh_heap_bytes() / 4096;
    r = (lxr_t){ .k = &k, .mm = mm, .info = info, .prio = boot->priority };
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
    /* The heap keeps its pages; everything else the process took is back. */
    if (mm_stats(mm)->objects_live - lxh_heap_bytes() / 4096 != live)
        gprintf("guest-stub: linux: process objects not given back (%u live, %u before)\n",
                mm_stats(mm)->objects_live - lxh_heap_bytes() / 4096, live);
    lx_kernel_release(&k);
    if (k.mem_used != 0)
        gprintf("guest-stub: linux: %u bytes of the personality not given back\n", k.mem_used);
    return code;
}
