/*
 * Test reporting (protocol in rt/test.h). The running test is a file-scope
 * record because the macros must reach it from anywhere in a suite; only
 * one thread reports.
 */
#include <rt/test.h>
#include <rt/rt.h>
#include <stdio.h>
#include <stdarg.h>

static struct {
    const char *name;       /* running test, NULL between tests */
    int failed;             /* failures in the running test */
    unsigned passed_total, failed_total, skipped_total;
} rt_test;

static const char *const rt_error_names[] = {
    "seL4_NoError", "seL4_InvalidArgument", "seL4_InvalidCapability",
    "seL4_IllegalOperation", "seL4_RangeError", "seL4_AlignmentError",
    "seL4_FailedLookup", "seL4_TruncatedMessage", "seL4_DeleteFirst",
    "seL4_RevokeFirst", "seL4_NotEnoughMemory",
};

const char *rt_error_name(uint32_t err)
{
    if (err < sizeof(rt_error_names) / sizeof(rt_error_names[0]))
        return rt_error_names[err];
    return "(not an seL4_Error)";
}

void rt_test_begin(const char *name)
{
    if (rt_test.name != NULL)
        rt_test_end();
    rt_test.name = name;
    rt_test.failed = 0;
}

void rt_test_end(void)
{
    if (rt_test.name == NULL)
        return;
    if (rt_test.failed == 0) {
        printf("TEST %s PASS\n", rt_test.name);
        rt_test.passed_total++;
    }
    rt_test.name = NULL;
}

void rt_test_skip(const char *reason)
{
    if (rt_test.name != NULL && rt_test.failed == 0) {
        printf("TEST %s SKIP %s\n", rt_test.name, reason);
        rt_test.skipped_total++;
    }
    rt_test.name = NULL;
}

int rt_test_fail(const char *file, int line, const char *fmt, ...)
{
    va_list ap;

    if (rt_test.name == NULL)
        printf("TEST (outside-a-test) FAIL %s:%d: ", file, line);
    else if (rt_test.failed++ == 0)
        printf("TEST %s FAIL %s:%d: ", rt_test.name, file, line);
    else
        printf("  also: %s:%d: ", file, line);
    if (rt_test.name == NULL || rt_test.failed == 1)
        rt_test.failed_total++;
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    printf("\n");
    return 0;
}

int rt_test_failed(void)
{
    return rt_test.failed;
}

void tests_done(void)
{
    rt_test_end();
    printf("tests: %u passed, %u failed, %u skipped\n", rt_test.passed_total,
           rt_test.failed_total, rt_test.skipped_total);
    printf("TESTS DONE\n");
    rt_halt();
}
