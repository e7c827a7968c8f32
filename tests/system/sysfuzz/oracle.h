/*
 * The modeller's CSpace M (oracle.c): what each slot holds. The
 * supervisor fills the fixed slots (main.c), the modeller the rest.
 */
#ifndef SYSFUZZ_ORACLE_H
#define SYSFUZZ_ORACLE_H

#include "../capmodel/model.h"

#define M_BITS          8u            /* 256 slots */
#define M_GUARD_BITS    (seL4_WordBits - M_BITS)
#define M_WIN           1u            /* the model window: MODEL_WIN slots from here */
#define M_ROOTS         (M_WIN + MODEL_WIN)   /* the model's MODEL_ROOTS root untypeds */
#define M_ROOT_BITS     16u
#define M_SELF          100u          /* M itself, guarded */
#define M_PROBE         101u          /* and 102: empty, for probes */
#define M_FAULT_MODEL   103u          /* badged endpoints to the supervisor */
#define M_FAULT_PARTNER 104u
#define M_EP            105u          /* P: the partner waits on it */
#define M_RECV          106u          /* the partner's receive slot */
#define M_MINTED        107u          /* P minted for one message */
#define M_NTFN          108u          /* a notification to send as a capability */
#define M_PPROBE        109u          /* the partner's probe slot */
#define M_GO            110u          /* the checker signals it: make MODEL_BATCH steps */
#define M_D             112u          /* region D: M_D_SLOTS slots */
#define M_D_SLOTS       16u
#define M_D_PARENT      128u          /* everything in D comes from it */
#define M_D_PARENT_BITS 17u
_Static_assert(M_ROOTS + MODEL_ROOTS <= M_SELF, "model window and roots before M_SELF");

/* Region D: slot offsets from M_D; D_PRESENT.. stay empty. */
enum { D_UT, D_CNODE, D_TCB, D_FRAME, D_PT, D_PD, D_NTFN, D_CHILD_UT, D_NTFN_BADGED,
       D_PRESENT };
#define D_UT_BITS       16u
#define D_CHILD_BITS    12u
#define D_CNODE_BITS    2u

#endif
