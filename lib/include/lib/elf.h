/*
 * ELF32 images: validation and loading plan. Pure code over a byte buffer
 * (lib/README): the kernel checks the root task's image with it, the VMM
 * its guest kernels', the guest kernel the programs it starts, and the
 * host unit tests and the fuzzer link the same source.
 */
#ifndef LIB_ELF_H
#define LIB_ELF_H

#include <stdint.h>

#define ELF_MAX_SEGMENTS 16
/* Segments are planned in whole pages: ia32's 4 KiB page (Intel SDM
 * Vol. 3A, 4.3). Nothing below page 1 is loadable. */
#define ELF_PAGE_BITS   12u

typedef struct elf_segment {
    uint32_t vaddr;             /* user virtual address */
    uint32_t file_offset;
    uint32_t file_size;
    uint32_t mem_size;
} elf_segment_t;

typedef struct elf_image {
    uint32_t entry;
    uint32_t lowest, highest;   /* page-rounded span of all loadable segments */
    uint32_t n_segments;
    elf_segment_t seg[ELF_MAX_SEGMENTS];
} elf_image_t;

/* Check that buf[0..len) is a loadable static i386 executable whose
 * segments lie in [page 1, user_top). Returns NULL on success or a message
 * naming what is wrong. */
const char *elf_parse(const uint8_t *buf, uint32_t len, uint32_t user_top, elf_image_t *out);

#endif
