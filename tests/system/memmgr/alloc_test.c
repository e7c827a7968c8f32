/*
 * Allocation on the real kernel: out of memory and back, a seeded random
 * sequence against a model, release refused while live objects remain,
 * two owners disjoint.
 */
#include "memmgr_tests.h"
#include <stdio.h>
#include <string.h>

#define OOM_BITS        20
#define MAX_OBJS        1200
#define SLOTS           1400
#define RANDOM_STEPS    3000
#define RANDOM_SEED     0x2545f491u

static struct child ca, cb;
static mm_cptr_t objs[MAX_OBJS];
static uint8_t obj_type[MAX_OBJS];

/* The types a mixed workload allocates, with their size argument. */
static const uint32_t kinds[][2] = {
    { seL4_TCBObject, 0 }, { seL4_EndpointObject, 0 }, { seL4_NotificationObject, 0 },
    { seL4_CapTableObject, 4 }, { seL4_X86_4K, 0 }, { seL4_X86_PageTableObject, 0 },
    { seL4_X86_PageDirectoryObject, 0 },
};
#define NKINDS (sizeof(kinds) / sizeof(kinds[0]))

/* Everything memmgr holds is free and the kernel agrees. */
static void expect_start(struct child *c, uint32_t slots0)
{
    const struct mm_stats *s = mm_stats(&c->mm);

    mm_shrink(&c->mm);
    EXPECT_EQ(s->free, (uint64_t)1 << c->bits);
    EXPECT_EQ(s->objects_live, 0);
    EXPECT_EQ(mm_slots_free(&c->mm), slots0);
    EXPECT_TRUE(untyped_whole(c->ut, c->bits));
    EXPECT_EQ(mm_check(&c->mm), ERR_NONE);
    EXPECT_INVARIANTS();
}

static void oom_and_back(void)
{
    struct child *c = &ca;
    uint32_t n = 0, slots0, fails = 0;

    TEST_BEGIN("memmgr_oom_then_free_all_returns_to_start");
    ASSERT_TRUE(child_make(c, OOM_BITS, SLOTS));
    slots0 = mm_slots_free(&c->mm);
    /* Round-robin over the types until every one of them is refused. */
    for (uint32_t k = 0; n < MAX_OBJS && fails < NKINDS; k = (k + 1) % NKINDS) {
        mm_err_t err = mm_alloc(&c->mm, kinds[k][0], kinds[k][1], &objs[n]);

        if (err == ERR_NONE) {
            obj_type[n++] = (uint8_t)k;
            fails = 0;
        } else {
            EXPECT_EQ(err, ERR_NOT_ENOUGH_MEMORY);
            fails++;
        }
    }
    EXPECT_LT(n, MAX_OBJS);
    EXPECT_GT(n, 100);
    EXPECT_LT(mm_stats(&c->mm)->free, 4096);
    EXPECT_EQ(ident(objs[0]), TAG_TCB);
    for (uint32_t i = 0; i < n; i++)
        EXPECT_EQ(mm_free(&c->mm, objs[i]), ERR_NONE);
    expect_start(c, slots0);
    EXPECT_EQ(ident(objs[0]), TAG_NULL);
    EXPECT_EQ(mm_release_untyped(&c->mm, c->ut), ERR_NONE);
    child_done(c);
    TEST_END();
}

static uint32_t rnd(uint32_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 17;
    *s ^= *s << 5;
    return *s;
}

/* Live bytes by type as the model counts them. */
static void model_bytes(uint32_t n, uint64_t *bytes)
{
    memset(bytes, 0, sizeof(uint64_t) * seL4_ObjectTypeCount);
    for (uint32_t i = 0; i < n; i++)
        bytes[kinds[obj_type[i]][0]] += (uint64_t)1 << mm_obj_bits(kinds[obj_type[i]][0],
                                                                    kinds[obj_type[i]][1]);
}

static void random_against_model(void)
{
    struct child *c = &ca;
    uint32_t n = 0, seed = RANDOM_SEED, slots0, bad = 0;
    uint64_t bytes[seL4_ObjectTypeCount];

    TEST_BEGIN("memmgr_random_alloc_free_matches_model");
    ASSERT_TRUE(child_make(c, OOM_BITS - 1, SLOTS));
    slots0 = mm_slots_free(&c->mm);
    for (uint32_t step = 0; step < RANDOM_STEPS; step++) {
        uint32_t r = rnd(&seed), k = r % NKINDS;

        if (n > 0 && (r >> 8) % 3 == 0) {
            uint32_t i = (r >> 12) % n;

            EXPECT_EQ(mm_free(&c->mm, objs[i]), ERR_NONE);
            objs[i] = objs[--n];
            obj_type[i] = obj_type[n];
        } else if (n < MAX_OBJS && mm_alloc(&c->mm, kinds[k][0], kinds[k][1], &objs[n]) == 0) {
            obj_type[n++] = (uint8_t)k;
        }
        model_bytes(n, bytes);
        for (uint32_t t = 0; t < OBJ_NUM_TYPES; t++)
            bad += bytes[t] != mm_stats(&c->mm)->live[t];
        bad += mm_stats(&c->mm)->objects_live != n;
    }
    EXPECT_EQ(bad, 0);
    printf("memmgr: random: %u live at the end, %u retypes\n", (unsigned)n,
           (unsigned)mm_stats(&c->mm)->retypes);
    while (n > 0)
        EXPECT_EQ(mm_free(&c->mm, objs[--n]), ERR_NONE);
    expect_start(c, slots0);
    EXPECT_EQ(mm_release_untyped(&c->mm, c->ut), ERR_NONE);
    child_done(c);
    TEST_END();
}

static void release_refused_while_live(void)
{
    struct child *c = &ca;
    struct mm_stats before;
    mm_cptr_t ep, f;
    uint32_t cost;

    TEST_BEGIN("memmgr_release_untyped_refused_while_live");
    ASSERT_TRUE(child_make(c, 16, 256));
    ASSERT_EQ(mm_alloc(&c->mm, seL4_EndpointObject, 0, &ep), ERR_NONE);
    ASSERT_EQ(mm_alloc(&c->mm, seL4_X86_4K, 0, &f), ERR_NONE);
    EXPECT_EQ(mm_free(&c->mm, f), ERR_NONE);
    before = *mm_stats(&c->mm);
    EXPECT_EQ(mm_reclaimable(&c->mm, c->ut, &cost), 0);
    EXPECT_ERR(mm_release_untyped(&c->mm, c->ut), seL4_RevokeFirst);
    EXPECT_EQ(memcmp(&before, mm_stats(&c->mm), sizeof(before)), 0);
    EXPECT_EQ(ident(ep), TAG_EP);
    EXPECT_EQ(ident(f), TAG_FRAME);
    EXPECT_EQ(mm_free(&c->mm, ep), ERR_NONE);
    EXPECT_EQ(mm_reclaimable(&c->mm, c->ut, &cost), 1u << 16);
    EXPECT_GT(cost, 0);
    EXPECT_OK(mm_release_untyped(&c->mm, c->ut));
    EXPECT_EQ(ident(ep), TAG_NULL);
    EXPECT_EQ(ident(f), TAG_NULL);
    EXPECT_EQ(mm_stats(&c->mm)->held, 0);
    EXPECT_TRUE(untyped_whole(c->ut, 16));
    EXPECT_INVARIANTS();
    child_done(c);
    TEST_END();
}

static int frames_inside(struct child *c, mm_cptr_t *f, uint32_t n)
{
    for (uint32_t i = 0; i < n; i++) {
        uint32_t p = frame_paddr(f[i]);

        if (p < c->paddr || p - c->paddr >= (1u << c->bits))
            return 0;
    }
    return 1;
}

static void two_owners_disjoint(void)
{
    mm_cptr_t fa[32], fb[32];

    TEST_BEGIN("memmgr_two_owners_stay_disjoint");
    ASSERT_TRUE(child_make(&ca, 18, 256));
    ASSERT_TRUE(child_make(&cb, 18, 256));
    for (uint32_t i = 0; i < 32; i++) {
        ASSERT_EQ(mm_alloc(&ca.mm, seL4_X86_4K, 0, &fa[i]), ERR_NONE);
        ASSERT_EQ(mm_alloc(&cb.mm, seL4_X86_4K, 0, &fb[i]), ERR_NONE);
    }
    EXPECT_TRUE(frames_inside(&ca, fa, 32));
    EXPECT_TRUE(frames_inside(&cb, fb, 32));
    EXPECT_ERR(mm_free(&ca.mm, fb[0]), seL4_InvalidArgument);
    EXPECT_EQ(ident(fb[0]), TAG_FRAME);
    EXPECT_EQ(mm_stats(&ca.mm)->live[seL4_X86_4K], 32 * PAGE);
    EXPECT_EQ(mm_stats(&cb.mm)->live[seL4_X86_4K], 32 * PAGE);
    for (uint32_t i = 0; i < 32; i++) {
        EXPECT_EQ(mm_free(&ca.mm, fa[i]), ERR_NONE);
        EXPECT_EQ(mm_free(&cb.mm, fb[i]), ERR_NONE);
    }
    EXPECT_OK(mm_release_untyped(&ca.mm, ca.ut));
    EXPECT_OK(mm_release_untyped(&cb.mm, cb.ut));
    child_done(&ca);
    child_done(&cb);
    EXPECT_INVARIANTS();
    TEST_END();
}

/* A freed CNode is emptied before it is pooled, and comes back empty. */
static void cnode_made_fresh(void)
{
    struct child *c = &ca;
    mm_cptr_t cn, cn2, ep;
    const uint32_t radix = 4, slot = 3;

    TEST_BEGIN("memmgr_freed_cnode_is_emptied_and_reused");
    ASSERT_TRUE(child_make(c, 16, 256));
    ASSERT_EQ(mm_alloc(&c->mm, seL4_CapTableObject, radix, &cn), ERR_NONE);
    ASSERT_EQ(mm_alloc(&c->mm, seL4_EndpointObject, 0, &ep), ERR_NONE);
    ASSERT_OK(seL4_CNode_Copy(cn, slot, radix, ROOT, ep, DEPTH, seL4_AllRights));
    EXPECT_ERR(seL4_CNode_Copy(cn, slot, radix, ROOT, ep, DEPTH, seL4_AllRights),
               seL4_DeleteFirst);
    EXPECT_EQ(mm_free(&c->mm, cn), ERR_NONE);
    EXPECT_EQ(mm_stats(&c->mm)->dead, 0);           /* pooled, not deleted */
    ASSERT_EQ(mm_alloc(&c->mm, seL4_CapTableObject, radix, &cn2), ERR_NONE);
    EXPECT_EQ(cn2, cn);                             /* the same object again */
    EXPECT_OK(seL4_CNode_Copy(cn2, slot, radix, ROOT, ep, DEPTH, seL4_AllRights));
    EXPECT_EQ(mm_free(&c->mm, ep), ERR_NONE);        /* revokes the copy in cn2 */
    EXPECT_OK(seL4_CNode_Copy(cn2, slot, radix, ROOT, ROOT, DEPTH, seL4_AllRights));
    EXPECT_EQ(mm_free(&c->mm, cn2), ERR_NONE);
    EXPECT_OK(mm_release_untyped(&c->mm, c->ut));
    child_done(c);
    EXPECT_INVARIANTS();
    TEST_END();
}

void alloc_tests(void)
{
    cnode_made_fresh();
    oom_and_back();
    random_against_model();
    release_refused_while_live();
    two_owners_disjoint();
}
