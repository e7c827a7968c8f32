/* unit-test-sources: guest-stub/linux/signal.c guest-stub/linux/sigfpu.c guest-stub/linux/sys_signal.c guest-stub/linux/tty.c guest-stub/linux/syscall.c guest-stub/linux/sys_file.c guest-stub/linux/sys_poll.c guest-stub/linux/sys_path.c guest-stub/linux/sys_mem.c guest-stub/linux/sys_futex.c guest-stub/linux/procfs.c guest-stub/linux/sys_proc.c guest-stub/linux/sys_attr.c guest-stub/linux/sys_more.c guest-stub/linux/file.c guest-stub/linux/fs.c guest-stub/linux/pcache.c guest-stub/linux/kernel.c guest-stub/linux/proc.c guest-stub/linux/cpio.c guest-stub/linux/exec.c lib/elf.c tests/unit/guest/fake_host.c */
/*
 * Signals in the Linux personality, driven as the guest kernel drives them:
 * a system call with the full register set lent in p->uregs, its result put
 * in EAX, then lx_sig_deliver() before the "reply". The frames are read
 * back from the fake process memory and checked field by field against
 * Linux's i386 layout (linux/signal.h pins the sizes); sigreturn and
 * rt_sigreturn are then made from where a handler's `ret` would leave the
 * stack pointer, and must give back the interrupted registers and mask.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>
#include "fake_host.h"
#include "linux/unistd.h"
#include "linux/signal.h"
#include "linux/fcntl.h"
#include "linux/wait.h"

#define HANDLER   0x08049000u   /* never run: only its address matters */
#define RESTORER  0x08049100u
#define STACK_TOP (FAKE_SCRATCH + 0xE000u)
#define UNMAPPED  0x20000000u
#define ACT_AT    0x100u        /* scratch offsets */
#define OLD_AT    0x200u
#define SET_AT    0x300u
#define SS_AT     0x400u
#define BIT(s)    LX_SIGBIT(s)

static int setup(void **state) { *state = fake_world_new(); return 0; }
static int teardown(void **state) { fake_world_free(*state); return 0; }

#define INT80_AT  0x08048100u   /* the `int $0x80` */
#define RESUME_AT 0x08048102u   /* after it */

/* Registers of a process making system call nr with arguments. */
static lx_regs_t regs_for(uint32_t nr, uint32_t b, uint32_t c, uint32_t d, uint32_t si)
{
    return (lx_regs_t){ .eip = INT80_AT, .esp = STACK_TOP, .eflags = 0x246, .eax = nr,
                        .ebx = b, .ecx = c, .edx = d, .esi = si, .edi = 0x1111,
                        .ebp = 0x2222 };
}

/* The registers it resumes with after a call answered ret. */
static lx_regs_t *answered(lx_regs_t *u, int32_t ret)
{
    u->eax = (uint32_t)ret;
    u->eip += 2;
    return u;
}

/* One round trip as the guest kernel makes it: the registers lent, the
 * call, its result in EAX after the instruction, then delivery. */
static lx_sig_result_t step(fake_world_t *w, lx_regs_t *u)
{
    int32_t nr = (int32_t)u->eax;
    w->p.uregs = u;
    int32_t ret = lx_syscall(&w->p, u);
    w->p.uregs = NULL;
    if (w->p.exited)
        return LX_SIG_KILLED;
    return lx_sig_deliver(&w->p, answered(u, ret), nr);
}

static int32_t set_action(fake_world_t *w, int sig, uint32_t handler, uint32_t flags,
        uint64_t mask)
{
    struct lx_k_sigaction act = { handler, flags, RESTORER, { (uint32_t)mask,
                                                              (uint32_t)(mask >> 32) } };
    return SC4(w, LX_NR_rt_sigaction, sig, fake_put(w, ACT_AT, &act, sizeof(act)), 0, 8);
}

static void read_user(fake_world_t *w, uint32_t addr, void *dst, uint32_t len)
{
    for (uint32_t i = 0; i < len; i++) {
        uint8_t *b = fake_byte(&w->space, addr + i);
        assert_non_null(b);
        ((uint8_t *)dst)[i] = *b;
    }
}

/* The [disp32] operand of the instruction at addr, whose bytes before it
 * must be op (n of them). */
static uint32_t operand(fake_world_t *w, uint32_t addr, const uint8_t *op, uint32_t n)
{
    uint8_t code[8];
    uint32_t v;
    read_user(w, addr, code, n + 4);
    assert_memory_equal(code, op, n);
    memcpy(&v, &code[n], 4);
    return v;
}

/* Where the jmp rel32 at addr goes. */
static uint32_t jmp_target(fake_world_t *w, uint32_t addr)
{
    static const uint8_t jmp[] = { 0xe9 };
    return addr + 5 + operand(w, addr, jmp, 1);
}

/* The stub a handler's thread starts at (sigfpu.c) saves the FPU state at
 * fpstate and jumps to the handler: its target. */
static uint32_t save_stub_target(fake_world_t *w, uint32_t eip, uint32_t fpstate)
{
    static const uint8_t fxsave[] = { 0x0f, 0xae, 0x05 }, fnstsw[] = { 0xdd, 0x3d },
                         fnsave[] = { 0xdd, 0x35 }, ldmxcsr[] = { 0x0f, 0xae, 0x15 };
    assert_int_equal(fpstate % 16, 0);      /* so FXSAVE's image is 16-byte aligned */
    assert_int_equal(operand(w, eip, fxsave, 3), fpstate + 112);
    assert_int_equal(operand(w, eip + 7, fnstsw, 2),
                     fpstate + offsetof(struct lx_fpstate_legacy, status));
    assert_int_equal(operand(w, eip + 13, fnsave, 2), fpstate);
    assert_int_equal(fake_read32(&w->space, operand(w, eip + 19, ldmxcsr, 3)),
                     LX_MXCSR_DEFAULT);
    /* xorps xmmN, xmmN for N = 0..7: the handler's XMM registers zero */
    for (uint8_t r = 0; r < 8; r++) {
        const uint8_t xorps[] = { 0x0f, 0x57, (uint8_t)(0xc0 | r << 3 | r) };
        uint8_t code[3];
        read_user(w, eip + 26 + 3u * r, code, 3);
        assert_memory_equal(code, xorps, 3);
    }
    return jmp_target(w, eip + 50);
}

/* The stub sigreturn resumes at loads the image below it: its target. */
static uint32_t restore_stub_target(fake_world_t *w, uint32_t eip)
{
    static const uint8_t fxrstor[] = { 0x0f, 0xae, 0x0d };
    assert_int_equal(eip % 16, 0);
    assert_int_equal(operand(w, eip, fxrstor, 3), eip - 512);
    return jmp_target(w, eip + 7);
}

static void actions_are_kept_and_checked(void **state)
{
    fake_world_t *w = *state;
    struct lx_k_sigaction old;
    assert_int_equal(set_action(w, LX_SIGUSR1, HANDLER, LX_SA_SIGINFO | LX_SA_RESTORER |
                                0x100 /* unknown: dropped */, BIT(LX_SIGKILL) | BIT(3)), 0);
    assert_int_equal(SC4(w, LX_NR_rt_sigaction, LX_SIGUSR1, 0, FAKE_SCRATCH + OLD_AT, 8), 0);
    read_user(w, FAKE_SCRATCH + OLD_AT, &old, sizeof(old));
    assert_int_equal(old.handler, HANDLER);
    assert_int_equal(old.flags, LX_SA_SIGINFO | LX_SA_RESTORER);
    assert_int_equal(old.restorer, RESTORER);
    assert_int_equal(old.mask[0], BIT(3));  /* SIGKILL cannot be blocked */

    uint32_t act = FAKE_SCRATCH + ACT_AT;
    assert_int_equal(SC4(w, LX_NR_rt_sigaction, LX_SIGKILL, act, 0, 8), -LX_EINVAL);
    assert_int_equal(SC4(w, LX_NR_rt_sigaction, LX_SIGSTOP, act, 0, 8), -LX_EINVAL);
    assert_int_equal(SC4(w, LX_NR_rt_sigaction, 0, act, 0, 8), -LX_EINVAL);
    assert_int_equal(SC4(w, LX_NR_rt_sigaction, 65, act, 0, 8), -LX_EINVAL);
    assert_int_equal(SC4(w, LX_NR_rt_sigaction, LX_SIGUSR1, act, 0, 4), -LX_EINVAL);
    assert_int_equal(SC4(w, LX_NR_rt_sigaction, LX_SIGUSR2, UNMAPPED, 0, 8), -LX_EFAULT);
    /* a refused call changes nothing: the old action could not be written */
    assert_int_equal(SC4(w, LX_NR_rt_sigaction, LX_SIGUSR1, act, UNMAPPED, 8), -LX_EFAULT);
    assert_int_equal(w->p.sig.act[LX_SIGUSR1 - 1].handler, HANDLER);
    assert_int_equal(SC4(w, LX_NR_rt_sigaction, LX_SIGKILL, 0, FAKE_SCRATCH + OLD_AT, 8), 0);

    /* the old calls: signal() is one-shot and returns the old handler */
    assert_int_equal(SC2(w, LX_NR_signal, LX_SIGUSR2, HANDLER), LX_SIG_DFL);
    assert_int_equal(w->p.sig.act[LX_SIGUSR2 - 1].flags, LX_SA_RESETHAND | LX_SA_NODEFER);
    assert_int_equal(SC2(w, LX_NR_signal, LX_SIGUSR2, LX_SIG_IGN), HANDLER);
    struct lx_old_sigaction oa = { HANDLER, BIT(LX_SIGINT), LX_SA_RESTART, RESTORER };
    assert_int_equal(SC3(w, LX_NR_sigaction, LX_SIGHUP, fake_put(w, ACT_AT, &oa, sizeof(oa)),
                         FAKE_SCRATCH + OLD_AT), 0);
    assert_int_equal(SC3(w, LX_NR_sigaction, LX_SIGHUP, 0, FAKE_SCRATCH + OLD_AT), 0);
    read_user(w, FAKE_SCRATCH + OLD_AT, &oa, sizeof(oa));
    assert_int_equal(oa.handler, HANDLER);
    assert_int_equal(oa.mask, BIT(LX_SIGINT));
    assert_int_equal(oa.flags, LX_SA_RESTART);
}

/* kill(getpid(), SIGUSR1) with an SA_SIGINFO handler: rt_sigframe, then
 * rt_sigreturn back to where the call returned. */
static void rt_frame_and_rt_sigreturn(void **state)
{
    fake_world_t *w = *state;
    assert_int_equal(set_action(w, LX_SIGUSR1, HANDLER, LX_SA_SIGINFO | LX_SA_RESTORER,
                                BIT(LX_SIGUSR2)), 0);
    w->p.tsig.blocked = BIT(LX_SIGHUP) | BIT(40);
    lx_regs_t u = regs_for(LX_NR_kill, w->p.pid, LX_SIGUSR1, 0x3333, 0x4444);
    assert_int_equal(step(w, &u), LX_SIG_HANDLER);

    assert_int_equal((u.esp + 4) % 16, 0);
    assert_true(u.esp + sizeof(struct lx_rt_sigframe) <= STACK_TOP);
    assert_int_equal(u.eax, LX_SIGUSR1);
    struct lx_rt_sigframe f;
    read_user(w, u.esp, &f, sizeof(f));
    assert_int_equal(save_stub_target(w, u.eip, f.uc.uc_mcontext.fpstate), HANDLER);
    assert_int_equal(f.pretcode, RESTORER);
    assert_int_equal(f.sig, LX_SIGUSR1);
    assert_int_equal(f.pinfo, u.esp + offsetof(struct lx_rt_sigframe, info));
    assert_int_equal(f.puc, u.esp + offsetof(struct lx_rt_sigframe, uc));
    assert_int_equal(u.edx, f.pinfo);
    assert_int_equal(u.ecx, f.puc);
    assert_int_equal(f.info.si_signo, LX_SIGUSR1);
    assert_int_equal(f.info.si_code, LX_SI_USER);
    assert_int_equal(f.info.f.kill.pid, w->p.pid);
    const struct lx_sigcontext *sc = &f.uc.uc_mcontext;
    assert_int_equal(sc->eip, RESUME_AT);
    assert_int_equal(sc->esp, STACK_TOP);
    assert_int_equal(sc->eax, 0);          /* kill's result */
    assert_int_equal(sc->ebx, w->p.pid);
    assert_int_equal(sc->edx, 0x3333);
    assert_int_equal(sc->esi, 0x4444);
    assert_int_equal(sc->edi, 0x1111);
    assert_int_equal(sc->ebp, 0x2222);
    assert_int_equal(sc->eflags, 0x246);
    assert_int_equal(sc->cs, LX_USER_CS);
    /* the FPU area lies between the frame and the interrupted stack */
    assert_true(sc->fpstate >= u.esp + sizeof(f));
    assert_true(sc->fpstate + LX_FPSTATE32_SIZE <= STACK_TOP);
    assert_int_equal(f.uc.uc_sigmask[0], BIT(LX_SIGHUP));
    assert_int_equal(f.uc.uc_sigmask[1], 1u << (40 - 33));
    assert_int_equal(f.uc.uc_stack.ss_flags, LX_SS_DISABLE);
    /* while the handler runs: its mask and the signal itself */
    assert_true(w->p.tsig.blocked == (BIT(LX_SIGHUP) | BIT(40) | BIT(LX_SIGUSR1) | BIT(LX_SIGUSR2)));
    assert_int_equal(w->p.sig.pending, 0);

    /* the handler changes a saved register and returns: ret pops pretcode */
    uint32_t new_ebx = 0x5555;
    memcpy(fake_byte(&w->space, u.esp + offsetof(struct lx_rt_sigframe, uc.uc_mcontext.ebx)),
           &new_ebx, 4);
    lx_regs_t h = regs_for(LX_NR_rt_sigreturn, 0, 0, 0, 0);
    h.esp = u.esp + 4;
    h.eip = RESTORER + 7;
    assert_int_equal(step(w, &h), LX_SIG_NONE);
    assert_int_equal(restore_stub_target(w, h.eip), RESUME_AT);
    assert_true(h.eip + 12 <= STACK_TOP);   /* below the stack it resumes with */
    assert_int_equal(h.esp, STACK_TOP);
    assert_int_equal(h.eax, 0);
    assert_int_equal(h.ebx, 0x5555);
    assert_int_equal(h.edx, 0x3333);
    assert_int_equal(h.ebp, 0x2222);
    assert_true(w->p.tsig.blocked == (BIT(LX_SIGHUP) | BIT(40)));
}

/* A handler without SA_SIGINFO or SA_RESTORER: struct sigframe, returning
 * through the trampoline Linux writes into retcode. */
static void sigframe_with_retcode_and_sigreturn(void **state)
{
    fake_world_t *w = *state;
    struct lx_k_sigaction act = { HANDLER, 0, 0, { 0, 0 } };
    assert_int_equal(SC4(w, LX_NR_rt_sigaction, LX_SIGTERM,
                         fake_put(w, ACT_AT, &act, sizeof(act)), 0, 8), 0);
    w->p.tsig.blocked = BIT(LX_SIGQUIT) | BIT(64);
    lx_regs_t u = regs_for(LX_NR_kill, 0, LX_SIGTERM, 7, 8);
    assert_int_equal(step(w, &u), LX_SIG_HANDLER);
    assert_int_equal((u.esp + 4) % 16, 0);
    assert_int_equal(u.eax, LX_SIGTERM);
    assert_int_equal(u.ecx, 0);
    assert_int_equal(u.edx, 0);
    struct lx_sigframe f;
    read_user(w, u.esp, &f, sizeof(f));
    assert_int_equal(save_stub_target(w, u.eip, f.sc.fpstate), HANDLER);
    assert_int_equal(f.pretcode, u.esp + offsetof(struct lx_sigframe, retcode));
    assert_int_equal(f.sig, LX_SIGTERM);
    assert_int_equal(f.sc.oldmask, BIT(LX_SIGQUIT));
    assert_int_equal(f.extramask, 1u << 31);
    assert_int_equal(f.sc.edx, 7);
    static const uint8_t code[8] = { 0x58, 0xb8, LX_NR_sigreturn, 0, 0, 0, 0xcd, 0x80 };
    assert_memory_equal(f.retcode, code, sizeof(code));

    /* the handler's ret pops pretcode, the trampoline's popl the signal */
    uint32_t flags = 0x246 | LX_EFLAGS_DF | 0x3000 /* IOPL: not the program's */;
    memcpy(fake_byte(&w->space, u.esp + offsetof(struct lx_sigframe, sc.eflags)), &flags, 4);
    lx_regs_t h = regs_for(LX_NR_sigreturn, 0, 0, 0, 0);
    h.esp = u.esp + 8;
    assert_int_equal(step(w, &h), LX_SIG_NONE);
    assert_int_equal(restore_stub_target(w, h.eip), RESUME_AT);
    assert_int_equal(h.esp, STACK_TOP);
    assert_int_equal(h.edx, 7);
    assert_int_equal(h.eflags, 0x246 | LX_EFLAGS_DF);
    assert_true(w->p.tsig.blocked == (BIT(LX_SIGQUIT) | BIT(64)));
}

/* The FPU state through a frame: what the save stub would have stored is
 * merged (the legacy image over the FXSAVE one, MXCSR masked) into the
 * image the restore stub loads; a signal arriving before that stub runs
 * goes below it; no fpstate loads the initial state; a misaligned one is
 * a bad frame. */
static void fpu_state_through_sigreturn(void **state)
{
    fake_world_t *w = *state;
    assert_int_equal(set_action(w, LX_SIGUSR1, HANDLER, LX_SA_SIGINFO | LX_SA_RESTORER, 0), 0);
    lx_regs_t u = regs_for(LX_NR_kill, w->p.pid, LX_SIGUSR1, 0, 0);
    assert_int_equal(step(w, &u), LX_SIG_HANDLER);
    struct lx_rt_sigframe f;
    read_user(w, u.esp, &f, sizeof(f));
    uint32_t fp = f.uc.uc_mcontext.fpstate;
    struct lx_fpstate32 st;
    read_user(w, fp, &st, sizeof(st));
    assert_int_equal(st.legacy.magic, LX_FXSR_MAGIC);
    static const uint8_t zero[48];
    assert_memory_equal(st.fx.sw_reserved, zero, sizeof(zero));     /* no XSAVE magic */

    /* as the stub and the handler leave it */
    st.legacy.cw = 0xffff027f;
    st.legacy.tag = 0xfffc;                 /* st0 valid, the rest empty */
    memcpy(st.legacy.st, "\x01\x02\x03\x04\x05\x06\x07\x08\x09\x0a", 10);
    st.fx.ftw = 0xff;
    st.fx.mxcsr = 0xffff9fc0;               /* reserved bits set */
    memset(st.fx.xmm, 0x5a, 16);
    memcpy(fake_byte(&w->space, fp), &st, sizeof(st));   /* one page: the stack's */
    lx_regs_t h = regs_for(LX_NR_rt_sigreturn, 0, 0, 0, 0);
    h.esp = u.esp + 4;
    assert_int_equal(step(w, &h), LX_SIG_NONE);
    assert_int_equal(restore_stub_target(w, h.eip), RESUME_AT);
    assert_int_equal(h.esp, STACK_TOP);
    struct lx_fxsave fx;
    read_user(w, h.eip - 512, &fx, sizeof(fx));
    assert_int_equal(fx.cwd, 0x027f);
    assert_int_equal(fx.ftw, 0x01);
    assert_memory_equal(fx.st, "\x01\x02\x03\x04\x05\x06\x07\x08\x09\x0a", 10);
    assert_int_equal(fx.xmm[15], 0x5a);
    assert_int_equal(fx.mxcsr, 0x9f80);     /* & LX_MXCSR_MASK_DEFAULT */

    /* a signal before the restore stub ran: the new frame goes below its
     * block, and its save stub loads the block first */
    uint32_t stub = h.eip;
    lx_regs_t j = h;
    lx_sig_send(&w->p, LX_SIGUSR1, &(lx_sigsrc_t){ .code = LX_SI_USER });
    h.eax = 0;
    assert_int_equal(lx_sig_deliver(&w->p, &h, -1), LX_SIG_HANDLER);
    read_user(w, h.esp, &f, sizeof(f));
    assert_true(f.uc.uc_mcontext.fpstate + LX_FPSTATE32_SIZE <= stub - 512);
    assert_int_equal(f.uc.uc_mcontext.eip, RESUME_AT);
    static const uint8_t fxrstor[] = { 0x0f, 0xae, 0x0d };
    assert_int_equal(operand(w, h.eip, fxrstor, 3), stub - 512);
    assert_int_equal(save_stub_target(w, h.eip + 7, f.uc.uc_mcontext.fpstate), HANDLER);
    assert_int_equal(restore_stub_target(w, stub), RESUME_AT);      /* untouched */

    /* a signal at the restore stub's jmp: the state is loaded, the frame
     * resumes where the jmp goes */
    j.eip = stub + 7;
    uint64_t blocked = w->p.tsig.blocked;
    w->p.tsig.blocked = 0;
    lx_sig_send(&w->p, LX_SIGUSR1, &(lx_sigsrc_t){ .code = LX_SI_USER });
    assert_int_equal(lx_sig_deliver(&w->p, &j, -1), LX_SIG_HANDLER);
    read_user(w, j.esp, &f, sizeof(f));
    assert_int_equal(f.uc.uc_mcontext.eip, RESUME_AT);
    assert_int_equal(save_stub_target(w, j.eip, f.uc.uc_mcontext.fpstate), HANDLER);
    w->p.tsig.blocked = blocked;

    /* no FPU state in the frame: the initial one */
    uint32_t none = 0;
    memcpy(fake_byte(&w->space, h.esp + offsetof(struct lx_rt_sigframe,
                                                 uc.uc_mcontext.fpstate)), &none, 4);
    lx_regs_t g = regs_for(LX_NR_rt_sigreturn, 0, 0, 0, 0);
    g.esp = h.esp + 4;
    assert_int_equal(step(w, &g), LX_SIG_NONE);
    assert_int_equal(restore_stub_target(w, g.eip), RESUME_AT);
    read_user(w, g.eip - 512, &fx, sizeof(fx));
    assert_int_equal(fx.cwd, LX_FCW_DEFAULT);
    assert_int_equal(fx.ftw, 0);
    assert_int_equal(fx.mxcsr, LX_MXCSR_DEFAULT);

    /* a misaligned fpstate: SIGSEGV, the registers as they were */
    u = regs_for(LX_NR_kill, w->p.pid, LX_SIGUSR1, 0, 0);
    assert_int_equal(step(w, &u), LX_SIG_HANDLER);
    uint32_t bad = fp + 4;
    memcpy(fake_byte(&w->space, u.esp + offsetof(struct lx_rt_sigframe,
                                                 uc.uc_mcontext.fpstate)), &bad, 4);
    g = regs_for(LX_NR_rt_sigreturn, 0, 0, 0, 0);
    g.esp = u.esp + 4;
    assert_int_equal(step(w, &g), LX_SIG_KILLED);   /* SIGSEGV has no handler */
    assert_int_equal(w->p.exit_status, LX_SIGSEGV);
}

static void default_actions(void **state)
{
    fake_world_t *w = *state;
    lx_sigsrc_t src = { .code = LX_SI_USER };
    lx_regs_t u = regs_for(LX_NR_getpid, 0, 0, 0, 0);

    lx_sig_send(&w->p, LX_SIGCHLD, &src);       /* default: ignore */
    lx_sig_send(&w->p, LX_SIGWINCH, &src);
    assert_int_equal(w->p.sig.pending, 0);
    lx_sig_send(&w->p, LX_SIGTSTP, &src);       /* default: stop, but our group is orphaned */
    assert_true(w->p.sig.pending == BIT(LX_SIGTSTP));
    assert_int_equal(step(w, &u), LX_SIG_NONE);
    assert_int_equal(w->p.sig.pending, 0);
    assert_false(w->p.sig.stopped);
    u = regs_for(LX_NR_getpid, 0, 0, 0, 0);
    assert_int_equal(SC2(w, LX_NR_signal, LX_SIGINT, LX_SIG_IGN), LX_SIG_DFL);
    lx_sig_send(&w->p, LX_SIGINT, &src);
    assert_int_equal(w->p.sig.pending, 0);
    assert_int_equal(step(w, &u), LX_SIG_NONE);
    assert_int_equal(u.eax, w->p.pid);

    /* blocked: pending, reported by sigpending, delivered when unblocked */
    uint32_t set[2] = { BIT(LX_SIGTERM), 0 };
    assert_int_equal(SC4(w, LX_NR_rt_sigprocmask, LX_SIG_BLOCK, fake_put(w, SET_AT, set, 8), 0,
                         8), 0);
    u = regs_for(LX_NR_kill, w->p.pid, LX_SIGTERM, 0, 0);
    assert_int_equal(step(w, &u), LX_SIG_NONE);
    assert_int_equal(SC1(w, LX_NR_sigpending, FAKE_SCRATCH + OLD_AT), 0);
    assert_int_equal(fake_read32(&w->space, FAKE_SCRATCH + OLD_AT), BIT(LX_SIGTERM));
    u = regs_for(LX_NR_rt_sigprocmask, LX_SIG_UNBLOCK, FAKE_SCRATCH + SET_AT, 0, 8);
    assert_int_equal(step(w, &u), LX_SIG_KILLED);
    assert_true(w->p.exited);
    assert_int_equal(w->p.exit_status, LX_SIGTERM);
    assert_int_equal(lx_sig_wait_status(LX_SIGSEGV), LX_SIGSEGV);
    assert_int_equal(lx_sig_wait_status(LX_SIGQUIT), LX_SIGQUIT);
    assert_int_equal(lx_sig_wait_status(LX_SIGALRM), LX_SIGALRM);
}

static void masks(void **state)
{
    fake_world_t *w = *state;
    uint32_t set[2] = { 0xffffffffu, 0xffffffffu }, old[2];
    uint32_t at = fake_put(w, SET_AT, set, sizeof(set)), oat = FAKE_SCRATCH + OLD_AT;
    assert_int_equal(SC4(w, LX_NR_rt_sigprocmask, LX_SIG_SETMASK, at, 0, 8), 0);
    assert_true(w->p.tsig.blocked == ~(BIT(LX_SIGKILL) | BIT(LX_SIGSTOP)));
    assert_int_equal(SC4(w, LX_NR_rt_sigprocmask, 7, at, oat, 8), -LX_EINVAL);
    assert_int_equal(SC4(w, LX_NR_rt_sigprocmask, LX_SIG_UNBLOCK, at, UNMAPPED, 8), -LX_EFAULT);
    assert_true(w->p.tsig.blocked == ~(BIT(LX_SIGKILL) | BIT(LX_SIGSTOP)));
    assert_int_equal(SC4(w, LX_NR_rt_sigprocmask, LX_SIG_UNBLOCK, at, oat, 8), 0);
    read_user(w, oat, old, sizeof(old));
    assert_int_equal(old[1], 0xffffffffu);
    assert_int_equal(w->p.tsig.blocked, 0);
    assert_int_equal(SC4(w, LX_NR_rt_sigprocmask, LX_SIG_BLOCK, at, 0, 4), -LX_EINVAL);
    /* the old call leaves signals 33..64 alone */
    w->p.tsig.blocked = BIT(50);
    set[0] = BIT(LX_SIGINT);
    assert_int_equal(SC3(w, LX_NR_sigprocmask, LX_SIG_SETMASK, fake_put(w, SET_AT, set, 4), 0),
                     0);
    assert_true(w->p.tsig.blocked == (BIT(50) | BIT(LX_SIGINT)));
    /* blocked, so kept pending; ignoring it then drops it */
    lx_sig_send(&w->p, LX_SIGINT, &(lx_sigsrc_t){ .code = LX_SI_USER });
    assert_true(w->p.sig.pending == BIT(LX_SIGINT));
    assert_int_equal(SC2(w, LX_NR_signal, LX_SIGINT, LX_SIG_IGN), LX_SIG_DFL);
    assert_int_equal(w->p.sig.pending, 0);
}

/* An interrupted blocking call: -EINTR, or restarted with SA_RESTART, or
 * restarted when no handler runs. */
static void restart_rules(void **state)
{
    fake_world_t *w = *state;
    lx_sigsrc_t src = { .code = LX_SI_USER };

    assert_int_equal(set_action(w, LX_SIGUSR1, HANDLER, LX_SA_SIGINFO | LX_SA_RESTORER, 0), 0);
    assert_int_equal(set_action(w, LX_SIGUSR2, HANDLER, LX_SA_SIGINFO | LX_SA_RESTORER |
                                LX_SA_RESTART, 0), 0);
    struct lx_rt_sigframe f;

    lx_regs_t u = regs_for(LX_NR_read, 0, FAKE_SCRATCH, 10, 0);
    answered(&u, -LX_ERESTARTSYS);       /* as a parked read gives up */
    lx_sig_send(&w->p, LX_SIGUSR1, &src);
    assert_int_equal(lx_sig_deliver(&w->p, &u, LX_NR_read), LX_SIG_HANDLER);
    read_user(w, u.esp, &f, sizeof(f));
    assert_int_equal(f.uc.uc_mcontext.eax, (uint32_t)-LX_EINTR);
    assert_int_equal(f.uc.uc_mcontext.eip, RESUME_AT);

    w->p.tsig.blocked = 0;
    u = regs_for(LX_NR_read, 0, FAKE_SCRATCH, 10, 0);
    answered(&u, -LX_ERESTARTSYS);
    lx_sig_send(&w->p, LX_SIGUSR2, &src);
    assert_int_equal(lx_sig_deliver(&w->p, &u, LX_NR_read), LX_SIG_HANDLER);
    read_user(w, u.esp, &f, sizeof(f));
    assert_int_equal(f.uc.uc_mcontext.eax, LX_NR_read);
    assert_int_equal(f.uc.uc_mcontext.eip, INT80_AT);   /* on the int $0x80 again */

    w->p.tsig.blocked = 0;
    u = regs_for(LX_NR_pause, 0, 0, 0, 0);
    answered(&u, -LX_ERESTARTNOHAND);
    lx_sig_send(&w->p, LX_SIGUSR2, &src);                  /* SA_RESTART does not matter */
    assert_int_equal(lx_sig_deliver(&w->p, &u, LX_NR_pause), LX_SIG_HANDLER);
    read_user(w, u.esp, &f, sizeof(f));
    assert_int_equal(f.uc.uc_mcontext.eax, (uint32_t)-LX_EINTR);

    u = regs_for(LX_NR_read, 0, 0, 0, 0);
    answered(&u, -LX_ERESTARTNOHAND);                       /* nothing to deliver */
    assert_int_equal(lx_sig_deliver(&w->p, &u, LX_NR_read), LX_SIG_NONE);
    assert_int_equal(u.eax, LX_NR_read);
    assert_int_equal(u.eip, INT80_AT);
    u = regs_for(LX_NR_read, 0, 0, 0, 0);
    answered(&u, -LX_ERESTARTSYS);
    assert_int_equal(lx_sig_deliver(&w->p, &u, -1), LX_SIG_NONE);   /* not a call */
    assert_int_equal(u.eax, (uint32_t)-LX_ERESTARTSYS);
}

/* A fault with a handler: si_addr and cr2; a fault in the handler kills. */
static void faults(void **state)
{
    fake_world_t *w = *state;
    assert_int_equal(set_action(w, LX_SIGSEGV, HANDLER, LX_SA_SIGINFO | LX_SA_RESTORER, 0), 0);
    lx_regs_t u = regs_for(0, 0, 0, 0, 0);
    lx_sig_fault(&w->p, LX_SIGSEGV, LX_SEGV_MAPERR, 0xdead0, 14, 4);
    assert_int_equal(lx_sig_deliver(&w->p, &u, -1), LX_SIG_HANDLER);
    struct lx_rt_sigframe f;
    read_user(w, u.esp, &f, sizeof(f));
    assert_int_equal(f.info.si_signo, LX_SIGSEGV);
    assert_int_equal(f.info.si_code, LX_SEGV_MAPERR);
    assert_int_equal(f.info.f.fault.addr, 0xdead0);
    assert_int_equal(f.uc.uc_mcontext.cr2, 0xdead0);
    assert_int_equal(f.uc.uc_mcontext.trapno, 14);
    assert_int_equal(f.uc.uc_mcontext.err, 4);
    /* SIGSEGV is blocked in its handler: a second fault there kills */
    lx_sig_fault(&w->p, LX_SIGSEGV, LX_SEGV_ACCERR, 0x1000, 14, 6);
    assert_int_equal(lx_sig_deliver(&w->p, &u, -1), LX_SIG_KILLED);
    assert_int_equal(w->p.exit_status, LX_SIGSEGV);
}

/* A stack the frame cannot be written to: SIGSEGV, and since that cannot
 * be delivered either, death by SIGSEGV. */
static void unwritable_stack_kills(void **state)
{
    fake_world_t *w = *state;
    assert_int_equal(set_action(w, LX_SIGSEGV, HANDLER, LX_SA_RESTORER, 0), 0);
    assert_int_equal(set_action(w, LX_SIGUSR1, HANDLER, LX_SA_RESTORER, 0), 0);
    lx_regs_t u = regs_for(LX_NR_kill, w->p.pid, LX_SIGUSR1, 0, 0);
    u.esp = UNMAPPED;
    assert_int_equal(step(w, &u), LX_SIG_KILLED);
    assert_int_equal(w->p.exit_status, LX_SIGSEGV);
}

static void alternate_stack(void **state)
{
    fake_world_t *w = *state;
    uint32_t alt = FAKE_SCRATCH + 0x1000;
    struct lx_stack ss = { alt, 0, 0x4000 }, os;
    uint32_t ss_at = fake_put(w, SS_AT, &ss, sizeof(ss));

    assert_int_equal(SC2(w, LX_NR_sigaltstack, ss_at, FAKE_SCRATCH + OLD_AT), 0);
    read_user(w, FAKE_SCRATCH + OLD_AT, &os, sizeof(os));
    assert_int_equal(os.ss_flags, LX_SS_DISABLE);
    assert_int_equal(set_action(w, LX_SIGUSR1, HANDLER, LX_SA_SIGINFO | LX_SA_RESTORER |
                                LX_SA_ONSTACK, 0), 0);
    lx_regs_t u = regs_for(LX_NR_kill, w->p.pid, LX_SIGUSR1, 0, 0);
    assert_int_equal(step(w, &u), LX_SIG_HANDLER);
    assert_true(u.esp > alt && u.esp < alt + 0x4000);
    /* in the handler, on the alternate stack: it cannot be changed */
    lx_regs_t h = regs_for(LX_NR_sigaltstack, ss_at, FAKE_SCRATCH + OLD_AT, 0, 0);
    h.esp = u.esp;
    step(w, &h);
    assert_int_equal(h.eax, (uint32_t)-LX_EPERM);
    h = regs_for(LX_NR_sigaltstack, 0, FAKE_SCRATCH + OLD_AT, 0, 0);
    h.esp = u.esp;
    step(w, &h);
    assert_int_equal(h.eax, 0);
    read_user(w, FAKE_SCRATCH + OLD_AT, &os, sizeof(os));
    assert_int_equal(os.ss_flags, LX_SS_ONSTACK);
    assert_int_equal(os.ss_sp, alt);

    ss.ss_size = LX_MINSIGSTKSZ - 1;
    assert_int_equal(SC2(w, LX_NR_sigaltstack, fake_put(w, SS_AT, &ss, sizeof(ss)), 0),
                     -LX_ENOMEM);
    ss.ss_flags = 5;
    assert_int_equal(SC2(w, LX_NR_sigaltstack, fake_put(w, SS_AT, &ss, sizeof(ss)), 0),
                     -LX_EINVAL);
    ss = (struct lx_stack){ 0, LX_SS_DISABLE, 0 };
    assert_int_equal(SC2(w, LX_NR_sigaltstack, fake_put(w, SS_AT, &ss, sizeof(ss)), 0), 0);
    assert_int_equal(w->p.tsig.ss_size, 0);
}

static void alarm_raises_sigalrm(void **state)
{
    fake_world_t *w = *state;
    assert_int_equal(SC1(w, LX_NR_alarm, 5), 0);
    w->host.clock_now = 1600000000ull;              /* 3.4 s left: 3 */
    assert_int_equal(SC1(w, LX_NR_alarm, 2), 3);
    w->host.clock_now = 3000000000ull;              /* 0.6 s left: 1 */
    assert_int_equal(SC1(w, LX_NR_alarm, 2), 1);
    w->host.clock_now = 4900000000ull;
    lx_sig_tick(&w->p);
    assert_int_equal(w->p.sig.pending, 0);
    w->host.clock_now = 5000000000ull;
    lx_regs_t u = regs_for(LX_NR_getpid, 0, 0, 0, 0);
    assert_int_equal(step(w, &u), LX_SIG_KILLED);          /* SIGALRM's default */
    assert_int_equal(w->p.exit_status, LX_SIGALRM);
}

static void alarm_cancelled(void **state)
{
    fake_world_t *w = *state;
    assert_int_equal(SC1(w, LX_NR_alarm, 1), 0);
    assert_int_equal(SC1(w, LX_NR_alarm, 0), 1);
    w->host.clock_now = 9000000000ull;
    lx_sig_tick(&w->p);
    assert_int_equal(w->p.sig.pending, 0);
}

/* k->sig_raised, the guest kernel's cue to look at every process after a
 * call: set by whatever makes a signal pending (kill, a fault) or starts an
 * alarm; a signal dropped at once, or cancelling an alarm, leaves it. */
static void raised_flag(void **state)
{
    fake_world_t *w = *state;
    lx_sigsrc_t src = { .code = LX_SI_USER };

    assert_false(w->k.sig_raised);
    assert_int_equal(SC2(w, LX_NR_kill, w->p.pid, LX_SIGCHLD), 0);    /* ignored: dropped */
    assert_false(w->k.sig_raised);
    assert_int_equal(SC1(w, LX_NR_alarm, 0), 0);
    assert_false(w->k.sig_raised);
    assert_int_equal(SC2(w, LX_NR_kill, w->p.pid, LX_SIGUSR1), 0);
    assert_true(w->k.sig_raised);
    w->k.sig_raised = false;
    w->p.sig.pending = 0;
    lx_sig_send(&w->p, LX_SIGUSR2, &src);
    assert_true(w->k.sig_raised);
    w->k.sig_raised = false;
    w->p.sig.pending = 0;
    lx_sig_fault(&w->p, LX_SIGSEGV, LX_SEGV_MAPERR, UNMAPPED, 14, 4);
    assert_true(w->k.sig_raised);
    w->k.sig_raised = false;
    w->p.sig.pending = 0;
    assert_int_equal(SC1(w, LX_NR_alarm, 3), 0);
    assert_true(w->k.sig_raised);
}

/* lx_sig_idle(), delivery's fast answer before every reply: true only when
 * lx_sig_deliver() would change nothing. */
static void idle_only_when_nothing_to_do(void **state)
{
    fake_world_t *w = *state;
    lx_sigsrc_t src = { .code = LX_SI_USER };
    lx_regs_t u = regs_for(LX_NR_getpid, 0, 0, 0, 0);

    answered(&u, 42);
    assert_true(lx_sig_idle(&w->p, &u));
    for (int32_t e = LX_ERESTARTSYS; e <= LX_ERESTART_RESTARTBLOCK; e++) {
        u.eax = (uint32_t)-e;                               /* a restart code to settle */
        assert_false(lx_sig_idle(&w->p, &u));
    }
    u.eax = (uint32_t)-(LX_ERESTARTSYS - 1);
    assert_true(lx_sig_idle(&w->p, &u));
    u.eax = (uint32_t)-(LX_ERESTART_RESTARTBLOCK + 1);
    assert_true(lx_sig_idle(&w->p, &u));
    u.eax = (uint32_t)-LX_EINTR;
    assert_true(lx_sig_idle(&w->p, &u));

    w->p.tsig.blocked = BIT(LX_SIGUSR1);
    lx_sig_send(&w->p, LX_SIGUSR1, &src);                   /* pending, though blocked */
    assert_false(lx_sig_idle(&w->p, &u));
    assert_int_equal(lx_sig_deliver(&w->p, &u, LX_NR_getpid), LX_SIG_NONE);
    w->p.sig.pending = 0;
    assert_true(lx_sig_idle(&w->p, &u));

    assert_int_equal(SC1(w, LX_NR_alarm, 5), 0);             /* the alarm may be due */
    assert_false(lx_sig_idle(&w->p, &u));
    assert_int_equal(SC1(w, LX_NR_alarm, 0), 5);
    assert_true(lx_sig_idle(&w->p, &u));

    w->p.tsig.restore_mask = true;                           /* sigsuspend's mask to undo */
    assert_false(lx_sig_idle(&w->p, &u));
    assert_int_equal(lx_sig_deliver(&w->p, &u, LX_NR_getpid), LX_SIG_NONE);
    assert_false(w->p.tsig.restore_mask);
    assert_true(lx_sig_idle(&w->p, &u));
}

/* pause parks until a signal interrupts it; sigsuspend's mask holds only
 * while waiting. */
static void pause_and_sigsuspend(void **state)
{
    fake_world_t *w = *state;
    lx_sigsrc_t src = { .code = LX_SI_USER };
    struct lx_rt_sigframe f;
    assert_int_equal(set_action(w, LX_SIGUSR1, HANDLER, LX_SA_SIGINFO | LX_SA_RESTORER, 0), 0);

    lx_regs_t u = regs_for(LX_NR_pause, 0, 0, 0, 0);
    assert_int_equal(lx_syscall(&w->p, &u), LX_BLOCK);
    assert_int_equal(lx_sig_interrupt(&w->p, LX_NR_pause), LX_BLOCK);
    lx_sig_send(&w->p, LX_SIGUSR1, &src);
    int32_t ret = lx_sig_interrupt(&w->p, LX_NR_pause);
    assert_int_equal(ret, -LX_ERESTARTNOHAND);
    assert_false(w->p.retrying);
    assert_int_equal(lx_sig_deliver(&w->p, answered(&u, ret), LX_NR_pause), LX_SIG_HANDLER);
    read_user(w, u.esp, &f, sizeof(f));
    assert_int_equal(f.uc.uc_mcontext.eax, (uint32_t)-LX_EINTR);

    w->p.tsig.blocked = BIT(LX_SIGUSR1);
    uint32_t set[2] = { BIT(LX_SIGINT), 0 };
    u = regs_for(LX_NR_rt_sigsuspend, fake_put(w, SET_AT, set, 8), 8, 0, 0);
    assert_int_equal(lx_syscall(&w->p, &u), LX_BLOCK);
    assert_true(w->p.tsig.blocked == BIT(LX_SIGINT));
    assert_int_equal(lx_syscall(&w->p, &u), LX_BLOCK);     /* repeated: mask kept */
    assert_true(w->p.tsig.saved_mask == BIT(LX_SIGUSR1));
    lx_sig_send(&w->p, LX_SIGINT, &src);                   /* blocked now: still parked */
    assert_int_equal(lx_sig_interrupt(&w->p, LX_NR_rt_sigsuspend), LX_BLOCK);
    lx_sig_send(&w->p, LX_SIGUSR1, &src);
    ret = lx_sig_interrupt(&w->p, LX_NR_rt_sigsuspend);
    assert_int_equal(ret, -LX_ERESTARTNOHAND);
    assert_int_equal(lx_sig_deliver(&w->p, answered(&u, ret), LX_NR_rt_sigsuspend),
                     LX_SIG_HANDLER);
    read_user(w, u.esp, &f, sizeof(f));
    assert_int_equal(f.uc.uc_sigmask[0], BIT(LX_SIGUSR1)); /* the mask before sigsuspend */
    assert_int_equal(f.uc.uc_mcontext.eax, (uint32_t)-LX_EINTR);
    assert_int_equal(SC3(w, LX_NR_rt_sigsuspend, UNMAPPED, 8, 0), -LX_EFAULT);
}

/* The code a parked call is interrupted with; vfork's wait goes on. */
static void interrupting_parked_calls(void **state)
{
    fake_world_t *w = *state;
    lx_sigsrc_t src = { .code = LX_SI_USER };
    assert_int_equal(set_action(w, LX_SIGUSR1, HANDLER, LX_SA_RESTORER, 0), 0);
    assert_int_equal(lx_sig_interrupt(&w->p, LX_NR_read), LX_BLOCK);
    lx_sig_send(&w->p, LX_SIGUSR1, &src);
    w->p.sleep_until = 5;
    assert_int_equal(lx_sig_interrupt(&w->p, LX_NR_nanosleep), -LX_ERESTART_RESTARTBLOCK);
    assert_int_equal(w->p.sleep_until, 0);
    assert_int_equal(lx_sig_interrupt(&w->p, LX_NR_read), -LX_ERESTARTSYS);
    assert_int_equal(lx_sig_interrupt(&w->p, LX_NR_wait4), -LX_ERESTARTSYS);
    assert_int_equal(lx_sig_interrupt(&w->p, LX_NR_poll), -LX_ERESTARTNOHAND);
    w->p.vfork_pid = 2;         /* a vfork parent */
    assert_int_equal(lx_sig_interrupt(&w->p, LX_NR_vfork), LX_BLOCK);
    lx_sig_send(&w->p, LX_SIGKILL, &src);
    assert_int_equal(lx_sig_interrupt(&w->p, LX_NR_vfork), -LX_ERESTARTSYS);
    w->p.vfork_pid = 0;

    assert_int_equal(lx_sig_segv_code(&w->p, 0x10), LX_SEGV_MAPERR);
    assert_int_equal(SC6(w, LX_NR_mmap2, 0, 4096, 0 /* PROT_NONE */, 0x22, -1, 0) & 0xfff, 0);
    uint32_t at = (uint32_t)SC6(w, LX_NR_mmap2, 0, 4096, 0, 0x22, -1, 0);
    assert_int_equal(lx_sig_segv_code(&w->p, at + 5), LX_SEGV_ACCERR);
}

static void kill_targets(void **state)
{
    fake_world_t *w = *state;
    uint32_t me = w->p.pid;
    w->p.pgid = 5;              /* kill(-1) is not group 1 */
    assert_int_equal(SC2(w, LX_NR_kill, me, 0), 0);
    assert_int_equal(SC2(w, LX_NR_kill, me + 1, 0), -LX_ESRCH);
    assert_int_equal(SC2(w, LX_NR_kill, me, 65), -LX_EINVAL);
    assert_int_equal(SC2(w, LX_NR_kill, (uint32_t)-1, LX_SIGUSR1), -LX_ESRCH);
    assert_int_equal(SC2(w, LX_NR_kill, (uint32_t)-(int32_t)w->p.pgid, 0), 0);
    assert_int_equal(SC2(w, LX_NR_kill, (uint32_t)-(int32_t)(w->p.pgid + 9), 0), -LX_ESRCH);
    assert_int_equal(SC2(w, LX_NR_tkill, me + 1, LX_SIGUSR1), -LX_ESRCH);
    assert_int_equal(SC3(w, LX_NR_tgkill, me, 0, LX_SIGUSR1), -LX_EINVAL);
    assert_int_equal(w->p.sig.pending, 0);
    assert_int_equal(SC3(w, LX_NR_tgkill, me, me, LX_SIGUSR1), 0);
    assert_true(w->p.tsig.pending == BIT(LX_SIGUSR1));      /* the thread's own */
    assert_int_equal(w->p.tsig.src[LX_SIGUSR1 - 1].code, LX_SI_TKILL);
    assert_int_equal(w->p.sig.pending, 0);
    assert_int_equal(SC2(w, LX_NR_kill, 0, LX_SIGUSR2), 0);
    assert_true(w->p.sig.pending == BIT(LX_SIGUSR2));       /* the process's */
    assert_true(w->p.tsig.pending == BIT(LX_SIGUSR1));
}

/* A write to a pipe nobody reads: EPIPE and SIGPIPE, which kills. */
static void sigpipe_on_broken_pipe(void **state)
{
    fake_world_t *w = *state;
    uint32_t fds = FAKE_SCRATCH + OLD_AT;
    assert_int_equal(SC1(w, LX_NR_pipe, fds), 0);
    assert_int_equal(SC1(w, LX_NR_close, fake_read32(&w->space, fds)), 0);
    assert_int_equal(SC2(w, LX_NR_signal, LX_SIGPIPE, LX_SIG_IGN), LX_SIG_DFL);
    lx_regs_t u = regs_for(LX_NR_write, fake_read32(&w->space, fds + 4),
                           fake_put_str(w, 0, "x"), 1, 0);
    assert_int_equal(step(w, &u), LX_SIG_NONE);
    assert_int_equal(u.eax, (uint32_t)-LX_EPIPE);
    assert_int_equal(SC2(w, LX_NR_signal, LX_SIGPIPE, LX_SIG_DFL), LX_SIG_IGN);
    u = regs_for(LX_NR_write, fake_read32(&w->space, fds + 4), fake_put_str(w, 0, "x"), 1, 0);
    assert_int_equal(step(w, &u), LX_SIG_KILLED);
    assert_true(w->p.exited);
    assert_int_equal(w->p.exit_status, LX_SIGPIPE);
}

static void fork_exec_and_sigchld(void **state)
{
    fake_world_t *w = *state;
    lx_proc_t child;
    assert_int_equal(set_action(w, LX_SIGUSR1, HANDLER, LX_SA_RESTORER, 0), 0);
    assert_int_equal(SC2(w, LX_NR_signal, LX_SIGUSR2, LX_SIG_IGN), LX_SIG_DFL);
    w->p.tsig.blocked = BIT(LX_SIGHUP);
    lx_sig_send(&w->p, LX_SIGHUP, &(lx_sigsrc_t){ .code = LX_SI_USER });
    lx_sig_fork(&child, &w->p);
    assert_int_equal(child.sig.pending, 0);
    assert_int_equal(child.sig.act[LX_SIGUSR1 - 1].handler, HANDLER);
    lx_sig_exec(&w->p);
    assert_int_equal(w->p.sig.act[LX_SIGUSR1 - 1].handler, LX_SIG_DFL);
    assert_int_equal(w->p.sig.act[LX_SIGUSR2 - 1].handler, LX_SIG_IGN);
    assert_int_equal(w->p.sig.pending, BIT(LX_SIGHUP));   /* kept across exec */

    assert_int_equal(set_action(w, LX_SIGCHLD, HANDLER, LX_SA_SIGINFO | LX_SA_RESTORER, 0), 0);
    assert_false(lx_sig_child(&w->p, 77, LX_SIGKILL));
    assert_int_equal(w->p.sig.src[LX_SIGCHLD - 1].code, LX_CLD_KILLED);
    lx_regs_t u = regs_for(LX_NR_getpid, 0, 0, 0, 0);
    assert_int_equal(lx_sig_deliver(&w->p, &u, -1), LX_SIG_HANDLER);
    struct lx_rt_sigframe f;
    read_user(w, u.esp, &f, sizeof(f));
    assert_int_equal(f.info.si_code, LX_CLD_KILLED);
    assert_int_equal(f.info.f.chld.pid, 77);
    assert_int_equal(f.info.f.chld.status, LX_SIGKILL);
    assert_int_equal(SC2(w, LX_NR_signal, LX_SIGCHLD, LX_SIG_IGN), HANDLER);
    assert_true(lx_sig_child(&w->p, 78, 3 << 8));          /* no zombie wanted */
}

/* ppoll's mask holds while it waits: back at once when the call is done,
 * after the handler when a signal interrupts it. */
static void ppoll_mask(void **state)
{
    fake_world_t *w = *state;
    lx_sigsrc_t src = { .code = LX_SI_USER };
    uint32_t fds = FAKE_SCRATCH + OLD_AT, mask[2] = { BIT(LX_SIGUSR2), 0 };
    assert_int_equal(SC1(w, LX_NR_pipe, fds), 0);
    uint32_t pfd[2] = { fake_read32(&w->space, fds), LX_POLLIN };  /* fd, events|revents */
    uint32_t pfd_at = fake_put(w, 0x500, pfd, sizeof(pfd));
    uint32_t mask_at = fake_put(w, SET_AT, mask, sizeof(mask));
    assert_int_equal(set_action(w, LX_SIGUSR1, HANDLER, LX_SA_SIGINFO | LX_SA_RESTORER, 0), 0);
    w->p.tsig.blocked = BIT(LX_SIGHUP);

    lx_regs_t u = regs_for(LX_NR_ppoll, pfd_at, 1, 0, mask_at);
    u.edi = 8;
    assert_int_equal(lx_syscall(&w->p, &u), LX_BLOCK);       /* nothing to read: parked */
    assert_true(w->p.tsig.blocked == BIT(LX_SIGUSR2));
    lx_sig_send(&w->p, LX_SIGUSR1, &src);
    int32_t ret = lx_sig_interrupt(&w->p, LX_NR_ppoll);
    assert_int_equal(ret, -LX_ERESTARTNOHAND);
    assert_int_equal(lx_sig_deliver(&w->p, answered(&u, ret), LX_NR_ppoll), LX_SIG_HANDLER);
    struct lx_rt_sigframe f;
    read_user(w, u.esp, &f, sizeof(f));
    assert_int_equal(f.uc.uc_sigmask[0], BIT(LX_SIGHUP));   /* the mask before ppoll */
    assert_int_equal(f.uc.uc_mcontext.eax, (uint32_t)-LX_EINTR);

    w->p.tsig.blocked = BIT(LX_SIGHUP);
    assert_int_equal(SC3(w, LX_NR_write, fake_read32(&w->space, fds + 4), fake_put_str(w, 0, "x"),
                         1), 1);
    assert_int_equal(SC5(w, LX_NR_ppoll, pfd_at, 1, 0, mask_at, 8), 1);
    assert_true(w->p.tsig.blocked == BIT(LX_SIGHUP));          /* back at once */
    assert_int_equal(SC5(w, LX_NR_ppoll, pfd_at, 1, 0, mask_at, 4), -LX_EINVAL);
    assert_true(w->p.tsig.blocked == BIT(LX_SIGHUP));
}

/* Job control: SIGSTOP stops a child (a parked read restarts once it is
 * continued), its parent hears of it through SIGCHLD and wait4 with
 * WUNTRACED, once; SIGCONT continues it (even when ignored) and WCONTINUED
 * reports that; SA_NOCLDSTOP keeps SIGCHLD quiet; SIGTSTP stops a group
 * that is not orphaned; SIGKILL ends a stopped process. */
static void job_control_stop_and_continue(void **state)
{
    fake_world_t *w = *state;
    lx_proc_t *p = &w->p;
    uint32_t st = FAKE_SCRATCH + OLD_AT;
    int32_t pid = SC0(w, LX_NR_fork);
    lx_proc_t *c = p->new_child;
    p->new_child = NULL;

    assert_int_equal(set_action(w, LX_SIGCHLD, HANDLER, LX_SA_RESTORER, 0), 0);
    assert_int_equal(PC4(p, LX_NR_wait4, pid, st, LX_WNOHANG | LX_WUNTRACED, 0), 0);
    assert_int_equal(PC2(p, LX_NR_kill, pid, LX_SIGSTOP), 0);
    lx_regs_t u = regs_for(LX_NR_read, 0, FAKE_SCRATCH, 10, 0);
    answered(&u, -LX_ERESTARTSYS);          /* a parked read the signal interrupted */
    assert_int_equal(lx_sig_deliver(c, &u, LX_NR_read), LX_SIG_STOPPED);
    assert_true(c->sig.stopped);
    assert_int_equal(u.eip, INT80_AT);      /* restarted once continued */
    assert_int_equal(u.eax, LX_NR_read);
    assert_true(p->sig.pending == BIT(LX_SIGCHLD));
    assert_int_equal(p->sig.src[LX_SIGCHLD - 1].code, LX_CLD_STOPPED);
    assert_int_equal(p->sig.src[LX_SIGCHLD - 1].status, LX_SIGSTOP);
    p->sig.pending = 0;
    assert_int_equal(PC4(p, LX_NR_wait4, pid, st, LX_WNOHANG, 0), 0);   /* not without */
    assert_int_equal(PC4(p, LX_NR_wait4, pid, st, LX_WUNTRACED, 0), pid);
    assert_int_equal(fake_read32(&w->space, st), (LX_SIGSTOP << 8) | 0x7f);
    assert_int_equal(PC4(p, LX_NR_wait4, -1, st, LX_WNOHANG | LX_WUNTRACED, 0), 0);  /* once */

    /* signals wait while it is stopped; SIGCONT, even ignored, continues */
    assert_int_equal(PC2(c, LX_NR_signal, LX_SIGCONT, LX_SIG_IGN), LX_SIG_DFL);
    c->sig.stopped = true;                  /* (the call above was made while stopped) */
    assert_int_equal(PC2(p, LX_NR_kill, pid, LX_SIGCONT), 0);
    assert_false(c->sig.stopped);
    assert_int_equal(p->sig.src[LX_SIGCHLD - 1].code, LX_CLD_CONTINUED);
    assert_int_equal(PC4(p, LX_NR_wait4, pid, st, LX_WUNTRACED | LX_WNOHANG, 0), 0);
    assert_int_equal(PC4(p, LX_NR_wait4, pid, st, LX_WCONTINUED, 0), pid);
    assert_int_equal(fake_read32(&w->space, st), 0xffff);
    assert_int_equal(PC4(p, LX_NR_wait4, pid, st, LX_WCONTINUED | LX_WNOHANG, 0), 0);

    /* SA_NOCLDSTOP; SIGTSTP stops the child, whose parent is in another group */
    assert_int_equal(set_action(w, LX_SIGCHLD, HANDLER, LX_SA_NOCLDSTOP | LX_SA_RESTORER, 0), 0);
    p->sig.pending = 0;
    assert_int_equal(PC2(c, LX_NR_setpgid, 0, 0), 0);
    assert_int_equal(PC2(p, LX_NR_kill, -pid, LX_SIGTSTP), 0);
    u = regs_for(LX_NR_getpid, 0, 0, 0, 0);
    answered(&u, pid);
    assert_int_equal(lx_sig_deliver(c, &u, LX_NR_getpid), LX_SIG_STOPPED);
    assert_int_equal(u.eax, pid);           /* nothing to restart */
    assert_int_equal(p->sig.pending, 0);
    assert_int_equal(PC4(p, LX_NR_wait4, pid, st, LX_WUNTRACED, 0), pid);
    assert_int_equal(fake_read32(&w->space, st), (LX_SIGTSTP << 8) | 0x7f);

    /* SIGKILL wakes it to die */
    assert_int_equal(PC2(p, LX_NR_kill, pid, LX_SIGKILL), 0);
    assert_false(c->sig.stopped);
    assert_int_equal(lx_sig_deliver(c, &u, -1), LX_SIG_KILLED);
    fake_ops.space_free(&w->host, c->space);
    c->space = NULL;
    assert_int_equal(PC4(p, LX_NR_wait4, pid, st, 0, 0), pid);
    assert_int_equal(fake_read32(&w->space, st), LX_SIGKILL);
}

/* kill between processes, SIGCHLD at a child's exit, kill(-1). */
static void signals_between_processes(void **state)
{
    fake_world_t *w = *state;
    lx_proc_t *p = &w->p;
    int32_t pid = SC0(w, LX_NR_fork);
    assert_true(pid > 0);
    lx_proc_t *c = p->new_child;
    p->new_child = NULL;

    assert_int_equal(PC2(p, LX_NR_kill, pid, LX_SIGTERM), 0);
    assert_true(c->sig.pending == BIT(LX_SIGTERM));
    assert_int_equal(c->sig.src[LX_SIGTERM - 1].pid, p->pid);
    assert_int_equal(p->sig.pending, 0);
    assert_int_equal(PC2(p, LX_NR_kill, (uint32_t)-1, LX_SIGUSR1), 0);  /* all but init, self */
    assert_true(c->sig.pending == (BIT(LX_SIGTERM) | BIT(LX_SIGUSR1)));
    assert_int_equal(PC2(c, LX_NR_kill, (uint32_t)-1, LX_SIGUSR1), -LX_ESRCH);
    assert_int_equal(PC2(c, LX_NR_tkill, p->pid, LX_SIGUSR2), 0);
    assert_true(p->tsig.pending == BIT(LX_SIGUSR2));
    assert_int_equal(PC3(c, LX_NR_tgkill, p->pid, c->pid, LX_SIGUSR2), -LX_ESRCH);
    p->tsig.pending = 0;

    assert_int_equal(set_action(w, LX_SIGCHLD, HANDLER, LX_SA_SIGINFO | LX_SA_RESTORER, 0), 0);
    lx_regs_t u = regs_for(LX_NR_getpid, 0, 0, 0, 0);
    u.eip += 2;
    assert_int_equal(lx_sig_deliver(c, &u, -1), LX_SIG_KILLED);      /* the lowest first */
    assert_true(c->exited);
    assert_int_equal(c->exit_status, LX_SIGUSR1);
    assert_true(p->sig.pending == BIT(LX_SIGCHLD));
    assert_int_equal(p->sig.src[LX_SIGCHLD - 1].code, LX_CLD_KILLED);
    assert_int_equal(p->sig.src[LX_SIGCHLD - 1].pid, (uint32_t)pid);
    assert_int_equal(PC2(p, LX_NR_kill, pid, 0), 0);                 /* a zombie exists */
    fake_ops.space_free(&w->host, c->space);
    c->space = NULL;
    assert_int_equal(PC4(p, LX_NR_wait4, pid, FAKE_SCRATCH + OLD_AT, 0, 0), pid);
    assert_int_equal(fake_read32(&w->space, FAKE_SCRATCH + OLD_AT), LX_SIGUSR1);
    assert_int_equal(PC2(p, LX_NR_kill, pid, 0), -LX_ESRCH);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(actions_are_kept_and_checked, setup, teardown),
        cmocka_unit_test_setup_teardown(rt_frame_and_rt_sigreturn, setup, teardown),
        cmocka_unit_test_setup_teardown(sigframe_with_retcode_and_sigreturn, setup, teardown),
        cmocka_unit_test_setup_teardown(fpu_state_through_sigreturn, setup, teardown),
        cmocka_unit_test_setup_teardown(default_actions, setup, teardown),
        cmocka_unit_test_setup_teardown(masks, setup, teardown),
        cmocka_unit_test_setup_teardown(restart_rules, setup, teardown),
        cmocka_unit_test_setup_teardown(faults, setup, teardown),
        cmocka_unit_test_setup_teardown(unwritable_stack_kills, setup, teardown),
        cmocka_unit_test_setup_teardown(alternate_stack, setup, teardown),
        cmocka_unit_test_setup_teardown(alarm_raises_sigalrm, setup, teardown),
        cmocka_unit_test_setup_teardown(alarm_cancelled, setup, teardown),
        cmocka_unit_test_setup_teardown(raised_flag, setup, teardown),
        cmocka_unit_test_setup_teardown(idle_only_when_nothing_to_do, setup, teardown),
        cmocka_unit_test_setup_teardown(pause_and_sigsuspend, setup, teardown),
        cmocka_unit_test_setup_teardown(interrupting_parked_calls, setup, teardown),
        cmocka_unit_test_setup_teardown(kill_targets, setup, teardown),
        cmocka_unit_test_setup_teardown(sigpipe_on_broken_pipe, setup, teardown),
        cmocka_unit_test_setup_teardown(fork_exec_and_sigchld, setup, teardown),
        cmocka_unit_test_setup_teardown(signals_between_processes, setup, teardown),
        cmocka_unit_test_setup_teardown(job_control_stop_and_continue, setup, teardown),
        cmocka_unit_test_setup_teardown(ppoll_mask, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
