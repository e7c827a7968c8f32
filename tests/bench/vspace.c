/*
 * Virtual-memory benchmarks, measured as sel4bench's page_mapping
 * benchmark does: an rdtsc pair around one libsel4-style invocation called
 * from C, minus the cost of the rdtsc pair itself.
 *
 *  - retype_frame_4k: Untyped_Retype of one 4 KiB frame (zeroes it).
 *  - map_page_pt_present: Page_Map (read-write) where the page table exists.
 *  - remap_page_readonly / remap_page_readwrite: Page_Map again on the
 *    mapped frame with seL4_CanRead / seL4_AllRights (issue 6 calls the
 *    first remap_readonly; both names are printed).
 *  - unmap_page: Page_Unmap of the mapped frame.
 *  - map_page_pt_absent: retype a page table, map it, map the page.
 *  - *_avg2048: 2048 frames retyped, then mapped, one invocation each in a
 *    C loop; the loop's total divided by 2048.
 *  - map_512_pages: the total for mapping 512 frames (one page table's
 *    worth) in a C loop, page table present.
 */
#include "bench.h"
#include <rt/rt.h>
#include <rt/test.h>
#include <stdio.h>

#define N_AVG 2048u
#define N_512 512u

static seL4_CPtr scratch;       /* N_AVG slots, empty between uses */

seL4_CPtr bench_scratch_slots(void)
{
    if (scratch == 0)
        scratch = bench_slots(N_AVG);
    return scratch;
}

#define TIMED_C(out, call) do { \
        uint32_t t0_ = rdtsc32(); \
        err = (call); \
        uint32_t t1_ = rdtsc32(); \
        (out) = t1_ - t0_ - bench_pair_overhead; \
    } while (0)

static void single_page(void)
{
    uint32_t retype[BENCH_MAX_SAMPLES + 2], map[BENCH_MAX_SAMPLES + 2];
    uint32_t ro[BENCH_MAX_SAMPLES + 2], rw[BENCH_MAX_SAMPLES + 2], unmap[BENCH_MAX_SAMPLES + 2];
    seL4_Word r = bench_region(1);
    seL4_CPtr ut = bench_untyped(18), pt = bench_obj(seL4_X86_PageTableObject, 0);
    seL4_CPtr slots = bench_slots((seL4_Word)BENCH_TOTAL());
    seL4_Error err = seL4_NoError;
    int w = bench_cfg.warmup;

    if (ut == 0 || pt == 0 || slots == 0)
        err = seL4_NotEnoughMemory;
    if (err == seL4_NoError)
        err = seL4_X86_PageTable_Map(pt, ROOT_VSPACE, r, seL4_X86_Default_VMAttributes);
    for (int i = 0; i < BENCH_TOTAL() && err == seL4_NoError; i++) {
        seL4_CPtr f = slots + (seL4_CPtr)i;
        TIMED_C(retype[i], bench_retype(ut, seL4_X86_4K, 0, f, 1));
        if (err == seL4_NoError)
            TIMED_C(map[i], seL4_X86_Page_Map(f, ROOT_VSPACE, r, seL4_ReadWrite,
                                              seL4_X86_Default_VMAttributes));
        if (err == seL4_NoError)
            TIMED_C(ro[i], seL4_X86_Page_Map(f, ROOT_VSPACE, r, seL4_CanRead,
                                             seL4_X86_Default_VMAttributes));
        if (err == seL4_NoError)
            TIMED_C(rw[i], seL4_X86_Page_Map(f, ROOT_VSPACE, r, seL4_AllRights,
                                             seL4_X86_Default_VMAttributes));
        if (err == seL4_NoError)
            TIMED_C(unmap[i], seL4_X86_Page_Unmap(f));
    }
    if (err != seL4_NoError) {
        bench_fail("single-page mapping", err);
        bench_skip("map_page_pt_present", "an invocation failed: %s", rt_error_name(err));
        return;
    }
    bench_report("retype_frame_4k", retype + w, bench_cfg.samples);
    bench_report("map_page_pt_present", map + w, bench_cfg.samples);
    bench_report("remap_page_readonly", ro + w, bench_cfg.samples);
    bench_report("remap_readonly", ro + w, bench_cfg.samples);
    bench_report("remap_page_readwrite", rw + w, bench_cfg.samples);
    bench_report("unmap_page", unmap + w, bench_cfg.samples);
}

static void pt_absent(void)
{
    uint32_t s[BENCH_MAX_SAMPLES + 2];
    seL4_Word r = bench_region(1);
    seL4_CPtr ut = bench_untyped(18), slots = bench_slots(2);
    seL4_Error err = (ut == 0 || slots == 0) ? seL4_NotEnoughMemory : seL4_NoError;
    seL4_CPtr pt = slots, f = slots + 1;

    if (err == seL4_NoError)
        err = bench_retype(ut, seL4_X86_4K, 0, f, 1);
    for (int i = 0; i < BENCH_TOTAL() && err == seL4_NoError; i++) {
        uint32_t t0 = rdtsc32();
        err = bench_retype(ut, seL4_X86_PageTableObject, 0, pt, 1);
        if (err == seL4_NoError)
            err = seL4_X86_PageTable_Map(pt, ROOT_VSPACE, r, seL4_X86_Default_VMAttributes);
        if (err == seL4_NoError)
            err = seL4_X86_Page_Map(f, ROOT_VSPACE, r, seL4_ReadWrite,
                                    seL4_X86_Default_VMAttributes);
        uint32_t t1 = rdtsc32();
        s[i] = t1 - t0 - bench_pair_overhead;
        /* Undo, unmeasured; the frame keeps the untyped from being reset. */
        if (err == seL4_NoError)
            err = seL4_X86_Page_Unmap(f);
        if (err == seL4_NoError)
            err = seL4_CNode_Delete(ROOT_CNODE, pt, CPTR_DEPTH);
    }
    if (err != seL4_NoError) {
        bench_fail("map_page_pt_absent", err);
        bench_skip("map_page_pt_absent", "an invocation failed: %s", rt_error_name(err));
        return;
    }
    bench_report("map_page_pt_absent", s + bench_cfg.warmup, bench_cfg.samples);
}

static void many_pages(void)
{
    seL4_CPtr slots = bench_scratch_slots(), ut = bench_untyped(23);
    seL4_Word r = bench_region(3);
    seL4_Error err = (slots == 0 || ut == 0) ? seL4_NotEnoughMemory : seL4_NoError;
    uint32_t t0, t1;

    for (seL4_Word i = 0; i < 3 && err == seL4_NoError; i++) {
        seL4_CPtr pt = bench_obj(seL4_X86_PageTableObject, 0);
        err = pt == 0 ? seL4_NotEnoughMemory :
              seL4_X86_PageTable_Map(pt, ROOT_VSPACE, r + i * LARGE_PAGE_SIZE,
                                     seL4_X86_Default_VMAttributes);
    }
    if (err != seL4_NoError) {
        bench_fail("map 2048 set-up", err);
        bench_skip("map_page_pt_present_avg2048", "set-up failed");
        return;
    }
    t0 = rdtsc32();
    for (seL4_Word i = 0; i < N_AVG && err == seL4_NoError; i++)
        err = bench_retype(ut, seL4_X86_4K, 0, slots + i, 1);
    t1 = rdtsc32();
    if (err == seL4_NoError)
        bench_report_value("retype_frame_4k_avg2048", (t1 - t0 - bench_pair_overhead) / N_AVG);
    t0 = rdtsc32();
    for (seL4_Word i = 0; i < N_AVG && err == seL4_NoError; i++)
        err = seL4_X86_Page_Map(slots + i, ROOT_VSPACE, r + i * PAGE_SIZE, seL4_ReadWrite,
                                seL4_X86_Default_VMAttributes);
    t1 = rdtsc32();
    if (err == seL4_NoError)
        bench_report_value("map_page_pt_present_avg2048",
                           (t1 - t0 - bench_pair_overhead) / N_AVG);
    /* 512 pages into the third page table: the first 512 frames, unmapped. */
    for (seL4_Word i = 0; i < N_512 && err == seL4_NoError; i++)
        err = seL4_X86_Page_Unmap(slots + i);
    seL4_Word r3 = r + 2 * LARGE_PAGE_SIZE;
    t0 = rdtsc32();
    for (seL4_Word i = 0; i < N_512 && err == seL4_NoError; i++)
        err = seL4_X86_Page_Map(slots + i, ROOT_VSPACE, r3 + i * PAGE_SIZE, seL4_ReadWrite,
                                seL4_X86_Default_VMAttributes);
    t1 = rdtsc32();
    if (err == seL4_NoError)
        bench_report_value("map_512_pages", t1 - t0 - bench_pair_overhead);
    if (err != seL4_NoError) {
        bench_fail("map 2048", err);
        bench_skip("map_512_pages", "an invocation failed: %s", rt_error_name(err));
    }
    /* Frees the scratch slots and unmaps every frame. */
    err = seL4_CNode_Revoke(ROOT_CNODE, ut, CPTR_DEPTH);
    if (err != seL4_NoError)
        bench_fail("revoke after map 2048", err);
}

void bench_vspace(void)
{
    single_page();
    pt_absent();
    many_pages();
}
