/*
 * The guest's console: text goes to the VMM in VMM_CALL_WRITE calls of up
 * to VMM_WRITE_MAX_BYTES, four bytes per message register, and the VMM
 * prints it line by line with the guest's name in front. A guest never
 * writes to the serial port itself (the VMM owns it).
 */
#include <guest/guest.h>
#include <guest/lxhost.h>
#include <rt/format.h>
#include <sel4/sel4.h>
#include <stdarg.h>

#define BYTES_PER_MR 4u

typedef struct out {
    char buf[VMM_WRITE_MAX_BYTES];
    uint32_t n;
} out_t;

static void flush(out_t *o)
{
    seL4_Word words = (o->n + BYTES_PER_MR - 1) / BYTES_PER_MR;

    if (o->n == 0)
        return;
    seL4_SetMR(0, o->n);
    for (seL4_Word w = 0; w < words; w++) {
        seL4_Word v = 0;
        for (uint32_t b = 0; b < BYTES_PER_MR && w * BYTES_PER_MR + b < o->n; b++)
            v |= (seL4_Word)(uint8_t)o->buf[w * BYTES_PER_MR + b] << (8 * b);
        seL4_SetMR(1 + w, v);
    }
    seL4_Call(VMM_SLOT_SERVICE, seL4_MessageInfo_new(VMM_CALL_WRITE, 0, 0, 1 + words));
    o->n = 0;
}

static void put(int c, void *ctx)
{
    out_t *o = ctx;

    o->buf[o->n++] = (char)c;
    if (o->n == VMM_WRITE_MAX_BYTES)
        flush(o);
}

int gprintf(const char *fmt, ...)
{
    out_t o = { .n = 0 };
    va_list ap;
    int n;

    va_start(ap, fmt);
    n = rt_format(put, &o, fmt, ap);
    va_end(ap);
    flush(&o);
    return n;
}

void guest_console_write(const void *buf, uint32_t len)
{
    out_t o = { .n = 0 };

    for (uint32_t i = 0; i < len; i++)
        put(((const char *)buf)[i], &o);
    flush(&o);
}

void guest_exit(int status)
{
    for (;;) {
        seL4_SetMR(0, (seL4_Word)status);
        seL4_Call(VMM_SLOT_SERVICE, seL4_MessageInfo_new(VMM_CALL_EXIT, 0, 0, 1));
    }
}
