/*
 * void fz_cpu_enter(fz_cpu_t *c): one system call made with the CPU state
 * in *c (fuzz.h): data selectors, then EFLAGS popped as the last thing
 * before the entry (so TF traps on the sysenter itself), and for
 * FZ_ENTRY_ODD_ESP a stack pointer that points anywhere (kernel addresses,
 * unmapped memory, misaligned). The sysenter ABI passes the stack to return
 * to in ECX, so the kernel never needs ESP; here ECX points at the saved
 * selectors. FZ_ENTRY_INT80 enters by int $0x80 instead.
 *
 * Loading a selector the CPU refuses (another ring's, the TSS, past the GDT
 * limit) faults in user mode: the thread's fault handler sees it, and this
 * function never returns.
 *
 * Back from the kernel it stores the results and what the kernel left in
 * EFLAGS and DS/ES/FS/GS (and the word at %gs:0 if c->want_tls: a null or
 * foreign %gs faults there, which is the point), then restores the caller's
 * selectors and clean flags. Everything between the selector loads and the
 * restore reads memory through SS only.
 */
#define C_EAX       0
#define C_EBX       4
#define C_ESI       8
#define C_EDI       12
#define C_EBP       16
#define C_DS        20
#define C_ES        24
#define C_FS        28
#define C_GS        32
#define C_EFLAGS    36
#define C_ESP       40
#define C_ENTRY     44
#define C_OUT_EAX   48
#define C_OUT_FL    52
#define C_OUT_DS    56
#define C_OUT_ES    60
#define C_OUT_FS    64
#define C_OUT_GS    68
#define C_OUT_TLS   72
#define C_WANT_TLS  76
#define ENTRY_ODD_ESP 1
#define ENTRY_INT80   2
#define CLEAN_FLAGS   0x2

    .text
    .globl fz_cpu_enter
    .type fz_cpu_enter, @function
fz_cpu_enter:
    pushl %ebp
    pushl %ebx
    pushl %esi
    pushl %edi
    movl 20(%esp), %eax                 /* c */
    pushl %eax                          /* c, found again after the call */
    pushl %ds
    pushl %es
    pushl %fs
    pushl %gs                           /* the kernel returns with ESP here */
    pushl C_ESP(%eax)                   /* 4(%esp): the odd ESP */
    pushl C_EFLAGS(%eax)                /* 0(%esp): the flags */
    movl C_GS(%eax), %ebx
    movl %ebx, %gs
    movl C_FS(%eax), %ebx
    movl %ebx, %fs
    movl C_ES(%eax), %ebx
    movl %ebx, %es
    movl C_EBX(%eax), %ebx
    movl C_ESI(%eax), %esi
    movl C_EDI(%eax), %edi
    movl C_EBP(%eax), %ebp
    movl C_DS(%eax), %ecx
    movl %ecx, %ds                      /* from here on, SS only */
    leal 8(%esp), %ecx                  /* the stack to come back to */
    movl %ss:C_ENTRY(%eax), %edx
    movl %ss:C_EAX(%eax), %eax
    cmpl $ENTRY_INT80, %edx
    je 3f
    cmpl $ENTRY_ODD_ESP, %edx
    je 2f
    leal 1f, %edx
    popfl
1:  sysenter
    jmp 4f
2:  leal 5f, %edx
    popfl                               /* no TF here: it would trap on the movl */
    movl (%esp), %esp
5:  sysenter
    jmp 4f
3:  popfl
    int $0x80
    leal 4(%esp), %esp
4:  /* ESP points at the saved %gs; EBX, ESI, EDI, EBP hold the results. */
    pushfl
    cld
    pushl %eax
    movl %ss:24(%esp), %eax             /* c */
    movl %ebx, %ss:C_EBX(%eax)
    movl %esi, %ss:C_ESI(%eax)
    movl %edi, %ss:C_EDI(%eax)
    movl %ebp, %ss:C_EBP(%eax)
    popl %ebx
    movl %ebx, %ss:C_OUT_EAX(%eax)
    popl %ebx
    movl %ebx, %ss:C_OUT_FL(%eax)
    movl %ds, %ebx
    movl %ebx, %ss:C_OUT_DS(%eax)
    movl %es, %ebx
    movl %ebx, %ss:C_OUT_ES(%eax)
    movl %fs, %ebx
    movl %ebx, %ss:C_OUT_FS(%eax)
    movl %gs, %ebx
    movl %ebx, %ss:C_OUT_GS(%eax)
    cmpl $0, %ss:C_WANT_TLS(%eax)
    je 6f
    movl %gs:0, %ebx
    movl %ebx, %ss:C_OUT_TLS(%eax)
6:  popl %gs
    popl %fs
    popl %es
    popl %ds
    addl $4, %esp                       /* c */
    pushl $CLEAN_FLAGS                  /* no TF, NT, AC, DF; IF stays as it is */
    popfl
    popl %edi
    popl %esi
    popl %ebx
    popl %ebp
    ret
    .size fz_cpu_enter, . - fz_cpu_enter
