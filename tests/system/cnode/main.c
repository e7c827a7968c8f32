/*
 * System tests of the CNode invocations (kernel/cnode.c, capops.c,
 * cdt.c): Copy, Mint, Move, Mutate, Rotate, Delete, Revoke, SaveCaller
 * and CancelBadgedSends, every refusal in seL4's order with its details,
 * rights that only shrink, badges set once, and which capability types
 * may be copied. The root task runs at ROOT_PRIO so that worker threads
 * above it run as soon as they can. Each test ends by running the
 * kernel's invariant checker.
 */
#include "cnode_tests.h"
#include <rt/rt.h>

struct st_root mem;    /* what the tests allocate from */

seL4_CPtr obj(seL4_Word type)
{
    return st_new_object(&mem, type);
}

seL4_CPtr slot(void)
{
    return st_slot(&mem);
}

seL4_Error copy_into(seL4_CPtr dest, seL4_CPtr src, seL4_CapRights_t rights)
{
    return seL4_CNode_Copy(ROOT, dest, DEPTH, ROOT, src, DEPTH, rights);
}

seL4_CPtr copy_of(seL4_CPtr src, seL4_CapRights_t rights)
{
    seL4_CPtr d = slot();
    return d != 0 && copy_into(d, src, rights) == seL4_NoError ? d : 0;
}

seL4_Error cnode_raw(seL4_CPtr cnode, seL4_Word label, seL4_Word len, const seL4_Word *mrs,
                     seL4_Word n_caps, seL4_CPtr cap0, seL4_CPtr cap1)
{
    for (seL4_Word i = 2; i < len; i++)
        seL4_SetMR((int)i, mrs[i]);
    seL4_SetCap(0, cap0);
    seL4_SetCap(1, cap1);
    return rt_invoke(cnode, label, n_caps, len, len > 0 ? mrs[0] : 0, len > 1 ? mrs[1] : 0);
}

seL4_Word frame_paddr(seL4_CPtr frame)
{
    seL4_X86_Page_GetAddress_t r = seL4_X86_Page_GetAddress(frame);
    return r.error == seL4_NoError ? r.paddr : 0;
}

int main(bootinfo_t *bi)
{
    st_root_init(&mem, bi);
    seL4_TCB_SetPriority(seL4_CapInitThreadTCB, seL4_CapInitThreadTCB, ROOT_PRIO);
    copy_tests();
    rotate_tests();
    ops_tests();
    tests_done();
}
