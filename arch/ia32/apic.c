/*
 * The local APIC and its timer. Every interrupt the CPU takes in the pc99
 * configuration comes through the local APIC: it holds each delivered
 * vector "in service" until the kernel writes EOI, and it has its own
 * countdown timer, which the kernel runs in periodic mode as its tick.
 *
 * The timer counts at the bus (or crystal) clock, whose rate no register
 * tells, so the kernel measures it at boot as seL4 does: let the PIT, whose
 * input clock is the fixed 1.193182 MHz, run a 50 ms period; start the APIC
 * timer (and read the TSC) at one wraparound of the PIT's counter and read
 * both again at the next. The same window gives the TSC frequency that the
 * root task receives in extra-bootinfo chunk 5.
 *
 * The PIT is only a reference clock here: its interrupt is never enabled
 * (the 8259 is masked and its IOAPIC pin stays masked until a user-level
 * driver asks for it).
 */
#include <arch/apic.h>
#include <arch/machine.h>
#include <arch/memlayout.h>
#include <kernel/debug.h>

/* 8254 PIT (Intel 8254 datasheet; the PC wires channel 0 to IRQ 0). */
#define PIT_PORT_CH0        0x40u
#define PIT_PORT_CMD        0x43u
#define PIT_INPUT_HZ        1193182u
#define PIT_CMD_CH0_LOHI_MODE2  0x34u   /* channel 0, lobyte/hibyte, rate generator */
#define PIT_CMD_CH0_LATCH   0x00u       /* counter latch command, channel 0 */
#define PIT_BYTE_SHIFT      8u
#define PIT_BYTE_MASK       0xffu
#define PIT_WRAPAROUND_MS   50u         /* seL4's PIT_WRAPAROUND_MS */
#define MS_PER_S            1000u
#define KHZ_PER_MHZ         1000u
#define APIC_REG_WORD_BITS  32u

static inline uint32_t apic_read(word_t reg)
{
    return *(volatile uint32_t *)(uintptr_t)(KDEV_LAPIC + reg);
}

static inline void apic_write(word_t reg, uint32_t v)
{
    *(volatile uint32_t *)(uintptr_t)(KDEV_LAPIC + reg) = v;
}

paddr_t apic_probe(paddr_t madt_paddr)
{
    word_t a, b, c, d;
    cpuid(CPUID_LEAF_FEATURES, 0, &a, &b, &c, &d);
    if (!(d & CPUID_EDX_APIC))
        panic("pc99: this CPU has no local APIC (CPUID.1:EDX bit 9 clear)");
    uint64_t msr = rdmsr(MSR_IA32_APIC_BASE);
    paddr_t base = (paddr_t)msr & APIC_BASE_MSR_ADDR_MASK;
    if (!(msr & APIC_BASE_MSR_ENABLE)) {
        printk("pc99: local APIC globally disabled by firmware; enabling it\n");
        wrmsr(MSR_IA32_APIC_BASE, msr | APIC_BASE_MSR_ENABLE);
    }
    if (madt_paddr && madt_paddr != base)
        panic("pc99: local APIC at %x by the MSR but %x by the MADT", base, madt_paddr);
    return base;
}

/* The version check runs after the page is mapped (pc99.c maps it). */
static void apic_check_version(void)
{
    uint32_t ver = apic_read(APIC_REG_VERSION);
    if ((ver & APIC_VERSION_MASK) >> APIC_VERSION_KIND_SHIFT !=
        APIC_VERSION_INTEGRATED >> APIC_VERSION_KIND_SHIFT)
        panic("pc99: local APIC version %x is not an integrated (0x1X) APIC", ver & APIC_VERSION_MASK);
    word_t lvts = ((ver >> APIC_MAXLVT_SHIFT) & APIC_MAXLVT_MASK) + 1;
    if (lvts < APIC_MIN_LVT_ENTRIES)
        panic("pc99: local APIC has %u LVT entries, at least %u needed", lvts, APIC_MIN_LVT_ENTRIES);
}

static uint16_t pit_read(void)
{
    outb(PIT_PORT_CMD, PIT_CMD_CH0_LATCH);
    uint16_t lo = inb(PIT_PORT_CH0);
    uint16_t hi = inb(PIT_PORT_CH0);
    return (uint16_t)(lo | (hi << PIT_BYTE_SHIFT));
}

/* The counter runs down from the reload value; it wrapped when a read is
 * above the one before. */
static void pit_wait_wraparound(void)
{
    uint16_t prev = pit_read();
    for (;;) {
        uint16_t cur = pit_read();
        if (cur > prev)
            return;
        prev = cur;
    }
}

void apic_calibrate(word_t *apic_khz, word_t *tsc_mhz)
{
    apic_check_version();
    word_t reload = PIT_INPUT_HZ * PIT_WRAPAROUND_MS / MS_PER_S;
    outb(PIT_PORT_CMD, PIT_CMD_CH0_LOHI_MODE2);
    outb(PIT_PORT_CH0, reload & PIT_BYTE_MASK);
    outb(PIT_PORT_CH0, (reload >> PIT_BYTE_SHIFT) & PIT_BYTE_MASK);

    pit_wait_wraparound();
    apic_write(APIC_REG_LVT_TIMER, APIC_LVT_MASKED);
    apic_write(APIC_REG_TIMER_DIV, APIC_TIMER_DIV_BY_1);
    apic_write(APIC_REG_TIMER_INIT, APIC_TIMER_MAX_COUNT);
    uint64_t tsc0 = rdtsc();
    pit_wait_wraparound();
    uint32_t left = apic_read(APIC_REG_TIMER_CUR);
    uint64_t tsc1 = rdtsc();

    *apic_khz = (APIC_TIMER_MAX_COUNT - left) / PIT_WRAPAROUND_MS;
    *tsc_mhz = (word_t)((tsc1 - tsc0) / PIT_WRAPAROUND_MS / KHZ_PER_MHZ);
    if (*apic_khz == 0)
        panic("pc99: the local APIC timer did not count against the PIT");
}

void apic_init(word_t apic_khz, word_t tick_ms, word_t timer_vector, word_t spurious_vector)
{
    apic_write(APIC_REG_SVR, APIC_SVR_ENABLE | spurious_vector);
    apic_write(APIC_REG_TPR, 0);
    /* LINT0 would bring 8259 interrupts in as ExtINT; LINT1 is NMI. */
    apic_write(APIC_REG_LVT_LINT0, APIC_LVT_MASKED | (APIC_DELIVERY_EXTINT << APIC_LVT_DELIVERY_SHIFT));
    apic_write(APIC_REG_LVT_LINT1, APIC_LVT_MASKED | (APIC_DELIVERY_NMI << APIC_LVT_DELIVERY_SHIFT));
    apic_write(APIC_REG_LVT_ERROR, APIC_LVT_MASKED);
    apic_write(APIC_REG_TIMER_DIV, APIC_TIMER_DIV_BY_1);
    apic_write(APIC_REG_LVT_TIMER, APIC_LVT_TIMER_PERIODIC | timer_vector);
    apic_write(APIC_REG_TIMER_INIT, apic_khz * tick_ms);
}

word_t apic_id(void)
{
    return apic_read(APIC_REG_ID) >> APIC_ID_SHIFT;
}

void apic_eoi(void)
{
    apic_write(APIC_REG_EOI, 0);
}

static uint32_t apic_vec_word(word_t base, word_t v)
{
    return apic_read(base + (v >> APIC_VEC_WORD_SHIFT) * APIC_VEC_WORD_STRIDE);
}

/* One IRR/ISR word per 32 vectors: bits of the word's vectors in [lo, hi]. */
static uint32_t vec_range_mask(word_t w, word_t lo, word_t hi)
{
    word_t first = w << APIC_VEC_WORD_SHIFT, last = first + APIC_REG_WORD_BITS - 1;
    word_t from = lo > first ? lo - first : 0;
    word_t to = hi < last ? hi - first : APIC_REG_WORD_BITS - 1;
    return (uint32_t)(MASK(to + 1) & ~MASK(from));
}

bool apic_irq_pending(word_t lo, word_t hi)
{
    for (word_t w = lo >> APIC_VEC_WORD_SHIFT; w <= hi >> APIC_VEC_WORD_SHIFT; w++)
        if (apic_vec_word(APIC_REG_IRR_BASE, w << APIC_VEC_WORD_SHIFT) & vec_range_mask(w, lo, hi))
            return true;
    return false;
}

bool apic_in_service(word_t v)
{
    return (apic_vec_word(APIC_REG_ISR_BASE, v) & BIT(v % APIC_REG_WORD_BITS)) != 0;
}
