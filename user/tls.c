/*
 * Thread-local storage areas (layout in rt/tls.h). The linker script gives
 * the static TLS image: __tdata_start..__tdata_end holds initial values,
 * up to __tbss_end zeros, aligned to __tls_align. i386 uses TLS variant II:
 * the image ends exactly at the thread pointer, rounded so that
 * TP - roundup(size, align) is the image start, which is what the linker
 * assumed when it resolved %gs-relative offsets (@ntpoff).
 */
#include <rt/tls.h>
#include <sel4/functions.h>
#include <string.h>

extern char __tdata_start[], __tdata_end[], __tbss_end[];
extern char __tls_align[];

static uintptr_t rt_align_up(uintptr_t v, uintptr_t a)
{
    return (v + a - 1) & ~(a - 1);
}

/* Alignment the linker gave the TLS image (at least 1). */
static uintptr_t rt_tls_image_align(void)
{
    uintptr_t a = (uintptr_t)__tls_align;

    return a == 0 ? 1 : a;
}

/* Alignment of the thread pointer: the image's, and 16 for the block. */
static uintptr_t rt_tls_align(void)
{
    uintptr_t a = rt_tls_image_align();

    return a < 16 ? 16 : a;
}

/* The linker placed the image at TP - roundup(memsz, image alignment). */
static size_t rt_tls_image_size(void)
{
    return rt_align_up((uintptr_t)(__tbss_end - __tdata_start), rt_tls_image_align());
}

size_t rt_tls_area_size(void)
{
    return rt_tls_image_size() + sizeof(rt_tls_t) + rt_tls_align();
}

rt_tls_t *thread_tls_setup(void *area, size_t size, struct seL4_IPCBuffer_ *ipc_buffer)
{
    size_t image = rt_tls_image_size();
    size_t filesz = (size_t)(__tdata_end - __tdata_start);
    uintptr_t start = (uintptr_t)area;
    uintptr_t tp = rt_align_up(start + image, rt_tls_align());
    rt_tls_t *block;

    if (tp + sizeof(rt_tls_t) > start + size || tp + sizeof(rt_tls_t) < start)
        return NULL;
    memcpy((void *)(tp - image), __tdata_start, filesz);
    memset((void *)(tp - image + filesz), 0, image - filesz);
    block = (rt_tls_t *)tp;
    memset(block, 0, sizeof(*block));
    block->self = block;
    block->self2 = block;
    /* A zero low byte stops overruns by string functions. */
    block->stack_guard = (RT_TLS_STACK_GUARD ^ tp) & ~(uintptr_t)0xff;
    block->ipc_buffer = ipc_buffer;
    return block;
}

void sel4rt_set_ipc_buffer(struct seL4_IPCBuffer_ *ipc_buffer)
{
    seL4_SetIPCBuffer(ipc_buffer);
}
