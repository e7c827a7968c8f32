/*
 * Serving the guests: faults and calls on the VMM's endpoint (vmm/serve.c).
 */
#ifndef VMM_SERVE_H
#define VMM_SERVE_H

#include <vmm/domain.h>

/* Serves until no guest is running, or Ctrl-] was typed (vmm/input.c). */
void vmm_serve(vmm_t *v);
/* Waits for one message (or console input) and handles it. */
void vmm_serve_one(vmm_t *v);
bool vmm_any_running(const vmm_t *v);

#endif
