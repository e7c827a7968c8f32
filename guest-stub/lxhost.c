/*
 * The Linux personality's host interface (lx_host_ops_t, guest-stub/linux/
 * lx.h) over memmgr: what the pure core asks of the world, done with the
 * guest's own untypeds and seL4 calls.
 *
 * Process memory. Each Linux process has its own VSpace (a page directory
 * memmgr makes from the guest's untypeds and assigns to the guest's ASID
 * pool). Each of its pages is one frame the guest owns, mapped twice: the
 * original capability in the guest kernel's own space at SHADOW_BASE plus
 * the frame's physical address (so no allocator of guest addresses is
 * needed, and a copy to or from the process is a memcpy; the address comes
 * from X86_Page_GetAddress), and a copy of the
 * capability in the process's space with the page's rights (none: not
 * mapped there, the frame is kept). A software table per process (a
 * directory of 768 tables of 1024 entries, made on first use) says which
 * frame backs which user page with which LX_PROT_* rights, so copies
 * honour the rights as Linux's copy_to_user does: -EFAULT for a page the
 * process could not read (or write) itself.
 *
 * The guest kernel's own memory (alloc/free): a first-fit free list over an
 * arena at HEAP_BASE that grows a page at a time with frames from memmgr;
 * free blocks are kept in address order and merged with their neighbours.
 * free() is told the size, so blocks carry no header.
 */
#include <guest/guest.h>
#include <guest/lxhost.h>
#include <memmgr/mm.h>
#include <memmgr/vspace.h>
#include <sel4/sel4.h>
#include <vmm/tsc.h>
#include <string.h>
#include "linux/lx.h"
#include "linux/mman.h"
#include "linux/misc.h"

#define PG              4096u
#define HEAP_BASE       0x44000000u     /* the guest kernel's heap, growing up */
#define HEAP_LIMIT      0x4c000000u
#define SHADOW_BASE     0x50000000u     /* + a frame's physical address */
#define SHADOW_SPAN     0x10000000u     /* frames below 256 MiB physical */
#define USER_PDES       768u            /* 3 GiB of user space in 4 MiB steps */
#define PTES            1024u
#define CAP_DEPTH       32u
#define TSC_PER_US      1000u           /* assumed 1 GHz: no calibration yet */
#define EPOCH_NS        1767225600000000000ull  /* 2026-01-01T00:00:00Z */
#define FIXED_STEP_NS   1000000u        /* clock=fixed: each reading 1 ms after the last */
#define FIXED_SEED      0x9e3779b97f4a7c15ull   /* clock=fixed: the random seed */
#define BLOCK_ALIGN     16u

typedef struct ppage {
    mm_cptr_t frame;            /* 0: no page */
    mm_cptr_t copy;             /* mapped in the process; 0 while PROT_NONE */
    uint32_t paddr;
    uint32_t prot;
} ppage_t;

struct lxh_space {
    struct mm_vspace vs;
    ppage_t *dir[USER_PDES];
    uint32_t pages;
};

typedef struct fblk {
    uint32_t size;
    struct fblk *next;
} fblk_t;

static struct {
    struct mm *mm;
    struct mm_vspace *vs;       /* the guest kernel's own */
    mm_cptr_t root;
    fblk_t *free;
    uint32_t heap_top;
    uint64_t rnd;
    uint64_t tsc0;
    bool fixed;                 /* clock=fixed (lxh_fixed_clock) */
    uint64_t fixed_ns;          /* the fixed clock's last reading */
} H;

/* ------------------------------------------------------------------ */
/* The guest kernel's heap                                             */

static void heap_insert(uint32_t addr, uint32_t size)
{
    fblk_t **link = &H.free, *prev = NULL, *b = (fblk_t *)addr;

    while (*link && (uint32_t)*link < addr) {
        prev = *link;
        link = &(*link)->next;
    }
    b->size = size;
    b->next = *link;
    *link = b;
    if (b->next && addr + size == (uint32_t)b->next) {
        b->size += b->next->size;
        b->next = b->next->next;
    }
    if (prev && (uint32_t)prev + prev->size == addr) {
        prev->size += b->size;
        prev->next = b->next;
    }
}

/* One more page at the top of the heap; false when memory is spent. */
static bool heap_grow(void)
{
    mm_cptr_t f;

    if (H.heap_top >= HEAP_LIMIT || mm_alloc(H.mm, OBJ_X86_4K, 0, &f) != ERR_NONE)
        return false;
    if (mm_vspace_map(H.vs, f, H.heap_top, MM_RW, 0, 0) != ERR_NONE) {
        mm_free(H.mm, f);
        return false;
    }
    heap_insert(H.heap_top, PG);
    H.heap_top += PG;
    return true;
}

static uint32_t block_size(uint32_t bytes)
{
    uint32_t n = (bytes + BLOCK_ALIGN - 1) & ~(BLOCK_ALIGN - 1);

    return n < sizeof(fblk_t) ? BLOCK_ALIGN : n;
}

static void *heap_alloc(void *ctx, uint32_t bytes)
{
    uint32_t n = block_size(bytes);

    (void)ctx;
    if (bytes == 0 || bytes > HEAP_LIMIT - HEAP_BASE)
        return NULL;
    for (;;) {
        for (fblk_t **link = &H.free; *link; link = &(*link)->next) {
            fblk_t *b = *link;
            if (b->size < n)
                continue;
            if (b->size > n) {         /* sizes are multiples of BLOCK_ALIGN */
                fblk_t *rest = (fblk_t *)((uint32_t)b + n);
                rest->size = b->size - n;
                rest->next = b->next;
                *link = rest;
            } else {
                *link = b->next;
            }
            memset(b, 0, n);
            return b;
        }
        /* Grow until the block at the top is large enough. */
        uint32_t need = (n + PG - 1) / PG;
        for (uint32_t i = 0; i < need; i++)
            if (!heap_grow())
                return NULL;
    }
}

static void heap_free(void *ctx, void *p, uint32_t bytes)
{
    uint32_t n = block_size(bytes);

    (void)ctx;
    if (p == NULL)
        return;
    heap_insert((uint32_t)p, n);
}

/* ------------------------------------------------------------------ */
/* Process address spaces                                              */

static ppage_t *pte(lxh_space_t *s, uint32_t va, bool make)
{
    uint32_t d = va >> 22;

    if (d >= USER_PDES)
        return NULL;
    if (!s->dir[d]) {
        if (!make)
            return NULL;
        s->dir[d] = heap_alloc(NULL, PTES * sizeof(ppage_t));
        if (!s->dir[d])
            return NULL;
    }
    return &s->dir[d][(va >> 12) & (PTES - 1)];
}

static uint8_t *shadow(const ppage_t *e)
{
    return (uint8_t *)(SHADOW_BASE + e->paddr);
}

static uint32_t rights_of(uint32_t prot)
{
    return (prot & LX_PROT_WRITE) ? MM_RW : MM_RO;
}

/* Maps the page's capability copy into the process (prot not none). */
static int show(lxh_space_t *s, ppage_t *e, uint32_t va)
{
    mm_cptr_t slot;

    if (mm_slot_alloc(H.mm, &slot) != ERR_NONE)
        return LX_ERR(LX_ENOMEM);
    if (seL4_CNode_Copy(H.root, slot, CAP_DEPTH, H.root, e->frame, CAP_DEPTH,
                        seL4_AllRights) != seL4_NoError) {
        mm_slot_free(H.mm, slot);
        return LX_ERR(LX_ENOMEM);
    }
    if (mm_vspace_map(&s->vs, slot, va, rights_of(e->prot), 0, 0) != ERR_NONE) {
        seL4_CNode_Delete(H.root, slot, CAP_DEPTH);
        mm_slot_free(H.mm, slot);
        return LX_ERR(LX_ENOMEM);
    }
    e->copy = slot;
    return 0;
}

static void hide(lxh_space_t *s, ppage_t *e, uint32_t va)
{
    if (!e->copy)
        return;
    mm_vspace_unmap(&s->vs, va);
    seL4_CNode_Delete(H.root, e->copy, CAP_DEPTH);
    mm_slot_free(H.mm, e->copy);
    e->copy = 0;
}

static void page_release(lxh_space_t *s, ppage_t *e, uint32_t va)
{
    if (!e->frame)
        return;
    hide(s, e, va);
    mm_vspace_unmap(H.vs, SHADOW_BASE + e->paddr);
    mm_free(H.mm, e->frame);
    memset(e, 0, sizeof(*e));
    s->pages--;
}

static int page_new(lxh_space_t *s, uint32_t va, uint32_t prot)
{
    ppage_t *e = pte(s, va, true);
    mm_cptr_t f;
    uint32_t pa;

    if (!e)
        return LX_ERR(LX_ENOMEM);
    page_release(s, e, va);
    if (mm_alloc(H.mm, OBJ_X86_4K, 0, &f) != ERR_NONE)
        return LX_ERR(LX_ENOMEM);
    seL4_X86_Page_GetAddress_t ga = seL4_X86_Page_GetAddress(f);
    pa = ga.error ? SHADOW_SPAN : ga.paddr;
    if (pa >= SHADOW_SPAN || mm_vspace_map(H.vs, f, SHADOW_BASE + pa, MM_RW, 0, 0) != ERR_NONE) {
        mm_free(H.mm, f);
        return LX_ERR(LX_ENOMEM);
    }
    *e = (ppage_t){ .frame = f, .paddr = pa, .prot = prot };
    memset(shadow(e), 0, PG);       /* pooled frames keep old contents */
    s->pages++;
    if (prot != LX_PROT_NONE) {
        int err = show(s, e, va);
        if (err) {
            page_release(s, e, va);
            return err;
        }
    }
    return 0;
}

static int op_map_zero(void *space, uint32_t va, uint32_t len, uint32_t prot)
{
    for (uint32_t a = va; a - va < len; a += PG) {
        int err = page_new(space, a, prot);
        if (err) {
            for (uint32_t b = va; b != a; b += PG)
                page_release(space, pte(space, b, false), b);
            return err;
        }
    }
    return 0;
}

static int op_unmap(void *space, uint32_t va, uint32_t len)
{
    for (uint32_t a = va; a - va < len; a += PG) {
        ppage_t *e = pte(space, a, false);
        if (e)
            page_release(space, e, a);
    }
    return 0;
}

static int op_protect(void *space, uint32_t va, uint32_t len, uint32_t prot)
{
    lxh_space_t *s = space;

    for (uint32_t a = va; a - va < len; a += PG) {
        ppage_t *e = pte(s, a, false);
        int err = 0;

        if (!e || !e->frame)
            continue;
        if (prot == LX_PROT_NONE) {
            hide(s, e, a);
            e->prot = prot;
        } else if (!e->copy) {
            e->prot = prot;
            err = show(s, e, a);
        } else if (rights_of(prot) != rights_of(e->prot)) {
            e->prot = prot;
            if (mm_vspace_protect(&s->vs, a, rights_of(prot)) != ERR_NONE)
                err = LX_ERR(LX_ENOMEM);
        } else {
            e->prot = prot;
        }
        if (err)
            return err;
    }
    return 0;
}

/* Copies between guest memory and user pages; want is the right needed. */
static int user_copy(lxh_space_t *s, uint32_t uaddr, uint8_t *buf, uint32_t len, bool out)
{
    while (len) {
        ppage_t *e = pte(s, uaddr, false);
        uint32_t off = uaddr & (PG - 1), n = PG - off;

        if (n > len)
            n = len;
        if (!e || !e->frame || e->prot == LX_PROT_NONE ||
            (out && !(e->prot & LX_PROT_WRITE)))
            return LX_ERR(LX_EFAULT);
        if (out)
            memcpy(shadow(e) + off, buf, n);
        else
            memcpy(buf, shadow(e) + off, n);
        uaddr += n;
        buf += n;
        len -= n;
    }
    return 0;
}

static int op_copy_in(void *space, void *dst, uint32_t uaddr, uint32_t len)
{
    return user_copy(space, uaddr, dst, len, false);
}

static int op_copy_out(void *space, uint32_t uaddr, const void *src, uint32_t len)
{
    return user_copy(space, uaddr, (uint8_t *)src, len, true);
}

int lxh_space_create(lxh_space_t **out)
{
    lxh_space_t *s = heap_alloc(NULL, sizeof(*s));

    if (!s)
        return LX_ERR(LX_ENOMEM);
    if (mm_vspace_create(H.mm, &s->vs, VMM_SLOT_ASID_POOL) != ERR_NONE) {
        heap_free(NULL, s, sizeof(*s));
        return LX_ERR(LX_ENOMEM);
    }
    *out = s;
    return 0;
}

struct mm_vspace *lxh_space_vspace(lxh_space_t *s)
{
    return &s->vs;
}

uint32_t lxh_space_pages(const lxh_space_t *s)
{
    return s->pages;
}

void lxh_space_destroy(lxh_space_t *s)
{
    for (uint32_t d = 0; d < USER_PDES; d++) {
        if (!s->dir[d])
            continue;
        for (uint32_t i = 0; i < PTES; i++)
            page_release(s, &s->dir[d][i], (d << 22) | (i << 12));
        heap_free(NULL, s->dir[d], PTES * sizeof(ppage_t));
    }
    mm_vspace_destroy(&s->vs);
    heap_free(NULL, s, sizeof(*s));
}

/* ------------------------------------------------------------------ */
/* Console, clock, randomness, log                                     */

static int32_t op_console_write(void *ctx, const void *buf, uint32_t len)
{
    (void)ctx;
    guest_console_write(buf, len);
    return (int32_t)len;
}

static int32_t op_console_read(void *ctx, void *buf, uint32_t len)
{
    (void)ctx;
    (void)buf;
    (void)len;
    return 0;           /* no console input reaches a guest yet: end of file */
}

static uint64_t op_now_ns(void *ctx, int clock)
{
    uint64_t ns = H.fixed ? (H.fixed_ns += FIXED_STEP_NS)
                          : (vmm_rdtsc() - H.tsc0) * 1000u / TSC_PER_US;

    (void)ctx;
    if (clock == LX_CLOCK_REALTIME || clock == LX_CLOCK_REALTIME_COARSE)
        return EPOCH_NS + ns;
    return ns;
}

/* xorshift64*, seeded from the time-stamp counter (a constant under
 * clock=fixed): not for cryptography. */
static void op_random(void *ctx, void *buf, uint32_t len)
{
    uint8_t *b = buf;

    (void)ctx;
    for (uint32_t i = 0; i < len; i++) {
        H.rnd ^= H.rnd >> 12;
        H.rnd ^= H.rnd << 25;
        H.rnd ^= H.rnd >> 27;
        b[i] = (uint8_t)((H.rnd * 0x2545F4914F6CDD1Dull) >> 56);
    }
}

static void op_log(void *ctx, const char *what, uint32_t value)
{
    (void)ctx;
    gprintf("guest-stub: %s %u\n", what, value);
}

static const lx_host_ops_t ops = {
    .copy_in = op_copy_in,
    .copy_out = op_copy_out,
    .map_zero = op_map_zero,
    .unmap = op_unmap,
    .protect = op_protect,
    .alloc = heap_alloc,
    .free = heap_free,
    .console_write = op_console_write,
    .console_read = op_console_read,
    .now_ns = op_now_ns,
    .random = op_random,
    .log = op_log,
};

const lx_host_ops_t *lxh_init(struct mm *mm, struct mm_vspace *own, mm_cptr_t cspace)
{
    H.mm = mm;
    H.vs = own;
    H.root = cspace;
    H.free = NULL;
    H.heap_top = HEAP_BASE;
    H.tsc0 = H.fixed ? 0 : vmm_rdtsc();
    H.rnd = (H.fixed ? FIXED_SEED : H.tsc0) | 1;
    return &ops;
}

void lxh_fixed_clock(void)
{
    H.fixed = true;
    H.fixed_ns = 0;
}

uint32_t lxh_heap_bytes(void)
{
    return H.heap_top - HEAP_BASE;
}
