/*
 * IPC storms (fuzz.h). Each storm runs without pause in the fuzz CSpace:
 * one random IPC system call after another on the arena's first ARENA_IPC
 * slots (endpoints in the even ones, notifications in the odd ones, as
 * the supervisor's arena reset leaves them), mostly on the ARENA_HOT first
 * ones so that senders meet receivers, sometimes on any arena slot (where
 * the actor's badged copies, reply capabilities and CNodes end up). Calls
 * and sends carry random labels, lengths, extra capabilities and message
 * words; receives put capabilities into random arena slots. A storm may
 * also mint a badged copy of one of the objects into the arena.
 *
 * Storms stay within the arena: they never name a fixed slot. They
 * block whenever seL4 says so; the actor, a fault or the timer watchdog
 * gets them going again (fz_storm_main runs from the start after every
 * restart, with its generator's state kept in fz_t).
 */
#include "fuzz.h"
#include <sel4/sel4.h>

#define FZ_ROOT  (FZC(CS_ARENA_CNODE) + AX_AROOT)
#define DEPTH    seL4_WordBits

static seL4_CPtr storm_slot(fz_t *f, fz_rng_t *r)
{
    seL4_Word p = fz_below(r, 100);

    if (p < 75)
        return f->arena + fz_below(r, ARENA_HOT);
    if (p < 90)
        return f->arena + fz_below(r, ARENA_IPC);
    return f->arena + fz_below(r, ARENA_SLOTS);
}

/* An endpoint-ish slot (even) or a notification-ish one (odd) of the hot set. */
static seL4_CPtr storm_kind(fz_t *f, fz_rng_t *r, int notification)
{
    if (fz_chance(r, 85))
        return f->arena + (fz_below(r, ARENA_HOT / 2) * 2 + (notification ? 1 : 0));
    return storm_slot(f, r);
}

static seL4_MessageInfo_t storm_message(fz_t *f, fz_rng_t *r, seL4_Word *mr0, seL4_Word *mr1)
{
    seL4_Word ncaps = fz_chance(r, 70) ? 0 : 1 + fz_below(r, 3);
    seL4_Word len = fz_chance(r, 60) ? fz_below(r, 5) : fz_below(r, seL4_MsgMaxLength + 8);
    seL4_Word label = fz_chance(r, 80) ? fz_below(r, 8) : fz_word(r) & 0xfffff;

    for (seL4_Word i = 0; i < ncaps; i++)
        seL4_SetCap((int)i, storm_slot(f, r));
    for (seL4_Word i = 2; i < len && i < seL4_MsgMaxLength; i++)
        seL4_SetMR((int)i, fz_word(r));
    *mr0 = fz_word(r);
    *mr1 = fz_chance(r, 50) ? fz_below(r, 64) : fz_word(r);
    return seL4_MessageInfo_new(label, fz_below(r, 8), ncaps, len);
}

static void storm_op(fz_t *f, unsigned me, fz_rng_t *r)
{
    seL4_Word mr0, mr1, badge = 0;
    seL4_MessageInfo_t info = storm_message(f, r, &mr0, &mr1), got = info;
    seL4_Word op = fz_below(r, 100), kind;

    seL4_SetCapReceivePath(FZ_ROOT, f->arena + ARENA_IPC + ARENA_UTS +
                           fz_below(r, ARENA_SLOTS - ARENA_IPC - ARENA_UTS), DEPTH);
    if (op < 16) {
        kind = ST_CALL;
        got = seL4_CallWithMRs(storm_kind(f, r, 0), info, &mr0, &mr1);
        if (seL4_MessageInfo_get_length(got) || seL4_MessageInfo_get_label(got))
            f->storm_msgs++;
    } else if (op < 32) {
        kind = ST_REPLY_RECV;
        got = seL4_ReplyRecvWithMRs(storm_kind(f, r, 0), info, &badge, &mr0, &mr1);
        f->storm_msgs++;
    } else if (op < 42) {
        kind = ST_SEND;
        seL4_SendWithMRs(storm_kind(f, r, 0), info, &mr0, &mr1);
    } else if (op < 52) {
        kind = ST_NB_SEND;
        seL4_NBSendWithMRs(storm_kind(f, r, 0), info, &mr0, &mr1);
    } else if (op < 62) {
        kind = ST_RECV;
        got = seL4_RecvWithMRs(storm_kind(f, r, 0), &badge, &mr0, &mr1);
        f->storm_msgs++;
    } else if (op < 70) {
        kind = ST_NB_RECV;
        got = seL4_NBRecvWithMRs(storm_kind(f, r, 0), &badge, &mr0, &mr1);
        if (badge || seL4_MessageInfo_get_length(got))
            f->storm_msgs++;
    } else if (op < 80) {
        kind = ST_SIGNAL;
        seL4_Signal(storm_kind(f, r, 1));
    } else if (op < 86) {
        kind = ST_POLL;
        seL4_Poll(storm_kind(f, r, 1), &badge);
    } else if (op < 90) {
        kind = ST_WAIT;
        seL4_Wait(storm_kind(f, r, 1), &badge);
    } else if (op < 95) {
        kind = ST_REPLY;
        seL4_ReplyWithMRs(info, &mr0, &mr1);
    } else if (op < 97) {
        kind = ST_YIELD;
        seL4_Yield();
    } else {
        /* A badged copy of a hot object somewhere in the arena's upper part. */
        kind = ST_MINT;
        seL4_CNode_Mint(FZ_ROOT, f->arena + ARENA_IPC + ARENA_UTS +
                        fz_below(r, ARENA_SLOTS - ARENA_IPC - ARENA_UTS), DEPTH,
                        FZ_ROOT, f->arena + fz_below(r, ARENA_HOT), DEPTH, seL4_AllRights,
                        fz_chance(r, 50) ? 1 + fz_below(r, 15) : fz_word(r));
    }
    (void)got;
    f->storm_by_op[kind]++;
    f->storm_ops++;
    f->storm_beat[me]++;
}

void fz_storm_main(void *arg)
{
    fz_storm_arg_t *a = arg;
    fz_t *f = a->f;

    for (;;)
        storm_op(f, a->index, &f->storm_rng[a->index]);
}
