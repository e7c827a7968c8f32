/* unit-test-sources: guest-stub/linux/syscall.c guest-stub/linux/sys_file.c guest-stub/linux/sys_poll.c guest-stub/linux/sys_path.c guest-stub/linux/sys_mem.c guest-stub/linux/sys_futex.c guest-stub/linux/procfs.c guest-stub/linux/sys_proc.c guest-stub/linux/sys_attr.c guest-stub/linux/sys_more.c guest-stub/linux/file.c guest-stub/linux/tty.c guest-stub/linux/signal.c guest-stub/linux/sigfpu.c guest-stub/linux/sys_signal.c guest-stub/linux/fs.c guest-stub/linux/pcache.c guest-stub/linux/kernel.c guest-stub/linux/proc.c guest-stub/linux/cpio.c guest-stub/linux/exec.c lib/elf.c tests/unit/guest/fake_host.c */
/*
 * /proc (guest-stub/linux/procfs.c) through open, read, readlink and close:
 * what each file says about the fake guest's process and memory, that a
 * snapshot is freed by its close (the world's teardown checks every byte
 * came back), and the refusals.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>
#include "fake_host.h"
#include "linux/unistd.h"
#include "linux/fcntl.h"
#include "linux/mman.h"
#include "linux/stat.h"
#include "linux/wait.h"

#define BUF     (FAKE_SCRATCH + 0x4000)
#define BUF_LEN 0x3000u

static int setup(void **state) { *state = fake_world_new(); return 0; }
static int teardown(void **state) { fake_world_free(*state); return 0; }

/* The whole file as a string ("" and the error in *err if it fails). */
static const char *slurp(fake_world_t *w, const char *path, int32_t *err)
{
    static char text[BUF_LEN + 1];
    int32_t fd = SC3(w, LX_NR_open, fake_put_str(w, 0x100, path), LX_O_RDONLY, 0), n;
    text[0] = '\0';
    *err = fd < 0 ? fd : 0;
    if (fd < 0)
        return text;
    n = SC3(w, LX_NR_read, fd, BUF, BUF_LEN);
    assert_true(n >= 0);
    memcpy(text, fake_byte(&w->space, BUF), (size_t)n);
    text[n] = '\0';
    assert_int_equal(SC1(w, LX_NR_close, fd), 0);
    return text;
}

static int32_t rlink(fake_world_t *w, const char *path, char *out)
{
    int32_t n = SC3(w, LX_NR_readlink, fake_put_str(w, 0x100, path), BUF, 200);
    if (n >= 0) {
        memcpy(out, fake_byte(&w->space, BUF), (size_t)n);
        out[n] = '\0';
    }
    return n;
}

static void status_and_stat_describe_the_caller(void **state)
{
    fake_world_t *w = *state;
    char want[64];
    int32_t err;
    const char *s = slurp(w, "/proc/self/status", &err);
    assert_int_equal(err, 0);
    snprintf(want, sizeof(want), "\nPid:\t%u\nPPid:\t0\n", w->p.pid);
    assert_non_null(strstr(s, want));
    assert_non_null(strstr(s, "State:\tR (running)\n"));
    assert_non_null(strstr(s, "Umask:\t0022\n"));
    assert_non_null(strstr(s, "Uid:\t0\t0\t0\t0\n"));
    snprintf(want, sizeof(want), "/proc/%u/stat", w->p.pid);
    s = slurp(w, want, &err);
    snprintf(want, sizeof(want), "%u () R 0 %u %u 0 -1 ", w->p.pid, w->p.pgid, w->p.sid);
    assert_int_equal(strncmp(s, want, strlen(want)), 0);
    assert_int_equal(s[strlen(s) - 1], '\n');
}

static void cmdline_reads_the_stack(void **state)
{
    fake_world_t *w = *state;
    int32_t err;
    w->p.arg_start = fake_put(w, 0x2000, "sh\0-c\0x", 8);
    w->p.arg_end = w->p.arg_start + 8;
    const char *s = slurp(w, "/proc/self/cmdline", &err);
    assert_int_equal(err, 0);
    assert_memory_equal(s, "sh\0-c\0x", 8);
}

static void meminfo_uptime_and_maps(void **state)
{
    fake_world_t *w = *state;
    char want[64];
    int32_t err;
    const char *s = slurp(w, "/proc/meminfo", &err);
    snprintf(want, sizeof(want), "MemTotal:       %8u kB\n", FAKE_TOTAL_RAM / 1024);
    assert_int_equal(strncmp(s, want, strlen(want)), 0);
    assert_non_null(strstr(s, "\nMemFree:        "));
    w->host.clock_now = 3 * 1000000000ull + 50000000ull;
    s = slurp(w, "/proc/uptime", &err);
    assert_string_equal(s, "45.05 0.00\n");       /* FAKE_MONOTONIC is 42 s */
    int32_t a = SC6(w, LX_NR_mmap2, 0x30000000, 8192, LX_PROT_READ | LX_PROT_EXEC,
            LX_MAP_PRIVATE | LX_MAP_ANONYMOUS | LX_MAP_FIXED, -1, 0);
    assert_int_equal(a, 0x30000000);
    s = slurp(w, "/proc/self/maps", &err);
    assert_non_null(strstr(s, "30000000-30002000 r-xp 00000000 00:00 0 \n"));
}

static void links_name_files(void **state)
{
    fake_world_t *w = *state;
    char t[256];
    assert_int_equal(rlink(w, "/proc/self/fd/0", t), 12);
    assert_string_equal(t, "/dev/console");
    assert_int_equal(rlink(w, "/proc/self/cwd", t), 1);
    assert_string_equal(t, "/");
    int32_t fd = SC3(w, LX_NR_open, fake_put_str(w, 0x100, "/tmp/f"), LX_O_RDWR | LX_O_CREAT, 0644);
    snprintf(t, sizeof(t), "/proc/self/fd/%d", fd);
    char path[64];
    strcpy(path, t);
    assert_int_equal(rlink(w, path, t), 6);
    assert_string_equal(t, "/tmp/f");
    uint32_t fds = FAKE_SCRATCH + 0x300;
    assert_int_equal(SC1(w, LX_NR_pipe, fds), 0);
    snprintf(path, sizeof(path), "/proc/self/fd/%u", fake_read32(&w->space, fds));
    assert_true(rlink(w, path, t) > 0);
    assert_int_equal(strncmp(t, "pipe:[", 6), 0);
    assert_int_equal(t[strlen(t) - 1], ']');
    /* a short buffer cuts the name, as Linux's readlink does */
    assert_int_equal(SC3(w, LX_NR_readlink, fake_put_str(w, 0x100, "/proc/self/fd/0"), BUF, 4), 4);
    assert_memory_equal(fake_byte(&w->space, BUF), "/dev", 4);
}

/* /proc/self/fd lists the open descriptors as links; closing it frees the
 * snapshot and its entries (the teardown's leak check). */
static void fd_directory_lists_descriptors(void **state)
{
    fake_world_t *w = *state;
    int32_t fd = SC3(w, LX_NR_open, fake_put_str(w, 0x100, "/proc/self/fd"),
            LX_O_RDONLY | LX_O_DIRECTORY, 0);
    assert_true(fd >= 0);
    int32_t n = SC3(w, LX_NR_getdents64, fd, BUF, BUF_LEN);
    assert_true(n > 0);
    char names[64] = "";
    for (int32_t off = 0; off < n;) {
        const uint8_t *d = fake_byte(&w->space, BUF + (uint32_t)off);
        uint16_t reclen = (uint16_t)(d[16] | d[17] << 8);
        strcat(names, (const char *)d + 19);
        strcat(names, " ");
        off += reclen;
    }
    /* newest first: descriptors 0, 1, 2 (the console) and 3 (this one was
     * not open yet when the snapshot was made) */
    assert_string_equal(names, ". .. 2 1 0 ");
    assert_int_equal(SC1(w, LX_NR_close, fd), 0);
}

/* The names of a /proc directory, space-separated. */
static void list_dir(fake_world_t *w, const char *path, char *names, size_t size)
{
    int32_t fd = SC3(w, LX_NR_open, fake_put_str(w, 0x100, path), LX_O_RDONLY | LX_O_DIRECTORY,
            0);
    assert_true(fd >= 0);
    int32_t n = SC3(w, LX_NR_getdents64, fd, BUF, BUF_LEN);
    assert_true(n > 0);
    names[0] = '\0';
    for (int32_t off = 0; off < n;) {
        const uint8_t *d = fake_byte(&w->space, BUF + (uint32_t)off);
        uint16_t reclen = (uint16_t)(d[16] | d[17] << 8);
        assert_true(strlen(names) + strlen((const char *)d + 19) + 2 <= size);
        strcat(names, (const char *)d + 19);
        strcat(names, " ");
        off += reclen;
    }
    assert_int_equal(SC1(w, LX_NR_close, fd), 0);
}

/* /proc/<pid>/task: a directory per thread in tid order, each with the
 * thread's stat, status and comm; /proc/<pid>/comm. */
static void task_directory_lists_threads(void **state)
{
    fake_world_t *w = *state;
    lx_proc_t *p = &w->p;
    char names[128], want[128];
    int32_t err;
    const uint32_t flags = LX_CLONE_VM | LX_CLONE_FS | LX_CLONE_FILES | LX_CLONE_SIGHAND |
                           LX_CLONE_THREAD;

    list_dir(w, "/proc/self/task", names, sizeof(names));
    snprintf(want, sizeof(want), ". .. %u ", p->pid);
    assert_string_equal(names, want);
    int32_t t1 = SC2(w, LX_NR_clone, flags, 0x7000);
    int32_t t2 = SC2(w, LX_NR_clone, flags, 0x7000);
    assert_true(t1 > 0 && t2 > t1);
    p->new_thread = NULL;
    snprintf(want, sizeof(want), ". .. %u %d %d ", p->pid, t1, t2);
    list_dir(w, "/proc/self/task/", names, sizeof(names));
    assert_string_equal(names, want);
    snprintf(want, sizeof(want), "/proc/%u/task/%d", p->pid, t2);
    list_dir(w, want, names, sizeof(names));
    assert_string_equal(names, ". .. comm stat status ");

    snprintf(want, sizeof(want), "/proc/self/task/%d/status", t1);
    const char *s = slurp(w, want, &err);
    assert_int_equal(err, 0);
    snprintf(want, sizeof(want), "\nTgid:\t%u\nPid:\t%d\n", p->pid, t1);
    assert_non_null(strstr(s, want));
    assert_non_null(strstr(s, "Threads:\t3\n"));
    snprintf(want, sizeof(want), "/proc/self/task/%d/stat", t2);
    s = slurp(w, want, &err);
    snprintf(want, sizeof(want), "%d () R ", t2);
    assert_int_equal(strncmp(s, want, strlen(want)), 0);
    s = slurp(w, "/proc/self/comm", &err);
    assert_int_equal(err, 0);
    assert_string_equal(s, "\n");                  /* no image in the fake world */

    struct lx_stat64 st;
    snprintf(want, sizeof(want), "/proc/self/task/%d", t1);
    assert_int_equal(SC2(w, LX_NR_stat64, fake_put_str(w, 0x100, want), BUF), 0);
    memcpy(&st, fake_byte(&w->space, BUF), sizeof(st));
    assert_true(LX_S_ISDIR(st.st_mode));
    snprintf(want, sizeof(want), "/proc/self/task/%d", t2 + 1);
    assert_int_equal(SC3(w, LX_NR_open, fake_put_str(w, 0x100, want), LX_O_RDONLY, 0),
            -LX_ENOENT);
    snprintf(want, sizeof(want), "/proc/self/task/%d/maps", t1);
    assert_int_equal(SC3(w, LX_NR_open, fake_put_str(w, 0x100, want), LX_O_RDONLY, 0),
            -LX_ENOENT);
    slurp(w, "/proc/self/task/x/stat", &err);
    assert_int_equal(err, -LX_ENOENT);
}

/* stat describes a snapshot (files of size 0, as Linux's), lstat a link as
 * a link, stat what it names. */
static void stat_of_proc_names(void **state)
{
    fake_world_t *w = *state;
    struct lx_stat64 st;
    uint32_t ubuf = BUF;
    assert_int_equal(SC2(w, LX_NR_stat64, fake_put_str(w, 0x100, "/proc/meminfo"), ubuf), 0);
    memcpy(&st, fake_byte(&w->space, ubuf), sizeof(st));
    assert_true(LX_S_ISREG(st.st_mode));
    assert_int_equal(st.st_size, 0);
    assert_int_equal(SC2(w, LX_NR_stat64, fake_put_str(w, 0x100, "/proc/self/fd"), ubuf), 0);
    memcpy(&st, fake_byte(&w->space, ubuf), sizeof(st));
    assert_true(LX_S_ISDIR(st.st_mode));
    assert_int_equal(SC2(w, LX_NR_lstat64, fake_put_str(w, 0x100, "/proc/self/fd/1"), ubuf), 0);
    memcpy(&st, fake_byte(&w->space, ubuf), sizeof(st));
    assert_true(LX_S_ISLNK(st.st_mode));
    assert_int_equal(st.st_size, 12);                  /* "/dev/console" */
    assert_int_equal(SC2(w, LX_NR_stat64, fake_put_str(w, 0x100, "/proc/self/fd/1"), ubuf), 0);
    memcpy(&st, fake_byte(&w->space, ubuf), sizeof(st));
    assert_true(LX_S_ISCHR(st.st_mode));
    assert_int_equal(SC2(w, LX_NR_stat64, fake_put_str(w, 0x100, "/proc/self/nope"), ubuf),
            -LX_ENOENT);
    assert_int_equal(SC2(w, LX_NR_stat64, fake_put_str(w, 0x100, "/proc/self/fd/9"), ubuf),
            -LX_ENOENT);
}

static void refusals(void **state)
{
    fake_world_t *w = *state;
    char t[256];
    int32_t err;
    slurp(w, "/proc/999/status", &err);
    assert_int_equal(err, -LX_ENOENT);
    slurp(w, "/proc/self/environ", &err);
    assert_int_equal(err, -LX_ENOENT);
    slurp(w, "/proc/self", &err);
    assert_int_equal(err, -LX_ENOENT);
    assert_int_equal(SC3(w, LX_NR_open, fake_put_str(w, 0x100, "/proc/meminfo"), LX_O_WRONLY, 0),
            -LX_EACCES);
    assert_int_equal(rlink(w, "/proc/self/fd/77", t), -LX_ENOENT);
    assert_int_equal(rlink(w, "/proc/self/fd/0x", t), -LX_ENOENT);
    assert_int_equal(rlink(w, "/proc/self/exe", t), -LX_ENOENT);   /* never exec'd */
    assert_int_equal(rlink(w, "/proc/self/status", t), -LX_ENOENT);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(status_and_stat_describe_the_caller), T(cmdline_reads_the_stack),
        T(meminfo_uptime_and_maps), T(links_name_files), T(fd_directory_lists_descriptors),
        T(task_directory_lists_threads), T(stat_of_proc_names),
        T(refusals),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
