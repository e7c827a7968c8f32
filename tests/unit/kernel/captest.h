/*
 * Shared scaffolding for the capability-core host tests: a memory arena
 * below 4 GiB (capabilities hold 32-bit pointers, also on the host), and
 * stubs for the functions of other kernel modules that the capability core
 * calls (finalisers, refusal helpers, scheduler, arch). The stubs record
 * what they were asked so tests can check it. Include from exactly one
 * test file per test program.
 */
#ifndef CAPTEST_H
#define CAPTEST_H

#pragma GCC diagnostic ignored "-Wunused-function"

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <cmocka.h>

#include <kernel/state.h>
#include <kernel/cdt.h>
#include <kernel/capops.h>
#include <kernel/cspace.h>
#include <kernel/invocation.h>
#include <kernel/ipc.h>
#include <kernel/sched.h>
#include <kernel/notification.h>
#include <kernel/tcb.h>
#include <arch/arch.h>
#include <arch/memlayout.h>

/* ---- kernel globals the linked sources use ---- */
tcb_t *ks_cur_thread;
syscall_error_t ks_syscall_error;
lookup_fault_t ks_lookup_fault;
word_t ks_work_units;

/* ---- arena below 4 GiB ---- */
#define ARENA_SIZE (64u << 20)
static uint8_t *arena_base;
static size_t arena_used;

static void arena_reset(void)
{
    if (arena_base == NULL) {
        arena_base = mmap(NULL, ARENA_SIZE, PROT_READ | PROT_WRITE,
                          MAP_PRIVATE | MAP_ANONYMOUS | MAP_32BIT, -1, 0);
        if (arena_base == MAP_FAILED) {
            perror("mmap MAP_32BIT");
            abort();
        }
    }
    memset(arena_base, 0, arena_used);
    arena_used = 0;
}

static void *arena_alloc(size_t size, size_t align)
{
    size_t off = (arena_used + align - 1) & ~(align - 1);
    if (off + size > ARENA_SIZE)
        abort();
    arena_used = off + size;
    return arena_base + off;
}

/* A CNode with 2^radix slots in the arena, and its capability. */
static cap_t make_cnode(word_t radix, word_t guard_size, word_t guard)
{
    cte_t *slots = arena_alloc(sizeof(cte_t) << radix, 64);
    return cap_cnode_new(slots, radix, guard_size, guard);
}

static tcb_t *make_tcb(void)
{
    size_t size = sizeof(tcb_t) > 4096 ? sizeof(tcb_t) : 4096;
    return arena_alloc(size, 4096);
}

/* ---- recording stubs ---- */
static int n_ep_cancel_all, n_ntfn_cancel_all, n_ntfn_unbind_all, n_tcb_finalise;
static int n_arch_finalise, n_arch_finalise_final, n_cancel_badged, n_clear_memory;
static void *last_ep_cancelled;
static word_t last_badge_cancelled;
static paddr_t clear_lo = 0xffffffffu, clear_hi;
static bool irq_pending;
static thread_state_t last_state_set;

static void stubs_reset(void)
{
    n_ep_cancel_all = n_ntfn_cancel_all = n_ntfn_unbind_all = n_tcb_finalise = 0;
    n_arch_finalise = n_arch_finalise_final = n_cancel_badged = n_clear_memory = 0;
    last_ep_cancelled = NULL;
    last_badge_cancelled = 0;
    clear_lo = 0xffffffffu;
    clear_hi = 0;
    irq_pending = false;
    ks_work_units = 0;
    memset(&ks_syscall_error, 0, sizeof(ks_syscall_error));
    memset(&ks_lookup_fault, 0, sizeof(ks_lookup_fault));
}

void ep_cancel_all(struct endpoint *ep) { n_ep_cancel_all++; last_ep_cancelled = ep; }
void ntfn_cancel_all(struct notification *n) { (void)n; n_ntfn_cancel_all++; }
void ntfn_unbind_all(struct notification *n) { (void)n; n_ntfn_unbind_all++; }
void tcb_finalise(tcb_t *t) { (void)t; n_tcb_finalise++; }
void arch_finalise_cap(cap_t cap, bool final) { (void)cap; n_arch_finalise++; n_arch_finalise_final += final; }
void ep_cancel_badged_sends(endpoint_t *ep, word_t badge) { last_ep_cancelled = ep; last_badge_cancelled = badge; n_cancel_badged++; }
bool arch_irq_pending(void) { return irq_pending; }
void arch_tcb_init(tcb_t *t) { (void)t; }
void tcb_init_new(tcb_t *t) { (void)t; }
void tcb_name_child(tcb_t *t, const tcb_t *creator) { (void)t; (void)creator; }
void arch_init_page_directory(void *pd) { (void)pd; }
void arch_clear_memory(paddr_t p, word_t size)
{
    n_clear_memory++;
    if (p < clear_lo)
        clear_lo = p;
    if (p + size > clear_hi)
        clear_hi = p + size;
}
void tcb_set_state(tcb_t *t, thread_state_t s) { (void)t; last_state_set = s; }

void printk(const char *fmt, ...) { (void)fmt; }
void panic_at(const char *file, int line, const char *fmt, ...)
{
    fprintf(stderr, "panic at %s:%d: %s\n", file, line, fmt);
    abort();
}

exception_t refuse(word_t err, const char *why)
{
    (void)why;
    memset(&ks_syscall_error, 0, sizeof(ks_syscall_error));
    ks_syscall_error.type = err;
    return EXCEPTION_SYSCALL_ERROR;
}
exception_t refuse_arg(word_t index, const char *why)
{
    refuse(ERR_INVALID_ARGUMENT, why);
    ks_syscall_error.invalid_argument = index;
    return EXCEPTION_SYSCALL_ERROR;
}
exception_t refuse_cap(word_t index, const char *why)
{
    refuse(ERR_INVALID_CAPABILITY, why);
    ks_syscall_error.invalid_cap = index;
    return EXCEPTION_SYSCALL_ERROR;
}
exception_t refuse_range(word_t min, word_t max, const char *why)
{
    refuse(ERR_RANGE_ERROR, why);
    ks_syscall_error.range_min = min;
    ks_syscall_error.range_max = max;
    return EXCEPTION_SYSCALL_ERROR;
}
exception_t refuse_memory(word_t bytes_left, const char *why)
{
    refuse(ERR_NOT_ENOUGH_MEMORY, why);
    ks_syscall_error.memory_left = bytes_left;
    return EXCEPTION_SYSCALL_ERROR;
}
exception_t refuse_lookup(bool source, const char *why)
{
    refuse(ERR_FAILED_LOOKUP, why);
    ks_syscall_error.failed_lookup_was_source = source;
    return EXCEPTION_SYSCALL_ERROR;
}

/* Message registers of the invocation under test. */
static word_t test_mrs[MSG_MAX_LENGTH];
word_t inv_arg(const invocation_t *inv, word_t i) { (void)inv; return test_mrs[i]; }

/* ---- checks ---- */

/* Links are symmetric along the whole list containing s. */
static void check_list(const cte_t *s)
{
    const cte_t *p = s;
    while (mdb_prev(p) != NULL)
        p = mdb_prev(p);
    for (; p != NULL; p = mdb_next(p)) {
        if (mdb_next(p) != NULL)
            assert_ptr_equal(mdb_prev(mdb_next(p)), p);
        assert_false(cap_is_null(p->cap));
    }
}

static void assert_empty_slot(const cte_t *s)
{
    assert_true(cap_is_null(s->cap));
    assert_null(mdb_next(s));
    assert_null(mdb_prev(s));
}

#endif
