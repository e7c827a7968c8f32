/*
 * Segments (seL4 ia32 layout, see docs/abi/sel4-ia32-facts.md section 2).
 * All code and data segments are flat; the kernel runs with the user data
 * selector in DS/ES so it never reloads them. Entries 6 and 7 are user data
 * segments whose bases are the running thread's fs_base and gs_base (TLS).
 */
#ifndef ARCH_GDT_H
#define ARCH_GDT_H

#define GDT_NULL    0
#define GDT_CS_0    1
#define GDT_DS_0    2
#define GDT_CS_3    3
#define GDT_DS_3    4
#define GDT_TSS     5
#define GDT_FS      6
#define GDT_GS      7
#define GDT_ENTRIES 8

#define SEL_CS_0    (GDT_CS_0 << 3)
#define SEL_DS_0    (GDT_DS_0 << 3)
#define SEL_CS_3    ((GDT_CS_3 << 3) | 3)
#define SEL_DS_3    ((GDT_DS_3 << 3) | 3)
#define SEL_TSS     (GDT_TSS << 3)
#define SEL_FS      ((GDT_FS << 3) | 3)
#define SEL_GS      ((GDT_GS << 3) | 3)

/* Offset of esp0 in the TSS (SDM 7.2.1); the sysenter stub reads it. */
#define TSS_ESP0_OFFSET 4

#ifndef __ASSEMBLER__
#include <kernel/types.h>

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
_Static_assert(__builtin_offsetof(tss_t, esp0) == TSS_ESP0_OFFSET, "TSS esp0");

/* Visible only so that the thread switch below can be inlined into the
 * fastpath; everything else goes through these functions. */
extern gdt_entry_t ia32_gdt[GDT_ENTRIES];
extern tss_t ia32_tss;
extern word_t ia32_fs_base, ia32_gs_base;     /* bases in GDT entries 6 and 7 */

void gdt_init(void);

static inline __attribute__((always_inline)) void gdt_set_base(gdt_entry_t *e, word_t base)
{
    e->base_low = (uint16_t)base;
    base >>= 16;
    e->base_mid = (uint8_t)base;
    e->base_high = (uint8_t)(base >> 8);
}

/* Point the user fs/gs segments at new bases and reload %fs/%gs (only
 * what changed: a segment load refreshes the hidden base). */
static inline __attribute__((always_inline)) void gdt_set_user_bases(word_t fs_base, word_t gs_base)
{
    if (unlikely(fs_base != ia32_fs_base)) {
        gdt_set_base(&ia32_gdt[GDT_FS], fs_base);
        ia32_fs_base = fs_base;
        __asm__ volatile("movl %0, %%fs" : : "r"((word_t)SEL_FS) : "memory");
    }
    if (gs_base != ia32_gs_base) {
        gdt_set_base(&ia32_gdt[GDT_GS], gs_base);
        ia32_gs_base = gs_base;
        __asm__ volatile("movl %0, %%gs" : : "r"((word_t)SEL_GS) : "memory");
    }
}

/* Where the CPU (and the sysenter stub) saves the next user context. */
static inline __attribute__((always_inline)) void tss_set_esp0(word_t esp0)
{
    ia32_tss.esp0 = esp0;
}
#endif

#endif
