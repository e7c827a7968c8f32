/*
 * An event log for system tests (declared in <systest.h>): threads append
 * numbers as they run, and a test asserts the exact sequence. There is one
 * CPU and threads switch only inside the kernel, so a plain volatile array
 * is a faithful record of who ran when.
 */
#include <systest.h>
#include <stdio.h>

/* Characters one logged word takes when printed (" " and up to 8 hex digits). */
#define ST_LOG_WORD_CHARS 12

static volatile seL4_Word log_buf[ST_LOG_MAX];
static volatile int log_n;

void st_log_reset(void)
{
    log_n = 0;
}

void st_log_ev(seL4_Word ev)
{
    if (log_n < ST_LOG_MAX)
        log_buf[log_n] = ev;
    log_n++;
}

int st_log_len(void)
{
    return log_n;
}

seL4_Word st_log_at(int i)
{
    return i < log_n && i < ST_LOG_MAX ? log_buf[i] : (seL4_Word)-1;
}

int st_log_check(const char *file, int line, const seL4_Word *want, int n)
{
    char got[ST_LOG_MAX * ST_LOG_WORD_CHARS] = "", exp[ST_LOG_MAX * ST_LOG_WORD_CHARS] = "";
    int ok = log_n == n, off = 0;

    for (int i = 0; i < n && ok; i++)
        ok = log_buf[i] == want[i];
    if (ok)
        return 1;
    for (int i = 0; i < log_n && i < ST_LOG_MAX; i++)
        off += snprintf(got + off, sizeof(got) - off, " %lx", (unsigned long)log_buf[i]);
    off = 0;
    for (int i = 0; i < n && i < ST_LOG_MAX; i++)
        off += snprintf(exp + off, sizeof(exp) - off, " %lx", (unsigned long)want[i]);
    return rt_test_fail(file, line, "event log [%s ] expected [%s ]", got, exp);
}
