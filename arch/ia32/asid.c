/*
 * ASIDs: the names page directories are found by.
 *
 * A capability cannot point at a page directory safely from far away (the
 * PD may be deleted while capabilities to things mapped in it live on), so
 * mappings record an ASID instead, and the ASID table says which PD, if
 * any, that ASID names now. The table has four slots, each for a pool of
 * 1024 ASIDs; a pool is a 4 KiB object that ASID control makes from a 4 KiB
 * untyped with no children, so the memory behind the table is accounted to
 * whoever made the pool. A pool capability assigns the lowest free ASID of
 * its pool to a page directory (ASID 0 is never used: it means "none").
 *
 * Deleting a PD's last capability clears its pool entry; deleting a pool's
 * last capability clears its table slot, and with it every ASID of the pool.
 * Either way every weak link through those ASIDs goes dead at once, in
 * constant time, and CR3 is re-derived so it never holds a dead PD.
 */
#include <arch/vspace.h>
#include <arch/arch.h>
#include <arch/frametype.h>
#include <arch/machine.h>
#include <abi/invocation.h>
#include <kernel/capops.h>
#include <kernel/cdt.h>
#include <kernel/cspace.h>
#include <kernel/debug.h>
#include <kernel/sched.h>
#include <kernel/state.h>

/* CR3 may hold a PD that just lost its ASID: fall back to what the current
 * thread may run in (the kernel's PD if nothing). */
static void reload_root(void)
{
    vspace_set_root(ks_cur_thread);
}

void asid_delete(word_t asid, pde_t *pd)
{
    asid_pool_t *pool = ks_asid_table[asid_pool_of(asid)];

    if (pool && pool->pd[asid_index(asid)] == pd) {
        pool->pd[asid_index(asid)] = NULL;
        reload_root();
    }
}

void asid_pool_delete(word_t asid_base, asid_pool_t *pool)
{
    assert(asid_index(asid_base) == 0);
    if (ks_asid_table[asid_pool_of(asid_base)] == pool) {
        ks_asid_table[asid_pool_of(asid_base)] = NULL;
        reload_root();
    }
}

void asid_boot_install(asid_pool_t *pool, word_t asid_base, word_t asid, pde_t *pd)
{
    assert(asid_index(asid_base) == 0 && asid_pool_of(asid) == asid_pool_of(asid_base));
    ft_set(kptr_to_paddr(pool), ASID_POOL_BITS, FT_ASID_POOL);
    ks_asid_table[asid_pool_of(asid_base)] = pool;
    pool->pd[asid_index(asid)] = pd;
}

/* ---- ASID control: MakePool ---- */

/* Cannot fail: asid_decode_control() checked everything. */
static exception_t asid_invoke_make_pool(cte_t *parent, cte_t *dest, word_t pool_index)
{
    paddr_t p = cap_ut_paddr(parent->cap);
    asid_pool_t *pool = paddr_to_kptr(p);
    cap_t newcap = cap_asid_pool_new(pool, pool_index << ASID_POOL_INDEX_BITS);

    /* The untyped is used up, as by a retype that filled it. */
    parent->cap = cap_ut_set_free(parent->cap, BIT(ASID_POOL_BITS));
    memset(pool, 0, sizeof(*pool));
    ft_set(p, ASID_POOL_BITS, FT_ASID_POOL);
    cdt_insert(parent, dest, newcap, cap_is_revocable(newcap, parent->cap), false);
    ks_asid_table[pool_index] = pool;
    return EXCEPTION_NONE;
}

exception_t asid_decode_control(invocation_t *inv)
{
    if (inv->label != INV_X86_ASID_CONTROL_MAKE_POOL)
        return refuse(ERR_ILLEGAL_OPERATION, "ASID control: illegal operation");
    if (inv->length < 2 || inv->n_extra < 2)
        return refuse(ERR_TRUNCATED_MESSAGE, "ASID control: truncated message");

    word_t index = inv_arg(inv, 0);
    word_t depth = inv_arg(inv, 1);
    cte_t *parent = inv->extra_slots[0];
    cap_t untyped = inv->extra_caps[0];
    cap_t root = inv->extra_caps[1];

    word_t i = 0;
    while (i < NUM_ASID_POOLS && ks_asid_table[i])
        i++;
    if (i == NUM_ASID_POOLS)
        return refuse(ERR_DELETE_FIRST, "ASID control: every ASID pool exists");
    /* The pool lives in the kernel window: memory above it cannot hold one. */
    if (cap_type(untyped) != CAP_UNTYPED || cap_ut_size_bits(untyped) != ASID_POOL_BITS ||
        cap_ut_is_device(untyped) || !paddr_in_window(cap_ut_paddr(untyped), BIT(ASID_POOL_BITS)))
        return refuse_cap(1, "ASID control: need a 4 KiB RAM untyped");
    if (cdt_has_children(parent))
        return refuse(ERR_REVOKE_FIRST, "ASID control: untyped has children");
    cte_t *dest;
    exception_t e = cspace_lookup_empty_slot(root, index, depth, &dest,
                                             "ASID control: destination slot is not empty");
    if (e != EXCEPTION_NONE)
        return e;

    return asid_invoke_make_pool(parent, dest, i);
}

/* ---- ASID pool: Assign ---- */

static exception_t asid_invoke_assign(cte_t *pd_slot, asid_pool_t *pool, word_t asid)
{
    pde_t *pd = cap_paging_ptr(pd_slot->cap);

    assert(ft_get(kptr_to_paddr(pd)) == FT_PAGE_DIRECTORY || ft_get(kptr_to_paddr(pd)) == FT_UNTRACKED);
    pd_slot->cap = cap_paging_set_mapped(pd_slot->cap, true, asid, 0);
    pool->pd[asid_index(asid)] = pd;
    return EXCEPTION_NONE;
}

exception_t asid_decode_pool(invocation_t *inv)
{
    if (inv->label != INV_X86_ASID_POOL_ASSIGN)
        return refuse(ERR_ILLEGAL_OPERATION, "ASID pool: illegal operation");
    if (inv->n_extra < 1)
        return refuse(ERR_TRUNCATED_MESSAGE, "ASID pool assign: truncated message");

    cap_t pd_cap = inv->extra_caps[0];
    if (cap_type(pd_cap) != CAP_PAGE_DIRECTORY || cap_paging_is_mapped(pd_cap))
        return refuse_cap(1, "ASID pool assign: not a page directory without an ASID");
    word_t base = cap_asid_pool_base(inv->cap);
    asid_pool_t *pool = ks_asid_table[asid_pool_of(base)];
    if (!pool)
        return cspace_refuse_lookup(false, LOOKUP_INVALID_ROOT, 0, "ASID pool assign: pool was deleted");
    if (pool != cap_ptr(inv->cap))
        return refuse_cap(0, "ASID pool assign: pool slot holds another pool");

    word_t i = 0;
    while (i < ASID_POOL_ENTRIES && (base + i == ASID_INVALID || pool->pd[i]))
        i++;
    if (i == ASID_POOL_ENTRIES)
        return refuse(ERR_DELETE_FIRST, "ASID pool assign: pool is full");

    return asid_invoke_assign(inv->extra_slots[0], pool, base + i);
}
