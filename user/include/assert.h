/* assert(): on failure prints the expression and its place, then aborts. */
#ifndef _ASSERT_H
#define _ASSERT_H

__attribute__((noreturn)) void __assert_fail(const char *expr, const char *file,
                                             int line, const char *func);

#ifdef NDEBUG
#define assert(x) ((void)0)
#else
#define assert(x) ((x) ? (void)0 : __assert_fail(#x, __FILE__, __LINE__, __func__))
#endif

#define static_assert _Static_assert

#endif
