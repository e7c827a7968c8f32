/*
 * ELF32 images of boot modules: validation and loading plan. Pure logic
 * over a byte buffer, so it is unit-tested and fuzzed on the host.
 */
#ifndef LIB_ELF_H
#define LIB_ELF_H

#include <kernel/types.h>

#define ELF_MAX_SEGMENTS 16

typedef struct elf_segment {
    vaddr_t vaddr;
    word_t file_offset;
    word_t file_size;
    word_t mem_size;
} elf_segment_t;

typedef struct elf_image {
    vaddr_t entry;
    vaddr_t lowest, highest;    /* page-rounded span of all loadable segments */
    word_t n_segments;
    elf_segment_t seg[ELF_MAX_SEGMENTS];
} elf_image_t;

/* Check that buf[0..len) is a loadable static i386 executable whose
 * segments lie in [page 1, user_top). Returns NULL on success or a message
 * naming what is wrong. */
const char *elf_parse(const uint8_t *buf, word_t len, vaddr_t user_top, elf_image_t *out);

#endif
