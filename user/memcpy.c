/*
 * memcpy: copy n bytes between non-overlapping buffers. When both pointers
 * share word alignment the bulk moves a word at a time; the byte loops
 * around it are correct on their own.
 */
#include <string.h>
#include <stdint.h>

void *memcpy(void *restrict dst, const void *restrict src, size_t n)
{
    unsigned char *d = dst;
    const unsigned char *s = src;

    if ((((uintptr_t)d ^ (uintptr_t)s) & 3) == 0) {
        for (; ((uintptr_t)d & 3) != 0 && n != 0; n--)
            *d++ = *s++;
        for (; n >= 4; n -= 4, d += 4, s += 4)
            *(uint32_t *)(void *)d = *(const uint32_t *)(const void *)s;
    }
    for (; n != 0; n--)
        *d++ = *s++;
    return dst;
}
