/*
 * The capability distribution the VMM will build, computed from the
 * configuration alone: which kernel objects exist, whose they are, and
 * which capability (with which rights) each partition will hold. It is
 * plain data and pure code, so a host tool computes the same plan from the
 * same .dtb that the VMM does at boot, and the isolation analysis (issue
 * 23) can check it before anything runs. The VMM is one holder among the
 * others; it holds every object it keeps for mediation and reclaim.
 *
 * Physical addresses are not known before the VMM splits its untypeds, so
 * objects carry sizes only; the live audit sees the real ranges.
 */
#ifndef VMM_PLAN_H
#define VMM_PLAN_H

#include <vmm/config.h>

#define PLAN_VMM            0xffu   /* holder/owner: the VMM itself */
#define PLAN_MAX_OBJECTS    (VMM_MAX_GUESTS * 10 + VMM_MAX_CHANNELS + \
                             VMM_MAX_DEVICES * (VMM_MAX_PORT_RANGES + VMM_MAX_IRQS) + 2)
#define PLAN_MAX_CAPS       (PLAN_MAX_OBJECTS * 3 + VMM_MAX_GUESTS * 2)
#define PLAN_NAME_MAX       48

/* Rights, seL4's four plus Create (holding an untyped). */
#define PLAN_R      0x01u
#define PLAN_W      0x02u
#define PLAN_G      0x04u
#define PLAN_GR     0x08u
#define PLAN_C      0x10u

typedef enum plan_kind {
    PLAN_CNODE, PLAN_TCB, PLAN_PAGE_DIRECTORY, PLAN_ASID_POOL, PLAN_ENDPOINT, PLAN_UNTYPED,
    PLAN_FRAMES, PLAN_IO_PORTS, PLAN_IRQ,
} plan_kind_t;

typedef struct plan_object {
    plan_kind_t kind;
    uint8_t owner;              /* guest index, or PLAN_VMM */
    uint64_t size;              /* bytes (frames, untyped); ports; 1 for an IRQ */
    uint32_t base;              /* first port, IRQ line; 0 where unknown */
    char name[PLAN_NAME_MAX];   /* "web/cspace", "ch0", "com2/ports" */
} plan_object_t;

typedef struct plan_cap {
    uint8_t holder;             /* guest index, or PLAN_VMM */
    uint16_t object;            /* index into vmm_plan_t.object */
    uint8_t rights;             /* PLAN_R ... PLAN_C */
} plan_cap_t;

typedef struct vmm_plan {
    uint32_t n_objects, n_caps;
    plan_object_t object[PLAN_MAX_OBJECTS];
    plan_cap_t cap[PLAN_MAX_CAPS];
} vmm_plan_t;

/* ia32 has four ASID pools (2^2 high ASID bits) and the VMM keeps the
 * first: three are left to give out. */
#define VMM_OWN_POOLS       3u

/* Whether guest i gets an ASID pool of its own: the first VMM_OWN_POOLS
 * guests that hold their page directory (all but mediated), in
 * configuration order. Every other page directory, a mediated guest's
 * processes' included, gets its ASID from the VMM's pool. */
bool vmm_plan_own_pool(const vmm_config_t *cfg, uint32_t i);
/* Whether any guest's page directories get ASIDs from the VMM's pool. */
bool vmm_plan_vmm_pool(const vmm_config_t *cfg);
/* Computes the plan of a configuration vmm_config_read() accepted. */
void vmm_plan_build(const vmm_config_t *cfg, vmm_plan_t *plan);
const char *vmm_plan_kind_name(plan_kind_t k);

#endif
