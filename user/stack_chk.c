/*
 * Stack-protector failure hooks, for code built with -fstack-protector
 * (libfdt.a from Debian is): the canary lives at %gs:0x14 (rt/tls.h).
 */
#include <rt/rt.h>

__attribute__((noreturn)) void __stack_chk_fail(void);
__attribute__((noreturn)) void __stack_chk_fail_local(void);

void __stack_chk_fail(void)
{
    seL4_DebugPutString("stack smashing detected\n");
    rt_halt();
}

void __stack_chk_fail_local(void)
{
    __stack_chk_fail();
}
