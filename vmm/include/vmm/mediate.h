/*
 * The mediated policy's calls, served by the VMM (vmm/mediate.c: objects
 * and the guest's own mappings; vmm/mediate_space.c: its processes'
 * address spaces; vmm/mediate_thread.c: their threads; the protocol is in
 * vmm/guest_abi.h, the checks in vmm/mediate_check.c).
 */
#ifndef VMM_MEDIATE_H
#define VMM_MEDIATE_H

#include <vmm/domain.h>
#include <sel4/sel4.h>

#define MEDIATE_MAX_MRS 16u     /* the longest request: THREAD_WRITE's 14 words */

/* Serves one call: mr[0..nmr) holds the request's message registers and
 * receives the reply's; *nreply says how many. Returns the reply's error. */
seL4_Error mediate_call(vmm_domain_t *d, seL4_Word label, seL4_Word *mr, seL4_Word nmr,
                        seL4_Word *nreply);
/* Bytes of the guest's quota in objects it holds now. */
uint64_t mediate_used(const vmm_domain_t *d);
/* Frees every thread, space and object the guest holds (its destroy). */
void mediate_release_all(vmm_domain_t *d);

/* Between the vmm/mediate*.c files: a new handle for cap (its entry
 * returned in *op), or seL4_NotEnoughMemory with none left. */
seL4_Error mediate_new_handle(vmm_domain_t *d, uint32_t kind, mm_cptr_t cap, seL4_Word *handle,
                              med_obj_t **op);
seL4_Error mediate_space_call(vmm_domain_t *d, seL4_Word label, seL4_Word *mr,
                              seL4_Word *nreply);
seL4_Error mediate_thread_call(vmm_domain_t *d, seL4_Word label, seL4_Word *mr, seL4_Word nmr,
                               seL4_Word *nreply);
/* Frees a space (no thread left in it) or a thread, and its handle. */
void mediate_space_free(vmm_domain_t *d, med_obj_t *o);
void mediate_thread_free(vmm_domain_t *d, med_obj_t *o);

#endif
