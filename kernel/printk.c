/*
 * printk: a small formatter for the kernel console (%d %u %x %p %s %c with
 * width and zero padding, l and ll modifiers) and panic().
 */
#include <kernel/debug.h>
#include <arch/serial.h>
#include <arch/arch.h>
#include <stdarg.h>

void kputc(char c)
{
    if (c == '\n')
        serial_putc('\r');
    serial_putc(c);
}

static void put_num(unsigned long long v, unsigned base, int width, char pad, bool neg)
{
    char buf[24];
    int n = 0;
    do {
        buf[n++] = "0123456789abcdef"[v % base];
        v /= base;
    } while (v);
    if (neg)
        buf[n++] = '-';
    while (n < width--)
        kputc(pad);
    while (n)
        kputc(buf[--n]);
}

static void vprintk(const char *fmt, va_list ap)
{
    for (; *fmt; fmt++) {
        if (*fmt != '%') {
            kputc(*fmt);
            continue;
        }
        fmt++;
        char pad = ' ';
        int width = 0, longs = 0;
        if (*fmt == '0')
            pad = '0', fmt++;
        while (*fmt >= '0' && *fmt <= '9')
            width = width * 10 + (*fmt++ - '0');
        while (*fmt == 'l')
            longs++, fmt++;
        unsigned long long u;
        switch (*fmt) {
        case 'd': {
            long long s = longs > 1 ? va_arg(ap, long long) : va_arg(ap, long);
            put_num(s < 0 ? -(unsigned long long)s : (unsigned long long)s, 10, width, pad, s < 0);
            break;
        }
        case 'u': case 'x':
            u = longs > 1 ? va_arg(ap, unsigned long long) : va_arg(ap, unsigned long);
            put_num(u, *fmt == 'u' ? 10 : 16, width, pad, false);
            break;
        case 'p':
            put_num((uintptr_t)va_arg(ap, void *), 16, 8, '0', false);
            break;
        case 's': {
            const char *s = va_arg(ap, const char *);
            for (s = s ? s : "(null)"; *s; s++)
                kputc(*s);
            break;
        }
        case 'c':
            kputc((char)va_arg(ap, int));
            break;
        case '%':
            kputc('%');
            break;
        default:
            kputc('%');
            kputc(*fmt);
            if (!*fmt)
                return;
        }
    }
}

void printk(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vprintk(fmt, ap);
    va_end(ap);
}

void panic_at(const char *file, int line, const char *fmt, ...)
{
    va_list ap;
    printk("\nKERNEL PANIC at %s:%d: ", file, line);
    va_start(ap, fmt);
    vprintk(fmt, ap);
    va_end(ap);
    printk("\n");
    arch_halt(HALT_CODE_PANIC);
}
