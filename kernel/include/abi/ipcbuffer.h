/* The IPC buffer (seL4_IPCBuffer, 512 bytes, naturally aligned). */
#ifndef ABI_IPCBUFFER_H
#define ABI_IPCBUFFER_H

#include <stdint.h>
#include "msginfo.h"

typedef struct ipc_buffer {
    uint32_t tag;
    uint32_t msg[MSG_MAX_LENGTH];
    uint32_t user_data;
    uint32_t caps_or_badges[MSG_MAX_EXTRA_CAPS];
    uint32_t receive_cnode;
    uint32_t receive_index;
    uint32_t receive_depth;
} ipc_buffer_t;

_Static_assert(sizeof(ipc_buffer_t) == IPCBUF_SIZE, "seL4_IPCBuffer is 512 bytes");

#endif
