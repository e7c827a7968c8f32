/*
 * Threads from an explicit context (see memmgr/thread.h). Each step
 * records what it made in struct mm_thread before the next one, so that
 * mm_thread_destroy() can undo a creation that failed anywhere: it gives
 * back exactly the objects that exist, in reverse order.
 */
#include <memmgr/thread.h>
#include <sel4/sel4.h>
#include <string.h>

#define PAGE_SIZE   ((uint32_t)1 << PAGE_BITS)
#define IPC_OFFSET  (1u * PAGE_SIZE)
#define STACK_OFFSET (3u * PAGE_SIZE)

/* A fresh frame mapped read-write at vaddr in the thread's space. */
static mm_err_t map_new_frame(const struct mm_thread_env *env, uint32_t vaddr, mm_cptr_t *f)
{
    mm_err_t err = mm_alloc(env->mm, OBJ_X86_4K, 0, f);

    if (err != ERR_NONE)
        return err;
    err = mm_vspace_map(env->vs, *f, vaddr, MM_RW, 0, 0);
    if (err != ERR_NONE) {
        mm_free(env->mm, *f);
        *f = 0;
    }
    return err;
}

static mm_err_t setup_tls(struct mm_thread *t)
{
    uint8_t *page = (uint8_t *)(uintptr_t)(t->env.vaddr + IPC_OFFSET);

    t->rt.ipc_buffer = (seL4_IPCBuffer *)page;
    if (!t->env.local)
        return ERR_NONE;
    if (sizeof(seL4_IPCBuffer) + rt_tls_area_size() > PAGE_SIZE)
        return ERR_NOT_ENOUGH_MEMORY;
    memset(page, 0, PAGE_SIZE);         /* pooled frames keep old contents */
    t->rt.tls = thread_tls_setup(page + sizeof(seL4_IPCBuffer),
                                 PAGE_SIZE - sizeof(seL4_IPCBuffer), t->rt.ipc_buffer);
    if (t->rt.tls == NULL)
        return ERR_NOT_ENOUGH_MEMORY;
    t->rt.tls->tcb = t->rt.tcb;
    return ERR_NONE;
}

static mm_err_t configure(struct mm_thread *t, uint32_t prio, mm_cptr_t fault_ep)
{
    const struct mm_thread_env *e = &t->env;
    mm_err_t err = (mm_err_t)seL4_TCB_Configure(t->rt.tcb, fault_ep, e->cspace, e->cspace_data,
                                                e->vs->pd, 0, e->vaddr + IPC_OFFSET,
                                                t->rt.ipc_frame);

    if (err == ERR_NONE)
        err = (mm_err_t)seL4_TCB_SetPriority(t->rt.tcb, e->authority, prio);
    if (err == ERR_NONE && t->rt.tls != NULL)
        err = (mm_err_t)seL4_TCB_SetTLSBase(t->rt.tcb, (seL4_Word)t->rt.tls);
    return err;
}

mm_err_t mm_thread_create(struct mm_thread *t, const struct mm_thread_env *env, uint32_t prio,
                          mm_cptr_t fault_ep)
{
    mm_err_t err;

    memset(t, 0, sizeof(*t));
    t->env = *env;
    err = mm_alloc(env->mm, OBJ_TCB, 0, &t->rt.tcb);
    if (err == ERR_NONE)
        err = map_new_frame(env, env->vaddr + IPC_OFFSET, &t->rt.ipc_frame);
    for (uint32_t i = 0; i < RT_THREAD_STACK_PAGES && err == ERR_NONE; i++)
        err = map_new_frame(env, env->vaddr + STACK_OFFSET + i * PAGE_SIZE, &t->stack[i]);
    if (err == ERR_NONE)
        err = setup_tls(t);
    if (err == ERR_NONE)
        err = configure(t, prio, fault_ep);
    if (err != ERR_NONE) {
        mm_thread_destroy(t);
        return err;
    }
    t->rt.stack_top = (void *)(uintptr_t)(env->vaddr + MM_THREAD_SPAN);
    return ERR_NONE;
}

static void unmap_free(struct mm_thread *t, uint32_t vaddr, mm_cptr_t *f)
{
    if (*f == 0)
        return;
    mm_vspace_unmap(t->env.vs, vaddr);
    mm_free(t->env.mm, *f);
    *f = 0;
}

void mm_thread_destroy(struct mm_thread *t)
{
    if (t->rt.tcb != 0)
        mm_free(t->env.mm, t->rt.tcb);      /* suspends it first */
    t->rt.tcb = 0;
    for (uint32_t i = RT_THREAD_STACK_PAGES; i-- > 0;)
        unmap_free(t, t->env.vaddr + STACK_OFFSET + i * PAGE_SIZE, &t->stack[i]);
    unmap_free(t, t->env.vaddr + IPC_OFFSET, &t->rt.ipc_frame);
    t->rt.tls = NULL;
}
