/*
 * A fake guest kernel for the Linux personality's host tests: it implements
 * lx_host_ops_t over a sparse, page-granular fake address space (each page
 * a calloc'ed 4 KiB with its LX_PROT_* rights, so a copy into a read-only or
 * unmapped page fails with -EFAULT as the real one will), a heap with an
 * optional budget (to provoke ENOMEM), a console that records what is
 * written and serves scripted input, a fixed clock and counting "random"
 * bytes. Tests drive the real handlers through lx_syscall() against it.
 */
#ifndef TESTS_UNIT_GUEST_FAKE_HOST_H
#define TESTS_UNIT_GUEST_FAKE_HOST_H

#include "../../../guest-stub/linux/lx.h"

#define FAKE_PAGES      0xC0000u    /* pages below LX's user_top */
#define FAKE_REALTIME   1700000000123456789ull
#define FAKE_MONOTONIC  42000000007ull
#define FAKE_TOTAL_RAM  (32u << 20)  /* what mem_info reports in all */

typedef struct fake_page {
    uint8_t *mem;
    uint32_t prot;
    bool borrowed;                  /* a shared page-cache page: the cache's to free */
} fake_page_t;

typedef struct fake_space {
    fake_page_t *pages;             /* FAKE_PAGES entries */
    uint32_t n_mapped;
} fake_space_t;

typedef struct fake_host {
    uint64_t heap_used, heap_budget;    /* budget 0: unlimited */
    char out[65536];                    /* console output */
    uint32_t out_len;
    const char *in;                     /* console input left */
    uint32_t n_logs, last_log_value;
    char last_log[128];
    uint8_t next_random;
    uint32_t spaces_made, spaces_budget;    /* spaces besides the first; budget 0: unlimited */
    uint64_t clock_now;                 /* ns added to the monotonic clock */
} fake_host_t;

extern const lx_host_ops_t fake_ops;

void fake_space_init(fake_space_t *s);
void fake_space_free(fake_space_t *s);
/* Direct access for assertions: NULL if unmapped. */
uint8_t *fake_byte(fake_space_t *s, uint32_t addr);
uint32_t fake_prot(fake_space_t *s, uint32_t addr);
uint32_t fake_read32(fake_space_t *s, uint32_t addr);

/* A process with the fake host, fresh file system, and a scratch page at
 * FAKE_SCRATCH for arguments. */
#define FAKE_SCRATCH 0x10000000u
#define FAKE_SCRATCH_SIZE (16u * 4096)
typedef struct fake_world {
    fake_host_t host;
    fake_space_t space;
    lx_kernel_t k;
    lx_proc_t p;
} fake_world_t;

fake_world_t *fake_world_new(void);
void fake_world_free(fake_world_t *w);
/* Puts bytes at a user address in the scratch area; returns the address. */
uint32_t fake_put(fake_world_t *w, uint32_t off, const void *data, uint32_t len);
uint32_t fake_put_str(fake_world_t *w, uint32_t off, const char *s);
int32_t fake_call(fake_world_t *w, uint32_t nr, uint32_t b, uint32_t c, uint32_t d,
        uint32_t si, uint32_t di, uint32_t bp);
/* The same for any process of the world (fork's children). */
int32_t fake_call_proc(lx_proc_t *p, uint32_t nr, uint32_t b, uint32_t c, uint32_t d,
        uint32_t si, uint32_t di, uint32_t bp);
#define PC0(p, nr) fake_call_proc(p, nr, 0, 0, 0, 0, 0, 0)
#define PC1(p, nr, a) fake_call_proc(p, nr, a, 0, 0, 0, 0, 0)
#define PC2(p, nr, a, b) fake_call_proc(p, nr, a, b, 0, 0, 0, 0)
#define PC3(p, nr, a, b, c) fake_call_proc(p, nr, a, b, c, 0, 0, 0)
#define PC4(p, nr, a, b, c, d) fake_call_proc(p, nr, a, b, c, d, 0, 0)
#define PC5(p, nr, a, b, c, d, e) fake_call_proc(p, nr, a, b, c, d, e, 0)
#define SC0(w, nr) fake_call(w, nr, 0, 0, 0, 0, 0, 0)
#define SC1(w, nr, a) fake_call(w, nr, a, 0, 0, 0, 0, 0)
#define SC2(w, nr, a, b) fake_call(w, nr, a, b, 0, 0, 0, 0)
#define SC3(w, nr, a, b, c) fake_call(w, nr, a, b, c, 0, 0, 0)
#define SC4(w, nr, a, b, c, d) fake_call(w, nr, a, b, c, d, 0, 0)
#define SC5(w, nr, a, b, c, d, e) fake_call(w, nr, a, b, c, d, e, 0)
#define SC6(w, nr, a, b, c, d, e, f) fake_call(w, nr, a, b, c, d, e, f)

#endif
