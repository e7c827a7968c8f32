/*
 * Capability data: the word Mint and Mutate (and TCB Configure/SetSpace, for
 * the CSpace root) apply to the capability they make. On endpoint and
 * notification capabilities it is the badge; on a CNode capability it is
 * seL4_CNode_CapData, whose 32-bit layout, most significant bits first, is
 * 6 padding, guard 18, guardSize 5, 3 padding (libsel4 shared_types.bf,
 * mode_include/32; abi.md "Capability data"). Other types ignore it.
 */
#ifndef ABI_CAPDATA_H
#define ABI_CAPDATA_H

#define CNODE_CAPDATA_GUARD_SIZE_SHIFT 3    /* seL4_CNode_CapData.guardSize: bits 3-7 */
#define CNODE_CAPDATA_GUARD_SIZE_BITS  5
#define CNODE_CAPDATA_GUARD_SHIFT      8    /* seL4_CNode_CapData.guard: bits 8-25 */
#define CNODE_CAPDATA_GUARD_BITS       18

#endif
