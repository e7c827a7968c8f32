/*
 * From the live capability state to an isolation graph: one slot at a
 * time, as the kernel's ReadSlots extension describes it (abi/capinfo.h).
 * The VMM's audit reads every guest's CSpace and its own, and feeds each
 * non-empty slot here with the partition (or the VMM) whose CSpace it is.
 *
 * Entities are found by what they are, not by where the capability sits:
 * two capabilities to the same frame (same type and physical address)
 * name one entity; I/O ports by their range, IRQ handlers by their line,
 * control capabilities by their kind (the graph's hash index finds them, so
 * a slot costs the same however many came before). The untyped an object descends from
 * becomes (or is found as) an untyped entity with its range, and the
 * object's parent. Live entities have no owner: who holds them is what the
 * analysis looks at.
 *
 * Left out: reply capabilities (they exist between a Call and its Reply;
 * a reply carrying Grant is already an endpoint relation), zombies (being
 * deleted), the domain capability (one scheduling domain).
 */
#include <vmm/isolation.h>
#include <abi/capinfo.h>
#include <abi/msginfo.h>
#include <stdio.h>

typedef struct slot {
    uint32_t type, size_bits, rights, flags, data, paddr, anc_paddr, anc_bits;
} slot_t;

static slot_t unpack(const uint32_t *w)
{
    uint32_t info = w[CAPINFO_W_INFO];

    return (slot_t){
        .type = info & CAPINFO_TYPE_MASK,
        .size_bits = (info >> CAPINFO_SIZE_SHIFT) & CAPINFO_SIZE_MASK,
        .rights = (info >> CAPINFO_RIGHTS_SHIFT) & CAPINFO_RIGHTS_MASK,
        .flags = info,
        .data = w[CAPINFO_W_DATA],
        .paddr = w[CAPINFO_W_PADDR],
        .anc_paddr = w[CAPINFO_W_ANC_PADDR],
        .anc_bits = w[CAPINFO_W_ANC_SIZE] & CAPINFO_ANC_SIZE_MASK,
    };
}

/* seL4 rights bits (Write 1, Read 2, Grant 4, GrantReply 8) to ours. */
static uint8_t rights_of(uint32_t sel4)
{
    return (uint8_t)(((sel4 & RIGHT_WRITE) ? ISO_W : 0) | ((sel4 & RIGHT_READ) ? ISO_R : 0) |
                     ((sel4 & RIGHT_GRANT) ? ISO_G : 0) |
                     ((sel4 & RIGHT_GRANT_REPLY) ? ISO_GR : 0));
}

static iso_kind_t kind_of(const slot_t *s)
{
    switch (s->type) {
    case CAPINFO_TYPE_UNTYPED: return ISO_UNTYPED;
    case CAPINFO_TYPE_TCB: return ISO_TCB;
    case CAPINFO_TYPE_ENDPOINT: return ISO_ENDPOINT;
    case CAPINFO_TYPE_NOTIFICATION: return ISO_NOTIFICATION;
    case CAPINFO_TYPE_CNODE: return ISO_CNODE;
    case CAPINFO_TYPE_FRAME:
        return (s->flags & CAPINFO_DEVICE) ? ISO_DEVICE_MEMORY : ISO_FRAME;
    case CAPINFO_TYPE_PAGE_TABLE: return ISO_PAGE_TABLE;
    case CAPINFO_TYPE_PAGE_DIRECTORY: return ISO_PAGE_DIRECTORY;
    case CAPINFO_TYPE_ASID_POOL: return ISO_ASID_POOL;
    case CAPINFO_TYPE_ASID_CONTROL: return ISO_ASID_CONTROL;
    case CAPINFO_TYPE_IRQ_CONTROL: return ISO_IRQ_CONTROL;
    case CAPINFO_TYPE_IRQ_HANDLER: return ISO_IRQ;
    case CAPINFO_TYPE_IO_PORT_CONTROL: return ISO_IO_PORT_CONTROL;
    case CAPINFO_TYPE_IO_PORT: return ISO_IO_PORTS;
    default: return ISO_NUM_KINDS;      /* null, reply, domain, zombie: left out */
    }
}

/* The entity's range: bytes, ports or the IRQ line. */
static void range_of(const slot_t *s, iso_kind_t k, uint64_t *base, uint64_t *size)
{
    if (k == ISO_IO_PORTS) {
        uint32_t first = s->data & CAPINFO_PORT_MASK;
        uint32_t last = (s->data >> CAPINFO_PORT_LAST_SHIFT) & CAPINFO_PORT_MASK;
        *base = first;
        *size = last >= first ? (uint64_t)last - first + 1 : 0;
    } else if (k == ISO_IRQ) {
        *base = s->data;
        *size = 1;
    } else {
        *base = s->paddr;
        *size = s->size_bits != 0 ? (uint64_t)1 << s->size_bits : 0;
    }
}

static iso_id_t find_or_add(iso_graph_t *g, iso_kind_t k, uint64_t base, uint64_t size)
{
    char name[ISO_NAME_LEN];
    iso_id_t found = iso_lookup(g, k, base, size);

    if (found != ISO_NONE)
        return found;
    if (k == ISO_IO_PORTS || k == ISO_IRQ)
        snprintf(name, sizeof(name), "%s@%llu", iso_kind_name(k), (unsigned long long)base);
    else if (size != 0)
        snprintf(name, sizeof(name), "%s@0x%llx", iso_kind_name(k), (unsigned long long)base);
    else
        snprintf(name, sizeof(name), "%s", iso_kind_name(k));
    return iso_add_object(g, k, ISO_NONE, name, base, size);
}

int iso_add_slot(iso_graph_t *g, iso_id_t holder, const uint32_t *words)
{
    slot_t s = unpack(words);
    iso_kind_t k = kind_of(&s);
    uint64_t base, size;

    if (k == ISO_NUM_KINDS)
        return 1;
    range_of(&s, k, &base, &size);
    iso_id_t x = find_or_add(g, k, base, size);
    if (x == ISO_NONE)
        return -1;
    if ((s.flags & CAPINFO_ANC_FOUND) && g->entities[x].parent == ISO_NONE) {
        iso_id_t u = find_or_add(g, ISO_UNTYPED, s.anc_paddr, (uint64_t)1 << s.anc_bits);
        if (u == ISO_NONE)
            return -1;
        if (u != x)
            iso_set_parent(g, x, u);
    }
    uint8_t rights = rights_of(s.rights);
    if (k == ISO_UNTYPED)
        rights |= ISO_C;
    return iso_add_cap(g, holder, x, rights) == ISO_NONE ? -1 : 0;
}
