/*
 * The capmodel suite's parts: main.c (model test and conservation) and
 * revoke.c (the 131072-capability revoke under timer preemption).
 */
#ifndef CAPMODEL_CAPMODEL_H
#define CAPMODEL_CAPMODEL_H

#include <sel4/sel4.h>
#include <systest.h>

/* The suite's memory (main.c). */
extern struct st_root mem;

void capmodel_big_revoke(void);

#endif
