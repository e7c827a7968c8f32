/*
 * Reporting for system-test suites, in the serial protocol that
 * tools/run-system-test.py reads:
 *
 *     TEST <name> PASS
 *     TEST <name> FAIL <file>:<line>: <what> (<values>)
 *     TEST <name> SKIP <reason>
 *     TESTS DONE                      (then DebugHalt)
 *
 *     static void test_retype_range(void)
 *     {
 *         TEST_BEGIN("untyped_retype_range");
 *         EXPECT_ERR(seL4_Untyped_Retype(...), seL4_RangeError);
 *         EXPECT_EQ(seL4_GetMR(0), 1);
 *         ASSERT_TRUE(slot != 0);         // fatal: returns from the function
 *         TEST_END();
 *     }
 *
 * EXPECT_* record a failure and go on; ASSERT_* also `return` from the
 * enclosing (void) function. Only the first failure of a test is its FAIL
 * line; later ones print as indented "  also:" lines, so each test counts
 * once. Reporting is meant for one thread (the root task's); the current
 * test lives in a file-scope record in test.c.
 */
#ifndef RT_TEST_H
#define RT_TEST_H

#include <stdint.h>

void rt_test_begin(const char *name);
void rt_test_end(void);
void rt_test_skip(const char *reason);
/* Records a failure; returns 0 so macros can use it in expressions. */
int rt_test_fail(const char *file, int line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
int rt_test_failed(void);
/* Prints the totals and TESTS DONE, then halts the machine. */
__attribute__((noreturn)) void tests_done(void);
/* Name of an seL4_Error value ("seL4_RangeError"), for messages. */
const char *rt_error_name(uint32_t err);

#define TEST_BEGIN(name) rt_test_begin(name)
#define TEST_END() rt_test_end()
#define TEST_SKIP(reason) rt_test_skip(reason)

#define RT_EXPECT_CMP(a, op, b, fatal) do { \
        uint64_t rt_a_ = (uint64_t)(a), rt_b_ = (uint64_t)(b); \
        if (!(rt_a_ op rt_b_)) { \
            rt_test_fail(__FILE__, __LINE__, "%s %s %s (0x%llx vs 0x%llx)", \
                         #a, #op, #b, (unsigned long long)rt_a_, (unsigned long long)rt_b_); \
            if (fatal) return; \
        } \
    } while (0)

#define EXPECT_EQ(a, b) RT_EXPECT_CMP(a, ==, b, 0)
#define EXPECT_NE(a, b) RT_EXPECT_CMP(a, !=, b, 0)
#define EXPECT_LT(a, b) RT_EXPECT_CMP(a, <, b, 0)
#define EXPECT_LE(a, b) RT_EXPECT_CMP(a, <=, b, 0)
#define EXPECT_GT(a, b) RT_EXPECT_CMP(a, >, b, 0)
#define EXPECT_GE(a, b) RT_EXPECT_CMP(a, >=, b, 0)
#define ASSERT_EQ(a, b) RT_EXPECT_CMP(a, ==, b, 1)
#define ASSERT_NE(a, b) RT_EXPECT_CMP(a, !=, b, 1)

#define RT_EXPECT_BOOL(x, want, fatal) do { \
        if (!(x) != !(want)) { \
            rt_test_fail(__FILE__, __LINE__, "expected %s: %s", (want) ? "true" : "false", #x); \
            if (fatal) return; \
        } \
    } while (0)

#define EXPECT_TRUE(x) RT_EXPECT_BOOL(x, 1, 0)
#define EXPECT_FALSE(x) RT_EXPECT_BOOL(x, 0, 0)
#define ASSERT_TRUE(x) RT_EXPECT_BOOL(x, 1, 1)
#define ASSERT_FALSE(x) RT_EXPECT_BOOL(x, 0, 1)

/* An seL4_Error result, printed by name. */
#define RT_EXPECT_ERR(expr, want, fatal) do { \
        uint32_t rt_e_ = (uint32_t)(expr), rt_w_ = (uint32_t)(want); \
        if (rt_e_ != rt_w_) { \
            rt_test_fail(__FILE__, __LINE__, "%s gave %s, expected %s", #expr, \
                         rt_error_name(rt_e_), rt_error_name(rt_w_)); \
            if (fatal) return; \
        } \
    } while (0)

#define EXPECT_ERR(expr, want) RT_EXPECT_ERR(expr, want, 0)
#define ASSERT_ERR(expr, want) RT_EXPECT_ERR(expr, want, 1)
#define EXPECT_OK(expr) RT_EXPECT_ERR(expr, 0, 0)
#define ASSERT_OK(expr) RT_EXPECT_ERR(expr, 0, 1)

#endif
