/* abort: say so on the console and stop the machine (DebugHalt). */
#include <stdlib.h>
#include <rt/rt.h>

void abort(void)
{
    seL4_DebugPutString("abort() called\n");
    rt_halt();
}
