/*
 * The code fuzz-created threads run (fuzz.h, "workers"). The supervisor
 * copies these bytes into a frame; the actor maps copies of that frame into
 * page directories it made from the arena and starts TCBs there with ESP at
 * the frame's base. Nothing else of the root task is mapped in such a
 * VSpace, so whatever a worker does, it can touch only arena memory.
 *
 * The code is position independent and uses no memory: ESP holds the base
 * of the page (the kernel hands ESP back from ECX after each sysenter, and a
 * fault does not touch the user stack), and randomness comes from RDTSC,
 * which is deterministic under QEMU's -icount. Each round does one of:
 * a system call (Call, ReplyRecv, Send, NBSend, Recv, Reply, Yield, NBRecv)
 * with random capability, message info and message registers; a debug or
 * unknown system-call number; ud2; int3; int $0x80; a load or a store at a
 * random address; a jump to a random address; hlt; cli; a division by zero.
 * Faults go to the worker's fault handler (an arena endpoint the storms
 * serve), whose random reply may resume it anywhere; without a handler the
 * kernel stops the thread. Debug calls that print or halt are never made.
 */
    .section .rodata
    .p2align 4
    .globl fz_worker_blob
    .globl fz_worker_blob_end
fz_worker_blob:
.Lround:
    rdtsc
    imull   $0x9e3779b1, %eax, %eax
    xorl    %edx, %eax
    roll    $13, %eax
    imull   $0x85ebca6b, %eax, %eax
    movl    %eax, %ebx
    shrl    $28, %ebx                   /* the action, 0..15 */
    cmpl    $5, %ebx
    jbe     .Lsyscall
    cmpl    $6, %ebx
    je      .Lodd_syscall
    cmpl    $7, %ebx
    je      .Lud2
    cmpl    $8, %ebx
    je      .Lint3
    cmpl    $9, %ebx
    je      .Lint80
    cmpl    $10, %ebx
    je      .Lload
    cmpl    $11, %ebx
    je      .Lstore
    cmpl    $12, %ebx
    je      .Ljump
    cmpl    $13, %ebx
    je      .Lhlt
    cmpl    $14, %ebx
    je      .Lcli
    jmp     .Ldivide

/* seL4 system calls -1..-8 with random registers: EBX a small CPtr. */
.Lsyscall:
    movl    %eax, %esi                  /* message info */
    movl    %eax, %edi
    roll    $7, %edi                    /* MR0 */
    movl    %eax, %ebp
    xorl    $0x5bd1e995, %ebp           /* MR1 */
    movl    %eax, %ebx
    shrl    $8, %ebx
    andl    $0x3f, %ebx                 /* capability */
    movl    %eax, %ecx
    shrl    $20, %ecx
    andl    $7, %ecx
    notl    %ecx                        /* -1 .. -8 */
    movl    %ecx, %eax
.Lenter:
    movl    %esp, %ecx
    leal    (.Lsysenter - fz_worker_blob)(%esp), %edx
.Lsysenter:
    sysenter
    jmp     .Lround

/* CapIdentify (-12), NameThread (-14), or a number no kernel knows. */
.Lodd_syscall:
    movl    %eax, %ebx
    shrl    $4, %ebx
    andl    $0x3f, %ebx
    movl    %eax, %ecx
    andl    $3, %ecx
    jz      1f
    cmpl    $1, %ecx
    je      2f
    cmpl    $2, %ecx
    je      3f
    orl     $0x80000000, %eax           /* far below every debug call */
    andl    $0xbfffffff, %eax
    jmp     .Lenter
1:  movl    $-12, %eax
    jmp     .Lenter
2:  movl    $-14, %eax
    jmp     .Lenter
3:  andl    $0x3fffffff, %eax           /* positive: unknown */
    orl     $1, %eax
    jmp     .Lenter

.Lud2:
    ud2
    jmp     .Lround
.Lint3:
    int3
    jmp     .Lround
.Lint80:
    int     $0x80
    jmp     .Lround
.Lload:
    movl    (%eax), %ebx
    jmp     .Lround
.Lstore:
    movl    %edx, (%eax)
    jmp     .Lround
.Ljump:
    jmp     *%eax
.Lhlt:
    hlt
    jmp     .Lround
.Lcli:
    cli
    jmp     .Lround
.Ldivide:
    xorl    %edx, %edx
    xorl    %ecx, %ecx
    divl    %ecx
    jmp     .Lround
fz_worker_blob_end:
