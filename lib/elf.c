/*
 * Reading an ELF32 executable (System V ABI, i386 supplement): the header
 * says where the program headers are; each PT_LOAD header asks for
 * mem_size bytes at vaddr, the first file_size of them from the file. Every
 * field comes from an untrusted module, so every offset and sum is checked
 * for overflow and against the buffer before use.
 *
 * Pure code (lib/README): fields are read byte by byte, little-endian as
 * ELFDATA2LSB says, so nothing depends on the reader's struct layout or
 * string functions, and the kernel, user level and host tests link it
 * alike.
 */
#include <lib/elf.h>
#include <stdbool.h>
#include <stddef.h>

/* Identification and the values accepted (gABI "ELF Header"; i386 psABI). */
#define EI_MAG_LEN  4
#define EI_CLASS    4
#define EI_DATA     5
#define ELFCLASS32  1
#define ELFDATA2LSB 1
#define ET_EXEC     2
#define EM_386      3
#define PT_LOAD     1
static const uint8_t elf_magic[EI_MAG_LEN] = { 0x7f, 'E', 'L', 'F' };

/* Byte offsets of the fields read in the ELF32 header and program header,
 * and their sizes (gABI, Elf32_Ehdr and Elf32_Phdr). */
#define EH_TYPE         16
#define EH_MACHINE      18
#define EH_ENTRY        24
#define EH_PHOFF        28
#define EH_PHENTSIZE    42
#define EH_PHNUM        44
#define EH_SIZE         52u
#define PH_TYPE         0
#define PH_OFFSET       4
#define PH_VADDR        8
#define PH_FILESZ       16
#define PH_MEMSZ        20
#define PH_SIZE         32u

#define PAGE_SIZE       ((uint32_t)1 << ELF_PAGE_BITS)
#define PAGE_MASK       (PAGE_SIZE - 1)

typedef struct {
    uint32_t type, offset, vaddr, filesz, memsz;
} phdr_t;

static uint32_t rd16(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8;
}

static uint32_t rd32(const uint8_t *p)
{
    return rd16(p) | rd16(p + 2) << 16;
}

static bool range_ok(uint32_t off, uint32_t size, uint32_t len)
{
    return off <= len && size <= len - off;
}

static const char *check_header(const uint8_t *h, uint32_t len)
{
    for (uint32_t i = 0; i < EI_MAG_LEN; i++)
        if (h[i] != elf_magic[i])
            return "not an ELF file (bad magic)";
    if (h[EI_CLASS] != ELFCLASS32 || h[EI_DATA] != ELFDATA2LSB)
        return "not a 32-bit little-endian ELF";
    if (rd16(h + EH_TYPE) != ET_EXEC)
        return "not an executable (ELF type is not EXEC)";
    if (rd16(h + EH_MACHINE) != EM_386)
        return "not an i386 executable";
    if (rd16(h + EH_PHENTSIZE) != PH_SIZE)
        return "unexpected program header size";
    if (rd16(h + EH_PHNUM) == 0)
        return "no program headers";
    if (!range_ok(rd32(h + EH_PHOFF), rd16(h + EH_PHNUM) * PH_SIZE, len))
        return "program headers lie outside the file";
    return NULL;
}

static phdr_t read_phdr(const uint8_t *p)
{
    return (phdr_t){ .type = rd32(p + PH_TYPE), .offset = rd32(p + PH_OFFSET),
                     .vaddr = rd32(p + PH_VADDR), .filesz = rd32(p + PH_FILESZ),
                     .memsz = rd32(p + PH_MEMSZ) };
}

static const char *add_segment(const phdr_t *p, uint32_t len, uint32_t user_top,
                               elf_image_t *out)
{
    uint32_t lo, hi;

    if (out->n_segments == ELF_MAX_SEGMENTS)
        return "too many loadable segments";
    if (p->filesz > p->memsz)
        return "segment file size exceeds its memory size";
    if (!range_ok(p->offset, p->filesz, len))
        return "segment data lies outside the file";
    if (p->vaddr < PAGE_SIZE || p->memsz > user_top || p->vaddr > user_top - p->memsz)
        return "segment lies outside user memory";
    lo = p->vaddr & ~PAGE_MASK;
    hi = (p->vaddr + p->memsz + PAGE_MASK) & ~PAGE_MASK;
    if (hi == 0 || hi > user_top)
        return "segment lies outside user memory";
    out->seg[out->n_segments++] = (elf_segment_t){ p->vaddr, p->offset, p->filesz, p->memsz };
    if (lo < out->lowest)
        out->lowest = lo;
    if (hi > out->highest)
        out->highest = hi;
    return NULL;
}

static bool segments_overlap(const elf_image_t *img)
{
    for (uint32_t i = 0; i < img->n_segments; i++) {
        const elf_segment_t *s = &img->seg[i];

        for (uint32_t j = i + 1; j < img->n_segments; j++) {
            const elf_segment_t *t = &img->seg[j];

            if (s->vaddr < t->vaddr + t->mem_size && t->vaddr < s->vaddr + s->mem_size)
                return true;
        }
    }
    return false;
}

const char *elf_parse(const uint8_t *buf, uint32_t len, uint32_t user_top, elf_image_t *out)
{
    const char *err;
    uint32_t phoff, phnum, entry;

    if (len < EH_SIZE)
        return "file too short for an ELF header";
    err = check_header(buf, len);
    if (err)
        return err;
    phoff = rd32(buf + EH_PHOFF);
    phnum = rd16(buf + EH_PHNUM);
    entry = rd32(buf + EH_ENTRY);
    *out = (elf_image_t){ .entry = entry, .lowest = user_top, .highest = 0 };
    for (uint32_t i = 0; i < phnum; i++) {
        phdr_t p = read_phdr(buf + phoff + i * PH_SIZE);

        if (p.type != PT_LOAD || p.memsz == 0)
            continue;
        err = add_segment(&p, len, user_top, out);
        if (err)
            return err;
    }
    if (out->n_segments == 0)
        return "no loadable segments";
    if (segments_overlap(out))
        return "loadable segments overlap";
    if (entry < out->lowest || entry >= out->highest)
        return "entry point outside the loaded image";
    return NULL;
}
