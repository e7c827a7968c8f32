/*
 * Telling the VMM how much of its memory the guest uses (VMM_CALL_USAGE).
 * The kernel cannot say how far a delegated guest has retyped its
 * untypeds, so the VMM's `list` shows what the guest says, marked as the
 * guest's claim. The figures are memmgr's: bytes in objects (held less
 * what is free, pooled for reuse or dead until the next reset) and the
 * rest. The VMM only stores them, so a guest that lies misleads the
 * reader of `list` and nothing else.
 */
#include <guest/guest.h>
#include <memmgr/mm.h>
#include <sel4/sel4.h>

#define KIB_SHIFT 10

static uint64_t spare(const struct mm_stats *s)
{
    uint64_t b = s->free + s->dead;

    for (uint32_t t = 0; t < OBJ_NUM_TYPES; t++)
        b += s->pooled[t];
    return b;
}

void guest_report_usage(const struct mm *mm, int say)
{
    const struct mm_stats *s = mm_stats(mm);
    uint64_t free = spare(s), used = s->held - free;

    seL4_SetMR(0, (seL4_Word)used);
    seL4_SetMR(1, (seL4_Word)free);
    seL4_Call(VMM_SLOT_SERVICE, seL4_MessageInfo_new(VMM_CALL_USAGE, 0, 0, 2));
    if (say)
        gprintf("guest-stub: memory reported to the VMM: %llu KiB used, %llu KiB free\n",
                (unsigned long long)(used >> KIB_SHIFT), (unsigned long long)(free >> KIB_SHIFT));
}
