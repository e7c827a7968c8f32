/* unit-test-sources: guest-stub/linux/exec.c guest-stub/linux/sys_mem.c guest-stub/linux/sys_futex.c guest-stub/linux/procfs.c guest-stub/linux/fs.c guest-stub/linux/pcache.c guest-stub/linux/file.c guest-stub/linux/tty.c guest-stub/linux/signal.c guest-stub/linux/sigfpu.c guest-stub/linux/sys_signal.c guest-stub/linux/kernel.c guest-stub/linux/proc.c guest-stub/linux/syscall.c guest-stub/linux/sys_file.c guest-stub/linux/sys_poll.c guest-stub/linux/sys_path.c guest-stub/linux/sys_proc.c guest-stub/linux/sys_attr.c guest-stub/linux/sys_more.c guest-stub/linux/cpio.c lib/elf.c tests/unit/guest/fake_host.c */
/*
 * Loading Debian's static i386 busybox (busybox-static:i386, fetched by
 * `make deps` into build/debs/) with lx_exec() into a fake address space,
 * and checking the result against two outside witnesses:
 *   - `readelf -hlW`: every PT_LOAD segment's bytes are the file's, its bss
 *     is zero, its pages have the segment's rights; entry, AT_PHDR, AT_PHNUM
 *     and the heap's start follow from the headers;
 *   - the host's own Linux kernel: busybox run natively prints its
 *     /proc/self/auxv, and our auxiliary vector has the same types in the
 *     same order (less those we must not or need not give: AT_SYSINFO,
 *     AT_SYSINFO_EHDR, AT_HWCAP2, AT_MINSIGSTKSZ, AT_RSEQ_*) with the same
 *     values where they do not depend on the machine or the run.
 * The stack itself is read back word by word: argc, argv, envp, the
 * strings they point to, the 16-byte alignment, AT_RANDOM and AT_EXECFN.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "fake_host.h"
#include "linux/unistd.h"
#include "linux/fcntl.h"
#include "linux/auxv.h"
#include "linux/mman.h"
#include "linux/stat.h"

#define BUSYBOX_DEFAULT "build/debs/busybox-static-i386/bin/busybox"
#define MAX_LOADS 8
#define MAX_AUXV 64

typedef struct load { uint32_t off, vaddr, filesz, memsz, prot; } load_t;

typedef struct readelf {
    uint32_t entry, phoff, phnum;
    load_t load[MAX_LOADS];
    int n_loads;
} readelf_t;

static const char *g_path;
static uint8_t *g_elf;
static uint32_t g_len;
static readelf_t g_re;

static uint32_t prot_of_flags(const char *f)
{
    return (strchr(f, 'R') ? LX_PROT_READ : 0) | (strchr(f, 'W') ? LX_PROT_WRITE : 0) |
           (strchr(f, 'E') ? LX_PROT_EXEC : 0);
}

/* One line of `readelf -hlW` output into g_re. */
static void parse_readelf_line(const char *line)
{
    unsigned long v;
    char flags[8] = "";
    load_t l;
    if (sscanf(line, " Entry point address: %lx", &v) == 1)
        g_re.entry = (uint32_t)v;
    else if (sscanf(line, " Start of program headers: %lu", &v) == 1)
        g_re.phoff = (uint32_t)v;
    else if (sscanf(line, " Number of program headers: %lu", &v) == 1)
        g_re.phnum = (uint32_t)v;
    else if (sscanf(line, " LOAD %x %x %*x %x %x %7[RWE ]", &l.off, &l.vaddr, &l.filesz,
                    &l.memsz, flags) == 5 && g_re.n_loads < MAX_LOADS) {
        l.prot = prot_of_flags(flags);
        g_re.load[g_re.n_loads++] = l;
    }
}

static int run_readelf(void)
{
    char cmd[512], line[512];
    snprintf(cmd, sizeof(cmd), "readelf -hlW %s", g_path);
    FILE *f = popen(cmd, "r");
    if (!f)
        return -1;
    while (fgets(line, sizeof(line), f))
        parse_readelf_line(line);
    return pclose(f) == 0 && g_re.n_loads > 0 ? 0 : -1;
}

static int load_busybox(void **state)
{
    (void)state;
    g_path = getenv("LX_BUSYBOX") ? getenv("LX_BUSYBOX") : BUSYBOX_DEFAULT;
    FILE *f = fopen(g_path, "rb");
    if (!f) {
        fprintf(stderr, "exec_test: %s is missing: `make deps` fetches busybox-static:i386\n",
                g_path);
        return -1;
    }
    fseek(f, 0, SEEK_END);
    g_len = (uint32_t)ftell(f);
    fseek(f, 0, SEEK_SET);
    g_elf = malloc(g_len);
    size_t got = fread(g_elf, 1, g_len, f);
    fclose(f);
    if (got != g_len)
        return -1;
    return run_readelf();
}

static int free_busybox(void **state)
{
    (void)state;
    free(g_elf);
    return 0;
}

static void install(fake_world_t *w, const char *dir, const char *name, const void *data,
        uint32_t len, uint32_t mode)
{
    lx_inode_t *d, *n;
    assert_int_equal(lx_fs_mkpath(&w->k, dir, LX_S_IFDIR | 0755, &d), 0);
    assert_int_equal(lx_fs_create(&w->k, d, name, (uint32_t)strlen(name), mode, &n), 0);
    assert_int_equal(lx_fs_write(&w->k, n, 0, data, len), 0);
}

static int setup(void **state)
{
    fake_world_t *w = fake_world_new();
    install(w, "/bin", "busybox", g_elf, g_len, LX_S_IFREG | 0755);
    *state = w;
    return 0;
}

static int teardown(void **state) { fake_world_free(*state); return 0; }

static const char *const g_argv[] = { "busybox", "echo", "hello world", NULL };
static const char *const g_envp[] = { "PATH=/bin:/usr/bin", "HOME=/", "TERM=vt100", NULL };

static void segments_match_readelf(void **state)
{
    fake_world_t *w = *state;
    lx_exec_info_t info;
    assert_int_equal(lx_exec(&w->p, "/bin/busybox", g_argv, g_envp, &info), 0);
    assert_int_equal(info.entry, g_re.entry);
    assert_int_equal(info.phnum, g_re.phnum);
    assert_int_equal(g_re.load[0].off, 0);
    assert_int_equal(info.phdr, g_re.load[0].vaddr + g_re.phoff);
    uint32_t end = 0;
    for (int i = 0; i < g_re.n_loads; i++) {
        const load_t *l = &g_re.load[i];
        for (uint32_t b = 0; b < l->memsz; b++) {
            uint8_t *m = fake_byte(&w->space, l->vaddr + b);
            assert_non_null(m);
            if (*m != (b < l->filesz ? g_elf[l->off + b] : 0))
                fail_msg("segment %d byte %#x: %#x, file has %#x", i, b, *m,
                         b < l->filesz ? g_elf[l->off + b] : 0);
        }
        for (uint32_t pg = l->vaddr & ~0xfffu; pg < l->vaddr + l->memsz; pg += 4096)
            assert_int_equal(fake_prot(&w->space, pg), l->prot);
        if (l->vaddr + l->memsz > end)
            end = l->vaddr + l->memsz;
    }
    assert_int_equal(w->p.brk_start, (end + 4095) & ~4095u);
    assert_int_equal(w->p.brk, w->p.brk_start);
    assert_null(fake_byte(&w->space, w->p.brk_start));
}

/* Reads the auxiliary vector at *a into types/vals; returns its length
 * without AT_NULL. */
static int read_auxv(fake_world_t *w, uint32_t a, uint32_t *types, uint32_t *vals)
{
    int n = 0;
    while (n < MAX_AUXV) {
        types[n] = fake_read32(&w->space, a + 8 * (uint32_t)n);
        vals[n] = fake_read32(&w->space, a + 8 * (uint32_t)n + 4);
        if (types[n] == LX_AT_NULL)
            return n;
        n++;
    }
    fail_msg("no AT_NULL");
    return -1;
}

static const char *ustr(fake_world_t *w, uint32_t a)
{
    const char *s = (const char *)fake_byte(&w->space, a);
    assert_non_null(s);
    assert_non_null(fake_byte(&w->space, a + (uint32_t)strlen(s)));
    return s;
}

static uint32_t aux(const uint32_t *t, const uint32_t *v, int n, uint32_t type)
{
    for (int i = 0; i < n; i++)
        if (t[i] == type)
            return v[i];
    fail_msg("auxv type %u missing", type);
    return 0;
}

static void stack_is_laid_out_as_linux_does(void **state)
{
    fake_world_t *w = *state;
    lx_exec_info_t info;
    uint32_t types[MAX_AUXV], vals[MAX_AUXV], prev = 0;
    assert_int_equal(lx_exec(&w->p, "/bin/busybox", g_argv, g_envp, &info), 0);
    uint32_t sp = info.sp, top = w->k.user_top;
    assert_int_equal(sp % 16, 0);
    assert_int_equal(fake_read32(&w->space, sp), 3);
    for (uint32_t i = 0; i < 3; i++) {
        uint32_t a = fake_read32(&w->space, sp + 4 + 4 * i);
        assert_string_equal(ustr(w, a), g_argv[i]);
        assert_true(a > prev);                  /* argv[0] lowest, then upwards */
        prev = a;
    }
    assert_int_equal(fake_read32(&w->space, sp + 16), 0);
    for (uint32_t i = 0; i < 3; i++) {
        uint32_t a = fake_read32(&w->space, sp + 20 + 4 * i);
        assert_string_equal(ustr(w, a), g_envp[i]);
        assert_true(a > prev);
        prev = a;
    }
    assert_int_equal(fake_read32(&w->space, sp + 32), 0);
    int n = read_auxv(w, sp + 36, types, vals);
    uint32_t execfn = aux(types, vals, n, LX_AT_EXECFN);
    assert_string_equal(ustr(w, execfn), "/bin/busybox");
    assert_true(execfn > prev);                 /* the file name is highest */
    assert_int_equal(execfn + sizeof("/bin/busybox"), top - 4);
    assert_int_equal(fake_read32(&w->space, top - 4), 0);
    assert_string_equal(ustr(w, aux(types, vals, n, LX_AT_PLATFORM)), "i686");
    uint32_t rnd = aux(types, vals, n, LX_AT_RANDOM);
    assert_int_equal(rnd, info.random);
    assert_true(rnd > sp + 36 + 8 * (uint32_t)n && rnd + 16 <= top);
    assert_non_null(fake_byte(&w->space, rnd + 15));
    assert_int_equal(aux(types, vals, n, LX_AT_PHDR), info.phdr);
    assert_int_equal(aux(types, vals, n, LX_AT_ENTRY), g_re.entry);
    assert_int_equal(aux(types, vals, n, LX_AT_UID), 0);
    assert_int_equal(aux(types, vals, n, LX_AT_SECURE), 0);
    for (int i = 0; i < n; i++)
        assert_int_not_equal(types[i], LX_AT_SYSINFO);   /* libc must use int $0x80 */
    assert_int_equal(fake_prot(&w->space, sp), LX_PROT_READ | LX_PROT_WRITE);
}

/* Types the host kernel gives that we leave out on purpose. */
static bool host_only(uint32_t type)
{
    return type == LX_AT_SYSINFO || type == 33 /* AT_SYSINFO_EHDR: no vDSO */ ||
           type == 26 /* AT_HWCAP2 */ || type == 51 /* AT_MINSIGSTKSZ */ ||
           type == 27 || type == 28 /* AT_RSEQ_FEATURE_SIZE, AT_RSEQ_ALIGN */;
}

static void auxv_matches_the_host_kernel(void **state)
{
    fake_world_t *w = *state;
    lx_exec_info_t info;
    uint32_t types[MAX_AUXV], vals[MAX_AUXV], host[2 * MAX_AUXV];
    char cmd[512];
    snprintf(cmd, sizeof(cmd), "%s cat /proc/self/auxv", g_path);
    FILE *f = popen(cmd, "r");
    assert_non_null(f);
    size_t words = fread(host, 4, 2 * MAX_AUXV, f);
    assert_int_equal(pclose(f), 0);
    assert_true(words >= 2);
    assert_int_equal(lx_exec(&w->p, "/bin/busybox", g_argv, g_envp, &info), 0);
    int n = read_auxv(w, info.sp + 36, types, vals), j = 0;
    for (size_t i = 0; i + 1 < words && host[i] != LX_AT_NULL; i += 2) {
        if (host_only(host[i]))
            continue;
        assert_true(j < n);
        if (types[j] != host[i])
            fail_msg("auxv entry %d: type %u, host kernel gives %u", j, types[j], host[i]);
        if (types[j] == LX_AT_PHDR || types[j] == LX_AT_PHENT || types[j] == LX_AT_PHNUM ||
                types[j] == LX_AT_ENTRY || types[j] == LX_AT_PAGESZ ||
                types[j] == LX_AT_CLKTCK || types[j] == LX_AT_BASE || types[j] == LX_AT_FLAGS)
            assert_int_equal(vals[j], host[i + 1]);
        j++;
    }
    assert_int_equal(j, n);
}

static void refusals(void **state)
{
    fake_world_t *w = *state;
    lx_exec_info_t info;
    static const char text[] = "#!/bin/sh\necho not an ELF\n";
    install(w, "/bin", "script", text, sizeof(text), LX_S_IFREG | 0755);
    install(w, "/bin", "noexec", g_elf, 4096, LX_S_IFREG | 0644);
    install(w, "/bin", "short", g_elf, 4096, LX_S_IFREG | 0755);
    assert_int_equal(lx_exec(&w->p, "/bin/script", g_argv, g_envp, &info), -LX_ENOEXEC);
    assert_int_equal(lx_exec(&w->p, "/bin/noexec", g_argv, g_envp, &info), -LX_EACCES);
    assert_int_equal(lx_exec(&w->p, "/bin/short", g_argv, g_envp, &info), -LX_ENOEXEC);
    assert_int_equal(lx_exec(&w->p, "/bin/none", g_argv, g_envp, &info), -LX_ENOENT);
    assert_int_equal(lx_exec(&w->p, "/bin", g_argv, g_envp, &info), -LX_EACCES);
    static char huge[40000];
    memset(huge, 'x', sizeof(huge) - 1);
    const char *const big_argv[] = { "busybox", huge, NULL };
    assert_int_equal(lx_exec(&w->p, "/bin/busybox", big_argv, g_envp, &info), -LX_E2BIG);
    assert_int_equal(w->space.n_mapped, FAKE_SCRATCH_SIZE / 4096);   /* nothing mapped */
}

/* argv[i] of the image execve started, read from its new space. */
static const char *new_argv(fake_world_t *w, uint32_t i)
{
    fake_space_t *s = w->p.space;
    uint32_t a = fake_read32(s, w->p.exec_sp + 4 + 4 * i);
    return a ? (const char *)fake_byte(s, a) : NULL;
}

static void execve_replaces_the_image(void **state)
{
    fake_world_t *w = *state;
    static const char script[] = "#! /bin/busybox  sh -x \t\necho never read\n";
    install(w, "/tmp", "s", script, sizeof(script) - 1, LX_S_IFREG | 0755);
    uint32_t argv = fake_put(w, 0x200, (uint32_t[]){ fake_put_str(w, 0x100, "s"),
                                                    fake_put_str(w, 0x110, "a1"), 0 }, 12);
    int32_t keep = SC3(w, LX_NR_open, fake_put_str(w, 0x300, "/dev/null"), LX_O_RDONLY, 0);
    int32_t drop = SC3(w, LX_NR_open, fake_put_str(w, 0x300, "/dev/null"),
                       LX_O_RDONLY | LX_O_CLOEXEC, 0);

    assert_int_equal(SC3(w, LX_NR_execve, fake_put_str(w, 0x400, "/tmp/s"), argv, 0), 0);
    assert_true(w->p.execed);
    assert_ptr_equal(w->p.old_space, &w->space);        /* for the guest kernel to free */
    assert_ptr_not_equal(w->p.space, &w->space);
    assert_int_equal(fake_read32(w->p.space, w->p.exec_sp), 4);     /* argc */
    assert_string_equal(new_argv(w, 0), "/bin/busybox");
    assert_string_equal(new_argv(w, 1), "sh -x");       /* one word, as Linux */
    assert_string_equal(new_argv(w, 2), "/tmp/s");
    assert_string_equal(new_argv(w, 3), "a1");
    assert_null(new_argv(w, 4));
    assert_non_null(w->p.fd[keep]);
    assert_null(w->p.fd[drop]);
    assert_int_equal(w->p.tls_base, 0);
    /* the running image by its /proc name, from the new space */
    w->p.execed = false;
    w->p.old_space = NULL;
    fake_space_t *cur = w->p.space;
    uint32_t name = w->p.exec_sp - 256;                 /* the new stack, below its top */
    assert_int_equal(fake_ops.copy_out(cur, name, "/proc/self/exe", 15), 0);
    assert_int_equal(SC3(w, LX_NR_execve, name, 0, 0), 0);
    assert_ptr_equal(w->p.old_space, cur);
    assert_int_equal(fake_read32(w->p.space, w->p.exec_sp), 0);     /* argc 0 */
    fake_ops.space_free(&w->host, cur);
    /* a script whose interpreter is missing, and a non-executable file */
    static const char bad[] = "#!/nonexistent\n";
    install(w, "/tmp", "bad", bad, sizeof(bad) - 1, LX_S_IFREG | 0755);
    w->p.execed = false;
    w->p.old_space = NULL;
    fake_space_t *now = w->p.space;
    name = w->p.exec_sp - 256;
    assert_int_equal(fake_ops.copy_out(now, name, "/tmp/bad", 9), 0);
    assert_int_equal(SC3(w, LX_NR_execve, name, 0, 0), -LX_ENOENT);
    assert_ptr_equal(w->p.space, now);                  /* nothing changed */
}

/* ETXTBSY both ways, as Linux's i_writecount: no execve of a file open for
 * writing (or mapped from such a descriptor), no write access to a file a
 * live process runs. */
static void text_busy_refusals(void **state)
{
    fake_world_t *w = *state;
    lx_exec_info_t info;
    uint32_t path = fake_put_str(w, 0x300, "/bin/busybox");
    int32_t fd = SC3(w, LX_NR_open, path, LX_O_RDWR, 0);

    assert_true(fd >= 0);
    assert_int_equal(lx_exec(&w->p, "/bin/busybox", g_argv, g_envp, &info), -LX_ETXTBSY);
    int32_t at = SC6(w, LX_NR_mmap2, 0, 4096, LX_PROT_READ, LX_MAP_PRIVATE, (uint32_t)fd, 0);
    assert_true((uint32_t)at < (uint32_t)-4095);        /* an address, not an error */
    assert_int_equal(SC3(w, LX_NR_close, (uint32_t)fd, 0, 0), 0);
    assert_int_equal(lx_exec(&w->p, "/bin/busybox", g_argv, g_envp, &info), -LX_ETXTBSY);
    assert_int_equal(SC3(w, LX_NR_munmap, (uint32_t)at, 4096, 0), 0);
    assert_int_equal(lx_exec(&w->p, "/bin/busybox", g_argv, g_envp, &info), 0);
    assert_int_equal(SC3(w, LX_NR_open, path, LX_O_WRONLY, 0), -LX_ETXTBSY);
    assert_int_equal(SC3(w, LX_NR_open, path, LX_O_RDWR | LX_O_TRUNC, 0), -LX_ETXTBSY);
    assert_int_equal(SC3(w, LX_NR_truncate, path, 0, 0), -LX_ETXTBSY);
    assert_int_equal(w->p.exe->size, g_len);            /* nothing truncated */
    fd = SC3(w, LX_NR_open, path, LX_O_RDONLY, 0);
    assert_true(fd >= 0);
    assert_int_equal(SC3(w, LX_NR_close, (uint32_t)fd, 0, 0), 0);
    lx_proc_drop_exe(&w->p);                            /* as at exit */
    fd = SC3(w, LX_NR_open, path, LX_O_WRONLY, 0);
    assert_true(fd >= 0);
    assert_int_equal(SC3(w, LX_NR_close, (uint32_t)fd, 0, 0), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(segments_match_readelf, setup, teardown),
        cmocka_unit_test_setup_teardown(stack_is_laid_out_as_linux_does, setup, teardown),
        cmocka_unit_test_setup_teardown(auxv_matches_the_host_kernel, setup, teardown),
        cmocka_unit_test_setup_teardown(refusals, setup, teardown),
        cmocka_unit_test_setup_teardown(execve_replaces_the_image, setup, teardown),
        cmocka_unit_test_setup_teardown(text_busy_refusals, setup, teardown),
    };
    return cmocka_run_group_tests_name("linux_exec", tests, load_busybox, free_busybox);
}
