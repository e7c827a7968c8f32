/*
 * The bridge from the VMM's capability plan (vmm/include/vmm/plan.h,
 * vmm_plan_build()) to the isolation graph (vmm/include/vmm/isolation.h):
 * the host tool and the VMM check the distribution the VMM is about to
 * build, from the same code that plans it, not from a second description.
 *
 * The plan knows sizes, not physical addresses (the VMM splits its
 * untypeds at boot), so memory entities get no byte range here: the bytes
 * rule is checked by the live audit. Objects the plan gives the VMM as
 * owner but that a configuration's channel names (shared pages, endpoint
 * channels) belong to nobody: the VMM only made them.
 */
#ifndef VMM_ISOLATION_PLAN_H
#define VMM_ISOLATION_PLAN_H

#include <vmm/isolation.h>
#include <vmm/plan.h>

/* Fills g from plan (of configuration cfg). Returns 0, or -1 if the plan
 * does not fit the graph (g->overflow is then set). */
int iso_from_plan(const vmm_config_t *cfg, const vmm_plan_t *plan, iso_graph_t *g);

#endif
