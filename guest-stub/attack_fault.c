/*
 * Faulting on purpose, in every way, and touching addresses everywhere
 * (delegated: it needs a thread of its own). A probe thread runs in the
 * attacker's own address space with the attacker's own endpoint as its
 * fault endpoint, so every fault arrives here as a message and the
 * attacker survives to count it. The probe does one thing (read, write or
 * jump to an address, an instruction ring 3 may not execute, a trap, a
 * call on a guessed capability) and then `int $0x80` with a marker: that
 * message says the thing did not fault. After each message the probe is
 * restarted from the top with the next thing (TCB WriteRegisters with
 * resume: it cancels the pending reply).
 *
 * Expected messages (seL4 ia32 fault layouts, abi/faults.h): VMFault with
 * the exact address (and the prefetch flag for a jump); UserException with
 * the vector (#DE 0, #BP 3, #UD 6, #GP 13 with its error code);
 * UnknownSyscall for `int $0x80`, seL4's trap range 0x9E-0xFE and a bad
 * system-call number; CapFault with the CPtr that did not resolve. An
 * address reads without a fault exactly where the attacker itself has
 * something mapped: its image, stack, IPC buffer, boot page, or what its
 * memmgr mapped (the probe thread's own pages).
 */
#include <guest/attack.h>
#include <guest/lxhost.h>
#include <memmgr/mm.h>
#include <memmgr/vspace.h>
#include <memmgr/thread.h>
#include <abi/faults.h>

#define PROBE_VADDR     0x40000000u     /* the probe thread's IPC buffer, TLS, stack */
#define DONE_MARK       0x00d0e0u       /* EAX of the probe's "no fault" int $0x80 */
#define GRID_STEP       (1u << 20)
#define WRITE_EVERY     16u             /* a write probe every 16 MiB */
#define KERNEL_BASE     0xe0000000u     /* seL4_UserTop on ia32 */
#define VEC_DE          0u
#define VEC_BP          3u
#define VEC_UD          6u
#define VEC_GP          13u
#define GP_IDT_CODE(v)  (((v) << 3) | 2u)   /* #GP error code: IDT entry v (SDM 6.13) */
#define BAD_SELECTOR    0x0104u     /* LDT entry 0x20: bytes 0x100.. of page 0 */
#define LDT_SELECTOR    (BAD_SELECTOR | 3u)
#define LDT_ENTRY       (BAD_SELECTOR & ~7u)    /* its byte offset in the LDT */
#define KERNEL_CS       0x08u       /* the kernel's code segment (arch/ia32/gdt.h) */
#define GDT_END         0x40u       /* the first selector past the GDT's 8 entries */
#define GATE_TARGET     0x800u      /* where the call gate would enter ring 0 */
#define UD2_BYTES       0x0b0fu
/* Descriptors (SDM 3.4.5, 5.8.3): a flat 4 GiB data segment for ring 3,
 * and a 32-bit call gate usable from ring 3 into the kernel's code. */
#define DESC_DATA_LOW   0x0000ffffu
#define DESC_DATA_HIGH  0x00cff200u
#define DESC_GATE_LOW   ((KERNEL_CS << 16) | GATE_TARGET)
#define DESC_GATE_HIGH  0x0000ec00u
#define CPTR_PROBES     64u
#define BAD_SYSCALL     ((seL4_Word)-100)
#define PAGE            (1u << seL4_PageBits)
#define RO_VADDR        0x40200000u     /* a frame of its own, mapped read-only */

extern char __image_end[];

enum op {
    OP_READ, OP_WRITE, OP_JUMP, OP_UD2, OP_INT3, OP_DIV0, OP_HLT, OP_CLI, OP_IN, OP_OUT,
    OP_INT_GP, OP_SEGMENT, OP_TRAP, OP_CALL_CPTR, OP_RECV_CPTR, OP_BAD_STACK, OP_SYSCALL_NR,
    OP_RDMSR, OP_LIDT, OP_FARCALL, OP_CALL_XCAP,
};

static volatile struct { enum op op; seL4_Word arg; } job;

static void probe_done(void)
{
    __asm__ volatile("int $0x80" : : "a"(DONE_MARK) : "memory");
}

static void do_misc(enum op op, seL4_Word arg)
{
    static volatile uint32_t zero;
    uint16_t port = (uint16_t)arg;

    switch (op) {
    case OP_UD2: __asm__ volatile("ud2"); break;
    case OP_INT3: __asm__ volatile("int3"); break;
    case OP_DIV0: __asm__ volatile("divl %2" : : "a"(1), "d"(0), "r"(zero)); break;
    case OP_HLT: __asm__ volatile("hlt"); break;
    case OP_CLI: __asm__ volatile("cli"); break;
    case OP_IN: { uint8_t v; __asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port)); break; }
    case OP_OUT: __asm__ volatile("outb %0, %1" : : "a"((uint8_t)0x10), "Nd"(port)); break;
    case OP_INT_GP: __asm__ volatile("int $0x81"); break;
    case OP_SEGMENT: __asm__ volatile("movw %w0, %%ds" : : "r"(arg)); break;
    case OP_TRAP: __asm__ volatile("int $0xa0" : : "a"(arg)); break;
    case OP_RDMSR: __asm__ volatile("rdmsr" : : "c"(arg) : "eax", "edx"); break;
    case OP_LIDT: { uint64_t d = 0; __asm__ volatile("lidt %0" : : "m"(d)); break; }
    case OP_FARCALL: {
        struct { uint32_t off; uint16_t sel; } __attribute__((packed)) fp = { 0, (uint16_t)arg };
        __asm__ volatile("lcall *%0" : : "m"(fp) : "memory");
        break;
    }
    case OP_SYSCALL_NR:
        __asm__ volatile("int $0x9e" : : "a"(BAD_SYSCALL));
        break;
    default: break;
    }
}

static void probe_main(void *unused)
{
    enum op op = job.op;
    seL4_Word arg = job.arg;

    (void)unused;
    if (op == OP_READ)
        (void)*(volatile uint32_t *)arg;
    else if (op == OP_WRITE)
        *(volatile uint32_t *)arg = 0;
    else if (op == OP_JUMP)
        ((void (*)(void))arg)();
    else if (op == OP_CALL_CPTR)
        seL4_Call(arg, seL4_MessageInfo_new(0, 0, 0, 0));
    else if (op == OP_RECV_CPTR)
        seL4_Recv(arg, NULL);
    else if (op == OP_CALL_XCAP) {
        seL4_SetCap(0, arg);        /* the authority of SetPriority, not a capability */
        seL4_Call(VMM_SLOT_TCB, seL4_MessageInfo_new(INV_TCB_SET_PRIORITY, 0, 1, 1));
    }
    else if (op == OP_BAD_STACK)
        __asm__ volatile("movl %0, %%esp; pushl $0" : : "r"(arg) : "memory");
    else
        do_misc(op, arg);
    probe_done();
}

struct prober {
    struct mm_thread t;
    mm_cptr_t ep;
};

/* One probe: returns the fault message's label, the words in mr[]. */
static seL4_Word probe(struct prober *p, enum op op, seL4_Word arg, seL4_Word *mr)
{
    seL4_Word badge, label;
    seL4_MessageInfo_t m;

    job.op = op;
    job.arg = arg;
    rt_thread_start(&p->t.rt, probe_main, NULL);
    m = seL4_Recv(p->ep, &badge);
    label = seL4_MessageInfo_get_label(m);
    for (uint32_t i = 0; i < UNKSYS_LENGTH; i++)
        mr[i] = seL4_GetMR((int)i);
    return label;
}

static int is_done(seL4_Word label, const seL4_Word *mr)
{
    return label == seL4_Fault_UnknownSyscall &&
           mr[UNKSYS_SYSCALL] == UNKSYS_TRAP_NUMBER(LINUX_SYSCALL_VECTOR, DONE_MARK);
}

/* A memory access at va: a VMFault there, or no fault where it maps itself. */
static void access(struct atk *a, struct prober *p, enum op op, seL4_Word va)
{
    seL4_Word mr[UNKSYS_LENGTH], label = probe(p, op, va, mr);
    const char *what = op == OP_READ ? "read" : op == OP_WRITE ? "write" : "jump";

    if (op != OP_JUMP && atk_mapped(a, va) && !(op == OP_WRITE && va == RO_VADDR)) {
        atk_expect(a, "access to its own memory", va, is_done(label, mr), 1);
        return;
    }
    if (!atk_expect(a, what, va, label, seL4_Fault_VMFault))
        return;
    atk_expect(a, "fault address", va, mr[VMFAULT_ADDR], va);
    /* ia32 32-bit paging without SMEP or NX sets no instruction-fetch bit
     * in the error code (SDM 4.7), so seL4 reports no jump as a prefetch. */
    atk_expect(a, "prefetch flag", va, mr[VMFAULT_PREFETCH], 0);
}

static void exception(struct atk *a, struct prober *p, enum op op, seL4_Word arg,
                      seL4_Word vector, int code, seL4_Word want_code)
{
    seL4_Word mr[UNKSYS_LENGTH];

    if (!atk_expect(a, "exception", op, probe(p, op, arg, mr), seL4_Fault_UserException)) {
        gprintf("attack: probe %u: %x %x %x %x %x\n", op, mr[0], mr[1], mr[2], mr[3], mr[4]);
        return;
    }
    atk_expect(a, "exception vector", op, mr[USEREXC_NUMBER], vector);
    if (code)
        atk_expect(a, "exception error code", op, mr[USEREXC_CODE], want_code);
}

static void grid(struct atk *a, struct prober *p)
{
    for (uint64_t va = 0; va < ((uint64_t)1 << 32); va += GRID_STEP) {
        access(a, p, OP_READ, (seL4_Word)va);
        if ((va / GRID_STEP) % WRITE_EVERY == 0 && !atk_mapped(a, (seL4_Word)va))
            access(a, p, OP_WRITE, (seL4_Word)va);
    }
    access(a, p, OP_READ, 0xfffffffcu);
    access(a, p, OP_WRITE, KERNEL_BASE);
    access(a, p, OP_JUMP, KERNEL_BASE + GRID_STEP);
    access(a, p, OP_JUMP, 0x50000000u);
    access(a, p, OP_JUMP, 0);
    /* Its own image is mapped read-write, its boot page too; the end of
     * the image is the first unmapped byte. */
    access(a, p, OP_READ, (seL4_Word)__image_end);
}

static void traps(struct atk *a, struct prober *p)
{
    seL4_Word mr[UNKSYS_LENGTH];

    exception(a, p, OP_UD2, 0, VEC_UD, 0, 0);
    exception(a, p, OP_INT3, 0, VEC_BP, 0, 0);
    exception(a, p, OP_DIV0, 0, VEC_DE, 0, 0);
    exception(a, p, OP_HLT, 0, VEC_GP, 1, 0);
    exception(a, p, OP_CLI, 0, VEC_GP, 1, 0);
    exception(a, p, OP_IN, 0x60, VEC_GP, 1, 0);
    exception(a, p, OP_OUT, 0xf4, VEC_GP, 1, 0);       /* QEMU's exit device */
    exception(a, p, OP_OUT, 0x3f8, VEC_GP, 1, 0);      /* the console's COM1 */
    exception(a, p, OP_INT_GP, 0, VEC_GP, 1, GP_IDT_CODE(0x81u));
    exception(a, p, OP_SEGMENT, BAD_SELECTOR, VEC_GP, 1, BAD_SELECTOR & ~3u);
    exception(a, p, OP_SEGMENT, KERNEL_CS, VEC_GP, 1, KERNEL_CS);
    exception(a, p, OP_SEGMENT, GDT_END, VEC_GP, 1, GDT_END);
    exception(a, p, OP_RDMSR, 0x10, VEC_GP, 1, 0);
    exception(a, p, OP_LIDT, 0, VEC_GP, 1, 0);
    if (atk_expect(a, "trap 0xa0", 0, probe(p, OP_TRAP, 7, mr), seL4_Fault_UnknownSyscall))
        atk_expect(a, "trap number", 0, mr[UNKSYS_SYSCALL], UNKSYS_TRAP_NUMBER(0xa0u, 7));
    if (atk_expect(a, "bad system call", 0, probe(p, OP_SYSCALL_NR, 0, mr),
                   seL4_Fault_UnknownSyscall))
        atk_expect(a, "its number", 0, mr[UNKSYS_SYSCALL],
                   UNKSYS_TRAP_NUMBER(0x9eu, BAD_SYSCALL));
    if (atk_expect(a, "stack in the kernel window", 0, probe(p, OP_BAD_STACK, KERNEL_BASE, mr),
                   seL4_Fault_VMFault))
        atk_expect(a, "its address", 0, mr[VMFAULT_ADDR], KERNEL_BASE - sizeof(seL4_Word));
}

/*
 * The local descriptor table. Nothing in the kernel uses one, but the CPU
 * has an LDT register all the same: left as the boot firmware left it
 * (after reset: base 0, limit 0xffff, usable), a selector with its TI bit
 * set makes the CPU read descriptors from linear addresses 0..0xffff of
 * the current address space, which a guest can map and fill. A data
 * segment there is harmless, paging still holds; a call gate there, of
 * ring 3, into the kernel's code segment, runs the guest's code in ring 0.
 * With a null LDT loaded at boot both are #GP with the selector.
 */
static void ldt(struct atk *a, struct prober *p)
{
    uintptr_t page0 = 0;
    volatile uint32_t *desc;
    seL4_X86_VMAttributes attr = seL4_X86_Default_VMAttributes;
    mm_cptr_t f, pt;

    /* Hidden from the compiler, which takes small constants for null. */
    __asm__("" : "+r"(page0));
    desc = (volatile uint32_t *)(page0 + LDT_ENTRY);

    if (!atk_expect(a, "a frame", 0, mm_alloc(a->mm, seL4_X86_4K, 0, &f), 0) ||
        !atk_expect(a, "a page table", 0, mm_alloc(a->mm, seL4_X86_PageTableObject, 0, &pt), 0) ||
        !atk_expect(a, "page table at 0", 0, seL4_X86_PageTable_Map(pt, VMM_SLOT_VSPACE, 0, attr),
                    seL4_NoError) ||
        !atk_expect(a, "frame at 0", 0, seL4_X86_Page_Map(f, VMM_SLOT_VSPACE, 0, seL4_AllRights,
                                                          attr), seL4_NoError))
        return;
    desc[0] = DESC_DATA_LOW;
    desc[1] = DESC_DATA_HIGH;
    exception(a, p, OP_SEGMENT, LDT_SELECTOR, VEC_GP, 1, BAD_SELECTOR);
    *(volatile uint16_t *)(page0 + GATE_TARGET) = UD2_BYTES;
    desc[0] = DESC_GATE_LOW;
    desc[1] = DESC_GATE_HIGH;
    exception(a, p, OP_FARCALL, LDT_SELECTOR, VEC_GP, 1, BAD_SELECTOR);
    atk_expect(a, "frame unmapped", 0, seL4_X86_Page_Unmap(f), seL4_NoError);
    atk_expect(a, "page table unmapped", 0, seL4_X86_PageTable_Unmap(pt), seL4_NoError);
    mm_free(a->mm, pt);
    mm_free(a->mm, f);
}

/* Guessed CPtrs invoked: a CapFault names each, in the send or receive phase. */
static void guessed(struct atk *a, struct prober *p)
{
    seL4_Word mr[UNKSYS_LENGTH];
    mm_cptr_t send_only;

    for (uint32_t k = 0; k < CPTR_PROBES; k++) {
        seL4_Word cptr = atk_rand(a) | (1u << (VMM_GUEST_CNODE_BITS + k % 22));
        enum op op = k % 3 == 2 ? OP_CALL_XCAP : k % 3 ? OP_RECV_CPTR : OP_CALL_CPTR;
        if (!atk_expect(a, "invoking a guessed CPtr", cptr, probe(p, op, cptr, mr),
                        seL4_Fault_CapFault))
            continue;
        atk_expect(a, "the CPtr in the fault", cptr, mr[CAPFAULT_ADDR], cptr);
        atk_expect(a, "receive phase", cptr, mr[CAPFAULT_IN_RECV_PHASE], op == OP_RECV_CPTR);
    }
    /* Receiving on an endpoint capability without Read: a CapFault in the
     * receive phase (seL4 handleRecv), not an error. */
    if (mm_slot_alloc(a->mm, &send_only) == ERR_NONE) {
        seL4_CNode_Mint(VMM_SLOT_CNODE, send_only, seL4_WordBits, VMM_SLOT_CNODE, p->ep,
                        seL4_WordBits, seL4_CapRights_new(0, 0, 0, 1), 0);
        if (atk_expect(a, "receiving without Read", send_only,
                       probe(p, OP_RECV_CPTR, send_only, mr), seL4_Fault_CapFault))
            atk_expect(a, "receive phase", send_only, mr[CAPFAULT_IN_RECV_PHASE], 1);
        seL4_CNode_Delete(VMM_SLOT_CNODE, send_only, seL4_WordBits);
        mm_slot_free(a->mm, send_only);
    }
    /* Empty slots of its own CNode resolve (to a null capability): no
     * fault, an InvalidCapability error, as on seL4. */
    for (seL4_Word s = VMM_SLOT_FIRST_FREE; s < (1u << VMM_GUEST_CNODE_BITS); s += 37)
        if (atk_slot_empty(s))
            atk_expect(a, "invoking an empty slot", s, seL4_MessageInfo_get_label(
                           seL4_Call(s, seL4_MessageInfo_new(0, 0, 0, 0))),
                       seL4_InvalidCapability);
}

/* SetIPCBuffer on the probe: a buffer that is no frame, one misaligned. */
static void ipc_buffer(struct atk *a, struct prober *p)
{
    atk_expect(a, "IPC buffer no frame", 0,
               seL4_TCB_SetIPCBuffer(p->t.rt.tcb, PROBE_VADDR, p->ep), seL4_IllegalOperation);
    atk_expect(a, "IPC buffer misaligned", 0,
               seL4_TCB_SetIPCBuffer(p->t.rt.tcb, PROBE_VADDR + 4, p->t.rt.ipc_frame),
               seL4_AlignmentError);
}

void atk_faults(struct atk *a)
{
    static struct prober p;
    struct mm_thread_env env;
    mm_cptr_t ro;

    a->mm = guest_own_mm(a->info, &a->vs);
    if (!atk_expect(a, "its own memmgr", 0, a->mm != NULL, 1))
        return;
    env = (struct mm_thread_env){ a->mm, a->vs, 1, VMM_SLOT_CNODE, 0, VMM_SLOT_TCB,
                                  PROBE_VADDR };
    if (!atk_expect(a, "endpoint", 0, mm_alloc(a->mm, seL4_EndpointObject, 0, &p.ep), 0) ||
        !atk_expect(a, "probe thread", 0, mm_thread_create(&p.t, &env, a->boot->priority, p.ep),
                    0))
        return;
    if (!atk_expect(a, "read-only frame", 0, mm_alloc(a->mm, seL4_X86_4K, 0, &ro), 0) ||
        !atk_expect(a, "mapped", 0, mm_vspace_map(a->vs, ro, RO_VADDR, MM_RO, 0, 0), 0))
        return;
    grid(a, &p);
    access(a, &p, OP_WRITE, RO_VADDR);
    access(a, &p, OP_READ, RO_VADDR);
    mm_vspace_unmap(a->vs, RO_VADDR);
    mm_free(a->mm, ro);
    traps(a, &p);
    ldt(a, &p);
    guessed(a, &p);
    ipc_buffer(a, &p);
    mm_thread_destroy(&p.t);
    mm_free(a->mm, p.ep);
}
