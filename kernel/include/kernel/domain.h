/*
 * The domain object (kernel/domain.c): DomainSet and the domain
 * schedule's invocations on the Domain capability.
 */
#ifndef KERNEL_DOMAIN_H
#define KERNEL_DOMAIN_H

#include <kernel/invocation.h>

exception_t domain_decode(invocation_t *inv);

#endif
