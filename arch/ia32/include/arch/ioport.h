/*
 * x86 I/O ports as capabilities. IOPortControl issues a capability for an
 * inclusive range of ports; each port can be issued once (a bitmap of
 * issued ports, as seL4 keeps), and ports the kernel drives itself are never
 * issued. The range is released when its last capability goes. An I/O port
 * capability lets its holder run in/out of 8, 16 or 32 bits on ports inside
 * its range, through the kernel (user level never gets IOPL).
 */
#ifndef ARCH_IOPORT_H
#define ARCH_IOPORT_H

#include <kernel/types.h>
#include <kernel/invocation.h>

#define IOPORT_COUNT        0x10000u        /* 16-bit port space */
#define IOPORT_MASK         0xffffu
#define IOPORT_BITMAP_WORDS (IOPORT_COUNT / WORD_BITS)

/* ---- Pure bitmap logic (arch/ia32/portmap.c). ---- */

/* Is no port in [first, last] set in bitmap? (first <= last) */
bool portmap_range_free(const word_t *bitmap, word_t first, word_t last);
/* Set or clear every port in [first, last]. */
void portmap_set_range(word_t *bitmap, word_t first, word_t last, bool set);
/* May a cap for [cap_first, cap_last] access `size` bytes at `port`? */
bool ioport_access_ok(word_t cap_first, word_t cap_last, word_t port, word_t size);
/* Does [first, last] overlap a port the kernel uses itself? */
bool ioport_kernel_reserved(word_t first, word_t last);
/* Is no kernel port marked issued in bitmap? (invariant check) */
bool portmap_kernel_ports_clear(const word_t *bitmap);

/* ---- Invocations (arch/ia32/ioport.c). ---- */

exception_t ioport_decode_control(invocation_t *inv);
exception_t ioport_decode(invocation_t *inv);
/* The last capability to [first, last] went: the ports may be issued again. */
void ioport_release(word_t first, word_t last);

#endif
