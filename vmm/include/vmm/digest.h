/*
 * The console's `digest <guest>` (vmm/digest.c): a SHA-256 of every frame
 * a guest holds or has mapped, read by the VMM itself from the live
 * capability state (CNode ReadSlots), not taken from the guest's word.
 * The replay test (tools/run-replay.py, docs/isolation.md) compares it
 * between runs that differ only in what a neighbour does.
 */
#ifndef VMM_DIGEST_H
#define VMM_DIGEST_H

#include <vmm/domain.h>

/* Prints "digest <guest>: N frames, ... sha256 <hex>"; with verbose, one
 * line per frame first (where it was found, where it is mapped, its own
 * SHA-256). Returns false (and says why) if it could not read them all. */
bool vmm_digest(vmm_t *v, uint32_t i, bool verbose);

#endif
