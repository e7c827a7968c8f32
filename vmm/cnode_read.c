/*
 * Reading the VMM's CNode capabilities (vmm/include/vmm/cnode_read.h). A
 * CNode's slots are named, from the capability to it, by its guard then
 * the slot's index, resolved to the depth of both: so a guest's CNode,
 * minted with a guard that makes its CPtrs resolve at depth 32, is read
 * the same as an unguarded one.
 */
#include <vmm/cnode_read.h>
#include <string.h>

#define ROOT    seL4_CapInitThreadCNode
#define DEPTH   seL4_WordBits

vmm_cnode_ref_t vmm_cnode_ref(mm_cptr_t cptr, const ext_CapInfo_t *c)
{
    uint32_t d = (uint32_t)c->data;

    return (vmm_cnode_ref_t){
        .cptr = cptr,
        .radix = (d >> CAPINFO_RADIX_SHIFT) & CAPINFO_FIELD5_MASK,
        .guard_bits = (d >> CAPINFO_GUARD_SIZE_SHIFT) & CAPINFO_FIELD5_MASK,
        .guard = d & ((1u << CAPINFO_GUARD_BITS) - 1),
    };
}

bool vmm_read_root_slot(mm_cptr_t slot, ext_CapInfo_t *c)
{
    memset(c, 0, sizeof(*c));
    return ext_CNode_ReadSlots(ROOT, slot, 1, c).error == seL4_NoError &&
           c->type != CAPINFO_TYPE_NULL;
}

ext_CNode_ReadSlots_t vmm_cnode_read_batch(const vmm_cnode_ref_t *cn, uint32_t first,
                                           ext_CapInfo_t c[CAPINFO_MAX_SLOTS])
{
    uint32_t left = (1u << cn->radix) - first;

    return ext_CNode_ReadSlots(cn->cptr, first, left < CAPINFO_MAX_SLOTS ? left :
                               CAPINFO_MAX_SLOTS, c);
}

seL4_Error vmm_cnode_copy_out(const vmm_cnode_ref_t *cn, uint32_t slot, mm_cptr_t dest,
                              seL4_CapRights_t rights)
{
    seL4_Word index = ((seL4_Word)cn->guard << cn->radix) | slot;

    return seL4_CNode_Copy(ROOT, dest, DEPTH, cn->cptr, index, cn->guard_bits + cn->radix,
                           rights);
}
