/*
 * CPU state around system calls (issue 25): what a thread controls that
 * the kernel must neither trip over nor carry from one thread to the next.
 *
 * The actor enters the kernel through fz_cpu_enter() (cpu.S) with random
 * EFLAGS (NT, TF right before sysenter, AC, DF, OF, the arithmetic flags,
 * bits user level cannot set at all), random DS/ES/FS/GS (the usual user
 * selectors, the same with other RPLs, null selectors, the user code
 * selector, and now and then one the CPU refuses to load in ring 3: the
 * kernel's, the TSS, past the GDT, the LDT; that fault goes to the actor's
 * fault handler, the supervisor, which restarts it), a stack pointer at
 * kernel addresses, unmapped or misaligned memory, and random x87 and SSE
 * control words. Its other invocations (libsel4 wrappers, which need a
 * valid %gs for the IPC buffer) run with random FS and control words and
 * AC set or not (fz_cpu_ambient). After every call the actor checks that
 * its x87 and SSE control words are what it loaded.
 *
 * The checker (priority PRIO_CHECKER, above the actor) sleeps on a
 * notification with its own flags (arithmetic, DF, AC, ID), control words
 * and TLS base set, and the actor signals it after every step, from inside
 * fz_cpu_enter() with its odd state loaded. Woken, the checker compares its
 * selectors, flags, control words and the word at %gs:0 (its TLS block's
 * self pointer; it moves its TLS base between two blocks with the
 * SetTLSBase system call or TCB SetTLSBase) with what it set. Any
 * difference fails the run, and so does a fault of the checker (a null %gs
 * leaking into it faults on the read).
 */
#include "fuzz.h"
#include <rt/rt.h>
#include <rt/tls.h>
#include <sel4/sel4.h>
#include <stdio.h>
#include <string.h>

/* x87 control word and MXCSR at process start (Intel SDM vol. 1, 8.1.5 and 10.2.3). */
#define FPU_CW_DEFAULT  0x037fu
#define MXCSR_DEFAULT   0x1f80u
#define FPU_CW_MASKS    0x003fu        /* all x87 exceptions masked */
#define FPU_CW_BITS     0x0f3fu        /* the bits fnstcw gives back as loaded */
#define MXCSR_MASKS     0x1f80u
#define MXCSR_BITS      0xffbfu        /* all but DAZ, which not every CPU has */

/* What user level can change with popf (IF and IOPL are ignored at CPL 3,
 * VM, RF, VIF and VIP always), and what a thread may expect to keep. */
#define FL_SETTABLE (FL_CF | FL_PF | FL_AF | FL_ZF | FL_SF | FL_TF | FL_DF | FL_OF | FL_NT | \
                     FL_AC | FL_ID)
#define FL_KEPT     (FL_CF | FL_PF | FL_AF | FL_ZF | FL_SF | FL_DF | FL_OF | FL_AC | FL_ID)

/* Selectors (arch/ia32/include/arch/gdt.h): user code 0x1b, user data 0x23,
 * the TLS segments 0x33 (FS) and 0x3b (GS). Loadable in ring 3 with any RPL,
 * as are null selectors. */
static const uint16_t sel_ok[] = {
    0x23, 0x20, 0x21, 0x22, 0x1b, 0x18, 0x33, 0x30, 0x3b, 0x39, 0x00, 0x01, 0x02, 0x03,
};
/* Refused in ring 3: kernel code and data, TSS, past the GDT, the (absent) LDT. */
static const uint16_t sel_bad[] = {
    0x08, 0x0b, 0x10, 0x13, 0x28, 0x2b, 0x40, 0x43, 0xfff8, 0xffff, 0x04, 0x27,
};
/* Flags never set (a build option, e.g. -DSYSFUZZ_FLAGS_NEVER=0x4100 to look
 * past a known NT/TF bug: make fuzz-sys SYSFUZZ_CFLAGS=...). */
#ifndef SYSFUZZ_FLAGS_NEVER
#define SYSFUZZ_FLAGS_NEVER 0u
#endif
#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

/* Stack pointers for sysenter: the kernel window, the kernel image, the top
 * of memory, unmapped user memory, misaligned. */
static const seL4_Word odd_esp[] = {
    0xe0000000u, 0xe0100000u, 0xe0110550u, 0xfffffffcu, 0xffffffffu, 0, 1, 3, 0x1000u,
    0x7ffffffdu, 0xc0000000u, 0xdffffffeu,
};

static void fpu_load(uint16_t cw, uint32_t mxcsr)
{
    __asm__ volatile("fldcw %0\n\tldmxcsr %1" : : "m"(cw), "m"(mxcsr));
}

static void fpu_read(uint16_t *cw, uint32_t *mxcsr)
{
    __asm__ volatile("fnstcw %0\n\tstmxcsr %1" : "=m"(*cw), "=m"(*mxcsr));
}

/* Default control words, FS 0x33 and AC clear: undoes fz_cpu_ambient(). */
void fz_cpu_clean(void)
{
    fpu_load(FPU_CW_DEFAULT, MXCSR_DEFAULT);
    __asm__ volatile("movl %0, %%fs\n\tpushfl\n\tandl %1, (%%esp)\n\tpopfl"
                     : : "r"((seL4_Word)0x33), "i"(~FL_AC) : "cc");
}

static uint16_t pick_sel(fz_rng_t *r, uint16_t usual)
{
    seL4_Word p = fz_below(r, 1000);

    if (p < 600)
        return usual;
    if (p < 985)
        return sel_ok[fz_below(r, NELEM(sel_ok))];
    return sel_bad[fz_below(r, NELEM(sel_bad))];
}

static seL4_Word pick_flags(fz_t *f, fz_rng_t *r)
{
    seL4_Word fl;

    if (fz_chance(r, 10))
        fl = fz_word(r);                          /* whatever popf makes of it */
    else if (fz_chance(r, 30))
        fl = 0;
    else
        fl = fz_word(r) & (FL_SETTABLE & ~FL_TF);
    if (fz_chance(r, 10))
        fl |= FL_NT;
    if (fz_chance(r, 2))
        fl |= FL_TF;
    else
        fl &= ~FL_TF;
    fl &= ~(seL4_Word)SYSFUZZ_FLAGS_NEVER;
    if (fl & FL_NT)
        f->cpu_nt++;
    if (fl & FL_TF)
        f->cpu_tf++;
    return fl | FL_FIXED;
}

/* x87 control word: any precision and rounding, exceptions mostly masked
 * (nothing pending, so unmasking only matters to the next thread that
 * computes with this state by mistake). */
static uint16_t pick_cw(fz_rng_t *r)
{
    uint16_t cw = (uint16_t)(fz_word(r) & 0x1f3fu);
    return fz_chance(r, 70) ? (uint16_t)(cw | FPU_CW_MASKS) : cw;
}

static uint32_t pick_mxcsr(fz_rng_t *r)
{
    uint32_t m = fz_word(r) & MXCSR_BITS;
    return fz_chance(r, 70) ? (m | MXCSR_MASKS) : m;
}

/* Random entry state; the caller fills in the system-call registers. */
void fz_cpu_pick(fz_t *f, fz_rng_t *r, fz_cpu_t *c)
{
    c->ds = pick_sel(r, 0x23);
    c->es = pick_sel(r, 0x23);
    c->fs = pick_sel(r, 0x33);
    c->gs = pick_sel(r, 0x3b);
    c->eflags = pick_flags(f, r);
    c->entry = FZ_ENTRY_SYSENTER;
    c->esp = 0;
    c->want_tls = 0;
    if (fz_chance(r, 1)) {
        c->entry = FZ_ENTRY_INT80;
        f->cpu_int80++;
    } else if (!(c->eflags & FL_TF) && fz_chance(r, 25)) {
        c->entry = FZ_ENTRY_ODD_ESP;
        c->esp = fz_chance(r, 80) ? odd_esp[fz_below(r, NELEM(odd_esp))] : fz_word(r);
        f->cpu_odd_esp++;
    }
    if (c->ds != 0x23 || c->es != 0x23 || c->fs != 0x33 || c->gs != 0x3b)
        f->cpu_odd_sel++;
}

/* One call through fz_cpu_enter with random control words; c holds the
 * registers and the state from fz_cpu_pick. */
void fz_cpu_call(fz_t *f, fz_rng_t *r, fz_cpu_t *c)
{
    uint16_t cw = pick_cw(r), cw2;
    uint32_t mx = pick_mxcsr(r), mx2;

    f->cpu_entries++;
    fpu_load(cw, mx);
    fz_cpu_enter(c);
    fpu_read(&cw2, &mx2);
    fz_cpu_clean();
    if ((cw2 & FPU_CW_BITS) != (cw & FPU_CW_BITS) || (mx2 & MXCSR_BITS) != (mx & MXCSR_BITS)) {
        if (f->cpu_fpu_lost++ < 5)
            printf("sysfuzz: FPU control words changed by a system call at step %u: "
                   "cw %x -> %x, mxcsr %x -> %x\n", f->step, cw, cw2, mx, mx2);
    }
}

/* Random FS, control words and AC for a libsel4 call: C code needs valid
 * DS, ES and GS and a clear DF, nothing else. fz_cpu_clean() undoes it. */
void fz_cpu_ambient(fz_rng_t *r)
{
    uint16_t fs = fz_chance(r, 50) ? 0x33 : sel_ok[fz_below(r, NELEM(sel_ok))];

    fpu_load(pick_cw(r), pick_mxcsr(r));
    __asm__ volatile("movl %0, %%fs" : : "r"((seL4_Word)fs));
    if (fz_chance(r, 30))
        __asm__ volatile("pushfl\n\torl %0, (%%esp)\n\tpopfl" : : "i"(FL_AC) : "cc");
}

/* Wakes the checker with odd state loaded (a kernel that leaks selectors
 * or flags hands them to the checker right here). */
void fz_cpu_kick(fz_t *f, fz_rng_t *r)
{
    fz_cpu_t c;

    memset(&c, 0, sizeof(c));
    fz_cpu_pick(f, r, &c);
    if (c.entry == FZ_ENTRY_INT80)
        c.entry = FZ_ENTRY_SYSENTER;
    c.eax = (seL4_Word)SYS_SEND;
    c.ebx = FZC(CS_CHECK_NTFN);
    c.esi = seL4_MessageInfo_new(0, 0, 0, 0).words[0];
    fz_cpu_call(f, r, &c);
}

/* ---- the checker ---- */

typedef struct want {
    seL4_Word ds, es, fs, gs, flags, tls;
    uint16_t cw;
    uint32_t mxcsr;
} want_t;

static int mismatch(fz_t *f, const char *what, seL4_Word got, seL4_Word want)
{
    if (f->checker_bad < 10)
        printf("sysfuzz: CHECKER: %s is %x, not %x (actor step %u)\n", what, got, want,
               f->step);
    return 1;
}

static int compare(fz_t *f, const want_t *w, const fz_cpu_t *c, uint16_t cw, uint32_t mx)
{
    int bad = 0;

    bad |= (c->out_ds & 0xffff) != w->ds && mismatch(f, "DS", c->out_ds & 0xffff, w->ds);
    bad |= (c->out_es & 0xffff) != w->es && mismatch(f, "ES", c->out_es & 0xffff, w->es);
    bad |= (c->out_fs & 0xffff) != w->fs && mismatch(f, "FS", c->out_fs & 0xffff, w->fs);
    bad |= (c->out_gs & 0xffff) != w->gs && mismatch(f, "GS", c->out_gs & 0xffff, w->gs);
    bad |= (c->out_eflags & FL_KEPT) != w->flags &&
           mismatch(f, "EFLAGS", c->out_eflags, w->flags);
    bad |= (c->out_eflags & (FL_TF | FL_NT)) != 0 && mismatch(f, "EFLAGS.TF|NT", c->out_eflags, 0);
    bad |= c->out_tls != w->tls && mismatch(f, "%gs:0 (TLS self)", c->out_tls, w->tls);
    bad |= (cw & FPU_CW_BITS) != (w->cw & FPU_CW_BITS) && mismatch(f, "x87 CW", cw, w->cw);
    bad |= (mx & MXCSR_BITS) != (w->mxcsr & MXCSR_BITS) && mismatch(f, "MXCSR", mx, w->mxcsr);
    return bad;
}

static seL4_Word read_sel_fs(void)
{
    seL4_Word v;
    __asm__ volatile("movl %%fs, %0" : "=r"(v));
    return v & 0xffff;
}

static seL4_Word read_sel_gs(void)
{
    seL4_Word v;
    __asm__ volatile("movl %%gs, %0" : "=r"(v));
    return v & 0xffff;
}

void fz_checker_main(void *arg)
{
    fz_checker_arg_t *a = arg;
    fz_t *f = a->f;
    fz_rng_t r = { ((uint64_t)f->seed << 32) ^ 0xc0ffee11u };
    rt_tls_t *mine = rt_tls_self(), *other = a->tls_b;
    want_t w;

    /* What every thread starts with and the kernel must give back. */
    w.ds = 0x23;
    w.es = 0x23;
    w.fs = 0x33;
    w.gs = 0x3b;
    if (read_sel_fs() != w.fs || read_sel_gs() != w.gs)
        printf("sysfuzz: CHECKER: started with FS %x GS %x\n", read_sel_fs(), read_sel_gs());
    for (;;) {
        fz_cpu_t c;
        uint16_t cw;
        uint32_t mx;

        if (fz_chance(&r, 10)) {
            rt_tls_t *t = mine;
            /* Both blocks carry the same IPC buffer and canary (main.c). By
             * the SetTLSBase system call or TCB SetTLSBase on itself. */
            if (fz_chance(&r, 50))
                seL4_SetTLSBase((seL4_Word)other);
            else if (seL4_TCB_SetTLSBase(a->tcb, (seL4_Word)other) != seL4_NoError)
                t = NULL;
            if (t != NULL) {
                mine = other;
                other = t;
                f->checker_tls_moves++;
            }
        }
        memset(&c, 0, sizeof(c));
        c.eax = (seL4_Word)SYS_RECV;
        c.ebx = a->ntfn;
        c.ds = w.ds;
        c.es = w.es;
        c.fs = w.fs;
        c.gs = w.gs;
        w.flags = fz_word(&r) & FL_KEPT;
        c.eflags = w.flags | FL_FIXED;
        c.want_tls = 1;
        w.tls = (seL4_Word)mine;
        w.cw = (uint16_t)(pick_cw(&r) | FPU_CW_MASKS);
        w.mxcsr = pick_mxcsr(&r) | MXCSR_MASKS;
        fpu_load(w.cw, w.mxcsr);
        fz_cpu_enter(&c);
        fpu_read(&cw, &mx);
        fz_cpu_clean();
        if (compare(f, &w, &c, cw, mx))
            f->checker_bad++;
        if (++f->checks_cpu % MODEL_EVERY == 0)
            seL4_Signal(a->model_go);
    }
}
