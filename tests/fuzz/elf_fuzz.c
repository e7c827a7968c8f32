/* fuzz-sources: lib/elf.c */
/*
 * Fuzzing elf_parse(), which reads the root task's ELF image straight from
 * a boot module nobody checked before.
 *
 * The input is the module. libFuzzer hands it over in a buffer of exactly
 * its size, so AddressSanitizer reports any read past the end. Every image
 * elf_parse() accepts must satisfy what lib/include/lib/elf.h
 * promises and what kernel/boot.c's loader relies on:
 *  - 1..ELF_MAX_SEGMENTS segments, each with file_size <= mem_size, its
 *    file bytes inside the buffer, and its memory inside [page 1, user_top)
 *    without wrapping, also after rounding its end up to a page;
 *  - segments pairwise disjoint in memory;
 *  - lowest/highest the page-rounded span of exactly those segments;
 *  - the entry point inside [lowest, highest).
 * It is also parsed against a smaller user_top: whatever fits there fits
 * under USER_TOP too, with the same result.
 */
#include <string.h>

#include <lib/elf.h>
#include <abi/objtype.h>

#include "fuzz_support.h"

#define PAGE            ((uint64_t)1 << ELF_PAGE_BITS)
#define SMALL_USER_TOP  0x10000000u

static uint64_t round_down(uint64_t x) { return x & ~(PAGE - 1); }
static uint64_t round_up(uint64_t x) { return (x + PAGE - 1) & ~(PAGE - 1); }

static void check_segment(const elf_segment_t *s, size_t len, uint32_t user_top)
{
    FUZZ_CHECK(s->mem_size > 0);
    FUZZ_CHECK(s->file_size <= s->mem_size);
    FUZZ_CHECK((uint64_t)s->file_offset + s->file_size <= len);
    FUZZ_CHECK(s->vaddr >= PAGE);
    FUZZ_CHECK((uint64_t)s->vaddr + s->mem_size <= user_top);
    FUZZ_CHECK(round_up((uint64_t)s->vaddr + s->mem_size) <= user_top);
}

static void check_image(const elf_image_t *img, size_t len, uint32_t user_top)
{
    uint64_t lo = UINT64_MAX, hi = 0;

    FUZZ_CHECK(img->n_segments >= 1 && img->n_segments <= ELF_MAX_SEGMENTS);
    for (uint32_t i = 0; i < img->n_segments; i++) {
        const elf_segment_t *s = &img->seg[i];
        check_segment(s, len, user_top);
        for (uint32_t j = 0; j < i; j++) {
            const elf_segment_t *t = &img->seg[j];
            FUZZ_CHECK((uint64_t)s->vaddr + s->mem_size <= t->vaddr ||
                       (uint64_t)t->vaddr + t->mem_size <= s->vaddr);
        }
        if (round_down(s->vaddr) < lo)
            lo = round_down(s->vaddr);
        if (round_up((uint64_t)s->vaddr + s->mem_size) > hi)
            hi = round_up((uint64_t)s->vaddr + s->mem_size);
    }
    FUZZ_CHECK(img->lowest == lo);
    FUZZ_CHECK(img->highest == hi);
    FUZZ_CHECK(img->entry >= img->lowest && img->entry < img->highest);
}

/* What the kernel's loader does with an accepted image: touch every byte
 * of file data it copies (an over-read here is an ASan report). */
static uint8_t touch_file_data(const elf_image_t *img, const uint8_t *buf)
{
    uint8_t sum = 0;

    for (uint32_t i = 0; i < img->n_segments; i++)
        for (uint32_t k = 0; k < img->seg[i].file_size; k++)
            sum += buf[img->seg[i].file_offset + k];
    return sum;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    elf_image_t big, small;
    volatile uint8_t sink;

    if (size > UINT32_MAX)
        return 0;
    const char *err_big = elf_parse(data, (uint32_t)size, USER_TOP, &big);
    const char *err_small = elf_parse(data, (uint32_t)size, SMALL_USER_TOP, &small);
    if (err_big == NULL) {
        check_image(&big, size, USER_TOP);
        sink = touch_file_data(&big, data);
        (void)sink;
    } else {
        FUZZ_CHECK(err_big[0] != '\0');
    }
    if (err_small == NULL) {
        check_image(&small, size, SMALL_USER_TOP);
        FUZZ_CHECK(err_big == NULL);
        FUZZ_CHECK(memcmp(&big, &small, sizeof(big)) == 0);
    } else {
        FUZZ_CHECK(err_small[0] != '\0');
    }
    return 0;
}
