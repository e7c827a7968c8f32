/*
 * memmove: like memcpy, but the buffers may overlap. Copy forwards when the
 * destination is below the source, backwards otherwise, so no byte is read
 * after it has been overwritten.
 */
#include <string.h>
#include <stdint.h>

void *memmove(void *dst, const void *src, size_t n)
{
    unsigned char *d = dst;
    const unsigned char *s = src;

    if (d == s || n == 0)
        return dst;
    if ((uintptr_t)d - (uintptr_t)s >= n)   /* d below s, or no overlap */
        return memcpy(d, s, n);
    while (n-- != 0)
        d[n] = s[n];
    return dst;
}
