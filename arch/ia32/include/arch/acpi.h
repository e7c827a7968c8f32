/*
 * ACPI tables a PC kernel reads at boot (ACPI 6.x specification, chapter
 * 5.2): the Root System Description Pointer (RSDP, 5.2.5) found by scanning
 * low memory, the Root System Description Table (RSDT, 5.2.7) it points at,
 * and the Multiple APIC Description Table (MADT, signature "APIC", 5.2.12)
 * listed there, which says where the local APIC and the IOAPICs live and how
 * ISA interrupts are wired to IOAPIC inputs (interrupt source overrides).
 *
 * Every function here is pure: a byte buffer in, a struct out, an error
 * string (or NULL) back. Nothing touches hardware or kernel state, so the
 * host unit tests and fuzzers link this file unchanged.
 */
#ifndef ARCH_ACPI_H
#define ARCH_ACPI_H

#include <kernel/types.h>

/* RSDP (ACPI 5.2.5.3). */
#define ACPI_RSDP_SIG           "RSD PTR "
#define ACPI_RSDP_SIG_LEN       8u
#define ACPI_RSDP_V1_LEN        20u     /* bytes covered by the first checksum */
#define ACPI_RSDP_V2_LEN        36u     /* revision >= 2: whole structure */
#define ACPI_RSDP_OFF_CHECKSUM  8u
#define ACPI_RSDP_OFF_REVISION  15u
#define ACPI_RSDP_OFF_RSDT      16u
#define ACPI_RSDP_OFF_LENGTH    20u
#define ACPI_RSDP_OFF_XSDT      24u
#define ACPI_RSDP_REV_V2        2u
#define ACPI_RSDP_ALIGN         16u     /* the RSDP sits on a 16-byte boundary (5.2.5.1) */

/* Where the RSDP may be (ACPI 5.2.5.1): the first KiB of the EBDA, whose
 * segment is the BIOS data area word at 0x40E, and the BIOS ROM area. */
#define ACPI_EBDA_SEG_PADDR     0x40Eu
#define ACPI_EBDA_SCAN_LEN      1024u
#define ACPI_BIOS_ROM_START     0xE0000u
#define ACPI_BIOS_ROM_END       0x100000u
#define REAL_MODE_SEG_SHIFT     4u

/* Common table header (ACPI 5.2.6). */
#define ACPI_SIG_LEN            4u
#define ACPI_HDR_LEN            36u
#define ACPI_HDR_OFF_LENGTH     4u
#define ACPI_SIG_RSDT           "RSDT"
#define ACPI_SIG_XSDT           "XSDT"
#define ACPI_SIG_MADT           "APIC"
/* Longest table the kernel reads (RSDT, MADT); longer ones are refused as
 * corrupt rather than mapped. */
#define ACPI_MAX_TABLE_LEN      0x10000u

/* MADT (ACPI 5.2.12): header, local APIC address, flags, then entries of
 * {type, length, ...}. */
#define MADT_OFF_LAPIC_ADDR     36u
#define MADT_OFF_FLAGS          40u
#define MADT_OFF_ENTRIES        44u
#define MADT_FLAG_PCAT_COMPAT   BIT(0)  /* a dual 8259 is present too */
#define MADT_ENTRY_HDR_LEN      2u
#define MADT_TYPE_LAPIC         0u      /* 5.2.12.2: uid, apic id, flags */
#define MADT_TYPE_IOAPIC        1u      /* 5.2.12.3: id, 0, address, GSI base */
#define MADT_TYPE_ISO           2u      /* 5.2.12.5: bus, source, GSI, flags */
#define MADT_TYPE_LAPIC_OVERRIDE 5u     /* 5.2.12.8: 64-bit local APIC address */
#define MADT_LAPIC_LEN          8u
#define MADT_LAPIC_OFF_ID       3u
#define MADT_LAPIC_OFF_FLAGS    4u
#define MADT_LAPIC_ENABLED      BIT(0)
#define MADT_IOAPIC_LEN         12u
#define MADT_IOAPIC_OFF_ID      2u
#define MADT_IOAPIC_OFF_ADDR    4u
#define MADT_IOAPIC_OFF_GSI     8u
#define MADT_ISO_LEN            10u
#define MADT_ISO_OFF_BUS        2u
#define MADT_ISO_OFF_SOURCE     3u
#define MADT_ISO_OFF_GSI        4u
#define MADT_ISO_OFF_FLAGS      8u
#define MADT_LAPIC_OVR_LEN      12u
#define MADT_LAPIC_OVR_OFF_ADDR 4u
/* MPS INTI flags of an override (ACPI table 5.50): polarity bits 1:0,
 * trigger mode bits 3:2; 0 = "conforms to the bus" (ISA: high, edge). */
#define MPS_INTI_POLARITY_MASK  0x3u
#define MPS_INTI_POLARITY_HIGH  0x1u
#define MPS_INTI_POLARITY_LOW   0x3u
#define MPS_INTI_TRIGGER_SHIFT  2u
#define MPS_INTI_TRIGGER_MASK   0x3u
#define MPS_INTI_TRIGGER_EDGE   0x1u
#define MPS_INTI_TRIGGER_LEVEL  0x3u
#define ISA_NUM_IRQS            16u

#define ACPI_MAX_IOAPICS        8u
#define ACPI_MAX_OVERRIDES      16u
#define ACPI_MAX_RSDT_ENTRIES   64u

typedef struct acpi_rsdp_info {
    uint8_t revision;
    word_t length;              /* bytes of the structure: 20 or its length field */
    uint32_t rsdt;              /* physical address of the RSDT, 0 if none */
    uint64_t xsdt;              /* revision >= 2: the XSDT, else 0 */
} acpi_rsdp_info_t;

typedef struct acpi_ioapic {
    uint8_t id;
    uint32_t paddr;
    uint32_t gsi_base;          /* first global system interrupt it serves */
} acpi_ioapic_t;

typedef struct acpi_override {
    uint8_t source;             /* ISA IRQ */
    uint32_t gsi;               /* global system interrupt it arrives on */
    uint16_t flags;             /* MPS INTI flags */
} acpi_override_t;

typedef struct acpi_madt {
    uint64_t lapic_paddr;
    uint32_t flags;
    word_t n_cpus;              /* enabled local APICs */
    word_t n_ioapics;
    acpi_ioapic_t ioapics[ACPI_MAX_IOAPICS];
    word_t n_overrides;
    acpi_override_t overrides[ACPI_MAX_OVERRIDES];
} acpi_madt_t;

/* How an ISA IRQ reaches an IOAPIC: global system interrupt and mode. */
typedef struct acpi_isa_route {
    uint32_t gsi;
    bool level;                 /* level-triggered (else edge) */
    bool active_low;            /* active low (else high) */
} acpi_isa_route_t;

/* Sum of len bytes modulo 256: every valid ACPI structure sums to 0. */
uint8_t acpi_checksum(const uint8_t *buf, word_t len);
/* Check an RSDP at the start of buf (len bytes available). */
const char *acpi_rsdp_parse(const uint8_t *buf, word_t len, acpi_rsdp_info_t *out);
/* Scan buf (len bytes, buf[0] 16-byte aligned in physical memory) for a
 * valid RSDP; *offset is where it starts. */
const char *acpi_rsdp_scan(const uint8_t *buf, word_t len, word_t *offset, acpi_rsdp_info_t *out);
/* Length field of a table header (only the first 8 bytes are needed). */
const char *acpi_table_length(const uint8_t *buf, word_t len, word_t *table_len);
/* Check a whole table: signature, length within buf, checksum. */
const char *acpi_table_check(const uint8_t *buf, word_t len, const char *sig);
/* Entries of an RSDT (4-byte) or XSDT (8-byte, all below 4 GiB kept). */
const char *acpi_sdt_entries(const uint8_t *buf, word_t len, bool xsdt, uint32_t *entries,
                             word_t max, word_t *n);
/* Parse a whole MADT (checked with acpi_table_check first). */
const char *acpi_madt_parse(const uint8_t *buf, word_t len, acpi_madt_t *out);
/* Apply the interrupt source overrides to ISA IRQ irq (< 16). */
acpi_isa_route_t acpi_isa_route(const acpi_madt_t *madt, word_t irq);

#endif
