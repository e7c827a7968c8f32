/*
 * Message info word and message limits (seL4 ia32).
 * Layout, most significant first: label 20 | capsUnwrapped 3 | extraCaps 2 | length 7.
 */
#ifndef ABI_MSGINFO_H
#define ABI_MSGINFO_H

#define MSG_MAX_LENGTH          120
#define MSG_MAX_EXTRA_CAPS      3
#define MSG_FAST_REGISTERS      2       /* MR0 in EDI, MR1 in EBP */

#define MSGINFO_LENGTH_BITS     7
#define MSGINFO_EXTRA_BITS      2
#define MSGINFO_UNWRAPPED_BITS  3
#define MSGINFO_LABEL_BITS      20

#define MSGINFO_LENGTH_SHIFT    0
#define MSGINFO_EXTRA_SHIFT     7
#define MSGINFO_UNWRAPPED_SHIFT 9
#define MSGINFO_LABEL_SHIFT     12

#define MSGINFO_MAKE(label, unwrapped, extra, len) \
    ((((label) & 0xfffffu) << MSGINFO_LABEL_SHIFT) | \
     (((unwrapped) & 0x7u) << MSGINFO_UNWRAPPED_SHIFT) | \
     (((extra) & 0x3u) << MSGINFO_EXTRA_SHIFT) | ((len) & 0x7fu))
#define MSGINFO_LABEL(w)        ((w) >> MSGINFO_LABEL_SHIFT)
#define MSGINFO_UNWRAPPED(w)    (((w) >> MSGINFO_UNWRAPPED_SHIFT) & 0x7u)
#define MSGINFO_EXTRA(w)        (((w) >> MSGINFO_EXTRA_SHIFT) & 0x3u)
#define MSGINFO_LENGTH(w)       ((w) & 0x7fu)

/* IPC buffer layout (seL4_IPCBuffer, 512 bytes, abi-constants.tsv). */
#define IPCBUF_TAG_OFFSET       0
#define IPCBUF_MSG_OFFSET       4
#define IPCBUF_USERDATA_OFFSET  484
#define IPCBUF_CAPS_OFFSET      488
#define IPCBUF_RECV_CNODE_OFFSET 500
#define IPCBUF_RECV_INDEX_OFFSET 504
#define IPCBUF_RECV_DEPTH_OFFSET 508
#define IPCBUF_SIZE             512

/* Capability rights word (seL4_CapRights_t, 32-bit): bit 0 Write, 1 Read,
 * 2 Grant, 3 GrantReply. */
#define RIGHT_WRITE             (1u << 0)
#define RIGHT_READ              (1u << 1)
#define RIGHT_GRANT             (1u << 2)
#define RIGHT_GRANT_REPLY       (1u << 3)
#define RIGHTS_ALL              0xfu

#endif
