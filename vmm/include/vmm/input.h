/*
 * Console input (vmm/input.c): COM1's receive interrupt, the bytes read
 * and not yet consumed, and the per-guest rings `console <guest>` fills.
 */
#ifndef VMM_INPUT_H
#define VMM_INPUT_H

#include <vmm/domain.h>

#define VMM_INPUT_ESCAPE    0x1d    /* Ctrl-]: back to the VMM, as telnet's escape */

/* Takes COM1's receive interrupt (once); false if the kernel refused. */
bool vmm_input_open(vmm_t *v);
/* The interrupt came (badge VMM_BADGE_INPUT): reads what COM1 holds. */
void vmm_input_irq(vmm_t *v);
/* The next byte read, or -1 if none is waiting (never blocks). */
int vmm_input_pop(vmm_t *v);
/* Hands every byte typed to guest d, serving all guests meanwhile, until
 * VMM_INPUT_ESCAPE (returns true) or until d stops running (false). */
bool vmm_input_attach(vmm_t *v, vmm_domain_t *d);

/* A guest's ring and notification, made with the guest, freed with it. */
mm_err_t input_make(vmm_t *v, vmm_domain_t *d);
void input_destroy(vmm_t *v, vmm_domain_t *d);

#endif
