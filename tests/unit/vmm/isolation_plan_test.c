/* unit-test-sources: vmm/isolation/graph.c vmm/isolation/relations.c vmm/isolation/verdict.c vmm/isolation/from_plan.c */
/*
 * The bridge from the VMM's capability plan to the isolation graph
 * (vmm/isolation/from_plan.c) on plans laid out as vmm_plan_build() lays
 * them out: two guests with a shared page, an endpoint channel and a
 * device are spatially partitioned and clean; the same plan with Grant on
 * the channel's client, a guest given the VMM's service endpoint to
 * receive on, or the PIT's ports, is not. Skipped until the plan
 * (vmm/include/vmm/plan.h, issue 22) is on this branch.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#if __has_include(<vmm/plan.h>)
#include <vmm/isolation_plan.h>

typedef struct fixture {
    vmm_config_t cfg;
    vmm_plan_t plan;
    iso_graph_t g;
    iso_analysis_t a;
    uint32_t web_ep_cap;        /* index of web's capability on ep0 */
} fixture_t;

static uint16_t object(vmm_plan_t *p, plan_kind_t kind, uint8_t owner, const char *name,
                       uint64_t size, uint32_t base)
{
    uint16_t i = (uint16_t)p->n_objects++;

    p->object[i] = (plan_object_t){ .kind = kind, .owner = owner, .size = size, .base = base };
    strncpy(p->object[i].name, name, PLAN_NAME_MAX - 1);
    p->cap[p->n_caps++] = (plan_cap_t){ PLAN_VMM, i, PLAN_R | PLAN_W | PLAN_G | PLAN_GR | PLAN_C };
    return i;
}

static void cap(vmm_plan_t *p, uint8_t holder, uint16_t o, uint8_t rights)
{
    p->cap[p->n_caps++] = (plan_cap_t){ holder, o, rights };
}

/* web (0, delegated) and db (1, mediated), as vmm_plan_build() plans them. */
static int setup(void **state)
{
    fixture_t *f = calloc(1, sizeof(*f));
    assert_non_null(f);
    vmm_config_t *c = &f->cfg;
    vmm_plan_t *p = &f->plan;
    c->n_guests = 2;
    strcpy(c->guest[0].name, "web");
    strcpy(c->guest[1].name, "db");
    c->n_channels = 2;
    strcpy(c->channel[0].name, "ch0");
    strcpy(c->channel[1].name, "ep0");
    uint16_t service = object(p, PLAN_ENDPOINT, PLAN_VMM, "vmm/service", 0, 0);
    for (uint8_t g = 0; g < 2; g++) {
        cap(p, g, object(p, PLAN_CNODE, g, g ? "db/cspace" : "web/cspace", 0, 0), PLAN_R | PLAN_W);
        cap(p, g, object(p, PLAN_TCB, g, g ? "db/tcb" : "web/tcb", 0, 0), PLAN_R | PLAN_W);
        uint16_t pd = object(p, PLAN_PAGE_DIRECTORY, g, g ? "db/vspace" : "web/vspace", 0, 0);
        uint16_t pool = object(p, PLAN_ASID_POOL, g, g ? "db/asid-pool" : "web/asid-pool", 0, 0);
        if (g == 0) {
            cap(p, g, pd, PLAN_R | PLAN_W);
            cap(p, g, pool, PLAN_R | PLAN_W);
        }
        cap(p, g, object(p, PLAN_ENDPOINT, PLAN_VMM, g ? "db/fault" : "web/fault", 0, 0),
            PLAN_W | PLAN_GR);
        cap(p, g, object(p, g ? PLAN_FRAMES : PLAN_UNTYPED, g, g ? "db/ram" : "web/ram",
                         0x1000000, 0), g ? PLAN_R | PLAN_W : PLAN_R | PLAN_W | PLAN_C);
        cap(p, g, service, PLAN_W);
    }
    uint16_t shm = object(p, PLAN_FRAMES, PLAN_VMM, "ch0", 0x1000, 0);
    cap(p, 0, shm, PLAN_R | PLAN_W);
    cap(p, 1, shm, PLAN_R);
    uint16_t ep = object(p, PLAN_ENDPOINT, PLAN_VMM, "ep0", 0, 0);
    f->web_ep_cap = p->n_caps;
    cap(p, 0, ep, PLAN_W);
    cap(p, 1, ep, PLAN_R);
    cap(p, 0, object(p, PLAN_IO_PORTS, 0, "com2/ports0", 8, 0x2f8), PLAN_R | PLAN_W);
    cap(p, 0, object(p, PLAN_IRQ, 0, "com2/irq3", 1, 3), PLAN_R | PLAN_W);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    free(*state);
    return 0;
}

static iso_verdict_t check(fixture_t *f)
{
    iso_verdict_t v;

    assert_int_equal(iso_from_plan(&f->cfg, &f->plan, &f->g), 0);
    assert_int_equal(iso_analyse(&f->g, &f->a), 0);
    iso_pair(&f->g, &f->a, iso_find(&f->g, "web"), iso_find(&f->g, "db"), &v);
    return v;
}

static void planned_guests_are_partitioned(void **state)
{
    fixture_t *f = *state;
    iso_verdict_t v = check(f);

    assert_true(v.spatial);
    assert_false(v.full);           /* the channels the configuration asked for */
    assert_true(v.devices);
    assert_int_equal(f->a.n_findings, 0);
    assert_int_equal(f->g.entities[iso_find(&f->g, "ep0")].owner, ISO_NONE);
    assert_int_equal(f->g.entities[iso_find(&f->g, "web/fault")].owner, f->g.vmm);
    assert_int_equal(f->g.entities[iso_find(&f->g, "com2/ports0")].base, 0x2f8);
}

static void grant_on_the_client_is_caught(void **state)
{
    fixture_t *f = *state;

    f->plan.cap[f->web_ep_cap].rights |= PLAN_G;
    iso_verdict_t v = check(f);
    assert_false(v.spatial);
    assert_int_equal(f->a.relations[v.chain[ISO_LEVEL_SPATIAL].rel[0]].rel,
                     ISO_REL_EP_CLIENT_GRANT);
}

static void guest_receiving_for_the_vmm_is_caught(void **state)
{
    fixture_t *f = *state;

    cap(&f->plan, 1, 0, PLAN_R);    /* db may receive on the VMM's service endpoint */
    check(f);
    assert_int_equal(f->a.n_findings, 1);
    assert_int_equal(f->a.findings[0].kind, ISO_FIND_VMM_ENDPOINT_RECEIVE);
    assert_false(iso_partition_clean(&f->a, iso_find(&f->g, "db")));
}

static void pit_ports_are_caught(void **state)
{
    fixture_t *f = *state;

    cap(&f->plan, 1, object(&f->plan, PLAN_IO_PORTS, 1, "pit/ports0", 4, 0x40), PLAN_R | PLAN_W);
    check(f);
    assert_int_equal(f->a.n_findings, 1);
    assert_int_equal(f->a.findings[0].kind, ISO_FIND_DMA_PORTS);
}

static void bad_plan_refused(void **state)
{
    fixture_t *f = *state;

    cap(&f->plan, 7, 0, PLAN_W);    /* a holder that is no guest */
    assert_int_equal(iso_from_plan(&f->cfg, &f->plan, &f->g), -1);
    assert_int_equal(iso_analyse(&f->g, &f->a), -1);
}

/* iso_check_plan(), what the VMM runs at boot and isocheck on a .dtb:
 * the text it prints, and the count that makes the VMM refuse. */
static char out[4096];
static size_t out_len;

static void collect(void *ctx, const char *text)
{
    (void)ctx;
    size_t n = strlen(text);
    if (out_len + n < sizeof(out)) {
        memcpy(out + out_len, text, n + 1);
        out_len += n;
    }
}

static void check_plan_accepts_the_planned_guests(void **state)
{
    fixture_t *f = *state;

    out_len = 0;
    out[0] = '\0';
    assert_int_equal(iso_check_plan(&f->cfg, &f->plan, &f->g, &f->a, collect, NULL), 0);
    assert_non_null(strstr(out, "web / db: spatial yes, full NO, devices yes\n"));
}

static void check_plan_refuses_grant_with_its_chain(void **state)
{
    fixture_t *f = *state;

    out_len = 0;
    out[0] = '\0';
    f->plan.cap[f->web_ep_cap].rights |= PLAN_G;
    assert_int_equal(iso_check_plan(&f->cfg, &f->plan, &f->g, &f->a, collect, NULL), 1);
    assert_non_null(strstr(out, "web / db: spatial NO, full NO, devices yes\n"
                                "  spatial chain:\n"
                                "    1. web --[W G]--> endpoint ep0 <--[R]-- db"));
}

static void check_plan_refuses_a_plan_that_does_not_fit(void **state)
{
    fixture_t *f = *state;

    out_len = 0;
    cap(&f->plan, 7, 0, PLAN_W);    /* a holder that is no guest */
    assert_int_equal(iso_check_plan(&f->cfg, &f->plan, &f->g, &f->a, collect, NULL), 1);
    assert_non_null(strstr(out, "no verdict"));
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(planned_guests_are_partitioned),
        T(grant_on_the_client_is_caught),
        T(guest_receiving_for_the_vmm_is_caught),
        T(pit_ports_are_caught),
        T(bad_plan_refused),
        T(check_plan_accepts_the_planned_guests),
        T(check_plan_refuses_grant_with_its_chain),
        T(check_plan_refuses_a_plan_that_does_not_fit),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

#else

static void plan_not_on_this_branch(void **state)
{
    (void)state;
    skip();
}

int main(void)
{
    const struct CMUnitTest tests[] = { cmocka_unit_test(plan_not_on_this_branch) };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

#endif
