/*
 * The local APIC (Intel SDM Vol. 3A, chapter 10): the interrupt controller
 * inside the CPU. Every interrupt, from an IOAPIC pin, a PCI device's MSI
 * write or the APIC's own timer, arrives here as a vector; the kernel ends
 * each one by writing the EOI register. Its registers are 32-bit MMIO words
 * at 16-byte strides in a 4 KiB page whose physical address is in the
 * IA32_APIC_BASE MSR; the kernel maps that page at KDEV_LAPIC.
 */
#ifndef ARCH_APIC_H
#define ARCH_APIC_H

#include <kernel/types.h>

/* IA32_APIC_BASE MSR (SDM 10.4.4, figure 10-5). */
#define MSR_IA32_APIC_BASE      0x1bu
#define APIC_BASE_MSR_ENABLE    BIT(11)             /* xAPIC global enable */
#define APIC_BASE_MSR_ADDR_MASK 0xfffff000u
/* CPUID.01H:EDX.APIC[bit 9]: an on-chip local APIC exists (SDM 10.4.2). */
#define CPUID_LEAF_FEATURES     1u
#define CPUID_EDX_APIC          BIT(9)

/* Register offsets (SDM 10.4.1, table 10-1). */
#define APIC_REG_ID             0x020u
#define APIC_REG_VERSION        0x030u
#define APIC_REG_TPR            0x080u      /* task priority */
#define APIC_REG_EOI            0x0b0u
#define APIC_REG_SVR            0x0f0u      /* spurious-interrupt vector */
#define APIC_REG_ISR_BASE       0x100u      /* in-service, 8 words of 32 vectors */
#define APIC_REG_IRR_BASE       0x200u      /* interrupt request, 8 words */
#define APIC_REG_ESR            0x280u      /* error status */
#define APIC_REG_LVT_TIMER      0x320u
#define APIC_REG_LVT_LINT0      0x350u
#define APIC_REG_LVT_LINT1      0x360u
#define APIC_REG_LVT_ERROR      0x370u
#define APIC_REG_TIMER_INIT     0x380u      /* initial count */
#define APIC_REG_TIMER_CUR      0x390u      /* current count */
#define APIC_REG_TIMER_DIV      0x3e0u      /* divide configuration */
#define APIC_ID_SHIFT           24u         /* xAPIC id in bits 31:24 (SDM 10.4.6) */
/* ISR/IRR: vector v is bit v%32 of the word at base + (v/32) * 16. */
#define APIC_VEC_WORD_SHIFT     5u
#define APIC_VEC_WORD_STRIDE    0x10u

/* Version register (SDM 10.4.8): version bits 7:0 (0x1X = integrated
 * APIC), max LVT entry bits 23:16. */
#define APIC_VERSION_MASK       0xffu
#define APIC_VERSION_INTEGRATED 0x10u
#define APIC_VERSION_KIND_SHIFT 4u
#define APIC_MAXLVT_SHIFT       16u
#define APIC_MAXLVT_MASK        0xffu
#define APIC_MIN_LVT_ENTRIES    3u          /* timer, LINT0, LINT1 at least */

/* SVR (SDM 10.9, figure 10-23): bit 8 software enable, bits 7:0 vector. */
#define APIC_SVR_ENABLE         BIT(8)
/* LVT entries (SDM 10.5.1, figure 10-8). */
#define APIC_LVT_MASKED         BIT(16)
#define APIC_LVT_TIMER_PERIODIC BIT(17)
#define APIC_LVT_DELIVERY_SHIFT 8u
#define APIC_DELIVERY_NMI       4u
#define APIC_DELIVERY_EXTINT    7u
/* Divide configuration (SDM 10.5.4, figure 10-10): 1011b = divide by 1. */
#define APIC_TIMER_DIV_BY_1     0xbu
#define APIC_TIMER_MAX_COUNT    0xffffffffu

/* Find the local APIC (CPUID, the base MSR, which must agree with the
 * MADT's address madt_paddr unless that is 0), map it and check its
 * version. Panics with a message if there is none. Returns its paddr. */
paddr_t apic_probe(paddr_t madt_paddr);
/* Measure the APIC timer (kHz) and TSC (MHz) against the PIT, as seL4
 * does: count between two wraparounds of a 50 ms PIT period. */
void apic_calibrate(word_t *apic_khz, word_t *tsc_mhz);
/* Enable the APIC: spurious vector, LINT0/LINT1 masked (the 8259 is not
 * used), periodic timer every tick_ms on timer_vector. */
void apic_init(word_t apic_khz, word_t tick_ms, word_t timer_vector, word_t spurious_vector);
void apic_eoi(void);
word_t apic_id(void);
/* Is an interrupt with a vector in [lo, hi] requested but not yet taken? */
bool apic_irq_pending(word_t lo, word_t hi);
/* Is vector v being serviced (delivered and not yet EOI'd)? */
bool apic_in_service(word_t v);

#endif
