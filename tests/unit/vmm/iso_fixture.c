/*
 * The isolation tests' shared fixture (iso_fixture.h).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "iso_fixture.h"

int iso_fixture_setup(void **state)
{
    fixture_t *f = calloc(1, sizeof(*f));

    assert_non_null(f);
    iso_init(&f->g);
    f->vmm = iso_add_vmm(&f->g, "vmm");
    f->web = iso_add_partition(&f->g, "web");
    f->db = iso_add_partition(&f->g, "db");
    f->log = iso_add_partition(&f->g, "log");
    *state = f;
    return 0;
}

int iso_fixture_teardown(void **state)
{
    free(*state);
    return 0;
}

iso_id_t obj(fixture_t *f, iso_kind_t k, iso_id_t owner, const char *name, uint64_t base,
             uint64_t size)
{
    iso_id_t id = iso_add_object(&f->g, k, owner, name, base, size);

    assert_int_not_equal(id, ISO_NONE);
    return id;
}

iso_id_t cap(fixture_t *f, iso_id_t holder, iso_id_t target, uint8_t rights)
{
    iso_id_t id = iso_add_cap(&f->g, holder, target, rights);

    assert_int_not_equal(id, ISO_NONE);
    return id;
}

void collect(void *ctx, const char *text)
{
    fixture_t *f = ctx;
    size_t n = strlen(text);

    assert_true(f->out_len + n < sizeof(f->out));
    memcpy(f->out + f->out_len, text, n + 1);
    f->out_len += n;
}
