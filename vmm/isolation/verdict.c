/*
 * Verdicts and chains (vmm/include/vmm/isolation.h).
 *
 * Partitions are the nodes, relations the edges (undirected: a capability
 * that can flow either way breaks isolation either way). Two partitions are
 * spatially partitioned when no chain of Grant and spatial relations joins
 * them, fully isolated when no chain of those and channels does, and their
 * devices are clean when no device relation joins them directly.
 *
 * A chain may pass through a third partition c only where c can relay
 * (Theorem 1: Grant-connected subjects can pool their authority): one of
 * the two relations at c is a Grant relation, or, for full isolation, both
 * are channels (c can copy data from one to the other). Two partitions
 * that each share an untyped with c, but nothing with each other, remain
 * spatially partitioned from each other.
 *
 * The search is breadth first over (partition, class of the last relation),
 * so the chain found is a shortest one in relations.
 */
#include <vmm/isolation.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#define LAST_KINDS 3            /* the class that led to a node: Grant, channel, other */

enum { LAST_GRANT = 0, LAST_CHANNEL = 1, LAST_OTHER = 2 };

static int last_of(iso_class_t c)
{
    return c == ISO_CLASS_GRANT ? LAST_GRANT : c == ISO_CLASS_CHANNEL ? LAST_CHANNEL : LAST_OTHER;
}

static bool class_counts(iso_level_t level, iso_class_t c)
{
    switch (level) {
    case ISO_LEVEL_SPATIAL: return c == ISO_CLASS_GRANT || c == ISO_CLASS_SPATIAL;
    case ISO_LEVEL_FULL: return c != ISO_CLASS_DEVICE;
    default: return c == ISO_CLASS_DEVICE;
    }
}

static bool relays(iso_level_t level, int last, iso_class_t next)
{
    if (level == ISO_LEVEL_DEVICES)
        return false;
    if (last == LAST_GRANT || next == ISO_CLASS_GRANT)
        return true;
    return level == ISO_LEVEL_FULL && last == LAST_CHANNEL && next == ISO_CLASS_CHANNEL;
}

/* Breadth-first search state over (subject index, last class): small
 * enough for the stack. */
typedef struct search {
    uint8_t queue_node[ISO_MAX_PARTITIONS * LAST_KINDS];
    uint8_t queue_last[ISO_MAX_PARTITIONS * LAST_KINDS];
    uint16_t via[ISO_MAX_PARTITIONS][LAST_KINDS];       /* relation that reached it */
    uint8_t from_last[ISO_MAX_PARTITIONS][LAST_KINDS];  /* state it was reached from */
    bool seen[ISO_MAX_PARTITIONS][LAST_KINDS];
} search_t;

#define VIA_START 0xffffu

static void record_chain(const iso_analysis_t *a, const search_t *s, iso_id_t to, int last,
                         iso_chain_t *c)
{
    uint16_t rev[ISO_MAX_CHAIN];
    uint32_t n = 0;
    iso_id_t node = to;

    while (n < ISO_MAX_CHAIN) {
        uint16_t via = s->via[a->subject_index[node]][last];
        if (via == VIA_START)
            break;
        const iso_relation_t *r = &a->relations[via];
        rev[n++] = via;
        last = s->from_last[a->subject_index[node]][last];
        node = r->p == node ? r->q : r->p;
    }
    c->n = n;
    for (uint32_t i = 0; i < n; i++)
        c->rel[i] = rev[n - 1 - i];
}

/* The other end of r seen from u, or ISO_NONE if r does not touch u or
 * does not count at this level. */
static iso_id_t step(const iso_relation_t *r, iso_level_t level, iso_id_t u)
{
    if (!class_counts(level, r->cls) || (r->p != u && r->q != u))
        return ISO_NONE;
    return r->p == u ? r->q : r->p;
}

static void find_chain(const iso_analysis_t *a, iso_level_t level, iso_id_t from, iso_id_t to,
                       iso_chain_t *c)
{
    search_t s;
    uint32_t head = 0, tail = 0;
    iso_id_t node_of[ISO_MAX_PARTITIONS];

    c->n = 0;
    c->from = from;
    c->to = to;
    memset(s.seen, 0, sizeof(s.seen));
    uint8_t sf = (uint8_t)a->subject_index[from];
    node_of[sf] = from;
    s.seen[sf][LAST_OTHER] = true;
    s.via[sf][LAST_OTHER] = VIA_START;
    s.queue_node[tail] = sf;
    s.queue_last[tail++] = LAST_OTHER;
    while (head < tail) {
        iso_id_t u = node_of[s.queue_node[head]];
        int last = s.queue_last[head++];
        for (uint32_t i = 0; i < a->n_relations; i++) {
            const iso_relation_t *r = &a->relations[i];
            iso_id_t v = step(r, level, u);
            if (v == ISO_NONE || v == from || (u != from && !relays(level, last, r->cls)))
                continue;
            uint8_t sv = (uint8_t)a->subject_index[v];
            int vl = last_of(r->cls);
            if (s.seen[sv][vl])
                continue;
            s.seen[sv][vl] = true;
            s.via[sv][vl] = (uint16_t)i;
            s.from_last[sv][vl] = (uint8_t)last;
            node_of[sv] = v;
            if (v == to) {
                record_chain(a, &s, to, vl, c);
                return;
            }
            s.queue_node[tail] = sv;
            s.queue_last[tail++] = (uint8_t)vl;
        }
    }
}

void iso_pair(const iso_graph_t *g, const iso_analysis_t *a, iso_id_t p, iso_id_t q,
              iso_verdict_t *v)
{
    for (int level = 0; level < ISO_NUM_LEVELS; level++) {
        v->chain[level] = (iso_chain_t){ .n = 0, .from = p, .to = q };
        if (p < g->n_entities && q < g->n_entities && p != q &&
            a->subject_index[p] != ISO_NONE && a->subject_index[q] != ISO_NONE)
            find_chain(a, (iso_level_t)level, p, q, &v->chain[level]);
    }
    v->spatial = v->chain[ISO_LEVEL_SPATIAL].n == 0;
    v->full = v->spatial && v->chain[ISO_LEVEL_FULL].n == 0;
    v->devices = v->chain[ISO_LEVEL_DEVICES].n == 0;
}

bool iso_partition_clean(const iso_analysis_t *a, iso_id_t p)
{
    for (uint32_t i = 0; i < a->n_findings; i++)
        if (a->findings[i].partition == p)
            return false;
    return true;
}

/* ---- printing ------------------------------------------------------------ */

static const char *const rel_why[ISO_NUM_RELS] = {
    [ISO_REL_CORE_OBJECT] = "a capability to a CNode, TCB or paging object is full authority",
    [ISO_REL_GRANT] = "Grant connects (Theorem 1)",
    [ISO_REL_EP_CLIENT_GRANT] = "the client holds Grant: it can send capabilities",
    [ISO_REL_EP_REPLY_GRANT] = "GrantReply while the server holds Grant: replies carry capabilities",
    [ISO_REL_SHARED_UNTYPED] = "a shared untyped",
    [ISO_REL_SHARED_ASID_POOL] = "a shared ASID pool",
    [ISO_REL_OVERLAP] = "overlapping bytes",
    [ISO_REL_ANCESTOR] = "an ancestor of the other's memory",
    [ISO_REL_EP_CHANNEL] = "an endpoint channel",
    [ISO_REL_NTFN_CHANNEL] = "a notification channel",
    [ISO_REL_SHARED_FRAME] = "a shared frame",
    [ISO_REL_SHARED_MEMORY] = "frames sharing bytes",
    [ISO_REL_SHARED_IO_PORTS] = "shared I/O ports",
    [ISO_REL_SHARED_IRQ] = "a shared IRQ line",
    [ISO_REL_SHARED_DEVICE_MEMORY] = "shared device memory",
};

static const char *const finding_why[ISO_NUM_FINDINGS] = {
    [ISO_FIND_VMM_CORE_OBJECT] = "holds a capability to the VMM's own CNode, TCB or paging object",
    [ISO_FIND_VMM_ENDPOINT_GRANT] = "holds Grant towards the VMM",
    [ISO_FIND_VMM_ENDPOINT_RECEIVE] = "can receive on the VMM's endpoint",
    [ISO_FIND_CONTROL_CAP] = "holds a control capability only the VMM may hold",
    [ISO_FIND_VMM_MEMORY] = "holds memory of the VMM's",
    [ISO_FIND_DMA_PORTS] = "holds I/O ports that reach DMA, the PIC or the PIT",
};

/* Appends to buf at *at, always terminated, never past len. */
static void put(char *buf, size_t len, size_t *at, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void put(char *buf, size_t len, size_t *at, const char *fmt, ...)
{
    va_list ap;

    if (*at >= len)
        return;
    va_start(ap, fmt);
    int n = vsnprintf(buf + *at, len - *at, fmt, ap);
    va_end(ap);
    if (n > 0)
        *at = *at + (size_t)n < len ? *at + (size_t)n : len - 1;
}

static void put_entity(const iso_graph_t *g, iso_id_t x, char *buf, size_t len, size_t *at)
{
    const iso_entity_t *e = &g->entities[x];

    if (e->kind == ISO_PARTITION) {
        put(buf, len, at, "partition %s", e->name);
        return;
    }
    put(buf, len, at, "%s %s", iso_kind_name(e->kind), e->name);
    if (e->size != 0 && e->kind == ISO_IO_PORTS)
        put(buf, len, at, " [0x%llx+%llu]", (unsigned long long)e->base,
            (unsigned long long)e->size);
    else if (e->size != 0 && e->kind == ISO_IRQ)
        put(buf, len, at, " [line %llu]", (unsigned long long)e->base);
    else if (e->size != 0)
        put(buf, len, at, " [0x%llx+0x%llx]", (unsigned long long)e->base,
            (unsigned long long)e->size);
}

/* "web --[W GR]-->" or "web ==owns==>" (left) and "<--[R]-- db" (right). */
static void put_side(const iso_graph_t *g, iso_id_t who, iso_id_t cap, bool left, char *buf,
                     size_t len, size_t *at)
{
    char r[24];
    const char *name = g->entities[who].name;

    if (cap == ISO_NONE && left)
        put(buf, len, at, "%s ==owns==> ", name);
    else if (cap == ISO_NONE)
        put(buf, len, at, " <==owns== %s", name);
    else if (left)
        put(buf, len, at, "%s --[%s]--> ", name, iso_rights_str(g->caps[cap].rights, r, sizeof(r)));
    else
        put(buf, len, at, " <--[%s]-- %s", iso_rights_str(g->caps[cap].rights, r, sizeof(r)), name);
}

size_t iso_format_relation(const iso_graph_t *g, const iso_relation_t *r, iso_id_t from,
                           char *buf, size_t len)
{
    bool fwd = from != r->q;
    iso_id_t a = fwd ? r->p : r->q, b = fwd ? r->q : r->p;
    iso_id_t ca = fwd ? r->cp : r->cq, cb = fwd ? r->cq : r->cp;
    iso_id_t xa = fwd ? r->x : r->y, xb = fwd ? r->y : r->x;
    size_t at = 0;

    if (len == 0)
        return 0;
    buf[0] = '\0';
    put_side(g, a, ca, true, buf, len, &at);
    put_entity(g, xa, buf, len, &at);
    if (xa != xb) {
        put(buf, len, &at, " ~shares bytes~ ");
        put_entity(g, xb, buf, len, &at);
    }
    if (xb != b)
        put_side(g, b, cb, false, buf, len, &at);
    put(buf, len, &at, "  (%s)", (unsigned)r->rel < ISO_NUM_RELS ? rel_why[r->rel] : "?");
    return at;
}

void iso_print_chain(const iso_graph_t *g, const iso_analysis_t *a, const iso_chain_t *c,
                     iso_emit_fn *emit, void *ctx)
{
    char line[256];
    iso_id_t at = c->from;

    for (uint32_t i = 0; i < c->n; i++) {
        const iso_relation_t *r = &a->relations[c->rel[i]];
        size_t n = 0;
        put(line, sizeof(line), &n, "    %u. ", (unsigned)(i + 1));
        n += iso_format_relation(g, r, at, line + n, sizeof(line) - n - 1);
        put(line, sizeof(line), &n, "\n");
        emit(ctx, line);
        at = r->p == at ? r->q : r->p;
    }
}

static const char *const level_name[ISO_NUM_LEVELS] = {
    [ISO_LEVEL_SPATIAL] = "spatial", [ISO_LEVEL_FULL] = "full", [ISO_LEVEL_DEVICES] = "devices",
};

static unsigned report_findings(const iso_graph_t *g, const iso_analysis_t *a,
                                 iso_emit_fn *emit, void *ctx)
{
    char line[256];

    for (uint32_t i = 0; i < a->n_findings; i++) {
        const iso_finding_t *f = &a->findings[i];
        size_t n = 0;
        put(line, sizeof(line), &n, "%s: NOT CLEAN: %s: ", g->entities[f->partition].name,
            (unsigned)f->kind < ISO_NUM_FINDINGS ? finding_why[f->kind] : "?");
        put_side(g, f->partition, f->cap, true, line, sizeof(line), &n);
        put_entity(g, f->x, line, sizeof(line), &n);
        put(line, sizeof(line), &n, "\n");
        emit(ctx, line);
    }
    return a->n_findings;
}

static unsigned report_pair(const iso_graph_t *g, const iso_analysis_t *a, iso_id_t p,
                            iso_id_t q, iso_emit_fn *emit, void *ctx)
{
    iso_verdict_t v;
    char line[160];
    size_t n = 0;

    iso_pair(g, a, p, q, &v);
    put(line, sizeof(line), &n, "%s / %s: spatial %s, full %s, devices %s\n",
        g->entities[p].name, g->entities[q].name, v.spatial ? "yes" : "NO",
        v.full ? "yes" : "NO", v.devices ? "yes" : "NO");
    emit(ctx, line);
    for (int level = 0; level < ISO_NUM_LEVELS; level++) {
        if (v.chain[level].n == 0 || (level == ISO_LEVEL_FULL && !v.spatial &&
            v.chain[ISO_LEVEL_FULL].n == v.chain[ISO_LEVEL_SPATIAL].n))
            continue;
        n = 0;
        put(line, sizeof(line), &n, "  %s chain:\n", level_name[level]);
        emit(ctx, line);
        iso_print_chain(g, a, &v.chain[level], emit, ctx);
    }
    return v.spatial && v.devices ? 0 : 1;
}

unsigned iso_report(const iso_graph_t *g, const iso_analysis_t *a, iso_emit_fn *emit,
                    void *ctx)
{
    unsigned bad;

    if (g->overflow || a->overflow) {
        char why[96], line[160];
        size_t n = 0;
        iso_limit_str(g->overflow ? g->why : a->why, why, sizeof(why));
        put(line, sizeof(line), &n, "isolation: the graph does not fit the analysis: %s; "
            "no verdict\n", why);
        emit(ctx, line);
        return 1;
    }
    bad = report_findings(g, a, emit, ctx);
    for (uint32_t p = 0; p < g->n_entities; p++) {
        if (g->entities[p].kind != ISO_PARTITION)
            continue;
        for (uint32_t q = p + 1; q < g->n_entities; q++)
            if (g->entities[q].kind == ISO_PARTITION)
                bad += report_pair(g, a, (iso_id_t)p, (iso_id_t)q, emit, ctx);
    }
    return bad;
}
