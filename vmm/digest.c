/*
 * The console's `digest <guest>`: one SHA-256 over the contents of every
 * frame the guest has, computed by the VMM from the live capability state,
 * so a guest cannot vouch for its own memory. The replay test
 * (tools/run-replay.py, docs/isolation.md) boots a guest beside
 * neighbours that behave differently and compares its digests: under
 * QEMU's -icount a run is deterministic, so any difference is something
 * the neighbour did to it.
 *
 * Which frames, in which order:
 * 1. every frame capability in the guest's CSpace as it is now, read with
 *    CNode ReadSlots (docs/api.md) slot by slot from its root CNode, and
 *    depth first into every CNode found there (the second-level CNodes a
 *    Linux guest grows), each CNode once (told apart by physical address);
 * 2. under mediated, every frame in the CNode where the VMM keeps the
 *    guest's objects (d->med_cnode): its memory and its processes' pages,
 *    which it reaches only through the VMM's capabilities;
 * 3. every frame capability in the VMM's CSpace (its top-level CNode and
 *    the CNodes there: the boot CNode, the initrd copies) that is mapped in
 *    the guest's address space (the ASID the guest's page directory
 *    reports): the image, stack, IPC buffer and boot page, the initrd,
 *    shared memory.
 * A frame mapped in the guest through a capability held anywhere else
 * would be missed; only another partition could hold one, which the audit
 * reports as a breach (docs/isolation.md).
 *
 * Each frame is hashed as its size, whether and where it is mapped, and
 * its rights (frame_head_t), then its bytes, read through a read-only copy
 * of its capability mapped in a window of the VMM's own (VMM_DIGEST_VADDR,
 * VMM_DIGEST_LARGE_VADDR for 4 MiB pages); the copy is deleted after. Device
 * frames are counted and named, but not read: reading a device register
 * may change the device.
 */
#include <vmm/digest.h>
#include <vmm/cnode_read.h>
#include <vmm/sha256.h>
#include <memmgr/vspace.h>
#include <sel4/sel4.h>
#include <sel4/extensions.h>
#include <stdio.h>
#include <string.h>

#define ROOT                seL4_CapInitThreadCNode
#define DEPTH               seL4_WordBits
#define DIGEST_LEVELS       4       /* CNodes within CNodes followed this deep */
#define DIGEST_MAX_CNODES   256
#define SHORT_HEX           16      /* hex digits of a frame's own digest in a listing */

enum { IN_CSPACE, OF_VMM };

/* Hashed before a frame's bytes, so that the same bytes in another place
 * or size give another digest. */
typedef struct frame_head {
    uint32_t size_bits, mapped, vaddr, rights;
} frame_head_t;

typedef struct digest {
    vmm_t *v;
    const char *name;
    uint32_t asid;                  /* of the guest's page directory */
    bool verbose, failed;
    int kind;                       /* of the frames the walk under way finds */
    bool vmm_walk;                  /* walking the VMM's CSpace: only frames mapped in
                                     * the guest, CNodes followed one level down */
    sha256_t all;
    uint32_t n_frames[2];           /* IN_CSPACE, OF_VMM */
    uint32_t n_device;
    uint64_t bytes;
    uint32_t n_cnodes;
    uint32_t cnode_paddr[DIGEST_MAX_CNODES];
    mm_cptr_t scratch[DIGEST_LEVELS];   /* copies of CNode capabilities, per level */
    mm_cptr_t copy;                 /* the read-only copy of the frame being hashed */
} digest_t;

static void fail(digest_t *d, const char *why, uint32_t slot, int err)
{
    printf("digest %s: %s (slot %u, error %d)\n", d->name, why, slot, err);
    d->failed = true;
}

/* Marks a CNode read; true if it was already. */
static bool seen_cnode(digest_t *d, uint32_t paddr)
{
    for (uint32_t i = 0; i < d->n_cnodes; i++)
        if (d->cnode_paddr[i] == paddr)
            return true;
    if (d->n_cnodes == DIGEST_MAX_CNODES)
        fail(d, "more CNodes than the digest follows", 0, 0);
    else
        d->cnode_paddr[d->n_cnodes++] = paddr;
    return false;
}

static void list_frame(digest_t *d, int kind, uint32_t level, uint32_t slot,
                       const frame_head_t *h, const void *bytes)
{
    uint8_t one[SHA256_DIGEST_BYTES];
    char hex[SHA256_HEX_CHARS + 1], where[sizeof("mapped at 0x12345678")];
    sha256_t s;

    sha256_init(&s);
    sha256_update(&s, h, sizeof(*h));
    sha256_update(&s, bytes, (size_t)1 << h->size_bits);
    sha256_final(&s, one);
    sha256_hex(one, hex);
    hex[SHORT_HEX] = '\0';
    snprintf(where, sizeof(where), h->mapped ? "mapped at 0x%08x" : "unmapped", h->vaddr);
    printf("digest %s: frame %u: %s level %u slot %u, %u bytes %s, sha256 %s\n", d->name,
           d->n_frames[IN_CSPACE] + d->n_frames[OF_VMM],
           kind == IN_CSPACE ? "its CSpace" : "the VMM's", level, slot, 1u << h->size_bits,
           where, hex);
}

/* Copies the frame in `slot` of cn read-only, maps the copy in the VMM's
 * window, hashes it, and takes both away again. */
static void hash_frame(digest_t *d, const vmm_cnode_ref_t *cn, uint32_t slot, uint32_t level,
                       const ext_CapInfo_t *c, int kind)
{
    bool large = c->size_bits == MM_LARGE_PAGE_BITS;
    uint32_t va = large ? VMM_DIGEST_LARGE_VADDR : VMM_DIGEST_VADDR;
    bool mapped = (c->flags & CAPINFO_MAPPED) != 0;
    frame_head_t h = { (uint32_t)c->size_bits, mapped,
                       mapped ? (uint32_t)c->data & ~CAPINFO_ASID_MASK : 0, (uint32_t)c->rights };
    int e;

    sha256_update(&d->all, &h, sizeof(h));
    if (c->flags & CAPINFO_DEVICE) {
        printf("digest %s: device frame in slot %u at 0x%08x not read (reading may change "
               "the device)\n", d->name, slot, h.vaddr);
        d->n_device++;
        return;
    }
    if (!large && c->size_bits != seL4_PageBits) {
        fail(d, "a frame of a size the digest has no window for", slot, 0);
        return;
    }
    if ((e = vmm_cnode_copy_out(cn, slot, d->copy, seL4_CanRead))) {
        fail(d, "cannot copy a frame capability", slot, e);
        return;
    }
    if ((e = mm_vspace_map(&d->v->local, d->copy, va, MM_RO, 0, large)) != ERR_NONE) {
        seL4_CNode_Delete(ROOT, d->copy, DEPTH);
        fail(d, "cannot map a frame in the VMM", slot, e);
        return;
    }
    sha256_update(&d->all, (const void *)va, (size_t)1 << c->size_bits);
    if (d->verbose)
        list_frame(d, kind, level, slot, &h, (const void *)va);
    d->n_frames[kind]++;
    d->bytes += (uint64_t)1 << c->size_bits;
    mm_vspace_unmap(&d->v->local, va);
    seL4_CNode_Delete(ROOT, d->copy, DEPTH);
}

static void walk(digest_t *d, const vmm_cnode_ref_t *cn, uint32_t level);

/* A CNode found in `slot` of cn: read through a copy in a scratch slot. */
static void follow(digest_t *d, const vmm_cnode_ref_t *cn, uint32_t slot, uint32_t level,
                   const ext_CapInfo_t *c)
{
    int e;

    if (seen_cnode(d, (uint32_t)c->paddr))
        return;
    if (level + 1 >= DIGEST_LEVELS) {
        fail(d, "CNodes nested deeper than the digest follows", slot, 0);
        return;
    }
    if ((e = vmm_cnode_copy_out(cn, slot, d->scratch[level], seL4_AllRights))) {
        fail(d, "cannot copy a CNode capability", slot, e);
        return;
    }
    vmm_cnode_ref_t child = vmm_cnode_ref(d->scratch[level], c);
    walk(d, &child, level + 1);
    seL4_CNode_Delete(ROOT, d->scratch[level], DEPTH);
}

/* A CNode cn: its frames, then (depth first) its CNodes' frames, in slot
 * order. In the VMM's CSpace only frames mapped in the guest's address
 * space count, and only the CNodes in the VMM's top-level CNode are
 * followed (its boot CNode, the initrd copies): deeper ones are the
 * guests' own CSpaces, walked as theirs. */
static void walk(digest_t *d, const vmm_cnode_ref_t *cn, uint32_t level)
{
    ext_CapInfo_t c[CAPINFO_MAX_SLOTS];
    uint32_t slots = 1u << cn->radix;

    for (uint32_t first = 0; first < slots && !d->failed;) {
        ext_CNode_ReadSlots_t r = vmm_cnode_read_batch(cn, first, c);
        if (r.error != seL4_NoError || r.count == 0) {
            fail(d, "ReadSlots failed", first, r.error);
            return;
        }
        for (uint32_t i = 0; i < r.count && !d->failed; i++) {
            bool here = (c[i].flags & CAPINFO_MAPPED) &&
                        (c[i].data & CAPINFO_ASID_MASK) == d->asid;
            if (c[i].type == CAPINFO_TYPE_FRAME && (!d->vmm_walk || here))
                hash_frame(d, cn, first + i, level, &c[i], d->kind);
            else if (c[i].type == CAPINFO_TYPE_CNODE && (!d->vmm_walk || level == 0))
                follow(d, cn, first + i, level, &c[i]);
        }
        first += (uint32_t)r.count;
    }
}

/* The guest's root CNode and ASID, the VMM's root CNode; then both walks. */
static void digest_all(digest_t *d, const vmm_domain_t *dom)
{
    ext_CapInfo_t c;
    vmm_cnode_ref_t guest_root, vmm_root;

    if (!vmm_read_root_slot(dom->vs.pd, &c)) {
        fail(d, "cannot read its page directory capability", dom->vs.pd, 0);
        return;
    }
    d->asid = (uint32_t)c.data & CAPINFO_ASID_MASK;
    if (!vmm_read_root_slot(ROOT, &c)) {
        fail(d, "cannot read the VMM's CNode capability", ROOT, 0);
        return;
    }
    vmm_root = vmm_cnode_ref(ROOT, &c);
    if (!vmm_read_root_slot(dom->cnode, &c)) {
        fail(d, "cannot read its CNode capability", dom->cnode, 0);
        return;
    }
    guest_root = vmm_cnode_ref(dom->cnode, &c);
    seen_cnode(d, (uint32_t)c.paddr);
    d->kind = IN_CSPACE;
    walk(d, &guest_root, 0);
    /* A mediated guest's objects are the VMM's capabilities, kept for it
     * in a CNode of its own (mediate.c): all of them are its memory. */
    if (!d->failed && dom->med_cnode != 0 && vmm_read_root_slot(dom->med_cnode, &c) &&
        c.type == CAPINFO_TYPE_CNODE && !seen_cnode(d, (uint32_t)c.paddr)) {
        vmm_cnode_ref_t med = vmm_cnode_ref(dom->med_cnode, &c);
        d->kind = OF_VMM;
        walk(d, &med, 1);
    }
    if (!d->failed) {
        d->kind = OF_VMM;
        d->vmm_walk = true;
        walk(d, &vmm_root, 0);
    }
}

bool vmm_digest(vmm_t *v, uint32_t i, bool verbose)
{
    static digest_t d;
    uint8_t out[SHA256_DIGEST_BYTES];
    char hex[SHA256_HEX_CHARS + 1];
    bool slots = true;

    if (v->dom[i].state == DOMAIN_EMPTY) {
        printf("digest %s: not built\n", v->cfg->guest[i].name);
        return false;
    }
    memset(&d, 0, sizeof(d));
    d.v = v;
    d.name = v->cfg->guest[i].name;
    d.verbose = verbose;
    sha256_init(&d.all);
    for (uint32_t k = 0; k < DIGEST_LEVELS; k++)
        slots &= mm_slot_alloc(&v->mm, &d.scratch[k]) == ERR_NONE;
    slots &= mm_slot_alloc(&v->mm, &d.copy) == ERR_NONE;
    if (!slots)
        fail(&d, "no free slot in the VMM's CSpace", 0, 0);
    else
        digest_all(&d, &v->dom[i]);
    for (uint32_t k = 0; k < DIGEST_LEVELS; k++)
        if (d.scratch[k])
            mm_slot_free(&v->mm, d.scratch[k]);
    if (d.copy)
        mm_slot_free(&v->mm, d.copy);
    if (d.failed)
        return false;
    sha256_final(&d.all, out);
    sha256_hex(out, hex);
    printf("digest %s: %u frames, %llu KiB (%u in its CSpace, %u of the VMM's mapped in it, "
           "%u device frames not read), sha256 %s\n", d.name,
           d.n_frames[IN_CSPACE] + d.n_frames[OF_VMM], (unsigned long long)(d.bytes >> 10),
           d.n_frames[IN_CSPACE], d.n_frames[OF_VMM], d.n_device, hex);
    return true;
}
