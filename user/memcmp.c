/* memcmp: compare bytes as unsigned char; the first difference decides. */
#include <string.h>

int memcmp(const void *a, const void *b, size_t n)
{
    const unsigned char *l = a, *r = b;

    for (; n != 0 && *l == *r; n--, l++, r++)
        ;
    return n != 0 ? *l - *r : 0;
}
