/*
 * memmgr benchmarks (issue 21): what an allocation, a free, a mapping and
 * a release cost through memmgr, beside the raw kernel operation it wraps.
 *
 *  - memmgr_alloc_<type>: mm_alloc from a warm pool (no system call);
 *  - memmgr_alloc_<type>_cold: the pools drained first (mm_drain), so the
 *    figure includes taking a free slab (split if needed) and the batch
 *    retype, with the kernel clearing the slab it resets;
 *  - memmgr_free_<type>: mm_free, which makes the object fresh (Revoke,
 *    plus Suspend, Unmap or emptying by type) and pools it;
 *  - memmgr_raw_retype_<type>: one Retype of one object, measured here the
 *    same way, for the ratio (the goal: warm under a quarter of it);
 *  - memmgr_map_page_pt_absent / _pt_present: mm_vspace_map in the root
 *    task's (adopted) address space where memmgr must make the page table
 *    (from a warm pool; after asking the kernel whether one is there) or
 *    where it is there; _own: the same in an address space memmgr made;
 *  - memmgr_release_untyped_per_object: mm_release_untyped of an untyped
 *    whose pools hold 64 endpoints, divided by the capabilities deleted;
 *  - memmgr_meta_bytes_per_mib: memmgr's bookkeeping (bytes, not
 *    instructions) per MiB it manages, with its pools warm.
 *
 * The owner runs with mm->check off: the debug conservation check walks
 * every record and would be most of every figure.
 */
#include "bench.h"
#include <memmgr/mm.h>
#include <memmgr/vspace.h>
#include <stdio.h>

#define MM_UT_BITS      22
#define MM_SLOTS        1024
#define MM_MAX_UTS      256
#define RELEASE_BITS    16
#define RELEASE_OBJS    64
#define CNODE_RADIX     4

static struct mm bm, rm;
static uint8_t bm_meta[64 * 1024], rm_meta[16 * 1024];

static const struct { const char *name; uint32_t type, size_bits; } kinds[] = {
    { "tcb", seL4_TCBObject, 0 },
    { "endpoint", seL4_EndpointObject, 0 },
    { "notification", seL4_NotificationObject, 0 },
    { "cnode16", seL4_CapTableObject, CNODE_RADIX },
    { "frame4k", seL4_X86_4K, 0 },
    { "pagetable", seL4_X86_PageTableObject, 0 },
    { "pagedir", seL4_X86_PageDirectoryObject, 0 },
};
#define NKINDS (sizeof(kinds) / sizeof(kinds[0]))

static int setup(void)
{
    seL4_CPtr ut = bench_untyped(MM_UT_BITS), slots = bench_slots(MM_SLOTS);

    if (ut == 0 || slots == 0 ||
        mm_init(&bm, bm_meta, sizeof(bm_meta), ROOT_CNODE, MM_MAX_UTS) != ERR_NONE ||
        mm_add_slots(&bm, slots, slots, MM_SLOTS, 0, 0) != ERR_NONE ||
        mm_add_untyped(&bm, ut, 0, MM_UT_BITS, 0) != ERR_NONE)
        return 0;
    bm.check = 0;
    return 1;
}

static uint32_t raw_retype(uint32_t type, uint32_t size_bits)
{
    uint32_t s[BENCH_MAX_SAMPLES];
    seL4_CPtr slot = bench_slots(1);

    for (int i = 0; i < BENCH_TOTAL(); i++) {
        seL4_CPtr ut = bench_untyped(12 > mm_obj_bits(type, size_bits) ? 12 :
                                     mm_obj_bits(type, size_bits));
        uint32_t t0 = rdtsc32();
        seL4_Error err = bench_retype(ut, type, size_bits, slot, 1);
        uint32_t t1 = rdtsc32();

        if (err != seL4_NoError)
            bench_fail("memmgr raw retype", err);
        if (i >= bench_cfg.warmup)
            s[i - bench_cfg.warmup] = t1 - t0 - bench_pair_overhead;
        seL4_CNode_Revoke(ROOT_CNODE, ut, CPTR_DEPTH);
    }
    return bench_mode(s, bench_cfg.samples);
}

/* One timed mm_alloc (cold: pools drained first); the object is freed. */
static uint32_t timed_alloc(uint32_t k, int cold)
{
    mm_cptr_t c = 0;
    uint32_t t0, t1;
    mm_err_t err;

    if (cold)
        mm_drain(&bm);
    t0 = rdtsc32();
    err = mm_alloc(&bm, kinds[k].type, kinds[k].size_bits, &c);
    t1 = rdtsc32();
    if (err != ERR_NONE)
        bench_fail("mm_alloc", (seL4_Error)err);
    else
        mm_free(&bm, c);
    return t1 - t0 - bench_pair_overhead;
}

static uint32_t timed_free(uint32_t k)
{
    mm_cptr_t c = 0;
    uint32_t t0, t1;
    mm_err_t err = mm_alloc(&bm, kinds[k].type, kinds[k].size_bits, &c);

    if (err != ERR_NONE) {
        bench_fail("mm_alloc", (seL4_Error)err);
        return 0;
    }
    t0 = rdtsc32();
    err = mm_free(&bm, c);
    t1 = rdtsc32();
    if (err != ERR_NONE)
        bench_fail("mm_free", (seL4_Error)err);
    return t1 - t0 - bench_pair_overhead;
}

static void report3(const char *fmt, const char *type, uint32_t *s)
{
    char name[64];

    snprintf(name, sizeof(name), fmt, type);
    bench_report(name, s, bench_cfg.samples);
}

static void allocs(void)
{
    uint32_t warm[BENCH_MAX_SAMPLES], cold[BENCH_MAX_SAMPLES], fr[BENCH_MAX_SAMPLES];

    for (uint32_t k = 0; k < NKINDS; k++) {
        uint32_t raw = raw_retype(kinds[k].type, kinds[k].size_bits);
        char name[64];

        for (int i = 0; i < BENCH_TOTAL(); i++) {
            uint32_t c = timed_alloc(k, 1), w = timed_alloc(k, 0), f = timed_free(k);

            if (i >= bench_cfg.warmup) {
                cold[i - bench_cfg.warmup] = c;
                warm[i - bench_cfg.warmup] = w;
                fr[i - bench_cfg.warmup] = f;
            }
        }
        snprintf(name, sizeof(name), "memmgr_raw_retype_%s", kinds[k].name);
        bench_report_value(name, raw);
        report3("memmgr_alloc_%s", kinds[k].name, warm);
        report3("memmgr_alloc_%s_cold", kinds[k].name, cold);
        report3("memmgr_free_%s", kinds[k].name, fr);
        snprintf(name, sizeof(name), "memmgr_alloc_%s", kinds[k].name);
        bench_note(name, "warm %u%% of a raw retype of one object (%u)",
                   (unsigned)(100u * bench_mode(warm, bench_cfg.samples) / (raw ? raw : 1)),
                   (unsigned)raw);
    }
}

/* Maps two frames into one empty 4 MiB region of vs and unmaps them
 * (the page table goes back to its pool), reporting both maps. */
static void map_pair(struct mm_vspace *vs, const char *absent_name, const char *present_name)
{
    uint32_t absent[BENCH_MAX_SAMPLES], present[BENCH_MAX_SAMPLES];
    mm_cptr_t f[2];
    seL4_Word v = bench_region(1);

    if (mm_alloc(&bm, seL4_X86_4K, 0, &f[0]) != ERR_NONE ||
        mm_alloc(&bm, seL4_X86_4K, 0, &f[1]) != ERR_NONE) {
        bench_fail("memmgr map frames", seL4_NotEnoughMemory);
        return;
    }
    for (int i = 0; i < BENCH_TOTAL(); i++) {
        uint32_t t0 = rdtsc32();
        mm_err_t e0 = mm_vspace_map(vs, f[0], v, MM_RW, 0, 0);
        uint32_t t1 = rdtsc32();
        mm_err_t e1 = mm_vspace_map(vs, f[1], v + PAGE_SIZE, MM_RW, 0, 0);
        uint32_t t2 = rdtsc32();

        if (e0 != ERR_NONE || e1 != ERR_NONE)
            bench_fail("mm_vspace_map", (seL4_Error)(e0 ? e0 : e1));
        if (i >= bench_cfg.warmup) {
            absent[i - bench_cfg.warmup] = t1 - t0 - bench_pair_overhead;
            present[i - bench_cfg.warmup] = t2 - t1 - bench_pair_overhead;
        }
        mm_vspace_unmap(vs, v + PAGE_SIZE);
        mm_vspace_unmap(vs, v);
    }
    bench_report(absent_name, absent, bench_cfg.samples);
    bench_report(present_name, present, bench_cfg.samples);
    mm_free(&bm, f[0]);
    mm_free(&bm, f[1]);
}

/* In the root task's own (adopted) space memmgr first asks the kernel
 * whether someone else's page table is there; in a space it made it
 * knows every page table. */
static void maps(void)
{
    struct mm_vspace vs;

    mm_vspace_adopt(&bm, &vs, ROOT_VSPACE);
    map_pair(&vs, "memmgr_map_page_pt_absent", "memmgr_map_page_pt_present");
    if (mm_vspace_create(&bm, &vs, seL4_CapInitThreadASIDPool) != ERR_NONE) {
        bench_skip("memmgr_map_page_pt_absent_own", "no page directory");
        return;
    }
    map_pair(&vs, "memmgr_map_page_pt_absent_own", "memmgr_map_page_pt_present_own");
    mm_vspace_destroy(&vs);
}

static void releases(void)
{
    static mm_cptr_t eps[RELEASE_OBJS];
    uint32_t s[BENCH_MAX_SAMPLES], cost = 0;
    seL4_CPtr ut = bench_untyped(RELEASE_BITS), slots = bench_slots(MM_SLOTS);

    if (ut == 0 || slots == 0 || mm_init(&rm, rm_meta, sizeof(rm_meta), ROOT_CNODE, 64) ||
        mm_add_slots(&rm, slots, slots, MM_SLOTS, 0, 0) != ERR_NONE)
        return;
    rm.check = 0;
    for (int i = 0; i < BENCH_TOTAL(); i++) {
        uint32_t t0, t1;

        mm_add_untyped(&rm, ut, 0, RELEASE_BITS, 0);
        for (uint32_t j = 0; j < RELEASE_OBJS; j++)
            mm_alloc(&rm, seL4_EndpointObject, 0, &eps[j]);
        for (uint32_t j = 0; j < RELEASE_OBJS; j++)
            mm_free(&rm, eps[j]);
        mm_reclaimable(&rm, ut, &cost);
        t0 = rdtsc32();
        mm_err_t err = mm_release_untyped(&rm, ut);
        t1 = rdtsc32();
        if (err != ERR_NONE)
            bench_fail("mm_release_untyped", (seL4_Error)err);
        if (i >= bench_cfg.warmup)
            s[i - bench_cfg.warmup] = (t1 - t0 - bench_pair_overhead) / (cost ? cost : 1);
    }
    bench_report("memmgr_release_untyped_per_object", s, bench_cfg.samples);
    bench_note("memmgr_release_untyped_per_object", "%u capabilities deleted per release",
               (unsigned)cost);
}

void bench_memmgr(void)
{
    if (!setup()) {
        bench_skip("memmgr_alloc_tcb", "no untyped or slots for memmgr");
        return;
    }
    allocs();
    maps();
    releases();
    bench_report_value("memmgr_meta_bytes_per_mib", mm_meta_per_mib(&bm));
}
