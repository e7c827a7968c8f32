/*
 * Linux error numbers. A Linux system call reports failure by returning the
 * negated number in EAX (-4095..-1); libc turns that into errno. Values from
 * include/uapi/asm-generic/errno-base.h and errno.h (identical on i386).
 */
#ifndef LINUX_ERRNO_H
#define LINUX_ERRNO_H

#define LX_EPERM        1   /* errno-base.h: operation not permitted */
#define LX_ENOENT       2   /* errno-base.h: no such file or directory */
#define LX_ESRCH        3   /* errno-base.h: no such process */
#define LX_EINTR        4   /* errno-base.h: interrupted system call */
#define LX_EIO          5   /* errno-base.h: I/O error */
#define LX_ENXIO        6   /* errno-base.h: no such device or address */
#define LX_E2BIG        7   /* errno-base.h: argument list too long */
#define LX_ENOEXEC      8   /* errno-base.h: exec format error */
#define LX_EBADF        9   /* errno-base.h: bad file number */
#define LX_ECHILD       10  /* errno-base.h: no child processes */
#define LX_EAGAIN       11  /* errno-base.h: try again */
#define LX_ENOMEM       12  /* errno-base.h: out of memory */
#define LX_EACCES       13  /* errno-base.h: permission denied */
#define LX_EFAULT       14  /* errno-base.h: bad address */
#define LX_EBUSY        16  /* errno-base.h: device or resource busy */
#define LX_EEXIST       17  /* errno-base.h: file exists */
#define LX_EXDEV        18  /* errno-base.h: cross-device link */
#define LX_ENODEV       19  /* errno-base.h: no such device */
#define LX_ENOTDIR      20  /* errno-base.h: not a directory */
#define LX_EISDIR       21  /* errno-base.h: is a directory */
#define LX_EINVAL       22  /* errno-base.h: invalid argument */
#define LX_ENFILE       23  /* errno-base.h: file table overflow */
#define LX_EMFILE       24  /* errno-base.h: too many open files */
#define LX_ENOTTY       25  /* errno-base.h: not a typewriter */
#define LX_ETXTBSY      26  /* errno-base.h: text file busy */
#define LX_EFBIG        27  /* errno-base.h: file too large */
#define LX_ENOSPC       28  /* errno-base.h: no space left on device */
#define LX_ESPIPE       29  /* errno-base.h: illegal seek */
#define LX_EROFS        30  /* errno-base.h: read-only file system */
#define LX_EMLINK       31  /* errno-base.h: too many links */
#define LX_EPIPE        32  /* errno-base.h: broken pipe */
#define LX_ERANGE       34  /* errno-base.h: result not representable */
#define LX_ENAMETOOLONG 36  /* errno.h: file name too long */
#define LX_ENOLCK       37  /* errno.h: no record locks available */
#define LX_ENOSYS       38  /* errno.h: invalid system call number */
#define LX_ENOTEMPTY    39  /* errno.h: directory not empty */
#define LX_ELOOP        40  /* errno.h: too many symbolic links encountered */
#define LX_EOVERFLOW    75  /* errno.h: value too large for defined data type */
#define LX_EOPNOTSUPP   95  /* errno.h: operation not supported on transport endpoint */
#define LX_ETIMEDOUT    110 /* errno.h: connection timed out */

/* Kernel-internal (include/linux/errno.h), never returned to a program: a
 * wait a signal interrupted; the call is restarted (SA_RESTART, or no
 * handler ran) or fails with EINTR. */
#define LX_ERESTARTSYS  512
/* Ours, as internal as the above: the call must wait (lx.h LX_BLOCK). Not
 * ERESTARTSYS, which an interrupted wait returns (lx_sig_interrupt). */
#define LX_EPARK        530

/* Largest error a system call may return: results in [-4095, -1] are errors
 * (include/linux/err.h MAX_ERRNO). */
#define LX_MAX_ERRNO    4095

#endif
