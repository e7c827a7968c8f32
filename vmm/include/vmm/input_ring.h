/*
 * The console input ring both sides use (vmm_input_ring_t, guest_abi.h):
 * the VMM puts bytes at head, the guest takes them at tail; each side
 * writes only its own index. Indices count bytes ever passed and wrap at
 * 2^32, so head - tail is the bytes waiting whatever the wrap. The VMM
 * treats anything above the ring's size as full (a guest that scribbles
 * on its tail loses its own input, nothing else); the guest never reads
 * more than the ring holds. Each side stores the data before the index
 * that hands it over (one processor: a compiler barrier is enough).
 * Pure code: host-tested in tests/unit/vmm/input_ring_test.c.
 */
#ifndef VMM_INPUT_RING_H
#define VMM_INPUT_RING_H

#include <stdbool.h>
#include <stdint.h>
#include <vmm/guest_abi.h>

/* Bytes waiting, at most the ring's size. */
static inline uint32_t vmm_ring_waiting(const vmm_input_ring_t *r)
{
    uint32_t n = r->head - r->tail;

    return n <= VMM_INPUT_RING_BYTES ? n : VMM_INPUT_RING_BYTES;
}

/* The VMM's side: one byte in; false (the byte dropped) if it is full. */
static inline bool vmm_ring_put(vmm_input_ring_t *r, uint8_t c)
{
    uint32_t head = r->head;

    if (head - r->tail >= VMM_INPUT_RING_BYTES)
        return false;
    r->data[head % VMM_INPUT_RING_BYTES] = c;
    __asm__ volatile("" ::: "memory");
    r->head = head + 1;
    return true;
}

/* The guest's side: up to len bytes out; how many. */
static inline uint32_t vmm_ring_take(vmm_input_ring_t *r, uint8_t *buf, uint32_t len)
{
    uint32_t n = vmm_ring_waiting(r), tail = r->tail;

    if (n > len)
        n = len;
    for (uint32_t i = 0; i < n; i++)
        buf[i] = r->data[(tail + i) % VMM_INPUT_RING_BYTES];
    __asm__ volatile("" ::: "memory");
    r->tail = tail + n;
    return n;
}

#endif
