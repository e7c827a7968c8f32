/*
 * mmap2/mprotect/munmap arguments (include/uapi/asm-generic/mman-common.h
 * and mman.h, which i386 uses). mmap2's offset counts 4096-byte units.
 */
#ifndef LINUX_MMAN_H
#define LINUX_MMAN_H

#define LX_PROT_NONE        0x0     /* mman-common.h */
#define LX_PROT_READ        0x1     /* mman-common.h */
#define LX_PROT_WRITE       0x2     /* mman-common.h */
#define LX_PROT_EXEC        0x4     /* mman-common.h */
#define LX_MAP_SHARED       0x01    /* mman-common.h */
#define LX_MAP_PRIVATE      0x02    /* mman-common.h */
#define LX_MAP_FIXED        0x10    /* mman-common.h */
#define LX_MAP_ANONYMOUS    0x20    /* mman-common.h */
#define LX_MAP_FIXED_NOREPLACE 0x100000 /* mman-common.h */
#define LX_MREMAP_MAYMOVE   1       /* uapi/linux/mman.h */
#define LX_MREMAP_FIXED     2       /* uapi/linux/mman.h */
#define LX_MREMAP_DONTUNMAP 4       /* uapi/linux/mman.h */
#define LX_MAP_FAILED_MIN   ((uint32_t)-LX_MAX_ERRNO) /* results above are errors */

#define LX_PAGE_SIZE        4096u   /* i386 PAGE_SIZE */
#define LX_PAGE_SHIFT       12      /* i386 PAGE_SHIFT; mmap2 offset unit */

#endif
