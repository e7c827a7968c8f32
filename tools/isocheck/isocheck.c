/*
 * isocheck: the isolation analysis on the host (docs/isolation.md).
 *
 *     build/tools/isocheck FILE...     (or - for standard input)
 *
 * Reads each graph description (vmm/isolation/text.c documents the
 * format), runs the same analysis the VMM links (vmm/isolation/), and
 * prints the findings, then the verdicts for every pair of partitions with
 * the shortest chain of capabilities for each one that fails.
 * Exit status: 0 if every partition is clean and every pair fully isolated
 * with clean devices, 1 if not, 2 if a file could not be read or parsed.
 *
 * A skeleton: issue 23 wants it to read a compiled .dtb and derive the
 * graph from the VMM's own plan (vmm_plan_build()); vmm/isolation/
 * from_plan.c is that bridge, compiled once the plan is on this branch.
 */
#include <vmm/isolation.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_INPUT (1u << 20)

static void emit(void *ctx, const char *text)
{
    fputs(text, (FILE *)ctx);
}

static char *slurp(const char *path, size_t *len)
{
    FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "r");
    char *buf = f != NULL ? malloc(MAX_INPUT) : NULL;

    if (buf == NULL) {
        if (f != NULL && f != stdin)
            fclose(f);
        return NULL;
    }
    *len = fread(buf, 1, MAX_INPUT, f);
    if (ferror(f) || *len == MAX_INPUT) {
        free(buf);
        buf = NULL;
    }
    if (f != stdin)
        fclose(f);
    return buf;
}

static int check(const char *path, iso_graph_t *g, iso_analysis_t *a)
{
    char err[128];
    size_t len;
    char *text = slurp(path, &len);

    if (text == NULL) {
        fprintf(stderr, "isocheck: %s: cannot read (or larger than %u bytes)\n", path, MAX_INPUT);
        return 2;
    }
    int rc = iso_parse_text(g, text, len, err, sizeof(err));
    free(text);
    if (rc != 0) {
        fprintf(stderr, "isocheck: %s: %s\n", path, err);
        return 2;
    }
    if (iso_analyse(g, a) != 0) {
        fprintf(stderr, "isocheck: %s: the graph does not fit the analysis\n", path);
        return 2;
    }
    printf("== %s: %u entities, %u capabilities\n", path, g->n_entities, g->n_caps);
    return iso_report(g, a, emit, stdout) == 0 ? 0 : 1;
}

int main(int argc, char **argv)
{
    iso_graph_t *g = malloc(sizeof(*g));
    iso_analysis_t *a = malloc(sizeof(*a));
    int worst = 0;

    if (argc < 2) {
        fprintf(stderr, "usage: isocheck FILE... (- for standard input)\n");
        return 2;
    }
    if (g == NULL || a == NULL)
        return 2;
    for (int i = 1; i < argc; i++) {
        int rc = check(argv[i], g, a);
        if (rc > worst)
            worst = rc;
    }
    free(g);
    free(a);
    return worst;
}
