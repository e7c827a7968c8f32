/* unit-test-sources: guest-stub/linux/syscall.c guest-stub/linux/sys_file.c guest-stub/linux/sys_poll.c guest-stub/linux/sys_path.c guest-stub/linux/sys_mem.c guest-stub/linux/sys_futex.c guest-stub/linux/procfs.c guest-stub/linux/sys_proc.c guest-stub/linux/sys_attr.c guest-stub/linux/sys_more.c guest-stub/linux/file.c guest-stub/linux/tty.c guest-stub/linux/signal.c guest-stub/linux/sigfpu.c guest-stub/linux/sys_signal.c guest-stub/linux/fs.c guest-stub/linux/pcache.c guest-stub/linux/kernel.c guest-stub/linux/proc.c guest-stub/linux/cpio.c guest-stub/linux/exec.c lib/elf.c tests/unit/guest/fake_host.c */
/*
 * Processes in the Linux personality (proc.c and the blocking calls),
 * driven through lx_syscall() as the guest kernel drives them: fork and
 * clone copy the process (memory, descriptors sharing their descriptions,
 * ids) and leave the child in p->new_child; wait4 answers LX_BLOCK until a
 * child has exited, then its status in Linux's encoding; a pipe's reader
 * parks until a writer writes or the last writer goes; vfork's parent parks
 * until the child execs or exits; nanosleep parks until the clock passes
 * the deadline; orphans go to init; the process table and the guest's
 * memory bound fork with EAGAIN. Each test's teardown checks that every
 * byte the personality took came back.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>
#include "fake_host.h"
#include "../../../guest-stub/linux/sys.h"
#include "linux/unistd.h"
#include "linux/fcntl.h"
#include "linux/misc.h"
#include "linux/wait.h"
#include "linux/futex.h"
#include "linux/signal.h"

#define STATUS_AT   (FAKE_SCRATCH + 0x1000)
#define BUF_AT      (FAKE_SCRATCH + 0x2000)

static int setup(void **state) { *state = fake_world_new(); return 0; }
static int teardown(void **state) { fake_world_free(*state); return 0; }

/* fork from p; the child, checked to be where the guest kernel looks. */
static lx_proc_t *fork_of(lx_proc_t *p)
{
    int32_t pid = PC0(p, LX_NR_fork);
    assert_true(pid > 0);
    lx_proc_t *c = p->new_child;
    assert_non_null(c);
    assert_int_equal(c->pid, pid);
    p->new_child = NULL;            /* the guest kernel has started it */
    return c;
}

/* What the guest kernel does after an exit: the space goes, the zombie stays. */
/* What the guest kernel does at a process's end: its space goes unless
 * another process (a vfork parent) still runs in it. */
static void space_gone(fake_world_t *w, lx_proc_t *c)
{
    if (!lx_space_shared(c, c->space))
        fake_ops.space_free(&w->host, c->space);
    c->space = NULL;
}

static void fork_copies_the_process(void **state)
{
    fake_world_t *w = *state;
    uint32_t msg = fake_put_str(w, 0x100, "before");
    lx_proc_t *c = fork_of(&w->p);
    fake_space_t *cs = c->space;

    assert_ptr_not_equal(cs, &w->space);
    assert_memory_equal(fake_byte(cs, msg), "before", 7);
    fake_put_str(w, 0x100, "after!");               /* the parent's copy only */
    assert_memory_equal(fake_byte(cs, msg), "before", 7);
    assert_int_equal(PC0(c, LX_NR_getppid), 1);
    assert_int_equal(PC0(c, LX_NR_getpid), 2);
    assert_int_equal(PC0(c, LX_NR_getpgrp), 1);     /* group and session inherited */
    assert_int_equal(c->fd[1], w->p.fd[1]);          /* one description, shared */
    assert_int_equal(w->p.fd[1]->refs, 6);           /* 0, 1, 2 in both */
    assert_int_equal(w->k.nprocs, 2);
    assert_int_equal(PC1(c, LX_NR_exit_group, 7), 0);
    assert_true(c->exited);
    assert_int_equal(w->p.fd[1]->refs, 3);           /* the child's closed at exit */
    space_gone(w, c);
}

static void wait4_blocks_until_a_child_exits(void **state)
{
    fake_world_t *w = *state;
    lx_proc_t *p = &w->p;

    assert_int_equal(SC4(w, LX_NR_wait4, -1, STATUS_AT, 0, 0), -LX_ECHILD);
    lx_proc_t *c = fork_of(p);
    uint32_t cpid = c->pid;
    assert_int_equal(SC4(w, LX_NR_wait4, -1, STATUS_AT, LX_WNOHANG, 0), 0);
    assert_int_equal(SC4(w, LX_NR_wait4, -1, STATUS_AT, 0, 0), LX_BLOCK);
    assert_true(p->retrying);
    assert_int_equal(SC4(w, LX_NR_wait4, cpid + 1, STATUS_AT, 0, 0), -LX_ECHILD);
    assert_int_equal(SC4(w, LX_NR_wait4, -1, STATUS_AT, 0x100, 0), -LX_EINVAL);
    PC1(c, LX_NR_exit, 0x1234);                     /* only the low byte counts */
    space_gone(w, c);
    assert_int_equal(SC4(w, LX_NR_wait4, -1, STATUS_AT, 0, BUF_AT), (int32_t)cpid);
    assert_int_equal(fake_read32(&w->space, STATUS_AT), 0x3400);
    assert_int_equal(w->k.nprocs, 1);                /* reaped */
    assert_int_equal(SC4(w, LX_NR_wait4, -1, STATUS_AT, 0, 0), -LX_ECHILD);
    /* killed by a signal: the number in the low bits; waitpid by pid */
    c = fork_of(p);
    lx_proc_exit(c, LX_W_SIGNALED(11));
    space_gone(w, c);
    assert_int_equal(SC3(w, LX_NR_waitpid, c->pid, STATUS_AT, 0), (int32_t)c->pid);
    assert_int_equal(fake_read32(&w->space, STATUS_AT), 11);
}

static void pipe_reader_parks_until_written_or_closed(void **state)
{
    fake_world_t *w = *state;
    uint32_t fds = FAKE_SCRATCH + 0x600;
    assert_int_equal(SC1(w, LX_NR_pipe, fds), 0);
    int32_t r = (int32_t)fake_read32(&w->space, fds), wr = (int32_t)fake_read32(&w->space, fds + 4);
    uint32_t text = fake_put_str(w, 0x300, "through");     /* the child's copy has it too */
    lx_proc_t *c = fork_of(&w->p);

    assert_int_equal(SC1(w, LX_NR_close, wr), 0);   /* the parent reads */
    assert_int_equal(PC1(c, LX_NR_close, r), 0);    /* the child writes */
    assert_int_equal(SC3(w, LX_NR_read, r, BUF_AT, 16), LX_BLOCK);
    assert_int_equal(PC3(c, LX_NR_write, wr, text, 7), 7);
    assert_int_equal(SC3(w, LX_NR_read, r, BUF_AT, 16), 7);   /* the repeat finds it */
    assert_memory_equal(fake_byte(&w->space, BUF_AT), "through", 7);
    assert_int_equal(SC3(w, LX_NR_read, r, BUF_AT, 16), LX_BLOCK);
    PC1(c, LX_NR_exit, 0);                          /* the last writer goes */
    space_gone(w, c);
    assert_int_equal(SC3(w, LX_NR_read, r, BUF_AT, 16), 0);   /* end of file */
}

static void full_pipe_parks_the_writer(void **state)
{
    fake_world_t *w = *state;
    uint32_t fds = FAKE_SCRATCH + 0x600;
    assert_int_equal(SC1(w, LX_NR_pipe, fds), 0);
    int32_t r = (int32_t)fake_read32(&w->space, fds), wr = (int32_t)fake_read32(&w->space, fds + 4);

    assert_int_equal(SC3(w, LX_NR_write, wr, FAKE_SCRATCH, 0x3000), LX_PIPE_SIZE);
    assert_int_equal(SC3(w, LX_NR_write, wr, FAKE_SCRATCH, 1), LX_BLOCK);
    assert_int_equal(SC3(w, LX_NR_read, r, BUF_AT, 100), 100);
    assert_int_equal(SC3(w, LX_NR_write, wr, FAKE_SCRATCH, 1000), 100);   /* what fits */
}

static void vfork_parent_waits_for_exec_or_exit(void **state)
{
    fake_world_t *w = *state;
    lx_proc_t *p = &w->p;

    assert_int_equal(SC0(w, LX_NR_vfork), LX_BLOCK);
    lx_proc_t *c = p->new_child;
    assert_non_null(c);
    p->new_child = NULL;
    assert_true(c->vfork_pending);
    assert_int_equal(SC0(w, LX_NR_vfork), LX_BLOCK);        /* the repeat: still running */
    /* a failed execve does not release the parent */
    assert_int_equal(PC3(c, LX_NR_execve, fake_put_str(w, 0x100, "/nonesuch"), 0, 0),
                     -LX_ENOENT);
    assert_true(c->vfork_pending);
    assert_int_equal(SC0(w, LX_NR_vfork), LX_BLOCK);
    PC1(c, LX_NR_exit, 0);
    space_gone(w, c);
    assert_int_equal(SC0(w, LX_NR_vfork), (int32_t)c->pid);
    assert_false(p->retrying);
    assert_int_equal(SC4(w, LX_NR_wait4, c->pid, 0, 0, 0), (int32_t)c->pid);
    /* clone's vfork form (posix_spawn's) with a stack of its own */
    uint32_t flags = LX_CLONE_VM | LX_CLONE_VFORK | 17 /* SIGCHLD */;
    assert_int_equal(SC2(w, LX_NR_clone, flags, 0x1234560), LX_BLOCK);
    c = p->new_child;
    p->new_child = NULL;
    assert_int_equal(c->child_stack, 0x1234560);
    PC1(c, LX_NR_exit, 127);
    space_gone(w, c);
    assert_int_equal(SC2(w, LX_NR_clone, flags, 0x1234560), (int32_t)c->pid);
    assert_int_equal(SC2(w, LX_NR_clone, LX_CLONE_VM, 0), -LX_EINVAL);   /* threads */
}

static void clone_sets_the_tids(void **state)
{
    fake_world_t *w = *state;
    uint32_t flags = LX_CLONE_CHILD_SETTID | LX_CLONE_CHILD_CLEARTID | LX_CLONE_PARENT_SETTID |
                     17;
    uint32_t ptid = FAKE_SCRATCH + 0x10, ctid = FAKE_SCRATCH + 0x20;

    int32_t pid = SC5(w, LX_NR_clone, flags, 0, ptid, 0, ctid);  /* glibc's fork */
    assert_true(pid > 1);
    lx_proc_t *c = w->p.new_child;
    w->p.new_child = NULL;
    assert_int_equal(fake_read32(&w->space, ptid), pid);
    assert_int_equal(fake_read32(&w->space, ctid), 0);          /* only the child's copy */
    assert_int_equal(fake_read32(c->space, ctid), pid);
    assert_int_equal(c->clear_child_tid, ctid);
}

static void orphans_go_to_init(void **state)
{
    fake_world_t *w = *state;
    lx_proc_t *c = fork_of(&w->p), *g = fork_of(c);

    assert_int_equal(PC0(g, LX_NR_getppid), (int32_t)c->pid);
    PC1(c, LX_NR_exit, 0);
    space_gone(w, c);
    assert_int_equal(PC0(g, LX_NR_getppid), 1);
    assert_int_equal(SC4(w, LX_NR_wait4, -1, 0, 0, 0), (int32_t)c->pid);
    assert_int_equal(SC4(w, LX_NR_wait4, -1, 0, LX_WNOHANG, 0), 0);    /* g: running */
    PC1(g, LX_NR_exit, 2);
    space_gone(w, g);
    assert_int_equal(SC4(w, LX_NR_wait4, -1, STATUS_AT, 0, 0), (int32_t)g->pid);
}

static void init_exit_reaps_orphaned_zombies(void **state)
{
    fake_world_t *w = *state;
    lx_proc_t *dead = fork_of(&w->p), *live = fork_of(&w->p);

    PC1(dead, LX_NR_exit, 1);
    space_gone(w, dead);
    assert_int_equal(w->k.nprocs, 3);
    lx_proc_exit(&w->p, LX_W_EXITCODE(0));  /* init goes: nobody will wait */
    assert_int_equal(w->k.nprocs, 2);        /* the zombie went at once */
    assert_null(live->parent);
    assert_int_equal(PC0(live, LX_NR_getppid), 0);
    assert_null(w->p.fd[0]);                 /* init's descriptors closed */
    assert_null(w->p.cwd);
}

static void fork_refused_when_full(void **state)
{
    fake_world_t *w = *state;

    w->host.spaces_budget = 1;
    lx_proc_t *c = fork_of(&w->p);
    assert_int_equal(SC0(w, LX_NR_fork), -LX_EAGAIN);       /* no memory for a space */
    assert_null(w->p.new_child);
    assert_int_equal(w->k.nprocs, 2);
    w->host.spaces_budget = 0;
    PC1(c, LX_NR_exit, 0);
    space_gone(w, c);
    SC4(w, LX_NR_wait4, -1, 0, 0, 0);
    /* the table: LX_PROC_MAX processes, zombies included */
    uint32_t made = 1;
    int32_t r;
    while ((r = SC0(w, LX_NR_fork)) > 0) {
        w->p.new_child = NULL;
        made++;
    }
    assert_int_equal(r, -LX_EAGAIN);
    assert_int_equal(made, LX_PROC_MAX);
}

static void nanosleep_parks_until_the_deadline(void **state)
{
    fake_world_t *w = *state;
    struct lx_timespec32 ts = { 1, 500000000 };
    uint32_t req = fake_put(w, 0x100, &ts, sizeof(ts));

    assert_int_equal(SC2(w, LX_NR_nanosleep, req, 0), LX_BLOCK);
    assert_int_equal(w->p.sleep_until, FAKE_MONOTONIC + 1500000000ull);
    w->host.clock_now = 1499999999;
    assert_int_equal(SC2(w, LX_NR_nanosleep, req, 0), LX_BLOCK);
    w->host.clock_now = 1500000000;
    assert_int_equal(SC2(w, LX_NR_nanosleep, req, 0), 0);
    assert_int_equal(w->p.sleep_until, 0);
    ts.tv_nsec = 1000000000;
    req = fake_put(w, 0x100, &ts, sizeof(ts));
    assert_int_equal(SC2(w, LX_NR_nanosleep, req, 0), -LX_EINVAL);
    struct lx_timespec64 t64 = { 0, 0 };
    req = fake_put(w, 0x100, &t64, sizeof(t64));
    assert_int_equal(SC4(w, LX_NR_clock_nanosleep_time64, LX_CLOCK_MONOTONIC, 0, req, 0), 0);
    assert_int_equal(SC4(w, LX_NR_clock_nanosleep_time64, 99, 0, req, 0), -LX_EINVAL);
}

static void poll_and_select_see_pipes(void **state)
{
    fake_world_t *w = *state;
    uint32_t fds = FAKE_SCRATCH + 0x600;
    assert_int_equal(SC1(w, LX_NR_pipe, fds), 0);
    int32_t r = (int32_t)fake_read32(&w->space, fds), wr = (int32_t)fake_read32(&w->space, fds + 4);
    uint32_t pfd = FAKE_SCRATCH + 0x700;
    int32_t ents[6] = { r, LX_POLLIN, wr, LX_POLLOUT, 99, LX_POLLIN };    /* fd, events|revents */

    fake_put(w, 0x700, ents, sizeof(ents));
    assert_int_equal(SC3(w, LX_NR_poll, pfd, 2, 0), 1);     /* the write end only */
    assert_int_equal(fake_read32(&w->space, pfd + 4) >> 16, 0);
    assert_int_equal(fake_read32(&w->space, pfd + 12) >> 16, LX_POLLOUT);
    assert_int_equal(SC3(w, LX_NR_poll, pfd, 3, 0), 2);     /* and 99: POLLNVAL */
    assert_int_equal(fake_read32(&w->space, pfd + 20) >> 16, LX_POLLNVAL);
    assert_int_equal(SC3(w, LX_NR_poll, pfd, 1, -1), LX_BLOCK);   /* for ever */
    assert_int_equal(w->p.sleep_until, 0);
    SC3(w, LX_NR_write, wr, fake_put_str(w, 0, "x"), 1);
    assert_int_equal(SC3(w, LX_NR_poll, pfd, 1, -1), 1);
    assert_int_equal(fake_read32(&w->space, pfd + 4) >> 16, LX_POLLIN);
    SC3(w, LX_NR_read, r, BUF_AT, 1);
    assert_int_equal(SC3(w, LX_NR_poll, pfd, 1, 250), LX_BLOCK);   /* 250 ms */
    assert_int_equal(w->p.sleep_until, FAKE_MONOTONIC + 250000000ull);
    w->host.clock_now = 250000000;
    assert_int_equal(SC3(w, LX_NR_poll, pfd, 1, 250), 0);          /* timed out */
    /* select: the read end after the writer went */
    uint32_t set = 1u << r, tv[2] = { 0, 0 };
    uint32_t rset = fake_put(w, 0x800, &set, 4), utv = fake_put(w, 0x810, tv, 8);
    assert_int_equal(SC5(w, LX_NR__newselect, r + 1, rset, 0, 0, utv), 0);
    assert_int_equal(fake_read32(&w->space, rset), 0);
    SC1(w, LX_NR_close, wr);
    fake_put(w, 0x800, &set, 4);
    assert_int_equal(SC5(w, LX_NR__newselect, r + 1, rset, 0, 0, 0), 1);   /* end of file */
    assert_int_equal(fake_read32(&w->space, rset), set);
    /* the p-forms: a timespec, written back with the time left */
    struct lx_timespec32 ts = { 0, 5000000 };
    uint32_t uts = fake_put(w, 0x820, &ts, sizeof(ts));
    int32_t ents2[2] = { r, LX_POLLIN };
    fake_put(w, 0x700, ents2, sizeof(ents2));
    assert_int_equal(SC4(w, LX_NR_ppoll, pfd, 1, uts, 0), 1);       /* end of file */
    assert_int_equal(fake_read32(&w->space, pfd + 4) >> 16, LX_POLLHUP);
    fake_put(w, 0x800, &set, 4);
    assert_int_equal(SC6(w, LX_NR_pselect6, r + 1, 0, rset, 0, uts, 0), LX_BLOCK);  /* a read end */
    w->host.clock_now += 5000000;
    assert_int_equal(SC6(w, LX_NR_pselect6, r + 1, 0, rset, 0, uts, 0), 0);
    assert_int_equal(fake_read32(&w->space, uts + 4), 0);          /* no time left */
    ts.tv_nsec = 1000000000;
    fake_put(w, 0x820, &ts, sizeof(ts));
    assert_int_equal(SC4(w, LX_NR_ppoll, pfd, 1, uts, 0), -LX_EINVAL);
    set = 1u << 30;                                 /* nothing open there */
    fake_put(w, 0x800, &set, 4);
    assert_int_equal(SC5(w, LX_NR__newselect, 31, rset, 0, 0, 0), -LX_EBADF);
    assert_int_equal(SC5(w, LX_NR__newselect, -1, 0, 0, 0, 0), -LX_EINVAL);
}

static void groups_and_sessions(void **state)
{
    fake_world_t *w = *state;
    lx_proc_t *c = fork_of(&w->p);

    assert_int_equal(SC0(w, LX_NR_setsid), -LX_EPERM);      /* init leads its group */
    assert_int_equal(SC2(w, LX_NR_setpgid, c->pid, c->pid), 0);   /* a shell's job */
    assert_int_equal(PC0(c, LX_NR_getpgrp), (int32_t)c->pid);
    assert_int_equal(SC1(w, LX_NR_getpgid, c->pid), (int32_t)c->pid);
    assert_int_equal(SC2(w, LX_NR_setpgid, 999, 0), -LX_ESRCH);
    assert_int_equal(SC2(w, LX_NR_setpgid, c->pid, 999), -LX_EPERM);  /* no such group */
    assert_int_equal(PC0(c, LX_NR_setsid), -LX_EPERM);      /* now a group leader */
    lx_proc_t *g = fork_of(c);
    assert_int_equal(PC0(g, LX_NR_setsid), (int32_t)g->pid);
    assert_int_equal(PC1(g, LX_NR_getsid, 0), (int32_t)g->pid);
    assert_int_equal(PC2(c, LX_NR_setpgid, g->pid, 0), -LX_EPERM);   /* another session */
}

static void execve_refusals_change_nothing(void **state)
{
    fake_world_t *w = *state;
    uint32_t argv = fake_put(w, 0x200, (uint32_t[]){ fake_put_str(w, 0x100, "x"), 0 }, 8);

    assert_int_equal(SC3(w, LX_NR_execve, fake_put_str(w, 0x300, "/dev/null"), argv, 0),
                     -LX_EACCES);
    assert_int_equal(SC3(w, LX_NR_execve, 0x20000000u, argv, 0), -LX_EFAULT);
    assert_int_equal(SC3(w, LX_NR_execve, fake_put_str(w, 0x300, "/tmp"), 0x20000000u, 0),
                     -LX_EFAULT);
    assert_false(w->p.execed);
    assert_ptr_equal(w->p.space, &w->space);
    assert_int_equal(w->host.spaces_made, 0);
}


static void vfork_child_runs_in_the_parents_memory(void **state)
{
    fake_world_t *w = *state;
    lx_proc_t *p = &w->p;
    uint32_t word = FAKE_SCRATCH + 0x40;

    assert_int_equal(SC0(w, LX_NR_vfork), LX_BLOCK);
    lx_proc_t *c = p->new_child;
    p->new_child = NULL;
    assert_ptr_equal(c->space, p->space);               /* no copy */
    assert_true(lx_space_shared(p, p->space));
    assert_int_equal(PC3(c, LX_NR_write, 1, 0, 0), 0);  /* still runs */
    uint32_t v = 42;
    assert_int_equal(fake_ops.copy_out(c->space, word, &v, 4), 0);
    assert_int_equal(fake_read32(&w->space, word), 42); /* the parent's memory */
    /* what the child maps is the parent's layout once it goes on */
    int32_t m = fake_call_proc(c, LX_NR_mmap2, 0, 4096, 3, 0x22, (uint32_t)-1, 0);
    assert_false(LX_IS_ERR(m));
    PC1(c, LX_NR_exit, 0);
    space_gone(w, c);
    assert_non_null(p->space);                          /* the parent's stays */
    assert_int_equal(SC0(w, LX_NR_vfork), (int32_t)c->pid);
    bool listed = false;
    for (int i = 0; i < LX_VMA_MAX; i++)
        listed |= p->vma[i].start == (uint32_t)m && p->vma[i].end == (uint32_t)m + 4096;
    assert_true(listed);
    assert_int_equal(SC4(w, LX_NR_wait4, c->pid, 0, 0, 0), (int32_t)c->pid);
}

#define THREAD_FLAGS (LX_CLONE_VM | LX_CLONE_FS | LX_CLONE_FILES | LX_CLONE_SIGHAND | \
                      LX_CLONE_THREAD | LX_CLONE_SYSVSEM | LX_CLONE_SETTLS | \
                      LX_CLONE_PARENT_SETTID | LX_CLONE_CHILD_CLEARTID)

/* pthread_create's clone from p; the new thread's record. */
static lx_thread_t *thread_of(lx_proc_t *p, uint32_t tidword)
{
    uint32_t desc = FAKE_SCRATCH + 0x80;
    struct lx_user_desc d = { .entry_number = 0xffffffffu, .base_addr = 0x5000 };

    assert_int_equal(fake_ops.copy_out(p->space, desc, &d, sizeof(d)), 0);
    int32_t tid = PC5(p, LX_NR_clone, THREAD_FLAGS, 0x7000, tidword, desc, tidword);
    assert_true(tid > (int32_t)p->pid);
    assert_int_equal(fake_read32(p->space, tidword), tid);    /* PARENT_SETTID */
    lx_thread_t *t = p->new_thread;
    assert_non_null(t);
    p->new_thread = NULL;           /* the guest kernel has started it */
    assert_int_equal(t->st.tid, tid);
    assert_int_equal(t->st.tls_base, 0x5000);
    assert_int_equal(t->st.child_stack, 0x7000);
    return t;
}

static void threads_share_the_process(void **state)
{
    fake_world_t *w = *state;
    lx_proc_t *p = &w->p;
    uint32_t tidword = FAKE_SCRATCH + 0x60;
    lx_thread_t *main_thread, *t = thread_of(p, tidword);

    main_thread = p->cur;
    assert_int_equal(lx_thread_count(p), 2);
    assert_int_equal(w->k.nprocs, 2);
    lx_thread_switch(p, t);
    assert_int_equal(PC0(p, LX_NR_getpid), (int32_t)p->pid);
    assert_int_equal(PC0(p, LX_NR_gettid), (int32_t)t->st.tid);
    assert_int_equal(PC1(p, LX_NR_set_tid_address, tidword), (int32_t)p->tid);
    /* a descriptor it opens is the process's */
    int32_t fd = PC2(p, LX_NR_open, fake_put_str(w, 0x100, "/dev/null"), 0);
    assert_true(fd >= 3);
    lx_thread_switch(p, main_thread);
    assert_int_equal(PC0(p, LX_NR_gettid), (int32_t)p->pid);
    assert_int_equal(PC1(p, LX_NR_close, fd), 0);
    /* tgkill names the thread in its group; another group is ESRCH */
    assert_int_equal(PC3(p, LX_NR_tgkill, p->pid, t->st.tid, 0), 0);
    assert_int_equal(PC3(p, LX_NR_tgkill, p->pid + 50, t->st.tid, 0), -LX_ESRCH);
    assert_ptr_equal(lx_thread_find(&w->k, t->st.tid), p);
    assert_ptr_equal(p->cur, t);
    /* the thread waits on a futex; main's wake reaches it */
    uint32_t word = FAKE_SCRATCH + 0x68;
    assert_int_equal(PC4(p, LX_NR_futex, word, LX_FUTEX_WAIT | LX_FUTEX_PRIVATE_FLAG, 0, 0),
                     LX_BLOCK);
    lx_thread_switch(p, main_thread);
    assert_int_equal(PC3(p, LX_NR_futex, word, LX_FUTEX_WAKE | LX_FUTEX_PRIVATE_FLAG, 5), 1);
    assert_int_equal(PC3(p, LX_NR_futex, word, LX_FUTEX_WAKE, 5), 0);   /* only once */
    lx_thread_switch(p, t);
    assert_int_equal(PC4(p, LX_NR_futex, word, LX_FUTEX_WAIT, 0, 0), 0);  /* the repeat */
    /* main joins: waits on the tid word, which the thread's exit clears */
    lx_thread_switch(p, main_thread);
    assert_int_equal(PC4(p, LX_NR_futex, tidword, LX_FUTEX_WAIT, t->st.tid, 0), LX_BLOCK);
    lx_thread_switch(p, t);
    assert_int_equal(PC1(p, LX_NR_exit, 0), 0);
    assert_true(p->thread_exited);
    assert_false(p->exited);                            /* the process goes on */
    assert_int_equal(fake_read32(&w->space, tidword), 0);
    lx_thread_drop(p);
    assert_ptr_equal(p->threads, NULL);                 /* one thread again */
    assert_int_equal(p->tid, p->pid);
    assert_int_equal(w->k.nprocs, 1);
    assert_int_equal(PC4(p, LX_NR_futex, tidword, LX_FUTEX_WAIT, 0, 0), 0);  /* woken */
}

#define SIG(n)      (1ull << ((n) - 1))
#define SET_AT      (FAKE_SCRATCH + 0x300)
#define ACT_AT      (FAKE_SCRATCH + 0x340)
#define HANDLER_AT  0x08049000u     /* never run: only its address matters */
#define STACK_AT    (FAKE_SCRATCH + 0xE000u)

/* rt_sigprocmask(how, set) from the thread in place. */
static int32_t mask_op(lx_proc_t *p, uint32_t how, uint64_t set)
{
    assert_int_equal(fake_ops.copy_out(p->space, SET_AT, &set, sizeof(set)), 0);
    return PC4(p, LX_NR_rt_sigprocmask, how, SET_AT, 0, 8);
}

/* rt_sigpending from the thread in place. */
static uint64_t pending_of(lx_proc_t *p)
{
    uint64_t set;
    assert_int_equal(PC2(p, LX_NR_rt_sigpending, SET_AT, 8), 0);
    assert_int_equal(fake_ops.copy_in(p->space, &set, SET_AT, sizeof(set)), 0);
    return set;
}

/* Delivery to the thread in place, as the guest kernel makes it after a
 * call (getpid's, answered 0). */
static lx_sig_result_t deliver(lx_proc_t *p)
{
    lx_regs_t r = { .eip = 0x08048102u, .esp = STACK_AT, .eflags = 0x246 };
    return lx_sig_deliver(p, &r, LX_NR_getpid);
}

/* Masks and pending sets are per thread; handlers, and signals for the
 * process, are shared. */
static void threads_have_their_own_masks(void **state)
{
    fake_world_t *w = *state;
    lx_proc_t *p = &w->p;
    struct lx_k_sigaction act = { HANDLER_AT, LX_SA_RESTORER, 0x08049100u, { 0, 0 } };

    assert_int_equal(PC4(p, LX_NR_rt_sigaction, LX_SIGUSR1,
                         (uint32_t)fake_put(w, ACT_AT - FAKE_SCRATCH, &act, sizeof(act)), 0, 8), 0);
    assert_int_equal(mask_op(p, LX_SIG_BLOCK, SIG(LX_SIGUSR1)), 0);
    lx_thread_t *t = thread_of(p, FAKE_SCRATCH + 0x60), *main_thread = p->cur;
    assert_true(t->st.tsig.blocked == SIG(LX_SIGUSR1));     /* inherited */
    assert_int_equal(t->st.tsig.pending, 0);
    lx_thread_switch(p, t);
    assert_int_equal(mask_op(p, LX_SIG_UNBLOCK, SIG(LX_SIGUSR1)), 0);
    assert_int_equal(p->tsig.blocked, 0);
    lx_thread_switch(p, main_thread);
    assert_true(p->tsig.blocked == SIG(LX_SIGUSR1));        /* main's is its own */

    /* kill: the process's; main blocks it, the thread takes it */
    assert_int_equal(PC2(p, LX_NR_kill, p->pid, LX_SIGUSR1), 0);
    assert_true(p->sig.pending == SIG(LX_SIGUSR1));
    assert_false(lx_sig_deliverable(p));
    assert_true(pending_of(p) == SIG(LX_SIGUSR1));
    assert_int_equal(deliver(p), LX_SIG_NONE);
    lx_thread_switch(p, t);
    assert_true(lx_sig_deliverable(p));
    assert_int_equal(pending_of(p), 0);                     /* not blocked: not reported */
    assert_int_equal(deliver(p), LX_SIG_HANDLER);
    assert_int_equal(p->sig.pending, 0);

    /* tgkill: the thread's own, whatever the others block */
    assert_int_equal(mask_op(p, LX_SIG_BLOCK, SIG(LX_SIGUSR2)), 0);
    assert_int_equal(PC3(p, LX_NR_tgkill, p->pid, p->pid, LX_SIGUSR2), 0);
    assert_int_equal(PC3(p, LX_NR_tgkill, p->pid, t->st.tid, LX_SIGUSR2), 0);
    assert_true(pending_of(p) == SIG(LX_SIGUSR2));
    assert_int_equal(p->sig.pending, 0);
    assert_true(lx_thread_state(p, main_thread)->tsig.pending == SIG(LX_SIGUSR2));
    lx_thread_switch(p, main_thread);
    assert_true(lx_sig_deliverable(p));                     /* main does not block it */
    assert_int_equal(pending_of(p), 0);
    assert_int_equal(deliver(p), LX_SIG_KILLED);            /* its default: the process ends */
    assert_true(p->exited);
    assert_int_equal(p->exit_status, LX_SIGUSR2);
}

/* A new thread has no alternate stack; fork keeps the forking thread's,
 * and its mask; SIGPIPE is the writer's own. */
static void thread_state_at_clone_and_fork(void **state)
{
    fake_world_t *w = *state;
    lx_proc_t *p = &w->p;
    struct lx_stack ss = { FAKE_SCRATCH + 0x4000, 0, 0x4000 };

    assert_int_equal(PC2(p, LX_NR_sigaltstack,
                         (uint32_t)fake_put(w, 0x380, &ss, sizeof(ss)), 0), 0);
    assert_int_equal(mask_op(p, LX_SIG_BLOCK, SIG(LX_SIGHUP)), 0);
    lx_thread_t *t = thread_of(p, FAKE_SCRATCH + 0x60), *main_thread = p->cur;
    assert_int_equal(t->st.tsig.ss_size, 0);
    lx_thread_switch(p, t);
    assert_int_equal(mask_op(p, LX_SIG_SETMASK, SIG(LX_SIGINT)), 0);
    lx_proc_t *c = fork_of(p);
    assert_true(c->tsig.blocked == SIG(LX_SIGINT));         /* the forking thread's */
    assert_int_equal(c->tsig.ss_size, 0);
    assert_int_equal(c->robust_list, 0);
    lx_thread_switch(p, main_thread);
    lx_proc_t *d = fork_of(p);
    assert_true(d->tsig.blocked == SIG(LX_SIGHUP));
    assert_int_equal(d->tsig.ss_sp, FAKE_SCRATCH + 0x4000);

    uint32_t fds = FAKE_SCRATCH + 0x3c0;
    assert_int_equal(PC1(p, LX_NR_pipe, fds), 0);
    assert_int_equal(PC1(p, LX_NR_close, fake_read32(p->space, fds)), 0);
    lx_thread_switch(p, t);
    assert_int_equal(PC3(p, LX_NR_write, fake_read32(p->space, fds + 4), FAKE_SCRATCH, 1),
                     -LX_EPIPE);
    assert_true(p->tsig.pending == SIG(LX_SIGPIPE));
    assert_int_equal(p->sig.pending, 0);
    assert_int_equal(lx_thread_state(p, main_thread)->tsig.pending, 0);
    (void)c;
}

/* A robust list in the fake memory: head at HEAD, entries E(i) whose futex
 * word is FUTEX_OFF bytes on. */
#define HEAD        (FAKE_SCRATCH + 0x800)
#define E(i)        (FAKE_SCRATCH + 0x840 + 0x10 * (i))
#define FUTEX_OFF   8
#define WORD(i)     (E(i) + FUTEX_OFF)

static void put32(lx_proc_t *p, uint32_t at, uint32_t v)
{
    assert_int_equal(fake_ops.copy_out(p->space, at, &v, sizeof(v)), 0);
}

static void robust_head(lx_proc_t *p, uint32_t first, uint32_t pending)
{
    struct lx_robust_list_head h = { first, FUTEX_OFF, pending };
    assert_int_equal(fake_ops.copy_out(p->space, HEAD, &h, sizeof(h)), 0);
}

/* A thread that ends holding robust futexes: each word with its tid is
 * marked FUTEX_OWNER_DIED (FUTEX_WAITERS kept) and a waiter woken; others'
 * words stay. */
static void robust_list_at_thread_exit(void **state)
{
    fake_world_t *w = *state;
    lx_proc_t *p = &w->p;
    lx_thread_t *t = thread_of(p, FAKE_SCRATCH + 0x60), *main_thread = p->cur;
    uint32_t tid = t->st.tid;

    robust_head(p, E(0), 0);
    put32(p, E(0), E(1));
    put32(p, E(1), E(2) | 1);       /* E(2) is PI: marked, nobody woken */
    put32(p, E(2), HEAD);
    put32(p, WORD(0), tid | LX_FUTEX_WAITERS);
    put32(p, WORD(1), (tid + 1) | LX_FUTEX_WAITERS);
    put32(p, WORD(2), tid);
    lx_thread_switch(p, t);
    assert_int_equal(PC2(p, LX_NR_set_robust_list, HEAD, 12), 0);
    lx_thread_switch(p, main_thread);
    assert_int_equal(PC4(p, LX_NR_futex, WORD(0), LX_FUTEX_WAIT, tid | LX_FUTEX_WAITERS, 0),
                     LX_BLOCK);
    lx_thread_switch(p, t);
    assert_int_equal(PC1(p, LX_NR_exit, 0), 0);
    assert_int_equal(fake_read32(p->space, WORD(0)), LX_FUTEX_OWNER_DIED | LX_FUTEX_WAITERS);
    assert_int_equal(fake_read32(p->space, WORD(1)), (tid + 1) | LX_FUTEX_WAITERS);
    assert_int_equal(fake_read32(p->space, WORD(2)), LX_FUTEX_OWNER_DIED);
    lx_thread_drop(p);
    assert_int_equal(PC4(p, LX_NR_futex, WORD(0), LX_FUTEX_WAIT, 0, 0), 0);   /* woken */
}

/* The walk is bounded and stops at a bad pointer; the pending entry is
 * taken last (a 0 word: its waiter woken); exit_group and execve walk
 * every thread's list. */
static void robust_list_walk_is_bounded(void **state)
{
    fake_world_t *w = *state;
    lx_proc_t *p = &w->p, *c = fork_of(p);
    uint32_t tid = c->pid;

    /* a list that loops without coming back to its head */
    robust_head(c, E(0), 0);
    put32(c, E(0), E(1));
    put32(c, E(1), E(0));
    put32(c, WORD(0), tid);
    put32(c, WORD(1), tid);
    assert_int_equal(PC2(c, LX_NR_set_robust_list, HEAD, 12), 0);
    lx_robust_exit(c, &c->th);
    assert_int_equal(fake_read32(c->space, WORD(0)), LX_FUTEX_OWNER_DIED);
    assert_int_equal(fake_read32(c->space, WORD(1)), LX_FUTEX_OWNER_DIED);
    /* an unmapped entry ends the walk, before the pending one */
    robust_head(c, E(0), E(3));
    put32(c, E(0), 0x20000000u);
    put32(c, WORD(0), tid);
    put32(c, WORD(3), tid);
    lx_robust_exit(c, &c->th);
    assert_int_equal(fake_read32(c->space, WORD(0)), LX_FUTEX_OWNER_DIED);
    assert_int_equal(fake_read32(c->space, WORD(3)), tid);
    /* an unmapped head: nothing */
    assert_int_equal(PC2(c, LX_NR_set_robust_list, 0x20000000u, 12), 0);
    lx_robust_exit(c, &c->th);

    /* exit_group: every thread's list; the pending entry, 0, wakes */
    lx_thread_t *t = thread_of(c, FAKE_SCRATCH + 0x60), *main_thread = c->cur;
    robust_head(c, HEAD, E(4));     /* empty, one pending */
    put32(c, WORD(4), 0);
    put32(c, WORD(5), t->st.tid);
    lx_thread_switch(c, t);
    assert_int_equal(PC2(c, LX_NR_set_robust_list, HEAD, 12), 0);
    assert_int_equal(PC4(c, LX_NR_futex, WORD(4), LX_FUTEX_WAIT, 0, 0), LX_BLOCK);
    lx_thread_switch(c, main_thread);
    assert_int_equal(PC2(c, LX_NR_set_robust_list, HEAD + 0x100, 12), 0);
    put32(c, HEAD + 0x100, E(5));   /* main's list holds t's word: not main's to mark */
    put32(c, HEAD + 0x104, FUTEX_OFF);
    put32(c, HEAD + 0x108, 0);
    put32(c, E(5), HEAD + 0x100);
    assert_int_equal(PC1(c, LX_NR_exit_group, 1), 0);
    assert_true(c->exited);
    assert_true(lx_thread_state(c, t)->futex_woken);
    assert_int_equal(fake_read32(c->space, WORD(5)), t->st.tid);
    lx_thread_drop_others(c);
    space_gone(w, c);
}

static void exit_group_ends_every_thread(void **state)
{
    fake_world_t *w = *state;
    lx_proc_t *c = fork_of(&w->p);
    lx_thread_t *t1 = thread_of(c, FAKE_SCRATCH + 0x60);
    lx_thread_t *t2 = thread_of(c, FAKE_SCRATCH + 0x64);

    assert_int_equal(lx_thread_count(c), 3);
    assert_int_equal(w->k.nprocs, 4);
    /* exit of one thread of three leaves two */
    lx_thread_switch(c, t1);
    PC1(c, LX_NR_exit, 5);
    lx_thread_drop(c);
    assert_int_equal(lx_thread_count(c), 2);
    /* a wait4 sees no exited child while threads are left */
    assert_int_equal(SC4(w, LX_NR_wait4, c->pid, 0, LX_WNOHANG, 0), 0);
    lx_thread_switch(c, t2);
    PC1(c, LX_NR_exit_group, 3);
    assert_true(c->exited);
    lx_thread_drop_others(c);                           /* the guest kernel's part */
    space_gone(w, c);
    assert_int_equal(w->k.nprocs, 2);
    assert_int_equal(SC4(w, LX_NR_wait4, c->pid, STATUS_AT, 0, 0), (int32_t)c->pid);
    assert_int_equal(fake_read32(&w->space, STATUS_AT), 3 << 8);
}

static void clone_flags_checked(void **state)
{
    fake_world_t *w = *state;
    uint32_t sh = LX_CLONE_VM | LX_CLONE_SIGHAND;

    assert_int_equal(SC2(w, LX_NR_clone, LX_CLONE_THREAD, 0x7000), -LX_EINVAL);
    assert_int_equal(SC2(w, LX_NR_clone, LX_CLONE_THREAD | LX_CLONE_VM, 0x7000), -LX_EINVAL);
    assert_int_equal(SC2(w, LX_NR_clone, sh, 0x7000), -LX_EINVAL);      /* shared, no thread */
    assert_int_equal(SC2(w, LX_NR_clone, THREAD_FLAGS | LX_CLONE_VFORK, 0), -LX_EINVAL);
    assert_int_equal(SC2(w, LX_NR_clone, 0x80000000u, 0), -LX_EINVAL);  /* unknown */
    assert_null(w->p.new_thread);
    assert_null(w->p.new_child);
    assert_int_equal(w->k.nprocs, 1);
}

/* musl's pthread_create passes CLONE_DETACHED too, which Linux's clone
 * ignores: the thread is made as glibc's is. */
static void clone_detached_makes_a_thread(void **state)
{
    fake_world_t *w = *state;
    lx_proc_t *p = &w->p;
    uint32_t desc = FAKE_SCRATCH + 0x80, tidword = FAKE_SCRATCH + 0x60;
    struct lx_user_desc d = { .entry_number = 0xffffffffu, .base_addr = 0x5000 };

    assert_int_equal(fake_ops.copy_out(p->space, desc, &d, sizeof(d)), 0);
    int32_t tid = PC5(p, LX_NR_clone, THREAD_FLAGS | LX_CLONE_DETACHED, 0x7000, tidword, desc,
                      tidword);
    assert_true(tid > (int32_t)p->pid);
    assert_int_equal(fake_read32(p->space, tidword), tid);
    assert_non_null(p->new_thread);
    assert_int_equal(p->new_thread->st.tls_base, 0x5000);
    assert_int_equal(lx_thread_count(p), 2);
    p->new_thread = NULL;           /* the guest kernel has started it */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(fork_copies_the_process, setup, teardown),
        cmocka_unit_test_setup_teardown(wait4_blocks_until_a_child_exits, setup, teardown),
        cmocka_unit_test_setup_teardown(pipe_reader_parks_until_written_or_closed, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(full_pipe_parks_the_writer, setup, teardown),
        cmocka_unit_test_setup_teardown(vfork_parent_waits_for_exec_or_exit, setup, teardown),
        cmocka_unit_test_setup_teardown(clone_sets_the_tids, setup, teardown),
        cmocka_unit_test_setup_teardown(orphans_go_to_init, setup, teardown),
        cmocka_unit_test_setup_teardown(init_exit_reaps_orphaned_zombies, setup, teardown),
        cmocka_unit_test_setup_teardown(fork_refused_when_full, setup, teardown),
        cmocka_unit_test_setup_teardown(nanosleep_parks_until_the_deadline, setup, teardown),
        cmocka_unit_test_setup_teardown(poll_and_select_see_pipes, setup, teardown),
        cmocka_unit_test_setup_teardown(groups_and_sessions, setup, teardown),
        cmocka_unit_test_setup_teardown(execve_refusals_change_nothing, setup, teardown),
        cmocka_unit_test_setup_teardown(vfork_child_runs_in_the_parents_memory, setup, teardown),
        cmocka_unit_test_setup_teardown(threads_share_the_process, setup, teardown),
        cmocka_unit_test_setup_teardown(exit_group_ends_every_thread, setup, teardown),
        cmocka_unit_test_setup_teardown(threads_have_their_own_masks, setup, teardown),
        cmocka_unit_test_setup_teardown(thread_state_at_clone_and_fork, setup, teardown),
        cmocka_unit_test_setup_teardown(robust_list_at_thread_exit, setup, teardown),
        cmocka_unit_test_setup_teardown(robust_list_walk_is_bounded, setup, teardown),
        cmocka_unit_test_setup_teardown(clone_flags_checked, setup, teardown),
        cmocka_unit_test_setup_teardown(clone_detached_makes_a_thread, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
