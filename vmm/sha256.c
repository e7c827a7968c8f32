/*
 * SHA-256 as FIPS 180-4 defines it: the message is padded with a 1 bit,
 * zeros and its length in bits (64-bit big-endian) to a multiple of 512
 * bits, and each 512-bit block runs 64 rounds over eight 32-bit working
 * variables, fed by a message schedule of 64 words derived from the
 * block. Words are big-endian throughout, whatever the machine's order.
 *
 * The VMM hashes whole 4 KiB frames, so sha256_update() compresses
 * straight from the caller's buffer when no partial block is pending.
 */
#include <vmm/sha256.h>
#include <string.h>

#define ROUNDS          64u
#define STATE_WORDS     8u          /* H0..H7 */
#define LENGTH_BYTES    8u          /* the bit length closing the padding */
#define PAD_FIRST       0x80u       /* the 1 bit after the message */

/* FIPS 180-4 4.2.2: the first 32 bits of the fractional parts of the cube
 * roots of the first 64 primes. */
static const uint32_t k[ROUNDS] = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4,
    0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe,
    0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f,
    0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7,
    0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc,
    0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b,
    0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116,
    0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7,
    0xc67178f2,
};

/* FIPS 180-4 5.3.3: the first 32 bits of the fractional parts of the
 * square roots of the first 8 primes. */
static const uint32_t h0[STATE_WORDS] = {
    0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
    0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
};

static uint32_t ror(uint32_t x, unsigned n)
{
    return (x >> n) | (x << (32u - n));
}

static uint32_t load_be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void store_be32(uint8_t *p, uint32_t x)
{
    p[0] = (uint8_t)(x >> 24);
    p[1] = (uint8_t)(x >> 16);
    p[2] = (uint8_t)(x >> 8);
    p[3] = (uint8_t)x;
}

/* FIPS 180-4 6.2.2: one block into the hash value. The working variables
 * are named, not an array, so they stay in registers (no copying per
 * round: the VMM hashes megabytes). */
static void compress(uint32_t h[STATE_WORDS], const uint8_t *block)
{
    uint32_t w[ROUNDS];
    uint32_t a = h[0], b = h[1], c = h[2], d = h[3], e = h[4], f = h[5], g = h[6], hh = h[7];

    for (unsigned t = 0; t < 16; t++)
        w[t] = load_be32(block + 4 * t);
    for (unsigned t = 16; t < ROUNDS; t++) {
        uint32_t s0 = ror(w[t - 15], 7) ^ ror(w[t - 15], 18) ^ (w[t - 15] >> 3);
        uint32_t s1 = ror(w[t - 2], 17) ^ ror(w[t - 2], 19) ^ (w[t - 2] >> 10);
        w[t] = w[t - 16] + s0 + w[t - 7] + s1;
    }
    for (unsigned t = 0; t < ROUNDS; t++) {
        uint32_t t1 = hh + (ror(e, 6) ^ ror(e, 11) ^ ror(e, 25)) + ((e & f) ^ (~e & g)) + k[t] +
                      w[t];
        uint32_t t2 = (ror(a, 2) ^ ror(a, 13) ^ ror(a, 22)) + ((a & b) ^ (a & c) ^ (b & c));
        hh = g;
        g = f;
        f = e;
        e = d + t1;
        d = c;
        c = b;
        b = a;
        a = t1 + t2;
    }
    h[0] += a;
    h[1] += b;
    h[2] += c;
    h[3] += d;
    h[4] += e;
    h[5] += f;
    h[6] += g;
    h[7] += hh;
}

void sha256_init(sha256_t *s)
{
    memcpy(s->h, h0, sizeof(s->h));
    s->bytes = 0;
    s->used = 0;
}

void sha256_update(sha256_t *s, const void *data, size_t n)
{
    const uint8_t *p = data;

    s->bytes += n;
    while (n > 0) {
        if (s->used == 0 && n >= SHA256_BLOCK_BYTES) {
            compress(s->h, p);
            p += SHA256_BLOCK_BYTES;
            n -= SHA256_BLOCK_BYTES;
            continue;
        }
        size_t take = SHA256_BLOCK_BYTES - s->used < n ? SHA256_BLOCK_BYTES - s->used : n;
        memcpy(s->block + s->used, p, take);
        s->used += (uint32_t)take;
        p += take;
        n -= take;
        if (s->used == SHA256_BLOCK_BYTES) {
            compress(s->h, s->block);
            s->used = 0;
        }
    }
}

/* FIPS 180-4 5.1.1: a 1 bit, zeros to 448 mod 512 bits, the length in bits. */
void sha256_final(sha256_t *s, uint8_t out[SHA256_DIGEST_BYTES])
{
    uint64_t bits = s->bytes * 8u;

    s->block[s->used++] = PAD_FIRST;
    if (s->used > SHA256_BLOCK_BYTES - LENGTH_BYTES) {
        memset(s->block + s->used, 0, SHA256_BLOCK_BYTES - s->used);
        compress(s->h, s->block);
        s->used = 0;
    }
    memset(s->block + s->used, 0, SHA256_BLOCK_BYTES - LENGTH_BYTES - s->used);
    store_be32(s->block + SHA256_BLOCK_BYTES - 8, (uint32_t)(bits >> 32));
    store_be32(s->block + SHA256_BLOCK_BYTES - 4, (uint32_t)bits);
    compress(s->h, s->block);
    for (unsigned i = 0; i < STATE_WORDS; i++)
        store_be32(out + 4 * i, s->h[i]);
}

void sha256_hex(const uint8_t d[SHA256_DIGEST_BYTES], char *hex)
{
    static const char digits[] = "0123456789abcdef";

    for (unsigned i = 0; i < SHA256_DIGEST_BYTES; i++) {
        hex[2 * i] = digits[d[i] >> 4];
        hex[2 * i + 1] = digits[d[i] & 0xf];
    }
    hex[SHA256_HEX_CHARS] = '\0';
}
