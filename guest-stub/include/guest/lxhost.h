/*
 * The Linux personality's host interface over memmgr (guest-stub/lxhost.c)
 * and the guest kernel's Linux run loop (guest-stub/lxrun.c).
 */
#ifndef GUEST_LXHOST_H
#define GUEST_LXHOST_H

#include <stdint.h>
#include <memmgr/mm.h>
#include <memmgr/vspace.h>
#include <rt/component.h>
#include <vmm/guest_abi.h>

struct lx_host_ops;

/* A process's address space: its own VSpace and the frames behind it. */
typedef struct lxh_space lxh_space_t;

/* The callbacks, over memmgr owner mm, the guest's own space and CSpace. */
const struct lx_host_ops *lxh_init(struct mm *mm, struct mm_vspace *own, mm_cptr_t cspace);
/* Before lxh_init: a clock that advances FIXED_STEP_NS per reading and a
 * fixed random seed instead of the time-stamp counter (bootargs
 * `clock=fixed`): under -icount the counter counts every guest's
 * instructions, so the replay test (docs/isolation.md) needs a guest whose
 * memory does not record when it ran. */
void lxh_fixed_clock(void);
int lxh_space_create(lxh_space_t **out);
struct mm_vspace *lxh_space_vspace(lxh_space_t *s);
uint32_t lxh_space_pages(const lxh_space_t *s);
void lxh_space_destroy(lxh_space_t *s);
uint32_t lxh_heap_bytes(void);

/* The guest's own memmgr owner over the untypeds it was given (process.c). */
struct mm *guest_own_mm(rt_component_info_t *info, struct mm_vspace **vsp);

/* Bytes to the VMM's console as they are (console.c). */
void guest_console_write(const void *buf, uint32_t len);

/* bootargs `init=PATH ARGS...`: runs that Linux program from the initrd and
 * returns its exit code (a signal's number + 128 when killed). */
int guest_run_linux(rt_component_info_t *info, const vmm_guest_boot_t *boot);

#endif
