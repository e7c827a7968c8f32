/* unit-test-sources: vmm/sha256.c */
/*
 * SHA-256 (vmm/sha256.c), the hash of the console's `digest`: the test
 * vectors of FIPS 180-2 appendix B ("abc", the 448-bit two-block message,
 * a million 'a'), the empty message, and messages of every length around
 * the padding's boundaries (55, 56, 63, 64, 65, 119 bytes) and of one
 * 4 KiB frame (values from an independent implementation, Python's
 * hashlib); then the same digests fed in pieces of every split.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <vmm/sha256.h>

#define FRAME   4096u

static void hex_of(const void *msg, size_t n, char *hex)
{
    sha256_t s;
    uint8_t d[SHA256_DIGEST_BYTES];

    sha256_init(&s);
    sha256_update(&s, msg, n);
    sha256_final(&s, d);
    sha256_hex(d, hex);
}

static void check(const void *msg, size_t n, const char *expected)
{
    char hex[SHA256_HEX_CHARS + 1];

    hex_of(msg, n, hex);
    assert_string_equal(hex, expected);
}

/* Bytes (i * 7 + 3) mod 256: no run of equal bytes hides a bad index. */
static uint8_t *pattern(size_t n)
{
    uint8_t *p = malloc(n);

    assert_non_null(p);
    for (size_t i = 0; i < n; i++)
        p[i] = (uint8_t)(i * 7 + 3);
    return p;
}

static void test_fips_vectors(void **state)
{
    (void)state;
    check("", 0, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    check("abc", 3, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    check("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", 56,
          "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}

static void test_million_a(void **state)
{
    char *a = malloc(1000000);

    (void)state;
    assert_non_null(a);
    memset(a, 'a', 1000000);
    check(a, 1000000, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
    free(a);
}

static void test_padding_boundaries(void **state)
{
    static const struct { size_t n; const char *hex; } v[] = {
        { 55, "e7313d333c272e639f790978283f9eb392e843d0f29b7016828bb1daa4aac70b" },
        { 56, "4324d65f3c103567f5589c710bc08f8523f929a9272e3af36fc968e52abc6c27" },
        { 63, "81c80242132f230c3bd41b3e63bbcff16107339549214a99614ff26664625055" },
        { 64, "39e3d7b6b5d075d37d053ad89b24b41bef4f3c29760c84447cab3f3be1882241" },
        { 65, "aacca6ff74fdbb296d165a45cecfa04e5127bc008770fbbdd48006f2d2fae95e" },
        { 119, "9ce7368e4daf32341631b492e80359dc9f594b48453cd0dd5bf0b19279cc177e" },
        { FRAME, "7486da8f1e13943fae21a0b043f1e99640d7d8ebafb25266478b5cddae1272b5" },
    };

    (void)state;
    for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
        uint8_t *p = pattern(v[i].n);
        check(p, v[i].n, v[i].hex);
        free(p);
    }
}

/* Any split into two or three pieces gives the digest of the whole. */
static void test_pieces(void **state)
{
    const size_t n = 200;
    uint8_t *p = pattern(n), d[SHA256_DIGEST_BYTES];
    char whole[SHA256_HEX_CHARS + 1], parts[SHA256_HEX_CHARS + 1];
    sha256_t s;

    (void)state;
    hex_of(p, n, whole);
    for (size_t a = 0; a <= n; a++)
        for (size_t b = a; b <= n; b += 13) {
            sha256_init(&s);
            sha256_update(&s, p, a);
            sha256_update(&s, p + a, b - a);
            sha256_update(&s, p + b, n - b);
            sha256_final(&s, d);
            sha256_hex(d, parts);
            assert_string_equal(parts, whole);
        }
    free(p);
}

/* One changed bit anywhere in a frame changes the digest. */
static void test_one_bit(void **state)
{
    uint8_t *p = pattern(FRAME);
    char before[SHA256_HEX_CHARS + 1], after[SHA256_HEX_CHARS + 1];

    (void)state;
    hex_of(p, FRAME, before);
    for (size_t i = 0; i < FRAME; i += 511) {
        p[i] ^= 0x10;
        hex_of(p, FRAME, after);
        assert_string_not_equal(before, after);
        p[i] ^= 0x10;
    }
    free(p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fips_vectors),
        cmocka_unit_test(test_million_a),
        cmocka_unit_test(test_padding_boundaries),
        cmocka_unit_test(test_pieces),
        cmocka_unit_test(test_one_bit),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
