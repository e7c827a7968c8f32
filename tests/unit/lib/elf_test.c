/* unit-test-sources: lib/elf.c */
/*
 * elf_parse() on hand-made images: a good one and one broken thing at a
 * time (truncated header, bad magic, wrong class/type/machine, program
 * headers outside the file or absurdly many, overlapping segments,
 * segments outside user memory or wrapping, file size above memory size,
 * data past the end, entry outside the image, too many segments), each
 * with the exact message the boot panic will show.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include <lib/elf.h>
#include <abi/objtype.h>

#define PAGE        4096u
#define EHDR_SIZE   52u
#define PHDR_SIZE   32u
#define MAX_PHDRS   20u
#define IMAGE_MAX   (EHDR_SIZE + MAX_PHDRS * PHDR_SIZE + 4096u)
#define PT_LOAD     1u
#define PT_NOTE     4u

typedef struct phdr {
    uint32_t type, offset, vaddr, paddr, filesz, memsz, flags, align;
} phdr_t;

typedef struct image {
    uint8_t bytes[IMAGE_MAX];
    uint32_t len;
    uint32_t entry;
    phdr_t ph[MAX_PHDRS];
    uint16_t phnum;
} image_t;

static void put16(uint8_t *p, uint16_t v) { memcpy(p, &v, 2); }
static void put32(uint8_t *p, uint32_t v) { memcpy(p, &v, 4); }

/* Lays out header, program headers and 256 bytes of "code" after them. */
static void build(image_t *im)
{
    uint8_t *b = im->bytes;

    memset(b, 0, sizeof(im->bytes));
    memcpy(b, "\x7f" "ELF", 4);
    b[4] = 1;                               /* ELFCLASS32 */
    b[5] = 1;                               /* ELFDATA2LSB */
    b[6] = 1;                               /* EV_CURRENT */
    put16(b + 16, 2);                       /* ET_EXEC */
    put16(b + 18, 3);                       /* EM_386 */
    put32(b + 20, 1);
    put32(b + 24, im->entry);
    put32(b + 28, EHDR_SIZE);               /* phoff */
    put16(b + 40, EHDR_SIZE);
    put16(b + 42, PHDR_SIZE);
    put16(b + 44, im->phnum);
    for (uint32_t i = 0; i < im->phnum && i < MAX_PHDRS; i++)
        memcpy(b + EHDR_SIZE + i * PHDR_SIZE, &im->ph[i], PHDR_SIZE);
    im->len = EHDR_SIZE + (im->phnum < MAX_PHDRS ? im->phnum : MAX_PHDRS) * PHDR_SIZE + 256;
}

/* A good image: text at 0x400000 (file data) and data+bss at 0x401000. */
static void good(image_t *im)
{
    memset(im, 0, sizeof(*im));
    im->entry = 0x400010;
    im->phnum = 2;
    im->ph[0] = (phdr_t){ PT_LOAD, EHDR_SIZE + 2 * PHDR_SIZE, 0x400000, 0x400000, 128, 128, 5, PAGE };
    im->ph[1] = (phdr_t){ PT_LOAD, EHDR_SIZE + 2 * PHDR_SIZE + 128, 0x401000, 0x401000, 64, 3 * PAGE, 6, PAGE };
    build(im);
}

static const char *parse(image_t *im, elf_image_t *out)
{
    return elf_parse(im->bytes, im->len, USER_TOP, out);
}

#define assert_refused(im, msg) \
    do { \
        elf_image_t out_; \
        const char *e_ = parse((im), &out_); \
        assert_non_null(e_); \
        assert_string_equal(e_, (msg)); \
    } while (0)

static void good_image(void **state)
{
    image_t im;
    elf_image_t out;

    (void)state;
    good(&im);
    assert_null(parse(&im, &out));
    assert_int_equal(out.entry, 0x400010);
    assert_int_equal(out.n_segments, 2);
    assert_int_equal(out.lowest, 0x400000);
    assert_int_equal(out.highest, 0x404000);
    assert_int_equal(out.seg[1].vaddr, 0x401000);
    assert_int_equal(out.seg[1].file_offset, EHDR_SIZE + 2 * PHDR_SIZE + 128);
    assert_int_equal(out.seg[1].file_size, 64);
    assert_int_equal(out.seg[1].mem_size, 3 * PAGE);
}

static void truncated_header(void **state)
{
    image_t im;

    (void)state;
    good(&im);
    for (uint32_t len = 0; len < EHDR_SIZE; len += 13) {
        im.len = len;
        assert_refused(&im, "file too short for an ELF header");
    }
}

static void bad_magic(void **state)
{
    image_t im;

    (void)state;
    good(&im);
    memcpy(im.bytes, "#!/b", 4);
    assert_refused(&im, "not an ELF file (bad magic)");
}

static void wrong_kind_of_elf(void **state)
{
    image_t im;

    (void)state;
    good(&im);
    im.bytes[4] = 2;                        /* ELFCLASS64 */
    assert_refused(&im, "not a 32-bit little-endian ELF");
    good(&im);
    im.bytes[5] = 2;                        /* big endian */
    assert_refused(&im, "not a 32-bit little-endian ELF");
    good(&im);
    put16(im.bytes + 16, 3);                /* ET_DYN */
    assert_refused(&im, "not an executable (ELF type is not EXEC)");
    good(&im);
    put16(im.bytes + 18, 62);               /* EM_X86_64 */
    assert_refused(&im, "not an i386 executable");
    good(&im);
    put16(im.bytes + 42, 56);               /* ELF64 program headers */
    assert_refused(&im, "unexpected program header size");
}

static void program_headers_outside_file(void **state)
{
    image_t im;

    (void)state;
    good(&im);
    im.phnum = 0;
    build(&im);
    assert_refused(&im, "no program headers");
    good(&im);
    im.len = EHDR_SIZE + PHDR_SIZE + 10;    /* the second header is cut off */
    assert_refused(&im, "program headers lie outside the file");
    good(&im);
    put32(im.bytes + 28, 0xfffffff0u);      /* phoff near 4 GiB: no wrap-around */
    assert_refused(&im, "program headers lie outside the file");
    good(&im);
    put16(im.bytes + 44, 0xffff);           /* huge count */
    assert_refused(&im, "program headers lie outside the file");
}

static void segments_overlap(void **state)
{
    image_t im;

    (void)state;
    good(&im);
    im.ph[1].vaddr = 0x400070;              /* inside the text segment's 128 bytes */
    build(&im);
    assert_refused(&im, "loadable segments overlap");
    /* Sharing a page without sharing bytes is fine. */
    good(&im);
    im.ph[1].vaddr = 0x400080;
    build(&im);
    elf_image_t out;
    assert_null(parse(&im, &out));
}

static void outside_user_memory(void **state)
{
    image_t im;

    (void)state;
    good(&im);
    im.ph[0].vaddr = 0x100;                 /* page 0 is never mapped */
    im.entry = 0x100;
    build(&im);
    assert_refused(&im, "segment lies outside user memory");
    good(&im);
    im.ph[1].vaddr = USER_TOP - PAGE;       /* 3 pages from one below the top */
    build(&im);
    assert_refused(&im, "segment lies outside user memory");
    good(&im);
    im.ph[1].vaddr = 0xfffff000u;           /* vaddr + memsz wraps */
    build(&im);
    assert_refused(&im, "segment lies outside user memory");
    good(&im);
    im.ph[1].vaddr = USER_TOP - 3 * PAGE;   /* ends exactly at the top: fine */
    build(&im);
    elf_image_t out;
    assert_null(parse(&im, &out));
    assert_int_equal(out.highest, USER_TOP);
    good(&im);
    im.ph[1].vaddr = USER_TOP - 3 * PAGE + 1;   /* rounds up past the top */
    build(&im);
    assert_refused(&im, "segment lies outside user memory");
}

static void entry_outside_image(void **state)
{
    image_t im;

    (void)state;
    good(&im);
    im.entry = 0x3ff000;
    build(&im);
    assert_refused(&im, "entry point outside the loaded image");
    good(&im);
    im.entry = 0x404000;                    /* one past the page-rounded end */
    build(&im);
    assert_refused(&im, "entry point outside the loaded image");
}

static void file_size_above_mem_size(void **state)
{
    image_t im;

    (void)state;
    good(&im);
    im.ph[0].filesz = 129;
    build(&im);
    assert_refused(&im, "segment file size exceeds its memory size");
}

static void data_past_the_end(void **state)
{
    image_t im;

    (void)state;
    good(&im);
    im.ph[1].offset = 0x100000;             /* offset past the end */
    build(&im);
    assert_refused(&im, "segment data lies outside the file");
    good(&im);
    im.ph[1].offset = 0xffffffc0u;          /* offset + filesz wraps */
    build(&im);
    assert_refused(&im, "segment data lies outside the file");
    good(&im);
    im.len -= 1;                            /* last data byte cut off */
    im.ph[1].offset = im.len - 63;
    im.ph[1].filesz = 64;
    memcpy(im.bytes + EHDR_SIZE + PHDR_SIZE, &im.ph[1], PHDR_SIZE);
    assert_refused(&im, "segment data lies outside the file");
}

static void counts(void **state)
{
    image_t im;
    elf_image_t out;

    (void)state;
    /* Only PT_LOAD with memory counts; notes and empty segments are skipped. */
    good(&im);
    im.phnum = 4;
    im.ph[2] = (phdr_t){ PT_NOTE, 0xffffffffu, 0, 0, 0xffffffffu, 0xffffffffu, 0, 0 };
    im.ph[3] = (phdr_t){ PT_LOAD, 0xffffffffu, 0, 0, 0, 0, 0, 0 };
    build(&im);
    assert_null(parse(&im, &out));
    assert_int_equal(out.n_segments, 2);
    /* Nothing loadable. */
    good(&im);
    im.ph[0].type = PT_NOTE;
    im.ph[1].type = PT_NOTE;
    build(&im);
    assert_refused(&im, "no loadable segments");
    /* ELF_MAX_SEGMENTS + 1 loadable segments, one page each. */
    memset(&im, 0, sizeof(im));
    im.phnum = ELF_MAX_SEGMENTS + 1;
    im.entry = 0x400000;
    for (uint32_t i = 0; i < im.phnum; i++)
        im.ph[i] = (phdr_t){ PT_LOAD, 0, 0x400000 + i * PAGE, 0, 0, PAGE, 6, PAGE };
    build(&im);
    assert_refused(&im, "too many loadable segments");
    im.phnum = ELF_MAX_SEGMENTS;
    build(&im);
    assert_null(parse(&im, &out));
    assert_int_equal(out.n_segments, ELF_MAX_SEGMENTS);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(good_image),
        cmocka_unit_test(truncated_header),
        cmocka_unit_test(bad_magic),
        cmocka_unit_test(wrong_kind_of_elf),
        cmocka_unit_test(program_headers_outside_file),
        cmocka_unit_test(segments_overlap),
        cmocka_unit_test(outside_user_memory),
        cmocka_unit_test(entry_outside_image),
        cmocka_unit_test(file_size_above_mem_size),
        cmocka_unit_test(data_past_the_end),
        cmocka_unit_test(counts),
    };
    return cmocka_run_group_tests_name("elf", tests, NULL, NULL);
}
