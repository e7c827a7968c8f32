/* strchr: the first c in s; c == 0 finds the terminator. */
#include <string.h>

char *strchr(const char *s, int c)
{
    for (;; s++) {
        if (*s == (char)c)
            return (char *)s;
        if (*s == '\0')
            return NULL;
    }
}
