/*
 * isocheck: the isolation analysis on the host (docs/isolation.md).
 *
 *     build/tools/isocheck [--module FILE]... [--free-mib N] [--bench N] FILE...
 *
 * Each FILE is a compiled partition configuration (a .dtb: it starts with
 * the device tree magic) or a graph description (vmm/isolation/text.c
 * documents the format; - for standard input).
 *
 * A configuration is read with the VMM's own reader (vmm_config_read(),
 * vmm/config.c, with the --module files as boot modules named by their
 * last path component, and N MiB free for guests, 123 by default: what
 * the VMM finds under QEMU with 128 MiB), planned with the VMM's own
 * vmm_plan_build() and checked with iso_check_plan(), the function the VMM
 * runs at boot before it builds anything. A refusal by the reader is
 * printed as the VMM prints it.
 *
 * Then the same analysis the VMM links (vmm/isolation/) prints the
 * findings and the verdicts for every pair of partitions with the shortest
 * chain of capabilities for each one that fails.
 * --bench N: check each configuration N more times without printing and
 * print "BENCH isocheck_ns_per_cap <ns>" (host time, plan to verdicts,
 * per planned capability; docs/bench/isocheck-results.csv).
 * Exit status: 0 if every partition is clean and every pair spatially
 * partitioned with clean devices (channels are allowed), 1 if not, 2 if a
 * file could not be read or parsed, or the configuration was refused.
 */
#include <vmm/config.h>
#include <vmm/isolation.h>
#include <vmm/isolation_plan.h>
#include <vmm/plan.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MAX_INPUT (16u << 20)   /* above the VMM's largest initrd (8 MiB) */

static void emit(void *ctx, const char *text)
{
    fputs(text, (FILE *)ctx);
}

static char *slurp(const char *path, size_t *len)
{
    FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "r");
    char *buf = f != NULL ? malloc(MAX_INPUT) : NULL;

    if (buf == NULL) {
        if (f != NULL && f != stdin)
            fclose(f);
        return NULL;
    }
    *len = fread(buf, 1, MAX_INPUT, f);
    if (ferror(f) || *len == MAX_INPUT) {
        free(buf);
        buf = NULL;
    }
    if (f != stdin)
        fclose(f);
    return buf;
}

#define FDT_MAGIC       0xd00dfeedu
#define DEFAULT_FREE_MIB 123u

static vmm_module_t modules[VMM_MAX_MODULES];
static uint32_t n_modules;
static uint64_t free_bytes = (uint64_t)DEFAULT_FREE_MIB << 20;
static unsigned bench_runs;

static void emit_nothing(void *ctx, const char *text)
{
    (void)ctx;
    (void)text;
}

static uint64_t now_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* Reading, planning and checking, bench_runs times: ns per planned cap. */
static void bench(const char *dtb, size_t len, const vmm_machine_t *m, iso_graph_t *g,
                  iso_analysis_t *a)
{
    static vmm_config_t cfg;
    static vmm_plan_t plan;
    vmm_config_error_t err;
    uint64_t t = now_ns();

    for (unsigned i = 0; i < bench_runs; i++) {
        vmm_config_read(dtb, (uint32_t)len, m, &cfg, &err);
        vmm_plan_build(&cfg, &plan);
        iso_check_plan(&cfg, &plan, g, a, emit_nothing, NULL);
    }
    t = now_ns() - t;
    printf("BENCH isocheck_ns_per_cap %llu\n",
           (unsigned long long)(t / bench_runs / (plan.n_caps ? plan.n_caps : 1)));
}

static bool is_dtb(const char *text, size_t len)
{
    const uint8_t *b = (const uint8_t *)text;

    return len >= 4 && ((uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 |
                        b[3]) == FDT_MAGIC;
}

static int check_dtb(const char *path, const char *dtb, size_t len, iso_graph_t *g,
                     iso_analysis_t *a)
{
    static vmm_config_t cfg;
    static vmm_plan_t plan;
    vmm_machine_t m = { modules, n_modules, free_bytes, 255 };
    vmm_config_error_t err;

    if (!vmm_config_read(dtb, (uint32_t)len, &m, &cfg, &err)) {
        printf("== %s: configuration refused: %s: %s%s%s\n", path, err.node, err.property,
               err.property[0] ? ": " : "", err.message);
        return 2;
    }
    vmm_plan_build(&cfg, &plan);
    printf("== %s: configuration '%s': %u guests, %u objects, %u capabilities planned\n",
           path, cfg.model, cfg.n_guests, plan.n_objects, plan.n_caps);
    int rc = iso_check_plan(&cfg, &plan, g, a, emit, stdout) == 0 ? 0 : 1;
    if (bench_runs > 0)
        bench(dtb, len, &m, g, a);
    return rc;
}

static int check(const char *path, iso_graph_t *g, iso_analysis_t *a)
{
    char err[128];
    size_t len;
    char *text = slurp(path, &len);

    if (text == NULL) {
        fprintf(stderr, "isocheck: %s: cannot read (or larger than %u bytes)\n", path, MAX_INPUT);
        return 2;
    }
    if (is_dtb(text, len)) {
        int rc = check_dtb(path, text, len, g, a);
        free(text);
        return rc;
    }
    int rc = iso_parse_text(g, text, len, err, sizeof(err));
    free(text);
    if (rc != 0) {
        fprintf(stderr, "isocheck: %s: %s\n", path, err);
        return 2;
    }
    if (iso_analyse(g, a) != 0) {
        fprintf(stderr, "isocheck: %s: the graph does not fit the analysis\n", path);
        return 2;
    }
    printf("== %s: %u entities, %u capabilities\n", path, g->n_entities, g->n_caps);
    return iso_report(g, a, emit, stdout) == 0 ? 0 : 1;
}

int main(int argc, char **argv)
{
    iso_graph_t *g = malloc(sizeof(*g));
    iso_analysis_t *a = malloc(sizeof(*a));
    int worst = 0;

    int first = 1;

    for (; first + 1 < argc; first += 2) {
        if (strcmp(argv[first], "--module") == 0 && n_modules < VMM_MAX_MODULES) {
            vmm_module_t *mod = &modules[n_modules++];
            const char *base = strrchr(argv[first + 1], '/');
            size_t len;
            snprintf(mod->name, sizeof(mod->name), "%s", base ? base + 1 : argv[first + 1]);
            mod->data = (const uint8_t *)slurp(argv[first + 1], &len);
            mod->size = (uint32_t)len;
            if (mod->data == NULL) {
                fprintf(stderr, "isocheck: %s: cannot read\n", argv[first + 1]);
                return 2;
            }
        } else if (strcmp(argv[first], "--bench") == 0) {
            bench_runs = (unsigned)strtoul(argv[first + 1], NULL, 0);
        } else if (strcmp(argv[first], "--free-mib") == 0) {
            free_bytes = strtoull(argv[first + 1], NULL, 0) << 20;
        } else {
            break;
        }
    }
    if (first >= argc) {
        fprintf(stderr, "usage: isocheck [--module FILE]... [--free-mib N] [--bench N] FILE... "
                        "(- for standard input)\n");
        return 2;
    }
    if (g == NULL || a == NULL)
        return 2;
    for (int i = first; i < argc; i++) {
        int rc = check(argv[i], g, a);
        if (rc > worst)
            worst = rc;
    }
    free(g);
    free(a);
    return worst;
}
