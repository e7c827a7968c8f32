/*
 * Console input from the VMM (vmm/include/vmm/guest_abi.h): while the VMM's
 * console is attached to this guest (`console <guest>`), it appends what
 * is typed to a ring in a page both map (VMM_GUEST_INPUT_VADDR) and
 * Signals the notification in VMM_SLOT_INPUT_NTFN. The guest takes bytes
 * from the tail and waits on the notification when there are none. Bytes
 * are raw: no echo, no line editing (that is the guest's line discipline).
 * Everything here is at addresses the boot page fixes, so it needs no
 * state of its own.
 */
#include <guest/guest.h>
#include <guest/input.h>
#include <rt/component.h>
#include <sel4/sel4.h>
#include <vmm/input_ring.h>

#define CH_EOT      0x04        /* Ctrl-D: ends the echo test */
#define ECHO_LINE   96u

static const vmm_guest_boot_t *boot_page(void)
{
    return (const vmm_guest_boot_t *)(VMM_GUEST_BOOT_VADDR + sizeof(rt_component_info_t));
}

static vmm_input_ring_t *ring(void)
{
    return (vmm_input_ring_t *)boot_page()->input_vaddr;
}

uint32_t guest_input_ready(void)
{
    return ring() ? vmm_ring_waiting(ring()) : 0;
}

uint32_t guest_input_read(void *buf, uint32_t len)
{
    return ring() ? vmm_ring_take(ring(), buf, len) : 0;
}

seL4_CPtr guest_input_notification(void)
{
    return ring() ? VMM_SLOT_INPUT_NTFN : 0;
}

void guest_input_wait(void)
{
    seL4_Word badge;

    /* A signal may be left over from bytes already taken: look again. */
    while (guest_input_ready() == 0 && ring())
        seL4_Wait(VMM_SLOT_INPUT_NTFN, &badge);
}

/* bootargs `test=echo`: every line typed is printed back, until Ctrl-D. */
int guest_echo(void)
{
    char line[ECHO_LINE + 1];
    uint32_t n = 0, lines = 0;
    char c;

    gprintf("guest-stub: echo: waiting for console input (Ctrl-D ends)\n");
    for (;;) {
        guest_input_wait();
        while (guest_input_read(&c, 1) == 1) {
            if (c == CH_EOT) {
                gprintf("guest-stub: echo: end of input after %u lines\n", lines);
                return 0;
            }
            if (c == '\r' || c == '\n' || n == ECHO_LINE) {
                line[n] = '\0';
                gprintf("guest-stub: echo: %s\n", line);
                lines++;
                n = 0;
            }
            if (c != '\r' && c != '\n')
                line[n++] = c;
        }
    }
}

/* bootargs `test=scribble`: the guest moves its ring's tail past the head,
 * a tail the VMM cannot believe, and waits on its notification for ever.
 * The VMM must take the ring as full: drop what is typed for this guest,
 * count it, never Signal, and carry on for every other guest
 * (tests/vmm/systems/input-scribble.dts). */
void guest_scribble(void)
{
    vmm_input_ring_t *r = ring();
    seL4_Word badge;

    r->tail = r->head + 2 * VMM_INPUT_RING_BYTES;
    gprintf("guest-stub: scribble: tail 0x%x, head 0x%x\n", r->tail, r->head);
    for (;;) {
        seL4_Wait(VMM_SLOT_INPUT_NTFN, &badge);
        gprintf("guest-stub: scribble: signalled, head 0x%x\n", r->head);
    }
}
