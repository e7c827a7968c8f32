/*
 * Virtual address spaces on ia32 without PAE, the seL4 way.
 *
 * A VSpace is a page directory (PD). User level builds it from objects it
 * retyped itself: page tables (PT) are mapped into a PD, 4 KiB frames into a
 * PT and 4 MiB frames straight into the PD, each by invoking the PT or frame
 * capability with the PD capability and an address. The kernel allocates
 * nothing. Each capability remembers where it was mapped (ASID + address),
 * and that record is only a hint, a "weak link": before unmapping, the
 * kernel finds the PD through the ASID table and checks that the entry
 * still points at this object. If the PD was deleted (its ASID invalidated)
 * or the entry was replaced, the unmap does nothing.
 *
 * ASIDs name PDs: the ASID table holds 4 pools of 1024 PD pointers, each
 * pool a 4 KiB object made from an untyped through ASID control. A PD is
 * usable as a VSpace root only once a pool assigned it an ASID; ASID 0 is
 * never handed out, so "asid 0" in a capability means "not mapped".
 *
 * The upper quarter (0xE0000000 and up) of every PD is the kernel window,
 * copied from ia32_kernel_pd when the PD is created and never changed.
 * Without PCIDs, switching CR3 drops every non-global TLB entry, so a
 * change to a PD that is not loaded needs no flush; a change to the loaded
 * one is followed by invlpg of exactly the address that changed.
 */
#ifndef ARCH_VSPACE_H
#define ARCH_VSPACE_H

#include <kernel/objects.h>
#include <kernel/invocation.h>
#include <arch/mmu.h>
#include <arch/memlayout.h>

/* The kernel's own page directory (boot code, multiboot.S): its upper part
 * is the reference copy of the kernel window; CR3 holds it whenever the
 * current thread has no valid VSpace. */
extern pde_t ia32_kernel_pd[PD_ENTRIES];

/* seL4_X86_VMAttributes word (libsel4 sel4_arch/types.h): 0 WriteBack,
 * 1 WriteThrough, 2 CacheDisabled, 3 Uncacheable, 4 WriteCombining. */
#define VMATTR_PWT          BIT(0)      /* write-through */
#define VMATTR_PCD          BIT(1)      /* cache disable */
#define VMATTR_PAT          BIT(2)      /* PAT index bit (write combining) */

/* ASIDs: 4 pools (seL4_NumASIDPoolsBits 2) of 1024 (seL4_ASIDPoolIndexBits 10). */
#define ASID_INVALID        0u
#define NUM_ASID_POOLS      BIT(NUM_ASID_POOLS_BITS)
#define ASID_POOL_ENTRIES   BIT(ASID_POOL_INDEX_BITS)
#define NUM_ASIDS           BIT(ASID_BITS)
static inline word_t asid_pool_of(word_t asid) { return asid >> ASID_POOL_INDEX_BITS; }
static inline word_t asid_index(word_t asid) { return asid & MASK(ASID_POOL_INDEX_BITS); }

/* One PD entry covers 4 MiB, one PT entry 4 KiB. */
#define PDE_SPAN_BITS       LARGE_PAGE_BITS
#ifndef PAGE_SIZE
#define PAGE_SIZE           BIT(PAGE_BITS)
#endif
#ifndef LARGE_PAGE_SIZE
#define LARGE_PAGE_SIZE     BIT(LARGE_PAGE_BITS)
#endif
/* A 4 KiB map without a page table fails as seL4's lookupPTSlot does:
 * MissingCapability with bitsLeft = the bits below a PD entry (12 + 10). */
#define PT_LOOKUP_BITS_LEFT LARGE_PAGE_BITS

/* ---- Pure logic (arch/ia32/pte.c): no hardware, no kernel state. ---- */

/* seL4 maskVMRights: the VM rights a mapping gets from the cap's VM rights
 * and a seL4_CapRights_t mask (Read needed for any user access, Write
 * needed to keep write access). Also what CNode Copy/Mint apply to frames. */
word_t vm_rights_mask(word_t vmrights, word_t cap_rights);
/* Entries for user mappings: rights as VM_* (cap.h), attributes as
 * seL4_X86_VMAttributes. Never global: the window is the only global part. */
pte_t pte_make_user(paddr_t frame, word_t vmrights, word_t attr);
pde_t pde_make_large(paddr_t frame, word_t vmrights, word_t attr);
pde_t pde_make_table(paddr_t pt, word_t attr);
/* Does [v, v + 2^size_bits) lie below USER_TOP, without wrapping? */
bool vspace_range_ok(vaddr_t v, word_t size_bits);

static inline bool pde_present(pde_t e) { return e & PG_PRESENT; }
static inline bool pde_is_table(pde_t e) { return (e & (PG_PRESENT | PG_PS)) == PG_PRESENT; }
static inline bool pde_is_large(pde_t e) { return (e & (PG_PRESENT | PG_PS)) == (PG_PRESENT | PG_PS); }
static inline paddr_t pde_table_paddr(pde_t e) { return e & PTE_ADDR_MASK; }
static inline paddr_t pde_large_paddr(pde_t e) { return e & PDE_LARGE_ADDR_MASK; }
static inline bool pte_present(pte_t e) { return e & PG_PRESENT; }
static inline paddr_t pte_paddr(pte_t e) { return e & PTE_ADDR_MASK; }

/* ---- Address spaces (arch/ia32/vspace.c). ---- */

/* The PD that ASID `asid` names, or NULL (no pool, no PD, or ASID 0). */
pde_t *vspace_find_pd(word_t asid);
/* Map decoders (seL4 findVSpaceForASID and the check after it): the ASID
 * of pd_cap, an assigned page directory, must still name that directory;
 * else a FailedLookup (InvalidRoot) or InvalidCapability 1 refusal. */
exception_t vspace_check_pd_asid(cap_t pd_cap);
/* The PD thread t runs in: its VSpace root if that is an assigned page
 * directory whose ASID still names it, else NULL (the thread then runs in
 * the kernel's PD and faults on its first user access). t may be NULL. */
pde_t *ia32_thread_pd(tcb_t *t);
/* seL4 setVMRoot: load t's VSpace if it is a PD with a live ASID, else the
 * kernel's PD; CR3 is written only when it changes. t may be NULL.
 * (arch_switch_to_thread() does the same through ia32_thread_pd().) */
void vspace_set_root(tcb_t *t);
/* Is `pd` the page directory CR3 holds? (Then entries changed in it need invlpg.) */
bool vspace_is_current(const pde_t *pd);
/* Weak-link unmaps: each does nothing if the ASID no longer names a PD or
 * the entry no longer points at the object. */
void vspace_unmap_frame(cap_t frame_cap);
void vspace_unmap_page_table(word_t asid, vaddr_t vaddr, pte_t *pt);
/* Invocations on PD, PT and frame capabilities. */
exception_t vspace_decode_pd(invocation_t *inv);
exception_t vspace_decode_pt(invocation_t *inv);
exception_t vspace_decode_frame(invocation_t *inv);      /* arch/ia32/frame.c */

/* ---- ASIDs (arch/ia32/asid.c). ---- */

/* Boot (kernel/boot.c): install `pool` as the pool for ASIDs from
 * `asid_base` and give `asid` in it to the root task's page directory. */
void asid_boot_install(asid_pool_t *pool, word_t asid_base, word_t asid, pde_t *pd);
exception_t asid_decode_control(invocation_t *inv);
exception_t asid_decode_pool(invocation_t *inv);
/* A PD's last capability went: forget its ASID if it still names it. */
void asid_delete(word_t asid, pde_t *pd);
/* An ASID pool's last capability went: drop it from the ASID table. */
void asid_pool_delete(word_t asid_base, asid_pool_t *pool);

/* ---- Debug checks (arch/ia32/vspace_check.c): arch_check_invariants(). ---- */

/* A software-available bit (AVL, ignored by the MMU) that only the invariant
 * checker sets, and clears again before it returns. */
#define PG_CHECK_MARK       BIT(9)

#endif
