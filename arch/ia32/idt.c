/*
 * The interrupt descriptor table: one interrupt gate per vector, all
 * pointing at the stubs in entry.S. Interrupt gates clear IF, so the kernel
 * always runs with interrupts off. Gates that user code may invoke with
 * `int n` have DPL 3: the breakpoint, seL4's trap range 0x9E-0xFE and our
 * Linux vector 0x80; any other `int n` from user level raises #GP.
 */
#include <arch/traps.h>
#include <arch/gdt.h>
#include <kernel/types.h>

typedef struct idt_gate {
    uint16_t off_low;
    uint16_t selector;
    uint8_t zero;
    uint8_t type_attr;
    uint16_t off_high;
} __attribute__((packed)) idt_gate_t;

#define GATE_INTR_DPL0 0x8e
#define GATE_INTR_DPL3 0xee

extern const uint32_t ia32_trap_stub_table[NUM_VECTORS];
static idt_gate_t idt[NUM_VECTORS] __attribute__((aligned(8)));

static bool user_callable(word_t v)
{
    return v == VEC_BP || v == VEC_LINUX || (v >= VEC_TRAP_MIN && v <= VEC_TRAP_MAX);
}

void idt_init(void)
{
    for (word_t v = 0; v < NUM_VECTORS; v++) {
        uint32_t off = ia32_trap_stub_table[v];
        idt[v] = (idt_gate_t){ off & 0xffff, SEL_CS_0, 0,
                               user_callable(v) ? GATE_INTR_DPL3 : GATE_INTR_DPL0, off >> 16 };
    }
    struct { uint16_t limit; uint32_t base; } __attribute__((packed)) idtr = {
        sizeof(idt) - 1, (uint32_t)(uintptr_t)idt };
    __asm__ volatile("lidt %0" : : "m"(idtr));
}
