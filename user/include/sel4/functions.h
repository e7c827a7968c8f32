/*
 * Access to the calling thread's IPC buffer: message registers beyond the
 * two that travel in EDI/EBP, capability and badge words, the receive path.
 * The buffer's address is kept in the thread's runtime block at
 * %gs:RT_TLS_IPC_BUFFER_OFFSET (see rt/tls.h), so each thread has its own.
 */
#ifndef SEL4_FUNCTIONS_H
#define SEL4_FUNCTIONS_H

#include <sel4/types.h>
#include <rt/tls.h>

static inline seL4_IPCBuffer *seL4_GetIPCBuffer(void)
{
    seL4_IPCBuffer *buf;
    __asm__ volatile("movl %%gs:%c1, %0" : "=r"(buf) : "i"(RT_TLS_IPC_BUFFER_OFFSET));
    return buf;
}

static inline void seL4_SetIPCBuffer(seL4_IPCBuffer *ipc_buffer)
{
    __asm__ volatile("movl %0, %%gs:%c1"
                     : : "r"(ipc_buffer), "i"(RT_TLS_IPC_BUFFER_OFFSET) : "memory");
}

static inline seL4_Word seL4_GetMR(int i)
{
    return seL4_GetIPCBuffer()->msg[i];
}

static inline void seL4_SetMR(int i, seL4_Word mr)
{
    seL4_GetIPCBuffer()->msg[i] = mr;
}

static inline seL4_Word seL4_GetUserData(void)
{
    return seL4_GetIPCBuffer()->userData;
}

static inline void seL4_SetUserData(seL4_Word data)
{
    seL4_GetIPCBuffer()->userData = data;
}

static inline seL4_Word seL4_GetBadge(int i)
{
    return seL4_GetIPCBuffer()->caps_or_badges[i];
}

static inline seL4_CPtr seL4_GetCap(int i)
{
    return (seL4_CPtr)seL4_GetIPCBuffer()->caps_or_badges[i];
}

static inline void seL4_SetCap(int i, seL4_CPtr cptr)
{
    seL4_GetIPCBuffer()->caps_or_badges[i] = (seL4_Word)cptr;
}

static inline void seL4_GetCapReceivePath(seL4_CPtr *receiveCNode, seL4_CPtr *receiveIndex,
        seL4_Word *receiveDepth)
{
    seL4_IPCBuffer *buf = seL4_GetIPCBuffer();

    if (receiveCNode != seL4_Null)
        *receiveCNode = buf->receiveCNode;
    if (receiveIndex != seL4_Null)
        *receiveIndex = buf->receiveIndex;
    if (receiveDepth != seL4_Null)
        *receiveDepth = buf->receiveDepth;
}

static inline void seL4_SetCapReceivePath(seL4_CPtr receiveCNode, seL4_CPtr receiveIndex,
        seL4_Word receiveDepth)
{
    seL4_IPCBuffer *buf = seL4_GetIPCBuffer();

    buf->receiveCNode = receiveCNode;
    buf->receiveIndex = receiveIndex;
    buf->receiveDepth = receiveDepth;
}

#endif
