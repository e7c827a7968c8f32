/*
 * A user-level model of part of the capability system (issue 14): which
 * capability each slot of a window of the root CNode holds, how the
 * capabilities derive from each other, and how many bytes each untyped
 * capability has used. It follows seL4's rules as seL4's source states them:
 *
 *  - Retype puts new capabilities (revocable) under the untyped; an untyped
 *    with no children is reset first (its watermark returns to zero); the
 *    objects start at the watermark aligned to their size.
 *  - Copy and Mint derive: the new capability is a child of the source if
 *    the source is revocable, else its sibling. It is itself revocable if
 *    it is an untyped, or an endpoint/notification whose badge differs from
 *    the source's (isCapRevocable). Copying an untyped with children is
 *    refused (RevokeFirst); copying one marks the source full. An unmapped
 *    page table or directory cannot be derived (IllegalOperation). A badge is
 *    set once: minting a badged endpoint is refused (IllegalOperation).
 *  - Move, Mutate and Rotate keep the capability's place in the tree;
 *    Mutate/Rotate of an endpoint or notification is refused.
 *  - Delete removes one capability, whose children move up to its parent;
 *    Revoke removes all descendants.
 *
 * Each operation returns the seL4_Error the model predicts and applies its
 * effect; the caller compares with the kernel.
 */
#ifndef CAPMODEL_MODEL_H
#define CAPMODEL_MODEL_H

#include <sel4/sel4.h>
#include <stdint.h>

#define MODEL_WIN       96            /* window slots */
#define MODEL_ROOTS     3             /* root untypeds (outside the window) */
#define MODEL_NODES     (MODEL_WIN + MODEL_ROOTS)

/* seL4_DebugCapIdentify's ia32 tags (seL4 cap_tag_t). */
enum {
    TAG_NULL = 0, TAG_FRAME = 1, TAG_UNTYPED = 2, TAG_PAGE_TABLE = 3, TAG_ENDPOINT = 4,
    TAG_PAGE_DIRECTORY = 5, TAG_NOTIFICATION = 6, TAG_CNODE = 10, TAG_THREAD = 12,
};

typedef struct mnode {
    uint8_t used;
    uint8_t tag;                      /* TAG_* */
    uint8_t revocable;
    uint8_t bits;                     /* untyped: size in bits */
    seL4_Word badge;
    seL4_Word wm;                     /* untyped: bytes used (the cap's free index) */
    int parent;                       /* node index, or -1 */
} mnode_t;

typedef struct model {
    /* node i < MODEL_WIN is window slot i; nodes MODEL_WIN.. are the roots */
    mnode_t n[MODEL_NODES];
    seL4_CPtr win;                    /* first window slot in the root CNode */
    seL4_CPtr root_cptr[MODEL_ROOTS];
} model_t;

void model_init(model_t *m, seL4_CPtr win, const seL4_CPtr *roots, seL4_Word root_bits);
seL4_CPtr model_cptr(const model_t *m, int i);
int model_has_children(const model_t *m, int i);
/* Bytes NotEnoughMemory would report for untyped node i. */
seL4_Word model_free_bytes(const model_t *m, int i);
/* Object size in bits of a retype of type with size_bits. */
seL4_Word model_obj_bits(seL4_Word type, seL4_Word size_bits);

seL4_Error model_retype(model_t *m, int ut, seL4_Word type, seL4_Word size_bits, int dst,
                        seL4_Word num);
seL4_Error model_copy(model_t *m, int dst, int src, int mint, seL4_Word badge);
seL4_Error model_move(model_t *m, int dst, int src, int mutate);
seL4_Error model_rotate(model_t *m, int dst, int pivot, int src);
seL4_Error model_delete(model_t *m, int i);
seL4_Error model_revoke(model_t *m, int i);

#endif
