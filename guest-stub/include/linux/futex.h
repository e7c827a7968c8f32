/*
 * futex(2)'s operations and flags (include/uapi/linux/futex.h): the low
 * bits of the second argument name the operation, FUTEX_PRIVATE_FLAG says
 * the word is not shared with other address spaces (it changes nothing
 * here: the guest has no shared mappings), FUTEX_CLOCK_REALTIME that a
 * WAIT_BITSET deadline is on the realtime clock.
 */
#ifndef LINUX_FUTEX_H
#define LINUX_FUTEX_H

#define LX_FUTEX_WAIT           0       /* uapi/linux/futex.h */
#define LX_FUTEX_WAKE           1       /* uapi/linux/futex.h */
#define LX_FUTEX_WAIT_BITSET    9       /* uapi/linux/futex.h */
#define LX_FUTEX_WAKE_BITSET    10      /* uapi/linux/futex.h */
#define LX_FUTEX_PRIVATE_FLAG   128     /* uapi/linux/futex.h */
#define LX_FUTEX_CLOCK_REALTIME 256     /* uapi/linux/futex.h */
#define LX_FUTEX_CMD_MASK       (~(LX_FUTEX_PRIVATE_FLAG | LX_FUTEX_CLOCK_REALTIME))
#define LX_FUTEX_BITSET_ANY     0xffffffffu /* uapi/linux/futex.h FUTEX_BITSET_MATCH_ANY */

#endif
