/*
 * Regression tests for kernel bugs the system-call fuzzer found (regress.c).
 * Each is a minimal reproduction, run before the fuzz itself.
 */
#ifndef SYSFUZZ_REGRESS_H
#define SYSFUZZ_REGRESS_H

void sysfuzz_regressions(void);

#endif
