/* printf and friends on the kernel console, one DebugPutChar per character. */
#include <stdio.h>
#include <rt/format.h>
#include <sel4/syscalls.h>

static void console_put(int c, void *ctx)
{
    (void)ctx;
    seL4_DebugPutChar((char)c);
}

int vprintf(const char *restrict fmt, va_list ap)
{
    return rt_format(console_put, NULL, fmt, ap);
}

int printf(const char *restrict fmt, ...)
{
    va_list ap;
    int n;

    va_start(ap, fmt);
    n = vprintf(fmt, ap);
    va_end(ap);
    return n;
}

int putchar(int c)
{
    seL4_DebugPutChar((char)c);
    return (unsigned char)c;
}

int puts(const char *s)
{
    while (*s != '\0')
        seL4_DebugPutChar(*s++);
    seL4_DebugPutChar('\n');
    return 0;
}
