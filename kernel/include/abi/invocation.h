/*
 * Invocation labels (message-info label of a call on a capability), seL4 at
 * commit 1326364b, non-MCS ia32, no IOMMU/VT-x/HW debug, one core (abi.md).
 *
 * seL4 numbers its labels per configuration: with KernelIOMMU on (seL4's
 * x86 default, and how seL4's prebuilt sel4bench images are built, whose
 * root task calls X86PageMap as 40), three I/O-MMU labels are inserted and
 * every label from X86PageMap on moves up. CONFIG_IOMMU_LABELS=1 gives that
 * numbering (the kernel-bench-iommu variant, docs/api.md); 0, the default,
 * is the numbering abi.md pins. Kernel and user level must agree.
 */
#ifndef ABI_INVOCATION_H
#define ABI_INVOCATION_H

#ifndef CONFIG_IOMMU_LABELS
#define CONFIG_IOMMU_LABELS 0
#endif

enum abi_invocation {
    INV_INVALID = 0,
    INV_UNTYPED_RETYPE = 1,
    INV_TCB_READ_REGISTERS = 2,
    INV_TCB_WRITE_REGISTERS = 3,
    INV_TCB_COPY_REGISTERS = 4,
    INV_TCB_CONFIGURE = 5,
    INV_TCB_SET_PRIORITY = 6,
    INV_TCB_SET_MC_PRIORITY = 7,
    INV_TCB_SET_SCHED_PARAMS = 8,
    INV_TCB_SET_IPC_BUFFER = 9,
    INV_TCB_SET_SPACE = 10,
    INV_TCB_SUSPEND = 11,
    INV_TCB_RESUME = 12,
    INV_TCB_BIND_NOTIFICATION = 13,
    INV_TCB_UNBIND_NOTIFICATION = 14,
    INV_TCB_SET_TLS_BASE = 15,
    INV_TCB_SET_FLAGS = 16,
    INV_CNODE_REVOKE = 17,
    INV_CNODE_DELETE = 18,
    INV_CNODE_CANCEL_BADGED_SENDS = 19,
    INV_CNODE_COPY = 20,
    INV_CNODE_MINT = 21,
    INV_CNODE_MOVE = 22,
    INV_CNODE_MUTATE = 23,
    INV_CNODE_ROTATE = 24,
    INV_CNODE_SAVE_CALLER = 25,
    INV_IRQ_ISSUE_IRQ_HANDLER = 26,
    INV_IRQ_ACK_IRQ = 27,
    INV_IRQ_SET_IRQ_HANDLER = 28,
    INV_IRQ_CLEAR_IRQ_HANDLER = 29,
    INV_DOMAIN_SET_SET = 30,
    INV_DOMAIN_SCHEDULE_CONFIGURE = 31,
    INV_DOMAIN_SCHEDULE_SET_START = 32,
    INV_X86_PAGE_DIRECTORY_MAP = 33,
    INV_X86_PAGE_DIRECTORY_UNMAP = 34,
    INV_X86_PAGE_DIRECTORY_GET_STATUS_BITS = 35,
    INV_X86_PAGE_TABLE_MAP = 36,
    INV_X86_PAGE_TABLE_UNMAP = 37,
#if CONFIG_IOMMU_LABELS
    /* seL4 with KernelIOMMU (object-api-arch.xml: X86IOPageTableMap/Unmap
     * and X86PageMapIO are conditional on CONFIG_IOMMU). We have no IOMMU:
     * these three are refused as illegal operations. */
    INV_X86_IO_PAGE_TABLE_MAP = 38,
    INV_X86_IO_PAGE_TABLE_UNMAP = 39,
    INV_X86_PAGE_MAP = 40,
    INV_X86_PAGE_UNMAP = 41,
    INV_X86_PAGE_MAP_IO = 42,
    INV_X86_PAGE_GET_ADDRESS = 43,
    INV_X86_ASID_CONTROL_MAKE_POOL = 44,
    INV_X86_ASID_POOL_ASSIGN = 45,
    INV_X86_IOPORT_CONTROL_ISSUE = 46,
    INV_X86_IOPORT_IN8 = 47,
    INV_X86_IOPORT_IN16 = 48,
    INV_X86_IOPORT_IN32 = 49,
    INV_X86_IOPORT_OUT8 = 50,
    INV_X86_IOPORT_OUT16 = 51,
    INV_X86_IOPORT_OUT32 = 52,
    INV_X86_IRQ_ISSUE_IRQ_HANDLER_IOAPIC = 53,
    INV_X86_IRQ_ISSUE_IRQ_HANDLER_MSI = 54,
    INV_NUM_LABELS = 55,
#else
    INV_X86_PAGE_MAP = 38,
    INV_X86_PAGE_UNMAP = 39,
    INV_X86_PAGE_GET_ADDRESS = 40,
    INV_X86_ASID_CONTROL_MAKE_POOL = 41,
    INV_X86_ASID_POOL_ASSIGN = 42,
    INV_X86_IOPORT_CONTROL_ISSUE = 43,
    INV_X86_IOPORT_IN8 = 44,
    INV_X86_IOPORT_IN16 = 45,
    INV_X86_IOPORT_IN32 = 46,
    INV_X86_IOPORT_OUT8 = 47,
    INV_X86_IOPORT_OUT16 = 48,
    INV_X86_IOPORT_OUT32 = 49,
    INV_X86_IRQ_ISSUE_IRQ_HANDLER_IOAPIC = 50,
    INV_X86_IRQ_ISSUE_IRQ_HANDLER_MSI = 51,
    INV_NUM_LABELS = 52,
#endif
};

#endif
