/*
 * Open files. As on Linux, a descriptor is an index into the process's
 * table; the table points at an open file description (lx_file_t) holding
 * the position and the open flags, shared by dup() and, later, by fork().
 * A description reads and writes one of three things: a regular file's
 * bytes in the page cache (pcache.c), a character device (null, zero, and
 * the console behind tty and console), or one end of a pipe.
 *
 * Reads and writes here move bytes between the object and a buffer in the
 * guest kernel; sys_file.c copies that buffer to or from the process.
 * Nothing here blocks: a read of an empty pipe whose writer is still open,
 * or a write to a full one, answers -EAGAIN, and sys_file.c turns that into
 * a parked call (LX_BLOCK) unless the description is non-blocking.
 */
#include "lx.h"
#include "linux/stat.h"
#include "linux/fcntl.h"
#include "linux/wait.h"
#include <string.h>

lx_file_t *lx_file_new(lx_kernel_t *k, lx_file_kind_t kind, uint32_t flags)
{
    lx_file_t *f = lx_alloc(k, sizeof(*f));
    if (!f)
        return NULL;
    f->refs = 1;
    f->kind = kind;
    f->flags = flags & ~(uint32_t)LX_O_CLOEXEC;
    return f;
}

/* Out of line, so that closing a file pays nothing for the pipe's work.
 * A FIFO's pipe goes with its last end: the next open starts a new one. */
static __attribute__((noinline)) void pipe_close_end(lx_kernel_t *k, lx_file_t *f)
{
    lx_pipe_t *pp = f->pipe;
    if (f->kind == LX_FILE_PIPE_READ)
        pp->readers--;
    else
        pp->writers--;
    if (pp->readers == 0 && pp->writers == 0) {
        if (pp->node) {
            pp->node->fifo = NULL;
            pp->node->opens--;
            lx_fs_put(k, pp->node);
        }
        lx_free(k, pp, sizeof(*pp));
    }
}

/* A blocking FIFO end whose other end has not been opened since it was:
 * Linux would still be parked in open, so it waits rather than see the
 * end of file or a broken pipe. */
static bool fifo_unpaired(const lx_file_t *f, uint32_t other_counter)
{
    return f->pipe->node && other_counter == f->fifo_seen && !(f->flags & LX_O_NONBLOCK);
}

/* Whether the description holds write access to a regular file: Linux's
 * get_write_access at open, given back at the last close. */
bool lx_file_writes(const lx_file_t *f)
{
    return f->kind == LX_FILE_INODE && LX_S_ISREG(f->node->mode) &&
           (f->flags & LX_O_ACCMODE) != LX_O_RDONLY;
}

void lx_file_put(lx_kernel_t *k, lx_file_t *f)
{
    if (--f->refs)
        return;
    if (f->kind == LX_FILE_INODE) {
        if (f->flock)
            lx_flock_release(f);
        if (lx_file_writes(f))
            f->node->writers--;
        f->node->opens--;
        lx_fs_put(k, f->node);
    } else {
        pipe_close_end(k, f);
    }
    lx_free(k, f, sizeof(*f));
}

/* Lowest free descriptor >= min; takes over the caller's reference. */
int lx_fd_install(lx_proc_t *p, lx_file_t *f, uint32_t min, bool cloexec)
{
    for (uint32_t fd = min; fd < LX_FD_MAX; fd++) {
        if (!p->fd[fd]) {
            p->fd[fd] = f;
            lx_fd_set_cloexec(p, fd, cloexec);
            return (int)fd;
        }
    }
    return LX_ERR(LX_EMFILE);
}

lx_file_t *lx_fd_get(lx_proc_t *p, int32_t fd)
{
    if (fd < 0 || fd >= LX_FD_MAX)
        return NULL;
    return p->fd[fd];
}

static bool is_console(const lx_inode_t *n)
{
    return n->rdev == LX_DEV_TTY || n->rdev == LX_DEV_CONSOLE;
}

static int32_t dev_read(lx_proc_t *p, lx_inode_t *n, void *buf, uint32_t len)
{
    if (n->rdev == LX_DEV_ZERO) {
        memset(buf, 0, len);
        return (int32_t)len;
    }
    if (is_console(n))
        return lx_tty_read(p, buf, len);
    return 0;                   /* /dev/null: always at end of file */
}

static int32_t dev_write(lx_proc_t *p, lx_inode_t *n, const void *buf, uint32_t len)
{
    if (is_console(n)) {
        int32_t bg = lx_tty_write_check(p);
        return bg ? bg : p->k->ops->console_write(p->k->ctx, buf, len);
    }
    return (int32_t)len;        /* null and zero swallow everything */
}

static int32_t pipe_read(const lx_file_t *f, uint8_t *buf, uint32_t len)
{
    lx_pipe_t *pp = f->pipe;
    if (pp->count == 0)
        return pp->writers || fifo_unpaired(f, pp->w_counter) ? LX_ERR(LX_EAGAIN) : 0;
    uint32_t n = len < pp->count ? len : pp->count;
    for (uint32_t i = 0; i < n; i++)
        buf[i] = pp->buf[(pp->head + i) % LX_PIPE_SIZE];
    pp->head = (pp->head + n) % LX_PIPE_SIZE;
    pp->count -= n;
    return (int32_t)n;
}

static int32_t pipe_write(const lx_file_t *f, const uint8_t *buf, uint32_t len)
{
    lx_pipe_t *pp = f->pipe;
    if (pp->readers == 0)           /* lx_file_write() adds SIGPIPE */
        return fifo_unpaired(f, pp->r_counter) ? LX_ERR(LX_EAGAIN) : LX_ERR(LX_EPIPE);
    uint32_t room = LX_PIPE_SIZE - pp->count;
    if (room == 0)
        return LX_ERR(LX_EAGAIN);
    uint32_t n = len < room ? len : room;
    for (uint32_t i = 0; i < n; i++)
        pp->buf[(pp->head + pp->count + i) % LX_PIPE_SIZE] = buf[i];
    pp->count += n;
    return (int32_t)n;
}

static int32_t inode_read(lx_proc_t *p, lx_file_t *f, void *buf, uint32_t len)
{
    lx_inode_t *n = f->node;
    if (LX_S_ISDIR(n->mode))
        return LX_ERR(LX_EISDIR);
    if (LX_S_ISCHR(n->mode))
        return dev_read(p, n, buf, len);
    if (f->pos >= n->size)
        return 0;
    int32_t cnt = lx_pcache_read(n, (uint32_t)f->pos, buf, len);
    f->pos += (uint32_t)cnt;
    return cnt;
}

static int32_t inode_write(lx_proc_t *p, lx_file_t *f, const void *buf, uint32_t len)
{
    lx_inode_t *n = f->node;
    if (LX_S_ISCHR(n->mode))
        return dev_write(p, n, buf, len);
    if (f->flags & LX_O_APPEND)
        f->pos = n->size;
    if (f->pos + len > 0xffffffffu)
        return LX_ERR(LX_EFBIG);
    int err = lx_fs_write(p->k, n, (uint32_t)f->pos, buf, len);
    if (err)
        return err;
    f->pos += len;
    n->mtime = (uint32_t)(p->k->ops->now_ns(p->k->ctx, 0) / 1000000000u);
    return (int32_t)len;
}

int32_t lx_file_read(lx_proc_t *p, lx_file_t *f, void *buf, uint32_t len)
{
    if (f->kind == LX_FILE_PIPE_WRITE || (f->flags & LX_O_ACCMODE) == LX_O_WRONLY)
        return LX_ERR(LX_EBADF);
    if (f->kind == LX_FILE_PIPE_READ)
        return pipe_read(f, buf, len);
    return inode_read(p, f, buf, len);
}

int32_t lx_file_write(lx_proc_t *p, lx_file_t *f, const void *buf, uint32_t len)
{
    if (f->kind == LX_FILE_PIPE_READ || (f->flags & LX_O_ACCMODE) == LX_O_RDONLY)
        return LX_ERR(LX_EBADF);
    if (f->kind == LX_FILE_PIPE_WRITE) {
        int32_t r = pipe_write(f, buf, len);
        if (r == LX_ERR(LX_EPIPE)) {
            lx_sigsrc_t src = { .code = LX_SI_USER, .pid = p->pid, .uid = p->uid };
            /* the writer's own, as pipe_write() in fs/pipe.c (send_sig) */
            lx_sig_send_thread(p, NULL, LX_SIGPIPE, &src);
        }
        return r;
    }
    return inode_write(p, f, buf, len);
}

/* Readiness as Linux's f_op->poll reports it: a pipe's read end is
 * readable with bytes in it and hangs up when no writer is left; its write
 * end is writable with room and in error when no reader is left; files
 * and the memory devices are always ready; the console is readable when
 * the guest kernel says a read would not wait. */
uint32_t lx_file_poll(lx_proc_t *p, lx_file_t *f)
{
    const uint32_t in = LX_POLLIN | LX_POLLRDNORM, out = LX_POLLOUT | LX_POLLWRNORM;
    lx_pipe_t *pp = f->pipe;
    uint32_t m = 0;

    if (f->kind == LX_FILE_PIPE_READ) {
        if (pp->count)
            m |= in;
        if (!pp->writers && !(pp->node && pp->w_counter == f->fifo_seen))
            m |= LX_POLLHUP;    /* a FIFO nobody has written to yet: as Linux's f_version */
        return m;
    }
    if (f->kind == LX_FILE_PIPE_WRITE) {
        if (!pp->readers)
            return out | LX_POLLERR;
        return pp->count < LX_PIPE_SIZE ? out : 0;
    }
    if (is_console(f->node)) {
        uint8_t none;
        return out | (p->k->ops->console_read(p->k->ctx, &none, 0) >= 0 ? in : 0);
    }
    return in | out;
}
