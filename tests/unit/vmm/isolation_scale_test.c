/* unit-test-sources: vmm/isolation/graph.c vmm/isolation/relations.c vmm/isolation/verdict.c tests/unit/vmm/iso_fixture.c */
/*
 * The isolation analysis at the size of the live audit of big
 * configurations: a graph of more than 100 000 capabilities is analysed in
 * well under a second of CPU time (the sweep over addresses, not every
 * pair of entities), with the verdicts and the chain a small graph of the
 * same shape gives; the witness kept for a relation is the one a scan in id
 * order finds first, whatever order the sweep meets overlaps in; and a
 * graph that exceeds a limit is refused with a message naming it.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>

#include "iso_fixture.h"

#define FRAMES_PER_PARTITION 11200u
#define CAPS_PER_FRAME       3u
#define PAGE                 0x1000u
#define CPU_SECONDS_MAX      1.0

/* p's memory as the live audit sees it: an untyped it holds, and frames
 * carved from it, each named by three capabilities. */
static iso_id_t partition_memory(fixture_t *f, iso_id_t p, uint64_t base)
{
    iso_id_t ut = obj(f, ISO_UNTYPED, ISO_NONE, "", base, (uint64_t)FRAMES_PER_PARTITION * PAGE);

    cap(f, p, ut, ISO_R | ISO_W | ISO_C);
    for (uint32_t i = 0; i < FRAMES_PER_PARTITION; i++) {
        iso_id_t fr = obj(f, ISO_FRAME, ISO_NONE, "", base + (uint64_t)i * PAGE, PAGE);
        iso_set_parent(&f->g, fr, ut);
        cap(f, p, fr, ISO_R | ISO_W);
        cap(f, p, fr, ISO_R);
        cap(f, p, fr, ISO_W);
    }
    return ut;
}

/* Three partitions, 33 600 frames, 100 800 capabilities; log reaches
 * into db's bytes with an untyped of its own, web holds Grant to log. */
static void large_graph_verdicts_and_chain(void **state)
{
    fixture_t *f = *state;
    iso_verdict_t v;

    partition_memory(f, f->web, 0x10000000);
    iso_id_t db_ut = partition_memory(f, f->db, 0x20000000);
    partition_memory(f, f->log, 0x30000000);
    iso_id_t stray = obj(f, ISO_UNTYPED, ISO_NONE, "stray", 0x20000000 + 5000u * PAGE, 16 * PAGE);
    cap(f, f->log, stray, ISO_C);
    cap(f, f->web, f->log, ISO_G);
    assert_true(f->g.n_caps > 100000);
    assert_false(f->g.overflow);

    clock_t t = clock();
    assert_int_equal(iso_analyse(&f->g, &f->a), 0);
    double cpu = (double)(clock() - t) / CLOCKS_PER_SEC;
    assert_true(cpu < CPU_SECONDS_MAX);

    iso_pair(&f->g, &f->a, f->log, f->db, &v);
    assert_false(v.spatial);
    assert_int_equal(v.chain[ISO_LEVEL_SPATIAL].n, 1);
    const iso_relation_t *r = &f->a.relations[v.chain[ISO_LEVEL_SPATIAL].rel[0]];
    assert_int_equal(r->rel, ISO_REL_OVERLAP);
    /* db's untyped (found first, in id order) and log's stray one */
    iso_id_t x = r->p == f->log ? r->x : r->y, y = r->p == f->log ? r->y : r->x;
    assert_int_equal(x, stray);
    assert_int_equal(y, db_ut);
    /* web reaches db through log, which relays: Grant at log */
    iso_pair(&f->g, &f->a, f->web, f->db, &v);
    assert_false(v.spatial);
    assert_int_equal(v.chain[ISO_LEVEL_SPATIAL].n, 2);
    assert_int_equal(f->a.relations[v.chain[ISO_LEVEL_SPATIAL].rel[0]].rel, ISO_REL_GRANT);
    assert_int_equal(f->a.relations[v.chain[ISO_LEVEL_SPATIAL].rel[1]].rel, ISO_REL_OVERLAP);
    iso_pair(&f->g, &f->a, f->web, f->log, &v);
    assert_false(v.spatial);
    assert_true(v.devices);
    /* web's Grant, the overlap seen from each side; the frames under their
     * own untyped relate nobody */
    assert_int_equal(f->a.n_relations, 3);
    assert_int_equal(f->a.n_findings, 0);
}

/* Witnesses: web's frames a (added first, high address) and c (low
 * address) overlap db's b and d. The sweep meets (c, d) first; the relation
 * keeps (a, b), the pair a scan in id order finds first. */
static void witness_is_the_first_in_id_order(void **state)
{
    fixture_t *f = *state;
    iso_id_t a = obj(f, ISO_FRAME, ISO_NONE, "a", 0x9000000, PAGE);
    iso_id_t c = obj(f, ISO_FRAME, ISO_NONE, "c", 0x1000000, PAGE);
    iso_id_t b = obj(f, ISO_FRAME, ISO_NONE, "b", 0x9000000, 2 * PAGE);
    iso_id_t d = obj(f, ISO_FRAME, ISO_NONE, "d", 0x1000000, 2 * PAGE);

    cap(f, f->web, a, ISO_R | ISO_W);
    cap(f, f->web, c, ISO_R | ISO_W);
    cap(f, f->db, d, ISO_R);
    cap(f, f->db, b, ISO_R);
    assert_int_equal(iso_analyse(&f->g, &f->a), 0);
    assert_int_equal(f->a.n_relations, 1);
    assert_int_equal(f->a.relations[0].rel, ISO_REL_SHARED_MEMORY);
    assert_int_equal(f->a.relations[0].x, a);
    assert_int_equal(f->a.relations[0].y, b);
}

static void refused_with(fixture_t *f, const char *message)
{
    assert_int_equal(iso_analyse(&f->g, &f->a), -1);
    f->out_len = 0;
    f->out[0] = '\0';
    assert_int_equal(iso_report(&f->g, &f->a, collect, f), 1);
    assert_string_equal(f->out, message);
}

static void too_many_capabilities_named(void **state)
{
    fixture_t *f = *state;
    iso_id_t fr = obj(f, ISO_FRAME, ISO_NONE, "f", 0x1000000, PAGE);

    for (uint32_t i = 0; i < ISO_MAX_CAPS; i++)
        cap(f, f->web, fr, ISO_R);
    assert_false(f->g.overflow);
    assert_int_equal(iso_add_cap(&f->g, f->web, fr, ISO_R), ISO_NONE);
    assert_true(f->g.overflow);
    assert_int_equal(f->g.why, ISO_LIMIT_CAPS);
    /* a later bad add does not change the reason */
    assert_int_equal(iso_add_cap(&f->g, f->web, ISO_NONE - 1, ISO_R), ISO_NONE);
    refused_with(f, "isolation: the graph does not fit the analysis: more than 131072 "
                    "capabilities (ISO_MAX_CAPS); no verdict\n");
}

static void too_many_entities_named(void **state)
{
    fixture_t *f = *state;

    while (f->g.n_entities < ISO_MAX_ENTITIES)
        obj(f, ISO_FRAME, ISO_NONE, "f", 0, 0);
    assert_int_equal(iso_add_object(&f->g, ISO_FRAME, ISO_NONE, "f", 0, 0), ISO_NONE);
    assert_int_equal(f->g.why, ISO_LIMIT_ENTITIES);
    refused_with(f, "isolation: the graph does not fit the analysis: more than 40960 "
                    "entities (ISO_MAX_ENTITIES); no verdict\n");
}

/* The analysis' own limits: more findings than it keeps. */
static void too_many_findings_named(void **state)
{
    fixture_t *f = *state;

    for (uint32_t i = 0; i <= ISO_MAX_FINDINGS; i++)
        cap(f, f->web, obj(f, ISO_IO_PORTS, ISO_NONE, "pic", 0x20, 2), ISO_R | ISO_W);
    assert_false(f->g.overflow);
    refused_with(f, "isolation: the graph does not fit the analysis: more than 256 "
                    "findings (ISO_MAX_FINDINGS); no verdict\n");
}

/* Entities are found by kind and range: the first added, in constant time. */
static void lookup_by_range(void **state)
{
    fixture_t *f = *state;
    iso_id_t a = obj(f, ISO_FRAME, ISO_NONE, "a", 0x5000, PAGE);
    iso_id_t b = obj(f, ISO_FRAME, ISO_NONE, "b", 0x5000, PAGE);
    iso_id_t u = obj(f, ISO_UNTYPED, ISO_NONE, "u", 0x5000, PAGE);

    assert_int_not_equal(a, b);
    assert_int_equal(iso_lookup(&f->g, ISO_FRAME, 0x5000, PAGE), a);
    assert_int_equal(iso_lookup(&f->g, ISO_UNTYPED, 0x5000, PAGE), u);
    assert_int_equal(iso_lookup(&f->g, ISO_FRAME, 0x5000, 2 * PAGE), ISO_NONE);
    assert_int_equal(iso_lookup(&f->g, ISO_TCB, 0x5000, PAGE), ISO_NONE);
    iso_init(&f->g);
    assert_int_equal(iso_lookup(&f->g, ISO_FRAME, 0x5000, PAGE), ISO_NONE);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, iso_fixture_setup, iso_fixture_teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(large_graph_verdicts_and_chain),
        T(witness_is_the_first_in_id_order),
        T(too_many_capabilities_named),
        T(too_many_entities_named),
        T(too_many_findings_named),
        T(lookup_by_range),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
