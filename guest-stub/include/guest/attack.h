/*
 * The hostile guest (bootargs `test=attack`, guest-stub/attack*.c): it
 * tries everything its partition holds against the kernel and the VMM,
 * one class of attack after another, and checks every attempt against the
 * outcome seL4's semantics and the VMM's protocol promise (an exact error
 * code, an exact fault message). Each class prints one line with its
 * counts; the last line is the verdict. Everything it decides comes from a
 * seeded generator, never from time, so two runs make the same attempts in
 * the same order (the replay test uses it as a noisy neighbour).
 */
#ifndef GUEST_ATTACK_H
#define GUEST_ATTACK_H

#include <guest/guest.h>
#include <sel4/sel4.h>

struct mm;
struct mm_vspace;

#define ATK_SEED            0x2545f491u
#define ATK_SHOW_MAX        16u      /* unexpected outcomes printed per class */

struct atk {
    const char *cls;            /* the class running now */
    uint32_t tries, bad;        /* of this class */
    uint32_t total_tries, total_bad, classes;
    uint32_t rng;               /* xorshift32 state */
    rt_component_info_t *info;
    const vmm_guest_boot_t *boot;
    int mediated;
    struct mm *mm;              /* delegated: its own memmgr owner */
    struct mm_vspace *vs;
};

void atk_begin(struct atk *a, const char *cls);
void atk_end(struct atk *a);
/* One attempt: counts it, and prints it if got is not want. Returns got == want. */
int atk_expect(struct atk *a, const char *what, uint32_t arg, seL4_Word got, seL4_Word want);
uint32_t atk_rand(struct atk *a);
/* Does the attacker map va itself (image, stack, IPC buffer, boot page,
 * what its memmgr mapped)? */
int atk_mapped(const struct atk *a, seL4_Word va);
/* Is the slot of the attacker's root CNode empty (CNode Move onto itself)? */
int atk_slot_empty(seL4_Word slot);

/* The classes (each between atk_begin and atk_end). */
void atk_cspace(struct atk *a);
void atk_labels(struct atk *a);
void atk_vmm_protocol(struct atk *a);
void atk_quota(struct atk *a);
void atk_spin(struct atk *a);
void atk_channels(struct atk *a);
void atk_faults(struct atk *a);
void atk_mapping(struct atk *a);
void atk_exhaust(struct atk *a);
void atk_transfer(struct atk *a);
void atk_self(struct atk *a);
/* Last (delegated): the main thread suspends itself; a helper thread sees
 * it stopped and reports the status to the VMM. Does not return. */
__attribute__((noreturn)) void atk_suspend_itself(struct atk *a, int status);

/* The entry: every class the policy allows; returns the unexpected count. */
int guest_run_attack(rt_component_info_t *info, const vmm_guest_boot_t *boot);

#endif
