/*
 * The smallest Linux program: two system calls by `int $0x80` (i386
 * numbering: write is 4, exit is 1), no libc, no TLS, no auxiliary vector
 * read. Built with -nostdlib -static; prints its argument count so that the
 * initial stack is checked too.
 */
static long sys3(long nr, long a, long b, long c)
{
    long r;

    __asm__ volatile("int $0x80" : "=a"(r) : "a"(nr), "b"(a), "c"(b), "d"(c) : "memory");
    return r;
}

__attribute__((used)) void start_c(long *sp)
{
    static char line[] = "hello from a raw i386 program, argc ?\n";
    long argc = sp[0];

    line[sizeof(line) - 3] = (char)('0' + (argc % 10));
    sys3(4, 1, (long)line, sizeof(line) - 1);
    sys3(1, argc + 6, 0, 0);                /* exit status: argc + 6 */
    for (;;)
        ;
}

__asm__(".globl _start\n_start:\n\tmovl %esp, %eax\n\tandl $-16, %esp\n\tsubl $12, %esp\n"
        "\tpushl %eax\n\tcall start_c\n");
