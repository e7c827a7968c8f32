/*
 * A whole build output read into memory (read_file.h).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <cmocka.h>

#include "read_file.h"

uint8_t *read_file(const char *path, uint32_t *size)
{
    FILE *f = fopen(path, "rb");
    uint8_t *buf;
    long n;

    if (!f)
        fail_msg("cannot open %s (run from the repository root after `make vmm`)", path);
    fseek(f, 0, SEEK_END);
    n = ftell(f);
    rewind(f);
    buf = malloc(n ? n : 1);
    assert_non_null(buf);
    assert_int_equal(fread(buf, 1, n, f), (size_t)n);
    fclose(f);
    *size = (uint32_t)n;
    return buf;
}
