/*
 * IOAPICs route interrupt pins to local APIC vectors. The kernel resets
 * every redirection entry at boot (masked, vector 0, delivered to this
 * CPU); a pin only comes alive when user level asks IRQControl GetIOAPIC
 * to route it to a vector it was issued (irq_x86.c), and it is masked
 * again on every delivery until the handler acknowledges. Masking at the
 * IOAPIC rather than only withholding EOI matters for level-triggered
 * lines: the kernel's EOI lets the IOAPIC re-send a still-asserted line,
 * and the mask keeps it from storming before the driver has quietened the
 * device.
 *
 * IOAPIC i is mapped at KDEV_IOAPIC(i) by pc99.c; its registers are reached
 * through the select/window pair, so each access is two MMIO operations.
 */
#include <arch/ioapic.h>
#include <arch/memlayout.h>
#include <kernel/debug.h>
#include <kernel/state.h>

static volatile uint32_t *ioapic_reg(word_t ioapic, word_t offset)
{
    return (volatile uint32_t *)(uintptr_t)(KDEV_IOAPIC(ioapic) + offset);
}

static uint32_t ioapic_read(word_t ioapic, word_t reg)
{
    *ioapic_reg(ioapic, IOAPIC_IOREGSEL) = reg;
    return *ioapic_reg(ioapic, IOAPIC_IOWIN);
}

static void ioapic_write(word_t ioapic, word_t reg, uint32_t v)
{
    *ioapic_reg(ioapic, IOAPIC_IOREGSEL) = reg;
    *ioapic_reg(ioapic, IOAPIC_IOWIN) = v;
}

static word_t rte_low(word_t pin) { return IOAPIC_REG_REDTBL + 2 * pin; }
static word_t rte_high(word_t pin) { return rte_low(pin) + 1; }

word_t ioapic_init(const acpi_madt_t *madt, word_t dest_apic_id)
{
    word_t n = madt->n_ioapics < MAX_NUM_IOAPIC ? madt->n_ioapics : MAX_NUM_IOAPIC;
    for (word_t i = 0; i < n; i++) {
        word_t pins = ((ioapic_read(i, IOAPIC_REG_VER) >> IOAPIC_VER_MAXREDIR_SHIFT) &
                       IOAPIC_VER_MAXREDIR_MASK) + 1;
        if (pins < IOAPIC_PINS)
            panic("pc99: IOAPIC %u has %u pins; seL4's pc99 numbering needs %u", i, pins, IOAPIC_PINS);
        for (word_t pin = 0; pin < pins; pin++) {
            ioapic_write(i, rte_high(pin), dest_apic_id << IOAPIC_RTE_DEST_SHIFT);
            ioapic_write(i, rte_low(pin), IOAPIC_RTE_MASKED);
        }
        printk("pc99: IOAPIC %u (id %u) at %x: %u pins, GSI base %u\n", i, madt->ioapics[i].id,
               madt->ioapics[i].paddr, pins, madt->ioapics[i].gsi_base);
    }
    if (madt->n_ioapics > n)
        printk("pc99: %u more IOAPICs ignored (at most %u supported, as seL4's default)\n",
               madt->n_ioapics - n, MAX_NUM_IOAPIC);
    ks_num_ioapics = n;
    return n;
}

void ioapic_map_pin(word_t ioapic, word_t pin, bool level, bool active_low, word_t vector)
{
    uint32_t low = IOAPIC_RTE_MASKED | (vector & IOAPIC_RTE_VECTOR_MASK);
    if (level)
        low |= IOAPIC_RTE_LEVEL;
    if (active_low)
        low |= IOAPIC_RTE_POLARITY_LOW;
    ioapic_write(ioapic, rte_low(pin), low);
}

void ioapic_mask(word_t ioapic, word_t pin, bool masked)
{
    if (ioapic >= ks_num_ioapics || pin >= IOAPIC_PINS)
        return;
    uint32_t low = ioapic_read(ioapic, rte_low(pin));
    /* Never unmask a pin that was not given a vector (vector 0 is #DE). */
    assert(masked || (low & IOAPIC_RTE_VECTOR_MASK) != 0);
    low = masked ? low | IOAPIC_RTE_MASKED : low & ~IOAPIC_RTE_MASKED;
    ioapic_write(ioapic, rte_low(pin), low);
}
