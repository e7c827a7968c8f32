/*
 * System tests of untyped memory and retype (kernel/untyped.c): every
 * object type, batches into a CNode window, the fan-out limit, every
 * refusal of Retype in seL4's order with its details, the watermark and
 * alignment, reset and clearing once an untyped has no children, copies
 * of untyped capabilities (only while childless, the source then full),
 * revoke destroying everything made from an untyped wherever its caps
 * are, device untypeds and RAM above the kernel window (frames and
 * untypeds only, never cleared). Each test ends by running the kernel's
 * invariant checker.
 *
 * The tests carve their untypeds from one untyped memmgr hands out whole
 * and never touches again, so they know what is free. memmgr holds only
 * bootinfo's RAM untypeds (inside the kernel window, as seL4 hands out
 * RAM above it as device memory, which memory_kind_test checks); the
 * device untypeds are the tests' own.
 */
#include "untyped_tests.h"
#include <stdio.h>

#define POOL_BITS       25
#define POOL_MIN_BITS   23
#define MAP_BASE        0x60000000u
#define ROOT_PRIO       100

struct st_root mem;
static seL4_CPtr pool;
static seL4_BootInfo *boot;
static seL4_Word next_map = MAP_BASE;

seL4_CPtr slots(seL4_Word n)
{
    return st_slots(&mem, n);
}

seL4_Error retype_at(seL4_CPtr ut, seL4_Word type, seL4_Word size_bits, seL4_CPtr first,
                     seL4_Word n)
{
    return seL4_Untyped_Retype(ut, type, size_bits, ROOT, 0, 0, first, n);
}

seL4_CPtr retype_one(seL4_CPtr ut, seL4_Word type, seL4_Word size_bits, seL4_Error *err)
{
    seL4_CPtr s = st_slot(&mem);
    seL4_Error e = s != 0 ? retype_at(ut, type, size_bits, s, 1) : seL4_NotEnoughMemory;
    if (err != NULL)
        *err = e;
    return e == seL4_NoError ? s : 0;
}

seL4_CPtr fresh_untyped(seL4_Word bits)
{
    return pool != 0 ? retype_one(pool, seL4_UntypedObject, bits, NULL) : 0;
}

seL4_Word frame_paddr(seL4_CPtr frame)
{
    seL4_X86_Page_GetAddress_t r = seL4_X86_Page_GetAddress(frame);
    return r.error == seL4_NoError ? r.paddr : 0;
}

volatile seL4_Word *map_frame(seL4_CPtr frame)
{
    seL4_Word v = next_map;
    next_map += PAGE;
    if (st_map_frame(&mem, frame, v, seL4_ReadWrite, seL4_X86_Default_VMAttributes) != 0)
        return NULL;
    return (volatile seL4_Word *)v;
}

int find_boot_untyped(int (*want)(const seL4_UntypedDesc *d))
{
    seL4_BootInfo *bi = boot;
    seL4_Word n = bi->untyped.end - bi->untyped.start;

    for (seL4_Word i = 0; i < n; i++) {
        if (want(&bi->untypedList[i]))
            return (int)i;
    }
    return -1;
}

/* Lists bootinfo's untypeds, hands memmgr the RAM ones, and takes the
 * pool from it. */
static void setup(bootinfo_t *bi)
{
    seL4_Word n = bi->untyped.end - bi->untyped.start;

    for (seL4_Word i = 0; i < n; i++) {
        const bi_untyped_desc_t *d = &bi->untyped_list[i];
        printf("untyped %u: paddr 0x%08x bits %u%s\n", (unsigned)i, (unsigned)d->paddr,
               (unsigned)d->size_bits, d->is_device ? " device" : "");
    }
    st_root_init(&mem, bi);
    for (seL4_Word bits = POOL_BITS; pool == 0 && bits >= POOL_MIN_BITS; bits--)
        pool = st_untyped(&mem, bits, NULL);
}

int main(bootinfo_t *bi)
{
    boot = (seL4_BootInfo *)bi;
    seL4_TCB_SetPriority(seL4_CapInitThreadTCB, seL4_CapInitThreadTCB, ROOT_PRIO);
    setup(bi);
    retype_tests();
    watermark_tests();
    derivation_tests();
    memory_kind_tests();
    tests_done();
}
