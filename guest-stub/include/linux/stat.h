/*
 * File modes and the i386 `struct stat64` filled by stat64, lstat64,
 * fstat64 and fstatat64. The layout is arch/x86/include/uapi/asm/stat.h's
 * (96 bytes; 64-bit members only 4-byte aligned on i386, hence packed here
 * so the host build lays it out the same), mode bits from
 * include/uapi/linux/stat.h, directory-entry types from include/linux/fs.h.
 */
#ifndef LINUX_STAT_H
#define LINUX_STAT_H

#include <stdint.h>
#include <stddef.h>

#define LX_S_IFMT   0170000     /* uapi/linux/stat.h */
#define LX_S_IFSOCK 0140000     /* uapi/linux/stat.h */
#define LX_S_IFLNK  0120000     /* uapi/linux/stat.h */
#define LX_S_IFREG  0100000     /* uapi/linux/stat.h */
#define LX_S_IFBLK  0060000     /* uapi/linux/stat.h */
#define LX_S_IFDIR  0040000     /* uapi/linux/stat.h */
#define LX_S_IFCHR  0020000     /* uapi/linux/stat.h */
#define LX_S_IFIFO  0010000     /* uapi/linux/stat.h */
#define LX_S_IALLUGO 07777      /* include/linux/stat.h: permission and set-id bits */

#define LX_S_ISDIR(m) (((m) & LX_S_IFMT) == LX_S_IFDIR)
#define LX_S_ISREG(m) (((m) & LX_S_IFMT) == LX_S_IFREG)
#define LX_S_ISLNK(m) (((m) & LX_S_IFMT) == LX_S_IFLNK)
#define LX_S_ISCHR(m) (((m) & LX_S_IFMT) == LX_S_IFCHR)

/* d_type of getdents64: include/linux/fs_types.h (mode >> 12) */
#define LX_DT_FIFO 1
#define LX_DT_CHR  2
#define LX_DT_DIR  4
#define LX_DT_REG  8
#define LX_DT_LNK  10

/* Device numbers (major, minor) of the character devices we provide:
 * Documentation/admin-guide/devices.txt. Encoded as new_encode_dev(). */
#define LX_MKDEV(ma, mi) (((mi) & 0xffu) | ((ma) << 8) | (((mi) & ~0xffu) << 12))
#define LX_DEV_NULL     LX_MKDEV(1, 3)  /* devices.txt: /dev/null */
#define LX_DEV_ZERO     LX_MKDEV(1, 5)  /* devices.txt: /dev/zero */
#define LX_DEV_TTY      LX_MKDEV(5, 0)  /* devices.txt: /dev/tty */
#define LX_DEV_CONSOLE  LX_MKDEV(5, 1)  /* devices.txt: /dev/console */

struct lx_stat64 {
    uint64_t st_dev;
    uint8_t pad0[4];
    uint32_t st_ino_32;         /* __st_ino: truncated inode number */
    uint32_t st_mode;
    uint32_t st_nlink;
    uint32_t st_uid;
    uint32_t st_gid;
    uint64_t st_rdev;
    uint8_t pad3[4];
    int64_t st_size;
    uint32_t st_blksize;
    uint64_t st_blocks;         /* 512-byte units */
    uint32_t st_atime_sec, st_atime_nsec;
    uint32_t st_mtime_sec, st_mtime_nsec;
    uint32_t st_ctime_sec, st_ctime_nsec;
    uint64_t st_ino;
} __attribute__((packed));

_Static_assert(sizeof(struct lx_stat64) == 96, "i386 struct stat64 is 96 bytes");
_Static_assert(offsetof(struct lx_stat64, st_size) == 44, "i386 stat64 st_size at 44");
_Static_assert(offsetof(struct lx_stat64, st_ino) == 88, "i386 stat64 st_ino at 88");

/* struct statx (include/uapi/linux/stat.h): the same on every
 * architecture, 256 bytes. */
struct lx_statx_timestamp {
    int64_t tv_sec;
    uint32_t tv_nsec;
    int32_t reserved;
} __attribute__((packed, aligned(4)));

struct lx_statx {
    uint32_t stx_mask, stx_blksize;
    uint64_t stx_attributes;
    uint32_t stx_nlink, stx_uid, stx_gid;
    uint16_t stx_mode, spare0;
    uint64_t stx_ino, stx_size, stx_blocks, stx_attributes_mask;
    struct lx_statx_timestamp stx_atime, stx_btime, stx_ctime, stx_mtime;
    uint32_t stx_rdev_major, stx_rdev_minor, stx_dev_major, stx_dev_minor;
    uint64_t spare[14];
} __attribute__((packed, aligned(4)));

_Static_assert(sizeof(struct lx_statx) == 256, "struct statx is 256 bytes");
_Static_assert(offsetof(struct lx_statx, stx_mtime) == 0x70, "statx stx_mtime at 0x70");
_Static_assert(offsetof(struct lx_statx, stx_rdev_major) == 0x80, "statx rdev at 0x80");

#define LX_STATX_BASIC_STATS 0x7ffu /* uapi/linux/stat.h: type .. blocks */

/* struct linux_dirent64 (include/linux/dirent.h): 19 bytes of header, then
 * the name and its NUL, the record padded to 8 bytes. */
struct lx_dirent64 {
    uint64_t d_ino;
    int64_t d_off;
    uint16_t d_reclen;
    uint8_t d_type;
    char d_name[];
} __attribute__((packed));

_Static_assert(offsetof(struct lx_dirent64, d_name) == 19, "linux_dirent64 name at 19");

#endif
