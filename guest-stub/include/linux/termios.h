/*
 * Terminal ioctls and the structures they copy, so that a program asking
 * "am I on a terminal, how wide is it" gets the answer a Linux console
 * gives. Request numbers from include/uapi/asm-generic/ioctls.h; the
 * kernel's struct termios (19 control characters, 36 bytes) and flag bits
 * from include/uapi/asm-generic/termbits.h and termbits-common.h.
 */
#ifndef LINUX_TERMIOS_H
#define LINUX_TERMIOS_H

#include <stdint.h>

#define LX_TCGETS       0x5401  /* asm-generic/ioctls.h */
#define LX_TCSETS       0x5402  /* asm-generic/ioctls.h */
#define LX_TCSETSW      0x5403  /* asm-generic/ioctls.h */
#define LX_TCSETSF      0x5404  /* asm-generic/ioctls.h */
#define LX_TCFLSH       0x540B  /* asm-generic/ioctls.h */
#define LX_TIOCSCTTY    0x540E  /* asm-generic/ioctls.h */
#define LX_TIOCGPGRP    0x540F  /* asm-generic/ioctls.h */
#define LX_TIOCSPGRP    0x5410  /* asm-generic/ioctls.h */
#define LX_TIOCGWINSZ   0x5413  /* asm-generic/ioctls.h */
#define LX_TIOCSWINSZ   0x5414  /* asm-generic/ioctls.h */
#define LX_FIONREAD     0x541B  /* asm-generic/ioctls.h */
#define LX_TIOCGSID     0x5429  /* asm-generic/ioctls.h */

#define LX_NCCS 19              /* asm-generic/termbits.h */

struct lx_termios {
    uint32_t c_iflag, c_oflag, c_cflag, c_lflag;
    uint8_t c_line;
    uint8_t c_cc[LX_NCCS];
};
_Static_assert(sizeof(struct lx_termios) == 36, "kernel struct termios is 36 bytes");

struct lx_winsize {
    uint16_t ws_row, ws_col, ws_xpixel, ws_ypixel;
};

/* c_cc indices: asm-generic/termbits.h */
#define LX_VINTR    0
#define LX_VQUIT    1
#define LX_VERASE   2
#define LX_VKILL    3
#define LX_VEOF     4
#define LX_VTIME    5
#define LX_VMIN     6
#define LX_VSTART   8
#define LX_VSTOP    9
#define LX_VSUSP    10
#define LX_VEOL     11
#define LX_VREPRINT 12
#define LX_VDISCARD 13
#define LX_VWERASE  14
#define LX_VLNEXT   15
#define LX_VEOL2    16

/* TCFLSH's argument (asm-generic/termbits-common.h) */
#define LX_TCIFLUSH  0
#define LX_TCOFLUSH  1
#define LX_TCIOFLUSH 2

/* Flag bits (octal, termbits.h / termbits-common.h) of a console's defaults */
#define LX_ISTRIP   0000040     /* c_iflag: strip the eighth bit */
#define LX_INLCR    0000100     /* c_iflag: map NL to CR on input */
#define LX_IGNCR    0000200     /* c_iflag: drop CR on input */
#define LX_ICRNL    0000400     /* c_iflag: map CR to NL on input */
#define LX_IXON     0002000     /* c_iflag: XON/XOFF flow control */
#define LX_OPOST    0000001     /* c_oflag: post-process output */
#define LX_ONLCR    0000004     /* c_oflag: map NL to CR-NL */
#define LX_B38400   0000017     /* c_cflag: baud rate */
#define LX_CS8      0000060     /* c_cflag: 8-bit characters */
#define LX_CREAD    0000200     /* c_cflag: enable receiver */
#define LX_HUPCL    0002000     /* c_cflag: hang up on last close */
#define LX_ISIG     0000001     /* c_lflag: INTR, QUIT, SUSP send signals */
#define LX_ICANON   0000002     /* c_lflag: line editing */
#define LX_ECHO     0000010     /* c_lflag: echo input */
#define LX_ECHOE    0000020     /* c_lflag: echo erase as BS-SP-BS */
#define LX_ECHOK    0000040     /* c_lflag: echo NL after KILL */
#define LX_ECHONL   0000100     /* c_lflag: echo NL even without ECHO */
#define LX_NOFLSH   0000200     /* c_lflag: no flush of input on INTR, QUIT, SUSP */
#define LX_TOSTOP   0000400     /* c_lflag: SIGTTOU for background writes */
#define LX_ECHOCTL  0001000     /* c_lflag: echo controls as ^X */
#define LX_ECHOKE   0004000     /* c_lflag: erase the line on KILL */
#define LX_IEXTEN   0100000     /* c_lflag: extended input processing */

#endif
