/*
 * The interactive console: COM1 read by polling. The kernel prints on
 * COM1 too (the VMM's printf goes through DebugPutChar), so the VMM only
 * reads: it issues itself COM1's ports and polls the 16550's line status
 * register for a received byte. Polling at the VMM's priority would
 * starve every guest, so the interactive loop only runs while no guest
 * runs (a `restart` from it serves the guest until it stops, then the
 * loop resumes). Lines are edited with backspace and run as console
 * commands; `quit` ends the loop.
 */
#include <vmm/console.h>
#include <vmm/pc_hw.h>
#include <sel4/sel4.h>
#include <stdio.h>

#define ROOT        seL4_CapInitThreadCNode
#define DEPTH       seL4_WordBits
#define UART_RBR    0u          /* receive buffer (16550) */
#define UART_LSR    5u          /* line status */
#define LSR_DR      0x01u       /* data ready */
#define CH_BS       0x08
#define CH_DEL      0x7f
#define LINE_MAX    80

static int poll_char(seL4_CPtr port)
{
    seL4_X86_IOPort_In8_t s = seL4_X86_IOPort_In8(port, PC_COM1_FIRST + UART_LSR);

    if (s.error != seL4_NoError || !(s.result & LSR_DR))
        return -1;
    return seL4_X86_IOPort_In8(port, PC_COM1_FIRST + UART_RBR).result;
}

/* One line from COM1, echoed as typed; returns its length. */
static int read_line(seL4_CPtr port, char *line)
{
    int n = 0, c;

    for (;;) {
        while ((c = poll_char(port)) < 0)
            ;
        if (c == '\r' || c == '\n') {
            putchar('\n');
            line[n] = '\0';
            return n;
        }
        if ((c == CH_BS || c == CH_DEL) && n > 0) {
            n--;
            printf("\b \b");
        } else if (c >= ' ' && c < CH_DEL && n < LINE_MAX - 1) {
            line[n++] = (char)c;
            putchar(c);
        }
    }
}

void vmm_interactive(vmm_t *v)
{
    char line[LINE_MAX];
    mm_cptr_t port;

    if (mm_slot_alloc(&v->mm, &port) != ERR_NONE ||
        seL4_X86_IOPortControl_Issue(seL4_CapIOPortControl, PC_COM1_FIRST, PC_COM1_LAST, ROOT,
                                     port, DEPTH) != seL4_NoError) {
        printf("vmm: cannot read COM1; no interactive console\n");
        return;
    }
    printf("vmm: interactive console (help lists the commands, quit ends it)\n");
    for (;;) {
        printf("vmm> ");
        if (read_line(port, line) == 0)
            continue;
        if (line[0] == 'q' && line[1] == 'u' && line[2] == 'i' && line[3] == 't' && !line[4])
            break;
        vmm_console_run(v, line);
    }
    seL4_CNode_Delete(ROOT, port, DEPTH);
    mm_slot_free(&v->mm, port);
}
