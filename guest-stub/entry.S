/*
 * The guest kernel's ELF entry point. The VMM starts a guest as a
 * component (user/include/rt/component.h): EBX holds its boot page, ESP
 * the top of its stack. The runtime's component entry takes it from here;
 * this symbol replaces the root task's _start (crt0.S), which expects
 * bootinfo instead.
 */
    .text
    .globl _start
_start:
    jmp rt_component_entry
