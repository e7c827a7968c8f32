/*
 * Address spaces: finding a page directory by ASID, loading CR3, the
 * weak-link unmaps, and the page-directory and page-table invocations.
 *
 * The unmaps here are the other half of "a capability records where it is
 * mapped": the record (ASID, address) may be stale, because the PD may have
 * lost its ASID, or another object may have been mapped over the entry
 * since. So an unmap goes ASID -> PD -> entry and changes the entry only if
 * it still points at exactly this object; otherwise there is nothing of
 * ours left to remove. Page tables that are unmapped are also zeroed, so a
 * page table never carries stale entries into its next mapping.
 *
 * CR3 holds either a PD whose ASID names it or the kernel's own PD, also
 * right after the current PD was deleted (invariant 7). TLB entries exist
 * only for the loaded PD (no PCIDs, user mappings are never global), so a
 * change is followed by invlpg of the changed address when, and only when,
 * the changed PD is the loaded one.
 */
#include <arch/vspace.h>
#include <arch/arch.h>
#include <arch/frametype.h>
#include <arch/machine.h>
#include <abi/invocation.h>
#include <kernel/cspace.h>
#include <kernel/cdt.h>
#include <kernel/debug.h>
#include <kernel/sched.h>
#include <kernel/state.h>

/* ---- Lookups and the loaded address space ---- */

pde_t *vspace_find_pd(word_t asid)
{
    if (asid == ASID_INVALID || asid >= NUM_ASIDS)
        return NULL;
    asid_pool_t *pool = ks_asid_table[asid_pool_of(asid)];
    return pool ? pool->pd[asid_index(asid)] : NULL;
}

exception_t vspace_check_pd_asid(cap_t pd_cap)
{
    pde_t *found = vspace_find_pd(cap_mapped_asid(pd_cap));

    if (!found)
        return cspace_refuse_lookup(false, LOOKUP_INVALID_ROOT, 0, "map: page directory's ASID is gone");
    if (found != cap_paging_ptr(pd_cap))
        return refuse_cap(1, "map: ASID names another page directory");
    return EXCEPTION_NONE;
}

bool arch_is_valid_vtable_root(cap_t cap)
{
    return cap_type(cap) == CAP_PAGE_DIRECTORY && cap_paging_is_mapped(cap);
}

pde_t *ia32_thread_pd(tcb_t *t)
{
    if (!t)
        return NULL;
    cap_t root = tcb_slot(t, TCB_SLOT_VTABLE)->cap;
    if (!arch_is_valid_vtable_root(root))
        return NULL;
    pde_t *pd = cap_paging_ptr(root);
    return vspace_find_pd(cap_mapped_asid(root)) == pd ? pd : NULL;
}

static paddr_t current_root(void)
{
    return read_cr3() & PTE_ADDR_MASK;
}

bool vspace_is_current(const pde_t *pd)
{
    return current_root() == kptr_to_paddr(pd);
}

void vspace_set_root(tcb_t *t)
{
    pde_t *pd = ia32_thread_pd(t);
    paddr_t root = kptr_to_paddr(pd ? pd : ia32_kernel_pd);

    /* Reloading CR3 drops the whole non-global TLB: only on a real change. */
    if (current_root() != root) {
        assert(!pd || ft_get(root) == FT_PAGE_DIRECTORY || ft_get(root) == FT_UNTRACKED);
        write_cr3(root);
    }
}

void arch_vspace_changed(tcb_t *t)
{
    if (t == ks_cur_thread)
        vspace_set_root(t);
}

void arch_init_page_directory(void *pd)
{
    pde_t *dir = pd;
    paddr_t p = kptr_to_paddr(pd);

    assert(ft_get(p) != FT_KERNEL && ft_get(p) != FT_USER_FRAME && ft_get(p) != FT_PAGE_TABLE);
    /* Untyped memory should be zero already; a PD with a stray present
     * entry would hand its user a random physical page, so make sure
     * (seL4's Arch_createObject clears a new PD too). */
    memset(dir, 0, KERNEL_PD_FIRST * sizeof(pde_t));
    for (word_t i = KERNEL_PD_FIRST; i < PD_ENTRIES; i++)
        dir[i] = ia32_kernel_pd[i];
    ft_set(p, PAGE_DIR_BITS, FT_PAGE_DIRECTORY);
}

/* ---- Weak-link unmaps ---- */

void vspace_unmap_frame(cap_t cap)
{
    vaddr_t v = cap_mapped_vaddr(cap);
    paddr_t frame = cap_frame_paddr(cap);
    pde_t *pd = vspace_find_pd(cap_mapped_asid(cap));
    if (!pd)
        return;

    pde_t *pde = &pd[PD_INDEX(v)];
    if (cap_frame_is_large(cap)) {
        if (!pde_is_large(*pde) || pde_large_paddr(*pde) != frame)
            return;
        *pde = 0;
    } else {
        if (!pde_is_table(*pde))
            return;
        pte_t *pte = (pte_t *)paddr_to_kptr(pde_table_paddr(*pde)) + PT_INDEX(v);
        if (!pte_present(*pte) || pte_paddr(*pte) != frame)
            return;
        *pte = 0;
    }
    if (vspace_is_current(pd))
        invlpg(v);
}

/* The loaded PD just lost the table at `base`: drop the TLB entries of its
 * present pages. One invlpg also drops the cached PD entry (SDM 4.10.4.1),
 * which matters even when no page was present. */
static void flush_table(vaddr_t base, const pte_t *pt)
{
    invlpg(base);
    for (word_t i = 0; i < PT_ENTRIES; i++) {
        if (pte_present(pt[i]))
            invlpg(base + (i << PAGE_BITS));
    }
}

void vspace_unmap_page_table(word_t asid, vaddr_t vaddr, pte_t *pt)
{
    pde_t *pd = vspace_find_pd(asid);
    if (!pd)
        return;
    pde_t *pde = &pd[PD_INDEX(vaddr)];
    if (!pde_is_table(*pde) || pde_table_paddr(*pde) != kptr_to_paddr(pt))
        return;
    *pde = 0;
    if (vspace_is_current(pd))
        flush_table(vaddr, pt);
}

/* ---- Page directory: GetStatusBits (Map/Unmap exist only for EPT/IOMMU) ---- */

/* The entry mapping v in pd (a 4 MiB PDE or a 4 KiB PTE), if any. */
static bool mapping_entry(const pde_t *pd, vaddr_t v, word_t *entry)
{
    pde_t pde = pd[PD_INDEX(v)];
    if (pde_is_large(pde)) {
        *entry = pde;
        return true;
    }
    if (!pde_is_table(pde))
        return false;
    pte_t pte = ((const pte_t *)paddr_to_kptr(pde_table_paddr(pde)))[PT_INDEX(v)];
    *entry = pte;
    return pte_present(pte);
}

/* seL4 sets MR0 accessed and MR1 dirty; we also say length 2 so that the
 * values survive the reply (seL4's reply says length 0, stubs ignore it). */
static exception_t pd_invoke_status_bits(const invocation_t *inv, word_t entry)
{
    if (inv->call) {
        set_mr(ks_cur_thread, inv->buffer, 0, (entry & PG_ACCESSED) ? 1u : 0u);
        set_mr(ks_cur_thread, inv->buffer, 1, (entry & PG_DIRTY) ? 1u : 0u);
        reply_from_kernel_success(ks_cur_thread, 2);
    }
    return EXCEPTION_NONE;
}

exception_t vspace_decode_pd(invocation_t *inv)
{
    if (inv->label != INV_X86_PAGE_DIRECTORY_GET_STATUS_BITS)
        return refuse(ERR_ILLEGAL_OPERATION, "page directory: illegal operation");
    if (inv->length < 1)
        return refuse(ERR_TRUNCATED_MESSAGE, "page directory GetStatusBits: truncated message");

    vaddr_t v = inv_arg(inv, 0);
    /* seL4 tests v > USER_TOP; the kernel window's entries are none of the caller's business. */
    if (v >= USER_TOP)
        return refuse_arg(0, "page directory GetStatusBits: address in the kernel window");
    word_t entry;
    if (!mapping_entry(cap_paging_ptr(inv->cap), v, &entry))
        return refuse_arg(1, "page directory GetStatusBits: no mapping found");

    return pd_invoke_status_bits(inv, entry);
}

/* ---- Page table: Map, Unmap ---- */

/* Cannot fail: vspace_decode_pt() checked the slot is free. */
static exception_t pt_invoke_map(cte_t *slot, cap_t newcap, pde_t *pde, pde_t entry)
{
    paddr_t pt = pde_table_paddr(entry);

    assert(!pde_present(*pde));
    assert(ft_get(pt) != FT_KERNEL && ft_get(pt) != FT_USER_FRAME && ft_get(pt) != FT_PAGE_DIRECTORY);
    slot->cap = newcap;
    ft_set(pt, PAGE_TABLE_BITS, FT_PAGE_TABLE);
    /* Non-present entries are never cached: no flush for a new table. */
    *pde = entry;
    return EXCEPTION_NONE;
}

static exception_t pt_invoke_unmap(cte_t *slot, cap_t cap)
{
    if (cap_paging_is_mapped(cap)) {
        pte_t *pt = cap_paging_ptr(cap);
        vspace_unmap_page_table(cap_mapped_asid(cap), cap_mapped_vaddr(cap), pt);
        memset(pt, 0, BIT(PAGE_TABLE_BITS));
    }
    slot->cap = cap_paging_set_mapped(cap, false, ASID_INVALID, 0);
    return EXCEPTION_NONE;
}

static exception_t pt_decode_map(invocation_t *inv)
{
    if (inv->length < 2 || inv->n_extra < 1)
        return refuse(ERR_TRUNCATED_MESSAGE, "page table map: truncated message");
    if (cap_paging_is_mapped(inv->cap))
        return refuse_cap(0, "page table map: already mapped");

    vaddr_t vaddr = inv_arg(inv, 0) & ~MASK(PDE_SPAN_BITS);
    word_t attr = inv_arg(inv, 1);
    cap_t pd_cap = inv->extra_caps[0];
    if (!arch_is_valid_vtable_root(pd_cap))
        return refuse_cap(1, "page table map: not an assigned page directory");
    pde_t *pd = cap_paging_ptr(pd_cap);
    word_t asid = cap_mapped_asid(pd_cap);
    /* seL4 tests vaddr > USER_TOP and then meets the kernel's entry (DeleteFirst). */
    if (vaddr >= USER_TOP)
        return refuse_arg(0, "page table map: address in the kernel window");
    exception_t e = vspace_check_pd_asid(pd_cap);
    if (e != EXCEPTION_NONE)
        return e;
    pde_t *pde = &pd[PD_INDEX(vaddr)];
    if (pde_present(*pde))
        return refuse(ERR_DELETE_FIRST, "page table map: address already covered");

    pde_t entry = pde_make_table(kptr_to_paddr(cap_paging_ptr(inv->cap)), attr);
    cap_t newcap = cap_paging_set_mapped(inv->cap, true, asid, vaddr);
    return pt_invoke_map(inv->slot, newcap, pde, entry);
}

exception_t vspace_decode_pt(invocation_t *inv)
{
    if (inv->label == INV_X86_PAGE_TABLE_UNMAP) {
        /* Unmapping zeroes the table: no other capability may still use it. */
        if (!cdt_is_final(inv->slot))
            return refuse(ERR_REVOKE_FIRST, "page table unmap: other capabilities exist");
        return pt_invoke_unmap(inv->slot, inv->cap);
    }
    if (inv->label != INV_X86_PAGE_TABLE_MAP)
        return refuse(ERR_ILLEGAL_OPERATION, "page table: illegal operation");
    return pt_decode_map(inv);
}
