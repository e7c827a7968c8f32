/*
 * The mediated policy's calls, served by the VMM (vmm/mediate.c; the
 * protocol is in vmm/guest_abi.h).
 */
#ifndef VMM_MEDIATE_H
#define VMM_MEDIATE_H

#include <vmm/domain.h>
#include <sel4/sel4.h>

/* Serves one call: mr[] holds the request's first len message registers
 * (a request shorter than its call needs is TruncatedMessage) and receives
 * the reply's; *nreply says how many. Returns the reply's error. */
seL4_Error mediate_call(vmm_domain_t *d, seL4_Word label, seL4_Word *mr, seL4_Word len,
                        seL4_Word *nreply);
/* Bytes of the guest's quota in objects it holds now. */
uint64_t mediate_used(const vmm_domain_t *d);

#endif
