/* unit-test-sources: vmm/isolation/graph.c vmm/isolation/relations.c vmm/isolation/verdict.c tests/unit/vmm/iso_fixture.c */
/*
 * The isolation analysis on hand-made graphs: the thesis' rule that Grant
 * connects and Create does not (Theorem 1), relaying through a third
 * partition, seL4's endpoint rights (Grant on the client, GrantReply against
 * a server's Grant), shared untypeds, ASID pools and frames, overlapping
 * bytes and ancestor untypeds, devices and DMA ports, the VMM removed from
 * the graph and checked on its own, and the chains printed for each.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "iso_fixture.h"

static iso_verdict_t verdict(fixture_t *f, iso_id_t p, iso_id_t q)
{
    iso_verdict_t v;

    assert_int_equal(iso_analyse(&f->g, &f->a), 0);
    iso_pair(&f->g, &f->a, p, q, &v);
    return v;
}

static const iso_relation_t *chain_rel(fixture_t *f, const iso_verdict_t *v, iso_level_t l,
                                       uint32_t i)
{
    assert_true(i < v->chain[l].n);
    return &f->a.relations[v->chain[l].rel[i]];
}

/* Each partition's own objects: nothing shared, everything isolated. */
static void own_objects(fixture_t *f, iso_id_t p, uint64_t base)
{
    char name[ISO_NAME_LEN + 8];
    const char *pn = f->g.entities[p].name;

    snprintf(name, sizeof(name), "%s-ut", pn);
    iso_id_t ut = obj(f, ISO_UNTYPED, p, name, base, 0x100000);
    cap(f, p, ut, ISO_C);
    snprintf(name, sizeof(name), "%s-cnode", pn);
    iso_id_t cn = obj(f, ISO_CNODE, p, name, base, 0x4000);
    iso_set_parent(&f->g, cn, ut);
    cap(f, p, cn, ISO_ALL);
    snprintf(name, sizeof(name), "%s-tcb", pn);
    iso_id_t tcb = obj(f, ISO_TCB, p, name, base + 0x4000, 0x800);
    iso_set_parent(&f->g, tcb, ut);
    cap(f, p, tcb, ISO_ALL);
    snprintf(name, sizeof(name), "%s-frame", pn);
    iso_id_t fr = obj(f, ISO_FRAME, p, name, base + 0x10000, 0x1000);
    iso_set_parent(&f->g, fr, ut);
    cap(f, p, fr, ISO_R | ISO_W);
}

static void isolated_partitions_pass(void **state)
{
    fixture_t *f = *state;

    own_objects(f, f->web, 0x1000000);
    own_objects(f, f->db, 0x2000000);
    iso_verdict_t v = verdict(f, f->web, f->db);
    assert_true(v.spatial);
    assert_true(v.full);
    assert_true(v.devices);
    assert_int_equal(f->a.n_relations, 0);
    assert_true(iso_partition_clean(&f->a, f->web));
    assert_int_equal(iso_report(&f->g, &f->a, collect, f), 0);
    assert_non_null(strstr(f->out, "web / db: spatial yes, full yes, devices yes\n"));
}

/* Theorem 1: a Grant edge between the two connects them. */
static void thesis_grant_edge_connects(void **state)
{
    fixture_t *f = *state;

    cap(f, f->web, f->db, ISO_G);
    iso_verdict_t v = verdict(f, f->web, f->db);
    assert_false(v.spatial);
    assert_false(v.full);
    assert_int_equal(v.chain[ISO_LEVEL_SPATIAL].n, 1);
    assert_int_equal(chain_rel(f, &v, ISO_LEVEL_SPATIAL, 0)->rel, ISO_REL_GRANT);
    /* Undirected: the verdict is the same seen from the other side. */
    iso_pair(&f->g, &f->a, f->db, f->web, &v);
    assert_false(v.spatial);
}

/* ... and a Create edge does not (nor do Read and Write on the subject). */
static void thesis_create_does_not_connect(void **state)
{
    fixture_t *f = *state;

    cap(f, f->web, f->db, ISO_C);
    cap(f, f->db, f->web, ISO_C);
    iso_id_t ut = obj(f, ISO_UNTYPED, f->web, "web-ut", 0x1000000, 0x10000);
    cap(f, f->web, ut, ISO_C);
    iso_verdict_t v = verdict(f, f->web, f->db);
    assert_true(v.spatial);
    assert_true(v.full);
    assert_int_equal(f->a.n_relations, 0);
}

/* Both hold Grant on one entity: connected through it (undirected graph). */
static void thesis_grant_through_shared_entity(void **state)
{
    fixture_t *f = *state;
    iso_id_t x = obj(f, ISO_NOTIFICATION, ISO_NONE, "x", 0x5000000, 16);

    cap(f, f->web, x, ISO_G);
    cap(f, f->db, x, ISO_G);
    iso_verdict_t v = verdict(f, f->web, f->db);
    assert_false(v.spatial);
    assert_int_equal(chain_rel(f, &v, ISO_LEVEL_SPATIAL, 0)->rel, ISO_REL_GRANT);
}

/* web -G- log -G- db: Grant-connected through log, chain of two. */
static void grant_chain_through_third_partition(void **state)
{
    fixture_t *f = *state;

    cap(f, f->web, f->log, ISO_G);
    cap(f, f->log, f->db, ISO_G);
    iso_verdict_t v = verdict(f, f->web, f->db);
    assert_false(v.spatial);
    assert_int_equal(v.chain[ISO_LEVEL_SPATIAL].n, 2);
    assert_int_equal(chain_rel(f, &v, ISO_LEVEL_SPATIAL, 0)->q, f->log);
    assert_int_equal(chain_rel(f, &v, ISO_LEVEL_SPATIAL, 1)->p, f->log);
}

/* web and db each share an untyped with log, nothing with each other:
 * log cannot pass either untyped on (no Grant), so web/db stay partitioned. */
static void shared_untypeds_do_not_relay(void **state)
{
    fixture_t *f = *state;
    iso_id_t u1 = obj(f, ISO_UNTYPED, ISO_NONE, "u1", 0x1000000, 0x10000);
    iso_id_t u2 = obj(f, ISO_UNTYPED, ISO_NONE, "u2", 0x2000000, 0x10000);

    cap(f, f->web, u1, ISO_C);
    cap(f, f->log, u1, ISO_C);
    cap(f, f->log, u2, ISO_C);
    cap(f, f->db, u2, ISO_C);
    iso_verdict_t v = verdict(f, f->web, f->db);
    assert_true(v.spatial);
    iso_pair(&f->g, &f->a, f->web, f->log, &v);
    assert_false(v.spatial);
    /* With a Grant from log to db, log can pass u1 on: connected, via log. */
    cap(f, f->log, f->db, ISO_G);
    v = verdict(f, f->web, f->db);
    assert_false(v.spatial);
    assert_int_equal(v.chain[ISO_LEVEL_SPATIAL].n, 2);
    assert_int_equal(chain_rel(f, &v, ISO_LEVEL_SPATIAL, 0)->rel, ISO_REL_SHARED_UNTYPED);
    assert_int_equal(chain_rel(f, &v, ISO_LEVEL_SPATIAL, 1)->rel, ISO_REL_GRANT);
}

static void shared_untyped_breaks_spatial(void **state)
{
    fixture_t *f = *state;
    iso_id_t u = obj(f, ISO_UNTYPED, f->web, "web-ut", 0x1000000, 0x10000);

    cap(f, f->db, u, ISO_C);
    iso_verdict_t v = verdict(f, f->web, f->db);
    assert_false(v.spatial);
    assert_false(v.full);
    assert_true(v.devices);
    const iso_relation_t *r = chain_rel(f, &v, ISO_LEVEL_SPATIAL, 0);
    assert_int_equal(r->rel, ISO_REL_SHARED_UNTYPED);
    assert_int_equal(r->x, u);
}

static void shared_asid_pool_breaks_spatial(void **state)
{
    fixture_t *f = *state;
    iso_id_t pool = obj(f, ISO_ASID_POOL, ISO_NONE, "pool1", 0x3000000, 0x1000);

    cap(f, f->web, pool, ISO_R | ISO_W);
    cap(f, f->db, pool, ISO_R | ISO_W);
    iso_verdict_t v = verdict(f, f->web, f->db);
    assert_false(v.spatial);
    assert_int_equal(chain_rel(f, &v, ISO_LEVEL_SPATIAL, 0)->rel, ISO_REL_SHARED_ASID_POOL);
}

/* A shared frame is a channel: spatially partitioned, not fully isolated;
 * read-only on both sides carries nothing. */
static void shared_frame_is_a_channel(void **state)
{
    fixture_t *f = *state;
    iso_id_t fr = obj(f, ISO_FRAME, ISO_NONE, "ch0", 0x4000000, 0x1000);

    cap(f, f->web, fr, ISO_R);
    cap(f, f->db, fr, ISO_R);
    iso_verdict_t v = verdict(f, f->web, f->db);
    assert_true(v.full);
    cap(f, f->web, fr, ISO_R | ISO_W);
    v = verdict(f, f->web, f->db);
    assert_true(v.spatial);
    assert_false(v.full);
    assert_int_equal(chain_rel(f, &v, ISO_LEVEL_FULL, 0)->rel, ISO_REL_SHARED_FRAME);
}

/* Distinct entities sharing bytes: a frame of web's over db's TCB. */
static void overlapping_bytes_break_spatial(void **state)
{
    fixture_t *f = *state;
    iso_id_t tcb = obj(f, ISO_TCB, f->db, "db-tcb", 0x2000800, 0x800);
    iso_id_t fr = obj(f, ISO_FRAME, ISO_NONE, "stray", 0x2000000, 0x1000);

    cap(f, f->db, tcb, ISO_ALL);
    cap(f, f->web, fr, ISO_R | ISO_W);
    iso_verdict_t v = verdict(f, f->web, f->db);
    assert_false(v.spatial);
    const iso_relation_t *r = chain_rel(f, &v, ISO_LEVEL_SPATIAL, 0);
    assert_int_equal(r->rel, ISO_REL_OVERLAP);
    /* One byte apart is disjoint. */
    f->g.entities[fr].base = 0x2000800 - 0x1000;
    v = verdict(f, f->web, f->db);
    assert_true(v.spatial);
    assert_true(v.full);
}

/* Two frame objects over the same bytes: shared memory (a channel). */
static void overlapping_frames_are_shared_memory(void **state)
{
    fixture_t *f = *state;
    iso_id_t a = obj(f, ISO_FRAME, f->web, "web-f", 0x4000000, 0x400000);
    iso_id_t b = obj(f, ISO_FRAME, f->db, "db-f", 0x4010000, 0x1000);

    cap(f, f->web, a, ISO_R | ISO_W);
    cap(f, f->db, b, ISO_R);
    iso_verdict_t v = verdict(f, f->web, f->db);
    assert_true(v.spatial);
    assert_false(v.full);
    assert_int_equal(chain_rel(f, &v, ISO_LEVEL_FULL, 0)->rel, ISO_REL_SHARED_MEMORY);
}

/* web holds the untyped db's frame was carved from. */
static void ancestor_untyped_breaks_spatial(void **state)
{
    fixture_t *f = *state;
    iso_id_t big = obj(f, ISO_UNTYPED, f->web, "web-ut", 0x1000000, 0x1000000);
    iso_id_t child = obj(f, ISO_UNTYPED, f->db, "db-ut", 0x1800000, 0x100000);
    iso_id_t fr = obj(f, ISO_FRAME, f->db, "db-f", 0x1800000, 0x1000);

    iso_set_parent(&f->g, child, big);
    iso_set_parent(&f->g, fr, child);
    cap(f, f->web, big, ISO_C);
    cap(f, f->db, child, ISO_C);
    cap(f, f->db, fr, ISO_R | ISO_W);
    iso_verdict_t v = verdict(f, f->web, f->db);
    assert_false(v.spatial);
    const iso_relation_t *r = chain_rel(f, &v, ISO_LEVEL_SPATIAL, 0);
    assert_int_equal(r->rel, ISO_REL_ANCESTOR);
    assert_int_equal(r->p, f->web);
    assert_int_equal(r->x, big);
}

static void core_object_any_rights(void **state)
{
    fixture_t *f = *state;
    iso_id_t cn = obj(f, ISO_CNODE, f->db, "db-cnode", 0x2000000, 0x4000);

    cap(f, f->web, cn, ISO_R);      /* rights are not checked on CNode invocations */
    iso_verdict_t v = verdict(f, f->web, f->db);
    assert_false(v.spatial);
    const iso_relation_t *r = chain_rel(f, &v, ISO_LEVEL_SPATIAL, 0);
    assert_int_equal(r->rel, ISO_REL_CORE_OBJECT);
    /* db's side is ownership, web's the capability */
    assert_int_equal(r->p == f->db ? r->cp : r->cq, ISO_NONE);
    assert_int_not_equal(r->p == f->web ? r->cp : r->cq, ISO_NONE);
}

/* A channel with Grant on the client lets it send capabilities. */
static void endpoint_client_grant(void **state)
{
    fixture_t *f = *state;
    iso_id_t ep = obj(f, ISO_ENDPOINT, f->db, "ep0", 0x2000100, 16);

    cap(f, f->web, ep, ISO_W | ISO_G);
    cap(f, f->db, ep, ISO_R);
    iso_verdict_t v = verdict(f, f->web, f->db);
    assert_false(v.spatial);
    assert_int_equal(chain_rel(f, &v, ISO_LEVEL_SPATIAL, 0)->rel, ISO_REL_EP_CLIENT_GRANT);
}

/* GrantReply alone is a channel; against a server's Grant it connects. */
static void endpoint_grant_reply_vs_grant(void **state)
{
    fixture_t *f = *state;
    iso_id_t ep = obj(f, ISO_ENDPOINT, f->db, "ep0", 0x2000100, 16);

    cap(f, f->web, ep, ISO_W | ISO_GR);
    iso_id_t server = cap(f, f->db, ep, ISO_R);
    iso_verdict_t v = verdict(f, f->web, f->db);
    assert_true(v.spatial);
    assert_false(v.full);
    assert_int_equal(chain_rel(f, &v, ISO_LEVEL_FULL, 0)->rel, ISO_REL_EP_CHANNEL);
    f->g.caps[server].rights = ISO_R | ISO_G;
    v = verdict(f, f->web, f->db);
    assert_false(v.spatial);
    assert_int_equal(chain_rel(f, &v, ISO_LEVEL_SPATIAL, 0)->rel, ISO_REL_EP_REPLY_GRANT);
    /* A server's Grant against a caller without GrantReply: a channel only. */
    f->g.caps[server - 1].rights = ISO_W;
    v = verdict(f, f->web, f->db);
    assert_true(v.spatial);
    assert_false(v.full);
}

/* Two senders and no receiver between them: no channel at all. */
static void endpoint_two_clients_no_channel(void **state)
{
    fixture_t *f = *state;
    iso_id_t ep = obj(f, ISO_ENDPOINT, ISO_NONE, "ep0", 0x2000100, 16);

    cap(f, f->web, ep, ISO_W | ISO_G);
    cap(f, f->db, ep, ISO_W | ISO_G);
    iso_verdict_t v = verdict(f, f->web, f->db);
    assert_true(v.full);
}

static void notification_channel(void **state)
{
    fixture_t *f = *state;
    iso_id_t n = obj(f, ISO_NOTIFICATION, ISO_NONE, "n0", 0x2000200, 16);

    cap(f, f->web, n, ISO_W);
    cap(f, f->db, n, ISO_R);
    iso_verdict_t v = verdict(f, f->web, f->db);
    assert_true(v.spatial);
    assert_false(v.full);
    assert_int_equal(chain_rel(f, &v, ISO_LEVEL_FULL, 0)->rel, ISO_REL_NTFN_CHANNEL);
}

/* Channels relay data through a third partition (full isolation only). */
static void channels_relay_through_third_partition(void **state)
{
    fixture_t *f = *state;
    iso_id_t n1 = obj(f, ISO_NOTIFICATION, ISO_NONE, "n1", 0x2000200, 16);
    iso_id_t n2 = obj(f, ISO_NOTIFICATION, ISO_NONE, "n2", 0x2000210, 16);

    cap(f, f->web, n1, ISO_W);
    cap(f, f->log, n1, ISO_R);
    cap(f, f->log, n2, ISO_W);
    cap(f, f->db, n2, ISO_R);
    iso_verdict_t v = verdict(f, f->web, f->db);
    assert_true(v.spatial);
    assert_false(v.full);
    assert_int_equal(v.chain[ISO_LEVEL_FULL].n, 2);
}

static void shared_ports_and_irqs(void **state)
{
    fixture_t *f = *state;
    iso_id_t com2 = obj(f, ISO_IO_PORTS, f->web, "com2", 0x2f8, 8);
    iso_id_t com2b = obj(f, ISO_IO_PORTS, f->db, "com2-hi", 0x2fc, 2);
    iso_id_t irq3 = obj(f, ISO_IRQ, f->log, "irq3", 3, 1);

    (void)com2;
    (void)com2b;
    iso_verdict_t v = verdict(f, f->web, f->db);
    assert_true(v.full);
    assert_false(v.devices);
    assert_int_equal(chain_rel(f, &v, ISO_LEVEL_DEVICES, 0)->rel, ISO_REL_SHARED_IO_PORTS);
    cap(f, f->db, irq3, ISO_R | ISO_W);
    iso_pair(&f->g, &f->a, f->db, f->log, &v);
    assert_true(v.devices);             /* analysed before the cap was added */
    v = verdict(f, f->db, f->log);
    assert_false(v.devices);
    assert_int_equal(chain_rel(f, &v, ISO_LEVEL_DEVICES, 0)->rel, ISO_REL_SHARED_IRQ);
    /* Device relations are never relayed: web and log share nothing. */
    iso_pair(&f->g, &f->a, f->web, f->log, &v);
    assert_true(v.devices);
}

static void shared_device_memory(void **state)
{
    fixture_t *f = *state;
    iso_id_t d = obj(f, ISO_DEVICE_MEMORY, ISO_NONE, "fb", 0xfd000000ull, 0x400000);

    cap(f, f->web, d, ISO_R | ISO_W);
    cap(f, f->db, d, ISO_R);
    iso_verdict_t v = verdict(f, f->web, f->db);
    assert_true(v.spatial);
    assert_false(v.devices);
}

static void dma_ports(void **state)
{
    (void)state;
    static const struct { uint64_t first, count; bool dma; } cases[] = {
        { 0x00, 1, true }, { 0x1f, 1, true }, { 0x20, 2, true }, { 0x21, 1, true },
        { 0x22, 30, false }, { 0x40, 4, true }, { 0x43, 1, true }, { 0x44, 0x3c, false },
        { 0x80, 1, true }, { 0x8f, 1, true }, { 0x90, 0x10, false }, { 0xa0, 2, true },
        { 0xa2, 0x1e, false }, { 0xc0, 1, true }, { 0xdf, 1, true }, { 0xe0, 0x10, false },
        { 0xcf8, 1, true }, { 0xcff, 1, true }, { 0xcf0, 8, false }, { 0xd00, 8, false },
        { 0x2f8, 8, false }, { 0x3f8, 8, false }, { 0x10, 0, false }, { 0xcf0, 9, true },
        { 0x1e, 4, true },
    };

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        if (iso_ports_reach_dma(cases[i].first, cases[i].count) != cases[i].dma)
            fail_msg("ports 0x%llx+%llu: expected %s", (unsigned long long)cases[i].first,
                     (unsigned long long)cases[i].count, cases[i].dma ? "DMA" : "clean");
    }
}

static void dma_ports_are_a_finding(void **state)
{
    fixture_t *f = *state;
    iso_id_t pit = obj(f, ISO_IO_PORTS, ISO_NONE, "pit", 0x40, 4);
    iso_id_t com2 = obj(f, ISO_IO_PORTS, f->db, "com2", 0x2f8, 8);

    (void)com2;
    iso_id_t c = cap(f, f->web, pit, ISO_R | ISO_W);
    assert_int_equal(iso_analyse(&f->g, &f->a), 0);
    assert_int_equal(f->a.n_findings, 1);
    assert_int_equal(f->a.findings[0].kind, ISO_FIND_DMA_PORTS);
    assert_int_equal(f->a.findings[0].partition, f->web);
    assert_int_equal(f->a.findings[0].cap, c);
    assert_false(iso_partition_clean(&f->a, f->web));
    assert_true(iso_partition_clean(&f->a, f->db));
}

/* The VMM is connected to both, but removed from the graph: guests calling
 * it, and memory carved from its untyped, do not connect them. */
static void vmm_removed_from_graph(void **state)
{
    fixture_t *f = *state;
    iso_id_t ep = obj(f, ISO_ENDPOINT, f->vmm, "vmm-ep", 0x100000, 16);
    iso_id_t pool = obj(f, ISO_UNTYPED, f->vmm, "vmm-ut", 0x1000000, 0x2000000);

    cap(f, f->vmm, ep, ISO_R);
    cap(f, f->vmm, pool, ISO_C);
    cap(f, f->vmm, f->web, ISO_G);
    cap(f, f->vmm, f->db, ISO_G);
    cap(f, f->web, ep, ISO_W | ISO_GR);
    cap(f, f->db, ep, ISO_W | ISO_GR);
    own_objects(f, f->web, 0x1000000);
    own_objects(f, f->db, 0x2000000);
    iso_set_parent(&f->g, iso_find(&f->g, "web-ut"), pool);
    iso_set_parent(&f->g, iso_find(&f->g, "db-ut"), pool);
    iso_verdict_t v = verdict(f, f->web, f->db);
    assert_true(v.spatial);
    assert_true(v.full);
    assert_true(iso_partition_clean(&f->a, f->web));
    assert_true(iso_partition_clean(&f->a, f->db));
}

static void expect_finding(fixture_t *f, iso_finding_kind_t kind, iso_id_t p)
{
    assert_int_equal(iso_analyse(&f->g, &f->a), 0);
    for (uint32_t i = 0; i < f->a.n_findings; i++)
        if (f->a.findings[i].kind == kind && f->a.findings[i].partition == p)
            return;
    fail_msg("finding %d for partition %u missing", kind, p);
}

/* What would let a guest act as the VMM. */
static void guest_acting_as_vmm(void **state)
{
    fixture_t *f = *state;
    iso_id_t ep = obj(f, ISO_ENDPOINT, f->vmm, "vmm-ep", 0x100000, 16);
    iso_id_t cn = obj(f, ISO_CNODE, f->vmm, "vmm-cnode", 0x200000, 0x10000);
    iso_id_t irqc = obj(f, ISO_IRQ_CONTROL, ISO_NONE, "irq-control", 0, 0);
    iso_id_t ut = obj(f, ISO_UNTYPED, f->vmm, "vmm-ut", 0x1000000, 0x1000000);
    iso_id_t fr = obj(f, ISO_FRAME, f->log, "log-f", 0x200000, 0x1000);

    cap(f, f->web, ep, ISO_W | ISO_G);
    expect_finding(f, ISO_FIND_VMM_ENDPOINT_GRANT, f->web);
    cap(f, f->db, ep, ISO_R | ISO_W);
    expect_finding(f, ISO_FIND_VMM_ENDPOINT_RECEIVE, f->db);
    cap(f, f->log, cn, ISO_R);
    expect_finding(f, ISO_FIND_VMM_CORE_OBJECT, f->log);
    cap(f, f->web, irqc, ISO_ALL);
    expect_finding(f, ISO_FIND_CONTROL_CAP, f->web);
    cap(f, f->db, ut, ISO_C);
    expect_finding(f, ISO_FIND_VMM_MEMORY, f->db);
    /* log's frame lies on the VMM's CNode. */
    cap(f, f->log, fr, ISO_R | ISO_W);
    assert_int_equal(iso_analyse(&f->g, &f->a), 0);
    bool found = false;
    for (uint32_t i = 0; i < f->a.n_findings; i++)
        found |= f->a.findings[i].kind == ISO_FIND_VMM_MEMORY && f->a.findings[i].x == fr;
    assert_true(found);
}

/* A shortest chain wins over a longer one. */
static void shortest_chain(void **state)
{
    fixture_t *f = *state;
    iso_id_t p4 = iso_add_partition(&f->g, "p4");

    cap(f, f->web, f->log, ISO_G);
    cap(f, f->log, p4, ISO_G);
    cap(f, p4, f->db, ISO_G);
    iso_verdict_t v = verdict(f, f->web, f->db);
    assert_int_equal(v.chain[ISO_LEVEL_SPATIAL].n, 3);
    cap(f, f->db, f->web, ISO_G);
    v = verdict(f, f->web, f->db);
    assert_int_equal(v.chain[ISO_LEVEL_SPATIAL].n, 1);
}

static void chain_printed_entity_by_entity(void **state)
{
    fixture_t *f = *state;
    iso_id_t ep = obj(f, ISO_ENDPOINT, f->db, "ep0", 0x2000100, 16);

    cap(f, f->web, ep, ISO_W | ISO_GR);
    cap(f, f->db, ep, ISO_R | ISO_G);
    assert_int_equal(iso_analyse(&f->g, &f->a), 0);
    assert_int_equal(iso_report(&f->g, &f->a, collect, f), 1);
    assert_string_equal(f->out,
        "web / db: spatial NO, full NO, devices yes\n"
        "  spatial chain:\n"
        "    1. web --[W GR]--> endpoint ep0 [0x2000100+0x10] <--[R G]-- db  "
        "(GrantReply while the server holds Grant: replies carry capabilities)\n"
        "web / log: spatial yes, full yes, devices yes\n"
        "db / log: spatial yes, full yes, devices yes\n");
}

static void chain_printed_from_the_other_side(void **state)
{
    fixture_t *f = *state;
    iso_id_t u = obj(f, ISO_UNTYPED, f->web, "web-ut", 0x1000000, 0x10000);
    iso_id_t t = obj(f, ISO_TCB, f->db, "db-tcb", 0x1000800, 0x800);
    char buf[200];

    iso_set_parent(&f->g, t, u);
    iso_verdict_t v = verdict(f, f->db, f->web);
    assert_false(v.spatial);
    const iso_relation_t *r = chain_rel(f, &v, ISO_LEVEL_SPATIAL, 0);
    iso_format_relation(&f->g, r, f->db, buf, sizeof(buf));
    assert_string_equal(buf, "db ==owns==> tcb db-tcb [0x1000800+0x800] ~shares bytes~ "
                        "untyped web-ut [0x1000000+0x10000] <==owns== web  "
                        "(an ancestor of the other's memory)");
}

static void overflow_refuses_the_graph(void **state)
{
    fixture_t *f = *state;

    assert_int_equal(iso_add_cap(&f->g, f->web, 9999, ISO_R), ISO_NONE);
    assert_true(f->g.overflow);
    assert_int_equal(iso_analyse(&f->g, &f->a), -1);
    assert_int_equal(iso_report(&f->g, &f->a, collect, f), 1);
    /* Bad rights, a non-subject holder, too many entities: all refused. */
    iso_init(&f->g);
    iso_id_t p = iso_add_partition(&f->g, "p");
    iso_id_t x = iso_add_object(&f->g, ISO_FRAME, p, "x", 0, 0x1000);
    assert_int_equal(iso_add_cap(&f->g, p, x, 0x20), ISO_NONE);
    iso_init(&f->g);
    p = iso_add_partition(&f->g, "p");
    x = iso_add_object(&f->g, ISO_FRAME, p, "x", 0, 0x1000);
    assert_int_equal(iso_add_cap(&f->g, x, p, ISO_R), ISO_NONE);
    iso_init(&f->g);
    for (int i = 0; i < ISO_MAX_ENTITIES; i++)
        assert_int_not_equal(iso_add_object(&f->g, ISO_FRAME, ISO_NONE, "f", 0, 0), ISO_NONE);
    assert_false(f->g.overflow);
    assert_int_equal(iso_add_object(&f->g, ISO_FRAME, ISO_NONE, "f", 0, 0), ISO_NONE);
    assert_true(f->g.overflow);
}

static void rights_strings(void **state)
{
    char buf[24];

    (void)state;
    assert_string_equal(iso_rights_str(ISO_ALL, buf, sizeof(buf)), "R W G GR C");
    assert_string_equal(iso_rights_str(0, buf, sizeof(buf)), "-");
    assert_string_equal(iso_rights_str(ISO_W | ISO_GR, buf, sizeof(buf)), "W GR");
    assert_string_equal(iso_rights_str(ISO_ALL, buf, 5), "R W");
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, iso_fixture_setup, iso_fixture_teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(isolated_partitions_pass),
        T(thesis_grant_edge_connects),
        T(thesis_create_does_not_connect),
        T(thesis_grant_through_shared_entity),
        T(grant_chain_through_third_partition),
        T(shared_untypeds_do_not_relay),
        T(shared_untyped_breaks_spatial),
        T(shared_asid_pool_breaks_spatial),
        T(shared_frame_is_a_channel),
        T(overlapping_bytes_break_spatial),
        T(overlapping_frames_are_shared_memory),
        T(ancestor_untyped_breaks_spatial),
        T(core_object_any_rights),
        T(endpoint_client_grant),
        T(endpoint_grant_reply_vs_grant),
        T(endpoint_two_clients_no_channel),
        T(notification_channel),
        T(channels_relay_through_third_partition),
        T(shared_ports_and_irqs),
        T(shared_device_memory),
        T(dma_ports),
        T(dma_ports_are_a_finding),
        T(vmm_removed_from_graph),
        T(guest_acting_as_vmm),
        T(shortest_chain),
        T(chain_printed_entity_by_entity),
        T(chain_printed_from_the_other_side),
        T(overflow_refuses_the_graph),
        T(rights_strings),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
