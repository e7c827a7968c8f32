/*
 * Start-up of a component that is not the root task (rt/component.h).
 * The same steps as the root task's start (rt_start.c), with every input
 * taken from the parent's rt_component_info_t instead of bootinfo and the
 * linker script: TLS block first, set with a registers-only system call
 * because nothing may touch the IPC buffer through %gs before that.
 */
#include <rt/component.h>
#include <rt/rt.h>
#include <rt/tls.h>

/* rt_start.c */
seL4_Error rt_set_tls_base_raw(seL4_CPtr tcb, rt_tls_t *tp);

static void suspend_self(seL4_CPtr tcb)
{
    for (;;) {
        seL4_TCB_Suspend(tcb);
        seL4_Yield();
    }
}

void __rt_start_component(rt_component_info_t *info)
{
    rt_tls_t *tp;

    if (info == NULL || info->magic != RT_COMPONENT_MAGIC)
        suspend_self(info != NULL ? info->tcb : seL4_CapNull);
    tp = thread_tls_setup((void *)info->tls_area, info->tls_size,
                          (seL4_IPCBuffer *)info->ipc_buffer);
    if (tp == NULL || rt_set_tls_base_raw(info->tcb, tp) != seL4_NoError)
        suspend_self(info->tcb);
    tp->tcb = info->tcb;
    rt_tls_load_selector();
    info->result = (seL4_Word)component_main(info);
    suspend_self(info->tcb);
    __builtin_unreachable();
}
