/*
 * Kernel printing, assertions and panic. printk goes to the serial console.
 * assert() checks what the kernel guarantees (never user input) and is
 * compiled only in debug builds; panic() is for kernel bugs and stops the
 * machine with a message (and isa-debug-exit code 0x7e under QEMU).
 */
#ifndef KERNEL_DEBUG_H
#define KERNEL_DEBUG_H

#include <kernel/types.h>

#ifndef CONFIG_DEBUG
#define CONFIG_DEBUG 0
#endif

void printk(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void kputc(char c);
__attribute__((noreturn)) void panic_at(const char *file, int line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
#define panic(...) panic_at(__FILE__, __LINE__, __VA_ARGS__)

#if CONFIG_DEBUG
#define assert(e) do { if (unlikely(!(e))) panic("assertion failed: %s", #e); } while (0)
#define debug_printk(...) printk(__VA_ARGS__)
#else
#define assert(e) do { (void)sizeof(e); } while (0)
#define debug_printk(...) do { } while (0)
#endif

/* kernel/string.c */
void *memset(void *d, int c, size_t n);
void *memcpy(void *d, const void *s, size_t n);
void *memmove(void *d, const void *s, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
size_t strnlen(const char *s, size_t n);
int strncmp(const char *a, const char *b, size_t n);

#endif
