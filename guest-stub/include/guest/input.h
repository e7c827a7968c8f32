/*
 * Console input from the VMM (guest-stub/input.c), for the guest kernel's
 * console: a ring the VMM fills while its console is attached to this
 * guest, and the notification it Signals when it adds bytes.
 */
#ifndef GUEST_INPUT_H
#define GUEST_INPUT_H

#include <stdint.h>
#include <sel4/sel4.h>

/* Bytes waiting (0: none). Never blocks. */
uint32_t guest_input_ready(void);
/* Takes up to len waiting bytes; 0 if none. Never blocks. */
uint32_t guest_input_read(void *buf, uint32_t len);
/* The notification to Wait on for more input (Wait only), 0 if none. */
seL4_CPtr guest_input_notification(void);
/* Blocks until input is waiting. */
void guest_input_wait(void);
/* bootargs `test=echo`: prints every line typed back, until Ctrl-D. */
int guest_echo(void);
/* bootargs `test=scribble`: its ring's tail past the head, then waits for ever. */
__attribute__((noreturn)) void guest_scribble(void);

#endif
