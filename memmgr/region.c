/*
 * Backing a range of an address space with fresh frames, and giving them
 * back: what a loader or a guest's memory set-up asks for.
 *
 * A 4 MiB frame maps a whole page-directory entry: no page table, one
 * capability and one mapping record instead of 1024 of each. So when
 * the owner's policy says so (mm->prefer_large, on unless the owner turns
 * it off), every stretch of the range that starts 4 MiB-aligned and is
 * at least 4 MiB long gets one 4 MiB frame; the rest gets 4 KiB frames.
 * If no 4 MiB frame can be had (no 4 MiB-aligned free memory left), that
 * stretch gets 4 KiB frames instead: the policy saves page tables, it
 * never makes a request fail.
 */
#include "internal.h"

#define LARGE_SIZE  mm_bit(MM_LARGE_PAGE_BITS)
#define SMALL_SIZE  mm_bit(MM_PAGE_BITS)

static int is_large_at(const struct mm_vspace *vs, uint32_t vaddr)
{
    for (const struct mm_map *m = vs->large; m != NULL; m = m->next)
        if (mm_map_vaddr(m) == vaddr)
            return 1;
    return 0;
}

/* One frame of the given kind, mapped at vaddr. */
static mm_err_t back_one(struct mm_vspace *vs, uint32_t vaddr, int large, uint32_t rights,
                         uint32_t attr)
{
    mm_cptr_t f;
    mm_err_t err = mm_alloc(vs->mm, large ? OBJ_X86_LARGE_PAGE : OBJ_X86_4K, 0, &f);

    if (err != ERR_NONE)
        return err;
    err = mm_vspace_map(vs, f, vaddr, rights, attr, large);
    if (err != ERR_NONE)
        mm_free(vs->mm, f);
    return err;
}

void mm_vspace_unback(struct mm_vspace *vs, uint32_t vaddr, uint32_t size)
{
    uint32_t v = vaddr;

    while (v - vaddr < size) {
        uint32_t step = is_large_at(vs, v) ? LARGE_SIZE : SMALL_SIZE;
        mm_cptr_t f = mm_vspace_lookup(vs, v);

        if (f != 0 && mm_vspace_unmap(vs, v) == ERR_NONE)
            mm_free(vs->mm, f);
        if (v + step < v)
            break;
        v += step;
    }
}

mm_err_t mm_vspace_back(struct mm_vspace *vs, uint32_t vaddr, uint32_t size, uint32_t rights,
                        uint32_t attr)
{
    uint32_t v = vaddr;
    mm_err_t err = ERR_NONE;

    if (((vaddr | size) & (SMALL_SIZE - 1)) != 0 || size == 0)
        return ERR_ALIGNMENT_ERROR;
    if (vaddr + size < vaddr && vaddr + size != 0)
        return ERR_RANGE_ERROR;
    while (err == ERR_NONE && v - vaddr < size) {
        int large = vs->mm->prefer_large && (v & (LARGE_SIZE - 1)) == 0 &&
                    size - (v - vaddr) >= LARGE_SIZE;

        err = large ? back_one(vs, v, 1, rights, attr) : ERR_NOT_ENOUGH_MEMORY;
        if (err == ERR_NONE) {
            v += LARGE_SIZE;
            continue;
        }
        if (large && err != ERR_NOT_ENOUGH_MEMORY)
            break;
        err = back_one(vs, v, 0, rights, attr);
        if (err == ERR_NONE)
            v += SMALL_SIZE;
    }
    if (err != ERR_NONE)
        mm_vspace_unback(vs, vaddr, v - vaddr);
    return err;
}
