/*
 * 8259A PIC pair (remapped to vectors 0x20-0x2F, every line masked until a
 * handler needs it) and the 8254 PIT in rate-generator mode as the tick.
 */
#include <arch/pic.h>
#include <arch/traps.h>
#include <arch/machine.h>

#define ICW1_INIT_ICW4  0x11
#define ICW4_8086       0x01
#define OCW2_EOI        0x20
#define OCW3_READ_ISR   0x0b
#define PIT_FREQ_HZ     1193182u
#define PIT_MODE2_LOHI  0x34

static uint16_t pic_mask_bits = 0xffff;

static void pic_write_masks(void)
{
    outb(PIC1_DATA, pic_mask_bits & 0xff);
    outb(PIC2_DATA, pic_mask_bits >> 8);
}

void pic_init(void)
{
    outb(PIC1_CMD, ICW1_INIT_ICW4);
    outb(PIC2_CMD, ICW1_INIT_ICW4);
    outb(PIC1_DATA, IRQ_VECTOR_BASE);
    outb(PIC2_DATA, IRQ_VECTOR_BASE + 8);
    outb(PIC1_DATA, 1u << PIC_CASCADE_IRQ);
    outb(PIC2_DATA, PIC_CASCADE_IRQ);
    outb(PIC1_DATA, ICW4_8086);
    outb(PIC2_DATA, ICW4_8086);
    pic_mask_bits = 0xffff & ~(1u << PIC_CASCADE_IRQ);
    pic_write_masks();
}

/* pc99 with the IOAPIC: the 8259 pair is set up (so a stray interrupt
 * would at least arrive on a known vector) and then masked for good. */
void pic_disable(void)
{
    pic_init();
    pic_mask_bits = 0xffff;
    pic_write_masks();
}

void pic_mask(word_t irq, bool masked)
{
    if (irq >= NUM_PIC_IRQS)
        return;
    if (masked)
        pic_mask_bits |= (uint16_t)(1u << irq);
    else
        pic_mask_bits &= (uint16_t)~(1u << irq);
    pic_write_masks();
}

void pic_eoi(word_t irq)
{
    if (irq >= 8)
        outb(PIC2_CMD, OCW2_EOI);
    outb(PIC1_CMD, OCW2_EOI);
}

/* IRQ 7 and 15 arrive spuriously when a line drops before the CPU takes it:
 * the in-service register then lacks the bit and no EOI is owed (except to
 * the master for a spurious slave interrupt). */
bool pic_is_spurious(word_t irq)
{
    if (irq != 7 && irq != 15)
        return false;
    uint16_t cmd = irq == 7 ? PIC1_CMD : PIC2_CMD;
    outb(cmd, OCW3_READ_ISR);
    if (inb(cmd) & 0x80)
        return false;
    if (irq == 15)
        outb(PIC1_CMD, OCW2_EOI);
    return true;
}

void pit_init(word_t hz)
{
    word_t div = PIT_FREQ_HZ / hz;
    outb(PIT_CMD, PIT_MODE2_LOHI);
    outb(PIT_CH0, div & 0xff);
    outb(PIT_CH0, (div >> 8) & 0xff);
}
