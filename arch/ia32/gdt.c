/*
 * The global descriptor table and the task-state segment.
 *
 * Flat code and data segments for ring 0 and ring 3 (the layout seL4 ia32
 * programs assume: user code 0x1B, data 0x23), one TSS whose only job is to
 * tell the CPU where to save a user context on an interrupt (esp0), and two
 * user data segments whose bases are the running thread's fs_base and
 * gs_base: that is how thread-local storage works on ia32.
 */
#include <arch/gdt.h>
#include <arch/machine.h>
#include <kernel/debug.h>

typedef struct gdt_entry {
    uint16_t limit_low;
    uint16_t base_low;
    uint8_t base_mid;
    uint8_t access;
    uint8_t flags_limit_high;
    uint8_t base_high;
} __attribute__((packed)) gdt_entry_t;
_Static_assert(sizeof(gdt_entry_t) == 8, "GDT entry");

typedef struct tss {
    uint32_t link, esp0, ss0, esp1, ss1, esp2, ss2, cr3, eip, eflags;
    uint32_t eax, ecx, edx, ebx, esp, ebp, esi, edi;
    uint32_t es, cs, ss, ds, fs, gs, ldt;
    uint16_t trap, iomap_base;
} __attribute__((packed)) tss_t;
_Static_assert(sizeof(tss_t) == 104, "TSS");

/* Access bytes (SDM 3.4.5): present, DPL, code/data, type. */
#define ACC_KCODE   0x9a
#define ACC_KDATA   0x92
#define ACC_UCODE   0xfa
#define ACC_UDATA   0xf2
#define ACC_TSS     0x89
#define FLAGS_4K_32 0xc0    /* granularity 4 KiB, 32-bit */
#define LIMIT_4G    0xfffff

static gdt_entry_t gdt[GDT_ENTRIES] __attribute__((aligned(8)));
static tss_t tss __attribute__((aligned(128)));
static word_t cur_fs_base, cur_gs_base;

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
    gdt[GDT_NULL] = (gdt_entry_t){ 0 };
    gdt[GDT_CS_0] = gdt_make(0, LIMIT_4G, ACC_KCODE, FLAGS_4K_32);
    gdt[GDT_DS_0] = gdt_make(0, LIMIT_4G, ACC_KDATA, FLAGS_4K_32);
    gdt[GDT_CS_3] = gdt_make(0, LIMIT_4G, ACC_UCODE, FLAGS_4K_32);
    gdt[GDT_DS_3] = gdt_make(0, LIMIT_4G, ACC_UDATA, FLAGS_4K_32);
    gdt[GDT_TSS] = gdt_make((word_t)(uintptr_t)&tss, sizeof(tss) - 1, ACC_TSS, 0);
    gdt[GDT_FS] = gdt_make(0, LIMIT_4G, ACC_UDATA, FLAGS_4K_32);
    gdt[GDT_GS] = gdt_make(0, LIMIT_4G, ACC_UDATA, FLAGS_4K_32);

    tss.ss0 = SEL_DS_0;
    tss.iomap_base = sizeof(tss);       /* no I/O bitmap: user port access faults */

    struct { uint16_t limit; uint32_t base; } __attribute__((packed)) gdtr = {
        sizeof(gdt) - 1, (uint32_t)(uintptr_t)gdt };
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
        : : "m"(gdtr), "i"(SEL_CS_0), "i"(SEL_DS_3), "i"(SEL_DS_0), "i"(SEL_FS), "i"(SEL_GS),
            "i"(SEL_TSS) : "eax", "memory");
}

static void set_base(gdt_entry_t *e, word_t base)
{
    e->base_low = base & 0xffff;
    e->base_mid = (base >> 16) & 0xff;
    e->base_high = (base >> 24) & 0xff;
}

void gdt_set_user_bases(word_t fs_base, word_t gs_base)
{
    if (fs_base != cur_fs_base) {
        set_base(&gdt[GDT_FS], fs_base);
        cur_fs_base = fs_base;
        __asm__ volatile("movl %0, %%fs" : : "r"((word_t)SEL_FS));
    }
    if (gs_base != cur_gs_base) {
        set_base(&gdt[GDT_GS], gs_base);
        cur_gs_base = gs_base;
        __asm__ volatile("movl %0, %%gs" : : "r"((word_t)SEL_GS));
    }
}

void tss_set_esp0(word_t esp0)
{
    tss.esp0 = esp0;
}
