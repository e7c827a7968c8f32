/*
 * Channels and devices: the objects are made once, before any guest, and
 * stay the VMM's; each guest gets its part whenever it is built (so a
 * restarted guest finds its channels again, with the same contents):
 *
 * - shared memory: frames of the VMM's, mapped in each of the two guests
 *   through capability copies with that guest's rights (read-write or
 *   read-only), at VMM_GUEST_SHM_VADDR onwards in configuration order;
 * - endpoint: one endpoint of the VMM's; the client's CSpace gets a copy
 *   with Write and GrantReply (it Calls), the server's one with Read (it
 *   receives and replies), at slot VMM_SLOT_CHANNEL0 + channel index;
 * - I/O ports: one capability per range, issued from the VMM's
 *   IOPortControl, copied to the guest at VMM_SLOT_DEVICE0 onwards;
 * - interrupt lines: an IRQHandler per line from IRQControl GetIOAPIC
 *   (the configuration's line is IOAPIC 0's pin: lines below 16 are ISA,
 *   edge-triggered and active high, the others PCI, level-triggered and
 *   active low, as on the PC; ACPI's overrides are not read), set to
 *   signal the guest's one notification with a bit of its own. The guest
 *   gets a copy of each handler (VMM_SLOT_IRQ0 onwards) to Ack its line
 *   with, and the notification with Read only (VMM_SLOT_IRQ_NTFN). The
 *   kernel masks a line when it fires until the Ack. A rebuilt guest's
 *   lines are pointed at its notification again and acknowledged, so
 *   whatever its predecessor did with its copies does not carry over.
 *
 * Every copy the VMM makes for a guest is recorded in the domain and
 * deleted when the guest is destroyed; the objects themselves stay.
 */
#include <vmm/domain.h>
#include <vmm/pc_hw.h>
#include <sel4/sel4.h>
#include <string.h>

#define ROOT    seL4_CapInitThreadCNode
#define DEPTH   seL4_WordBits
#define PAGE    (1u << seL4_PageBits)
#define IOAPIC_FIRST    0u

static mm_err_t make_shm(vmm_t *v, uint32_t c)
{
    uint32_t pages = v->cfg->channel[c].size / PAGE;
    mm_err_t e;

    v->chan_first[c] = v->n_shm;
    if (v->n_shm + pages > VMM_MAX_SHM_FRAMES)
        return ERR_NOT_ENOUGH_MEMORY;
    for (uint32_t p = 0; p < pages; p++) {
        if ((e = mm_alloc(&v->mm, seL4_X86_4K, 0, &v->shm[v->n_shm])))
            return e;
        v->n_shm++;
    }
    return ERR_NONE;
}

static mm_err_t make_ports(vmm_t *v, uint32_t dev)
{
    const vmm_device_t *d = &v->cfg->device[dev];
    mm_err_t e;

    for (uint32_t r = 0; r < d->n_ranges; r++) {
        if ((e = mm_slot_alloc(&v->mm, &v->ports[dev][r])))
            return e;
        if ((e = (mm_err_t)seL4_X86_IOPortControl_Issue(seL4_CapIOPortControl,
                d->range[r].base, d->range[r].base + d->range[r].count - 1, ROOT,
                v->ports[dev][r], DEPTH)))
            return e;
    }
    return ERR_NONE;
}

/* Line k of device dev: its handler, signalling the guest's notification
 * through a copy badged with the line's bit. */
static mm_err_t make_irq(vmm_t *v, uint32_t dev, uint32_t k)
{
    uint32_t g = v->cfg->device[dev].guest, line = v->cfg->device[dev].irq[k];
    uint32_t pci = line >= PC_ISA_LINES;
    mm_err_t e;

    if (!v->irq_ntfn[g] && (e = mm_alloc(&v->mm, seL4_NotificationObject, 0, &v->irq_ntfn[g])))
        return e;
    v->irq_badge[dev][k] = 1u << v->irq_lines[g]++;
    if ((e = mm_slot_alloc(&v->mm, &v->irq[dev][k])) ||
        (e = mm_slot_alloc(&v->mm, &v->irq_badged[dev][k])))
        return e;
    if ((e = (mm_err_t)seL4_CNode_Mint(ROOT, v->irq_badged[dev][k], DEPTH, ROOT,
                                       v->irq_ntfn[g], DEPTH, seL4_AllRights,
                                       v->irq_badge[dev][k])))
        return e;
    return (mm_err_t)seL4_IRQControl_GetIOAPIC(seL4_CapIRQControl, ROOT, v->irq[dev][k], DEPTH,
                                               IOAPIC_FIRST, line, pci, pci, line);
}

mm_err_t links_make(vmm_t *v)
{
    mm_err_t e = ERR_NONE;

    for (uint32_t c = 0; c < v->cfg->n_channels && !e; c++)
        e = v->cfg->channel[c].kind == VMM_CHANNEL_SHM
                ? make_shm(v, c)
                : mm_alloc(&v->mm, seL4_EndpointObject, 0, &v->chan_first[c]);
    for (uint32_t d = 0; d < v->cfg->n_devices && !e; d++)
        e = make_ports(v, d);
    for (uint32_t d = 0; d < v->cfg->n_devices && !e; d++)
        for (uint32_t k = 0; k < v->cfg->device[d].n_irqs && !e; k++)
            e = make_irq(v, d, k);
    return e;
}

static mm_err_t add_link(vmm_domain_t *d, const char *name, uint32_t kind, uint32_t where,
                         uint32_t size, uint32_t flags)
{
    vmm_guest_link_t *l;

    if (d->n_links == VMM_BOOT_MAX_LINKS)
        return ERR_NOT_ENOUGH_MEMORY;
    l = &d->link[d->n_links++];
    *l = (vmm_guest_link_t){ .kind = kind, .where = where, .size = size, .flags = flags };
    strncpy(l->name, name, sizeof(l->name) - 1);
    return ERR_NONE;
}

/* A copy of the VMM's cap, recorded so destroy can delete it. */
static mm_err_t copy_for(vmm_t *v, vmm_domain_t *d, mm_cptr_t cap, seL4_CapRights_t r,
                         mm_cptr_t *out)
{
    mm_err_t e;

    if (d->n_link_caps == DOMAIN_MAX_LINK_CAPS)
        return ERR_NOT_ENOUGH_MEMORY;
    if ((e = mm_slot_alloc(&v->mm, out)))
        return e;
    if ((e = (mm_err_t)seL4_CNode_Copy(ROOT, *out, DEPTH, ROOT, cap, DEPTH, r))) {
        mm_slot_free(&v->mm, *out);
        return e;
    }
    d->link_cap[d->n_link_caps++] = *out;
    return ERR_NONE;
}

static mm_err_t attach_shm(vmm_t *v, vmm_domain_t *d, uint32_t c, int side, uint32_t *va)
{
    const vmm_channel_t *ch = &v->cfg->channel[c];
    bool w = ch->writable[side];
    mm_cptr_t copy;
    mm_err_t e;

    if (*va + ch->size > VMM_GUEST_SHM_END)
        return ERR_NOT_ENOUGH_MEMORY;
    for (uint32_t p = 0; p < ch->size / PAGE; p++)
        if ((e = copy_for(v, d, v->shm[v->chan_first[c] + p], w ? seL4_AllRights : seL4_CanRead,
                          &copy)) ||
            (e = mm_vspace_map(&d->vs, copy, *va + p * PAGE, w ? MM_RW : MM_RO, 0, 0)))
            return e;
    e = add_link(d, ch->name, VMM_LINK_SHM, *va, ch->size, w);
    *va += ch->size;
    return e;
}

static mm_err_t attach_endpoint(vmm_t *v, vmm_domain_t *d, uint32_t c, int side)
{
    seL4_CapRights_t r = side == 0 ? seL4_CapRights_new(1, 0, 0, 1) : seL4_CanRead;
    mm_err_t e = (mm_err_t)seL4_CNode_Copy(d->cnode, VMM_SLOT_CHANNEL0 + c,
                                           VMM_GUEST_CNODE_BITS, ROOT, v->chan_first[c],
                                           DEPTH, r);

    return e ? e : add_link(d, v->cfg->channel[c].name, VMM_LINK_ENDPOINT,
                            VMM_SLOT_CHANNEL0 + c, 0, side == 1);
}

static mm_err_t attach_irqs(vmm_t *v, vmm_domain_t *d, uint32_t dev, uint32_t *slot)
{
    const vmm_device_t *dv = &v->cfg->device[dev];
    mm_err_t e;

    if (dv->n_irqs && *slot == VMM_SLOT_IRQ0 &&
        (e = (mm_err_t)seL4_CNode_Copy(d->cnode, VMM_SLOT_IRQ_NTFN, VMM_GUEST_CNODE_BITS, ROOT,
                                       v->irq_ntfn[d->index], DEPTH, seL4_CanRead)))
        return e;
    for (uint32_t k = 0; k < dv->n_irqs; k++, (*slot)++)
        if ((e = (mm_err_t)seL4_IRQHandler_SetNotification(v->irq[dev][k],
                                                           v->irq_badged[dev][k])) ||
            (e = (mm_err_t)seL4_IRQHandler_Ack(v->irq[dev][k])) ||
            (e = (mm_err_t)seL4_CNode_Copy(d->cnode, *slot, VMM_GUEST_CNODE_BITS, ROOT,
                                           v->irq[dev][k], DEPTH, seL4_AllRights)) ||
            (e = add_link(d, dv->name, VMM_LINK_IRQ, *slot, dv->irq[k], v->irq_badge[dev][k])))
            return e;
    return ERR_NONE;
}

static mm_err_t attach_device(vmm_t *v, vmm_domain_t *d, uint32_t dev, uint32_t *slot,
                              uint32_t *irq_slot)
{
    const vmm_device_t *dv = &v->cfg->device[dev];
    mm_err_t e;

    for (uint32_t r = 0; r < dv->n_ranges; r++, (*slot)++)
        if ((e = (mm_err_t)seL4_CNode_Copy(d->cnode, *slot, VMM_GUEST_CNODE_BITS, ROOT,
                                           v->ports[dev][r], DEPTH, seL4_AllRights)) ||
            (e = add_link(d, dv->name, VMM_LINK_PORTS, *slot, dv->range[r].base,
                          dv->range[r].count)))
            return e;
    return attach_irqs(v, d, dev, irq_slot);
}

mm_err_t links_attach(vmm_t *v, vmm_domain_t *d)
{
    uint32_t va = VMM_GUEST_SHM_VADDR, slot = VMM_SLOT_DEVICE0, irq_slot = VMM_SLOT_IRQ0;
    mm_err_t e = ERR_NONE;

    for (uint32_t c = 0; c < v->cfg->n_channels && !e; c++) {
        const vmm_channel_t *ch = &v->cfg->channel[c];
        for (int side = 0; side < 2 && !e; side++)
            if (ch->guest[side] == d->index)
                e = ch->kind == VMM_CHANNEL_SHM ? attach_shm(v, d, c, side, &va)
                                                : attach_endpoint(v, d, c, side);
    }
    for (uint32_t dev = 0; dev < v->cfg->n_devices && !e; dev++)
        if (v->cfg->device[dev].guest == d->index)
            e = attach_device(v, d, dev, &slot, &irq_slot);
    return e;
}
