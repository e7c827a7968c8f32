/*
 * Ports of the legacy 8259 PIC pair, which stays masked on pc99, and of
 * QEMU's isa-debug-exit device.
 */
#ifndef ARCH_PIC_H
#define ARCH_PIC_H

#include <kernel/types.h>

#define PIC1_CMD    0x20
#define PIC1_DATA   0x21
#define PIC2_CMD    0xa0
#define PIC2_DATA   0xa1
#define DEBUG_EXIT_PORT 0xf4
#define PIC_CASCADE_IRQ 2

/* Remap and mask both PICs (pc99 uses the IOAPIC and local APIC). */
void pic_disable(void);

#endif
