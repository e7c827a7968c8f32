/*
 * The seL4 user API for ia32, as seL4 programs include it: types and
 * constants, the IPC buffer, system calls and invocation wrappers.
 */
#ifndef SEL4_SEL4_H
#define SEL4_SEL4_H

#include <sel4/types.h>
#include <sel4/functions.h>
#include <sel4/syscalls.h>
#include <sel4/invocation.h>

/* Valid only in the root task: the bootinfo frame crt0 was given. */
seL4_BootInfo *seL4_GetBootInfo(void);

#endif
