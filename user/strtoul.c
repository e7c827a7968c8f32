/*
 * strtoul/strtol: parse an integer in base 2..36, or 0 for C's prefixes
 * (0x hex, 0 octal, else decimal). Overflow saturates, as C requires.
 */
#include <stdlib.h>
#include <ctype.h>
#include <limits.h>

static int digit_value(int c)
{
    if (isdigit(c))
        return c - '0';
    if (isalpha(c))
        return tolower(c) - 'a' + 10;
    return 99;
}

static unsigned long parse(const char *s, char **end, int base, int *neg)
{
    const char *p = s;
    unsigned long v = 0, lim;
    int any = 0, over = 0, d;

    while (isspace(*p))
        p++;
    *neg = *p == '-';
    if (*p == '-' || *p == '+')
        p++;
    if ((base == 0 || base == 16) && p[0] == '0' && (p[1] | 32) == 'x' &&
        digit_value(p[2]) < 16) {
        p += 2;
        base = 16;
    } else if (base == 0) {
        base = *p == '0' ? 8 : 10;
    }
    lim = ULONG_MAX / (unsigned long)base;
    for (; (d = digit_value(*p)) < base; p++, any = 1) {
        if (v > lim || v * base > ULONG_MAX - (unsigned long)d)
            over = 1;
        v = v * base + (unsigned long)d;
    }
    if (end != NULL)
        *end = (char *)(any ? p : s);
    return over ? ULONG_MAX : v;
}

unsigned long strtoul(const char *restrict s, char **restrict end, int base)
{
    int neg;
    unsigned long v = parse(s, end, base, &neg);

    return neg ? -v : v;
}

long strtol(const char *restrict s, char **restrict end, int base)
{
    int neg;
    unsigned long v = parse(s, end, base, &neg);

    if (!neg && v > (unsigned long)LONG_MAX)
        return LONG_MAX;
    if (neg && v > (unsigned long)LONG_MAX + 1)
        return LONG_MIN;
    return neg ? (long)-v : (long)v;
}
