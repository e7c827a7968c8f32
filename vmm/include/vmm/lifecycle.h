/*
 * Guests as a whole (vmm/lifecycle.c).
 */
#ifndef VMM_LIFECYCLE_H
#define VMM_LIFECYCLE_H

#include <vmm/domain.h>

/* Builds and starts every guest, or, if one fails, none. */
bool vmm_build_all(vmm_t *v);
/* Runs the configuration's console-script (default: list). */
void vmm_run_script(vmm_t *v);

#endif
