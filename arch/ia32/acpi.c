/*
 * Reading ACPI tables. Firmware describes the machine in a tree of tables:
 * a small Root System Description Pointer (RSDP) that the kernel finds by
 * scanning low memory for the signature "RSD PTR ", a root table (RSDT,
 * or the XSDT with 64-bit entries) listing the physical address of every
 * other table, and among those the MADT ("APIC"), which tells where the
 * local APIC and each IOAPIC are and how the sixteen ISA interrupts are
 * wired to IOAPIC inputs when they differ from the identity (the PIT's
 * IRQ 0 usually arrives on input 2). Each structure carries a checksum:
 * its bytes sum to zero modulo 256.
 *
 * Firmware bugs are real, so nothing is trusted: every length is checked
 * against the bytes actually available, every entry against the table's
 * end, every checksum verified. A failure returns a message naming what is
 * wrong; the caller decides whether that stops the boot. Pure code: bytes
 * in, struct out (see arch/acpi.h), no hardware, no kernel state.
 */
#include <arch/acpi.h>

static uint16_t get16(const uint8_t *p)
{
    return (uint16_t)(p[0] | (p[1] << 8));
}

static uint32_t get32(const uint8_t *p)
{
    return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24);
}

static uint64_t get64(const uint8_t *p)
{
    return (uint64_t)get32(p) | ((uint64_t)get32(p + 4) << 32);
}

static bool sig_is(const uint8_t *p, const char *sig, word_t n)
{
    for (word_t i = 0; i < n; i++)
        if (p[i] != (uint8_t)sig[i])
            return false;
    return true;
}

uint8_t acpi_checksum(const uint8_t *buf, word_t len)
{
    uint8_t sum = 0;
    for (word_t i = 0; i < len; i++)
        sum = (uint8_t)(sum + buf[i]);
    return sum;
}

const char *acpi_rsdp_parse(const uint8_t *buf, word_t len, acpi_rsdp_info_t *out)
{
    if (len < ACPI_RSDP_V1_LEN)
        return "RSDP truncated";
    if (!sig_is(buf, ACPI_RSDP_SIG, ACPI_RSDP_SIG_LEN))
        return "no RSDP signature";
    if (acpi_checksum(buf, ACPI_RSDP_V1_LEN) != 0)
        return "RSDP checksum wrong";
    acpi_rsdp_info_t r = { buf[ACPI_RSDP_OFF_REVISION], ACPI_RSDP_V1_LEN,
                           get32(buf + ACPI_RSDP_OFF_RSDT), 0 };
    if (r.revision >= ACPI_RSDP_REV_V2) {
        if (len < ACPI_RSDP_V2_LEN)
            return "RSDP (ACPI 2.0+) truncated";
        word_t full = get32(buf + ACPI_RSDP_OFF_LENGTH);
        if (full < ACPI_RSDP_V2_LEN || full > len)
            return "RSDP length field out of range";
        if (acpi_checksum(buf, full) != 0)
            return "RSDP extended checksum wrong";
        r.length = full;
        r.xsdt = get64(buf + ACPI_RSDP_OFF_XSDT);
    }
    if (r.rsdt == 0 && r.xsdt == 0)
        return "RSDP points at no root table";
    *out = r;
    return NULL;
}

const char *acpi_rsdp_scan(const uint8_t *buf, word_t len, word_t *offset, acpi_rsdp_info_t *out)
{
    for (word_t off = 0; off < len && len - off >= ACPI_RSDP_V1_LEN; off += ACPI_RSDP_ALIGN) {
        if (acpi_rsdp_parse(buf + off, len - off, out) == NULL) {
            *offset = off;
            return NULL;
        }
    }
    return "no valid RSDP in range";
}

const char *acpi_table_length(const uint8_t *buf, word_t len, word_t *table_len)
{
    if (len < ACPI_HDR_OFF_LENGTH + sizeof(uint32_t))
        return "table header truncated";
    word_t n = get32(buf + ACPI_HDR_OFF_LENGTH);
    if (n < ACPI_HDR_LEN)
        return "table length shorter than its header";
    if (n > ACPI_MAX_TABLE_LEN)
        return "table length implausibly large";
    *table_len = n;
    return NULL;
}

const char *acpi_table_check(const uint8_t *buf, word_t len, const char *sig)
{
    word_t n;
    const char *err = acpi_table_length(buf, len, &n);
    if (err)
        return err;
    if (n > len)
        return "table extends past the bytes available";
    if (!sig_is(buf, sig, ACPI_SIG_LEN))
        return "table signature wrong";
    if (acpi_checksum(buf, n) != 0)
        return "table checksum wrong";
    return NULL;
}

const char *acpi_sdt_entries(const uint8_t *buf, word_t len, bool xsdt, uint32_t *entries,
                             word_t max, word_t *n)
{
    const char *err = acpi_table_check(buf, len, xsdt ? ACPI_SIG_XSDT : ACPI_SIG_RSDT);
    if (err)
        return err;
    word_t end = get32(buf + ACPI_HDR_OFF_LENGTH);
    word_t size = xsdt ? sizeof(uint64_t) : sizeof(uint32_t);
    if ((end - ACPI_HDR_LEN) % size != 0)
        return "root table length not a whole number of entries";
    *n = 0;
    for (word_t off = ACPI_HDR_LEN; off < end && *n < max; off += size) {
        uint64_t e = xsdt ? get64(buf + off) : get32(buf + off);
        if (e == 0 || e > UINT32_MAX)
            continue;       /* unusable without PAE: skipped, not an error */
        entries[(*n)++] = (uint32_t)e;
    }
    return NULL;
}

/* One MADT entry of `type` and `elen` bytes at p; an error if it is corrupt. */
static const char *madt_entry(const uint8_t *p, word_t type, word_t elen, acpi_madt_t *m)
{
    switch (type) {
    case MADT_TYPE_LAPIC:
        if (elen < MADT_LAPIC_LEN)
            return "MADT local APIC entry too short";
        if (get32(p + MADT_LAPIC_OFF_FLAGS) & MADT_LAPIC_ENABLED)
            m->n_cpus++;
        break;
    case MADT_TYPE_IOAPIC:
        if (elen < MADT_IOAPIC_LEN)
            return "MADT IOAPIC entry too short";
        if (m->n_ioapics < ACPI_MAX_IOAPICS)
            m->ioapics[m->n_ioapics++] = (acpi_ioapic_t){ p[MADT_IOAPIC_OFF_ID],
                get32(p + MADT_IOAPIC_OFF_ADDR), get32(p + MADT_IOAPIC_OFF_GSI) };
        break;
    case MADT_TYPE_ISO:
        if (elen < MADT_ISO_LEN)
            return "MADT interrupt source override too short";
        if (m->n_overrides < ACPI_MAX_OVERRIDES && p[MADT_ISO_OFF_SOURCE] < ISA_NUM_IRQS)
            m->overrides[m->n_overrides++] = (acpi_override_t){ p[MADT_ISO_OFF_SOURCE],
                get32(p + MADT_ISO_OFF_GSI), get16(p + MADT_ISO_OFF_FLAGS) };
        break;
    case MADT_TYPE_LAPIC_OVERRIDE:
        if (elen < MADT_LAPIC_OVR_LEN)
            return "MADT local APIC address override too short";
        m->lapic_paddr = get64(p + MADT_LAPIC_OVR_OFF_ADDR);
        break;
    default:
        break;      /* NMI sources, x2APIC entries and others: not needed */
    }
    return NULL;
}

const char *acpi_madt_parse(const uint8_t *buf, word_t len, acpi_madt_t *out)
{
    const char *err = acpi_table_check(buf, len, ACPI_SIG_MADT);
    if (err)
        return err;
    word_t end = get32(buf + ACPI_HDR_OFF_LENGTH);
    if (end < MADT_OFF_ENTRIES)
        return "MADT shorter than its fixed fields";
    acpi_madt_t m = { 0 };
    m.lapic_paddr = get32(buf + MADT_OFF_LAPIC_ADDR);
    m.flags = get32(buf + MADT_OFF_FLAGS);
    for (word_t off = MADT_OFF_ENTRIES; off < end;) {
        if (end - off < MADT_ENTRY_HDR_LEN)
            return "MADT entry header runs past the table";
        word_t type = buf[off], elen = buf[off + 1];
        if (elen < MADT_ENTRY_HDR_LEN)
            return "MADT entry with length below 2";
        if (elen > end - off)
            return "MADT entry runs past the table";
        err = madt_entry(buf + off, type, elen, &m);
        if (err)
            return err;
        off += elen;
    }
    if (m.n_ioapics == 0)
        return "MADT lists no IOAPIC";
    *out = m;
    return NULL;
}

acpi_isa_route_t acpi_isa_route(const acpi_madt_t *madt, word_t irq)
{
    /* ISA default: identity, edge-triggered, active high. */
    acpi_isa_route_t r = { irq, false, false };
    for (word_t i = 0; i < madt->n_overrides; i++) {
        const acpi_override_t *o = &madt->overrides[i];
        if (o->source != irq)
            continue;
        r.gsi = o->gsi;
        r.active_low = (o->flags & MPS_INTI_POLARITY_MASK) == MPS_INTI_POLARITY_LOW;
        r.level = ((o->flags >> MPS_INTI_TRIGGER_SHIFT) & MPS_INTI_TRIGGER_MASK) ==
                  MPS_INTI_TRIGGER_LEVEL;
    }
    return r;
}
