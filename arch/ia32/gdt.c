/*
 * The global descriptor table and the task-state segment.
 *
 * Flat code and data segments for ring 0 and ring 3 (the layout seL4 ia32
 * programs assume: user code 0x1B, data 0x23), one TSS whose only job is to
 * tell the CPU where to save a user context on an interrupt (esp0), and two
 * user data segments whose bases are the running thread's fs_base and
 * gs_base: that is how thread-local storage works on ia32.
 *
 * No local descriptor table: the LDT register is loaded with the null
 * selector, so a selector with its TI bit set is #GP. Left as the firmware
 * leaves it (after reset: base 0, limit 0xffff, usable; SDM 9.1.1), the
 * CPU would read descriptors from linear 0..0xffff of whatever address
 * space runs, which a user thread can map and fill: a call gate there into
 * the kernel's code segment runs its code in ring 0.
 */
#include <arch/gdt.h>
#include <arch/machine.h>
#include <kernel/debug.h>

/* Access bytes (SDM 3.4.5): present, DPL, code/data, type. */
#define ACC_KCODE   0x9a
#define ACC_KDATA   0x92
#define ACC_UCODE   0xfa
#define ACC_UDATA   0xf2
#define ACC_TSS     0x89
#define FLAGS_4K_32 0xc0    /* granularity 4 KiB, 32-bit */
#define LIMIT_4G    0xfffff

gdt_entry_t ia32_gdt[GDT_ENTRIES] __attribute__((aligned(8)));
tss_t ia32_tss __attribute__((aligned(128)));
word_t ia32_fs_base, ia32_gs_base;

static gdt_entry_t gdt_make(word_t base, word_t limit, uint8_t access, uint8_t flags)
{
    return (gdt_entry_t){
        .limit_low = limit & 0xffff,
        .base_low = base & 0xffff,
        .base_mid = (base >> 16) & 0xff,
        .access = access,
        .flags_limit_high = (uint8_t)(flags | ((limit >> 16) & 0xf)),
        .base_high = (base >> 24) & 0xff,
    };
}

void gdt_init(void)
{
    ia32_gdt[GDT_NULL] = (gdt_entry_t){ 0 };
    ia32_gdt[GDT_CS_0] = gdt_make(0, LIMIT_4G, ACC_KCODE, FLAGS_4K_32);
    ia32_gdt[GDT_DS_0] = gdt_make(0, LIMIT_4G, ACC_KDATA, FLAGS_4K_32);
    ia32_gdt[GDT_CS_3] = gdt_make(0, LIMIT_4G, ACC_UCODE, FLAGS_4K_32);
    ia32_gdt[GDT_DS_3] = gdt_make(0, LIMIT_4G, ACC_UDATA, FLAGS_4K_32);
    ia32_gdt[GDT_TSS] = gdt_make((word_t)(uintptr_t)&ia32_tss, sizeof(ia32_tss) - 1, ACC_TSS, 0);
    ia32_gdt[GDT_FS] = gdt_make(0, LIMIT_4G, ACC_UDATA, FLAGS_4K_32);
    ia32_gdt[GDT_GS] = gdt_make(0, LIMIT_4G, ACC_UDATA, FLAGS_4K_32);

    ia32_tss.ss0 = SEL_DS_0;
    ia32_tss.iomap_base = sizeof(ia32_tss);       /* no I/O bitmap: user port access faults */

    struct { uint16_t limit; uint32_t base; } __attribute__((packed)) gdtr = {
        sizeof(ia32_gdt) - 1, (uint32_t)(uintptr_t)ia32_gdt };
    __asm__ volatile(
        "lgdt %0\n"
        "ljmp %1, $1f\n"
        "1:\n"
        "movl %2, %%eax\n"
        "movl %%eax, %%ds\n"
        "movl %%eax, %%es\n"
        "movl %3, %%eax\n"
        "movl %%eax, %%ss\n"
        "movl %4, %%eax\n"
        "movl %%eax, %%fs\n"
        "movl %5, %%eax\n"
        "movl %%eax, %%gs\n"
        "movl %6, %%eax\n"
        "ltr %%ax\n"
        "xorl %%eax, %%eax\n"
        "lldt %%ax\n"
        : : "m"(gdtr), "i"(SEL_CS_0), "i"(SEL_DS_3), "i"(SEL_DS_0), "i"(SEL_FS), "i"(SEL_GS),
            "i"(SEL_TSS) : "eax", "memory");
}
