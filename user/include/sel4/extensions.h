/*
 * Wrappers for our kernel extensions (docs/api.md, "Our extensions"). They
 * are named ext_*, not seL4_*, because seL4 has no such calls: a program
 * that uses them runs on this kernel only.
 */
#ifndef SEL4_EXTENSIONS_H
#define SEL4_EXTENSIONS_H

#include <sel4/invocation.h>
#include <abi/capinfo.h>

/* One slot as CNode ReadSlots describes it (abi/capinfo.h). */
typedef struct ext_CapInfo {
    seL4_Word type;             /* CAPINFO_TYPE_* */
    seL4_Word size_bits;        /* of the object; 0 if it names no memory */
    seL4_Word rights;           /* seL4 rights bits */
    seL4_Word flags;            /* CAPINFO_DEVICE, _MAPPED, _REPLY_MASTER, _ANC_* */
    seL4_Word data;             /* badge, guard word, bytes retyped, mapping, ... */
    seL4_Word paddr;            /* of the object */
    seL4_Word ancestor_paddr;   /* of the untyped it descends from (if ANC_FOUND) */
    seL4_Word ancestor_bits;    /* its size in bits, CAPINFO_ANC_DEVICE set if device */
} ext_CapInfo_t;

typedef struct ext_CNode_ReadSlots {
    seL4_Error error;
    seL4_Word count;            /* slots described: 1 .. asked (ask again from first + count) */
} ext_CNode_ReadSlots_t;

static inline void ext_capinfo_unpack(ext_CapInfo_t *out, const seL4_Word *w)
{
    out->type = w[CAPINFO_W_INFO] & CAPINFO_TYPE_MASK;
    out->size_bits = (w[CAPINFO_W_INFO] >> CAPINFO_SIZE_SHIFT) & CAPINFO_SIZE_MASK;
    out->rights = (w[CAPINFO_W_INFO] >> CAPINFO_RIGHTS_SHIFT) & CAPINFO_RIGHTS_MASK;
    out->flags = w[CAPINFO_W_INFO] & ~((CAPINFO_RIGHTS_MASK << CAPINFO_RIGHTS_SHIFT) |
                                       (CAPINFO_SIZE_MASK << CAPINFO_SIZE_SHIFT) |
                                       CAPINFO_TYPE_MASK);
    out->data = w[CAPINFO_W_DATA];
    out->paddr = w[CAPINFO_W_PADDR];
    out->ancestor_paddr = w[CAPINFO_W_ANC_PADDR];
    out->ancestor_bits = w[CAPINFO_W_ANC_SIZE];
}

/* Describe `count` slots of `cnode` from slot `first` (an index into the
 * CNode itself) into out[0 .. result.count - 1]. On an error, seL4_GetMR(0)
 * and (1) hold its details (RangeError: min, max). */
static inline ext_CNode_ReadSlots_t ext_CNode_ReadSlots(seL4_CNode cnode, seL4_Word first,
        seL4_Word count, ext_CapInfo_t *out)
{
    seL4_MessageInfo_t tag = seL4_MessageInfo_new(INV_EXT_CNODE_READ_SLOTS, 0, 0, 2);
    seL4_Word mr0 = first, mr1 = count;
    ext_CNode_ReadSlots_t r = { seL4_NoError, 0 };
    seL4_Word w[CAPINFO_WORDS];

    tag = seL4_CallWithMRs(cnode, tag, &mr0, &mr1);
    r.error = rt_invocation_result(tag, mr0, mr1);
    if (r.error != seL4_NoError)
        return r;
    r.count = mr0;
    for (seL4_Word i = 0; i < r.count && i < count; i++) {
        for (seL4_Word k = 0; k < CAPINFO_WORDS; k++) {
            seL4_Word mr = 1 + i * CAPINFO_WORDS + k;
            w[k] = mr == 1 ? mr1 : seL4_GetMR((int)mr);
        }
        ext_capinfo_unpack(&out[i], w);
    }
    return r;
}

#endif
