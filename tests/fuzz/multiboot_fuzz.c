/* fuzz-sources: arch/ia32/multiboot.c */
/*
 * Fuzzing the multiboot-information parser (arch/ia32/multiboot.c).
 *
 * The input stands for physical memory from address 0: the
 * multiboot_info_t sits at 0, and its memory-map, module-list and name
 * addresses point wherever the input says. The reader hands out a fresh
 * heap copy of exactly the bytes asked for, so AddressSanitizer catches a
 * parser that reads more than it asked for; an address outside the input
 * cannot be read. Whatever the parser accepts must meet the guarantees
 * arch/multiboot.h lists, and its RAM list is checked page by page against
 * a reference reading of the memory map at every point where the answer
 * could change (entry and region edges and the pages beside them).
 */
#include <string.h>

#include <arch/multiboot.h>
#include <abi/objtype.h>

#include "fuzz_support.h"

#define PAGE            ((uint64_t)1 << PAGE_BITS)
#define PHYS_LIMIT      ((uint64_t)1 << 32)
#define KERNEL_START    0x00100000u
#define KERNEL_END      0x00180000u
#define MODULE_LIMIT    0x20000000u
#define MAX_COPIES      2048

typedef struct memory {
    const uint8_t *data;
    size_t size;
    void *copies[MAX_COPIES];
    size_t n_copies;
} memory_t;

static const void *read_mem(void *ctx, paddr_t p, word_t len)
{
    memory_t *m = ctx;

    if (p > m->size || len > m->size - p || m->n_copies == MAX_COPIES)
        return NULL;
    void *copy = malloc(len ? len : 1);
    FUZZ_CHECK(copy != NULL);
    memcpy(copy, m->data + p, len);
    m->copies[m->n_copies++] = copy;
    return copy;
}

/* ---- the reference reading of the memory map ---- */

typedef struct entry {
    uint64_t s, e;              /* e saturates at 2^64 - 1 */
    uint32_t type;
} entry_t;

static size_t read_entries(const arch_boot_info_t *bi, entry_t *out, size_t max)
{
    multiboot_mmap_t m;
    word_t off = 0;
    size_t n = 0;

    while (n < max && multiboot_mmap_next(bi->mmap, bi->mmap_len, &off, &m)) {
        uint64_t e = m.len > UINT64_MAX - m.addr ? UINT64_MAX : m.addr + m.len;
        out[n++] = (entry_t){ m.addr, e, m.type };
    }
    return n;
}

/* Page p is usable RAM: wholly inside a type-1 entry that starts at or
 * above 1 MiB (seL4's rule: the low megabyte is device memory), below
 * 4 GiB, and touched by no other entry (an empty entry touches nothing). */
static bool oracle_ram(const entry_t *ent, size_t n, uint64_t p)
{
    bool in_ram = false;

    if (p + PAGE > PHYS_LIMIT)
        return false;
    for (size_t i = 0; i < n; i++) {
        if (ent[i].type == MB_MMAP_RAM) {
            if (ent[i].s >= MB_HIGHMEM && ent[i].s <= p && p + PAGE <= ent[i].e)
                in_ram = true;
        } else if (ent[i].s < ent[i].e && ent[i].s < p + PAGE && p < ent[i].e) {
            return false;
        }
    }
    return in_ram;
}

static bool parsed_ram(const arch_boot_info_t *bi, uint64_t p)
{
    for (word_t i = 0; i < bi->n_ram; i++)
        if (bi->ram[i].start <= p && p < bi->ram[i].end)
            return true;
    return false;
}

static void check_page_near(const arch_boot_info_t *bi, const entry_t *ent, size_t n, uint64_t x)
{
    uint64_t base = x & ~(PAGE - 1);

    for (int d = -1; d <= 1; d++) {
        uint64_t p = base + (uint64_t)((int64_t)d * (int64_t)PAGE);
        if (p >= PHYS_LIMIT || (d < 0 && base == 0))
            continue;
        if (oracle_ram(ent, n, p) != parsed_ram(bi, p))
            fprintf(stderr, "page %llx: the map says %s, the parser %s\n",
                    (unsigned long long)p, oracle_ram(ent, n, p) ? "RAM" : "not RAM",
                    parsed_ram(bi, p) ? "RAM" : "not RAM");
        FUZZ_CHECK(oracle_ram(ent, n, p) == parsed_ram(bi, p));
    }
}

static void check_ram(const arch_boot_info_t *bi)
{
    entry_t ent[BOOT_MMAP_MAX_BYTES / sizeof(multiboot_mmap_t) + 1];
    size_t n = read_entries(bi, ent, sizeof(ent) / sizeof(ent[0]));
    uint64_t total = 0;

    FUZZ_CHECK(bi->n_ram <= BOOT_MAX_REGIONS);
    for (word_t i = 0; i < bi->n_ram; i++) {
        const boot_region_t *r = &bi->ram[i];
        FUZZ_CHECK(r->start < r->end && r->end <= PHYS_LIMIT);
        FUZZ_CHECK(r->start % PAGE == 0 && r->end % PAGE == 0);
        if (i > 0)
            FUZZ_CHECK(bi->ram[i - 1].end < r->start);
        total += r->end - r->start;
        check_page_near(bi, ent, n, r->start);
        check_page_near(bi, ent, n, r->end);
    }
    FUZZ_CHECK(total >= MB_MIN_RAM_BYTES);
    for (size_t i = 0; i < n; i++) {
        check_page_near(bi, ent, n, ent[i].s);
        check_page_near(bi, ent, n, ent[i].s + PAGE - 1);
        check_page_near(bi, ent, n, ent[i].e);
        check_page_near(bi, ent, n, ent[i].e + PAGE - 1);
    }
}

/* ---- modules ---- */

/* Sharing a byte; an empty module shares none. */
static bool overlap(paddr_t s1, paddr_t e1, paddr_t s2, paddr_t e2)
{
    return s1 < e1 && s2 < e2 && s1 < e2 && s2 < e1;
}

static void check_modules(const arch_boot_info_t *bi, const memory_t *mem,
                          const multiboot_info_t *mbi)
{
    FUZZ_CHECK(bi->n_modules >= 1 && bi->n_modules <= BOOT_MAX_MODULES);
    FUZZ_CHECK(bi->n_modules == mbi->mods_count);
    for (word_t i = 0; i < bi->n_modules; i++) {
        const boot_module_t *m = &bi->modules[i];
        multiboot_module_t mm;
        memcpy(&mm, mem->data + mbi->mods_addr + i * sizeof(mm), sizeof(mm));
        FUZZ_CHECK(m->start == mm.start && m->end == mm.end);
        FUZZ_CHECK(m->start <= m->end && m->end <= MODULE_LIMIT);
        FUZZ_CHECK(!overlap(m->start, m->end, KERNEL_START, KERNEL_END));
        for (word_t j = 0; j < i; j++)
            FUZZ_CHECK(!overlap(m->start, m->end, bi->modules[j].start, bi->modules[j].end));
        size_t len = strnlen(m->name, sizeof(m->name));
        FUZZ_CHECK(len <= MB_NAME_MAX);
        if (mm.string != 0)
            FUZZ_CHECK(memcmp(m->name, mem->data + mm.string, len) == 0);
        else
            FUZZ_CHECK(len == 0);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static arch_boot_info_t bi;
    memory_t mem = { .data = data, .size = size };
    mb_source_t src = { read_mem, &mem, 0, KERNEL_START, KERNEL_END, MODULE_LIMIT };
    char err[MB_ERROR_LEN];

    const char *e = multiboot_parse(&src, &bi, err);
    if (e != NULL) {
        FUZZ_CHECK(e == err && err[0] != '\0');
        FUZZ_CHECK(memchr(err, '\0', MB_ERROR_LEN) != NULL);
    } else {
        multiboot_info_t mbi;
        FUZZ_CHECK(size >= sizeof(mbi));
        memcpy(&mbi, data, sizeof(mbi));
        FUZZ_CHECK(bi.mmap_len == mbi.mmap_length && bi.mmap_len <= BOOT_MMAP_MAX_BYTES);
        FUZZ_CHECK(memcmp(bi.mmap, data + mbi.mmap_addr, bi.mmap_len) == 0);
        check_ram(&bi);
        check_modules(&bi, &mem, &mbi);
    }
    for (size_t i = 0; i < mem.n_copies; i++)
        free(mem.copies[i]);
    return 0;
}
