/*
 * Helpers shared by the system-test suites (tests/system/<suite>/), on the
 * include path of every suite (Makefile: -Itests/system/include); their
 * code is in tests/system/common/, linked into every suite.
 */
#ifndef SYSTEST_H
#define SYSTEST_H

#include <stdbool.h>
#include <rt/test.h>
#include <sel4/sel4.h>
#include <abi/invariant.h>

/* The kernel's invariant checker found nothing. A debug kernel returns 0 or
 * the first violation's code (<abi/invariant.h>); a release kernel has no
 * checker and says so (INV_NOT_CHECKED), which passes: the suites also run
 * on the release kernel, where only behaviour is tested. */
#define EXPECT_INVARIANTS()                                             \
    do {                                                                \
        seL4_Word systest_inv_ = seL4_DebugCheckInvariants();           \
        if (systest_inv_ != INV_NOT_CHECKED)                            \
            EXPECT_EQ(systest_inv_, INV_NONE);                          \
    } while (0)

/* The same as a value, for code that reports failures its own way. */
static inline bool invariants_hold(void)
{
    seL4_Word inv = seL4_DebugCheckInvariants();

    return inv == INV_NONE || inv == INV_NOT_CHECKED;
}

#endif
