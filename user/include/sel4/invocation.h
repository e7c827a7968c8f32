/*
 * Invocation wrappers: one function per method of seL4's interface files,
 * with seL4's names, argument orders and results (ia32, non-MCS).
 *
 * Marshalling follows libsel4's generated stubs: word arguments fill message
 * registers in declaration order (an 8-bit depth takes a whole register when
 * it follows a word; flag bits pack into one word as seL4 packs them), MR0
 * and MR1 travel in EDI/EBP, MR2 onward in the IPC buffer; capability
 * arguments go, in order, into caps_or_badges[] as extra caps. The reply's
 * label is the seL4_Error; on an error, MR0 and MR1 are written back to the
 * IPC buffer so seL4_GetMR() sees the error's details. Results come back in
 * message registers and are returned in small structs named like seL4's.
 */
#ifndef SEL4_INVOCATION_H
#define SEL4_INVOCATION_H

#include <sel4/types.h>
#include <sel4/functions.h>
#include <sel4/syscalls.h>
#include <abi/invocation.h>

/* The label of the reply is the error; give seL4_GetMR() its details. */
static inline seL4_Error rt_invocation_result(seL4_MessageInfo_t tag, seL4_Word mr0,
        seL4_Word mr1)
{
    seL4_Error err = (seL4_Error)seL4_MessageInfo_get_label(tag);

    if (err != seL4_NoError) {
        seL4_SetMR(0, mr0);
        seL4_SetMR(1, mr1);
    }
    return err;
}

/* An invocation whose first two word arguments are mr0, mr1 (unused ones
 * zero); callers put MR2+ and caps in the IPC buffer first. */
static inline seL4_Error rt_invoke(seL4_CPtr service, seL4_Word label, seL4_Word extra_caps,
        seL4_Word length, seL4_Word mr0, seL4_Word mr1)
{
    seL4_MessageInfo_t tag = seL4_MessageInfo_new(label, 0, extra_caps, length);

    tag = seL4_CallWithMRs(service, tag, &mr0, &mr1);
    return rt_invocation_result(tag, mr0, mr1);
}

/* ------------------------------------------------------------------ Untyped */

static inline seL4_Error seL4_Untyped_Retype(seL4_Untyped _service, seL4_Word type,
        seL4_Word size_bits, seL4_CNode root, seL4_Word node_index, seL4_Word node_depth,
        seL4_Word node_offset, seL4_Word num_objects)
{
    seL4_SetCap(0, root);
    seL4_SetMR(2, node_index);
    seL4_SetMR(3, node_depth);
    seL4_SetMR(4, node_offset);
    seL4_SetMR(5, num_objects);
    return rt_invoke(_service, INV_UNTYPED_RETYPE, 1, 6, type, size_bits);
}

/* ---------------------------------------------------------------------- TCB */

static inline seL4_Error seL4_TCB_ReadRegisters(seL4_TCB _service, seL4_Bool suspend_source,
        seL4_Uint8 arch_flags, seL4_Word count, seL4_UserContext *regs)
{
    seL4_MessageInfo_t tag = seL4_MessageInfo_new(INV_TCB_READ_REGISTERS, 0, 0, 2);
    seL4_Word mr0 = (suspend_source & 1u) | ((seL4_Word)arch_flags << 8), mr1 = count;
    seL4_Word *out = (seL4_Word *)regs;
    seL4_Word n = sizeof(*regs) / sizeof(seL4_Word);
    seL4_Error err;

    tag = seL4_CallWithMRs(_service, tag, &mr0, &mr1);
    err = rt_invocation_result(tag, mr0, mr1);
    if (err != seL4_NoError)
        return err;
    if (count < n)
        n = count;
    for (seL4_Word i = 0; i < n; i++)
        out[i] = i == 0 ? mr0 : i == 1 ? mr1 : seL4_GetMR(i);
    return err;
}

static inline seL4_Error seL4_TCB_WriteRegisters(seL4_TCB _service, seL4_Bool resume_target,
        seL4_Uint8 arch_flags, seL4_Word count, seL4_UserContext *regs)
{
    const seL4_Word *in = (const seL4_Word *)regs;
    seL4_Word n = sizeof(*regs) / sizeof(seL4_Word);

    for (seL4_Word i = 0; i < n; i++)
        seL4_SetMR(2 + i, in[i]);
    return rt_invoke(_service, INV_TCB_WRITE_REGISTERS, 0, 2 + n,
                     (resume_target & 1u) | ((seL4_Word)arch_flags << 8), count);
}

static inline seL4_Error seL4_TCB_CopyRegisters(seL4_TCB _service, seL4_TCB source,
        seL4_Bool suspend_source, seL4_Bool resume_target, seL4_Bool transfer_frame,
        seL4_Bool transfer_integer, seL4_Uint8 arch_flags)
{
    seL4_Word flags = (suspend_source & 1u) | ((resume_target & 1u) << 1) |
                      ((transfer_frame & 1u) << 2) | ((transfer_integer & 1u) << 3) |
                      ((seL4_Word)arch_flags << 8);

    seL4_SetCap(0, source);
    return rt_invoke(_service, INV_TCB_COPY_REGISTERS, 1, 1, flags, 0);
}

static inline seL4_Error seL4_TCB_Configure(seL4_TCB _service, seL4_Word fault_ep,
        seL4_CNode cspace_root, seL4_Word cspace_root_data, seL4_CPtr vspace_root,
        seL4_Word vspace_root_data, seL4_Word buffer, seL4_CPtr bufferFrame)
{
    seL4_SetCap(0, cspace_root);
    seL4_SetCap(1, vspace_root);
    seL4_SetCap(2, bufferFrame);
    seL4_SetMR(2, vspace_root_data);
    seL4_SetMR(3, buffer);
    return rt_invoke(_service, INV_TCB_CONFIGURE, 3, 4, fault_ep, cspace_root_data);
}

static inline seL4_Error seL4_TCB_SetPriority(seL4_TCB _service, seL4_TCB authority,
        seL4_Word priority)
{
    seL4_SetCap(0, authority);
    return rt_invoke(_service, INV_TCB_SET_PRIORITY, 1, 1, priority, 0);
}

static inline seL4_Error seL4_TCB_SetMCPriority(seL4_TCB _service, seL4_TCB authority,
        seL4_Word mcp)
{
    seL4_SetCap(0, authority);
    return rt_invoke(_service, INV_TCB_SET_MC_PRIORITY, 1, 1, mcp, 0);
}

static inline seL4_Error seL4_TCB_SetSchedParams(seL4_TCB _service, seL4_TCB authority,
        seL4_Word mcp, seL4_Word priority)
{
    seL4_SetCap(0, authority);
    return rt_invoke(_service, INV_TCB_SET_SCHED_PARAMS, 1, 2, mcp, priority);
}

static inline seL4_Error seL4_TCB_SetIPCBuffer(seL4_TCB _service, seL4_Word buffer,
        seL4_CPtr bufferFrame)
{
    seL4_SetCap(0, bufferFrame);
    return rt_invoke(_service, INV_TCB_SET_IPC_BUFFER, 1, 1, buffer, 0);
}

static inline seL4_Error seL4_TCB_SetSpace(seL4_TCB _service, seL4_Word fault_ep,
        seL4_CNode cspace_root, seL4_Word cspace_root_data, seL4_CPtr vspace_root,
        seL4_Word vspace_root_data)
{
    seL4_SetCap(0, cspace_root);
    seL4_SetCap(1, vspace_root);
    seL4_SetMR(2, vspace_root_data);
    return rt_invoke(_service, INV_TCB_SET_SPACE, 2, 3, fault_ep, cspace_root_data);
}

static inline seL4_Error seL4_TCB_Suspend(seL4_TCB _service)
{
    return rt_invoke(_service, INV_TCB_SUSPEND, 0, 0, 0, 0);
}

static inline seL4_Error seL4_TCB_Resume(seL4_TCB _service)
{
    return rt_invoke(_service, INV_TCB_RESUME, 0, 0, 0, 0);
}

static inline seL4_Error seL4_TCB_BindNotification(seL4_TCB _service,
        seL4_CPtr notification)
{
    seL4_SetCap(0, notification);
    return rt_invoke(_service, INV_TCB_BIND_NOTIFICATION, 1, 0, 0, 0);
}

static inline seL4_Error seL4_TCB_UnbindNotification(seL4_TCB _service)
{
    return rt_invoke(_service, INV_TCB_UNBIND_NOTIFICATION, 0, 0, 0, 0);
}

/* Touches the IPC buffer only on error, so it works before TLS is set up. */
static inline seL4_Error seL4_TCB_SetTLSBase(seL4_TCB _service, seL4_Word tls_base)
{
    return rt_invoke(_service, INV_TCB_SET_TLS_BASE, 0, 1, tls_base, 0);
}

typedef struct seL4_TCB_SetFlags {
    int error;
    seL4_Word flags;
} seL4_TCB_SetFlags_t;

static inline seL4_TCB_SetFlags_t seL4_TCB_SetFlags(seL4_TCB _service, seL4_Word clear,
        seL4_Word set)
{
    seL4_MessageInfo_t tag = seL4_MessageInfo_new(INV_TCB_SET_FLAGS, 0, 0, 2);
    seL4_Word mr0 = clear, mr1 = set;
    seL4_TCB_SetFlags_t r;

    tag = seL4_CallWithMRs(_service, tag, &mr0, &mr1);
    r.error = rt_invocation_result(tag, mr0, mr1);
    r.flags = mr0;
    return r;
}

/* -------------------------------------------------------------------- CNode */

static inline seL4_Error seL4_CNode_Revoke(seL4_CNode _service, seL4_Word index,
        seL4_Uint8 depth)
{
    return rt_invoke(_service, INV_CNODE_REVOKE, 0, 2, index, depth);
}

static inline seL4_Error seL4_CNode_Delete(seL4_CNode _service, seL4_Word index,
        seL4_Uint8 depth)
{
    return rt_invoke(_service, INV_CNODE_DELETE, 0, 2, index, depth);
}

static inline seL4_Error seL4_CNode_CancelBadgedSends(seL4_CNode _service, seL4_Word index,
        seL4_Uint8 depth)
{
    return rt_invoke(_service, INV_CNODE_CANCEL_BADGED_SENDS, 0, 2, index, depth);
}

static inline seL4_Error seL4_CNode_Copy(seL4_CNode _service, seL4_Word dest_index,
        seL4_Uint8 dest_depth, seL4_CNode src_root, seL4_Word src_index, seL4_Uint8 src_depth,
        seL4_CapRights_t rights)
{
    seL4_SetCap(0, src_root);
    seL4_SetMR(2, src_index);
    seL4_SetMR(3, src_depth);
    seL4_SetMR(4, rights.words[0]);
    return rt_invoke(_service, INV_CNODE_COPY, 1, 5, dest_index, dest_depth);
}

static inline seL4_Error seL4_CNode_Mint(seL4_CNode _service, seL4_Word dest_index,
        seL4_Uint8 dest_depth, seL4_CNode src_root, seL4_Word src_index, seL4_Uint8 src_depth,
        seL4_CapRights_t rights, seL4_Word badge)
{
    seL4_SetCap(0, src_root);
    seL4_SetMR(2, src_index);
    seL4_SetMR(3, src_depth);
    seL4_SetMR(4, rights.words[0]);
    seL4_SetMR(5, badge);
    return rt_invoke(_service, INV_CNODE_MINT, 1, 6, dest_index, dest_depth);
}

static inline seL4_Error seL4_CNode_Move(seL4_CNode _service, seL4_Word dest_index,
        seL4_Uint8 dest_depth, seL4_CNode src_root, seL4_Word src_index, seL4_Uint8 src_depth)
{
    seL4_SetCap(0, src_root);
    seL4_SetMR(2, src_index);
    seL4_SetMR(3, src_depth);
    return rt_invoke(_service, INV_CNODE_MOVE, 1, 4, dest_index, dest_depth);
}

static inline seL4_Error seL4_CNode_Mutate(seL4_CNode _service, seL4_Word dest_index,
        seL4_Uint8 dest_depth, seL4_CNode src_root, seL4_Word src_index, seL4_Uint8 src_depth,
        seL4_Word badge)
{
    seL4_SetCap(0, src_root);
    seL4_SetMR(2, src_index);
    seL4_SetMR(3, src_depth);
    seL4_SetMR(4, badge);
    return rt_invoke(_service, INV_CNODE_MUTATE, 1, 5, dest_index, dest_depth);
}

static inline seL4_Error seL4_CNode_Rotate(seL4_CNode _service, seL4_Word dest_index,
        seL4_Uint8 dest_depth, seL4_Word dest_badge, seL4_CNode pivot_root,
        seL4_Word pivot_index, seL4_Uint8 pivot_depth, seL4_Word pivot_badge,
        seL4_CNode src_root, seL4_Word src_index, seL4_Uint8 src_depth)
{
    seL4_SetCap(0, pivot_root);
    seL4_SetCap(1, src_root);
    seL4_SetMR(2, dest_badge);
    seL4_SetMR(3, pivot_index);
    seL4_SetMR(4, pivot_depth);
    seL4_SetMR(5, pivot_badge);
    seL4_SetMR(6, src_index);
    seL4_SetMR(7, src_depth);
    return rt_invoke(_service, INV_CNODE_ROTATE, 2, 8, dest_index, dest_depth);
}

static inline seL4_Error seL4_CNode_SaveCaller(seL4_CNode _service, seL4_Word index,
        seL4_Uint8 depth)
{
    return rt_invoke(_service, INV_CNODE_SAVE_CALLER, 0, 2, index, depth);
}

/* ---------------------------------------------------------------------- IRQ */

static inline seL4_Error seL4_IRQControl_Get(seL4_IRQControl _service, int irq,
        seL4_CNode root, seL4_Word index, seL4_Uint8 depth)
{
    seL4_SetCap(0, root);
    seL4_SetMR(2, depth);
    return rt_invoke(_service, INV_IRQ_ISSUE_IRQ_HANDLER, 1, 3, (seL4_Word)irq, index);
}

static inline seL4_Error seL4_IRQControl_GetIOAPIC(seL4_IRQControl _service, seL4_CNode root,
        seL4_Word index, seL4_Uint8 depth, seL4_Word ioapic, seL4_Word pin, seL4_Word level,
        seL4_Word polarity, seL4_Word vector)
{
    seL4_SetCap(0, root);
    seL4_SetMR(2, ioapic);
    seL4_SetMR(3, pin);
    seL4_SetMR(4, level);
    seL4_SetMR(5, polarity);
    seL4_SetMR(6, vector);
    return rt_invoke(_service, INV_X86_IRQ_ISSUE_IRQ_HANDLER_IOAPIC, 1, 7, index, depth);
}

static inline seL4_Error seL4_IRQControl_GetMSI(seL4_IRQControl _service, seL4_CNode root,
        seL4_Word index, seL4_Uint8 depth, seL4_Word pci_bus, seL4_Word pci_dev,
        seL4_Word pci_func, seL4_Word handle, seL4_Word vector)
{
    seL4_SetCap(0, root);
    seL4_SetMR(2, pci_bus);
    seL4_SetMR(3, pci_dev);
    seL4_SetMR(4, pci_func);
    seL4_SetMR(5, handle);
    seL4_SetMR(6, vector);
    return rt_invoke(_service, INV_X86_IRQ_ISSUE_IRQ_HANDLER_MSI, 1, 7, index, depth);
}

static inline seL4_Error seL4_IRQHandler_Ack(seL4_IRQHandler _service)
{
    return rt_invoke(_service, INV_IRQ_ACK_IRQ, 0, 0, 0, 0);
}

static inline seL4_Error seL4_IRQHandler_SetNotification(seL4_IRQHandler _service,
        seL4_CPtr notification)
{
    seL4_SetCap(0, notification);
    return rt_invoke(_service, INV_IRQ_SET_IRQ_HANDLER, 1, 0, 0, 0);
}

static inline seL4_Error seL4_IRQHandler_Clear(seL4_IRQHandler _service)
{
    return rt_invoke(_service, INV_IRQ_CLEAR_IRQ_HANDLER, 0, 0, 0, 0);
}

/* ------------------------------------------------------------------- Domain */

static inline seL4_Error seL4_DomainSet_Set(seL4_DomainSet _service, seL4_Uint8 domain,
        seL4_TCB thread)
{
    seL4_SetCap(0, thread);
    return rt_invoke(_service, INV_DOMAIN_SET_SET, 1, 1, domain, 0);
}

/* A 64-bit argument takes two message registers, low word first (libsel4's
 * stub generator on 32-bit; the kernel's mode_parseTimeArg). */
static inline seL4_Error seL4_DomainSet_ScheduleConfigure(seL4_DomainSet _service, seL4_Word index,
        seL4_Uint8 domain, seL4_Time duration)
{
    seL4_SetMR(2, (seL4_Word)duration);
    seL4_SetMR(3, (seL4_Word)(duration >> 32));
    return rt_invoke(_service, INV_DOMAIN_SCHEDULE_CONFIGURE, 0, 4, index, domain);
}

static inline seL4_Error seL4_DomainSet_ScheduleSetStart(seL4_DomainSet _service, seL4_Word index)
{
    return rt_invoke(_service, INV_DOMAIN_SCHEDULE_SET_START, 0, 1, index, 0);
}

/* ------------------------------------------------------------------- Paging */

static inline seL4_Error seL4_X86_PageDirectory_Map(seL4_X86_PageDirectory _service,
        seL4_CPtr vspace, seL4_Word vaddr, seL4_X86_VMAttributes attr)
{
    seL4_SetCap(0, vspace);
    return rt_invoke(_service, INV_X86_PAGE_DIRECTORY_MAP, 1, 2, vaddr, attr);
}

static inline seL4_Error seL4_X86_PageDirectory_Unmap(seL4_X86_PageDirectory _service)
{
    return rt_invoke(_service, INV_X86_PAGE_DIRECTORY_UNMAP, 0, 0, 0, 0);
}

typedef struct seL4_X86_PageDirectory_GetStatusBits {
    int error;
    seL4_Word accessed;
    seL4_Word dirty;
} seL4_X86_PageDirectory_GetStatusBits_t;

static inline seL4_X86_PageDirectory_GetStatusBits_t seL4_X86_PageDirectory_GetStatusBits(
        seL4_X86_PageDirectory _service, seL4_Word vaddr)
{
    seL4_MessageInfo_t tag = seL4_MessageInfo_new(INV_X86_PAGE_DIRECTORY_GET_STATUS_BITS,
                                                  0, 0, 1);
    seL4_Word mr0 = vaddr, mr1 = 0;
    seL4_X86_PageDirectory_GetStatusBits_t r;

    tag = seL4_CallWithMRs(_service, tag, &mr0, &mr1);
    r.error = rt_invocation_result(tag, mr0, mr1);
    r.accessed = mr0;
    r.dirty = mr1;
    return r;
}

static inline seL4_Error seL4_X86_PageTable_Map(seL4_X86_PageTable _service, seL4_CPtr vspace,
        seL4_Word vaddr, seL4_X86_VMAttributes attr)
{
    seL4_SetCap(0, vspace);
    return rt_invoke(_service, INV_X86_PAGE_TABLE_MAP, 1, 2, vaddr, attr);
}

static inline seL4_Error seL4_X86_PageTable_Unmap(seL4_X86_PageTable _service)
{
    return rt_invoke(_service, INV_X86_PAGE_TABLE_UNMAP, 0, 0, 0, 0);
}

static inline seL4_Error seL4_X86_Page_Map(seL4_X86_Page _service, seL4_CPtr vspace,
        seL4_Word vaddr, seL4_CapRights_t rights, seL4_X86_VMAttributes attr)
{
    seL4_SetCap(0, vspace);
    seL4_SetMR(2, attr);
    return rt_invoke(_service, INV_X86_PAGE_MAP, 1, 3, vaddr, rights.words[0]);
}

static inline seL4_Error seL4_X86_Page_Unmap(seL4_X86_Page _service)
{
    return rt_invoke(_service, INV_X86_PAGE_UNMAP, 0, 0, 0, 0);
}

typedef struct seL4_X86_Page_GetAddress {
    int error;
    seL4_Word paddr;
} seL4_X86_Page_GetAddress_t;

static inline seL4_X86_Page_GetAddress_t seL4_X86_Page_GetAddress(seL4_X86_Page _service)
{
    seL4_MessageInfo_t tag = seL4_MessageInfo_new(INV_X86_PAGE_GET_ADDRESS, 0, 0, 0);
    seL4_Word mr0 = 0, mr1 = 0;
    seL4_X86_Page_GetAddress_t r;

    tag = seL4_CallWithMRs(_service, tag, &mr0, &mr1);
    r.error = rt_invocation_result(tag, mr0, mr1);
    r.paddr = mr0;
    return r;
}

static inline seL4_Error seL4_X86_ASIDControl_MakePool(seL4_X86_ASIDControl _service,
        seL4_Untyped untyped, seL4_CNode root, seL4_Word index, seL4_Uint8 depth)
{
    seL4_SetCap(0, untyped);
    seL4_SetCap(1, root);
    return rt_invoke(_service, INV_X86_ASID_CONTROL_MAKE_POOL, 2, 2, index, depth);
}

static inline seL4_Error seL4_X86_ASIDPool_Assign(seL4_X86_ASIDPool _service,
        seL4_CPtr vspace)
{
    seL4_SetCap(0, vspace);
    return rt_invoke(_service, INV_X86_ASID_POOL_ASSIGN, 1, 0, 0, 0);
}

/* ------------------------------------------------------------------ I/O ports */

static inline seL4_Error seL4_X86_IOPortControl_Issue(seL4_X86_IOPortControl _service,
        seL4_Word first_port, seL4_Word last_port, seL4_CNode root, seL4_Word index,
        seL4_Uint8 depth)
{
    seL4_SetCap(0, root);
    seL4_SetMR(2, index);
    seL4_SetMR(3, depth);
    return rt_invoke(_service, INV_X86_IOPORT_CONTROL_ISSUE, 1, 4, first_port, last_port);
}

#define SEL4_IOPORT_IN(bits, label) \
    typedef struct seL4_X86_IOPort_In##bits { \
        int error; \
        seL4_Uint##bits result; \
    } seL4_X86_IOPort_In##bits##_t; \
    static inline seL4_X86_IOPort_In##bits##_t seL4_X86_IOPort_In##bits( \
            seL4_X86_IOPort _service, seL4_Uint16 port) \
    { \
        seL4_MessageInfo_t tag = seL4_MessageInfo_new(label, 0, 0, 1); \
        seL4_Word mr0 = port, mr1 = 0; \
        seL4_X86_IOPort_In##bits##_t r; \
        tag = seL4_CallWithMRs(_service, tag, &mr0, &mr1); \
        r.error = rt_invocation_result(tag, mr0, mr1); \
        r.result = (seL4_Uint##bits)mr0; \
        return r; \
    }

SEL4_IOPORT_IN(8, INV_X86_IOPORT_IN8)
SEL4_IOPORT_IN(16, INV_X86_IOPORT_IN16)
SEL4_IOPORT_IN(32, INV_X86_IOPORT_IN32)
#undef SEL4_IOPORT_IN

static inline seL4_Error seL4_X86_IOPort_Out8(seL4_X86_IOPort _service, seL4_Word port,
        seL4_Word data)
{
    return rt_invoke(_service, INV_X86_IOPORT_OUT8, 0, 2, port, data);
}

static inline seL4_Error seL4_X86_IOPort_Out16(seL4_X86_IOPort _service, seL4_Word port,
        seL4_Word data)
{
    return rt_invoke(_service, INV_X86_IOPORT_OUT16, 0, 2, port, data);
}

static inline seL4_Error seL4_X86_IOPort_Out32(seL4_X86_IOPort _service, seL4_Word port,
        seL4_Word data)
{
    return rt_invoke(_service, INV_X86_IOPORT_OUT32, 0, 2, port, data);
}

#endif
