/*
 * printf-style formatting (see rt/format.h). One conversion is parsed into
 * a spec, its digits are produced right to left into a small buffer, then
 * emit_field() pads and writes sign, prefix, zeros, digits in that order.
 */
#include <rt/format.h>
#include <stdint.h>
#include <string.h>

typedef struct spec {
    int left;           /* '-' */
    int zero;           /* '0' */
    int plus;           /* '+' */
    int space;          /* ' ' */
    int alt;            /* '#' */
    int width;
    int prec;           /* -1: none */
    int len;            /* 0 int, 1 long, 2 long long, -1 short, -2 char */
} spec_t;

typedef struct out {
    rt_sink_t sink;
    void *ctx;
    int count;
} out_t;

static void put(out_t *o, int c)
{
    o->sink(c, o->ctx);
    o->count++;
}

static void put_n(out_t *o, int c, int n)
{
    for (; n > 0; n--)
        put(o, c);
}

/* Writes [sign][prefix][zeros][body] padded to the spec's width. */
static void emit_field(out_t *o, const spec_t *sp, const char *sign, const char *prefix,
                       const char *body, int blen, int zeros)
{
    int slen = (int)strlen(sign), plen = (int)strlen(prefix);
    int total = slen + plen + zeros + blen;
    int pad = sp->width > total ? sp->width - total : 0;

    if (!sp->left && !(sp->zero && sp->prec < 0))
        put_n(o, ' ', pad);
    while (*sign != '\0')
        put(o, *sign++);
    while (*prefix != '\0')
        put(o, *prefix++);
    if (!sp->left && sp->zero && sp->prec < 0)
        put_n(o, '0', pad);
    put_n(o, '0', zeros);
    for (int i = 0; i < blen; i++)
        put(o, body[i]);
    if (sp->left)
        put_n(o, ' ', pad);
}

static void emit_number(out_t *o, const spec_t *sp, uint64_t v, int neg, unsigned base,
                        int upper, const char *prefix)
{
    const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
    char buf[24];
    int i = (int)sizeof(buf), zeros = 0;
    const char *sign = neg ? "-" : sp->plus ? "+" : sp->space ? " " : "";

    while (v != 0) {
        buf[--i] = digits[v % base];
        v /= base;
    }
    if (i == (int)sizeof(buf) && sp->prec != 0)
        buf[--i] = '0';
    if (sp->prec > (int)sizeof(buf) - i)
        zeros = sp->prec - ((int)sizeof(buf) - i);
    emit_field(o, sp, sign, prefix, buf + i, (int)sizeof(buf) - i, zeros);
}

static uint64_t arg_unsigned(const spec_t *sp, va_list *ap)
{
    switch (sp->len) {
    case 2: return va_arg(*ap, unsigned long long);
    case 1: return va_arg(*ap, unsigned long);
    case -1: return (unsigned short)va_arg(*ap, unsigned int);
    case -2: return (unsigned char)va_arg(*ap, unsigned int);
    default: return va_arg(*ap, unsigned int);
    }
}

static int64_t arg_signed(const spec_t *sp, va_list *ap)
{
    switch (sp->len) {
    case 2: return va_arg(*ap, long long);
    case 1: return va_arg(*ap, long);
    case -1: return (short)va_arg(*ap, int);
    case -2: return (signed char)va_arg(*ap, int);
    default: return va_arg(*ap, int);
    }
}

/* Parses flags, width, precision and length; returns the conversion char. */
static const char *parse_spec(const char *f, spec_t *sp, va_list *ap)
{
    memset(sp, 0, sizeof(*sp));
    sp->prec = -1;
    for (;; f++) {
        if (*f == '-') sp->left = 1;
        else if (*f == '0') sp->zero = 1;
        else if (*f == '+') sp->plus = 1;
        else if (*f == ' ') sp->space = 1;
        else if (*f == '#') sp->alt = 1;
        else break;
    }
    if (*f == '*') {
        sp->width = va_arg(*ap, int);
        if (sp->width < 0) {
            sp->left = 1;
            sp->width = -sp->width;
        }
        f++;
    }
    for (; *f >= '0' && *f <= '9'; f++)
        sp->width = sp->width * 10 + (*f - '0');
    if (*f == '.') {
        f++;
        sp->prec = 0;
        if (*f == '*') {
            sp->prec = va_arg(*ap, int);
            f++;
        }
        for (; *f >= '0' && *f <= '9'; f++)
            sp->prec = sp->prec * 10 + (*f - '0');
    }
    for (;; f++) {
        if (*f == 'l') sp->len = sp->len == 1 ? 2 : 1;
        else if (*f == 'h') sp->len = sp->len == -1 ? -2 : -1;
        else if (*f == 'z' || *f == 't' || *f == 'j') sp->len = *f == 'j' ? 2 : 1;
        else break;
    }
    return f;
}

static void convert(out_t *o, const spec_t *sp, char conv, va_list *ap)
{
    switch (conv) {
    case 'd':
    case 'i': {
        int64_t v = arg_signed(sp, ap);
        emit_number(o, sp, v < 0 ? -(uint64_t)v : (uint64_t)v, v < 0, 10, 0, "");
        break;
    }
    case 'u':
        emit_number(o, sp, arg_unsigned(sp, ap), 0, 10, 0, "");
        break;
    case 'x':
    case 'X': {
        uint64_t v = arg_unsigned(sp, ap);
        emit_number(o, sp, v, 0, 16, conv == 'X', sp->alt && v != 0 ? (conv == 'X' ? "0X" : "0x") : "");
        break;
    }
    case 'o':
        emit_number(o, sp, arg_unsigned(sp, ap), 0, 8, 0, sp->alt ? "0" : "");
        break;
    case 'p': {
        spec_t p = *sp;
        p.len = 0;
        emit_number(o, &p, (uintptr_t)va_arg(*ap, void *), 0, 16, 0, "0x");
        break;
    }
    case 'c': {
        char c = (char)va_arg(*ap, int);
        emit_field(o, sp, "", "", &c, 1, 0);
        break;
    }
    case 's': {
        const char *s = va_arg(*ap, const char *);
        if (s == NULL)
            s = "(null)";
        emit_field(o, sp, "", "", s, sp->prec >= 0 ? (int)strnlen(s, (size_t)sp->prec)
                                                 : (int)strlen(s), 0);
        break;
    }
    default:            /* "%%" and unknown conversions print themselves */
        put(o, conv);
        break;
    }
}

int rt_format(rt_sink_t sink, void *ctx, const char *fmt, va_list ap)
{
    out_t o = { sink, ctx, 0 };
    spec_t sp;
    va_list args;

    va_copy(args, ap);
    while (*fmt != '\0') {
        if (*fmt != '%') {
            put(&o, *fmt++);
            continue;
        }
        fmt = parse_spec(fmt + 1, &sp, &args);
        if (*fmt == '\0')
            break;
        convert(&o, &sp, *fmt++, &args);
    }
    va_end(args);
    return o.count;
}
