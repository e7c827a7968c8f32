/*
 * Invocations: the arguments of a call on a capability and the ways a
 * decoder answers it.
 *
 * An invocation's words are message registers: MR0 and MR1 travel in
 * EDI and EBP (seL4's two "fast" registers), the rest in the caller's IPC
 * buffer, where MR i is word i + 1 (word 0 is the message tag). A decoder
 * that refuses fills ks_syscall_error through one of the refuse helpers
 * below; syscall.c turns that into seL4's error reply (label = error code,
 * details in MR0.. as seL4 lays them out), but only for a Call: a refused
 * Send is dropped silently, as in seL4. A decoder whose success returns
 * values (ReadRegisters, GetAddress, port In) writes them with set_mr() and
 * finishes with reply_from_kernel_success().
 */
#include <kernel/invocation.h>
#include <kernel/transfer.h>
#include <kernel/state.h>
#include <kernel/sched.h>
#include <kernel/debug.h>
#include <kernel/tcb.h>
#include <abi/errors.h>

word_t inv_arg(const invocation_t *inv, word_t i)
{
    if (i < MSG_FAST_REGISTERS)
        return mr_get_reg(ks_cur_thread, i);
    /* syscall.c clamps the length to the registers when there is no
     * buffer, so a decoder that checked the length never gets here then. */
    if (inv->buffer == NULL || i >= MSG_MAX_LENGTH)
        return 0;
    return inv->buffer[i + 1];
}

static exception_t refuse_with(const syscall_error_t *e, const char *why)
{
    ks_syscall_error = *e;
    debug_printk("refused: %s (error %u)\n", why, e->type);
    if (!CONFIG_DEBUG)
        (void)why;
    return EXCEPTION_SYSCALL_ERROR;
}

exception_t refuse(word_t err, const char *why)
{
    return refuse_with(&(syscall_error_t){ .type = err }, why);
}

exception_t refuse_arg(word_t index, const char *why)
{
    return refuse_with(&(syscall_error_t){ .type = ERR_INVALID_ARGUMENT, .invalid_argument = index }, why);
}

exception_t refuse_cap(word_t index, const char *why)
{
    return refuse_with(&(syscall_error_t){ .type = ERR_INVALID_CAPABILITY, .invalid_cap = index }, why);
}

exception_t refuse_range(word_t min, word_t max, const char *why)
{
    return refuse_with(&(syscall_error_t){ .type = ERR_RANGE_ERROR, .range_min = min, .range_max = max }, why);
}

exception_t refuse_memory(word_t bytes_left, const char *why)
{
    return refuse_with(&(syscall_error_t){ .type = ERR_NOT_ENOUGH_MEMORY, .memory_left = bytes_left }, why);
}

exception_t refuse_lookup(bool source, const char *why)
{
    return refuse_with(&(syscall_error_t){ .type = ERR_FAILED_LOOKUP, .failed_lookup_was_source = source }, why);
}

void set_mr(tcb_t *t, word_t *buffer, word_t i, word_t value)
{
    (void)mr_set(t, buffer, i, value);
}

void reply_from_kernel_success(tcb_t *t, word_t length)
{
    tcb_set_badge(t, 0);
    tcb_set_msginfo(t, MSGINFO_MAKE(0, 0, 0, length));
    tcb_set_state(t, TS_RUNNING);
}
