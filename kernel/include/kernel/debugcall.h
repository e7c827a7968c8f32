/*
 * The debugging and benchmarking system calls (kernel/debugcall.c), and
 * what DebugCapIdentify returns: seL4's raw capability type tags on ia32
 * (generated structures_32.bf at commit 1326364b, fact sheet section 11),
 * which differ from our own cap_type_t numbering.
 */
#ifndef KERNEL_DEBUGCALL_H
#define KERNEL_DEBUGCALL_H

#include <kernel/types.h>

/* Run debug or benchmark system call sysno for the current thread; false
 * if sysno is none of them (syscall.c then raises UnknownSyscall). */
bool handle_debug_syscall(sword_t sysno);

enum sel4_cap_tag {
    SEL4_TAG_NULL = 0x00,
    SEL4_TAG_FRAME = 0x01,
    SEL4_TAG_UNTYPED = 0x02,
    SEL4_TAG_PAGE_TABLE = 0x03,
    SEL4_TAG_ENDPOINT = 0x04,
    SEL4_TAG_PAGE_DIRECTORY = 0x05,
    SEL4_TAG_NOTIFICATION = 0x06,
    SEL4_TAG_REPLY = 0x08,
    SEL4_TAG_ASID_CONTROL = 0x09,
    SEL4_TAG_CNODE = 0x0a,
    SEL4_TAG_ASID_POOL = 0x0b,
    SEL4_TAG_THREAD = 0x0c,
    SEL4_TAG_IRQ_CONTROL = 0x0e,
    SEL4_TAG_IRQ_HANDLER = 0x1e,
    SEL4_TAG_IO_PORT = 0x1f,
    SEL4_TAG_ZOMBIE = 0x2e,
    SEL4_TAG_DOMAIN = 0x3e,
    SEL4_TAG_IO_PORT_CONTROL = 0x7f,
};

#endif
