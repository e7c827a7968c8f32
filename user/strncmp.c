/* strncmp: strcmp over at most n characters. */
#include <string.h>

int strncmp(const char *a, const char *b, size_t n)
{
    if (n == 0)
        return 0;
    for (; --n != 0 && *a == *b && *a != '\0'; a++, b++)
        ;
    return *(const unsigned char *)a - *(const unsigned char *)b;
}
