/* unit-test-sources: guest-stub/linux/cpio.c guest-stub/linux/fs.c guest-stub/linux/pcache.c guest-stub/linux/file.c guest-stub/linux/tty.c guest-stub/linux/signal.c guest-stub/linux/sigfpu.c guest-stub/linux/sys_signal.c guest-stub/linux/kernel.c guest-stub/linux/proc.c guest-stub/linux/syscall.c guest-stub/linux/sys_file.c guest-stub/linux/sys_poll.c guest-stub/linux/sys_path.c guest-stub/linux/sys_mem.c guest-stub/linux/sys_futex.c guest-stub/linux/procfs.c guest-stub/linux/sys_proc.c guest-stub/linux/sys_attr.c guest-stub/linux/sys_more.c guest-stub/linux/exec.c lib/elf.c tests/unit/guest/fake_host.c */
/*
 * Unpacking an initramfs: a small tree (files of several sizes, an empty
 * file, a hard link, symlinks, nested and private directories) is archived
 * by Debian's own `cpio -o -H newc`, unpacked by lx_cpio_unpack() into the
 * in-memory file system, and compared with the original file by file:
 * type and mode bits, size, contents, symlink targets, link counts, and
 * the number of entries. Then broken archives, refused at the member that
 * is broken, and an archive larger than the guest's memory.
 */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "fake_host.h"
#include "linux/stat.h"

typedef struct archive {
    char dir[64];
    uint8_t *buf;
    uint32_t len;
} archive_t;

static archive_t g_ar;
static fake_world_t *g_w;
static int g_compared, g_failures;

static void put_file(const char *dir, const char *rel, uint32_t size, mode_t mode, unsigned seed)
{
    char path[256];
    snprintf(path, sizeof(path), "%s/%s", dir, rel);
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    for (uint32_t i = 0; i < size; i++)
        fputc((int)((i * 131u + seed) % 251u), f);
    fclose(f);
    chmod(path, mode);
}

static void make_tree(const char *d)
{
    char p[256];
    const char *dirs[] = { "bin", "etc", "deep", "deep/a", "deep/a/b", "private" };
    for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
        snprintf(p, sizeof(p), "%s/%s", d, dirs[i]);
        assert_int_equal(mkdir(p, 0755), 0);
    }
    put_file(d, "bin/prog", 3000, 0755, 1);
    put_file(d, "etc/motd", 6, 0644, 2);
    put_file(d, "etc/empty", 0, 0600, 3);
    put_file(d, "deep/a/b/big", 100003, 0640, 4);
    put_file(d, "private/secret", 1, 0400, 5);
    snprintf(p, sizeof(p), "%s/private", d);
    chmod(p, 0700);
    char a[256], b[256];
    snprintf(a, sizeof(a), "%s/etc/motd", d);
    snprintf(b, sizeof(b), "%s/etc/hard", d);
    assert_int_equal(link(a, b), 0);
    snprintf(b, sizeof(b), "%s/bin/sh", d);
    assert_int_equal(symlink("prog", b), 0);
    snprintf(b, sizeof(b), "%s/deep/up", d);
    assert_int_equal(symlink("../etc/motd", b), 0);
}

static uint8_t *slurp(const char *path, uint32_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    uint8_t *buf = malloc((size_t)n + 1);
    if (fread(buf, 1, (size_t)n, f) != (size_t)n)
        n = 0;
    fclose(f);
    *len = (uint32_t)n;
    return buf;
}

static int make_archive(void **state)
{
    (void)state;
    char cmd[512], out[128];
    umask(022);
    snprintf(g_ar.dir, sizeof(g_ar.dir), "/tmp/lx-cpio-XXXXXX");
    if (!mkdtemp(g_ar.dir))
        return -1;
    snprintf(out, sizeof(out), "%s.cpio", g_ar.dir);
    make_tree(g_ar.dir);
    snprintf(cmd, sizeof(cmd), "cd %s && find . | LC_ALL=C cpio -o -H newc --quiet > %s",
             g_ar.dir, out);
    if (system(cmd) != 0) {
        fprintf(stderr, "cpio_test: `cpio -o -H newc` failed: is Debian's cpio installed "
                        "(make deps)?\n");
        return -1;
    }
    g_ar.buf = slurp(out, &g_ar.len);
    unlink(out);
    return g_ar.buf && g_ar.len > 0 ? 0 : -1;
}

static int remove_archive(void **state)
{
    (void)state;
    char cmd[256];
    snprintf(cmd, sizeof(cmd), "rm -rf %s", g_ar.dir);
    free(g_ar.buf);
    return system(cmd) == 0 ? 0 : -1;
}

static int setup(void **state) { *state = fake_world_new(); return 0; }
static int teardown(void **state) { fake_world_free(*state); return 0; }

#define CHECK(cond, ...) do { if (!(cond)) { fprintf(stderr, __VA_ARGS__); g_failures++; } } while (0)

/* nftw callback: the host file at path must be in the guest, the same. */
static int compare_one(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
    (void)type;
    (void)ftw;
    const char *rel = path + strlen(g_ar.dir);
    lx_inode_t *n;
    if (!*rel)
        return 0;                               /* the root itself */
    g_compared++;
    if (lx_fs_walk(&g_w->k, g_w->k.root, rel, false, &n) != 0) {
        CHECK(0, "%s: missing in the guest\n", rel);
        return 0;
    }
    CHECK(n->mode == st->st_mode, "%s: mode %o, want %o\n", rel, n->mode, st->st_mode);
    CHECK(n->nlink == st->st_nlink, "%s: nlink %u, want %lu\n", rel, n->nlink,
          (unsigned long)st->st_nlink);
    CHECK(n->mtime == (uint32_t)st->st_mtime, "%s: mtime differs\n", rel);
    if (S_ISREG(st->st_mode)) {
        uint32_t len;
        uint8_t *want = slurp(path, &len);
        uint8_t *got = malloc(len + 1);
        CHECK(n->size == len, "%s: size %u, want %u\n", rel, n->size, len);
        CHECK(n->size == len && lx_pcache_read(n, 0, got, len) == (int32_t)len &&
              (len == 0 || !memcmp(got, want, len)), "%s: contents\n", rel);
        free(got);
        free(want);
    } else if (S_ISLNK(st->st_mode)) {
        char target[256];
        ssize_t len = readlink(path, target, sizeof(target));
        CHECK(n->size == (uint32_t)len && !memcmp(n->data, target, (size_t)len),
              "%s: symlink target\n", rel);
    }
    return 0;
}

/* Entries under dir, not counting what lx_kernel_init made. */
static int count_entries(lx_inode_t *dir, bool top)
{
    int n = 0;
    for (lx_dirent_t *e = dir->entries; e; e = e->next) {
        if (top && ((e->len == 3 && !memcmp(e->name, "dev", 3)) ||
                    (e->len == 3 && !memcmp(e->name, "tmp", 3))))
            continue;
        n++;
        if (LX_S_ISDIR(e->node->mode))
            n += count_entries(e->node, false);
    }
    return n;
}

static void unpacks_what_cpio_packed(void **state)
{
    fake_world_t *w = g_w = *state;
    uint32_t bad = 0xdead;
    assert_int_equal(lx_cpio_unpack(&w->k, g_ar.buf, g_ar.len, &bad), 0);
    assert_int_equal(bad, 0xdead);
    g_compared = g_failures = 0;
    assert_int_equal(nftw(g_ar.dir, compare_one, 16, FTW_PHYS), 0);
    assert_int_equal(g_failures, 0);
    assert_int_equal(g_compared, 14);
    assert_int_equal(count_entries(w->k.root, true), g_compared);
    /* the hard link is one inode; symlinks resolve inside the guest tree */
    lx_inode_t *a, *b;
    assert_int_equal(lx_fs_walk(&w->k, w->k.root, "/etc/motd", true, &a), 0);
    assert_int_equal(lx_fs_walk(&w->k, w->k.root, "/etc/hard", true, &b), 0);
    assert_ptr_equal(a, b);
    assert_int_equal(lx_fs_walk(&w->k, w->k.root, "/deep/up", true, &b), 0);
    assert_ptr_equal(a, b);
    /* the devices are still there, and the guest paid for every byte */
    assert_int_equal(lx_fs_walk(&w->k, w->k.root, "/dev/null", true, &a), 0);
    assert_true(w->k.mem_used > 3000 + 6 + 100003 + 1);
    assert_int_equal(w->k.mem_used, w->host.heap_used);
}

static void unpacking_twice_replaces(void **state)
{
    fake_world_t *w = *state;
    assert_int_equal(lx_cpio_unpack(&w->k, g_ar.buf, g_ar.len, NULL), 0);
    uint32_t used = w->k.mem_used;
    assert_int_equal(lx_cpio_unpack(&w->k, g_ar.buf, g_ar.len, NULL), 0);
    assert_int_equal(w->k.mem_used, used);
}

static void broken_archives_are_refused(void **state)
{
    fake_world_t *w = *state;
    uint8_t *copy = malloc(g_ar.len);
    uint32_t bad = 0;
    /* "." comes first: 110-byte header + "." and NUL, so the second member is at 112 */
    memcpy(copy, g_ar.buf, g_ar.len);
    copy[112] = 'X';
    assert_int_equal(lx_cpio_unpack(&w->k, copy, g_ar.len, &bad), -LX_EINVAL);
    assert_int_equal(bad, 112);
    /* a hex digit that is not one */
    memcpy(copy, g_ar.buf, g_ar.len);
    copy[112 + 6 + 8 * 6] = 'g';
    assert_int_equal(lx_cpio_unpack(&w->k, copy, g_ar.len, &bad), -LX_EINVAL);
    assert_int_equal(bad, 112);
    /* a name size past the end of the archive */
    memcpy(copy, g_ar.buf, g_ar.len);
    memcpy(copy + 112 + 6 + 8 * 11, "7fffffff", 8);
    assert_int_equal(lx_cpio_unpack(&w->k, copy, g_ar.len, &bad), -LX_EINVAL);
    assert_int_equal(bad, 112);
    /* cut short: no trailer */
    assert_int_equal(lx_cpio_unpack(&w->k, g_ar.buf, g_ar.len / 2, &bad), -LX_EINVAL);
    assert_true(bad > 0 && bad <= g_ar.len / 2);
    free(copy);
}

static void too_big_for_the_guest(void **state)
{
    fake_world_t *w = *state;
    w->host.heap_budget = w->host.heap_used + 50000;
    int r = lx_cpio_unpack(&w->k, g_ar.buf, g_ar.len, NULL);
    assert_true(r == -LX_ENOSPC || r == -LX_ENOMEM);
    assert_true(w->host.heap_used <= w->host.heap_budget);
    w->host.heap_budget = 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(unpacks_what_cpio_packed, setup, teardown),
        cmocka_unit_test_setup_teardown(unpacking_twice_replaces, setup, teardown),
        cmocka_unit_test_setup_teardown(broken_archives_are_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(too_big_for_the_guest, setup, teardown),
    };
    return cmocka_run_group_tests_name("linux_cpio", tests, make_archive, remove_archive);
}
