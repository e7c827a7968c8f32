/*
 * memset: fill n bytes with c. The word loop runs only between the first
 * and last word boundary inside the buffer, so every store stays in bounds.
 */
#include <string.h>
#include <stdint.h>

void *memset(void *dst, int c, size_t n)
{
    unsigned char *d = dst;
    uint32_t w = (unsigned char)c * 0x01010101u;

    for (; ((uintptr_t)d & 3) != 0 && n != 0; n--)
        *d++ = (unsigned char)c;
    for (; n >= 4; n -= 4, d += 4)
        *(uint32_t *)(void *)d = w;
    for (; n != 0; n--)
        *d++ = (unsigned char)c;
    return dst;
}
