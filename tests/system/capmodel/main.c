/*
 * Randomized system test of the capability core (issue 14): thousands of
 * random retype/copy/mint/move/mutate/rotate/delete/revoke steps on a window
 * of the root CNode, each checked against a user-level model (model.h) of
 * what every slot holds and how many bytes every untyped has left, and
 * followed by the kernel's invariant check. After each round, revoking the
 * root untypeds must empty the window and leave every root untyped fillable
 * completely, in several ways (memory conservation). revoke.c revokes a tree
 * of 131072 capabilities while a thread of the same priority counts timer
 * preemptions.
 *
 * Seeded (CAPMODEL_SEED, default 1; build with -DCAPMODEL_SEED=n for
 * another); a failing step prints the seed, round and step, and the
 * operation.
 */
#include "model.h"
#include "capmodel.h"
#include <rt/rt.h>
#include <rt/test.h>
#include <sel4/sel4.h>
#include <stdio.h>
#include <string.h>
#include <systest.h>

struct st_root mem;    /* what the tests allocate from */

#ifndef CAPMODEL_SEED
#define CAPMODEL_SEED 1u
#endif
#ifndef CAPMODEL_STEPS
#define CAPMODEL_STEPS 1000u          /* per round */
#endif
#define ROUNDS          4u
#define ROOT_UT_BITS    16u           /* each model root untyped */
#define POOL_BITS       18u           /* the untyped (from memmgr) the roots come from */

#define ROOT  seL4_CapInitThreadCNode
#define DEPTH seL4_WordBits

typedef struct cm {
    model_t m;
    uint64_t rng;
    seL4_CPtr probe;                  /* two empty slots for memory probes */
    seL4_CPtr pool;                   /* memmgr's whole untyped holding the roots */
    seL4_Word pool_bits;
    seL4_CPtr roots[MODEL_ROOTS];
    unsigned round, step;
    char op[96];                      /* the current operation, for failure messages */
    unsigned kind;                    /* the current operation's OP_* */
    uint32_t hist[8][seL4_NumErrors]; /* outcomes per operation */
} cm_t;

enum { OP_RETYPE, OP_COPY, OP_MINT, OP_MOVE, OP_MUTATE, OP_ROTATE, OP_DELETE, OP_REVOKE };
static const char *const op_name[8] = {
    "retype", "copy", "mint", "move", "mutate", "rotate", "delete", "revoke",
};

static cm_t cm;

static seL4_Word rnd(cm_t *c, seL4_Word n)
{
    uint64_t z = (c->rng += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    z ^= z >> 31;
    return n == 0 ? 0 : (seL4_Word)(((z >> 32) * (uint64_t)n) >> 32);
}

static int fail(cm_t *c, const char *what, seL4_Word got, seL4_Word want)
{
    rt_test_fail(__FILE__, __LINE__, "seed %u round %u step %u: %s: %s: got %u, model %u",
                 CAPMODEL_SEED, c->round, c->step, c->op, what, got, want);
    return 1;
}

/* NotEnoughMemory from a retype that cannot fit reports the bytes left. */
static seL4_Word probe_free(cm_t *c, seL4_CPtr ut, seL4_Word bits, seL4_Error *err)
{
    *err = seL4_Untyped_Retype(ut, seL4_UntypedObject, bits, ROOT, 0, 0, c->probe, 2);
    return seL4_GetMR(0);
}

/* Every window slot's type and every untyped's free bytes, then the kernel. */
static int check_state(cm_t *c)
{
    model_t *m = &c->m;

    for (int i = 0; i < MODEL_WIN; i++) {
        seL4_Word tag = seL4_DebugCapIdentify(model_cptr(m, i));
        if (tag != m->n[i].tag) {
            snprintf(c->op + strlen(c->op), 24, " [slot %d]", i);
            return fail(c, "slot type", tag, m->n[i].tag);
        }
    }
    for (int i = 0; i < MODEL_NODES; i++) {
        seL4_Error err;
        seL4_Word left;
        if (!m->n[i].used || m->n[i].tag != TAG_UNTYPED)
            continue;
        left = probe_free(c, model_cptr(m, i), m->n[i].bits, &err);
        if (err != seL4_NotEnoughMemory)
            return fail(c, "probe error", err, seL4_NotEnoughMemory);
        if (left != model_free_bytes(m, i)) {
            snprintf(c->op + strlen(c->op), 24, " [ut %d]", i);
            return fail(c, "untyped bytes left", left, model_free_bytes(m, i));
        }
    }
    if (!invariants_hold())
        return fail(c, "invariants", 1, 0);
    return 0;
}

static int pick_untyped(cm_t *c)
{
    int list[MODEL_NODES], n = 0;

    for (int i = 0; i < MODEL_NODES; i++)
        if (c->m.n[i].used && c->m.n[i].tag == TAG_UNTYPED)
            list[n++] = i;
    return list[rnd(c, (seL4_Word)n)];
}

static seL4_Error do_retype(cm_t *c, seL4_Error *want, seL4_Word *mem_want)
{
    static const seL4_Word types[] = { 0, 0, 1, 2, 2, 3, 3, 4, 5, 6, 7, 8 };
    int ut = pick_untyped(c);
    seL4_Word type = types[rnd(c, sizeof(types) / sizeof(types[0]))], bits = 0;
    seL4_Word num = 1 + rnd(c, 4);
    int dst = (int)rnd(c, MODEL_WIN - num + 1);
    seL4_Error err;

    if (type == seL4_UntypedObject)
        bits = 4 + rnd(c, c->m.n[ut].bits - 3);
    else if (type == seL4_CapTableObject)
        bits = 1 + rnd(c, 4);
    c->kind = OP_RETYPE;
    snprintf(c->op, sizeof(c->op), "retype ut %d type %u bits %u -> %d x%u", ut, type, bits,
             dst, num);
    err = seL4_Untyped_Retype(model_cptr(&c->m, ut), type, bits, ROOT, 0, 0,
                              model_cptr(&c->m, dst), num);
    *want = model_retype(&c->m, ut, type, bits, dst, num);
    *mem_want = model_free_bytes(&c->m, ut);
    return err;
}

/* A window slot; most of the time one that holds a capability. */
static int pick_slot(cm_t *c, unsigned used_percent)
{
    int list[MODEL_WIN], n = 0;

    for (int i = 0; i < MODEL_WIN; i++)
        if (c->m.n[i].used)
            list[n++] = i;
    if (n == 0 || rnd(c, 100) >= used_percent)
        return (int)rnd(c, MODEL_WIN);
    return list[rnd(c, (seL4_Word)n)];
}

/* One random operation; 0 if kernel and model agree. */
static int random_step(cm_t *c)
{
    model_t *m = &c->m;
    int d = pick_slot(c, 20), s = pick_slot(c, 85), p = pick_slot(c, 85);
    seL4_CPtr dc = model_cptr(m, d), sc = model_cptr(m, s), pc = model_cptr(m, p);
    seL4_Word badge = rnd(c, 4) == 0 ? 0 : 1 + rnd(c, 1000);
    seL4_Word r = rnd(c, 100), mem_want = 0;
    seL4_Error err, want;

    /* A CNode's badge argument is its guard: keep it valid (0). */
    if (m->n[s].used && !(m->n[s].tag == TAG_ENDPOINT || m->n[s].tag == TAG_NOTIFICATION))
        badge = 0;
    if (r < 25) {
        err = do_retype(c, &want, &mem_want);
    } else if (r < 37) {
        c->kind = OP_COPY;
        snprintf(c->op, sizeof(c->op), "copy %d -> %d", s, d);
        err = seL4_CNode_Copy(ROOT, dc, DEPTH, ROOT, sc, DEPTH, seL4_AllRights);
        want = model_copy(m, d, s, 0, 0);
    } else if (r < 49) {
        c->kind = OP_MINT;
        snprintf(c->op, sizeof(c->op), "mint %d -> %d badge %u", s, d, badge);
        err = seL4_CNode_Mint(ROOT, dc, DEPTH, ROOT, sc, DEPTH, seL4_AllRights, badge);
        want = model_copy(m, d, s, 1, badge);
    } else if (r < 58) {
        c->kind = OP_MOVE;
        snprintf(c->op, sizeof(c->op), "move %d -> %d", s, d);
        err = seL4_CNode_Move(ROOT, dc, DEPTH, ROOT, sc, DEPTH);
        want = model_move(m, d, s, 0);
    } else if (r < 64) {
        c->kind = OP_MUTATE;
        snprintf(c->op, sizeof(c->op), "mutate %d -> %d", s, d);
        err = seL4_CNode_Mutate(ROOT, dc, DEPTH, ROOT, sc, DEPTH, 0);
        want = model_move(m, d, s, 1);
    } else if (r < 70) {
        if (rnd(c, 2))
            d = s, dc = sc;                   /* a swap */
        c->kind = OP_ROTATE;
        snprintf(c->op, sizeof(c->op), "rotate %d -> %d -> %d", s, p, d);
        err = seL4_CNode_Rotate(ROOT, dc, DEPTH, 0, ROOT, pc, DEPTH, 0, ROOT, sc, DEPTH);
        want = model_rotate(m, d, p, s);
    } else if (r < 82) {
        c->kind = OP_DELETE;
        snprintf(c->op, sizeof(c->op), "delete %d", d);
        err = seL4_CNode_Delete(ROOT, dc, DEPTH);
        want = model_delete(m, d);
    } else {
        int t = rnd(c, 8) == 0 ? MODEL_WIN + (int)rnd(c, MODEL_ROOTS) : d;
        c->kind = OP_REVOKE;
        snprintf(c->op, sizeof(c->op), "revoke %d", t);
        err = seL4_CNode_Revoke(ROOT, model_cptr(m, t), DEPTH);
        want = model_revoke(m, t);
    }
    if (err != want)
        return fail(c, "error", err, want);
    if (err < seL4_NumErrors)
        c->hist[c->kind][err]++;
    if (err == seL4_NotEnoughMemory && seL4_GetMR(0) != mem_want)
        return fail(c, "NotEnoughMemory bytes left", seL4_GetMR(0), mem_want);
    return check_state(c);
}

static int setup(cm_t *c)
{
    seL4_CPtr win;

    c->rng = ((uint64_t)CAPMODEL_SEED << 32) | 0x1234567u;
    c->probe = st_slots(&mem, 2);
    if (c->probe == 0)
        return 1;
    for (unsigned r = 0; r < MODEL_ROOTS; r++)
        c->roots[r] = st_slot(&mem);
    win = st_slots(&mem, MODEL_WIN);
    if (win == 0)
        return 2;
    c->pool = st_untyped(&mem, POOL_BITS, NULL);
    if (c->pool == 0)
        return 3;
    c->pool_bits = POOL_BITS;
    if (seL4_Untyped_Retype(c->pool, seL4_UntypedObject, ROOT_UT_BITS, ROOT, 0, 0, c->roots[0],
                            MODEL_ROOTS) != seL4_NoError)
        return 4;
    model_init(&c->m, win, c->roots, ROOT_UT_BITS);
    return 0;
}

/* Fills untyped ut (2^bits, no children) with 2^k objects of 2^(bits-k)
 * bytes each, checks that nothing is left, and revokes. */
static int fill_completely(cm_t *c, seL4_CPtr ut, seL4_Word bits, seL4_Word type, seL4_Word k)
{
    seL4_Word n = (seL4_Word)1 << k, obj_bits = bits - k;
    seL4_Error err;
    seL4_Word left;

    snprintf(c->op, sizeof(c->op), "fill ut %u (2^%u) with %u objects of type %u", ut, bits,
             n, type);
    err = seL4_Untyped_Retype(ut, type, type == seL4_UntypedObject ? obj_bits : 0, ROOT, 0, 0,
                              c->m.win, n);
    if (err != seL4_NoError)
        return fail(c, "fill", err, seL4_NoError);
    left = probe_free(c, ut, 4, &err);
    if (err != seL4_NotEnoughMemory || left != 0)
        return fail(c, "bytes left after a complete fill", left, 0);
    if (!invariants_hold())
        return fail(c, "invariants", 1, 0);
    err = seL4_CNode_Revoke(ROOT, ut, DEPTH);
    if (err != seL4_NoError)
        return fail(c, "revoke after fill", err, seL4_NoError);
    return 0;
}

/* Revoke the roots: the window empties and each root fills completely again. */
static int conservation(cm_t *c)
{
    model_t *m = &c->m;

    for (int r = 0; r < MODEL_ROOTS; r++) {
        snprintf(c->op, sizeof(c->op), "revoke root %d", r);
        if (seL4_CNode_Revoke(ROOT, c->roots[r], DEPTH) != seL4_NoError)
            return fail(c, "revoke root", 1, 0);
        model_revoke(m, MODEL_WIN + r);
    }
    snprintf(c->op, sizeof(c->op), "after revoking the roots");
    for (int i = 0; i < MODEL_WIN; i++)
        if (m->n[i].used)
            return fail(c, "model keeps a slot after revoking every root", (seL4_Word)i, 0);
    if (check_state(c))
        return 1;
    for (int r = 0; r < MODEL_ROOTS; r++) {
        if (fill_completely(c, c->roots[r], ROOT_UT_BITS, seL4_UntypedObject, 4) ||
            fill_completely(c, c->roots[r], ROOT_UT_BITS, seL4_X86_4K, ROOT_UT_BITS - 12) ||
            fill_completely(c, c->roots[r], ROOT_UT_BITS, seL4_UntypedObject, 6) ||
            fill_completely(c, c->roots[r], ROOT_UT_BITS, seL4_TCBObject, ROOT_UT_BITS - 11))
            return 1;
        m->n[MODEL_WIN + r].wm = 0;
    }
    return check_state(c);
}

static void test_random_model(void)
{
    cm_t *c = &cm;
    int err;

    TEST_BEGIN("capmodel/random_steps_and_conservation");
    err = setup(c);
    if (err) {
        rt_test_fail(__FILE__, __LINE__, "setup failed (%d)", err);
        TEST_END();
        return;
    }
    printf("capmodel: seed %u, %u rounds of %u steps\n", CAPMODEL_SEED, ROUNDS, CAPMODEL_STEPS);
    for (c->round = 0; c->round < ROUNDS; c->round++) {
        for (c->step = 0; c->step < CAPMODEL_STEPS; c->step++)
            if (random_step(c))
                goto out;
        if (conservation(c))
            goto out;
    }
    for (unsigned k = 0; k < 8; k++) {
        printf("capmodel: %-7s", op_name[k]);
        for (unsigned e = 0; e < seL4_NumErrors; e++)
            if (c->hist[k][e])
                printf(" %s:%u", rt_error_name(e), c->hist[k][e]);
        printf("\n");
    }
    /* Finally the pool the roots came from: revoke it and fill it. */
    snprintf(c->op, sizeof(c->op), "revoke the pool");
    if (seL4_CNode_Revoke(ROOT, c->pool, DEPTH) == seL4_NoError)
        fill_completely(c, c->pool, c->pool_bits, seL4_UntypedObject, 4);
    else
        fail(c, "revoke pool", 1, 0);
out:
    TEST_END();
}

int main(bootinfo_t *bi)
{
    st_root_init(&mem, bi);
    test_random_model();
    capmodel_big_revoke();
    tests_done();
}
