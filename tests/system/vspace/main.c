/*
 * System tests of virtual memory, ASIDs and I/O ports (arch/ia32/vspace.c,
 * frame.c, asid.c, ioport.c): mapping and reading back, rights and faults,
 * the kernel window, weak links after a page directory is gone, reuse of an
 * address after unmap, 4 MiB pages, ASID pool and ASID exhaustion, I/O port
 * issue and access. Each test ends by running the kernel's invariant
 * checker. The ASID tests run last: they use up the ASID pools.
 */
#include "vspace_tests.h"
#include <rt/rt.h>
#include <rt/thread.h>

struct st_root mem;    /* what the tests allocate from */

/* Test regions: one 4 MiB slot each, between the root image and the
 * mapping area of the suites' memmgr helpers (ST_VADDR_BASE). */
#define REGION_BASE     0x40000000u

static seL4_Word next_region = REGION_BASE;

seL4_Word region(void)
{
    seL4_Word r = next_region;
    next_region += LARGE_PAGE;
    return r;
}

seL4_CPtr obj(seL4_Word type)
{
    return st_new_object(&mem, type);
}

seL4_Error map_page(seL4_CPtr frame, seL4_Word v, seL4_CapRights_t rights)
{
    return st_map_frame(&mem, frame, v, rights, DEFAULT_ATTR);
}

seL4_CPtr copy_cap(seL4_CPtr src)
{
    seL4_CPtr dest = st_slot(&mem);
    if (dest == 0)
        return 0;
    if (seL4_CNode_Copy(ROOT_CNODE, dest, CPTR_DEPTH, ROOT_CNODE, src, CPTR_DEPTH,
                        seL4_AllRights) != seL4_NoError)
        return 0;
    return dest;
}

seL4_Error delete_cap(seL4_CPtr slot)
{
    return seL4_CNode_Delete(ROOT_CNODE, slot, CPTR_DEPTH);
}

/* ---- Faulting threads ---- */

#define FAULT_THREAD_PRIO 100
#define FAULT_BADGE_NONE  0

static seL4_CPtr fault_ep;

struct fault_job {
    void (*fn)(void *);
    void *arg;
};

/* If fn returns, tell the handler so by a fault-free message (label 0). */
static void fault_thread(void *p)
{
    struct fault_job *job = p;
    job->fn(job->arg);
    seL4_Send(fault_ep, seL4_MessageInfo_new(0, 0, 0, 0));
}

void run_and_catch_fault(void (*fn)(void *), void *arg, fault_report_t *out)
{
    static struct fault_job job;
    rt_thread_t t;
    seL4_Word badge = FAULT_BADGE_NONE;

    *out = (fault_report_t){ 0 };
    if (fault_ep == 0)
        fault_ep = obj(seL4_EndpointObject);
    job = (struct fault_job){ fn, arg };
    if (fault_ep == 0 || st_thread_create(&mem, &t, FAULT_THREAD_PRIO, fault_ep) != seL4_NoError ||
        rt_thread_start(&t, fault_thread, &job) != seL4_NoError) {
        out->label = (seL4_Word)-1;
        return;
    }
    seL4_MessageInfo_t info = seL4_Recv(fault_ep, &badge);
    out->label = seL4_MessageInfo_get_label(info);
    if (out->label == seL4_Fault_VMFault) {
        out->ip = seL4_GetMR(seL4_VMFault_IP);
        out->addr = seL4_GetMR(seL4_VMFault_Addr);
        out->prefetch = seL4_GetMR(seL4_VMFault_PrefetchFault);
        out->fsr = seL4_GetMR(seL4_VMFault_FSR);
    }
    /* The thread stays blocked on its fault; stop it for good. */
    seL4_TCB_Suspend(t.tcb);
}

int main(bootinfo_t *bi)
{
    st_root_init(&mem, bi);
    frame_tests();
    fault_tests();
    ioport_tests();
    arch_invoke_tests();
    asid_tests();
    revoke_tests(bi);
    tests_done();
}
