/*
 * futex(2)'s operations and flags (include/uapi/linux/futex.h): the low
 * bits of the second argument name the operation, FUTEX_PRIVATE_FLAG says
 * the word is not shared with other address spaces (it changes nothing
 * here: the guest has no shared mappings), FUTEX_CLOCK_REALTIME that a
 * WAIT_BITSET deadline is on the realtime clock.
 */
#ifndef LINUX_FUTEX_H
#define LINUX_FUTEX_H

#include <stdint.h>

#define LX_FUTEX_WAIT           0       /* uapi/linux/futex.h */
#define LX_FUTEX_WAKE           1       /* uapi/linux/futex.h */
#define LX_FUTEX_WAIT_BITSET    9       /* uapi/linux/futex.h */
#define LX_FUTEX_WAKE_BITSET    10      /* uapi/linux/futex.h */
#define LX_FUTEX_PRIVATE_FLAG   128     /* uapi/linux/futex.h */
#define LX_FUTEX_CLOCK_REALTIME 256     /* uapi/linux/futex.h */
#define LX_FUTEX_CMD_MASK       (~(LX_FUTEX_PRIVATE_FLAG | LX_FUTEX_CLOCK_REALTIME))
#define LX_FUTEX_BITSET_ANY     0xffffffffu /* uapi/linux/futex.h FUTEX_BITSET_MATCH_ANY */

/* Robust futexes: a word's bits while a thread holds it, and the list a
 * thread registers with set_robust_list (uapi/linux/futex.h). */
#define LX_FUTEX_WAITERS        0x80000000u /* someone waits: wake one at a release */
#define LX_FUTEX_OWNER_DIED     0x40000000u /* the holder died holding it */
#define LX_FUTEX_TID_MASK       0x3fffffffu /* the holder's tid */
#define LX_ROBUST_LIST_LIMIT    2048u       /* entries walked at most (a loop ends) */

/* struct robust_list_head on i386: the list (its next pointer, each
 * entry's too, bit 0 marking a PI futex), the word's offset from an entry,
 * and the entry being taken or released (list_op_pending). */
struct lx_robust_list_head {
    uint32_t next;
    int32_t futex_offset;
    uint32_t list_op_pending;
};

#endif
