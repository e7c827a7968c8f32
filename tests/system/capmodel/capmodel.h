/*
 * The capmodel suite's parts: main.c (model test and conservation) and
 * revoke.c (the 131072-capability revoke under timer preemption).
 */
#ifndef CAPMODEL_CAPMODEL_H
#define CAPMODEL_CAPMODEL_H

#include <sel4/sel4.h>

void capmodel_big_revoke(void);
/* Size in bits of bootinfo untyped number index. */
seL4_Word cm_untyped_bits(seL4_Word index);

#endif
