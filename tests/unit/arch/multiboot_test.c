/* unit-test-sources: arch/ia32/multiboot.c */
/*
 * The multiboot-information parser on hand-made boot information: a
 * memory map as QEMU's SeaBIOS reports it, odd maps (reserved ranges
 * inside RAM, partial pages, RAM above 4 GiB, entries with broken size
 * fields, too little RAM, too many regions) and broken module lists, each
 * with the message the boot panic shows.
 *
 * Physical memory is a 64 KiB buffer: the information at 0, the map at
 * MMAP_AT, the module list at MODS_AT and names at NAMES_AT. A read
 * outside it fails, as a read outside the kernel window does.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <arch/multiboot.h>

#define MEM_SIZE    0x10000u
#define MMAP_AT     0x1000u
#define MODS_AT     0x3000u
#define NAMES_AT    0x4000u
#define KERNEL_S    0x100000u
#define KERNEL_E    0x180000u
#define LIMIT       0x20000000u
#define MIB         (1ull << 20)
#define GIB         (1ull << 30)

static uint8_t mem[MEM_SIZE];
static arch_boot_info_t bi;
static char err[MB_ERROR_LEN];
static uint32_t n_entries, n_mods, names_used;

static const void *read_mem(void *ctx, paddr_t p, word_t len)
{
    (void)ctx;
    return p <= MEM_SIZE && len <= MEM_SIZE - p ? mem + p : NULL;
}

static multiboot_info_t *info(void) { return (multiboot_info_t *)mem; }

static void reset(void)
{
    memset(mem, 0, sizeof(mem));
    n_entries = n_mods = names_used = 0;
    info()->flags = MB_FLAG_MEM | MB_FLAG_MODS | MB_FLAG_MMAP;
    info()->mmap_addr = MMAP_AT;
    info()->mods_addr = MODS_AT;
}

static void entry(uint64_t addr, uint64_t len, uint32_t type)
{
    multiboot_mmap_t e = { 20, addr, len, type };
    memcpy(mem + MMAP_AT + n_entries * sizeof(e), &e, sizeof(e));
    n_entries++;
    info()->mmap_length = n_entries * sizeof(e);
}

static void module(uint32_t start, uint32_t end, const char *name)
{
    multiboot_module_t m = { start, end, 0, 0 };
    if (name != NULL) {
        m.string = NAMES_AT + names_used;
        memcpy(mem + m.string, name, strlen(name) + 1);
        names_used += strlen(name) + 1;
    }
    memcpy(mem + MODS_AT + n_mods * sizeof(m), &m, sizeof(m));
    n_mods++;
    info()->mods_count = n_mods;
}

/* SeaBIOS's e820 map for -m 128M, and the root task and a second module. */
static void qemu_128m(void)
{
    reset();
    entry(0, 0x9fc00, 1);
    entry(0x9fc00, 0x400, 2);
    entry(0xf0000, 0x10000, 2);
    entry(0x100000, 0x7ee0000, 1);
    entry(0x7fe0000, 0x20000, 2);
    entry(0xfffc0000, 0x40000, 2);
    module(0x200000, 0x23a123, "build/tests/system/boot.elf");
    module(0x23b000, 0x23c000, "tree.dtb");
}

static const char *parse(void)
{
    mb_source_t src = { read_mem, NULL, 0, KERNEL_S, KERNEL_E, LIMIT };
    return multiboot_parse(&src, &bi, err);
}

#define assert_ram(i, s, e) \
    do { \
        assert_int_equal(bi.ram[i].start, (s)); \
        assert_int_equal(bi.ram[i].end, (e)); \
    } while (0)

#define assert_refused(msg) \
    do { \
        const char *e_ = parse(); \
        assert_non_null(e_); \
        assert_string_equal(e_, (msg)); \
    } while (0)

static void qemu_map(void **state)
{
    (void)state;
    qemu_128m();
    assert_null(parse());
    assert_int_equal(bi.n_ram, 1);          /* below 1 MiB is not RAM (seL4 HIGHMEM_PADDR) */
    assert_ram(0, 0x100000, 0x7fe0000);
    assert_int_equal(bi.mmap_len, 6 * sizeof(multiboot_mmap_t));
    assert_memory_equal(bi.mmap, mem + MMAP_AT, bi.mmap_len);
    assert_int_equal(bi.n_modules, 2);
    assert_int_equal(bi.modules[0].start, 0x200000);
    assert_int_equal(bi.modules[0].end, 0x23a123);
    assert_string_equal(bi.modules[0].name, "build/tests/system/boot.elf");
    assert_string_equal(bi.modules[1].name, "tree.dtb");
}

static void mmap_next_walks_entries(void **state)
{
    multiboot_mmap_t e;
    word_t off = 0, n = 0;

    (void)state;
    qemu_128m();
    assert_null(parse());
    while (multiboot_mmap_next(bi.mmap, bi.mmap_len, &off, &e))
        n++;
    assert_int_equal(n, 6);
    assert_int_equal(e.addr, 0xfffc0000);
}

static void reserved_inside_ram_wins(void **state)
{
    (void)state;
    reset();
    entry(0x100000, 16 * MIB, 1);
    entry(0x800800, 0x100, 2);              /* touches one page: 0x800000..0x801000 */
    entry(0x1000000, 0x200000, 3);          /* ACPI at the end of the RAM entry */
    module(0x200000, 0x210000, NULL);
    assert_null(parse());
    assert_int_equal(bi.n_ram, 2);
    assert_ram(0, 0x100000, 0x800000);
    assert_ram(1, 0x801000, 0x1000000);
}

static void overlapping_and_touching_ram_merge(void **state)
{
    (void)state;
    reset();
    entry(0x400000, 4 * MIB, 1);
    entry(0x100000, 4 * MIB, 1);            /* overlaps the first */
    entry(0x800000, 2 * MIB, 1);            /* touches it */
    entry(0x100, 0x1e00, 1);                /* no whole page */
    module(0x200000, 0x210000, NULL);
    assert_null(parse());
    assert_int_equal(bi.n_ram, 1);
    assert_ram(0, 0x100000, 0xa00000);
}

static void memory_above_4g(void **state)
{
    (void)state;
    reset();
    entry(0x100000, 16 * MIB, 1);
    entry(0xffe00000, 4 * MIB, 1);          /* crosses 4 GiB: cut there */
    entry(4 * GIB, GIB, 1);                 /* above: unreachable without PAE */
    entry(0xfffffffffffff000ull, 0x2000, 2);    /* end wraps past 2^64 */
    module(0x200000, 0x210000, NULL);
    assert_null(parse());
    assert_int_equal(bi.n_ram, 2);
    assert_ram(1, 0xffe00000, 4 * GIB);
}

static void too_little_ram(void **state)
{
    (void)state;
    reset();
    entry(0, 0x9fc00, 1);                   /* below 1 MiB: not counted */
    entry(0x100000, 3 * MIB, 1);
    module(0x200000, 0x210000, NULL);
    assert_refused("only 3072 KiB of usable RAM; at least 4096 KiB are needed");
}

/* The map's 1024 bytes hold 42 entries, fewer than BOOT_MAX_REGIONS, so
 * even the most fragmented map fits the region list. */
static void most_fragmented_map(void **state)
{
    uint32_t n = BOOT_MMAP_MAX_BYTES / sizeof(multiboot_mmap_t);

    (void)state;
    reset();
    entry(0x100000, GIB, 1);
    for (uint32_t i = 1; i < n; i++)
        entry(0x100000 + i * 2 * MIB, MIB, 2);
    module(0x200000, 0x210000, NULL);
    assert_null(parse());
    assert_int_equal(bi.n_ram, n);
    assert_ram(0, 0x100000, 0x300000);
    assert_ram(1, 0x400000, 0x500000);
}

static void broken_map(void **state)
{
    (void)state;
    qemu_128m();
    info()->flags &= ~MB_FLAG_MMAP;
    assert_refused("the loader passed no memory map (multiboot flag 6 is clear)");
    qemu_128m();
    info()->mmap_length = 0;
    assert_refused("the multiboot memory map is empty");
    qemu_128m();
    info()->mmap_length = 4096;
    assert_refused("the multiboot memory map is too large (4096 bytes, at most 1024)");
    qemu_128m();
    info()->mmap_addr = MEM_SIZE - 8;
    assert_refused("the multiboot memory map at 0xfff8 (144 bytes) cannot be read");
    qemu_128m();
    info()->mmap_length -= 4;               /* last entry cut short */
    assert_refused("memory map: entry 5 at byte 120 is truncated");
}

static void bad_entry_sizes(void **state)
{
    uint32_t size;

    (void)state;
    /* A size of 2^32 - 4 used to make the walk add 0 and spin forever. */
    qemu_128m();
    size = 0xfffffffcu;
    memcpy(mem + MMAP_AT + 2 * sizeof(multiboot_mmap_t), &size, 4);
    assert_refused("memory map: entry 2 has a bad size field (4294967292)");
    qemu_128m();
    size = 12;
    memcpy(mem + MMAP_AT, &size, 4);
    assert_refused("memory map: entry 0 has a bad size field (12)");
    /* Longer entries (a loader's extra fields) are stepped over. */
    reset();
    multiboot_mmap_t e = { 28, 0x100000, 16 * MIB, 1 };
    memcpy(mem + MMAP_AT, &e, sizeof(e));
    info()->mmap_length = 32;
    module(0x200000, 0x210000, NULL);
    assert_null(parse());
    assert_ram(0, 0x100000, 0x1100000);
}

static void missing_modules(void **state)
{
    (void)state;
    qemu_128m();
    info()->flags &= ~MB_FLAG_MODS;
    assert_refused("no boot modules: the first module must be the root task ELF");
    qemu_128m();
    info()->mods_count = 0;
    assert_refused("no boot modules: the first module must be the root task ELF");
    qemu_128m();
    info()->mods_count = BOOT_MAX_MODULES + 1;
    assert_refused("17 boot modules, at most 16 are supported");
    qemu_128m();
    info()->mods_addr = 0x7fffffff;
    assert_refused("the module list at 0x7fffffff (2 entries) cannot be read");
}

static void bad_module_ranges(void **state)
{
    (void)state;
    qemu_128m();
    module(0x300000, 0x2ff000, NULL);
    assert_refused("module 2 ends (0x2ff000) before it starts");
    qemu_128m();
    module(0x1ffff000, 0x20001000, NULL);
    assert_refused("module 2 ends at 0x20001000, beyond the memory the kernel can read");
    qemu_128m();
    module(0x170000, 0x190000, NULL);
    assert_refused("module 2 at 0x170000 overlaps the kernel image");
    qemu_128m();
    module(0x23a000, 0x23b000, NULL);       /* shares bytes 0x23a000..0x23a123 with module 0 */
    assert_refused("modules 0 and 2 overlap");
    /* Touching is not overlapping; an empty module overlaps nothing. */
    qemu_128m();
    module(0x23c000, 0x23d000, "");
    module(0x150000, 0x150000, NULL);
    assert_null(parse());
    assert_int_equal(bi.n_modules, 4);
}

static void module_names(void **state)
{
    char long_name[100];

    (void)state;
    qemu_128m();
    multiboot_module_t m;
    memcpy(&m, mem + MODS_AT + sizeof(m), sizeof(m));
    m.string = MEM_SIZE - 3;                /* runs off the end before its NUL */
    memset(mem + MEM_SIZE - 3, 'x', 3);
    memcpy(mem + MODS_AT + sizeof(m), &m, sizeof(m));
    assert_refused("module 1: its name at 0xfffd cannot be read");
    qemu_128m();
    memset(long_name, 'n', sizeof(long_name) - 1);
    long_name[sizeof(long_name) - 1] = '\0';
    module(0x300000, 0x301000, long_name);
    assert_null(parse());
    assert_int_equal(strlen(bi.modules[2].name), MB_NAME_MAX);
}

static void unreadable_info(void **state)
{
    mb_source_t src = { read_mem, NULL, MEM_SIZE - 10, KERNEL_S, KERNEL_E, LIMIT };

    (void)state;
    qemu_128m();
    assert_ptr_equal(multiboot_parse(&src, &bi, err), err);
    assert_string_equal(err, "the multiboot information at 0xfff6 cannot be read");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(qemu_map),
        cmocka_unit_test(mmap_next_walks_entries),
        cmocka_unit_test(reserved_inside_ram_wins),
        cmocka_unit_test(overlapping_and_touching_ram_merge),
        cmocka_unit_test(memory_above_4g),
        cmocka_unit_test(too_little_ram),
        cmocka_unit_test(most_fragmented_map),
        cmocka_unit_test(broken_map),
        cmocka_unit_test(bad_entry_sizes),
        cmocka_unit_test(missing_modules),
        cmocka_unit_test(bad_module_ranges),
        cmocka_unit_test(module_names),
        cmocka_unit_test(unreadable_info),
    };
    return cmocka_run_group_tests_name("multiboot", tests, NULL, NULL);
}
