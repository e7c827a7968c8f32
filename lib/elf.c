/*
 * Reading an ELF32 executable (System V ABI, i386 supplement): the header
 * says where the program headers are; each PT_LOAD header asks for
 * mem_size bytes at vaddr, the first file_size of them from the file. Every
 * field comes from an untrusted module, so every offset and sum is checked
 * for overflow and against the buffer before use.
 */
#include <lib/elf.h>
#include <kernel/debug.h>
#include <abi/objtype.h>

#define EI_NIDENT   16
#define ELFCLASS32  1
#define ELFDATA2LSB 1
#define ET_EXEC     2
#define EM_386      3
#define EV_CURRENT  1
#define PT_LOAD     1
#define ELF_MAGIC   "\x7f" "ELF"

typedef struct {
    uint8_t ident[EI_NIDENT];
    uint16_t type, machine;
    uint32_t version, entry, phoff, shoff, flags;
    uint16_t ehsize, phentsize, phnum, shentsize, shnum, shstrndx;
} elf32_ehdr_t;

typedef struct {
    uint32_t type, offset, vaddr, paddr, filesz, memsz, flags, align;
} elf32_phdr_t;

static bool range_ok(word_t off, word_t size, word_t len)
{
    return off <= len && size <= len - off;
}

static const char *check_header(const elf32_ehdr_t *h, word_t len)
{
    if (memcmp(h->ident, ELF_MAGIC, 4) != 0)
        return "not an ELF file (bad magic)";
    if (h->ident[4] != ELFCLASS32 || h->ident[5] != ELFDATA2LSB)
        return "not a 32-bit little-endian ELF";
    if (h->type != ET_EXEC)
        return "not an executable (ELF type is not EXEC)";
    if (h->machine != EM_386)
        return "not an i386 executable";
    if (h->phentsize != sizeof(elf32_phdr_t))
        return "unexpected program header size";
    if (h->phnum == 0)
        return "no program headers";
    if (!range_ok(h->phoff, (word_t)h->phnum * sizeof(elf32_phdr_t), len))
        return "program headers lie outside the file";
    return NULL;
}

static const char *add_segment(const elf32_phdr_t *p, word_t len, vaddr_t user_top, elf_image_t *out)
{
    if (out->n_segments == ELF_MAX_SEGMENTS)
        return "too many loadable segments";
    if (p->filesz > p->memsz)
        return "segment file size exceeds its memory size";
    if (!range_ok(p->offset, p->filesz, len))
        return "segment data lies outside the file";
    if (p->vaddr < BIT(PAGE_BITS) || p->memsz > user_top || p->vaddr > user_top - p->memsz)
        return "segment lies outside user memory";
    vaddr_t lo = p->vaddr & ~MASK(PAGE_BITS);
    vaddr_t hi = ROUND_UP(p->vaddr + p->memsz, PAGE_BITS);
    if (hi == 0 || hi > user_top)
        return "segment lies outside user memory";
    out->seg[out->n_segments++] = (elf_segment_t){ p->vaddr, p->offset, p->filesz, p->memsz };
    if (lo < out->lowest)
        out->lowest = lo;
    if (hi > out->highest)
        out->highest = hi;
    return NULL;
}

const char *elf_parse(const uint8_t *buf, word_t len, vaddr_t user_top, elf_image_t *out)
{
    elf32_ehdr_t h;
    elf32_phdr_t p;
    if (len < sizeof(h))
        return "file too short for an ELF header";
    memcpy(&h, buf, sizeof(h));
    const char *err = check_header(&h, len);
    if (err)
        return err;
    *out = (elf_image_t){ .entry = h.entry, .lowest = user_top, .highest = 0 };
    for (word_t i = 0; i < h.phnum; i++) {
        memcpy(&p, buf + h.phoff + i * sizeof(p), sizeof(p));
        if (p.type != PT_LOAD || p.memsz == 0)
            continue;
        err = add_segment(&p, len, user_top, out);
        if (err)
            return err;
    }
    if (out->n_segments == 0)
        return "no loadable segments";
    for (word_t i = 0; i < out->n_segments; i++) {
        const elf_segment_t *s = &out->seg[i];
        for (word_t j = i + 1; j < out->n_segments; j++) {
            const elf_segment_t *t = &out->seg[j];
            if (s->vaddr < t->vaddr + t->mem_size && t->vaddr < s->vaddr + s->mem_size)
                return "loadable segments overlap";
        }
    }
    if (h.entry < out->lowest || h.entry >= out->highest)
        return "entry point outside the loaded image";
    return NULL;
}
