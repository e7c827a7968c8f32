/* snprintf/vsnprintf: format into a buffer, always NUL-terminated if size > 0;
 * returns the length the whole output would have had. */
#include <stdio.h>
#include <rt/format.h>

typedef struct buf_sink {
    char *buf;
    size_t size;
    size_t pos;
} buf_sink_t;

static void buf_put(int c, void *ctx)
{
    buf_sink_t *b = ctx;

    if (b->pos + 1 < b->size)
        b->buf[b->pos] = (char)c;
    b->pos++;
}

int vsnprintf(char *restrict buf, size_t size, const char *restrict fmt, va_list ap)
{
    buf_sink_t b = { buf, size, 0 };
    int n = rt_format(buf_put, &b, fmt, ap);

    if (size != 0)
        buf[b.pos < size ? b.pos : size - 1] = '\0';
    return n;
}

int snprintf(char *restrict buf, size_t size, const char *restrict fmt, ...)
{
    va_list ap;
    int n;

    va_start(ap, fmt);
    n = vsnprintf(buf, size, fmt, ap);
    va_end(ap);
    return n;
}
