/*
 * The console's line discipline: what Linux's n_tty does between the
 * keyboard and read(2), for the one terminal a guest has.
 *
 * Raw bytes come from the console host op when a process reads the console
 * (the guest kernel may also feed them in with lx_tty_input while it waits).
 * Each byte is mapped as termios' c_iflag says (CR to NL and friends), then,
 * with ISIG, INTR (^C), QUIT (^\) and SUSP (^Z) become SIGINT, SIGQUIT and
 * SIGTSTP for the foreground process group and flush the input. In canonical mode
 * (ICANON) input is edited a line at a time: ERASE (DEL) removes a
 * character, KILL (^U) the line, WERASE (^W, with IEXTEN) a word; NL, EOL
 * and EOL2 end a line, EOF (^D) ends one without being read, so ^D on an
 * empty line is end of file for one read. A read returns at most one line.
 * Otherwise bytes are readable at once and a read returns when VMIN of them
 * (or as many as asked) are there; VTIME is not honoured (a read with VMIN
 * 0 answers at once). Echo follows ECHO, ECHOE, ECHOK, ECHOKE, ECHONL and
 * ECHOCTL (controls as ^X). Output is written as the program gives it: the
 * VMM's console is line-based, so ONLCR's CR would only be noise.
 *
 * The console becomes the controlling terminal of the first session that
 * uses it, with that session's group in the foreground; TIOCSPGRP moves the
 * foreground to another group of the session. Job control: a process of
 * that session outside the foreground group that reads gets SIGTTIN for
 * its group, and one that changes the settings or the foreground group (or
 * writes, with TOSTOP) SIGTTOU, and the call is made again once the group
 * is continued (Linux's __tty_check_change, below).
 */
#include "sys.h"
#include <string.h>

#define CHUNK       64u         /* bytes pulled from the console at a time */
#define CTRL(c)     ((c) & 0x1f)
#define DEL         0x7f
#define CTRL_SHOW   0x40        /* ^A is 0x01 + 0x40 */
#define CONSOLE_ROWS 24         /* what an 80x24 terminal reports */
#define CONSOLE_COLS 80

static const uint8_t default_cc[LX_NCCS] = {
    [LX_VINTR] = CTRL('C'), [LX_VQUIT] = CTRL('\\'), [LX_VERASE] = DEL,
    [LX_VKILL] = CTRL('U'), [LX_VEOF] = CTRL('D'), [LX_VMIN] = 1,
    [LX_VSTART] = CTRL('Q'), [LX_VSTOP] = CTRL('S'), [LX_VSUSP] = CTRL('Z'),
    [LX_VREPRINT] = CTRL('R'), [LX_VDISCARD] = CTRL('O'),
    [LX_VWERASE] = CTRL('W'), [LX_VLNEXT] = CTRL('V'),
};

/* A Linux console's settings after boot (drivers/tty/tty_io.c
 * tty_std_termios): canonical input with echo and signals, NL -> CR NL on
 * output, 38400 baud 8N1. */
void lx_tty_init(lx_tty_t *t)
{
    memset(t, 0, sizeof(*t));
    t->termios.c_iflag = LX_ICRNL | LX_IXON;
    t->termios.c_oflag = LX_OPOST | LX_ONLCR;
    t->termios.c_cflag = LX_B38400 | LX_CS8 | LX_CREAD | LX_HUPCL;
    t->termios.c_lflag = LX_ISIG | LX_ICANON | LX_ECHO | LX_ECHOE | LX_ECHOK | LX_ECHOCTL |
                         LX_ECHOKE | LX_IEXTEN;
    memcpy(t->termios.c_cc, default_cc, sizeof(default_cc));
    t->winsize = (struct lx_winsize){ CONSOLE_ROWS, CONSOLE_COLS, 0, 0 };
}

/* The first session to use the console gets it as its controlling terminal. */
static lx_tty_t *tty_of(lx_proc_t *p)
{
    lx_tty_t *t = &p->k->tty;
    if (t->sid == 0) {
        t->sid = p->sid;
        t->pgrp = p->pgid;
    }
    return t;
}

static bool lflag(const lx_tty_t *t, uint32_t f) { return (t->termios.c_lflag & f) != 0; }

static void out(lx_proc_t *p, const char *s, uint32_t n)
{
    p->k->ops->console_write(p->k->ctx, s, n);
}

static bool shown_as_ctrl(const lx_tty_t *t, uint8_t c)
{
    return lflag(t, LX_ECHOCTL) && (c < ' ' || c == DEL) && c != '\t' && c != '\n';
}

static void echo(lx_proc_t *p, lx_tty_t *t, uint8_t c)
{
    if (!lflag(t, LX_ECHO))
        return;
    if (shown_as_ctrl(t, c)) {
        char s[2] = { '^', (char)(c == DEL ? '?' : c + CTRL_SHOW) };
        out(p, s, sizeof(s));
    } else {
        out(p, (const char *)&c, 1);
    }
}

/* Removes the last character of the line being edited, and from the screen. */
static bool erase_one(lx_proc_t *p, lx_tty_t *t)
{
    if (t->len == t->ready)
        return false;
    uint8_t c = (uint8_t)t->buf[--t->len];
    if (lflag(t, LX_ECHO) && lflag(t, LX_ECHOE)) {
        for (int i = shown_as_ctrl(t, c) ? 2 : 1; i > 0; i--)
            out(p, "\b \b", 3);
    }
    return true;
}

static void erase_word(lx_proc_t *p, lx_tty_t *t)
{
    while (t->len > t->ready && t->buf[t->len - 1] == ' ')
        erase_one(p, t);
    while (t->len > t->ready && t->buf[t->len - 1] != ' ')
        erase_one(p, t);
}

static void kill_line(lx_proc_t *p, lx_tty_t *t)
{
    if (lflag(t, LX_ECHOKE)) {
        while (erase_one(p, t))
            ;
        return;
    }
    t->len = t->ready;
    echo(p, t, t->termios.c_cc[LX_VKILL]);
    if (lflag(t, LX_ECHOK))
        out(p, "\n", 1);
}

static void push(lx_tty_t *t, uint16_t v)
{
    if (t->len < LX_TTY_BUF)
        t->buf[t->len++] = v;
}

/* A process of the terminal's session outside its foreground group reads
 * (sig SIGTTIN) or changes the terminal (SIGTTOU) (Linux
 * __tty_check_change): 0 to go on; -EIO for an orphaned group, or for a
 * SIGTTIN that is blocked or ignored (a blocked or ignored SIGTTOU lets the
 * change through); else sig goes to its group and the call answers
 * -ERESTARTSYS, made again once the group is continued. */
static int32_t job_check(lx_proc_t *p, const lx_tty_t *t, int sig)
{
    const lx_sigstate_t *s = &p->sig;
    lx_sigsrc_t src = { .code = LX_SI_KERNEL };

    if (p->sid != t->sid || !t->pgrp || p->pgid == t->pgrp)
        return 0;
    if ((p->tsig.blocked & LX_SIGBIT(sig)) || s->act[sig - 1].handler == LX_SIG_IGN)
        return sig == LX_SIGTTIN ? LX_ERR(LX_EIO) : 0;
    if (lx_sig_pgrp_orphaned(p->k, p->pgid))
        return LX_ERR(LX_EIO);
    lx_sig_group(p, p->pgid, sig, &src);
    return LX_ERR(LX_ERESTARTSYS);
}

int32_t lx_tty_write_check(lx_proc_t *p)
{
    lx_tty_t *t = tty_of(p);
    return lflag(t, LX_TOSTOP) ? job_check(p, t, LX_SIGTTOU) : 0;
}

/* INTR, QUIT, SUSP: flush, echo, signal the foreground group (n_tty isig). */
static bool signal_char(lx_proc_t *p, lx_tty_t *t, uint8_t c)
{
    const uint8_t *cc = t->termios.c_cc;
    int sig = c == cc[LX_VINTR] ? LX_SIGINT : c == cc[LX_VQUIT] ? LX_SIGQUIT :
              c == cc[LX_VSUSP] ? LX_SIGTSTP : 0;
    lx_sigsrc_t src = { .code = LX_SI_KERNEL };

    if (!sig || c == 0)         /* a disabled character is 0 (_POSIX_VDISABLE) */
        return false;
    if (!lflag(t, LX_NOFLSH))
        t->len = t->ready = 0;
    echo(p, t, c);
    if (t->pgrp)
        lx_sig_group(p, t->pgrp, sig, &src);
    return true;
}

static bool is_eol(const lx_tty_t *t, uint16_t v)
{
    const uint8_t *cc = t->termios.c_cc;
    return v == '\n' || (v && v == cc[LX_VEOL]) || (v && v == cc[LX_VEOL2] && lflag(t, LX_IEXTEN));
}

static void canonical(lx_proc_t *p, lx_tty_t *t, uint8_t c)
{
    const uint8_t *cc = t->termios.c_cc;
    bool iexten = lflag(t, LX_IEXTEN);

    if (c == cc[LX_VERASE]) {
        erase_one(p, t);
    } else if (c == cc[LX_VKILL]) {
        kill_line(p, t);
    } else if (iexten && c == cc[LX_VWERASE]) {
        erase_word(p, t);
    } else if (c == cc[LX_VEOF]) {
        push(t, LX_TTY_EOF);
        t->ready = t->len;
    } else if (is_eol(t, c)) {
        if (lflag(t, LX_ECHO) || lflag(t, LX_ECHONL))
            out(p, (const char *)&c, 1);
        push(t, c);
        t->ready = t->len;
    } else if (t->len < LX_TTY_BUF - 1) {
        echo(p, t, c);          /* the last slot is kept for the line's end */
        push(t, c);
    }
}

static void input_byte(lx_proc_t *p, lx_tty_t *t, uint8_t c)
{
    uint32_t iflag = t->termios.c_iflag;

    if (iflag & LX_ISTRIP)
        c &= 0x7f;
    if (c == '\r') {
        if (iflag & LX_IGNCR)
            return;
        if (iflag & LX_ICRNL)
            c = '\n';
    } else if (c == '\n' && (iflag & LX_INLCR)) {
        c = '\r';
    }
    if (lflag(t, LX_ISIG) && signal_char(p, t, c))
        return;
    if (lflag(t, LX_ICANON)) {
        canonical(p, t, c);
    } else {
        echo(p, t, c);
        push(t, c);
        t->ready = t->len;
    }
}

void lx_tty_input(lx_proc_t *self, const uint8_t *bytes, uint32_t n)
{
    lx_tty_t *t = tty_of(self);
    for (uint32_t i = 0; i < n; i++)
        input_byte(self, t, bytes[i]);
}

uint32_t lx_tty_available(const lx_tty_t *t)
{
    uint32_t n = 0;
    for (uint32_t i = 0; i < t->ready; i++)
        n += t->buf[i] != LX_TTY_EOF;
    return n;
}

/* Whether a read can be answered from what is held: a whole line, or
 * `want` bytes (at least one). */
static bool satisfied(const lx_tty_t *t, uint32_t want)
{
    if (lflag(t, LX_ICANON))
        return t->ready != 0;
    return lx_tty_available(t) >= (want ? want : 1);
}

/* Pulls console input until a read can be answered or nothing more is
 * there; notes end of file. */
static void pull(lx_proc_t *p, lx_tty_t *t, uint32_t want)
{
    uint8_t chunk[CHUNK];

    t->host_eof = false;
    while (!satisfied(t, want)) {
        int32_t got = p->k->ops->console_read(p->k->ctx, chunk, sizeof(chunk));
        if (got <= 0) {
            t->host_eof = got == 0;
            return;
        }
        lx_tty_input(p, chunk, (uint32_t)got);
    }
}

/* Takes up to n entries off the front; canonical reads stop after a line's
 * end, and an EOF mark is consumed but not read. */
static uint32_t take(lx_tty_t *t, uint8_t *buf, uint32_t n, bool canon)
{
    uint32_t used = 0, got = 0;

    while (used < t->ready && got < n) {
        uint16_t v = t->buf[used++];
        if (v == LX_TTY_EOF)
            break;
        buf[got++] = (uint8_t)v;
        if (canon && is_eol(t, v))
            break;
    }
    memmove(t->buf, t->buf + used, (t->len - used) * sizeof(t->buf[0]));
    t->len -= used;
    t->ready -= used;
    return got;
}

int32_t lx_tty_read(lx_proc_t *p, uint8_t *buf, uint32_t n)
{
    lx_tty_t *t = tty_of(p);
    bool canon = lflag(t, LX_ICANON);
    uint32_t vmin = t->termios.c_cc[LX_VMIN];
    uint32_t want = canon ? 1 : (vmin < n ? vmin : n);
    int32_t bg = job_check(p, t, LX_SIGTTIN);

    if (bg)
        return bg;
    if (n == 0)
        return 0;
    pull(p, t, want);
    if (canon && t->ready)
        return (int32_t)take(t, buf, n, true);
    if (!canon && lx_tty_available(t) >= want)
        return (int32_t)take(t, buf, n, false);
    if (lx_sig_deliverable(p))
        return LX_ERR(LX_EAGAIN);  /* ^C while waiting: parked, the signal interrupts */
    if (t->host_eof) {
        t->ready = t->len;      /* a last unfinished line is read as it is */
        return (int32_t)take(t, buf, n, false);
    }
    return LX_ERR(LX_EAGAIN);
}

static int32_t set_pgrp(lx_proc_t *p, lx_tty_t *t, uint32_t arg)
{
    int32_t pgrp;
    int err = lx_user_in(p, &pgrp, arg, sizeof(pgrp));
    if (err)
        return err;
    if (pgrp < 0)
        return LX_ERR(LX_EINVAL);
    if (p->sid != t->sid)
        return LX_ERR(LX_ENOTTY);
    if (!lx_sig_group(p, (uint32_t)pgrp, 0, NULL))
        return LX_ERR(LX_EPERM);
    t->pgrp = (uint32_t)pgrp;
    return 0;
}

static int32_t flush(lx_tty_t *t, uint32_t which)
{
    if (which != LX_TCIFLUSH && which != LX_TCOFLUSH && which != LX_TCIOFLUSH)
        return LX_ERR(LX_EINVAL);
    if (which != LX_TCOFLUSH)
        t->len = t->ready = 0;
    return 0;
}

int32_t lx_tty_ioctl(lx_proc_t *p, uint32_t req, uint32_t arg)
{
    lx_tty_t *t = tty_of(p);
    uint32_t n;
    int32_t bg;

    switch (req) {
    case LX_TCSETS: case LX_TCSETSW: case LX_TCSETSF: case LX_TCFLSH: case LX_TIOCSPGRP:
        if ((bg = job_check(p, t, LX_SIGTTOU)) != 0)
            return bg;
        break;
    default:
        break;
    }
    switch (req) {
    case LX_TCGETS:
        return lx_user_out(p, arg, &t->termios, sizeof(t->termios));
    case LX_TCSETS: case LX_TCSETSW:
        return lx_user_in(p, &t->termios, arg, sizeof(t->termios));
    case LX_TCSETSF: {
        int err = lx_user_in(p, &t->termios, arg, sizeof(t->termios));
        return err ? err : flush(t, LX_TCIFLUSH);
    }
    case LX_TCFLSH:
        return flush(t, arg);
    case LX_TIOCGWINSZ:
        return lx_user_out(p, arg, &t->winsize, sizeof(t->winsize));
    case LX_TIOCSWINSZ:
        return lx_user_in(p, &t->winsize, arg, sizeof(t->winsize));
    case LX_TIOCGPGRP:
        return lx_user_out(p, arg, &t->pgrp, sizeof(t->pgrp));
    case LX_TIOCSPGRP:
        return set_pgrp(p, t, arg);
    case LX_TIOCGSID:
        return lx_user_out(p, arg, &t->sid, sizeof(t->sid));
    case LX_TIOCSCTTY:
        return 0;
    case LX_FIONREAD:
        n = lx_tty_available(t);
        return lx_user_out(p, arg, &n, sizeof(n));
    default:
        return LX_ERR(LX_ENOTTY);
    }
}
