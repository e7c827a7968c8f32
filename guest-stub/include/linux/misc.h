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

#endif
