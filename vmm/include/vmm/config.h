/*
 * The partition configuration as the VMM holds it after reading the device
 * tree: plain C data, no pointers into kernel objects, so that the same
 * structure can be computed on the host from a .dtb (the unit tests do, and
 * the isolation analysis of issue 23 can plan-check it) and in the VMM from
 * its boot module.
 *
 * vmm_config_read() is pure: it reads the tree and the boot modules it is
 * given, fills a vmm_config_t and validates all of it, and either succeeds
 * or names the first thing that is wrong (node, property, message). It
 * makes no system call, so nothing is built before everything is checked:
 * the VMM builds every guest or none.
 */
#ifndef VMM_CONFIG_H
#define VMM_CONFIG_H

#include <stdint.h>
#include <stddef.h>
#include <stdbool.h>
#include <lib/elf.h>

#define VMM_MAX_GUESTS      8       /* guests in one configuration */
#define VMM_MAX_CHANNELS    16      /* shared-memory regions and endpoints together */
#define VMM_MAX_DEVICES     8       /* io-ports nodes */
#define VMM_MAX_PORT_RANGES 4       /* <base count> pairs in one device */
#define VMM_MAX_IRQS        4       /* interrupt lines in one device */
#define VMM_MAX_MODULES     16      /* boot modules the VMM looks at */
#define VMM_NAME_MAX        24      /* a guest's name, with its NUL: it prefixes output */
#define VMM_BOOTARGS_MAX    1024    /* bootargs with NUL: one page holds them and more */
#define VMM_PATH_MAX        96      /* a node's path in an error message */
#define VMM_MESSAGE_MAX     160     /* an error message */

/* A boot module as the VMM (or a host test) sees it: name and bytes. */
typedef struct vmm_module {
    char name[64];              /* last component of the module's command line */
    const uint8_t *data;        /* its bytes, readable */
    uint32_t size;              /* in bytes */
    uint32_t first_slot;        /* the VMM's capability to its first frame (0 on the host) */
} vmm_module_t;

/* What the machine offers: input to the validation, not part of the tree. */
typedef struct vmm_machine {
    const vmm_module_t *modules;
    uint32_t n_modules;
    uint64_t free_bytes;        /* RAM the VMM can give away (its free untypeds) */
    uint32_t vmm_priority;      /* guests must run below it */
} vmm_machine_t;

typedef enum vmm_policy {
    VMM_POLICY_DELEGATED,       /* untypeds of the guest's size, the guest allocates */
    VMM_POLICY_MEDIATED,        /* no untypeds: every object and mapping asked of the VMM */
    VMM_POLICY_BALLOON,         /* delegated, plus reclaim on request (behaves as delegated) */
    VMM_POLICY_UNACCOUNTED,     /* everything left over, no limit */
} vmm_policy_t;

typedef struct vmm_guest {
    char name[VMM_NAME_MAX];    /* node name without unit address */
    uint32_t phandle;           /* 0 if no channel or device names it */
    int node;                   /* offset in the tree (valid while the tree is) */
    const vmm_module_t *kernel; /* its ELF image, checked */
    const vmm_module_t *initrd; /* NULL if none */
    const char *bootargs;       /* "" if none; points into the tree */
    uint64_t memory;            /* bytes granted (the minimum for unaccounted) */
    uint64_t memory_min;        /* bytes it may shrink to (= memory if not given) */
    uint64_t memory_max;        /* bytes it may grow to (= memory if not given) */
    vmm_policy_t policy;
    uint32_t priority;          /* below the VMM's */
    elf_image_t image;          /* its segments, from lib/elf.c */
} vmm_guest_t;

typedef enum vmm_channel_kind {
    VMM_CHANNEL_SHM,            /* frames mapped into both guests */
    VMM_CHANNEL_ENDPOINT,       /* guest[0] (client) Calls guest[1] (server) */
} vmm_channel_kind_t;

typedef struct vmm_channel {
    char name[VMM_NAME_MAX];
    int node;                   /* offset in the tree */
    vmm_channel_kind_t kind;
    uint32_t guest[2];          /* indices into vmm_config_t.guest */
    bool writable[2];           /* shared memory: per guest; endpoint: unused */
    uint32_t size;              /* shared memory: bytes, a multiple of 4 KiB */
} vmm_channel_t;

typedef struct vmm_port_range {
    uint32_t base, count;       /* ports [base, base + count) */
} vmm_port_range_t;

typedef struct vmm_device {
    char name[VMM_NAME_MAX];
    int node;                   /* offset in the tree */
    uint32_t guest;             /* index into vmm_config_t.guest */
    uint32_t n_ranges;
    vmm_port_range_t range[VMM_MAX_PORT_RANGES];
    uint32_t n_irqs;
    uint32_t irq[VMM_MAX_IRQS];
} vmm_device_t;

typedef struct vmm_config {
    const char *model;          /* root `model`, "" if none */
    const char *script;         /* root `console-script`: NUL-separated commands, or NULL */
    uint32_t script_len;        /* its bytes, the last NUL included */
    uint32_t n_guests;
    vmm_guest_t guest[VMM_MAX_GUESTS];
    uint32_t n_channels;
    vmm_channel_t channel[VMM_MAX_CHANNELS];
    uint32_t n_devices;
    vmm_device_t device[VMM_MAX_DEVICES];
    uint64_t bytes_needed;      /* guests' memory + overheads + shared memory */
} vmm_config_t;

/* Why a configuration was refused: where, and what is wrong. */
typedef struct vmm_config_error {
    char node[VMM_PATH_MAX];    /* "/guests/web", "/" for the tree as a whole */
    char property[32];          /* "" when the node itself is wrong */
    char message[VMM_MESSAGE_MAX];
} vmm_config_error_t;

/* Bytes the VMM spends on each guest besides its memory and its image's
 * frames: CNode (16 KiB), TCB, page directory, page tables, ASID pool,
 * stack, IPC buffer and boot page, with room for memmgr's slabs. Counted
 * against the free pool with the image's pages (vmm_guest_cost()). */
#define VMM_GUEST_OVERHEAD  (96u * 1024u)
/* And for a mediated guest, the VMM's handle table and memmgr records for
 * it (vmm_med_state_t, vmm/include/vmm/domain.h), in frames of the pool. */
#define VMM_MEDIATED_OVERHEAD (656u * 1024u)

/* Read and validate the tree at fdt (fdt_size readable bytes) against the
 * machine. Returns true and fills *out, or returns false and fills *err. */
bool vmm_config_read(const void *fdt, uint32_t fdt_size, const vmm_machine_t *m,
                     vmm_config_t *out, vmm_config_error_t *err);

const char *vmm_policy_name(vmm_policy_t p);
/* What a guest takes from the VMM's free pool: memory, overhead, image. */
uint64_t vmm_guest_cost(const vmm_guest_t *g);

#endif
