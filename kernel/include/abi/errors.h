/*
 * Error codes returned by refused invocations, and lookup-failure kinds.
 * Numbers are seL4's (libsel4 errors.h / abi-constants.tsv, commit 1326364b):
 * an seL4 program compares against these exact values.
 */
#ifndef ABI_ERRORS_H
#define ABI_ERRORS_H

enum abi_error {
    ERR_NONE = 0,
    ERR_INVALID_ARGUMENT = 1,
    ERR_INVALID_CAPABILITY = 2,
    ERR_ILLEGAL_OPERATION = 3,
    ERR_RANGE_ERROR = 4,
    ERR_ALIGNMENT_ERROR = 5,
    ERR_FAILED_LOOKUP = 6,
    ERR_TRUNCATED_MESSAGE = 7,
    ERR_DELETE_FIRST = 8,
    ERR_REVOKE_FIRST = 9,
    ERR_NOT_ENOUGH_MEMORY = 10,
    ERR_NUM_ERRORS = 11,
};

/* Lookup failure kinds (seL4_LookupFailureType). */
enum abi_lookup_failure {
    LOOKUP_NO_FAILURE = 0,
    LOOKUP_INVALID_ROOT = 1,
    LOOKUP_MISSING_CAPABILITY = 2,
    LOOKUP_DEPTH_MISMATCH = 3,
    LOOKUP_GUARD_MISMATCH = 4,
};

#endif
