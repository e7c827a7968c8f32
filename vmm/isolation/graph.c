/*
 * Building an isolation graph (vmm/include/vmm/isolation.h).
 *
 * Entities are numbered in the order they are added; a capability is a
 * holder (a partition or the VMM: the subjects of the model), a target and
 * a set of rights. Every add checks its arguments and refuses what does not
 * fit by returning ISO_NONE and marking the graph overflowed, so that a
 * graph that lost a capability can never pass the analysis.
 */
#include <vmm/isolation.h>
#include <string.h>

void iso_init(iso_graph_t *g)
{
    g->n_entities = 0;
    g->n_caps = 0;
    g->vmm = ISO_NONE;
    g->overflow = false;
}

static void copy_name(char *dst, const char *src)
{
    size_t n = src != NULL ? strnlen(src, ISO_NAME_LEN - 1) : 0;

    if (n > 0)
        memcpy(dst, src, n);
    dst[n] = '\0';
}

static iso_id_t add_entity(iso_graph_t *g, iso_kind_t kind, iso_id_t owner, const char *name,
                           uint64_t base, uint64_t size)
{
    if (g->n_entities >= ISO_MAX_ENTITIES || (unsigned)kind >= ISO_NUM_KINDS ||
        (owner != ISO_NONE && owner >= g->n_entities)) {
        g->overflow = true;
        return ISO_NONE;
    }
    iso_entity_t *e = &g->entities[g->n_entities];
    e->kind = kind;
    e->owner = owner;
    e->parent = ISO_NONE;
    e->base = base;
    e->size = size;
    copy_name(e->name, name);
    return (iso_id_t)g->n_entities++;
}

static uint32_t count_subjects(const iso_graph_t *g)
{
    uint32_t n = 0;

    for (uint32_t i = 0; i < g->n_entities; i++)
        if (g->entities[i].kind == ISO_PARTITION || g->entities[i].kind == ISO_VMM)
            n++;
    return n;
}

iso_id_t iso_add_partition(iso_graph_t *g, const char *name)
{
    if (count_subjects(g) >= ISO_MAX_PARTITIONS) {
        g->overflow = true;
        return ISO_NONE;
    }
    return add_entity(g, ISO_PARTITION, ISO_NONE, name, 0, 0);
}

iso_id_t iso_add_vmm(iso_graph_t *g, const char *name)
{
    if (g->vmm != ISO_NONE || count_subjects(g) >= ISO_MAX_PARTITIONS) {
        g->overflow = true;
        return ISO_NONE;
    }
    iso_id_t id = add_entity(g, ISO_VMM, ISO_NONE, name, 0, 0);
    g->vmm = id;
    return id;
}

static bool is_subject(const iso_graph_t *g, iso_id_t id)
{
    return id < g->n_entities &&
           (g->entities[id].kind == ISO_PARTITION || g->entities[id].kind == ISO_VMM);
}

iso_id_t iso_add_object(iso_graph_t *g, iso_kind_t kind, iso_id_t owner, const char *name,
                        uint64_t base, uint64_t size)
{
    if (kind == ISO_PARTITION || kind == ISO_VMM || (owner != ISO_NONE && !is_subject(g, owner))) {
        g->overflow = true;
        return ISO_NONE;
    }
    return add_entity(g, kind, owner, name, base, size);
}

void iso_set_parent(iso_graph_t *g, iso_id_t child, iso_id_t untyped)
{
    if (child >= g->n_entities || untyped >= g->n_entities || child == untyped ||
        g->entities[untyped].kind != ISO_UNTYPED) {
        g->overflow = true;
        return;
    }
    g->entities[child].parent = untyped;
}

iso_id_t iso_add_cap(iso_graph_t *g, iso_id_t holder, iso_id_t target, uint8_t rights)
{
    if (g->n_caps >= ISO_MAX_CAPS || !is_subject(g, holder) || target >= g->n_entities ||
        (rights & ~ISO_ALL) != 0) {
        g->overflow = true;
        return ISO_NONE;
    }
    g->caps[g->n_caps] = (iso_cap_t){ .holder = holder, .target = target, .rights = rights };
    return (iso_id_t)g->n_caps++;
}

iso_id_t iso_find(const iso_graph_t *g, const char *name)
{
    for (uint32_t i = 0; i < g->n_entities; i++)
        if (strncmp(g->entities[i].name, name, ISO_NAME_LEN) == 0)
            return (iso_id_t)i;
    return ISO_NONE;
}

static const char *const kind_names[ISO_NUM_KINDS] = {
    [ISO_PARTITION] = "partition",
    [ISO_VMM] = "vmm",
    [ISO_CNODE] = "cnode",
    [ISO_TCB] = "tcb",
    [ISO_PAGE_DIRECTORY] = "page-directory",
    [ISO_PAGE_TABLE] = "page-table",
    [ISO_FRAME] = "frame",
    [ISO_UNTYPED] = "untyped",
    [ISO_ENDPOINT] = "endpoint",
    [ISO_NOTIFICATION] = "notification",
    [ISO_ASID_POOL] = "asid-pool",
    [ISO_IO_PORTS] = "io-ports",
    [ISO_IRQ] = "irq",
    [ISO_DEVICE_MEMORY] = "device-memory",
    [ISO_ASID_CONTROL] = "asid-control",
    [ISO_IRQ_CONTROL] = "irq-control",
    [ISO_IO_PORT_CONTROL] = "io-port-control",
};

const char *iso_kind_name(iso_kind_t k)
{
    return (unsigned)k < ISO_NUM_KINDS ? kind_names[k] : "?";
}

const char *iso_rights_str(uint8_t rights, char *buf, size_t len)
{
    static const struct { uint8_t bit; const char *s; } names[] = {
        { ISO_R, "R" }, { ISO_W, "W" }, { ISO_G, "G" }, { ISO_GR, "GR" }, { ISO_C, "C" },
    };
    size_t at = 0;

    if (len == 0)
        return buf;
    buf[0] = '\0';
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        if (!(rights & names[i].bit))
            continue;
        size_t n = strlen(names[i].s) + (at > 0 ? 1 : 0);
        if (at + n + 1 > len)
            break;
        if (at > 0)
            buf[at++] = ' ';
        memcpy(buf + at, names[i].s, strlen(names[i].s));
        at += strlen(names[i].s);
        buf[at] = '\0';
    }
    if (at == 0 && len > 1) {
        buf[0] = '-';
        buf[1] = '\0';
    }
    return buf;
}
