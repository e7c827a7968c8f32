/*
 * Parsing the multiboot information (see arch/multiboot.h for the format
 * and for what a successful parse guarantees).
 *
 * Usable RAM is what the memory map calls available (type 1), as on seL4
 * only the entries that start at or above 1 MiB, each entry shrunk to whole pages, merged where entries overlap or touch, cut at
 * 4 GiB (no PAE), and minus every page that any other entry touches: a map
 * may list a reserved range inside an available one, and then the reserved
 * claim wins, because handing firmware memory out as RAM is the worse
 * mistake. The map is kept raw as well, for the root task (chunk 2).
 *
 * Pure logic: memory is reached only through the reader in mb_source_t and
 * problems come back as messages, so host unit tests and a fuzzer run this
 * very file.
 */
#include <arch/multiboot.h>
#include <kernel/debug.h>
#include <abi/objtype.h>

#define PHYS_LIMIT      (1ull << 32)    /* no PAE: nothing above 4 GiB is reachable */
#define KIB             1024u
#define MMAP_ENTRY_BODY (sizeof(multiboot_mmap_t) - sizeof(uint32_t))   /* `size` of a minimal entry */
#define PAGE_MASK64     ((uint64_t)MASK(PAGE_BITS))

/* ---- error messages ---- */

static word_t put_str(char *err, word_t pos, const char *s)
{
    while (*s != '\0' && pos + 1 < MB_ERROR_LEN)
        err[pos++] = *s++;
    return pos;
}

static word_t put_num(char *err, word_t pos, uint64_t v, bool hex)
{
    char digits[24];
    word_t n = 0, base = hex ? 16 : 10;

    if (hex)
        pos = put_str(err, pos, "0x");
    do {
        digits[n++] = "0123456789abcdef"[v % base];
        v /= base;
    } while (v != 0);
    while (n > 0 && pos + 1 < MB_ERROR_LEN)
        err[pos++] = digits[--n];
    return pos;
}

/* Formats `fmt` into err: %u and %x take a then b (as 64-bit values; %x
 * prints 0x-prefixed hex). Returns err, so callers can `return fail(...)`. */
static const char *fail(char *err, const char *fmt, uint64_t a, uint64_t b)
{
    uint64_t args[2] = { a, b };
    word_t pos = 0, next = 0;

    for (; *fmt != '\0' && pos + 1 < MB_ERROR_LEN; fmt++) {
        if (fmt[0] == '%' && (fmt[1] == 'u' || fmt[1] == 'x') && next < 2) {
            pos = put_num(err, pos, args[next++], fmt[1] == 'x');
            fmt++;
        } else {
            err[pos++] = *fmt;
        }
    }
    err[pos] = '\0';
    return err;
}

/* ---- the RAM list: sorted, disjoint, not touching ---- */

static bool add_ram(arch_boot_info_t *out, uint64_t s, uint64_t e)
{
    if (s >= e)
        return true;
    if (out->n_ram == BOOT_MAX_REGIONS)
        return false;
    word_t i = out->n_ram;
    while (i > 0 && out->ram[i - 1].start > s) {
        out->ram[i] = out->ram[i - 1];
        i--;
    }
    out->ram[i] = (boot_region_t){ s, e };
    out->n_ram++;
    /* Merge neighbours that overlap or touch. */
    for (word_t j = 0; j + 1 < out->n_ram;) {
        if (out->ram[j].end >= out->ram[j + 1].start) {
            if (out->ram[j + 1].end > out->ram[j].end)
                out->ram[j].end = out->ram[j + 1].end;
            for (word_t k = j + 1; k + 1 < out->n_ram; k++)
                out->ram[k] = out->ram[k + 1];
            out->n_ram--;
        } else {
            j++;
        }
    }
    return true;
}

/* Removes [s, e) from the RAM list; false if a split found the list full. */
static bool remove_ram(arch_boot_info_t *out, uint64_t s, uint64_t e)
{
    for (word_t i = 0; i < out->n_ram;) {
        boot_region_t *r = &out->ram[i];
        if (r->end <= s || e <= r->start) {
            i++;
        } else if (r->start < s && e < r->end) {
            if (out->n_ram == BOOT_MAX_REGIONS)
                return false;
            for (word_t k = out->n_ram; k > i + 1; k--)
                out->ram[k] = out->ram[k - 1];
            out->ram[i + 1] = (boot_region_t){ e, r->end };
            r->end = s;
            out->n_ram++;
            return true;
        } else if (r->start < s) {
            r->end = s;
            i++;
        } else if (e < r->end) {
            r->start = e;
            i++;
        } else {
            for (word_t k = i; k + 1 < out->n_ram; k++)
                out->ram[k] = out->ram[k + 1];
            out->n_ram--;
        }
    }
    return true;
}

/* ---- memory map ---- */

bool multiboot_mmap_next(const uint8_t *map, word_t len, word_t *off, multiboot_mmap_t *e)
{
    if (*off >= len || len - *off < sizeof(*e))
        return false;
    memcpy(e, map + *off, sizeof(*e));
    *off += sizeof(e->size) + e->size;
    return true;
}

/* The entry's range as [s, e) below 4 GiB; the length may wrap past 2^64. */
static void entry_range(const multiboot_mmap_t *m, uint64_t *s, uint64_t *e)
{
    uint64_t end = m->len > UINT64_MAX - m->addr ? UINT64_MAX : m->addr + m->len;

    *s = m->addr < PHYS_LIMIT ? m->addr : PHYS_LIMIT;
    *e = end < PHYS_LIMIT ? end : PHYS_LIMIT;
}

/* Every entry must be whole: a `size` of at least 20 that stays in the map. */
static const char *check_entries(const uint8_t *map, word_t len, char *err)
{
    word_t off = 0, n = 0;

    while (off < len) {
        multiboot_mmap_t m;
        if (len - off < sizeof(m))
            return fail(err, "memory map: entry %u at byte %u is truncated", n, off);
        memcpy(&m, map + off, sizeof(m));
        if (m.size < MMAP_ENTRY_BODY || m.size > len - off - sizeof(m.size))
            return fail(err, "memory map: entry %u has a bad size field (%u)", n, m.size);
        off += sizeof(m.size) + m.size;
        n++;
    }
    return NULL;
}

static const char *ram_from_map(arch_boot_info_t *out, char *err)
{
    multiboot_mmap_t m;
    uint64_t s, e;
    word_t off = 0;

    while (multiboot_mmap_next(out->mmap, out->mmap_len, &off, &m)) {
        entry_range(&m, &s, &e);
        /* Whole pages only: round the start up and the end down. */
        s = (s + PAGE_MASK64) & ~PAGE_MASK64;
        e &= ~PAGE_MASK64;
        /* As seL4 (x86 parse_mem_map): an available entry counts only if
         * it starts at or above 1 MiB; the low megabyte stays device memory. */
        if (m.type == MB_MMAP_RAM && m.addr >= MB_HIGHMEM && !add_ram(out, s, e))
            return fail(err, "memory map: more than %u separate RAM regions", BOOT_MAX_REGIONS, 0);
    }
    off = 0;
    while (multiboot_mmap_next(out->mmap, out->mmap_len, &off, &m)) {
        entry_range(&m, &s, &e);
        if (m.type == MB_MMAP_RAM || s >= e)
            continue;
        /* Every page the entry touches. */
        s &= ~PAGE_MASK64;
        e = (e + PAGE_MASK64) & ~PAGE_MASK64;
        if (!remove_ram(out, s, e))
            return fail(err, "memory map: reserved entries split RAM into more than %u regions",
                        BOOT_MAX_REGIONS, 0);
    }
    return NULL;
}

static const char *read_memory_map(const mb_source_t *src, const multiboot_info_t *mbi,
                                   arch_boot_info_t *out, char *err)
{
    if (!(mbi->flags & MB_FLAG_MMAP))
        return fail(err, "the loader passed no memory map (multiboot flag 6 is clear)", 0, 0);
    if (mbi->mmap_length == 0)
        return fail(err, "the multiboot memory map is empty", 0, 0);
    if (mbi->mmap_length > BOOT_MMAP_MAX_BYTES)
        return fail(err, "the multiboot memory map is too large (%u bytes, at most %u)",
                    mbi->mmap_length, BOOT_MMAP_MAX_BYTES);
    const uint8_t *map = src->read(src->ctx, mbi->mmap_addr, mbi->mmap_length);
    if (map == NULL)
        return fail(err, "the multiboot memory map at %x (%u bytes) cannot be read",
                    mbi->mmap_addr, mbi->mmap_length);
    memcpy(out->mmap, map, mbi->mmap_length);
    out->mmap_len = mbi->mmap_length;
    const char *e = check_entries(out->mmap, out->mmap_len, err);
    if (e == NULL)
        e = ram_from_map(out, err);
    if (e != NULL)
        return e;
    uint64_t total = 0;
    for (word_t i = 0; i < out->n_ram; i++)
        total += out->ram[i].end - out->ram[i].start;
    if (total < MB_MIN_RAM_BYTES)
        return fail(err, "only %u KiB of usable RAM; at least %u KiB are needed",
                    total / KIB, MB_MIN_RAM_BYTES / KIB);
    return NULL;
}

/* ---- modules ---- */

/* Whether [s1, e1) and [s2, e2) share a byte (an empty range shares none). */
static bool ranges_overlap(paddr_t s1, paddr_t e1, paddr_t s2, paddr_t e2)
{
    return s1 < e1 && s2 < e2 && s1 < e2 && s2 < e1;
}

/* A module's name, read a byte at a time: its length is not known. */
static const char *read_name(const mb_source_t *src, word_t i, paddr_t p, char *name, char *err)
{
    for (word_t k = 0; k < MB_NAME_MAX; k++) {
        if (p + k < p)
            return fail(err, "module %u: its name at %x runs past 4 GiB", i, p);
        const char *c = src->read(src->ctx, p + k, 1);
        if (c == NULL)
            return fail(err, "module %u: its name at %x cannot be read", i, p);
        if (*c == '\0')
            break;
        name[k] = *c;
    }
    return NULL;
}

static const char *check_module(const mb_source_t *src, const arch_boot_info_t *out, word_t i,
                                char *err)
{
    const boot_module_t *m = &out->modules[i];

    if (m->end < m->start)
        return fail(err, "module %u ends (%x) before it starts", i, m->end);
    if (m->end > src->module_limit)
        return fail(err, "module %u ends at %x, beyond the memory the kernel can read",
                    i, m->end);
    if (ranges_overlap(m->start, m->end, src->kernel_start, src->kernel_end))
        return fail(err, "module %u at %x overlaps the kernel image", i, m->start);
    for (word_t j = 0; j < i; j++)
        if (ranges_overlap(m->start, m->end, out->modules[j].start, out->modules[j].end))
            return fail(err, "modules %u and %u overlap", j, i);
    return NULL;
}

static const char *read_modules(const mb_source_t *src, const multiboot_info_t *mbi,
                                arch_boot_info_t *out, char *err)
{
    if (!(mbi->flags & MB_FLAG_MODS) || mbi->mods_count == 0)
        return fail(err, "no boot modules: the first module must be the root task ELF", 0, 0);
    if (mbi->mods_count > BOOT_MAX_MODULES)
        return fail(err, "%u boot modules, at most %u are supported",
                    mbi->mods_count, BOOT_MAX_MODULES);
    const multiboot_module_t *list =
        src->read(src->ctx, mbi->mods_addr, mbi->mods_count * sizeof(multiboot_module_t));
    if (list == NULL)
        return fail(err, "the module list at %x (%u entries) cannot be read",
                    mbi->mods_addr, mbi->mods_count);
    for (word_t i = 0; i < mbi->mods_count; i++) {
        multiboot_module_t mm;
        memcpy(&mm, &list[i], sizeof(mm));
        out->modules[i].start = mm.start;
        out->modules[i].end = mm.end;
        const char *e = check_module(src, out, i, err);
        if (e == NULL && mm.string != 0)
            e = read_name(src, i, mm.string, out->modules[i].name, err);
        if (e != NULL)
            return e;
    }
    out->n_modules = mbi->mods_count;
    return NULL;
}

const char *multiboot_parse(const mb_source_t *src, arch_boot_info_t *out, char err[MB_ERROR_LEN])
{
    memset(out, 0, sizeof(*out));
    err[0] = '\0';
    const multiboot_info_t *p = src->read(src->ctx, src->info, sizeof(multiboot_info_t));
    if (p == NULL)
        return fail(err, "the multiboot information at %x cannot be read", src->info, 0);
    multiboot_info_t mbi;
    memcpy(&mbi, p, sizeof(mbi));
    const char *e = read_memory_map(src, &mbi, out, err);
    if (e == NULL)
        e = read_modules(src, &mbi, out, err);
    return e;
}
