/*
 * IPC storms and the watchdog (fuzz.h). A storm thread waits for the actor
 * to kick it, then makes STORM_BURST random IPC system calls on the arena's
 * first slots, where endpoints and notifications come and go; a call may
 * block until the actor deletes the object, or for good. Bursts are bounded
 * so that the storms, at the actor's priority, cannot keep the watchdog from
 * ever running.
 */
#include "fuzz.h"
#include <sel4/sel4.h>

#define ROOT  seL4_CapInitThreadCNode
#define DEPTH seL4_WordBits

static seL4_CPtr storm_slot(fz_t *f, fz_rng_t *r)
{
    if (fz_chance(r, 90))
        return f->arena + fz_below(r, ARENA_IPC);
    return f->arena + fz_below(r, ARENA_SLOTS);
}

static void storm_op(fz_t *f, fz_rng_t *r)
{
    seL4_CPtr c = storm_slot(f, r);
    seL4_Word ncaps = fz_chance(r, 80) ? 0 : fz_below(r, 4);
    seL4_Word len = fz_chance(r, 70) ? fz_below(r, 4) : fz_below(r, 128);
    seL4_MessageInfo_t info = seL4_MessageInfo_new(fz_below(r, 64), 0, ncaps, len);
    seL4_Word mr0 = fz_word(r), mr1 = fz_word(r), badge = 0;

    for (seL4_Word i = 0; i < ncaps; i++)
        seL4_SetCap((int)i, storm_slot(f, r));
    for (seL4_Word i = 2; i < len && i < seL4_MsgMaxLength; i++)
        seL4_SetMR((int)i, fz_word(r));
    seL4_SetCapReceivePath(ROOT, f->arena + fz_below(r, ARENA_SLOTS), DEPTH);
    switch (fz_below(r, 11)) {
    case 0: case 1: seL4_SendWithMRs(c, info, &mr0, &mr1); break;
    case 2: seL4_NBSendWithMRs(c, info, &mr0, &mr1); break;
    case 3: case 4: seL4_CallWithMRs(c, info, &mr0, &mr1); break;
    case 5: case 6: seL4_RecvWithMRs(c, &badge, &mr0, &mr1); break;
    case 7: seL4_NBRecvWithMRs(c, &badge, &mr0, &mr1); break;
    case 8: seL4_ReplyRecvWithMRs(c, info, &badge, &mr0, &mr1); break;
    case 9: seL4_ReplyWithMRs(info, &mr0, &mr1); break;
    default: seL4_Signal(c); break;
    }
    f->storm_ops++;
}

void fz_storm_main(void *arg)
{
    fz_storm_arg_t *a = arg;
    fz_t *f = a->f;
    fz_rng_t *r = &f->storm_rng[a->index];

    for (;;) {
        seL4_Wait(f->kick[a->index], NULL);
        for (unsigned i = 0; i < STORM_BURST; i++)
            storm_op(f, r);
    }
}

void fz_watchdog_main(void *arg)
{
    fz_t *f = arg;

    for (;;) {
        f->watchdog_runs++;
        seL4_Call(f->wd_ep, seL4_MessageInfo_new(0, 0, 0, 0));
    }
}
