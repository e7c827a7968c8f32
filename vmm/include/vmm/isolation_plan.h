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

/* The check before boot, one function for the host tool (build/tools/
 * isocheck on a .dtb) and the VMM (which refuses the configuration when it
 * fails): plan -> graph -> analysis -> iso_report() through emit. Returns
 * what iso_report() counts (findings, pairs not spatially partitioned or
 * with shared devices), at least 1 for a plan that does not fit the graph;
 * 0 means acceptable. g and a are the caller's (large: static or heap). */
unsigned iso_check_plan(const vmm_config_t *cfg, const vmm_plan_t *plan, iso_graph_t *g,
                        iso_analysis_t *a, iso_emit_fn *emit, void *ctx);

#endif
