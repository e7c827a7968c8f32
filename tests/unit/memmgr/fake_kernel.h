/*
 * A small fake of the kernel for memmgr's host tests: it replaces
 * memmgr/sys.c and keeps just enough state to enforce the rules memmgr
 * relies on: retype only into empty slots, at the untyped's watermark
 * rounded up to the object size, reset only when the untyped has no
 * children, delete refused for an untyped that still has children,
 * revoke removing every descendant, move only into an empty slot and
 * taking the capability's children along, device untypeds making frames
 * and untypeds only, a frame mapped only where a page table is. Include from
 * exactly one test file per program.
 */
#ifndef FAKE_KERNEL_H
#define FAKE_KERNEL_H

#pragma GCC diagnostic ignored "-Wunused-function"

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>
#include <memmgr/mm.h>

#define FK_SLOTS    (1u << 16)
#define FK_PDE      1024u

struct fk_cap {
    int used;
    uint32_t type, bits, paddr;
    mm_cptr_t parent;           /* untyped it was retyped from */
    uint32_t kids, wm, device;
    mm_cptr_t pd;               /* frames and page tables: where mapped */
    uint32_t vaddr;
    int mapped;
};

static struct fk_cap fk[FK_SLOTS];
static uint32_t fk_calls_retype, fk_calls_move, fk_fail_after = UINT32_MAX;
/* Depth that names a slot of the top-level CNode of a two-level CSpace
 * (32 - l2_bits; 0: none): top-level slot i is fk[i], where a retype
 * with node depth 0 puts it. Other depths below 32 empty a CNode, whose
 * slots are not modelled. */
static uint32_t fk_top_depth;

static void fk_reset(void)
{
    memset(fk, 0, sizeof(fk));
    fk_calls_retype = 0;
    fk_calls_move = 0;
    fk_fail_after = UINT32_MAX;
    fk_top_depth = 0;
}

static void fk_untyped(mm_cptr_t cap, uint32_t paddr, uint32_t bits, int device)
{
    fk[cap] = (struct fk_cap){ .used = 1, .type = OBJ_UNTYPED, .bits = bits, .paddr = paddr,
                               .device = (uint32_t)device };
}

static mm_cptr_t fk_dest(mm_cptr_t node_index, uint32_t depth, uint32_t offset)
{
    return depth == 0 ? offset : (node_index << (32 - depth)) | offset;
}

static uint32_t fk_live_caps(void)
{
    uint32_t n = 0;

    for (uint32_t i = 0; i < FK_SLOTS; i++)
        n += fk[i].used;
    return n;
}

mm_err_t mm_sys_retype(mm_cptr_t ut, uint32_t type, uint32_t size_bits, mm_cptr_t root,
                       mm_cptr_t node_index, uint32_t node_depth, uint32_t offset,
                       uint32_t num)
{
    struct fk_cap *u = &fk[ut];
    uint32_t ob = mm_obj_bits(type, size_bits), size = 1u << ob, at;
    mm_cptr_t d = fk_dest(node_index, node_depth, offset);

    (void)root;
    if (fk_calls_retype++ >= fk_fail_after)
        return ERR_NOT_ENOUGH_MEMORY;
    if (!u->used || u->type != OBJ_UNTYPED)
        return ERR_INVALID_CAPABILITY;
    if (u->device && type != OBJ_UNTYPED && type != OBJ_X86_4K && type != OBJ_X86_LARGE_PAGE)
        return ERR_INVALID_ARGUMENT;
    for (uint32_t i = 0; i < num; i++)
        if (d + i >= FK_SLOTS || fk[d + i].used)
            return ERR_DELETE_FIRST;
    if (u->kids == 0)
        u->wm = 0;
    at = (u->wm + size - 1) & ~(size - 1);
    if (ob > u->bits || at + (uint64_t)num * size > (1ull << u->bits))
        return ERR_NOT_ENOUGH_MEMORY;
    for (uint32_t i = 0; i < num; i++)
        fk[d + i] = (struct fk_cap){ .used = 1, .type = type, .bits = ob, .parent = ut,
                                     .paddr = u->paddr + at + i * size, .device = u->device };
    u->wm = at + num * size;
    u->kids += num;
    return ERR_NONE;
}

static void fk_remove(mm_cptr_t cap)
{
    if (fk[cap].parent != 0)
        fk[fk[cap].parent].kids--;
    fk[cap] = (struct fk_cap){ 0 };
}

mm_err_t mm_sys_delete(mm_cptr_t root, mm_cptr_t cap, uint32_t depth)
{
    (void)root;
    if (depth != 32 && (fk_top_depth == 0 || depth != fk_top_depth))
        return ERR_NONE;            /* emptying a CNode: its slots are not modelled */
    if (cap >= FK_SLOTS)
        return ERR_FAILED_LOOKUP;
    if (fk[cap].type == OBJ_UNTYPED && fk[cap].kids != 0)
        return ERR_REVOKE_FIRST;    /* memmgr must never orphan children */
    if (fk[cap].used)
        fk_remove(cap);
    return ERR_NONE;
}

mm_err_t mm_sys_move(mm_cptr_t root, mm_cptr_t dest, mm_cptr_t src)
{
    (void)root;
    fk_calls_move++;
    if (dest >= FK_SLOTS || src >= FK_SLOTS)
        return ERR_FAILED_LOOKUP;
    if (!fk[src].used)
        return ERR_FAILED_LOOKUP;
    if (fk[dest].used)
        return ERR_DELETE_FIRST;
    fk[dest] = fk[src];
    fk[src] = (struct fk_cap){ 0 };
    for (mm_cptr_t c = 1; c < FK_SLOTS; c++)     /* the children follow their parent */
        if (fk[c].used && fk[c].parent == src)
            fk[c].parent = dest;
    return ERR_NONE;
}

static int fk_descends(mm_cptr_t c, mm_cptr_t top)
{
    for (mm_cptr_t p = fk[c].parent; p != 0; p = fk[p].parent)
        if (p == top)
            return 1;
    return 0;
}

mm_err_t mm_sys_revoke(mm_cptr_t root, mm_cptr_t cap, uint32_t depth)
{
    int again = 1;

    (void)root;
    (void)depth;
    while (again) {
        again = 0;
        for (mm_cptr_t c = 1; c < FK_SLOTS; c++)
            if (fk[c].used && fk[c].kids == 0 && fk_descends(c, cap)) {
                fk_remove(c);
                again = 1;
            }
    }
    return ERR_NONE;
}

mm_err_t mm_sys_tcb_suspend(mm_cptr_t tcb)
{
    return fk[tcb].type == OBJ_TCB ? ERR_NONE : ERR_INVALID_CAPABILITY;
}

static mm_cptr_t fk_pt_at(mm_cptr_t pd, uint32_t vaddr)
{
    for (mm_cptr_t c = 1; c < FK_SLOTS; c++)
        if (fk[c].used && fk[c].type == OBJ_X86_PAGE_TABLE && fk[c].mapped &&
            fk[c].pd == pd && fk[c].vaddr == (vaddr & ~0x3fffffu))
            return c;
    return 0;
}

mm_err_t mm_sys_page_map(mm_cptr_t frame, mm_cptr_t pd, uint32_t vaddr, uint32_t rights,
                         uint32_t attr)
{
    (void)rights;
    (void)attr;
    if (!fk[frame].used)
        return ERR_INVALID_CAPABILITY;
    if (fk[frame].mapped && (fk[frame].pd != pd || fk[frame].vaddr != vaddr))
        return ERR_INVALID_CAPABILITY;
    if (fk[frame].type == OBJ_X86_4K && fk_pt_at(pd, vaddr) == 0)
        return ERR_FAILED_LOOKUP;
    fk[frame].mapped = 1;
    fk[frame].pd = pd;
    fk[frame].vaddr = vaddr;
    return ERR_NONE;
}

mm_err_t mm_sys_page_unmap(mm_cptr_t frame)
{
    fk[frame].mapped = 0;
    return ERR_NONE;
}

mm_err_t mm_sys_pt_map(mm_cptr_t pt, mm_cptr_t pd, uint32_t vaddr, uint32_t attr)
{
    (void)attr;
    if (fk_pt_at(pd, vaddr) != 0)
        return ERR_DELETE_FIRST;
    fk[pt].mapped = 1;
    fk[pt].pd = pd;
    fk[pt].vaddr = vaddr & ~0x3fffffu;
    return ERR_NONE;
}

mm_err_t mm_sys_pt_unmap(mm_cptr_t pt)
{
    fk[pt].mapped = 0;
    return ERR_NONE;
}

mm_err_t mm_sys_asid_assign(mm_cptr_t pool, mm_cptr_t pd)
{
    (void)pool;
    return fk[pd].type == OBJ_X86_PAGE_DIRECTORY ? ERR_NONE : ERR_INVALID_CAPABILITY;
}

#endif
