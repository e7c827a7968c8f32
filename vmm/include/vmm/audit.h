/*
 * The console's `audit` (vmm/audit.c): the isolation analysis on the live
 * capability state, read with CNode ReadSlots (docs/isolation.md).
 */
#ifndef VMM_AUDIT_H
#define VMM_AUDIT_H

#include <vmm/domain.h>
#include <vmm/isolation.h>

/* The graph and analysis the audit and the check at boot work in (large:
 * static, one of each). */
extern iso_graph_t vmm_iso_graph;
extern iso_analysis_t vmm_iso_analysis;

/* Reads every guest's CSpace and the VMM's own, prints the findings and
 * the verdict for every pair of built guests with chains; returns what
 * iso_report() counts (0: every pair spatially partitioned, clean). */
unsigned vmm_audit(vmm_t *v);
/* The audit timed without printing: BENCH audit_full (time-stamps for the
 * whole read, build and analysis) and BENCH audit_per_cap (per capability
 * read). */
void vmm_audit_bench(vmm_t *v);

#endif
