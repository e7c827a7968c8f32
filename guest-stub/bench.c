/*
 * Benchmarks from inside a guest (bootargs `bench`), reported to the VMM
 * with VMM_CALL_BENCH, which prints them as BENCH lines for
 * tools/run-vmm-bench.py. Figures are time-stamp ticks, instructions under
 * QEMU's -icount shift=0 (vmm/include/vmm/tsc.h).
 *
 * guest_boot: the time-stamp at component_main's first line, less the
 * VMM's at its main's first line (the VMM subtracts it). Then, per object
 * type, the mean of BENCH_N allocations: under delegated with memmgr from
 * the guest's own untypeds (no VMM involved: pools refilled by batch
 * retypes, so the mean includes their share), under mediated with a
 * VMM_CALL_ALLOC round trip each; and the mean of BENCH_N mappings of 4 KiB
 * frames at consecutive addresses in one fresh 4 MiB region (so one page
 * table is made in both cases): memmgr's VSpace under delegated,
 * VMM_CALL_MAP under mediated.
 */
#include <guest/guest.h>
#include <memmgr/mm.h>
#include <memmgr/vspace.h>
#include <sel4/sel4.h>
#include <vmm/tsc.h>

#define BENCH_N         32u
#define BENCH_VADDR     0x44000000u     /* a fresh 4 MiB region */
#define PAGE            (1u << seL4_PageBits)
#define RIGHTS_RW       3u

typedef struct bench_type {
    seL4_Word type, bits;
    const char *name;
} bench_type_t;

static const bench_type_t types[] = {
    { seL4_TCBObject, 0, "tcb" },
    { seL4_EndpointObject, 0, "endpoint" },
    { seL4_NotificationObject, 0, "notification" },
    { seL4_X86_4K, 0, "frame" },
    { seL4_X86_PageTableObject, 0, "page_table" },
};
#define N_TYPES (sizeof(types) / sizeof(types[0]))

void guest_bench_report(const char *prefix, const char *name, uint64_t value, uint32_t flags)
{
    char full[VMM_BENCH_NAME_MAX] = { 0 };
    uint32_t k = 0;

    for (const char *p = prefix; *p && k < VMM_BENCH_NAME_MAX; p++)
        full[k++] = *p;
    for (const char *p = name; *p && k < VMM_BENCH_NAME_MAX; p++)
        full[k++] = *p;
    seL4_SetMR(0, (seL4_Word)value);
    seL4_SetMR(1, (seL4_Word)(value >> 32));
    seL4_SetMR(2, flags);
    for (uint32_t w = 0; w < VMM_BENCH_NAME_MAX / 4; w++)
        seL4_SetMR(3 + w, (seL4_Word)(uint8_t)full[4 * w] | (seL4_Word)(uint8_t)full[4 * w + 1] << 8 |
                          (seL4_Word)(uint8_t)full[4 * w + 2] << 16 |
                          (seL4_Word)(uint8_t)full[4 * w + 3] << 24);
    seL4_Call(VMM_SLOT_SERVICE,
              seL4_MessageInfo_new(VMM_CALL_BENCH, 0, 0, 3 + VMM_BENCH_NAME_MAX / 4));
}

static seL4_Error mediated(seL4_Word label, seL4_Word a, seL4_Word b, seL4_Word c)
{
    seL4_SetMR(0, a);
    seL4_SetMR(1, b);
    seL4_SetMR(2, c);
    return (seL4_Error)seL4_MessageInfo_get_label(
        seL4_Call(VMM_SLOT_SERVICE, seL4_MessageInfo_new(label, 0, 0, 3)));
}

/* Mean ticks per object of BENCH_N allocations; the handles or caps in out. */
static int alloc_n(struct mm *mm, const bench_type_t *t, seL4_Word *out, uint64_t *mean)
{
    uint64_t t0 = vmm_rdtsc();

    for (uint32_t i = 0; i < BENCH_N; i++) {
        if (mm) {
            if (mm_alloc(mm, t->type, t->bits, &out[i]) != ERR_NONE)
                return -1;
        } else {
            seL4_Error e = mediated(VMM_CALL_ALLOC, t->type, t->bits, 0);
            if (e != seL4_NoError)
                return gprintf("guest-stub: %s %u: the VMM refused (%d)\n", t->name, i, e), -1;
            out[i] = seL4_GetMR(0);
        }
    }
    *mean = (vmm_rdtsc() - t0) / BENCH_N;
    return 0;
}

static void free_n(struct mm *mm, seL4_Word *objs)
{
    for (uint32_t i = 0; i < BENCH_N; i++)
        if (mm)
            mm_free(mm, objs[i]);
        else
            mediated(VMM_CALL_FREE, objs[i], 0, 0);
}

/* mm: the guest's own (delegated), or NULL (mediated); vs likewise. */
static int map_n(struct mm *mm, struct mm_vspace *vs, uint64_t *mean)
{
    seL4_Word frames[BENCH_N];
    uint64_t t0, ignore;
    int wrong = alloc_n(mm, &types[3], frames, &ignore);

    t0 = vmm_rdtsc();
    for (uint32_t i = 0; i < BENCH_N && !wrong; i++)
        wrong = mm ? mm_vspace_map(vs, frames[i], BENCH_VADDR + i * PAGE, MM_RW, 0, 0) != 0
                   : mediated(VMM_CALL_MAP, frames[i], BENCH_VADDR + i * PAGE, RIGHTS_RW) != 0;
    *mean = (vmm_rdtsc() - t0) / BENCH_N;
    for (uint32_t i = 0; i < BENCH_N; i++)
        if (mm)
            mm_vspace_unmap(vs, BENCH_VADDR + i * PAGE);
    free_n(mm, frames);
    return wrong;
}

int guest_bench(struct mm *mm, struct mm_vspace *vs)
{
    const char *prefix = mm ? "delegated_alloc_" : "mediated_alloc_";
    seL4_Word objs[BENCH_N];
    uint64_t mean;
    int wrong = 0;

    for (uint32_t t = 0; t < N_TYPES; t++) {
        if (alloc_n(mm, &types[t], objs, &mean) != 0) {
            wrong++;
            continue;
        }
        guest_bench_report(prefix, types[t].name[0] ? types[t].name : "?", mean, 0);
        free_n(mm, objs);
    }
    if (map_n(mm, vs, &mean) == 0)
        guest_bench_report(mm ? "delegated_" : "mediated_", "map_page", mean, 0);
    else
        wrong++;
    return wrong;
}
