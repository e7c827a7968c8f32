/*
 * What the fuzz targets share: the few kernel services the pure sources
 * call (panic, printk), and a reader that hands out input bytes one field
 * at a time.
 *
 * A fuzz target is tests/fuzz/<name>_fuzz.c; its first line names the real
 * kernel sources it links, as host unit tests do:
 *
 *     fuzz-sources: lib/elf.c           (inside a comment on line 1)
 *
 * Everything is built with clang -fsanitize=fuzzer,address,undefined and
 * -DHOST_TEST=1 -DCONFIG_DEBUG=1, so a kernel assert() that fails is a
 * crash the fuzzer reports (panic_at() aborts). A broken guarantee is
 * reported with FUZZ_CHECK, which prints the condition and aborts too.
 */
#ifndef FUZZ_SUPPORT_H
#define FUZZ_SUPPORT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#define FUZZ_CHECK(cond) \
    do { \
        if (!(cond)) { \
            fprintf(stderr, "%s:%d: guarantee broken: %s\n", __FILE__, __LINE__, #cond); \
            abort(); \
        } \
    } while (0)

/* Consumes the input front to back; past its end every read gives zeros,
 * so any input decodes to something. */
typedef struct fuzz_in {
    const uint8_t *p;
    size_t left;
} fuzz_in_t;

static inline uint8_t fuzz_u8(fuzz_in_t *in)
{
    if (in->left == 0)
        return 0;
    in->left--;
    return *in->p++;
}

static inline uint32_t fuzz_u32(fuzz_in_t *in)
{
    uint32_t v = 0;
    for (int i = 0; i < 4; i++)
        v |= (uint32_t)fuzz_u8(in) << (8 * i);
    return v;
}

#endif
