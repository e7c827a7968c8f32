/* unit-test-sources: vmm/isolation/graph.c vmm/isolation/relations.c vmm/isolation/verdict.c vmm/isolation/from_slots.c tests/unit/vmm/iso_fixture.c */
/*
 * The live state as ReadSlots describes it (abi/capinfo.h) turned into an
 * isolation graph (vmm/isolation/from_slots.c): entities found by what
 * they are, ancestors from the untyped each object descends from, seL4's
 * rights bits, ports and IRQ lines; and the verdict flipping when a guest
 * is handed a capability to another's TCB at run time.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "iso_fixture.h"
#include <abi/capinfo.h>

#define SEL4_W  1u
#define SEL4_R  2u
#define SEL4_G  4u
#define SEL4_ALL 0xfu

#define VMM_UT      0x01000000u     /* 2^24, the VMM's */
#define WEB_UT      0x01000000u     /* 2^22 each, children of the VMM's */
#define DB_UT       0x01400000u

/* One ReadSlots record. anc_bits 0: no ancestor found. */
static int slot(fixture_t *f, iso_id_t holder, uint32_t type, uint32_t bits, uint32_t rights,
                uint32_t flags, uint32_t data, uint32_t paddr, uint32_t anc, uint32_t anc_bits)
{
    uint32_t w[CAPINFO_WORDS];

    w[CAPINFO_W_INFO] = type | bits << CAPINFO_SIZE_SHIFT | rights << CAPINFO_RIGHTS_SHIFT |
                        flags | (anc_bits != 0 ? CAPINFO_ANC_FOUND : 0);
    w[CAPINFO_W_DATA] = data;
    w[CAPINFO_W_PADDR] = paddr;
    w[CAPINFO_W_ANC_PADDR] = anc;
    w[CAPINFO_W_ANC_SIZE] = anc_bits;
    return iso_add_slot(&f->g, holder, w);
}

/* A guest's own objects, carved from its untyped at ut. */
static void guest(fixture_t *f, iso_id_t p, uint32_t ut)
{
    assert_int_equal(slot(f, p, CAPINFO_TYPE_UNTYPED, 22, SEL4_ALL, 0, 0x8000, ut, VMM_UT, 24), 0);
    assert_int_equal(slot(f, p, CAPINFO_TYPE_CNODE, 14, SEL4_ALL, 0, 10u << 23, ut, ut, 22), 0);
    assert_int_equal(slot(f, p, CAPINFO_TYPE_TCB, 11, SEL4_ALL, 0, 0, ut + 0x4000, ut, 22), 0);
    assert_int_equal(slot(f, p, CAPINFO_TYPE_FRAME, 12, SEL4_R | SEL4_W, CAPINFO_MAPPED,
                          0x400001, ut + 0x5000, ut, 22), 0);
}

static void live_guests_partitioned(void **state)
{
    fixture_t *f = *state;

    assert_int_equal(slot(f, f->vmm, CAPINFO_TYPE_UNTYPED, 24, SEL4_ALL, 0, 0, VMM_UT, 0, 0), 0);
    assert_int_equal(slot(f, f->vmm, CAPINFO_TYPE_IRQ_CONTROL, 0, SEL4_ALL, 0, 0, 0, 0, 0), 0);
    guest(f, f->web, WEB_UT);
    guest(f, f->db, DB_UT);
    assert_int_equal(iso_analyse(&f->g, &f->a), 0);
    iso_verdict_t v;
    iso_pair(&f->g, &f->a, f->web, f->db, &v);
    assert_true(v.spatial);
    assert_true(v.full);
    assert_true(v.devices);
    assert_int_equal(f->a.n_findings, 0);
    /* The VMM's untyped is one entity, parent of both guests' untypeds. */
    iso_id_t vmm_ut = iso_find(&f->g, "untyped@0x1000000");
    assert_int_not_equal(vmm_ut, ISO_NONE);
    assert_int_equal(f->g.entities[vmm_ut].size, 1u << 24);
    uint32_t children = 0;
    for (uint32_t i = 0; i < f->g.n_entities; i++)
        children += f->g.entities[i].kind == ISO_UNTYPED && f->g.entities[i].parent == vmm_ut;
    assert_int_equal(children, 2);
}

/* The run-time forbidden capability: db is handed web's TCB. */
static void forbidden_cap_at_run_time(void **state)
{
    fixture_t *f = *state;

    guest(f, f->web, WEB_UT);
    guest(f, f->db, DB_UT);
    assert_int_equal(slot(f, f->db, CAPINFO_TYPE_TCB, 11, SEL4_ALL, 0, 0, WEB_UT + 0x4000,
                          WEB_UT, 22), 0);
    assert_int_equal(iso_analyse(&f->g, &f->a), 0);
    iso_verdict_t v;
    iso_pair(&f->g, &f->a, f->web, f->db, &v);
    assert_false(v.spatial);
    assert_int_equal(v.chain[ISO_LEVEL_SPATIAL].n, 1);
    /* Two reasons, both one relation long: a capability to web's TCB, and
     * web's untyped being an ancestor of something db holds. */
    bool core = false, ancestor = false;
    for (uint32_t i = 0; i < f->a.n_relations; i++) {
        const iso_relation_t *r = &f->a.relations[i];
        if (f->g.entities[r->x].kind == ISO_TCB && f->g.entities[r->x].base == WEB_UT + 0x4000)
            core |= r->rel == ISO_REL_CORE_OBJECT;
        ancestor |= r->rel == ISO_REL_ANCESTOR && r->p == f->web && r->q == f->db;
    }
    assert_true(core);
    assert_true(ancestor);
}

/* Two capabilities to one frame are one entity; seL4's W and R map to ours. */
static void same_object_one_entity(void **state)
{
    fixture_t *f = *state;
    uint32_t before;

    assert_int_equal(slot(f, f->web, CAPINFO_TYPE_FRAME, 12, SEL4_R | SEL4_W, 0, 0, 0x2000000,
                          0, 0), 0);
    before = f->g.n_entities;
    assert_int_equal(slot(f, f->db, CAPINFO_TYPE_FRAME, 12, SEL4_R, 0, 0, 0x2000000, 0, 0), 0);
    assert_int_equal(f->g.n_entities, before);
    assert_int_equal(f->g.caps[0].rights, ISO_R | ISO_W);
    assert_int_equal(f->g.caps[1].rights, ISO_R);
    assert_int_equal(f->g.caps[0].target, f->g.caps[1].target);
    assert_int_equal(iso_analyse(&f->g, &f->a), 0);
    iso_verdict_t v;
    iso_pair(&f->g, &f->a, f->web, f->db, &v);
    assert_true(v.spatial);
    assert_false(v.full);
}

static void endpoint_rights_and_grant(void **state)
{
    fixture_t *f = *state;

    assert_int_equal(slot(f, f->web, CAPINFO_TYPE_ENDPOINT, 4, SEL4_W | SEL4_G, 0, 7,
                          0x2000010, 0, 0), 0);
    assert_int_equal(slot(f, f->db, CAPINFO_TYPE_ENDPOINT, 4, SEL4_R, 0, 0, 0x2000010, 0, 0), 0);
    assert_int_equal(f->g.caps[0].rights, ISO_W | ISO_G);
    assert_int_equal(iso_analyse(&f->g, &f->a), 0);
    iso_verdict_t v;
    iso_pair(&f->g, &f->a, f->web, f->db, &v);
    assert_false(v.spatial);
}

static void ports_irqs_and_left_out(void **state)
{
    fixture_t *f = *state;

    assert_int_equal(slot(f, f->web, CAPINFO_TYPE_IO_PORT, 0, SEL4_ALL, 0,
                          0x40 | 0x43u << CAPINFO_PORT_LAST_SHIFT, 0, 0, 0), 0);
    iso_id_t pit = iso_find(&f->g, "io-ports@64");
    assert_int_not_equal(pit, ISO_NONE);
    assert_int_equal(f->g.entities[pit].base, 0x40);
    assert_int_equal(f->g.entities[pit].size, 4);
    assert_int_equal(slot(f, f->db, CAPINFO_TYPE_IRQ_HANDLER, 0, SEL4_ALL, 0, 4, 0, 0, 0), 0);
    assert_int_equal(slot(f, f->web, CAPINFO_TYPE_IRQ_HANDLER, 0, SEL4_ALL, 0, 4, 0, 0, 0), 0);
    uint32_t n = f->g.n_caps;
    assert_int_equal(slot(f, f->web, CAPINFO_TYPE_REPLY, 11, SEL4_G, 0, 0, 0x3000000, 0, 0), 1);
    assert_int_equal(slot(f, f->web, CAPINFO_TYPE_NULL, 0, 0, 0, 0, 0, 0, 0), 1);
    assert_int_equal(slot(f, f->web, CAPINFO_TYPE_ZOMBIE, 11, 0, 0, 0, 0x3000000, 0, 0), 1);
    assert_int_equal(f->g.n_caps, n);
    assert_int_equal(iso_analyse(&f->g, &f->a), 0);
    assert_int_equal(f->a.n_findings, 1);
    assert_int_equal(f->a.findings[0].kind, ISO_FIND_DMA_PORTS);
    iso_verdict_t v;
    iso_pair(&f->g, &f->a, f->web, f->db, &v);
    assert_false(v.devices);
    assert_int_equal(f->a.relations[v.chain[ISO_LEVEL_DEVICES].rel[0]].rel, ISO_REL_SHARED_IRQ);
}

static void device_frame_is_device_memory(void **state)
{
    fixture_t *f = *state;

    assert_int_equal(slot(f, f->web, CAPINFO_TYPE_FRAME, 12, SEL4_R | SEL4_W, CAPINFO_DEVICE, 0,
                          0xfd000000u, 0, 0), 0);
    assert_int_equal(f->g.entities[f->g.caps[0].target].kind, ISO_DEVICE_MEMORY);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, iso_fixture_setup, iso_fixture_teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(live_guests_partitioned),
        T(forbidden_cap_at_run_time),
        T(same_object_one_entity),
        T(endpoint_rights_and_grant),
        T(ports_irqs_and_left_out),
        T(device_frame_is_device_memory),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
