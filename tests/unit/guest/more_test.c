/* unit-test-sources: guest-stub/linux/syscall.c guest-stub/linux/sys_file.c guest-stub/linux/sys_poll.c guest-stub/linux/sys_path.c guest-stub/linux/sys_mem.c guest-stub/linux/sys_futex.c guest-stub/linux/procfs.c guest-stub/linux/sys_proc.c guest-stub/linux/sys_attr.c guest-stub/linux/sys_more.c guest-stub/linux/file.c guest-stub/linux/tty.c guest-stub/linux/signal.c guest-stub/linux/sigfpu.c guest-stub/linux/sys_signal.c guest-stub/linux/fs.c guest-stub/linux/pcache.c guest-stub/linux/kernel.c guest-stub/linux/proc.c guest-stub/linux/cpio.c guest-stub/linux/exec.c lib/elf.c tests/unit/guest/fake_host.c */
/*
 * sys_more.c's calls through lx_syscall() against the fake guest kernel:
 * flock between descriptions (and a failed conversion losing its lock, as
 * Linux's), sendfile's offsets and refusals, statfs's figures from the
 * guest's memory, the set*id rules with saved ids, ITIMER_REAL re-armed by
 * its interval, prctl's name as /proc shows it, priorities, and the device
 * nodes mknod refuses.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>
#include "fake_host.h"
#include "linux/unistd.h"
#include "linux/fcntl.h"
#include "linux/stat.h"
#include "linux/misc.h"

#define O_RW_CREAT (LX_O_RDWR | LX_O_CREAT)
#define KEEP 0xffffffffu

static int setup(void **state) { *state = fake_world_new(); return 0; }
static int teardown(void **state) { fake_world_free(*state); return 0; }

static int32_t open_path(fake_world_t *w, const char *path, uint32_t flags)
{
    return SC3(w, LX_NR_open, fake_put_str(w, 0x8000, path), flags, 0644);
}

static void flock_between_descriptions(void **state)
{
    fake_world_t *w = *state;
    int32_t a = open_path(w, "/tmp/l", O_RW_CREAT), b = open_path(w, "/tmp/l", LX_O_RDONLY);

    assert_int_equal(SC2(w, LX_NR_flock, a, LX_LOCK_EX), 0);
    assert_int_equal(SC2(w, LX_NR_flock, b, LX_LOCK_SH | LX_LOCK_NB), -LX_EAGAIN);
    assert_int_equal(SC2(w, LX_NR_flock, b, LX_LOCK_SH), LX_BLOCK);   /* parks */
    int32_t c = SC1(w, LX_NR_dup, a);
    assert_int_equal(SC1(w, LX_NR_close, a), 0);
    assert_int_equal(SC2(w, LX_NR_flock, b, LX_LOCK_SH | LX_LOCK_NB), -LX_EAGAIN);
    assert_int_equal(SC1(w, LX_NR_close, c), 0);    /* the description's last close */
    assert_int_equal(SC2(w, LX_NR_flock, b, LX_LOCK_SH | LX_LOCK_NB), 0);
    a = open_path(w, "/tmp/l", LX_O_RDWR);
    assert_int_equal(SC2(w, LX_NR_flock, a, LX_LOCK_SH), 0);
    /* A conversion that would block drops the old lock first. */
    assert_int_equal(SC2(w, LX_NR_flock, a, LX_LOCK_EX | LX_LOCK_NB), -LX_EAGAIN);
    assert_int_equal(SC2(w, LX_NR_flock, b, LX_LOCK_EX | LX_LOCK_NB), 0);
    assert_int_equal(SC2(w, LX_NR_flock, b, LX_LOCK_UN), 0);
    assert_int_equal(SC2(w, LX_NR_flock, a, LX_LOCK_EX | LX_LOCK_NB), 0);
    assert_int_equal(SC2(w, LX_NR_flock, a, 0), -LX_EINVAL);
    assert_int_equal(SC2(w, LX_NR_flock, a, LX_LOCK_SH | LX_LOCK_EX), -LX_EINVAL);
    assert_int_equal(SC2(w, LX_NR_flock, 99, LX_LOCK_SH), -LX_EBADF);
}

static void sendfile_offsets_and_refusals(void **state)
{
    fake_world_t *w = *state;
    int32_t in = open_path(w, "/tmp/in", O_RW_CREAT), out = open_path(w, "/tmp/out", O_RW_CREAT);
    static char data[3000];
    uint64_t off64 = 100;

    for (unsigned i = 0; i < sizeof(data); i++)
        data[i] = (char)i;
    assert_int_equal(SC3(w, LX_NR_write, in, fake_put(w, 0, data, sizeof(data)), sizeof(data)),
                     sizeof(data));
    uint32_t uoff = fake_put(w, 0x4000, &off64, sizeof(off64));
    assert_int_equal(SC4(w, LX_NR_sendfile64, out, in, uoff, 2000), 2000);
    assert_int_equal(*(uint64_t *)fake_byte(&w->space, uoff), 2100);
    assert_int_equal(w->p.fd[in]->pos, sizeof(data));      /* untouched */
    assert_int_equal(SC4(w, LX_NR_sendfile64, out, in, uoff, 2000), 900);   /* to the end */
    assert_int_equal(SC4(w, LX_NR_sendfile64, out, in, uoff, 2000), 0);
    assert_memory_equal(w->p.fd[out]->node->pages[0].mem, data + 100, 2900);
    int32_t off32 = -1;
    uint32_t u32 = fake_put(w, 0x4100, &off32, sizeof(off32));
    assert_int_equal(SC4(w, LX_NR_sendfile, out, in, u32, 1), -LX_EINVAL);
    assert_int_equal(SC4(w, LX_NR_sendfile, out, 77, 0, 1), -LX_EBADF);
    assert_int_equal(SC4(w, LX_NR_sendfile, in, out, 0x20000000u, 1), -LX_EFAULT);
    int32_t app = open_path(w, "/tmp/out", LX_O_WRONLY | LX_O_APPEND);
    assert_int_equal(SC4(w, LX_NR_sendfile, app, in, 0, 1), -LX_EINVAL);
    /* pread at a 64-bit offset leaves the position; a pipe has none. */
    assert_int_equal(SC5(w, LX_NR_pread64, in, FAKE_SCRATCH, 4, 10, 0), 4);
    assert_memory_equal(fake_byte(&w->space, FAKE_SCRATCH), data + 10, 4);
    assert_int_equal(SC5(w, LX_NR_pread64, in, FAKE_SCRATCH, 4, 0, 0x80000000u), -LX_EINVAL);
    assert_int_equal(SC1(w, LX_NR_pipe, FAKE_SCRATCH + 0x100), 0);
    int32_t rd = (int32_t)fake_read32(&w->space, FAKE_SCRATCH + 0x100);
    assert_int_equal(SC5(w, LX_NR_pread64, rd, FAKE_SCRATCH, 4, 0, 0), -LX_ESPIPE);
    assert_int_equal(SC1(w, LX_NR_fsync, rd), -LX_EINVAL);
    assert_int_equal(SC1(w, LX_NR_fsync, in), 0);
}

static void statfs_reports_guest_memory(void **state)
{
    fake_world_t *w = *state;
    struct lx_statfs64 s;
    uint32_t buf = FAKE_SCRATCH + 0x1000;

    assert_int_equal(SC3(w, LX_NR_statfs64, fake_put_str(w, 0, "/tmp"), sizeof(s), buf), 0);
    memcpy(&s, fake_byte(&w->space, buf), sizeof(s));
    assert_int_equal(s.type, LX_TMPFS_MAGIC);
    assert_int_equal(s.bsize, 4096);
    assert_int_equal(s.blocks, FAKE_TOTAL_RAM / 4096);
    assert_true(s.bfree <= s.blocks && s.bfree > 0);
    assert_int_equal(s.namelen, 255);
    assert_int_equal(SC3(w, LX_NR_statfs64, fake_put_str(w, 0, "/tmp"), 10, buf), -LX_EINVAL);
    assert_int_equal(SC2(w, LX_NR_statfs, fake_put_str(w, 0, "/nonesuch"), buf), -LX_ENOENT);
    assert_int_equal(SC2(w, LX_NR_fstatfs, 42, buf), -LX_EBADF);
}

static void ids_follow_linux_rules(void **state)
{
    fake_world_t *w = *state;
    lx_proc_t *p = &w->p;

    assert_int_equal(SC3(w, LX_NR_setresuid32, 1, 2, 3), 0);
    assert_int_equal(p->uid, 1);
    assert_int_equal(p->euid, 2);
    assert_int_equal(p->suid, 3);
    assert_int_equal(SC1(w, LX_NR_setuid32, 0), -LX_EPERM);    /* no longer root */
    assert_int_equal(SC1(w, LX_NR_setuid32, 3), 0);            /* the saved id */
    assert_int_equal(p->euid, 3);
    assert_int_equal(p->uid, 1);
    assert_int_equal(SC3(w, LX_NR_setresuid32, KEEP, 9, KEEP), -LX_EPERM);
    assert_int_equal(SC2(w, LX_NR_setreuid32, KEEP, 1), 0);
    assert_int_equal(p->euid, 1);
    assert_int_equal(p->suid, 3);      /* e is the old real id: the saved one stays */
    assert_int_equal(SC2(w, LX_NR_setgroups32, 0, 0), -LX_EPERM);
    /* chown as a non-root owner: only to a group of its own. */
    int32_t fd = open_path(w, "/tmp/o", O_RW_CREAT);
    lx_inode_t *n = p->fd[fd]->node;
    assert_int_equal(SC3(w, LX_NR_fchown32, fd, 5, KEEP), -LX_EPERM);
    n->uid = 1;
    assert_int_equal(SC3(w, LX_NR_fchown32, fd, KEEP, p->egid), 0);
    assert_int_equal(SC3(w, LX_NR_fchown32, fd, KEEP, 77), -LX_EPERM);
}

static void root_chown_clears_set_ids(void **state)
{
    fake_world_t *w = *state;
    int32_t fd = open_path(w, "/tmp/s", O_RW_CREAT);
    lx_inode_t *n = w->p.fd[fd]->node;

    n->mode = LX_S_IFREG | 06755;
    assert_int_equal(SC3(w, LX_NR_fchown, fd, 0xffff, 0xffff), 0);     /* 16-bit -1 */
    assert_int_equal(n->mode & 07777, 0755);
    assert_int_equal(n->uid, 0);
    n->mode = LX_S_IFREG | 02745;      /* set-group-id without group execute stays */
    assert_int_equal(SC3(w, LX_NR_fchown32, fd, 8, 9), 0);
    assert_int_equal(n->mode & 07777, 02745);
    assert_int_equal(n->uid, 8);
    assert_int_equal(n->gid, 9);
}

static void itimer_real_rearms(void **state)
{
    fake_world_t *w = *state;
    lx_proc_t *p = &w->p;
    struct lx_itimerval v = { { 0, 20000 }, { 0, 50000 } }, o;
    uint32_t uv = fake_put(w, 0, &v, sizeof(v)), uo = FAKE_SCRATCH + 0x100;

    assert_int_equal(SC3(w, LX_NR_setitimer, LX_ITIMER_REAL, uv, 0), 0);
    w->host.clock_now += 50000000;
    lx_sig_tick(p);
    assert_true(p->sig.pending & LX_SIGBIT(LX_SIGALRM));
    assert_int_not_equal(p->sig.alarm_ns, 0);                  /* re-armed */
    assert_int_equal(SC2(w, LX_NR_getitimer, LX_ITIMER_REAL, uo), 0);
    memcpy(&o, fake_byte(&w->space, uo), sizeof(o));
    assert_int_equal(o.interval.tv_usec, 20000);
    assert_int_equal(o.value.tv_usec, 20000);
    assert_int_equal(SC1(w, LX_NR_alarm, 0), 1);               /* alarm's timer too */
    assert_int_equal(p->sig.alarm_ns, 0);
    assert_int_equal(p->sig.alarm_interval_ns, 0);
    v.value.tv_usec = 1000000;
    uv = fake_put(w, 0, &v, sizeof(v));
    assert_int_equal(SC3(w, LX_NR_setitimer, LX_ITIMER_REAL, uv, 0), -LX_EINVAL);
    assert_int_equal(SC3(w, LX_NR_setitimer, 9, uv, 0), -LX_EINVAL);
}

static void names_priorities_and_cpus(void **state)
{
    fake_world_t *w = *state;
    char comm[16];

    assert_int_equal(SC2(w, LX_NR_prctl, LX_PR_SET_NAME,
                         fake_put_str(w, 0, "a-very-long-process-name")), 0);
    lx_proc_comm(&w->p, comm);
    assert_string_equal(comm, "a-very-long-pro");
    assert_int_equal(SC2(w, LX_NR_prctl, LX_PR_GET_NAME, FAKE_SCRATCH + 0x100), 0);
    assert_string_equal((char *)fake_byte(&w->space, FAKE_SCRATCH + 0x100), "a-very-long-pro");
    assert_int_equal(SC2(w, LX_NR_prctl, LX_PR_SET_DUMPABLE, 2), -LX_EINVAL);
    assert_int_equal(SC2(w, LX_NR_prctl, 12345, 0), -LX_EINVAL);
    assert_int_equal(SC1(w, LX_NR_nice, 7), 0);
    assert_int_equal(SC2(w, LX_NR_getpriority, LX_PRIO_PROCESS, 0), 13);
    assert_int_equal(SC3(w, LX_NR_setpriority, LX_PRIO_PROCESS, 0, 99), 0);
    assert_int_equal(w->p.nice, 19);
    assert_int_equal(SC2(w, LX_NR_getpriority, 3, 0), -LX_EINVAL);
    assert_int_equal(SC3(w, LX_NR_sched_getaffinity, 0, 128, FAKE_SCRATCH + 0x200), 4);
    assert_int_equal(fake_read32(&w->space, FAKE_SCRATCH + 0x200), 1);
    assert_int_equal(SC3(w, LX_NR_sched_getaffinity, 0, 3, FAKE_SCRATCH + 0x200), -LX_EINVAL);
}

static void mknod_refuses_devices(void **state)
{
    fake_world_t *w = *state;
    uint32_t path = fake_put_str(w, 0, "/tmp/dev");

    assert_int_equal(SC3(w, LX_NR_mknod, path, LX_S_IFCHR | 0600, LX_DEV_NULL), -LX_EPERM);
    assert_int_equal(SC3(w, LX_NR_mknod, path, LX_S_IFBLK | 0600, 0), -LX_EPERM);
    assert_int_equal(SC3(w, LX_NR_mknod, path, 0170000, 0), -LX_EINVAL);
    assert_int_equal(SC3(w, LX_NR_mknod, path, LX_S_IFIFO | 0600, 0), 0);
}

/* A FIFO's ends: a non-blocking writer needs a reader; a blocking reader
 * whose writer has not come yet waits instead of seeing the end; bytes
 * pass; the pipe goes with the last end and the next open starts anew. */
static void fifo_ends(void **state)
{
    fake_world_t *w = *state;
    uint32_t path = fake_put_str(w, 0, "/tmp/fifo");

    assert_int_equal(SC3(w, LX_NR_mknod, path, LX_S_IFIFO | 0600, 0), 0);
    assert_int_equal(open_path(w, "/tmp/fifo", LX_O_WRONLY | LX_O_NONBLOCK), -LX_ENXIO);
    assert_int_equal(open_path(w, "/tmp/fifo", LX_O_RDWR), -LX_ENXIO);
    int32_t r = open_path(w, "/tmp/fifo", LX_O_RDONLY);
    assert_true(r >= 0);
    lx_inode_t *n = w->p.fd[r]->pipe->node;
    assert_non_null(n);
    assert_int_equal(SC3(w, LX_NR_read, r, FAKE_SCRATCH, 8), LX_BLOCK);    /* no writer yet */
    int32_t wr = open_path(w, "/tmp/fifo", LX_O_WRONLY | LX_O_NONBLOCK);
    assert_true(wr >= 0);
    assert_int_equal(SC3(w, LX_NR_write, wr, fake_put_str(w, 0x100, "hi"), 2), 2);
    assert_int_equal(SC3(w, LX_NR_read, r, FAKE_SCRATCH, 8), 2);
    assert_memory_equal(fake_byte(&w->space, FAKE_SCRATCH), "hi", 2);
    assert_int_equal(SC1(w, LX_NR_close, wr), 0);
    assert_int_equal(SC3(w, LX_NR_read, r, FAKE_SCRATCH, 8), 0);    /* the writer went */
    assert_int_equal(SC1(w, LX_NR_close, r), 0);
    assert_null(n->fifo);
    /* A writer first: its write waits for a reader rather than EPIPE; the
     * reader then sees the bytes and, once the writer has gone, the end. */
    wr = open_path(w, "/tmp/fifo", LX_O_WRONLY);
    assert_int_equal(SC3(w, LX_NR_write, wr, fake_put_str(w, 0x100, "hi"), 2), LX_BLOCK);
    w->p.retrying = false;
    r = open_path(w, "/tmp/fifo", LX_O_RDONLY);
    assert_int_equal(SC3(w, LX_NR_write, wr, fake_put_str(w, 0x100, "hi"), 2), 2);
    assert_int_equal(SC1(w, LX_NR_close, wr), 0);
    assert_int_equal(SC3(w, LX_NR_read, r, FAKE_SCRATCH, 8), 2);
    assert_int_equal(SC3(w, LX_NR_read, r, FAKE_SCRATCH, 8), 0);
    assert_int_equal(SC1(w, LX_NR_close, r), 0);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(flock_between_descriptions), T(sendfile_offsets_and_refusals),
        T(statfs_reports_guest_memory), T(ids_follow_linux_rules), T(root_chown_clears_set_ids),
        T(itimer_real_rearms), T(names_priorities_and_cpus), T(mknod_refuses_devices), T(fifo_ends),
    };
    return cmocka_run_group_tests_name("linux_more", tests, NULL, NULL);
}
