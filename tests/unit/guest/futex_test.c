/* unit-test-sources: guest-stub/linux/syscall.c guest-stub/linux/sys_file.c guest-stub/linux/sys_poll.c guest-stub/linux/sys_path.c guest-stub/linux/sys_mem.c guest-stub/linux/sys_futex.c guest-stub/linux/procfs.c guest-stub/linux/sys_proc.c guest-stub/linux/sys_attr.c guest-stub/linux/sys_more.c guest-stub/linux/file.c guest-stub/linux/tty.c guest-stub/linux/signal.c guest-stub/linux/sigfpu.c guest-stub/linux/sys_signal.c guest-stub/linux/fs.c guest-stub/linux/pcache.c guest-stub/linux/kernel.c guest-stub/linux/proc.c guest-stub/linux/cpio.c guest-stub/linux/exec.c lib/elf.c tests/unit/guest/fake_host.c */
/*
 * futex and sysinfo (guest-stub/linux/sys_futex.c) through lx_syscall():
 * FUTEX_WAIT's compare, its parking until a wake, a deadline or a signal,
 * FUTEX_WAKE's count and bitsets, the refusals Linux gives; sysinfo's
 * figures from the fake guest kernel's clock and memory.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>
#include "fake_host.h"
#include "linux/unistd.h"
#include "linux/futex.h"
#include "linux/misc.h"
#include "linux/signal.h"
#include "linux/mman.h"

#define WORD        (FAKE_SCRATCH + 0x100)
#define TS          (FAKE_SCRATCH + 0x200)
#define PRIV(op)    ((op) | LX_FUTEX_PRIVATE_FLAG)
#define NS          1000000000ull

static int setup(void **state) { *state = fake_world_new(); return 0; }
static int teardown(void **state) { fake_world_free(*state); return 0; }

static void set_word(fake_world_t *w, uint32_t v) { fake_put(w, WORD - FAKE_SCRATCH, &v, 4); }

static uint32_t put_ts(fake_world_t *w, int32_t sec, int32_t nsec)
{
    struct lx_timespec32 ts = { sec, nsec };
    return fake_put(w, TS - FAKE_SCRATCH, &ts, sizeof(ts));
}

static void wait_compares_the_word(void **state)
{
    fake_world_t *w = *state;
    set_word(w, 5);
    assert_int_equal(SC4(w, LX_NR_futex, WORD, PRIV(LX_FUTEX_WAIT), 4, 0), -LX_EAGAIN);
    assert_false(w->p.retrying);
    assert_int_equal(SC4(w, LX_NR_futex, WORD, PRIV(LX_FUTEX_WAIT), 5, 0), LX_BLOCK);
    assert_true(w->p.retrying);
    assert_int_equal(w->p.sleep_until, 0);     /* no timeout */
    /* Repeated after events: still waiting, nobody woke it. */
    assert_int_equal(SC4(w, LX_NR_futex, WORD, PRIV(LX_FUTEX_WAIT), 5, 0), LX_BLOCK);
}

static void wait_times_out(void **state)
{
    fake_world_t *w = *state;
    set_word(w, 1);
    uint32_t ts = put_ts(w, 2, 500);
    assert_int_equal(SC4(w, LX_NR_futex, WORD, LX_FUTEX_WAIT, 1, ts), LX_BLOCK);
    assert_int_equal(w->p.sleep_until, (FAKE_MONOTONIC + 2 * NS + 500) | 1);
    w->host.clock_now = NS;
    assert_int_equal(SC4(w, LX_NR_futex, WORD, LX_FUTEX_WAIT, 1, ts), LX_BLOCK);
    w->host.clock_now = 3 * NS;
    assert_int_equal(SC4(w, LX_NR_futex, WORD, LX_FUTEX_WAIT, 1, ts), -LX_ETIMEDOUT);
    assert_false(w->p.retrying);
    assert_int_equal(w->p.sleep_until, 0);
    /* WAIT_BITSET's deadline is absolute: one already past times out. */
    uint32_t past = put_ts(w, 1, 0);
    assert_int_equal(SC6(w, LX_NR_futex, WORD, LX_FUTEX_WAIT_BITSET, 1, past, 0,
            LX_FUTEX_BITSET_ANY), -LX_ETIMEDOUT);
}

static void wait_refusals(void **state)
{
    fake_world_t *w = *state;
    set_word(w, 0);
    assert_int_equal(SC4(w, LX_NR_futex, WORD + 1, LX_FUTEX_WAIT, 0, 0), -LX_EINVAL);
    assert_int_equal(SC4(w, LX_NR_futex, 0x20000000u, LX_FUTEX_WAIT, 0, 0), -LX_EFAULT);
    assert_int_equal(SC3(w, LX_NR_futex, 0xfffffffcu, LX_FUTEX_WAKE, 1), -LX_EFAULT);
    assert_int_equal(SC4(w, LX_NR_futex, WORD, LX_FUTEX_WAIT, 0, put_ts(w, 0, 1000000000)),
            -LX_EINVAL);
    assert_int_equal(SC4(w, LX_NR_futex, WORD, LX_FUTEX_WAIT, 0, 0x20000000u), -LX_EFAULT);
    assert_int_equal(SC6(w, LX_NR_futex, WORD, LX_FUTEX_WAIT_BITSET, 0, 0, 0, 0), -LX_EINVAL);
    assert_int_equal(SC3(w, LX_NR_futex, WORD, LX_FUTEX_WAKE | LX_FUTEX_CLOCK_REALTIME, 1),
            -LX_ENOSYS);
    assert_int_equal(SC3(w, LX_NR_futex, WORD, 3 /* FUTEX_REQUEUE */, 1), -LX_ENOSYS);
    assert_false(w->p.retrying);
}

/* A second process in the same address space (as threads would be) is
 * woken; one in another space, or on another word, is not. */
static void wake_counts_waiters(void **state)
{
    fake_world_t *w = *state;
    lx_proc_t same, other;
    fake_space_t *other_space = calloc(1, sizeof(*other_space));
    fake_space_init(other_space);
    fake_ops.map_zero(other_space, FAKE_SCRATCH, 4096, LX_PROT_READ | LX_PROT_WRITE);
    assert_int_equal(lx_proc_init(&w->k, &same, &w->space), 0);
    assert_int_equal(lx_proc_init(&w->k, &other, other_space), 0);
    w->host.spaces_made++;          /* fake_world_free gives it back */

    set_word(w, 7);
    assert_int_equal(SC3(w, LX_NR_futex, WORD, LX_FUTEX_WAKE, 10), 0);
    assert_int_equal(PC4(&same, LX_NR_futex, WORD, PRIV(LX_FUTEX_WAIT), 7, 0), LX_BLOCK);
    assert_int_equal(PC4(&other, LX_NR_futex, WORD, PRIV(LX_FUTEX_WAIT), 0, 0), LX_BLOCK);
    assert_int_equal(SC3(w, LX_NR_futex, WORD + 4, LX_FUTEX_WAKE, 10), 0);
    assert_int_equal(SC6(w, LX_NR_futex, WORD, LX_FUTEX_WAKE_BITSET, 1, 0, 0, 0), -LX_EINVAL);
    assert_int_equal(SC3(w, LX_NR_futex, WORD, PRIV(LX_FUTEX_WAKE), 10), 1);
    assert_int_equal(SC3(w, LX_NR_futex, WORD, LX_FUTEX_WAKE, 10), 0);   /* once */
    assert_int_equal(PC4(&same, LX_NR_futex, WORD, PRIV(LX_FUTEX_WAIT), 7, 0), 0);
    assert_false(same.retrying);
    assert_int_equal(PC4(&other, LX_NR_futex, WORD, PRIV(LX_FUTEX_WAIT), 0, 0), LX_BLOCK);

    /* Bitsets: a wake reaches only waiters whose mask it shares. */
    assert_int_equal(PC5(&same, LX_NR_futex, WORD, LX_FUTEX_WAIT_BITSET, 7, 0, 0) , -LX_EINVAL);
    assert_int_equal(fake_call_proc(&same, LX_NR_futex, WORD, LX_FUTEX_WAIT_BITSET, 7, 0, 0, 2),
            LX_BLOCK);
    assert_int_equal(SC6(w, LX_NR_futex, WORD, LX_FUTEX_WAKE_BITSET, 1, 0, 0, 1), 0);
    assert_int_equal(SC6(w, LX_NR_futex, WORD, LX_FUTEX_WAKE_BITSET, 1, 0, 0, 3), 1);

    lx_proc_release(&same);
    lx_proc_release(&other);
    fake_space_free(other_space);
    free(other_space);
    w->host.spaces_made--;
}

/* A wait cut short by a signal is no longer a waiter. */
static void interrupted_wait_is_not_woken(void **state)
{
    fake_world_t *w = *state;
    lx_proc_t same;
    assert_int_equal(lx_proc_init(&w->k, &same, &w->space), 0);
    set_word(w, 0);
    assert_int_equal(PC4(&same, LX_NR_futex, WORD, LX_FUTEX_WAIT, 0, 0), LX_BLOCK);
    same.sig.pending |= LX_SIGBIT(LX_SIGUSR1);
    assert_true(lx_sig_interrupt(&same, LX_NR_futex) != LX_BLOCK);
    /* Linux's codes: a wait without a timeout restarts under SA_RESTART,
     * a timed one (restart_block) is EINTR after any handler. */
    assert_int_equal(PC4(&same, LX_NR_futex, WORD, LX_FUTEX_WAIT, 0, 0), LX_BLOCK);
    assert_int_equal(lx_sig_interrupt(&same, LX_NR_futex), -LX_ERESTARTSYS);
    assert_int_equal(PC4(&same, LX_NR_futex, WORD, LX_FUTEX_WAIT, 0, put_ts(w, 9, 0)), LX_BLOCK);
    assert_int_equal(lx_sig_interrupt(&same, LX_NR_futex), -LX_ERESTART_RESTARTBLOCK);
    assert_int_equal(same.sleep_until, 0);
    /* It goes on to another call that parks (a read of the console). */
    assert_int_equal(PC3(&same, LX_NR_read, 0, FAKE_SCRATCH, 4), LX_BLOCK);
    assert_int_equal(SC3(w, LX_NR_futex, WORD, LX_FUTEX_WAKE, 1), 0);
    lx_proc_release(&same);
}

static void sysinfo_reports_clock_and_memory(void **state)
{
    fake_world_t *w = *state;
    struct lx_sysinfo si;
    w->host.clock_now = 5 * NS;
    assert_int_equal(SC1(w, LX_NR_sysinfo, FAKE_SCRATCH), 0);
    memcpy(&si, fake_byte(&w->space, FAKE_SCRATCH), sizeof(si));
    assert_int_equal(si.uptime, (FAKE_MONOTONIC + 5 * NS) / NS);
    assert_int_equal(si.totalram, FAKE_TOTAL_RAM);
    assert_int_equal(si.freeram, FAKE_TOTAL_RAM - w->host.heap_used);
    assert_true(si.freeram < si.totalram);
    assert_int_equal(si.mem_unit, 1);
    assert_int_equal(si.procs, 1);
    assert_int_equal(si.totalswap, 0);
    assert_int_equal(SC1(w, LX_NR_sysinfo, 0x20000000u), -LX_EFAULT);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(wait_compares_the_word), T(wait_times_out), T(wait_refusals),
        T(wake_counts_waiters), T(interrupted_wait_is_not_woken),
        T(sysinfo_reports_clock_and_memory),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
