/*
 * The multiboot (version 1) information a boot loader hands the kernel, and
 * the pure parser that turns it into arch_boot_info_t.
 *
 * The loader leaves a multiboot_info_t somewhere in physical memory and
 * points EBX at it. Its `flags` say which fields are valid; we need the
 * memory map (flag 6) and the module list (flag 3). Both are further
 * physical addresses, so the parser never dereferences them itself: it asks
 * a reader callback for "len bytes at physical p", which in the kernel
 * checks the kernel window and on the host (unit tests, fuzzers) checks a
 * byte buffer standing in for physical memory. Nothing in the information
 * is trusted: every length, count and address is checked, and a problem is
 * an error message naming it, never a panic (boot.c panics with it).
 *
 * Source of every constant: Multiboot Specification 0.6.96, section 3.3
 * ("Boot information format").
 */
#ifndef ARCH_MULTIBOOT_H
#define ARCH_MULTIBOOT_H

#include <kernel/types.h>
#include <kernel/boot.h>

#define MB_FLAG_MEM     (1u << 0)       /* mem_lower / mem_upper valid */
#define MB_FLAG_CMDLINE (1u << 2)       /* cmdline valid */
#define MB_FLAG_MODS    (1u << 3)       /* mods_count / mods_addr valid */
#define MB_FLAG_MMAP    (1u << 6)       /* mmap_length / mmap_addr valid */
#define MB_MMAP_RAM     1u              /* memory map type "available RAM" */
#define MB_HIGHMEM      0x100000ull     /* seL4 HIGHMEM_PADDR: available entries below are not RAM */

typedef struct multiboot_info {
    uint32_t flags, mem_lower, mem_upper, boot_device, cmdline, mods_count, mods_addr;
    uint32_t syms[4];
    uint32_t mmap_length, mmap_addr;
} __attribute__((packed)) multiboot_info_t;

typedef struct multiboot_module {
    uint32_t start, end, string, reserved;
} __attribute__((packed)) multiboot_module_t;

/* One memory-map entry. `size` counts the bytes after itself (20 for this
 * layout; a loader may append fields, so entries may be longer). */
typedef struct multiboot_mmap {
    uint32_t size;
    uint64_t addr, len;
    uint32_t type;
} __attribute__((packed)) multiboot_mmap_t;
_Static_assert(sizeof(multiboot_mmap_t) == 24, "multiboot memory-map entry is 24 bytes");

/* The smallest RAM the kernel accepts: boot structures (root CNode, page
 * tables, the root task's image copy) must fit with room to spare. */
#define MB_MIN_RAM_BYTES    (4u << 20)
/* Longest module name kept (boot_module_t.name holds it plus a NUL). */
#define MB_NAME_MAX         (sizeof(((boot_module_t *)0)->name) - 1)
/* Room for an error message, NUL included. */
#define MB_ERROR_LEN        128

/* Returns a pointer to the `len` bytes at physical address `p`, or NULL
 * when they cannot (all) be read. */
typedef const void *(*mb_read_fn)(void *ctx, paddr_t p, word_t len);

typedef struct mb_source {
    mb_read_fn read;
    void *ctx;                  /* passed to read() */
    paddr_t info;               /* physical address of the multiboot_info_t (EBX) */
    paddr_t kernel_start;       /* the kernel image [start, end): no module may overlap it */
    paddr_t kernel_end;
    paddr_t module_limit;       /* every module must end at or below this address */
} mb_source_t;

/*
 * Parse the multiboot information src describes into *out (which is
 * cleared first). On success returns NULL and out holds:
 *  - ram[0..n_ram): usable RAM, page aligned, sorted, disjoint and not
 *    touching; every page lies wholly in a type-1 map entry that starts at
 *    or above 1 MiB (MB_HIGHMEM, as seL4), touches no
 *    other entry, and lies below 4 GiB; in total at least MB_MIN_RAM_BYTES;
 *  - mmap[0..mmap_len): the raw memory map (every entry well formed);
 *  - modules[0..n_modules): 1..BOOT_MAX_MODULES modules, start <= end <=
 *    module_limit, none sharing a byte with another or with the kernel
 *    image (an empty module shares none), each name NUL-terminated.
 * On failure returns err, filled with a message naming what is wrong.
 */
const char *multiboot_parse(const mb_source_t *src, arch_boot_info_t *out, char err[MB_ERROR_LEN]);

/* Steps through a memory map the parser accepted: copies the entry at
 * *off into *e, advances *off and returns true; false at the end. */
bool multiboot_mmap_next(const uint8_t *map, word_t len, word_t *off, multiboot_mmap_t *e);

#endif
