/*
 * SHA-256 (FIPS 180-4), for the console's `digest` of a guest's memory
 * (vmm/digest.c): pure code, no kernel calls, so the host unit test
 * (tests/unit/vmm/sha256_test.c) links the same source and checks it
 * against the standard's test vectors.
 */
#ifndef VMM_SHA256_H
#define VMM_SHA256_H

#include <stddef.h>
#include <stdint.h>

#define SHA256_BLOCK_BYTES  64u     /* FIPS 180-4 5.1.1: 512-bit message blocks */
#define SHA256_DIGEST_BYTES 32u     /* 256 bits */
#define SHA256_HEX_CHARS    (2u * SHA256_DIGEST_BYTES)

typedef struct sha256 {
    uint32_t h[8];                  /* the running hash value H(i) */
    uint64_t bytes;                 /* message length so far */
    uint8_t block[SHA256_BLOCK_BYTES];
    uint32_t used;                  /* bytes of block filled */
} sha256_t;

void sha256_init(sha256_t *s);
void sha256_update(sha256_t *s, const void *data, size_t n);
/* Pads, processes the last block(s) and writes the digest; s is spent. */
void sha256_final(sha256_t *s, uint8_t out[SHA256_DIGEST_BYTES]);
/* The digest as lowercase hex, NUL-terminated (SHA256_HEX_CHARS + 1 bytes). */
void sha256_hex(const uint8_t d[SHA256_DIGEST_BYTES], char *hex);

#endif
