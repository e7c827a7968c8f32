/* pc99_serial suite: shared declarations. */
#ifndef PC99_SERIAL_H
#define PC99_SERIAL_H

#include <abi/bootinfo.h>
#include <stdint.h>
#include <systest.h>

/* The suite's memory (main.c). */
extern struct st_root mem;

/* Where an ISA IRQ arrives: IOAPIC index (MADT order), pin, GSI, and the
 * trigger mode and polarity GetIOAPIC wants (level 1 = level-triggered,
 * active_low 1 = active low); overridden when the MADT moved it. */
typedef struct isa_route {
    uint32_t ioapic, pin, gsi;
    uint32_t level, active_low, overridden;
} isa_route_t;

/* Reads the MADT through extra bootinfo's RSDP and device untypeds; NULL
 * on success, else what went wrong. */
const char *acpi_isa_route(const bootinfo_t *bi, uint32_t isa_irq, isa_route_t *r);

#endif
