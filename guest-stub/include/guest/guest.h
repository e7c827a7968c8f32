/*
 * The guest kernel's pieces (guest-stub/): its console through the VMM,
 * the process it builds under a delegated policy, the work it asks of the
 * VMM under the mediated one.
 */
#ifndef GUEST_GUEST_H
#define GUEST_GUEST_H

#include <rt/component.h>
#include <vmm/guest_abi.h>

/* printf through the VMM (VMM_CALL_WRITE): the VMM prefixes each line
 * with the guest's name. */
int gprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Tells the VMM it is done; does not return. */
__attribute__((noreturn)) void guest_exit(int status);

/* delegated: a process built with memmgr from the guest's own untypeds,
 * its system call (int $0x80) and its page fault served as fault
 * messages. Returns 0 if everything came out as expected. */
int guest_run_process(rt_component_info_t *info, const vmm_guest_boot_t *boot);
/* mediated: objects and mappings asked of the VMM. Returns 0 if right. */
int guest_run_mediated(const vmm_guest_boot_t *boot);
/* mediated: a process the VMM makes for it (space, thread, fault endpoint),
 * its system call and page fault served, the refusals. 0 if right. */
int guest_run_mediated_process(const vmm_guest_boot_t *boot);
struct mm;
struct mm_vspace;
/* Benchmarks (bootargs `bench`): mm and vs are the guest's own under
 * delegated, NULL under mediated. Returns the number of failures. */
int guest_bench(struct mm *mm, struct mm_vspace *vs);
/* guest_bench() with the guest's own memmgr owner (delegated). */
int guest_bench_delegated(rt_component_info_t *info);
/* Sends one figure to the VMM (VMM_CALL_BENCH) as "<prefix><name>". */
void guest_bench_report(const char *prefix, const char *name, uint64_t value, uint32_t flags);

/* Tells the VMM what memmgr says of mm (VMM_CALL_USAGE: used and free
 * bytes, the guest's claim in `list`); if say, prints it too. */
void guest_report_usage(const struct mm *mm, int say);

/* Is word one of the blank-separated boot arguments? (main.c) */
int guest_wants(const vmm_guest_boot_t *b, const char *word);

/* The replay test (replay.c): A's workload (leak: mixing in what its shared
 * pages say), and the neighbour that churns memory. Each returns the
 * number of wrong things. */
int guest_run_replay(rt_component_info_t *info, const vmm_guest_boot_t *boot, int leak);
int guest_run_churn(rt_component_info_t *info, const vmm_guest_boot_t *boot);
/* A neighbour's name and boot arguments into its writable shared pages. */
void guest_replay_note(const vmm_guest_boot_t *boot);

/* Its channels and devices: prints them, uses them. Returns 0 if right. */
int guest_use_links(const vmm_guest_boot_t *boot);

#endif
