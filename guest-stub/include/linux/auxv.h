/*
 * Auxiliary-vector types: the (type, value) pairs the kernel leaves above
 * envp on a new program's stack, telling libc about itself and the machine.
 * Values from include/uapi/linux/auxvec.h. We never pass AT_SYSINFO
 * (arch/x86/include/uapi/asm/auxvec.h: 32), so libc falls back to int $0x80.
 */
#ifndef LINUX_AUXV_H
#define LINUX_AUXV_H

#define LX_AT_NULL      0   /* auxvec.h: end of vector */
#define LX_AT_PHDR      3   /* auxvec.h: program headers, in memory */
#define LX_AT_PHENT     4   /* auxvec.h: size of one program header */
#define LX_AT_PHNUM     5   /* auxvec.h: number of program headers */
#define LX_AT_PAGESZ    6   /* auxvec.h: page size */
#define LX_AT_BASE      7   /* auxvec.h: interpreter base (0: none) */
#define LX_AT_FLAGS     8   /* auxvec.h: flags (0) */
#define LX_AT_ENTRY     9   /* auxvec.h: program entry point */
#define LX_AT_UID       11  /* auxvec.h: real uid */
#define LX_AT_EUID      12  /* auxvec.h: effective uid */
#define LX_AT_GID       13  /* auxvec.h: real gid */
#define LX_AT_EGID      14  /* auxvec.h: effective gid */
#define LX_AT_PLATFORM  15  /* auxvec.h: string naming the CPU ("i686") */
#define LX_AT_HWCAP     16  /* auxvec.h: CPUID.1:EDX on x86 */
#define LX_AT_CLKTCK    17  /* auxvec.h: times() frequency */
#define LX_AT_SECURE    23  /* auxvec.h: set-id program? */
#define LX_AT_RANDOM    25  /* auxvec.h: address of 16 random bytes */
#define LX_AT_EXECFN    31  /* auxvec.h: file name of the program */
#define LX_AT_SYSINFO   32  /* asm/auxvec.h: vsyscall entry; never given */

#define LX_CLKTCK       100 /* USER_HZ, include/asm-generic/param.h */

#endif
