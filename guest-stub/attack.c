/*
 * The attacker's harness (guest/attack.h): counting attempts per class,
 * printing the ones that came out otherwise than expected, the seeded
 * generator, and the order of the classes.
 *
 * The order matters. Under delegated, exhausting its untypeds works with
 * raw retypes and revokes before the guest's own memmgr owner takes the
 * untypeds over (a revoke under memmgr's feet would leave its books
 * wrong); the classes that need threads or mappings come after, and the
 * attacks on itself (a thread deleting its own TCB, the main thread
 * suspending itself) come last, with a helper thread left to report.
 * Under mediated the guest has no untyped and no paging authority, so it
 * can make no thread of its own: there is no thread to catch its faults,
 * and those classes are the delegated run's.
 */
#include <guest/attack.h>
#include <memmgr/vspace.h>

#define PAGE            (1u << seL4_PageBits)
#define POLICY_MEDIATED 1u      /* enum vmm_policy's value (vmm/config.h) */

void atk_begin(struct atk *a, const char *cls)
{
    a->cls = cls;
    a->tries = 0;
    a->bad = 0;
}

void atk_end(struct atk *a)
{
    gprintf("attack: %s: %u tries, %u as expected, %u unexpected\n", a->cls, a->tries,
            a->tries - a->bad, a->bad);
    a->total_tries += a->tries;
    a->total_bad += a->bad;
    a->classes++;
}

int atk_expect(struct atk *a, const char *what, uint32_t arg, seL4_Word got, seL4_Word want)
{
    a->tries++;
    if (got == want)
        return 1;
    if (a->bad++ < ATK_SHOW_MAX)
        gprintf("attack: UNEXPECTED %s: %s (0x%x): got %u (0x%x), expected %u (0x%x)\n",
                a->cls, what, arg, got, got, want, want);
    return 0;
}

/* xorshift32 (Marsaglia 2003): deterministic, never zero from a non-zero seed. */
uint32_t atk_rand(struct atk *a)
{
    uint32_t x = a->rng;

    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    return a->rng = x;
}

/* Move onto itself: the destination is checked first (DeleteFirst when
 * something is there), then the source (FailedLookup when empty). */
int atk_slot_empty(seL4_Word slot)
{
    return seL4_CNode_Move(VMM_SLOT_CNODE, slot, seL4_WordBits, VMM_SLOT_CNODE, slot,
                           seL4_WordBits) == seL4_FailedLookup;
}

extern char __image_start[], __image_end[];

int atk_mapped(const struct atk *a, seL4_Word va)
{
    return (va >= (seL4_Word)__image_start && va < (seL4_Word)__image_end) ||
           (va >= VMM_GUEST_STACK_VADDR &&
            va < VMM_GUEST_STACK_VADDR + VMM_GUEST_STACK_PAGES * PAGE) ||
           (va >= VMM_GUEST_IPC_VADDR && va < VMM_GUEST_IPC_VADDR + PAGE) ||
           (va >= VMM_GUEST_BOOT_VADDR && va < VMM_GUEST_BOOT_VADDR + PAGE) ||
           (a->vs && mm_vspace_lookup(a->vs, va & ~(PAGE - 1)) != 0);
}

static void run(struct atk *a, const char *cls, void (*fn)(struct atk *))
{
    atk_begin(a, cls);
    fn(a);
    atk_end(a);
    /* The debug kernel's invariant checker after every class; 0 is clean
     * (a release kernel makes the call an UnknownSyscall fault: debug only). */
    atk_begin(a, "invariants");
    atk_expect(a, "kernel invariants after", a->classes, seL4_DebugCheckInvariants(), 0);
    a->total_tries += a->tries;
    a->total_bad += a->bad;
}

int guest_run_attack(rt_component_info_t *info, const vmm_guest_boot_t *boot)
{
    static struct atk a;

    a.rng = ATK_SEED;
    a.info = info;
    a.boot = boot;
    a.mediated = boot->policy == POLICY_MEDIATED;
    gprintf("attack: hostile guest, policy %s, seed 0x%x\n",
            a.mediated ? "mediated" : "delegated", ATK_SEED);
    run(&a, "cspace", atk_cspace);
    run(&a, "labels", atk_labels);
    run(&a, "vmm-protocol", atk_vmm_protocol);
    if (a.mediated) {
        run(&a, "quota", atk_quota);
    } else {
        run(&a, "exhaust", atk_exhaust);
        run(&a, "faults", atk_faults);
        run(&a, "mapping", atk_mapping);
        run(&a, "transfer", atk_transfer);
    }
    run(&a, "spin", atk_spin);
    run(&a, "channels", atk_channels);
    if (!a.mediated)
        run(&a, "self", atk_self);
    gprintf("attack: verdict: %u classes, %u tries, %u unexpected: %s\n", a.classes,
            a.total_tries, a.total_bad, a.total_bad ? "SOMETHING GOT THROUGH" :
            "every attack failed as expected");
    if (!a.mediated)
        atk_suspend_itself(&a, a.total_bad != 0);
    return a.total_bad != 0;
}
