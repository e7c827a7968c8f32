/*
 * A process, built the way a guest kernel builds its processes: every
 * object from the guest's own untypeds with memmgr (no VMM involved), a
 * thread whose faults go to an endpoint the guest kernel made, so each of
 * its system calls (`int $0x80`, delivered as an UnknownSyscall fault)
 * and its page faults arrive here as messages. The process runs in the
 * guest kernel's address space for now (its own address space needs its
 * image mapped into it, which comes with the ELF loader of the Linux
 * personality).
 *
 * The test program: it writes a line with the write system call (4,
 * Linux i386 numbering: EBX fd, ECX buffer, EDX length; the result in
 * EAX), sums an array, returns the sum with a second call, then touches
 * an address nothing maps. The guest kernel serves the calls, reports the
 * fault, takes the process down and checks that memmgr's accounting is
 * back where it started.
 */
#include <guest/guest.h>
#include <guest/lxhost.h>
#include <memmgr/mm.h>
#include <memmgr/vspace.h>
#include <memmgr/thread.h>
#include <rt/thread.h>
#include <sel4/sel4.h>

#define PROC_VADDR      0x40000000u     /* the thread's IPC buffer, TLS and stack */
#define UNMAPPED_VADDR  0x50000000u     /* nothing is ever mapped here */
#define SYS_WRITE       4u              /* Linux i386 */
#define SYS_REPORT      0x7e000001u     /* the test's own: EBX = the sum */
#define INT80_LEN       2u
#define GUEST_MAX_UTS   2048u   /* records: slabs of frames for Linux processes */
#define SUM_N           100u
#define SUM_EXPECTED    (SUM_N * (SUM_N + 1) / 2)

static seL4_Word sys3(seL4_Word nr, seL4_Word a, seL4_Word b, seL4_Word c)
{
    seL4_Word r;

    __asm__ volatile("int $0x80" : "=a"(r) : "a"(nr), "b"(a), "c"(b), "d"(c) : "memory");
    return r;
}

/* The process: runs as its own thread, talks only through faults. */
static void program(void *arg)
{
    static const char hello[] = "hello from a process of the guest kernel";
    seL4_Word sum = 0;

    (void)arg;
    sys3(SYS_WRITE, 1, (seL4_Word)hello, sizeof(hello) - 1);
    for (seL4_Word i = 1; i <= SUM_N; i++)
        sum += i;
    sys3(SYS_REPORT, sum, 0, 0);
    *(volatile int *)UNMAPPED_VADDR = 1;
}

/* mr: the fault message as received (printing through the VMM reuses the
 * message registers, so it is saved first). */
static void reply_syscall(seL4_Word *mr, seL4_Word result)
{
    mr[seL4_UnknownSyscall_EAX] = result;
    mr[seL4_UnknownSyscall_FaultIP] += INT80_LEN;
    for (int i = 0; i < seL4_UnknownSyscall_Syscall; i++)
        seL4_SetMR(i, mr[i]);
    seL4_Reply(seL4_MessageInfo_new(0, 0, 0, seL4_UnknownSyscall_Syscall));
}

/* Serves the process until its page fault; returns the number of wrong things. */
static int serve(mm_cptr_t ep)
{
    int wrong = 0, syscalls = 0;
    seL4_Word mr[seL4_UnknownSyscall_Syscall];

    for (;;) {
        seL4_Word badge;
        seL4_MessageInfo_t m = seL4_Recv(ep, &badge);
        seL4_Word label = seL4_MessageInfo_get_label(m);

        if (label == seL4_Fault_VMFault) {
            seL4_Word addr = seL4_GetMR(seL4_VMFault_Addr), ip = seL4_GetMR(seL4_VMFault_IP);
            gprintf("guest-stub: process page fault at 0x%08x (ip 0x%08x) after %d system "
                    "calls\n", addr, ip, syscalls);
            return wrong + (addr != UNMAPPED_VADDR) + (syscalls != 2);
        }
        if (label != seL4_Fault_UnknownSyscall)
            return wrong + 1;
        syscalls++;
        for (int i = 0; i < seL4_UnknownSyscall_Syscall; i++)
            mr[i] = seL4_GetMR(i);
        if (mr[seL4_UnknownSyscall_EAX] == SYS_WRITE) {
            gprintf("process: %.*s\n", (int)mr[seL4_UnknownSyscall_EDX],
                    (const char *)mr[seL4_UnknownSyscall_ECX]);
            reply_syscall(mr, mr[seL4_UnknownSyscall_EDX]);
        } else {
            gprintf("guest-stub: process reports sum %u (expected %u)\n",
                    mr[seL4_UnknownSyscall_EBX], SUM_EXPECTED);
            wrong += mr[seL4_UnknownSyscall_EBX] != SUM_EXPECTED;
            reply_syscall(mr, 0);
        }
    }
}

static int init_mm(struct mm *mm, uint8_t *meta, size_t size, rt_component_info_t *info)
{
    if (mm_init(mm, meta, size, info->cspace, GUEST_MAX_UTS) != ERR_NONE ||
        mm_add_slots(mm, info->empty_first, info->empty_first, info->empty_count, 0, 0))
        return -1;
    for (seL4_Word k = 0; k < info->n_untypeds; k++) {
        const rt_component_untyped_t *u = &info->untypeds[k];
        if (mm_add_untyped(mm, u->cap, u->paddr, u->size_bits, 0) != ERR_NONE)
            return -1;
    }
    return 0;
}

/* The guest's own memmgr owner over the untypeds it was given, made once. */
struct mm *guest_own_mm(rt_component_info_t *info, struct mm_vspace **vsp)
{
    static struct mm mm;
    static uint8_t meta[512 * 1024];   /* a record per mapping: Linux processes map many */
    static struct mm_vspace vs;
    static int ready;

    if (!ready) {
        if (init_mm(&mm, meta, sizeof(meta), info) != 0)
            return NULL;
        mm_vspace_adopt(&mm, &vs, info->vspace);
        /* The guest maps only in its free range (guest_abi.h), where the
         * VMM made no page table: marked as memmgr's own, the space gets
         * its page tables made at once instead of first trying a mapping
         * the kernel refuses (which the debug kernel reports). It is never
         * destroyed, so its page directory is never freed by memmgr. */
        vs.owned = 1;
        ready = 1;
    }
    *vsp = &vs;
    return &mm;
}

int guest_bench_delegated(rt_component_info_t *info)
{
    struct mm_vspace *vs;
    struct mm *mm = guest_own_mm(info, &vs);

    if (!mm)
        return 1;
    mm->check = 0;      /* as the VMM's owners run: no full check after every call */
    return guest_bench(mm, vs);
}

int guest_run_process(rt_component_info_t *info, const vmm_guest_boot_t *boot)
{
    static struct mm_thread t;
    struct mm_vspace *vs;
    struct mm *mm = guest_own_mm(info, &vs);
    struct mm_thread_env env = { mm, vs, 1, info->cspace, 0, info->tcb, PROC_VADDR };
    mm_cptr_t ep;
    uint32_t live;
    int wrong;

    if (!mm)
        return gprintf("guest-stub: memmgr refused its untypeds\n"), 1;
    live = mm_stats(mm)->objects_live;
    if (mm_alloc(mm, seL4_EndpointObject, 0, &ep) != ERR_NONE ||
        mm_thread_create(&t, &env, boot->priority, ep) != ERR_NONE)
        return gprintf("guest-stub: cannot build the process\n"), 1;
    gprintf("guest-stub: process built from its own untypeds (%u objects live)\n",
            mm_stats(mm)->objects_live);
    guest_report_usage(mm, 1);
    rt_thread_start(&t.rt, program, NULL);
    wrong = serve(ep);
    mm_thread_destroy(&t);
    mm_free(mm, ep);
    if (mm_stats(mm)->objects_live != live || mm_check(mm) != ERR_NONE)
        wrong += gprintf("guest-stub: memmgr's accounting did not come back\n") > 0;
    gprintf("guest-stub: process taken down, %u objects live, %llu bytes free of %llu\n",
            mm_stats(mm)->objects_live, (unsigned long long)mm_stats(mm)->free,
            (unsigned long long)mm_stats(mm)->held);
    guest_report_usage(mm, 1);
    return wrong;
}
