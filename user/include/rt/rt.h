/*
 * The user-level runtime: what crt0 sets up before main, and the handful of
 * calls every root task uses.
 *
 * Root task start: crt0 gives the root thread a static stack; then
 * __rt_start_root() builds its TLS block in .bss, points the TCB's TLS base
 * at it (TCB SetTLSBase on seL4_CapInitThreadTCB), loads %gs, records
 * bootinfo->ipcBuffer as the IPC buffer, and calls
 *
 *     int main(bootinfo_t *bi);
 *
 * If main returns, its value is printed and the task stops with DebugHalt.
 */
#ifndef RT_RT_H
#define RT_RT_H

#include <abi/bootinfo.h>
#include <sel4/sel4.h>

/* Stop the whole machine (DebugHalt); never returns. */
__attribute__((noreturn)) void rt_halt(void);
/* The root task's bootinfo (NULL outside the root task's start-up). */
bootinfo_t *rt_bootinfo(void);

#endif
