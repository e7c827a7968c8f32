/*
 * EFLAGS bits (Intel SDM vol. 1, 3.4.3), for the suites that set and check
 * a thread's flags around kernel entries (security, sysfuzz). The kernel's
 * own names are in arch/ia32/include/arch/context.h, which user level does
 * not see.
 */
#ifndef SYSTEST_EFLAGS_H
#define SYSTEST_EFLAGS_H

#define FL_CF   0x00000001u
#define FL_FIXED 0x00000002u            /* reads as 1 */
#define FL_PF   0x00000004u
#define FL_AF   0x00000010u
#define FL_ZF   0x00000040u
#define FL_SF   0x00000080u
#define FL_TF   0x00000100u
#define FL_IF   0x00000200u
#define FL_DF   0x00000400u
#define FL_OF   0x00000800u
#define FL_IOPL 0x00003000u
#define FL_NT   0x00004000u
#define FL_RF   0x00010000u
#define FL_VM   0x00020000u
#define FL_AC   0x00040000u
#define FL_VIF  0x00080000u
#define FL_VIP  0x00100000u
#define FL_ID   0x00200000u
/* What seL4's sanitiseRegister keeps of flags a register write sets. */
#define FL_USER_BITS 0x00000fffu

#endif
