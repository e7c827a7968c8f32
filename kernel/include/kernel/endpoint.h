/*
 * Sending on IPC capabilities: the decoders syscall.c calls when Send,
 * NBSend or Call names an endpoint or reply capability (notifications:
 * notification.h), and the helpers the IPC modules share.
 */
#ifndef KERNEL_ENDPOINT_H
#define KERNEL_ENDPOINT_H

#include <kernel/objects.h>
#include <kernel/invocation.h>

exception_t ep_decode(invocation_t *inv);
exception_t reply_decode(invocation_t *inv);

static inline bool cap_can_send(cap_t c) { return (cap_rights(c) & RIGHT_WRITE) != 0; }
static inline bool cap_can_receive(cap_t c) { return (cap_rights(c) & RIGHT_READ) != 0; }
static inline bool cap_can_grant(cap_t c) { return (cap_rights(c) & RIGHT_GRANT) != 0; }
static inline bool cap_can_grant_reply(cap_t c) { return (cap_rights(c) & RIGHT_GRANT_REPLY) != 0; }

#endif
