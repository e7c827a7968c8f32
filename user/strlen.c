/*
 * strlen: bytes before the terminating NUL. After reaching word alignment
 * it tests a word at a time for a zero byte ((w - 0x01..) & ~w & 0x80..),
 * which never reads past the word holding the NUL, so never off a page.
 */
#include <string.h>
#include <stdint.h>

#define ONES  0x01010101u
#define HIGHS 0x80808080u

size_t strlen(const char *s)
{
    const char *p = s;
    const uint32_t *w;

    for (; ((uintptr_t)p & 3) != 0; p++)
        if (*p == '\0')
            return (size_t)(p - s);
    for (w = (const void *)p; ((*w - ONES) & ~*w & HIGHS) == 0; w++)
        ;
    for (p = (const void *)w; *p != '\0'; p++)
        ;
    return (size_t)(p - s);
}
