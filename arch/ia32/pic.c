/*
 * The legacy 8259A PIC pair. On pc99 the IOAPIC delivers device interrupts
 * and the local APIC timer is the kernel's tick (pc99.c), so the PICs are
 * only reprogrammed to vectors 0x20-0x2F (a spurious PIC interrupt then
 * lands on a vector the kernel recognises instead of on an exception) and
 * masked for good.
 */
#include <arch/pic.h>
#include <arch/traps.h>
#include <arch/machine.h>

#define ICW1_INIT_ICW4  0x11
#define ICW4_8086       0x01
#define MASK_ALL        0xff

void pic_disable(void)
{
    outb(PIC1_CMD, ICW1_INIT_ICW4);
    outb(PIC2_CMD, ICW1_INIT_ICW4);
    outb(PIC1_DATA, IRQ_VECTOR_BASE);
    outb(PIC2_DATA, IRQ_VECTOR_BASE + 8);
    outb(PIC1_DATA, 1u << PIC_CASCADE_IRQ);
    outb(PIC2_DATA, PIC_CASCADE_IRQ);
    outb(PIC1_DATA, ICW4_8086);
    outb(PIC2_DATA, ICW4_8086);
    outb(PIC1_DATA, MASK_ALL);
    outb(PIC2_DATA, MASK_ALL);
}
