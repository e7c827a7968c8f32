/*
 * System-call numbers, passed in EAX to sysenter (seL4 ia32, abi.md).
 * Debug calls below -10 exist only in debug builds; -22 only in bench builds;
 * -30 (SetTLSBase) in all.
 */
#ifndef ABI_SYSCALL_H
#define ABI_SYSCALL_H

#define SYS_CALL                (-1)
#define SYS_REPLY_RECV          (-2)
#define SYS_SEND                (-3)
#define SYS_NB_SEND             (-4)
#define SYS_RECV                (-5)
#define SYS_REPLY               (-6)
#define SYS_YIELD               (-7)
#define SYS_NB_RECV             (-8)
#define SYS_DEBUG_PUT_CHAR      (-9)
#define SYS_DEBUG_DUMP_SCHEDULER (-10)
#define SYS_DEBUG_HALT          (-11)
#define SYS_DEBUG_CAP_IDENTIFY  (-12)
#define SYS_DEBUG_SNAPSHOT      (-13)
#define SYS_DEBUG_NAME_THREAD   (-14)
#define SYS_BENCH_NULL_SYSCALL  (-22)
/* seL4_SysSetTLSBase (syscall.xml, KernelSetTLSBaseSelf: always on x86):
 * EBX is the caller's new TLS base. In every build. */
#define SYS_SET_TLS_BASE        (-30)
/* Our extension (not seL4's): run the kernel's invariant checker, debug
 * builds only. Returns in EAX 0, or the first violation's code
 * (abi/invariant.h); see docs/api.md. Chosen far below seL4's range so it
 * cannot collide. */
#define SYS_DEBUG_CHECK_INVARIANTS (-64)
/* Our extension, latency-tracking bench builds only (kernel-bench-irq,
 * CONFIG_BENCHMARK_IRQ_LATENCY): the longest stretch the kernel ran
 * without a chance to notice an interrupt (EAX) and the longest kernel
 * entry (EBX) since the last such call, in time-stamp-counter ticks
 * (instructions under QEMU -icount); both start again. docs/api.md. */
#define SYS_BENCH_MAX_KERNEL_INSNS (-65)

#define SYS_MIN SYS_BENCH_MAX_KERNEL_INSNS
#define SYS_MAX SYS_CALL

#endif
