/*
 * The Linux personality's host interface (lx_host_ops_t, guest-stub/linux/
 * lx.h): what the pure core asks of the world, done with kernel objects a
 * backend makes (guest/lxback.h): memmgr's over the guest's own untypeds
 * under delegated (lxdelegated.c), the VMM's under mediated
 * (lxmediated.c). Nothing here depends on which.
 *
 * Process memory. Each Linux process has its own address space (the
 * backend's). Each of its pages is one frame the guest owns, mapped in the
 * process's space with the page's rights (none: not mapped there, the
 * frame is kept) and, once the guest kernel has to read or write it (a
 * page filled from a file, a copy-on-write copy, a clear, a copy to or
 * from the process), in the guest kernel's own space at SHADOW_BASE plus
 * the frame's key (so no allocator of guest addresses is needed, and a
 * copy to or from the process is a memcpy); it stays there while the
 * guest holds the frame. A frame's own capability maps it in the first
 * process entry that shows it (PG_OWN), any other mapping is a copy:
 * an anonymous page's first touch with a frame memmgr's retype left zero
 * is one mapping, no copy, no clear, no shadow. A software table per process
 * (a directory of 768 tables of 1024 entries, made on first use) says which
 * frame backs which user page with which LX_PROT_* rights, so copies
 * honour the rights as Linux's copy_to_user does: -EFAULT for a page the
 * process could not read (or write) itself.
 *
 * fork shares pages copy-on-write (lxh_space_fork): the child's table
 * names the parent's frames, a frame counts the tables naming it
 * (frame_info, by key, with where its capability and its shadow are), and
 * a writable page becomes
 * read-only on both sides with PG_COW set; the first write (a VMFault, or a
 * copy_out from the guest kernel) copies it, or just makes it writable
 * again when it is the frame's last user. The child's pages are mapped
 * lazily: its table is filled at once, its VSpace on the first fault at
 * each page (lxh_fault), so a fork costs a table copy, not a mapping per
 * page.
 *
 * The page cache (op_page_new, op_page_put, op_map_page): a regular file's
 * pages are frames of the guest's in the shadow, counted in frame_info like
 * any other: one for the cache, one per table entry naming the frame. A
 * new one's own capability maps it in the shadow (no copy: one slot per
 * page), so a process maps it with a copy. The first such copy is kept with
 * the frame (frame_info_t.kept, PG_KEPT in the entry that uses it) until
 * the frame goes back, so a file mapped, read and unmapped again and again
 * -- or busybox's text by one process after another -- costs no capability
 * copy and no slot per page after the first time; mappings meanwhile take
 * copies of their own. A
 * file mapping's page (linux/pcache.c decides which) is such an entry:
 * PG_COW for a private mapping, PG_SHARED for a shared one (fork leaves it
 * writable on both sides). An image page a read-only segment fills whole
 * from one file page is the cache's frame too, instead of a copy.
 *
 * Memory policy: what the backend can still get is the guest's, less a reserve of
 * RESERVE_BYTES for the guest kernel itself (its heap, page tables, CSpace
 * growth, threads). The backend's count is what it can really make: under
 * delegated memory and slots both (memmgr's mm_room), so the reserve holds
 * slots too. A new page (map_zero, exec, mmap, brk) or a fork that
 * would dip into the reserve is refused (-ENOMEM, -EAGAIN); a copy-on-write
 * copy may use half of it, so a process writing its pages after a fork
 * rarely dies, and when even that is gone the process is killed, never the
 * guest. Before it refuses, and when making an object fails, the guest
 * reclaims (reclaim()): its spare frames go back to the backend, which
 * gives back what it keeps for reuse (memmgr's pools, its CNode reserve
 * taken again), so a refusal means the memory is spent, not parked.
 *
 * The guest kernel's own memory (alloc/free): a first-fit free list over an
 * arena at HEAP_BASE that grows a page at a time with the backend's frames;
 * free blocks are kept in address order and merged with their neighbours.
 * free() is told the size, so blocks carry no header.
 */
#include <guest/guest.h>
#include <guest/lxhost.h>
#include <guest/lxback.h>
#include <guest/input.h>
#include <vmm/tsc.h>
#include <string.h>
#include "linux/lx.h"
#include "linux/mman.h"
#include "linux/misc.h"

#define PG              4096u
#define HEAP_BASE       0x44000000u     /* the guest kernel's heap, growing up */
#define HEAP_LIMIT      0x4c000000u
#define SHADOW_BASE     LXB_SHADOW_BASE /* + a frame's key (guest/lxback.h) */
#define SHADOW_SPAN     LXB_SHADOW_SPAN
#define USER_PDES       768u            /* 3 GiB of user space in 4 MiB steps */
#define PT_SPAN         0x400000u       /* what one page table maps */
#define PT_BYTES        4096u           /* a page table */
#define PTES            1024u
#define TSC_PER_US_GUESS 1000u          /* when the VMM knows no rate: 1 GHz */
#define EPOCH_NS        1767225600000000000ull  /* 2026-01-01T00:00:00Z */
#define FIXED_STEP_NS   1000000u        /* clock=fixed: each reading 1 ms after the last */
#define FIXED_SEED      0x9e3779b97f4a7c15ull   /* clock=fixed: the random seed */
#define BLOCK_ALIGN     16u
#define PG_COW          0x100u          /* in ppage_t.prot: shared, copy on write */
#define PG_LAZY         0x200u          /* in ppage_t.prot: reserved, no frame yet */
#define PG_FILE         0x400u          /* with PG_LAZY: first contents from the image */
#define PG_SHARED       0x800u          /* a page-cache page of a MAP_SHARED mapping */
#define PG_OWN          0x1000u         /* mapped with the frame's own capability */
#define PG_KEPT         0x2000u         /* mapped with the frame's kept copy (frame_info_t) */
#define PG_CAPS         (PG_OWN | PG_KEPT)
#define PG_FLAGS        (PG_COW | PG_LAZY | PG_FILE | PG_SHARED | PG_CAPS)
#define IMAGE_SEGS      8u              /* segments of an image paged in on demand */
#define REFS_CHUNK      1024u           /* frames per frame_info chunk */
#define REFS_CHUNKS     (SHADOW_SPAN / PG / REFS_CHUNK)
#define RESERVE_BYTES   (512u * 1024)   /* the guest kernel's own reserve */
#define SPARE_FRAMES    256u            /* freed frames kept for the next page */
#define SPARE_DIRS      8u              /* freed software page tables kept */

/* Whole words of word-aligned memory, with the string instructions: a page
 * or a page table of the heap is one instruction, where the library's
 * loops take four per word. */
static inline void words_zero(void *p, uint32_t bytes)
{
    uint32_t n = bytes / 4;

    __asm__ volatile("rep stosl" : "+D"(p), "+c"(n) : "a"(0) : "memory");
}

static inline void words_copy(void *dst, const void *src, uint32_t bytes)
{
    uint32_t n = bytes / 4;

    __asm__ volatile("rep movsl" : "+D"(dst), "+S"(src), "+c"(n) : : "memory");
}

typedef struct ppage {
    mm_cptr_t frame;            /* 0: no page */
    uintptr_t map;              /* the backend's name of its mapping in the process; 0: none */
    uint32_t key;               /* the frame's key: where it is in the shadow */
    uint32_t prot;
} ppage_t;

/* What the guest knows of one of its frames (by key). */
typedef struct frame_info {
    uint16_t refs;              /* table entries naming it, and the page cache's hold */
    uint8_t own : 1;            /* its own capability maps it in a process (PG_OWN there) */
    uint8_t shown : 1;          /* mapped in the shadow */
    uint8_t cache : 1;          /* the page cache holds it */
    uint8_t shadow_own : 1;     /* its own capability maps it in the shadow */
    uint8_t kept_used : 1;      /* kept maps it in a process (PG_KEPT there) */
    uintptr_t shadow;           /* the backend's name of that mapping; 0: made with the frame */
    mm_cptr_t kept;             /* a page-cache frame's copy of its capability for
                                 * processes, kept until the frame goes; 0: none */
} frame_info_t;

struct lxh_space {
    lxb_space_t vs;
    ppage_t *dir[USER_PDES];
    uint32_t pages;             /* entries with a frame */
    uint32_t lazy;              /* entries reserved without one */
    uint32_t lazy_file;         /* of them, image pages not read yet */
    /* The image PG_FILE pages are filled from (op_map_image). */
    const lx_inode_t *img;
    uint32_t nseg;
    lx_file_seg_t seg[IMAGE_SEGS];
};

typedef struct fblk {
    uint32_t size;
    struct fblk *next;
} fblk_t;

static struct {
    const lxb_ops_t *b;         /* memmgr's or the VMM's (guest/lxback.h) */
    fblk_t *free;
    uint32_t heap_top;
    uint64_t rnd;
    uint64_t tsc0;
    frame_info_t *frame_info[REFS_CHUNKS];  /* each frame's, by key */
    bool said_pages, said_fork;         /* refusals logged, once each */
    uint32_t lazy;                      /* pages reserved in all spaces, no frame yet */
    /* Frames no process uses any more, still in the shadow: the next page
     * takes one without a round of the backend's (a free costs a Revoke
     * and unmappings, a new frame a retype or a pooled one and mappings). */
    struct { mm_cptr_t frame; uint32_t key; } spare[SPARE_FRAMES];
    uint32_t nspare;
    /* Software page tables of spaces gone, all zero already: a fork or an
     * execve takes them without a search of the heap and a 16 KiB clear. */
    ppage_t *spare_dir[SPARE_DIRS];
    uint32_t nspare_dir;
    /* Frames and spaces given back so far, and the count at the last
     * reclaim: a reclaim with nothing given back since would find nothing. */
    uint32_t releases, reclaimed_at;
    bool fixed;                 /* clock=fixed (lxh_fixed_clock) */
    uint32_t tsc_per_us;        /* the counter's rate (lxh_tsc_rate) */
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

static void reclaim(void);

/* One more page at the top of the heap; false when memory is spent. */
static bool heap_grow(void)
{
    if (H.heap_top >= HEAP_LIMIT)
        return false;
    if (H.b->heap_page(H.heap_top) != 0) {
        reclaim();                  /* the backend may need the spares' memory */
        if (H.b->heap_page(H.heap_top) != 0)
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
            words_zero(b, n);          /* n is a multiple of BLOCK_ALIGN */
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
        s->dir[d] = H.nspare_dir ? H.spare_dir[--H.nspare_dir]
                                 : heap_alloc(NULL, PTES * sizeof(ppage_t));
        if (!s->dir[d])
            return NULL;
    }
    return &s->dir[d][(va >> 12) & (PTES - 1)];
}

/* The guest's record of the frame with this key, its chunk made on first
 * use; NULL when no memory is left for it. */
static frame_info_t *frame_info_make(uint32_t key)
{
    uint32_t n = key / PG, c = n / REFS_CHUNK;

    if (!H.frame_info[c]) {
        H.frame_info[c] = heap_alloc(NULL, REFS_CHUNK * sizeof(frame_info_t));
        if (!H.frame_info[c])
            return NULL;
    }
    return &H.frame_info[c][n % REFS_CHUNK];
}

/* The record of a frame the guest holds: made when the frame was taken. */
static frame_info_t *info_at(uint32_t key)
{
    return &H.frame_info[key / PG / REFS_CHUNK][key / PG % REFS_CHUNK];
}

static frame_info_t *info_of(const ppage_t *e)
{
    return info_at(e->key);
}

static uint8_t *shadow_of(uint32_t key)
{
    return (uint8_t *)(SHADOW_BASE + key);
}

static uint8_t *shadow(const ppage_t *e)
{
    return shadow_of(e->key);
}

/* A page-cache page's key: the cache sees it in the shadow. */
static uint32_t cache_key(const lx_page_t *pg)
{
    return (uint32_t)pg->mem - SHADOW_BASE;
}

/* The frame in the guest kernel's shadow, where it stays while the guest
 * holds it; own: through its own capability, for a frame no process maps
 * with it (a page-cache page: one slot, not two). */
static int shadow_map(mm_cptr_t frame, uint32_t key, bool own)
{
    frame_info_t *fi = info_at(key);

    if (fi->shown)
        return 0;
    if (!H.b->shadow)
        return LX_ERR(LX_ENOMEM);      /* a backend that shows every frame showed this */
    if (H.b->shadow(frame, key, own, &fi->shadow) != 0) {
        reclaim();                  /* a page table may need the spares' memory */
        if (H.b->shadow(frame, key, own, &fi->shadow) != 0)
            return LX_ERR(LX_ENOMEM);
    }
    fi->shown = 1;
    fi->shadow_own = own;
    return 0;
}

static int shadow_need(mm_cptr_t frame, uint32_t key)
{
    return shadow_map(frame, key, false);
}

static uint32_t rights_of(uint32_t prot)
{
    return (prot & LX_PROT_WRITE) && !(prot & PG_COW) ? MM_RW : MM_RO;
}

/* Which capability maps the page in a process: the frame's own while no
 * other entry uses it, the page cache does not hold it and the shadow does
 * not use it (the cache's frame is shown through its own); else a
 * page-cache frame's kept copy while no other entry uses that, made the
 * first time (when the backend makes copies the caller can keep); else
 * (0) a copy the backend makes for the mapping. */
static uint32_t cap_for(frame_info_t *fi, mm_cptr_t frame, mm_cptr_t *cap)
{
    *cap = frame;
    if (!fi->own && !fi->cache && !fi->shadow_own)
        return PG_OWN;
    if (fi->kept_used || !H.b->frame_copy || (!fi->kept && !fi->cache))
        return 0;
    if (!fi->kept)
        fi->kept = H.b->frame_copy(frame);
    *cap = fi->kept;
    return fi->kept ? PG_KEPT : 0;
}

/* Maps the page into the process (prot not none). */
static int show(lxh_space_t *s, ppage_t *e, uint32_t va)
{
    frame_info_t *fi = info_of(e);
    mm_cptr_t cap;
    uint32_t how = cap_for(fi, e->frame, &cap);

    if (H.b->map(&s->vs, cap, va, rights_of(e->prot), how != 0, &e->map) != 0) {
        reclaim();                  /* a page table may need the spares' memory */
        if (H.b->map(&s->vs, cap, va, rights_of(e->prot), how != 0, &e->map) != 0) {
            e->map = 0;
            return LX_ERR(LX_ENOMEM);
        }
    }
    if (how == PG_OWN)
        fi->own = 1;
    else if (how == PG_KEPT)
        fi->kept_used = 1;
    e->prot |= how;
    return 0;
}

static void hide(lxh_space_t *s, ppage_t *e, uint32_t va)
{
    uint32_t how = e->prot & PG_CAPS;

    if (!e->map)
        return;
    H.b->unmap(&s->vs, va, e->map, how != 0);
    if (how == PG_OWN)
        info_of(e)->own = 0;
    else if (how == PG_KEPT)
        info_of(e)->kept_used = 0;
    e->prot &= ~PG_CAPS;
    e->map = 0;
}

/* Bytes the guest can still get for pages (the backend's count: memory, and
 * under delegated room in memmgr's records; and the spare frames). */
static uint32_t mem_free(void)
{
    return H.b->mem_free() + H.nspare * PG;
}

/* A frame back to the backend: out of the shadow first. */
static void frame_drop(mm_cptr_t frame, uint32_t key)
{
    frame_info_t *fi = info_at(key);

    if (fi->shown && H.b->unshadow)
        H.b->unshadow(fi->shadow, fi->shadow_own);
    if (fi->kept)
        H.b->slot_free(fi->kept);
    *fi = (frame_info_t){ 0 };
    H.b->frame_free(frame, key);
}

/* The spare frames back to the backend, and what it keeps for reuse. */
static void spare_drain(void)
{
    while (H.nspare) {
        H.nspare--;
        frame_drop(H.spare[H.nspare].frame, H.spare[H.nspare].key);
    }
    if (H.b->trim)
        H.b->trim();
}

/* Before a refusal or after a failure: the spare frames back, and what the
 * backend keeps for reuse, unless nothing was given back since the last
 * time (a fork bomb's refusals would each walk memmgr's pools). */
static void reclaim(void)
{
    spare_drain();
    if (H.reclaimed_at == H.releases)
        return;
    H.reclaimed_at = H.releases;
    if (H.b->reclaim)
        H.b->reclaim();
}

/* A frame no table names: kept spare while the backend has its reserve
 * for the guest kernel's own objects (threads, page tables, its heap),
 * else given back with the spares. Its bytes are cleared when it is used
 * again, and only if that use needs it. */
static void frame_release(mm_cptr_t frame, uint32_t key)
{
    H.releases++;
    if (H.nspare < SPARE_FRAMES && H.b->mem_free() >= RESERVE_BYTES) {
        H.spare[H.nspare].frame = frame;
        H.spare[H.nspare].key = key;
        H.nspare++;
        return;
    }
    spare_drain();
    frame_drop(frame, key);
}

/* What the guest can still promise: free memory less the pages already
 * promised (reserved, not yet backed). */
static uint32_t mem_avail(void)
{
    uint64_t promised = (uint64_t)H.lazy * PG, f = mem_free();

    return f > promised ? (uint32_t)(f - promised) : 0;
}

/* Whether want bytes can be promised, reclaiming first if they cannot. */
static bool avail_for(uint64_t want)
{
    if (mem_avail() >= want)
        return true;
    reclaim();
    return mem_avail() >= want;
}

static void page_release(lxh_space_t *s, ppage_t *e, uint32_t va)
{
    frame_info_t *fi;

    if (e->prot & PG_LAZY) {
        H.lazy--;
        s->lazy--;
        if (e->prot & PG_FILE)
            s->lazy_file--;
        memset(e, 0, sizeof(*e));
        return;
    }
    if (!e->frame)
        return;
    hide(s, e, va);
    fi = info_of(e);
    if (--fi->refs == 0)
        frame_release(e->frame, e->key);
    memset(e, 0, sizeof(*e));
    s->pages--;
}

/* A frame of the guest's for one table entry (its count is 1); keep:
 * bytes of the reserve it must leave. *zero: its bytes are known to be
 * zero (a spare is not: it is cleared by whoever needs it clear). */
static int frame_new(uint32_t keep, mm_cptr_t *fp, uint32_t *keyp, bool *zero)
{
    mm_cptr_t f;
    uint32_t key, how;
    frame_info_t *fi;

    /* keep 0: a promised page, which the promise counted; a frame the
     * backend cannot make is refused below. */
    if (keep && mem_free() < keep + PG && (reclaim(), mem_free() < keep + PG))
        return LX_ERR(LX_ENOMEM);
    if (H.nspare) {
        H.nspare--;
        *fp = H.spare[H.nspare].frame;
        *keyp = H.spare[H.nspare].key;
        info_at(*keyp)->refs = 1;    /* its record was made with it */
        *zero = false;
        return 0;
    }
    if (H.b->frame_new(&f, &key, &how) != 0 && (reclaim(), H.b->frame_new(&f, &key, &how) != 0))
        return LX_ERR(LX_ENOMEM);
    fi = key < SHADOW_SPAN ? frame_info_make(key) : NULL;
    if (!fi) {
        H.b->frame_free(f, key);
        return LX_ERR(LX_ENOMEM);
    }
    *fi = (frame_info_t){ .refs = 1, .shown = (how & LXB_SHOWN) != 0 };
    *fp = f;
    *keyp = key;
    *zero = how & LXB_ZERO;
    return 0;
}

/* Reserves the page: a frame comes on first touch (back()). */
static int page_lazy(lxh_space_t *s, uint32_t va, uint32_t prot)
{
    ppage_t *e = pte(s, va, true);

    if (!e)
        return LX_ERR(LX_ENOMEM);
    page_release(s, e, va);
    *e = (ppage_t){ .prot = prot | PG_LAZY };
    H.lazy++;
    s->lazy++;
    return 0;
}

/* An image page's bytes from the file, as the segments place them (the
 * file may have shrunk since: what is gone reads as zero). */
/* Bytes [off, off + len) of the file into dst, which is zeroed: from its
 * page-cache pages, a hole left as it is; whole words with the string
 * instruction when they line up (a page's worth is one instruction). */
static void image_copy(const lx_inode_t *n, uint32_t off, uint8_t *dst, uint32_t len)
{
    if (off >= n->size)
        return;
    if (len > n->size - off)
        len = n->size - off;
    while (len) {
        uint32_t i = off / PG, in = off % PG, cnt = PG - in < len ? PG - in : len;
        const uint8_t *src = i < n->npages ? n->pages[i].mem : NULL;

        if (src && ((in | cnt | (uint32_t)dst) & 3) == 0)
            words_copy(dst, src + in, cnt);
        else if (src)
            memcpy(dst, src + in, cnt);
        off += cnt;
        dst += cnt;
        len -= cnt;
    }
}

static void fill_from_image(const lxh_space_t *s, uint8_t *page, uint32_t va)
{
    for (uint32_t i = 0; i < s->nseg; i++) {
        const lx_file_seg_t *g = &s->seg[i];
        uint32_t lo = va > g->vaddr ? va : g->vaddr;
        uint32_t hi = g->vaddr + g->size;

        if (hi > va + PG)
            hi = va + PG;
        if (lo < hi)
            image_copy(s->img, g->offset + (lo - g->vaddr), page + (lo - va), hi - lo);
    }
}

/* The page-cache page an image page can be as it is: one not writable
 * that a segment fills whole from a page of the file. NULL if none. */
static const lx_page_t *image_cache_page(const lxh_space_t *s, const ppage_t *e, uint32_t va)
{
    const lx_inode_t *n = s->img;

    if (e->prot & LX_PROT_WRITE)
        return NULL;
    for (uint32_t i = 0; i < s->nseg; i++) {
        const lx_file_seg_t *g = &s->seg[i];
        uint32_t off = g->offset + (va - g->vaddr);

        if (va < g->vaddr || va + PG > g->vaddr + g->size)
            continue;
        if ((off & (PG - 1)) || off / PG >= n->npages || off + PG > n->size)
            return NULL;
        return n->pages[off / PG].mem ? &n->pages[off / PG] : NULL;
    }
    return NULL;
}

/* The frame's bytes: zero, then the image's for a file page. Only what
 * must be written goes through the shadow: a frame known to be zero for
 * an anonymous page is left alone. */
static int fill_frame(const lxh_space_t *s, mm_cptr_t f, uint32_t key, bool zero, bool file,
                      uint32_t va)
{
    int err;

    if (zero && !file)
        return 0;
    err = shadow_need(f, key);
    if (err)
        return err;
    if (!zero)
        words_zero(shadow_of(key), PG);
    if (file)
        fill_from_image(s, shadow_of(key), va);
    return 0;
}

/* A reserved page gets its frame: zeroed, filled from the image, or the
 * image's page-cache page itself (read-only, copied on a write after an
 * mprotect, as a private file mapping's). It was promised, so it may use
 * the reserve. */
static int fill(lxh_space_t *s, ppage_t *e, uint32_t va)
{
    mm_cptr_t f;
    uint32_t key;
    bool file = e->prot & PG_FILE, zero;
    const lx_page_t *cached = file ? image_cache_page(s, e, va) : NULL;
    int err;

    if (cached && info_at(cache_key(cached))->refs < UINT16_MAX) {
        key = cache_key(cached);
        info_at(key)->refs++;
        H.lazy--;
        s->lazy--;
        s->lazy_file--;
        *e = (ppage_t){ .frame = cached->frame, .key = key,
                        .prot = (e->prot & ~(PG_LAZY | PG_FILE)) | PG_COW };
        s->pages++;
        return 0;
    }
    err = frame_new(0, &f, &key, &zero);
    if (err)
        return err;
    err = fill_frame(s, f, key, zero, file, va);
    if (err) {
        info_at(key)->refs = 0;
        frame_release(f, key);
        return err;
    }
    H.lazy--;
    s->lazy--;
    *e = (ppage_t){ .frame = f, .key = key, .prot = e->prot & ~(PG_LAZY | PG_FILE) };
    if (file)
        s->lazy_file--;
    s->pages++;
    return 0;
}

/* The first touch of a reserved page: its frame, shown to the process
 * with its rights. */
static int back(lxh_space_t *s, ppage_t *e, uint32_t va)
{
    int err = fill(s, e, va);

    if (err)
        return err;
    return e->prot == LX_PROT_NONE ? 0 : show(s, e, va);
}

/* The first write to a copy-on-write page: a copy of its own, or the
 * frame itself once no other table names it. */
static int cow_break(lxh_space_t *s, ppage_t *e, uint32_t va)
{
    mm_cptr_t f;
    uint32_t key;
    bool zero;
    int err;

    e->prot &= ~PG_COW;
    if (info_of(e)->refs == 1) {
        if (!e->map)
            return e->prot == LX_PROT_NONE ? 0 : show(s, e, va);
        if (H.b->protect(&s->vs, va, e->map, rights_of(e->prot)) != 0)
            return LX_ERR(LX_ENOMEM);
        return 0;
    }
    err = frame_new(RESERVE_BYTES / 2, &f, &key, &zero);
    if (!err) {
        err = shadow_need(e->frame, e->key);
        if (!err)
            err = shadow_need(f, key);
        if (err) {
            info_at(key)->refs = 0;
            frame_release(f, key);
        }
    }
    if (err) {
        e->prot |= PG_COW;
        return err;
    }
    words_copy(shadow_of(key), shadow(e), PG);
    hide(s, e, va);
    info_of(e)->refs--;
    e->frame = f;
    e->key = key;
    return e->prot == LX_PROT_NONE ? 0 : show(s, e, va);
}

/* Demand paging: the pages are promised now (refused with ENOMEM when
 * the guest could not keep the promise and its reserve) and backed when
 * the process, or a copy for it, first touches them. */
static int op_map_zero(void *space, uint32_t va, uint32_t len, uint32_t prot)
{
    if (!avail_for((uint64_t)RESERVE_BYTES + len)) {
        if (!H.said_pages)
            gprintf("guest-stub: linux: memory spent: pages refused, %u KiB kept in reserve\n",
                    mem_avail() >> 10);
        H.said_pages = true;
        return LX_ERR(LX_ENOMEM);
    }
    for (uint32_t a = va; a - va < len; a += PG) {
        int err = page_lazy(space, a, prot);
        if (err) {
            for (uint32_t b = va; b != a; b += PG)
                page_release(space, pte(space, b, false), b);
            return err;
        }
    }
    return 0;
}

/* execve's segments (lx_host_ops_t.map_image): every promised page with
 * file bytes in it is filled from n when first touched. */
static int op_map_image(void *space, const lx_inode_t *n, const lx_file_seg_t *segs,
                        uint32_t nseg)
{
    lxh_space_t *s = space;

    if (nseg > IMAGE_SEGS)
        return LX_ERR(LX_ENOEXEC);
    s->img = n;
    s->nseg = nseg;
    memcpy(s->seg, segs, nseg * sizeof(*segs));
    for (uint32_t i = 0; i < nseg; i++) {
        uint32_t end = segs[i].vaddr + segs[i].size;
        for (uint32_t a = segs[i].vaddr & ~(PG - 1); a < end; a += PG) {
            ppage_t *e = pte(s, a, false);
            if (e && (e->prot & PG_LAZY) && !(e->prot & PG_FILE)) {
                e->prot |= PG_FILE;
                s->lazy_file++;
            }
        }
    }
    return 0;
}

/* ------------------------------------------------------------------ */
/* The page cache's frames                                             */

/* A frame for a file's page: the cache's hold is the frame's first count,
 * each mapping adds one (page_release drops it). New file bytes are new
 * pages, so they keep the reserve as map_zero's promises do. */
static int op_page_new(void *ctx, lx_page_t *pg)
{
    mm_cptr_t f;
    uint32_t key;
    bool zero;

    (void)ctx;
    if (!avail_for(RESERVE_BYTES + PG) || frame_new(0, &f, &key, &zero) != 0)
        return LX_ERR(LX_ENOSPC);
    if (shadow_map(f, key, !info_at(key)->own) != 0) {
        info_at(key)->refs = 0;
        frame_release(f, key);
        return LX_ERR(LX_ENOSPC);
    }
    if (!zero)
        words_zero(shadow_of(key), PG);
    info_at(key)->cache = 1;
    pg->mem = shadow_of(key);
    pg->frame = f;
    return 0;
}

static void op_page_put(void *ctx, const lx_page_t *pg)
{
    uint32_t key = cache_key(pg);
    frame_info_t *fi = info_at(key);

    (void)ctx;
    fi->cache = 0;
    if (--fi->refs == 0)
        frame_release(pg->frame, key);
}

/* A private copy of a page-cache page in the entry: a write fault's first
 * touch, one fault where a read mapping and a copy-on-write copy would take
 * two. It may use half the reserve, as a copy-on-write copy does. */
static int copy_entry(lxh_space_t *s, ppage_t *e, const lx_page_t *pg, uint32_t prot)
{
    mm_cptr_t f;
    uint32_t key;
    bool zero;
    int err = frame_new(RESERVE_BYTES / 2, &f, &key, &zero);

    if (!err && (err = shadow_need(f, key)) != 0) {
        info_at(key)->refs = 0;
        frame_release(f, key);
    }
    if (err)
        return err;
    words_copy(shadow_of(key), pg->mem, PG);
    *e = (ppage_t){ .frame = f, .key = key, .prot = prot };
    s->pages++;
    return 0;
}

/* The cache's frame in the entry. A private page is copy-on-write whatever
 * its rights, so that an mprotect adding PROT_WRITE still copies before the
 * first write. */
static int cache_entry(lxh_space_t *s, ppage_t *e, const lx_page_t *pg, uint32_t prot,
                       bool shared)
{
    uint32_t key = cache_key(pg);
    frame_info_t *fi = info_at(key);

    if (fi->refs == UINT16_MAX)
        return LX_ERR(LX_ENOMEM);
    *e = (ppage_t){ .frame = pg->frame, .key = key,
                    .prot = prot | (shared ? PG_SHARED : PG_COW) };
    fi->refs++;
    s->pages++;
    return 0;
}

static int op_map_page(void *space, uint32_t va, const lx_page_t *pg, uint32_t prot,
                       uint32_t how)
{
    lxh_space_t *s = space;
    ppage_t *e = pte(s, va, true);
    int err;

    if (!e)
        return LX_ERR(LX_ENOMEM);
    if (e->frame || (e->prot & PG_LAZY))
        return LX_ERR(LX_EEXIST);
    if (how & LX_MAP_PAGE_COPY)
        err = copy_entry(s, e, pg, prot);
    else
        err = cache_entry(s, e, pg, prot, how & LX_MAP_PAGE_SHARED);
    if (err || prot == LX_PROT_NONE)
        return err;
    err = show(s, e, va);
    if (err)
        page_release(s, e, va);
    return err;
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

        if (!e || !(e->frame || (e->prot & PG_LAZY)))
            continue;
        uint32_t np = prot | (e->prot & PG_FLAGS);
        if (e->prot & PG_LAZY) {
            e->prot = np;
        } else if (prot == LX_PROT_NONE) {
            hide(s, e, a);
            e->prot = np & ~PG_CAPS;
        } else if (!e->map) {
            e->prot = np;
            err = show(s, e, a);
        } else if (rights_of(np) != rights_of(e->prot)) {
            e->prot = np;
            if (H.b->protect(&s->vs, a, e->map, rights_of(np)) != 0)
                err = LX_ERR(LX_ENOMEM);
        } else {
            e->prot = np;
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
        if (!e || !(e->frame || (e->prot & PG_LAZY)) ||
            (e->prot & ~PG_FLAGS) == LX_PROT_NONE || (out && !(e->prot & LX_PROT_WRITE)))
            return LX_ERR(LX_EFAULT);
        if (e->prot & PG_LAZY) {
            int err = back(s, e, uaddr & ~(PG - 1));
            if (err)
                return err;
        }
        if (out && (e->prot & PG_COW)) {
            int err = cow_break(s, e, uaddr & ~(PG - 1));
            if (err)
                return err;
        }
        if (!info_of(e)->shown) {
            int err = shadow_need(e->frame, e->key);
            if (err)
                return err;
        }
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
    if (H.b->mem_free() < 2 * RESERVE_BYTES)
        spare_drain();              /* a new process: the backend makes its objects */
    if (H.b->space_new(&s->vs) != 0 && (reclaim(), H.b->space_new(&s->vs) != 0)) {
        heap_free(NULL, s, sizeof(*s));
        return LX_ERR(LX_ENOMEM);
    }
    *out = s;
    return 0;
}

/* A copy of parent sharing every page copy-on-write; the child's VSpace is
 * filled on its faults (lxh_fault). The parent's image pages not read yet
 * are read first (they were promised already, and are then shared). The
 * child is promised what it doubles: the parent's promises, and a mapping
 * of each of its pages, made with a copy of the frame's capability when
 * the child touches it (a slot each: a fault that cannot have it kills
 * the child, so the fork is refused instead). */
int lxh_space_fork(lxh_space_t *parent, lxh_space_t **out)
{
    lxh_space_t *c;
    uint32_t dup = parent->lazy - parent->lazy_file;    /* promises the child doubles */
    uint64_t copies = (uint64_t)parent->pages * (PG / LXB_SLOTS_PER_PAGE);

    if (!avail_for(RESERVE_BYTES + (uint64_t)dup * PG + copies) || lxh_space_create(&c) != 0) {
        if (!H.said_fork)
            gprintf("guest-stub: linux: memory spent: fork refused (EAGAIN), %u KiB free\n",
                    mem_free() >> 10);
        H.said_fork = true;
        return LX_ERR(LX_EAGAIN);
    }
    for (uint32_t d = 0; d < USER_PDES; d++) {
        if (!parent->dir[d])
            continue;
        for (uint32_t i = 0; i < PTES; i++) {
            ppage_t *e = &parent->dir[d][i], *ce;
            uint32_t va = (d << 22) | (i << 12);

            if (!e->frame && !(e->prot & PG_LAZY))
                continue;
            /* An image page not read yet is read now, so that both sides
             * share it rather than each read its own copy. */
            if ((e->prot & PG_FILE) && fill(parent, e, va) != 0) {
                lxh_space_destroy(c);
                return LX_ERR(LX_EAGAIN);
            }
            ce = pte(c, va, true);
            if (!ce) {
                lxh_space_destroy(c);
                return LX_ERR(LX_EAGAIN);
            }
            if (e->prot & PG_LAZY) {
                *ce = *e;
                H.lazy++;
                c->lazy++;
                continue;
            }
            if ((e->prot & LX_PROT_WRITE) && !(e->prot & (PG_COW | PG_SHARED))) {
                e->prot |= PG_COW;
                if (e->map)
                    H.b->protect(&parent->vs, va, e->map, MM_RO);
            }
            *ce = (ppage_t){ .frame = e->frame, .key = e->key, .prot = e->prot & ~PG_CAPS };
            info_of(e)->refs++;
            c->pages++;
        }
    }
    *out = c;
    return 0;
}

/* A fault at addr the page table explains: a page not mapped in the VSpace
 * yet (a forked child's), or the first write to a copy-on-write page. 0
 * when it is dealt with; -EFAULT when the process has no such access;
 * -ENOMEM when no frame is left for the copy. */
int lxh_fault(lxh_space_t *s, uint32_t addr, bool write)
{
    uint32_t va = addr & ~(PG - 1);
    ppage_t *e = pte(s, va, false);

    if (!e || !(e->frame || (e->prot & PG_LAZY)) || (e->prot & ~PG_FLAGS) == LX_PROT_NONE)
        return LX_ERR(LX_EFAULT);
    if (write && !(e->prot & LX_PROT_WRITE))
        return LX_ERR(LX_EFAULT);
    if (e->prot & PG_LAZY)
        return back(s, e, va);
    if (write && (e->prot & PG_COW))
        return cow_break(s, e, va);
    if (!e->map)
        return show(s, e, va);
    return LX_ERR(LX_EFAULT);
}

lxb_space_t *lxh_space_backend(lxh_space_t *s)
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
        for (uint32_t i = 0; i < PTES; i++) {
            ppage_t *e = &s->dir[d][i];
            if (e->frame || e->prot)        /* an unused entry is all zero */
                page_release(s, e, (d << 22) | (i << 12));
        }
        if (H.nspare_dir < SPARE_DIRS)
            H.spare_dir[H.nspare_dir++] = s->dir[d];    /* every entry released: zero */
        else
            heap_free(NULL, s->dir[d], PTES * sizeof(ppage_t));
    }
    H.b->space_free(&s->vs);
    heap_free(NULL, s, sizeof(*s));
    H.releases++;
}

/* ------------------------------------------------------------------ */
/* Console, clock, randomness, log                                     */

static int32_t op_console_write(void *ctx, const void *buf, uint32_t len)
{
    (void)ctx;
    guest_console_write(buf, len);
    return (int32_t)len;
}

/* What the VMM's console typed to this guest (guest-stub/input.c); with
 * nothing there yet, -EAGAIN: the caller may wait on
 * guest_input_notification() and ask again. */
static int32_t op_console_read(void *ctx, void *buf, uint32_t len)
{
    uint32_t n;

    (void)ctx;
    if (len == 0)
        return 0;
    n = guest_input_read(buf, len);
    return n ? (int32_t)n : LX_ERR(LX_EAGAIN);
}

static uint64_t op_now_ns(void *ctx, int clock)
{
    uint64_t ns = H.fixed ? (H.fixed_ns += FIXED_STEP_NS)
                          : (vmm_rdtsc() - H.tsc0) * 1000u / H.tsc_per_us;

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

static int op_space_new(void *ctx, void **space)
{
    (void)ctx;
    if (!avail_for(RESERVE_BYTES))
        return LX_ERR(LX_ENOMEM);
    return lxh_space_create((lxh_space_t **)space);
}

static int op_space_fork(void *ctx, void *parent, void **child)
{
    (void)ctx;
    return lxh_space_fork(parent, (lxh_space_t **)child);
}

static void op_space_free(void *ctx, void *space)
{
    (void)ctx;
    lxh_space_destroy(space);
}

/* sysinfo's figures: what the guest holds now plus what it can still get,
 * and the latter. */
static void op_mem_info(void *ctx, uint32_t *total, uint32_t *free)
{
    (void)ctx;
    *free = mem_free();                 /* the spare frames are free too */
    *total = H.b->mem_free() + H.b->in_use();
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
    .space_new = op_space_new,
    .space_fork = op_space_fork,
    .space_free = op_space_free,
    .map_image = op_map_image,
    .page_new = op_page_new,
    .page_put = op_page_put,
    .map_page = op_map_page,
    .mem_info = op_mem_info,
};

const lx_host_ops_t *lxh_init(const lxb_ops_t *b)
{
    H.b = b;
    H.free = NULL;
    memset(H.frame_info, 0, sizeof(H.frame_info));
    H.said_pages = H.said_fork = false;
    H.releases = 1;                     /* the first reclaim looks */
    H.reclaimed_at = 0;
    H.heap_top = HEAP_BASE;
    H.tsc0 = H.fixed ? 0 : vmm_rdtsc();
    if (!H.tsc_per_us)
        H.tsc_per_us = TSC_PER_US_GUESS;
    H.rnd = (H.fixed ? FIXED_SEED : H.tsc0) | 1;
    return &ops;
}

/* The heap's frames and the page tables that map them (HEAP_BASE is 4 MiB
 * aligned, so one per 4 MiB begun): what the guest kernel keeps once made.
 * The shadow's page tables go with their last mapping. */
uint32_t lxh_kept_bytes(void)
{
    uint32_t heap = H.heap_top - HEAP_BASE;

    return heap + (heap + PT_SPAN - 1) / PT_SPAN * PT_BYTES;
}

void lxh_tsc_rate(uint32_t mhz)
{
    H.tsc_per_us = mhz;
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

void lxh_spare_drain(void)
{
    spare_drain();
}

uint32_t lxh_mem_free(void)
{
    return mem_free();
}
