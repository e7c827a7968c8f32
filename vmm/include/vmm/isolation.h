/*
 * The isolation analysis: the thesis' protection model (take-grant plus
 * create, Ch. 6, Theorems 1-3) made executable, with seL4's real rights
 * semantics and the physical bytes the model does not count
 * (../shared/design/partitioning.md, "The isolation check"; docs/isolation.md).
 *
 * A graph holds entities (partitions, the trusted VMM, kernel objects,
 * I/O port ranges, IRQ lines, device memory) and capabilities (holder ->
 * target, rights). iso_analyse() derives from it the relations between
 * partitions that matter: authority that can move (Grant), resources shared
 * or bytes overlapping (spatial), channels (full isolation) and devices.
 * Each relation names its witnesses (the capabilities and entities), so a
 * verdict that fails comes with the shortest chain of relations connecting
 * the two partitions, printable entity by entity.
 *
 * The VMM is trusted and connected to everyone: its own capabilities are
 * left out of the relations, and iso_analyse() checks separately that no
 * partition holds anything that would let it act as the VMM.
 *
 * Plain C, no system calls, no allocation: the caller owns the structures
 * (the VMM statically, tests and host tools wherever they like). Output goes
 * through a caller-supplied function. Builds freestanding (-m32, the VMM)
 * and natively (host tools, unit tests).
 *
 * Nothing is quadratic in the graph: entities are found by (kind, base,
 * size) through a hash index, overlapping ranges by a sweep over the
 * entities sorted by address, so the work is O((E + C) log E) plus the
 * overlapping pairs themselves. A graph that does not fit the capacities
 * below is refused as a whole (iso_report() names the limit), never
 * analysed in part.
 */
#ifndef VMM_ISOLATION_H
#define VMM_ISOLATION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Capacities: a graph lives in one caller-owned struct. Sized for the
 * live audit of the largest test configuration (two Linux guests: the
 * VMM's boot-module frames, each guest's initrd copies and file-system
 * frames, a mediated guest's processes) with room to spare, at what the
 * VMM can afford statically (about 6.5 MiB of its bss for graph and
 * analysis). */
#define ISO_MAX_ENTITIES    40960   /* one per frame, CNode, TCB, untyped... */
#define ISO_MAX_CAPS        131072
#define ISO_HASH_BITS       16      /* (kind, base, size) index: 2^16 buckets */
#define ISO_MAX_PARTITIONS  32      /* partitions plus the VMM */
#define ISO_MAX_RELATIONS   4096
#define ISO_MAX_FINDINGS    256
#define ISO_MAX_CHAIN       ISO_MAX_PARTITIONS
#define ISO_NAME_LEN        48      /* the VMM plan's names fit */

/* "No entity": an object nobody owns, a capability with no parent untyped. */
#define ISO_NONE            0xffffffffu

typedef uint32_t iso_id_t;

typedef enum iso_kind {
    ISO_PARTITION = 0,      /* a guest: the subject holding its CSpace's capabilities */
    ISO_VMM,                /* the trusted root task */
    ISO_CNODE,
    ISO_TCB,
    ISO_PAGE_DIRECTORY,
    ISO_PAGE_TABLE,
    ISO_FRAME,
    ISO_UNTYPED,
    ISO_ENDPOINT,
    ISO_NOTIFICATION,
    ISO_ASID_POOL,
    ISO_IO_PORTS,           /* base = first port, size = number of ports */
    ISO_IRQ,                /* base = line, size = 1 */
    ISO_DEVICE_MEMORY,      /* a device frame or device untyped: bytes not RAM */
    ISO_ASID_CONTROL,       /* authority the VMM alone may hold */
    ISO_IRQ_CONTROL,
    ISO_IO_PORT_CONTROL,
    ISO_NUM_KINDS,
} iso_kind_t;

/* Rights on a capability: seL4's four (Read, Write, Grant, GrantReply)
 * plus the thesis' Create, which on seL4 is holding an untyped. */
#define ISO_R   0x01u
#define ISO_W   0x02u
#define ISO_G   0x04u
#define ISO_GR  0x08u
#define ISO_C   0x10u
#define ISO_ALL (ISO_R | ISO_W | ISO_G | ISO_GR | ISO_C)

typedef struct iso_entity {
    uint64_t base;          /* physical address; first port; IRQ line */
    uint64_t size;          /* bytes; ports; 1 for an IRQ; 0: no range known */
    iso_id_t owner;         /* partition or VMM whose object this is, or ISO_NONE */
    iso_id_t parent;        /* untyped it was made from (derivation), or ISO_NONE */
    uint8_t kind;           /* iso_kind_t */
    char name[ISO_NAME_LEN];
} iso_entity_t;

typedef struct iso_cap {
    iso_id_t holder;        /* a partition or the VMM */
    iso_id_t target;
    uint8_t rights;         /* ISO_R ... ISO_C */
} iso_cap_t;

/* Why a graph or an analysis was refused (iso_report() says it). */
typedef enum iso_limit {
    ISO_LIMIT_NONE = 0,
    ISO_LIMIT_BAD_INPUT,    /* an add named a bad id, kind or rights */
    ISO_LIMIT_ENTITIES,     /* more than ISO_MAX_ENTITIES */
    ISO_LIMIT_CAPS,         /* more than ISO_MAX_CAPS */
    ISO_LIMIT_PARTITIONS,   /* more than ISO_MAX_PARTITIONS subjects */
    ISO_LIMIT_RELATIONS,    /* more than ISO_MAX_RELATIONS relations */
    ISO_LIMIT_FINDINGS,     /* more than ISO_MAX_FINDINGS findings */
    ISO_LIMIT_INCOMPLETE,   /* the caller could not read the whole state */
} iso_limit_t;

typedef struct iso_graph {
    uint32_t n_entities;
    uint32_t n_caps;
    iso_id_t vmm;           /* ISO_NONE if the graph has none */
    bool overflow;          /* an add did not fit: the analysis refuses the graph */
    iso_limit_t why;        /* the first reason it overflowed */
    iso_entity_t entities[ISO_MAX_ENTITIES];
    iso_cap_t caps[ISO_MAX_CAPS];
    /* Entities by (kind, base, size): bucket heads and chains (iso_lookup). */
    iso_id_t bucket[1u << ISO_HASH_BITS];
    iso_id_t next_same_hash[ISO_MAX_ENTITIES];
} iso_graph_t;

/* ---- building a graph ---------------------------------------------------- */

void iso_init(iso_graph_t *g);
iso_id_t iso_add_partition(iso_graph_t *g, const char *name);
iso_id_t iso_add_vmm(iso_graph_t *g, const char *name);
/* Any other kind; owner may be ISO_NONE. Returns ISO_NONE when full. */
iso_id_t iso_add_object(iso_graph_t *g, iso_kind_t kind, iso_id_t owner, const char *name,
                        uint64_t base, uint64_t size);
/* Record that `child` was retyped from (or is a child untyped of) `untyped`. */
void iso_set_parent(iso_graph_t *g, iso_id_t child, iso_id_t untyped);
/* A capability; returns its index or ISO_NONE (bad ids, holder not a
 * partition or the VMM, or full). */
iso_id_t iso_add_cap(iso_graph_t *g, iso_id_t holder, iso_id_t target, uint8_t rights);
/* One slot of the live state, as the kernel's CNode ReadSlots describes
 * it (CAPINFO_WORDS words, abi/capinfo.h), held by `holder` (the partition
 * or VMM whose CSpace it is in); vmm/isolation/from_slots.c. Returns 0,
 * 1 if the slot is left out (empty, reply, zombie, domain), -1 if full. */
int iso_add_slot(iso_graph_t *g, iso_id_t holder, const uint32_t *words);
/* First entity with this name, or ISO_NONE. */
iso_id_t iso_find(const iso_graph_t *g, const char *name);
/* First entity of this kind and range, or ISO_NONE: constant time on average. */
iso_id_t iso_lookup(const iso_graph_t *g, iso_kind_t kind, uint64_t base, uint64_t size);
/* Marks g refused (the first reason is kept): the caller found it
 * incomplete (ISO_LIMIT_INCOMPLETE) or too big. */
void iso_refuse(iso_graph_t *g, iso_limit_t why);
/* "more than 40960 entities (ISO_MAX_ENTITIES)" and the like. */
const char *iso_limit_str(iso_limit_t why, char *buf, size_t len);

const char *iso_kind_name(iso_kind_t k);
/* Builds g from the text description vmm/isolation/text.c documents
 * (vmm, partition, object and cap lines). Returns 0, or -1 with a message
 * naming the line in err (g is then marked overflowed). */
int iso_parse_text(iso_graph_t *g, const char *text, size_t len, char *err, size_t err_len);
/* "R W G GR C" style, written into buf (at least 16 bytes). */
const char *iso_rights_str(uint8_t rights, char *buf, size_t len);

/* ---- the analysis ------------------------------------------------------- */

/* What kind of connection a relation is: which verdicts it breaks. */
typedef enum iso_class {
    ISO_CLASS_GRANT = 0,    /* authority can move: breaks spatial partitioning */
    ISO_CLASS_SPATIAL,      /* shared untyped/ASID pool, overlapping bytes: breaks spatial */
    ISO_CLASS_CHANNEL,      /* endpoint, notification or shared memory: breaks full isolation */
    ISO_CLASS_DEVICE,       /* shared I/O ports, IRQ, device memory: breaks devices */
} iso_class_t;

typedef enum iso_rel {
    ISO_REL_CORE_OBJECT = 0,    /* p holds a cap (any rights) to q's CNode, TCB, PD or PT */
    ISO_REL_GRANT,              /* p holds Grant to q itself, or both hold Grant to one entity */
    ISO_REL_EP_CLIENT_GRANT,    /* p sends on an endpoint q receives on, p holds Grant */
    ISO_REL_EP_REPLY_GRANT,     /* p calls with GrantReply, the server q holds Grant */
    ISO_REL_SHARED_UNTYPED,
    ISO_REL_SHARED_ASID_POOL,
    ISO_REL_OVERLAP,            /* p's entity x and q's entity y share bytes */
    ISO_REL_ANCESTOR,           /* p holds an untyped x that is an ancestor of q's y */
    ISO_REL_EP_CHANNEL,         /* p can send, q can receive on endpoint x */
    ISO_REL_NTFN_CHANNEL,       /* p can signal, q can wait on notification x */
    ISO_REL_SHARED_FRAME,       /* p and q both map frame x, one of them writes */
    ISO_REL_SHARED_MEMORY,      /* p's frame x and q's frame y overlap, one writes */
    ISO_REL_SHARED_IO_PORTS,
    ISO_REL_SHARED_IRQ,
    ISO_REL_SHARED_DEVICE_MEMORY,
    ISO_NUM_RELS,
} iso_rel_t;

/* p and q are partitions; x (and y) the entities the relation goes
 * through; cp/cq the capabilities of p and q on them, ISO_NONE where the
 * link is ownership rather than a capability. */
typedef struct iso_relation {
    iso_rel_t rel;
    iso_class_t cls;
    iso_id_t p, q;
    iso_id_t x, y;
    iso_id_t cp, cq;
} iso_relation_t;

/* Per-partition findings: the VMM check and DMA. */
typedef enum iso_finding_kind {
    ISO_FIND_VMM_CORE_OBJECT = 0,   /* a cap to the VMM's CNode, TCB, PD or PT */
    ISO_FIND_VMM_ENDPOINT_GRANT,    /* Grant on a cap to the VMM's endpoint */
    ISO_FIND_VMM_ENDPOINT_RECEIVE,  /* can receive on the VMM's endpoint: could serve as the VMM */
    ISO_FIND_CONTROL_CAP,           /* ASID, IRQ or I/O port control */
    ISO_FIND_VMM_MEMORY,            /* bytes overlapping the VMM's own objects */
    ISO_FIND_DMA_PORTS,             /* I/O ports that reach DMA (or the PIC, PIT) */
    ISO_NUM_FINDINGS,
} iso_finding_kind_t;

typedef struct iso_finding {
    iso_finding_kind_t kind;
    iso_id_t partition;
    iso_id_t x;             /* the entity it concerns */
    iso_id_t cap;           /* the capability, or ISO_NONE (ownership) */
} iso_finding_t;

typedef struct iso_analysis {
    uint32_t n_relations;
    uint32_t n_findings;
    bool overflow;          /* relations or findings did not fit: verdicts are refused */
    iso_limit_t why;        /* the first reason, the graph's if it was refused */
    iso_relation_t relations[ISO_MAX_RELATIONS];
    iso_finding_t findings[ISO_MAX_FINDINGS];
    /* Scratch. One relation per (kind, p, q) is kept: the one an entity by
     * entity, pair by pair scan in id order would find first; order[] says
     * where in that scan each was found, so the result does not depend on
     * the order the sweep finds overlaps in. */
    uint16_t seen[ISO_NUM_RELS][ISO_MAX_PARTITIONS][ISO_MAX_PARTITIONS];  /* index + 1 */
    uint64_t rel_order[ISO_MAX_RELATIONS];
    uint64_t finding_order[ISO_MAX_FINDINGS];
    uint64_t at;            /* the scan position being analysed */
    iso_id_t subject_index[ISO_MAX_ENTITIES];   /* entity -> 0..ISO_MAX_PARTITIONS-1 */
    iso_id_t first_cap[ISO_MAX_ENTITIES];       /* capabilities on each entity, listed */
    iso_id_t next_cap[ISO_MAX_CAPS];
    iso_id_t by_address[ISO_MAX_ENTITIES];      /* ranged entities, by space and base */
    iso_id_t active[ISO_MAX_ENTITIES];          /* the sweep's open ranges */
} iso_analysis_t;

/* Returns 0, or -1 if the graph overflowed or the analysis did not fit
 * (nothing about such a graph may be concluded). */
int iso_analyse(const iso_graph_t *g, iso_analysis_t *a);

/* Which verdicts a chain is for. */
typedef enum iso_level {
    ISO_LEVEL_SPATIAL = 0,
    ISO_LEVEL_FULL,
    ISO_LEVEL_DEVICES,
    ISO_NUM_LEVELS,
} iso_level_t;

/* A chain: relations, in order, leading from partition `from` to `to`. */
typedef struct iso_chain {
    uint32_t n;                         /* 0: none (isolated at this level) */
    iso_id_t from, to;
    uint16_t rel[ISO_MAX_CHAIN];        /* indexes into iso_analysis_t.relations */
} iso_chain_t;

typedef struct iso_verdict {
    bool spatial;           /* spatially partitioned */
    bool full;              /* fully isolated (implies spatial) */
    bool devices;           /* devices clean */
    iso_chain_t chain[ISO_NUM_LEVELS];  /* for each false verdict, the shortest chain */
} iso_verdict_t;

/* The verdicts for partitions a and b (a != b, both ISO_PARTITION). */
void iso_pair(const iso_graph_t *g, const iso_analysis_t *a, iso_id_t p, iso_id_t q,
              iso_verdict_t *v);
/* Is partition p free of VMM and DMA findings? */
bool iso_partition_clean(const iso_analysis_t *a, iso_id_t p);

/* ---- printing ------------------------------------------------------------ */

typedef void iso_emit_fn(void *ctx, const char *text);

/* One relation, entity by entity, e.g.
 *   web --[W GR]--> endpoint ep0 <--[R G]-- db  (server holds Grant)
 * written left to right from `from` (p or q of the relation). */
size_t iso_format_relation(const iso_graph_t *g, const iso_relation_t *r, iso_id_t from,
                           char *buf, size_t len);
/* A chain, one relation per line. */
void iso_print_chain(const iso_graph_t *g, const iso_analysis_t *a, const iso_chain_t *c,
                     iso_emit_fn *emit, void *ctx);
/* Every finding, then every pair of partitions: verdicts and chains.
 * Returns the number of findings plus the pairs that are not spatially
 * partitioned or whose devices are not clean: what a configuration must
 * not have. Channels (full isolation broken) are printed, not counted:
 * the user asked for them. */
unsigned iso_report(const iso_graph_t *g, const iso_analysis_t *a, iso_emit_fn *emit,
                    void *ctx);

/* True if I/O ports [first, first + count) touch a port that reaches DMA
 * or the PIC/PIT (ISA DMA 0x00-0x1F, 0x80-0x8F, 0xC0-0xDF; PCI
 * configuration 0xCF8-0xCFF; PIC 0x20-0x21, 0xA0-0xA1; PIT 0x40-0x43). */
bool iso_ports_reach_dma(uint64_t first, uint64_t count);

#endif
