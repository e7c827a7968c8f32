/*
 * Kernel services the pure sources under fuzzing call: panic_at() is a
 * kernel bug (assert) and aborts, so libFuzzer records a crash with the
 * input; printk() is silent unless FUZZ_VERBOSE is set in the environment.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include <kernel/debug.h>

void panic_at(const char *file, int line, const char *fmt, ...)
{
    va_list ap;

    fprintf(stderr, "KERNEL PANIC at %s:%d: ", file, line);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    abort();
}

void printk(const char *fmt, ...)
{
    va_list ap;

    if (getenv("FUZZ_VERBOSE") == NULL)
        return;
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
}
