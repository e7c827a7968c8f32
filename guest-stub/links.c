/*
 * The guest's channels and devices, as its boot page lists them
 * (vmm_guest_link_t): it prints each, and exercises them. A client of an
 * endpoint channel first writes a greeting into every shared page it may
 * write, then Calls the endpoint with a number; the server Receives it,
 * prints the number and what the shared pages it can read say, and replies
 * with the number plus one. A guest with I/O ports reads the first one.
 *
 * With bootargs `test=irq`, each interrupt line of a device whose first
 * port range is a 16550 UART (COM2 in the tests) is made to fire twice:
 * enabling the transmitter-empty interrupt raises the line at once (the
 * transmitter is idle), the guest waits on its interrupt notification,
 * checks the bit and the UART's interrupt identification, turns the
 * interrupt off and Acks the line; the second round shows the Ack opened
 * it again.
 *
 * The server receives with a receive slot set, and says so if a capability
 * came with the call: a client's capability has no Grant, so none may
 * (the attack suite's channel class sends one; docs/isolation.md).
 */
#include <guest/guest.h>
#include <sel4/sel4.h>
#include <stdio.h>
#include <string.h>

#define GREETING_MAX    64u
#define CALL_WORD       42u
#define UART_IER        1u          /* 16550 registers, from the first port */
#define UART_IIR        2u
#define UART_MCR        4u
#define IER_THRI        0x02u       /* transmitter holding register empty */
#define IIR_ID_MASK     0x0fu
#define IIR_THRI        0x02u       /* its identification, no other pending */
#define MCR_OUT2        0x08u       /* gates the IRQ line on PC hardware */
#define IRQ_ROUNDS      2
#define RECV_SLOT       (VMM_SLOT_FIRST_FREE - 1)  /* unused by the VMM's layout */

static void greet(const vmm_guest_boot_t *b)
{
    for (uint32_t k = 0; k < b->n_links; k++) {
        const vmm_guest_link_t *l = &b->link[k];
        char *page = (char *)l->where;
        if (l->kind != VMM_LINK_SHM || !l->flags)
            continue;
        snprintf(page, GREETING_MAX, "%s was here", b->name);
    }
}

static void show_shm(const vmm_guest_boot_t *b)
{
    for (uint32_t k = 0; k < b->n_links; k++)
        if (b->link[k].kind == VMM_LINK_SHM)
            gprintf("guest-stub: %s says \"%.64s\"\n", b->link[k].name,
                    (const char *)b->link[k].where);
}

static int use_endpoint(const vmm_guest_boot_t *b, const vmm_guest_link_t *l)
{
    seL4_Word badge;

    if (!l->flags) {
        greet(b);
        seL4_SetMR(0, CALL_WORD);
        seL4_Call(l->where, seL4_MessageInfo_new(0, 0, 0, 1));
        seL4_Word answer = seL4_GetMR(0);   /* before gprintf reuses the registers */
        gprintf("guest-stub: %s: called with %u, the server answered %u\n", l->name, CALL_WORD,
                answer);
        return answer != CALL_WORD + 1;
    }
    seL4_SetCapReceivePath(VMM_SLOT_CNODE, RECV_SLOT, seL4_WordBits);
    seL4_MessageInfo_t m = seL4_Recv(l->where, &badge);
    seL4_Word got = seL4_GetMR(0);
    int cap = seL4_MessageInfo_get_extraCaps(m) != 0;

    seL4_CNode_Delete(VMM_SLOT_CNODE, RECV_SLOT, seL4_WordBits);
    seL4_SetCapReceivePath(0, 0, 0);
    gprintf("guest-stub: %s: a client called with %u%s\n", l->name, got,
            cap ? ", and a capability came with it" : "");
    show_shm(b);
    seL4_SetMR(0, got + 1);
    seL4_Reply(seL4_MessageInfo_new(0, 0, 0, 1));
    return got != CALL_WORD;
}

/* The first port of the device named like the line's. */
static const vmm_guest_link_t *ports_of(const vmm_guest_boot_t *b, const vmm_guest_link_t *irq)
{
    for (uint32_t k = 0; k < b->n_links; k++)
        if (b->link[k].kind == VMM_LINK_PORTS && strcmp(b->link[k].name, irq->name) == 0)
            return &b->link[k];
    return NULL;
}

static int use_irq(const vmm_guest_boot_t *b, const vmm_guest_link_t *l)
{
    const vmm_guest_link_t *p = ports_of(b, l);
    seL4_Word badge = 0;
    uint8_t iir = 0;
    int wrong = 0;

    if (!p)
        return gprintf("guest-stub: device %s: no ports for line %u\n", l->name, l->size), 1;
    seL4_X86_IOPort_Out8(p->where, p->size + UART_MCR, MCR_OUT2);
    for (int round = 0; round < IRQ_ROUNDS; round++) {
        seL4_X86_IOPort_Out8(p->where, p->size + UART_IER, IER_THRI);
        seL4_Wait(VMM_SLOT_IRQ_NTFN, &badge);
        iir = seL4_X86_IOPort_In8(p->where, p->size + UART_IIR).result;
        seL4_X86_IOPort_Out8(p->where, p->size + UART_IER, 0);
        wrong += !(badge & l->flags) || (iir & IIR_ID_MASK) != IIR_THRI;
        wrong += seL4_IRQHandler_Ack(l->where) != seL4_NoError;
    }
    gprintf("guest-stub: device %s: line %u interrupted %d times (bit 0x%x, IIR 0x%02x), "
            "acknowledged\n", l->name, l->size, IRQ_ROUNDS, badge, iir);
    return wrong;
}

int guest_use_links(const vmm_guest_boot_t *b)
{
    int wrong = 0;

    for (uint32_t k = 0; k < b->n_links; k++) {
        const vmm_guest_link_t *l = &b->link[k];
        if (l->kind == VMM_LINK_SHM)
            gprintf("guest-stub: channel %s: %u bytes shared at 0x%08x, %s\n", l->name, l->size,
                    l->where, l->flags ? "read-write" : "read-only");
        else if (l->kind == VMM_LINK_ENDPOINT)
            gprintf("guest-stub: channel %s: endpoint in slot %u, %s\n", l->name, l->where,
                    l->flags ? "server" : "client");
        else if (l->kind == VMM_LINK_PORTS)
            gprintf("guest-stub: device %s: ports 0x%x+%u in slot %u, port 0x%x reads 0x%02x\n",
                    l->name, l->size, l->flags, l->where, l->size,
                    seL4_X86_IOPort_In8(l->where, l->size).result);
        else
            gprintf("guest-stub: device %s: interrupt line %u, handler in slot %u, bit 0x%x\n",
                    l->name, l->size, l->where, l->flags);
    }
    for (uint32_t k = 0; k < b->n_links; k++)
        if (b->link[k].kind == VMM_LINK_IRQ && guest_wants(b, "test=irq"))
            wrong += use_irq(b, &b->link[k]);
    for (uint32_t k = 0; k < b->n_links; k++)
        if (b->link[k].kind == VMM_LINK_ENDPOINT)
            wrong += use_endpoint(b, &b->link[k]);
    return wrong;
}
