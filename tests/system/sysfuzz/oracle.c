/*
 * The fuzzer's functional oracles (issue 20): a modeller thread whose every
 * result is predicted, next to the actor, the storms and the workers.
 *
 * The modeller runs at the actor's priority, time-sliced with them, in a
 * CSpace of its own: the CNode M (2^M_BITS slots, a guard so that CPtr i at
 * depth 32 is slot i). No other fuzz thread can name M or anything in it,
 * and everything in M derives from untypeds only the modeller holds, so
 * whatever the rest of the fuzz does, M changes only by the modeller's
 * own calls. M holds:
 *
 *  - the model window (slots M_WIN.., MODEL_WIN of them) and three root
 *    untypeds: random retype, copy, mint, move, mutate, rotate, delete and
 *    revoke, each error (and the bytes NotEnoughMemory reports) compared
 *    with the reference model of tests/system/capmodel/model.h (seL4's
 *    derivation, badge and retype rules), and every MODEL_CHECK_EVERY
 *    steps every window slot's type and every untyped's bytes left;
 *  - an endpoint P on which the partner thread (priority PRIO_PARTNER,
 *    same CSpace) always waits: the modeller mints P with a random badge
 *    and rights, sends through it with random label, length, words and up
 *    to two extra capabilities (P itself, badged or not, which must arrive
 *    unwrapped as badges; or a notification, which must arrive in the
 *    partner's receive slot), and checks what the partner got against
 *    seL4's rules: delivered only with Write, the minted badge, the label,
 *    the length cut to seL4_MsgMaxLength, the words, capabilities only with
 *    Grant (transferCaps: unwrap while the capability is P, transfer one,
 *    stop at the next);
 *  - a region D of sixteen slots with one object of most types (untyped,
 *    CNode holding a capability, TCB, frame, page table, page directory,
 *    notification and a badged copy, a child untyped) and empty slots: the
 *    modeller makes random invocations on D's capabilities (any label,
 *    length, words, D's capabilities as extra capabilities) and for each
 *    that the kernel refuses compares a digest of what it can observe of D
 *    before and after: every D slot's type, what the D CNode holds, the
 *    bytes left in both untypeds, the TCB's registers and the frame's
 *    address. A call that succeeds rebuilds D from its parent untyped.
 *
 * Any mismatch fails the run; the modeller prints it and stops.
 */
#include "fuzz.h"
#include "oracle.h"
#include <rt/rt.h>
#include <sel4/sel4.h>
#include <stdio.h>
#include <string.h>

#define DEPTH           seL4_WordBits
#define MODEL_CHECK_EVERY 32u
#define MODEL_ROUND     1000u         /* steps between revokes of the roots */

static const seL4_Word d_boundary[] = {
    0, 1, 2, 3, 4, 5, 8, 12, 16, 31, 32, 33, 255, 4096, 0x7fffffff, 0x80000000, 0xe0000000,
    0xfffff000, 0xffffffff,
};
#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

typedef struct mo {
    fz_t *f;
    fz_rng_t r;
    model_t m;
    char op[112];                     /* the current operation, for failure messages */
} mo_t;

static int fail(mo_t *o, volatile uint32_t *counter, const char *what, seL4_Word got,
                seL4_Word want)
{
    (*counter)++;
    printf("sysfuzz: ORACLE FAILED: seed %u model step %u (actor step %u): %s: %s: got %x, "
           "expected %x\n", o->f->seed, o->f->model_steps, o->f->step, o->op, what, got, want);
    return 1;
}

/* ---- the reference model's steps ---- */

/* NotEnoughMemory from a retype that cannot fit reports the bytes left. */
static seL4_Error probe_free(seL4_CPtr ut, seL4_Word bits, seL4_Word *left)
{
    seL4_Error err = seL4_Untyped_Retype(ut, seL4_UntypedObject, bits, M_SELF, 0, 0, M_PROBE, 2);
    *left = seL4_GetMR(0);
    return err;
}

static int model_check(mo_t *o)
{
    model_t *m = &o->m;

    o->f->model_checks++;
#if !SYSFUZZ_RELEASE
    for (int i = 0; i < MODEL_WIN; i++) {
        seL4_Word tag = seL4_DebugCapIdentify(model_cptr(m, i));
        if (tag != m->n[i].tag) {
            snprintf(o->op + strlen(o->op), 16, " [slot %d]", i);
            return fail(o, &o->f->model_bad, "slot type", tag, m->n[i].tag);
        }
    }
#endif
    for (int i = 0; i < MODEL_NODES; i++) {
        seL4_Word left;
        seL4_Error err;
        if (!m->n[i].used || m->n[i].tag != TAG_UNTYPED)
            continue;
        err = probe_free(model_cptr(m, i), m->n[i].bits, &left);
        if (err != seL4_NotEnoughMemory)
            return fail(o, &o->f->model_bad, "probe", err, seL4_NotEnoughMemory);
        if (left != model_free_bytes(m, i)) {
            snprintf(o->op + strlen(o->op), 16, " [ut %d]", i);
            return fail(o, &o->f->model_bad, "untyped bytes left", left, model_free_bytes(m, i));
        }
    }
    return 0;
}

static int pick_untyped(mo_t *o)
{
    int list[MODEL_NODES], n = 0;

    for (int i = 0; i < MODEL_NODES; i++)
        if (o->m.n[i].used && o->m.n[i].tag == TAG_UNTYPED)
            list[n++] = i;
    return list[fz_below(&o->r, (seL4_Word)n)];
}

/* A window slot; most of the time one that holds a capability. */
static int pick_slot(mo_t *o, unsigned used_percent)
{
    int list[MODEL_WIN], n = 0;

    for (int i = 0; i < MODEL_WIN; i++)
        if (o->m.n[i].used)
            list[n++] = i;
    if (n == 0 || !fz_chance(&o->r, used_percent))
        return (int)fz_below(&o->r, MODEL_WIN);
    return list[fz_below(&o->r, (seL4_Word)n)];
}

static seL4_Error model_retype_step(mo_t *o, seL4_Error *want, seL4_Word *left)
{
    static const seL4_Word types[] = { 0, 0, 1, 2, 2, 3, 3, 4, 5, 6, 7, 8 };
    model_t *m = &o->m;
    int ut = pick_untyped(o);
    seL4_Word type = types[fz_below(&o->r, NELEM(types))], bits = 0;
    seL4_Word num = 1 + fz_below(&o->r, 4);
    int dst = (int)fz_below(&o->r, MODEL_WIN - num + 1);
    seL4_Error err;

    if (type == seL4_UntypedObject)
        bits = 4 + fz_below(&o->r, m->n[ut].bits - 3);
    else if (type == seL4_CapTableObject)
        bits = 1 + fz_below(&o->r, 4);
    snprintf(o->op, sizeof(o->op), "retype ut %d type %u bits %u -> %d x%u", ut, type, bits,
             dst, num);
    err = seL4_Untyped_Retype(model_cptr(m, ut), type, bits, M_SELF, 0, 0, model_cptr(m, dst),
                              num);
    *want = model_retype(m, ut, type, bits, dst, num);
    *left = model_free_bytes(m, ut);
    return err;
}

/* One model step; 0 if kernel and model agree. */
static int model_step(mo_t *o)
{
    model_t *m = &o->m;
    fz_rng_t *r = &o->r;
    int d = pick_slot(o, 20), s = pick_slot(o, 85), p = pick_slot(o, 85);
    seL4_CPtr dc = model_cptr(m, d), sc = model_cptr(m, s), pc = model_cptr(m, p);
    seL4_Word badge = fz_chance(r, 25) ? 0 : 1 + fz_below(r, (1u << seL4_BadgeBits) - 1);
    seL4_Word k = fz_below(r, 100), left = 0;
    seL4_Error err, want;

    /* A CNode's badge argument is its guard: keep it valid (0). */
    if (m->n[s].used && !(m->n[s].tag == TAG_ENDPOINT || m->n[s].tag == TAG_NOTIFICATION))
        badge = 0;
    fz_cpu_ambient(r);
    if (k < 25) {
        err = model_retype_step(o, &want, &left);
    } else if (k < 37) {
        snprintf(o->op, sizeof(o->op), "copy %d -> %d", s, d);
        err = seL4_CNode_Copy(M_SELF, dc, DEPTH, M_SELF, sc, DEPTH, seL4_AllRights);
        want = model_copy(m, d, s, 0, 0);
    } else if (k < 49) {
        snprintf(o->op, sizeof(o->op), "mint %d -> %d badge %x", s, d, badge);
        err = seL4_CNode_Mint(M_SELF, dc, DEPTH, M_SELF, sc, DEPTH, seL4_AllRights, badge);
        want = model_copy(m, d, s, 1, badge);
    } else if (k < 58) {
        snprintf(o->op, sizeof(o->op), "move %d -> %d", s, d);
        err = seL4_CNode_Move(M_SELF, dc, DEPTH, M_SELF, sc, DEPTH);
        want = model_move(m, d, s, 0);
    } else if (k < 64) {
        snprintf(o->op, sizeof(o->op), "mutate %d -> %d", s, d);
        err = seL4_CNode_Mutate(M_SELF, dc, DEPTH, M_SELF, sc, DEPTH, 0);
        want = model_move(m, d, s, 1);
    } else if (k < 70) {
        if (fz_chance(r, 50)) {
            d = s;                                /* a swap */
            dc = sc;
        }
        snprintf(o->op, sizeof(o->op), "rotate %d -> %d -> %d", s, p, d);
        err = seL4_CNode_Rotate(M_SELF, dc, DEPTH, 0, M_SELF, pc, DEPTH, 0, M_SELF, sc, DEPTH);
        want = model_rotate(m, d, p, s);
    } else if (k < 82) {
        snprintf(o->op, sizeof(o->op), "delete %d", d);
        err = seL4_CNode_Delete(M_SELF, dc, DEPTH);
        want = model_delete(m, d);
    } else {
        int t = fz_chance(r, 12) ? MODEL_WIN + (int)fz_below(r, MODEL_ROOTS) : d;
        snprintf(o->op, sizeof(o->op), "revoke %d", t);
        err = seL4_CNode_Revoke(M_SELF, model_cptr(m, t), DEPTH);
        want = model_revoke(m, t);
    }
    fz_cpu_clean();
    if (err != want)
        return fail(o, &o->f->model_bad, "error", err, want);
    if (err < seL4_NumErrors)
        o->f->model_hist[err]++;
    if (err == seL4_NotEnoughMemory && seL4_GetMR(0) != left)
        return fail(o, &o->f->model_bad, "NotEnoughMemory bytes left", seL4_GetMR(0), left);
    return 0;
}

/* Revokes the roots: the window must empty and the roots be whole. */
static int model_round(mo_t *o)
{
    snprintf(o->op, sizeof(o->op), "revoke of the three roots");
    for (int i = 0; i < MODEL_ROOTS; i++) {
        seL4_Error err = seL4_CNode_Revoke(M_SELF, model_cptr(&o->m, MODEL_WIN + i), DEPTH);
        if (err != seL4_NoError)
            return fail(o, &o->f->model_bad, "revoke", err, seL4_NoError);
        model_revoke(&o->m, MODEL_WIN + i);
    }
    for (int i = 0; i < MODEL_WIN; i++)
        if (o->m.n[i].used)
            return fail(o, &o->f->model_bad, "model keeps a slot", (seL4_Word)i, 0);
    return model_check(o);
}

/* ---- badges and rights of delivered messages ---- */

static int msg_caps(mo_t *o, seL4_CapRights_t rights, seL4_Word badge, const seL4_Word *caps,
                    seL4_Word ncaps);

static seL4_Word extra_cap(fz_rng_t *r)
{
    static const seL4_CPtr caps[] = { M_NTFN, M_MINTED, M_EP };
    return caps[fz_below(r, NELEM(caps))];
}

static int msg_step(mo_t *o)
{
    fz_t *f = o->f;
    fz_rng_t *r = &o->r;
    seL4_CapRights_t rights = fz_chance(r, 40) ? seL4_AllRights
                              : seL4_CapRights_new(fz_below(r, 2), fz_below(r, 2),
                                                   fz_below(r, 2), fz_chance(r, 75));
    seL4_Word badge = fz_chance(r, 20) ? 0 : fz_below(r, 1u << seL4_BadgeBits);
    static const seL4_Word lens[] = { 0, 1, 2, 3, 4, 5, 8, 119, 120, 121, 127 };
    seL4_Word len = lens[fz_below(r, NELEM(lens))], ncaps = fz_below(r, 3);
    seL4_Word label = fz_word(r) & 0xfffffu, sent[seL4_MsgMaxLength], mr0, mr1;
    seL4_Word caps[2], got_len, want_len = len > seL4_MsgMaxLength ? seL4_MsgMaxLength : len;
    uint32_t seq = f->msg.seq;
    seL4_Error err;

    snprintf(o->op, sizeof(o->op), "send through P minted with badge %x rights %x, label %x "
             "length %u caps %u", badge, rights.words[0], label, len, ncaps);
    seL4_CNode_Delete(M_SELF, M_MINTED, DEPTH);
    err = seL4_CNode_Mint(M_SELF, M_MINTED, DEPTH, M_SELF, M_EP, DEPTH, rights, badge);
    if (err != seL4_NoError)
        return fail(o, &f->msgs_bad, "mint of P", err, seL4_NoError);
    for (seL4_Word i = 0; i < seL4_MsgMaxLength; i++)
        sent[i] = fz_chance(r, 50) ? fz_word(r) : i;
    for (seL4_Word i = 2; i < want_len; i++)
        seL4_SetMR((int)i, sent[i]);
    for (seL4_Word i = 0; i < ncaps; i++) {
        caps[i] = extra_cap(r);
        seL4_SetCap((int)i, caps[i]);
    }
    mr0 = sent[0];
    mr1 = sent[1];
    f->msgs_sent++;
    seL4_NBSendWithMRs(M_MINTED, seL4_MessageInfo_new(label, 0, ncaps, len), &mr0, &mr1);
    /* The partner is above us and always waiting: it has run by now. */
    if (!seL4_CapRights_get_capAllowWrite(rights)) {
        if (f->msg.seq != seq)
            return fail(o, &f->msgs_bad, "delivered without Write", f->msg.seq - seq, 0);
        return 0;
    }
    if (f->msg.seq != seq + 1)
        return fail(o, &f->msgs_bad, "messages delivered", f->msg.seq - seq, 1);
    f->msgs_checked++;
    got_len = seL4_MessageInfo_get_length((seL4_MessageInfo_t){ { f->msg.info } });
    if (f->msg.badge != badge)
        return fail(o, &f->msgs_bad, "badge", f->msg.badge, badge);
    if (seL4_MessageInfo_get_label((seL4_MessageInfo_t){ { f->msg.info } }) != label)
        return fail(o, &f->msgs_bad, "label", f->msg.info, label);
    if (got_len != want_len)
        return fail(o, &f->msgs_bad, "length", got_len, want_len);
    for (seL4_Word i = 0; i < want_len && i < FZ_MSG_WORDS; i++)
        if (f->msg.mr[i] != sent[i])
            return fail(o, &f->msgs_bad, "message word", f->msg.mr[i], sent[i]);
    if (want_len > 0 && f->msg.mr_last != sent[want_len - 1])
        return fail(o, &f->msgs_bad, "last message word", f->msg.mr_last, sent[want_len - 1]);
    return msg_caps(o, rights, badge, caps, ncaps);
}

/* transferCaps: without Grant nothing; with it, P (any badge) is unwrapped
 * into a badge, another capability goes to the one receive slot, and the
 * next one that would need a slot stops the transfer. */
static int msg_caps(mo_t *o, seL4_CapRights_t rights, seL4_Word badge, const seL4_Word *caps,
                    seL4_Word ncaps)
{
    fz_t *f = o->f;
    seL4_MessageInfo_t info = { { f->msg.info } };
    seL4_Word n = 0, unwrapped = 0, received = 0;

    if (seL4_CapRights_get_capAllowGrant(rights)) {
        for (n = 0; n < ncaps; n++) {
            if (caps[n] != M_NTFN) {
                unwrapped |= 1u << n;
                if (f->msg.cap_badge[n] != (caps[n] == M_MINTED ? badge : 0))
                    return fail(o, &f->msgs_bad, "unwrapped badge", f->msg.cap_badge[n],
                                caps[n] == M_MINTED ? badge : 0);
            } else if (received) {
                break;
            } else {
                received = 1;
            }
        }
    }
    if (seL4_MessageInfo_get_extraCaps(info) != n)
        return fail(o, &f->msgs_bad, "extra capabilities", seL4_MessageInfo_get_extraCaps(info), n);
    if (seL4_MessageInfo_get_capsUnwrapped(info) != unwrapped)
        return fail(o, &f->msgs_bad, "capsUnwrapped", seL4_MessageInfo_get_capsUnwrapped(info),
                    unwrapped);
    if (f->msg.received != received)
        return fail(o, &f->msgs_bad, "capability in the receive slot", f->msg.received, received);
    return 0;
}

void fz_partner_main(void *arg)
{
    fz_t *f = arg;

    for (;;) {
        seL4_Word badge = 0, mr0, mr1, len;
        seL4_MessageInfo_t info;

        seL4_SetCapReceivePath(M_SELF, M_RECV, DEPTH);
        info = seL4_RecvWithMRs(M_EP, &badge, &mr0, &mr1);
        len = seL4_MessageInfo_get_length(info);
        f->msg.info = info.words[0];
        f->msg.badge = badge;
        f->msg.mr[0] = mr0;
        f->msg.mr[1] = mr1;
        for (seL4_Word i = 2; i < FZ_MSG_WORDS; i++)
            f->msg.mr[i] = i < len ? seL4_GetMR((int)i) : 0;
        f->msg.mr_last = len == 0 ? 0 : len == 1 ? mr0 : len == 2 ? mr1 : seL4_GetMR((int)len - 1);
        for (int i = 0; i < 2; i++)
            f->msg.cap_badge[i] = seL4_GetBadge(i);
        /* Something arrived in the receive slot if it can be copied. */
        f->msg.received = seL4_CNode_Copy(M_SELF, M_PPROBE, DEPTH, M_SELF, M_RECV, DEPTH,
                                          seL4_AllRights) == seL4_NoError;
        seL4_CNode_Delete(M_SELF, M_PPROBE, DEPTH);
        seL4_CNode_Delete(M_SELF, M_RECV, DEPTH);
        f->msg.seq++;
    }
}

/* ---- refused calls change nothing ---- */

static uint32_t mix(uint32_t h, seL4_Word v)
{
    return (h ^ (uint32_t)v) * 16777619u;
}

/* What the modeller can observe of D without changing it. */
static uint32_t d_digest(void)
{
    uint32_t h = 2166136261u;
    seL4_UserContext regs;
    seL4_Word left;

#if !SYSFUZZ_RELEASE
    for (seL4_CPtr s = M_D; s < M_D + M_D_SLOTS; s++)
        h = mix(h, seL4_DebugCapIdentify(s));
#endif
    for (seL4_Word i = 0; i < (1u << D_CNODE_BITS); i++) {
        seL4_Error err = seL4_CNode_Copy(M_SELF, M_PROBE, DEPTH, M_D + D_CNODE, i, D_CNODE_BITS,
                                         seL4_AllRights);
        h = mix(h, err);
#if !SYSFUZZ_RELEASE
        if (err == seL4_NoError)
            h = mix(h, seL4_DebugCapIdentify(M_PROBE));
#endif
        seL4_CNode_Delete(M_SELF, M_PROBE, DEPTH);
    }
    h = mix(h, probe_free(M_D + D_UT, D_UT_BITS, &left));
    h = mix(h, left);
    h = mix(h, probe_free(M_D + D_CHILD_UT, D_CHILD_BITS, &left));
    h = mix(h, left);
    memset(&regs, 0, sizeof(regs));
    h = mix(h, seL4_TCB_ReadRegisters(M_D + D_TCB, 0, 0, sizeof(regs) / sizeof(seL4_Word), &regs));
    for (seL4_Word i = 0; i < sizeof(regs) / sizeof(seL4_Word); i++)
        h = mix(h, ((seL4_Word *)&regs)[i]);
    seL4_X86_Page_GetAddress_t a = seL4_X86_Page_GetAddress(M_D + D_FRAME);
    h = mix(h, a.error);
    h = mix(h, a.paddr);
    return h;
}

/* D from scratch: everything in it derives from M_D_PARENT. */
static int d_build(mo_t *o)
{
    static const struct { seL4_Word slot, type, bits; } objs[] = {
        { D_CNODE, seL4_CapTableObject, D_CNODE_BITS }, { D_TCB, seL4_TCBObject, 0 },
        { D_FRAME, seL4_X86_4K, 0 }, { D_PT, seL4_X86_PageTableObject, 0 },
        { D_PD, seL4_X86_PageDirectoryObject, 0 }, { D_NTFN, seL4_NotificationObject, 0 },
        { D_CHILD_UT, seL4_UntypedObject, D_CHILD_BITS },
    };
    seL4_Error err = seL4_CNode_Revoke(M_SELF, M_D_PARENT, DEPTH);

    snprintf(o->op, sizeof(o->op), "building D");
    for (seL4_CPtr s = M_D; s < M_D + M_D_SLOTS && err == seL4_NoError; s++)
        err = seL4_CNode_Delete(M_SELF, s, DEPTH);
    if (err == seL4_NoError)
        err = seL4_Untyped_Retype(M_D_PARENT, seL4_UntypedObject, D_UT_BITS, M_SELF, 0, 0,
                                  M_D + D_UT, 1);
    for (unsigned i = 0; i < NELEM(objs) && err == seL4_NoError; i++)
        err = seL4_Untyped_Retype(M_D + D_UT, objs[i].type, objs[i].bits, M_SELF, 0, 0,
                                  M_D + objs[i].slot, 1);
    if (err == seL4_NoError)
        err = seL4_CNode_Mint(M_SELF, M_D + D_NTFN_BADGED, DEPTH, M_SELF, M_D + D_NTFN, DEPTH,
                              seL4_AllRights, 5);
    if (err == seL4_NoError)
        err = seL4_CNode_Copy(M_D + D_CNODE, 1, D_CNODE_BITS, M_SELF, M_D + D_NTFN, DEPTH,
                              seL4_AllRights);
    if (err != seL4_NoError)
        return fail(o, &o->f->refused_bad, "building D", err, seL4_NoError);
    return 0;
}

static seL4_Word d_word(fz_rng_t *r)
{
    switch (fz_below(r, 4)) {
    case 0: return d_boundary[fz_below(r, NELEM(d_boundary))];
    case 1: return fz_below(r, 4);                       /* a D CNode slot, a small number */
    case 2: return M_D + fz_below(r, M_D_SLOTS);          /* a D slot */
    default: return fz_word(r);
    }
}

/* One random invocation of a D capability; a refusal must change nothing. */
static int refused_step(mo_t *o)
{
    fz_rng_t *r = &o->r;
    seL4_CPtr svc = M_D + fz_below(r, D_PRESENT);
    seL4_Word label = fz_below(r, 56), len = fz_below(r, 9), ncaps = fz_below(r, 4);
    seL4_Word mr0 = d_word(r), mr1 = d_word(r);
    uint32_t before, after;
    seL4_MessageInfo_t info;

    if (fz_chance(r, 5))
        len = 119 + fz_below(r, 9);
    snprintf(o->op, sizeof(o->op), "D slot %u label %u length %u caps %u mr0 %x mr1 %x",
             svc - M_D, label, len, ncaps, mr0, mr1);
    before = d_digest();
    for (seL4_Word i = 2; i < len && i < seL4_MsgMaxLength; i++)
        seL4_SetMR((int)i, d_word(r));
    for (seL4_Word i = 0; i < ncaps; i++)
        seL4_SetCap((int)i, M_D + fz_below(r, M_D_SLOTS));
    fz_cpu_ambient(r);
    info = seL4_CallWithMRs(svc, seL4_MessageInfo_new(label, 0, ncaps, len), &mr0, &mr1);
    fz_cpu_clean();
    if (seL4_MessageInfo_get_label(info) == seL4_NoError) {
        o->f->refused_rebuilds++;
        return d_build(o);
    }
    after = d_digest();
    o->f->refused_digests++;
    if (after != before) {
        snprintf(o->op + strlen(o->op), 24, " -> error %u", seL4_MessageInfo_get_label(info));
        return fail(o, &o->f->refused_bad, "digest of D after a refused call", after, before);
    }
    return 0;
}

/* ---- the modeller ---- */

void fz_model_main(void *arg)
{
    fz_t *f = arg;
    mo_t o;
    const seL4_CPtr roots[MODEL_ROOTS] = { M_ROOTS, M_ROOTS + 1, M_ROOTS + 2 };

    memset(&o, 0, sizeof(o));
    o.f = f;
    o.r.s = ((uint64_t)f->seed << 32) ^ 0x6d6f64656cull;
    model_init(&o.m, M_WIN, roots, M_ROOT_BITS);
    if (d_build(&o) == 0) {
        for (int bad = 0; !bad;) {
            seL4_Word p = fz_below(&o.r, 100);

            if (f->model_steps % MODEL_BATCH == 0)
                seL4_Wait(M_GO, NULL);
            if (p < 60)
                bad = model_step(&o);
            else if (p < 80)
                bad = msg_step(&o);
            else
                bad = refused_step(&o);
            f->model_steps++;
            if (!bad && f->model_steps % MODEL_CHECK_EVERY == 0)
                bad = model_check(&o);
            if (!bad && f->model_steps % MODEL_ROUND == 0)
                bad = model_round(&o);
        }
    }
    /* The model no longer knows what M holds: stop here for good. */
    for (;;)
        seL4_Wait(M_NTFN, NULL);
}
