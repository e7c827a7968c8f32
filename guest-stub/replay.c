/*
 * The guests of the replay test (tools/run-replay.py, docs/isolation.md).
 * Under QEMU's -icount a run is deterministic; the test boots a guest A
 * doing this file's workload beside a neighbour B that behaves in one of
 * several ways, and checks that A's output and the VMM's digest of A's
 * memory (vmm/digest.c) are the same whatever B did.
 *
 * `test=replay` (A): real work that writes memory and records no time: it
 * gets REPLAY_PAGES frames (from its own untypeds under delegated, balloon
 * and unaccounted; from the VMM under mediated), maps them, fills them
 * from a pseudo-random sequence, counts primes with a sieve, sorts, and
 * mixes the words in rounds, printing its own checksum now and then. It
 * keeps the frames mapped and exits, so the VMM can digest them. With
 * `leak` it is the test's control, which must differ: after its last line
 * of output it mixes what its shared pages say (a channel the neighbour
 * writes) into its words, a difference only the digest can see.
 *
 * The neighbour (B) that churns memory, `test=churn`: it allocates and
 * frees for as long as A works: frames (mapped, written, unmapped),
 * endpoints, TCBs, page tables and notifications, from its own untypeds
 * or, under mediated, asked of the VMM. The other neighbours are main.c's
 * `test=quiet` and `test=crash` and the attack suite's `test=attack`. Each
 * of them first writes its name and boot arguments into its writable
 * shared pages (guest_replay_note(), what `leak` reads).
 */
#include <guest/guest.h>
#include <guest/lxhost.h>
#include <memmgr/mm.h>
#include <memmgr/vspace.h>
#include <sel4/sel4.h>
#include <stdio.h>
#include <string.h>

#define POLICY_MEDIATED 1u              /* enum vmm_policy (vmm/config.h) */
#define PAGE            (1u << seL4_PageBits)
#define WORDS_PER_PAGE  (PAGE / sizeof(uint32_t))
#define REPLAY_VADDR    0x48000000u     /* A's work pages, in its own range */
#define REPLAY_PAGES    32u
#define REPLAY_WORDS    (REPLAY_PAGES * WORDS_PER_PAGE)
#define SIEVE_PAGES     4u              /* the sieve's bytes: one per odd number */
#define SORT_WORDS      (8u * WORDS_PER_PAGE)
#define MIX_ROUNDS      24u
#define REPORT_EVERY    8u
#define SEED            0x2545f491u
#define FNV_OFFSET      2166136261u     /* FNV-1a 32-bit (IETF draft-eastlake-fnv) */
#define FNV_PRIME       16777619u
#define RIGHTS_RW       3u              /* read 2 | write 1, as seL4_CapRights_t's word */
#define CHURN_ROUNDS    400u
#define CHURN_FRAMES    8u
#define CHURN_VADDR     0x4c000000u
#define SHM_NOTE_MAX    48u

/* ---- memory for the workload, under either policy ---------------------- */

static seL4_Error vmm_call(seL4_Word label, seL4_Word a, seL4_Word b, seL4_Word c)
{
    seL4_SetMR(0, a);
    seL4_SetMR(1, b);
    seL4_SetMR(2, c);
    return (seL4_Error)seL4_MessageInfo_get_label(
        seL4_Call(VMM_SLOT_SERVICE, seL4_MessageInfo_new(label, 0, 0, 3)));
}

/* One frame mapped read-write at vaddr; *cap gets its capability or handle. */
static int map_frame(rt_component_info_t *info, const vmm_guest_boot_t *boot, uint32_t vaddr,
                     mm_cptr_t *cap)
{
    struct mm_vspace *vs;
    struct mm *mm;

    if (boot->policy == POLICY_MEDIATED) {
        if (vmm_call(VMM_CALL_ALLOC, seL4_X86_4K, 0, 0) != seL4_NoError)
            return -1;
        *cap = seL4_GetMR(0);
        return vmm_call(VMM_CALL_MAP, *cap, vaddr, RIGHTS_RW) == seL4_NoError ? 0 : -1;
    }
    if (!(mm = guest_own_mm(info, &vs)) || mm_alloc(mm, seL4_X86_4K, 0, cap) != ERR_NONE)
        return -1;
    return mm_vspace_map(vs, *cap, vaddr, MM_RW, 0, 0) == ERR_NONE ? 0 : -1;
}

static void unmap_frame(rt_component_info_t *info, const vmm_guest_boot_t *boot, uint32_t vaddr,
                        mm_cptr_t cap)
{
    struct mm_vspace *vs;
    struct mm *mm;

    if (boot->policy == POLICY_MEDIATED) {
        vmm_call(VMM_CALL_FREE, cap, 0, 0);     /* unmaps first */
        return;
    }
    if ((mm = guest_own_mm(info, &vs))) {
        mm_vspace_unmap(vs, vaddr);
        mm_free(mm, cap);
    }
}

/* ---- A: the workload --------------------------------------------------- */

static uint32_t xorshift(uint32_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 17;
    *s ^= *s << 5;
    return *s;
}

static uint32_t fnv(const uint32_t *w, uint32_t n)
{
    uint32_t h = FNV_OFFSET;

    for (uint32_t i = 0; i < n; i++)
        h = (h ^ w[i]) * FNV_PRIME;
    return h;
}

/* Odd primes below 2 * n (one byte per odd number), plus 2. */
static uint32_t sieve(uint8_t *odd, uint32_t n)
{
    uint32_t count = 1;

    memset(odd, 1, n);
    odd[0] = 0;                         /* 1 is not prime */
    for (uint32_t i = 1; i < n; i++) {
        uint32_t p = 2 * i + 1;
        if (!odd[i])
            continue;
        count++;
        for (uint32_t m = (p * p) / 2; (uint64_t)p * p < 2ull * n && m < n; m += p)
            odd[m] = 0;
    }
    return count;
}

/* Shell sort (Ciura's gaps, then 2.25 times on) of n words. */
static void sort(uint32_t *w, uint32_t n)
{
    static const uint32_t gaps[] = { 3905, 1750, 701, 301, 132, 57, 23, 10, 4, 1 };

    for (uint32_t g = 0; g < sizeof(gaps) / sizeof(gaps[0]); g++)
        for (uint32_t i = gaps[g]; i < n; i++) {
            uint32_t x = w[i], j = i;
            for (; j >= gaps[g] && w[j - gaps[g]] > x; j -= gaps[g])
                w[j] = w[j - gaps[g]];
            w[j] = x;
        }
}

/* What the shared pages say, mixed into the words (the `leak` variant). */
static void mix_shared(const vmm_guest_boot_t *b, uint32_t *w)
{
    for (uint32_t k = 0; k < b->n_links; k++)
        if (b->link[k].kind == VMM_LINK_SHM)
            w[k] ^= fnv((const uint32_t *)b->link[k].where, SHM_NOTE_MAX / sizeof(uint32_t));
}

static int workload(uint32_t *w, const vmm_guest_boot_t *b, int leak)
{
    uint32_t s = SEED, primes, sorted = 1;

    for (uint32_t i = 0; i < REPLAY_WORDS; i++)
        w[i] = xorshift(&s);
    primes = sieve((uint8_t *)w, SIEVE_PAGES * PAGE);
    gprintf("guest-stub: replay: %u primes below %u\n", primes, 2 * SIEVE_PAGES * PAGE);
    sort(w + REPLAY_WORDS - SORT_WORDS, SORT_WORDS);
    for (uint32_t i = REPLAY_WORDS - SORT_WORDS + 1; i < REPLAY_WORDS; i++)
        sorted &= w[i - 1] <= w[i];
    gprintf("guest-stub: replay: %u words sorted: %s\n", SORT_WORDS, sorted ? "in order" : "NOT");
    for (uint32_t r = 1; r <= MIX_ROUNDS; r++) {
        for (uint32_t i = 0; i < REPLAY_WORDS; i++) {
            uint32_t x = w[i] ^ w[(i * 7 + r) % REPLAY_WORDS];
            w[i] = (x << 5 | x >> 27) + r;
        }
        if (r % REPORT_EVERY == 0)
            gprintf("guest-stub: replay: round %u, checksum %08x\n", r, fnv(w, REPLAY_WORDS));
    }
    if (leak)       /* after the last checksum: only the digest can see it */
        mix_shared(b, w);
    return !sorted || primes == 0;
}

int guest_run_replay(rt_component_info_t *info, const vmm_guest_boot_t *boot, int leak)
{
    mm_cptr_t cap;

    for (uint32_t p = 0; p < REPLAY_PAGES; p++)
        if (map_frame(info, boot, REPLAY_VADDR + p * PAGE, &cap) != 0)
            return gprintf("guest-stub: replay: cannot map page %u\n", p), 1;
    gprintf("guest-stub: replay: %u pages mapped at 0x%08x\n", REPLAY_PAGES, REPLAY_VADDR);
    return workload((uint32_t *)REPLAY_VADDR, boot, leak);
}

/* ---- B: the neighbours ------------------------------------------------- */

void guest_replay_note(const vmm_guest_boot_t *b)
{
    for (uint32_t k = 0; k < b->n_links; k++)
        if (b->link[k].kind == VMM_LINK_SHM && b->link[k].flags)
            snprintf((char *)b->link[k].where, SHM_NOTE_MAX, "%s: %s", b->name, b->bootargs);
}

static int churn_objects(struct mm *mm)
{
    static const uint32_t types[] = { seL4_EndpointObject, seL4_TCBObject,
                                      seL4_X86_PageTableObject, seL4_NotificationObject };
    mm_cptr_t c[sizeof(types) / sizeof(types[0])];
    int wrong = 0;

    for (uint32_t t = 0; t < sizeof(types) / sizeof(types[0]); t++)
        wrong += mm_alloc(mm, types[t], 0, &c[t]) != ERR_NONE;
    for (uint32_t t = 0; t < sizeof(types) / sizeof(types[0]) && !wrong; t++)
        wrong += mm_free(mm, c[t]) != ERR_NONE;
    return wrong;
}

int guest_run_churn(rt_component_info_t *info, const vmm_guest_boot_t *boot)
{
    struct mm_vspace *vs;
    struct mm *mm = boot->policy == POLICY_MEDIATED ? NULL : guest_own_mm(info, &vs);
    mm_cptr_t cap[CHURN_FRAMES];
    int wrong = 0;

    for (uint32_t r = 0; r < CHURN_ROUNDS && !wrong; r++) {
        for (uint32_t f = 0; f < CHURN_FRAMES && !wrong; f++) {
            uint32_t *w = (uint32_t *)(CHURN_VADDR + f * PAGE);
            wrong += map_frame(info, boot, (uint32_t)w, &cap[f]) != 0;
            for (uint32_t i = 0; !wrong && i < WORDS_PER_PAGE; i++)
                w[i] = r ^ i;
        }
        for (uint32_t f = 0; f < CHURN_FRAMES && !wrong; f++)
            unmap_frame(info, boot, CHURN_VADDR + f * PAGE, cap[f]);
        if (mm && !wrong)
            wrong += churn_objects(mm);
    }
    gprintf("guest-stub: churn: %u rounds of %u frames%s %s\n", CHURN_ROUNDS, CHURN_FRAMES,
            mm ? " and 4 objects" : "", wrong ? "FAILED" : "done, all freed");
    return wrong;
}
