/* The parts of <stdlib.h> a freestanding program needs. */
#ifndef _STDLIB_H
#define _STDLIB_H

#include <stddef.h>

__attribute__((noreturn)) void abort(void);
unsigned long strtoul(const char *restrict s, char **restrict end, int base);
long strtol(const char *restrict s, char **restrict end, int base);

#endif
