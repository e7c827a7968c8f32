/*
 * Message transfer: what moves from sender to receiver when an IPC
 * rendezvous happens (seL4's doIPCTransfer).
 *
 * A message is a label, up to 120 words and up to three capabilities. The
 * first two words travel in registers (EDI, EBP) and the rest through the
 * two IPC buffers; if either thread has no usable IPC buffer only the
 * register words arrive, and the length the receiver sees says so.
 * Capabilities move only if the sender's endpoint capability carries Grant.
 * Each is looked up in the sender's CSpace when the transfer happens; an
 * endpoint capability naming the very endpoint the message travels through
 * is not copied but "unwrapped": its badge is written to the receiver's
 * caps_or_badges[i] and bit i of capsUnwrapped is set. Any other capability
 * is derived and inserted, as a derivation-tree child of the sender's, into
 * the single receive slot the receiver named in its IPC buffer (receiveCNode,
 * receiveIndex, receiveDepth); once that slot is used, or if it is missing
 * or full, transfer stops and extraCaps says how many caps got through.
 * Capabilities keep exactly the rights they were sent with.
 *
 * A thread that faulted sends a fault message instead (fault.c builds it).
 *
 * Replies (seL4 non-MCS): a Call leaves the caller BlockedOnReply and puts
 * a reply capability to it in the receiver's caller slot, as the child of
 * the caller's master reply capability. The reply capability carries Grant
 * only if the receiver's endpoint capability had Grant. Replying consumes
 * it; deleting it leaves the caller blocked for good (until restarted).
 */
#include <kernel/transfer.h>
#include <kernel/ipc.h>
#include <kernel/fault.h>
#include <kernel/tcb.h>
#include <kernel/cdt.h>
#include <kernel/capops.h>
#include <kernel/cspace.h>
#include <kernel/invocation.h>
#include <kernel/sched.h>
#include <kernel/state.h>
#include <kernel/debug.h>
#include <abi/faults.h>

/* Word indices in the IPC buffer. */
#define IPCBUF_CAPS_WORD        (IPCBUF_CAPS_OFFSET / sizeof(word_t))
#define IPCBUF_RECV_CNODE_WORD  (IPCBUF_RECV_CNODE_OFFSET / sizeof(word_t))
#define IPCBUF_RECV_INDEX_WORD  (IPCBUF_RECV_INDEX_OFFSET / sizeof(word_t))
#define IPCBUF_RECV_DEPTH_WORD  (IPCBUF_RECV_DEPTH_OFFSET / sizeof(word_t))

/* ---- message registers ---- */

word_t mr_get_reg(const tcb_t *t, word_t i)
{
    return i == 0 ? t->ctx.edi : t->ctx.ebp;
}

void mr_set_reg(tcb_t *t, word_t i, word_t v)
{
    if (i == 0)
        t->ctx.edi = v;
    else
        t->ctx.ebp = v;
}

word_t mr_set(tcb_t *t, word_t *buffer, word_t i, word_t v)
{
    assert(i < MSG_MAX_LENGTH);
    if (i < MSG_FAST_REGISTERS) {
        mr_set_reg(t, i, v);
        return i + 1;
    }
    if (buffer == NULL)
        return MSG_FAST_REGISTERS;
    buffer[i + 1] = v;
    return i + 1;
}

word_t mr_set_lookup_failure(tcb_t *t, word_t *buffer, const lookup_fault_t *lf, word_t offset)
{
    word_t n = mr_set(t, buffer, offset, lf->type);

    switch (lf->type) {
    case LOOKUP_MISSING_CAPABILITY:
        return mr_set(t, buffer, offset + 1, lf->bits_left);
    case LOOKUP_DEPTH_MISMATCH:
        mr_set(t, buffer, offset + 1, lf->bits_left);
        return mr_set(t, buffer, offset + 2, lf->bits_found);
    case LOOKUP_GUARD_MISMATCH:
        mr_set(t, buffer, offset + 1, lf->bits_left);
        mr_set(t, buffer, offset + 2, lf->guard_found);
        return mr_set(t, buffer, offset + 3, lf->bits_found);
    default:
        return n;
    }
}

/* ---- lookups ---- */

bool lookup_extra_caps(tcb_t *t, const word_t *buffer, word_t n, cte_t **slots, cptr_t *failed_cptr)
{
    return cspace_lookup_slots(t, &buffer[IPCBUF_CAPS_WORD], n, slots, failed_cptr);
}

/* ---- reply capabilities ---- */

void ipc_setup_caller_cap(tcb_t *sender, tcb_t *receiver, bool can_grant)
{
    cte_t *master = tcb_slot(sender, TCB_SLOT_REPLY);
    cte_t *caller = tcb_slot(receiver, TCB_SLOT_CALLER);

    tcb_set_state(sender, TS_BLOCKED_ON_REPLY);
    if (cap_is_null(master->cap))
        tcb_setup_reply_master(sender);
    assert(cap_type(master->cap) == CAP_REPLY && cap_reply_is_master(master->cap));
    /* Receiving deleted it already; stay safe if a path did not. */
    tcb_delete_caller_cap(receiver);
    cte_insert(cap_reply_new(sender, false, can_grant), master, caller);
}

/* ---- the transfer itself ---- */

static word_t msg_length(word_t info)
{
    word_t n = MSGINFO_LENGTH(info);

    return n > MSG_MAX_LENGTH ? MSG_MAX_LENGTH : n;
}

static word_t copy_mrs(tcb_t *sender, word_t *sbuf, tcb_t *receiver, word_t *rbuf, word_t n)
{
    word_t i;

    for (i = 0; i < n && i < MSG_FAST_REGISTERS; i++)
        mr_set_reg(receiver, i, mr_get_reg(sender, i));
    if (sbuf == NULL || rbuf == NULL || i >= n)
        return i;
    /* One string instruction for the words in the buffers (kernel/string.c). */
    memcpy(&rbuf[i + 1], &sbuf[i + 1], (n - i) * sizeof(word_t));
    return n;
}

/* The empty slot the receiver asked capabilities to go to, or NULL. */
static cte_t *receive_slot(tcb_t *receiver, const word_t *rbuf)
{
    cte_t *root, *dest;

    if (cspace_lookup_slot(receiver, rbuf[IPCBUF_RECV_CNODE_WORD], &root) != EXCEPTION_NONE)
        return NULL;
    if (cspace_lookup_target_slot(root->cap, rbuf[IPCBUF_RECV_INDEX_WORD],
                                  rbuf[IPCBUF_RECV_DEPTH_WORD], &dest) != EXCEPTION_NONE)
        return NULL;
    return cap_is_null(dest->cap) ? dest : NULL;
}

typedef struct cap_result {
    word_t extra;               /* capabilities transferred or unwrapped */
    word_t unwrapped;           /* bit i: cap i was unwrapped to its badge */
} cap_result_t;

static cap_result_t transfer_caps(cte_t **caps, word_t n, endpoint_t *ep, tcb_t *receiver, word_t *rbuf)
{
    cap_result_t r = { 0, 0 };
    cte_t *dest;
    cap_t derived;

    if (n == 0 || rbuf == NULL)
        return r;
    dest = receive_slot(receiver, rbuf);
    for (; r.extra < n; r.extra++) {
        cte_t *slot = caps[r.extra];
        if (cap_type(slot->cap) == CAP_ENDPOINT && ep != NULL && cap_ptr(slot->cap) == ep) {
            rbuf[IPCBUF_CAPS_WORD + r.extra] = cap_badge(slot->cap);
            r.unwrapped |= BIT(r.extra);
            continue;
        }
        if (dest == NULL || cap_derive(slot, slot->cap, &derived) != EXCEPTION_NONE ||
            cap_is_null(derived))
            break;
        cte_insert(derived, slot, dest);
        dest = NULL;
    }
    return r;
}

static void do_normal_transfer(tcb_t *sender, word_t *sbuf, endpoint_t *ep, word_t badge,
                               bool grant, tcb_t *receiver, word_t *rbuf)
{
    word_t info = tcb_msginfo(sender);
    cte_t *caps[MSG_MAX_EXTRA_CAPS];
    word_t ncaps = 0;
    cptr_t failed;

    if (grant && sbuf != NULL && lookup_extra_caps(sender, sbuf, MSGINFO_EXTRA(info), caps, &failed))
        ncaps = MSGINFO_EXTRA(info);
    word_t len = copy_mrs(sender, sbuf, receiver, rbuf, msg_length(info));
    cap_result_t cr = transfer_caps(caps, ncaps, ep, receiver, rbuf);
    tcb_set_msginfo(receiver, MSGINFO_MAKE(MSGINFO_LABEL(info), cr.unwrapped, cr.extra, len));
    tcb_set_badge(receiver, badge);
}

static void do_fault_transfer(word_t badge, tcb_t *sender, tcb_t *receiver, word_t *rbuf)
{
    word_t len = fault_message_setup(sender, receiver, rbuf);

    tcb_set_msginfo(receiver, MSGINFO_MAKE(sender->fault.type, 0, 0, len));
    tcb_set_badge(receiver, badge);
}

void do_ipc_transfer(tcb_t *sender, endpoint_t *ep, word_t badge, bool grant, tcb_t *receiver)
{
    word_t *rbuf = tcb_ipc_buffer(receiver, true);

    if (likely(sender->fault.type == FAULT_NULL))
        do_normal_transfer(sender, tcb_ipc_buffer(sender, false), ep, badge, grant, receiver, rbuf);
    else
        do_fault_transfer(badge, sender, receiver, rbuf);
}

/* sender replies to receiver through the reply capability in slot. */
void do_reply_transfer(tcb_t *sender, tcb_t *receiver, cte_t *slot, bool grant)
{
    if (receiver->state != TS_BLOCKED_ON_REPLY) {
        assert(!"reply capability to a thread not waiting for a reply");
        cte_delete_one(slot);
        return;
    }
    if (likely(receiver->fault.type == FAULT_NULL)) {
        do_ipc_transfer(sender, NULL, 0, grant, receiver);
        cte_delete_one(slot);
        tcb_set_state(receiver, TS_RUNNING);
        sched_possible_switch_to(receiver);
        return;
    }
    cte_delete_one(slot);
    word_t info = tcb_msginfo(sender);
    bool restart = fault_handle_reply(receiver, sender, MSGINFO_LABEL(info), msg_length(info),
                                      tcb_ipc_buffer(sender, false));
    receiver->fault.type = FAULT_NULL;
    if (restart) {
        tcb_set_state(receiver, TS_RESTART);
        sched_possible_switch_to(receiver);
    } else {
        tcb_set_state(receiver, TS_INACTIVE);
    }
}
