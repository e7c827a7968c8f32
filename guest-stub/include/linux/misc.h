/*
 * Small structures of the identity, time, limit and TLS calls, with their
 * i386 layouts: new_utsname (include/uapi/linux/utsname.h), timeval and
 * old timespec (32-bit time_t), __kernel_timespec (64-bit, for
 * clock_gettime64), rlimit and rlimit64 (include/uapi/linux/resource.h),
 * user_desc (arch/x86/include/uapi/asm/ldt.h), sysinfo.
 */
#ifndef LINUX_MISC_H
#define LINUX_MISC_H

#include <stdint.h>

#define LX_UTS_LEN 65               /* utsname.h: __NEW_UTS_LEN + 1 */
struct lx_utsname {
    char sysname[LX_UTS_LEN], nodename[LX_UTS_LEN], release[LX_UTS_LEN];
    char version[LX_UTS_LEN], machine[LX_UTS_LEN], domainname[LX_UTS_LEN];
};

struct lx_timeval { int32_t tv_sec, tv_usec; };
struct lx_timespec32 { int32_t tv_sec, tv_nsec; };
struct lx_timespec64 { int64_t tv_sec; int64_t tv_nsec; } __attribute__((packed, aligned(4)));
_Static_assert(sizeof(struct lx_timespec64) == 16, "__kernel_timespec is 16 bytes");

#define LX_CLOCK_REALTIME   0       /* uapi/linux/time.h */
#define LX_CLOCK_MONOTONIC  1       /* uapi/linux/time.h */
#define LX_CLOCK_PROCESS_CPUTIME_ID 2   /* uapi/linux/time.h */
#define LX_CLOCK_THREAD_CPUTIME_ID  3   /* uapi/linux/time.h */
#define LX_CLOCK_MONOTONIC_RAW 4    /* uapi/linux/time.h */
#define LX_CLOCK_REALTIME_COARSE 5  /* uapi/linux/time.h */
#define LX_CLOCK_MONOTONIC_COARSE 6 /* uapi/linux/time.h */
#define LX_CLOCK_BOOTTIME   7       /* uapi/linux/time.h */

struct lx_rlimit32 { uint32_t rlim_cur, rlim_max; };
struct lx_rlimit64 { uint64_t rlim_cur, rlim_max; } __attribute__((packed, aligned(4)));
#define LX_RLIM_INFINITY32  0xffffffffu     /* resource.h, 32-bit getrlimit */
#define LX_RLIM_INFINITY64  (~0ull)         /* resource.h RLIM64_INFINITY */
#define LX_RLIMIT_STACK     3       /* asm-generic/resource.h */
#define LX_RLIMIT_CORE      4       /* asm-generic/resource.h */
#define LX_RLIMIT_NOFILE    7       /* asm-generic/resource.h */
#define LX_RLIMIT_AS        9       /* asm-generic/resource.h */
#define LX_RLIM_NLIMITS     16      /* asm-generic/resource.h */

struct lx_user_desc {
    uint32_t entry_number;
    uint32_t base_addr;
    uint32_t limit;
    uint32_t flags;     /* seg_32bit:1 contents:2 read_exec_only:1 limit_in_pages:1 ... */
};

/* struct sysinfo (include/uapi/linux/sysinfo.h) with i386's 4-byte longs. */
struct lx_sysinfo {
    int32_t uptime;                 /* seconds since boot */
    uint32_t loads[3];              /* load averages, << LX_SI_LOAD_SHIFT */
    uint32_t totalram, freeram, sharedram, bufferram, totalswap, freeswap;
    uint16_t procs, pad;
    uint32_t totalhigh, freehigh;
    uint32_t mem_unit;              /* bytes per unit of the *ram fields */
    char f[8];                      /* 20 - 2 * sizeof(long) - sizeof(int) */
};
_Static_assert(sizeof(struct lx_sysinfo) == 64, "i386 struct sysinfo is 64 bytes");
#define LX_SI_LOAD_SHIFT 16         /* uapi/linux/sysinfo.h */

#define LX_GRND_NONBLOCK 0x1        /* uapi/linux/random.h */
#define LX_GRND_RANDOM   0x2        /* uapi/linux/random.h */
#define LX_GRND_INSECURE 0x4        /* uapi/linux/random.h */

/* times(2): struct tms, four clock_t (i386 long) in clock ticks. */
struct lx_tms { int32_t utime, stime, cutime, cstime; };
#define LX_CLK_TCK 100              /* USER_HZ (AT_CLKTCK) */

/* getrusage(2): struct rusage (uapi/linux/resource.h), i386 longs. */
struct lx_rusage {
    struct lx_timeval utime, stime;
    int32_t maxrss, ixrss, idrss, isrss, minflt, majflt, nswap, inblock, oublock;
    int32_t msgsnd, msgrcv, nsignals, nvcsw, nivcsw;
};
_Static_assert(sizeof(struct lx_rusage) == 72, "i386 struct rusage is 72 bytes");
#define LX_RUSAGE_SELF      0       /* uapi/linux/resource.h */
#define LX_RUSAGE_CHILDREN  (-1)    /* uapi/linux/resource.h */
#define LX_RUSAGE_THREAD    1       /* uapi/linux/resource.h */

/* getpriority/setpriority (uapi/linux/resource.h) and nice limits
 * (include/linux/sched/prio.h). */
#define LX_PRIO_PROCESS 0
#define LX_PRIO_PGRP    1
#define LX_PRIO_USER    2
#define LX_MIN_NICE     (-20)
#define LX_MAX_NICE     19
#define LX_NICE_WIDTH   40      /* include/linux/sched/prio.h: MAX_NICE - MIN_NICE + 1 */
#define LX_PRIO_NICE0   20      /* getpriority's raw value, and /proc's priority, at nice 0
                                 * (kernel/sys.c nice_to_rlimit; fs/proc/array.c) */

/* setitimer/getitimer (uapi/linux/time.h): only ITIMER_REAL is kept. */
struct lx_itimerval { struct lx_timeval interval, value; };
#define LX_ITIMER_REAL      0
#define LX_ITIMER_VIRTUAL   1
#define LX_ITIMER_PROF      2

/* prctl options (uapi/linux/prctl.h) and the dumpable values
 * (include/linux/sched/coredump.h SUID_DUMP_*). */
#define LX_PR_SET_PDEATHSIG 1
#define LX_PR_GET_PDEATHSIG 2
#define LX_PR_GET_DUMPABLE  3
#define LX_PR_SET_DUMPABLE  4
#define LX_PR_SET_NAME      15
#define LX_PR_GET_NAME      16
#define LX_TASK_COMM_LEN    16      /* include/linux/sched.h */
#define LX_SUID_DUMP_DISABLE 0
#define LX_SUID_DUMP_USER   1

/* flock(2) operations (uapi/asm-generic/fcntl.h). */
#define LX_LOCK_SH  1
#define LX_LOCK_EX  2
#define LX_LOCK_NB  4
#define LX_LOCK_UN  8

/* renameat2 flags (uapi/linux/fs.h). */
#define LX_RENAME_NOREPLACE (1u << 0)
#define LX_RENAME_EXCHANGE  (1u << 1)
#define LX_RENAME_WHITEOUT  (1u << 2)

/* statfs(2): the 32-bit struct statfs and struct statfs64 of i386
 * (asm-generic/statfs.h; statfs64 packed to 4 bytes, ARCH_PACK_STATFS64). */
struct lx_statfs32 {
    uint32_t type, bsize, blocks, bfree, bavail, files, ffree;
    int32_t fsid[2];
    uint32_t namelen, frsize, flags, spare[4];
};
_Static_assert(sizeof(struct lx_statfs32) == 64, "i386 struct statfs is 64 bytes");
struct lx_statfs64 {
    uint32_t type, bsize;
    uint64_t blocks, bfree, bavail, files, ffree;
    int32_t fsid[2];
    uint32_t namelen, frsize, flags, spare[4];
} __attribute__((packed, aligned(4)));
_Static_assert(sizeof(struct lx_statfs64) == 84, "i386 struct statfs64 is 84 bytes");
#define LX_TMPFS_MAGIC  0x01021994  /* uapi/linux/magic.h */
#define LX_ST_VALID     0x0020      /* include/linux/statfs.h: f_flags is valid */

/* msync flags (uapi/asm-generic/mman-common.h). */
#define LX_MS_ASYNC         1
#define LX_MS_INVALIDATE    2
#define LX_MS_SYNC          4

#endif
