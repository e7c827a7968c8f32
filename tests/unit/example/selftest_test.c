/* unit-test-sources: */
/*
 * Example host unit test, and a self-test of the unit-test plumbing.
 *
 * A host unit test is a cmocka program tests/unit/<dir>/<name>_test.c.  Its first line names
 * the real sources it links (paths from the repository root), e.g.
 *     unit-test-sources: kernel/cdt.c kernel/cspace.c
 * inside a comment; this one links none.  `make unit` builds it natively (not -m32) with
 * -DHOST_TEST=1, -Ikernel/include -Iarch/ia32/include and sanitizers, into
 * build/unit/example/selftest_test, and tools/unit-test-runner.py counts its TAP output.
 *
 * Besides showing the shape, it checks that the ABI headers build on the host and that the
 * numbers user level depends on are seL4's (shared/design/abi-constants.tsv).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <abi/errors.h>
#include <abi/syscall.h>

static void host_test_is_defined(void **state)
{
    (void)state;
#ifndef HOST_TEST
    fail_msg("HOST_TEST is not defined: the Makefile's unit-test flags are wrong");
#endif
}

/* seL4's seL4_Error numbering (libsel4 include/sel4/errors.h). */
static void error_numbers_are_sel4s(void **state)
{
    (void)state;
    assert_int_equal(ERR_NONE, 0);
    assert_int_equal(ERR_INVALID_ARGUMENT, 1);
    assert_int_equal(ERR_RANGE_ERROR, 4);
    assert_int_equal(ERR_FAILED_LOOKUP, 6);
    assert_int_equal(ERR_NOT_ENOUGH_MEMORY, 10);
}

/* seL4's ia32 syscall numbers; DebugHalt is what test root tasks end with. */
static void syscall_numbers_are_sel4s(void **state)
{
    (void)state;
    assert_int_equal(SYS_CALL, -1);
    assert_int_equal(SYS_REPLY_RECV, -2);
    assert_int_equal(SYS_YIELD, -7);
    assert_int_equal(SYS_DEBUG_PUT_CHAR, -9);
    assert_int_equal(SYS_DEBUG_HALT, -11);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(host_test_is_defined),
        cmocka_unit_test(error_numbers_are_sel4s),
        cmocka_unit_test(syscall_numbers_are_sel4s),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
