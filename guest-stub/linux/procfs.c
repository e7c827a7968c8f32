/*
 * /proc, as much of it as busybox and libc read: made up when it is asked
 * for, from the personality's own records, never stored in the file system.
 *
 * An open() of /proc/meminfo, /proc/uptime or /proc/<pid>/{cmdline, comm,
 * stat, status, maps} (self for the caller's pid) gets a fresh regular file that
 * no directory names (nlink 0) holding what the file says at that moment;
 * the last close frees it (lx_fs_put), as Linux's seq files are snapshots
 * taken at the first read. readlink() of /proc/<pid>/exe, cwd and fd/<n>
 * names the image, the current directory and an open file (a pipe as
 * "pipe:[id]"); execve of /proc/self/exe is exec.c's. /proc/<pid>/fd opens
 * as a snapshot directory of such links, /proc/<pid>/task as one of a
 * directory per thread (named by its tid, each listing comm, stat and
 * status, which open as the process's do but describe that thread); there
 * are no other /proc directories to list. stat() describes a snapshot
 * (sys_path.c).
 *
 * The numbers are the guest's: memory from the host's mem_info, times from
 * its monotonic clock (which starts with the guest), a process's argument
 * bytes read from its own stack where exec.c put them (arg_start/arg_end),
 * its regions from its layout (a file mapping's with its offset, inode
 * and path, the image's below the heap named by the image's path, [heap],
 * [stack]).
 */
#include "sys.h"
#include "linux/stat.h"
#include "linux/misc.h"
#include "linux/mman.h"
#include "linux/fcntl.h"
#include <string.h>

#define PROC_DIR        "/proc/"
#define SELF            "self"
#define NS_PER_SEC      1000000000ull
#define NS_PER_CENTI    10000000ull
#define KIB             1024u
#define MEMINFO_WIDTH   8       /* fs/proc/meminfo.c: show_val_kb's width */
#define COMM_LEN        15      /* TASK_COMM_LEN - 1 */
#define DEPTH_MAX       32      /* directory levels searched for a file's name */
#define HEX_DIGITS      8

/* Text built into a snapshot inode; the first error sticks. */
typedef struct out {
    lx_kernel_t *k;
    lx_inode_t *n;
    int err;
} out_t;

static void put(out_t *o, const char *s, uint32_t len)
{
    if (!o->err)
        o->err = lx_fs_write(o->k, o->n, o->n->size, s, len);
}

static void puts_(out_t *o, const char *s) { put(o, s, (uint32_t)strlen(s)); }

/* v in decimal, at least width characters (spaces before). */
static void put_u(out_t *o, uint64_t v, uint32_t width)
{
    char buf[24];
    uint32_t i = sizeof(buf);
    do {
        buf[--i] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    while (sizeof(buf) - i < width && i > 0)
        buf[--i] = ' ';
    put(o, buf + i, sizeof(buf) - i);
}

static void put_hex(out_t *o, uint32_t v)
{
    char buf[HEX_DIGITS];
    for (int i = HEX_DIGITS - 1; i >= 0; i--, v >>= 4)
        buf[i] = "0123456789abcdef"[v & 0xf];
    put(o, buf, HEX_DIGITS);
}

/* ------------------------------------------------------------------ */
/* Names of files                                                      */

/* Appends the path from dir down to want into buf[0..size) after len
 * bytes; the new length, or -1 if want is not below dir. */
static int search(const lx_inode_t *dir, const lx_inode_t *want, char *buf, uint32_t len,
        uint32_t size, int depth)
{
    if (depth == 0)
        return -1;
    for (const lx_dirent_t *e = dir->entries; e; e = e->next) {
        if (len + 1 + e->len + 1 > size)
            continue;
        buf[len] = '/';
        memcpy(buf + len + 1, e->name, e->len);
        uint32_t l = len + 1 + e->len;
        if (e->node == want)
            return (int)l;
        if (LX_S_ISDIR(e->node->mode) && e->node != dir) {
            int r = search(e->node, want, buf, l, size, depth - 1);
            if (r >= 0)
                return r;
        }
    }
    return -1;
}

/* A name of node (the first the file system gives), NUL-terminated; its
 * length, or -ENOENT (nothing names it now). */
static int name_of(lx_kernel_t *k, const lx_inode_t *node, char *buf, uint32_t size)
{
    if (node == k->root) {
        strcpy(buf, "/");
        return 1;
    }
    int len = search(k->root, node, buf, 0, size, DEPTH_MAX);
    if (len < 0)
        return LX_ERR(LX_ENOENT);
    buf[len] = '\0';
    return len;
}

/* The image's file name, at most COMM_LEN bytes, as Linux's comm, unless
 * prctl named the process. */
static void comm_of(const lx_proc_t *p, char *comm)
{
    char *path = p->k->path[1];
    const char *base = p->comm_set ? p->comm : "";
    if (!p->comm_set && p->exe && name_of(p->k, p->exe, path, LX_PATH_MAX) > 0)
        base = strrchr(path, '/') + 1;
    strncpy(comm, base, COMM_LEN);
    comm[COMM_LEN] = '\0';
}

void lx_proc_comm(const lx_proc_t *p, char *comm)
{
    comm_of(p, comm);
}

/* ------------------------------------------------------------------ */
/* The files                                                           */

static void meminfo(out_t *o)
{
    uint32_t total, free;
    o->k->ops->mem_info(o->k->ctx, &total, &free);
    puts_(o, "MemTotal:       ");
    put_u(o, total / KIB, MEMINFO_WIDTH);
    puts_(o, " kB\nMemFree:        ");
    put_u(o, free / KIB, MEMINFO_WIDTH);
    puts_(o, " kB\nMemAvailable:   ");
    put_u(o, free / KIB, MEMINFO_WIDTH);
    puts_(o, " kB\nSwapTotal:      ");
    put_u(o, 0, MEMINFO_WIDTH);
    puts_(o, " kB\nSwapFree:       ");
    put_u(o, 0, MEMINFO_WIDTH);
    puts_(o, " kB\n");
}

/* Seconds with two decimals; the guest does not count idle time (0). */
static void uptime(out_t *o)
{
    uint64_t ns = o->k->ops->now_ns(o->k->ctx, LX_CLOCK_MONOTONIC);
    uint64_t centi = ns / NS_PER_CENTI % 100;
    put_u(o, ns / NS_PER_SEC, 0);
    puts_(o, centi < 10 ? ".0" : ".");
    put_u(o, centi, 0);
    puts_(o, " 0.00\n");
}

static void cmdline(out_t *o, lx_proc_t *q)
{
    char chunk[LX_NAME_MAX];
    for (uint32_t at = q->arg_start; q->space && at < q->arg_end && !o->err;) {
        uint32_t n = q->arg_end - at < sizeof(chunk) ? q->arg_end - at : sizeof(chunk);
        if (o->k->ops->copy_in(q->space, chunk, at, n))
            break;
        put(o, chunk, n);
        at += n;
    }
}

/* The state of q's thread th (the caller runs: it is asking). */
static char state_of(const lx_proc_t *q, const lx_thread_state_t *th, const lx_proc_t *self)
{
    if (q->exited)
        return 'Z';
    return th == &self->th || !th->retrying ? 'R' : 'S';
}

/* What the per-process files describe of the threads: the first (Linux's
 * group leader). */
static lx_thread_state_t *leader_of(lx_proc_t *q)
{
    return lx_thread_state(q, q->threads);
}

/* fs/proc/array.c do_task_stat: the first 20 fields, then zeros to 52; for
 * the thread th of q. */
static void stat_file(out_t *o, lx_proc_t *q, const lx_thread_state_t *th, lx_proc_t *self)
{
    char comm[COMM_LEN + 1], st[4] = { ' ', state_of(q, th, self), ' ', '\0' };
    comm_of(q, comm);
    put_u(o, th->tid, 0);
    puts_(o, " (");
    puts_(o, comm);
    puts_(o, ")");
    puts_(o, st);
    uint32_t ids[] = { q->ppid, q->pgid, q->sid };
    for (uint32_t i = 0; i < sizeof(ids) / sizeof(ids[0]); i++) {
        put_u(o, ids[i], 0);
        puts_(o, " ");
    }
    /* tty_nr tpgid flags minflt cminflt majflt cmajflt utime stime cutime
     * cstime priority nice num_threads ... */
    puts_(o, "0 -1 0 ");
    put_u(o, q->minflt, 0);
    puts_(o, " 0 0 0 0 0 0 0 ");
    put_u(o, (uint32_t)(LX_PRIO_NICE0 + q->nice), 0);   /* priority, never negative */
    puts_(o, q->nice < 0 ? " -" : " ");
    put_u(o, (uint32_t)(q->nice < 0 ? -q->nice : q->nice), 0);
    puts_(o, " ");
    put_u(o, lx_thread_count(q), 0);
    for (int i = 20; i <= 52; i++)
        puts_(o, " 0");
    puts_(o, "\n");
}

static void status_line(out_t *o, const char *name, uint32_t v)
{
    puts_(o, name);
    put_u(o, v, 0);
    puts_(o, "\n");
}

static void status_file(out_t *o, lx_proc_t *q, const lx_thread_state_t *th, lx_proc_t *self)
{
    static const char *const states[] = { "R (running)", "S (sleeping)", "Z (zombie)" };
    char comm[COMM_LEN + 1], s = state_of(q, th, self), umask[6] = "\t0000";
    comm_of(q, comm);
    puts_(o, "Name:\t");
    puts_(o, comm);
    for (int i = 0; i < 3; i++)
        umask[4 - i] = (char)('0' + ((q->umask >> (3 * i)) & 7));
    puts_(o, "\nUmask:");
    puts_(o, umask);
    puts_(o, "\nState:\t");
    puts_(o, states[s == 'R' ? 0 : s == 'S' ? 1 : 2]);
    puts_(o, "\n");
    status_line(o, "Tgid:\t", q->pid);
    status_line(o, "Pid:\t", th->tid);
    status_line(o, "PPid:\t", q->ppid);
    status_line(o, "TracerPid:\t", 0);
    uint32_t u[] = { q->uid, q->euid, q->uid, q->euid }, g[] = { q->gid, q->egid, q->gid, q->egid };
    puts_(o, "Uid:");
    for (int i = 0; i < 4; i++) { puts_(o, "\t"); put_u(o, u[i], 0); }
    puts_(o, "\nGid:");
    for (int i = 0; i < 4; i++) { puts_(o, "\t"); put_u(o, g[i], 0); }
    puts_(o, "\n");
    status_line(o, "FDSize:\t", LX_FD_MAX);
    status_line(o, "Threads:\t", lx_thread_count(q));
}

/* One line of maps as fs/proc/task_mmu.c's show_map_vma prints it: range,
 * rights, private or shared, the file's offset, device and inode (zeros
 * for anonymous memory), then the name from the column i386 Linux pads to. */
typedef struct map_line {
    uint32_t start, end, prot;
    bool shared;
    uint64_t off;
    uint32_t ino;
    const char *name;           /* "" for none */
} map_line_t;

#define MAPS_NAME_COLUMN 48     /* task_mmu.c: seq_setwidth(25 + sizeof(void *) * 6 - 1) */

static void map_line(out_t *o, const map_line_t *m)
{
    char perms[] = " ---p ", dev[] = " 00:00 ";
    uint32_t line_start = o->n->size;

    if (m->prot & LX_PROT_READ) perms[1] = 'r';
    if (m->prot & LX_PROT_WRITE) perms[2] = 'w';
    if (m->prot & LX_PROT_EXEC) perms[3] = 'x';
    if (m->shared) perms[4] = 's';
    if (m->ino) {
        dev[4] = (char)('0' + (LX_FS_DEV >> 4 & 0xf));
        dev[5] = (char)('0' + (LX_FS_DEV & 0xf));
    }
    put_hex(o, m->start);
    puts_(o, "-");
    put_hex(o, m->end);
    puts_(o, perms);
    if (m->off >> 32)
        put_hex(o, (uint32_t)(m->off >> 32));
    put_hex(o, (uint32_t)m->off);
    puts_(o, dev);
    put_u(o, m->ino, 0);
    puts_(o, " ");
    if (m->name[0]) {           /* seq_pad: spaces to the column, then one more */
        while (!o->err && o->n->size - line_start < MAPS_NAME_COLUMN)
            puts_(o, " ");
        puts_(o, " ");
        puts_(o, m->name);
    }
    puts_(o, "\n");
}

/* A region's line: a file mapping names its file (nothing if no name links
 * it any more), the image's regions below the heap the image. The name is
 * built in k->path[1]. */
static void vma_line(out_t *o, const lx_proc_t *q, const lx_vma_t *v)
{
    char *name = q->k->path[1];
    map_line_t m = { v->start, v->end, v->prot, false, 0, 0, name };

    name[0] = '\0';
    if (v->file) {
        m.shared = v->flags & LX_VMA_SHARED;
        m.off = (uint64_t)v->pgoff << LX_PAGE_SHIFT;
        m.ino = v->file->ino;
        if (name_of(q->k, v->file, name, LX_PATH_MAX) < 0)
            name[0] = '\0';
    } else if (v->end == q->k->user_top) {
        m.name = "[stack]";
    } else if (v->end <= q->brk_start && q->exe) {
        if (name_of(q->k, q->exe, name, LX_PATH_MAX) < 0)
            name[0] = '\0';
    }
    map_line(o, &m);
}

/* The regions in address order, the heap among them. */
static void maps(out_t *o, lx_proc_t *q)
{
    uint32_t heap_end = (q->brk + LX_PAGE_SIZE - 1) & ~(LX_PAGE_SIZE - 1), at = 0;
    bool heap_done = heap_end <= q->brk_start;
    for (;;) {
        const lx_vma_t *next = NULL;
        for (int i = 0; i < LX_VMA_MAX; i++) {
            const lx_vma_t *v = &q->vma[i];
            if (v->end && v->start >= at && (!next || v->start < next->start))
                next = v;
        }
        if (!heap_done && (!next || next->start >= heap_end)) {
            map_line(o, &(map_line_t){ q->brk_start, heap_end, LX_PROT_READ | LX_PROT_WRITE,
                                       false, 0, 0, "[heap]" });
            heap_done = true;
        }
        if (!next)
            return;
        vma_line(o, q, next);
        at = next->end;
    }
}

/* The one file system, a tmpfs at / (statfs reports TMPFS_MAGIC): what df
 * and mount read. Not named "rootfs" as Linux lists an initramfs, since
 * busybox's df skips that name looking for the "real" root. */
static void mounts(out_t *o)
{
    puts_(o, "tmpfs / tmpfs rw 0 0\n");
}

/* ------------------------------------------------------------------ */
/* Threads: /proc/<pid>/task/<tid>/                                    */

#define TASK_DIR    "task/"
#define TID_CHARS   12          /* a tid in decimal and its NUL */

/* comm: the name with a newline (fs/proc/base.c comm_show). */
static void comm_file(out_t *o, lx_proc_t *q)
{
    char comm[COMM_LEN + 1];
    comm_of(q, comm);
    puts_(o, comm);
    puts_(o, "\n");
}

/* The files a process and each of its threads have alike, for its thread
 * th: -ENOENT for another name. */
static int task_file(out_t *o, lx_proc_t *q, const lx_thread_state_t *th, const char *name,
        lx_proc_t *self)
{
    if (strcmp(name, "stat") == 0)
        stat_file(o, q, th, self);
    else if (strcmp(name, "status") == 0)
        status_file(o, q, th, self);
    else if (strcmp(name, "comm") == 0)
        comm_file(o, q);
    else
        return LX_ERR(LX_ENOENT);
    return 0;
}

/* The state of q's thread "<tid>" at the start of s, *rest what follows
 * the digits; NULL if q has no such thread. */
static lx_thread_state_t *task_of(lx_proc_t *q, const char *s, const char **rest)
{
    uint32_t tid = 0;
    lx_thread_t *t = q->threads;

    for (*rest = s; **rest >= '0' && **rest <= '9'; (*rest)++)
        tid = tid * 10 + (uint32_t)(**rest - '0');
    if (*rest == s || q->exited)
        return NULL;
    do {
        lx_thread_state_t *st = lx_thread_state(q, t);
        if (st->tid == tid)
            return st;
        t = t ? t->next : NULL;
    } while (t);
    return NULL;
}

/* task/<tid>/<name>: the file of that thread. */
static int task_fill(out_t *o, lx_proc_t *q, const char *s, lx_proc_t *self)
{
    const char *rest;
    lx_thread_state_t *th = task_of(q, s, &rest);

    if (!th || *rest != '/' || task_file(o, q, th, rest + 1, self) != 0)
        return LX_ERR(LX_ENOENT);
    return o->err;
}

/* A snapshot directory (see fd_dir below) with the names given, each of
 * mode; nlink stays 0 (no directory names it). */
static int snap_dir(lx_kernel_t *k, const char *const *names, uint32_t n, uint32_t mode,
        lx_inode_t **out)
{
    lx_inode_t *dir = lx_fs_new(k, LX_S_IFDIR | 0555), *e;
    int err = 0;

    if (!dir)
        return LX_ERR(LX_ENOMEM);
    dir->parent = dir;
    dir->nlink = 1;             /* while it is filled: lx_fs_create wants a live one */
    for (uint32_t i = 0; i < n && !err; i++)
        err = lx_fs_create(k, dir, names[i], (uint32_t)strlen(names[i]), mode, &e);
    dir->nlink = 0;
    if (err) {
        lx_fs_put(k, dir);
        return err;
    }
    *out = dir;
    return 0;
}

/* task: a directory per thread, named by its tid, listed in tid order (an
 * entry made later is listed first); task/<tid>: its files. -ENOTDIR when
 * rest names neither (the other /proc/<pid>/ names, task/<tid>/<file>). */
static int task_dir(lx_proc_t *p, lx_proc_t *q, const char *rest, lx_inode_t **out)
{
    static const char *const files[] = { "status", "stat", "comm" };
    char (*names)[TID_CHARS] = (char (*)[TID_CHARS])p->k->path[1];    /* free scratch */
    const char *list[LX_PROC_MAX], *after;
    uint32_t n = 0;

    _Static_assert(LX_PROC_MAX * TID_CHARS <= LX_PATH_MAX, "the tids fit the scratch");
    if (strcmp(rest, "task") != 0 && strcmp(rest, TASK_DIR) != 0) {
        if (strncmp(rest, TASK_DIR, sizeof(TASK_DIR) - 1) != 0)
            return LX_ERR(LX_ENOTDIR);
        if (!task_of(q, rest + sizeof(TASK_DIR) - 1, &after))
            return LX_ERR(LX_ENOENT);
        if (*after && strcmp(after, "/") != 0)
            return LX_ERR(LX_ENOTDIR);
        return snap_dir(p->k, files, sizeof(files) / sizeof(files[0]), LX_S_IFREG | 0444, out);
    }
    lx_thread_t *t = q->threads;
    do {
        uint32_t v = lx_thread_state(q, t)->tid, i = TID_CHARS - 1;
        names[n][i] = '\0';
        do { names[n][--i] = (char)('0' + v % 10); v /= 10; } while (v);
        list[n] = &names[n][i];
        n++;
        t = t ? t->next : NULL;
    } while (t && n < LX_PROC_MAX);
    for (uint32_t i = 0; i < n / 2; i++) {  /* newest first: listed oldest first */
        const char *x = list[i];
        list[i] = list[n - 1 - i];
        list[n - 1 - i] = x;
    }
    return snap_dir(p->k, list, n, LX_S_IFDIR | 0555, out);
}

/* ------------------------------------------------------------------ */
/* Paths                                                               */

/* The process a "/proc/<pid or self>/" path names, and the rest after it. */
static lx_proc_t *proc_of(lx_proc_t *p, const char *s, const char **rest)
{
    uint32_t pid = 0;
    if (strncmp(s, SELF "/", sizeof(SELF)) == 0) {
        *rest = s + sizeof(SELF);
        return p;
    }
    for (; *s >= '0' && *s <= '9'; s++)
        pid = pid * 10 + (uint32_t)(*s - '0');
    if (*s != '/' || pid == 0)
        return NULL;
    *rest = s + 1;
    return lx_proc_find(p->k, pid);
}

bool lx_procfs_path(const char *path)
{
    return strncmp(path, PROC_DIR, sizeof(PROC_DIR) - 1) == 0;
}

/* Writes the file's text; -ENOENT for names /proc does not have. */
static int fill(out_t *o, lx_proc_t *p, const char *name)
{
    const char *rest;
    lx_proc_t *q;
    if (strcmp(name, "meminfo") == 0)
        meminfo(o);
    else if (strcmp(name, "uptime") == 0)
        uptime(o);
    else if (strcmp(name, "mounts") == 0)
        mounts(o);
    else if (!(q = proc_of(p, name, &rest)))
        return LX_ERR(LX_ENOENT);
    else if (strcmp(rest, "mounts") == 0)
        mounts(o);
    else if (strcmp(rest, "cmdline") == 0)
        cmdline(o, q);
    else if (strncmp(rest, TASK_DIR, sizeof(TASK_DIR) - 1) == 0)
        return task_fill(o, q, rest + sizeof(TASK_DIR) - 1, p);
    else if (task_file(o, q, leader_of(q), rest, p) == 0)
        ;
    else if (strcmp(rest, "maps") == 0)
        maps(o, q);
    else
        return LX_ERR(LX_ENOENT);
    return o->err;
}

/* fd/<n>'s target: the file's name, or "pipe:[id]" as Linux shows a pipe. */
static int fd_target(lx_proc_t *q, const char *s, char *buf, uint32_t size)
{
    static const char pre[] = "pipe:[";
    char digits[12];
    uint32_t fd = 0, i = sizeof(digits), len;
    for (; *s >= '0' && *s <= '9'; s++)
        fd = fd * 10 + (uint32_t)(*s - '0');
    lx_file_t *f = *s ? NULL : lx_fd_get(q, (int32_t)fd);
    if (!f)
        return LX_ERR(LX_ENOENT);
    if (f->kind == LX_FILE_INODE)
        return name_of(q->k, f->node, buf, size);
    for (uint32_t v = (uint32_t)((uintptr_t)f->pipe >> 4); i == sizeof(digits) || v; v /= 10)
        digits[--i] = (char)('0' + v % 10);
    len = (uint32_t)sizeof(pre) - 1 + (uint32_t)sizeof(digits) - i + 1;
    if (len + 1 > size)
        return LX_ERR(LX_ERANGE);
    memcpy(buf, pre, sizeof(pre) - 1);
    memcpy(buf + sizeof(pre) - 1, digits + i, sizeof(digits) - i);
    buf[len - 1] = ']';
    buf[len] = '\0';
    return (int)len;
}

int lx_procfs_readlink(lx_proc_t *p, const char *path, char *buf, uint32_t size)
{
    const char *rest;
    lx_proc_t *q;
    q = proc_of(p, path + sizeof(PROC_DIR) - 1, &rest);
    if (!q || q->exited)
        return LX_ERR(LX_ENOENT);
    if (strcmp(rest, "exe") == 0)
        return q->exe ? name_of(p->k, q->exe, buf, size) : LX_ERR(LX_ENOENT);
    if (strcmp(rest, "cwd") == 0) {
        int len = lx_fs_path_of(q->cwd, buf, size);
        return len < 0 ? len : len - 1;
    }
    if (strncmp(rest, "fd/", 3) == 0)
        return fd_target(q, rest + 3, buf, size);
    return LX_ERR(LX_ENOENT);
}

/* /proc/<pid>/fd as a directory: a symbolic link per open descriptor,
 * named by its number, to what readlink of it says. The directory is a
 * snapshot too: no directory names it, and its last close frees it with
 * its entries (fs.c). */
static int fd_dir(lx_proc_t *p, lx_proc_t *q, lx_inode_t **out)
{
    lx_inode_t *dir = lx_fs_new(p->k, LX_S_IFDIR | 0500), *link;
    char *target = p->k->path[1], name[12];
    int err = 0;

    if (!dir)
        return LX_ERR(LX_ENOMEM);
    dir->parent = dir;
    dir->nlink = 1;             /* while it is filled: lx_fs_create wants a live one */
    for (uint32_t fd = 0; fd < LX_FD_MAX && !err; fd++) {
        uint32_t i = sizeof(name), v = fd;
        if (!q->fd[fd])
            continue;
        do { name[--i] = (char)('0' + v % 10); v /= 10; } while (v);
        memcpy(target, "fd/", 3);
        memcpy(target + 3, name + i, sizeof(name) - i);
        target[3 + sizeof(name) - i] = '\0';
        int len = fd_target(q, target + 3, target, LX_PATH_MAX);
        err = len < 0 ? len : lx_fs_create(p->k, dir, name + i, sizeof(name) - i,
                                           LX_S_IFLNK | 0700, &link);
        if (!err)
            err = lx_fs_write(p->k, link, 0, target, (uint32_t)len);
    }
    dir->nlink = 0;
    if (err) {
        lx_fs_put(p->k, dir);
        return err;
    }
    *out = dir;
    return 0;
}

int lx_procfs_open(lx_proc_t *p, const char *path, uint32_t flags, lx_inode_t **out)
{
    const char *rest;
    lx_proc_t *q = proc_of(p, path + sizeof(PROC_DIR) - 1, &rest);

    if ((flags & LX_O_ACCMODE) != LX_O_RDONLY)
        return LX_ERR(LX_EACCES);
    if (q && !q->exited && (strcmp(rest, "fd") == 0 || strcmp(rest, "fd/") == 0))
        return fd_dir(p, q, out);
    int dir = q ? task_dir(p, q, rest, out) : LX_ERR(LX_ENOTDIR);
    if (dir != LX_ERR(LX_ENOTDIR))
        return dir;
    out_t o = { p->k, lx_fs_new(p->k, LX_S_IFREG | 0444), 0 };
    if (!o.n)
        return LX_ERR(LX_ENOMEM);
    int err = fill(&o, p, path + sizeof(PROC_DIR) - 1);
    if (err) {
        lx_fs_put(p->k, o.n);
        return err;
    }
    *out = o.n;
    return 0;
}
