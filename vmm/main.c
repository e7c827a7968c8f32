/*
 * The VMM, the root task: it reads the partition configuration (a device
 * tree among the boot modules), validates all of it against the machine
 * before it builds anything, and either builds every guest or none. A
 * refused configuration is reported in one line, "vmm: configuration
 * refused: <node>: <property>: <what is wrong>", and the machine halts
 * cleanly (DebugHalt), so the refusal is the whole outcome of the boot.
 */
#include <rt/rt.h>
#include <sel4/sel4.h>
#include <stdio.h>
#include <vmm/boot.h>
#include <vmm/audit.h>
#include <vmm/config.h>
#include <vmm/isolation_plan.h>
#include <vmm/lifecycle.h>
#include <vmm/plan.h>
#include <vmm/serve.h>
#include <vmm/tsc.h>

/* The root thread's priority (docs/runtime.md): guests must run below it. */
#define VMM_PRIORITY    255u
#define MIB_SHIFT       20

static void report_refusal(const vmm_config_error_t *e)
{
    printf("vmm: configuration refused: %s: %s%s%s\n", e->node, e->property,
           e->property[0] ? ": " : "", e->message);
    printf("vmm: no guest was built\n");
}

static void print_plan(const vmm_config_t *cfg, uint64_t free_bytes)
{
    printf("vmm: configuration '%s': %u guest%s, %u channel%s, %u device%s\n", cfg->model,
           cfg->n_guests, cfg->n_guests == 1 ? "" : "s", cfg->n_channels,
           cfg->n_channels == 1 ? "" : "s", cfg->n_devices, cfg->n_devices == 1 ? "" : "s");
    printf("%-12s %-12s %4s %10s  %s\n", "guest", "policy", "prio", "memory", "kernel");
    for (uint32_t i = 0; i < cfg->n_guests; i++) {
        const vmm_guest_t *g = &cfg->guest[i];
        printf("%-12s %-12s %4u %7llu KiB  %s, entry 0x%08x\n", g->name,
               vmm_policy_name(g->policy), g->priority, (unsigned long long)(g->memory >> 10),
               g->kernel->name, g->image.entry);
    }
    printf("vmm: guests need %llu KiB of %llu KiB free\n",
           (unsigned long long)(cfg->bytes_needed >> 10), (unsigned long long)(free_bytes >> 10));
}

static void emit_nothing(void *ctx, const char *text)
{
    (void)ctx;
    (void)text;
}

static void emit_console(void *ctx, const char *text)
{
    (void)ctx;
    printf("%s", text);
}

/* The isolation check before boot (docs/isolation.md), the function the
 * host tool runs on the same .dtb: the plan of this configuration must
 * have no finding, and every pair of guests must be spatially partitioned
 * with clean devices. If not, its report is printed and the
 * configuration refused. */
static bool isolation_check(const vmm_config_t *cfg, vmm_config_error_t *err)
{
    static vmm_plan_t plan;
    unsigned bad;

    vmm_plan_build(cfg, &plan);
    bad = iso_check_plan(cfg, &plan, &vmm_iso_graph, &vmm_iso_analysis, emit_nothing, NULL);
    if (bad == 0) {
        printf("vmm: isolation check: every pair of guests spatially partitioned, devices "
               "clean\n");
        return true;
    }
    iso_check_plan(cfg, &plan, &vmm_iso_graph, &vmm_iso_analysis, emit_console, NULL);
    snprintf(err->node, sizeof(err->node), "/");
    err->property[0] = '\0';
    snprintf(err->message, sizeof(err->message),
             "isolation check: %u problem%s (above; build/tools/isocheck prints the same)", bad,
             bad == 1 ? "" : "s");
    return false;
}

/* Builds every guest or none, then runs the console script, which serves
 * them (vmm/lifecycle.c). The VMM's state is static: it is large (memmgr's
 * records) and lives as long as the VMM. */
static void run(const vmm_config_t *cfg, uint64_t t_start, uint64_t t_config, uint32_t tsc_mhz)
{
    static vmm_t vmm;
    mm_err_t e = vmm_init(&vmm, cfg);

    vmm.tsc_mhz = tsc_mhz;
    vmm.t_start = t_start;
    vmm.t_config = t_config;
    if (e != ERR_NONE) {
        printf("vmm: cannot take over its own memory (error %d)\n", (int)e);
        return;
    }
    if (!vmm_build_all(&vmm))
        return;
    vmm_run_script(&vmm);
}

int main(bootinfo_t *bi)
{
    uint64_t t_start = vmm_rdtsc(), t_config;
    vmm_module_t mods[VMM_MAX_MODULES];
    vmm_config_t cfg;
    vmm_config_error_t err;
    uint32_t n = vmm_boot_modules(bi, mods);
    const vmm_module_t *conf = vmm_boot_config(mods, n);
    vmm_machine_t machine = { mods, n, vmm_boot_free_bytes(bi), VMM_PRIORITY };

    printf("\nvmm: %u boot module%s, %llu MiB of RAM for guests\n", n, n == 1 ? "" : "s",
           (unsigned long long)(machine.free_bytes >> MIB_SHIFT));
    if (!conf) {
        printf("vmm: no configuration: no boot module is a device tree\n");
        rt_halt();
    }
    printf("vmm: configuration from module '%s' (%u bytes)\n", conf->name, conf->size);
    t_config = vmm_rdtsc();
    if (!vmm_config_read(conf->data, conf->size, &machine, &cfg, &err)) {
        report_refusal(&err);
        rt_halt();
    }
    t_config = vmm_rdtsc() - t_config;
    if (!isolation_check(&cfg, &err)) {
        report_refusal(&err);
        rt_halt();
    }
    print_plan(&cfg, machine.free_bytes);
    printf("vmm: configuration accepted\n");
    run(&cfg, t_start, t_config, vmm_boot_tsc_mhz(bi));
    rt_halt();
}
