/*
 * Flags of open(2), fcntl(2) and the *at() calls, as i386 Linux defines
 * them (include/uapi/asm-generic/fcntl.h, uapi/linux/fcntl.h). Octal, as
 * in the kernel's headers.
 */
#ifndef LINUX_FCNTL_H
#define LINUX_FCNTL_H

#define LX_O_ACCMODE    00000003    /* asm-generic/fcntl.h */
#define LX_O_RDONLY     00000000    /* asm-generic/fcntl.h */
#define LX_O_WRONLY     00000001    /* asm-generic/fcntl.h */
#define LX_O_RDWR       00000002    /* asm-generic/fcntl.h */
#define LX_O_CREAT      00000100    /* asm-generic/fcntl.h */
#define LX_O_EXCL       00000200    /* asm-generic/fcntl.h */
#define LX_O_NOCTTY     00000400    /* asm-generic/fcntl.h */
#define LX_O_TRUNC      00001000    /* asm-generic/fcntl.h */
#define LX_O_APPEND     00002000    /* asm-generic/fcntl.h */
#define LX_O_NONBLOCK   00004000    /* asm-generic/fcntl.h */
#define LX_O_LARGEFILE  00100000    /* asm-generic/fcntl.h */
#define LX_O_DIRECTORY  00200000    /* asm-generic/fcntl.h */
#define LX_O_NOFOLLOW   00400000    /* asm-generic/fcntl.h */
#define LX_O_CLOEXEC    02000000    /* asm-generic/fcntl.h */
#define LX_O_PATH       010000000   /* asm-generic/fcntl.h */

#define LX_F_DUPFD          0       /* asm-generic/fcntl.h */
#define LX_F_GETFD          1       /* asm-generic/fcntl.h */
#define LX_F_SETFD          2       /* asm-generic/fcntl.h */
#define LX_F_GETFL          3       /* asm-generic/fcntl.h */
#define LX_F_SETFL          4       /* asm-generic/fcntl.h */
#define LX_F_DUPFD_CLOEXEC  1030    /* uapi/linux/fcntl.h: F_LINUX_SPECIFIC_BASE + 6 */
#define LX_FD_CLOEXEC       1       /* asm-generic/fcntl.h */

#define LX_AT_FDCWD             (-100)  /* uapi/linux/fcntl.h */
#define LX_AT_SYMLINK_NOFOLLOW  0x100   /* uapi/linux/fcntl.h */
#define LX_AT_REMOVEDIR         0x200   /* uapi/linux/fcntl.h */
#define LX_AT_SYMLINK_FOLLOW    0x400   /* uapi/linux/fcntl.h */
#define LX_AT_EACCESS           0x200   /* uapi/linux/fcntl.h (faccessat) */
#define LX_AT_NO_AUTOMOUNT      0x800   /* uapi/linux/fcntl.h */
#define LX_AT_EMPTY_PATH        0x1000  /* uapi/linux/fcntl.h */
#define LX_AT_STATX_SYNC_TYPE   0x6000  /* uapi/linux/fcntl.h: statx sync bits */

/* access(2) modes: include/linux/fs.h MAY_* and unistd.h */
#define LX_F_OK 0
#define LX_X_OK 1
#define LX_W_OK 2
#define LX_R_OK 4

/* lseek(2) whence: uapi/linux/fs.h */
#define LX_SEEK_SET 0
#define LX_SEEK_CUR 1
#define LX_SEEK_END 2

#endif
