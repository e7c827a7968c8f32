/*
 * The plan: from an accepted configuration, the objects the VMM will make
 * and the capabilities each partition will hold (vmm/include/vmm/plan.h).
 * The rules follow ../shared/design/partitioning.md:
 *
 * - every guest's CSpace, TCB and page directory are its own; no other
 *   guest holds anything to them; the VMM holds everything it made;
 * - the VMM has one endpoint; each guest's CSpace holds two badged copies:
 *   the one the kernel sends its faults through (seL4 looks it up there)
 *   and the one it Calls the VMM with. Both carry Write and GrantReply
 *   (seL4 makes no reply capability for a Call without Grant or
 *   GrantReply), never Grant: the VMM only replies and never takes a
 *   capability from a guest;
 * - frames the VMM maps into a guest (image, stack, IPC buffer, boot
 *   page, console input ring) stay the VMM's capabilities; the plan shows each mapping as the
 *   guest holding the frames with the mapping's rights;
 * - delegated, balloon and unaccounted guests hold an untyped (Create) of
 *   their memory; a mediated guest holds no untyped and no paging
 *   authority (no page-directory or ASID-pool capability): its frames are
 *   mapped for it and the capabilities stay with the VMM;
 * - the first three guests that hold their page directory (all but
 *   mediated ones) get an ASID pool each, which a Linux guest needs to make
 *   its processes' address spaces; every other page directory gets its ASID
 *   from the VMM's pool, which only the VMM invokes;
 * - shared memory is the VMM's frames mapped with each guest's rights; an
 *   endpoint channel gives the client Write and GrantReply (so its Call
 *   gets a reply, as vmm/links.c copies it) and the server Read;
 * - I/O ports and interrupt lines go to one guest each; the notifications
 *   the VMM signals a guest through (console input, its interrupt lines)
 *   are private to that guest, which may only Wait on them, and are not
 *   part of the plan (no right over them connects anything).
 */
#include <vmm/plan.h>
#include <stdio.h>
#include <string.h>

#define PLAN_ALL (PLAN_R | PLAN_W | PLAN_G | PLAN_GR | PLAN_C)
#define PAGE_BYTES 4096u
#define BOOT_PAGES 7u               /* stack (4), IPC buffer, boot page, input ring:
                                       vmm/guest_abi.h */

static const char *const kind_names[] = {
    [PLAN_CNODE] = "cnode", [PLAN_TCB] = "tcb", [PLAN_PAGE_DIRECTORY] = "page-directory",
    [PLAN_ASID_POOL] = "asid-pool", [PLAN_ENDPOINT] = "endpoint", [PLAN_UNTYPED] = "untyped",
    [PLAN_FRAMES] = "frames", [PLAN_IO_PORTS] = "io-ports", [PLAN_IRQ] = "irq",
};

const char *vmm_plan_kind_name(plan_kind_t k)
{
    return (unsigned)k < sizeof(kind_names) / sizeof(kind_names[0]) ? kind_names[k] : "?";
}

/* Adds an object the VMM holds with all rights; returns its index. */
static uint16_t add_object(vmm_plan_t *p, plan_kind_t kind, uint8_t owner, const char *a,
                           const char *b, uint64_t size, uint32_t base)
{
    uint16_t i = (uint16_t)p->n_objects++;
    plan_object_t *o = &p->object[i];

    o->kind = kind;
    o->owner = owner;
    o->size = size;
    o->base = base;
    snprintf(o->name, sizeof(o->name), "%s%s%s", a, b[0] ? "/" : "", b);
    p->cap[p->n_caps++] = (plan_cap_t){ PLAN_VMM, i, PLAN_ALL };
    return i;
}

static void add_cap(vmm_plan_t *p, uint8_t holder, uint16_t object, uint8_t rights)
{
    p->cap[p->n_caps++] = (plan_cap_t){ holder, object, rights };
}

static bool delegates(const vmm_guest_t *g)
{
    return g->policy != VMM_POLICY_MEDIATED;
}

bool vmm_plan_own_pool(const vmm_config_t *cfg, uint32_t i)
{
    uint32_t before = 0;

    if (!delegates(&cfg->guest[i]))
        return false;
    for (uint32_t j = 0; j < i; j++)
        before += delegates(&cfg->guest[j]);
    return before < VMM_OWN_POOLS;
}

bool vmm_plan_vmm_pool(const vmm_config_t *cfg)
{
    for (uint32_t i = 0; i < cfg->n_guests; i++)
        if (!vmm_plan_own_pool(cfg, i))
            return true;
    return false;
}

static void plan_core(const vmm_config_t *cfg, uint8_t i, vmm_plan_t *p)
{
    const vmm_guest_t *g = &cfg->guest[i];
    uint16_t o;

    add_cap(p, i, add_object(p, PLAN_CNODE, i, g->name, "cspace", 0, 0), PLAN_R | PLAN_W);
    add_cap(p, i, add_object(p, PLAN_TCB, i, g->name, "tcb", 0, 0), PLAN_R | PLAN_W);
    o = add_object(p, PLAN_PAGE_DIRECTORY, i, g->name, "vspace", 0, 0);
    if (delegates(g))
        add_cap(p, i, o, PLAN_R | PLAN_W);
    if (vmm_plan_own_pool(cfg, i))
        add_cap(p, i, add_object(p, PLAN_ASID_POOL, i, g->name, "asid-pool", 0, 0),
                PLAN_R | PLAN_W);
}

static void plan_memory(const vmm_guest_t *g, uint8_t i, vmm_plan_t *p)
{
    uint64_t image = (uint64_t)g->image.highest - g->image.lowest;
    uint16_t o;

    if (delegates(g)) {
        o = add_object(p, PLAN_UNTYPED, i, g->name, "ram", g->memory, 0);
        add_cap(p, i, o, PLAN_R | PLAN_W | PLAN_C);
    } else {
        o = add_object(p, PLAN_FRAMES, i, g->name, "ram", g->memory, 0);
        add_cap(p, i, o, PLAN_R | PLAN_W);
    }
    add_cap(p, i, add_object(p, PLAN_FRAMES, i, g->name, "image", image, 0), PLAN_R | PLAN_W);
    add_cap(p, i, add_object(p, PLAN_FRAMES, i, g->name, "boot", BOOT_PAGES * PAGE_BYTES, 0),
            PLAN_R | PLAN_W);
    if (g->initrd)
        add_cap(p, i, add_object(p, PLAN_FRAMES, i, g->name, "initrd",
                                 (g->initrd->size + PAGE_BYTES - 1) / PAGE_BYTES * PAGE_BYTES,
                                 0), PLAN_R);
}

static void plan_channel(const vmm_channel_t *c, vmm_plan_t *p)
{
    uint16_t o;

    if (c->kind == VMM_CHANNEL_SHM) {
        o = add_object(p, PLAN_FRAMES, PLAN_VMM, c->name, "", c->size, 0);
        for (int k = 0; k < 2; k++)
            add_cap(p, (uint8_t)c->guest[k], o, PLAN_R | (c->writable[k] ? PLAN_W : 0));
    } else {
        o = add_object(p, PLAN_ENDPOINT, PLAN_VMM, c->name, "", 0, 0);
        add_cap(p, (uint8_t)c->guest[0], o, PLAN_W | PLAN_GR);
        add_cap(p, (uint8_t)c->guest[1], o, PLAN_R);
    }
}

static void plan_device(const vmm_device_t *d, vmm_plan_t *p)
{
    uint8_t g = (uint8_t)d->guest;
    char part[16];

    for (uint32_t r = 0; r < d->n_ranges; r++) {
        snprintf(part, sizeof(part), "ports%u", r);
        add_cap(p, g, add_object(p, PLAN_IO_PORTS, g, d->name, part, d->range[r].count,
                                 d->range[r].base), PLAN_R | PLAN_W);
    }
    for (uint32_t k = 0; k < d->n_irqs; k++) {
        snprintf(part, sizeof(part), "irq%u", d->irq[k]);
        add_cap(p, g, add_object(p, PLAN_IRQ, g, d->name, part, 1, d->irq[k]), PLAN_R | PLAN_W);
    }
}

void vmm_plan_build(const vmm_config_t *cfg, vmm_plan_t *p)
{
    uint16_t service;

    memset(p, 0, sizeof(*p));
    service = add_object(p, PLAN_ENDPOINT, PLAN_VMM, "vmm", "endpoint", 0, 0);
    if (vmm_plan_vmm_pool(cfg))
        add_object(p, PLAN_ASID_POOL, PLAN_VMM, "vmm", "asid-pool", 0, 0);
    for (uint8_t i = 0; i < cfg->n_guests; i++) {
        plan_core(cfg, i, p);
        plan_memory(&cfg->guest[i], i, p);
        add_cap(p, i, service, PLAN_W | PLAN_GR);     /* faults */
        add_cap(p, i, service, PLAN_W | PLAN_GR);     /* calls */
    }
    for (uint32_t c = 0; c < cfg->n_channels; c++)
        plan_channel(&cfg->channel[c], p);
    for (uint32_t d = 0; d < cfg->n_devices; d++)
        plan_device(&cfg->device[d], p);
}
