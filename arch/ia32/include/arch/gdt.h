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

#ifndef __ASSEMBLER__
#include <kernel/types.h>
void gdt_init(void);
/* Point the user fs/gs segments at new bases and reload %fs/%gs. */
void gdt_set_user_bases(word_t fs_base, word_t gs_base);
/* Where the CPU saves the next user context on an interrupt from ring 3. */
void tss_set_esp0(word_t esp0);
#endif

#endif
