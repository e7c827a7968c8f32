/*
 * The personality's state: one lx_kernel_t per guest, one lx_proc_t per
 * process. lx_kernel_init() makes the empty root with what every Linux
 * system has before its initramfs is unpacked (/dev with null, zero, tty and
 * console; /tmp, sticky and world-writable). lx_proc_init() gives a process
 * Linux's defaults: ids 0 (the guest is its own root), umask 022, the root
 * as current directory, descriptors 0, 1 and 2 open on /dev/console.
 *
 * All memory goes through lx_alloc(), which counts it in mem_used, so the
 * guest kernel can report what its Linux side holds and refuse with ENOMEM
 * when its budget is spent rather than die.
 */
#include "lx.h"
#include "linux/stat.h"
#include "linux/fcntl.h"
#include "linux/misc.h"
#include <string.h>

#define LX_USER_TOP     0xC0000000u /* Linux i386 TASK_SIZE (3 GiB split) */
#define LX_MMAP_TOP     0xB0000000u /* mmap hands out addresses below this */
#define LX_FIRST_PID    1
#define LX_DEFAULT_UMASK 022        /* Linux init's umask */
#define LX_DEFAULT_GDT_TLS 7        /* our GDT's %gs entry (arch/ia32/include/arch/gdt.h GDT_GS) */

void *lx_alloc(lx_kernel_t *k, uint32_t bytes)
{
    void *p = k->ops->alloc(k->ctx, bytes);
    if (p)
        k->mem_used += bytes;
    return p;
}

void lx_free(lx_kernel_t *k, void *p, uint32_t bytes)
{
    k->mem_used -= bytes;
    k->ops->free(k->ctx, p, bytes);
}

static int make_dev(lx_kernel_t *k, lx_inode_t *dev, const char *name, uint32_t rdev)
{
    lx_inode_t *n;
    int err = lx_fs_create(k, dev, name, (uint32_t)strlen(name), LX_S_IFCHR | 0666, &n);
    if (!err)
        n->rdev = rdev;
    return err;
}

static int make_devices(lx_kernel_t *k)
{
    lx_inode_t *dev, *tmp;
    int err = lx_fs_mkpath(k, "/dev", LX_S_IFDIR | 0755, &dev);
    if (!err)
        err = make_dev(k, dev, "null", LX_DEV_NULL);
    if (!err)
        err = make_dev(k, dev, "zero", LX_DEV_ZERO);
    if (!err)
        err = make_dev(k, dev, "tty", LX_DEV_TTY);
    if (!err)
        err = make_dev(k, dev, "console", LX_DEV_CONSOLE);
    if (!err)
        err = lx_fs_mkpath(k, "/tmp", LX_S_IFDIR | 01777, &tmp);
    return err;
}

int lx_kernel_init(lx_kernel_t *k, const lx_host_ops_t *ops, void *ctx)
{
    memset(k, 0, sizeof(*k));
    k->ops = ops;
    k->ctx = ctx;
    k->user_top = LX_USER_TOP;
    k->tls_gdt_entry = LX_DEFAULT_GDT_TLS;
    k->next_ino = 1;
    k->next_pid = LX_FIRST_PID;
    lx_tty_init(&k->tty);
    k->root = lx_fs_new(k, LX_S_IFDIR | 0755);
    if (!k->root)
        return LX_ERR(LX_ENOMEM);
    k->root->parent = k->root;
    k->root->nlink = 2;
    return make_devices(k);
}

static int open_console(lx_proc_t *p)
{
    lx_inode_t *con;
    int err = lx_fs_walk(p->k, p->k->root, "/dev/console", true, &con);
    if (err)
        return err;
    lx_file_t *f = lx_file_new(p->k, LX_FILE_INODE, LX_O_RDWR);
    if (!f)
        return LX_ERR(LX_ENOMEM);
    f->node = con;
    con->opens++;
    for (int fd = 0; fd < 3; fd++) {
        f->refs++;
        p->fd[fd] = f;
    }
    lx_file_put(p->k, f);       /* drop lx_file_new's reference */
    return 0;
}

int lx_proc_init(lx_kernel_t *k, lx_proc_t *p, void *space)
{
    memset(p, 0, sizeof(*p));
    p->k = k;
    p->space = space;
    p->pid = p->tid = p->pgid = p->sid = k->next_pid++;
    p->umask = LX_DEFAULT_UMASK;
    p->start_ns = k->ops->now_ns(k->ctx, LX_CLOCK_MONOTONIC);
    p->mmap_top = LX_MMAP_TOP;
    p->cwd = k->root;
    k->root->opens++;
    p->next = k->procs;
    k->procs = p;
    k->nprocs++;
    return open_console(p);
}

/* Close everything a process holds and take it off the process list; its
 * address space is the guest kernel's to tear down. */
void lx_proc_release(lx_proc_t *p)
{
    lx_thread_drop_others(p);
    lx_sig_thread_free(p->k, &p->tsig);
    for (lx_proc_t **l = &p->k->procs; *l; l = &(*l)->next) {
        if (*l == p) {
            *l = p->next;
            p->k->nprocs--;
            break;
        }
    }
    lx_proc_drop_files(p);
}

/* Its descriptors, current directory, executable and mapped files: what
 * exit gives back at once (the zombie keeps the rest until it is reaped). */
void lx_proc_drop_files(lx_proc_t *p)
{
    for (int i = 0; i < LX_VMA_MAX; i++)
        lx_vma_drop(p->k, &p->vma[i]);
    for (int fd = 0; fd < LX_FD_MAX; fd++) {
        if (p->fd[fd])
            lx_file_put(p->k, p->fd[fd]);
        p->fd[fd] = NULL;
    }
    if (p->cwd) {
        p->cwd->opens--;
        lx_fs_put(p->k, p->cwd);
        p->cwd = NULL;
    }
    lx_proc_drop_exe(p);
}

void lx_proc_drop_exe(lx_proc_t *p)
{
    if (!p->exe)
        return;
    p->exe->opens--;
    p->exe->runners--;
    lx_fs_put(p->k, p->exe);
    p->exe = NULL;
}

void lx_proc_reap(lx_proc_t *p)
{
    lx_kernel_t *k = p->k;

    for (uint32_t i = 0; i < LX_TID_CACHE; i++)
        if (k->tid_cache[i] == p)
            k->tid_cache[i] = NULL;
    lx_proc_release(p);
    if (p->allocated)
        lx_free(k, p, sizeof(*p));
}

/* Empties a directory, depth first; hard-linked inodes go with their last
 * name. */
static void free_tree(lx_kernel_t *k, lx_inode_t *dir)
{
    while (dir->entries) {
        lx_dirent_t *e = dir->entries;
        if (LX_S_ISDIR(e->node->mode))
            free_tree(k, e->node);
        lx_fs_unlink(k, dir, e->name, e->len);
    }
}

/* Gives back all the personality's memory; processes still listed are
 * released (and freed if fork made them). */
void lx_kernel_release(lx_kernel_t *k)
{
    while (k->procs)
        lx_proc_reap(k->procs);
    free_tree(k, k->root);
    k->root->nlink = 0;
    k->root->opens = 0;
    lx_fs_put(k, k->root);
    k->root = NULL;
}
