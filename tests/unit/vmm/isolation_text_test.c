/* unit-test-sources: vmm/isolation/graph.c vmm/isolation/relations.c vmm/isolation/verdict.c vmm/isolation/text.c */
/*
 * The text description of isolation graphs (vmm/isolation/text.c) that the
 * host tool reads: every statement, numbers and rights, and each error
 * named with its line.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <vmm/isolation.h>

typedef struct fixture {
    iso_graph_t g;
    iso_analysis_t a;
    char err[128];
} fixture_t;

static int setup(void **state)
{
    fixture_t *f = calloc(1, sizeof(*f));
    assert_non_null(f);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    free(*state);
    return 0;
}

static int parse(fixture_t *f, const char *text)
{
    f->err[0] = '\0';
    return iso_parse_text(&f->g, text, strlen(text), f->err, sizeof(f->err));
}

static void statements_build_the_graph(void **state)
{
    fixture_t *f = *state;
    const char *text =
        "# a comment line\n"
        "vmm v\n"
        "partition web   # trailing comment\n"
        "\tpartition db\n"
        "\n"
        "object untyped ut owner=web base=0x1000000 size=65536\n"
        "object frame fr owner=db base=0x1000000 size=0x1000 parent=ut\n"
        "object irq line4 base=4 size=1\n"
        "cap web ut C\n"
        "cap db fr R,W\n"
        "cap v line4 -\n"
        "cap web db G,GR";

    assert_int_equal(parse(f, text), 0);
    assert_false(f->g.overflow);
    assert_int_equal(f->g.n_entities, 6);
    assert_int_equal(f->g.n_caps, 4);
    iso_id_t ut = iso_find(&f->g, "ut"), fr = iso_find(&f->g, "fr");
    assert_int_equal(f->g.vmm, iso_find(&f->g, "v"));
    assert_int_equal(f->g.entities[ut].kind, ISO_UNTYPED);
    assert_int_equal(f->g.entities[ut].owner, iso_find(&f->g, "web"));
    assert_int_equal(f->g.entities[ut].base, 0x1000000);
    assert_int_equal(f->g.entities[ut].size, 65536);
    assert_int_equal(f->g.entities[fr].parent, ut);
    assert_int_equal(f->g.caps[1].rights, ISO_R | ISO_W);
    assert_int_equal(f->g.caps[2].rights, 0);
    assert_int_equal(f->g.caps[3].rights, ISO_G | ISO_GR);
    /* And the analysis sees what the text says: web holds db's ancestor. */
    assert_int_equal(iso_analyse(&f->g, &f->a), 0);
    iso_verdict_t v;
    iso_pair(&f->g, &f->a, iso_find(&f->g, "web"), iso_find(&f->g, "db"), &v);
    assert_false(v.spatial);
}

static void errors_name_the_line(void **state)
{
    static const struct { const char *text, *err; } cases[] = {
        { "partition a\nfrobnicate b\n", "line 2: unknown statement" },
        { "object widget w\n", "line 1: unknown object kind" },
        { "partition a\npartition a\n", "line 2: duplicate name" },
        { "partition a b\n", "line 1: expected one name" },
        { "vmm a\nvmm b\n", "line 2: a second vmm" },
        { "object frame f owner=nobody\n", "line 1: unknown owner" },
        { "object frame f size=12x\n", "line 1: bad size" },
        { "object frame f base=0x\n", "line 1: bad base" },
        { "object frame f size=0x10000000000000000\n", "line 1: bad size" },
        { "object frame f colour=red\n", "line 1: unknown key" },
        { "object frame f loose\n", "line 1: expected key=value" },
        { "object frame f\nobject frame g parent=f\n", "line 2: parent is not an untyped" },
        { "object frame f\nobject frame g owner=f\n", "line 2: owner is not a partition or the vmm" },
        { "object frame\n", "line 1: object needs a kind and a name" },
        { "partition a\ncap a nothing R\n", "line 2: unknown holder or target" },
        { "partition a\ncap a a R,X\n", "line 2: bad rights (R,W,G,GR,C or -)" },
        { "partition a\ncap a a R,\n", "line 2: bad rights (R,W,G,GR,C or -)" },
        { "partition a\nobject frame f\ncap f a R\n", "line 3: holder is not a partition or the vmm" },
        { "partition a\ncap a a\n", "line 2: expected: cap <holder> <target> <rights>" },
        { "cap a b c d e f g h i\n", "line 1: line too long or too many words" },
    };

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        fixture_t *f = *state;
        if (parse(f, cases[i].text) != -1)
            fail_msg("case %zu accepted: %s", i, cases[i].text);
        assert_string_equal(f->err, cases[i].err);
        assert_true(f->g.overflow);
        assert_int_equal(iso_analyse(&f->g, &f->a), -1);
    }
}

static void long_line_refused(void **state)
{
    fixture_t *f = *state;
    char text[400];

    memset(text, 'x', sizeof(text) - 1);
    text[sizeof(text) - 1] = '\0';
    assert_int_equal(parse(f, text), -1);
    assert_string_equal(f->err, "line 1: line too long or too many words");
}

/* The text need not be terminated: only len bytes are read. */
static void length_bounds_the_text(void **state)
{
    fixture_t *f = *state;
    const char text[] = "partition a\npartition b\nbogus";

    assert_int_equal(iso_parse_text(&f->g, text, strlen("partition a\npartition b\n"), f->err,
                                    sizeof(f->err)), 0);
    assert_int_equal(f->g.n_entities, 2);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(statements_build_the_graph),
        T(errors_name_the_line),
        T(long_line_refused),
        T(length_bounds_the_text),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
