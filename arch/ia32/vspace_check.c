/*
 * The debug invariant checker for paging, ASIDs and I/O ports
 * (memory-model.md, invariants 3, 4 and 7).
 *
 * Invariant 3 says every present user mapping is recorded by a live
 * capability. The direction "capability -> mapping" is cheap (a capability
 * names its entry); the direction "mapping -> capability" would mean
 * searching all capabilities for each entry. Instead the checker walks
 * every capability once (through the derivation-tree lists cdt.c keeps for
 * debug builds) and sets a software bit (PG_CHECK_MARK, ignored by the MMU)
 * on each entry some live capability records and that still points at its
 * object; then it walks every page directory the ASID table reaches and
 * demands the mark on every present user entry, clearing it as it goes.
 * Each check costs O(capabilities + entries) whatever their number (the
 * walk is invariants_for_each_slot, which has no limit), and the marks
 * never outlive the checker. Only PDs reachable through the ASID table
 * matter: no other PD can be in CR3.
 *
 * Failures are reported with inv_fail (kernel/invariants.h), not panics.
 *
 * The frame-type table is cross-checked too: page tables, page directories
 * and pools must be what the table says, and a user mapping may only reach
 * a user frame (or memory the table does not track).
 */
#include <arch/vspace.h>
#include <arch/arch.h>
#include <arch/frametype.h>
#include <arch/ioport.h>
#include <arch/machine.h>
#include <kernel/cdt.h>
#include <kernel/invariants.h>
#include <kernel/debug.h>
#include <kernel/state.h>

#if CONFIG_DEBUG

/* ---- Capability side: mark what live caps record, check what they name ---- */

/* The entry (PDE or PTE) a frame capability's record names, if it still
 * maps that frame. */
static word_t *recorded_frame_entry(cap_t cap)
{
    pde_t *pd = vspace_find_pd(cap_mapped_asid(cap));
    vaddr_t v = cap_mapped_vaddr(cap);
    paddr_t frame = cap_frame_paddr(cap);
    if (!pd)
        return NULL;
    pde_t *pde = &pd[PD_INDEX(v)];
    if (cap_frame_is_large(cap))
        return pde_is_large(*pde) && pde_large_paddr(*pde) == frame ? pde : NULL;
    if (!pde_is_table(*pde))
        return NULL;
    pte_t *pte = (pte_t *)paddr_to_kptr(pde_table_paddr(*pde)) + PT_INDEX(v);
    return pte_present(*pte) && pte_paddr(*pte) == frame ? pte : NULL;
}

static pde_t *recorded_table_entry(cap_t cap)
{
    pde_t *pd = vspace_find_pd(cap_mapped_asid(cap));
    if (!pd)
        return NULL;
    pde_t *pde = &pd[PD_INDEX(cap_mapped_vaddr(cap))];
    return pde_is_table(*pde) && pde_table_paddr(*pde) == kptr_to_paddr(cap_paging_ptr(cap)) ? pde : NULL;
}

static void check_frame_cap(cap_t cap)
{
    frame_type_t t = ft_get(cap_frame_paddr(cap));
    if (t == FT_KERNEL || t == FT_PAGE_TABLE || t == FT_PAGE_DIRECTORY || t == FT_ASID_POOL)
        inv_fail(INV_MAPPING_CAP_FRAME_TYPE, "frame cap 0x%x covers frame of type %u",
                 cap_frame_paddr(cap), t);
    if (cap_mapped_asid(cap) != ASID_INVALID) {
        word_t *e = recorded_frame_entry(cap);
        if (e)
            *e |= PG_CHECK_MARK;
    }
}

static void check_paging_cap(cap_t cap)
{
    paddr_t p = kptr_to_paddr(cap_paging_ptr(cap));
    frame_type_t t = ft_get(p);

    if (cap_type(cap) == CAP_PAGE_DIRECTORY) {
        if (t != FT_PAGE_DIRECTORY)
            inv_fail(INV_MAPPING_CAP_FRAME_TYPE, "page directory 0x%x has frame type %u", p, t);
        return;
    }
    if (t != FT_PAGE_TABLE && t != FT_UNTRACKED && t != FT_FREE)
        inv_fail(INV_MAPPING_CAP_FRAME_TYPE, "page table 0x%x has frame type %u", p, t);
    if (cap_paging_is_mapped(cap)) {
        pde_t *e = recorded_table_entry(cap);
        if (e)
            *e |= PG_CHECK_MARK;
    }
}

static void check_arch_cap(cap_t cap)
{
    switch (cap_type(cap)) {
    case CAP_FRAME:
        check_frame_cap(cap);
        break;
    case CAP_PAGE_TABLE:
    case CAP_PAGE_DIRECTORY:
        check_paging_cap(cap);
        break;
    case CAP_ASID_POOL:
        if (ks_asid_table[asid_pool_of(cap_asid_pool_base(cap))] != cap_ptr(cap))
            inv_fail(INV_ASID_TABLE, "live ASID pool %p not in the ASID table", cap_ptr(cap));
        break;
    case CAP_IO_PORT:
        if (portmap_range_free(ks_ioport_bitmap, cap_io_first(cap), cap_io_first(cap)) ||
            portmap_range_free(ks_ioport_bitmap, cap_io_last(cap), cap_io_last(cap)))
            inv_fail(INV_IO_PORTS, "I/O port cap 0x%x-0x%x not in the issued bitmap",
                     cap_io_first(cap), cap_io_last(cap));
        break;
    default:
        break;
    }
}

static void check_arch_slot(cte_t *s, void *ctx)
{
    (void)ctx;
    check_arch_cap(s->cap);
}

/* ---- Paging side: every VSpace the ASID table reaches ---- */

/* The kernel image's physical extent (arch/ia32/linker.ld). */
extern char ki_phys_start[], ki_phys_end[];

static void check_user_frame(paddr_t p, word_t size_bits, word_t entry, vaddr_t v, bool marks)
{
    frame_type_t t = ft_get(p);
    paddr_t k_start = (paddr_t)(uintptr_t)ki_phys_start, k_end = (paddr_t)(uintptr_t)ki_phys_end;

    if (p < k_end && (uint64_t)p + BIT(size_bits) > k_start)
        inv_fail(INV_MAPPING_TARGET, "user mapping at 0x%x reaches the kernel image (frame 0x%x)", v, p);
    if (t != FT_USER_FRAME && t != FT_UNTRACKED)
        inv_fail(INV_MAPPING_TARGET, "user mapping at 0x%x reaches frame 0x%x of type %u", v, p, t);
    if (entry & PG_GLOBAL)
        inv_fail(INV_MAPPING_TARGET, "user mapping at 0x%x is global", v);
    if (marks && !(entry & PG_CHECK_MARK))
        inv_fail(INV_MAPPING_UNRECORDED, "user mapping at 0x%x -> 0x%x recorded by no live frame cap", v, p);
}

static void check_table(pte_t *pt, vaddr_t base, bool marks)
{
    frame_type_t t = ft_get(kptr_to_paddr(pt));
    if (t != FT_PAGE_TABLE && t != FT_UNTRACKED) {
        inv_fail(INV_PAGE_TABLE_ENTRY, "PDE for 0x%x points at frame of type %u, not a page table", base, t);
        return;
    }
    for (word_t i = 0; i < PT_ENTRIES; i++) {
        if (!pte_present(pt[i]))
            continue;
        vaddr_t v = base + (i << PAGE_BITS);
        check_user_frame(pte_paddr(pt[i]), PAGE_BITS, pt[i], v, marks);
        pt[i] &= ~PG_CHECK_MARK;
    }
}

/* The MMU sets Accessed and Dirty in the kernel entries of whichever PD is
 * loaded, so copies of the kernel half may differ from the reference in
 * those two status bits and nowhere else. */
#define PDE_STATUS_BITS (PG_ACCESSED | PG_DIRTY)

static void check_vspace(pde_t *pd, bool marks)
{
    for (word_t i = KERNEL_PD_FIRST; i < PD_ENTRIES; i++) {
        if ((pd[i] ^ ia32_kernel_pd[i]) & ~PDE_STATUS_BITS)
            inv_fail(INV_KERNEL_HALF, "PD %p: kernel entry %u differs from the reference (0x%x vs 0x%x)", pd, i,
                     pd[i], ia32_kernel_pd[i]);
    }
    for (word_t i = 0; i < KERNEL_PD_FIRST; i++) {
        vaddr_t v = i << PDE_SPAN_BITS;
        if (pde_is_large(pd[i])) {
            check_user_frame(pde_large_paddr(pd[i]), LARGE_PAGE_BITS, pd[i], v, marks);
        } else if (pde_is_table(pd[i])) {
            if (marks && !(pd[i] & PG_CHECK_MARK))
                inv_fail(INV_MAPPING_UNRECORDED, "PD %p: table at 0x%x recorded by no live page-table cap", pd, v);
            check_table(paddr_to_kptr(pde_table_paddr(pd[i])), v, marks);
        }
        pd[i] &= ~PG_CHECK_MARK;
    }
}

/* Pools and PDs in the ASID table: right types, each PD under one ASID
 * (the mark on its first kernel entry catches a second one; cleared after). */
static void check_asid_table(bool marks)
{
    for (word_t a = 0; a < NUM_ASIDS; a++) {
        asid_pool_t *pool = ks_asid_table[asid_pool_of(a)];
        if (!pool || !pool->pd[asid_index(a)])
            continue;
        pde_t *pd = pool->pd[asid_index(a)];
        if (a == ASID_INVALID)
            inv_fail(INV_ASID_TABLE, "ASID 0 names PD %p", pd);
        if (ft_get(kptr_to_paddr(pool)) != FT_ASID_POOL || ft_get(kptr_to_paddr(pd)) != FT_PAGE_DIRECTORY) {
            inv_fail(INV_ASID_TABLE, "ASID %u: pool %p or PD %p has the wrong frame type", a, pool, pd);
            continue;
        }
        if (pd[KERNEL_PD_FIRST] & PG_CHECK_MARK)
            inv_fail(INV_ASID_TABLE, "PD %p has two ASIDs", pd);
        check_vspace(pd, marks);
        pd[KERNEL_PD_FIRST] |= PG_CHECK_MARK;
    }
    for (word_t a = 0; a < NUM_ASIDS; a++) {
        asid_pool_t *pool = ks_asid_table[asid_pool_of(a)];
        if (pool && pool->pd[asid_index(a)])
            pool->pd[asid_index(a)][KERNEL_PD_FIRST] &= ~PG_CHECK_MARK;
    }
}

static void check_cr3(void)
{
    paddr_t root = read_cr3() & PTE_ADDR_MASK;
    if (root == kptr_to_paddr(ia32_kernel_pd))
        return;
    for (word_t a = 1; a < NUM_ASIDS; a++) {
        asid_pool_t *pool = ks_asid_table[asid_pool_of(a)];
        if (pool && pool->pd[asid_index(a)] && kptr_to_paddr(pool->pd[asid_index(a)]) == root)
            return;
    }
    inv_fail(INV_CR3, "CR3 0x%x holds no live page directory", root);
}

void arch_check_invariants(void)
{
    invariants_for_each_slot(check_arch_slot, NULL);
    check_asid_table(true);
    check_cr3();
    if (!portmap_kernel_ports_clear(ks_ioport_bitmap))
        inv_fail(INV_IO_PORTS, "a kernel I/O port is marked issued");
}

#else

void arch_check_invariants(void)
{
}

#endif
