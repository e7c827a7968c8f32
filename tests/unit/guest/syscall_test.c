/* unit-test-sources: guest-stub/linux/syscall.c guest-stub/linux/sys_file.c guest-stub/linux/sys_poll.c guest-stub/linux/sys_path.c guest-stub/linux/sys_mem.c guest-stub/linux/sys_futex.c guest-stub/linux/procfs.c guest-stub/linux/sys_proc.c guest-stub/linux/sys_attr.c guest-stub/linux/sys_more.c guest-stub/linux/file.c guest-stub/linux/tty.c guest-stub/linux/signal.c guest-stub/linux/sigfpu.c guest-stub/linux/sys_signal.c guest-stub/linux/fs.c guest-stub/linux/pcache.c guest-stub/linux/kernel.c guest-stub/linux/proc.c guest-stub/linux/cpio.c guest-stub/linux/exec.c lib/elf.c tests/unit/guest/fake_host.c */
/*
 * The Linux personality's system calls, driven through lx_syscall() with
 * the registers a program would set, against the fake guest kernel's
 * process memory: results in EAX, bytes in the process's memory, the file
 * system afterwards, and the refusals (bad pointers, bad descriptors,
 * unknown numbers) Linux gives.
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
#include "linux/mman.h"
#include "linux/termios.h"
#include "linux/misc.h"

#define UNMAPPED 0x20000000u        /* nothing is ever mapped here */
#define O_RW_CREAT (LX_O_RDWR | LX_O_CREAT)

static int setup(void **state) { *state = fake_world_new(); return 0; }
static int teardown(void **state) { fake_world_free(*state); return 0; }

static int32_t open_path(fake_world_t *w, const char *path, uint32_t flags, uint32_t mode)
{
    return SC3(w, LX_NR_open, fake_put_str(w, 0x8000, path), flags, mode);
}

static int32_t stat_path(fake_world_t *w, const char *path, struct lx_stat64 *st, bool link)
{
    uint32_t buf = FAKE_SCRATCH + 0x9000;
    int32_t r = SC2(w, link ? LX_NR_lstat64 : LX_NR_stat64, fake_put_str(w, 0x8000, path), buf);
    memcpy(st, fake_byte(&w->space, buf), sizeof(*st));
    return r;
}

static void write_to_console(void **state)
{
    fake_world_t *w = *state;
    uint32_t msg = fake_put_str(w, 0, "hello\n");
    assert_int_equal(SC3(w, LX_NR_write, 1, msg, 6), 6);
    uint32_t iov[4] = { fake_put_str(w, 0x100, "ab"), 2, fake_put_str(w, 0x200, "cd\n"), 3 };
    assert_int_equal(SC3(w, LX_NR_writev, 2, fake_put(w, 0x300, iov, sizeof(iov)), 2), 5);
    assert_int_equal(w->host.out_len, 11);
    assert_memory_equal(w->host.out, "hello\nabcd\n", 11);
}

static void read_from_console(void **state)
{
    fake_world_t *w = *state;
    w->host.in = "ls\n";
    assert_int_equal(SC3(w, LX_NR_read, 0, FAKE_SCRATCH, 100), 3);
    assert_memory_equal(fake_byte(&w->space, FAKE_SCRATCH), "ls\n", 3);
}

static void bad_pointers_and_descriptors(void **state)
{
    fake_world_t *w = *state;
    assert_int_equal(SC3(w, LX_NR_write, 1, UNMAPPED, 4), -LX_EFAULT);
    assert_int_equal(SC3(w, LX_NR_write, 1, 0xfffffff0u, 0x20), -LX_EFAULT);  /* wraps */
    assert_int_equal(SC3(w, LX_NR_write, 1, 0xBFFFFFF0u, 0x20), -LX_EFAULT);  /* kernel half */
    assert_int_equal(SC3(w, LX_NR_read, 77, FAKE_SCRATCH, 4), -LX_EBADF);
    assert_int_equal(SC3(w, LX_NR_read, -1, FAKE_SCRATCH, 4), -LX_EBADF);
    assert_int_equal(SC1(w, LX_NR_close, 300), -LX_EBADF);
    assert_int_equal(SC3(w, LX_NR_open, UNMAPPED, 0, 0), -LX_EFAULT);
    assert_int_equal(SC1(w, LX_NR_uname, UNMAPPED), -LX_EFAULT);
    assert_int_equal(w->host.out_len, 0);
}

static void unknown_calls_log_once(void **state)
{
    fake_world_t *w = *state;
    assert_int_equal(SC0(w, 17 /* break: Linux has none either */), -LX_ENOSYS);
    assert_int_equal(SC0(w, 17), -LX_ENOSYS);
    assert_int_equal(SC0(w, LX_NR_MAX + 5), -LX_ENOSYS);
    assert_int_equal(SC0(w, 0xffffffffu), -LX_ENOSYS);
    assert_int_equal(SC0(w, 0xfffffff0u), -LX_ENOSYS);
    assert_int_equal(w->host.n_logs, 3);     /* 17, 455, then huge numbers share one slot */
    assert_string_equal(w->host.last_log, "linux: unknown system call");
    assert_int_equal(w->host.last_log_value, 0xffffffffu);
}

static void file_create_write_seek_read(void **state)
{
    fake_world_t *w = *state;
    int32_t fd = open_path(w, "/tmp/f", O_RW_CREAT, 0644);
    assert_int_equal(fd, 3);
    assert_int_equal(SC3(w, LX_NR_write, fd, fake_put_str(w, 0, "0123456789"), 10), 10);
    assert_int_equal(SC3(w, LX_NR_lseek, fd, 2, LX_SEEK_SET), 2);
    assert_int_equal(SC3(w, LX_NR_read, fd, FAKE_SCRATCH + 0x100, 4), 4);
    assert_memory_equal(fake_byte(&w->space, FAKE_SCRATCH + 0x100), "2345", 4);
    /* _llseek to 1 before the end, result in a 64-bit word */
    assert_int_equal(SC5(w, LX_NR__llseek, fd, 0xffffffffu, -1, FAKE_SCRATCH + 0x200, LX_SEEK_END), 0);
    assert_int_equal(fake_read32(&w->space, FAKE_SCRATCH + 0x200), 9);
    assert_int_equal(SC3(w, LX_NR_read, fd, FAKE_SCRATCH + 0x100, 100), 1);
    assert_int_equal(SC3(w, LX_NR_read, fd, FAKE_SCRATCH + 0x100, 100), 0);
    assert_int_equal(SC3(w, LX_NR_lseek, fd, -20, LX_SEEK_CUR), -LX_EINVAL);
    assert_int_equal(SC1(w, LX_NR_close, fd), 0);
    /* O_EXCL, O_TRUNC, O_APPEND, O_DIRECTORY */
    assert_int_equal(open_path(w, "/tmp/f", O_RW_CREAT | LX_O_EXCL, 0644), -LX_EEXIST);
    fd = open_path(w, "/tmp/f", LX_O_WRONLY | LX_O_APPEND, 0);
    assert_int_equal(SC3(w, LX_NR_write, fd, fake_put_str(w, 0, "AB"), 2), 2);
    struct lx_stat64 st;
    assert_int_equal(stat_path(w, "/tmp/f", &st, false), 0);
    assert_int_equal(st.st_size, 12);
    assert_int_equal(open_path(w, "/tmp/f", LX_O_RDWR | LX_O_TRUNC, 0), 4);
    assert_int_equal(stat_path(w, "/tmp/f", &st, false), 0);
    assert_int_equal(st.st_size, 0);
    assert_int_equal(open_path(w, "/tmp/f", LX_O_DIRECTORY, 0), -LX_ENOTDIR);
    assert_int_equal(open_path(w, "/tmp", LX_O_RDWR, 0), -LX_EISDIR);
    assert_int_equal(open_path(w, "/nope/f", O_RW_CREAT, 0644), -LX_ENOENT);
    assert_int_equal(SC3(w, LX_NR_read, fd, FAKE_SCRATCH, 1), -LX_EBADF);  /* write-only */
}

static void stat_reports_modes_and_umask(void **state)
{
    fake_world_t *w = *state;
    struct lx_stat64 st;
    assert_int_equal(SC1(w, LX_NR_umask, 027), 022);
    int32_t fd = open_path(w, "/tmp/g", O_RW_CREAT, 0666);
    assert_true(fd >= 0);
    assert_int_equal(SC3(w, LX_NR_write, fd, fake_put_str(w, 0, "xyz"), 3), 3);
    assert_int_equal(stat_path(w, "/tmp/g", &st, false), 0);
    assert_int_equal(st.st_mode, LX_S_IFREG | 0640);
    assert_int_equal(st.st_size, 3);
    assert_int_equal(st.st_nlink, 1);
    assert_int_equal(st.st_blksize, 4096);
    assert_int_equal(st.st_mtime_sec, (uint32_t)(FAKE_REALTIME / 1000000000u));
    assert_int_equal(st.st_ino, st.st_ino_32);
    /* fstat64 agrees, fstatat64 with AT_EMPTY_PATH too */
    uint32_t buf = FAKE_SCRATCH + 0xA000;
    assert_int_equal(SC2(w, LX_NR_fstat64, fd, buf), 0);
    assert_memory_equal(fake_byte(&w->space, buf), &st, sizeof(st));
    assert_int_equal(SC4(w, LX_NR_fstatat64, fd, fake_put_str(w, 0, ""), buf, LX_AT_EMPTY_PATH), 0);
    assert_memory_equal(fake_byte(&w->space, buf), &st, sizeof(st));
    /* statx says the same as stat64 */
    struct lx_statx sx;
    uint32_t sxbuf = FAKE_SCRATCH + 0xB000;
    assert_int_equal(SC5(w, LX_NR_statx, LX_AT_FDCWD, fake_put_str(w, 0, "/tmp/g"), 0, 0x7ff,
                         sxbuf), 0);
    memcpy(&sx, fake_byte(&w->space, sxbuf), sizeof(sx));
    assert_int_equal(sx.stx_mask, 0x7ff);
    assert_int_equal(sx.stx_mode, st.st_mode);
    assert_int_equal(sx.stx_size, 3);
    assert_int_equal(sx.stx_ino, st.st_ino);
    assert_int_equal(sx.stx_nlink, 1);
    assert_int_equal(sx.stx_mtime.tv_sec, st.st_mtime_sec);
    assert_int_equal(sx.stx_blocks, st.st_blocks);
    assert_int_equal(SC5(w, LX_NR_statx, fd, fake_put_str(w, 0, ""), LX_AT_EMPTY_PATH, 0x7ff,
                         sxbuf), 0);
    assert_int_equal(((struct lx_statx *)fake_byte(&w->space, sxbuf))->stx_ino, st.st_ino);
    assert_int_equal(SC5(w, LX_NR_statx, LX_AT_FDCWD, fake_put_str(w, 0, "/dev/zero"), 0, 0x7ff,
                         sxbuf), 0);
    memcpy(&sx, fake_byte(&w->space, sxbuf), sizeof(sx));
    assert_int_equal(sx.stx_rdev_major, 1);
    assert_int_equal(sx.stx_rdev_minor, 5);
    assert_int_equal(SC5(w, LX_NR_statx, LX_AT_FDCWD, fake_put_str(w, 0, "/tmp/g"), 0x6000, 0x7ff,
                         sxbuf), -LX_EINVAL);
    assert_int_equal(SC5(w, LX_NR_statx, LX_AT_FDCWD, fake_put_str(w, 0, "/tmp/g"), 0, 0x7ff,
                         UNMAPPED), -LX_EFAULT);
    assert_int_equal(stat_path(w, "/dev/null", &st, false), 0);
    assert_int_equal(st.st_mode, LX_S_IFCHR | 0666);
    assert_int_equal(st.st_rdev, LX_MKDEV(1, 3));
    assert_int_equal(stat_path(w, "/tmp", &st, false), 0);
    assert_int_equal(st.st_mode, LX_S_IFDIR | 01777);
    assert_int_equal(stat_path(w, "/missing", &st, false), -LX_ENOENT);
    assert_int_equal(stat_path(w, "/tmp/g/x", &st, false), -LX_ENOTDIR);
}

static void directories_links_and_rename(void **state)
{
    fake_world_t *w = *state;
    struct lx_stat64 st;
    uint32_t a = fake_put_str(w, 0, "/tmp/d"), b = fake_put_str(w, 0x100, "/tmp/d/sub");
    assert_int_equal(SC2(w, LX_NR_mkdir, a, 0755), 0);
    assert_int_equal(SC2(w, LX_NR_mkdir, a, 0755), -LX_EEXIST);
    assert_int_equal(SC2(w, LX_NR_mkdir, b, 0700), 0);
    assert_int_equal(SC1(w, LX_NR_rmdir, a), -LX_ENOTEMPTY);
    assert_int_equal(SC1(w, LX_NR_rmdir, fake_put_str(w, 0x200, "/tmp/d/.")), -LX_EINVAL);
    assert_int_equal(SC1(w, LX_NR_rmdir, fake_put_str(w, 0x200, "/tmp/d/sub/..")), -LX_ENOTEMPTY);
    assert_int_equal(SC1(w, LX_NR_rmdir, fake_put_str(w, 0x200, "/")), -LX_EBUSY);
    assert_int_equal(stat_path(w, "/tmp/d", &st, false), 0);
    assert_int_equal(st.st_nlink, 3);            /* ".", its name, sub's ".." */
    int32_t fd = open_path(w, "/tmp/d/file", O_RW_CREAT, 0600);
    SC3(w, LX_NR_write, fd, fake_put_str(w, 0x200, "data"), 4);
    SC1(w, LX_NR_close, fd);
    /* hard link, symlink, readlink */
    assert_int_equal(SC2(w, LX_NR_link, fake_put_str(w, 0x200, "/tmp/d/file"),
                         fake_put_str(w, 0x300, "/tmp/d/hard")), 0);
    assert_int_equal(stat_path(w, "/tmp/d/hard", &st, false), 0);
    assert_int_equal(st.st_nlink, 2);
    assert_int_equal(SC2(w, LX_NR_symlink, fake_put_str(w, 0x200, "sub/../file"),
                         fake_put_str(w, 0x300, "/tmp/d/sym")), 0);
    assert_int_equal(stat_path(w, "/tmp/d/sym", &st, false), 0);
    assert_int_equal(st.st_size, 4);             /* followed to file */
    assert_int_equal(stat_path(w, "/tmp/d/sym", &st, true), 0);
    assert_int_equal(st.st_mode, LX_S_IFLNK | 0777);
    assert_int_equal(SC3(w, LX_NR_readlink, fake_put_str(w, 0x300, "/tmp/d/sym"),
                         FAKE_SCRATCH + 0x400, 100), 11);
    assert_memory_equal(fake_byte(&w->space, FAKE_SCRATCH + 0x400), "sub/../file", 11);
    assert_int_equal(SC3(w, LX_NR_readlink, fake_put_str(w, 0x300, "/tmp/d/file"),
                         FAKE_SCRATCH + 0x400, 100), -LX_EINVAL);
    /* a symlink loop */
    SC2(w, LX_NR_symlink, fake_put_str(w, 0x200, "loop"), fake_put_str(w, 0x300, "/tmp/d/loop"));
    assert_int_equal(stat_path(w, "/tmp/d/loop", &st, false), -LX_ELOOP);
    SC1(w, LX_NR_unlink, fake_put_str(w, 0x300, "/tmp/d/loop"));
    /* renaming a hard link onto its twin changes nothing, as on Linux */
    assert_int_equal(SC2(w, LX_NR_rename, fake_put_str(w, 0x200, "/tmp/d/file"),
                         fake_put_str(w, 0x300, "/tmp/d/hard")), 0);
    assert_int_equal(stat_path(w, "/tmp/d/file", &st, false), 0);
    /* rename over an existing name: the old inode loses a link */
    fd = open_path(w, "/tmp/d/other", O_RW_CREAT, 0600);
    SC3(w, LX_NR_write, fd, fake_put_str(w, 0x200, "xy"), 2);
    assert_int_equal(SC2(w, LX_NR_rename, fake_put_str(w, 0x200, "/tmp/d/other"),
                         fake_put_str(w, 0x300, "/tmp/d/hard")), 0);
    assert_int_equal(stat_path(w, "/tmp/d/other", &st, false), -LX_ENOENT);
    assert_int_equal(stat_path(w, "/tmp/d/hard", &st, false), 0);
    assert_int_equal(st.st_size, 2);
    assert_int_equal(stat_path(w, "/tmp/d/file", &st, false), 0);
    assert_int_equal(st.st_nlink, 1);
    /* a directory into itself: refused */
    assert_int_equal(SC2(w, LX_NR_rename, a, b), -LX_EINVAL);
    assert_int_equal(SC2(w, LX_NR_rename, b, fake_put_str(w, 0x300, "/tmp/moved")), 0);
    assert_int_equal(stat_path(w, "/tmp/moved", &st, false), 0);
    assert_true(LX_S_ISDIR(st.st_mode));
    /* unlink and rmdir */
    assert_int_equal(SC1(w, LX_NR_unlink, a), -LX_EISDIR);
    assert_int_equal(SC1(w, LX_NR_rmdir, fake_put_str(w, 0x300, "/tmp/d/hard")), -LX_ENOTDIR);
    assert_int_equal(SC1(w, LX_NR_unlink, fake_put_str(w, 0x300, "/tmp/d/hard")), 0);
    assert_int_equal(SC1(w, LX_NR_unlink, fake_put_str(w, 0x300, "/tmp/d/sym")), 0);
    assert_int_equal(SC1(w, LX_NR_rmdir, a), -LX_ENOTEMPTY);
    assert_int_equal(SC1(w, LX_NR_unlink, fake_put_str(w, 0x300, "/tmp/d/file")), 0);
    assert_int_equal(SC1(w, LX_NR_rmdir, a), 0);
    assert_int_equal(SC3(w, LX_NR_unlinkat, LX_AT_FDCWD, fake_put_str(w, 0x300, "/tmp/moved"),
                         LX_AT_REMOVEDIR), 0);
    assert_int_equal(stat_path(w, "/tmp/d", &st, false), -LX_ENOENT);
}

static void unlinked_open_file_keeps_its_bytes(void **state)
{
    fake_world_t *w = *state;
    uint64_t before = w->host.heap_used;
    int32_t fd = open_path(w, "/tmp/u", O_RW_CREAT, 0600);
    SC3(w, LX_NR_write, fd, fake_put_str(w, 0, "keep"), 4);
    assert_int_equal(SC1(w, LX_NR_unlink, fake_put_str(w, 0x100, "/tmp/u")), 0);
    assert_int_equal(SC3(w, LX_NR_lseek, fd, 0, LX_SEEK_SET), 0);
    assert_int_equal(SC3(w, LX_NR_read, fd, FAKE_SCRATCH + 0x200, 10), 4);
    assert_memory_equal(fake_byte(&w->space, FAKE_SCRATCH + 0x200), "keep", 4);
    assert_int_equal(SC1(w, LX_NR_close, fd), 0);
    assert_int_equal(w->host.heap_used, before);     /* everything given back */
    assert_int_equal(w->k.mem_used, before);
}

static void cwd_and_relative_paths(void **state)
{
    fake_world_t *w = *state;
    struct lx_stat64 st;
    assert_int_equal(SC2(w, LX_NR_getcwd, FAKE_SCRATCH + 0x400, 100), 2);
    assert_string_equal((char *)fake_byte(&w->space, FAKE_SCRATCH + 0x400), "/");
    SC2(w, LX_NR_mkdir, fake_put_str(w, 0, "/tmp/a"), 0755);
    SC2(w, LX_NR_mkdir, fake_put_str(w, 0, "/tmp/a/b"), 0755);
    assert_int_equal(SC1(w, LX_NR_chdir, fake_put_str(w, 0, "/tmp/a/b")), 0);
    assert_int_equal(SC2(w, LX_NR_getcwd, FAKE_SCRATCH + 0x400, 100), 9);
    assert_string_equal((char *)fake_byte(&w->space, FAKE_SCRATCH + 0x400), "/tmp/a/b");
    assert_int_equal(SC2(w, LX_NR_getcwd, FAKE_SCRATCH + 0x400, 5), -LX_ERANGE);
    assert_int_equal(open_path(w, "../f", O_RW_CREAT, 0644), 3);
    assert_int_equal(stat_path(w, "/tmp/a/f", &st, false), 0);
    /* openat relative to a directory descriptor, fchdir to it */
    int32_t dfd = open_path(w, "/dev", LX_O_RDONLY | LX_O_DIRECTORY, 0);
    assert_int_equal(SC4(w, LX_NR_openat, dfd, fake_put_str(w, 0, "zero"), LX_O_RDONLY, 0), 5);
    fake_put_str(w, 0x500, "junkjunk");
    assert_int_equal(SC3(w, LX_NR_read, 5, FAKE_SCRATCH + 0x500, 8), 8);
    assert_int_equal(fake_read32(&w->space, FAKE_SCRATCH + 0x500), 0);
    assert_int_equal(SC1(w, LX_NR_fchdir, dfd), 0);
    assert_int_equal(stat_path(w, "console", &st, false), 0);
    assert_int_equal(SC1(w, LX_NR_chdir, fake_put_str(w, 0, "/dev/null")), -LX_ENOTDIR);
    /* a removed current directory: no path, nothing can be made in it */
    assert_int_equal(SC1(w, LX_NR_chdir, fake_put_str(w, 0, "/tmp/a/b")), 0);
    assert_int_equal(SC1(w, LX_NR_rmdir, fake_put_str(w, 0, "/tmp/a/b")), 0);
    assert_int_equal(SC1(w, LX_NR_unlink, fake_put_str(w, 0, "/tmp/a/f")), 0);
    assert_int_equal(SC1(w, LX_NR_rmdir, fake_put_str(w, 0, "/tmp/a")), 0);
    assert_int_equal(SC2(w, LX_NR_getcwd, FAKE_SCRATCH + 0x400, 100), -LX_ENOENT);
    assert_int_equal(open_path(w, "new", O_RW_CREAT, 0644), -LX_ENOENT);
    assert_int_equal(stat_path(w, "..", &st, false), 0);
    assert_int_equal(SC1(w, LX_NR_chdir, fake_put_str(w, 0, "/")), 0);
}

/* getdents64 lists ".", ".." and every entry once, across short buffers. */
static void getdents_lists_everything(void **state)
{
    fake_world_t *w = *state;
    int32_t fd = open_path(w, "/dev", LX_O_RDONLY | LX_O_DIRECTORY, 0);
    uint32_t buf = FAKE_SCRATCH + 0x1000, seen = 0, calls = 0;
    int32_t n;
    while ((n = SC3(w, LX_NR_getdents64, fd, buf, 56)) > 0) {
        calls++;
        for (int32_t off = 0; off < n;) {
            struct lx_dirent64 *d = (struct lx_dirent64 *)fake_byte(&w->space, buf + (uint32_t)off);
            assert_int_equal(d->d_reclen % 8, 0);
            if (!strcmp(d->d_name, "null")) {
                seen |= 1;
                assert_int_equal(d->d_type, LX_DT_CHR);
            }
            seen |= !strcmp(d->d_name, "zero") ? 2 : !strcmp(d->d_name, "tty") ? 4 : 0;
            seen |= !strcmp(d->d_name, "console") ? 8 : !strcmp(d->d_name, "..") ? 32 : 0;
            if (!strcmp(d->d_name, ".")) {
                seen |= 16;
                assert_int_equal(d->d_type, LX_DT_DIR);
            }
            off += d->d_reclen;
        }
    }
    assert_int_equal(n, 0);
    assert_int_equal(seen, 63);
    assert_true(calls >= 3);                    /* 56 bytes hold two records at most */
    assert_int_equal(SC3(w, LX_NR_getdents64, fd, buf, 10), 0);
    assert_int_equal(SC3(w, LX_NR_lseek, fd, 0, LX_SEEK_SET), 0);
    assert_int_equal(SC3(w, LX_NR_getdents64, fd, buf, 10), -LX_EINVAL);  /* too small */
    assert_int_equal(SC3(w, LX_NR_getdents64, 1, buf, 100), -LX_ENOTDIR);
}

static void dup_and_fcntl(void **state)
{
    fake_world_t *w = *state;
    int32_t fd = open_path(w, "/tmp/x", O_RW_CREAT, 0644);
    assert_int_equal(SC1(w, LX_NR_dup, fd), 4);
    assert_int_equal(SC2(w, LX_NR_dup2, fd, 10), 10);
    assert_int_equal(SC2(w, LX_NR_dup2, 10, 10), 10);
    assert_int_equal(SC3(w, LX_NR_dup3, fd, 11, LX_O_CLOEXEC), 11);
    assert_int_equal(SC3(w, LX_NR_dup3, fd, fd, 0), -LX_EINVAL);
    assert_int_equal(SC2(w, LX_NR_fcntl64, 11, LX_F_GETFD), LX_FD_CLOEXEC);
    assert_int_equal(SC2(w, LX_NR_fcntl64, 10, LX_F_GETFD), 0);
    assert_int_equal(SC3(w, LX_NR_fcntl64, fd, LX_F_DUPFD, 20), 20);
    assert_int_equal(SC3(w, LX_NR_fcntl64, fd, LX_F_DUPFD_CLOEXEC, 20), 21);
    assert_int_equal(SC2(w, LX_NR_fcntl64, 21, LX_F_GETFD), LX_FD_CLOEXEC);
    assert_int_equal(SC2(w, LX_NR_fcntl64, fd, LX_F_GETFL) & LX_O_ACCMODE, LX_O_RDWR);
    assert_int_equal(SC3(w, LX_NR_fcntl64, fd, LX_F_SETFL, LX_O_APPEND), 0);
    assert_true(SC2(w, LX_NR_fcntl64, 10, LX_F_GETFL) & LX_O_APPEND);  /* shared description */
    /* the position is shared too */
    SC3(w, LX_NR_write, 10, fake_put_str(w, 0, "abc"), 3);
    assert_int_equal(SC3(w, LX_NR_lseek, 4, 0, LX_SEEK_CUR), 3);
    assert_int_equal(SC2(w, LX_NR_fcntl64, fd, 999), -LX_EINVAL);
}

static void pipes_carry_bytes(void **state)
{
    fake_world_t *w = *state;
    uint32_t fds = FAKE_SCRATCH + 0x600;
    assert_int_equal(SC1(w, LX_NR_pipe, fds), 0);
    int32_t r = (int32_t)fake_read32(&w->space, fds), wr = (int32_t)fake_read32(&w->space, fds + 4);
    assert_int_equal(r, 3);
    assert_int_equal(wr, 4);
    assert_int_equal(SC3(w, LX_NR_read, r, FAKE_SCRATCH, 4), LX_BLOCK);   /* parked */
    assert_true(w->p.retrying);
    assert_int_equal(SC3(w, LX_NR_fcntl64, r, LX_F_SETFL, LX_O_NONBLOCK), 0);
    assert_int_equal(SC3(w, LX_NR_read, r, FAKE_SCRATCH, 4), -LX_EAGAIN);
    assert_false(w->p.retrying);
    assert_int_equal(SC3(w, LX_NR_fcntl64, r, LX_F_SETFL, 0), 0);
    assert_int_equal(SC3(w, LX_NR_write, wr, fake_put_str(w, 0, "piped"), 5), 5);
    assert_int_equal(SC3(w, LX_NR_write, r, FAKE_SCRATCH, 1), -LX_EBADF);
    assert_int_equal(SC3(w, LX_NR_read, r, FAKE_SCRATCH + 0x100, 3), 3);
    assert_int_equal(SC3(w, LX_NR_read, r, FAKE_SCRATCH + 0x103, 9), 2);
    assert_memory_equal(fake_byte(&w->space, FAKE_SCRATCH + 0x100), "piped", 5);
    assert_int_equal(SC3(w, LX_NR_lseek, r, 0, LX_SEEK_SET), -LX_ESPIPE);
    assert_int_equal(SC1(w, LX_NR_close, wr), 0);
    assert_int_equal(SC3(w, LX_NR_read, r, FAKE_SCRATCH, 4), 0);      /* end of file */
    assert_int_equal(SC2(w, LX_NR_pipe2, fds, LX_O_CLOEXEC), 0);
    uint32_t r2 = fake_read32(&w->space, fds), w2 = fake_read32(&w->space, fds + 4);
    assert_int_equal(SC2(w, LX_NR_fcntl64, r2, LX_F_GETFD), LX_FD_CLOEXEC);
    SC1(w, LX_NR_close, r2);
    assert_int_equal(SC3(w, LX_NR_write, w2, fake_put_str(w, 0, "x"), 1), -LX_EPIPE);
    assert_int_equal(SC2(w, LX_NR_pipe2, fds, 0x40000000u), -LX_EINVAL);
    assert_int_equal(SC1(w, LX_NR_pipe, UNMAPPED), -LX_EFAULT);
}

static void terminal_ioctls(void **state)
{
    fake_world_t *w = *state;
    uint32_t buf = FAKE_SCRATCH + 0x700;
    struct lx_termios t;
    struct lx_winsize ws;
    assert_int_equal(SC3(w, LX_NR_ioctl, 0, LX_TCGETS, buf), 0);
    memcpy(&t, fake_byte(&w->space, buf), sizeof(t));
    assert_true(t.c_lflag & LX_ICANON);
    assert_true(t.c_lflag & LX_ECHO);
    assert_int_equal(t.c_cc[LX_VINTR], 3);
    assert_int_equal(t.c_cc[LX_VEOF], 4);
    t.c_lflag &= ~(uint32_t)LX_ECHO;
    fake_put(w, 0x700, &t, sizeof(t));
    assert_int_equal(SC3(w, LX_NR_ioctl, 1, LX_TCSETSW, buf), 0);
    memset(fake_byte(&w->space, buf), 0, sizeof(t));
    assert_int_equal(SC3(w, LX_NR_ioctl, 2, LX_TCGETS, buf), 0);
    memcpy(&t, fake_byte(&w->space, buf), sizeof(t));
    assert_false(t.c_lflag & LX_ECHO);
    assert_int_equal(SC3(w, LX_NR_ioctl, 1, LX_TIOCGWINSZ, buf), 0);
    memcpy(&ws, fake_byte(&w->space, buf), sizeof(ws));
    assert_int_equal(ws.ws_row, 24);
    assert_int_equal(ws.ws_col, 80);
    assert_int_equal(SC3(w, LX_NR_ioctl, 0, LX_TIOCGPGRP, buf), 0);
    assert_int_equal(fake_read32(&w->space, buf), w->p.pgid);
    int32_t fd = open_path(w, "/tmp/nottty", O_RW_CREAT, 0644);
    assert_int_equal(SC3(w, LX_NR_ioctl, fd, LX_TCGETS, buf), -LX_ENOTTY);
    assert_int_equal(SC3(w, LX_NR_ioctl, 0, 0x12345678, buf), -LX_ENOTTY);
    assert_int_equal(SC3(w, LX_NR_ioctl, 0, LX_TCGETS, UNMAPPED), -LX_EFAULT);
}

static void access_checks(void **state)
{
    fake_world_t *w = *state;
    open_path(w, "/tmp/plain", O_RW_CREAT, 0644);
    assert_int_equal(SC2(w, LX_NR_access, fake_put_str(w, 0, "/tmp/plain"), LX_R_OK | LX_W_OK), 0);
    assert_int_equal(SC2(w, LX_NR_access, fake_put_str(w, 0, "/tmp/plain"), LX_X_OK), -LX_EACCES);
    assert_int_equal(SC2(w, LX_NR_access, fake_put_str(w, 0, "/tmp"), LX_X_OK), 0);
    assert_int_equal(SC2(w, LX_NR_access, fake_put_str(w, 0, "/none"), LX_F_OK), -LX_ENOENT);
    assert_int_equal(SC2(w, LX_NR_access, fake_put_str(w, 0, "/tmp"), 8), -LX_EINVAL);
    assert_int_equal(SC4(w, LX_NR_faccessat, LX_AT_FDCWD, fake_put_str(w, 0, "tmp"), LX_F_OK, 0), 0);
}

static void attributes_change(void **state)
{
    fake_world_t *w = *state;
    struct lx_stat64 st;
    uint32_t path = fake_put_str(w, 0x100, "/tmp/attr");
    int32_t fd = open_path(w, "/tmp/attr", O_RW_CREAT, 0644);
    SC3(w, LX_NR_write, fd, fake_put_str(w, 0, "0123456789"), 10);
    /* permission bits change, the type stays */
    assert_int_equal(SC2(w, LX_NR_chmod, path, 0100751), 0);
    assert_int_equal(stat_path(w, "/tmp/attr", &st, false), 0);
    assert_int_equal(st.st_mode, LX_S_IFREG | 0751);
    assert_int_equal(SC2(w, LX_NR_fchmod, fd, 0600), 0);
    assert_int_equal(stat_path(w, "/tmp/attr", &st, false), 0);
    assert_int_equal(st.st_mode, LX_S_IFREG | 0600);
    assert_int_equal(SC3(w, LX_NR_fchmodat, LX_AT_FDCWD, fake_put_str(w, 0x200, "tmp"), 0700), 0);
    assert_int_equal(stat_path(w, "/tmp", &st, false), 0);
    assert_int_equal(st.st_mode, LX_S_IFDIR | 0700);
    assert_int_equal(SC2(w, LX_NR_chmod, fake_put_str(w, 0x200, "/none"), 0600), -LX_ENOENT);
    /* lengths: shorter, longer (zeros), 64-bit forms, refusals */
    assert_int_equal(SC2(w, LX_NR_truncate, path, 4), 0);
    assert_int_equal(stat_path(w, "/tmp/attr", &st, false), 0);
    assert_int_equal(st.st_size, 4);
    assert_int_equal(SC3(w, LX_NR_ftruncate64, fd, 8, 0), 0);
    assert_int_equal(SC3(w, LX_NR_lseek, fd, 0, LX_SEEK_SET), 0);
    assert_int_equal(SC3(w, LX_NR_read, fd, FAKE_SCRATCH + 0x300, 100), 8);
    assert_memory_equal(fake_byte(&w->space, FAKE_SCRATCH + 0x300), "0123\0\0\0\0", 8);
    assert_int_equal(SC3(w, LX_NR_truncate64, path, 0, 1), -LX_EFBIG);
    assert_int_equal(SC2(w, LX_NR_ftruncate, fd, -1), -LX_EINVAL);
    assert_int_equal(SC2(w, LX_NR_truncate, fake_put_str(w, 0x200, "/tmp"), 0), -LX_EISDIR);
    int32_t ro = open_path(w, "/tmp/attr", LX_O_RDONLY, 0);
    assert_int_equal(SC2(w, LX_NR_ftruncate, ro, 0), -LX_EINVAL);
    assert_int_equal(SC2(w, LX_NR_ftruncate, 99, 0), -LX_EBADF);
    /* times: explicit, UTIME_OMIT, NULL (now), futimens form */
    int32_t times[4] = { 5, 0, 1234567, 0 };
    uint32_t ut = fake_put(w, 0x400, times, sizeof(times));
    assert_int_equal(SC4(w, LX_NR_utimensat, LX_AT_FDCWD, path, ut, 0), 0);
    assert_int_equal(stat_path(w, "/tmp/attr", &st, false), 0);
    assert_int_equal(st.st_mtime_sec, 1234567);
    times[3] = (1 << 30) - 2;
    ut = fake_put(w, 0x400, times, sizeof(times));
    assert_int_equal(SC4(w, LX_NR_utimensat, LX_AT_FDCWD, path, ut, 0), 0);
    assert_int_equal(stat_path(w, "/tmp/attr", &st, false), 0);
    assert_int_equal(st.st_mtime_sec, 1234567);
    assert_int_equal(SC4(w, LX_NR_utimensat, fd, 0, 0, 0), 0);
    assert_int_equal(stat_path(w, "/tmp/attr", &st, false), 0);
    assert_int_equal(st.st_mtime_sec, (uint32_t)(FAKE_REALTIME / 1000000000u));
    times[3] = 1000000000;
    ut = fake_put(w, 0x400, times, sizeof(times));
    assert_int_equal(SC4(w, LX_NR_utimensat, LX_AT_FDCWD, path, ut, 0), -LX_EINVAL);
    assert_int_equal(SC4(w, LX_NR_utimensat, LX_AT_FDCWD, path, UNMAPPED, 0), -LX_EFAULT);
    /* madvise only advises */
    assert_int_equal(SC3(w, LX_NR_madvise, 0x30000000, 4096, 4), 0);
    assert_int_equal(SC3(w, LX_NR_madvise, 0x30000001, 4096, 4), -LX_EINVAL);
}

static void brk_grows_and_shrinks(void **state)
{
    fake_world_t *w = *state;
    w->p.brk_start = w->p.brk = 0x08100000;
    assert_int_equal(SC1(w, LX_NR_brk, 0), 0x08100000);
    assert_int_equal(SC1(w, LX_NR_brk, 0x08100000 + 65536 + 10), 0x08100000 + 65536 + 10);
    assert_non_null(fake_byte(&w->space, 0x08100000 + 65536));
    assert_int_equal(fake_prot(&w->space, 0x08100000), LX_PROT_READ | LX_PROT_WRITE);
    assert_int_equal(SC1(w, LX_NR_brk, 0x08100000 + 4096), 0x08100000 + 4096);
    assert_null(fake_byte(&w->space, 0x08100000 + 4096));
    assert_non_null(fake_byte(&w->space, 0x08100000));
    assert_int_equal(SC1(w, LX_NR_brk, 0x08000000), 0x08100000 + 4096);   /* below start */
    assert_int_equal(SC1(w, LX_NR_brk, 0xD0000000u), 0x08100000 + 4096);  /* kernel half */
}

static void mmap_anonymous_and_file(void **state)
{
    fake_world_t *w = *state;
    uint32_t rw = LX_PROT_READ | LX_PROT_WRITE, priv_anon = LX_MAP_PRIVATE | LX_MAP_ANONYMOUS;
    int32_t a = SC6(w, LX_NR_mmap2, 0, 65536, rw, priv_anon, -1, 0);
    assert_false(LX_IS_ERR(a));
    assert_int_equal((uint32_t)a % 4096, 0);
    assert_non_null(fake_byte(&w->space, (uint32_t)a + 65535));
    assert_int_equal(*fake_byte(&w->space, (uint32_t)a + 100), 0);
    int32_t b = SC6(w, LX_NR_mmap2, 0, 100, LX_PROT_READ, priv_anon, -1, 0);
    assert_true((uint32_t)b + 4096 <= (uint32_t)a || (uint32_t)b >= (uint32_t)a + 65536);
    assert_int_equal(fake_prot(&w->space, (uint32_t)b), LX_PROT_READ);
    /* mprotect part of a, munmap a hole in it */
    assert_int_equal(SC3(w, LX_NR_mprotect, (uint32_t)a + 4096, 4096, LX_PROT_READ), 0);
    assert_int_equal(fake_prot(&w->space, (uint32_t)a + 4096), LX_PROT_READ);
    assert_int_equal(fake_prot(&w->space, (uint32_t)a + 8192), rw);
    assert_int_equal(SC2(w, LX_NR_munmap, (uint32_t)a + 8192, 8192), 0);
    assert_null(fake_byte(&w->space, (uint32_t)a + 8192));
    assert_non_null(fake_byte(&w->space, (uint32_t)a + 16384));
    assert_int_equal(SC3(w, LX_NR_mprotect, (uint32_t)a, 65536, LX_PROT_READ), -LX_ENOMEM);
    assert_int_equal(SC2(w, LX_NR_munmap, (uint32_t)a + 1, 4096), -LX_EINVAL);
    /* MAP_FIXED, then MAP_FIXED_NOREPLACE on top of it */
    int32_t f = SC6(w, LX_NR_mmap2, 0x30000000, 8192, rw, priv_anon | LX_MAP_FIXED, -1, 0);
    assert_int_equal(f, 0x30000000);
    assert_int_equal(SC6(w, LX_NR_mmap2, 0x30000000, 4096, rw,
                         priv_anon | LX_MAP_FIXED_NOREPLACE, -1, 0), -LX_EEXIST);
    /* a private file mapping of the file's second page */
    int32_t fd = open_path(w, "/tmp/m", O_RW_CREAT, 0644);
    static char page2[5000];
    memset(page2, 'q', sizeof(page2));
    memcpy(page2 + 4096, "second", 6);
    for (uint32_t off = 0; off < sizeof(page2); off += 1000)
        SC3(w, LX_NR_write, fd, fake_put(w, 0x1000, page2 + off, 1000), 1000);
    int32_t m = SC6(w, LX_NR_mmap2, 0, 4096, LX_PROT_READ, LX_MAP_PRIVATE, fd, 1);
    assert_false(LX_IS_ERR(m));
    assert_null(fake_byte(&w->space, (uint32_t)m));     /* nothing mapped before the fault */
    assert_int_equal(lx_file_fault(&w->p, (uint32_t)m + 10, true), -LX_EFAULT);  /* read-only */
    assert_int_equal(lx_file_fault(&w->p, (uint32_t)m + 10, false), 0);
    assert_memory_equal(fake_byte(&w->space, (uint32_t)m), "second", 6);
    assert_int_equal(*fake_byte(&w->space, (uint32_t)m + 903), 'q');
    assert_int_equal(*fake_byte(&w->space, (uint32_t)m + 904), 0);   /* past the end: zero */
    assert_int_equal(fake_prot(&w->space, (uint32_t)m), LX_PROT_READ);
    assert_int_equal(SC6(w, LX_NR_mmap2, 0, 4096, LX_PROT_WRITE, LX_MAP_SHARED, 99, 0), -LX_EBADF);
    assert_int_equal(SC6(w, LX_NR_mmap2, 0, 4096, LX_PROT_READ, LX_MAP_PRIVATE, 99, 0), -LX_EBADF);
    assert_int_equal(SC6(w, LX_NR_mmap2, 0, 0, rw, priv_anon, -1, 0), -LX_EINVAL);
    assert_int_equal(SC6(w, LX_NR_mmap2, 0, 4096, rw, LX_MAP_ANONYMOUS, -1, 0), -LX_EINVAL);
    assert_int_equal(SC6(w, LX_NR_mmap2, 0, 0xfffff000u, rw, priv_anon, -1, 0), -LX_ENOMEM);
}

/* File mappings from the page cache: a read fault maps the page and its
 * cached neighbours in the 64 KiB window (fault-around), within the region
 * and the file; a page past the end is SIGBUS (-EIO); a shared mapping is
 * the cache's page, so read() sees its writes; truncation unmaps the pages
 * past the new end; a read-only descriptor gives no shared writable
 * mapping; the frames go back when the file and its mappings are gone. */
static void mmap_file_from_page_cache(void **state)
{
    fake_world_t *w = *state;
    uint32_t rw = LX_PROT_READ | LX_PROT_WRITE, buf = FAKE_SCRATCH + 0x2000;
    static char data[20 * 4096 + 100];
    int32_t fd = open_path(w, "/tmp/pc", O_RW_CREAT, 0644);

    for (uint32_t i = 0; i < sizeof(data); i++)
        data[i] = (char)('a' + i / 4096);
    for (uint32_t off = 0; off < sizeof(data); off += 4096) {
        uint32_t n = sizeof(data) - off < 4096 ? sizeof(data) - off : 4096;
        assert_int_equal(SC3(w, LX_NR_write, fd, fake_put(w, 0x1000, data + off, n), n), n);
    }
    /* 24 pages from file page 0: the file has 21 */
    uint32_t m = (uint32_t)SC6(w, LX_NR_mmap2, 0, 24 * 4096, LX_PROT_READ, LX_MAP_PRIVATE, fd, 0);
    assert_false(LX_IS_ERR((int32_t)m));
    assert_int_equal(lx_file_fault(&w->p, m + 17 * 4096 + 5, false), 0);
    if (m % 65536 == 0) {
        for (uint32_t pg = 16; pg < 21; pg++)   /* the window's cached pages, to EOF */
            assert_int_equal(*fake_byte(&w->space, m + pg * 4096), 'a' + pg);
        assert_null(fake_byte(&w->space, m + 15 * 4096));
    }
    assert_int_equal(*fake_byte(&w->space, m + 17 * 4096), 'a' + 17);
    assert_int_equal(*fake_byte(&w->space, m + 20 * 4096 + 99), 'a' + 20);
    assert_int_equal(*fake_byte(&w->space, m + 20 * 4096 + 100), 0);
    assert_null(fake_byte(&w->space, m + 21 * 4096));
    assert_int_equal(lx_file_fault(&w->p, m + 21 * 4096, false), -LX_EIO);   /* SIGBUS */
    /* a copy from an untouched page faults it in (write(2) from the mapping) */
    assert_int_equal(SC3(w, LX_NR_write, 1, m + 2 * 4096, 3), 3);
    assert_int_equal(SC2(w, LX_NR_munmap, m, 24 * 4096), 0);

    /* shared: the mapping's writes are the file's */
    uint32_t s = (uint32_t)SC6(w, LX_NR_mmap2, 0, 8192, rw, LX_MAP_SHARED, fd, 1);
    assert_false(LX_IS_ERR((int32_t)s));
    assert_int_equal(lx_file_fault(&w->p, s, true), 0);
    memcpy(fake_byte(&w->space, s + 10), "SHARED", 6);
    assert_int_equal(SC3(w, LX_NR_lseek, fd, 4096 + 8, 0), 4096 + 8);
    assert_int_equal(SC3(w, LX_NR_read, fd, buf, 10), 10);
    assert_memory_equal(fake_byte(&w->space, buf), "bbSHAREDbb", 10);
    /* truncation: the pages past the end leave the mapping */
    assert_int_equal(SC2(w, LX_NR_ftruncate, fd, 4096 + 100), 0);
    assert_int_equal(lx_file_fault(&w->p, s + 4096, false), -LX_EIO);
    assert_non_null(fake_byte(&w->space, s));
    assert_int_equal(SC2(w, LX_NR_ftruncate, fd, 4096), 0);
    assert_null(fake_byte(&w->space, s));
    assert_int_equal(lx_file_fault(&w->p, s, false), -LX_EIO);
    assert_int_equal(SC2(w, LX_NR_munmap, s, 8192), 0);

    /* mremap: a shared mapping moves as itself (the file's pages at the new
     * place); a private one keeps the bytes it wrote */
    assert_int_equal(SC2(w, LX_NR_ftruncate, fd, 3 * 4096), 0);
    uint32_t sh = (uint32_t)SC6(w, LX_NR_mmap2, 0, 4096, rw, LX_MAP_SHARED, fd, 0);
    uint32_t pv = (uint32_t)SC6(w, LX_NR_mmap2, 0, 4096, rw, LX_MAP_PRIVATE, fd, 0);
    uint32_t gap = (uint32_t)SC6(w, LX_NR_mmap2, 0, 4096, LX_PROT_READ,
                                 LX_MAP_PRIVATE | LX_MAP_ANONYMOUS, -1, 0);
    assert_false(LX_IS_ERR((int32_t)sh) || LX_IS_ERR((int32_t)pv) || LX_IS_ERR((int32_t)gap));
    assert_int_equal(SC2(w, LX_NR_munmap, gap, 4096), 0);
    assert_int_equal(lx_file_fault(&w->p, pv, true), 0);
    *fake_byte(&w->space, pv) = 'P';
    int32_t sh2 = SC4(w, LX_NR_mremap, sh, 4096, 2 * 4096, LX_MREMAP_MAYMOVE);
    int32_t pv2 = SC4(w, LX_NR_mremap, pv, 4096, 2 * 4096, LX_MREMAP_MAYMOVE);
    assert_false(LX_IS_ERR(sh2) || LX_IS_ERR(pv2));
    assert_int_equal(lx_file_fault(&w->p, (uint32_t)sh2 + 4096, true), 0);
    *fake_byte(&w->space, (uint32_t)sh2 + 4096) = 'S';
    assert_int_equal(SC3(w, LX_NR_lseek, fd, 4096, 0), 4096);
    assert_int_equal(SC3(w, LX_NR_read, fd, buf, 1), 1);
    assert_int_equal(*fake_byte(&w->space, buf), 'S');
    assert_int_equal(*fake_byte(&w->space, (uint32_t)pv2), 'P');
    assert_int_equal(lx_file_fault(&w->p, (uint32_t)pv2, false), -LX_EFAULT);   /* mapped already */
    assert_int_equal(SC2(w, LX_NR_munmap, (uint32_t)sh2, 2 * 4096), 0);
    assert_int_equal(SC2(w, LX_NR_munmap, (uint32_t)pv2, 2 * 4096), 0);

    /* a read-only descriptor: no shared writable mapping, no mprotect to one */
    int32_t ro = open_path(w, "/tmp/pc", LX_O_RDONLY, 0);
    assert_int_equal(SC6(w, LX_NR_mmap2, 0, 4096, rw, LX_MAP_SHARED, ro, 0), -LX_EACCES);
    uint32_t r = (uint32_t)SC6(w, LX_NR_mmap2, 0, 4096, LX_PROT_READ, LX_MAP_SHARED, ro, 0);
    assert_false(LX_IS_ERR((int32_t)r));
    assert_int_equal(SC3(w, LX_NR_mprotect, r, 4096, rw), -LX_EACCES);
    /* unlinked and closed, the file lives while mapped; then its pages go */
    assert_int_equal(SC1(w, LX_NR_close, ro), 0);
    assert_int_equal(SC1(w, LX_NR_close, fd), 0);
    assert_int_equal(SC1(w, LX_NR_unlink, fake_put_str(w, 0x100, "/tmp/pc")), 0);
    uint32_t held = w->k.mem_used;
    assert_int_equal(lx_file_fault(&w->p, r, false), 0);
    assert_int_equal(*fake_byte(&w->space, r), 'a');
    assert_int_equal(SC2(w, LX_NR_munmap, r, 4096), 0);
    assert_true(w->k.mem_used + 4096 <= held);
}

/* mremap: shrink in place, grow in place, move (bytes kept, old range gone),
 * MREMAP_FIXED, and Linux's refusals. */
static void mremap_shrinks_grows_and_moves(void **state)
{
    fake_world_t *w = *state;
    uint32_t rw = LX_PROT_READ | LX_PROT_WRITE, anon = LX_MAP_PRIVATE | LX_MAP_ANONYMOUS;
    uint32_t a = 0x30000000, b = 0x30004000;
    assert_int_equal(SC6(w, LX_NR_mmap2, a, 3 * 4096, rw, anon | LX_MAP_FIXED, -1, 0), (int32_t)a);
    memcpy(fake_byte(&w->space, a), "first", 6);
    memcpy(fake_byte(&w->space, a + 4096), "second", 7);
    /* shrink: the tail goes */
    assert_int_equal(SC4(w, LX_NR_mremap, a, 3 * 4096, 2 * 4096, 0), (int32_t)a);
    assert_null(fake_byte(&w->space, a + 2 * 4096));
    /* grow in place into the free page after it */
    assert_int_equal(SC4(w, LX_NR_mremap, a, 2 * 4096, 4 * 4096, 0), (int32_t)a);
    assert_int_equal(*fake_byte(&w->space, a + 3 * 4096), 0);
    assert_memory_equal(fake_byte(&w->space, a + 4096), "second", 7);
    /* something right after it: no room, so ENOMEM without MAYMOVE, a move with it */
    assert_int_equal(SC6(w, LX_NR_mmap2, b, 4096, LX_PROT_READ, anon | LX_MAP_FIXED, -1, 0),
            (int32_t)b);
    assert_int_equal(SC4(w, LX_NR_mremap, a, 4 * 4096, 8 * 4096, 0), -LX_ENOMEM);
    int32_t m = SC4(w, LX_NR_mremap, a, 4 * 4096, 8 * 4096, LX_MREMAP_MAYMOVE);
    assert_false(LX_IS_ERR(m));
    assert_true((uint32_t)m != a);
    assert_memory_equal(fake_byte(&w->space, (uint32_t)m), "first", 6);
    assert_memory_equal(fake_byte(&w->space, (uint32_t)m + 4096), "second", 7);
    assert_int_equal(*fake_byte(&w->space, (uint32_t)m + 7 * 4096), 0);
    assert_int_equal(fake_prot(&w->space, (uint32_t)m), rw);
    assert_null(fake_byte(&w->space, a));
    /* MREMAP_FIXED onto a (free again), keeping the read-only rights of b's kind */
    assert_int_equal(SC5(w, LX_NR_mremap, (uint32_t)m, 4096, 4096,
            LX_MREMAP_MAYMOVE | LX_MREMAP_FIXED, a), (int32_t)a);
    assert_memory_equal(fake_byte(&w->space, a), "first", 6);
    assert_null(fake_byte(&w->space, (uint32_t)m));
    /* refusals */
    assert_int_equal(SC4(w, LX_NR_mremap, a + 1, 4096, 4096, 0), -LX_EINVAL);
    assert_int_equal(SC4(w, LX_NR_mremap, a, 4096, 0, 0), -LX_EINVAL);
    assert_int_equal(SC4(w, LX_NR_mremap, a, 4096, 4096, LX_MREMAP_FIXED), -LX_EINVAL);
    assert_int_equal(SC4(w, LX_NR_mremap, a, 4096, 4096, LX_MREMAP_DONTUNMAP | 1), -LX_EINVAL);
    assert_int_equal(SC4(w, LX_NR_mremap, 0x20000000u, 4096, 8192, 1), -LX_EFAULT);
    assert_int_equal(SC4(w, LX_NR_mremap, a, 2 * 4096, 8192, 1), -LX_EFAULT);  /* past the region */
    assert_int_equal(SC5(w, LX_NR_mremap, a, 4096, 4096, 3, a), -LX_EINVAL);   /* overlaps */
    assert_memory_equal(fake_byte(&w->space, a), "first", 6);
}

static void identity_and_tls(void **state)
{
    fake_world_t *w = *state;
    assert_int_equal(SC0(w, LX_NR_getpid), (int32_t)w->p.pid);
    assert_int_equal(SC0(w, LX_NR_gettid), (int32_t)w->p.pid);
    assert_int_equal(SC0(w, LX_NR_getppid), 0);
    assert_int_equal(SC0(w, LX_NR_getuid32), 0);
    assert_int_equal(SC0(w, LX_NR_geteuid32), 0);
    assert_int_equal(SC0(w, LX_NR_getegid32), 0);
    assert_int_equal(SC1(w, LX_NR_uname, FAKE_SCRATCH + 0x800), 0);
    struct lx_utsname *u = (struct lx_utsname *)fake_byte(&w->space, FAKE_SCRATCH + 0x800);
    assert_string_equal(u->sysname, "Linux");
    assert_string_equal(u->machine, "i686");
    /* glibc: entry_number -1, then loads %gs with (entry << 3) | 3 */
    struct lx_user_desc d = { 0xffffffffu, 0x0badf00d, 0xfffff, 0x51 };
    uint32_t ud = fake_put(w, 0x900, &d, sizeof(d));
    assert_int_equal(SC1(w, LX_NR_set_thread_area, ud), 0);
    assert_int_equal(fake_read32(&w->space, ud), 7);
    assert_int_equal(w->p.tls_base, 0x0badf00d);
    assert_true(w->p.tls_changed);
    d.entry_number = 6;
    assert_int_equal(SC1(w, LX_NR_set_thread_area, fake_put(w, 0x900, &d, sizeof(d))), -LX_EINVAL);
    assert_int_equal(SC1(w, LX_NR_set_tid_address, 0x1234), (int32_t)w->p.pid);
    assert_int_equal(w->p.clear_child_tid, 0x1234);
    assert_int_equal(SC2(w, LX_NR_set_robust_list, 0x5000, 12), 0);
    assert_int_equal(SC2(w, LX_NR_set_robust_list, 0x5000, 24), -LX_EINVAL);
    assert_int_equal(SC0(w, LX_NR_setsid), -LX_EPERM);   /* already a group leader */
}

static void clocks_random_limits(void **state)
{
    fake_world_t *w = *state;
    uint32_t buf = FAKE_SCRATCH + 0xB00;
    assert_int_equal(SC1(w, LX_NR_time, 0), (int32_t)(FAKE_REALTIME / 1000000000u));
    assert_int_equal(SC2(w, LX_NR_gettimeofday, buf, 0), 0);
    assert_int_equal(fake_read32(&w->space, buf + 4), (FAKE_REALTIME / 1000) % 1000000);
    assert_int_equal(SC2(w, LX_NR_clock_gettime, 1, buf), 0);
    assert_int_equal(fake_read32(&w->space, buf), 42);
    assert_int_equal(fake_read32(&w->space, buf + 4), 7);
    assert_int_equal(SC2(w, LX_NR_clock_gettime64, 0, buf), 0);
    struct lx_timespec64 ts;
    memcpy(&ts, fake_byte(&w->space, buf), sizeof(ts));
    assert_int_equal(ts.tv_sec, FAKE_REALTIME / 1000000000u);
    assert_int_equal(ts.tv_nsec, FAKE_REALTIME % 1000000000u);
    assert_int_equal(SC2(w, LX_NR_clock_gettime, 99, buf), -LX_EINVAL);
    assert_int_equal(SC3(w, LX_NR_getrandom, buf, 16, 0), 16);
    assert_int_equal(*fake_byte(&w->space, buf + 15), 15);
    assert_int_equal(SC3(w, LX_NR_getrandom, buf, 16, 0x80), -LX_EINVAL);
    assert_int_equal(SC4(w, LX_NR_prlimit64, 0, 7 /* NOFILE */, 0, buf), 0);
    assert_int_equal(fake_read32(&w->space, buf), LX_FD_MAX);
    assert_int_equal(SC2(w, LX_NR_ugetrlimit, 3 /* STACK */, buf), 0);
    assert_int_equal(fake_read32(&w->space, buf), 8u << 20);
    assert_int_equal(fake_read32(&w->space, buf + 4), 0xffffffffu);
    assert_int_equal(SC4(w, LX_NR_prlimit64, 999, 7, 0, buf), -LX_ESRCH);
}

static void exit_group_marks_the_process(void **state)
{
    fake_world_t *w = *state;
    assert_false(w->p.exited);
    SC1(w, LX_NR_exit_group, 0x1ff);
    assert_true(w->p.exited);
    assert_int_equal(w->p.exit_status, 0xff00);
}

static void out_of_memory_is_enomem(void **state)
{
    fake_world_t *w = *state;
    w->host.heap_budget = w->host.heap_used + 200;
    assert_int_equal(open_path(w, "/tmp/big", O_RW_CREAT, 0644), 3);
    static char big[4096];
    int32_t r = SC3(w, LX_NR_write, 3, fake_put(w, 0x2000, big, sizeof(big)), sizeof(big));
    assert_int_equal(r, -LX_ENOSPC);
    assert_int_equal(SC2(w, LX_NR_mkdir, fake_put_str(w, 0, "/tmp/dd"), 0755), -LX_ENOMEM);
    w->host.heap_budget = 0;
}

/* get_robust_list answers what set_robust_list recorded (musl asks it
 * before it makes a mutex robust); a refusal writes nothing. */
static void robust_list_read_back(void **state)
{
    fake_world_t *w = *state;
    uint32_t head = FAKE_SCRATCH + 0xC00, len = FAKE_SCRATCH + 0xC04;

    assert_int_equal(SC3(w, LX_NR_get_robust_list, 0, head, len), 0);
    assert_int_equal(fake_read32(&w->space, head), 0);          /* none set yet */
    assert_int_equal(fake_read32(&w->space, len), 12);
    assert_int_equal(SC2(w, LX_NR_set_robust_list, 0x5000, 12), 0);
    assert_int_equal(SC3(w, LX_NR_get_robust_list, 0, head, len), 0);
    assert_int_equal(fake_read32(&w->space, head), 0x5000);
    assert_int_equal(SC3(w, LX_NR_get_robust_list, w->p.tid, head, len), 0);
    assert_int_equal(fake_read32(&w->space, head), 0x5000);
    assert_int_equal(SC3(w, LX_NR_get_robust_list, w->p.pid + 999, head, len), -LX_ESRCH);
    uint32_t mark = 77;
    assert_int_equal(fake_put(w, 0xC04, &mark, sizeof(mark)), len);
    assert_int_equal(SC3(w, LX_NR_get_robust_list, 0, 0, len), -LX_EFAULT);
    assert_int_equal(fake_read32(&w->space, len), 77);          /* untouched */
    assert_int_equal(fake_put(w, 0xC00, &mark, sizeof(mark)), head);
    assert_int_equal(SC3(w, LX_NR_get_robust_list, 0, head, 0), -LX_EFAULT);
    assert_int_equal(fake_read32(&w->space, head), 77);         /* put back */
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(write_to_console), T(read_from_console), T(bad_pointers_and_descriptors),
        T(unknown_calls_log_once), T(file_create_write_seek_read),
        T(stat_reports_modes_and_umask), T(directories_links_and_rename),
        T(unlinked_open_file_keeps_its_bytes), T(cwd_and_relative_paths),
        T(getdents_lists_everything), T(dup_and_fcntl), T(pipes_carry_bytes),
        T(terminal_ioctls), T(access_checks), T(attributes_change), T(brk_grows_and_shrinks),
        T(mmap_anonymous_and_file), T(mmap_file_from_page_cache),
        T(mremap_shrinks_grows_and_moves), T(identity_and_tls), T(clocks_random_limits),
        T(exit_group_marks_the_process), T(out_of_memory_is_enomem),
        T(robust_list_read_back),
    };
    return cmocka_run_group_tests_name("linux_syscall", tests, NULL, NULL);
}
