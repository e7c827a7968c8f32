/*
 * I/O-port invocations: IOPortControl Issue, and In/Out of 8, 16 and 32
 * bits on an I/O-port capability.
 *
 * Issue hands out a capability for [first, last] if no port in it was issued
 * before or belongs to the kernel (both RevokeFirst, as seL4 answers for
 * ports already in its bitmap), and records the range in ks_ioport_bitmap;
 * the range is released when its last capability is deleted. An access must
 * lie wholly inside the capability's range (IllegalOperation otherwise), so
 * a 32-bit access at the last port of a range is refused. In replies with
 * the value in MR0; Out writes only the low 8/16/32 bits of its data word.
 *
 * The port accesses themselves are arch_in()/arch_out() (arch/arch.h).
 */
#include <arch/ioport.h>
#include <arch/arch.h>
#include <abi/invocation.h>
#include <kernel/capops.h>
#include <kernel/cdt.h>
#include <kernel/cspace.h>
#include <kernel/debug.h>
#include <kernel/sched.h>
#include <kernel/state.h>

/* Access sizes in bytes. */
#define IO_SIZE_8   1u
#define IO_SIZE_16  2u
#define IO_SIZE_32  4u
#define IO_MASK_8   0xffu
#define IO_MASK_16  0xffffu

void ioport_release(word_t first, word_t last)
{
    portmap_set_range(ks_ioport_bitmap, first, last, false);
}

/* ---- IOPortControl: Issue ---- */

/* Cannot fail: ioport_decode_control() checked everything. */
static exception_t ioport_invoke_issue(cte_t *control, cte_t *dest, word_t first, word_t last)
{
    cap_t newcap = cap_io_port_new(first, last);

    portmap_set_range(ks_ioport_bitmap, first, last, true);
    cdt_insert(control, dest, newcap, cap_is_revocable(newcap, control->cap), false);
    return EXCEPTION_NONE;
}

exception_t ioport_decode_control(invocation_t *inv)
{
    if (inv->label != INV_X86_IOPORT_CONTROL_ISSUE)
        return refuse(ERR_ILLEGAL_OPERATION, "I/O port control: illegal operation");
    if (inv->length < 4 || inv->n_extra < 1)
        return refuse(ERR_TRUNCATED_MESSAGE, "I/O port control: truncated message");

    word_t first = inv_arg(inv, 0) & IOPORT_MASK;
    word_t last = inv_arg(inv, 1) & IOPORT_MASK;
    word_t index = inv_arg(inv, 2);
    word_t depth = inv_arg(inv, 3);

    if (last < first)
        return refuse_arg(1, "I/O port control: last port below first");
    if (ioport_kernel_reserved(first, last))
        return refuse(ERR_REVOKE_FIRST, "I/O port control: range holds a kernel port");
    if (!portmap_range_free(ks_ioport_bitmap, first, last))
        return refuse(ERR_REVOKE_FIRST, "I/O port control: some ports already issued");

    cte_t *dest;
    exception_t e = cspace_lookup_empty_slot(inv->extra_caps[0], index, depth, &dest,
                                             "I/O port control: destination not empty");
    if (e != EXCEPTION_NONE)
        return e;

    return ioport_invoke_issue(inv->slot, dest, first, last);
}

/* ---- IOPort: In8/16/32, Out8/16/32 ---- */

static exception_t ioport_invoke_in(const invocation_t *inv, word_t port, word_t size)
{
    word_t value = arch_in(port, size);

    if (inv->call) {
        set_mr(ks_cur_thread, inv->buffer, 0, value);
        reply_from_kernel_success(ks_cur_thread, 1);
    }
    return EXCEPTION_NONE;
}

static exception_t ioport_invoke_out(word_t port, word_t size, word_t value)
{
    arch_out(port, size, value);
    return EXCEPTION_NONE;
}

/* Access size of an In/Out label, 0 if the label is neither. */
static word_t access_size(word_t label, bool *is_out)
{
    *is_out = label >= INV_X86_IOPORT_OUT8;
    switch (label) {
    case INV_X86_IOPORT_IN8:
    case INV_X86_IOPORT_OUT8:
        return IO_SIZE_8;
    case INV_X86_IOPORT_IN16:
    case INV_X86_IOPORT_OUT16:
        return IO_SIZE_16;
    case INV_X86_IOPORT_IN32:
    case INV_X86_IOPORT_OUT32:
        return IO_SIZE_32;
    default:
        return 0;
    }
}

static word_t data_mask(word_t size)
{
    return size == IO_SIZE_8 ? IO_MASK_8 : size == IO_SIZE_16 ? IO_MASK_16 : ~(word_t)0;
}

exception_t ioport_decode(invocation_t *inv)
{
    bool is_out;
    word_t size = access_size(inv->label, &is_out);

    if (size == 0)
        return refuse(ERR_ILLEGAL_OPERATION, "I/O port: illegal operation");
    if (inv->length < (is_out ? 2u : 1u))
        return refuse(ERR_TRUNCATED_MESSAGE, "I/O port: truncated message");

    word_t port = inv_arg(inv, 0) & IOPORT_MASK;
    if (!ioport_access_ok(cap_io_first(inv->cap), cap_io_last(inv->cap), port, size))
        return refuse(ERR_ILLEGAL_OPERATION, "I/O port: access outside the capability's ports");

    if (is_out)
        return ioport_invoke_out(port, size, inv_arg(inv, 1) & data_mask(size));
    return ioport_invoke_in(inv, port, size);
}
