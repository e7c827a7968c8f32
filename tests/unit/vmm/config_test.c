/* unit-test-sources: vmm/config.c lib/elf.c tests/unit/vmm/read_file.c */
/*
 * vmm_config_read() on the host, with the real trees and modules the build
 * makes (run from the repository root, after `make vmm`):
 *
 * - the default configuration is accepted and read into exactly the values
 *   its .dts says;
 * - every row of tests/vmm/refusals.tsv (a tree, and the node, property and
 *   message prefix it must be refused with; '*' in it stands for any run of
 *   characters) is one test case;
 * - every truncation of a good tree is refused, never read past its end
 *   (AddressSanitizer watches).
 *
 * The machine the trees are checked against: the guest stub and the
 * broken modules of tools/vmm-test-modules.py, 64 MiB free, the VMM at
 * priority 255.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "read_file.h"
#include <vmm/config.h>

#define TABLE           "tests/vmm/refusals.tsv"
#define BUILD_DIR       "build/tests/vmm/"
#define DEFAULT_DTB     "build/vmm/examples/default.dtb"
#define GUEST_ELF       "build/guest-stub/guest-stub.elf"
#define FREE_BYTES      (64ull << 20)
#define VMM_PRIO        255u
#define MAX_ROWS        128
#define FIELD           160
#define KIB             1024ull
#define MIB             (1024ull * 1024ull)

static const char *const module_files[] = {
    GUEST_ELF,
    BUILD_DIR "modules/truncated.elf",
    BUILD_DIR "modules/kernel-space.elf",
    BUILD_DIR "modules/overlap.elf",
    BUILD_DIR "modules/64bit.elf",
    BUILD_DIR "modules/rootfs.cpio",
};
#define N_MODULES (sizeof(module_files) / sizeof(module_files[0]))

typedef struct row {
    char config[FIELD], node[FIELD], property[FIELD], message[FIELD], qemu[8];
} row_t;

static vmm_module_t modules[N_MODULES];
static row_t rows[MAX_ROWS];

static void load_modules(void)
{
    for (size_t i = 0; i < N_MODULES; i++) {
        const char *slash = strrchr(module_files[i], '/');
        snprintf(modules[i].name, sizeof(modules[i].name), "%s", slash + 1);
        modules[i].data = read_file(module_files[i], &modules[i].size);
    }
}

static vmm_machine_t machine(void)
{
    return (vmm_machine_t){ modules, N_MODULES, FREE_BYTES, VMM_PRIO };
}

/* ---- the default configuration ----------------------------------------- */

static void default_accepted(void **state)
{
    uint32_t size;
    uint8_t *dtb = read_file(DEFAULT_DTB, &size);
    vmm_machine_t m = machine();
    vmm_config_t cfg;
    vmm_config_error_t err;

    (void)state;
    if (!vmm_config_read(dtb, size, &m, &cfg, &err))
        fail_msg("refused: %s: %s: %s", err.node, err.property, err.message);
    assert_int_equal(cfg.n_guests, 2);
    assert_string_equal(cfg.guest[0].name, "web");
    assert_int_equal(cfg.guest[0].policy, VMM_POLICY_DELEGATED);
    assert_int_equal(cfg.guest[0].memory, 4 * MIB);
    assert_int_equal(cfg.guest[0].memory_min, 2 * MIB);
    assert_int_equal(cfg.guest[0].memory_max, 8 * MIB);
    assert_int_equal(cfg.guest[0].priority, 100);
    assert_string_equal(cfg.guest[0].bootargs, "test=hello");
    assert_ptr_equal(cfg.guest[0].kernel, &modules[0]);
    assert_null(cfg.guest[0].initrd);
    assert_string_equal(cfg.guest[1].name, "db");
    assert_int_equal(cfg.guest[1].policy, VMM_POLICY_MEDIATED);
    assert_int_equal(cfg.guest[1].memory_min, 4 * MIB);
    assert_int_equal(cfg.guest[1].memory_max, 4 * MIB);
    assert_int_equal(cfg.n_channels, 2);
    assert_int_equal(cfg.channel[0].kind, VMM_CHANNEL_SHM);
    assert_int_equal(cfg.channel[0].guest[0], 0);
    assert_int_equal(cfg.channel[0].guest[1], 1);
    assert_true(cfg.channel[0].writable[0]);
    assert_false(cfg.channel[0].writable[1]);
    assert_int_equal(cfg.channel[0].size, 4 * KIB);
    assert_int_equal(cfg.channel[1].kind, VMM_CHANNEL_ENDPOINT);
    assert_int_equal(cfg.channel[1].guest[0], 0);
    assert_int_equal(cfg.channel[1].guest[1], 1);
    assert_int_equal(cfg.n_devices, 1);
    assert_string_equal(cfg.device[0].name, "com2");
    assert_int_equal(cfg.device[0].guest, 0);
    assert_int_equal(cfg.device[0].n_ranges, 1);
    assert_int_equal(cfg.device[0].range[0].base, 0x2f8);
    assert_int_equal(cfg.device[0].range[0].count, 8);
    assert_int_equal(cfg.device[0].n_irqs, 0);
    assert_int_equal(cfg.bytes_needed, 8 * MIB + 2 * VMM_GUEST_OVERHEAD + 4 * KIB +
                     VMM_MEDIATED_OVERHEAD +
                     2 * (cfg.guest[0].image.highest - cfg.guest[0].image.lowest));
    assert_int_equal(vmm_guest_cost(&cfg.guest[0]), 4 * MIB + VMM_GUEST_OVERHEAD +
                     cfg.guest[0].image.highest - cfg.guest[0].image.lowest);
    assert_int_equal(vmm_guest_cost(&cfg.guest[1]), 4 * MIB + VMM_GUEST_OVERHEAD +
                     VMM_MEDIATED_OVERHEAD + cfg.guest[1].image.highest -
                     cfg.guest[1].image.lowest);
    free(dtb);
}

/* The same tree on a machine one page too small: refused, naming the bytes. */
static void default_one_page_short(void **state)
{
    uint32_t size;
    uint8_t *dtb = read_file(DEFAULT_DTB, &size);
    vmm_machine_t m = machine();
    vmm_config_t cfg;
    vmm_config_error_t err;
    uint64_t need;
    char want[VMM_MESSAGE_MAX];

    (void)state;
    assert_true(vmm_config_read(dtb, size, &m, &cfg, &err));
    need = cfg.bytes_needed;
    m.free_bytes = need;
    assert_true(vmm_config_read(dtb, size, &m, &cfg, &err));
    m.free_bytes = need - 4 * KIB;
    assert_false(vmm_config_read(dtb, size, &m, &cfg, &err));
    assert_string_equal(err.node, "/guests");
    assert_string_equal(err.property, "memory");
    snprintf(want, sizeof(want), "guests need %llu KiB, %llu KiB is free",
             (unsigned long long)(need / KIB), (unsigned long long)(need / KIB - 4));
    assert_string_equal(err.message, want);
    free(dtb);
}

/* Every proper prefix of a good tree is refused, and nothing is read past
 * the prefix (the prefix is copied into a buffer of exactly its size). */
static void every_truncation_refused(void **state)
{
    uint32_t size;
    uint8_t *dtb = read_file(DEFAULT_DTB, &size);
    vmm_machine_t m = machine();
    vmm_config_t cfg;
    vmm_config_error_t err;

    (void)state;
    for (uint32_t n = 0; n < size; n++) {
        uint8_t *cut = malloc(n ? n : 1);
        memcpy(cut, dtb, n);
        if (vmm_config_read(cut, n, &m, &cfg, &err))
            fail_msg("a tree cut to %u of %u bytes was accepted", n, size);
        assert_string_equal(err.node, "/");
        free(cut);
    }
    free(dtb);
}

/* ---- the refusal table ------------------------------------------------- */

/* Does text start with pattern, where '*' in the pattern stands for any run? */
static bool starts_like(const char *text, const char *pat)
{
    if (*pat == '\0')
        return true;
    if (*pat == '*') {
        for (const char *t = text;; t++) {
            if (starts_like(t, pat + 1))
                return true;
            if (*t == '\0')
                return false;
        }
    }
    return *text == *pat && starts_like(text + 1, pat + 1);
}

static void refused_as_table_says(void **state)
{
    const row_t *r = *state;
    char path[2 * FIELD];
    uint32_t size;
    uint8_t *dtb;
    vmm_machine_t m = machine();
    vmm_config_t cfg;
    vmm_config_error_t err;

    snprintf(path, sizeof(path), BUILD_DIR "%s", r->config);
    dtb = read_file(path, &size);
    if (vmm_config_read(dtb, size, &m, &cfg, &err))
        fail_msg("%s was accepted", r->config);
    print_message("refused: %s: %s: %s\n", err.node, err.property, err.message);
    assert_string_equal(err.node, r->node);
    assert_string_equal(err.property, strcmp(r->property, "-") == 0 ? "" : r->property);
    if (!starts_like(err.message, r->message))
        fail_msg("message \"%s\" does not start like \"%s\"", err.message, r->message);
    free(dtb);
}

/* Tab-separated: config node property message qemu; '#' lines are comments. */
static size_t read_table(void)
{
    FILE *f = fopen(TABLE, "r");
    char line[4 * FIELD];
    size_t n = 0;

    if (!f) {
        fprintf(stderr, "cannot open %s\n", TABLE);
        exit(1);
    }
    while (fgets(line, sizeof(line), f) && n < MAX_ROWS) {
        row_t *r = &rows[n];
        if (line[0] == '#' || line[0] == '\n')
            continue;
        if (sscanf(line, "%159[^\t]\t%159[^\t]\t%159[^\t]\t%159[^\t]\t%7s", r->config, r->node,
                   r->property, r->message, r->qemu) != 5) {
            fprintf(stderr, "%s: bad line: %s", TABLE, line);
            exit(1);
        }
        n++;
    }
    fclose(f);
    return n;
}

int main(void)
{
    static struct CMUnitTest table[MAX_ROWS];
    const struct CMUnitTest fixed[] = {
        cmocka_unit_test(default_accepted),
        cmocka_unit_test(default_one_page_short),
        cmocka_unit_test(every_truncation_refused),
    };
    size_t n = read_table();
    int failed;

    load_modules();
    for (size_t i = 0; i < n; i++)
        table[i] = (struct CMUnitTest){ .name = rows[i].config,
                                        .test_func = refused_as_table_says,
                                        .initial_state = &rows[i] };
    failed = cmocka_run_group_tests_name("vmm_config", fixed, NULL, NULL);
    failed += _cmocka_run_group_tests("vmm_config_refusals", table, n, NULL, NULL);
    return failed;
}
