/*
 * System tests of the CPU state a thread controls (docs/design.md, "CPU
 * state a thread controls", and docs/security.md): whatever flags,
 * segment selectors, stack pointer or FPU control words a thread enters
 * the kernel with, the kernel neither trips over them nor lets them reach
 * another thread, and it leaves each thread as seL4 does. Each test below
 * names the review finding it reproduces (issue: EFLAGS.NT panicked the
 * kernel on the next iret, TF at sysenter, selectors leaking between
 * threads, the fastpath ignoring a saved fault).
 *
 * The root task runs at ROOT_PRIO; threads above it run as soon as they
 * are made runnable, threads at ROOT_PRIO take turns with the root when
 * it yields (round robin within a priority).
 */
#include <rt/rt.h>
#include <rt/test.h>
#include <rt/thread.h>
#include <rt/tls.h>
#include <sel4/sel4.h>
#include <string.h>
#include <systest.h>
#include <eflags.h>

static struct st_root mem;    /* what the tests allocate from */

#define ROOT_CNODE  seL4_CapInitThreadCNode
#define DEPTH       seL4_WordBits
#define ROOT_PRIO   100
#define SERVER_PRIO 120
#define HIGH_PRIO   150


/* Selectors of our GDT (arch/ia32/include/arch/gdt.h, seL4's layout). */
#define SEL_NULL    0x00
#define SEL_DS_0    0x10
#define SEL_CS_3    0x1b
#define SEL_DS_3    0x23
#define SEL_FS      0x33
#define SEL_GS      0x3b

#define YIELD_NR    ((seL4_Word)SYS_YIELD)
#define GP_FAULT    13              /* #GP */
#define LABEL_CALL  0x77
#define LABEL_SEND  0x78
#define ROUNDS      4
#define KERNEL_ADDR 0xe0001000u     /* inside the kernel window */

static seL4_Word flags_get(void)
{
    seL4_Word f;
    __asm__ volatile("pushfl\n\tpopl %0" : "=r"(f));
    return f;
}

static void flags_or(seL4_Word bits)
{
    __asm__ volatile("pushfl\n\torl %0, (%%esp)\n\tpopfl" : : "ri"(bits) : "cc", "memory");
}

static void flags_clear(seL4_Word bits)
{
    __asm__ volatile("pushfl\n\tandl %0, (%%esp)\n\tpopfl" : : "ri"(~bits) : "cc", "memory");
}

struct sels {
    seL4_Word ds, es, fs, gs;
};

static struct sels sels_get(void)
{
    struct sels s = { 0, 0, 0, 0 };
    __asm__ volatile("movw %%ds, %w0\n\tmovw %%es, %w1\n\tmovw %%fs, %w2\n\tmovw %%gs, %w3"
                     : "+r"(s.ds), "+r"(s.es), "+r"(s.fs), "+r"(s.gs));
    return s;
}

static seL4_Error start(rt_thread_t *t, seL4_Word prio, seL4_CPtr fault_ep, rt_thread_fn_t fn,
                        void *arg)
{
    seL4_Error e = st_thread_create(&mem, t, prio, fault_ep);
    return e != seL4_NoError ? e : rt_thread_start(t, fn, arg);
}

/* ---- EFLAGS.NT: a thread with NT set enters by sysenter, and the kernel
 * then leaves into a thread through iret (a fresh thread never entered the
 * kernel, so it is restored by iret). Before the fix the iret ran with NT
 * set in ring 0, a nested-task return: #TS and a kernel panic. ---- */

static volatile int fresh_ran;

static void fresh_thread(void *arg)
{
    (void)arg;
    fresh_ran = 1;
}

static void test_nt_then_iret(void)
{
    rt_thread_t t;

    TEST_BEGIN("security/nt_flag_then_iret_into_other_thread");
    fresh_ran = 0;
    ASSERT_OK(start(&t, ROOT_PRIO, 0, fresh_thread, NULL));
    flags_or(FL_NT);
    seL4_Yield();                   /* the fresh thread runs, via iret */
    seL4_Word after = flags_get();
    flags_clear(FL_NT);
    EXPECT_EQ(fresh_ran, 1);
    /* Our own flags come back as we had them (seL4 keeps them too). */
    EXPECT_EQ(after & FL_NT, FL_NT);
    EXPECT_INVARIANTS();
    TEST_END();
}

/* NT, AC and DF on both halves of the IPC fastpath
 * (Call and ReplyRecv) and the slow path: nothing panics, every thread
 * gets its own flags back. */
static struct {
    seL4_CPtr ep;
    volatile int rounds, bad;
} ntsrv;

/* Not the arithmetic flags: the compiled code around the call changes them. */
#define ODD_FLAGS (FL_NT | FL_AC | FL_DF)

static void nt_server(void *arg)
{
    seL4_Word badge;
    (void)arg;
    seL4_MessageInfo_t info = seL4_Recv(ntsrv.ep, &badge);
    for (;;) {
        ntsrv.rounds++;
        flags_or(ODD_FLAGS);
        info = seL4_ReplyRecv(ntsrv.ep, seL4_MessageInfo_new(seL4_MessageInfo_get_label(info) + 1,
                                                             0, 0, seL4_MessageInfo_get_length(info)),
                              &badge);
        if ((flags_get() & ODD_FLAGS) != ODD_FLAGS)
            ntsrv.bad++;
        flags_clear(ODD_FLAGS);
    }
}

static void test_odd_flags_ipc(void)
{
    rt_thread_t s;

    TEST_BEGIN("security/nt_ac_df_flags_through_call_and_replyrecv");
    ntsrv.ep = st_new_object(&mem, seL4_EndpointObject);
    ASSERT_NE(ntsrv.ep, 0);
    ASSERT_OK(start(&s, SERVER_PRIO, 0, nt_server, NULL));
    /* Length 0 and 1 go fast where there is a fastpath, length 3 slowly. */
    static const seL4_Word lengths[] = { 0, 1, 3 };
    for (seL4_Word i = 0; i < sizeof(lengths) / sizeof(lengths[0]); i++) {
        seL4_SetMR(0, i);
        flags_or(ODD_FLAGS);
        seL4_MessageInfo_t r = seL4_Call(ntsrv.ep, seL4_MessageInfo_new(LABEL_CALL, 0, 0, lengths[i]));
        seL4_Word after = flags_get();
        flags_clear(ODD_FLAGS);
        EXPECT_EQ(after & ODD_FLAGS, ODD_FLAGS);
        EXPECT_EQ(seL4_MessageInfo_get_label(r), LABEL_CALL + 1);
    }
    EXPECT_EQ(ntsrv.rounds, 3);
    EXPECT_EQ(ntsrv.bad, 0);
    seL4_TCB_Suspend(s.tcb);
    EXPECT_INVARIANTS();
    TEST_END();
}

/* ---- TF at sysenter: popf sets TF, and the trap it arms is taken after
 * the next instruction, the sysenter itself. On hardware that is a debug
 * trap in ring 0 on the kernel's first instruction; under QEMU the thread
 * used to get it back as UserException 1 after the call. The kernel
 * drops TF at sysenter (as seL4's sanitised flags have no TF): the thread
 * returns normally, without TF, and no fault is raised. ---- */

static struct {
    volatile int done;
    volatile seL4_Word flags_after;
} tf;

static void tf_thread(void *arg)
{
    (void)arg;
    seL4_Word sys = YIELD_NR;
    __asm__ volatile("pushl %%ebp\n\t"
                     "movl %%esp, %%ecx\n\t"
                     "leal 1f, %%edx\n\t"
                     "pushfl\n\t"
                     "orl %1, (%%esp)\n\t"
                     "popfl\n"
                     "1:\tsysenter\n\t"
                     "popl %%ebp"
                     : "+a"(sys)
                     : "i"(FL_TF)
                     : "ebx", "ecx", "edx", "esi", "edi", "memory", "cc");
    tf.flags_after = flags_get();
    tf.done = 1;
}

static void test_tf_at_sysenter(void)
{
    rt_thread_t t;
    seL4_CPtr fault_ep = st_new_object(&mem, seL4_EndpointObject);

    TEST_BEGIN("security/tf_set_at_sysenter");
    ASSERT_NE(fault_ep, 0);
    memset((void *)&tf, 0, sizeof(tf));
    ASSERT_OK(start(&t, HIGH_PRIO, fault_ep, tf_thread, NULL));
    seL4_Yield();
    EXPECT_EQ(tf.done, 1);
    EXPECT_EQ(tf.flags_after & FL_TF, 0);
    /* No fault message waits on the endpoint: a poll finds no sender. */
    seL4_Word badge = 0xdead;
    seL4_MessageInfo_t m = seL4_NBRecv(fault_ep, &badge);
    EXPECT_EQ(seL4_MessageInfo_get_label(m), 0);
    EXPECT_EQ(badge, 0);
    seL4_TCB_Suspend(t.tcb);
    EXPECT_INVARIANTS();
    TEST_END();
}

/* ---- Segment selectors: an attacker loads other selectors into ds, es,
 * fs and gs and yields; the victim, at the same priority, must find its
 * own (the kernel's four) every time and read its TLS through %gs. Before
 * the fix fs and gs survived into the victim (seen: 0x33 -> 0x23), and a
 * null gs made the victim's TLS read fault. ---- */

static struct {
    volatile int rounds, bad_sel, bad_tls, done;
    volatile seL4_Word seen_fs, seen_gs;
    volatile seL4_Word load;
} leak;

static void attacker(void *arg)
{
    (void)arg;
    for (int i = 0; i < ROUNDS; i++) {
        seL4_Word sel = leak.load;
        __asm__ volatile("movw %w0, %%fs\n\tmovw %w0, %%gs\n\tmovw %w0, %%es" : : "r"(sel) : "memory");
        seL4_Yield();
    }
    /* Put our own back before the runtime needs %gs again. */
    __asm__ volatile("movw %w0, %%gs\n\tmovw %w1, %%fs\n\tmovw %w2, %%es"
                     : : "r"(SEL_GS), "r"(SEL_FS), "r"(SEL_DS_3) : "memory");
}

static void victim(void *arg)
{
    rt_tls_t *mine = arg;
    for (int i = 0; i < ROUNDS; i++) {
        struct sels s = sels_get();
        leak.seen_fs = s.fs;
        leak.seen_gs = s.gs;
        if (s.fs != SEL_FS || s.gs != SEL_GS || s.es != SEL_DS_3 || s.ds != SEL_DS_3)
            leak.bad_sel++;
        rt_tls_t *self;
        __asm__ volatile("movl %%gs:0, %0" : "=r"(self));
        if (self != mine)
            leak.bad_tls++;
        leak.rounds++;
        seL4_Yield();
    }
    leak.done = 1;
}

static void run_leak(seL4_Word sel)
{
    rt_thread_t a, v;

    memset((void *)&leak, 0, sizeof(leak));
    leak.load = sel;
    /* All three at one priority: root, attacker, victim, root, ... */
    ASSERT_OK(st_thread_create(&mem, &a, ROOT_PRIO, 0));
    ASSERT_OK(st_thread_create(&mem, &v, ROOT_PRIO, 0));
    ASSERT_OK(rt_thread_start(&a, attacker, NULL));
    ASSERT_OK(rt_thread_start(&v, victim, v.tls));
    for (int i = 0; i < 4 * ROUNDS && !leak.done; i++)
        seL4_Yield();
    EXPECT_EQ(leak.done, 1);
    EXPECT_EQ(leak.rounds, ROUNDS);
    EXPECT_EQ(leak.bad_sel, 0);
    EXPECT_EQ(leak.bad_tls, 0);
    EXPECT_EQ(leak.seen_fs, SEL_FS);
    EXPECT_EQ(leak.seen_gs, SEL_GS);
    seL4_TCB_Suspend(a.tcb);
    seL4_TCB_Suspend(v.tcb);
}

static void test_selector_leak(void)
{
    TEST_BEGIN("security/selectors_do_not_leak_between_threads");
    run_leak(SEL_DS_3);
    EXPECT_INVARIANTS();
    TEST_END();
}

static void test_null_selector_leak(void)
{
    TEST_BEGIN("security/null_selectors_do_not_reach_other_threads");
    run_leak(SEL_NULL);
    EXPECT_INVARIANTS();
    TEST_END();
}

/* A thread's own odd selectors (a read-only code segment in ds, null in
 * es, fs and gs) do not trouble the kernel, and every system call returns
 * with the kernel's four, as seL4 resets them on every entry. */
static void test_own_selectors_reset(void)
{
    seL4_Word sys = YIELD_NR, ds = SEL_CS_3, es = SEL_NULL, fs, gs;

    TEST_BEGIN("security/own_selectors_reset_on_kernel_entry");
    __asm__ volatile("movw %%bx, %%ds\n\t"
                     "movw %%si, %%es\n\t"
                     "movw %%si, %%fs\n\t"
                     "movw %%si, %%gs\n\t"
                     "pushl %%ebp\n\t"
                     "movl %%esp, %%ecx\n\t"
                     "leal 1f, %%edx\n"
                     "1:\tsysenter\n\t"
                     "popl %%ebp\n\t"
                     "movl %%ds, %%ebx\n\t"
                     "movl %%es, %%esi\n\t"
                     "movl %%fs, %%edi\n\t"
                     "movl %%gs, %%ecx"
                     : "+a"(sys), "+b"(ds), "+S"(es), "=D"(fs), "=c"(gs)
                     :
                     : "edx", "memory", "cc");
    EXPECT_EQ(ds & 0xffff, SEL_DS_3);
    EXPECT_EQ(es & 0xffff, SEL_DS_3);
    EXPECT_EQ(fs & 0xffff, SEL_FS);
    EXPECT_EQ(gs & 0xffff, SEL_GS);
    EXPECT_INVARIANTS();
    TEST_END();
}

/* ---- Selectors and debug registers user level may not touch: a
 * ring-0 data selector, or a move from DR7, is a #GP in the thread,
 * delivered to its fault handler as UserException 13. ---- */

static void load_ring0_selector(void *arg)
{
    (void)arg;
    __asm__ volatile("movw %w0, %%fs" : : "r"(SEL_DS_0) : "memory");
}

static void read_dr7(void *arg)
{
    (void)arg;
    seL4_Word v;
    __asm__ volatile("movl %%dr7, %0" : "=r"(v) : : "memory");
}

static void run_gp(const char *name, rt_thread_fn_t fn)
{
    rt_thread_t t;
    seL4_CPtr fault_ep = st_new_object(&mem, seL4_EndpointObject);
    seL4_Word badge;

    TEST_BEGIN(name);
    ASSERT_NE(fault_ep, 0);
    ASSERT_OK(start(&t, HIGH_PRIO, fault_ep, fn, NULL));
    seL4_MessageInfo_t m = seL4_Recv(fault_ep, &badge);
    EXPECT_EQ(seL4_MessageInfo_get_label(m), seL4_Fault_UserException);
    EXPECT_EQ(seL4_GetMR(seL4_UserException_Number), GP_FAULT);
    seL4_TCB_Suspend(t.tcb);
    EXPECT_INVARIANTS();
    TEST_END();
}

/* ---- The local descriptor table: the kernel loads a null one, so a
 * selector with its TI bit set is #GP with the selector, even where the
 * thread has mapped and filled linear 0..0xffff, where the firmware's LDT
 * register (base 0, limit 0xffff) would find descriptors: a ring-3 data
 * segment, and a call gate into the kernel's code segment that would run
 * the thread's code in ring 0 (found by the attack suite, issue 23). ---- */

#define LDT_SEL         0x0107u     /* LDT entry 0x20, RPL 3 */
#define LDT_SEL_CODE    0x0104u     /* the #GP error code: the selector, RPL cleared */
#define LDT_ENTRY       0x100u      /* the entry's offset in a table at 0 */
#define SEL_CS_0        0x08u
#define GATE_TARGET     0x800u
#define UD2_BYTES       0x0b0fu
#define INVALID_OPCODE  6u

static void load_ldt_data(void *arg)
{
    (void)arg;
    __asm__ volatile("movw %w0, %%ds" : : "r"(LDT_SEL) : "memory");
    __asm__ volatile("ud2");        /* reached only if the load went through */
}

static void call_ldt_gate(void *arg)
{
    struct { uint32_t off; uint16_t sel; } __attribute__((packed)) fp = { 0, LDT_SEL };

    (void)arg;
    __asm__ volatile("lcall *%0" : : "m"(fp) : "memory");
    __asm__ volatile("ud2");
}

static void run_ldt(seL4_CPtr fault_ep, rt_thread_fn_t fn)
{
    rt_thread_t t;
    seL4_Word badge;

    ASSERT_OK(start(&t, HIGH_PRIO, fault_ep, fn, NULL));
    seL4_MessageInfo_t m = seL4_Recv(fault_ep, &badge);
    EXPECT_EQ(seL4_MessageInfo_get_label(m), seL4_Fault_UserException);
    EXPECT_EQ(seL4_GetMR(seL4_UserException_Number), GP_FAULT);
    EXPECT_EQ(seL4_GetMR(seL4_UserException_Code), LDT_SEL_CODE);
    seL4_TCB_Suspend(t.tcb);
}

static void test_ldt_selectors(void)
{
    seL4_CPtr fault_ep = st_new_object(&mem, seL4_EndpointObject);
    seL4_CPtr pt = st_new_object(&mem, seL4_X86_PageTableObject);
    seL4_CPtr frame = st_new_object(&mem, seL4_X86_4K);
    uintptr_t page0 = 0;
    volatile uint32_t *desc;

    TEST_BEGIN("security/ldt_selectors_are_user_gp");
    ASSERT_TRUE(fault_ep != 0 && pt != 0 && frame != 0);
    ASSERT_OK(seL4_X86_PageTable_Map(pt, seL4_CapInitThreadVSpace, 0,
                                     seL4_X86_Default_VMAttributes));
    ASSERT_OK(seL4_X86_Page_Map(frame, seL4_CapInitThreadVSpace, 0, seL4_AllRights,
                                seL4_X86_Default_VMAttributes));
    __asm__("" : "+r"(page0));      /* the compiler takes small constants for null */
    desc = (volatile uint32_t *)(page0 + LDT_ENTRY);
    desc[0] = 0x0000ffffu;          /* flat 4 GiB data segment, DPL 3 (SDM 3.4.5) */
    desc[1] = 0x00cff200u;
    run_ldt(fault_ep, load_ldt_data);
    *(volatile uint16_t *)(page0 + GATE_TARGET) = UD2_BYTES;
    desc[0] = (SEL_CS_0 << 16) | GATE_TARGET;   /* 32-bit call gate, DPL 3 (SDM 5.8.3) */
    desc[1] = 0x0000ec00u;
    run_ldt(fault_ep, call_ldt_gate);
    EXPECT_OK(seL4_X86_Page_Unmap(frame));
    EXPECT_OK(seL4_X86_PageTable_Unmap(pt));
    EXPECT_INVARIANTS();
    TEST_END();
}

/* ---- The stack pointer at sysenter is the thread's business: the
 * kernel takes its own stack and returns ESP from ECX. ---- */
static void test_kernel_esp_at_sysenter(void)
{
    seL4_Word sys = YIELD_NR;

    TEST_BEGIN("security/sysenter_with_esp_in_kernel_or_unmapped");
    static const seL4_Word esps[] = { KERNEL_ADDR, 0, 0xfffffff0u };
    for (seL4_Word i = 0; i < sizeof(esps) / sizeof(esps[0]); i++) {
        seL4_Word esp = esps[i];
        sys = YIELD_NR;
        __asm__ volatile("pushl %%ebp\n\t"
                         "movl %%esp, %%ebp\n\t"
                         "movl %%esp, %%ecx\n\t"
                         "leal 1f, %%edx\n\t"
                         "movl %%esi, %%esp\n"
                         "1:\tsysenter\n\t"
                         "movl %%ebp, %%esp\n\t"
                         "popl %%ebp"
                         : "+a"(sys), "+S"(esp)
                         :
                         : "ebx", "ecx", "edx", "edi", "memory", "cc");
        EXPECT_EQ(sys, YIELD_NR);  /* Yield leaves EAX alone */
    }
    EXPECT_INVARIANTS();
    TEST_END();
}

/* ---- Flags written by TCB WriteRegisters are sanitised as seL4 does:
 * IF and bit 1 set, TF, IOPL, NT, RF, VM and AC cleared. A thread given
 * IOPL 3 could otherwise use in/out and cli. ---- */
static volatile int sane_done;

static void sane_thread(void *arg)
{
    (void)arg;
    sane_done = 1;
    for (;;)
        seL4_Yield();               /* back to the root, same priority */
}

static void test_write_registers_flags(void)
{
    rt_thread_t t;
    seL4_UserContext regs;

    TEST_BEGIN("security/write_registers_sanitises_eflags");
    sane_done = 0;
    ASSERT_OK(st_thread_create(&mem, &t, ROOT_PRIO, 0));
    ASSERT_OK(rt_thread_start(&t, sane_thread, NULL));
    seL4_Yield();
    ASSERT_OK(seL4_TCB_Suspend(t.tcb));
    ASSERT_EQ(sane_done, 1);
    ASSERT_OK(seL4_TCB_ReadRegisters(t.tcb, 0, 0, 3, &regs));
    regs.eflags = FL_TF | FL_IOPL | FL_NT | FL_RF | FL_VM | FL_AC | FL_OF | FL_CF;
    ASSERT_OK(seL4_TCB_WriteRegisters(t.tcb, 0, 0, 3, &regs));
    ASSERT_OK(seL4_TCB_ReadRegisters(t.tcb, 0, 0, 3, &regs));
    EXPECT_EQ(regs.eflags, FL_IF | FL_FIXED | FL_OF | FL_CF);
    EXPECT_EQ(regs.eflags & ~FL_USER_BITS, 0);
    ASSERT_OK(seL4_TCB_Resume(t.tcb));
    sane_done = 0;
    seL4_Yield();
    seL4_TCB_Suspend(t.tcb);
    EXPECT_INVARIANTS();
    TEST_END();
}

/* ---- A thread that entered by sysenter has IF clear in its saved flags
 * (the kernel restores them with popfl before sti; sysexit). Reading its
 * registers shows IF set, and when WriteRegisters sends it back through
 * iret it runs with interrupts enabled: a thread spinning at the root's
 * priority is preempted by the timer and the root runs again (with IF
 * clear it would never give up the CPU, and this test would time out). */
static struct {
    seL4_CPtr ep;
    volatile int got;
    volatile seL4_Word spins;
} ifs;

static void if_server(void *arg)
{
    seL4_Word badge;
    (void)arg;
    for (;;) {
        seL4_Recv(ifs.ep, &badge);      /* never replies */
        ifs.got++;
    }
}

static void if_caller(void *arg)
{
    (void)arg;
    seL4_Call(ifs.ep, seL4_MessageInfo_new(LABEL_CALL, 0, 0, 0));
}

static void if_spin(void)
{
    for (;;)
        ifs.spins++;
}

static void test_if_after_sysenter(void)
{
    rt_thread_t srv, t;
    seL4_UserContext regs;

    TEST_BEGIN("security/sysenter_thread_keeps_interrupts_on_iret_exit");
    memset((void *)&ifs, 0, sizeof(ifs));
    ifs.ep = st_new_object(&mem, seL4_EndpointObject);
    ASSERT_NE(ifs.ep, 0);
    ASSERT_OK(start(&srv, SERVER_PRIO, 0, if_server, NULL));
    ASSERT_OK(start(&t, ROOT_PRIO, 0, if_caller, NULL));
    seL4_Yield();                       /* t calls; the server takes it */
    ASSERT_EQ(ifs.got, 1);
    ASSERT_OK(seL4_TCB_Suspend(t.tcb));
    ASSERT_OK(seL4_TCB_ReadRegisters(t.tcb, 0, 0, 3, &regs));
    EXPECT_EQ(regs.eflags & FL_IF, FL_IF);
    regs.eip = (seL4_Word)if_spin;
    ASSERT_OK(seL4_TCB_WriteRegisters(t.tcb, 1, 0, 1, &regs));
    seL4_Yield();                       /* t spins until its time slice ends */
    EXPECT_GT(ifs.spins, 0);
    seL4_TCB_Suspend(t.tcb);
    seL4_TCB_Suspend(srv.tcb);
    EXPECT_INVARIANTS();
    TEST_END();
}

/* ---- FPU control words are per thread: two threads at one priority set
 * different x87 control words and MXCSR values and yield to each other. */
static struct {
    volatile int bad, rounds;
} fpuw;

static void fpu_thread(void *arg)
{
    seL4_Word id = (seL4_Word)arg;
    uint16_t fcw = (uint16_t)(0x037f & ~(id << 2)), got_cw;       /* unmask ZE or OE */
    uint32_t mxcsr = 0x1f80u | (id << 13), got_mx;                 /* rounding mode */
    __asm__ volatile("fldcw %0\n\tldmxcsr %1" : : "m"(fcw), "m"(mxcsr));
    for (int i = 0; i < ROUNDS; i++) {
        seL4_Yield();
        __asm__ volatile("fnstcw %0\n\tstmxcsr %1" : "=m"(got_cw), "=m"(got_mx));
        if (got_cw != fcw || got_mx != mxcsr)
            fpuw.bad++;
        fpuw.rounds++;
    }
}

static void test_fpu_control_words(void)
{
    rt_thread_t a, b;

    TEST_BEGIN("security/fpu_control_words_stay_per_thread");
    memset((void *)&fpuw, 0, sizeof(fpuw));
    ASSERT_OK(st_thread_create(&mem, &a, ROOT_PRIO, 0));
    ASSERT_OK(st_thread_create(&mem, &b, ROOT_PRIO, 0));
    ASSERT_OK(rt_thread_start(&a, fpu_thread, (void *)1));
    ASSERT_OK(rt_thread_start(&b, fpu_thread, (void *)2));
    for (int i = 0; i < 4 * ROUNDS && fpuw.rounds < 2 * ROUNDS; i++)
        seL4_Yield();
    EXPECT_EQ(fpuw.rounds, 2 * ROUNDS);
    EXPECT_EQ(fpuw.bad, 0);
    seL4_TCB_Suspend(a.tcb);
    seL4_TCB_Suspend(b.tcb);
    EXPECT_INVARIANTS();
    TEST_END();
}

/* ---- A saved fault: a thread whose fault message was never received is
 * suspended (the fault stays recorded, as in seL4) and resumed by
 * WriteRegisters at code that makes a system call. seL4 sends the saved
 * fault in place of the message, and treats even a plain Send as a Call
 * (the faulter waits for its reply). The reply (label 0) restarts the
 * thread, which then makes its call again, now as itself. Before the
 * fix the fastpath delivered the Call as an ordinary message (label
 * 0x77), and the slow path let a Send's sender run on without a reply. */

static struct {
    seL4_CPtr ep;
    volatile seL4_Word labels[4];
    volatile int n;
    volatile int done;
} saved;

static void saved_server(void *arg)
{
    seL4_Word badge;
    (void)arg;
    seL4_MessageInfo_t info = seL4_Recv(saved.ep, &badge);
    for (;;) {
        if (saved.n < 4)
            saved.labels[saved.n++] = seL4_MessageInfo_get_label(info);
        info = seL4_ReplyRecv(saved.ep, seL4_MessageInfo_new(0, 0, 0, 0), &badge);
    }
}

static void faulting_thread(void *arg)
{
    (void)arg;
    *(volatile seL4_Word *)0 = 1;   /* VMFault; nobody receives it */
}

static void resumed_call(void)
{
    seL4_Call(saved.ep, seL4_MessageInfo_new(LABEL_CALL, 0, 0, 0));
    saved.done = 1;
    rt_thread_exit();
}

static void resumed_send(void)
{
    seL4_Send(saved.ep, seL4_MessageInfo_new(LABEL_SEND, 0, 0, 0));
    saved.done = 1;
    rt_thread_exit();
}

static void run_saved_fault(const char *name, void (*resume_at)(void), seL4_Word label)
{
    rt_thread_t srv, t;
    seL4_CPtr fault_ep = st_new_object(&mem, seL4_EndpointObject);
    seL4_UserContext regs;

    TEST_BEGIN(name);
    memset((void *)&saved, 0, sizeof(saved));
    saved.ep = st_new_object(&mem, seL4_EndpointObject);
    ASSERT_TRUE(fault_ep != 0 && saved.ep != 0);
    ASSERT_OK(start(&srv, SERVER_PRIO, 0, saved_server, NULL));
    ASSERT_OK(start(&t, HIGH_PRIO, fault_ep, faulting_thread, NULL));
    /* t now waits on fault_ep with its VMFault recorded. */
    ASSERT_OK(seL4_TCB_Suspend(t.tcb));
    ASSERT_OK(seL4_TCB_ReadRegisters(t.tcb, 0, 0, 10, &regs));
    regs.eip = (seL4_Word)resume_at;
    regs.esp = ((seL4_Word)t.stack_top & ~0xfu) - 4;
    ASSERT_OK(seL4_TCB_WriteRegisters(t.tcb, 1, 0, 10, &regs));
    /* t ran, sent its fault, was restarted by the reply and sent again. */
    EXPECT_EQ(saved.n, 2);
    EXPECT_EQ(saved.labels[0], seL4_Fault_VMFault);
    EXPECT_EQ(saved.labels[1], label);
    EXPECT_EQ(saved.done, 1);
    seL4_TCB_Suspend(t.tcb);
    seL4_TCB_Suspend(srv.tcb);
    EXPECT_INVARIANTS();
    TEST_END();
}

/* The same on the other side: a server that took a Call, then faulted
 * (its fault never received), is suspended and resumed at a ReplyRecv.
 * seL4's reply sends the replier's saved fault too (doIPCTransfer looks at
 * the sender's fault), so the client gets label VMFault, not the reply's
 * label; before the fix the ReplyRecv fastpath sent the plain reply. */
static struct {
    seL4_CPtr ep;
    volatile int got;
    volatile seL4_Word client_label;
    volatile int client_done;
} rsv;

static void replier_faults(void *arg)
{
    seL4_Word badge;
    (void)arg;
    seL4_Recv(rsv.ep, &badge);
    rsv.got = 1;
    *(volatile seL4_Word *)0 = 1;   /* VMFault; nobody receives it */
}

static void replier_resumed(void)
{
    seL4_Word badge;
    seL4_ReplyRecv(rsv.ep, seL4_MessageInfo_new(LABEL_SEND, 0, 0, 0), &badge);
    rt_thread_exit();
}

static void rsv_client(void *arg)
{
    (void)arg;
    seL4_MessageInfo_t r = seL4_Call(rsv.ep, seL4_MessageInfo_new(LABEL_CALL, 0, 0, 0));
    rsv.client_label = seL4_MessageInfo_get_label(r);
    rsv.client_done = 1;
}

static void test_saved_fault_reply(void)
{
    rt_thread_t srv, cl;
    seL4_CPtr fault_ep = st_new_object(&mem, seL4_EndpointObject);
    seL4_UserContext regs;

    TEST_BEGIN("security/saved_fault_sent_by_replyrecv");
    memset((void *)&rsv, 0, sizeof(rsv));
    rsv.ep = st_new_object(&mem, seL4_EndpointObject);
    ASSERT_TRUE(fault_ep != 0 && rsv.ep != 0);
    ASSERT_OK(start(&srv, SERVER_PRIO, fault_ep, replier_faults, NULL));
    ASSERT_OK(start(&cl, HIGH_PRIO, 0, rsv_client, NULL));
    /* The client called, the server took it and faulted. */
    ASSERT_EQ(rsv.got, 1);
    ASSERT_EQ(rsv.client_done, 0);
    ASSERT_OK(seL4_TCB_Suspend(srv.tcb));
    ASSERT_OK(seL4_TCB_ReadRegisters(srv.tcb, 0, 0, 10, &regs));
    regs.eip = (seL4_Word)replier_resumed;
    regs.esp = ((seL4_Word)srv.stack_top & ~0xfu) - 4;
    ASSERT_OK(seL4_TCB_WriteRegisters(srv.tcb, 1, 0, 10, &regs));
    EXPECT_EQ(rsv.client_done, 1);
    EXPECT_EQ(rsv.client_label, seL4_Fault_VMFault);
    seL4_TCB_Suspend(srv.tcb);
    seL4_TCB_Suspend(cl.tcb);
    EXPECT_INVARIANTS();
    TEST_END();
}

int main(bootinfo_t *bi)
{
    st_root_init(&mem, bi);
    seL4_TCB_SetPriority(seL4_CapInitThreadTCB, seL4_CapInitThreadTCB, ROOT_PRIO);
    test_nt_then_iret();
    test_odd_flags_ipc();
    test_tf_at_sysenter();
    test_selector_leak();
    test_null_selector_leak();
    test_own_selectors_reset();
    run_gp("security/ring0_selector_load_is_user_gp", load_ring0_selector);
    run_gp("security/debug_register_access_is_user_gp", read_dr7);
    test_ldt_selectors();
    test_kernel_esp_at_sysenter();
    test_write_registers_flags();
    test_if_after_sysenter();
    test_fpu_control_words();
    run_saved_fault("security/saved_fault_sent_by_call", resumed_call, LABEL_CALL);
    run_saved_fault("security/saved_fault_makes_send_wait_for_reply", resumed_send, LABEL_SEND);
    test_saved_fault_reply();
    tests_done();
}
