/*
 * The bootinfo frame handed to the root task (seL4_BootInfo, 1924 bytes on
 * ia32 at commit 1326364b) and the initial capability slots. Offsets are
 * checked against abi-constants.tsv by a host unit test.
 */
#ifndef ABI_BOOTINFO_H
#define ABI_BOOTINFO_H

#include <stdint.h>

/* Initial root-CNode slots (seL4_RootCNodeCapSlots). */
enum abi_root_slot {
    CAP_NULL_SLOT = 0,
    CAP_INIT_THREAD_TCB = 1,
    CAP_INIT_THREAD_CNODE = 2,
    CAP_INIT_THREAD_VSPACE = 3,
    CAP_IRQ_CONTROL = 4,
    CAP_ASID_CONTROL = 5,
    CAP_INIT_THREAD_ASID_POOL = 6,
    CAP_IO_PORT_CONTROL = 7,
    CAP_IO_SPACE = 8,
    CAP_BOOT_INFO_FRAME = 9,
    CAP_INIT_THREAD_IPC_BUFFER = 10,
    CAP_DOMAIN = 11,
    CAP_SMMU_SID_CONTROL = 12,
    CAP_SMMU_CB_CONTROL = 13,
    CAP_INIT_THREAD_SC = 14,
    CAP_SMC = 15,
    NUM_INITIAL_CAPS = 16,
};

#define BOOTINFO_MAX_UNTYPED_CAPS 230

/* A range [start, end) of root-CNode slots. */
typedef struct bi_slot_region {
    uint32_t start;
    uint32_t end;
} bi_slot_region_t;

typedef struct bi_untyped_desc {
    uint32_t paddr;
    uint8_t size_bits;
    uint8_t is_device;
    uint8_t padding[2];
} bi_untyped_desc_t;

typedef struct bootinfo {
    uint32_t extra_len;            /* bytes of extra bootinfo after this frame */
    uint32_t node_id;
    uint32_t num_nodes;
    uint32_t num_io_pt_levels;
    uint32_t ipc_buffer;           /* user address of the root task's IPC buffer */
    bi_slot_region_t empty;
    bi_slot_region_t shared_frames;
    bi_slot_region_t user_image_frames;
    bi_slot_region_t user_image_paging;
    bi_slot_region_t io_space_caps;
    bi_slot_region_t extra_bi_pages;
    uint32_t init_thread_cnode_size_bits;
    uint32_t init_thread_domain;
    bi_slot_region_t untyped;
    bi_untyped_desc_t untyped_list[BOOTINFO_MAX_UNTYPED_CAPS];
} bootinfo_t;

_Static_assert(sizeof(bootinfo_t) == 1924, "seL4_BootInfo is 1924 bytes on ia32");

/* Extra bootinfo chunk header (seL4_BootInfoHeader). */
typedef struct bi_header {
    uint32_t id;
    uint32_t len;                  /* bytes, including this header */
} bi_header_t;

enum abi_bootinfo_chunk {
    BI_CHUNK_PADDING = 0,
    BI_CHUNK_X86_VBE = 1,
    BI_CHUNK_X86_MBMMAP = 2,
    BI_CHUNK_X86_ACPI_RSDP = 3,
    BI_CHUNK_X86_FRAMEBUFFER = 4,
    BI_CHUNK_X86_TSC_FREQ = 5,
    BI_CHUNK_FDT = 6,
    /* Our extensions (not seL4's; ids far from seL4's range): */
    BI_CHUNK_MODULES = 0x40,            /* boot modules after the root task */
    BI_CHUNK_KERNEL_RESERVED = 0x41,    /* physical ranges the kernel keeps */
};

/* BI_CHUNK_X86_MBMMAP (seL4_X86_BootInfo_mmap_t): after the header, the
 * length in bytes of the multiboot memory map copied, then room for
 * BI_MMAP_MAX_ENTRIES multiboot entries (at most that many are copied). */
#define BI_MMAP_MAX_ENTRIES 50
typedef struct bi_mmap_entry {
    uint32_t size;                 /* of the rest of this entry: 20 */
    uint64_t base_addr;
    uint64_t length;
    uint32_t type;                 /* 1: RAM */
} __attribute__((packed)) bi_mmap_entry_t;

typedef struct bi_mmap {
    bi_header_t header;
    uint32_t mmap_length;
    bi_mmap_entry_t mmap[BI_MMAP_MAX_ENTRIES];
} __attribute__((packed)) bi_mmap_t;
_Static_assert(sizeof(bi_mmap_t) == 1212, "seL4_X86_BootInfo_mmap_t");

/* BI_CHUNK_MODULES: a uint32_t count, then one descriptor per module. Each
 * module is mapped read-write into the root task at `vaddr` and its frame
 * capabilities (one per 4 KiB page, in order) start at `first_slot`. */
typedef struct bi_module_desc {
    uint32_t vaddr;
    uint32_t size;
    uint32_t first_slot;
    char name[52];
} bi_module_desc_t;

/* BI_CHUNK_KERNEL_RESERVED: {base, size} pairs of physical memory that no
 * capability covers (kernel image, modules, boot-time structures). */
typedef struct bi_phys_range {
    uint32_t base;
    uint32_t size;
} bi_phys_range_t;

#endif
