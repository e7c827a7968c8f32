/*
 * The kernel's string functions: byte loops, simple and correct. The
 * compiler may also emit calls to memset/memcpy for struct copies.
 *
 * memset and memcpy first try whole words with one string instruction
 * (musl does word-at-a-time the same way, under __GNUC__): the kernel
 * clears page tables, page directories and reset untypeds and copies IPC
 * messages with them, always word-aligned. Anything else takes the byte
 * loop, which is correct alone. Both entry paths clear the direction flag
 * (entry.S), so the string instructions run upwards.
 */
#include <kernel/debug.h>

#define WORD_ALIGN_MASK (sizeof(word_t) - 1u)

static inline bool words_aligned(const void *a, const void *b, size_t n)
{
    return (((uintptr_t)a | (uintptr_t)b | n) & WORD_ALIGN_MASK) == 0;
}

void *memset(void *d, int c, size_t n)
{
    unsigned char *p = d;

#if defined(__GNUC__) && defined(__i386__)
    if (words_aligned(d, d, n)) {
        word_t pattern = (unsigned char)c * 0x01010101u;    /* the byte in every lane */
        size_t words = n / sizeof(word_t);
        __asm__ volatile("rep stosl" : "+D"(p), "+c"(words) : "a"(pattern) : "memory");
        return d;
    }
#endif
    while (n--)
        *p++ = (unsigned char)c;
    return d;
}

void *memcpy(void *d, const void *s, size_t n)
{
    unsigned char *dp = d;
    const unsigned char *sp = s;

#if defined(__GNUC__) && defined(__i386__)
    if (words_aligned(d, s, n)) {
        size_t words = n / sizeof(word_t);
        __asm__ volatile("rep movsl" : "+D"(dp), "+S"(sp), "+c"(words) : : "memory");
        return d;
    }
#endif
    while (n--)
        *dp++ = *sp++;
    return d;
}

void *memmove(void *d, const void *s, size_t n)
{
    unsigned char *dp = d;
    const unsigned char *sp = s;
    if (dp <= sp || dp >= sp + n)
        return memcpy(d, s, n);
    while (n--)
        dp[n] = sp[n];
    return d;
}

int memcmp(const void *a, const void *b, size_t n)
{
    const unsigned char *x = a, *y = b;
    for (; n; n--, x++, y++)
        if (*x != *y)
            return *x - *y;
    return 0;
}

size_t strnlen(const char *s, size_t n)
{
    size_t i = 0;
    while (i < n && s[i])
        i++;
    return i;
}

size_t strlen(const char *s)
{
    return strnlen(s, (size_t)-1);
}

int strncmp(const char *a, const char *b, size_t n)
{
    for (; n; n--, a++, b++) {
        if (*a != *b)
            return (unsigned char)*a - (unsigned char)*b;
        if (!*a)
            return 0;
    }
    return 0;
}
