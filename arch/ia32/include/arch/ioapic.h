/*
 * The I/O APIC (Intel 82093AA datasheet; ICH/PCH datasheets): a router
 * between interrupt pins (ISA and PCI INTx lines) and local APIC vectors.
 * Two MMIO registers reach everything: write a register number into
 * IOREGSEL, then read or write it through IOWIN. Each pin has a 64-bit
 * redirection entry: vector, polarity, trigger mode, mask, destination.
 */
#ifndef ARCH_IOAPIC_H
#define ARCH_IOAPIC_H

#include <kernel/types.h>
#include <arch/acpi.h>

/* MMIO registers (82093AA 3.1). */
#define IOAPIC_IOREGSEL         0x00u
#define IOAPIC_IOWIN            0x10u
/* Indirect registers (82093AA 3.2). */
#define IOAPIC_REG_ID           0x00u
#define IOAPIC_REG_VER          0x01u
#define IOAPIC_REG_REDTBL       0x10u       /* entry n: low at 0x10 + 2n, high at + 1 */
#define IOAPIC_VER_MAXREDIR_SHIFT 16u
#define IOAPIC_VER_MAXREDIR_MASK  0xffu
/* Redirection entry, low word (82093AA 3.2.4). */
#define IOAPIC_RTE_VECTOR_MASK  0xffu
#define IOAPIC_RTE_POLARITY_LOW BIT(13)
#define IOAPIC_RTE_LEVEL        BIT(15)
#define IOAPIC_RTE_MASKED       BIT(16)
/* High word: destination APIC id in bits 31:24 (physical mode). */
#define IOAPIC_RTE_DEST_SHIFT   24u

/* seL4 pc99: 24 pins per IOAPIC (IOAPIC_IRQ_LINES) and one IOAPIC
 * (CONFIG_MAX_NUM_IOAPIC); user-visible ranges use these numbers. */
#define IOAPIC_PINS             24u
#define MAX_NUM_IOAPIC          1u

/* Map and reset (every pin masked, vector 0, to this CPU) the IOAPICs the
 * MADT lists, at most MAX_NUM_IOAPIC. Returns how many are in use. */
word_t ioapic_init(const acpi_madt_t *madt, word_t dest_apic_id);
/* Program a pin (left masked): vector, level (1 = level-triggered),
 * polarity (1 = active low), as seL4's ioapic_map_pin_to_vector. */
void ioapic_map_pin(word_t ioapic, word_t pin, bool level, bool active_low, word_t vector);
void ioapic_mask(word_t ioapic, word_t pin, bool masked);

#endif
