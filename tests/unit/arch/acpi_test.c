/* unit-test-sources: arch/ia32/acpi.c */
/*
 * ACPI table parsing on the host: valid RSDP/RSDT/XSDT/MADT images built
 * byte by byte the way QEMU's firmware lays them out, then every kind of
 * corruption the kernel must refuse (bad signature, checksum, lengths that
 * overrun, entries that run past the table), and a sweep that flips each
 * byte and truncates at each length of a valid MADT to check the parser
 * never reads out of bounds (AddressSanitizer watches the buffers, which
 * are heap copies of exactly the length passed).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <arch/acpi.h>

static void put32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

static void fix_checksum(uint8_t *buf, size_t len, size_t at)
{
    buf[at] = 0;
    buf[at] = (uint8_t)(0x100 - acpi_checksum(buf, (word_t)len));
}

/* A table header: signature, length, checksum byte at 9. */
static void header(uint8_t *t, const char *sig, uint32_t len)
{
    memcpy(t, sig, 4);
    put32(t + ACPI_HDR_OFF_LENGTH, len);
    t[8] = 1;
    memcpy(t + 10, "BOCHS ", 6);
}

#define CHECKSUM_OFF 9

static size_t build_rsdp(uint8_t *b, uint8_t rev, uint32_t rsdt, uint64_t xsdt)
{
    memset(b, 0, ACPI_RSDP_V2_LEN);
    memcpy(b, ACPI_RSDP_SIG, 8);
    memcpy(b + 9, "BOCHS ", 6);
    b[ACPI_RSDP_OFF_REVISION] = rev;
    put32(b + ACPI_RSDP_OFF_RSDT, rsdt);
    fix_checksum(b, ACPI_RSDP_V1_LEN, ACPI_RSDP_OFF_CHECKSUM);
    if (rev < ACPI_RSDP_REV_V2)
        return ACPI_RSDP_V1_LEN;
    put32(b + ACPI_RSDP_OFF_LENGTH, ACPI_RSDP_V2_LEN);
    put32(b + ACPI_RSDP_OFF_XSDT, (uint32_t)xsdt);
    put32(b + ACPI_RSDP_OFF_XSDT + 4, (uint32_t)(xsdt >> 32));
    fix_checksum(b, ACPI_RSDP_V2_LEN, 32);      /* extended checksum byte */
    return ACPI_RSDP_V2_LEN;
}

/* QEMU's pc MADT: one CPU, IOAPIC 0 at 0xFEC00000, overrides 0->2
 * (default flags) and 5, 9, 10, 11 level active-high, plus an NMI entry. */
static size_t build_madt(uint8_t *t)
{
    size_t off = MADT_OFF_ENTRIES;
    memset(t, 0, 256);
    put32(t + MADT_OFF_LAPIC_ADDR, 0xFEE00000u);
    put32(t + MADT_OFF_FLAGS, MADT_FLAG_PCAT_COMPAT);
    uint8_t lapic[8] = { MADT_TYPE_LAPIC, 8, 0, 0, 1, 0, 0, 0 };
    memcpy(t + off, lapic, 8);
    off += 8;
    uint8_t ioapic[12] = { MADT_TYPE_IOAPIC, 12, 0, 0 };
    put32(ioapic + 4, 0xFEC00000u);
    memcpy(t + off, ioapic, 12);
    off += 12;
    static const uint8_t isos[][2] = { { 0, 2 }, { 5, 5 }, { 9, 9 }, { 10, 10 }, { 11, 11 } };
    for (size_t i = 0; i < 5; i++) {
        uint8_t iso[10] = { MADT_TYPE_ISO, 10, 0, isos[i][0] };
        put32(iso + 4, isos[i][1]);
        iso[8] = i == 0 ? 0 : 0x0d;     /* level (3<<2) | active high (1) */
        memcpy(t + off, iso, 10);
        off += 10;
    }
    uint8_t nmi[6] = { 4, 6, 0xff, 0, 0, 1 };
    memcpy(t + off, nmi, 6);
    off += 6;
    header(t, ACPI_SIG_MADT, (uint32_t)off);
    fix_checksum(t, off, CHECKSUM_OFF);
    return off;
}

/* A heap copy of exactly len bytes, so ASan catches any read past it. */
static uint8_t *exact(const uint8_t *src, size_t len)
{
    uint8_t *p = malloc(len ? len : 1);
    memcpy(p, src, len);
    return p;
}

static void rsdp_v1_and_v2(void **state)
{
    (void)state;
    uint8_t b[64];
    acpi_rsdp_info_t r;
    size_t n = build_rsdp(b, 0, 0x7FE1234, 0);
    assert_null(acpi_rsdp_parse(b, (word_t)n, &r));
    assert_int_equal(r.revision, 0);
    assert_int_equal(r.length, 20);
    assert_int_equal(r.rsdt, 0x7FE1234);
    n = build_rsdp(b, 2, 0x7FE1234, 0x7FE1300);
    assert_null(acpi_rsdp_parse(b, (word_t)n, &r));
    assert_int_equal(r.length, 36);
    assert_int_equal(r.xsdt, 0x7FE1300);
}

static void rsdp_refusals(void **state)
{
    (void)state;
    uint8_t b[64];
    acpi_rsdp_info_t r;
    size_t n = build_rsdp(b, 2, 0x1000, 0);
    assert_non_null(acpi_rsdp_parse(b, 19, &r));            /* truncated */
    assert_non_null(acpi_rsdp_parse(b, 30, &r));            /* v2 truncated */
    b[3] ^= 1;
    assert_non_null(acpi_rsdp_parse(b, (word_t)n, &r));     /* signature */
    b[3] ^= 1;
    b[16] ^= 1;
    assert_non_null(acpi_rsdp_parse(b, (word_t)n, &r));     /* checksum */
    b[16] ^= 1;
    b[33] ^= 1;
    assert_non_null(acpi_rsdp_parse(b, (word_t)n, &r));     /* extended checksum */
    b[33] ^= 1;
    put32(b + ACPI_RSDP_OFF_LENGTH, 4096);
    assert_non_null(acpi_rsdp_parse(b, (word_t)n, &r));     /* length overruns */
    build_rsdp(b, 0, 0, 0);
    assert_non_null(acpi_rsdp_parse(b, 20, &r));            /* no root table */
}

static void rsdp_scan_finds_aligned_only(void **state)
{
    (void)state;
    uint8_t area[256] = { 0 };
    uint8_t b[64];
    acpi_rsdp_info_t r;
    word_t off;
    size_t n = build_rsdp(b, 0, 0x1000, 0);
    memcpy(area + 40, b, n);                        /* not 16-byte aligned */
    assert_non_null(acpi_rsdp_scan(area, sizeof(area), &off, &r));
    memcpy(area + 160, b, n);
    assert_null(acpi_rsdp_scan(area, sizeof(area), &off, &r));
    assert_int_equal(off, 160);
    /* At the very end with too few bytes left: not found, no overrun. */
    uint8_t *tail = exact(area, 170);
    assert_non_null(acpi_rsdp_scan(tail, 170, &off, &r));
    free(tail);
}

static void rsdt_and_xsdt_entries(void **state)
{
    (void)state;
    uint8_t t[64] = { 0 };
    uint32_t e[8];
    word_t n;
    header(t, ACPI_SIG_RSDT, ACPI_HDR_LEN + 12);
    put32(t + 36, 0x7FE0000);
    put32(t + 40, 0);                   /* null entry: skipped */
    put32(t + 44, 0x7FE1000);
    fix_checksum(t, ACPI_HDR_LEN + 12, CHECKSUM_OFF);
    assert_null(acpi_sdt_entries(t, sizeof(t), false, e, 8, &n));
    assert_int_equal(n, 2);
    assert_int_equal(e[0], 0x7FE0000);
    assert_int_equal(e[1], 0x7FE1000);
    /* Length not a multiple of the entry size. */
    put32(t + ACPI_HDR_OFF_LENGTH, ACPI_HDR_LEN + 10);
    fix_checksum(t, ACPI_HDR_LEN + 10, CHECKSUM_OFF);
    assert_non_null(acpi_sdt_entries(t, sizeof(t), false, e, 8, &n));
    /* XSDT: an entry above 4 GiB is dropped. */
    memset(t, 0, sizeof(t));
    header(t, ACPI_SIG_XSDT, ACPI_HDR_LEN + 16);
    put32(t + 36, 0x7FE0000);
    put32(t + 44, 0x1000);
    put32(t + 48, 1);
    fix_checksum(t, ACPI_HDR_LEN + 16, CHECKSUM_OFF);
    assert_null(acpi_sdt_entries(t, sizeof(t), true, e, 8, &n));
    assert_int_equal(n, 1);
    assert_int_equal(e[0], 0x7FE0000);
    /* Wrong signature for the kind asked. */
    assert_non_null(acpi_sdt_entries(t, sizeof(t), false, e, 8, &n));
}

static void table_header_refusals(void **state)
{
    (void)state;
    uint8_t t[64] = { 0 };
    word_t len;
    header(t, ACPI_SIG_RSDT, ACPI_HDR_LEN);
    fix_checksum(t, ACPI_HDR_LEN, CHECKSUM_OFF);
    assert_null(acpi_table_check(t, ACPI_HDR_LEN, ACPI_SIG_RSDT));
    assert_non_null(acpi_table_check(t, ACPI_HDR_LEN - 1, ACPI_SIG_RSDT));  /* overruns */
    assert_non_null(acpi_table_check(t, ACPI_HDR_LEN, ACPI_SIG_MADT));      /* signature */
    assert_non_null(acpi_table_length(t, 7, &len));                          /* header cut */
    put32(t + ACPI_HDR_OFF_LENGTH, 20);
    assert_non_null(acpi_table_length(t, sizeof(t), &len));                  /* too short */
    put32(t + ACPI_HDR_OFF_LENGTH, 0x80000000u);
    assert_non_null(acpi_table_length(t, sizeof(t), &len));                  /* too long */
    put32(t + ACPI_HDR_OFF_LENGTH, ACPI_HDR_LEN);
    t[20] ^= 0x40;
    assert_non_null(acpi_table_check(t, ACPI_HDR_LEN, ACPI_SIG_RSDT));      /* checksum */
}

static void madt_qemu_layout(void **state)
{
    (void)state;
    uint8_t t[256];
    acpi_madt_t m;
    size_t n = build_madt(t);
    assert_null(acpi_madt_parse(t, (word_t)n, &m));
    assert_int_equal(m.lapic_paddr, 0xFEE00000u);
    assert_int_equal(m.flags, MADT_FLAG_PCAT_COMPAT);
    assert_int_equal(m.n_cpus, 1);
    assert_int_equal(m.n_ioapics, 1);
    assert_int_equal(m.ioapics[0].paddr, 0xFEC00000u);
    assert_int_equal(m.ioapics[0].gsi_base, 0);
    assert_int_equal(m.n_overrides, 5);
    acpi_isa_route_t r = acpi_isa_route(&m, 0);
    assert_int_equal(r.gsi, 2);
    assert_false(r.level);
    assert_false(r.active_low);
    r = acpi_isa_route(&m, 4);                  /* COM1: no override */
    assert_int_equal(r.gsi, 4);
    assert_false(r.level);
    r = acpi_isa_route(&m, 9);                  /* SCI: level, active high */
    assert_int_equal(r.gsi, 9);
    assert_true(r.level);
    assert_false(r.active_low);
}

static void madt_active_low_and_lapic_override(void **state)
{
    (void)state;
    uint8_t t[256];
    acpi_madt_t m;
    size_t n = build_madt(t);
    /* Turn the last override (11) into level, active low; add a 64-bit
     * local APIC address override after the NMI entry. */
    t[n - 6 - 10 + 8] = 0x0f;
    uint8_t ovr[12] = { MADT_TYPE_LAPIC_OVERRIDE, 12 };
    put32(ovr + 4, 0xFED00000u);
    memcpy(t + n, ovr, 12);
    n += 12;
    put32(t + ACPI_HDR_OFF_LENGTH, (uint32_t)n);
    fix_checksum(t, n, CHECKSUM_OFF);
    assert_null(acpi_madt_parse(t, (word_t)n, &m));
    acpi_isa_route_t r = acpi_isa_route(&m, 11);
    assert_true(r.level);
    assert_true(r.active_low);
    assert_int_equal(m.lapic_paddr, 0xFED00000u);
}

/* Corrupt the entry at `at` in a fresh MADT image: its length byte. */
static const char *madt_with_entry_len(size_t at, uint8_t elen)
{
    static uint8_t t[256];
    acpi_madt_t m;
    size_t n = build_madt(t);
    t[at + 1] = elen;
    fix_checksum(t, n, CHECKSUM_OFF);
    return acpi_madt_parse(t, (word_t)n, &m);
}

static void madt_refusals(void **state)
{
    (void)state;
    uint8_t t[256];
    acpi_madt_t m;
    size_t n = build_madt(t);
    size_t first = MADT_OFF_ENTRIES, ioapic = first + 8, iso = ioapic + 12;
    assert_non_null(madt_with_entry_len(first, 0));          /* would loop forever */
    assert_non_null(madt_with_entry_len(first, 1));
    assert_non_null(madt_with_entry_len(first, 4));          /* LAPIC entry too short */
    assert_non_null(madt_with_entry_len(ioapic, 8));         /* IOAPIC too short */
    assert_non_null(madt_with_entry_len(iso, 6));            /* ISO too short */
    assert_non_null(madt_with_entry_len(n - 6, 200));        /* runs past the end */
    /* Checksum, signature, truncation. */
    t[MADT_OFF_LAPIC_ADDR] ^= 1;
    assert_non_null(acpi_madt_parse(t, (word_t)n, &m));
    n = build_madt(t);
    assert_non_null(acpi_madt_parse(t, (word_t)n - 1, &m));
    t[0] = 'X';
    assert_non_null(acpi_madt_parse(t, (word_t)n, &m));
    /* No IOAPIC entry at all: the kernel cannot route anything. */
    n = build_madt(t);
    t[ioapic] = 0x7f;                   /* unknown type: skipped */
    fix_checksum(t, n, CHECKSUM_OFF);
    assert_non_null(acpi_madt_parse(t, (word_t)n, &m));
    /* A header too short for the MADT's own fields. */
    memset(t, 0, sizeof(t));
    header(t, ACPI_SIG_MADT, 40);
    fix_checksum(t, 40, CHECKSUM_OFF);
    assert_non_null(acpi_madt_parse(t, 40, &m));
}

/* Every single-byte corruption and every truncation of a valid MADT either
 * parses or is refused, always within bounds; a corrupted checksum-covered
 * byte is always refused. */
static void madt_fuzz_sweep(void **state)
{
    (void)state;
    uint8_t t[256];
    size_t n = build_madt(t);
    for (size_t len = 0; len <= n; len++) {
        uint8_t *p = exact(t, len);
        acpi_madt_t m;
        const char *err = acpi_madt_parse(p, (word_t)len, &m);
        if (len < n)
            assert_non_null(err);
        free(p);
    }
    for (size_t i = 0; i < n; i++) {
        for (unsigned bit = 0; bit < 8; bit++) {
            uint8_t *p = exact(t, n);
            acpi_madt_t m;
            p[i] ^= (uint8_t)(1u << bit);
            assert_non_null(acpi_madt_parse(p, (word_t)n, &m));
            /* With the checksum repaired the parser must still stay in bounds. */
            fix_checksum(p, n, CHECKSUM_OFF);
            (void)acpi_madt_parse(p, (word_t)n, &m);
            free(p);
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(rsdp_v1_and_v2),
        cmocka_unit_test(rsdp_refusals),
        cmocka_unit_test(rsdp_scan_finds_aligned_only),
        cmocka_unit_test(rsdt_and_xsdt_entries),
        cmocka_unit_test(table_header_refusals),
        cmocka_unit_test(madt_qemu_layout),
        cmocka_unit_test(madt_active_low_and_lapic_override),
        cmocka_unit_test(madt_refusals),
        cmocka_unit_test(madt_fuzz_sweep),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
