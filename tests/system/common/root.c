/*
 * The root task's memory in a system test, through memmgr (declared in
 * tests/system/include/systest.h).
 *
 * A suite owns one struct st_root and passes it to every helper that
 * allocates: memmgr holds every RAM untyped of bootinfo and every empty
 * slot of the root CNode, and the root task's own VSpace is adopted so
 * that page tables are made on demand. Device untypeds stay out of it:
 * suites that test device memory retype them themselves. A suite that
 * wants memory nobody else touches (to watch the kernel's watermark, to
 * revoke everything in it) takes a whole untyped with st_untyped(): memmgr
 * hands it out and never retypes it again.
 *
 * Fresh pages and thread regions are placed one after the other in
 * [ST_VADDR_BASE, ST_VADDR_END), each behind an unmapped guard page.
 * Nothing is given back: a test that deletes a capability it was given
 * leaves memmgr's record of it in place, which costs memory, not
 * correctness, in a program that ends with the test run.
 */
#include <systest.h>
#include <memmgr/thread.h>
#include <stdio.h>
#include <string.h>

#define ROOT_CNODE      seL4_CapInitThreadCNode
#define ROOT_VSPACE     seL4_CapInitThreadVSpace
#define PAGE            ((seL4_Word)1 << seL4_PageBits)
#define LARGE_MASK      (((seL4_Word)1 << seL4_LargePageBits) - 1)

static void setup_failed(const char *what, mm_err_t err)
{
    TEST_BEGIN("systest_root_setup");
    rt_test_fail(__FILE__, __LINE__, "%s: %s", what, rt_error_name(err));
    tests_done();
}

void st_root_init(struct st_root *r, bootinfo_t *bi)
{
    seL4_Word n = bi->untyped.end - bi->untyped.start;
    mm_err_t err = mm_init(&r->mm, r->meta, sizeof(r->meta), ROOT_CNODE, ST_ROOT_MAX_UTS);

    if (err == ERR_NONE)
        err = mm_add_slots(&r->mm, bi->empty.start, bi->empty.start,
                           bi->empty.end - bi->empty.start, 0, 0);
    for (seL4_Word i = 0; err == ERR_NONE && i < n && i < BOOTINFO_MAX_UNTYPED_CAPS; i++) {
        const bi_untyped_desc_t *d = &bi->untyped_list[i];

        if (!d->is_device)
            err = mm_add_untyped(&r->mm, bi->untyped.start + i, d->paddr, d->size_bits, 0);
    }
    if (err != ERR_NONE)
        setup_failed("memmgr over bootinfo's untypeds and empty slots", err);
    mm_vspace_adopt(&r->mm, &r->vs, ROOT_VSPACE);
    r->next_vaddr = ST_VADDR_BASE;
    r->last_error = seL4_NoError;
}

/* cap is read after the call that made it (the arguments' order is not). */
static seL4_CPtr result(struct st_root *r, mm_err_t err, const mm_cptr_t *cap)
{
    r->last_error = (seL4_Error)err;      /* the same numbers */
    return err == ERR_NONE ? *cap : 0;
}

seL4_CPtr st_slots(struct st_root *r, seL4_Word n)
{
    mm_cptr_t first = 0;

    return result(r, mm_slot_alloc_range(&r->mm, n, &first), &first);
}

seL4_CPtr st_slot(struct st_root *r)
{
    return st_slots(r, 1);
}

seL4_CPtr st_new_object(struct st_root *r, seL4_Word type)
{
    mm_cptr_t cap = 0;

    return result(r, mm_alloc(&r->mm, type, 0, &cap), &cap);
}

seL4_CPtr st_new_cnode(struct st_root *r, seL4_Word radix)
{
    mm_cptr_t cap = 0;

    return result(r, mm_alloc(&r->mm, seL4_CapTableObject, radix, &cap), &cap);
}

seL4_CPtr st_untyped(struct st_root *r, seL4_Word bits, seL4_Word *paddr)
{
    mm_cptr_t cap = 0;

    if (result(r, mm_alloc_untyped(&r->mm, bits, 0, &cap), &cap) == 0)
        return 0;
    if (paddr != NULL)
        *paddr = mm_paddr(&r->mm, cap);
    return cap;
}

seL4_Error st_map_frame(struct st_root *r, seL4_CPtr frame, seL4_Word vaddr,
                        seL4_CapRights_t rights, seL4_X86_VMAttributes attr)
{
    seL4_Error err = seL4_X86_Page_Map(frame, ROOT_VSPACE, vaddr, rights, attr);
    seL4_CPtr pt;

    /* x86 has two levels: one page table is all a FailedLookup can miss. */
    if (err != seL4_FailedLookup)
        return err;
    pt = st_new_object(r, seL4_X86_PageTableObject);
    if (pt == 0)
        return r->last_error;
    err = seL4_X86_PageTable_Map(pt, ROOT_VSPACE, vaddr & ~LARGE_MASK,
                                 seL4_X86_Default_VMAttributes);
    if (err != seL4_NoError)
        return err;
    return seL4_X86_Page_Map(frame, ROOT_VSPACE, vaddr, rights, attr);
}

/* The next span bytes of the bump region, or 0 when it is used up. */
static seL4_Word take_region(struct st_root *r, seL4_Word span)
{
    seL4_Word base = r->next_vaddr;

    if (span == 0 || span > ST_VADDR_END - base) {
        r->last_error = seL4_NotEnoughMemory;
        return 0;
    }
    r->next_vaddr = base + span;
    return base;
}

void *st_pages(struct st_root *r, seL4_Word n, seL4_CPtr *frames)
{
    seL4_Word base = n < ST_VADDR_SPAN / PAGE ? take_region(r, (n + 1) * PAGE) : 0;

    if (base == 0)
        return NULL;
    base += PAGE;                   /* the guard page stays unmapped */
    for (seL4_Word i = 0; i < n; i++) {
        seL4_CPtr f = st_new_object(r, seL4_X86_4K);

        if (f == 0)
            return NULL;
        if (frames != NULL)
            frames[i] = f;
        if (result(r, mm_vspace_map(&r->vs, f, base + i * PAGE, MM_RW,
                                    seL4_X86_Default_VMAttributes, 0), &f) == 0)
            return NULL;
    }
    /* A pooled frame keeps what its last user wrote. */
    memset((void *)base, 0, n * PAGE);
    return (void *)base;
}

seL4_Error st_thread_create(struct st_root *r, rt_thread_t *t, seL4_Word prio,
                            seL4_CPtr fault_ep)
{
    struct mm_thread mt;
    struct mm_thread_env env = {
        .mm = &r->mm, .vs = &r->vs, .local = 1, .cspace = ROOT_CNODE,
        .authority = seL4_CapInitThreadTCB, .vaddr = take_region(r, MM_THREAD_SPAN),
    };

    memset(t, 0, sizeof(*t));
    if (env.vaddr == 0)
        return r->last_error;
    if (result(r, mm_thread_create(&mt, &env, prio, fault_ep), &mt.rt.tcb) == 0)
        return r->last_error;
    *t = mt.rt;
    return seL4_NoError;
}
