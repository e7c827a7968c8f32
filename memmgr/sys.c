/*
 * memmgr's system-call layer: the only file that talks to the kernel.
 * Everything else calls these few functions, so the host unit tests link
 * the real memmgr sources with a fake kernel in place of this file.
 */
#include <memmgr/mm.h>
#include <sel4/sel4.h>

mm_err_t mm_sys_retype(mm_cptr_t ut, uint32_t type, uint32_t size_bits, mm_cptr_t root,
                       mm_cptr_t node_index, uint32_t node_depth, uint32_t offset,
                       uint32_t num)
{
    return (mm_err_t)seL4_Untyped_Retype(ut, type, size_bits, root, node_index, node_depth,
                                         offset, num);
}

mm_err_t mm_sys_delete(mm_cptr_t root, mm_cptr_t cap, uint32_t depth)
{
    return (mm_err_t)seL4_CNode_Delete(root, cap, (seL4_Uint8)depth);
}

mm_err_t mm_sys_revoke(mm_cptr_t root, mm_cptr_t cap, uint32_t depth)
{
    return (mm_err_t)seL4_CNode_Revoke(root, cap, (seL4_Uint8)depth);
}

mm_err_t mm_sys_move(mm_cptr_t root, mm_cptr_t dest, mm_cptr_t src)
{
    return (mm_err_t)seL4_CNode_Move(root, dest, seL4_WordBits, root, src, seL4_WordBits);
}

mm_err_t mm_sys_tcb_suspend(mm_cptr_t tcb)
{
    return (mm_err_t)seL4_TCB_Suspend(tcb);
}

mm_err_t mm_sys_page_map(mm_cptr_t frame, mm_cptr_t pd, uint32_t vaddr, uint32_t rights,
                         uint32_t attr)
{
    seL4_CapRights_t r = { { rights } };

    return (mm_err_t)seL4_X86_Page_Map(frame, pd, vaddr, r, (seL4_X86_VMAttributes)attr);
}

mm_err_t mm_sys_page_unmap(mm_cptr_t frame)
{
    return (mm_err_t)seL4_X86_Page_Unmap(frame);
}

mm_err_t mm_sys_pt_map(mm_cptr_t pt, mm_cptr_t pd, uint32_t vaddr, uint32_t attr)
{
    return (mm_err_t)seL4_X86_PageTable_Map(pt, pd, vaddr, (seL4_X86_VMAttributes)attr);
}

mm_err_t mm_sys_pt_unmap(mm_cptr_t pt)
{
    return (mm_err_t)seL4_X86_PageTable_Unmap(pt);
}

mm_err_t mm_sys_asid_assign(mm_cptr_t pool, mm_cptr_t pd)
{
    return (mm_err_t)seL4_X86_ASIDPool_Assign(pool, pd);
}
