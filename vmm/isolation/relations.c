/*
 * From capabilities to relations between partitions (partitioning.md, "The
 * isolation check").
 *
 * A partition "holds" an entity when it has a capability to it, or when the
 * entity is a resource assigned to it (its own untyped, frame, ASID pool,
 * I/O ports, IRQ, device memory: ownership stands for all rights on those;
 * its own CNode, TCB, page directory and page table: full authority anyway).
 * Endpoints and notifications count only through capabilities: owning the
 * memory of an endpoint without a capability to it sends nothing.
 *
 * Two partitions are related when they hold the same entity, or entities
 * whose bytes (or ports, or IRQ lines) overlap, in a way one of the rules
 * below names. The VMM's capabilities and ownership never count (it is
 * trusted and connected to everyone); what a partition holds of the VMM's
 * is a per-partition finding instead. seL4's rights decide the endpoint
 * rules: a sender (Write) with Grant can pass capabilities to the receiver
 * (Read); a caller with GrantReply gets capabilities back when the server's
 * capability has Grant (its reply capability then carries Grant); rights on
 * CNode, TCB and paging capabilities are not checked, so any capability to
 * one is full authority over it.
 *
 * The rules on one entity run entity by entity; the rules on two entities
 * sharing bytes run for the pairs a sweep over the entities sorted by
 * address meets (sweep()), never for every pair: the audit's graphs have
 * tens of thousands of frames.
 */
#include <vmm/isolation.h>
#include <string.h>

/* One partition's standing on one entity: the first capability it has
 * (ISO_NONE when it is only the owner) and the union of its rights. */
typedef struct holding {
    iso_id_t who;
    iso_id_t cap;
    uint8_t rights;
} holding_t;

/* Ranges are compared within one space only: bytes, ports, IRQ lines. */
enum space { SPACE_NONE, SPACE_MEMORY, SPACE_PORTS, SPACE_IRQS };

static enum space space_of(iso_kind_t k)
{
    switch (k) {
    case ISO_CNODE: case ISO_TCB: case ISO_PAGE_DIRECTORY: case ISO_PAGE_TABLE:
    case ISO_FRAME: case ISO_UNTYPED: case ISO_ENDPOINT: case ISO_NOTIFICATION:
    case ISO_ASID_POOL: case ISO_DEVICE_MEMORY:
        return SPACE_MEMORY;
    case ISO_IO_PORTS:
        return SPACE_PORTS;
    case ISO_IRQ:
        return SPACE_IRQS;
    default:
        return SPACE_NONE;
    }
}

static bool is_core(iso_kind_t k)
{
    return k == ISO_CNODE || k == ISO_TCB || k == ISO_PAGE_DIRECTORY || k == ISO_PAGE_TABLE;
}

static bool is_control(iso_kind_t k)
{
    return k == ISO_ASID_CONTROL || k == ISO_IRQ_CONTROL || k == ISO_IO_PORT_CONTROL;
}

/* Rights ownership stands for, or 0 when ownership alone holds nothing. */
static uint8_t owner_rights(iso_kind_t k)
{
    switch (k) {
    case ISO_UNTYPED: return ISO_R | ISO_W | ISO_C;
    case ISO_FRAME: case ISO_DEVICE_MEMORY: case ISO_ASID_POOL: return ISO_R | ISO_W;
    case ISO_IO_PORTS: case ISO_IRQ: return ISO_R | ISO_W;
    case ISO_CNODE: case ISO_TCB: case ISO_PAGE_DIRECTORY: case ISO_PAGE_TABLE: return ISO_ALL;
    default: return 0;
    }
}

static bool is_partition(const iso_graph_t *g, iso_id_t id)
{
    return id != ISO_NONE && id < g->n_entities && g->entities[id].kind == ISO_PARTITION;
}

static bool owned_by_vmm(const iso_graph_t *g, iso_id_t x)
{
    return g->vmm != ISO_NONE && g->entities[x].owner == g->vmm;
}

static void refuse(iso_analysis_t *a, iso_limit_t why)
{
    if (!a->overflow)
        a->why = why;
    a->overflow = true;
}

/* Merge `who` into the holdings list (one entry per partition). */
static bool add_holding(holding_t *h, uint32_t *n, iso_id_t who, iso_id_t cap, uint8_t rights)
{
    for (uint32_t i = 0; i < *n; i++) {
        if (h[i].who == who) {
            h[i].rights |= rights;
            if (h[i].cap == ISO_NONE)
                h[i].cap = cap;
            return true;
        }
    }
    if (*n >= ISO_MAX_PARTITIONS)
        return false;
    h[(*n)++] = (holding_t){ .who = who, .cap = cap, .rights = rights };
    return true;
}

/* The partitions holding x (never the VMM). */
static uint32_t holdings_of(const iso_graph_t *g, iso_analysis_t *a, iso_id_t x, holding_t *h)
{
    const iso_entity_t *e = &g->entities[x];
    uint32_t n = 0;

    if (is_partition(g, e->owner) && owner_rights(e->kind) != 0)
        add_holding(h, &n, e->owner, ISO_NONE, owner_rights(e->kind));
    for (iso_id_t c = a->first_cap[x]; c != ISO_NONE; c = a->next_cap[c]) {
        const iso_cap_t *cap = &g->caps[c];
        if (is_partition(g, cap->holder) && !add_holding(h, &n, cap->holder, c, cap->rights))
            refuse(a, ISO_LIMIT_PARTITIONS);
    }
    return n;
}

/*
 * Where in the scan a relation or finding was found: capabilities first (in
 * order), then entity by entity its own rules and then its overlaps, other
 * entity by other entity, holding by holding. Of several witnesses of one
 * (kind, p, q) the earliest is kept, and the lists are put in this order at
 * the end, so the result is the same as a scan of every pair in id order
 * would give, however the sweep meets the overlapping pairs.
 */
#define AT_STAGE        (1ull << 62)
#define AT_X_SHIFT      41
#define AT_OVERLAP      (1ull << 40)
#define AT_Y_SHIFT      19
#define AT_I_SHIFT      14
#define AT_J_SHIFT      9           /* below: a counter within one call */
_Static_assert(ISO_MAX_ENTITIES <= (1u << (AT_X_SHIFT - AT_Y_SHIFT - 1)) &&
               ISO_MAX_PARTITIONS <= (1u << (AT_I_SHIFT - AT_J_SHIFT)),
               "scan positions fit their fields");

static uint64_t scan_at(iso_id_t x, bool overlap, iso_id_t y, uint32_t i, uint32_t j)
{
    return AT_STAGE | (uint64_t)x << AT_X_SHIFT | (overlap ? AT_OVERLAP : 0) |
           (uint64_t)y << AT_Y_SHIFT | (uint64_t)i << AT_I_SHIFT | (uint64_t)j << AT_J_SHIFT;
}

static void add_relation(const iso_graph_t *g, iso_analysis_t *a, iso_rel_t rel,
                         iso_class_t cls, const holding_t *hp, const holding_t *hq,
                         iso_id_t x, iso_id_t y)
{
    iso_id_t ip = a->subject_index[hp->who], iq = a->subject_index[hq->who];
    uint64_t at = a->at++;
    iso_relation_t r = {
        .rel = rel, .cls = cls, .p = hp->who, .q = hq->who, .x = x, .y = y,
        .cp = hp->cap, .cq = hq->cap,
    };
    uint16_t *seen;

    (void)g;
    if (hp->who == hq->who)
        return;
    seen = &a->seen[rel][ip][iq];
    if (*seen != 0) {
        if (at < a->rel_order[*seen - 1]) {
            a->relations[*seen - 1] = r;
            a->rel_order[*seen - 1] = at;
        }
        return;
    }
    if (a->n_relations >= ISO_MAX_RELATIONS) {
        refuse(a, ISO_LIMIT_RELATIONS);
        return;
    }
    a->rel_order[a->n_relations] = at;
    a->relations[a->n_relations++] = r;
    *seen = (uint16_t)a->n_relations;
}

/* Rules on one entity both partitions hold; hp is tried as the sender /
 * client side (the caller tries both orders). */
static void same_entity_rules(const iso_graph_t *g, iso_analysis_t *a, iso_id_t x,
                              const holding_t *hp, const holding_t *hq)
{
    iso_kind_t k = g->entities[x].kind;
    uint8_t rp = hp->rights, rq = hq->rights;

    if (is_core(k))
        add_relation(g, a, ISO_REL_CORE_OBJECT, ISO_CLASS_GRANT, hp, hq, x, x);
    switch (k) {
    case ISO_UNTYPED:
        add_relation(g, a, ISO_REL_SHARED_UNTYPED, ISO_CLASS_SPATIAL, hp, hq, x, x);
        break;
    case ISO_ASID_POOL:
        add_relation(g, a, ISO_REL_SHARED_ASID_POOL, ISO_CLASS_SPATIAL, hp, hq, x, x);
        break;
    case ISO_ENDPOINT:
        if (!(rp & ISO_W) || !(rq & ISO_R))
            break;
        if (rp & ISO_G)
            add_relation(g, a, ISO_REL_EP_CLIENT_GRANT, ISO_CLASS_GRANT, hp, hq, x, x);
        else if ((rp & ISO_GR) && (rq & ISO_G))
            add_relation(g, a, ISO_REL_EP_REPLY_GRANT, ISO_CLASS_GRANT, hp, hq, x, x);
        else
            add_relation(g, a, ISO_REL_EP_CHANNEL, ISO_CLASS_CHANNEL, hp, hq, x, x);
        break;
    case ISO_NOTIFICATION:
        if ((rp & ISO_W) && (rq & ISO_R))
            add_relation(g, a, ISO_REL_NTFN_CHANNEL, ISO_CLASS_CHANNEL, hp, hq, x, x);
        break;
    case ISO_FRAME:
        if ((rp & ISO_W) && (rq & (ISO_R | ISO_W)))
            add_relation(g, a, ISO_REL_SHARED_FRAME, ISO_CLASS_CHANNEL, hp, hq, x, x);
        break;
    case ISO_DEVICE_MEMORY:
        add_relation(g, a, ISO_REL_SHARED_DEVICE_MEMORY, ISO_CLASS_DEVICE, hp, hq, x, x);
        break;
    case ISO_IO_PORTS:
        add_relation(g, a, ISO_REL_SHARED_IO_PORTS, ISO_CLASS_DEVICE, hp, hq, x, x);
        break;
    case ISO_IRQ:
        add_relation(g, a, ISO_REL_SHARED_IRQ, ISO_CLASS_DEVICE, hp, hq, x, x);
        break;
    default:
        break;
    }
    /* The thesis' undirected Grant graph, for entities whose Grant seL4
     * does not already give a meaning above. */
    if (k != ISO_ENDPOINT && (rp & ISO_G) && (rq & ISO_G))
        add_relation(g, a, ISO_REL_GRANT, ISO_CLASS_GRANT, hp, hq, x, x);
}

/* Capabilities that relate their holder to the partition that owns the
 * target (or is the target): no second capability needed. */
static void ownership_rules(const iso_graph_t *g, iso_analysis_t *a, iso_id_t c)
{
    const iso_cap_t *cap = &g->caps[c];
    const iso_entity_t *t = &g->entities[cap->target];
    holding_t hp = { .who = cap->holder, .cap = c, .rights = cap->rights };

    if (!is_partition(g, cap->holder))
        return;
    if (t->kind == ISO_PARTITION && (cap->rights & ISO_G)) {
        holding_t hq = { .who = cap->target, .cap = ISO_NONE, .rights = 0 };
        add_relation(g, a, ISO_REL_GRANT, ISO_CLASS_GRANT, &hp, &hq, cap->target, cap->target);
    }
}

static bool is_ancestor(const iso_graph_t *g, iso_id_t anc, iso_id_t x)
{
    /* Bounded: a parent chain never needs more steps than there are entities. */
    for (uint32_t i = 0; i < g->n_entities && x != ISO_NONE; i++) {
        x = g->entities[x].parent;
        if (x == anc)
            return true;
    }
    return false;
}

static bool ranges_overlap(const iso_entity_t *x, const iso_entity_t *y)
{
    return x->size != 0 && y->size != 0 && x->base < y->base + y->size &&
           y->base < x->base + x->size;
}

/* Two distinct entities sharing bytes (ports, lines), held by p and q. */
static void overlap_rules(const iso_graph_t *g, iso_analysis_t *a, iso_id_t x, iso_id_t y,
                          const holding_t *hp, const holding_t *hq)
{
    iso_kind_t kx = g->entities[x].kind, ky = g->entities[y].kind;
    bool mem_x = kx == ISO_FRAME || kx == ISO_DEVICE_MEMORY;
    bool mem_y = ky == ISO_FRAME || ky == ISO_DEVICE_MEMORY;

    if (kx == ISO_IO_PORTS) {
        add_relation(g, a, ISO_REL_SHARED_IO_PORTS, ISO_CLASS_DEVICE, hp, hq, x, y);
    } else if (kx == ISO_IRQ) {
        add_relation(g, a, ISO_REL_SHARED_IRQ, ISO_CLASS_DEVICE, hp, hq, x, y);
    } else if (mem_x && mem_y) {
        if (kx == ISO_DEVICE_MEMORY || ky == ISO_DEVICE_MEMORY)
            add_relation(g, a, ISO_REL_SHARED_DEVICE_MEMORY, ISO_CLASS_DEVICE, hp, hq, x, y);
        else if ((hp->rights & ISO_W) && (hq->rights & (ISO_R | ISO_W)))
            add_relation(g, a, ISO_REL_SHARED_MEMORY, ISO_CLASS_CHANNEL, hp, hq, x, y);
    } else if (kx == ISO_UNTYPED && is_ancestor(g, x, y)) {
        add_relation(g, a, ISO_REL_ANCESTOR, ISO_CLASS_SPATIAL, hp, hq, x, y);
    } else if (!(ky == ISO_UNTYPED && is_ancestor(g, y, x))) {
        /* (the other order is found when the loop visits (y, x)) */
        add_relation(g, a, ISO_REL_OVERLAP, ISO_CLASS_SPATIAL, hp, hq, x, y);
    }
}

static void add_finding(iso_analysis_t *a, iso_finding_kind_t kind, iso_id_t p, iso_id_t x,
                        iso_id_t cap)
{
    uint64_t at = a->at++;

    for (uint32_t i = 0; i < a->n_findings; i++) {
        iso_finding_t *f = &a->findings[i];
        if (f->kind == kind && f->partition == p && f->x == x) {
            if (at < a->finding_order[i]) {
                f->cap = cap;
                a->finding_order[i] = at;
            }
            return;
        }
    }
    if (a->n_findings >= ISO_MAX_FINDINGS) {
        refuse(a, ISO_LIMIT_FINDINGS);
        return;
    }
    a->finding_order[a->n_findings] = at;
    a->findings[a->n_findings++] = (iso_finding_t){ .kind = kind, .partition = p, .x = x, .cap = cap };
}

/* What p holds of the VMM's, or of authority only the VMM may have. */
static void vmm_rules(const iso_graph_t *g, iso_analysis_t *a, iso_id_t x, const holding_t *h)
{
    const iso_entity_t *e = &g->entities[x];

    if (is_control(e->kind))
        add_finding(a, ISO_FIND_CONTROL_CAP, h->who, x, h->cap);
    if (e->kind == ISO_IO_PORTS && iso_ports_reach_dma(e->base, e->size))
        add_finding(a, ISO_FIND_DMA_PORTS, h->who, x, h->cap);
    if (x == g->vmm && (h->rights & ISO_G))
        add_finding(a, ISO_FIND_VMM_ENDPOINT_GRANT, h->who, x, h->cap);
    if (!owned_by_vmm(g, x))
        return;
    if (is_core(e->kind))
        add_finding(a, ISO_FIND_VMM_CORE_OBJECT, h->who, x, h->cap);
    if (e->kind == ISO_UNTYPED || e->kind == ISO_ASID_POOL)
        add_finding(a, ISO_FIND_VMM_MEMORY, h->who, x, h->cap);
    if (e->kind == ISO_ENDPOINT && (h->rights & ISO_G))
        add_finding(a, ISO_FIND_VMM_ENDPOINT_GRANT, h->who, x, h->cap);
    if (e->kind == ISO_ENDPOINT && (h->rights & ISO_R))
        add_finding(a, ISO_FIND_VMM_ENDPOINT_RECEIVE, h->who, x, h->cap);
}

/* p's entity x shares bytes with the VMM's own y: allowed only when y is
 * an untyped x was carved from (the VMM keeps parents of guests' memory). */
static void vmm_memory_rule(const iso_graph_t *g, iso_analysis_t *a, iso_id_t x, iso_id_t y,
                            const holding_t *h)
{
    const iso_entity_t *ey = &g->entities[y];

    if (!owned_by_vmm(g, y) || space_of(ey->kind) != SPACE_MEMORY)
        return;
    if (ey->kind == ISO_UNTYPED && (is_ancestor(g, y, x) ||
        (g->entities[x].base >= ey->base &&
         g->entities[x].base + g->entities[x].size <= ey->base + ey->size)))
        return;
    add_finding(a, ISO_FIND_VMM_MEMORY, h->who, x, h->cap);
}

static bool before(const iso_graph_t *g, iso_id_t x, iso_id_t y)
{
    const iso_entity_t *ex = &g->entities[x], *ey = &g->entities[y];
    enum space sx = space_of(ex->kind), sy = space_of(ey->kind);

    if (sx != sy)
        return sx < sy;
    if (ex->base != ey->base)
        return ex->base < ey->base;
    return x < y;
}

/* Heap sort of v[0..n) by space, then base: O(n log n), no allocation. */
static void sift_down(const iso_graph_t *g, iso_id_t *v, uint32_t at, uint32_t n)
{
    for (;;) {
        uint32_t child = 2 * at + 1;
        if (child >= n)
            return;
        if (child + 1 < n && before(g, v[child], v[child + 1]))
            child++;
        if (!before(g, v[at], v[child]))
            return;
        iso_id_t t = v[at];
        v[at] = v[child];
        v[child] = t;
        at = child;
    }
}

static void sort_by_address(const iso_graph_t *g, iso_id_t *v, uint32_t n)
{
    for (uint32_t i = n / 2; i-- > 0;)
        sift_down(g, v, i, n);
    for (uint32_t end = n; end-- > 1;) {
        iso_id_t t = v[0];
        v[0] = v[end];
        v[end] = t;
        sift_down(g, v, 0, end);
    }
}

static uint32_t index_graph(const iso_graph_t *g, iso_analysis_t *a)
{
    uint32_t n_subjects = 0, n_ranged = 0;

    memset(a->seen, 0, sizeof(a->seen));
    for (uint32_t i = 0; i < g->n_entities; i++) {
        a->first_cap[i] = ISO_NONE;
        a->subject_index[i] = ISO_NONE;
        if (g->entities[i].kind == ISO_PARTITION || g->entities[i].kind == ISO_VMM)
            a->subject_index[i] = (iso_id_t)n_subjects++;
        if (space_of(g->entities[i].kind) != SPACE_NONE && g->entities[i].size != 0)
            a->by_address[n_ranged++] = i;
    }
    /* Reverse order, so that each list runs in capability order. */
    for (uint32_t c = g->n_caps; c-- > 0;) {
        a->next_cap[c] = a->first_cap[g->caps[c].target];
        a->first_cap[g->caps[c].target] = (iso_id_t)c;
    }
    sort_by_address(g, a->by_address, n_ranged);
    return n_ranged;
}

static void entity_pass(const iso_graph_t *g, iso_analysis_t *a, iso_id_t x)
{
    holding_t h[ISO_MAX_PARTITIONS];
    uint32_t n = holdings_of(g, a, x, h);

    for (uint32_t i = 0; i < n; i++) {
        a->at = scan_at(x, false, 0, i, 0);
        vmm_rules(g, a, x, &h[i]);
        for (uint32_t j = 0; j < n; j++) {
            a->at = scan_at(x, false, 0, i, j);
            if (i != j)
                same_entity_rules(g, a, x, &h[i], &h[j]);
        }
    }
}

/* x's rules towards y, an entity of the same space sharing bytes with it. */
static void overlap_pass(const iso_graph_t *g, iso_analysis_t *a, iso_id_t x, iso_id_t y)
{
    holding_t hx[ISO_MAX_PARTITIONS], hy[ISO_MAX_PARTITIONS];
    uint32_t nx = holdings_of(g, a, x, hx), ny;

    if (nx == 0)
        return;
    for (uint32_t i = 0; i < nx; i++) {
        a->at = scan_at(x, true, y, i, 0);
        vmm_memory_rule(g, a, x, y, &hx[i]);
    }
    ny = holdings_of(g, a, y, hy);
    for (uint32_t i = 0; i < nx; i++)
        for (uint32_t j = 0; j < ny; j++) {
            a->at = scan_at(x, true, y, i, j);
            overlap_rules(g, a, x, y, &hx[i], &hy[j]);
        }
}

/*
 * Every pair of ranged entities that share bytes (ports, lines), each met
 * once: in address order, an entity overlaps exactly the open ranges that
 * began before it and have not ended where it begins.
 */
static void sweep(const iso_graph_t *g, iso_analysis_t *a, uint32_t n_ranged)
{
    uint32_t n_active = 0;

    for (uint32_t k = 0; k < n_ranged; k++) {
        iso_id_t x = a->by_address[k];
        const iso_entity_t *ex = &g->entities[x];
        uint32_t kept = 0;

        for (uint32_t i = 0; i < n_active; i++) {
            const iso_entity_t *ey = &g->entities[a->active[i]];
            if (space_of(ey->kind) == space_of(ex->kind) && ranges_overlap(ex, ey))
                a->active[kept++] = a->active[i];
        }
        n_active = kept;
        for (uint32_t i = 0; i < n_active; i++) {
            overlap_pass(g, a, x, a->active[i]);
            overlap_pass(g, a, a->active[i], x);
        }
        a->active[n_active++] = x;
    }
}

/* Stable insertion sort of n items of `size` bytes by their keys, moved
 * together; tmp holds one item. They come nearly in order (only overlaps
 * are out of it), so each item moves a short way if at all. */
static void sort_by_key(void *items, size_t size, uint64_t *keys, uint32_t n, void *tmp)
{
    uint8_t *it = items;

    for (uint32_t i = 1; i < n; i++) {
        uint64_t at = keys[i];
        uint32_t j = i;
        while (j > 0 && keys[j - 1] > at)
            j--;
        if (j == i)
            continue;
        memcpy(tmp, it + i * size, size);
        memmove(it + (j + 1) * size, it + j * size, (i - j) * size);
        memcpy(it + j * size, tmp, size);
        memmove(&keys[j + 1], &keys[j], (i - j) * sizeof(*keys));
        keys[j] = at;
    }
}

/* The relations and findings in the order the scan found them. */
static void put_in_scan_order(iso_analysis_t *a)
{
    union { iso_relation_t r; iso_finding_t f; } tmp;

    sort_by_key(a->relations, sizeof(a->relations[0]), a->rel_order, a->n_relations, &tmp);
    sort_by_key(a->findings, sizeof(a->findings[0]), a->finding_order, a->n_findings, &tmp);
}

int iso_analyse(const iso_graph_t *g, iso_analysis_t *a)
{
    uint32_t n_ranged;

    a->n_relations = 0;
    a->n_findings = 0;
    a->overflow = g->overflow;
    a->why = g->why;
    if (g->overflow)
        return -1;
    n_ranged = index_graph(g, a);
    for (uint32_t c = 0; c < g->n_caps; c++) {
        a->at = (uint64_t)c << AT_J_SHIFT;
        ownership_rules(g, a, (iso_id_t)c);
    }
    for (uint32_t x = 0; x < g->n_entities; x++)
        entity_pass(g, a, (iso_id_t)x);
    sweep(g, a, n_ranged);
    put_in_scan_order(a);
    return a->overflow ? -1 : 0;
}

bool iso_ports_reach_dma(uint64_t first, uint64_t count)
{
    static const struct { uint16_t lo, hi; } dma[] = {
        { 0x00, 0x1f },     /* ISA DMA controller 1 */
        { 0x20, 0x21 },     /* PIC 1 */
        { 0x40, 0x43 },     /* PIT */
        { 0x80, 0x8f },     /* ISA DMA page registers */
        { 0xa0, 0xa1 },     /* PIC 2 */
        { 0xc0, 0xdf },     /* ISA DMA controller 2 */
        { 0xcf8, 0xcff },   /* PCI configuration: bus mastering */
    };

    if (count == 0)
        return false;
    for (size_t i = 0; i < sizeof(dma) / sizeof(dma[0]); i++)
        if (first <= dma[i].hi && dma[i].lo <= first + count - 1)
            return true;
    return false;
}
