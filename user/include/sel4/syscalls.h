/*
 * seL4 system calls on ia32, by sysenter.
 *
 * Registers on entry: EAX system-call number, EBX capability (badge on
 * return), ESI message info, EDI MR0, EBP MR1, ECX the user stack pointer,
 * EDX the address of the sysenter instruction itself (the kernel adds 2 to
 * return after it). The kernel comes back with sysexit, which sets ESP from
 * ECX and EIP from EDX, so both are lost. EBP is our frame pointer, so MR1
 * travels through ECX and is moved into EBP around the sysenter, with the
 * caller's EBP saved on the stack.
 *
 * Every call goes through rt_sysenter(), which treats all five message
 * registers as both input and output: the compiler then assumes nothing
 * about what the kernel leaves in them.
 */
#ifndef SEL4_SYSCALLS_H
#define SEL4_SYSCALLS_H

#include <sel4/types.h>
#include <sel4/functions.h>

static inline void rt_sysenter(seL4_Word sys, seL4_Word *ebx, seL4_Word *esi,
        seL4_Word *edi, seL4_Word *ebp)
{
    seL4_Word a = sys, b = *ebx, s = *esi, d = *edi, c = *ebp;

    __asm__ volatile(
        "pushl %%ebp\n\t"
        "movl %%ecx, %%ebp\n\t"
        "movl %%esp, %%ecx\n\t"
        "leal 1f, %%edx\n\t"
        "1: sysenter\n\t"
        "movl %%ebp, %%ecx\n\t"
        "popl %%ebp"
        : "+a"(a), "+b"(b), "+S"(s), "+D"(d), "+c"(c)
        :
        : "edx", "memory", "cc");
    *ebx = b;
    *esi = s;
    *edi = d;
    *ebp = c;
}

/* A call whose results are EAX and EBX (our extension calls). */
static inline seL4_Word rt_sysenter_eax_ebx(seL4_Word sys, seL4_Word *ebx)
{
    seL4_Word a = sys, b = *ebx, s = 0, d = 0, c = 0;

    __asm__ volatile(
        "pushl %%ebp\n\t"
        "movl %%ecx, %%ebp\n\t"
        "movl %%esp, %%ecx\n\t"
        "leal 1f, %%edx\n\t"
        "1: sysenter\n\t"
        "popl %%ebp"
        : "+a"(a), "+b"(b), "+S"(s), "+D"(d), "+c"(c)
        :
        : "edx", "memory", "cc");
    *ebx = b;
    return a;
}

/* A call whose only result is EAX. */
static inline seL4_Word rt_sysenter_eax(seL4_Word sys, seL4_Word ebx)
{
    return rt_sysenter_eax_ebx(sys, &ebx);
}

static inline seL4_Word rt_msg_in(const seL4_Word *mr, seL4_MessageInfo_t info, seL4_Word i)
{
    return (mr != seL4_Null && seL4_MessageInfo_get_length(info) > i) ? *mr : 0;
}

static inline void rt_msg_out(seL4_Word *mr, seL4_Word v)
{
    if (mr != seL4_Null)
        *mr = v;
}

/* ---- Send, NBSend, Signal, Reply ---- */

static inline void seL4_SendWithMRs(seL4_CPtr dest, seL4_MessageInfo_t msgInfo,
        seL4_Word *mr0, seL4_Word *mr1)
{
    seL4_Word b = dest, s = msgInfo.words[0];
    seL4_Word d = rt_msg_in(mr0, msgInfo, 0), c = rt_msg_in(mr1, msgInfo, 1);
    rt_sysenter((seL4_Word)SYS_SEND, &b, &s, &d, &c);
}

static inline void seL4_Send(seL4_CPtr dest, seL4_MessageInfo_t msgInfo)
{
    seL4_Word b = dest, s = msgInfo.words[0], d = seL4_GetMR(0), c = seL4_GetMR(1);
    rt_sysenter((seL4_Word)SYS_SEND, &b, &s, &d, &c);
}

static inline void seL4_NBSendWithMRs(seL4_CPtr dest, seL4_MessageInfo_t msgInfo,
        seL4_Word *mr0, seL4_Word *mr1)
{
    seL4_Word b = dest, s = msgInfo.words[0];
    seL4_Word d = rt_msg_in(mr0, msgInfo, 0), c = rt_msg_in(mr1, msgInfo, 1);
    rt_sysenter((seL4_Word)SYS_NB_SEND, &b, &s, &d, &c);
}

static inline void seL4_NBSend(seL4_CPtr dest, seL4_MessageInfo_t msgInfo)
{
    seL4_Word b = dest, s = msgInfo.words[0], d = seL4_GetMR(0), c = seL4_GetMR(1);
    rt_sysenter((seL4_Word)SYS_NB_SEND, &b, &s, &d, &c);
}

static inline void seL4_Signal(seL4_CPtr dest)
{
    seL4_Word b = dest, s = seL4_MessageInfo_new(0, 0, 0, 0).words[0], d = 0, c = 0;
    rt_sysenter((seL4_Word)SYS_SEND, &b, &s, &d, &c);
}

static inline void seL4_ReplyWithMRs(seL4_MessageInfo_t msgInfo, seL4_Word *mr0,
        seL4_Word *mr1)
{
    seL4_Word b = 0, s = msgInfo.words[0];
    seL4_Word d = rt_msg_in(mr0, msgInfo, 0), c = rt_msg_in(mr1, msgInfo, 1);
    rt_sysenter((seL4_Word)SYS_REPLY, &b, &s, &d, &c);
}

static inline void seL4_Reply(seL4_MessageInfo_t msgInfo)
{
    seL4_Word b = 0, s = msgInfo.words[0], d = seL4_GetMR(0), c = seL4_GetMR(1);
    rt_sysenter((seL4_Word)SYS_REPLY, &b, &s, &d, &c);
}

/* ---- Recv, NBRecv, Wait, Poll ---- */

static inline seL4_MessageInfo_t seL4_RecvWithMRs(seL4_CPtr src, seL4_Word *sender,
        seL4_Word *mr0, seL4_Word *mr1)
{
    seL4_Word b = src, s = 0, d = 0, c = 0;
    seL4_MessageInfo_t info;

    rt_sysenter((seL4_Word)SYS_RECV, &b, &s, &d, &c);
    info.words[0] = s;
    rt_msg_out(sender, b);
    rt_msg_out(mr0, d);
    rt_msg_out(mr1, c);
    return info;
}

static inline seL4_MessageInfo_t seL4_Recv(seL4_CPtr src, seL4_Word *sender)
{
    seL4_Word mr0, mr1;
    seL4_MessageInfo_t info = seL4_RecvWithMRs(src, sender, &mr0, &mr1);
    seL4_SetMR(0, mr0);
    seL4_SetMR(1, mr1);
    return info;
}

static inline seL4_MessageInfo_t seL4_NBRecvWithMRs(seL4_CPtr src, seL4_Word *sender,
        seL4_Word *mr0, seL4_Word *mr1)
{
    seL4_Word b = src, s = 0, d = 0, c = 0;
    seL4_MessageInfo_t info;

    rt_sysenter((seL4_Word)SYS_NB_RECV, &b, &s, &d, &c);
    info.words[0] = s;
    rt_msg_out(sender, b);
    rt_msg_out(mr0, d);
    rt_msg_out(mr1, c);
    return info;
}

static inline seL4_MessageInfo_t seL4_NBRecv(seL4_CPtr src, seL4_Word *sender)
{
    seL4_Word mr0, mr1;
    seL4_MessageInfo_t info = seL4_NBRecvWithMRs(src, sender, &mr0, &mr1);
    seL4_SetMR(0, mr0);
    seL4_SetMR(1, mr1);
    return info;
}

/* Non-MCS: waiting on a notification is a Recv on it. */
static inline void seL4_Wait(seL4_CPtr src, seL4_Word *sender)
{
    seL4_Recv(src, sender);
}

static inline seL4_MessageInfo_t seL4_Poll(seL4_CPtr src, seL4_Word *sender)
{
    return seL4_NBRecv(src, sender);
}

/* ---- Call, ReplyRecv ---- */

static inline seL4_MessageInfo_t seL4_CallWithMRs(seL4_CPtr dest, seL4_MessageInfo_t msgInfo,
        seL4_Word *mr0, seL4_Word *mr1)
{
    seL4_Word b = dest, s = msgInfo.words[0];
    seL4_Word d = rt_msg_in(mr0, msgInfo, 0), c = rt_msg_in(mr1, msgInfo, 1);
    seL4_MessageInfo_t info;

    rt_sysenter((seL4_Word)SYS_CALL, &b, &s, &d, &c);
    info.words[0] = s;
    rt_msg_out(mr0, d);
    rt_msg_out(mr1, c);
    return info;
}

static inline seL4_MessageInfo_t seL4_Call(seL4_CPtr dest, seL4_MessageInfo_t msgInfo)
{
    seL4_Word mr0 = seL4_GetMR(0), mr1 = seL4_GetMR(1);
    seL4_MessageInfo_t info = seL4_CallWithMRs(dest, msgInfo, &mr0, &mr1);
    seL4_SetMR(0, mr0);
    seL4_SetMR(1, mr1);
    return info;
}

static inline seL4_MessageInfo_t seL4_ReplyRecvWithMRs(seL4_CPtr src,
        seL4_MessageInfo_t msgInfo, seL4_Word *sender, seL4_Word *mr0, seL4_Word *mr1)
{
    seL4_Word b = src, s = msgInfo.words[0];
    seL4_Word d = rt_msg_in(mr0, msgInfo, 0), c = rt_msg_in(mr1, msgInfo, 1);
    seL4_MessageInfo_t info;

    rt_sysenter((seL4_Word)SYS_REPLY_RECV, &b, &s, &d, &c);
    info.words[0] = s;
    rt_msg_out(sender, b);
    rt_msg_out(mr0, d);
    rt_msg_out(mr1, c);
    return info;
}

static inline seL4_MessageInfo_t seL4_ReplyRecv(seL4_CPtr src, seL4_MessageInfo_t msgInfo,
        seL4_Word *sender)
{
    seL4_Word mr0 = seL4_GetMR(0), mr1 = seL4_GetMR(1);
    seL4_MessageInfo_t info = seL4_ReplyRecvWithMRs(src, msgInfo, sender, &mr0, &mr1);
    seL4_SetMR(0, mr0);
    seL4_SetMR(1, mr1);
    return info;
}

static inline void seL4_Yield(void)
{
    seL4_Word b = 0, s = 0, d = 0, c = 0;
    rt_sysenter((seL4_Word)SYS_YIELD, &b, &s, &d, &c);
}

/* Sets the calling thread's TLS base (the %gs segment base) to tls_base:
 * seL4_SysSetTLSBase, in every build, as on x86 seL4. */
static inline void seL4_SetTLSBase(seL4_Word tls_base)
{
    seL4_Word b = tls_base, s = 0, d = 0, c = 0;
    rt_sysenter((seL4_Word)SYS_SET_TLS_BASE, &b, &s, &d, &c);
}

/* ---- Debug calls (debug kernels; DebugPutChar also in release with printing) ---- */

static inline void seL4_DebugPutChar(char ch)
{
    seL4_Word b = (seL4_Uint8)ch, s = 0, d = 0, c = 0;
    rt_sysenter((seL4_Word)SYS_DEBUG_PUT_CHAR, &b, &s, &d, &c);
}

static inline void seL4_DebugPutString(const char *str)
{
    for (; *str != '\0'; str++)
        seL4_DebugPutChar(*str);
}

static inline void seL4_DebugDumpScheduler(void)
{
    seL4_Word b = 0, s = 0, d = 0, c = 0;
    rt_sysenter((seL4_Word)SYS_DEBUG_DUMP_SCHEDULER, &b, &s, &d, &c);
}

static inline void seL4_DebugHalt(void)
{
    seL4_Word b = 0, s = 0, d = 0, c = 0;
    rt_sysenter((seL4_Word)SYS_DEBUG_HALT, &b, &s, &d, &c);
}

static inline void seL4_DebugSnapshot(void)
{
    seL4_Word b = 0, s = 0, d = 0, c = 0;
    rt_sysenter((seL4_Word)SYS_DEBUG_SNAPSHOT, &b, &s, &d, &c);
}

/* Returns the raw type tag of the capability at cap (0: null or no cap). */
static inline seL4_Uint32 seL4_DebugCapIdentify(seL4_CPtr cap)
{
    seL4_Word b = cap, s = 0, d = 0, c = 0;
    rt_sysenter((seL4_Word)SYS_DEBUG_CAP_IDENTIFY, &b, &s, &d, &c);
    return b;
}

/* The kernel reads the NUL-terminated name from the IPC buffer's msg area. */
static inline void seL4_DebugNameThread(seL4_CPtr tcb, const char *name)
{
    char *dst = (char *)&seL4_GetIPCBuffer()->msg[0];
    seL4_Word i, max = seL4_MsgMaxLength * sizeof(seL4_Word) - 1;
    seL4_Word b = tcb, s = 0, d = 0, c = 0;

    for (i = 0; i < max && name[i] != '\0'; i++)
        dst[i] = name[i];
    dst[i] = '\0';
    rt_sysenter((seL4_Word)SYS_DEBUG_NAME_THREAD, &b, &s, &d, &c);
}

/* Our extension: run the kernel's invariant checker (debug kernels). Returns
 * 0 when the invariants hold, else the code of the first violation
 * (<abi/invariant.h>: (invariant << 8) | check); the kernel also prints a
 * line "INVARIANT VIOLATED <code>: ..." per violation and does not panic. */
static inline seL4_Word seL4_DebugCheckInvariants(void)
{
    return rt_sysenter_eax((seL4_Word)SYS_DEBUG_CHECK_INVARIANTS, 0);
}

/* Benchmark kernels: enter and leave the kernel doing nothing. */
static inline void seL4_BenchmarkNullSyscall(void)
{
    seL4_Word b = 0, s = 0, d = 0, c = 0;
    rt_sysenter((seL4_Word)SYS_BENCH_NULL_SYSCALL, &b, &s, &d, &c);
}

/* Our extension, benchmark kernels only: returns the longest stretch the
 * kernel ran without a chance to notice an interrupt since the last call
 * (time-stamp-counter ticks: instructions under QEMU -icount) and, if
 * longest_entry is not NULL, stores the longest kernel entry; both start
 * again. A debug kernel turns the call into an UnknownSyscall fault. */
static inline seL4_Word seL4_BenchmarkMaxKernelInsns(seL4_Word *longest_entry)
{
    seL4_Word entry = 0;
    seL4_Word stretch = rt_sysenter_eax_ebx((seL4_Word)SYS_BENCH_MAX_KERNEL_INSNS, &entry);

    if (longest_entry != seL4_Null)
        *longest_entry = entry;
    return stretch;
}

#endif
