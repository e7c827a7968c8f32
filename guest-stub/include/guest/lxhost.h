/*
 * The Linux personality's host interface (guest-stub/lxhost.c, over the
 * backend of guest/lxback.h)
 * and the guest kernel's Linux run loop (guest-stub/lxrun.c).
 */
#ifndef GUEST_LXHOST_H
#define GUEST_LXHOST_H

#include <stdint.h>
#include <stdbool.h>
#include <memmgr/mm.h>
#include <memmgr/vspace.h>
#include <rt/component.h>
#include <vmm/guest_abi.h>

struct lx_host_ops;
struct lxb_ops;
struct lxb_space;

/* A process's address space: its own VSpace and the frames behind it. */
typedef struct lxh_space lxh_space_t;

/* The callbacks, over the policy's backend (guest/lxback.h). */
const struct lx_host_ops *lxh_init(const struct lxb_ops *b);
/* Before lxh_init: a clock that advances FIXED_STEP_NS per reading and a
 * fixed random seed instead of the time-stamp counter (bootargs
 * `clock=fixed`): under -icount the counter counts every guest's
 * instructions, so the replay test (docs/isolation.md) needs a guest whose
 * memory does not record when it ran. */
void lxh_fixed_clock(void);
/* The time-stamp counter's rate in MHz, as the kernel measured it at boot
 * (the boot page's tsc_mhz); before lxh_init. 0 leaves the 1 GHz guess. */
void lxh_tsc_rate(uint32_t mhz);
int lxh_space_create(lxh_space_t **out);
struct lxb_space *lxh_space_backend(lxh_space_t *s);
uint32_t lxh_space_pages(const lxh_space_t *s);
void lxh_space_destroy(lxh_space_t *s);
/* fork: a copy-on-write copy (-EAGAIN when the guest's memory is spent). */
int lxh_space_fork(lxh_space_t *parent, lxh_space_t **out);
/* A VMFault the page table explains (copy-on-write, lazy mapping): 0 when
 * handled, -EFAULT when the access is not allowed, -ENOMEM without memory. */
int lxh_fault(lxh_space_t *s, uint32_t addr, bool write);
uint32_t lxh_heap_bytes(void);
/* Bytes of objects the guest kernel keeps for itself once made: its heap's
 * frames and their page tables (the leak check leaves them out). */
uint32_t lxh_kept_bytes(void);
/* Bytes of memory the guest has left (free untyped and pooled frames, and
 * the frames it keeps spare for the next pages). */
uint32_t lxh_mem_free(void);
/* The spare frames back to the backend (before the leak check, and before
 * the guest kernel makes objects of its own: a thread, an address space). */
void lxh_spare_drain(void);

/* The guest's own memmgr owner over the untypeds it was given (process.c). */
struct mm *guest_own_mm(rt_component_info_t *info, struct mm_vspace **vsp);

/* Bytes to the VMM's console as they are (console.c). */
void guest_console_write(const void *buf, uint32_t len);

/* bootargs `init=PATH ARGS...`: runs that Linux program from the initrd and
 * returns its exit code (a signal's number + 128 when killed). */
int guest_run_linux(rt_component_info_t *info, const vmm_guest_boot_t *boot);

#endif
