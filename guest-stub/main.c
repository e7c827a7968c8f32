/*
 * The paravirtual guest kernel, first form. The VMM loads this image into a
 * partition of its own (its CSpace, page directory, memory under the
 * policy the configuration chose) and starts it; from there it is to build
 * address spaces and threads for its own processes and serve their faults
 * and system calls as fault messages, growing into the Linux personality.
 *
 * Today it is the image the VMM's configuration names and checks (an i386
 * static executable in user space, see kernel/elf.c): it prints that it
 * started and stops. Its start-up is the runtime's root-task path until
 * the VMM starts domains.
 */
#include <rt/rt.h>
#include <stdio.h>

int main(bootinfo_t *bi)
{
    (void)bi;
    printf("guest-stub: started\n");
    return 0;
}
