/*
 * Capability benchmarks (issue 14; the thesis' chapter 7 set), each an
 * rdtsc pair around one invocation from C minus the pair's own cost:
 *
 *  - retype_<type>_1, retype_<type>_batch32 (per object), and a batch
 *    sweep retype_batch_<type>_<n> for the smallest object and a 4 KiB
 *    frame: every sample retypes from a fresh untyped, so no reset (clearing
 *    of earlier objects' memory) is ever measured.
 *  - revoke_objects_<n>: revoke of an untyped with n endpoints made from it;
 *    revoke_copies_<c>: one endpoint with c further copies of its
 *    capability. revoke_fixed and revoke_per_object are the intercept and
 *    slope of a least-squares line over the first, revoke_per_copy the
 *    slope over the second.
 *  - delete_final_<type>: CNode_Delete of the only capability to an object.
 *  - cnode_copy, cnode_mint, cnode_move, cnode_delete (of an endpoint
 *    capability; the delete is of a copy, not the last capability).
 */
#include "bench.h"
#include <memmgr/mm.h>
#include <rt/rt.h>
#include <rt/test.h>
#include <stdio.h>

struct obj_type {
    const char *name;
    seL4_Word type, size_bits;
};

static const struct obj_type types[] = {
    { "untyped4k", seL4_UntypedObject, 12 },
    { "tcb", seL4_TCBObject, 0 },
    { "endpoint", seL4_EndpointObject, 0 },
    { "notification", seL4_NotificationObject, 0 },
    { "cnode16", seL4_CapTableObject, 4 },
    { "frame4k", seL4_X86_4K, 0 },
    { "pagetable", seL4_X86_PageTableObject, 0 },
    { "pagedir", seL4_X86_PageDirectoryObject, 0 },
    { "frame4m", seL4_X86_LargePageObject, 0 },
};
#define N_TYPES (sizeof(types) / sizeof(types[0]))

static seL4_CPtr window;        /* 256 + 65 slots, emptied by revokes */
#define WINDOW_SLOTS 330u

static int errs(seL4_Error err, const char *what)
{
    if (err == seL4_NoError)
        return 0;
    bench_fail(what, err);
    return 1;
}

/* Per-object cost of retyping n objects of t in one call; samples from
 * fresh untypeds. Returns 0 if the memory is not there. */
static int retype_batch(const struct obj_type *t, seL4_Word n, int warmup, int samples,
                        const char *name)
{
    uint32_t s[BENCH_MAX_SAMPLES + 2];
    seL4_Word obj_bits = mm_obj_bits(t->type, t->size_bits);
    seL4_Word bits = obj_bits;

    while (((seL4_Word)1 << bits) < n << obj_bits)
        bits++;
    if (bits < 12)
        bits = 12;
    for (int i = 0; i < warmup + samples; i++) {
        seL4_CPtr ut = bench_untyped(bits);
        if (ut == 0) {
            bench_skip(name, "no free untyped of 2^%u bytes left", (unsigned)bits);
            return 0;
        }
        uint32_t t0 = rdtsc32();
        seL4_Error err = bench_retype(ut, t->type, t->size_bits, window, n);
        uint32_t t1 = rdtsc32();
        if (errs(err, name)) {
            bench_skip(name, "retype failed: %s", rt_error_name(err));
            return 0;
        }
        if (i >= warmup)
            s[i - warmup] = (t1 - t0 - bench_pair_overhead) / (uint32_t)n;
        if (errs(seL4_CNode_Revoke(ROOT_CNODE, ut, CPTR_DEPTH), "revoke after retype"))
            return 0;
    }
    bench_report(name, s, samples);
    return 1;
}

static void retypes(void)
{
    static const seL4_Word sweep[] = { 1, 2, 4, 8, 16, 32 };
    char name[64];

    for (unsigned k = 0; k < N_TYPES; k++) {
        const struct obj_type *t = &types[k];
        /* 4 MiB frames: 32 of them are 128 MiB cleared per sample; one sample.
         * One frame is cheap enough for a warm-up: since the benchmark takes
         * its untypeds from memmgr, the row's first retype costs 746
         * instructions and every later one 839, as before. */
        int big = t->type == seL4_X86_LargePageObject;
        int w = big ? 0 : bench_cfg.warmup, n = big ? 1 : bench_cfg.samples;

        snprintf(name, sizeof(name), "retype_%s_1", t->name);
        retype_batch(t, 1, big ? 1 : w, n, name);
        snprintf(name, sizeof(name), "retype_%s_batch32", t->name);
        retype_batch(t, 32, w, n, name);
    }
    for (unsigned k = 0; k < N_TYPES; k++) {
        const struct obj_type *t = &types[k];
        if (t->type != seL4_EndpointObject && t->type != seL4_X86_4K)
            continue;
        for (unsigned j = 0; j < sizeof(sweep) / sizeof(sweep[0]); j++) {
            snprintf(name, sizeof(name), "retype_batch_%s_%u", t->name, (unsigned)sweep[j]);
            retype_batch(t, sweep[j], bench_cfg.warmup, bench_cfg.samples, name);
        }
    }
}

/* ---- revoke ---- */

/* Least squares y = a + b x, in 1/1000ths. */
static void fit(const int64_t *x, const int64_t *y, int n, int64_t *a_milli, int64_t *b_milli)
{
    int64_t sx = 0, sy = 0, sxx = 0, sxy = 0;

    for (int i = 0; i < n; i++) {
        sx += x[i];
        sy += y[i];
        sxx += x[i] * x[i];
        sxy += x[i] * y[i];
    }
    int64_t den = n * sxx - sx * sx;
    *b_milli = den == 0 ? 0 : (1000 * (n * sxy - sx * sy)) / den;
    *a_milli = (1000 * sy - *b_milli * sx) / n;
}

static uint32_t round_milli(int64_t v)
{
    return (uint32_t)((v + 500) / 1000);
}

static void revokes(void)
{
    static const seL4_Word objs[] = { 1, 2, 4, 8, 16, 32, 64, 128, 256 };
    static const seL4_Word copies[] = { 0, 1, 2, 4, 8, 16, 32, 64 };
    int64_t x[16], y[16];
    uint32_t s[BENCH_MAX_SAMPLES + 2];
    seL4_CPtr ut = bench_untyped(14);
    char name[64];
    int n = 0;

    if (ut == 0) {
        bench_skip("revoke_fixed", "no untyped");
        return;
    }
    for (unsigned k = 0; k < sizeof(objs) / sizeof(objs[0]); k++) {
        for (int i = 0; i < BENCH_TOTAL(); i++) {
            if (errs(bench_retype(ut, seL4_EndpointObject, 0, window, objs[k]), "revoke set-up"))
                return;
            uint32_t t0 = rdtsc32();
            seL4_Error err = seL4_CNode_Revoke(ROOT_CNODE, ut, CPTR_DEPTH);
            uint32_t t1 = rdtsc32();
            if (errs(err, "revoke"))
                return;
            if (i >= bench_cfg.warmup)
                s[i - bench_cfg.warmup] = t1 - t0 - bench_pair_overhead;
        }
        snprintf(name, sizeof(name), "revoke_objects_%u", (unsigned)objs[k]);
        bench_report(name, s, bench_cfg.samples);
        x[n] = (int64_t)objs[k];
        y[n++] = bench_mode(s, bench_cfg.samples);
    }
    int64_t a, b;
    fit(x, y, n, &a, &b);
    bench_report_value("revoke_fixed", round_milli(a));
    bench_report_value("revoke_per_object", round_milli(b));

    n = 0;
    for (unsigned k = 0; k < sizeof(copies) / sizeof(copies[0]); k++) {
        for (int i = 0; i < BENCH_TOTAL(); i++) {
            if (errs(bench_retype(ut, seL4_EndpointObject, 0, window, 1), "revoke set-up"))
                return;
            for (seL4_Word c = 0; c < copies[k]; c++)
                if (errs(seL4_CNode_Copy(ROOT_CNODE, window + 1 + c, CPTR_DEPTH, ROOT_CNODE,
                                         window, CPTR_DEPTH, seL4_AllRights), "copy"))
                    return;
            uint32_t t0 = rdtsc32();
            seL4_Error err = seL4_CNode_Revoke(ROOT_CNODE, ut, CPTR_DEPTH);
            uint32_t t1 = rdtsc32();
            if (errs(err, "revoke"))
                return;
            if (i >= bench_cfg.warmup)
                s[i - bench_cfg.warmup] = t1 - t0 - bench_pair_overhead;
        }
        snprintf(name, sizeof(name), "revoke_copies_%u", (unsigned)copies[k]);
        bench_report(name, s, bench_cfg.samples);
        x[n] = (int64_t)copies[k];
        y[n++] = bench_mode(s, bench_cfg.samples);
    }
    fit(x, y, n, &a, &b);
    bench_report_value("revoke_per_copy", round_milli(b));
}

/* ---- delete the last capability ---- */

static void delete_final(void)
{
    uint32_t s[BENCH_MAX_SAMPLES + 2];
    char name[64];

    for (unsigned k = 0; k < N_TYPES; k++) {
        const struct obj_type *t = &types[k];
        if (t->type == seL4_X86_LargePageObject)
            continue;
        seL4_CPtr ut = bench_untyped(18), pin = bench_slots(1);
        int ok = ut != 0 && pin != 0 &&
                 !errs(bench_retype(ut, seL4_EndpointObject, 0, pin, 1), "delete pin");
        snprintf(name, sizeof(name), "delete_final_%s", t->name);
        for (int i = 0; i < BENCH_TOTAL() && ok; i++) {
            if (errs(bench_retype(ut, t->type, t->size_bits, window, 1), name)) {
                ok = 0;
                break;
            }
            uint32_t t0 = rdtsc32();
            seL4_Error err = seL4_CNode_Delete(ROOT_CNODE, window, CPTR_DEPTH);
            uint32_t t1 = rdtsc32();
            if (errs(err, name))
                ok = 0;
            else if (i >= bench_cfg.warmup)
                s[i - bench_cfg.warmup] = t1 - t0 - bench_pair_overhead;
        }
        if (ok)
            bench_report(name, s, bench_cfg.samples);
        else
            bench_skip(name, "set-up or delete failed");
    }
}

/* ---- CNode operations ---- */

static void cnode_ops(void)
{
    uint32_t cp[BENCH_MAX_SAMPLES + 2], mi[BENCH_MAX_SAMPLES + 2];
    uint32_t mv[BENCH_MAX_SAMPLES + 2], de[BENCH_MAX_SAMPLES + 2];
    seL4_CPtr ep = bench_obj(seL4_EndpointObject, 0);
    seL4_CPtr a = window, b = window + 1;
    seL4_Error err = ep == 0 ? seL4_NotEnoughMemory : seL4_NoError;
    uint32_t t0, t1;

    for (int i = 0; i < BENCH_TOTAL() && err == seL4_NoError; i++) {
        t0 = rdtsc32();
        err = seL4_CNode_Copy(ROOT_CNODE, a, CPTR_DEPTH, ROOT_CNODE, ep, CPTR_DEPTH,
                              seL4_AllRights);
        t1 = rdtsc32();
        cp[i] = t1 - t0 - bench_pair_overhead;
        if (err == seL4_NoError) {
            t0 = rdtsc32();
            err = seL4_CNode_Move(ROOT_CNODE, b, CPTR_DEPTH, ROOT_CNODE, a, CPTR_DEPTH);
            t1 = rdtsc32();
            mv[i] = t1 - t0 - bench_pair_overhead;
        }
        if (err == seL4_NoError) {
            t0 = rdtsc32();
            err = seL4_CNode_Delete(ROOT_CNODE, b, CPTR_DEPTH);
            t1 = rdtsc32();
            de[i] = t1 - t0 - bench_pair_overhead;
        }
        if (err == seL4_NoError) {
            t0 = rdtsc32();
            err = seL4_CNode_Mint(ROOT_CNODE, a, CPTR_DEPTH, ROOT_CNODE, ep, CPTR_DEPTH,
                                  seL4_AllRights, (seL4_Word)i + 1);
            t1 = rdtsc32();
            mi[i] = t1 - t0 - bench_pair_overhead;
        }
        if (err == seL4_NoError)
            err = seL4_CNode_Delete(ROOT_CNODE, a, CPTR_DEPTH);
    }
    if (errs(err, "cnode operations")) {
        bench_skip("cnode_copy", "an invocation failed: %s", rt_error_name(err));
        return;
    }
    int w = bench_cfg.warmup;
    bench_report("cnode_copy", cp + w, bench_cfg.samples);
    bench_report("cnode_mint", mi + w, bench_cfg.samples);
    bench_report("cnode_move", mv + w, bench_cfg.samples);
    bench_report("cnode_delete", de + w, bench_cfg.samples);
}

void bench_caps(void)
{
    window = bench_slots(WINDOW_SLOTS);
    if (window == 0) {
        bench_fail("cap window", seL4_NotEnoughMemory);
        return;
    }
    cnode_ops();
    delete_final();
    revokes();
    retypes();
    bench_irq_latency();
}
