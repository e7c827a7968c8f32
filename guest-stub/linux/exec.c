/*
 * Starting a program: load a static i386 ELF executable from the file
 * system into a process and lay out its first stack exactly as Linux's
 * fs/binfmt_elf.c does, so that an unmodified libc finds what it expects.
 *
 * The image is checked by the ELF reader the kernel uses too (lib/elf.c,
 * elf_parse: one parser in the project); here we only add what Linux
 * passes on: each PT_LOAD segment's pages are mapped zeroed, the file's
 * bytes put in (the rest is bss), then given the segment's rights; the
 * heap starts at the page after the image. The guest kernel fills each
 * page from the file when it is first touched (map_image), as Linux pages
 * an image in on demand; a host without map_image gets the bytes copied at
 * once. Dynamic executables (PT_INTERP) are refused; PT_TLS is libc's
 * business (it reads it through AT_PHDR).
 *
 * The stack, from the top down: a zero word, the file name (AT_EXECFN),
 * the environment and argument strings (argv[0] lowest), the platform
 * string, 16 random bytes (AT_RANDOM), then -- 16-byte aligned at the
 * stack pointer -- argc, argv[], NULL, envp[], NULL and the auxiliary
 * vector ending in AT_NULL. There is no AT_SYSINFO, so libc makes its
 * system calls with `int $0x80`.
 */
#include "sys.h"
#include "linux/auxv.h"
#include "linux/mman.h"
#include "linux/stat.h"
#include <lib/elf.h>
#include <string.h>

#define STACK_SIZE      (128u * 1024)   /* mapped at exec; Linux grows it on demand */
#define ARG_MAX_BYTES   (STACK_SIZE / 4) /* strings, like Linux's stack/4 limit */
#define PT_INTERP       3               /* ELF gABI: program interpreter */
#define PF_X            1               /* ELF gABI segment flags */
#define PF_W            2
#define PF_R            4
#define EHDR_SIZE       52              /* sizeof(Elf32_Ehdr) */
#define EHDR_PHOFF      28              /* offsets in Elf32_Ehdr */
#define EHDR_PHENTSIZE  42
#define EHDR_PHNUM      44
#define PHDR_SIZE       32              /* sizeof(Elf32_Phdr) */
#define HEAD_BYTES      4096u           /* of the file, read for elf_parse */
#define N_AUXV          18              /* pairs we pass, AT_NULL included */
#define PLATFORM        "i686"          /* AT_PLATFORM, as Linux on i686 */
#define RANDOM_BYTES    16
#define PROC_SELF_EXE   "/proc/self/exe"

static uint32_t rd32(const uint8_t *b) { return b[0] | b[1] << 8 | b[2] << 16 | (uint32_t)b[3] << 24; }
static uint32_t rd16(const uint8_t *b) { return b[0] | b[1] << 8; }

/* The program headers, which elf_parse() has checked lie inside the file. */
typedef struct phdrs {
    const uint8_t *base;
    uint32_t off, num;
} phdrs_t;

static phdrs_t phdrs_of(const uint8_t *elf)
{
    return (phdrs_t){ elf + rd32(elf + EHDR_PHOFF), rd32(elf + EHDR_PHOFF),
                      rd16(elf + EHDR_PHNUM) };
}

static bool has_interp(phdrs_t ph)
{
    for (uint32_t i = 0; i < ph.num; i++)
        if (rd32(ph.base + i * PHDR_SIZE) == PT_INTERP)
            return true;
    return false;
}

/* LX_PROT_* of the PT_LOAD header that loads at vaddr. */
static uint32_t prot_of(phdrs_t ph, uint32_t vaddr)
{
    for (uint32_t i = 0; i < ph.num; i++) {
        const uint8_t *h = ph.base + i * PHDR_SIZE;
        if (rd32(h) == 1 && rd32(h + 8) == vaddr) {
            uint32_t f = rd32(h + 24);
            return (f & PF_R ? LX_PROT_READ : 0) | (f & PF_W ? LX_PROT_WRITE : 0) |
                   (f & PF_X ? LX_PROT_EXEC : 0);
        }
    }
    return LX_PROT_READ;
}

/* Where the program headers are in memory: inside the segment whose file
 * bytes contain them (Linux's AT_PHDR when there is no PT_PHDR). */
static uint32_t phdr_addr(const elf_image_t *img, phdrs_t ph)
{
    for (uint32_t i = 0; i < img->n_segments; i++) {
        const elf_segment_t *s = &img->seg[i];
        if (s->file_offset <= ph.off && ph.off - s->file_offset < s->file_size)
            return s->vaddr + (ph.off - s->file_offset);
    }
    return 0;
}

#define PAGE_DOWN(x) ((x) & ~(LX_PAGE_SIZE - 1))
#define PAGE_UP(x)   PAGE_DOWN((x) + LX_PAGE_SIZE - 1)

/* A segment's file bytes copied in, a page at a time from the cache. */
static int copy_segment(lx_proc_t *p, const lx_inode_t *n, const lx_file_seg_t *g)
{
    uint8_t *buf = lx_alloc(p->k, LX_PAGE_SIZE);
    int err = buf ? 0 : LX_ERR(LX_ENOMEM);

    for (uint32_t done = 0; !err && done < g->size; done += LX_PAGE_SIZE) {
        uint32_t cnt = g->size - done < LX_PAGE_SIZE ? g->size - done : LX_PAGE_SIZE;

        lx_pcache_read(n, g->offset + done, buf, cnt);
        err = p->k->ops->copy_out(p->space, g->vaddr + done, buf, cnt);
    }
    if (buf)
        lx_free(p->k, buf, LX_PAGE_SIZE);
    return err;
}

/* The file's bytes of every segment: demand-paged from the file if the
 * guest kernel can (map_image), else copied in now. */
static int fill_segments(lx_proc_t *p, const lx_inode_t *n, const elf_image_t *img)
{
    const lx_host_ops_t *ops = p->k->ops;
    lx_file_seg_t segs[ELF_MAX_SEGMENTS];

    for (uint32_t i = 0; i < img->n_segments; i++)
        segs[i] = (lx_file_seg_t){ img->seg[i].vaddr, img->seg[i].file_offset,
                                   img->seg[i].file_size };
    if (ops->map_image && ops->map_image(p->space, n, segs, img->n_segments) == 0)
        return 0;
    for (uint32_t i = 0; i < img->n_segments; i++) {
        int err = copy_segment(p, n, &segs[i]);
        if (err)
            return err;
    }
    return 0;
}

/* Maps and fills every segment; a page two segments share is mapped once. */
static int load_segments(lx_proc_t *p, const lx_inode_t *n, const elf_image_t *img, phdrs_t ph)
{
    const lx_host_ops_t *ops = p->k->ops;
    uint32_t mapped_to = 0;
    for (uint32_t i = 0; i < img->n_segments; i++) {
        const elf_segment_t *s = &img->seg[i];
        uint32_t lo = PAGE_DOWN(s->vaddr), hi = PAGE_UP(s->vaddr + s->mem_size);
        uint32_t from = lo > mapped_to ? lo : mapped_to;
        int err = 0;
        if (from < hi)
            err = ops->map_zero(p->space, from, hi - from, LX_PROT_READ | LX_PROT_WRITE);
        if (!err)
            err = lx_vma_add(p, from < hi ? from : hi, hi, prot_of(ph, s->vaddr));
        if (err)
            return err;
        if (hi > mapped_to)
            mapped_to = hi;
    }
    int err = fill_segments(p, n, img);
    for (uint32_t i = 0; !err && i < img->n_segments; i++) {
        const elf_segment_t *s = &img->seg[i];
        uint32_t lo = PAGE_DOWN(s->vaddr), hi = PAGE_UP(s->vaddr + s->mem_size);
        err = ops->protect(p->space, lo, hi - lo, prot_of(ph, s->vaddr));
    }
    return err;
}

static uint32_t count(const char *const v[])
{
    uint32_t n = 0;
    while (v && v[n])
        n++;
    return n;
}

/* Pushes a string below *sp; returns its address. */
static int push_str(lx_proc_t *p, uint32_t *sp, const char *s, uint32_t *addr)
{
    uint32_t len = (uint32_t)strlen(s) + 1;
    *sp -= len;
    *addr = *sp;
    return p->k->ops->copy_out(p->space, *sp, s, len);
}

/* Strings of argv or envp, last first, so that [0] ends up lowest. */
static int push_strs(lx_proc_t *p, uint32_t *sp, const char *const v[], uint32_t n,
        uint32_t *ptrs)
{
    for (uint32_t i = n; i-- > 0;) {
        int err = push_str(p, sp, v[i], &ptrs[i]);
        if (err)
            return err;
    }
    return 0;
}

static uint32_t fill_auxv(uint32_t *w, const lx_proc_t *p, const lx_exec_info_t *info,
        uint32_t entry, uint32_t execfn, uint32_t platform)
{
    const uint32_t pairs[N_AUXV][2] = {
        { LX_AT_HWCAP, p->k->hwcap }, { LX_AT_PAGESZ, LX_PAGE_SIZE },
        { LX_AT_CLKTCK, LX_CLKTCK }, { LX_AT_PHDR, info->phdr },
        { LX_AT_PHENT, PHDR_SIZE }, { LX_AT_PHNUM, info->phnum },
        { LX_AT_BASE, 0 }, { LX_AT_FLAGS, 0 }, { LX_AT_ENTRY, entry },
        { LX_AT_UID, p->uid }, { LX_AT_EUID, p->euid }, { LX_AT_GID, p->gid },
        { LX_AT_EGID, p->egid }, { LX_AT_SECURE, 0 }, { LX_AT_RANDOM, info->random },
        { LX_AT_EXECFN, execfn }, { LX_AT_PLATFORM, platform }, { LX_AT_NULL, 0 },
    };
    memcpy(w, pairs, sizeof(pairs));
    return 2 * N_AUXV;
}

/* Builds the vector (argc ... AT_NULL) in words[], returns its length. */
static uint32_t fill_vector(uint32_t *w, const lx_proc_t *p, lx_exec_info_t *info,
        uint32_t argc, const uint32_t *argp, uint32_t envc, const uint32_t *envp,
        uint32_t execfn, uint32_t platform)
{
    uint32_t n = 0;
    w[n++] = argc;
    for (uint32_t i = 0; i < argc; i++)
        w[n++] = argp[i];
    w[n++] = 0;
    for (uint32_t i = 0; i < envc; i++)
        w[n++] = envp[i];
    w[n++] = 0;
    return n + fill_auxv(w + n, p, info, info->entry, execfn, platform);
}

static int build_stack(lx_proc_t *p, const char *path, const char *const argv[],
        const char *const envp[], lx_exec_info_t *info)
{
    uint32_t argc = count(argv), envc = count(envp), top = p->k->user_top;
    uint32_t words = 1 + argc + 1 + envc + 1 + 2 * N_AUXV, bytes = words * 4;
    uint32_t sp = top - 4, execfn = 0, platform = 0, zero = 0;
    uint8_t rnd[RANDOM_BYTES];
    uint32_t *w = lx_alloc(p->k, bytes + (argc + envc) * 4);
    if (!w)
        return LX_ERR(LX_ENOMEM);
    uint32_t *ptrs = w + words;
    int err = p->k->ops->copy_out(p->space, sp, &zero, 4);
    if (!err)
        err = push_str(p, &sp, path, &execfn);
    if (!err)
        err = push_strs(p, &sp, envp, envc, ptrs + argc);
    p->arg_end = sp;
    if (!err)
        err = push_strs(p, &sp, argv, argc, ptrs);
    p->arg_start = sp;
    if (!err)
        err = push_str(p, &sp, PLATFORM, &platform);
    p->k->ops->random(p->k->ctx, rnd, sizeof(rnd));
    sp = (sp - RANDOM_BYTES) & ~3u;
    info->random = sp;
    if (!err)
        err = p->k->ops->copy_out(p->space, sp, rnd, sizeof(rnd));
    sp = (sp - bytes) & ~15u;
    fill_vector(w, p, info, argc, ptrs, envc, ptrs + argc, execfn, platform);
    if (!err)
        err = p->k->ops->copy_out(p->space, sp, w, bytes);
    info->sp = sp;
    lx_free(p->k, w, bytes + (argc + envc) * 4);
    return err;
}

/* Strings must fit the part of the stack Linux would give them. */
static int check_args(const char *path, const char *const argv[], const char *const envp[])
{
    uint32_t total = (uint32_t)strlen(path) + 1;
    for (uint32_t i = 0; argv && argv[i]; i++)
        total += (uint32_t)strlen(argv[i]) + 1 + 4;
    for (uint32_t i = 0; envp && envp[i]; i++)
        total += (uint32_t)strlen(envp[i]) + 1 + 4;
    return total > ARG_MAX_BYTES ? LX_ERR(LX_E2BIG) : 0;
}

/* "/proc/self/exe" is the running image (busybox re-executes itself
 * through it to run an applet); there is no /proc otherwise. */
static int find_program(lx_proc_t *p, const char *path, lx_inode_t **out)
{
    int err = 0;

    if (p->exe && strcmp(path, PROC_SELF_EXE) == 0)
        *out = p->exe;
    else
        err = lx_fs_walk(p->k, p->cwd, path, true, out);
    if (err)
        return err;
    if (!LX_S_ISREG((*out)->mode) || !((*out)->mode & 0111))
        return LX_ERR(LX_EACCES);
    /* Linux's deny_write_access: not while anything holds write access. */
    if ((*out)->writers)
        return LX_ERR(LX_ETXTBSY);
    return 0;
}

/* The file's first page, where elf_parse() finds the ELF header and the
 * program headers (it reads nothing else; a linker puts them there):
 * NULL, or why the file is refused. */
static const char *read_head(const lx_inode_t *n, uint8_t *head)
{
    uint32_t got = (uint32_t)lx_pcache_read(n, 0, head, HEAD_BYTES);

    if (got < EHDR_SIZE)
        return "linux: not an ELF executable (too short)";
    if ((uint64_t)rd32(head + EHDR_PHOFF) + (uint64_t)rd16(head + EHDR_PHNUM) * PHDR_SIZE > got)
        return "linux: ELF program headers not in the file's first page";
    return NULL;
}

/* Loads path into p, whose address space the guest kernel has just made
 * empty. On success out says where the thread starts. */
int lx_exec(lx_proc_t *p, const char *path, const char *const argv[],
        const char *const envp[], lx_exec_info_t *out)
{
    static uint8_t head[HEAD_BYTES];    /* one call at a time */
    lx_inode_t *n;
    elf_image_t img;
    int err = check_args(path, argv, envp);
    if (!err)
        err = find_program(p, path, &n);
    if (err)
        return err;
    const char *why = read_head(n, head);
    if (!why)
        why = elf_parse(head, n->size, p->k->user_top - STACK_SIZE, &img);
    if (why || has_interp(phdrs_of(head))) {
        p->k->ops->log(p->k->ctx, why ? why : "linux: dynamic executables are not supported", 0);
        return LX_ERR(LX_ENOEXEC);
    }
    phdrs_t ph = phdrs_of(head);
    for (int i = 0; i < LX_VMA_MAX; i++)
        lx_vma_drop(p->k, &p->vma[i]);
    memset(p->vma, 0, sizeof(p->vma));
    *out = (lx_exec_info_t){ .entry = img.entry, .phdr = phdr_addr(&img, ph), .phnum = ph.num };
    err = load_segments(p, n, &img, ph);
    uint32_t stack_lo = p->k->user_top - STACK_SIZE;
    if (!err)
        err = p->k->ops->map_zero(p->space, stack_lo, STACK_SIZE, LX_PROT_READ | LX_PROT_WRITE);
    if (!err)
        err = lx_vma_add(p, stack_lo, p->k->user_top, LX_PROT_READ | LX_PROT_WRITE);
    if (!err)
        err = build_stack(p, path, argv, envp, out);
    p->brk_start = p->brk = img.highest;
    if (!err && n != p->exe) {
        n->opens++;
        n->runners++;
        lx_proc_drop_exe(p);
        p->exe = n;
    }
    return err;
}
