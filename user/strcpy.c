/* strcpy: copy src with its terminator; returns dst. */
#include <string.h>

char *strcpy(char *restrict dst, const char *restrict src)
{
    char *d = dst;

    while ((*d++ = *src++) != '\0')
        ;
    return dst;
}
