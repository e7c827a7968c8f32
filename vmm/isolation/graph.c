/*
 * Building an isolation graph (vmm/include/vmm/isolation.h).
 *
 * Entities are numbered in the order they are added; a capability is a
 * holder (a partition or the VMM: the subjects of the model), a target and
 * a set of rights. Every add checks its arguments and refuses what does not
 * fit by returning ISO_NONE and marking the graph overflowed (with the
 * reason, for the message), so that a graph that lost a capability can
 * never pass the analysis. Every entity is also chained into a hash index
 * on (kind, base, size), so the live audit finds the entity a slot names
 * without a scan.
 */
#include <vmm/isolation.h>
#include <stdio.h>
#include <string.h>

void iso_init(iso_graph_t *g)
{
    g->n_entities = 0;
    g->n_caps = 0;
    g->vmm = ISO_NONE;
    g->overflow = false;
    g->why = ISO_LIMIT_NONE;
    for (uint32_t i = 0; i < (1u << ISO_HASH_BITS); i++)
        g->bucket[i] = ISO_NONE;
}

void iso_refuse(iso_graph_t *g, iso_limit_t why)
{
    if (!g->overflow)
        g->why = why;
    g->overflow = true;
}

/* Fibonacci hashing of the three fields, folded to ISO_HASH_BITS. */
static uint32_t hash_of(iso_kind_t kind, uint64_t base, uint64_t size)
{
    uint64_t h = (base ^ (size << 20) ^ ((uint64_t)kind << 56)) * 0x9e3779b97f4a7c15ull;

    return (uint32_t)(h >> (64 - ISO_HASH_BITS));
}

iso_id_t iso_lookup(const iso_graph_t *g, iso_kind_t kind, uint64_t base, uint64_t size)
{
    iso_id_t first = ISO_NONE;

    for (iso_id_t i = g->bucket[hash_of(kind, base, size)]; i != ISO_NONE;
         i = g->next_same_hash[i]) {
        const iso_entity_t *e = &g->entities[i];
        if (e->kind == kind && e->base == base && e->size == size)
            first = i;      /* chains run newest first: keep going to the oldest */
    }
    return first;
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
    if (g->n_entities >= ISO_MAX_ENTITIES) {
        iso_refuse(g, ISO_LIMIT_ENTITIES);
        return ISO_NONE;
    }
    if ((unsigned)kind >= ISO_NUM_KINDS || (owner != ISO_NONE && owner >= g->n_entities)) {
        iso_refuse(g, ISO_LIMIT_BAD_INPUT);
        return ISO_NONE;
    }
    iso_id_t id = g->n_entities++;
    iso_entity_t *e = &g->entities[id];
    uint32_t h = hash_of(kind, base, size);
    e->kind = (uint8_t)kind;
    e->owner = owner;
    e->parent = ISO_NONE;
    e->base = base;
    e->size = size;
    copy_name(e->name, name);
    g->next_same_hash[id] = g->bucket[h];
    g->bucket[h] = id;
    return id;
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
        iso_refuse(g, ISO_LIMIT_PARTITIONS);
        return ISO_NONE;
    }
    return add_entity(g, ISO_PARTITION, ISO_NONE, name, 0, 0);
}

iso_id_t iso_add_vmm(iso_graph_t *g, const char *name)
{
    if (g->vmm != ISO_NONE || count_subjects(g) >= ISO_MAX_PARTITIONS) {
        iso_refuse(g, g->vmm != ISO_NONE ? ISO_LIMIT_BAD_INPUT : ISO_LIMIT_PARTITIONS);
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
        iso_refuse(g, ISO_LIMIT_BAD_INPUT);
        return ISO_NONE;
    }
    return add_entity(g, kind, owner, name, base, size);
}

void iso_set_parent(iso_graph_t *g, iso_id_t child, iso_id_t untyped)
{
    if (child >= g->n_entities || untyped >= g->n_entities || child == untyped ||
        g->entities[untyped].kind != ISO_UNTYPED) {
        iso_refuse(g, ISO_LIMIT_BAD_INPUT);
        return;
    }
    g->entities[child].parent = untyped;
}

iso_id_t iso_add_cap(iso_graph_t *g, iso_id_t holder, iso_id_t target, uint8_t rights)
{
    if (!is_subject(g, holder) || target >= g->n_entities || (rights & ~ISO_ALL) != 0) {
        iso_refuse(g, ISO_LIMIT_BAD_INPUT);
        return ISO_NONE;
    }
    if (g->n_caps >= ISO_MAX_CAPS) {
        iso_refuse(g, ISO_LIMIT_CAPS);
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

const char *iso_limit_str(iso_limit_t why, char *buf, size_t len)
{
    static const struct { const char *what; const char *macro; unsigned max; } limits[] = {
        [ISO_LIMIT_ENTITIES] = { "entities", "ISO_MAX_ENTITIES", ISO_MAX_ENTITIES },
        [ISO_LIMIT_CAPS] = { "capabilities", "ISO_MAX_CAPS", ISO_MAX_CAPS },
        [ISO_LIMIT_PARTITIONS] = { "partitions and VMM", "ISO_MAX_PARTITIONS",
                                   ISO_MAX_PARTITIONS },
        [ISO_LIMIT_RELATIONS] = { "relations", "ISO_MAX_RELATIONS", ISO_MAX_RELATIONS },
        [ISO_LIMIT_FINDINGS] = { "findings", "ISO_MAX_FINDINGS", ISO_MAX_FINDINGS },
    };

    if (len == 0)
        return buf;
    if (why == ISO_LIMIT_BAD_INPUT)
        snprintf(buf, len, "a bad entity, kind or rights was added");
    else if (why == ISO_LIMIT_INCOMPLETE)
        snprintf(buf, len, "the capability state could not be read whole");
    else if ((unsigned)why < sizeof(limits) / sizeof(limits[0]) && limits[why].what != NULL)
        snprintf(buf, len, "more than %u %s (%s)", limits[why].max, limits[why].what,
                 limits[why].macro);
    else
        snprintf(buf, len, "no limit reached");
    return buf;
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
