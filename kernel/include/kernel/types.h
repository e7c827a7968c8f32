/*
 * Basic kernel types. word_t is the machine word of the target (ia32: 32
 * bits) everywhere, also in host unit tests built for x86_64, so pure logic
 * computes the same values on the host as in the kernel. Physical and user
 * virtual addresses get their own names so that neither is taken for a
 * kernel pointer by mistake (kernel pointers are real C pointers).
 */
#ifndef KERNEL_TYPES_H
#define KERNEL_TYPES_H

#include <stdint.h>
#include <stddef.h>
#include <stdbool.h>

typedef uint32_t word_t;
typedef int32_t sword_t;
typedef uint32_t paddr_t;       /* physical address */
typedef uint32_t vaddr_t;       /* user virtual address */
typedef word_t cptr_t;          /* capability address in a CSpace */

#define WORD_BITS 32u
#define BIT(n) (1u << (n))
#define MASK(n) ((n) >= 32u ? 0xffffffffu : (BIT(n) - 1u))
#define ROUND_UP(x, bits) ((((x) + MASK(bits))) & ~MASK(bits))
#define IS_ALIGNED(x, bits) (((x) & MASK(bits)) == 0)
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#define likely(x) __builtin_expect(!!(x), 1)
#define unlikely(x) __builtin_expect(!!(x), 0)

/* Internal result of kernel operations; user-visible errors travel in
 * ks_syscall_error (see errors.h) and are only reported by syscall.c. */
typedef enum exception {
    EXCEPTION_NONE = 0,
    EXCEPTION_FAULT,            /* ks_cur_fault holds a fault to deliver */
    EXCEPTION_LOOKUP_FAULT,     /* ks_lookup_fault holds the details */
    EXCEPTION_SYSCALL_ERROR,    /* ks_syscall_error holds the details */
    EXCEPTION_PREEMPTED,        /* interrupt pending; progress saved */
} exception_t;

#endif
