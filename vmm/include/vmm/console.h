/*
 * The VMM's console commands (vmm/console.c) and the guest life-cycle
 * operations they call (vmm/main.c).
 */
#ifndef VMM_CONSOLE_H
#define VMM_CONSOLE_H

#include <vmm/domain.h>

/* Runs one command line. */
void vmm_console_run(vmm_t *v, const char *line);
/* Reads command lines from COM1 until `quit` (vmm/serial.c). */
void vmm_interactive(vmm_t *v);
/* Stops guest i and prints what came back to the free pool. */
void vmm_destroy(vmm_t *v, int i);
/* Destroys guest i if built, builds it again and serves until no guest runs. */
void vmm_restart(vmm_t *v, int i);

#endif
