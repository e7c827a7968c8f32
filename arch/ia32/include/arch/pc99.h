/*
 * The pc99 platform at boot (arch/ia32/pc99.c): ACPI discovery, the
 * kernel's device window, the local APIC and its timer, the IOAPIC.
 */
#ifndef ARCH_PC99_H
#define ARCH_PC99_H

#include <kernel/boot.h>

/* Bring up the interrupt hardware and fill bi's RSDP and TSC fields; adds
 * the MMIO pages the kernel keeps to ks_reserved. Must run before the
 * first page directory is made (it installs the device window in
 * ia32_kernel_pd). Panics with a message on missing or corrupt ACPI. */
void pc99_init(arch_boot_info_t *bi);

#endif
