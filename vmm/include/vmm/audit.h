/*
 * The console's `audit` (vmm/audit.c): the isolation analysis on the live
 * capability state, read with CNode ReadSlots (docs/isolation.md).
 */
#ifndef VMM_AUDIT_H
#define VMM_AUDIT_H

#include <vmm/domain.h>

/* Reads every guest's CSpace and the VMM's own, prints the findings and
 * the verdict for every pair of built guests with chains; returns what
 * iso_report() counts (0: every pair spatially partitioned, clean). */
unsigned vmm_audit(vmm_t *v);

#endif
