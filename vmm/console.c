/*
 * The VMM's console, in the manner of Xen's xl: one command per line.
 *
 *   list                 guests: state, policy, priority, memory granted,
 *                        used and free, the VMM's own objects for it;
 *                        then the VMM's free pool
 *   info <guest>         one guest in detail
 *   destroy <guest>      stop it and give back every byte it had
 *   restart <guest>      destroy (if needed) and build it again from its image
 *   stats                the VMM's memory by category (memmgr's accounting)
 *   console <guest>      what is typed goes to the guest until Ctrl-]
 *                        (interactive console only; vmm/input.c)
 *   wait                 serve the guests until none runs (or Ctrl-])
 *   help                 this list
 *   bench                the VMM's own benchmark figures as BENCH lines
 *   bench-destroy <g>    destroy, printing BENCH guest_destroy_per_mib
 *   bench-audit          the audit timed, printing BENCH audit_full and
 *                        audit_per_cap (vmm/audit.c)
 *   bench-done           BENCH DONE (the benchmark harness stops here)
 *
 *   audit                the isolation analysis of the live capabilities:
 *                        findings, verdicts per pair, chains (vmm/audit.c)
 *   digest <guest>       one SHA-256 of every frame the guest has, read by
 *                        the VMM from its live capabilities (vmm/digest.c)
 *   digest-frames <g>    the same, listing each frame first
 *   interactive          read commands from COM1 until `quit` (vmm/serial.c)
 *
 * A test build of the VMM (build/vmm-unsafe/vmm.elf, -DVMM_UNSAFE_TEST=1,
 * mk/isolation.mk) adds, for the isolation tests only:
 *
 *   unsafe-grant <guest> <other>   copy <other>'s CNode capability into
 *                        <guest>'s CSpace (slot VMM_SLOT_UNSAFE): a
 *                        forbidden capability given at run time, which
 *                        the live audit must report and the check before
 *                        boot cannot see (tools/run-isolation-agreement.py)
 *
 * Commands come from the
 * configuration's `console-script` (docs/configuration.md), which may end
 * in `interactive`.
 *
 * Memory "used" is known exactly for a mediated guest (the VMM makes its
 * objects); a delegated guest retypes its untypeds itself, and the kernel
 * offers no way to ask how far, so `list` shows what the guest last said
 * (VMM_CALL_USAGE), marked `*` as its claim, or "-" if it said nothing.
 */
#include <vmm/audit.h>
#include <vmm/console.h>
#include <vmm/input.h>
#include <vmm/digest.h>
#include <vmm/mediate.h>
#include <vmm/serve.h>
#include <vmm/tsc.h>
#include <sel4/sel4.h>
#include <stdio.h>
#include <string.h>

#define KIB_SHIFT 10

static const char *const state_names[] = {
    [DOMAIN_EMPTY] = "destroyed", [DOMAIN_RUNNING] = "running",
    [DOMAIN_EXITED] = "exited", [DOMAIN_CRASHED] = "crashed",
};

static int find_guest(const vmm_t *v, const char *name)
{
    for (uint32_t i = 0; i < v->cfg->n_guests; i++)
        if (strcmp(v->cfg->guest[i].name, name) == 0)
            return (int)i;
    printf("vmm: no guest named '%s'\n", name);
    return -1;
}

static void list_one(const vmm_t *v, uint32_t i)
{
    const vmm_domain_t *d = &v->dom[i];
    const vmm_guest_t *g = &v->cfg->guest[i];
    bool built = d->state != DOMAIN_EMPTY;
    char used[24] = "-", left[24] = "-";

    if (built && g->policy == VMM_POLICY_MEDIATED) {
        uint64_t u = mediate_used(d);
        snprintf(used, sizeof(used), "%llu", (unsigned long long)(u >> KIB_SHIFT));
        snprintf(left, sizeof(left), "%llu", (unsigned long long)((d->granted - u) >> KIB_SHIFT));
    } else if (built && d->claimed) {
        snprintf(used, sizeof(used), "%u*", d->claim_used >> KIB_SHIFT);
        snprintf(left, sizeof(left), "%u*", d->claim_free >> KIB_SHIFT);
    }
    printf("%-10s %-9s %-11s %4u %9llu %9s %9s %9llu\n", g->name, state_names[d->state],
           vmm_policy_name(g->policy), g->priority,
           (unsigned long long)(d->granted >> KIB_SHIFT), used, left,
           (unsigned long long)(d->vmm_bytes >> KIB_SHIFT));
}

static void cmd_list(vmm_t *v)
{
    printf("%-10s %-9s %-11s %4s %9s %9s %9s %9s\n", "guest", "state", "policy", "prio",
           "granted", "used", "free", "vmm-side");
    for (uint32_t i = 0; i < v->cfg->n_guests; i++)
        list_one(v, i);
    printf("(KiB; * the guest's own claim) vmm free pool: %llu KiB\n",
           (unsigned long long)(vmm_free_bytes(v) >> KIB_SHIFT));
}

static void cmd_info(vmm_t *v, int i)
{
    const vmm_domain_t *d = &v->dom[i];
    const vmm_guest_t *g = &v->cfg->guest[i];

    printf("guest %s: %s, policy %s, priority %u\n", g->name, state_names[d->state],
           vmm_policy_name(g->policy), g->priority);
    printf("  kernel %s (entry 0x%08x, %u segments), initrd %s, bootargs \"%s\"\n",
           g->kernel->name, g->image.entry, g->image.n_segments,
           g->initrd ? g->initrd->name : "-", g->bootargs);
    printf("  memory %llu KiB (min %llu, max %llu) in %u untyped(s); %u frames of image and "
           "boot pages\n", (unsigned long long)(g->memory >> KIB_SHIFT),
           (unsigned long long)(g->memory_min >> KIB_SHIFT),
           (unsigned long long)(g->memory_max >> KIB_SHIFT), d->n_uts, d->n_frames);
    if (d->claimed)
        printf("  says it uses %u bytes and has %u free (its claim)\n", d->claim_used,
               d->claim_free);
    if (d->input_dropped)
        printf("  %u bytes of console input dropped (its ring was full)\n", d->input_dropped);
    if (d->state == DOMAIN_EXITED)
        printf("  exited with status %d\n", d->exit_status);
}

static void cmd_console(vmm_t *v, int i)
{
    const char *name = v->cfg->guest[i].name;

    if (!v->in_open) {
        printf("vmm: console needs the interactive console (it reads COM1)\n");
        return;
    }
    if (v->dom[i].state != DOMAIN_RUNNING) {
        printf("vmm: guest '%s' is not running\n", name);
        return;
    }
    printf("vmm: console of '%s': input goes to it; Ctrl-] returns to the VMM\n", name);
    if (vmm_input_attach(v, &v->dom[i]))
        printf("vmm: console returned to the VMM\n");
    else
        printf("vmm: console returned to the VMM: guest '%s' stopped\n", name);
}

static void cmd_wait(vmm_t *v)
{
    vmm_serve(v);
    if (vmm_any_running(v))
        printf("vmm: stopped waiting (Ctrl-]); guests run on\n");
}

static void cmd_stats(vmm_t *v)
{
    const struct mm_stats *s = mm_stats(&v->mm);

    printf("vmm: held %llu free %llu dead %llu cspace %llu, %u objects live, %u retypes\n",
           (unsigned long long)s->held, (unsigned long long)s->free,
           (unsigned long long)s->dead, (unsigned long long)s->cspace, s->objects_live,
           s->retypes);
    printf("vmm: free pool %llu bytes\n", (unsigned long long)vmm_free_bytes(v));
}

static void cmd_help(void)
{
    printf("commands: list | info <guest> | destroy <guest> | restart <guest> | stats | audit\n"
           "          console <guest> (Ctrl-] returns) | wait | digest <guest> |\n"
           "          digest-frames <guest> | help\n"
           "          bench | bench-destroy <guest> | bench-audit | bench-done\n"
           "          interactive | quit\n");
}

/* The VMM's own figures (tools/run-vmm-bench.py reads BENCH lines). */
static void cmd_bench(vmm_t *v)
{
    printf("BENCH vmm_config_parse %llu\n", (unsigned long long)v->t_config);
}

static void cmd_bench_destroy(vmm_t *v, int i)
{
    uint64_t mib = v->dom[i].granted >> 20, t;

    if (v->dom[i].state == DOMAIN_EMPTY || mib == 0) {
        printf("vmm: bench-destroy needs a built guest of 1 MiB or more\n");
        return;
    }
    t = vmm_rdtsc();
    domain_destroy(v, i);
    t = vmm_rdtsc() - t;
    printf("BENCH guest_destroy_per_mib %llu\n", (unsigned long long)(t / mib));
}

#ifdef VMM_UNSAFE_TEST
#define VMM_SLOT_UNSAFE 7u      /* unused by the VMM's layout (vmm/guest_abi.h) */

/* Deliberately breaks isolation: test builds only. */
static void cmd_unsafe_grant(vmm_t *v, int i, int j)
{
    seL4_Error e;

    if (i == j || v->dom[i].state == DOMAIN_EMPTY || v->dom[j].state == DOMAIN_EMPTY) {
        printf("vmm: unsafe-grant needs two different built guests\n");
        return;
    }
    e = seL4_CNode_Copy(v->dom[i].cnode, VMM_SLOT_UNSAFE, VMM_GUEST_CNODE_BITS,
                        seL4_CapInitThreadCNode, v->dom[j].cnode, seL4_WordBits,
                        seL4_AllRights);
    printf("vmm: UNSAFE: %s's CNode copied into %s's slot %u (error %d)\n",
           v->cfg->guest[j].name, v->cfg->guest[i].name, VMM_SLOT_UNSAFE, (int)e);
}
#define UNSAFE_COMMAND(cmd) (strcmp(cmd, "unsafe-grant") == 0)
#else
#define UNSAFE_COMMAND(cmd) false
#endif

/* The next blank-separated word of *p into w (n bytes), truncated. */
static void next_word(const char **p, char *w, size_t n)
{
    size_t k = 0;

    while (**p == ' ')
        (*p)++;
    for (; **p && **p != ' '; (*p)++)
        if (k + 1 < n)
            w[k++] = **p;
    w[k] = '\0';
}

void vmm_console_run(vmm_t *v, const char *line)
{
    char cmd[16], arg[VMM_NAME_MAX];
    const char *p = line;
    int i = -1;

    next_word(&p, cmd, sizeof(cmd));
    next_word(&p, arg, sizeof(arg));
    if (arg[0] && (i = find_guest(v, arg)) < 0)
        return;
    if (strcmp(cmd, "list") == 0)
        cmd_list(v);
    else if (strcmp(cmd, "stats") == 0)
        cmd_stats(v);
    else if (strcmp(cmd, "help") == 0)
        cmd_help();
    else if (strcmp(cmd, "audit") == 0)
        vmm_audit(v);
    else if (strcmp(cmd, "interactive") == 0)
        vmm_interactive(v);
    else if (strcmp(cmd, "bench") == 0)
        cmd_bench(v);
    else if (strcmp(cmd, "bench-audit") == 0)
        vmm_audit_bench(v);
    else if (strcmp(cmd, "bench-done") == 0)
        printf("BENCH DONE\n");
    else if (strcmp(cmd, "wait") == 0)
        cmd_wait(v);
    else if (i < 0 && (!strcmp(cmd, "info") || !strcmp(cmd, "destroy") ||
                       !strcmp(cmd, "restart") || !strcmp(cmd, "bench-destroy") ||
                       !strcmp(cmd, "console") || !strcmp(cmd, "digest") ||
                       !strcmp(cmd, "digest-frames") || UNSAFE_COMMAND(cmd)))
        printf("vmm: %s needs a guest name\n", cmd);
    else if (strcmp(cmd, "info") == 0)
        cmd_info(v, i);
    else if (strcmp(cmd, "destroy") == 0)
        vmm_destroy(v, i);
    else if (strcmp(cmd, "restart") == 0)
        vmm_restart(v, i);
    else if (strcmp(cmd, "console") == 0)
        cmd_console(v, i);
    else if (strcmp(cmd, "bench-destroy") == 0)
        cmd_bench_destroy(v, i);
    else if (strcmp(cmd, "digest") == 0 || strcmp(cmd, "digest-frames") == 0)
        vmm_digest(v, (uint32_t)i, cmd[sizeof("digest") - 1] != '\0');
#ifdef VMM_UNSAFE_TEST
    else if (strcmp(cmd, "unsafe-grant") == 0) {
        int j;
        next_word(&p, arg, sizeof(arg));
        if ((j = find_guest(v, arg)) >= 0)
            cmd_unsafe_grant(v, i, j);
    }
#endif
    else
        printf("vmm: unknown command '%s' (help lists them)\n", cmd);
}
