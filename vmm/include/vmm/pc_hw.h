/*
 * PC hardware the configuration must not hand to a guest. Without an IOMMU
 * a device that can master the bus (DMA) reaches every byte of memory, so
 * the ports that program DMA, and the ports through which the kernel and
 * the VMM run the machine, are never given out. The ranges are inclusive.
 */
#ifndef VMM_PC_HW_H
#define VMM_PC_HW_H

#define PC_PORT_LIMIT        0x10000u  /* x86 I/O space: 64 Ki ports */
#define PC_DMA1_FIRST        0x00u     /* 8237 DMA controller 1 (ISA) */
#define PC_DMA1_LAST         0x1fu
#define PC_PIC1_FIRST        0x20u     /* 8259 master PIC (the kernel masked it) */
#define PC_PIC1_LAST         0x21u
#define PC_PIT_FIRST         0x40u     /* 8254 timer */
#define PC_PIT_LAST          0x43u
#define PC_DMA_PAGE_FIRST    0x80u     /* DMA page registers */
#define PC_DMA_PAGE_LAST     0x8fu
#define PC_PIC2_FIRST        0xa0u     /* 8259 slave PIC */
#define PC_PIC2_LAST         0xa1u
#define PC_DMA2_FIRST        0xc0u     /* 8237 DMA controller 2 (ISA) */
#define PC_DMA2_LAST         0xdfu
#define PC_EXIT_FIRST        0xf4u     /* QEMU isa-debug-exit: the kernel keeps it (docs/api.md) */
#define PC_EXIT_LAST         0xf7u
#define PC_COM1_FIRST        0x3f8u    /* COM1: the kernel's and the VMM's console */
#define PC_COM1_LAST         0x3ffu
#define PC_ELCR_FIRST        0x4d0u    /* PIC edge/level control */
#define PC_ELCR_LAST         0x4d1u
#define PC_PCI_CONF_FIRST    0xcf8u    /* PCI configuration mechanism #1: reaches bus mastering */
#define PC_PCI_CONF_LAST     0xcffu

#define PC_IRQ_LINES         24u       /* IOAPIC input lines (docs/api.md, pc99) */
#define PC_IRQ_TIMER         0u        /* the PIT's line: the kernel's tick */
#define PC_IRQ_CASCADE       2u        /* the PIC cascade; the PIT on an IOAPIC */
#define PC_IRQ_COM1          4u        /* the VMM's console */
#define PC_ISA_LINES         16u       /* IOAPIC pins 0-15: ISA, edge-triggered, active high;
                                          16-23: PCI, level-triggered, active low (ACPI MADT
                                          defaults; the Intel MultiProcessor Spec., 5.3) */

#endif
