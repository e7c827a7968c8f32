/*
 * Building and destroying guest partitions with memmgr. Everything a guest
 * is made of comes from the VMM's struct mm, in this order: its CNode, an
 * ASID pool (its own for the first three guests that hold their page
 * directory: ia32 has four pools and the VMM keeps the first; the VMM's
 * for the others, vmm_plan_own_pool()) and a page directory with an ASID,
 * its TCB, the badged endpoint capabilities it faults and calls through,
 * its memory under its policy, the frames of its image (each page zeroed,
 * the file's bytes copied in through a scratch mapping in the VMM), its
 * stack, IPC buffer and boot page, its initrd (copies of the module's
 * frame capabilities, read-only). Only then is its TCB configured and
 * resumed. A step that fails undoes the build with domain_destroy(), which
 * works on a half-built domain as on a whole one: nothing is left behind.
 *
 * Memory under each policy (docs/vmm.md):
 * - delegated, balloon, unaccounted: untypeds of the configured size (a sum
 *   of powers of two), given out whole by memmgr and copied into the
 *   guest's CSpace; the VMM keeps the originals, so revoking them takes
 *   back everything the guest built, wherever its capabilities went;
 * - mediated: the same untypeds stay with the VMM in a struct mm of their
 *   own, which serves the guest's VMM_CALL_ALLOC/MAP/... (vmm/mediate.c);
 *   the guest's mappings go through a second view of its page directory
 *   owned by that struct mm, so the page tables they need are charged to
 *   its quota, like every other object it asks for; the capabilities the
 *   VMM keeps for it sit in a CNode of their own (two_level(), med_cspace()).
 * A guest's initrd copies sit in another (map_initrd()).
 */
#include <vmm/domain.h>
#include <vmm/guest_abi.h>
#include <vmm/input.h>
#include <vmm/mediate.h>
#include <vmm/plan.h>
#include <rt/component.h>
#include <sel4/sel4.h>
#include <rt/rt.h>
#include <string.h>

#define ROOT            seL4_CapInitThreadCNode
#define DEPTH           seL4_WordBits
#define PAGE            (1u << seL4_PageBits)
#define SCRATCH_VADDR   VMM_SCRATCH_VADDR   /* the VMM's window on a frame it fills */
#define GUEST_MAX_UTS   1024u           /* untyped records of a mediated guest's owner */
#define EFLAGS_IF       0x202u          /* interrupts on, bit 1 set as always */
#define GUARD_BITS      (seL4_WordBits - VMM_GUEST_CNODE_BITS)
#define VMM_KEEP_FREE   (4u << 20)      /* unaccounted guests leave the VMM this much */
#define LEFTOVER_MAX_BITS 27            /* the kernel's untypeds are at most 2^29 */
#define LEFTOVER_MIN_BITS 20

static mm_err_t err_of(seL4_Error e)
{
    return (mm_err_t)e;
}

/*
 * The VMM's CSpace becomes two-level, so that mediated guests' objects do
 * not crowd the boot CNode (2^VMM_L2_BITS slots, which the boot modules'
 * frames fill): a top CNode of 2^VMM_L1_BITS slots with a guard of the
 * rest becomes its root; the boot CNode sits in its slot 0 with no guard,
 * so every CPtr below 2^VMM_L2_BITS names what it named before, and the
 * code that uses seL4_CapInitThreadCNode at depth 32 is unchanged. Guest i
 * has two slots of it: VMM_L1_MEDIATED(i) for what the VMM keeps for it
 * under mediated (med_cspace()), VMM_L1_INITRD(i) for the copies of its
 * initrd's frames (map_initrd()).
 */
static mm_err_t two_level(vmm_t *v, const seL4_BootInfo *bi)
{
    seL4_Word none = seL4_CNode_CapData_new(0, 0).words[0];
    seL4_Word guard = seL4_CNode_CapData_new(0, DEPTH - VMM_L1_BITS - VMM_L2_BITS).words[0];
    mm_err_t e;

    if (bi->initThreadCNodeSizeBits != VMM_L2_BITS)
        return ERR_INVALID_ARGUMENT;
    if ((e = mm_alloc(&v->mm, seL4_CapTableObject, VMM_L1_BITS, &v->l1_obj)) ||
        (e = mm_slot_alloc(&v->mm, &v->l1)))
        return e;
    if ((e = err_of(seL4_CNode_Mint(v->l1_obj, 0, VMM_L1_BITS, ROOT, ROOT, DEPTH,
                                    seL4_AllRights, none))) ||
        (e = err_of(seL4_CNode_Mint(ROOT, v->l1, DEPTH, ROOT, v->l1_obj, DEPTH,
                                    seL4_AllRights, guard))))
        return e;
    return err_of(seL4_TCB_SetSpace(seL4_CapInitThreadTCB, 0, v->l1, 0,
                                    seL4_CapInitThreadVSpace, 0));
}

/* Mediated guest i's state (vmm_med_state_t) in fresh frames of the pool,
 * mapped in its window: the page table there first (made once, kept), so
 * memmgr finds one and never tries a mapping the kernel refuses. Sized to
 * the configuration: a VMM without mediated guests spends nothing on it. */
static mm_err_t med_state_map(vmm_t *v, uint32_t i)
{
    uint32_t base = VMM_MED_WINDOW + i * VMM_MED_STRIDE, pt = i * VMM_MED_STRIDE / VMM_PT_SPAN;
    mm_cptr_t f;
    mm_err_t e;

    if (!v->med_pt[pt]) {
        if ((e = mm_alloc(&v->mm, seL4_X86_PageTableObject, 0, &v->med_pt[pt])))
            return e;
        if ((e = err_of(seL4_X86_PageTable_Map(v->med_pt[pt], seL4_CapInitThreadVSpace,
                                               base & ~(VMM_PT_SPAN - 1),
                                               seL4_X86_Default_VMAttributes))))
            return e;
    }
    for (uint32_t off = 0; off < sizeof(vmm_med_state_t); off += PAGE)
        if ((e = mm_alloc(&v->mm, seL4_X86_4K, 0, &f)) ||
            (e = mm_vspace_map(&v->local, f, base + off, MM_RW, 0, 0)))
            return e;
    v->med_state[i] = (vmm_med_state_t *)base;
    return ERR_NONE;
}

mm_err_t vmm_init(vmm_t *v, const vmm_config_t *cfg)
{
    seL4_BootInfo *bi = seL4_GetBootInfo();
    uint32_t n = bi->untyped.end - bi->untyped.start;
    mm_err_t e;

    v->cfg = cfg;
    e = mm_init(&v->mm, v->meta, sizeof(v->meta), ROOT, 2 * VMM_META_BYTES / 1024);
    if (e == ERR_NONE)
        e = mm_add_slots(&v->mm, bi->empty.start, bi->empty.start,
                         bi->empty.end - bi->empty.start, 0, 0);
    for (uint32_t i = 0; e == ERR_NONE && i < n; i++) {
        const seL4_UntypedDesc *u = &bi->untypedList[i];
        if (!u->isDevice)
            e = mm_add_untyped(&v->mm, bi->untyped.start + i, u->paddr, u->sizeBits, 0);
    }
    v->mm.check = 0;    /* thousands of records: checked by the tests, not every call */
    mm_vspace_adopt(&v->mm, &v->local, seL4_CapInitThreadVSpace);
    if (e == ERR_NONE)
        e = two_level(v, bi);
    if (e == ERR_NONE)
        e = mm_alloc(&v->mm, seL4_EndpointObject, 0, &v->ep);
    /* Made now, used once the console reads COM1 (vmm/input.c), so the
     * free pool measured before building does not change when it does. */
    if (e == ERR_NONE)
        e = mm_alloc(&v->mm, seL4_NotificationObject, 0, &v->in_ntfn);
    /* The page table of the VMM's windows, made here and kept for good, so
     * it is made once, not once per frame filled. In the VMM's adopted
     * address space memmgr maps a frame first and makes a page table only
     * if the kernel finds none; the debug kernel reports that refusal, so
     * the VMM makes its own page table first and no map is ever refused. */
    if (e == ERR_NONE)
        e = mm_alloc(&v->mm, seL4_X86_PageTableObject, 0, &v->keeper);
    if (e == ERR_NONE)
        e = err_of(seL4_X86_PageTable_Map(v->keeper, seL4_CapInitThreadVSpace, SCRATCH_VADDR,
                                          seL4_X86_Default_VMAttributes));
    for (uint32_t i = 0; e == ERR_NONE && i < cfg->n_guests; i++)
        if (cfg->guest[i].policy == VMM_POLICY_MEDIATED)
            e = med_state_map(v, i);
    return e;
}

uint64_t vmm_free_bytes(const vmm_t *v)
{
    const struct mm_stats *s = mm_stats(&v->mm);
    uint64_t pooled = 0;

    for (uint32_t t = 0; t < OBJ_NUM_TYPES; t++)
        pooled += s->pooled[t];
    return s->free + pooled + s->dead;
}

/* ---- capabilities in the guest's CSpace ------------------------------- */

static mm_err_t guest_copy(vmm_domain_t *d, uint32_t slot, mm_cptr_t cap, seL4_CapRights_t r)
{
    return err_of(seL4_CNode_Copy(d->cnode, slot, VMM_GUEST_CNODE_BITS, ROOT, cap, DEPTH, r));
}

static mm_err_t guest_mint(vmm_domain_t *d, uint32_t slot, mm_cptr_t cap, seL4_CapRights_t r,
                           seL4_Word badge)
{
    return err_of(seL4_CNode_Mint(d->cnode, slot, VMM_GUEST_CNODE_BITS, ROOT, cap, DEPTH, r,
                                  badge));
}

static mm_err_t make_core(vmm_t *v, vmm_domain_t *d)
{
    seL4_CapRights_t rw = seL4_CapRights_new(0, 0, 1, 1);
    seL4_Word guard = seL4_CNode_CapData_new(0, GUARD_BITS).words[0];
    bool delegates = d->g->policy != VMM_POLICY_MEDIATED;
    mm_cptr_t slot;
    mm_err_t e;

    if ((e = mm_alloc(&v->mm, seL4_CapTableObject, VMM_GUEST_CNODE_BITS, &d->cnode)) ||
        (e = mm_alloc(&v->mm, seL4_TCBObject, 0, &d->tcb)))
        return e;
    d->asid_pool = seL4_CapInitThreadASIDPool;
    if (vmm_plan_own_pool(v->cfg, d->index)) {
        if ((e = mm_alloc_untyped(&v->mm, ASID_POOL_BITS, 0, &d->asid_ut)) ||
            (e = mm_slot_alloc(&v->mm, &slot)))
            return e;
        if ((e = err_of(seL4_X86_ASIDControl_MakePool(seL4_CapASIDControl, d->asid_ut, ROOT,
                                                      slot, DEPTH)))) {
            mm_slot_free(&v->mm, slot);
            return e;
        }
        d->asid_pool = slot;
    }
    if ((e = mm_vspace_create(&v->mm, &d->vs, d->asid_pool)) ||
        (e = guest_copy(d, VMM_SLOT_TCB, d->tcb, rw)) ||
        (e = err_of(seL4_CNode_Mint(d->cnode, VMM_SLOT_CNODE, VMM_GUEST_CNODE_BITS, ROOT,
                                    d->cnode, DEPTH, rw, guard))) ||
        (e = guest_mint(d, VMM_SLOT_FAULT, v->ep, seL4_CapRights_new(1, 0, 0, 1),
                        VMM_BADGE_FAULT | (d->index + 1))) ||
        (e = guest_mint(d, VMM_SLOT_SERVICE, v->ep, seL4_CapRights_new(1, 0, 0, 1),
                        d->index + 1)))
        return e;
    if (delegates && (e = guest_copy(d, VMM_SLOT_VSPACE, d->vs.pd, rw)))
        return e;
    if (delegates && d->asid_ut && (e = guest_copy(d, VMM_SLOT_ASID_POOL, d->asid_pool, rw)))
        return e;
    return ERR_NONE;
}

/* ---- memory ------------------------------------------------------------ */

/* The guest's memory as untypeds of the VMM's, largest first. */
static mm_err_t make_untypeds(vmm_t *v, vmm_domain_t *d)
{
    uint64_t left = d->g->memory;
    mm_err_t e;

    for (int bit = 31; bit >= (int)seL4_PageBits && left; bit--) {
        if (!(left & ((uint64_t)1 << bit)))
            continue;
        if (d->n_uts == DOMAIN_MAX_UTS)
            return ERR_NOT_ENOUGH_MEMORY;
        if ((e = mm_alloc_untyped(&v->mm, bit, 0, &d->ut[d->n_uts])))
            return e;
        d->ut_bits[d->n_uts] = bit;
        d->ut_paddr[d->n_uts] = mm_paddr(&v->mm, d->ut[d->n_uts]);
        d->n_uts++;
        left -= (uint64_t)1 << bit;
    }
    return ERR_NONE;
}

/* Unaccounted: what is left once every other guest is built, in untypeds
 * of 1 MiB and more, largest first, keeping VMM_KEEP_FREE for the VMM
 * (restarts of other guests, its records). */
static void take_leftover(vmm_t *v, vmm_domain_t *d)
{
    uint64_t free = vmm_free_bytes(v), need = VMM_KEEP_FREE;

    for (uint32_t j = 0; j < v->cfg->n_guests; j++)
        if (j != d->index && v->dom[j].state == DOMAIN_EMPTY)
            need += vmm_guest_cost(&v->cfg->guest[j]);
    need += vmm_guest_cost(d->g);      /* its own objects and image are still to come */
    for (int bit = LEFTOVER_MAX_BITS; bit >= LEFTOVER_MIN_BITS; bit--) {
        uint64_t chunk = (uint64_t)1 << bit;
        while (d->n_uts < DOMAIN_MAX_UTS && free > need + chunk &&
               mm_alloc_untyped(&v->mm, bit, 0, &d->ut[d->n_uts]) == ERR_NONE) {
            d->ut_bits[d->n_uts] = bit;
            d->ut_paddr[d->n_uts] = mm_paddr(&v->mm, d->ut[d->n_uts]);
            d->n_uts++;
            d->granted += chunk;
            free -= chunk;
        }
    }
}

/* Mediated: the size of the VMM's CNode for what it keeps for the guest
 * (its objects and their copies mapped in its processes), in proportion to
 * its quota. */
static uint32_t med_bits_for(uint64_t memory)
{
    uint32_t bits = DOMAIN_MED_MIN_BITS;

    while (bits < VMM_L2_BITS && ((uint64_t)1 << bits) < memory >> DOMAIN_MED_SLOT_SHIFT)
        bits++;
    return bits;
}

/* A CNode of 2^bits slots from the VMM's pool, in slot l1 of the VMM's
 * top CNode with a guard of the bits its size leaves, so its slots are
 * CPtrs l1 << VMM_L2_BITS on (through the top CNode, v->l1). */
static mm_err_t l1_cnode(vmm_t *v, uint32_t l1, uint32_t bits, mm_cptr_t *cnode)
{
    seL4_Word guard = seL4_CNode_CapData_new(0, VMM_L2_BITS - bits).words[0];
    mm_err_t e;

    if ((e = mm_alloc(&v->mm, seL4_CapTableObject, bits, cnode)))
        return e;
    if ((e = err_of(seL4_CNode_Mint(v->l1_obj, l1, VMM_L1_BITS, ROOT, *cnode, DEPTH,
                                    seL4_AllRights, guard)))) {
        mm_free(&v->mm, *cnode);
        *cnode = 0;
    }
    return e;
}

/* Its capability in the top CNode, then the CNode and what is in it. */
static void l1_cnode_free(vmm_t *v, uint32_t l1, mm_cptr_t cnode)
{
    seL4_CNode_Delete(v->l1_obj, l1, VMM_L1_BITS);
    mm_free(&v->mm, cnode);
}

static mm_err_t med_cspace(vmm_t *v, vmm_domain_t *d)
{
    d->med_bits = med_bits_for(d->g->memory);
    d->med_slots = VMM_L1_MEDIATED(d->index) << VMM_L2_BITS;
    return l1_cnode(v, VMM_L1_MEDIATED(d->index), d->med_bits, &d->med_cnode);
}

/* Delegated: copies in the guest's CSpace. Mediated: a struct mm of the
 * VMM's own over them, with a window of the VMM's slots. */
static mm_err_t give_memory(vmm_t *v, vmm_domain_t *d)
{
    mm_err_t e = make_untypeds(v, d);

    if (e)
        return e;
    d->granted = d->g->memory;
    if (d->g->policy == VMM_POLICY_UNACCOUNTED)
        take_leftover(v, d);
    if (d->g->policy != VMM_POLICY_MEDIATED) {
        for (uint32_t k = 0; k < d->n_uts; k++)
            if ((e = guest_copy(d, VMM_SLOT_UNTYPED0 + k, d->ut[k], seL4_AllRights)))
                return e;
        return ERR_NONE;
    }
    if ((e = med_cspace(v, d)) ||
        (e = mm_init(&d->med, d->ms->meta, sizeof(d->ms->meta), v->l1, GUEST_MAX_UTS)) ||
        (e = mm_add_slots(&d->med, d->med_slots, 0, 1u << d->med_bits,
                          VMM_L1_MEDIATED(d->index), seL4_WordBits - VMM_L2_BITS)))
        return e;
    d->med.check = 0;
    for (uint32_t k = 0; k < d->n_uts; k++)
        if ((e = mm_add_untyped(&d->med, d->ut[k], d->ut_paddr[k], d->ut_bits[k], 0)))
            return e;
    mm_vspace_adopt(&d->med, &d->med_vs, d->vs.pd);
    /* The guest maps only in its own range (med_check_own_vaddr()), where
     * the VMM maps nothing: every page table there is its quota's. Marked
     * as memmgr's own, the view makes them at once instead of first trying
     * a mapping the kernel refuses (which the debug kernel reports);
     * mediate_release_all() unmarks it before destroying the view, whose
     * page directory stays d->vs's. */
    d->med_vs.owned = 1;
    return ERR_NONE;
}

/* ---- frames ------------------------------------------------------------ */

/* A fresh frame, filled by fill(page, arg) through the scratch window,
 * then mapped in the guest at vaddr. */
typedef void fill_fn(uint8_t *page, uint32_t vaddr, const void *arg);

static mm_err_t add_frame(vmm_t *v, vmm_domain_t *d, uint32_t vaddr, uint32_t rights,
                          fill_fn *fill, const void *arg)
{
    mm_cptr_t f;
    mm_err_t e;

    if (d->n_frames == DOMAIN_MAX_FRAMES)
        return ERR_NOT_ENOUGH_MEMORY;
    if ((e = mm_alloc(&v->mm, seL4_X86_4K, 0, &f)))
        return e;
    d->frame[d->n_frames++] = f;
    if ((e = mm_vspace_map(&v->local, f, SCRATCH_VADDR, MM_RW, 0, 0)))
        return e;
    memset((void *)SCRATCH_VADDR, 0, PAGE);
    if (fill)
        fill((uint8_t *)SCRATCH_VADDR, vaddr, arg);
    if ((e = mm_vspace_unmap(&v->local, SCRATCH_VADDR)))
        return e;
    return mm_vspace_map(&d->vs, f, vaddr, rights, 0, 0);
}

/* The bytes of the image's segments that fall in [vaddr, vaddr + PAGE). */
static void fill_image(uint8_t *page, uint32_t vaddr, const void *arg)
{
    const vmm_guest_t *g = arg;

    for (uint32_t s = 0; s < g->image.n_segments; s++) {
        const elf_segment_t *seg = &g->image.seg[s];
        uint32_t lo = seg->vaddr > vaddr ? seg->vaddr : vaddr;
        uint32_t hi = seg->vaddr + seg->file_size;
        if (hi > vaddr + PAGE)
            hi = vaddr + PAGE;
        if (lo < hi)
            memcpy(page + (lo - vaddr), g->kernel->data + seg->file_offset + (lo - seg->vaddr),
                   hi - lo);
    }
}

/* fill_boot's argument: the guest, and the VMM for the machine's facts. */
typedef struct boot_fill {
    const vmm_t *v;
    const vmm_domain_t *d;
} boot_fill_t;

static void fill_boot(uint8_t *page, uint32_t vaddr, const void *arg)
{
    const boot_fill_t *bf = arg;
    const vmm_domain_t *d = bf->d;
    rt_component_info_t *ci = (rt_component_info_t *)page;
    vmm_guest_boot_t *gb = (vmm_guest_boot_t *)(page + sizeof(*ci));

    (void)vaddr;
    *ci = (rt_component_info_t){
        .magic = RT_COMPONENT_MAGIC, .ipc_buffer = VMM_GUEST_IPC_VADDR,
        .tls_area = VMM_GUEST_IPC_VADDR + sizeof(seL4_IPCBuffer),
        .tls_size = PAGE - sizeof(seL4_IPCBuffer), .tcb = VMM_SLOT_TCB,
        .cspace = VMM_SLOT_CNODE, .parent = VMM_SLOT_SERVICE,
        .arg = VMM_GUEST_BOOT_VADDR + sizeof(*ci),
        .empty_first = VMM_SLOT_FIRST_FREE,
        .empty_count = (1u << VMM_GUEST_CNODE_BITS) - VMM_SLOT_FIRST_FREE,
    };
    if (d->g->policy != VMM_POLICY_MEDIATED) {
        ci->vspace = VMM_SLOT_VSPACE;
        ci->asid_pool = d->asid_ut ? VMM_SLOT_ASID_POOL : 0;
        ci->n_untypeds = d->n_uts;
    }
    for (uint32_t k = 0; k < ci->n_untypeds; k++)
        ci->untypeds[k] = (rt_component_untyped_t){ VMM_SLOT_UNTYPED0 + k, d->ut_paddr[k],
                                                    d->ut_bits[k], 0 };
    *gb = (vmm_guest_boot_t){ .magic = VMM_GUEST_BOOT_MAGIC, .policy = d->g->policy,
                              .priority = d->g->priority,
                              .memory = (uint32_t)d->granted,
                              .input_vaddr = VMM_GUEST_INPUT_VADDR,
                              .tsc_mhz = bf->v->tsc_mhz };
    for (uint32_t k = 0; k < d->n_links; k++)
        gb->n_irqs += d->link[k].kind == VMM_LINK_IRQ;
    memcpy(gb->name, d->g->name, sizeof(gb->name));
    gb->n_links = d->n_links;
    memcpy(gb->link, d->link, sizeof(gb->link));
    strncpy(gb->bootargs, d->g->bootargs, sizeof(gb->bootargs) - 1);
    if (d->g->initrd) {
        gb->initrd_vaddr = VMM_GUEST_INITRD_VADDR;
        gb->initrd_size = d->g->initrd->size;
    }
}

static mm_err_t load_image(vmm_t *v, vmm_domain_t *d)
{
    mm_err_t e = ERR_NONE;
    const boot_fill_t bf = { v, d };

    for (uint32_t va = d->g->image.lowest; va < d->g->image.highest && !e; va += PAGE)
        e = add_frame(v, d, va, MM_RW, fill_image, d->g);
    for (uint32_t p = 0; p < VMM_GUEST_STACK_PAGES && !e; p++)
        e = add_frame(v, d, VMM_GUEST_STACK_VADDR + p * PAGE, MM_RW, NULL, NULL);
    if (!e && !(e = add_frame(v, d, VMM_GUEST_IPC_VADDR, MM_RW, NULL, NULL)))
        d->ipc_frame = d->frame[d->n_frames - 1];
    if (!e)
        e = add_frame(v, d, VMM_GUEST_BOOT_VADDR, MM_RW, fill_boot, &bf);
    return e;
}

/* The initrd: copies of the module's frame capabilities, read-only, in a
 * CNode of the guest's own (in the VMM's top CNode), so that guests sharing
 * a large initramfs do not fill the boot CNode with copies. They are mapped
 * through page tables the VMM makes here and keeps in the domain, not
 * through memmgr's mapping records: those live in the VMM's fixed record
 * area, which a few guests' copies of a large initramfs (16 bytes a page)
 * would exhaust. Deleting the copies unmaps them (domain_destroy()). */
static mm_err_t initrd_pt(vmm_t *v, vmm_domain_t *d, uint32_t vaddr)
{
    mm_cptr_t pt;
    mm_err_t e = mm_alloc(&v->mm, seL4_X86_PageTableObject, 0, &pt);

    if (e)
        return e;
    if ((e = err_of(seL4_X86_PageTable_Map(pt, d->vs.pd, vaddr,
                                           seL4_X86_Default_VMAttributes)))) {
        mm_free(&v->mm, pt);
        return e;
    }
    d->initrd_pt[d->n_initrd_pts++] = pt;
    return ERR_NONE;
}

static mm_err_t map_initrd(vmm_t *v, vmm_domain_t *d)
{
    const vmm_module_t *m = d->g->initrd;
    uint32_t pages = m ? (m->size + PAGE - 1) / PAGE : 0, bits = 1;
    mm_cptr_t first = VMM_L1_INITRD(d->index) << VMM_L2_BITS;
    mm_err_t e;

    if (pages == 0)
        return ERR_NONE;
    if (pages > DOMAIN_MAX_INITRD)
        return ERR_NOT_ENOUGH_MEMORY;
    while ((1u << bits) < pages)
        bits++;
    if ((e = l1_cnode(v, VMM_L1_INITRD(d->index), bits, &d->initrd_cnode)))
        return e;
    for (uint32_t p = 0; p < pages; p++) {
        uint32_t vaddr = VMM_GUEST_INITRD_VADDR + p * PAGE;
        if (p % DOMAIN_PT_PAGES == 0 && (e = initrd_pt(v, d, vaddr)))
            return e;
        if ((e = err_of(seL4_CNode_Copy(v->l1, first + p, DEPTH, ROOT, m->first_slot + p,
                                        DEPTH, seL4_CanRead))))
            return e;
        d->n_initrd++;
        if ((e = err_of(seL4_X86_Page_Map(first + p, d->vs.pd, vaddr, seL4_CanRead,
                                          seL4_X86_Default_VMAttributes))))
            return e;
    }
    return ERR_NONE;
}

static mm_err_t start(vmm_domain_t *d)
{
    seL4_Word guard = seL4_CNode_CapData_new(0, GUARD_BITS).words[0];
    seL4_UserContext regs = { 0 };
    mm_err_t e;

    if ((e = err_of(seL4_TCB_Configure(d->tcb, VMM_SLOT_FAULT, d->cnode, guard, d->vs.pd, 0,
                                       VMM_GUEST_IPC_VADDR, d->ipc_frame))) ||
        (e = err_of(seL4_TCB_SetMCPriority(d->tcb, seL4_CapInitThreadTCB, d->g->priority))) ||
        (e = err_of(seL4_TCB_SetPriority(d->tcb, seL4_CapInitThreadTCB, d->g->priority))))
        return e;
    regs.eip = d->g->image.entry;
    regs.esp = VMM_GUEST_STACK_VADDR + VMM_GUEST_STACK_PAGES * PAGE;
    regs.ebx = VMM_GUEST_BOOT_VADDR;
    regs.eflags = EFLAGS_IF;
    return err_of(seL4_TCB_WriteRegisters(d->tcb, 1, 0, sizeof(regs) / sizeof(seL4_Word),
                                          &regs));
}

mm_err_t domain_build(vmm_t *v, uint32_t i)
{
    vmm_domain_t *d = &v->dom[i];
    uint64_t before = vmm_free_bytes(v);
    mm_err_t e;

    memset(d, 0, sizeof(*d));
    d->g = &v->cfg->guest[i];
    d->ms = v->med_state[i];
    if (d->ms) {
        memset(d->ms->handle, 0, sizeof(d->ms->handle));
        memset(d->ms->copy_of, 0, sizeof(d->ms->copy_of));
    }
    d->index = i;
    d->state = DOMAIN_RUNNING;
    if ((e = make_core(v, d)) || (e = give_memory(v, d)) || (e = links_attach(v, d)) ||
        (e = input_make(v, d)) || (e = load_image(v, d)) || (e = map_initrd(v, d))) {
        domain_destroy(v, i);
        return e;
    }
    d->vmm_bytes = before - vmm_free_bytes(v) - d->granted;
    return ERR_NONE;
}

mm_err_t domain_start(vmm_t *v, uint32_t i)
{
    mm_err_t e = start(&v->dom[i]);

    if (e)
        domain_destroy(v, i);
    return e;
}

/* In the reverse order of the build; each step skips what was not made. */
void domain_destroy(vmm_t *v, uint32_t i)
{
    vmm_domain_t *d = &v->dom[i];

    if (d->tcb)
        seL4_TCB_Suspend(d->tcb);
    if (d->med_vs.mm)
        mediate_release_all(d);         /* its processes, its page tables: back to its quota */
    for (uint32_t k = 0; k < d->n_uts; k++)
        mm_free(&v->mm, d->ut[k]);      /* a revoke: everything built in it goes */
    if (d->med_cnode)
        l1_cnode_free(v, VMM_L1_MEDIATED(d->index), d->med_cnode);
    if (d->vs.pd)
        mm_vspace_destroy(&d->vs);
    input_destroy(v, d);
    for (uint32_t k = 0; k < d->n_link_caps; k++) {
        seL4_CNode_Delete(ROOT, d->link_cap[k], DEPTH);
        mm_slot_free(&v->mm, d->link_cap[k]);
    }
    if (d->initrd_cnode)
        l1_cnode_free(v, VMM_L1_INITRD(d->index), d->initrd_cnode);
    for (uint32_t k = 0; k < d->n_initrd_pts; k++)
        mm_free(&v->mm, d->initrd_pt[k]);
    for (uint32_t k = 0; k < d->n_frames; k++)
        mm_free(&v->mm, d->frame[k]);
    if (d->tcb)
        mm_free(&v->mm, d->tcb);
    if (d->cnode)
        mm_free(&v->mm, d->cnode);
    if (d->asid_ut) {
        if (d->asid_pool != seL4_CapInitThreadASIDPool) {
            seL4_CNode_Delete(ROOT, d->asid_pool, DEPTH);
            mm_slot_free(&v->mm, d->asid_pool);
        }
        mm_free(&v->mm, d->asid_ut);
    }
    memset(d, 0, sizeof(*d));
    d->state = DOMAIN_EMPTY;
}
