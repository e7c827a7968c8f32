/*
 * Console input: what is typed on COM1 reaches the VMM by interrupt, and
 * through the VMM one guest at a time (`console <guest>`).
 *
 * COM1 belongs to the kernel's debug output too, so the VMM only reads it:
 * it issues itself the UART's ports, routes ISA line 4 (IOAPIC 0's pin 4,
 * edge-triggered, active high, as on the PC) to a notification bound to
 * its own TCB, and enables the received-data interrupt. A signal on a
 * bound notification wakes the VMM out of its Recv on the guests'
 * endpoint with the notification's badge (VMM_BADGE_INPUT), so one loop
 * serves guests and keyboard alike and the VMM never polls. The UART keeps
 * its FIFO with a trigger level of one byte (QEMU then offers it one byte
 * at a time and holds the rest until the receive buffer is read); since
 * the line is edge-triggered and masked until the Ack, the VMM reads the
 * UART once more after each Ack, or a byte that came in between would
 * hold the line high with no edge to come (tests/system/pc99_serial).
 *
 * Bytes wait in a queue of the VMM's until something consumes them: the
 * interactive console's line editor, or `console <guest>`, which copies
 * them into that guest's ring (a page the VMM mapped in both) and
 * Signals the guest's notification. The VMM never waits for a guest: a
 * full ring drops bytes and counts them.
 */
#include <vmm/input.h>
#include <vmm/input_ring.h>
#include <vmm/pc_hw.h>
#include <vmm/serve.h>
#include <sel4/sel4.h>
#include <stdio.h>
#include <string.h>

#define ROOT            seL4_CapInitThreadCNode
#define DEPTH           seL4_WordBits
#define PAGE            (1u << seL4_PageBits)
#define UART_RBR        0u          /* receive buffer (16550) */
#define UART_IER        1u          /* interrupt enable */
#define UART_FCR        2u          /* FIFO control (write) */
#define UART_MCR        4u          /* modem control */
#define UART_LSR        5u          /* line status */
#define IER_RDA         0x01u       /* received data available */
#define LSR_DR          0x01u       /* data ready */
#define FCR_TRIGGER_1   0x07u       /* FIFOs on and cleared, interrupt at 1 byte */
#define MCR_DTR_RTS     0x03u       /* as the kernel set them */
#define MCR_OUT2        0x08u       /* gates the IRQ line on PC hardware */
#define DRAIN_MAX       64u         /* bytes read per look at the UART */
#define IOAPIC_FIRST    0u
#define EDGE            0u          /* GetIOAPIC level argument: ISA lines are edge-triggered */
#define ACTIVE_HIGH     0u          /* and active high */

static uint8_t uart_in(const vmm_t *v, uint32_t reg)
{
    return (uint8_t)seL4_X86_IOPort_In8(v->in_port, PC_COM1_FIRST + reg).result;
}

static void uart_out(const vmm_t *v, uint32_t reg, uint8_t value)
{
    seL4_X86_IOPort_Out8(v->in_port, PC_COM1_FIRST + reg, value);
}

static void queue_put(vmm_t *v, uint8_t c)
{
    if (v->in_head - v->in_tail == VMM_INPUT_QUEUE) {
        v->in_dropped++;
        return;
    }
    v->in_buf[v->in_head++ % VMM_INPUT_QUEUE] = c;
    if (c == VMM_INPUT_ESCAPE)
        v->in_escapes++;
}

int vmm_input_pop(vmm_t *v)
{
    uint8_t c;

    if (v->in_head == v->in_tail)
        return -1;
    c = v->in_buf[v->in_tail++ % VMM_INPUT_QUEUE];
    if (c == VMM_INPUT_ESCAPE)
        v->in_escapes--;
    return c;
}

static void drain(vmm_t *v)
{
    for (uint32_t n = 0; n < DRAIN_MAX && (uart_in(v, UART_LSR) & LSR_DR); n++)
        queue_put(v, uart_in(v, UART_RBR));
}

void vmm_input_irq(vmm_t *v)
{
    drain(v);
    seL4_IRQHandler_Ack(v->in_irq);
    drain(v);
}

static mm_err_t take_com1(vmm_t *v)
{
    seL4_Error e;

    if (mm_slot_alloc(&v->mm, &v->in_port) || mm_slot_alloc(&v->mm, &v->in_irq) ||
        mm_slot_alloc(&v->mm, &v->in_badged))
        return ERR_NOT_ENOUGH_MEMORY;
    e = seL4_X86_IOPortControl_Issue(seL4_CapIOPortControl, PC_COM1_FIRST, PC_COM1_LAST, ROOT,
                                     v->in_port, DEPTH);
    if (!e)
        e = seL4_CNode_Mint(ROOT, v->in_badged, DEPTH, ROOT, v->in_ntfn, DEPTH, seL4_AllRights,
                            VMM_BADGE_INPUT);
    if (!e)
        e = seL4_TCB_BindNotification(seL4_CapInitThreadTCB, v->in_ntfn);
    if (!e)
        e = seL4_IRQControl_GetIOAPIC(seL4_CapIRQControl, ROOT, v->in_irq, DEPTH, IOAPIC_FIRST,
                                      PC_IRQ_COM1, EDGE, ACTIVE_HIGH, PC_IRQ_COM1);
    if (!e)
        e = seL4_IRQHandler_SetNotification(v->in_irq, v->in_badged);
    return (mm_err_t)e;
}

bool vmm_input_open(vmm_t *v)
{
    mm_err_t e;

    if (v->in_open)
        return true;
    if ((e = take_com1(v)) != ERR_NONE) {
        printf("vmm: cannot take COM1's input (error %d)\n", (int)e);
        return false;
    }
    /* Quiet, FIFO at one byte, nothing left to read (the read also makes
     * QEMU look at how much the UART takes now), then the line gated on. */
    uart_out(v, UART_IER, 0);
    uart_out(v, UART_FCR, FCR_TRIGGER_1);
    (void)uart_in(v, UART_RBR);
    drain(v);
    uart_out(v, UART_MCR, MCR_DTR_RTS | MCR_OUT2);
    seL4_IRQHandler_Ack(v->in_irq);
    uart_out(v, UART_IER, IER_RDA);
    v->in_open = true;
    return true;
}

/* ---- a guest's ring ---------------------------------------------------- */

mm_err_t input_make(vmm_t *v, vmm_domain_t *d)
{
    uint32_t va = VMM_INPUT_WINDOW + d->index * PAGE;
    mm_err_t e;

    if ((e = mm_alloc(&v->mm, seL4_X86_4K, 0, &d->input_frame)) ||
        (e = mm_alloc(&v->mm, seL4_NotificationObject, 0, &d->input_ntfn)) ||
        (e = mm_vspace_map(&v->local, d->input_frame, va, MM_RW, 0, 0)))
        return e;
    d->input = (vmm_input_ring_t *)va;
    memset((void *)va, 0, PAGE);
    if ((e = mm_slot_alloc(&v->mm, &d->input_copy)))
        return e;
    if ((e = (mm_err_t)seL4_CNode_Copy(ROOT, d->input_copy, DEPTH, ROOT, d->input_frame, DEPTH,
                                       seL4_AllRights))) {
        mm_slot_free(&v->mm, d->input_copy);
        d->input_copy = 0;
        return e;
    }
    if ((e = mm_vspace_map(&d->vs, d->input_copy, VMM_GUEST_INPUT_VADDR, MM_RW, 0, 0)))
        return e;
    return (mm_err_t)seL4_CNode_Copy(d->cnode, VMM_SLOT_INPUT_NTFN, VMM_GUEST_CNODE_BITS, ROOT,
                                     d->input_ntfn, DEPTH, seL4_CanRead);
}

/* After the guest's VSpace is gone (so its mapping of the copy is too). */
void input_destroy(vmm_t *v, vmm_domain_t *d)
{
    if (d->input)
        mm_vspace_unmap(&v->local, (uint32_t)d->input);
    if (d->input_copy) {
        seL4_CNode_Delete(ROOT, d->input_copy, DEPTH);
        mm_slot_free(&v->mm, d->input_copy);
    }
    if (d->input_frame)
        mm_free(&v->mm, d->input_frame);
    if (d->input_ntfn)
        mm_free(&v->mm, d->input_ntfn);
}

static bool ring_put(vmm_domain_t *d, uint8_t c)
{
    if (vmm_ring_put(d->input, c))
        return true;
    d->input_dropped++;
    return false;
}

bool vmm_input_attach(vmm_t *v, vmm_domain_t *d)
{
    for (;;) {
        bool put = false;
        int c;

        while (d->state == DOMAIN_RUNNING && (c = vmm_input_pop(v)) >= 0) {
            if (c == VMM_INPUT_ESCAPE) {
                if (put)
                    seL4_Signal(d->input_ntfn);
                return true;
            }
            put |= ring_put(d, (uint8_t)c);
        }
        if (put)
            seL4_Signal(d->input_ntfn);
        if (d->state != DOMAIN_RUNNING)
            return false;
        vmm_serve_one(v);
    }
}
