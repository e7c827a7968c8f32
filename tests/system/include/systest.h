/*
 * Helpers shared by the system-test suites (tests/system/<suite>/), on the
 * include path of every suite (Makefile: -Itests/system/include); their
 * code is in tests/system/common/, linked into every suite.
 */
#ifndef SYSTEST_H
#define SYSTEST_H

#include <stdbool.h>
#include <rt/test.h>
#include <rt/thread.h>
#include <sel4/sel4.h>
#include <abi/invariant.h>
#include <abi/bootinfo.h>
#include <memmgr/mm.h>
#include <memmgr/vspace.h>

/* The kernel's invariant checker found nothing. A debug kernel returns 0 or
 * the first violation's code (<abi/invariant.h>); a release kernel has no
 * checker and says so (INV_NOT_CHECKED), which passes: the suites also run
 * on the release kernel, where only behaviour is tested. */
#define EXPECT_INVARIANTS()                                             \
    do {                                                                \
        seL4_Word systest_inv_ = seL4_DebugCheckInvariants();           \
        if (systest_inv_ != INV_NOT_CHECKED)                            \
            EXPECT_EQ(systest_inv_, INV_NONE);                          \
    } while (0)

/* ---- tests/system/common/root.c: the root task's memory, through memmgr;
 * st_ for "system test", so that no suite's own names clash with them ---- */

#define ST_ROOT_META     (192u * 1024u)     /* 8 bytes a slot, 40 an untyped record */
#define ST_ROOT_MAX_UTS  1024u
/* Where st_pages() and st_thread_create() place mappings (below the
 * kernel, above the image; suites map their own frames elsewhere). */
#define ST_VADDR_BASE    0x80000000u
#define ST_VADDR_END     0xC0000000u
#define ST_VADDR_SPAN    (ST_VADDR_END - ST_VADDR_BASE)

/* What a suite allocates from: one per program, passed to every helper. */
struct st_root {
    struct mm mm;               /* bootinfo's RAM untyped and empty slots */
    struct mm_vspace vs;        /* the root task's own VSpace, adopted */
    seL4_Word next_vaddr;       /* bump region for st_pages() and threads */
    seL4_Error last_error;      /* of the last helper that returned 0 */
    uint8_t meta[ST_ROOT_META]; /* memmgr's records */
};

/* Hands memmgr bootinfo's RAM untypeds and empty slots; on failure the
 * suite ends with a failed test saying why. */
void st_root_init(struct st_root *r, bootinfo_t *bi);
/* One empty root-CNode slot, or n consecutive ones (0 when none left). */
seL4_CPtr st_slot(struct st_root *r);
seL4_CPtr st_slots(struct st_root *r, seL4_Word n);
/* A fresh object of `type` (not untyped or CNode) in the root CNode. */
seL4_CPtr st_new_object(struct st_root *r, seL4_Word type);
/* A fresh CNode of 2^radix slots. */
seL4_CPtr st_new_cnode(struct st_root *r, seL4_Word radix);
/* A whole untyped of 2^bits bytes that memmgr will not touch again; its
 * physical address in *paddr if paddr is not NULL. */
seL4_CPtr st_untyped(struct st_root *r, seL4_Word bits, seL4_Word *paddr);
/* Maps frame at vaddr in the root VSpace; memmgr only supplies the page
 * table when one is missing (the test may unmap or delete the frame). */
seL4_Error st_map_frame(struct st_root *r, seL4_CPtr frame, seL4_Word vaddr,
                        seL4_CapRights_t rights, seL4_X86_VMAttributes attr);
/* n zeroed pages mapped read-write at a new address behind an unmapped
 * guard page; NULL on failure. Frame caps go to frames[0..n) if not NULL. */
void *st_pages(struct st_root *r, seL4_Word n, seL4_CPtr *frames);
/* A suspended thread in our CSpace and VSpace (memmgr's mm_thread_create):
 * fault endpoint CPtr fault_ep (0: none), priority prio, TLS set up. */
seL4_Error st_thread_create(struct st_root *r, rt_thread_t *t, seL4_Word prio,
                            seL4_CPtr fault_ep);

/* ---- tests/system/common/threads.c ---- */

/* A copy of `src` with `rights` and `badge` in a fresh root-CNode slot. */
seL4_CPtr st_mint(struct st_root *r, seL4_CPtr src, seL4_CapRights_t rights, seL4_Word badge);
/* Creates and starts a thread in our CSpace and VSpace; 1 on success,
 * else 0 with t->tcb = 0. fault_ep 0: no fault handler. */
int st_spawn(struct st_root *r, rt_thread_t *t, seL4_Word prio, seL4_CPtr fault_ep,
             rt_thread_fn_t fn, void *arg);
/* Deletes a worker's TCB, whatever it is doing. */
void st_reap(rt_thread_t *t);
void st_set_root_prio(seL4_Word prio);
/* Drop to park_prio and back: every ready thread above park_prio runs
 * until it blocks. */
void st_park_root(seL4_Word park_prio, seL4_Word root_prio);
/* Returns at the start of a fresh time slice of ours (we run at
 * root_prio and no other thread of that priority is ready): spins until
 * the timer ends the current one. For tests that assert an order among
 * equal-priority threads. 0 if no thread could be started. */
int st_sync_fresh_slice(struct st_root *r, seL4_Word root_prio);

/* ---- tests/system/common/eventlog.c: the order in which threads ran ---- */

#define ST_LOG_MAX 32
void st_log_reset(void);
/* Appends ev (events past ST_LOG_MAX are counted, not kept). */
void st_log_ev(seL4_Word ev);
int st_log_len(void);
/* The i-th event, or (seL4_Word)-1 past the end. */
seL4_Word st_log_at(int i);
/* Fails the current test unless the log is exactly want[0..n). */
int st_log_check(const char *file, int line, const seL4_Word *want, int n);
#define EXPECT_LOG(...)                                                             \
    do {                                                                            \
        static const seL4_Word st_want_[] = { __VA_ARGS__ };                        \
        st_log_check(__FILE__, __LINE__, st_want_,                                  \
                     (int)(sizeof(st_want_) / sizeof(st_want_[0])));                \
    } while (0)

/* A release kernel: it has no invariant checker and says so (nor has it
 * the other debug-only calls: DebugCapIdentify, DebugNameThread, ...). */
static inline bool st_release_kernel(void)
{
    return seL4_DebugCheckInvariants() == INV_NOT_CHECKED;
}

/* Right after TEST_BEGIN in a test that needs a debug-only system call:
 * on a release kernel the test is reported as skipped, with the reason,
 * and the enclosing (void) function returns. */
#define SKIP_ON_RELEASE(call)                                                       \
    do {                                                                            \
        if (st_release_kernel()) {                                                  \
            TEST_SKIP("needs " call ", which only debug kernels have");             \
            return;                                                                 \
        }                                                                           \
    } while (0)

/* The same as a value, for code that reports failures its own way. */
static inline bool invariants_hold(void)
{
    seL4_Word inv = seL4_DebugCheckInvariants();

    return inv == INV_NONE || inv == INV_NOT_CHECKED;
}

#endif
