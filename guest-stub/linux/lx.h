/*
 * The Linux personality of the guest kernel: its pure core.
 *
 * A Linux i386 program asks for a service with `int $0x80`; our kernel turns
 * that into an UnknownSyscall fault whose reply sets EAX and resumes after
 * the instruction (docs/api.md). The guest kernel receives the fault, hands
 * the registers to lx_syscall(), and replies with the number it returns. All
 * that happens in between is here and is pure: no kernel calls. Everything
 * the personality needs from the world (the process's memory, pages mapped
 * into its address space, the guest kernel's own memory, the console, a
 * clock, random bytes) it asks for through lx_host_ops_t, which the guest
 * kernel implements with memmgr and seL4 calls and the host tests implement
 * with a fake address space. docs/guest.md describes the design.
 *
 * Three objects: lx_kernel_t (one per guest: the in-memory file system, the
 * host interface, the process list, counters), lx_proc_t (one per Linux
 * process: its address space's layout, file descriptors, ids, current
 * directory, parent and children; and its calling thread's state, what it
 * waits for, with the other threads' in lx_thread_t records) and lx_file_t
 * (an open file description, shared by dup'ed descriptors and forked
 * children).
 *
 * A call that cannot finish now (a read of an empty pipe, wait4 with no
 * exited child, nanosleep, a vfork parent) returns LX_BLOCK; the guest
 * kernel parks the caller (keeping its reply capability) and calls
 * lx_syscall() again with the same registers whenever something may have
 * changed, until it returns anything else. p->retrying tells a handler it
 * is such a repeat; p->sleep_until (0: none) when the call gives up by
 * itself, p->wait_external that only the outside world (the console) can
 * wake it. fork, clone and execve leave work for the guest kernel in the
 * process (new_child, new_thread, execed), as set_thread_area does
 * (tls_changed) and a thread's exit (thread_exited).
 */
#ifndef GUEST_LINUX_LX_H
#define GUEST_LINUX_LX_H

#include <stdint.h>
#include <stddef.h>
#include <stdbool.h>
#include "linux/errno.h"
#include "linux/termios.h"
#include "sig.h"

/* ------------------------------------------------------------------ */
/* What the guest kernel provides                                      */

/* `space` is the guest kernel's handle of one process's address space
 * (lx_proc_t.space); `ctx` its own (lx_kernel_t.ctx). Memory calls return 0
 * or a negative Linux error: -LX_EFAULT for an unmapped or read-only
 * address, -LX_ENOMEM when the guest's memory is spent. */
struct lx_inode;
struct lx_file_seg;

/* A page of the page cache (pcache.c): a frame of the guest's that holds
 * one page of a regular file, seen by the guest kernel at mem; frame is the
 * guest kernel's handle of it (its capability). */
typedef struct lx_page {
    uint8_t *mem;               /* NULL: a hole, reads as zeros */
    uint32_t frame;
} lx_page_t;

#define LX_MAP_PAGE_PRIVATE 0u  /* map_page: the cache's frame, copied on the first write */
#define LX_MAP_PAGE_SHARED  1u  /* map_page: the cache's frame, writes are the file's */
#define LX_MAP_PAGE_COPY    2u  /* map_page: a private copy of the page, made now */

typedef struct lx_host_ops {
    int (*copy_in)(void *space, void *dst, uint32_t uaddr, uint32_t len);
    int (*copy_out)(void *space, uint32_t uaddr, const void *src, uint32_t len);
    /* Map zeroed pages over [va, va+len), page-aligned, with LX_PROT_* rights;
     * pages already mapped there are replaced by zeroed ones. */
    int (*map_zero)(void *space, uint32_t va, uint32_t len, uint32_t prot);
    int (*unmap)(void *space, uint32_t va, uint32_t len);
    int (*protect)(void *space, uint32_t va, uint32_t len, uint32_t prot);
    /* Zeroed guest-kernel memory, NULL when the guest's budget is spent. */
    void *(*alloc)(void *ctx, uint32_t bytes);
    void (*free)(void *ctx, void *p, uint32_t bytes);
    /* The console: bytes written, or bytes read (0 at end of file, -LX_EAGAIN
     * when nothing is there yet). A read of 0 bytes asks without taking
     * anything: 0 when a read would not wait, -LX_EAGAIN when it would. */
    int32_t (*console_write)(void *ctx, const void *buf, uint32_t len);
    int32_t (*console_read)(void *ctx, void *buf, uint32_t len);
    /* Nanoseconds of LX_CLOCK_REALTIME since 1970 or of LX_CLOCK_MONOTONIC. */
    uint64_t (*now_ns)(void *ctx, int clock);
    void (*random)(void *ctx, void *buf, uint32_t len);
    /* One line for the guest's log, e.g. ("unknown system call", 999). */
    void (*log)(void *ctx, const char *what, uint32_t value);
    /* Address spaces: a new empty one; a copy of one (fork: the guest kernel
     * shares its pages copy-on-write); giving one back. -LX_EAGAIN or
     * -LX_ENOMEM when the guest's memory (less its reserve) is spent. */
    int (*space_new)(void *ctx, void **space);
    int (*space_fork)(void *ctx, void *parent, void **child);
    void (*space_free)(void *ctx, void *space);
    /* Optional (NULL: execve copies the file's bytes in at once): pages
     * map_zero has just promised take their first contents, when first
     * touched, from the bytes of file n that segs place there (the rest of
     * each page stays zero). The space keeps n without a count of its own:
     * the process's image (lx_proc_t.exe) holds it as long as the space can
     * be touched. Non-zero: not taken (too many segments). */
    int (*map_image)(void *space, const struct lx_inode *n, const struct lx_file_seg *segs,
                     uint32_t nseg);
    /* The page cache. page_new: a zeroed page of the guest's memory (no
     * process maps it yet), -LX_ENOSPC when the guest's memory (less its
     * reserve) is spent. page_put: the cache lets go of it; the frame goes
     * back when no mapping holds it either. map_page: the page at va
     * (page-aligned, nothing there yet: -LX_EEXIST otherwise) with LX_PROT_*
     * rights, as how says (LX_MAP_PAGE_*): shared (a write changes the
     * file), private (the first write copies it, as after fork), or a
     * private copy made now (a write fault: one fault, as Linux's
     * do_cow_fault, not a read fault and then a copy). */
    int (*page_new)(void *ctx, lx_page_t *pg);
    void (*page_put)(void *ctx, const lx_page_t *pg);
    int (*map_page)(void *space, uint32_t va, const lx_page_t *pg, uint32_t prot, uint32_t how);
    /* Bytes of memory the guest has for its processes and itself, in all
     * (held now plus what it can still get) and still free (sysinfo). */
    void (*mem_info)(void *ctx, uint32_t *total, uint32_t *free);
} lx_host_ops_t;

/* Bytes [offset, offset + size) of a file at vaddr (an ELF PT_LOAD's). */
typedef struct lx_file_seg {
    uint32_t vaddr, offset, size;
} lx_file_seg_t;

/* ------------------------------------------------------------------ */
/* The in-memory file system (fs.c)                                    */

typedef struct lx_dirent lx_dirent_t;

typedef struct lx_inode {
    uint32_t ino, mode, nlink, uid, gid;
    uint32_t rdev;              /* character devices: LX_DEV_* */
    uint32_t mtime;             /* seconds since 1970 */
    uint32_t size, cap;         /* bytes of data in use; symlinks: of data allocated */
    uint8_t *data;              /* symlinks: the target */
    lx_page_t *pages;           /* regular files: the page cache, page i at [i] */
    uint32_t npages;            /* entries of pages (some past the end may be holes) */
    lx_dirent_t *entries;       /* directories: children, newest first */
    uint32_t n_entries;
    struct lx_inode *parent;    /* directories: ".." (the root's is itself) */
    uint32_t opens;             /* open files and current directories on it */
    /* Linux's i_writecount, both ways: write access (open descriptions for
     * writing and the regions mapped from them) and the live processes
     * running the file; one refuses the other with ETXTBSY. */
    uint32_t writers, runners;
    /* flock (sys_more.c): descriptions holding a shared lock (a 65536th
     * is refused), and whether one holds the exclusive lock. Small: every
     * inode pays for them. */
    uint16_t flock_shared;
    bool flock_excl;
    struct lx_pipe *fifo;       /* a FIFO's pipe while one of its ends is open */
} lx_inode_t;

struct lx_dirent {
    lx_dirent_t *next;
    lx_inode_t *node;
    uint32_t len;               /* of name, without its NUL */
    char name[];
};

#define LX_FS_DEV       0x0001u /* st_dev of our one file system (like tmpfs' 0:N) */
#define LX_NAME_MAX     255     /* include/uapi/linux/limits.h NAME_MAX */
#define LX_PATH_MAX     4096    /* include/uapi/linux/limits.h PATH_MAX */
#define LX_SYMLOOP_MAX  40      /* include/linux/namei.h MAXSYMLINKS */

/* ------------------------------------------------------------------ */
/* Open files, pipes, processes                                        */

#define LX_PIPE_SIZE 4096u      /* bytes a pipe holds (Linux: 16 pages) */

typedef struct lx_pipe {
    uint16_t head, count;       /* ring buffer: first byte, bytes held */
    uint16_t readers, writers;  /* open ends (a FIFO's open refuses the 65536th) */
    /* A FIFO's pipe (NULL node: an anonymous one): its inode, held while
     * an end is open, and how many times each end was opened, as Linux's
     * r_counter and w_counter (see lx_file_t.fifo_seen; they wrap, which
     * only a reader left waiting through 65536 opens could see). */
    struct lx_inode *node;
    uint16_t r_counter, w_counter;
    uint8_t buf[LX_PIPE_SIZE];
} lx_pipe_t;

typedef enum { LX_FILE_INODE, LX_FILE_PIPE_READ, LX_FILE_PIPE_WRITE } lx_file_kind_t;

typedef struct lx_file {
    uint32_t refs;              /* descriptors sharing this description */
    uint32_t flags;             /* LX_O_* given to open, less O_CLOEXEC */
    union {
        uint64_t pos;           /* LX_FILE_INODE */
        /* A FIFO's end: the other end's open count when this one opened.
         * Linux parks a blocking open until the other end is opened; here
         * the open returns at once and the first read or write parks
         * instead while the count is unchanged (file.c), which a program
         * sees the same way. */
        uint16_t fifo_seen;
    };
    lx_file_kind_t kind;
    lx_inode_t *node;           /* LX_FILE_INODE */
    lx_pipe_t *pipe;            /* the pipe kinds */
    uint32_t flock;             /* the flock this description holds: 0, LOCK_SH or LOCK_EX */
} lx_file_t;

#define LX_GROUPS_MAX 32        /* supplementary groups a process may have */
#define LX_FD_MAX   256         /* descriptors per process (RLIMIT_NOFILE) */
#define LX_VMA_MAX  64          /* mapped regions per process */

/* A region of the address space the personality handed out. A file
 * mapping's pages come from the page cache on their first touch
 * (lx_file_fault); the region holds the inode (an open of its own). */
typedef struct lx_vma {
    uint32_t start, end;        /* page-aligned, end exclusive; 0, 0: unused */
    uint32_t prot;              /* LX_PROT_* */
    lx_inode_t *file;           /* NULL: anonymous */
    uint32_t pgoff;             /* the file's page at start */
    uint32_t flags;             /* LX_VMA_* */
} lx_vma_t;

#define LX_VMA_SHARED   1u      /* MAP_SHARED: writes reach the file */
#define LX_VMA_MAYWRITE 2u      /* the file was open for writing (mprotect may add it) */
#define LX_VMA_WRITER   4u      /* mapped from a description open for writing: the
                                 * region holds write access (lx_inode_t.writers) */

typedef struct lx_kernel lx_kernel_t;

typedef struct lx_proc lx_proc_t;

/* What Linux keeps per thread rather than per process: its id, TLS, the
 * words set_tid_address and the robust list name, its signal mask and
 * pending signals (sig.h), the call it is in and
 * what that call waits for, and the guest kernel's work after it. A process
 * has one such state in place (lx_proc_t's own fields, through the
 * anonymous member below, so a handler reads p->retrying for the calling
 * thread); a process with more threads keeps every thread's state in an
 * lx_thread_t as well and swaps the one it works for into place
 * (lx_thread_switch). */
#define LX_THREAD_FIELDS \
    uint32_t tid;               /* gettid; the process's pid for its first thread */ \
    uint32_t tls_base;          /* set_thread_area: the guest kernel applies it */ \
    bool tls_changed;           /* ... with TCB SetTLSBase, then clears this */ \
    uint32_t clear_child_tid;   /* set_tid_address: zeroed and woken at thread exit */ \
    uint32_t robust_list, robust_len;   /* set_robust_list: walked at its end */ \
    lx_sigthread_t tsig;        /* its mask, pending signals, alternate stack */ \
    /* Blocking (see above). */ \
    bool retrying;              /* this call was parked and is being repeated */ \
    uint64_t sleep_until;       /* monotonic ns the parked call gives up at; 0: never */ \
    bool wait_external;         /* parked on the console */ \
    uint32_t vfork_pid;         /* vfork: the child whose exec or exit we wait for */ \
    /* futex (sys_futex.c): parked in FUTEX_WAIT on the word at futex_addr \
     * (0: not) for a wake matching futex_bitset; a wake sets futex_woken. */ \
    uint32_t futex_addr, futex_bitset; \
    bool futex_woken; \
    /* Work for the guest kernel after the call. */ \
    lx_proc_t *new_child;       /* fork made it: start its thread (registers as ours, \
                                 * EAX 0; child_stack if not 0) */ \
    struct lx_thread *new_thread;   /* clone made a thread of ours: start it so */ \
    uint32_t child_stack;       /* a new process's or thread's stack (0: the caller's) */ \
    bool thread_exited;         /* exit of one thread of several: stop this one */ \
    void *host;                 /* the guest kernel's own record of the thread */ \
    struct lx_regs *uregs;      /* the caller's registers during a call, if lent */

typedef struct lx_thread_state {
    LX_THREAD_FIELDS
} lx_thread_state_t;

/* A thread of a process with more than one (clone's thread form). */
typedef struct lx_thread {
    struct lx_thread *next;     /* in its process's threads, oldest first */
    lx_thread_state_t st;       /* stale while it is the one in place (p->cur) */
} lx_thread_t;

struct lx_proc {
    lx_kernel_t *k;
    void *space;                /* the guest kernel's address-space handle; a vfork
                                 * child names its parent's until it execs or exits */
    uint32_t pid, ppid, pgid, sid;
    uint32_t uid, euid, gid, egid;
    uint32_t suid, sgid;        /* the saved set-user and set-group ids */
    uint32_t ngroups;           /* supplementary groups: groups[0 .. ngroups) */
    uint32_t groups[LX_GROUPS_MAX];
    uint32_t umask;
    lx_inode_t *cwd;
    lx_file_t *fd[LX_FD_MAX];
    uint32_t fd_cloexec[LX_FD_MAX / 32];    /* close-on-exec, a bit per descriptor
                                             * (lx_fd_cloexec): fork copies less */
    uint32_t brk_start, brk;    /* heap: [brk_start, brk), mapped to page end */
    uint32_t mmap_top;          /* mmap searches downwards from here */
    lx_vma_t vma[LX_VMA_MAX];
    bool exited;                /* exit/exit_group/killed: a zombie until waited for */
    uint32_t exit_status;       /* wait4 encoding: (code & 0xff) << 8, or the signal */
    /* The process tree. */
    lx_proc_t *parent;          /* NULL for the first process (pid 1, init) */
    lx_proc_t *next;            /* in k->procs */
    bool allocated;             /* made by fork (lx_alloc'ed), freed when reaped */
    bool vfork_pending;         /* a vfork child that has not yet exec'd or exited */
    bool execed;                /* execve replaced the image: start at exec_entry, exec_sp */
    uint32_t exec_entry, exec_sp;
    void *old_space;            /* execve: the guest kernel's to free with the old thread */
    lx_inode_t *exe;            /* the image's file: what /proc/self/exe names */
    uint32_t arg_start, arg_end;    /* argv's strings on the stack (/proc/<pid>/cmdline) */
    uint32_t minflt;            /* page faults the guest kernel served (/proc/<pid>/stat) */
    /* Accounting (sys_more.c): when the process began (monotonic ns; its
     * CPU time is read as the time since), and what its reaped children
     * used, with theirs. */
    uint64_t start_ns, child_ns;
    uint32_t child_minflt;
    int32_t nice;               /* -20 .. 19: kept and reported, no effect */
    uint32_t pdeathsig;         /* prctl PR_SET_PDEATHSIG: sent when the parent exits */
    bool undumpable;            /* prctl PR_SET_DUMPABLE 0 */
    char comm[16];              /* prctl PR_SET_NAME, if comm_set (else the image's */
    bool comm_set;              /* name); execve clears it */
    lx_sigstate_t sig;          /* handlers, the process's pending signals (signal.c);
                                 * each thread's mask and own set are its tsig */
    /* Threads: NULL while there is one; else every thread, and the one
     * whose state is in place below. */
    lx_thread_t *threads, *cur;
    union {
        lx_thread_state_t th;   /* the thread in place, as a whole */
        struct { LX_THREAD_FIELDS };
    };
};

#define LX_TID_CACHE    64u

/* One per guest. */
struct lx_kernel {
    const lx_host_ops_t *ops;
    void *ctx;
    uint32_t user_top;          /* first address processes may not use */
    uint32_t tls_gdt_entry;     /* GDT entry whose base TCB SetTLSBase sets */
    uint32_t hwcap;             /* AT_HWCAP: CPUID.1:EDX */
    uint32_t mxcsr_mask;        /* MXCSR bits FXRSTOR accepts (FXSAVE's MXCSR_MASK); 0:
                                 * LX_MXCSR_MASK_DEFAULT */
    uint32_t mem_used;          /* bytes allocated through ops->alloc */
    lx_inode_t *root;
    uint32_t next_ino, next_pid;
    lx_proc_t *procs;           /* every process, zombies too, newest first */
    uint32_t nprocs;
    /* lx_thread_find's last find for each tid % LX_TID_CACHE, so that the
     * sender of a message is found without a walk (lx_thread_lookup);
     * lx_proc_reap forgets a process here. */
    lx_proc_t *tid_cache[LX_TID_CACHE];
    /* A signal was made pending or an alarm armed since the guest kernel
     * last looked at every process (lx_sig_send, lx_sig_fault, alarm set
     * it; the guest kernel's walk clears it when no process is left with a
     * signal it could not deliver or an alarm running): while it is false
     * the guest kernel skips that walk after each call. */
    bool sig_raised;
    /* A process asked for accounting (times, getrusage): from then on fork
     * reads the clock for a child's start and wait4 adds a reaped child's
     * time to its parent's (sys_more.c); until then neither pays for it. */
    bool acct;
    uint8_t unknown_logged[(512 + 7) / 8];   /* -ENOSYS logged once per number */
    lx_tty_t tty;               /* the console's line discipline (tty.c) */
    char path[2][LX_PATH_MAX];  /* scratch for user paths: one call at a time */
};

/* A process's user registers, in the order of the UnknownSyscall fault
 * message and its reply: the number in eax, arguments after; eip is the
 * `int $0x80` itself. The guest kernel builds the whole set before each
 * reply, so one hook (signal delivery) may rewrite any of it. */
typedef struct lx_regs {
    uint32_t eax, ebx, ecx, edx, esi, edi, ebp;
    uint32_t eip, esp, eflags;
} lx_regs_t;

/* What lx_syscall() returns when the call must wait (see above). */
#define LX_BLOCK LX_ERR(LX_EPARK)
#define LX_PROC_MAX 256         /* processes, zombies included, per guest */

/* ------------------------------------------------------------------ */
/* Entry points                                                        */

/* kernel.c: set up a personality with an empty root and the devices. */
int lx_kernel_init(lx_kernel_t *k, const lx_host_ops_t *ops, void *ctx);
void lx_kernel_release(lx_kernel_t *k);
int lx_proc_init(lx_kernel_t *k, lx_proc_t *p, void *space);
void lx_proc_release(lx_proc_t *p);
/* proc.c: the process tree. */
lx_proc_t *lx_proc_find(lx_kernel_t *k, uint32_t pid);
/* The process ends with a wait status (LX_W_EXITCODE or LX_W_SIGNALED):
 * its descriptors close, its children go to init, it stays a zombie for its
 * parent's wait4. The guest kernel frees its thread and space. */
void lx_proc_exit(lx_proc_t *p, uint32_t status);
/* Removes an exited process from the table and frees it (wait4 does this;
 * the guest kernel for init and at shutdown). */
void lx_proc_reap(lx_proc_t *p);
void lx_proc_drop_exe(lx_proc_t *p);
/* Closes its descriptors, drops its current directory and executable. */
void lx_proc_drop_files(lx_proc_t *p);
/* proc.c: a process's threads (lx_thread_t). */
/* Puts t's state in place in p (saving the one there); t NULL or in place:
 * nothing to do. Inline: the guest kernel's walks pass here for every
 * process after every event, nearly always with nothing to do. */
static inline void lx_thread_switch(lx_proc_t *p, lx_thread_t *t)
{
    if (!t || t == p->cur)
        return;
    p->cur->st = p->th;
    p->th = t->st;
    p->cur = t;
}
/* The live process one of whose threads has id tid (*t its record, NULL
 * while it is the only thread or in place); NULL if none. Nothing moves. */
lx_proc_t *lx_thread_owner(lx_kernel_t *k, uint32_t tid, lx_thread_t **t);
/* The same with that thread put in place (the guest kernel, between calls). */
lx_proc_t *lx_thread_find(lx_kernel_t *k, uint32_t tid);
/* lx_thread_find, first through its memory of the last process it found
 * for that tid's line: the sender of every message, found in a few
 * instructions when its thread is in place, as it is for a process with
 * one thread. */
static inline lx_proc_t *lx_thread_lookup(lx_kernel_t *k, uint32_t tid)
{
    lx_proc_t *q = k->tid_cache[tid % LX_TID_CACHE];

    if (q && q->tid == tid && !q->exited)
        return q;
    return lx_thread_find(k, tid);
}
/* Threads p has (1 while p->threads is NULL). */
uint32_t lx_thread_count(const lx_proc_t *p);
/* Forgets the thread in place (the guest kernel has stopped it) and puts
 * another in place; p must have more than one. */
void lx_thread_drop(lx_proc_t *p);
/* Forgets every thread but the one in place (execve, the end of p). */
void lx_thread_drop_others(lx_proc_t *p);
/* A thread state in place or kept: each of p's in turn, for walks that
 * only read or mark them (futex wakes). */
static inline lx_thread_state_t *lx_thread_state(lx_proc_t *p, lx_thread_t *t)
{
    return !t || t == p->cur ? &p->th : &t->st;
}
/* Whether a process other than p names space (a vfork child runs in its
 * parent's): then p's end or execve must not free it. */
bool lx_space_shared(const lx_proc_t *p, const void *space);
void *lx_alloc(lx_kernel_t *k, uint32_t bytes);
void lx_free(lx_kernel_t *k, void *ptr, uint32_t bytes);

/* syscall.c: one system call; returns what goes back in EAX. */
int32_t lx_syscall(lx_proc_t *p, const lx_regs_t *r);

/* cpio.c: unpack a newc archive into the file system. 0 or -error;
 * *bad_offset (if not NULL) says where a malformed archive went wrong. */
int lx_cpio_unpack(lx_kernel_t *k, const uint8_t *buf, uint32_t len, uint32_t *bad_offset);

/* exec.c: load a static ELF from the file system and build its stack. */
typedef struct lx_exec_info {
    uint32_t entry, sp;         /* where the thread starts */
    uint32_t phdr, phnum;       /* as given in AT_PHDR, AT_PHNUM */
    uint32_t random;            /* address of the AT_RANDOM bytes */
} lx_exec_info_t;
int lx_exec(lx_proc_t *p, const char *path, const char *const argv[],
        const char *const envp[], lx_exec_info_t *out);

/* fs.c */
lx_inode_t *lx_fs_new(lx_kernel_t *k, uint32_t mode);
int lx_fs_walk(lx_kernel_t *k, lx_inode_t *cwd, const char *path, bool follow,
        lx_inode_t **out);
int lx_fs_parent(lx_kernel_t *k, lx_inode_t *cwd, const char *path,
        lx_inode_t **dir, const char **name, uint32_t *len);
lx_inode_t *lx_fs_find(lx_inode_t *dir, const char *name, uint32_t len);
int lx_fs_link(lx_kernel_t *k, lx_inode_t *dir, const char *name, uint32_t len,
        lx_inode_t *node);
int lx_fs_unlink(lx_kernel_t *k, lx_inode_t *dir, const char *name, uint32_t len);
int lx_fs_move(lx_kernel_t *k, lx_inode_t *odir, const char *oname, uint32_t olen,
        lx_inode_t *ndir, const char *nname, uint32_t nlen);
int lx_fs_create(lx_kernel_t *k, lx_inode_t *dir, const char *name, uint32_t len,
        uint32_t mode, lx_inode_t **out);
int lx_fs_set_size(lx_kernel_t *k, lx_inode_t *node, uint32_t size);
int lx_fs_write(lx_kernel_t *k, lx_inode_t *node, uint32_t off, const void *src, uint32_t n);
void lx_fs_put(lx_kernel_t *k, lx_inode_t *node);
int lx_fs_mkpath(lx_kernel_t *k, const char *path, uint32_t mode, lx_inode_t **out);
int lx_fs_path_of(lx_inode_t *node, char *buf, uint32_t size);

/* pcache.c: a regular file's bytes in page-cache pages. */
int32_t lx_pcache_read(const lx_inode_t *n, uint32_t off, void *buf, uint32_t len);
int lx_pcache_write(lx_kernel_t *k, lx_inode_t *n, uint32_t off, const void *src, uint32_t len);
int lx_pcache_set_size(lx_kernel_t *k, lx_inode_t *n, uint32_t size);
void lx_pcache_release(lx_kernel_t *k, lx_inode_t *n);
/* A fault at addr of p that its page table did not explain: a file
 * mapping's page (and its cached neighbours, fault-around) mapped now. 0
 * when mapped; -EFAULT: no such access (SIGSEGV); -EIO: past the end of the
 * file (SIGBUS); -ENOMEM: no memory for the page. */
int lx_file_fault(lx_proc_t *p, uint32_t addr, bool write);
/* Pages of file mappings in [addr, addr + len) mapped, for a copy the guest
 * kernel makes: true when any was. */
bool lx_file_populate(lx_proc_t *p, uint32_t addr, uint32_t len, bool write);
/* The region's hold on its file taken (fork, split) or dropped. */
void lx_vma_hold(lx_vma_t *v);
void lx_vma_drop(lx_kernel_t *k, lx_vma_t *v);

/* sys_more.c: a description's flock let go (its last close); a reaped
 * child's time and faults added to its parent's children figures. */
void lx_flock_release(lx_file_t *f);
void lx_rusage_reaped(lx_proc_t *parent, const lx_proc_t *child);
/* wait4's struct rusage of a zombie child, written at uaddr: 0 or -EFAULT. */
int lx_rusage_child(lx_proc_t *p, const lx_proc_t *child, uint32_t uaddr);
/* procfs.c: the process's comm (prctl's name or its image's), in 16
 * bytes with its NUL. */
void lx_proc_comm(const lx_proc_t *p, char *comm);

/* file.c */
lx_file_t *lx_file_new(lx_kernel_t *k, lx_file_kind_t kind, uint32_t flags);
void lx_file_put(lx_kernel_t *k, lx_file_t *f);
bool lx_file_writes(const lx_file_t *f);
int lx_fd_install(lx_proc_t *p, lx_file_t *f, uint32_t min, bool cloexec);
lx_file_t *lx_fd_get(lx_proc_t *p, int32_t fd);
int32_t lx_file_read(lx_proc_t *p, lx_file_t *f, void *buf, uint32_t n);
int32_t lx_file_write(lx_proc_t *p, lx_file_t *f, const void *buf, uint32_t n);
/* LX_POLL* events the description has now (linux/wait.h). */
uint32_t lx_file_poll(lx_proc_t *p, lx_file_t *f);

/* A descriptor's close-on-exec flag (fd < LX_FD_MAX). */
static inline bool lx_fd_cloexec(const lx_proc_t *p, uint32_t fd)
{
    return p->fd_cloexec[fd / 32] >> (fd % 32) & 1;
}
static inline void lx_fd_set_cloexec(lx_proc_t *p, uint32_t fd, bool on)
{
    uint32_t *w = &p->fd_cloexec[fd / 32];
    *w = (*w & ~(1u << (fd % 32))) | (uint32_t)on << (fd % 32);
}

/* Result helpers: a Linux system call's return value is a number or -errno. */
#define LX_ERR(e) (-(int32_t)(e))
#define LX_IS_ERR(v) ((uint32_t)(v) >= (uint32_t)-LX_MAX_ERRNO)

/* Whether lx_sig_deliver() has nothing to do for p resuming with r (its
 * thread in place): no signal pending for the process or the thread
 * (blocked or not; the thread's says so in tsig.work with the mask to put
 * back), no alarm running, no restart code (LX_ERESTART*) in EAX to
 * settle. Inline because the guest kernel asks before every reply, and a
 * null call should not pay for delivery's walk. */
static inline bool lx_sig_idle(const lx_proc_t *p, const lx_regs_t *r)
{
    const lx_sigstate_t *s = &p->sig;

    return !(s->pending | s->alarm_ns) && !p->tsig.work &&
           r->eax - (uint32_t)LX_ERR(LX_ERESTART_RESTARTBLOCK) >
           (uint32_t)(LX_ERESTART_RESTARTBLOCK - LX_ERESTARTSYS);
}

#endif
