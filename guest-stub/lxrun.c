/*
 * The guest kernel runs a Linux program: bootargs `init=PATH ARG...`.
 *
 * The personality (guest-stub/linux/, liblinux.a) is set up over memmgr
 * (lxhost.c); the initrd the configuration names (a newc cpio archive, which
 * the VMM maps read-only at boot->initrd_vaddr) is unpacked into its file
 * system; PATH is loaded into a process of its own VSpace with a thread
 * whose faults come to an endpoint of the guest kernel's. Then every
 * `int $0x80` arrives as an UnknownSyscall fault: lx_syscall() answers, a
 * set_thread_area is applied with TCB SetTLSBase (the kernel loads %gs with
 * selector 0x3B on the way out), and the reply sets EAX and resumes after
 * the two-byte instruction. Any other fault kills the process with the
 * signal Linux would send (SIGSEGV for a page fault or a general protection
 * fault, SIGFPE for a divide error, SIGILL for an invalid opcode); the
 * guest kernel takes it down, checks that every frame and byte came back,
 * and reports the status.
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

/* Serves the process's faults until it exits or dies; its wait status. */
static uint32_t serve(lx_proc_t *p, mm_cptr_t ep, mm_cptr_t tcb, uint32_t *nsys)
{
    seL4_Word mr[seL4_UnknownSyscall_Syscall];

    for (;;) {
        seL4_Word badge;
        seL4_MessageInfo_t m = seL4_Recv(ep, &badge);
        seL4_Word label = seL4_MessageInfo_get_label(m);
        lx_regs_t r;
        int32_t ret;

        if (label != seL4_Fault_UnknownSyscall) {
            uint32_t sig = fault_signal(label);
            if (label == seL4_Fault_VMFault)
                gprintf("guest-stub: linux: pid %u segfault at 0x%08x ip 0x%08x\n", p->pid,
                        seL4_GetMR(seL4_VMFault_Addr), seL4_GetMR(seL4_VMFault_IP));
            return sig;
        }
        for (int i = 0; i < seL4_UnknownSyscall_Syscall; i++)
            mr[i] = seL4_GetMR(i);
        r = (lx_regs_t){ mr[seL4_UnknownSyscall_EAX], mr[seL4_UnknownSyscall_EBX],
                         mr[seL4_UnknownSyscall_ECX], mr[seL4_UnknownSyscall_EDX],
                         mr[seL4_UnknownSyscall_ESI], mr[seL4_UnknownSyscall_EDI],
                         mr[seL4_UnknownSyscall_EBP] };
        (*nsys)++;
        ret = lx_syscall(p, &r);
        if (p->exited)
            return p->exit_status;
        if (p->tls_changed) {
            seL4_TCB_SetTLSBase(tcb, p->tls_base);
            p->tls_changed = false;
        }
        mr[seL4_UnknownSyscall_EAX] = (seL4_Word)ret;
        mr[seL4_UnknownSyscall_FaultIP] += INT80_LEN;
        for (int i = 0; i < seL4_UnknownSyscall_Syscall; i++)
            seL4_SetMR(i, mr[i]);
        seL4_Reply(seL4_MessageInfo_new(0, 0, 0, seL4_UnknownSyscall_Syscall));
    }
}

/* Runs argv[0] in a new process; its wait status, or -1 if it never ran. */
static int run(lx_kernel_t *k, struct mm *mm, rt_component_info_t *info,
               const vmm_guest_boot_t *boot, const char *const argv[], uint32_t *nsys)
{
    static struct mm_thread t;
    static lx_proc_t p;
    lxh_space_t *space;
    lx_exec_info_t xi;
    mm_cptr_t ep;
    int err, status = -1;

    if (lxh_space_create(&space) != 0)
        return gprintf("guest-stub: linux: cannot make an address space (no memory, or no "
                       "ASID pool: the VMM gives one to each of at most 3 guests)\n"), -1;
    err = lx_proc_init(k, &p, space);
    if (err == 0)
        err = lx_exec(&p, argv[0], argv, envp, &xi);
    if (err != 0) {
        gprintf("guest-stub: linux: cannot execute %s: error %d\n", argv[0], -err);
    } else {
        struct mm_thread_env env = { mm, lxh_space_vspace(space), 0, mm->root, 0,
                                     info->tcb, THREAD_VADDR };
        if (mm_alloc(mm, seL4_EndpointObject, 0, &ep) != ERR_NONE) {
            gprintf("guest-stub: linux: no memory for an endpoint\n");
        } else {
            if (mm_thread_create(&t, &env, boot->priority, ep) != ERR_NONE) {
                gprintf("guest-stub: linux: no memory for a thread\n");
            } else {
                seL4_UserContext ctx = { .eip = xi.entry, .esp = xi.sp, .eflags = 0x202 };
                seL4_TCB_SetTLSBase(t.rt.tcb, 0);
                if (seL4_TCB_WriteRegisters(t.rt.tcb, 1, 0, sizeof(ctx) / sizeof(seL4_Word),
                                            &ctx) == seL4_NoError)
                    status = (int)serve(&p, ep, t.rt.tcb, nsys);
                else
                    gprintf("guest-stub: linux: cannot start the thread\n");
                mm_thread_destroy(&t);
            }
            mm_free(mm, ep);
        }
    }
    lx_proc_release(&p);
    lxh_space_destroy(space);
    return status;
}

int guest_run_linux(rt_component_info_t *info, const vmm_guest_boot_t *boot)
{
    static char words[1024];
    static lx_kernel_t k;
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
    status = run(&k, mm, info, boot, argv, &nsys);
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
