/*
 * Root-task start-up in C, called by crt0 on the static stack with the
 * bootinfo pointer the kernel passed in EBX.
 *
 * Order matters: until the TLS base is set, %gs has base 0 and
 * seL4_GetIPCBuffer() would read address 0x1c, so the first system call is
 * TCB SetTLSBase made with registers only (no IPC-buffer access, as seL4's
 * own runtime does). Only then is the IPC buffer usable.
 *
 * The root thread's TLS area and the bootinfo pointer are the only
 * file-scope state of the runtime: they exist before any code could
 * allocate them.
 */
#include <rt/rt.h>
#include <rt/tls.h>
#include <sel4/sel4.h>
#include <stdio.h>

int main(bootinfo_t *bi);
void __rt_start_root(bootinfo_t *bi);

extern char __rt_root_tls_area[], __rt_root_tls_area_end[];

static bootinfo_t *rt_root_bootinfo;

bootinfo_t *rt_bootinfo(void)
{
    return rt_root_bootinfo;
}

seL4_BootInfo *seL4_GetBootInfo(void)
{
    return (seL4_BootInfo *)rt_root_bootinfo;
}

void rt_halt(void)
{
    for (;;)
        seL4_DebugHalt();
}

seL4_Error rt_set_tls_base_raw(seL4_CPtr tcb, rt_tls_t *tp);

/* SetTLSBase without touching the IPC buffer even on error (also used by
 * component_start.c). */
seL4_Error rt_set_tls_base_raw(seL4_CPtr tcb, rt_tls_t *tp)
{
    seL4_MessageInfo_t tag = seL4_MessageInfo_new(INV_TCB_SET_TLS_BASE, 0, 0, 1);
    seL4_Word mr0 = (seL4_Word)tp, mr1 = 0;

    tag = seL4_CallWithMRs(tcb, tag, &mr0, &mr1);
    return (seL4_Error)seL4_MessageInfo_get_label(tag);
}

static void rt_puts_raw(const char *s)
{
    while (*s != '\0')
        seL4_DebugPutChar(*s++);
}

void __rt_start_root(bootinfo_t *bi)
{
    seL4_IPCBuffer *ipc = (seL4_IPCBuffer *)(uintptr_t)bi->ipc_buffer;
    rt_tls_t *tp;
    int ret;

    rt_root_bootinfo = bi;
    tp = thread_tls_setup(__rt_root_tls_area,
                          (size_t)(__rt_root_tls_area_end - __rt_root_tls_area), ipc);
    if (tp == NULL) {
        rt_puts_raw("rt: root TLS area too small\n");
        rt_halt();
    }
    tp->tcb = seL4_CapInitThreadTCB;
    if (rt_set_tls_base_raw(seL4_CapInitThreadTCB, tp) != seL4_NoError) {
        rt_puts_raw("rt: TCB SetTLSBase on the root thread failed\n");
        rt_halt();
    }
    rt_tls_load_selector();

    ret = main(bi);
    printf("rt: main returned %d\n", ret);
    rt_halt();
}
