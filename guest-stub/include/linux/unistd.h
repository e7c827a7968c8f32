/*
 * Linux i386 system-call numbers: the value a program puts in EAX before
 * `int $0x80`. Arguments travel in EBX, ECX, EDX, ESI, EDI, EBP; the result
 * comes back in EAX. Every number below is from the kernel's
 * arch/x86/entry/syscalls/syscall_32.tbl (as installed in
 * asm/unistd_32.h); only the calls the personality knows are named.
 */
#ifndef LINUX_UNISTD_H
#define LINUX_UNISTD_H

#define LX_NR_exit                    1  /* syscall_32.tbl */
#define LX_NR_fork                    2  /* syscall_32.tbl */
#define LX_NR_read                    3  /* syscall_32.tbl */
#define LX_NR_write                   4  /* syscall_32.tbl */
#define LX_NR_open                    5  /* syscall_32.tbl */
#define LX_NR_close                   6  /* syscall_32.tbl */
#define LX_NR_waitpid                 7  /* syscall_32.tbl */
#define LX_NR_link                    9  /* syscall_32.tbl */
#define LX_NR_unlink                 10  /* syscall_32.tbl */
#define LX_NR_execve                 11  /* syscall_32.tbl */
#define LX_NR_chdir                  12  /* syscall_32.tbl */
#define LX_NR_time                   13  /* syscall_32.tbl */
#define LX_NR_chmod                  15  /* syscall_32.tbl */
#define LX_NR_lseek                  19  /* syscall_32.tbl */
#define LX_NR_getpid                 20  /* syscall_32.tbl */
#define LX_NR_getuid                 24  /* syscall_32.tbl */
#define LX_NR_access                 33  /* syscall_32.tbl */
#define LX_NR_rename                 38  /* syscall_32.tbl */
#define LX_NR_mkdir                  39  /* syscall_32.tbl */
#define LX_NR_rmdir                  40  /* syscall_32.tbl */
#define LX_NR_dup                    41  /* syscall_32.tbl */
#define LX_NR_pipe                   42  /* syscall_32.tbl */
#define LX_NR_brk                    45  /* syscall_32.tbl */
#define LX_NR_getgid                 47  /* syscall_32.tbl */
#define LX_NR_geteuid                49  /* syscall_32.tbl */
#define LX_NR_getegid                50  /* syscall_32.tbl */
#define LX_NR_ioctl                  54  /* syscall_32.tbl */
#define LX_NR_setpgid                57  /* syscall_32.tbl */
#define LX_NR_umask                  60  /* syscall_32.tbl */
#define LX_NR_dup2                   63  /* syscall_32.tbl */
#define LX_NR_getppid                64  /* syscall_32.tbl */
#define LX_NR_getpgrp                65  /* syscall_32.tbl */
#define LX_NR_setsid                 66  /* syscall_32.tbl */
#define LX_NR_getrlimit              76  /* syscall_32.tbl */
#define LX_NR_gettimeofday           78  /* syscall_32.tbl */
#define LX_NR_select                 82  /* syscall_32.tbl */
#define LX_NR_symlink                83  /* syscall_32.tbl */
#define LX_NR_readlink               85  /* syscall_32.tbl */
#define LX_NR_munmap                 91  /* syscall_32.tbl */
#define LX_NR_truncate               92  /* syscall_32.tbl */
#define LX_NR_ftruncate              93  /* syscall_32.tbl */
#define LX_NR_fchmod                 94  /* syscall_32.tbl */
#define LX_NR_wait4                 114  /* syscall_32.tbl */
#define LX_NR_sysinfo               116  /* syscall_32.tbl */
#define LX_NR_clone                 120  /* syscall_32.tbl */
#define LX_NR_uname                 122  /* syscall_32.tbl */
#define LX_NR_mprotect              125  /* syscall_32.tbl */
#define LX_NR_getpgid               132  /* syscall_32.tbl */
#define LX_NR_fchdir                133  /* syscall_32.tbl */
#define LX_NR__llseek               140  /* syscall_32.tbl */
#define LX_NR__newselect            142  /* syscall_32.tbl */
#define LX_NR_readv                 145  /* syscall_32.tbl */
#define LX_NR_writev                146  /* syscall_32.tbl */
#define LX_NR_getsid                147  /* syscall_32.tbl */
#define LX_NR_nanosleep             162  /* syscall_32.tbl */
#define LX_NR_mremap                163  /* syscall_32.tbl */
#define LX_NR_poll                  168  /* syscall_32.tbl */
#define LX_NR_getcwd                183  /* syscall_32.tbl */
#define LX_NR_vfork                 190  /* syscall_32.tbl */
#define LX_NR_ugetrlimit            191  /* syscall_32.tbl */
#define LX_NR_mmap2                 192  /* syscall_32.tbl */
#define LX_NR_truncate64            193  /* syscall_32.tbl */
#define LX_NR_ftruncate64           194  /* syscall_32.tbl */
#define LX_NR_stat64                195  /* syscall_32.tbl */
#define LX_NR_lstat64               196  /* syscall_32.tbl */
#define LX_NR_fstat64               197  /* syscall_32.tbl */
#define LX_NR_getuid32              199  /* syscall_32.tbl */
#define LX_NR_getgid32              200  /* syscall_32.tbl */
#define LX_NR_geteuid32             201  /* syscall_32.tbl */
#define LX_NR_getegid32             202  /* syscall_32.tbl */
#define LX_NR_getgroups32           205  /* syscall_32.tbl */
#define LX_NR_getresuid32           209  /* syscall_32.tbl */
#define LX_NR_getresgid32           211  /* syscall_32.tbl */
#define LX_NR_madvise               219  /* syscall_32.tbl */
#define LX_NR_getdents64            220  /* syscall_32.tbl */
#define LX_NR_fcntl64               221  /* syscall_32.tbl */
#define LX_NR_gettid                224  /* syscall_32.tbl */
#define LX_NR_futex                 240  /* syscall_32.tbl */
#define LX_NR_set_thread_area       243  /* syscall_32.tbl */
#define LX_NR_exit_group            252  /* syscall_32.tbl */
#define LX_NR_set_tid_address       258  /* syscall_32.tbl */
#define LX_NR_clock_gettime         265  /* syscall_32.tbl */
#define LX_NR_clock_nanosleep       267  /* syscall_32.tbl */
#define LX_NR_openat                295  /* syscall_32.tbl */
#define LX_NR_mkdirat               296  /* syscall_32.tbl */
#define LX_NR_fstatat64             300  /* syscall_32.tbl */
#define LX_NR_unlinkat              301  /* syscall_32.tbl */
#define LX_NR_renameat              302  /* syscall_32.tbl */
#define LX_NR_linkat                303  /* syscall_32.tbl */
#define LX_NR_symlinkat             304  /* syscall_32.tbl */
#define LX_NR_readlinkat            305  /* syscall_32.tbl */
#define LX_NR_fchmodat              306  /* syscall_32.tbl */
#define LX_NR_faccessat             307  /* syscall_32.tbl */
#define LX_NR_pselect6              308  /* syscall_32.tbl */
#define LX_NR_ppoll                 309  /* syscall_32.tbl */
#define LX_NR_set_robust_list       311  /* syscall_32.tbl */
#define LX_NR_get_robust_list       312  /* syscall_32.tbl */
#define LX_NR_utimensat             320  /* syscall_32.tbl */
#define LX_NR_dup3                  330  /* syscall_32.tbl */
#define LX_NR_pipe2                 331  /* syscall_32.tbl */
#define LX_NR_prlimit64             340  /* syscall_32.tbl */
#define LX_NR_getrandom             355  /* syscall_32.tbl */
#define LX_NR_statx                 383  /* syscall_32.tbl */
#define LX_NR_clock_gettime64       403  /* syscall_32.tbl */
#define LX_NR_clock_nanosleep_time64 407 /* syscall_32.tbl */
#define LX_NR_pselect6_time64       413  /* syscall_32.tbl */
#define LX_NR_ppoll_time64          414  /* syscall_32.tbl */
#define LX_NR_futex_time64          422  /* syscall_32.tbl */

/* One past the largest number in syscall_32.tbl the table is sized for. */
#define LX_NR_MAX 450

#endif
