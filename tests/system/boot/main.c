/*
 * Boot robustness: the untypeds the kernel hands the root task, checked
 * exactly against what the machine has.
 *
 * The root task reads two extra-bootinfo chunks: the multiboot memory map
 * (chunk 2) and the ranges the kernel keeps for itself (chunk 0x41: its
 * image, the modules, the boot structures). From the map it computes the
 * usable RAM the way the kernel promises to (arch/multiboot.h): each RAM
 * entry that starts at or above 1 MiB (as seL4: the low megabyte is device
 * memory) shrunk to whole pages, below 4 GiB, minus every page another
 * entry touches, and only below the kernel window's top (508 MiB): as in
 * seL4, RAM above it is handed out as device memory. Then:
 *  - the non-device untypeds cover exactly that RAM minus the reserved
 *    ranges: no byte twice, no gap, nothing more;
 *  - no device untyped overlaps RAM, and no untyped overlaps a reserved
 *    range (invariant 8: no capability covers what the kernel keeps);
 *  - every untyped is a size-aligned power of two between 2^4 and 2^29;
 *  - the map chunk has seL4's layout (seL4_X86_BootInfo_mmap_t);
 *  - chunk 6 (device tree) is there exactly when a module after the root
 *    task is a flattened device tree, and holds that module's bytes.
 * It prints the figures, so a run with -m 32M ... -m 3G (suite.conf) also
 * documents what each memory size gives. The same suite is the Bochs boot
 * test (tools/run-bochs.sh), where the BIOS and its map differ.
 */
#include <rt/rt.h>
#include <rt/test.h>
#include <abi/bootinfo.h>
#include <abi/objtype.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#define PAGE            4096ull
#define PHYS_TOP        (1ull << 32)
#define MB_RAM          1u                  /* multiboot memory-map type "available" */
#define MB_ENTRY_BODY   20u                 /* multiboot entry `size` of the basic layout */
#define FDT_MAGIC_BE    0xedfe0dd0u         /* 0xd00dfeed as it reads little-endian */
#define MAX_RANGES      512
#define MAX_CHUNKS      32
#define KIB             1024ull
#define WINDOW_TOP      0x1fc00000ull       /* PADDR_WINDOW_TOP, seL4 ia32's PADDR_TOP */
#define HIGHMEM         0x100000ull         /* seL4 x86 HIGHMEM_PADDR: RAM entries below are not RAM */

typedef struct range {
    uint64_t s, e;
} range_t;

typedef struct set {
    uint32_t n;
    range_t r[MAX_RANGES];
} set_t;

typedef struct mb_entry {
    uint32_t size;
    uint64_t addr, len;
    uint32_t type;
} __attribute__((packed)) mb_entry_t;

typedef struct chunk {
    uint32_t id;
    const uint8_t *data;        /* payload, after the header */
    uint32_t len;               /* payload bytes */
} chunk_t;

static bootinfo_t *bi;
static chunk_t chunks[MAX_CHUNKS];
static uint32_t n_chunks;
static set_t map_ram, reserved, expected, ut_ram, ut_dev;
static bool map_raw_layout;     /* chunk 2 without seL4's mmap_length word */

/* ---- sets of disjoint ranges ---- */

static void set_add(set_t *s, uint64_t a, uint64_t b)
{
    if (a < b && s->n < MAX_RANGES)
        s->r[s->n++] = (range_t){ a, b };
}

static void set_sort(set_t *s)
{
    for (uint32_t i = 1; i < s->n; i++)
        for (uint32_t j = i; j > 0 && s->r[j - 1].s > s->r[j].s; j--) {
            range_t t = s->r[j];
            s->r[j] = s->r[j - 1];
            s->r[j - 1] = t;
        }
}

/* Sorted, overlapping and touching ranges merged. */
static void set_normalise(set_t *s)
{
    uint32_t k = 0;

    set_sort(s);
    for (uint32_t i = 0; i < s->n; i++) {
        if (k > 0 && s->r[i].s <= s->r[k - 1].e) {
            if (s->r[i].e > s->r[k - 1].e)
                s->r[k - 1].e = s->r[i].e;
        } else {
            s->r[k++] = s->r[i];
        }
    }
    s->n = k;
}

/* out = a minus b (both normalised). */
static void set_subtract(const set_t *a, const set_t *b, set_t *out)
{
    out->n = 0;
    for (uint32_t i = 0; i < a->n; i++) {
        uint64_t cur = a->r[i].s;
        for (uint32_t j = 0; j < b->n && cur < a->r[i].e; j++) {
            if (b->r[j].e <= cur || b->r[j].s >= a->r[i].e)
                continue;
            set_add(out, cur, b->r[j].s);
            cur = b->r[j].e;
        }
        set_add(out, cur, a->r[i].e);
    }
}

static uint64_t set_bytes(const set_t *s)
{
    uint64_t t = 0;

    for (uint32_t i = 0; i < s->n; i++)
        t += s->r[i].e - s->r[i].s;
    return t;
}

/* The first range of normalised `a` that overlaps one of `b`, or -1. */
static int set_first_overlap(const set_t *a, const set_t *b, uint32_t *which_b)
{
    for (uint32_t i = 0; i < a->n; i++)
        for (uint32_t j = 0; j < b->n; j++)
            if (a->r[i].s < b->r[j].e && b->r[j].s < a->r[i].e) {
                *which_b = j;
                return (int)i;
            }
    return -1;
}

/* ---- reading bootinfo ---- */

static const chunk_t *find_chunk(uint32_t id)
{
    for (uint32_t i = 0; i < n_chunks; i++)
        if (chunks[i].id == id)
            return &chunks[i];
    return NULL;
}

static void test_chunks(void)
{
    const uint8_t *extra = (const uint8_t *)bi + PAGE;
    uint32_t off = 0;

    TEST_BEGIN("boot/extra_bootinfo_chunks");
    ASSERT_TRUE(bi->extra_len >= sizeof(bi_header_t));
    while (off + sizeof(bi_header_t) <= bi->extra_len) {
        bi_header_t h;
        memcpy(&h, extra + off, sizeof(h));
        ASSERT_TRUE(h.len >= sizeof(h));
        if (h.id == BI_CHUNK_PADDING)
            break;
        ASSERT_TRUE(h.len <= bi->extra_len - off);
        ASSERT_TRUE(n_chunks < MAX_CHUNKS);
        chunks[n_chunks++] = (chunk_t){ h.id, extra + off + sizeof(h), h.len - sizeof(h) };
        off += h.len;
    }
    EXPECT_TRUE(find_chunk(BI_CHUNK_X86_MBMMAP) != NULL);
    EXPECT_TRUE(find_chunk(BI_CHUNK_KERNEL_RESERVED) != NULL);
    TEST_END();
}

/* seL4's chunk 2 is {header, uint32 mmap_length, entries}; the raw map
 * starts with the first entry's size field (20) instead. */
static const uint8_t *map_entries(const chunk_t *c, uint32_t *len)
{
    uint32_t first;

    memcpy(&first, c->data, sizeof(first));
    map_raw_layout = first == MB_ENTRY_BODY;
    if (map_raw_layout) {
        *len = c->len;
        return c->data;
    }
    *len = first <= c->len - sizeof(first) ? first : 0;
    return c->data + sizeof(first);
}

static void test_map_layout(void)
{
    const chunk_t *c = find_chunk(BI_CHUNK_X86_MBMMAP);
    uint32_t len;

    TEST_BEGIN("boot/mmap_chunk_sel4_layout");
    ASSERT_TRUE(c != NULL && c->len >= sizeof(uint32_t));
    map_entries(c, &len);
    if (map_raw_layout)
        rt_test_fail(__FILE__, __LINE__, "chunk 2 is the raw multiboot map; seL4's "
                     "seL4_X86_BootInfo_mmap_t starts with a uint32 mmap_length (kernel/boot.c)");
    else
        EXPECT_EQ(len % sizeof(mb_entry_t), 0);
    TEST_END();
}

/* Usable RAM as arch/multiboot.h defines it. */
static bool read_map(void)
{
    static set_t other, usable, above;
    const chunk_t *c = find_chunk(BI_CHUNK_X86_MBMMAP);
    uint32_t len, off = 0;

    if (c == NULL || c->len < sizeof(uint32_t))
        return false;
    const uint8_t *p = map_entries(c, &len);
    printf("boot: memory map (chunk 2, %s layout):\n", map_raw_layout ? "raw" : "seL4");
    while (off + sizeof(mb_entry_t) <= len) {
        mb_entry_t m;
        memcpy(&m, p + off, sizeof(m));
        uint64_t s = m.addr < PHYS_TOP ? m.addr : PHYS_TOP;
        uint64_t e = m.len > PHYS_TOP - s ? PHYS_TOP : s + m.len;
        printf("  %010llx..%010llx type %u\n", (unsigned long long)m.addr,
               (unsigned long long)(m.addr + m.len), m.type);
        if (m.size < MB_ENTRY_BODY)
            return false;
        /* seL4 (x86 boot_sys.c parse_mem_map) takes an available entry
         * as RAM only if it starts at or above 1 MiB; the rest of the
         * low megabyte becomes device untypeds. */
        if (m.type == MB_RAM && m.addr >= HIGHMEM)
            set_add(&map_ram, (s + PAGE - 1) & ~(PAGE - 1), e & ~(PAGE - 1));
        else
            set_add(&other, s & ~(PAGE - 1), (e + PAGE - 1) & ~(PAGE - 1));
        off += sizeof(m.size) + m.size;
    }
    set_normalise(&map_ram);
    set_normalise(&other);
    set_subtract(&map_ram, &other, &usable);
    set_add(&above, WINDOW_TOP, PHYS_TOP);
    set_subtract(&usable, &above, &map_ram);
    return true;
}

static void test_read_map(void)
{
    TEST_BEGIN("boot/mmap_chunk_readable");
    EXPECT_TRUE(read_map());
    TEST_END();
}

static void read_reserved(void)
{
    const chunk_t *c = find_chunk(BI_CHUNK_KERNEL_RESERVED);

    printf("boot: kernel-reserved ranges (chunk 0x41):\n");
    for (uint32_t off = 0; c != NULL && off + sizeof(bi_phys_range_t) <= c->len;
         off += sizeof(bi_phys_range_t)) {
        bi_phys_range_t r;
        memcpy(&r, c->data + off, sizeof(r));
        printf("  %08x..%08llx (%u KiB)\n", r.base, (unsigned long long)r.base + r.size,
               (unsigned)(r.size / KIB));
        set_add(&reserved, r.base, (uint64_t)r.base + r.size);
    }
    set_normalise(&reserved);
}

static void read_untypeds(void)
{
    uint32_t n = bi->untyped.end - bi->untyped.start;

    TEST_BEGIN("boot/untypeds_well_formed");
    EXPECT_LE(n, BOOTINFO_MAX_UNTYPED_CAPS);
    if (n > BOOTINFO_MAX_UNTYPED_CAPS)
        n = BOOTINFO_MAX_UNTYPED_CAPS;
    for (uint32_t i = 0; i < n; i++) {
        const bi_untyped_desc_t *u = &bi->untyped_list[i];
        uint64_t s = u->paddr, e = s + (1ull << u->size_bits);
        EXPECT_GE(u->size_bits, MIN_UNTYPED_BITS);
        EXPECT_LE(u->size_bits, MAX_UNTYPED_BITS);
        EXPECT_EQ(s & ((1ull << u->size_bits) - 1), 0);
        EXPECT_LE(e, PHYS_TOP);
        set_add(u->is_device ? &ut_dev : &ut_ram, s, e);
    }
    /* No byte in two untypeds: the sum of sizes equals the merged size. */
    static set_t all;
    uint64_t sum_ram = set_bytes(&ut_ram), sum_dev = set_bytes(&ut_dev);
    all = ut_ram;
    for (uint32_t i = 0; i < ut_dev.n; i++)
        set_add(&all, ut_dev.r[i].s, ut_dev.r[i].e);
    uint64_t sum_all = set_bytes(&all);
    set_normalise(&ut_ram);
    set_normalise(&ut_dev);
    set_normalise(&all);
    EXPECT_EQ(set_bytes(&ut_ram), sum_ram);
    EXPECT_EQ(set_bytes(&ut_dev), sum_dev);
    EXPECT_EQ(set_bytes(&all), sum_all);
    TEST_END();
}

/* ---- the checks ---- */

static void report_first_difference(const set_t *want, const set_t *got)
{
    static set_t missing, extra;

    set_subtract(want, got, &missing);
    set_subtract(got, want, &extra);
    if (missing.n > 0)
        rt_test_fail(__FILE__, __LINE__, "RAM %llx..%llx is in no untyped (%llu bytes in %u gaps)",
                     (unsigned long long)missing.r[0].s, (unsigned long long)missing.r[0].e,
                     (unsigned long long)set_bytes(&missing), missing.n);
    if (extra.n > 0)
        rt_test_fail(__FILE__, __LINE__, "untyped RAM %llx..%llx is not free RAM (%llu bytes in %u ranges)",
                     (unsigned long long)extra.r[0].s, (unsigned long long)extra.r[0].e,
                     (unsigned long long)set_bytes(&extra), extra.n);
}

static void test_ram_cover(void)
{
    TEST_BEGIN("boot/untyped_ram_is_map_ram_minus_reserved");
    set_subtract(&map_ram, &reserved, &expected);
    printf("boot: usable RAM %llu KiB in %u regions; reserved %llu KiB; expected untyped RAM "
           "%llu KiB; untyped RAM %llu KiB, device %llu KiB, in %u untypeds\n",
           (unsigned long long)(set_bytes(&map_ram) / KIB), map_ram.n,
           (unsigned long long)(set_bytes(&reserved) / KIB),
           (unsigned long long)(set_bytes(&expected) / KIB),
           (unsigned long long)(set_bytes(&ut_ram) / KIB),
           (unsigned long long)(set_bytes(&ut_dev) / KIB),
           bi->untyped.end - bi->untyped.start);
    EXPECT_GT(set_bytes(&expected), 0);
    report_first_difference(&expected, &ut_ram);
    TEST_END();
}

static void test_no_overlaps(void)
{
    uint32_t j;
    int i;

    TEST_BEGIN("boot/device_untypeds_avoid_ram");
    i = set_first_overlap(&ut_dev, &map_ram, &j);
    if (i >= 0)
        rt_test_fail(__FILE__, __LINE__, "device untyped %llx..%llx overlaps RAM %llx..%llx",
                     (unsigned long long)ut_dev.r[i].s, (unsigned long long)ut_dev.r[i].e,
                     (unsigned long long)map_ram.r[j].s, (unsigned long long)map_ram.r[j].e);
    TEST_END();

    TEST_BEGIN("boot/untypeds_avoid_kernel_reserved");
    i = set_first_overlap(&ut_ram, &reserved, &j);
    if (i < 0)
        i = set_first_overlap(&ut_dev, &reserved, &j);
    if (i >= 0)
        rt_test_fail(__FILE__, __LINE__, "an untyped overlaps reserved %llx..%llx",
                     (unsigned long long)reserved.r[j].s, (unsigned long long)reserved.r[j].e);
    TEST_END();
}

/* seL4 hands the whole low megabyte out as device untypeds (its RAM is
 * not RAM to seL4), so a program can map the BIOS data area and EBDA. */
static void test_low_megabyte(void)
{
    static set_t low, want, missing;

    TEST_BEGIN("boot/low_megabyte_is_device_untyped");
    set_add(&low, 0, HIGHMEM);
    set_subtract(&low, &reserved, &want);
    set_subtract(&want, &ut_dev, &missing);
    if (missing.n > 0)
        rt_test_fail(__FILE__, __LINE__, "low memory %llx..%llx is in no device untyped",
                     (unsigned long long)missing.r[0].s, (unsigned long long)missing.r[0].e);
    TEST_END();
}

/* Chunk 6 exists exactly when a later module is a device tree. */
static void test_fdt_chunk(void)
{
    const chunk_t *mods = find_chunk(BI_CHUNK_MODULES);
    const chunk_t *fdt = find_chunk(BI_CHUNK_FDT);
    const bi_module_desc_t *tree = NULL;
    uint32_t count = 0;

    TEST_BEGIN("boot/fdt_module_is_chunk_6");
    if (mods != NULL && mods->len >= sizeof(count)) {
        memcpy(&count, mods->data, sizeof(count));
        ASSERT_TRUE(sizeof(count) + count * sizeof(bi_module_desc_t) <= mods->len);
    }
    for (uint32_t i = 0; i < count && tree == NULL; i++) {
        const bi_module_desc_t *d =
            (const bi_module_desc_t *)(mods->data + sizeof(count)) + i;
        uint32_t magic;
        memcpy(&magic, (const void *)(uintptr_t)d->vaddr, sizeof(magic));
        if (d->size >= sizeof(magic) && magic == FDT_MAGIC_BE)
            tree = d;
    }
    printf("boot: %u module(s) after the root task; device tree: %s; chunk 6: %s\n", count,
           tree ? tree->name : "none", fdt ? "present" : "absent");
    if (tree == NULL) {
        EXPECT_TRUE(fdt == NULL);
    } else {
        ASSERT_TRUE(fdt != NULL);
        EXPECT_EQ(fdt->len, tree->size);
        EXPECT_EQ(memcmp(fdt->data, (const void *)(uintptr_t)tree->vaddr, tree->size), 0);
    }
    TEST_END();
}

int main(bootinfo_t *boot)
{
    bi = boot;
    test_chunks();
    test_map_layout();
    test_read_map();
    read_reserved();
    read_untypeds();
    test_ram_cover();
    test_no_overlaps();
    test_low_megabyte();
    test_fdt_chunk();
    tests_done();
}
