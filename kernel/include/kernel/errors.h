/*
 * The details of a refused invocation (what seL4 puts in message registers
 * with the error code) and of a failed capability lookup.
 */
#ifndef KERNEL_ERRORS_H
#define KERNEL_ERRORS_H

#include <kernel/types.h>
#include <abi/errors.h>

typedef struct lookup_fault {
    word_t type;                /* enum abi_lookup_failure */
    word_t bits_left;           /* missing cap, depth and guard mismatch */
    word_t bits_found;          /* depth mismatch: bits found; guard: guard size */
    word_t guard_found;         /* guard mismatch */
} lookup_fault_t;

typedef struct syscall_error {
    word_t type;                /* enum abi_error */
    word_t invalid_argument;    /* ERR_INVALID_ARGUMENT: argument index */
    word_t invalid_cap;         /* ERR_INVALID_CAPABILITY: extra-cap index */
    word_t range_min, range_max;/* ERR_RANGE_ERROR */
    word_t memory_left;         /* ERR_NOT_ENOUGH_MEMORY: bytes available */
    bool failed_lookup_was_source; /* ERR_FAILED_LOOKUP */
} syscall_error_t;

#endif
