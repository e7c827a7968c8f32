/*
 * Reading the VMM's CNode capabilities with CNode ReadSlots (docs/api.md),
 * as the audit (vmm/audit.c) and the digest (vmm/digest.c) both do: a
 * CNode capability found in a slot is described by its radix and guard, so
 * its own slots can be named, and a CNode nested in it is read through a
 * copy in a scratch slot of the VMM's.
 */
#ifndef VMM_CNODE_READ_H
#define VMM_CNODE_READ_H

#include <memmgr/mm.h>
#include <sel4/sel4.h>
#include <sel4/extensions.h>
#include <abi/capinfo.h>
#include <stdbool.h>

/* Where a CNode capability is, and how to address its slots. */
typedef struct vmm_cnode_ref {
    mm_cptr_t cptr;                 /* the VMM's capability to the CNode */
    uint32_t radix, guard, guard_bits;
} vmm_cnode_ref_t;

/* The CNode that the capability at cptr, described by c, names. */
vmm_cnode_ref_t vmm_cnode_ref(mm_cptr_t cptr, const ext_CapInfo_t *c);
/* One slot of the VMM's root CNode, described; false if empty or unread. */
bool vmm_read_root_slot(mm_cptr_t slot, ext_CapInfo_t *c);
/* Reads the next batch of cn's slots from `first` (up to CAPINFO_MAX_SLOTS,
 * not past its end) into c: ReadSlots' answer (its count is 0 only with
 * an error). */
ext_CNode_ReadSlots_t vmm_cnode_read_batch(const vmm_cnode_ref_t *cn, uint32_t first,
                                           ext_CapInfo_t c[CAPINFO_MAX_SLOTS]);
/* Copies the capability in `slot` of cn, with rights, into the VMM's
 * empty slot dest. */
seL4_Error vmm_cnode_copy_out(const vmm_cnode_ref_t *cn, uint32_t slot, mm_cptr_t dest,
                              seL4_CapRights_t rights);

#endif
