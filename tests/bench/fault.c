/*
 * Fault round trips (sel4bench's fault benchmark and our fault paths).
 *
 * The faulter runs   rdtsc -> F_START; <faulting instruction>; rdtsc -> F_END
 * and its handler, blocked on the fault endpoint, loops in one asm block:
 *     rdtsc -> H_END; <body>; rdtsc -> H_START; ReplyRecv; jmp back
 * The "fault overhead" (sel4bench) is the same code with the faulting
 * instruction and the handler's sysenter replaced by 2-byte nops, run
 * straight through by one thread; it is subtracted from the round trip and
 * from the faulter-to-handler figure. Handler-to-faulter subtracts only an
 * rdtsc pair, as sel4bench does.
 *
 *  - fault_roundtrip: ud2 -> UserException; the body adds 2 to FaultIP (MR0).
 *  - unknown_syscall_roundtrip: int $0x80 -> UnknownSyscall; the body sets
 *    MR0 (EAX) and adds 2 to FaultIP (MR7); the reply carries MR0..MR7.
 *  - vmfault_roundtrip / pagefault_handled: a read of an unmapped page ->
 *    VMFault; the body maps a frame there (a Page_Map invocation from C).
 *    pagefault_handled is the whole round trip minus an rdtsc pair;
 *    vmfault_roundtrip subtracts everything the handler does between its
 *    two timestamps (the map invocation included) and the fixed stub cost.
 */
#include "bench.h"
#include <rt/rt.h>
#include <rt/test.h>
#include <stdio.h>
#include <string.h>

#define F_START 4
#define F_END   5
#define H_START 6
#define H_END   7

#define UNKSYS_RESULT 42u

enum fault_kind { FK_UD2, FK_UNKSYS, FK_VM };

static struct {
    enum fault_kind kind;
    seL4_CPtr ep;
    seL4_Word reply_info;
    seL4_Word *mr7;                 /* handler's IPC buffer, FaultIP of UnknownSyscall */
    int total;
    seL4_Word vm_base;              /* VM: first unmapped page; page i for sample i */
    seL4_CPtr vm_frames;            /* VM: frame caps, one per sample */
    int vm_next;
    seL4_Error vm_err;
    uint32_t rt[BENCH_MAX_SAMPLES + 2], to_h[BENCH_MAX_SAMPLES + 2], to_f[BENCH_MAX_SAMPLES + 2];
    uint32_t span[BENCH_MAX_SAMPLES + 2];
    seL4_Word check;                /* UnknownSyscall: EAX after the int */
} fb;

/* Called from the VM handler's asm body with the fault address. */
void bench_vm_map(seL4_Word addr);
void bench_vm_map(seL4_Word addr)
{
    seL4_Error err = seL4_X86_Page_Map(fb.vm_frames + (seL4_CPtr)fb.vm_next, ROOT_VSPACE,
                                       addr & ~(PAGE_SIZE - 1), seL4_ReadWrite,
                                       seL4_X86_Default_VMAttributes);
    if (err != seL4_NoError && fb.vm_err == seL4_NoError)
        fb.vm_err = err;
    fb.vm_next++;
}

/* Handler bodies (between its two timestamps). */
#define BODY_UD2    "addl $2, %%edi\n\t"
#define BODY_UNKSYS "movl %c[mr7p], %%eax\n\t" \
                    "addl $2, (%%eax)\n\t" \
                    "movl %[result], %%edi\n\t"
#define BODY_VM     "pushl %%ebp\n\t" \
                    "call bench_vm_map\n\t" \
                    "addl $4, %%esp\n\t"

#define HANDLER_LOOP(BODY) \
    __asm__ volatile( \
        "movl %[recv], %%eax\n\t" \
        "movl %c[epp], %%ebx\n\t" \
        "movl %%esp, %%ecx\n\t" \
        "leal 1f, %%edx\n\t" \
        "1: sysenter\n\t" \
        "2: rdtsc\n\t" \
        "movl %%eax, %c[h_end]\n\t" \
        BODY \
        "rdtsc\n\t" \
        "movl %%eax, %c[h_start]\n\t" \
        "movl %[rr], %%eax\n\t" \
        "movl %c[epp], %%ebx\n\t" \
        "movl %c[infop], %%esi\n\t" \
        "movl %%esp, %%ecx\n\t" \
        "leal 3f, %%edx\n\t" \
        "3: sysenter\n\t" \
        "jmp 2b" \
        : \
        : [recv] "i"(SYS_RECV), [rr] "i"(SYS_REPLY_RECV), [epp] "i"(&fb.ep), \
          [infop] "i"(&fb.reply_info), [mr7p] "i"(&fb.mr7), [result] "i"(UNKSYS_RESULT), \
          [h_end] "i"(&bench_ts[H_END]), [h_start] "i"(&bench_ts[H_START]) \
        : "eax", "ebx", "ecx", "edx", "esi", "edi", "memory", "cc")

static void handler(void *arg)
{
    (void)arg;
    /* EBP is MR1 on the way in and out: the loop owns it from here on. */
    __asm__ volatile("" : : : "memory");
    switch (fb.kind) {
    case FK_UD2:
        HANDLER_LOOP(BODY_UD2);
        break;
    case FK_UNKSYS:
        HANDLER_LOOP(BODY_UNKSYS);
        break;
    case FK_VM:
        HANDLER_LOOP(BODY_VM);
        break;
    }
}

static seL4_Word ovh_word;
static seL4_Word *ovh_mr7 = &ovh_word;

/* The same path run straight through with nops: sel4bench's fault overhead. */
#define OVERHEAD_PATH(BODY) \
    __asm__ volatile( \
        "pushl %%ebp\n\t" \
        "rdtsc\n\t" \
        "movl %%eax, %c[f_start]\n\t" \
        ".byte 0x66, 0x90\n\t" \
        "jmp 2f\n\t" \
        "2: rdtsc\n\t" \
        "movl %%eax, %c[h_end]\n\t" \
        BODY \
        "rdtsc\n\t" \
        "movl %%eax, %c[h_start]\n\t" \
        "movl %[rr], %%eax\n\t" \
        "movl %c[epp], %%ebx\n\t" \
        "movl %c[infop], %%esi\n\t" \
        "movl %%esp, %%ecx\n\t" \
        "leal 3f, %%edx\n\t" \
        "3: .byte 0x66, 0x90\n\t" \
        "rdtsc\n\t" \
        "movl %%eax, %c[f_end]\n\t" \
        "popl %%ebp" \
        : \
        : [rr] "i"(SYS_REPLY_RECV), [epp] "i"(&fb.ep), [infop] "i"(&fb.reply_info), \
          [mr7p] "i"(&ovh_mr7), [result] "i"(UNKSYS_RESULT), \
          [f_start] "i"(&bench_ts[F_START]), [f_end] "i"(&bench_ts[F_END]), \
          [h_end] "i"(&bench_ts[H_END]), [h_start] "i"(&bench_ts[H_START]) \
        : "eax", "ebx", "ecx", "edx", "esi", "edi", "memory", "cc")

/* Overhead of the full handler path, and of the stub alone (empty body):
 * returns the first; *stub_only gets (F_END - F_START) - (H_START - H_END)
 * of the empty-body path. */
static uint32_t fault_overhead(enum fault_kind kind, uint32_t *stub_only)
{
    uint32_t s[BENCH_MAX_SAMPLES + 2], e[BENCH_MAX_SAMPLES + 2];

    for (int i = 0; i < BENCH_TOTAL(); i++) {
        if (kind == FK_UD2)
            OVERHEAD_PATH(BODY_UD2);
        else
            OVERHEAD_PATH(BODY_UNKSYS);
        s[i] = bench_ts[F_END] - bench_ts[F_START];
        OVERHEAD_PATH("");
        e[i] = (bench_ts[F_END] - bench_ts[F_START]) - (bench_ts[H_START] - bench_ts[H_END]);
    }
    *stub_only = bench_mode(e + bench_cfg.warmup, bench_cfg.samples);
    return bench_mode(s + bench_cfg.warmup, bench_cfg.samples);
}

static void faulter(void *arg)
{
    (void)arg;
    for (int i = 0; i < fb.total; i++) {
        switch (fb.kind) {
        case FK_UD2:
            __asm__ volatile("rdtsc\n\tmovl %%eax, %c[s]\n\tud2\n\trdtsc\n\tmovl %%eax, %c[e]"
                             : : [s] "i"(&bench_ts[F_START]), [e] "i"(&bench_ts[F_END])
                             : "eax", "edx", "memory");
            break;
        case FK_UNKSYS:
            if (i == 0) {
                /* Warm-up: check that the reply set EAX. */
                __asm__ volatile("movl $7, %%eax\n\tint $0x80\n\tmovl %%eax, %c[chk]"
                                 : : [chk] "i"(&fb.check) : "eax", "edx", "memory");
                break;
            }
            __asm__ volatile("rdtsc\n\tmovl %%eax, %c[s]\n\tint $0x80\n\t"
                             "rdtsc\n\tmovl %%eax, %c[e]"
                             : : [s] "i"(&bench_ts[F_START]), [e] "i"(&bench_ts[F_END])
                             : "eax", "edx", "memory");
            break;
        case FK_VM: {
            seL4_Word addr = fb.vm_base + (seL4_Word)i * PAGE_SIZE;
            __asm__ volatile("rdtsc\n\tmovl %%eax, %c[s]\n\tmovl (%%ecx), %%ecx\n\t"
                             "rdtsc\n\tmovl %%eax, %c[e]"
                             : "+c"(addr)
                             : [s] "i"(&bench_ts[F_START]), [e] "i"(&bench_ts[F_END])
                             : "eax", "edx", "memory");
            break;
        }
        }
        fb.rt[i] = bench_ts[F_END] - bench_ts[F_START];
        fb.to_h[i] = bench_ts[H_END] - bench_ts[F_START];
        fb.to_f[i] = bench_ts[F_END] - bench_ts[H_START];
        fb.span[i] = bench_ts[H_START] - bench_ts[H_END];
    }
    bench_signal_done();
}

static int run_faults(enum fault_kind kind)
{
    rt_thread_t h, f;

    fb.kind = kind;
    fb.ep = bench_obj(seL4_EndpointObject, 0);
    fb.total = BENCH_TOTAL();
    if (fb.ep == 0)
        return 0;
    if (bench_thread_new(&h, PRIO_BENCH, 0, ROOT_VSPACE) != seL4_NoError)
        return 0;
    /* As sel4bench's fault app: the handler runs with the FPU disabled. */
    if (seL4_TCB_SetFlags(h.tcb, 0, seL4_TCBFlag_fpuDisabled).error != seL4_NoError)
        return 0;
    /* UnknownSyscall's FaultIP is MR7, in the handler's IPC buffer. */
    fb.mr7 = &h.ipc_buffer->msg[seL4_UnknownSyscall_FaultIP];
    if (rt_thread_start(&h, handler, NULL) != seL4_NoError)
        return 0;
    if (bench_thread_run(&f, PRIO_BENCH, fb.ep, ROOT_VSPACE, faulter, NULL) != seL4_NoError)
        return 0;
    bench_wait_done();
    bench_thread_stop(&f);
    bench_thread_stop(&h);
    return 1;
}

static void report_sub(const char *name, const uint32_t *raw, uint32_t overhead)
{
    uint32_t s[BENCH_MAX_SAMPLES];

    for (int i = 0; i < bench_cfg.samples; i++)
        s[i] = raw[bench_cfg.warmup + i] - overhead;
    bench_report(name, s, bench_cfg.samples);
}

static uint32_t pair_overhead_asm(void)
{
    uint32_t s[BENCH_MAX_SAMPLES + 2];

    for (int i = 0; i < BENCH_TOTAL(); i++) {
        __asm__ volatile("rdtsc\n\tmovl %%eax, %c[a]\n\trdtsc\n\tmovl %%eax, %c[b]"
                         : : [a] "i"(&bench_ts[H_START]), [b] "i"(&bench_ts[F_END])
                         : "eax", "edx", "memory");
        s[i] = bench_ts[F_END] - bench_ts[H_START];
    }
    return bench_mode(s + bench_cfg.warmup, bench_cfg.samples);
}

void bench_faults(void)
{
    uint32_t pair = pair_overhead_asm(), stub, ovh;

    memset(&fb, 0, sizeof(fb));
    /* ud2 -> UserException, as sel4bench. */
    fb.reply_info = seL4_MessageInfo_new(0, 0, 0, 1).words[0];
    ovh = fault_overhead(FK_UD2, &stub);
    printf("bench: fault overhead %u (ud2 handler path), stub %u, pair %u\n", (unsigned)ovh,
           (unsigned)stub, (unsigned)pair);
    if (run_faults(FK_UD2)) {
        report_sub("fault_roundtrip", fb.rt, ovh);
        report_sub("fault_to_handler", fb.to_h, ovh);
        report_sub("fault_handler_to_faulter", fb.to_f, pair);
    } else {
        bench_skip("fault_roundtrip", "could not set up the threads");
    }

    /* int $0x80 -> UnknownSyscall; reply sets EAX and EIP. */
    memset(&fb, 0, sizeof(fb));
    fb.reply_info = seL4_MessageInfo_new(0, 0, 0, seL4_UnknownSyscall_FaultIP + 1).words[0];
    ovh = fault_overhead(FK_UNKSYS, &stub);
    if (!run_faults(FK_UNKSYS))
        bench_skip("unknown_syscall_roundtrip", "could not set up the threads");
    else if (fb.check != UNKSYS_RESULT)
        bench_skip("unknown_syscall_roundtrip",
                   "the reply did not set EAX (got 0x%x, want %u)", (unsigned)fb.check,
                   UNKSYS_RESULT);
    else {
        report_sub("unknown_syscall_roundtrip", fb.rt, ovh);
        report_sub("unknown_syscall_to_handler", fb.to_h, ovh);
        report_sub("unknown_syscall_handler_to_faulter", fb.to_f, pair);
    }

    /* Read of an unmapped page -> VMFault; the handler maps a frame. */
    memset(&fb, 0, sizeof(fb));
    fb.reply_info = seL4_MessageInfo_new(0, 0, 0, 0).words[0];
    fault_overhead(FK_UD2, &stub);
    fb.vm_base = bench_region(1);
    fb.vm_frames = bench_slots((seL4_Word)BENCH_TOTAL());
    seL4_CPtr ut = bench_untyped(18);
    seL4_CPtr pt = bench_obj(seL4_X86_PageTableObject, 0);
    seL4_Error err = (fb.vm_frames == 0 || ut == 0 || pt == 0) ? seL4_NotEnoughMemory :
        bench_retype(ut, seL4_X86_4K, 0, fb.vm_frames, (seL4_Word)BENCH_TOTAL());
    if (err == seL4_NoError)
        err = seL4_X86_PageTable_Map(pt, ROOT_VSPACE, fb.vm_base, seL4_X86_Default_VMAttributes);
    if (err != seL4_NoError) {
        bench_fail("vmfault set-up", err);
        bench_skip("vmfault_roundtrip", "set-up failed");
        return;
    }
    if (!run_faults(FK_VM)) {
        bench_skip("vmfault_roundtrip", "could not set up the threads");
        return;
    }
    if (fb.vm_err != seL4_NoError) {
        bench_skip("vmfault_roundtrip", "the handler's Page_Map failed: %s",
                   rt_error_name(fb.vm_err));
        return;
    }
    uint32_t s[BENCH_MAX_SAMPLES];
    for (int i = 0; i < bench_cfg.samples; i++) {
        int k = bench_cfg.warmup + i;
        s[i] = fb.rt[k] - fb.span[k] - stub;
    }
    bench_report("vmfault_roundtrip", s, bench_cfg.samples);
    report_sub("pagefault_handled", fb.rt, pair);
    report_sub("vmfault_handler_span", fb.span, 0);
    seL4_CNode_Revoke(ROOT_CNODE, ut, CPTR_DEPTH);
}
