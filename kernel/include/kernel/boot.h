/*
 * What the architecture layer found at boot and hands to kernel_boot(),
 * which builds the root task and the idle thread from it.
 */
#ifndef KERNEL_BOOT_H
#define KERNEL_BOOT_H

#include <kernel/types.h>

#define BOOT_MAX_REGIONS 64
#define BOOT_MAX_MODULES 16
#define BOOT_MMAP_MAX_BYTES 1024

/* A physical range [start, end); end may be 2^32, hence 64 bits. */
typedef struct boot_region {
    uint64_t start, end;
} boot_region_t;

typedef struct boot_module {
    paddr_t start, end;
    char name[64];
} boot_module_t;

typedef struct arch_boot_info {
    word_t n_ram;
    boot_region_t ram[BOOT_MAX_REGIONS];        /* usable RAM, sorted, disjoint */
    word_t n_reserved;
    boot_region_t reserved[BOOT_MAX_REGIONS];   /* kernel image, modules, MMIO the kernel uses */
    word_t n_modules;
    boot_module_t modules[BOOT_MAX_MODULES];    /* modules[0] is the root task ELF */
    word_t mmap_len;                            /* raw multiboot memory map (chunk 2) */
    uint8_t mmap[BOOT_MMAP_MAX_BYTES];
    paddr_t acpi_rsdp;                          /* 0 if none found */
    word_t acpi_rsdp_len;
    word_t tsc_mhz;
} arch_boot_info_t;

/* Build the root task, idle thread and untypeds; make the root task
 * current. Stops with a clear message on a missing or corrupt root task. */
void kernel_boot(arch_boot_info_t *abi);


#endif
