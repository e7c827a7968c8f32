/*
 * From the VMM's plan to an isolation graph (vmm/include/vmm/isolation_plan.h).
 *
 * Compiled only where the plan exists (vmm/include/vmm/plan.h, issue 22):
 * until both branches meet this file is empty.
 */
#if __has_include(<vmm/plan.h>)

#include <vmm/isolation_plan.h>
#include <string.h>

_Static_assert(PLAN_R == ISO_R && PLAN_W == ISO_W && PLAN_G == ISO_G && PLAN_GR == ISO_GR &&
               PLAN_C == ISO_C, "the plan's rights bits are the analysis'");

static iso_kind_t kind_of(plan_kind_t k)
{
    switch (k) {
    case PLAN_CNODE: return ISO_CNODE;
    case PLAN_TCB: return ISO_TCB;
    case PLAN_PAGE_DIRECTORY: return ISO_PAGE_DIRECTORY;
    case PLAN_ASID_POOL: return ISO_ASID_POOL;
    case PLAN_ENDPOINT: return ISO_ENDPOINT;
    case PLAN_UNTYPED: return ISO_UNTYPED;
    case PLAN_FRAMES: return ISO_FRAME;
    case PLAN_IO_PORTS: return ISO_IO_PORTS;
    case PLAN_IRQ: return ISO_IRQ;
    default: return ISO_NUM_KINDS;      /* refused by iso_add_object */
    }
}

static bool is_channel(const vmm_config_t *cfg, const char *name)
{
    for (uint32_t c = 0; c < cfg->n_channels; c++)
        if (strcmp(cfg->channel[c].name, name) == 0)
            return true;
    return false;
}

/* The graph's id of a plan holder/owner (a guest index or PLAN_VMM). */
static iso_id_t subject(const iso_graph_t *g, const iso_id_t *guest, uint32_t n_guests,
                        uint8_t who)
{
    if (who == PLAN_VMM)
        return g->vmm;
    return who < n_guests ? guest[who] : ISO_NONE;
}

static void add_object(const vmm_config_t *cfg, const plan_object_t *o, const iso_id_t *guest,
                       iso_graph_t *g)
{
    iso_kind_t kind = kind_of(o->kind);
    iso_id_t owner = subject(g, guest, cfg->n_guests, o->owner);
    bool ranged = kind == ISO_IO_PORTS || kind == ISO_IRQ;

    if (o->owner == PLAN_VMM && is_channel(cfg, o->name))
        owner = ISO_NONE;
    else if (owner == ISO_NONE)
        iso_refuse(g, ISO_LIMIT_BAD_INPUT);
    iso_add_object(g, kind, owner, o->name, ranged ? o->base : 0, ranged ? o->size : 0);
}

int iso_from_plan(const vmm_config_t *cfg, const vmm_plan_t *plan, iso_graph_t *g)
{
    iso_id_t guest[VMM_MAX_GUESTS];
    iso_id_t first;

    iso_init(g);
    iso_add_vmm(g, "vmm");
    for (uint32_t i = 0; i < cfg->n_guests && i < VMM_MAX_GUESTS; i++)
        guest[i] = iso_add_partition(g, cfg->guest[i].name);
    first = (iso_id_t)g->n_entities;
    for (uint32_t o = 0; o < plan->n_objects; o++)
        add_object(cfg, &plan->object[o], guest, g);
    for (uint32_t c = 0; c < plan->n_caps; c++) {
        const plan_cap_t *pc = &plan->cap[c];
        iso_id_t holder = subject(g, guest, cfg->n_guests, pc->holder);
        if (holder == ISO_NONE || pc->object >= plan->n_objects) {
            iso_refuse(g, ISO_LIMIT_BAD_INPUT);
            continue;
        }
        iso_add_cap(g, holder, (iso_id_t)(first + pc->object), pc->rights);
    }
    return g->overflow ? -1 : 0;
}

unsigned iso_check_plan(const vmm_config_t *cfg, const vmm_plan_t *plan, iso_graph_t *g,
                        iso_analysis_t *a, iso_emit_fn *emit, void *ctx)
{
    /* An overflowed graph makes iso_analyse() fail and iso_report() say
     * so and count it: no verdict is drawn from a partial graph. */
    iso_from_plan(cfg, plan, g);
    iso_analyse(g, a);
    return iso_report(g, a, emit, ctx);
}

#else
/* No plan on this branch yet: nothing to bridge. */
typedef int iso_from_plan_absent_t;
#endif
