/*
 * The legacy 8259 PIC pair and the 8254 PIT. The PIC delivers IRQ n on
 * vector IRQ_VECTOR_BASE + n; the PIT on IRQ 0 is the kernel's timer
 * (CONFIG_TIMER_TICK_MS = 2 ms) until the local APIC timer replaces it.
 */
#ifndef ARCH_PIC_H
#define ARCH_PIC_H

#include <kernel/types.h>

#define PIC1_CMD    0x20
#define PIC1_DATA   0x21
#define PIC2_CMD    0xa0
#define PIC2_DATA   0xa1
#define PIT_CH0     0x40
#define PIT_CMD     0x43
#define PIT_LAST    0x43
#define DEBUG_EXIT_PORT 0xf4
#define NUM_PIC_IRQS 16
#define PIC_CASCADE_IRQ 2
#define TIMER_IRQ   0

void pic_init(void);
void pic_disable(void);
void pic_mask(word_t irq, bool masked);
void pic_eoi(word_t irq);
bool pic_is_spurious(word_t irq);
void pit_init(word_t hz);

#endif
