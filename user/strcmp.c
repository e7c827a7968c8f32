/* strcmp: compare as unsigned char up to the first difference or NUL. */
#include <string.h>

int strcmp(const char *a, const char *b)
{
    for (; *a == *b && *a != '\0'; a++, b++)
        ;
    return *(const unsigned char *)a - *(const unsigned char *)b;
}
