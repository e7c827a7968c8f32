/*
 * The 16550 UART on COM1: the kernel console (and, through DebugPutChar,
 * user level's). Polled output at 115200 baud, 8N1.
 */
#include <arch/machine.h>
#include <arch/serial.h>

#define UART_DATA   0
#define UART_IER    1
#define UART_FCR    2
#define UART_LCR    3
#define UART_MCR    4
#define UART_LSR    5
#define LCR_DLAB    0x80
#define LCR_8N1     0x03
#define LSR_THRE    0x20
#define DIVISOR_115200 1

void serial_init(void)
{
    outb(COM1_BASE + UART_IER, 0);
    outb(COM1_BASE + UART_LCR, LCR_DLAB);
    outb(COM1_BASE + UART_DATA, DIVISOR_115200);
    outb(COM1_BASE + UART_IER, 0);
    outb(COM1_BASE + UART_LCR, LCR_8N1);
    outb(COM1_BASE + UART_FCR, 0xc7);   /* enable and clear FIFOs */
    outb(COM1_BASE + UART_MCR, 0x03);   /* DTR, RTS */
}

void serial_putc(char c)
{
    while (!(inb(COM1_BASE + UART_LSR) & LSR_THRE))
        ;
    outb(COM1_BASE + UART_DATA, (uint8_t)c);
}
