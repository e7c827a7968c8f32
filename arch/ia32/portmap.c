/*
 * The bitmap of issued I/O ports, and the range checks of port accesses,
 * as pure functions.
 *
 * Port p is bit p % 32 of word p / 32. A range [first, last] is handled as a
 * partial first word, whole middle words and a partial last word, so issuing
 * or releasing the whole 64 Ki port space takes 2048 word operations, not
 * 65536 bit operations. The ports the kernel drives itself are not in the
 * bitmap: they are a constant table, so nothing needs initialising at boot
 * and releasing a user range can never free a kernel port.
 *
 * Nothing here touches hardware or kernel state (tests/unit/arch/portmap_test.c).
 */
#include <arch/ioport.h>
#include <arch/pic.h>

/* QEMU's isa-debug-exit device decodes 4 ports (Makefile QEMU_BASE: iosize=0x04). */
#define DEBUG_EXIT_PORTS 4u

/* Ports the kernel keeps for itself: the PICs it masked for good (pic.c)
 * and QEMU's exit device (traps.c). Not among them, as on seL4: the PIT,
 * which the kernel only reads at boot to calibrate the local APIC timer
 * (apic.c), and COM1, the kernel's debug console, which seL4 lets user-level
 * drivers (sel4test's serial driver, for one) share with the kernel. */
static const struct { uint16_t first, last; } kernel_ports[] = {
    { PIC1_CMD, PIC1_DATA },
    { PIC2_CMD, PIC2_DATA },
    { DEBUG_EXIT_PORT, DEBUG_EXIT_PORT + DEBUG_EXIT_PORTS - 1u },
};

/* Bits lo..hi (inclusive, 0 <= lo <= hi < 32) of a word. */
static word_t bits_between(word_t lo, word_t hi)
{
    return (MASK(hi - lo + 1u)) << lo;
}

bool portmap_range_free(const word_t *bitmap, word_t first, word_t last)
{
    word_t w_first = first / WORD_BITS, w_last = last / WORD_BITS;
    word_t b_first = first % WORD_BITS, b_last = last % WORD_BITS;

    if (w_first == w_last)
        return (bitmap[w_first] & bits_between(b_first, b_last)) == 0;
    if (bitmap[w_first] & bits_between(b_first, WORD_BITS - 1u))
        return false;
    for (word_t w = w_first + 1u; w < w_last; w++) {
        if (bitmap[w])
            return false;
    }
    return (bitmap[w_last] & bits_between(0, b_last)) == 0;
}

static void apply(word_t *word, word_t bits, bool set)
{
    if (set)
        *word |= bits;
    else
        *word &= ~bits;
}

void portmap_set_range(word_t *bitmap, word_t first, word_t last, bool set)
{
    word_t w_first = first / WORD_BITS, w_last = last / WORD_BITS;
    word_t b_first = first % WORD_BITS, b_last = last % WORD_BITS;

    if (w_first == w_last) {
        apply(&bitmap[w_first], bits_between(b_first, b_last), set);
        return;
    }
    apply(&bitmap[w_first], bits_between(b_first, WORD_BITS - 1u), set);
    for (word_t w = w_first + 1u; w < w_last; w++)
        apply(&bitmap[w], ~(word_t)0, set);
    apply(&bitmap[w_last], bits_between(0, b_last), set);
}

/* The access covers port .. port + size - 1, which may run past 0xffff:
 * then it is outside any range and refused (seL4 ensurePortOperationAllowed). */
bool ioport_access_ok(word_t cap_first, word_t cap_last, word_t port, word_t size)
{
    word_t end = port + size - 1u;
    return port >= cap_first && end <= cap_last;
}

bool ioport_kernel_reserved(word_t first, word_t last)
{
    for (size_t i = 0; i < ARRAY_SIZE(kernel_ports); i++) {
        if (first <= kernel_ports[i].last && kernel_ports[i].first <= last)
            return true;
    }
    return false;
}

bool portmap_kernel_ports_clear(const word_t *bitmap)
{
    for (size_t i = 0; i < ARRAY_SIZE(kernel_ports); i++) {
        if (!portmap_range_free(bitmap, kernel_ports[i].first, kernel_ports[i].last))
            return false;
    }
    return true;
}
