/*
 * The paravirtual guest kernel, first form. The VMM loads this image into
 * a partition of its own and starts it as a component: its CSpace, its
 * page directory, its memory under the policy its configuration chose,
 * and a boot page describing it (vmm/include/vmm/guest_abi.h). From there
 * it builds what its own processes need and serves their faults and
 * system calls as fault messages; the Linux personality grows from here.
 *
 * Today it runs one test program, chosen by the policy: under delegated
 * (and balloon, unaccounted) a process built with memmgr from its own
 * untypeds; under mediated, objects and mappings asked of the VMM. The
 * boot argument `test=crash` makes it fault on purpose instead, so tests
 * can see a crashing guest contained; `test=echo` prints back every line
 * typed to it on the VMM's console (guest-stub/input.c), until Ctrl-D,
 * before its test program; `test=scribble` moves its input ring's tail
 * past the head and waits for ever (input.c); `bench` runs the benchmarks of
 * guest-stub/bench.c instead of the tests; `test=attack` runs the hostile
 * guest of guest-stub/attack*.c instead, `test=quiet` only uses its channels and
 * exits (the quiet neighbour the attack tests compare against); `rounds=N` runs
 * the test program N times (a victim that is still running while its
 * neighbour attacks). Under any policy, `init=PATH ARG...` runs that static
 * i386 Linux program from the initrd instead (lxrun.c, over memmgr under
 * delegated and through the VMM under mediated: guest/lxback.h) and exits
 * with its status; `clock=fixed init=...` gives it a clock that does not
 * read the time-stamp counter (lxhost.c, for the replay test).
 * `test=replay` and `test=churn` are guests of the replay test (replay.c).
 */
#include <guest/attack.h>
#include <guest/guest.h>
#include <guest/lxhost.h>
#include <guest/input.h>
#include <string.h>
#include <vmm/tsc.h>

#define POLICY_MEDIATED 1u      /* enum vmm_policy's value (vmm/config.h) */
#define MAX_ROUNDS      100000u

/* Is word one of the blank-separated boot arguments? */
int guest_wants(const vmm_guest_boot_t *b, const char *word)
{
    size_t n = strlen(word);

    for (const char *p = b->bootargs; *p; p++)
        if ((p == b->bootargs || p[-1] == ' ') && strncmp(p, word, n) == 0 &&
            (p[n] == ' ' || p[n] == '\0'))
            return 1;
    return 0;
}

/* Does a word of the boot arguments start with init= (a Linux run)? */
static int linux_init(const vmm_guest_boot_t *b)
{
    for (const char *p = b->bootargs; *p; p++)
        if ((p == b->bootargs || p[-1] == ' ') && strncmp(p, "init=", 5) == 0)
            return 1;
    return 0;
}

/* N of the boot argument key=N (decimal), or 1. */
static uint32_t rounds(const vmm_guest_boot_t *b)
{
    static const char key[] = "rounds=";
    uint32_t n = 0;

    for (const char *p = b->bootargs; *p; p++) {
        if ((p != b->bootargs && p[-1] != ' ') || strncmp(p, key, sizeof(key) - 1) != 0)
            continue;
        for (p += sizeof(key) - 1; *p >= '0' && *p <= '9' && n < MAX_ROUNDS; p++)
            n = n * 10 + (uint32_t)(*p - '0');
        break;
    }
    return n ? n : 1;
}

/* A neighbour in the replay test: it writes its name and boot arguments
 * into its writable shared pages first (replay.c). */
static int replay_neighbour(const vmm_guest_boot_t *b)
{
    return guest_wants(b, "test=quiet") || guest_wants(b, "test=attack") ||
           guest_wants(b, "test=crash") || guest_wants(b, "test=churn");
}

int component_main(rt_component_info_t *info)
{
    uint64_t t_entry = vmm_rdtsc();
    const vmm_guest_boot_t *boot = (const vmm_guest_boot_t *)info->arg;
    int failed = 0;

    if (boot->magic != VMM_GUEST_BOOT_MAGIC)
        guest_exit(-1);
    /* `init=` may follow other words (`bench init=...`): a Linux run. */
    if (guest_wants(boot, "bench") && !linux_init(boot)) {
        if (guest_wants(boot, "boot"))
            guest_bench_report("", "guest_boot", t_entry, VMM_BENCH_SINCE_START);
        failed = boot->policy == POLICY_MEDIATED ? guest_bench(NULL, NULL)
                                                 : guest_bench_delegated(info);
        guest_exit(failed);
    }
    /* Not the bootargs: a long line would be cut by the VMM's console. */
    if (linux_init(boot)) {
        struct mm_vspace *vs;
        /* Time is the time-stamp counter at the rate the kernel measured
         * at boot, so sleeps and alarms last what they say on any host. */
        if (guest_wants(boot, "clock=fixed"))
            lxh_fixed_clock();
        else
            gprintf("guest-stub: clock: time-stamp counter at %u MHz\n", boot->tsc_mhz);
        lxh_tsc_rate(boot->tsc_mhz);
        failed = guest_run_linux(info, boot);
        /* Under mediated the VMM keeps the account itself. */
        if (boot->policy != POLICY_MEDIATED && guest_own_mm(info, &vs))
            guest_report_usage(guest_own_mm(info, &vs), 1);
        guest_exit(failed);
    }
    gprintf("guest-stub: up in its partition, %u KiB, policy %s, bootargs \"%s\"\n",
            boot->memory >> 10, boot->policy == POLICY_MEDIATED ? "mediated" : "delegated",
            boot->bootargs);
    if (replay_neighbour(boot))
        guest_replay_note(boot);
    if (guest_wants(boot, "test=quiet"))
        guest_exit(guest_use_links(boot));
    if (guest_wants(boot, "test=attack"))
        guest_exit(guest_run_attack(info, boot));
    if (guest_wants(boot, "test=crash")) {
        gprintf("guest-stub: crashing on purpose\n");
        *(volatile int *)0 = 1;
    }
    if (guest_wants(boot, "test=scribble"))
        guest_scribble();
    if (guest_wants(boot, "test=echo") && guest_echo() != 0)
        guest_exit(1);
    if (guest_wants(boot, "test=replay")) {
        failed = guest_run_replay(info, boot, guest_wants(boot, "leak"));
    } else if (guest_wants(boot, "test=churn")) {
        failed = guest_run_churn(info, boot);
    } else {
        for (uint32_t r = rounds(boot); r > 0; r--)
            failed += boot->policy == POLICY_MEDIATED
                          ? guest_run_mediated(boot) + guest_run_mediated_process(boot)
                          : guest_run_process(info, boot);
        failed += guest_use_links(boot);
    }
    gprintf("guest-stub: test program %s\n", failed ? "FAILED" : "passed");
    guest_exit(failed);
}

/* The runtime's root-task start (linked in with the component start it
 * shares code with) calls main; booted as a root task by mistake, the
 * guest says so and stops. */
int main(void)
{
    return -1;
}
