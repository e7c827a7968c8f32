/* COM1 console. */
#ifndef ARCH_SERIAL_H
#define ARCH_SERIAL_H

#define COM1_BASE 0x3f8
#define COM1_LAST 0x3ff

void serial_init(void);
void serial_putc(char c);

#endif
