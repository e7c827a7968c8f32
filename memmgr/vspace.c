/*
 * Address spaces (see memmgr/vspace.h): page tables on demand, freed when
 * empty, taken back under pressure and rebuilt from the mapping records.
 *
 * x86 translates in two levels: a page directory of 1024 entries, each
 * a 4 MiB frame or a page table of 1024 4 KiB entries. memmgr keeps one
 * record per page table it made (its 4 MiB region and a count of present
 * mappings) and one per mapping (frame, address, rights, attributes). A
 * page table whose count drops to zero goes back to the pool at once.
 * Page tables of a cache-able address space also sit in one FIFO per
 * owner; when memory runs short (untyped.c) the oldest is taken back:
 * its frames are unmapped, their records marked evicted, the page table
 * freed, and the address space's owner told through its callback. A
 * later mm_vspace_restore() (say, from the owner's page-fault handler)
 * makes a new page table and maps the evicted records again.
 */
#include "internal.h"

#define PT_SPAN_MASK    (mm_bit(MM_LARGE_PAGE_BITS) - 1u)
#define PAGE_MASK       (mm_bit(MM_PAGE_BITS) - 1u)

static struct mm_map *map_new(struct mm *mm)
{
    struct mm_map *m = mm->map_free;

    if (m == NULL)
        return mm_meta_alloc(mm, sizeof(*m));
    mm->map_free = m->next;
    *m = (struct mm_map){ 0 };
    return m;
}

static void map_put(struct mm *mm, struct mm_map *m)
{
    m->next = mm->map_free;
    mm->map_free = m;
}

static uint32_t map_where(uint32_t vaddr, uint32_t rights, uint32_t attr)
{
    return vaddr | (attr & MM_MAP_ATTR_MASK) << MM_MAP_ATTR_SHIFT | (rights & MM_MAP_RIGHTS);
}

/* Maps m's frame as m says (the kernel rewrites an entry the capability
 * made: a remap). */
static mm_err_t map_again(const struct mm_vspace *vs, const struct mm_map *m)
{
    return mm_sys_page_map(m->frame, vs->pd, mm_map_vaddr(m), mm_map_rights(m), mm_map_attr(m));
}

/* Lists of mapping records are doubly linked (pprev), so a record is taken
 * out without a search. */
static void map_link_in(struct mm_map **head, struct mm_map *m)
{
    m->next = *head;
    m->pprev = head;
    if (*head != NULL)
        (*head)->pprev = &m->next;
    *head = m;
}

static void map_unlink(struct mm_map *m)
{
    *m->pprev = m->next;
    if (m->next != NULL)
        m->next->pprev = m->pprev;
}

static struct mm_pt *pt_new(struct mm *mm)
{
    struct mm_pt *p = mm->pt_free;

    if (p == NULL)
        return mm_meta_alloc(mm, sizeof(*p));
    mm->pt_free = p->next;
    *p = (struct mm_pt){ 0 };
    return p;
}

static void fifo_remove(struct mm *mm, struct mm_pt *pt)
{
    struct mm_pt **link = &mm->reclaim_head, *prev = NULL;

    if (!pt->in_fifo)
        return;
    while (*link != pt) {
        prev = *link;
        link = &(*link)->fifo_next;
    }
    *link = pt->fifo_next;
    if (mm->reclaim_tail == pt)
        mm->reclaim_tail = prev;
    pt->in_fifo = 0;
}

static void fifo_append(struct mm *mm, struct mm_pt *pt)
{
    pt->fifo_next = NULL;
    if (mm->reclaim_tail != NULL)
        mm->reclaim_tail->fifo_next = pt;
    else
        mm->reclaim_head = pt;
    mm->reclaim_tail = pt;
    pt->in_fifo = 1;
}

/* The last record found is looked at first: a run of mappings stays in
 * one 4 MiB region. */
static struct mm_pt *pt_find(const struct mm_vspace *vs, uint32_t vaddr)
{
    uint32_t base = vaddr & ~PT_SPAN_MASK;

    if (vs->hint != NULL && vs->hint->base == base)
        return vs->hint;
    for (struct mm_pt *p = vs->pts; p != NULL; p = p->next)
        if (p->base == base) {
            ((struct mm_vspace *)vs)->hint = p;
            return p;
        }
    return NULL;
}

/* Makes and maps a page table for pt's region (none made if the kernel
 * says one is there already: that one is foreign). */
static mm_err_t pt_build(struct mm_vspace *vs, struct mm_pt *pt)
{
    mm_cptr_t cap;
    mm_err_t err = mm_alloc(vs->mm, OBJ_X86_PAGE_TABLE, 0, &cap);

    if (err != ERR_NONE)
        return err;
    err = mm_sys_pt_map(cap, vs->pd, pt->base, 0);
    if (err != ERR_NONE) {
        mm_free(vs->mm, cap);
        if (err != ERR_DELETE_FIRST)
            return err;
        pt->foreign = 1;
        return ERR_NONE;
    }
    pt->cap = cap;
    if (vs->cacheable)
        fifo_append(vs->mm, pt);
    return ERR_NONE;
}

/* The record of the page table for vaddr, made if needed. */
static mm_err_t pt_record(struct mm_vspace *vs, uint32_t vaddr, struct mm_pt **out)
{
    struct mm_pt *pt = pt_find(vs, vaddr);

    if (pt == NULL) {
        pt = pt_new(vs->mm);
        if (pt == NULL)
            return ERR_NOT_ENOUGH_MEMORY;
        pt->vs = vs;
        pt->base = vaddr & ~PT_SPAN_MASK;
        pt->next = vs->pts;
        vs->pts = pt;
    }
    *out = pt;
    return ERR_NONE;
}

/* The record of the page table for vaddr, the page table built if needed. */
static mm_err_t pt_get(struct mm_vspace *vs, uint32_t vaddr, struct mm_pt **out)
{
    struct mm_pt *pt;
    mm_err_t err = pt_record(vs, vaddr, &pt);

    if (err != ERR_NONE)
        return err;
    if (pt->cap == 0 && !pt->foreign) {
        err = pt_build(vs, pt);
        if (err != ERR_NONE)
            return err;
    }
    *out = pt;
    return ERR_NONE;
}

/* Frees pt's page table, and its record if no mapping record is left. */
static void pt_release(struct mm_vspace *vs, struct mm_pt *pt)
{
    struct mm_pt **link = &vs->pts;

    fifo_remove(vs->mm, pt);
    if (pt->cap != 0)
        mm_free(vs->mm, pt->cap);
    pt->cap = 0;
    if (pt->maps != NULL)
        return;
    while (*link != pt)
        link = &(*link)->next;
    *link = pt->next;
    if (vs->hint == pt)
        vs->hint = NULL;
    pt->next = vs->mm->pt_free;
    vs->mm->pt_free = pt;
}

void mm_vspace_adopt(struct mm *mm, struct mm_vspace *vs, mm_cptr_t pd)
{
    *vs = (struct mm_vspace){ .mm = mm, .pd = pd };
}

mm_err_t mm_vspace_create(struct mm *mm, struct mm_vspace *vs, mm_cptr_t asid_pool)
{
    mm_cptr_t pd;
    mm_err_t err = mm_alloc(mm, OBJ_X86_PAGE_DIRECTORY, 0, &pd);

    if (err != ERR_NONE)
        return err;
    err = mm_sys_asid_assign(asid_pool, pd);
    if (err != ERR_NONE) {
        mm_free(mm, pd);
        return err;
    }
    mm_vspace_adopt(mm, vs, pd);
    vs->owned = 1;
    return ERR_NONE;
}

void mm_vspace_set_cacheable(struct mm_vspace *vs, mm_reclaim_fn cb, void *arg)
{
    vs->cacheable = 1;
    vs->on_reclaim = cb;
    vs->arg = arg;
    for (struct mm_pt *p = vs->pts; p != NULL; p = p->next)
        if (p->cap != 0 && !p->in_fifo)
            fifo_append(vs->mm, p);
}

static mm_err_t map_large(struct mm_vspace *vs, struct mm_map *m)
{
    mm_err_t err = map_again(vs, m);

    if (err != ERR_NONE)
        return err;
    map_link_in(&vs->large, m);
    return ERR_NONE;
}

/* Maps m. In an adopted address space, where no page table of memmgr's
 * is known the kernel is asked first, so a page table someone else made
 * (the root task's image) is used as is, and only a FailedLookup makes
 * memmgr build one; in one memmgr made, every page table is its own. */
static mm_err_t map_small(struct mm_vspace *vs, struct mm_map *m, struct mm_pt **ptp)
{
    mm_err_t err = pt_record(vs, mm_map_vaddr(m), ptp);
    struct mm_pt *pt = *ptp;

    if (err == ERR_NONE && vs->owned && pt->cap == 0)
        err = pt_build(vs, pt);
    if (err != ERR_NONE)
        return err;
    err = map_again(vs, m);
    if (err == ERR_NONE && pt->cap == 0)
        pt->foreign = 1;
    if (err != ERR_FAILED_LOOKUP || pt->cap != 0 || pt->foreign)
        return err;
    err = pt_build(vs, pt);
    if (err == ERR_NONE)
        err = map_again(vs, m);
    return err;
}

mm_err_t mm_vspace_map(struct mm_vspace *vs, mm_cptr_t frame, uint32_t vaddr,
                       uint32_t rights, uint32_t attr, int large)
{
    uint32_t mask = large ? PT_SPAN_MASK : PAGE_MASK;
    struct mm_map *m;
    struct mm_pt *pt = NULL;
    mm_err_t err;

    if ((vaddr & mask) != 0 || mm_vspace_lookup(vs, vaddr) != 0)
        return (vaddr & mask) != 0 ? ERR_ALIGNMENT_ERROR : ERR_DELETE_FIRST;
    m = map_new(vs->mm);
    if (m == NULL)
        return ERR_NOT_ENOUGH_MEMORY;
    *m = (struct mm_map){ .frame = frame, .where = map_where(vaddr, rights, attr) };
    err = large ? map_large(vs, m) : map_small(vs, m, &pt);
    if (err != ERR_NONE) {
        map_put(vs->mm, m);
        if (pt != NULL && pt->nmaps == 0 && pt->maps == NULL)
            pt_release(vs, pt);
    } else if (!large) {
        map_link_in(&pt->maps, m);
        pt->nmaps++;
    }
    acct_after(vs->mm);
    return err;
}

mm_err_t mm_vspace_map_page(struct mm_vspace *vs, mm_cptr_t frame, uint32_t vaddr,
                            uint32_t rights, struct mm_map **rec)
{
    struct mm_map *m;
    struct mm_pt *pt = NULL;
    mm_err_t err;

    if ((vaddr & PAGE_MASK) != 0)
        return ERR_ALIGNMENT_ERROR;
    m = map_new(vs->mm);
    if (m == NULL)
        return ERR_NOT_ENOUGH_MEMORY;
    *m = (struct mm_map){ .frame = frame, .where = map_where(vaddr, rights, 0) };
    err = map_small(vs, m, &pt);
    if (err != ERR_NONE) {
        map_put(vs->mm, m);
        if (pt != NULL && pt->nmaps == 0 && pt->maps == NULL)
            pt_release(vs, pt);
    } else {
        map_link_in(&pt->maps, m);
        pt->nmaps++;
        *rec = m;
        acct_after_no_free(vs->mm);
        return ERR_NONE;
    }
    acct_after(vs->mm);
    return err;
}

/* The link to vaddr's record in its list, and its page table (NULL for
 * a 4 MiB mapping). */
static struct mm_map **map_link(struct mm_vspace *vs, uint32_t vaddr, struct mm_pt **pt)
{
    struct mm_map **link = &vs->large;

    for (*pt = NULL; *link != NULL; link = &(*link)->next)
        if (mm_map_vaddr(*link) == (vaddr & ~PT_SPAN_MASK))
            return link;
    *pt = pt_find(vs, vaddr);
    if (*pt == NULL)
        return NULL;
    for (link = &(*pt)->maps; *link != NULL; link = &(*link)->next)
        if (mm_map_vaddr(*link) == (vaddr & ~PAGE_MASK))
            return link;
    return NULL;
}

mm_cptr_t mm_vspace_lookup(const struct mm_vspace *vs, uint32_t vaddr)
{
    struct mm_pt *pt;
    struct mm_map **link = map_link((struct mm_vspace *)vs, vaddr, &pt);

    return link == NULL ? 0 : (*link)->frame;
}

mm_err_t mm_vspace_unmap(struct mm_vspace *vs, uint32_t vaddr)
{
    struct mm_pt *pt;
    struct mm_map **link = map_link(vs, vaddr, &pt), *m;

    if (link == NULL)
        return ERR_FAILED_LOOKUP;
    m = *link;
    if (!mm_map_evicted(m))
        mm_sys_page_unmap(m->frame);
    map_unlink(m);
    if (pt != NULL && !mm_map_evicted(m))
        pt->nmaps--;
    map_put(vs->mm, m);
    if (pt != NULL && pt->nmaps == 0)
        pt_release(vs, pt);
    acct_after(vs->mm);
    return ERR_NONE;
}

void mm_vspace_unmap_page(struct mm_vspace *vs, struct mm_map *m)
{
    struct mm_pt *pt = pt_find(vs, mm_map_vaddr(m));

    if (!mm_map_evicted(m)) {
        mm_sys_page_unmap(m->frame);
        pt->nmaps--;
    }
    map_unlink(m);
    map_put(vs->mm, m);
    if (pt->nmaps == 0)
        pt_release(vs, pt);
    acct_after(vs->mm);
}

mm_err_t mm_vspace_protect_page(struct mm_vspace *vs, struct mm_map *m, uint32_t rights)
{
    mm_err_t err = ERR_NONE;

    if (!mm_map_evicted(m)) {
        /* A mapped frame cap is only mapped again where it already is. */
        err = mm_sys_page_map(m->frame, vs->pd, mm_map_vaddr(m), rights, mm_map_attr(m));
    }
    if (err == ERR_NONE)
        m->where = (m->where & ~MM_MAP_RIGHTS) | (rights & MM_MAP_RIGHTS);
    return err;
}

mm_err_t mm_vspace_protect(struct mm_vspace *vs, uint32_t vaddr, uint32_t rights)
{
    struct mm_pt *pt;
    struct mm_map **link = map_link(vs, vaddr, &pt);

    if (link == NULL)
        return ERR_FAILED_LOOKUP;
    return mm_vspace_protect_page(vs, *link, rights);
}

/* Unmaps every frame of pt and frees the page table; records stay. */
static void pt_evict(struct mm_vspace *vs, struct mm_pt *pt)
{
    for (struct mm_map *m = pt->maps; m != NULL; m = m->next) {
        if (!mm_map_evicted(m))
            mm_sys_page_unmap(m->frame);
        m->where |= MM_MAP_EVICTED;
    }
    pt->nmaps = 0;
    pt_release(vs, pt);
    vs->mm->st.reclaims++;
    if (vs->on_reclaim != NULL)
        vs->on_reclaim(vs, pt->base, vs->arg);
}

mm_err_t mm_vspace_restore(struct mm_vspace *vs, uint32_t vaddr)
{
    struct mm_pt *pt = pt_find(vs, vaddr);
    mm_err_t err = ERR_NONE;

    if (pt == NULL)
        return ERR_FAILED_LOOKUP;
    if (pt->cap == 0 && !pt->foreign)
        err = pt_get(vs, vaddr, &pt);
    for (struct mm_map *m = pt->maps; m != NULL && err == ERR_NONE; m = m->next) {
        if (!mm_map_evicted(m))
            continue;
        err = map_again(vs, m);
        if (err == ERR_NONE) {
            m->where &= ~MM_MAP_EVICTED;
            pt->nmaps++;
        }
    }
    acct_after(vs->mm);
    return err;
}

void mm_vspace_destroy(struct mm_vspace *vs)
{
    while (vs->pts != NULL) {
        struct mm_pt *pt = vs->pts;

        while (pt->maps != NULL) {
            struct mm_map *m = pt->maps;

            if (!mm_map_evicted(m))
                mm_sys_page_unmap(m->frame);
            map_unlink(m);
            map_put(vs->mm, m);
        }
        pt_release(vs, pt);
    }
    while (vs->large != NULL) {
        struct mm_map *m = vs->large;

        mm_sys_page_unmap(m->frame);
        map_unlink(m);
        map_put(vs->mm, m);
    }
    if (vs->owned)
        mm_free(vs->mm, vs->pd);
    vs->pd = 0;
    acct_after(vs->mm);
}

uint32_t mm_vspace_pts(const struct mm_vspace *vs)
{
    uint32_t n = 0;

    for (const struct mm_pt *p = vs->pts; p != NULL; p = p->next)
        n += p->cap != 0;
    return n;
}

int vs_reclaim_one(struct mm *mm)
{
    struct mm_pt *pt = mm->reclaim_head;

    if (pt == NULL)
        return 0;
    pt_evict(pt->vs, pt);
    pool_drain(mm);
    return 1;
}

static int pt_under(const struct mm *mm, const struct mm_pt *pt, const struct mm_ut *top)
{
    const struct mm_slot *s = slot_meta(mm, pt->cap);

    return s != NULL && ut_in_subtree(mm, mm_ut_at(mm, s->ut), top);
}

int vs_reclaim_in(struct mm *mm, const struct mm_ut *top)
{
    int n = 0;

    for (struct mm_pt *pt = mm->reclaim_head, *next; pt != NULL; pt = next) {
        next = pt->fifo_next;
        if (pt_under(mm, pt, top)) {
            pt_evict(pt->vs, pt);
            n++;
        }
    }
    return n;
}

uint32_t vs_reclaimable_in(const struct mm *mm, const struct mm_ut *top)
{
    uint32_t n = 0;

    for (const struct mm_pt *pt = mm->reclaim_head; pt != NULL; pt = pt->fifo_next)
        n += pt_under(mm, pt, top);
    return n;
}
