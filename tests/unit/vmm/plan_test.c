/* unit-test-sources: vmm/plan.c vmm/config.c lib/elf.c tests/unit/vmm/read_file.c */
/*
 * vmm_plan_build() on the default configuration (read from its .dtb with
 * the VMM's own reader) and on hand-made ones: each policy's capabilities,
 * the rules that keep guests apart (nothing to another guest's core
 * objects, no Grant anywhere a guest holds), channels with the configured
 * rights, devices to their one guest, and ASID pools for the first three
 * guests that hold their page directory, the VMM's for the others.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "read_file.h"
#include <vmm/config.h>
#include <vmm/plan.h>

#define DEFAULT_DTB "build/vmm/examples/default.dtb"
#define GUEST_ELF   "build/guest-stub/guest-stub.elf"
#define FREE_BYTES  (64ull << 20)
#define MIB         (1024ull * 1024ull)
#define WEB         0
#define DB          1

static vmm_config_t cfg;
static vmm_plan_t plan;

static int setup_default(void **state)
{
    static vmm_module_t guest = { .name = "guest-stub.elf" };
    uint32_t size;
    uint8_t *dtb = read_file(DEFAULT_DTB, &size);
    vmm_machine_t m = { &guest, 1, FREE_BYTES, 255 };
    vmm_config_error_t err;

    (void)state;
    guest.data = read_file(GUEST_ELF, &guest.size);
    if (!vmm_config_read(dtb, size, &m, &cfg, &err))
        fail_msg("refused: %s: %s: %s", err.node, err.property, err.message);
    vmm_plan_build(&cfg, &plan);
    return 0;
}

static int find_object(const char *name)
{
    for (uint32_t i = 0; i < plan.n_objects; i++)
        if (strcmp(plan.object[i].name, name) == 0)
            return (int)i;
    return -1;
}

/* Rights `holder` has on the object called name; -1 if it holds none. */
static int rights_of(uint8_t holder, const char *name)
{
    int o = find_object(name);

    for (uint32_t i = 0; o >= 0 && i < plan.n_caps; i++)
        if (plan.cap[i].holder == holder && plan.cap[i].object == o)
            return plan.cap[i].rights;
    return -1;
}

static void delegated_guest_holds_its_untyped(void **state)
{
    (void)state;
    assert_int_equal(rights_of(WEB, "web/ram"), PLAN_R | PLAN_W | PLAN_C);
    assert_int_equal(plan.object[find_object("web/ram")].kind, PLAN_UNTYPED);
    assert_int_equal(plan.object[find_object("web/ram")].size, 4 * MIB);
    assert_int_equal(rights_of(WEB, "web/vspace"), PLAN_R | PLAN_W);
    assert_int_equal(rights_of(WEB, "web/asid-pool"), PLAN_R | PLAN_W);
}

static void mediated_guest_holds_no_untyped_and_no_paging(void **state)
{
    (void)state;
    assert_int_equal(plan.object[find_object("db/ram")].kind, PLAN_FRAMES);
    assert_int_equal(rights_of(DB, "db/ram"), PLAN_R | PLAN_W);
    assert_int_equal(rights_of(DB, "db/vspace"), -1);
    assert_int_equal(rights_of(DB, "db/asid-pool"), -1);
    for (uint32_t i = 0; i < plan.n_caps; i++)
        if (plan.cap[i].holder == DB)
            assert_int_not_equal(plan.object[plan.cap[i].object].kind, PLAN_UNTYPED);
}

/* No guest holds Grant, nor anything of another guest's own objects. */
static void guests_hold_no_grant_and_nothing_of_each_other(void **state)
{
    (void)state;
    for (uint32_t i = 0; i < plan.n_caps; i++) {
        const plan_cap_t *c = &plan.cap[i];
        const plan_object_t *o = &plan.object[c->object];
        if (c->holder == PLAN_VMM)
            continue;
        assert_int_equal(c->rights & PLAN_G, 0);
        if (o->owner != PLAN_VMM)
            assert_int_equal(o->owner, c->holder);
    }
    assert_int_equal(rights_of(WEB, "vmm/endpoint"), PLAN_W | PLAN_GR);
    assert_int_equal(rights_of(DB, "vmm/endpoint"), PLAN_W | PLAN_GR);
    assert_int_equal(rights_of(DB, "db/boot"), PLAN_R | PLAN_W);
}

static void channels_carry_the_configured_rights(void **state)
{
    (void)state;
    assert_int_equal(rights_of(WEB, "ch0"), PLAN_R | PLAN_W);
    assert_int_equal(rights_of(DB, "ch0"), PLAN_R);
    assert_int_equal(plan.object[find_object("ch0")].size, 4096);
    assert_int_equal(rights_of(WEB, "ep0"), PLAN_W | PLAN_GR);
    assert_int_equal(rights_of(DB, "ep0"), PLAN_R);
}

/* The first three guests that hold their page directory get a pool each,
 * in configuration order; a mediated guest and a fourth delegated one get
 * ASIDs from the VMM's pool, which no guest holds. */
static void asid_pools_go_to_the_first_three_delegating_guests(void **state)
{
    static const char *const name[] = { "web", "db", "web2", "db2", "web3", "web4" };
    static const bool own[] = { true, false, true, false, true, false };
    vmm_config_t six = cfg;
    char pool[VMM_NAME_MAX + 16];

    (void)state;
    six.n_guests = 6;
    for (uint8_t g = 2; g < 6; g++) {
        six.guest[g] = cfg.guest[g % 2];
        snprintf(six.guest[g].name, VMM_NAME_MAX, "%s", name[g]);
    }
    vmm_plan_build(&six, &plan);
    assert_true(find_object("vmm/asid-pool") >= 0);
    for (uint8_t g = 0; g < 6; g++) {
        snprintf(pool, sizeof(pool), "%s/asid-pool", name[g]);
        assert_int_equal(vmm_plan_own_pool(&six, g), own[g]);
        assert_int_equal(rights_of(g, pool), own[g] ? (int)(PLAN_R | PLAN_W) : -1);
        assert_int_equal(rights_of(g, "vmm/asid-pool"), -1);
    }
    vmm_plan_build(&cfg, &plan);
}

static void devices_go_to_their_guest(void **state)
{
    vmm_config_t dev = cfg;

    (void)state;
    dev.n_devices = 1;
    dev.device[0] = (vmm_device_t){ .name = "com2", .guest = DB, .n_ranges = 1,
                                    .range = { { 0x2f8, 8 } }, .n_irqs = 1, .irq = { 3 } };
    vmm_plan_build(&dev, &plan);
    assert_int_equal(rights_of(DB, "com2/ports0"), PLAN_R | PLAN_W);
    assert_int_equal(plan.object[find_object("com2/ports0")].base, 0x2f8);
    assert_int_equal(plan.object[find_object("com2/ports0")].size, 8);
    assert_int_equal(rights_of(DB, "com2/irq3"), PLAN_R | PLAN_W);
    assert_int_equal(rights_of(WEB, "com2/ports0"), -1);
    vmm_plan_build(&cfg, &plan);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(delegated_guest_holds_its_untyped),
        cmocka_unit_test(mediated_guest_holds_no_untyped_and_no_paging),
        cmocka_unit_test(guests_hold_no_grant_and_nothing_of_each_other),
        cmocka_unit_test(channels_carry_the_configured_rights),
        cmocka_unit_test(asid_pools_go_to_the_first_three_delegating_guests),
        cmocka_unit_test(devices_go_to_their_guest),
    };
    return cmocka_run_group_tests_name("vmm_plan", tests, setup_default, NULL);
}
