/*
 * Memory layout (ia32, no PAE).
 *
 *   0x00000000 .. 0xDFFFFFFF   user (USER_TOP = 0xE0000000)
 *   0xE0000000 .. 0xFFBFFFFF   kernel window: physical 0 .. 508 MiB mapped
 *                              with global 4 MiB pages, supervisor only
 *   0xFFC00000 .. 0xFFFFFFFF   device window (seL4 ia32 PPTR_KDEV): one page
 *                              table of uncached 4 KiB mappings: the local
 *                              APIC, the IOAPICs, and at boot a scratch
 *                              range for reading firmware (ACPI) tables
 *   kernel image: linked at 0xE0100000, loaded at physical 0x00100000
 *
 * Every kernel object lives in the window, so a kernel pointer is its
 * physical address plus KERNEL_BASE. Memory above 508 MiB is handed out as
 * untyped but can only become frames, which the kernel never touches.
 */
#ifndef ARCH_MEMLAYOUT_H
#define ARCH_MEMLAYOUT_H

#include <kernel/types.h>

#define KERNEL_BASE         0xE0000000u     /* seL4 ia32 PPTR_BASE */
#define KERNEL_WINDOW_SIZE  0x20000000u     /* 512 MiB */
#define KERNEL_PHYS_LOAD    0x00100000u
#define KERNEL_PD_FIRST     (KERNEL_BASE >> 22)   /* first kernel PDE index, 896 */
#define PD_ENTRIES          1024u
#define PT_ENTRIES          1024u

/* The last 4 MiB: device window, one page table (arch/ia32/pc99.c). */
#define KERNEL_DEV_BASE     0xFFC00000u
#define KDEV_LAPIC          KERNEL_DEV_BASE
#define KDEV_IOAPIC(i)      (KERNEL_DEV_BASE + (1u + (i)) * 0x1000u)
/* Boot-time scratch mappings for firmware tables: the upper 2 MiB. */
#define KDEV_SCRATCH        (KERNEL_DEV_BASE + 0x200000u)
#define KDEV_SCRATCH_PAGES  512u

/* Physical memory the kernel window can reach: [0, PADDR_WINDOW_TOP),
 * 508 MiB (seL4 ia32's PADDR_TOP: the device window takes the last 4 MiB). */
#define PADDR_WINDOW_TOP    (KERNEL_DEV_BASE - KERNEL_BASE)

static inline bool paddr_in_window(paddr_t p, word_t size)
{
    return p < PADDR_WINDOW_TOP && size <= PADDR_WINDOW_TOP - p;
}

/* Kernel pointer for a physical address inside the window. */
static inline void *paddr_to_kptr(paddr_t p) { return (void *)(uintptr_t)(p + KERNEL_BASE); }
static inline paddr_t kptr_to_paddr(const void *k) { return (paddr_t)((uintptr_t)k - KERNEL_BASE); }

#endif
