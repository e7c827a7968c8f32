/*
 * The fake guest kernel of fake_host.h: page-granular fake process memory
 * with rights, a heap with a budget, a recording console.
 */
#include "fake_host.h"
#include "linux/mman.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PG 4096u

void fake_space_init(fake_space_t *s)
{
    s->pages = calloc(FAKE_PAGES, sizeof(*s->pages));
    s->n_mapped = 0;
}

void fake_space_free(fake_space_t *s)
{
    for (uint32_t i = 0; i < FAKE_PAGES; i++)
        if (!s->pages[i].borrowed)
            free(s->pages[i].mem);
    free(s->pages);
}

uint8_t *fake_byte(fake_space_t *s, uint32_t addr)
{
    if (addr / PG >= FAKE_PAGES || !s->pages[addr / PG].mem)
        return NULL;
    return s->pages[addr / PG].mem + addr % PG;
}

uint32_t fake_prot(fake_space_t *s, uint32_t addr)
{
    return addr / PG < FAKE_PAGES ? s->pages[addr / PG].prot : 0;
}

uint32_t fake_read32(fake_space_t *s, uint32_t addr)
{
    uint32_t v = 0;
    for (int i = 3; i >= 0; i--) {
        uint8_t *b = fake_byte(s, addr + (uint32_t)i);
        v = v << 8 | (b ? *b : 0);
    }
    return v;
}

/* Walks [va, va+len) page by page; each page must be mapped with `need`. */
static int fake_copy(fake_space_t *s, uint32_t va, uint8_t *buf, uint32_t len, uint32_t need,
        bool out)
{
    while (len) {
        fake_page_t *pg = va / PG < FAKE_PAGES ? &s->pages[va / PG] : NULL;
        uint32_t n = PG - va % PG < len ? PG - va % PG : len;
        if (!pg || !pg->mem || (pg->prot & need) != need)
            return -LX_EFAULT;
        if (out)
            memcpy(pg->mem + va % PG, buf, n);
        else
            memcpy(buf, pg->mem + va % PG, n);
        va += n;
        buf += n;
        len -= n;
    }
    return 0;
}

static int f_copy_in(void *space, void *dst, uint32_t uaddr, uint32_t len)
{
    return fake_copy(space, uaddr, dst, len, LX_PROT_READ, false);
}

static int f_copy_out(void *space, uint32_t uaddr, const void *src, uint32_t len)
{
    return fake_copy(space, uaddr, (uint8_t *)src, len, LX_PROT_WRITE, true);
}

static int f_map_zero(void *space, uint32_t va, uint32_t len, uint32_t prot)
{
    fake_space_t *s = space;
    if (va % PG || len % PG || va / PG + len / PG > FAKE_PAGES)
        return -LX_EINVAL;
    for (uint32_t p = va / PG; p < (va + len) / PG; p++) {
        if (!s->pages[p].mem || s->pages[p].borrowed) {
            if (!s->pages[p].mem)
                s->n_mapped++;
            s->pages[p].mem = calloc(1, PG);
            s->pages[p].borrowed = false;
        } else {
            memset(s->pages[p].mem, 0, PG);
        }
        s->pages[p].prot = prot;
    }
    return 0;
}

static int f_unmap(void *space, uint32_t va, uint32_t len)
{
    fake_space_t *s = space;
    for (uint32_t p = va / PG; p < (va + len) / PG && p < FAKE_PAGES; p++) {
        if (s->pages[p].mem)
            s->n_mapped--;
        if (!s->pages[p].borrowed)
            free(s->pages[p].mem);
        s->pages[p] = (fake_page_t){ NULL, 0, false };
    }
    return 0;
}

static int f_protect(void *space, uint32_t va, uint32_t len, uint32_t prot)
{
    fake_space_t *s = space;
    for (uint32_t p = va / PG; p < (va + len) / PG && p < FAKE_PAGES; p++)
        if (s->pages[p].mem)
            s->pages[p].prot = prot;
    return 0;
}

static void *f_alloc(void *ctx, uint32_t bytes)
{
    fake_host_t *h = ctx;
    if (h->heap_budget && h->heap_used + bytes > h->heap_budget)
        return NULL;
    h->heap_used += bytes;
    return calloc(1, bytes);
}

static void f_free(void *ctx, void *p, uint32_t bytes)
{
    fake_host_t *h = ctx;
    h->heap_used -= bytes;
    free(p);
}

static int32_t f_console_write(void *ctx, const void *buf, uint32_t len)
{
    fake_host_t *h = ctx;
    uint32_t n = len < sizeof(h->out) - h->out_len ? len : (uint32_t)sizeof(h->out) - h->out_len;
    memcpy(h->out + h->out_len, buf, n);
    h->out_len += n;
    return (int32_t)len;
}

static int32_t f_console_read(void *ctx, void *buf, uint32_t len)
{
    fake_host_t *h = ctx;
    if (!h->in)
        return -LX_EAGAIN;
    uint32_t n = (uint32_t)strlen(h->in);
    n = n < len ? n : len;
    memcpy(buf, h->in, n);
    h->in += n;
    return (int32_t)n;
}

static uint64_t f_now_ns(void *ctx, int clock)
{
    fake_host_t *h = ctx;
    return clock == 0 ? FAKE_REALTIME : FAKE_MONOTONIC + h->clock_now;
}

static void f_random(void *ctx, void *buf, uint32_t len)
{
    fake_host_t *h = ctx;
    for (uint32_t i = 0; i < len; i++)
        ((uint8_t *)buf)[i] = h->next_random++;
}

static void f_log(void *ctx, const char *what, uint32_t value)
{
    fake_host_t *h = ctx;
    h->n_logs++;
    h->last_log_value = value;
    snprintf(h->last_log, sizeof(h->last_log), "%s", what);
}

static int f_space_new(void *ctx, void **space)
{
    fake_host_t *h = ctx;
    fake_space_t *s;
    if (h->spaces_budget && h->spaces_made >= h->spaces_budget)
        return -LX_EAGAIN;
    s = calloc(1, sizeof(*s));
    fake_space_init(s);
    h->spaces_made++;
    *space = s;
    return 0;
}

/* A plain copy of every page: the real guest kernel shares them
 * copy-on-write, which a process cannot tell apart. */
static int f_space_fork(void *ctx, void *parent, void **child)
{
    fake_space_t *p = parent, *c;
    int err = f_space_new(ctx, child);
    if (err)
        return err;
    c = *child;
    for (uint32_t i = 0; i < FAKE_PAGES; i++) {
        if (!p->pages[i].mem)
            continue;
        c->pages[i].mem = malloc(PG);
        memcpy(c->pages[i].mem, p->pages[i].mem, PG);
        c->pages[i].prot = p->pages[i].prot;
        c->n_mapped++;
    }
    return 0;
}

static void f_space_free(void *ctx, void *space)
{
    fake_host_t *h = ctx;
    h->spaces_made--;
    fake_space_free(space);
    free(space);
}

/* Page-cache pages come from the heap's budget. */
static int f_page_new(void *ctx, lx_page_t *pg)
{
    pg->mem = f_alloc(ctx, PG);
    pg->frame = 0;
    return pg->mem ? 0 : -LX_ENOSPC;
}

static void f_page_put(void *ctx, const lx_page_t *pg)
{
    f_free(ctx, pg->mem, PG);
}

/* A shared page is the cache's own memory (borrowed: the space does not
 * free it); a private one a copy made now (LX_MAP_PAGE_COPY, or for
 * LX_MAP_PAGE_PRIVATE a copy a process cannot tell from the real copy
 * made on its first write). */
static int f_map_page(void *space, uint32_t va, const lx_page_t *pg, uint32_t prot, uint32_t how)
{
    bool shared = how & LX_MAP_PAGE_SHARED;
    fake_space_t *s = space;
    fake_page_t *fp = va / PG < FAKE_PAGES ? &s->pages[va / PG] : NULL;

    if (!fp || va % PG)
        return -LX_EINVAL;
    if (fp->mem)
        return -LX_EEXIST;
    if (shared) {
        fp->mem = pg->mem;
    } else {
        fp->mem = malloc(PG);
        memcpy(fp->mem, pg->mem, PG);
    }
    fp->borrowed = shared;
    fp->prot = prot;
    s->n_mapped++;
    return 0;
}

/* The guest's memory: FAKE_TOTAL_RAM, less what the heap holds. */
static void f_mem_info(void *ctx, uint32_t *total, uint32_t *free_bytes)
{
    fake_host_t *h = ctx;
    *total = FAKE_TOTAL_RAM;
    *free_bytes = FAKE_TOTAL_RAM - (uint32_t)h->heap_used;
}

const lx_host_ops_t fake_ops = {
    .copy_in = f_copy_in, .copy_out = f_copy_out, .map_zero = f_map_zero,
    .unmap = f_unmap, .protect = f_protect, .alloc = f_alloc, .free = f_free,
    .console_write = f_console_write, .console_read = f_console_read,
    .now_ns = f_now_ns, .random = f_random, .log = f_log,
    .space_new = f_space_new, .space_fork = f_space_fork, .space_free = f_space_free,
    .page_new = f_page_new, .page_put = f_page_put, .map_page = f_map_page,
    .mem_info = f_mem_info,
};

fake_world_t *fake_world_new(void)
{
    fake_world_t *w = calloc(1, sizeof(*w));
    fake_space_init(&w->space);
    if (lx_kernel_init(&w->k, &fake_ops, &w->host) != 0 ||
            lx_proc_init(&w->k, &w->p, &w->space) != 0)
        abort();
    f_map_zero(&w->space, FAKE_SCRATCH, FAKE_SCRATCH_SIZE, LX_PROT_READ | LX_PROT_WRITE);
    return w;
}

void fake_world_free(fake_world_t *w)
{
    for (lx_proc_t *q = w->k.procs; q; q = q->next) {
        if (q->space && q->space != &w->space && !lx_space_shared(q, q->space))
            f_space_free(&w->host, q->space);
        q->space = NULL;
    }
    lx_proc_release(&w->p);
    lx_kernel_release(&w->k);
    if (w->host.heap_used != 0 || w->k.mem_used != 0) {
        fprintf(stderr, "fake_world_free: %llu bytes of the personality still held\n",
                (unsigned long long)w->host.heap_used);
        abort();
    }
    fake_space_free(&w->space);
    free(w);
}

uint32_t fake_put(fake_world_t *w, uint32_t off, const void *data, uint32_t len)
{
    if (f_copy_out(&w->space, FAKE_SCRATCH + off, data, len) != 0)
        abort();
    return FAKE_SCRATCH + off;
}

uint32_t fake_put_str(fake_world_t *w, uint32_t off, const char *s)
{
    return fake_put(w, off, s, (uint32_t)strlen(s) + 1);
}

int32_t fake_call(fake_world_t *w, uint32_t nr, uint32_t b, uint32_t c, uint32_t d,
        uint32_t si, uint32_t di, uint32_t bp)
{
    return fake_call_proc(&w->p, nr, b, c, d, si, di, bp);
}

int32_t fake_call_proc(lx_proc_t *p, uint32_t nr, uint32_t b, uint32_t c, uint32_t d,
        uint32_t si, uint32_t di, uint32_t bp)
{
    lx_regs_t r = { nr, b, c, d, si, di, bp, 0, 0, 0 };
    return lx_syscall(p, &r);
}
