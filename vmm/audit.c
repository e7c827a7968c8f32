/*
 * The console's `audit`: the isolation analysis (vmm/isolation/) on the
 * live capability state, read from the kernel with CNode ReadSlots
 * (docs/api.md), not from the VMM's notes (docs/isolation.md).
 *
 * What is read, and whose it counts as:
 * - every slot of every built guest's CSpace, as the guest holds it now,
 *   and recursively every CNode found there (a copy of the CNode capability
 *   is made in a scratch slot of the VMM's to read it, then deleted); the
 *   CNode, TCB and page directory a guest runs on count as its own (the
 *   VMM's capabilities to them are recorded as the guest's: they are its
 *   core objects, whatever it did with its own slots);
 * - a mediated guest holds what the VMM keeps for it: the CNode its domain
 *   record names (d->med_cnode) is read, with every CNode in it, as that
 *   guest's (its processes' page directories, page tables, frames, threads
 *   and the objects it asked for), though the capabilities are in the
 *   VMM's CSpace;
 * - every slot of the VMM's own CSpace, recursively into CNodes that are
 *   not a guest's, as the trusted entity's; a frame capability of the
 *   VMM's that is mapped in a guest's address space (its ASID is the one
 *   the guest's page directory reports) counts as the guest's too, with
 *   the capability's rights: the mapping is how the guest reaches the
 *   frame (shared memory, image and boot pages, a mediated guest's memory);
 * - the VMM's own CNode, TCB, page directory and endpoint are marked as
 *   the VMM's, so that a guest holding any of them is a finding.
 * CNodes are told apart by physical address, so a CNode is read once
 * however many capabilities name it.
 */
#include <vmm/audit.h>
#include <vmm/cnode_read.h>
#include <vmm/isolation.h>
#include <sel4/sel4.h>
#include <sel4/extensions.h>
#include <vmm/tsc.h>
#include <stdio.h>
#include <string.h>

#define ROOT            seL4_CapInitThreadCNode
#define DEPTH           seL4_WordBits
#define AUDIT_LEVELS    4           /* CNodes within CNodes followed this deep */
#define AUDIT_MAX_CNODES 256

typedef struct audit {
    vmm_t *v;
    iso_graph_t *g;
    uint32_t n_slots, n_cnodes;
    bool failed;                    /* a read or copy failed: no verdict */
    uint32_t cnode_paddr[AUDIT_MAX_CNODES];
    mm_cptr_t scratch[AUDIT_LEVELS];
    iso_id_t part[VMM_MAX_GUESTS];  /* ISO_NONE: not built */
    uint32_t asid[VMM_MAX_GUESTS];
    uint32_t med_paddr[VMM_MAX_GUESTS]; /* mediated: the CNode the VMM keeps its objects in */
    uint32_t keeping;               /* 1 + the guest whose kept CNode is being read; 0: none */
    uint32_t kept[VMM_MAX_GUESTS];  /* slots read there, for the summary */
} audit_t;

iso_graph_t vmm_iso_graph;
iso_analysis_t vmm_iso_analysis;

static void emit(void *ctx, const char *text)
{
    (void)ctx;
    printf("%s", text);
}

/* The raw record abi/capinfo.h lays out, from the wrapper's fields. */
static void pack(const ext_CapInfo_t *c, uint32_t *w)
{
    w[CAPINFO_W_INFO] = (uint32_t)(c->type | c->size_bits << CAPINFO_SIZE_SHIFT |
                                   c->rights << CAPINFO_RIGHTS_SHIFT | c->flags);
    w[CAPINFO_W_DATA] = (uint32_t)c->data;
    w[CAPINFO_W_PADDR] = (uint32_t)c->paddr;
    w[CAPINFO_W_ANC_PADDR] = (uint32_t)c->ancestor_paddr;
    w[CAPINFO_W_ANC_SIZE] = (uint32_t)c->ancestor_bits;
}

static bool seen_cnode(audit_t *a, uint32_t paddr, bool mark)
{
    for (uint32_t i = 0; i < a->n_cnodes; i++)
        if (a->cnode_paddr[i] == paddr)
            return true;
    if (mark) {
        if (a->n_cnodes == AUDIT_MAX_CNODES)
            a->failed = true;
        else
            a->cnode_paddr[a->n_cnodes++] = paddr;
    }
    return false;
}

static void add(audit_t *a, iso_id_t holder, const ext_CapInfo_t *c)
{
    uint32_t w[CAPINFO_WORDS];

    pack(c, w);
    iso_add_slot(a->g, holder, w);
}

/* The guest whose address space a mapped frame is in, or -1. */
static int mapped_in(const audit_t *a, const ext_CapInfo_t *c)
{
    if (c->type != CAPINFO_TYPE_FRAME || !(c->flags & CAPINFO_MAPPED))
        return -1;
    for (uint32_t i = 0; i < a->v->cfg->n_guests; i++)
        if (a->part[i] != ISO_NONE && a->asid[i] == (c->data & CAPINFO_ASID_MASK))
            return (int)i;
    return -1;
}

static void read_cnode(audit_t *a, const vmm_cnode_ref_t *cn, iso_id_t holder, uint32_t level);

/* The mediated guest whose objects the VMM keeps in this CNode of its own
 * (its domain's record says which), or -1: the CNode is the VMM's. */
static int kept_for(const audit_t *a, iso_id_t holder, const ext_CapInfo_t *c)
{
    if (holder != a->g->vmm)
        return -1;
    for (uint32_t i = 0; i < a->v->cfg->n_guests; i++)
        if (a->part[i] != ISO_NONE && a->med_paddr[i] != 0 && a->med_paddr[i] == c->paddr)
            return (int)i;
    return -1;
}

/* A CNode found in slot `slot` of cn: read it through a scratch copy. */
static void follow(audit_t *a, const vmm_cnode_ref_t *cn, uint32_t slot, const ext_CapInfo_t *c,
                   iso_id_t holder, uint32_t level)
{
    mm_cptr_t s;
    uint32_t keeping = a->keeping;
    int guest = kept_for(a, holder, c);

    if (seen_cnode(a, (uint32_t)c->paddr, true))
        return;
    if (guest >= 0) {
        holder = a->part[guest];
        a->keeping = (uint32_t)guest + 1;
    }
    if (level + 1 >= AUDIT_LEVELS) {
        a->failed = true;
        printf("audit: CNodes nested deeper than %u levels\n", AUDIT_LEVELS);
        return;
    }
    s = a->scratch[level];
    if (vmm_cnode_copy_out(cn, slot, s, seL4_AllRights) != seL4_NoError) {
        a->failed = true;
        printf("audit: cannot copy the CNode capability in slot %u\n", slot);
        return;
    }
    vmm_cnode_ref_t child = vmm_cnode_ref(s, c);
    read_cnode(a, &child, holder, level + 1);
    seL4_CNode_Delete(ROOT, s, DEPTH);
    a->keeping = keeping;
}

static void read_cnode(audit_t *a, const vmm_cnode_ref_t *cn, iso_id_t holder, uint32_t level)
{
    ext_CapInfo_t c[CAPINFO_MAX_SLOTS];
    uint32_t slots = 1u << cn->radix;

    for (uint32_t first = 0; first < slots && !a->failed;) {
        ext_CNode_ReadSlots_t r = vmm_cnode_read_batch(cn, first, c);
        if (r.error != seL4_NoError || r.count == 0) {
            printf("audit: ReadSlots failed (error %d)\n", (int)r.error);
            a->failed = true;
            return;
        }
        for (uint32_t i = 0; i < r.count; i++) {
            bool scratch = false;
            if (c[i].type == CAPINFO_TYPE_NULL)
                continue;
            /* the VMM's own scratch copies are not part of the state */
            for (uint32_t k = 0; holder == a->g->vmm && level == 0 && k < AUDIT_LEVELS; k++)
                scratch |= first + i == a->scratch[k];
            if (scratch)
                continue;
            a->n_slots++;
            if (a->keeping != 0)
                a->kept[a->keeping - 1]++;
            add(a, holder, &c[i]);
            int guest = holder == a->g->vmm ? mapped_in(a, &c[i]) : -1;
            if (guest >= 0)
                add(a, a->part[guest], &c[i]);
            if (c[i].type == CAPINFO_TYPE_CNODE)
                follow(a, cn, first + i, &c[i], holder, level);
        }
        first += (uint32_t)r.count;
    }
}

/* The entity the VMM's capability in `slot` names, marked as the VMM's. */
static void mark_vmm(audit_t *a, mm_cptr_t slot)
{
    ext_CapInfo_t c;
    uint32_t w[CAPINFO_WORDS];

    if (!vmm_read_root_slot(slot, &c))
        return;
    pack(&c, w);
    for (uint32_t i = 0; i < a->g->n_entities; i++) {
        iso_entity_t *e = &a->g->entities[i];
        if (e->kind != ISO_PARTITION && e->kind != ISO_VMM && e->base == c.paddr &&
            c.paddr != 0 && e->size == (uint64_t)1 << c.size_bits)
            e->owner = a->g->vmm;
    }
}

/* A guest's own CNode, TCB and page directory, and its ASID. */
static bool guest_roots(audit_t *a, uint32_t i, vmm_cnode_ref_t *root)
{
    const vmm_domain_t *d = &a->v->dom[i];
    const mm_cptr_t own[] = { d->cnode, d->tcb, d->vs.pd };
    ext_CapInfo_t c;

    for (uint32_t k = 0; k < sizeof(own) / sizeof(own[0]); k++) {
        if (!vmm_read_root_slot(own[k], &c)) {
            printf("audit: cannot read guest '%s''s own capabilities\n", d->g->name);
            return false;
        }
        add(a, a->part[i], &c);
        if (k == 0) {
            *root = vmm_cnode_ref(d->cnode, &c);
            seen_cnode(a, (uint32_t)c.paddr, true);
        }
        if (k == 2)
            a->asid[i] = (uint32_t)c.data & CAPINFO_ASID_MASK;
    }
    /* Mediated: the CNode of what the VMM keeps for it (its processes'
     * spaces, threads and objects), from the domain's record; its slots are
     * read live when the VMM's CSpace is. */
    if (d->med_cnode != 0) {
        if (!vmm_read_root_slot(d->med_cnode, &c) || c.type != CAPINFO_TYPE_CNODE) {
            printf("audit: cannot read the CNode the VMM keeps for '%s'\n", d->g->name);
            return false;
        }
        a->med_paddr[i] = (uint32_t)c.paddr;
    }
    return true;
}

static uint32_t audit_build(vmm_t *v, iso_graph_t *g, uint32_t *n_cnodes, uint32_t *kept)
{
    static audit_t a;
    static vmm_cnode_ref_t roots[VMM_MAX_GUESTS];
    vmm_cnode_ref_t vmm_root = { 0 };
    ext_CapInfo_t c;

    memset(&a, 0, sizeof(a));
    a.v = v;
    a.g = g;
    iso_init(g);
    iso_add_vmm(g, "vmm");
    for (uint32_t i = 0; i < v->cfg->n_guests; i++)
        a.part[i] = v->dom[i].state != DOMAIN_EMPTY ? iso_add_partition(g, v->cfg->guest[i].name)
                                                    : ISO_NONE;
    for (uint32_t k = 0; k < AUDIT_LEVELS; k++)
        if (mm_slot_alloc(&v->mm, &a.scratch[k]) != ERR_NONE)
            a.failed = true;
    if (!vmm_read_root_slot(ROOT, &c)) {
        a.failed = true;
    } else {
        vmm_root = vmm_cnode_ref(ROOT, &c);
        seen_cnode(&a, (uint32_t)c.paddr, true);
    }
    for (uint32_t i = 0; i < v->cfg->n_guests && !a.failed; i++)
        if (a.part[i] != ISO_NONE && !guest_roots(&a, i, &roots[i]))
            a.failed = true;
    for (uint32_t i = 0; i < v->cfg->n_guests && !a.failed; i++)
        if (a.part[i] != ISO_NONE)
            read_cnode(&a, &roots[i], a.part[i], 0);
    if (!a.failed)
        read_cnode(&a, &vmm_root, g->vmm, 0);
    mark_vmm(&a, ROOT);
    mark_vmm(&a, seL4_CapInitThreadTCB);
    mark_vmm(&a, seL4_CapInitThreadVSpace);
    mark_vmm(&a, v->ep);
    for (uint32_t k = 0; k < AUDIT_LEVELS; k++)
        if (a.scratch[k])
            mm_slot_free(&v->mm, a.scratch[k]);
    if (a.failed)
        iso_refuse(g, ISO_LIMIT_INCOMPLETE);
    *n_cnodes = a.n_cnodes;
    memcpy(kept, a.kept, sizeof(a.kept));
    return a.n_slots;
}

/* Per built guest: the capabilities the graph gives it, and how many of
 * them the VMM keeps for it (mediated). */
static void print_holdings(const vmm_t *v, const iso_graph_t *g, const uint32_t *kept)
{
    for (uint32_t i = 0; i < v->cfg->n_guests; i++) {
        iso_id_t p = iso_find(g, v->cfg->guest[i].name);
        uint32_t n = 0;
        if (v->dom[i].state == DOMAIN_EMPTY || p == ISO_NONE)
            continue;
        for (uint32_t c = 0; c < g->n_caps; c++)
            n += g->caps[c].holder == p;
        printf("audit: %s holds %u capabilities, %u of them kept for it by the VMM\n",
               v->cfg->guest[i].name, n, kept[i]);
    }
}

unsigned vmm_audit(vmm_t *v)
{
    unsigned bad;
    uint32_t kept[VMM_MAX_GUESTS];
    uint32_t n_cnodes, n_slots = audit_build(v, &vmm_iso_graph, &n_cnodes, kept);

    printf("audit: %u capabilities in %u CNodes: %u entities, %u capabilities in the graph\n",
           n_slots, n_cnodes, vmm_iso_graph.n_entities, vmm_iso_graph.n_caps);
    print_holdings(v, &vmm_iso_graph, kept);
    iso_analyse(&vmm_iso_graph, &vmm_iso_analysis);
    bad = iso_report(&vmm_iso_graph, &vmm_iso_analysis, emit, NULL);
    printf("audit: %s\n", bad == 0 ? "every pair spatially partitioned, devices clean, no finding"
                                   : "NOT ISOLATED");
    return bad;
}

/* The audit without its printing, timed: reading every CSpace, building
 * the graph and analysing it (time-stamps: instructions under -icount). */
void vmm_audit_bench(vmm_t *v)
{
    uint32_t n_cnodes, n_slots, kept[VMM_MAX_GUESTS];
    uint64_t t = vmm_rdtsc();

    n_slots = audit_build(v, &vmm_iso_graph, &n_cnodes, kept);
    iso_analyse(&vmm_iso_graph, &vmm_iso_analysis);
    t = vmm_rdtsc() - t;
    if (n_slots == 0 || vmm_iso_graph.overflow || vmm_iso_analysis.overflow) {
        printf("vmm: bench-audit: the audit failed\n");
        return;
    }
    printf("BENCH audit_full %llu\n", (unsigned long long)t);
    printf("BENCH audit_per_cap %llu\n", (unsigned long long)(t / n_slots));
}
