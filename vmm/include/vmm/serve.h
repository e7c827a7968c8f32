/*
 * Serving the guests: faults and calls on the VMM's endpoint (vmm/serve.c).
 */
#ifndef VMM_SERVE_H
#define VMM_SERVE_H

#include <vmm/domain.h>

/* Serves until no guest is running. */
void vmm_serve(vmm_t *v);

#endif
