/*
 * The isolation tests' shared fixture (isolation_test.c, isolation_scale_test.c,
 * isolation_slots_test.c): a graph with the VMM and three partitions, web, db and
 * log, its analysis, and a buffer that collects what iso_report() prints. The
 * helpers add to the graph and fail the test at once when the graph refuses.
 */
#ifndef TESTS_UNIT_VMM_ISO_FIXTURE_H
#define TESTS_UNIT_VMM_ISO_FIXTURE_H

#include <stddef.h>
#include <stdint.h>
#include <vmm/isolation.h>

#define ISO_FIXTURE_OUT 4096    /* bytes of report the tests read */

typedef struct fixture {
    iso_graph_t g;
    iso_analysis_t a;
    iso_id_t vmm, web, db, log;
    char out[ISO_FIXTURE_OUT];
    size_t out_len;
} fixture_t;

/* cmocka group setup and teardown: a fresh fixture per test. */
int iso_fixture_setup(void **state);
int iso_fixture_teardown(void **state);

/* An object of p's (ISO_NONE: nobody's) and a capability to it; each
 * asserts the graph took it. */
iso_id_t obj(fixture_t *f, iso_kind_t k, iso_id_t owner, const char *name, uint64_t base,
             uint64_t size);
iso_id_t cap(fixture_t *f, iso_id_t holder, iso_id_t target, uint8_t rights);

/* An iso_report() sink: appends text to f->out. */
void collect(void *ctx, const char *text);

#endif
