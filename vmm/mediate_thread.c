/*
 * Threads of a mediated guest's processes. A thread is a TCB the VMM makes
 * from the guest's quota in one of the guest's process spaces; its faults
 * (page faults, and system calls: `int $0x80` is an UnknownSyscall fault)
 * go to an endpoint of the guest's, through a capability badged with the
 * number the guest chose, so one receive loop in the guest kernel tells
 * its processes apart. That capability sits in a CNode of two slots the
 * thread has as its whole CSpace (slot 1, at depth 32: a guard of 31 zero
 * bits), so a process can name nothing but its own fault endpoint; it may
 * Send with GrantReply (the kernel needs one of the grant rights to
 * deliver a fault), never Grant.
 *
 * The guest receives on the endpoint through a copy the VMM gives it
 * (EP_GIVE: Receive only) and answers faults itself with the reply
 * capability the kernel gives it; what else it needs of its threads
 * (registers, TLS base, stopping and resuming them: signal delivery) it
 * asks of the VMM.
 */
#include <vmm/mediate.h>
#include <vmm/guest_abi.h>
#include <sel4/sel4.h>

#define DEPTH               seL4_WordBits
#define THREAD_CNODE_BITS   1u
#define THREAD_FAULT_SLOT   1u

static med_obj_t *thread_of(vmm_domain_t *d, seL4_Word handle)
{
    return med_lookup(d->ms->handle, DOMAIN_MAX_HANDLES, handle, MED_THREAD, MED_ANY_TYPE);
}

/* The thread's CSpace, its fault capability in it, its TCB configured in
 * the space, stopped. */
static seL4_Error thread_make(vmm_domain_t *d, mm_cptr_t pd, mm_cptr_t ep, seL4_Word badge,
                              seL4_Word prio, mm_cptr_t *tcb, mm_cptr_t *cnode)
{
    seL4_Word guard = seL4_CNode_CapData_new(0, seL4_WordBits - THREAD_CNODE_BITS).words[0];
    seL4_CapRights_t send = seL4_CapRights_new(1, 0, 0, 1);

    if (mm_alloc(&d->med, seL4_TCBObject, 0, tcb) != ERR_NONE)
        return seL4_NotEnoughMemory;
    if (mm_alloc(&d->med, seL4_CapTableObject, THREAD_CNODE_BITS, cnode) != ERR_NONE) {
        mm_free(&d->med, *tcb);
        return seL4_NotEnoughMemory;
    }
    if (seL4_CNode_Mint(*cnode, THREAD_FAULT_SLOT, THREAD_CNODE_BITS, d->med.root, ep, DEPTH,
                        send, badge) != seL4_NoError ||
        seL4_TCB_Configure(*tcb, THREAD_FAULT_SLOT, *cnode, guard, pd, 0, 0, 0) !=
            seL4_NoError ||
        seL4_TCB_SetPriority(*tcb, seL4_CapInitThreadTCB, prio) != seL4_NoError) {
        mm_free(&d->med, *cnode);
        mm_free(&d->med, *tcb);
        return seL4_NotEnoughMemory;
    }
    return seL4_NoError;
}

static seL4_Error thread_new(vmm_domain_t *d, seL4_Word *mr, seL4_Word *nreply)
{
    med_obj_t *s = med_lookup(d->ms->handle, DOMAIN_MAX_HANDLES, mr[0], MED_SPACE, MED_ANY_TYPE);
    med_obj_t *ep = med_lookup(d->ms->handle, DOMAIN_MAX_HANDLES, mr[1], MED_OBJECT,
                               seL4_EndpointObject);
    mm_cptr_t tcb, cnode;
    med_obj_t *o;
    seL4_Error e;

    if (!s || !ep)
        return seL4_InvalidArgument;
    if (med_check_badge(mr[2]) || med_check_priority(mr[3], d->g->priority))
        return seL4_RangeError;
    if ((e = thread_make(d, s->cap, ep->cap, mr[2], mr[3], &tcb, &cnode)) != seL4_NoError)
        return e;
    if (mediate_new_handle(d, MED_THREAD, tcb, &mr[0], &o) != seL4_NoError) {
        mm_free(&d->med, cnode);
        mm_free(&d->med, tcb);
        return seL4_NotEnoughMemory;
    }
    o->aux = cnode;
    o->where = (uint32_t)(s - d->ms->handle) + 1;
    s->uses++;
    *nreply = 1;
    return seL4_NoError;
}

void mediate_thread_free(vmm_domain_t *d, med_obj_t *o)
{
    seL4_TCB_Suspend(o->cap);
    mm_free(&d->med, o->cap);
    mm_free(&d->med, o->aux);
    d->ms->handle[o->where - 1].uses--;
    *o = (med_obj_t){ 0 };
}

/* The guest's copy of one of its endpoints, to receive on. */
static seL4_Error ep_give(vmm_domain_t *d, seL4_Word handle, seL4_Word slot)
{
    med_obj_t *ep = med_lookup(d->ms->handle, DOMAIN_MAX_HANDLES, handle, MED_OBJECT,
                               seL4_EndpointObject);

    if (!ep)
        return seL4_InvalidArgument;
    if (med_check_slot(slot))
        return seL4_RangeError;
    if (ep->where)
        return seL4_DeleteFirst;
    if (seL4_CNode_Copy(d->cnode, slot, VMM_GUEST_CNODE_BITS, d->med.root, ep->cap, DEPTH,
                        seL4_CanRead) != seL4_NoError)
        return seL4_DeleteFirst;    /* the only way it fails: the slot is taken */
    ep->where = slot;
    return seL4_NoError;
}

seL4_Error mediate_thread_call(vmm_domain_t *d, seL4_Word label, seL4_Word *mr, seL4_Word nmr,
                               seL4_Word *nreply)
{
    med_obj_t *t;

    switch (label) {
    case VMM_CALL_THREAD:
        return thread_new(d, mr, nreply);
    case VMM_CALL_EP_GIVE:
        return ep_give(d, mr[0], mr[1]);
    }
    if (!(t = thread_of(d, mr[0])))
        return seL4_InvalidArgument;
    switch (label) {
    case VMM_CALL_THREAD_START:
        return seL4_TCB_WriteRegisters(t->cap, 1, 0, VMM_CONTEXT_WORDS,
                                       (seL4_UserContext *)&mr[1]);
    case VMM_CALL_THREAD_READ:
        *nreply = VMM_CONTEXT_WORDS;
        return seL4_TCB_ReadRegisters(t->cap, 0, 0, VMM_CONTEXT_WORDS, (seL4_UserContext *)mr);
    case VMM_CALL_THREAD_STOP:
        return seL4_TCB_Suspend(t->cap);
    case VMM_CALL_THREAD_RESUME:
        return seL4_TCB_Resume(t->cap);
    case VMM_CALL_THREAD_WRITE:
        if (mr[1] == 0 || mr[1] > VMM_CONTEXT_WORDS)
            return seL4_RangeError;
        if (nmr < 2 + mr[1])
            return seL4_TruncatedMessage;
        return seL4_TCB_WriteRegisters(t->cap, 0, 0, mr[1], (seL4_UserContext *)&mr[2]);
    case VMM_CALL_THREAD_TLS:
        return seL4_TCB_SetTLSBase(t->cap, mr[1]);
    }
    return seL4_IllegalOperation;
}
