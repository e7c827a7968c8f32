/* strnlen: strlen bounded by max; memchr does the work. */
#include <string.h>

size_t strnlen(const char *s, size_t max)
{
    const char *p = memchr(s, 0, max);

    return p != NULL ? (size_t)(p - s) : max;
}
