/*
 * What the VMM takes from the kernel at boot: the boot modules (extra
 * bootinfo chunk 0x40, our extension: each module mapped read-write into
 * the root task, with its name and frame capabilities), the configuration
 * among them (the first module that starts with the device-tree magic),
 * and the RAM it may give away (its non-device untypeds).
 */
#ifndef VMM_BOOT_H
#define VMM_BOOT_H

#include <abi/bootinfo.h>
#include <vmm/config.h>

/* RAM the VMM keeps for itself (its own objects, page tables, the console)
 * and never counts as free for guests. */
#define VMM_RESERVE_BYTES   (1024u * 1024u)

/* The modules of chunk 0x40 into mods[VMM_MAX_MODULES]; returns how many. */
uint32_t vmm_boot_modules(const bootinfo_t *bi, vmm_module_t *mods);
/* The configuration module, or NULL if no module is a device tree. */
const vmm_module_t *vmm_boot_config(const vmm_module_t *mods, uint32_t n);
/* Bytes of RAM in the root task's untypeds, less the VMM's reserve. */
uint64_t vmm_boot_free_bytes(const bootinfo_t *bi);
/* The time-stamp counter's rate the kernel measured at boot (chunk 4), in
 * MHz; 0 if the kernel gave none. */
uint32_t vmm_boot_tsc_mhz(const bootinfo_t *bi);

#endif
