/*
 * Linux i386 signals: numbers, sigaction flags and the structures a
 * signal handler sees on its stack. Numbers from include/uapi/asm-generic/
 * signal.h and arch/x86/include/uapi/asm/signal.h; siginfo codes from
 * include/uapi/asm-generic/siginfo.h; the frames from arch/x86/include/asm/
 * sigframe.h (sigframe and rt_sigframe as a native 32-bit kernel builds
 * them), arch/x86/include/uapi/asm/sigcontext.h (struct sigcontext_32) and
 * arch/x86/include/asm/ucontext.h with include/uapi/asm-generic/ucontext.h.
 * Each layout is pinned by _Static_assert, since the host's headers only
 * describe x86_64's.
 */
#ifndef LINUX_SIGNAL_H
#define LINUX_SIGNAL_H

#include <stdint.h>
#include <stddef.h>

/* System calls (arch/x86/entry/syscalls/syscall_32.tbl) */
#define LX_NR_restart_syscall    0
#define LX_NR_alarm             27
#define LX_NR_pause             29
#define LX_NR_kill              37
#define LX_NR_signal            48
#define LX_NR_sigaction         67
#define LX_NR_sgetmask          68
#define LX_NR_ssetmask          69
#define LX_NR_sigsuspend        72
#define LX_NR_sigpending        73
#define LX_NR_sigreturn        119
#define LX_NR_sigprocmask      126
#define LX_NR_rt_sigreturn     173
#define LX_NR_rt_sigaction     174
#define LX_NR_rt_sigprocmask   175
#define LX_NR_rt_sigpending    176
#define LX_NR_rt_sigsuspend    179
#define LX_NR_sigaltstack      186
#define LX_NR_tkill            238
#define LX_NR_tgkill           270

/* Signal numbers (asm/signal.h) */
#define LX_SIGHUP     1
#define LX_SIGINT     2
#define LX_SIGQUIT    3
#define LX_SIGILL     4
#define LX_SIGTRAP    5
#define LX_SIGABRT    6
#define LX_SIGBUS     7
#define LX_SIGFPE     8
#define LX_SIGKILL    9
#define LX_SIGUSR1   10
#define LX_SIGSEGV   11
#define LX_SIGUSR2   12
#define LX_SIGPIPE   13
#define LX_SIGALRM   14
#define LX_SIGTERM   15
#define LX_SIGSTKFLT 16
#define LX_SIGCHLD   17
#define LX_SIGCONT   18
#define LX_SIGSTOP   19
#define LX_SIGTSTP   20
#define LX_SIGTTIN   21
#define LX_SIGTTOU   22
#define LX_SIGURG    23
#define LX_SIGXCPU   24
#define LX_SIGXFSZ   25
#define LX_SIGVTALRM 26
#define LX_SIGPROF   27
#define LX_SIGWINCH  28
#define LX_SIGIO     29
#define LX_SIGPWR    30
#define LX_SIGSYS    31
#define LX_NSIG      64         /* asm/signal.h _NSIG: signals 1..64 */

/* The bit of signal s in a sigset_t (64 bits on i386). */
#define LX_SIGBIT(s) (1ull << ((s) - 1))

/* sigaction (asm/signal.h, asm-generic/signal-defs.h) */
#define LX_SIG_DFL        0u
#define LX_SIG_IGN        1u
#define LX_SA_NOCLDSTOP   0x00000001u
#define LX_SA_NOCLDWAIT   0x00000002u
#define LX_SA_SIGINFO     0x00000004u
#define LX_SA_RESTORER    0x04000000u
#define LX_SA_ONSTACK     0x08000000u
#define LX_SA_RESTART     0x10000000u
#define LX_SA_NODEFER     0x40000000u
#define LX_SA_RESETHAND   0x80000000u

/* sigprocmask's how (asm-generic/signal-defs.h) */
#define LX_SIG_BLOCK      0
#define LX_SIG_UNBLOCK    1
#define LX_SIG_SETMASK    2

/* sigaltstack (uapi/linux/signal.h, asm/signal.h) */
#define LX_SS_ONSTACK     1u
#define LX_SS_DISABLE     2u
#define LX_SS_AUTODISARM  (1u << 31)
#define LX_MINSIGSTKSZ    2048u

/* siginfo si_code (asm-generic/siginfo.h) */
#define LX_SI_USER        0
#define LX_SI_KERNEL      0x80
#define LX_SI_TKILL       (-6)
#define LX_ILL_ILLOPN     2
#define LX_FPE_INTDIV     1
#define LX_SEGV_MAPERR    1
#define LX_SEGV_ACCERR    2
#define LX_BUS_ADRERR     2
#define LX_CLD_EXITED     1
#define LX_CLD_KILLED     2
#define LX_CLD_DUMPED     3
#define LX_CLD_STOPPED    5
#define LX_CLD_CONTINUED  6

/* Restart codes a system call may return while a signal is pending; they
 * never reach the program (include/linux/errno.h). */
#define LX_ERESTARTSYS           512
#define LX_ERESTARTNOINTR        513
#define LX_ERESTARTNOHAND        514
#define LX_ERESTART_RESTARTBLOCK 516

/* The wait status bit of a terminated process that dumped core
 * (include/uapi/linux/wait.h WCOREFLAG as glibc spells it). */
#define LX_WCOREFLAG      0x80u

/* EFLAGS bits sigreturn may change (arch/x86/kernel/signal.c FIX_EFLAGS):
 * AC OF DF TF SF ZF AF PF CF RF. */
#define LX_FIX_EFLAGS     0x00050dd5u
/* ... and those delivery clears for the handler: DF, RF, TF. */
#define LX_EFLAGS_DF      0x00000400u
#define LX_EFLAGS_RF      0x00010000u
#define LX_EFLAGS_TF      0x00000100u

/* Our GDT's user selectors (arch/ia32/include/arch/gdt.h SEL_CS_3,
 * SEL_DS_3), written into a sigcontext; sigreturn ignores them. */
#define LX_USER_CS        0x1bu
#define LX_USER_DS        0x23u

/* The kernel's struct sigaction as rt_sigaction copies it (include/linux/
 * signal_types.h: handler, flags, restorer, mask) and the old call's
 * (asm/signal.h struct old_sigaction: handler, mask, flags, restorer). */
struct lx_k_sigaction {
    uint32_t handler, flags, restorer;
    uint32_t mask[2];
};
_Static_assert(sizeof(struct lx_k_sigaction) == 20, "i386 kernel sigaction is 20 bytes");

struct lx_old_sigaction {
    uint32_t handler, mask, flags, restorer;
};

/* stack_t (uapi/asm-generic/signal.h): ss_sp, ss_flags, ss_size. */
struct lx_stack {
    uint32_t ss_sp;
    int32_t ss_flags;
    uint32_t ss_size;
};

/* siginfo_t: 128 bytes; the union starts at 12 and on i386 the fields
 * the personality fills are all 32-bit words. */
#define LX_SI_WORDS 29
struct lx_siginfo {
    int32_t si_signo, si_errno, si_code;
    union {
        struct { uint32_t pid, uid; } kill;
        struct { uint32_t pid, uid; int32_t status; uint32_t utime, stime; } chld;
        struct { uint32_t addr; } fault;
        uint32_t pad[LX_SI_WORDS];
    } f;
};
_Static_assert(sizeof(struct lx_siginfo) == 128, "siginfo_t is 128 bytes");

/* struct sigcontext_32 (uapi/asm/sigcontext.h): 16-bit selectors each
 * padded to a word; the order glibc's gregs[] follows. */
struct lx_sigcontext {
    uint32_t gs, fs, es, ds;
    uint32_t edi, esi, ebp, esp, ebx, edx, ecx, eax;
    uint32_t trapno, err, eip, cs, eflags, esp_at_signal, ss;
    uint32_t fpstate;           /* user address of the FPU state, 0: none */
    uint32_t oldmask;           /* blocked signals 1..32 */
    uint32_t cr2;
};
_Static_assert(sizeof(struct lx_sigcontext) == 88, "sigcontext_32 is 88 bytes");

/* struct ucontext (asm-generic/ucontext.h) */
struct lx_ucontext {
    uint32_t uc_flags;
    uint32_t uc_link;
    struct lx_stack uc_stack;
    struct lx_sigcontext uc_mcontext;
    uint32_t uc_sigmask[2];
};
_Static_assert(sizeof(struct lx_ucontext) == 116, "i386 ucontext is 116 bytes");

/* struct _fpstate_32 (uapi/asm/sigcontext.h) as a kernel with FXSR and
 * without XSAVE fills it (arch/x86/kernel/fpu/signal.c save_fsave_header):
 * the legacy i387 image first (what FNSAVE stores: the environment, then
 * st0..st7 as 10-byte registers), the status word, magic 0 (X86_FXSR_MAGIC:
 * FXSR data follows), then the 512-byte FXSAVE image (16-byte aligned;
 * its last 48 bytes, sw_reserved, zero: no XSAVE magic). The frames keep
 * room for a legacy copy besides, which no kernel uses any more. */
#define LX_FPSTATE32_SIZE 624
#define LX_FSAVE_ENV_SIZE 28    /* cw, sw, tag, ipoff, cssel, dataoff, datasel */
#define LX_FPREG_SIZE     10    /* struct _fpreg: an 80-bit register */
#define LX_FXSR_MAGIC     0x0000u
struct lx_fpstate_legacy {
    uint32_t cw, sw, tag, ipoff, cssel, dataoff, datasel;
    uint8_t st[8 * LX_FPREG_SIZE];
    uint16_t status;            /* the status word before the handler */
    uint16_t magic;             /* LX_FXSR_MAGIC */
};
_Static_assert(sizeof(struct lx_fpstate_legacy) == 112, "struct fregs_state is 112 bytes");

/* The FXSAVE image in 32-bit mode (Intel SDM vol. 1 10.5.1, table 10-2). */
#define LX_FXREG_SIZE     16    /* st0..st7, xmm0..xmm7: 16-byte slots */
struct lx_fxsave {
    uint16_t cwd, swd;
    uint8_t ftw, reserved0;     /* abridged tag: bit i set when st(i) is not empty */
    uint16_t fop;
    uint32_t fip, fcs, foo, fos;
    uint32_t mxcsr, mxcsr_mask;
    uint8_t st[8 * LX_FXREG_SIZE];
    uint8_t xmm[8 * LX_FXREG_SIZE];
    uint8_t reserved[176];
    uint8_t sw_reserved[48];    /* software's: where XSAVE's magic would be */
};
_Static_assert(sizeof(struct lx_fxsave) == 512, "FXSAVE image is 512 bytes");
_Static_assert(offsetof(struct lx_fxsave, st) == 32 && offsetof(struct lx_fxsave, xmm) == 160,
               "FXSAVE register slots");

struct lx_fpstate32 {
    struct lx_fpstate_legacy legacy;
    struct lx_fxsave fx;
};
_Static_assert(sizeof(struct lx_fpstate32) == LX_FPSTATE32_SIZE, "struct _fpstate_32");

/* The state a handler starts with (arch/x86/kernel/fpu/init.c: the
 * control word FNINIT sets, MXCSR_DEFAULT) and the MXCSR bits FXRSTOR
 * accepts when the processor reports no mask (SDM vol. 1 11.6.6). */
#define LX_FCW_DEFAULT    0x037fu
#define LX_MXCSR_DEFAULT  0x1f80u
#define LX_MXCSR_MASK_DEFAULT 0xffbfu
#define LX_RETCODE_SIZE   8

/* struct sigframe (asm/sigframe.h, native 32-bit): for handlers without
 * SA_SIGINFO. pretcode is the return address the handler returns to. */
struct lx_sigframe {
    uint32_t pretcode;
    int32_t sig;
    struct lx_sigcontext sc;
    uint8_t fpstate_unused[LX_FPSTATE32_SIZE];
    uint32_t extramask;         /* blocked signals 33..64 */
    uint8_t retcode[LX_RETCODE_SIZE];
};
_Static_assert(sizeof(struct lx_sigframe) == 732, "i386 sigframe is 732 bytes");
_Static_assert(offsetof(struct lx_sigframe, extramask) == 720, "sigframe extramask");

/* struct rt_sigframe (asm/sigframe.h, native 32-bit) */
struct lx_rt_sigframe {
    uint32_t pretcode;
    int32_t sig;
    uint32_t pinfo, puc;        /* user addresses of info and uc */
    struct lx_siginfo info;
    struct lx_ucontext uc;
    uint8_t retcode[LX_RETCODE_SIZE];
};
_Static_assert(sizeof(struct lx_rt_sigframe) == 268, "i386 rt_sigframe is 268 bytes");
_Static_assert(offsetof(struct lx_rt_sigframe, uc) == 144, "rt_sigframe uc");

/* The return trampolines Linux writes into retcode (arch/x86/kernel/
 * signal_32.c): `popl %eax; movl $__NR_sigreturn, %eax; int $0x80` and
 * `movl $__NR_rt_sigreturn, %eax; int $0x80`, as bytes. */
#define LX_OP_POP_EAX     0x58
#define LX_OP_MOV_EAX     0xb8
#define LX_OP_INT         0xcd
#define LX_INT_LINUX      0x80

#endif
