/*
 * The fuzz actor: one seeded step after another, each a raw invocation with
 * random label, length, capabilities and arguments, or a structured one
 * (retype, CNode operations, TCB, paging, IRQ, I/O port, IPC) with random
 * and boundary arguments, or a scenario (deep derivation chains, large
 * revokes, retype until memory runs out, CNode loops).
 *
 * Step k draws from a generator seeded by (seed, k) alone, so step k makes
 * the same choices whatever happened before; what they meet in the arena may
 * differ with how the storms and workers interleave (fuzz.h), which -icount
 * makes the same on every boot of one build.
 *
 * The actor runs in the fuzz CSpace (fuzz.h). Rule: a fixed slot of it is
 * named only for its purpose: the controls of pick_control(), the I/O port
 * control with ports in the harmless window, the fuzz's own TCBs only as the
 * invoked capability in op_self(). Everything else named is an arena slot,
 * known empty, or does not resolve. Through any other CNode (only the
 * arena's untypeds make CNodes) anything goes.
 */
#include "fuzz.h"
#include <rt/rt.h>
#include <sel4/sel4.h>
#include <stdio.h>
#include <string.h>

#define ROOT        (FZC(CS_ARENA_CNODE) + AX_AROOT)  /* the arena CNode, for CNode operations */
#define DEPTH       seL4_WordBits
#define ROOT_BITS   (FZ_CSPACE_BITS + FZ_ARENA_BITS)   /* bits a CPtr may use */
#define SAFE_PORT0  0x200u                /* nothing answers here on a PC (game port) */
#define SAFE_PORTS  16u
#define LABEL_MAX   56u                   /* a few past the last ia32 label (51) */

static const seL4_Word boundary[] = {
    0, 1, 2, 3, 4, 5, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 19, 20, 22, 23, 24, 28, 29, 30,
    31, 32, 33, 63, 64, 127, 128, 255, 256, 257, 1023, 1024, 4095, 4096, 4097, 0x3fffff,
    0x400000, 0x7fffffff, 0x80000000, 0x80001000, 0xbffff000, 0xc0000000, 0xdfc00000,
    0xdffff000, 0xe0000000, 0xe0100000, 0xfffff000, 0xfffffffe, 0xffffffff,
};
#define NBOUNDARY (sizeof(boundary) / sizeof(boundary[0]))

/* seL4_DebugCapIdentify's tag, or 0 on a kernel without debug calls. */
static seL4_Word identify(seL4_CPtr c)
{
#if SYSFUZZ_RELEASE
    (void)c;
    return 0;
#else
    return seL4_DebugCapIdentify(c);
#endif
}

/* ---- choosing capabilities and arguments ---- */

static seL4_CPtr arena_slot(fz_t *f, seL4_Word i)
{
    return f->arena + i % ARENA_SLOTS;
}

static seL4_CPtr pick_arena(fz_t *f, fz_rng_t *r)
{
    if (fz_chance(r, 40))
        return arena_slot(f, fz_below(r, ARENA_IPC + ARENA_UTS));
    return arena_slot(f, fz_below(r, ARENA_SLOTS));
}

/* Names that resolve to nothing, or fail the fuzz CSpace's guard. */
static seL4_CPtr pick_bogus(fz_t *f, fz_rng_t *r)
{
    switch (fz_below(r, 8)) {
    case 0: return seL4_CapNull;
    case 1: return FZC(CS_FIXED_END + fz_below(r, (1u << FZ_CSPACE_BITS) - CS_FIXED_END));
    case 2: return f->arena + AX_BOGUS + fz_below(r, (1u << FZ_ARENA_BITS) - AX_BOGUS);
    case 3: return FZC(CS_SCRATCH + fz_below(r, 8));
    case 4: return ((seL4_Word)1 << ROOT_BITS) + fz_below(r, 1024);
    case 5: return 0xffffffffu;
    case 6: return boundary[fz_below(r, NBOUNDARY)] | ((seL4_Word)1 << ROOT_BITS);
    default: return fz_word(r) | 0x80000000u;
    }
}

/* Control capabilities that are safe to invoke with random arguments and to
 * send away. The I/O port control is not: it could hand out the debug-exit,
 * PIC or PIT ports. (The IRQ control cannot be copied by a transfer.) */
static seL4_CPtr pick_control(fz_rng_t *r)
{
    static const seL4_CPtr ctl[] = {
        FZC(CS_IRQ_CONTROL), FZC(CS_ASID_CONTROL), FZC(CS_ASID_POOL), FZC(CS_DOMAIN),
        FZC(CS_AUTHORITY), ROOT,
    };
    return ctl[fz_below(r, sizeof(ctl) / sizeof(ctl[0]))];
}

static seL4_CPtr pick_service(fz_t *f, fz_rng_t *r)
{
    seL4_Word p = fz_below(r, 100);

    if (p < 80)
        return pick_arena(f, r);
    if (p < 88)
        return pick_control(r);
    return pick_bogus(f, r);
}

static seL4_CPtr pick_extra(fz_t *f, fz_rng_t *r)
{
    seL4_Word p = fz_below(r, 100);

    if (p < 82)
        return pick_arena(f, r);
    if (p < 86)
        return pick_control(r);
    return pick_bogus(f, r);
}

static seL4_Word pick_word(fz_t *f, fz_rng_t *r)
{
    switch (fz_below(r, 6)) {
    case 0: case 1: return boundary[fz_below(r, NBOUNDARY)];
    case 2: return fz_below(r, 40);
    case 3: return arena_slot(f, fz_below(r, ARENA_SLOTS));
    case 4: return fz_below(r, 1u << 12) << 12;
    default: return fz_word(r);
    }
}

static seL4_Word pick_depth(fz_rng_t *r)
{
    static const seL4_Word d[] = { 0, 1, 4, 8, 13, 16, 19, 31, 32, 33, 64, 255 };
    if (fz_chance(r, 40))
        return DEPTH;
    return d[fz_below(r, sizeof(d) / sizeof(d[0]))];
}

static seL4_Word pick_length(fz_rng_t *r)
{
    static const seL4_Word len[] = { 0, 1, 2, 3, 4, 5, 6, 7, 8, 10, 13, 119, 120, 121, 127 };
    return len[fz_below(r, sizeof(len) / sizeof(len[0]))];
}

/* A (root, index, depth) naming a slot: a root-CNode arena slot, or
 * anything at all inside an arena CNode (or in whatever the arena slot is). */
typedef struct place {
    seL4_CPtr root;
    seL4_Word index;
    seL4_Word depth;
} place_t;

static place_t pick_place(fz_t *f, fz_rng_t *r)
{
    place_t p;

    if (fz_chance(r, 65)) {
        p.root = ROOT;
        p.index = pick_arena(f, r);
        p.depth = DEPTH;
    } else {
        p.root = pick_arena(f, r);
        p.index = fz_chance(r, 50) ? fz_below(r, 16) : pick_word(f, r);
        p.depth = pick_depth(r);
    }
    return p;
}

static seL4_CapRights_t pick_rights(fz_rng_t *r)
{
    seL4_CapRights_t c;
    c.words[0] = fz_chance(r, 50) ? seL4_AllRights.words[0] : fz_word(r) & (fz_chance(r, 80) ? 0xfu : ~0u);
    return c;
}

/* ---- counting ---- */

static void pre(fz_t *f)
{
    f->invocations++;
    f->in_call = 1;
}

static seL4_Word post(fz_t *f, seL4_Word err)
{
    f->in_call = 0;
    f->hist[err < seL4_NumErrors ? err : OUT_IPC]++;
    return err;
}

/* Counts one invocation made with a libsel4-style wrapper. */
#define FZ(f, expr) (pre(f), post((f), (seL4_Word)(expr)))

/* ---- entering the kernel with odd CPU state (cpu.c) ---- */

/* System call sys on cap with info and MR0/MR1 in registers, made with
 * random flags, selectors, stack pointer and control words. */
static seL4_MessageInfo_t cpu_syscall(fz_t *f, fz_rng_t *r, seL4_Word sys, seL4_CPtr cap,
                                      seL4_MessageInfo_t info, seL4_Word *mr0, seL4_Word *mr1)
{
    fz_cpu_t c;

    fz_cpu_pick(f, r, &c);
    c.eax = sys;
    c.ebx = cap;
    c.esi = info.words[0];
    c.edi = *mr0;
    c.ebp = *mr1;
    fz_cpu_call(f, r, &c);
    *mr0 = c.edi;
    *mr1 = c.ebp;
    info.words[0] = c.esi;
    return info;
}

/* ---- raw invocations: any label, any length, any capabilities ---- */

static void raw_invocation(fz_t *f, fz_rng_t *r)
{
    seL4_CPtr svc = pick_service(f, r);
    seL4_Word label = fz_chance(r, 90) ? fz_below(r, LABEL_MAX) : fz_word(r) & 0xfffffu;
    seL4_Word len = pick_length(r), ncaps = fz_below(r, 4), kind = fz_below(r, 100);
    seL4_Word tag_type = identify(svc);
    seL4_MessageInfo_t info = seL4_MessageInfo_new(label, fz_below(r, 8), ncaps, len);
    seL4_Word mr0 = pick_word(f, r), mr1 = pick_word(f, r);

    for (seL4_Word i = 0; i < ncaps; i++)
        seL4_SetCap((int)i, pick_extra(f, r));
    for (seL4_Word i = 2; i < len && i < seL4_MsgMaxLength; i++)
        seL4_SetMR((int)i, pick_word(f, r));
    f->by_label[label < 64 ? label : 63]++;
    pre(f);
    if (kind < 88) {
        info = cpu_syscall(f, r, SYS_CALL, svc, info, &mr0, &mr1);
        /* Endpoints, notifications and replies answer with whatever (a
         * release kernel cannot say which capability it was). */
        post(f, (tag_type == 4 || tag_type == 6 || tag_type == 8) ? OUT_IPC
                                                                 : seL4_MessageInfo_get_label(info));
    } else {
        cpu_syscall(f, r, kind < 94 ? SYS_NB_SEND : SYS_SEND, svc, info, &mr0, &mr1);
        f->in_call = 0;
        f->hist[OUT_SEND]++;
    }
}

/* ---- structured invocations ---- */

static void op_retype(fz_t *f, fz_rng_t *r)
{
    static const seL4_Word types[] = { 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0xff, 0xffffffff };
    seL4_CPtr ut = fz_chance(r, 60) ? arena_slot(f, ARENA_IPC + fz_below(r, ARENA_UTS))
                                    : pick_service(f, r);
    seL4_Word type = fz_chance(r, 90) ? types[fz_below(r, 9)] : types[fz_below(r, 12)];
    seL4_Word bits = fz_chance(r, 70) ? 4 + fz_below(r, 10) : pick_word(f, r) & 0x3f;
    seL4_Word num = fz_chance(r, 80) ? 1 + fz_below(r, 4) : pick_word(f, r);
    seL4_CPtr root = ROOT;
    seL4_Word index = 0, depth = 0, offset;

    if (type == seL4_CapTableObject && fz_chance(r, 80))
        bits = fz_below(r, 9);
    if (fz_chance(r, 70)) {
        /* Into the arena CNode itself: offset and count stay in the arena. */
        offset = fz_below(r, ARENA_SLOTS);
        if (fz_chance(r, 90) && num > ARENA_SLOTS - offset)
            num = ARENA_SLOTS - offset;
        if (offset + (num > 256 ? 256 : num) > ARENA_SLOTS)
            num = 0;
    } else {
        /* Into a CNode in the arena, named through the arena CNode or by itself. */
        if (fz_chance(r, 50)) {
            index = pick_arena(f, r);
            depth = DEPTH;
        } else {
            root = pick_arena(f, r);
            index = fz_chance(r, 50) ? 0 : pick_word(f, r);
            depth = fz_chance(r, 50) ? 0 : pick_depth(r);
        }
        offset = fz_chance(r, 80) ? fz_below(r, 16) : pick_word(f, r);
    }
    FZ(f, seL4_Untyped_Retype(ut, type, bits, root, index, depth, offset, num));
}

static void op_cnode(fz_t *f, fz_rng_t *r)
{
    place_t d = pick_place(f, r), s = pick_place(f, r), p = pick_place(f, r);
    seL4_Word badge = fz_chance(r, 50) ? fz_below(r, 16) : pick_word(f, r);

    switch (fz_below(r, 10)) {
    case 0:
        FZ(f, seL4_CNode_Copy(d.root, d.index, (seL4_Uint8)d.depth, s.root, s.index,
                              (seL4_Uint8)s.depth, pick_rights(r)));
        break;
    case 1:
        FZ(f, seL4_CNode_Mint(d.root, d.index, (seL4_Uint8)d.depth, s.root, s.index,
                              (seL4_Uint8)s.depth, pick_rights(r), badge));
        break;
    case 2:
        FZ(f, seL4_CNode_Move(d.root, d.index, (seL4_Uint8)d.depth, s.root, s.index,
                              (seL4_Uint8)s.depth));
        break;
    case 3:
        FZ(f, seL4_CNode_Mutate(d.root, d.index, (seL4_Uint8)d.depth, s.root, s.index,
                                (seL4_Uint8)s.depth, badge));
        break;
    case 4:
        FZ(f, seL4_CNode_Rotate(d.root, d.index, (seL4_Uint8)d.depth, badge, p.root, p.index,
                                (seL4_Uint8)p.depth, pick_word(f, r), s.root, s.index,
                                (seL4_Uint8)s.depth));
        break;
    case 5: case 6:
        FZ(f, seL4_CNode_Delete(d.root, d.index, (seL4_Uint8)d.depth));
        break;
    case 7:
        FZ(f, seL4_CNode_Revoke(d.root, d.index, (seL4_Uint8)d.depth));
        break;
    case 8:
        FZ(f, seL4_CNode_SaveCaller(d.root, d.index, (seL4_Uint8)d.depth));
        break;
    default:
        FZ(f, seL4_CNode_CancelBadgedSends(d.root, d.index, (seL4_Uint8)d.depth));
        break;
    }
}

/* Arena TCBs have MCP 0; with CS_AUTHORITY (MCP PRIO_ACTOR) they run at up
 * to the actor's priority, never above the timer watchdog. */
static void op_tcb(fz_t *f, fz_rng_t *r)
{
    seL4_CPtr t = pick_service(f, r), a = fz_chance(r, 30) ? FZC(CS_AUTHORITY) : pick_extra(f, r);
    seL4_UserContext regs;

    for (seL4_Word i = 0; i < sizeof(regs) / sizeof(seL4_Word); i++)
        ((seL4_Word *)&regs)[i] = pick_word(f, r);
    switch (fz_below(r, 16)) {
    case 0:
        FZ(f, seL4_TCB_Configure(t, pick_word(f, r), pick_extra(f, r), pick_word(f, r),
                                 pick_extra(f, r), pick_word(f, r), pick_word(f, r),
                                 pick_extra(f, r)));
        break;
    case 1: FZ(f, seL4_TCB_SetPriority(t, a, fz_below(r, 2) ? 0 : pick_word(f, r))); break;
    case 2: FZ(f, seL4_TCB_SetMCPriority(t, a, pick_word(f, r))); break;
    case 3: FZ(f, seL4_TCB_SetSchedParams(t, a, pick_word(f, r), pick_word(f, r))); break;
    case 4: FZ(f, seL4_TCB_SetIPCBuffer(t, pick_word(f, r), pick_extra(f, r))); break;
    case 5:
        FZ(f, seL4_TCB_SetSpace(t, pick_word(f, r), pick_extra(f, r), pick_word(f, r),
                                pick_extra(f, r), pick_word(f, r)));
        break;
    case 6: FZ(f, seL4_TCB_Suspend(t)); break;
    case 7: FZ(f, seL4_TCB_Resume(t)); break;
    case 8: FZ(f, seL4_TCB_BindNotification(t, pick_extra(f, r))); break;
    case 9: FZ(f, seL4_TCB_UnbindNotification(t)); break;
    case 10:
        FZ(f, seL4_TCB_WriteRegisters(t, fz_below(r, 2), (seL4_Uint8)fz_word(r),
                                      fz_below(r, 20), &regs));
        break;
    case 11:
        FZ(f, seL4_TCB_ReadRegisters(t, fz_below(r, 2), (seL4_Uint8)fz_word(r),
                                     pick_word(f, r), &regs));
        break;
    case 12:
        FZ(f, seL4_TCB_CopyRegisters(t, pick_extra(f, r), fz_below(r, 2), fz_below(r, 2),
                                     fz_below(r, 2), fz_below(r, 2), (seL4_Uint8)fz_word(r)));
        break;
    case 13: FZ(f, seL4_TCB_SetTLSBase(t, pick_word(f, r))); break;
    case 14: FZ(f, seL4_TCB_SetFlags(t, pick_word(f, r), pick_word(f, r)).error); break;
    default:
        /* A fuzz thread is never named after the root's own TCB. */
#if !SYSFUZZ_RELEASE
        if (seL4_DebugCapIdentify(t) == 12)
            seL4_DebugNameThread(t, "fuzz");
#endif
        break;
    }
}

static void op_vspace(fz_t *f, fz_rng_t *r)
{
    seL4_CPtr c = pick_service(f, r), vs = pick_extra(f, r);
    seL4_Word vaddr = fz_chance(r, 50) ? fz_below(r, 64) << 22 | fz_below(r, 4) << 12
                                       : pick_word(f, r);
    seL4_Word attr = fz_chance(r, 80) ? 0 : pick_word(f, r);
    place_t d = pick_place(f, r);

    switch (fz_below(r, 11)) {
    case 0: FZ(f, seL4_X86_PageTable_Map(c, vs, vaddr, attr)); break;
    case 1: FZ(f, seL4_X86_PageTable_Unmap(c)); break;
    case 2: case 3: FZ(f, seL4_X86_Page_Map(c, vs, vaddr, pick_rights(r), attr)); break;
    case 4: FZ(f, seL4_X86_Page_Unmap(c)); break;
    case 5: FZ(f, seL4_X86_Page_GetAddress(c).error); break;
    case 6: FZ(f, seL4_X86_PageDirectory_GetStatusBits(c, vaddr).error); break;
    case 7:
        FZ(f, seL4_X86_ASIDPool_Assign(fz_chance(r, 50) ? FZC(CS_ASID_POOL) : c, vs));
        break;
    case 8:
        FZ(f, seL4_X86_ASIDControl_MakePool(FZC(CS_ASID_CONTROL), pick_extra(f, r), d.root,
                                            d.index, (seL4_Uint8)d.depth));
        break;
    case 9: FZ(f, seL4_X86_PageDirectory_Map(c, vs, vaddr, attr)); break;
    default: FZ(f, seL4_X86_PageDirectory_Unmap(c)); break;
    }
}

static void op_irq_ioport(fz_t *f, fz_rng_t *r)
{
    seL4_CPtr c = pick_service(f, r);
    place_t d = pick_place(f, r);
    seL4_Word first = SAFE_PORT0 + fz_below(r, SAFE_PORTS), last = first + fz_below(r, 4);
    seL4_Word port = fz_chance(r, 70) ? SAFE_PORT0 - 1 + fz_below(r, SAFE_PORTS + 2)
                                      : pick_word(f, r);

    if (last >= SAFE_PORT0 + SAFE_PORTS)
        last = SAFE_PORT0 + SAFE_PORTS - 1;
    switch (fz_below(r, 12)) {
    case 0: FZ(f, seL4_IRQControl_Get(FZC(CS_IRQ_CONTROL), (int)pick_word(f, r), d.root,
                                      d.index, (seL4_Uint8)d.depth)); break;
    case 1: FZ(f, seL4_IRQControl_GetIOAPIC(FZC(CS_IRQ_CONTROL), d.root, d.index,
                                            (seL4_Uint8)d.depth, pick_word(f, r),
                                            pick_word(f, r), fz_below(r, 3), fz_below(r, 3),
                                            pick_word(f, r))); break;
    case 2: FZ(f, seL4_IRQControl_GetMSI(FZC(CS_IRQ_CONTROL), d.root, d.index,
                                         (seL4_Uint8)d.depth, pick_word(f, r), pick_word(f, r),
                                         pick_word(f, r), pick_word(f, r),
                                         pick_word(f, r))); break;
    case 3: FZ(f, seL4_IRQHandler_Ack(c)); break;
    case 4: FZ(f, seL4_IRQHandler_SetNotification(c, pick_extra(f, r))); break;
    case 5: FZ(f, seL4_IRQHandler_Clear(c)); break;
    case 6:
        /* Only the safe window, or ranges that must be refused outright. */
        if (fz_chance(r, 70))
            FZ(f, seL4_X86_IOPortControl_Issue(FZC(CS_IOPORT_CONTROL), first, last, d.root,
                                               d.index, (seL4_Uint8)d.depth));
        else if (fz_chance(r, 50))
            FZ(f, seL4_X86_IOPortControl_Issue(FZC(CS_IOPORT_CONTROL), last + 1, first, d.root,
                                               d.index, (seL4_Uint8)d.depth));
        else
            FZ(f, seL4_X86_IOPortControl_Issue(FZC(CS_IOPORT_CONTROL), 0x10000 + first,
                                               0x10000 + last, d.root, d.index,
                                               (seL4_Uint8)d.depth));
        break;
    case 7: FZ(f, seL4_X86_IOPort_In8(c, (seL4_Uint16)port).error); break;
    case 8: FZ(f, seL4_X86_IOPort_In16(c, (seL4_Uint16)port).error); break;
    case 9: FZ(f, seL4_X86_IOPort_In32(c, (seL4_Uint16)port).error); break;
    case 10: FZ(f, seL4_X86_IOPort_Out8(c, port, pick_word(f, r))); break;
    default: FZ(f, seL4_DomainSet_Set(FZC(CS_DOMAIN), (seL4_Uint8)pick_word(f, r),
                                      pick_extra(f, r))); break;
    }
}

/* IPC by the actor itself: it may block for good, which a watchdog ends. */
static void op_ipc(fz_t *f, fz_rng_t *r)
{
    seL4_CPtr c = fz_chance(r, 50) ? arena_slot(f, fz_below(r, ARENA_HOT)) : pick_arena(f, r);
    seL4_Word len = pick_length(r), ncaps = fz_below(r, 4), mr0 = pick_word(f, r), mr1 = 0;
    seL4_MessageInfo_t info = seL4_MessageInfo_new(fz_word(r) & 0xfffff, 0, ncaps, len);
    place_t rp = pick_place(f, r);

    for (seL4_Word i = 0; i < ncaps; i++)
        seL4_SetCap((int)i, pick_extra(f, r));
    if (rp.root == ROOT)
        seL4_SetCapReceivePath(ROOT, rp.index, DEPTH);
    else
        seL4_SetCapReceivePath(rp.root, rp.index, rp.depth);
    pre(f);
    switch (fz_below(r, 9)) {
    case 0: cpu_syscall(f, r, SYS_NB_SEND, c, info, &mr0, &mr1); break;
    case 1: cpu_syscall(f, r, SYS_SEND, c, info, &mr0, &mr1); break;
    case 2: cpu_syscall(f, r, SYS_CALL, c, info, &mr0, &mr1); break;
    case 3: cpu_syscall(f, r, SYS_NB_RECV, c, info, &mr0, &mr1); break;
    case 4: cpu_syscall(f, r, SYS_RECV, c, info, &mr0, &mr1); break;
    case 5: cpu_syscall(f, r, SYS_REPLY, 0, info, &mr0, &mr1); break;
    case 6: cpu_syscall(f, r, SYS_SEND, c, seL4_MessageInfo_new(0, 0, 0, 0), &mr0, &mr1); break;
    case 7: cpu_syscall(f, r, SYS_NB_RECV, c, info, &mr0, &mr1); break;
    default: cpu_syscall(f, r, SYS_YIELD, 0, info, &mr0, &mr1); break;
    }
    f->in_call = 0;
    f->hist[OUT_SEND]++;
    seL4_SetCapReceivePath(0, 0, 0);
}

/* ---- scenarios ---- */

/* A chain of copies, mints and child untypeds, as deep as the arena allows. */
static void sc_deep_chain(fz_t *f, fz_rng_t *r)
{
    seL4_CPtr base = arena_slot(f, ARENA_IPC + ARENA_UTS + fz_below(r, 64));
    seL4_Word n = 8 + fz_below(r, 120), bits = 22;
    seL4_CPtr src = arena_slot(f, fz_below(r, ARENA_IPC + ARENA_UTS));

    for (seL4_Word i = 0; i < n; i++) {
        seL4_CPtr dst = base + i;
        if (dst >= f->arena + ARENA_SLOTS)
            break;
        if (fz_chance(r, 30)) {
            if (FZ(f, seL4_Untyped_Retype(src, seL4_UntypedObject, bits, ROOT, 0, 0, dst - f->arena, 1)))
                bits = 4 + fz_below(r, 18);
            else if (bits > 4)
                bits--;
        } else if (fz_chance(r, 50)) {
            FZ(f, seL4_CNode_Mint(ROOT, dst, DEPTH, ROOT, src, DEPTH, pick_rights(r),
                                  fz_below(r, 4)));
        } else {
            FZ(f, seL4_CNode_Copy(ROOT, dst, DEPTH, ROOT, src, DEPTH, pick_rights(r)));
        }
        src = dst;
    }
    if (fz_chance(r, 50))
        FZ(f, seL4_CNode_Revoke(ROOT, base, DEPTH));
}

/* Fill a large arena CNode with copies of one capability, then revoke. */
static void sc_big_revoke(fz_t *f, fz_rng_t *r)
{
    seL4_CPtr ut = arena_slot(f, ARENA_IPC + fz_below(r, ARENA_UTS));
    seL4_CPtr cn = arena_slot(f, ARENA_IPC + ARENA_UTS + fz_below(r, ARENA_SLOTS - 64));
    seL4_CPtr src = arena_slot(f, fz_below(r, ARENA_IPC));
    seL4_Word radix = 6 + fz_below(r, 5), n = (seL4_Word)1 << radix;

    if (FZ(f, seL4_Untyped_Retype(ut, seL4_CapTableObject, radix, ROOT, 0, 0, cn - f->arena, 1)) != 0)
        return;
    for (seL4_Word i = 0; i < n; i++)
        if (FZ(f, seL4_CNode_Copy(cn, i, (seL4_Uint8)radix, ROOT, src, DEPTH,
                                  seL4_AllRights)) != 0 && fz_chance(r, 5))
            break;
    if (fz_chance(r, 60))
        FZ(f, seL4_CNode_Revoke(ROOT, src, DEPTH));
    else if (fz_chance(r, 50))
        FZ(f, seL4_CNode_Delete(ROOT, cn, DEPTH));
    else
        FZ(f, seL4_CNode_Revoke(ROOT, ut, DEPTH));
}

/* Retype small objects into a CNode until the untyped runs out. */
static void sc_exhaust(fz_t *f, fz_rng_t *r)
{
    seL4_CPtr ut = arena_slot(f, ARENA_IPC + fz_below(r, ARENA_UTS));
    seL4_CPtr cn = arena_slot(f, ARENA_IPC + ARENA_UTS + fz_below(r, ARENA_SLOTS - 64));
    static const seL4_Word types[] = { seL4_EndpointObject, seL4_NotificationObject,
                                       seL4_TCBObject, seL4_X86_4K, seL4_UntypedObject };
    seL4_Word type = types[fz_below(r, 5)], radix = 8;

    if (FZ(f, seL4_Untyped_Retype(ut, seL4_CapTableObject, radix, ROOT, 0, 0, cn - f->arena, 1)) != 0)
        return;
    for (seL4_Word off = 0; off < ((seL4_Word)1 << radix); off += 16)
        if (FZ(f, seL4_Untyped_Retype(ut, type, 10, cn, 0, 0, off, 16)) != 0)
            break;
    if (fz_chance(r, 70))
        FZ(f, seL4_CNode_Revoke(ROOT, ut, DEPTH));
}

/* A CNode holding a capability to itself, with a guard, then lookups through it. */
static void sc_cnode_loop(fz_t *f, fz_rng_t *r)
{
    seL4_CPtr ut = arena_slot(f, ARENA_IPC + fz_below(r, ARENA_UTS));
    seL4_CPtr cn = arena_slot(f, ARENA_IPC + ARENA_UTS + fz_below(r, ARENA_SLOTS - 64));
    seL4_Word radix = fz_below(r, 4), guard_bits = fz_below(r, 3);
    seL4_Word data = seL4_CNode_CapData_new(fz_below(r, 1u << guard_bits), guard_bits).words[0];

    if (FZ(f, seL4_Untyped_Retype(ut, seL4_CapTableObject, radix, ROOT, 0, 0, cn - f->arena, 1)) != 0)
        return;
    for (seL4_Word i = 0; i < ((seL4_Word)1 << radix) && i < 4; i++)
        FZ(f, seL4_CNode_Mint(cn, i, (seL4_Uint8)radix, ROOT, cn, DEPTH, seL4_AllRights, data));
    for (int k = 0; k < 12; k++) {
        seL4_Word idx = fz_chance(r, 50) ? 0 : fz_word(r), depth = fz_below(r, 34);
        FZ(f, seL4_CNode_Copy(cn, idx, (seL4_Uint8)depth, cn, fz_word(r) >> fz_below(r, 32),
                              (seL4_Uint8)fz_below(r, 34), seL4_AllRights));
        FZ(f, seL4_CNode_Delete(cn, idx, (seL4_Uint8)depth));
    }
    FZ(f, seL4_CNode_Delete(ROOT, cn, DEPTH));
}

static void random_syscall(fz_t *f, fz_rng_t *r)
{
    /* Unknown numbers fault; the debug calls that print or halt are left out. */
    static const seL4_Word nums[] = { 1, 0, (seL4_Word)-15, (seL4_Word)-22, (seL4_Word)-63,
                                      (seL4_Word)-65, 0x80000000u, 0x7fffffffu, 2 };
    seL4_Word b = pick_service(f, r), d = pick_word(f, r), c = pick_word(f, r);
    seL4_MessageInfo_t s = { { fz_word(r) } };

    pre(f);
    cpu_syscall(f, r, nums[fz_below(r, sizeof(nums) / sizeof(nums[0]))], b, s, &d, &c);
    f->in_call = 0;
    f->hist[OUT_SEND]++;
}

/* ---- the fuzz's own threads ---- */

static seL4_CPtr pick_own_tcb(fz_rng_t *r)
{
    return FZC(fz_chance(r, 40) ? CS_ACTOR_TCB : CS_STORM_TCB0 + fz_below(r, STORM_THREADS));
}

/* The fault endpoint slot the supervisor gave the thread, or an empty one. */
static seL4_Word own_fault_slot(seL4_CPtr t, fz_rng_t *r)
{
    if (fz_chance(r, 30))
        return FZC(CS_SCRATCH + fz_below(r, 8));
    if (t == FZC(CS_ACTOR_TCB))
        return FZC(CS_FAULT_ACTOR);
    return FZC(CS_FAULT_STORM0 + (t - FZC(CS_STORM_TCB0)) / FZC(1));
}

static seL4_Word pick_prio(fz_t *f, fz_rng_t *r)
{
    return fz_chance(r, 85) ? fz_below(r, PRIO_ACTOR + 1) : pick_word(f, r);
}

/*
 * TCB operations on the actor's own TCB and the storms' (CS_AUTHORITY is
 * the authority, MCP PRIO_ACTOR): suspend and resume them mid-IPC, change
 * their priorities, bind notifications, take their IPC buffer away, set
 * their CSpace to the arena CNode, read their registers. These threads run
 * the root task's code in the root VSpace, so nothing here writes their
 * registers or TLS base, gives them an IPC buffer whose words they do not
 * control (its capability words could name fixed slots), or a fault handler
 * other than the supervisor or none (in the arena CNode no fixed CPtr
 * resolves): whatever a fault reply could write into their registers comes
 * from the supervisor. Their capabilities are never extra capabilities of
 * an invocation on anything but their own TCB, so they cannot be handed
 * out. The supervisor's restart undoes all of it.
 */
static void op_self(fz_t *f, fz_rng_t *r)
{
    seL4_CPtr t = pick_own_tcb(r);
    seL4_Word addr = fz_chance(r, 60) ? 0 : (pick_word(f, r) | 1);   /* none, or misaligned */
    seL4_UserContext regs;

    f->self_ops++;
    switch (fz_below(r, 11)) {
    case 0: FZ(f, seL4_TCB_Suspend(t)); break;
    case 1: FZ(f, seL4_TCB_Resume(t)); break;
    case 2: FZ(f, seL4_TCB_SetPriority(t, FZC(CS_AUTHORITY), pick_prio(f, r))); break;
    case 3: FZ(f, seL4_TCB_SetMCPriority(t, FZC(CS_AUTHORITY), pick_prio(f, r))); break;
    case 4:
        FZ(f, seL4_TCB_SetSchedParams(t, FZC(CS_AUTHORITY), pick_prio(f, r), pick_prio(f, r)));
        break;
    case 5: FZ(f, seL4_TCB_SetIPCBuffer(t, addr, pick_extra(f, r))); break;
    case 6:
        /* The supervisor unbinds on restart only what may be bound. */
        f->maybe_bound |= 1u << (t == FZC(CS_ACTOR_TCB) ? 0 : 1 + (t - FZC(CS_STORM_TCB0)) / FZC(1));
        FZ(f, seL4_TCB_BindNotification(t, pick_arena(f, r)));
        break;
    case 7: FZ(f, seL4_TCB_UnbindNotification(t)); break;
    case 8:
        FZ(f, seL4_TCB_ReadRegisters(t, fz_below(r, 2), 0, fz_below(r, 16), &regs));
        break;
    case 9:
        FZ(f, seL4_TCB_SetSpace(t, own_fault_slot(t, r), ROOT, 0, FZC(CS_SHARED_VSPACE), 0));
        break;
    default:
        FZ(f, seL4_TCB_Configure(t, own_fault_slot(t, r), ROOT, 0, FZC(CS_SHARED_VSPACE), 0, addr,
                                 pick_extra(f, r)));
        break;
    }
}

/*
 * A worker: a TCB, page directory, page table and CNode from an arena
 * untyped; the worker code (a copy of arena CNode slot AX_WORKER_CODE) at
 * WORKER_VADDR, the only thing mapped; its CNode holding a hot storm
 * endpoint (slot 1, its fault handler), a hot notification and the
 * worker's own TCB; started at up to the actor's priority with random
 * registers but EIP and ESP (worker.S). It lives until the arena goes.
 */
static void sc_worker(fz_t *f, fz_rng_t *r)
{
    seL4_CPtr ut = arena_slot(f, ARENA_IPC + fz_below(r, ARENA_UTS));
    seL4_CPtr base = arena_slot(f, ARENA_IPC + ARENA_UTS +
                                fz_below(r, ARENA_SLOTS - ARENA_IPC - ARENA_UTS - 5));
    seL4_CPtr pd = base, pt = base + 1, code = base + 2, tcb = base + 3, cn = base + 4;
    seL4_CapRights_t rights = fz_chance(r, 70) ? seL4_CanRead : pick_rights(r);
    seL4_UserContext regs;

    for (seL4_CPtr s = base; s < base + 5; s++)
        FZ(f, seL4_CNode_Delete(ROOT, s, DEPTH));
    if (FZ(f, seL4_Untyped_Retype(ut, seL4_X86_PageDirectoryObject, 0, ROOT, 0, 0, pd - f->arena, 1)) ||
        FZ(f, seL4_Untyped_Retype(ut, seL4_X86_PageTableObject, 0, ROOT, 0, 0, pt - f->arena, 1)) ||
        FZ(f, seL4_Untyped_Retype(ut, seL4_TCBObject, 0, ROOT, 0, 0, tcb - f->arena, 1)) ||
        FZ(f, seL4_Untyped_Retype(ut, seL4_CapTableObject, 2, ROOT, 0, 0, cn - f->arena, 1)) ||
        FZ(f, seL4_X86_ASIDPool_Assign(FZC(CS_ASID_POOL), pd)) ||
        FZ(f, seL4_X86_PageTable_Map(pt, pd, WORKER_VADDR, seL4_X86_Default_VMAttributes)) ||
        FZ(f, seL4_CNode_Copy(ROOT, code, DEPTH, ROOT, f->arena + AX_WORKER_CODE, DEPTH, rights)) ||
        FZ(f, seL4_X86_Page_Map(code, pd, WORKER_VADDR, rights, seL4_X86_Default_VMAttributes)))
        return;
    FZ(f, seL4_CNode_Copy(cn, 1, 2, ROOT, arena_slot(f, 2 * fz_below(r, ARENA_HOT / 2)), DEPTH,
                          seL4_AllRights));
    FZ(f, seL4_CNode_Copy(cn, 2, 2, ROOT, arena_slot(f, 2 * fz_below(r, ARENA_HOT / 2) + 1),
                          DEPTH, seL4_AllRights));
    FZ(f, seL4_CNode_Copy(cn, 3, 2, ROOT, tcb, DEPTH, seL4_AllRights));
    if (FZ(f, seL4_TCB_Configure(tcb, fz_chance(r, 90) ? 1 : pick_word(f, r), cn,
                                 seL4_CNode_CapData_new(0, seL4_WordBits - 2).words[0], pd, 0,
                                 fz_chance(r, 50) ? 0 : WORKER_VADDR + 0x800, code)) ||
        FZ(f, seL4_TCB_SetPriority(tcb, FZC(CS_AUTHORITY),
                                   fz_chance(r, 80) ? PRIO_ACTOR : fz_below(r, PRIO_ACTOR + 1))))
        return;
    for (seL4_Word i = 0; i < sizeof(regs) / sizeof(seL4_Word); i++)
        ((seL4_Word *)&regs)[i] = pick_word(f, r);
    regs.eip = WORKER_VADDR;
    regs.esp = WORKER_VADDR;
    regs.eflags = 0x202;
    if (FZ(f, seL4_TCB_WriteRegisters(tcb, 1, 0, sizeof(regs) / sizeof(seL4_Word), &regs)) == 0)
        f->workers_started++;
}

static void one_step(fz_t *f, fz_rng_t *r)
{
    seL4_Word p = fz_below(r, 1000);

    if (p < 330) raw_invocation(f, r);
    else if (p < 470) op_retype(f, r);
    else if (p < 700) op_cnode(f, r);
    else if (p < 765) op_tcb(f, r);
    else if (p < 780) op_self(f, r);
    else if (p < 860) op_vspace(f, r);
    else if (p < 900) op_irq_ioport(f, r);
    else if (p < 970) op_ipc(f, r);
    else if (p < 978) sc_deep_chain(f, r);
    else if (p < 983) sc_big_revoke(f, r);
    else if (p < 988) sc_exhaust(f, r);
    else if (p < 991) sc_cnode_loop(f, r);
    else if (p < 995) sc_worker(f, r);
    else random_syscall(f, r);
}

/* Asks the supervisor for something (SVC_*); a fault here is just a fault. */
static void service(seL4_Word label)
{
    seL4_Call(FZC(CS_SERVICE), seL4_MessageInfo_new(label, 0, 0, 0));
}

void fz_actor_main(void *arg)
{
    fz_t *f = arg;

    while (f->step < f->steps) {
        uint32_t k = f->step;
        fz_rng_t r = { ((uint64_t)f->seed << 32) ^ ((uint64_t)k * 0x2545f4914f6cdd1dull) };

        f->step = k + 1;            /* a fault or a hang inside skips the rest of step k */
        if (k % SYSFUZZ_RESET_EVERY == SYSFUZZ_RESET_EVERY - 1)
            service(SVC_RESET);
        if (k % SYSFUZZ_CHECK_EVERY == 0 && !SYSFUZZ_RELEASE) {
            f->checks++;
            if (seL4_DebugCheckInvariants() != 0)
                f->invariant_bad++;
        }
        if (k % SYSFUZZ_PROGRESS_EVERY == 0)
            printf("sysfuzz: step %u, %u invocations\n", k, f->invocations);
        fz_cpu_ambient(&r);
        one_step(f, &r);
        fz_cpu_clean();
        fz_cpu_kick(f, &r);
    }
    f->done = 1;
    for (;;)
        service(SVC_DONE);
}
