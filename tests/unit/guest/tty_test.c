/* unit-test-sources: guest-stub/linux/tty.c guest-stub/linux/signal.c guest-stub/linux/sigfpu.c guest-stub/linux/sys_signal.c guest-stub/linux/syscall.c guest-stub/linux/sys_file.c guest-stub/linux/sys_poll.c guest-stub/linux/sys_path.c guest-stub/linux/sys_mem.c guest-stub/linux/sys_futex.c guest-stub/linux/procfs.c guest-stub/linux/sys_proc.c guest-stub/linux/sys_attr.c guest-stub/linux/sys_more.c guest-stub/linux/file.c guest-stub/linux/fs.c guest-stub/linux/pcache.c guest-stub/linux/kernel.c guest-stub/linux/proc.c guest-stub/linux/cpio.c guest-stub/linux/exec.c lib/elf.c tests/unit/guest/fake_host.c */
/*
 * The console's line discipline, driven through read(2) and ioctl(2) on
 * descriptor 0 with scripted keyboard input from the fake console: what the
 * program reads, what is echoed back to the screen, and which signals the
 * control characters raise, as Linux's n_tty does with a console's default
 * termios.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>
#include "fake_host.h"
#include "linux/unistd.h"
#include "linux/signal.h"
#include "linux/termios.h"

#define BUF     (FAKE_SCRATCH + 0x1000u)
#define ARG     (FAKE_SCRATCH + 0x2000u)

static int setup(void **state) { *state = fake_world_new(); return 0; }
static int teardown(void **state) { fake_world_free(*state); return 0; }

/* read(0, BUF, n), the bytes as a string */
static int32_t rd(fake_world_t *w, uint32_t n, char *got)
{
    int32_t r = SC3(w, LX_NR_read, 0, BUF, n);
    memset(got, 0, 64);
    if (r > 0)
        memcpy(got, fake_byte(&w->space, BUF), (size_t)r);
    return r;
}

static void echoed(fake_world_t *w, const char *want)
{
    assert_int_equal(w->host.out_len, strlen(want));
    assert_memory_equal(w->host.out, want, strlen(want));
}

static void canonical_lines_with_editing(void **state)
{
    fake_world_t *w = *state;
    char got[64];
    w->host.in = "lx\x7fs -l\x15" "cat\r" "two\n";
    assert_int_equal(rd(w, 63, got), 4);
    assert_string_equal(got, "cat\n");          /* one line per read */
    /* erase: BS SP BS; kill (ECHOKE): each character erased */
    echoed(w, "lx\b \bs -l\b \b\b \b\b \b\b \b\b \bcat\ntwo\n");
    assert_int_equal(rd(w, 2, got), 2);
    assert_string_equal(got, "tw");             /* a short read leaves the rest */
    assert_int_equal(rd(w, 63, got), 2);
    assert_string_equal(got, "o\n");
    assert_int_equal(rd(w, 63, got), 0);        /* the console's end of file */
}

static void eof_character(void **state)
{
    fake_world_t *w = *state;
    char got[64];
    w->host.in = "abc\x04\x04" "d\x17\x17x y\x17z\n";
    assert_int_equal(rd(w, 63, got), 3);
    assert_string_equal(got, "abc");            /* ^D ends the line, unread */
    assert_int_equal(rd(w, 63, got), 0);        /* ^D on an empty line: end of file */
    assert_int_equal(rd(w, 63, got), 4);
    assert_string_equal(got, "x z\n");          /* ^W erased words */
}

static void interrupt_signals_the_foreground(void **state)
{
    fake_world_t *w = *state;
    char got[64];
    w->host.in = "half a line\x03";
    assert_int_equal(rd(w, 63, got), LX_BLOCK);   /* parked, then interrupted */
    assert_true(w->p.sig.pending == LX_SIGBIT(LX_SIGINT));
    assert_int_equal(w->p.sig.src[LX_SIGINT - 1].code, LX_SI_KERNEL);
    echoed(w, "half a line^C");
    assert_int_equal(lx_tty_available(&w->k.tty), 0);   /* input flushed */
    w->p.sig.pending = 0;       /* signal_test delivers; here only who gets what */
    w->host.in = "\x1c";
    assert_int_equal(rd(w, 63, got), LX_BLOCK);
    assert_true(w->p.sig.pending == LX_SIGBIT(LX_SIGQUIT));
    w->p.sig.pending = 0;
    w->host.in = "\x1a" "ok\n";                  /* ^Z: SIGTSTP, the line after it read */
    assert_int_equal(rd(w, 63, got), 3);
    assert_true(w->p.sig.pending == LX_SIGBIT(LX_SIGTSTP));
}

static void raw_mode(void **state)
{
    fake_world_t *w = *state;
    struct lx_termios t;
    char got[64];
    assert_int_equal(SC3(w, LX_NR_ioctl, 0, LX_TCGETS, ARG), 0);
    memcpy(&t, fake_byte(&w->space, ARG), sizeof(t));
    t.c_lflag &= ~(uint32_t)(LX_ICANON | LX_ECHO | LX_ISIG);
    t.c_cc[LX_VMIN] = 1;
    assert_int_equal(SC3(w, LX_NR_ioctl, 0, LX_TCSETSW, fake_put(w, 0x2000, &t, sizeof(t))), 0);
    w->host.in = NULL;                          /* nothing typed yet */
    assert_int_equal(rd(w, 63, got), LX_BLOCK);      /* parked */
    w->host.in = "\x7f\x03q";
    assert_int_equal(rd(w, 63, got), 3);
    assert_memory_equal(got, "\x7f\x03q", 3);   /* no editing, no signal */
    assert_int_equal(w->p.sig.pending, 0);
    assert_int_equal(w->host.out_len, 0);       /* no echo */
    /* VMIN 4: three bytes are not enough while more may come */
    t.c_cc[LX_VMIN] = 4;
    assert_int_equal(SC3(w, LX_NR_ioctl, 0, LX_TCSETS, fake_put(w, 0x2000, &t, sizeof(t))), 0);
    w->host.in = NULL;
    lx_tty_input(&w->p, (const uint8_t *)"abc", 3);
    assert_int_equal(rd(w, 63, got), LX_BLOCK);      /* parked */
    assert_int_equal(SC3(w, LX_NR_ioctl, 0, LX_FIONREAD, ARG), 0);
    assert_int_equal(fake_read32(&w->space, ARG), 3);
    assert_int_equal(rd(w, 2, got), 2);         /* asking for fewer than VMIN */
    assert_int_equal(SC3(w, LX_NR_ioctl, 0, LX_TCFLSH, LX_TCIFLUSH), 0);
    assert_int_equal(lx_tty_available(&w->k.tty), 0);
    assert_int_equal(SC3(w, LX_NR_ioctl, 0, LX_TCFLSH, 9), -LX_EINVAL);
}

static void process_groups(void **state)
{
    fake_world_t *w = *state;
    uint32_t pg = w->p.pgid, other = pg + 10;
    assert_int_equal(SC3(w, LX_NR_ioctl, 1, LX_TIOCGPGRP, ARG), 0);
    assert_int_equal(fake_read32(&w->space, ARG), pg);
    assert_int_equal(SC3(w, LX_NR_ioctl, 1, LX_TIOCGSID, ARG), 0);
    assert_int_equal(fake_read32(&w->space, ARG), w->p.sid);
    assert_int_equal(SC3(w, LX_NR_ioctl, 1, LX_TIOCSPGRP, fake_put(w, 0x2000, &other, 4)),
                     -LX_EPERM);
    int32_t neg = -3;
    assert_int_equal(SC3(w, LX_NR_ioctl, 1, LX_TIOCSPGRP, fake_put(w, 0x2000, &neg, 4)),
                     -LX_EINVAL);
    assert_int_equal(SC3(w, LX_NR_ioctl, 1, LX_TIOCSPGRP, fake_put(w, 0x2000, &pg, 4)), 0);
    /* a foreground group without us: ^C goes elsewhere, and our read is a
     * background read of an orphaned group (no parent): EIO */
    w->k.tty.pgrp = other;
    w->host.in = "\x03" "x\n";
    char got[64];
    assert_int_equal(rd(w, 63, got), -LX_EIO);
    assert_int_equal(w->p.sig.pending, 0);
    assert_int_equal(SC3(w, LX_NR_ioctl, 1, LX_TIOCGPGRP, ARG), 0);
    assert_int_equal(fake_read32(&w->space, ARG), other);
}

/* Bytes into a forked child's own (copied) memory; their address. */
static uint32_t cput(lx_proc_t *c, uint32_t off, const void *data, uint32_t len)
{
    assert_int_equal(fake_ops.copy_out(c->space, FAKE_SCRATCH + off, data, len), 0);
    return FAKE_SCRATCH + off;
}

/* Job control: a child in a background group of the session (its parent,
 * in another group, keeps it from being orphaned) gets SIGTTIN for a read
 * and SIGTTOU for changing the terminal, and the call is to be restarted;
 * ignored or blocked, SIGTTIN makes the read EIO and SIGTTOU lets the change
 * through; TOSTOP makes writes change the terminal too. */
static void background_groups(void **state)
{
    fake_world_t *w = *state;
    uint32_t fg = w->p.pgid;
    assert_int_equal(SC3(w, LX_NR_ioctl, 0, LX_TIOCGPGRP, ARG), 0);   /* the terminal is ours */
    int32_t pid = SC0(w, LX_NR_fork);
    lx_proc_t *c = w->p.new_child;
    w->p.new_child = NULL;
    assert_int_equal(PC2(c, LX_NR_setpgid, 0, 0), 0);
    assert_int_equal(c->pgid, (uint32_t)pid);

    w->host.in = "x\n";
    assert_int_equal(PC3(c, LX_NR_read, 0, BUF, 63), -LX_ERESTARTSYS);
    assert_true(c->sig.pending == LX_SIGBIT(LX_SIGTTIN));
    assert_int_equal(c->sig.src[LX_SIGTTIN - 1].code, LX_SI_KERNEL);
    c->sig.pending = 0;
    uint32_t tpg = (uint32_t)pid;
    assert_int_equal(PC3(c, LX_NR_ioctl, 0, LX_TIOCSPGRP, cput(c, 0x3000, &tpg, 4)),
                     -LX_ERESTARTSYS);
    assert_true(c->sig.pending == LX_SIGBIT(LX_SIGTTOU));
    assert_int_equal(w->k.tty.pgrp, fg);                /* nothing changed */
    c->sig.pending = 0;
    assert_int_equal(PC3(c, LX_NR_write, 1, cput(c, 0x3000, "bg\n", 3), 3), 3);
    c->tsig.blocked = LX_SIGBIT(LX_SIGTTIN) | LX_SIGBIT(LX_SIGTTOU);
    assert_int_equal(PC3(c, LX_NR_read, 0, BUF, 63), -LX_EIO);
    assert_int_equal(PC3(c, LX_NR_ioctl, 0, LX_TIOCSPGRP, cput(c, 0x3000, &tpg, 4)), 0);
    assert_int_equal(w->k.tty.pgrp, (uint32_t)pid);     /* a shell's fg */
    assert_int_equal(PC3(c, LX_NR_read, 0, BUF, 63), 2);
    assert_int_equal(c->sig.pending, 0);

    /* now the parent is in the background; with TOSTOP its write stops it */
    assert_int_equal(SC3(w, LX_NR_ioctl, 0, LX_TCGETS, ARG), 0);    /* reading them is allowed */
    struct lx_termios t;
    memcpy(&t, fake_byte(&w->space, ARG), sizeof(t));
    t.c_lflag |= LX_TOSTOP;
    assert_int_equal(PC3(c, LX_NR_ioctl, 0, LX_TCSETS, cput(c, 0x3000, &t, sizeof(t))), 0);
    assert_int_equal(SC3(w, LX_NR_write, 1, fake_put(w, 0x3000, "fg?", 3), 3), -LX_EIO);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(canonical_lines_with_editing, setup, teardown),
        cmocka_unit_test_setup_teardown(eof_character, setup, teardown),
        cmocka_unit_test_setup_teardown(interrupt_signals_the_foreground, setup, teardown),
        cmocka_unit_test_setup_teardown(raw_mode, setup, teardown),
        cmocka_unit_test_setup_teardown(process_groups, setup, teardown),
        cmocka_unit_test_setup_teardown(background_groups, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
