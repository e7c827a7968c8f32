/*
 * A plain-text description of an isolation graph, for hand-written
 * examples, tests and the host tool (tools/isocheck) until the VMM's plan
 * feeds it directly (vmm/isolation/from_plan.c). One statement per line,
 * words separated by blanks, '#' starts a comment:
 *
 *   vmm <name>
 *   partition <name>
 *   object <kind> <name> [owner=<subject>] [base=<n>] [size=<n>] [parent=<untyped>]
 *   cap <holder> <target> <rights>
 *
 * <kind> is a name iso_kind_name() prints ("endpoint", "untyped", ...);
 * numbers are decimal or 0x-hex; <rights> is a comma-separated list of R,
 * W, G, GR, C, or "-" for none. Names refer to earlier lines. The parser
 * stops at the first error and says which line and what is wrong.
 */
#include <vmm/isolation.h>
#include <stdio.h>
#include <string.h>

#define MAX_WORDS   8
#define TEXT_LINE_MAX    256

typedef struct line {
    char buf[TEXT_LINE_MAX];
    char *word[MAX_WORDS];
    unsigned n;
} line_t;

static bool is_blank(char c)
{
    return c == ' ' || c == '\t' || c == '\r';
}

/* Copies one line (without '\n') and splits it; false if too long. */
static bool split(const char *s, size_t len, line_t *l)
{
    char *p = l->buf;

    l->n = 0;
    if (len >= TEXT_LINE_MAX)
        return false;
    memcpy(l->buf, s, len);
    l->buf[len] = '\0';
    char *hash = strchr(l->buf, '#');
    if (hash != NULL)
        *hash = '\0';
    while (*p != '\0') {
        while (is_blank(*p))
            *p++ = '\0';
        if (*p == '\0')
            break;
        if (l->n == MAX_WORDS)
            return false;
        l->word[l->n++] = p;
        while (*p != '\0' && !is_blank(*p))
            p++;
    }
    return true;
}

static bool parse_number(const char *s, uint64_t *out)
{
    uint64_t v = 0;
    unsigned base = 10;

    if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
        base = 16;
        s += 2;
    }
    if (*s == '\0')
        return false;
    for (; *s != '\0'; s++) {
        unsigned d;
        if (*s >= '0' && *s <= '9')
            d = (unsigned)(*s - '0');
        else if (base == 16 && *s >= 'a' && *s <= 'f')
            d = (unsigned)(*s - 'a' + 10);
        else if (base == 16 && *s >= 'A' && *s <= 'F')
            d = (unsigned)(*s - 'A' + 10);
        else
            return false;
        if (v > (UINT64_MAX - d) / base)
            return false;
        v = v * base + d;
    }
    *out = v;
    return true;
}

static bool parse_rights(const char *s, uint8_t *out)
{
    static const struct { const char *name; uint8_t bit; } names[] = {
        { "R", ISO_R }, { "W", ISO_W }, { "G", ISO_G }, { "GR", ISO_GR }, { "C", ISO_C },
    };

    *out = 0;
    if (strcmp(s, "-") == 0)
        return true;
    for (;;) {
        const char *end = strchr(s, ',');
        size_t n = end != NULL ? (size_t)(end - s) : strlen(s);
        size_t i;
        /* An empty name ("R,", ",W") matches nothing. */
        for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
            if (strlen(names[i].name) == n && strncmp(s, names[i].name, n) == 0)
                break;
        if (i == sizeof(names) / sizeof(names[0]))
            return false;
        *out |= names[i].bit;
        if (end == NULL)
            return true;
        s = end + 1;
    }
}

static bool parse_kind(const char *s, iso_kind_t *out)
{
    for (int k = ISO_CNODE; k < ISO_NUM_KINDS; k++) {
        if (strcmp(s, iso_kind_name((iso_kind_t)k)) == 0) {
            *out = (iso_kind_t)k;
            return true;
        }
    }
    return false;
}

/* key=value words after an object's name. */
static const char *object_options(iso_graph_t *g, const line_t *l, iso_id_t *owner,
                                  uint64_t *base, uint64_t *size, iso_id_t *parent)
{
    for (unsigned i = 3; i < l->n; i++) {
        const char *w = l->word[i], *eq = strchr(w, '=');
        if (eq == NULL)
            return "expected key=value";
        const char *v = eq + 1;
        size_t k = (size_t)(eq - w);
        if (k == 5 && strncmp(w, "owner", k) == 0) {
            if ((*owner = iso_find(g, v)) == ISO_NONE)
                return "unknown owner";
        } else if (k == 6 && strncmp(w, "parent", k) == 0) {
            if ((*parent = iso_find(g, v)) == ISO_NONE)
                return "unknown parent";
        } else if (k == 4 && strncmp(w, "base", k) == 0) {
            if (!parse_number(v, base))
                return "bad base";
        } else if (k == 4 && strncmp(w, "size", k) == 0) {
            if (!parse_number(v, size))
                return "bad size";
        } else {
            return "unknown key";
        }
    }
    return NULL;
}

static const char *parse_object(iso_graph_t *g, const line_t *l)
{
    iso_kind_t kind;
    iso_id_t owner = ISO_NONE, parent = ISO_NONE;
    uint64_t base = 0, size = 0;

    if (l->n < 3)
        return "object needs a kind and a name";
    if (!parse_kind(l->word[1], &kind))
        return "unknown object kind";
    if (iso_find(g, l->word[2]) != ISO_NONE)
        return "duplicate name";
    const char *err = object_options(g, l, &owner, &base, &size, &parent);
    if (err != NULL)
        return err;
    if (owner != ISO_NONE && g->entities[owner].kind != ISO_PARTITION &&
        g->entities[owner].kind != ISO_VMM)
        return "owner is not a partition or the vmm";
    if (parent != ISO_NONE && g->entities[parent].kind != ISO_UNTYPED)
        return "parent is not an untyped";
    iso_id_t id = iso_add_object(g, kind, owner, l->word[2], base, size);
    if (id == ISO_NONE)
        return "too many entities";
    if (parent != ISO_NONE)
        iso_set_parent(g, id, parent);
    return NULL;
}

static const char *parse_statement(iso_graph_t *g, const line_t *l)
{
    const char *what = l->word[0];

    if (strcmp(what, "vmm") == 0 || strcmp(what, "partition") == 0) {
        if (l->n != 2)
            return "expected one name";
        if (iso_find(g, l->word[1]) != ISO_NONE)
            return "duplicate name";
        if (strcmp(what, "vmm") == 0 && g->vmm != ISO_NONE)
            return "a second vmm";
        iso_id_t id = what[0] == 'v' ? iso_add_vmm(g, l->word[1])
                                     : iso_add_partition(g, l->word[1]);
        return id == ISO_NONE ? "too many partitions" : NULL;
    }
    if (strcmp(what, "object") == 0)
        return parse_object(g, l);
    if (strcmp(what, "cap") == 0) {
        uint8_t rights;
        if (l->n != 4)
            return "expected: cap <holder> <target> <rights>";
        iso_id_t h = iso_find(g, l->word[1]), t = iso_find(g, l->word[2]);
        if (h == ISO_NONE || t == ISO_NONE)
            return "unknown holder or target";
        if (!parse_rights(l->word[3], &rights))
            return "bad rights (R,W,G,GR,C or -)";
        return iso_add_cap(g, h, t, rights) == ISO_NONE ? "holder is not a partition or the vmm"
                                                        : NULL;
    }
    return "unknown statement";
}

int iso_parse_text(iso_graph_t *g, const char *text, size_t len, char *err, size_t err_len)
{
    line_t l;
    unsigned lineno = 0;
    size_t at = 0;

    iso_init(g);
    while (at < len) {
        const char *nl = memchr(text + at, '\n', len - at);
        size_t n = nl != NULL ? (size_t)(nl - (text + at)) : len - at;
        const char *why = NULL;
        lineno++;
        if (!split(text + at, n, &l))
            why = "line too long or too many words";
        else if (l.n > 0)
            why = parse_statement(g, &l);
        if (why != NULL) {
            snprintf(err, err_len, "line %u: %s", lineno, why);
            iso_refuse(g, ISO_LIMIT_BAD_INPUT);
            return -1;
        }
        at += n + 1;
    }
    return 0;
}
