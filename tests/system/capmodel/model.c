/*
 * The capability model's operations (model.h). Pure bookkeeping: no system
 * calls, so a wrong prediction is the model's word against the kernel's.
 */
#include "model.h"
#include <string.h>

static const uint8_t type_tag[] = {
    [seL4_UntypedObject] = TAG_UNTYPED, [seL4_TCBObject] = TAG_THREAD,
    [seL4_EndpointObject] = TAG_ENDPOINT, [seL4_NotificationObject] = TAG_NOTIFICATION,
    [seL4_CapTableObject] = TAG_CNODE, [seL4_X86_4K] = TAG_FRAME,
    [seL4_X86_LargePageObject] = TAG_FRAME, [seL4_X86_PageTableObject] = TAG_PAGE_TABLE,
    [seL4_X86_PageDirectoryObject] = TAG_PAGE_DIRECTORY,
};

void model_init(model_t *m, seL4_CPtr win, const seL4_CPtr *roots, seL4_Word root_bits)
{
    memset(m, 0, sizeof(*m));
    m->win = win;
    for (int i = 0; i < MODEL_NODES; i++)
        m->n[i].parent = -1;
    for (int r = 0; r < MODEL_ROOTS; r++) {
        mnode_t *u = &m->n[MODEL_WIN + r];
        m->root_cptr[r] = roots[r];
        u->used = 1;
        u->tag = TAG_UNTYPED;
        u->revocable = 1;
        u->bits = (uint8_t)root_bits;
        u->wm = 0;
    }
}

seL4_CPtr model_cptr(const model_t *m, int i)
{
    return i < MODEL_WIN ? m->win + (seL4_CPtr)i : m->root_cptr[i - MODEL_WIN];
}

int model_has_children(const model_t *m, int i)
{
    for (int j = 0; j < MODEL_NODES; j++)
        if (m->n[j].used && m->n[j].parent == i)
            return 1;
    return 0;
}

seL4_Word model_free_bytes(const model_t *m, int i)
{
    seL4_Word size = (seL4_Word)1 << m->n[i].bits;
    return model_has_children(m, i) ? size - m->n[i].wm : size;
}

seL4_Word model_obj_bits(seL4_Word type, seL4_Word size_bits)
{
    switch (type) {
    case seL4_UntypedObject: return size_bits;
    case seL4_TCBObject: return seL4_TCBBits;
    case seL4_EndpointObject: return seL4_EndpointBits;
    case seL4_NotificationObject: return seL4_NotificationBits;
    case seL4_CapTableObject: return size_bits + seL4_SlotBits;
    case seL4_X86_4K: return seL4_PageBits;
    case seL4_X86_LargePageObject: return seL4_LargePageBits;
    case seL4_X86_PageTableObject: return seL4_PageTableBits;
    default: return seL4_PageDirBits;
    }
}

/* Check order as seL4's decodeUntypedInvocation: slots empty, then memory. */
seL4_Error model_retype(model_t *m, int ut, seL4_Word type, seL4_Word size_bits, int dst,
                        seL4_Word num)
{
    mnode_t *u = &m->n[ut];
    seL4_Word ob = model_obj_bits(type, size_bits), osz = (seL4_Word)1 << ob;

    for (seL4_Word k = 0; k < num; k++)
        if (m->n[dst + (int)k].used)
            return seL4_DeleteFirst;
    if (!model_has_children(m, ut))
        u->wm = 0;
    if ((model_free_bytes(m, ut) >> ob) < num)
        return seL4_NotEnoughMemory;
    u->wm = ((u->wm + osz - 1) & ~(osz - 1)) + num * osz;
    for (seL4_Word k = 0; k < num; k++) {
        mnode_t *c = &m->n[dst + (int)k];
        memset(c, 0, sizeof(*c));
        c->used = 1;
        c->tag = type_tag[type];
        c->revocable = 1;
        c->bits = (uint8_t)(type == seL4_UntypedObject ? size_bits : 0);
        c->parent = ut;
    }
    return seL4_NoError;
}

static int is_badgeable(const mnode_t *c)
{
    return c->tag == TAG_ENDPOINT || c->tag == TAG_NOTIFICATION;
}

/* Copy (mint = 0) or Mint: dest empty, source present, then deriveCap. */
seL4_Error model_copy(model_t *m, int dst, int src, int mint, seL4_Word badge)
{
    mnode_t *s = &m->n[src], *d = &m->n[dst];

    if (d->used)
        return seL4_DeleteFirst;
    if (!s->used)
        return seL4_FailedLookup;
    if (mint && is_badgeable(s) && s->badge != 0)
        return seL4_IllegalOperation;
    if (s->tag == TAG_UNTYPED && model_has_children(m, src))
        return seL4_RevokeFirst;
    if (s->tag == TAG_PAGE_TABLE || s->tag == TAG_PAGE_DIRECTORY)
        return seL4_IllegalOperation;
    *d = *s;
    if (mint && is_badgeable(s))
        d->badge = badge & ((1u << seL4_BadgeBits) - 1);
    d->revocable = s->tag == TAG_UNTYPED || (is_badgeable(s) && d->badge != s->badge);
    d->parent = s->revocable ? src : s->parent;
    if (s->tag == TAG_UNTYPED)
        s->wm = (seL4_Word)1 << s->bits;      /* setUntypedCapAsFull */
    return seL4_NoError;
}

static void relocate(model_t *m, int to, int from)
{
    m->n[to] = m->n[from];
    memset(&m->n[from], 0, sizeof(m->n[from]));
    m->n[from].parent = -1;
    for (int j = 0; j < MODEL_NODES; j++)
        if (m->n[j].used && m->n[j].parent == from)
            m->n[j].parent = to;
}

seL4_Error model_move(model_t *m, int dst, int src, int mutate)
{
    if (m->n[dst].used)
        return seL4_DeleteFirst;
    if (!m->n[src].used)
        return seL4_FailedLookup;
    if (mutate && is_badgeable(&m->n[src]))
        return seL4_IllegalOperation;
    relocate(m, dst, src);
    return seL4_NoError;
}

/* Exchanges nodes a and b: each capability keeps its place in the tree. */
static void swap_nodes(model_t *m, int a, int b)
{
    mnode_t t = m->n[a];

    m->n[a] = m->n[b];
    m->n[b] = t;
    for (int j = 0; j < MODEL_NODES; j++) {
        if (!m->n[j].used)
            continue;
        if (m->n[j].parent == a)
            m->n[j].parent = b;
        else if (m->n[j].parent == b)
            m->n[j].parent = a;
    }
}

/* pivot -> dst, src -> pivot; dst == src swaps the two. */
seL4_Error model_rotate(model_t *m, int dst, int pivot, int src)
{
    if (pivot == src || pivot == dst)
        return seL4_IllegalOperation;
    if (src != dst && m->n[dst].used)
        return seL4_DeleteFirst;
    if (!m->n[src].used || !m->n[pivot].used)
        return seL4_FailedLookup;
    if (is_badgeable(&m->n[src]) || is_badgeable(&m->n[pivot]))
        return seL4_IllegalOperation;
    if (src == dst) {
        swap_nodes(m, src, pivot);
        return seL4_NoError;
    }
    relocate(m, dst, pivot);
    relocate(m, pivot, src);
    return seL4_NoError;
}

seL4_Error model_delete(model_t *m, int i)
{
    if (!m->n[i].used)
        return seL4_NoError;
    for (int j = 0; j < MODEL_NODES; j++)
        if (m->n[j].used && m->n[j].parent == i)
            m->n[j].parent = m->n[i].parent;
    memset(&m->n[i], 0, sizeof(m->n[i]));
    m->n[i].parent = -1;
    return seL4_NoError;
}

static void remove_subtree(model_t *m, int i)
{
    for (int j = 0; j < MODEL_NODES; j++)
        if (m->n[j].used && m->n[j].parent == i) {
            remove_subtree(m, j);
            memset(&m->n[j], 0, sizeof(m->n[j]));
            m->n[j].parent = -1;
        }
}

seL4_Error model_revoke(model_t *m, int i)
{
    if (m->n[i].used)
        remove_subtree(m, i);
    return seL4_NoError;
}
