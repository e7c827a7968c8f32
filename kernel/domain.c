/*
 * The domain object (seL4 src/object/domain.c): the capability that sets
 * a thread's scheduling domain and configures the domain schedule.
 *
 * With a single domain (abi.md configuration) every thread is in domain
 * 0 already and the schedule changes nothing observable, so DomainSet
 * only checks its arguments and the schedule, ks_dom_schedule in state.c,
 * is only kept and checked.
 */
#include <kernel/domain.h>
#include <kernel/sched.h>
#include <kernel/state.h>
#include <kernel/debug.h>
#include <abi/invocation.h>
#include <abi/errors.h>

#define NUM_DOMAINS     1u      /* one scheduling domain (abi.md configuration) */

/* The domain schedule (seL4 src/object/domain.c), ks_dom_schedule in
 * state.c. With a single domain the schedule changes nothing observable,
 * so it is only kept and checked. */

/* Cannot fail: the decoders below checked everything. */
static exception_t domain_invoke_configure(word_t index, word_t domain, uint64_t duration)
{
    ks_dom_schedule[index].domain = domain;
    ks_dom_schedule[index].duration = duration;
    return EXCEPTION_NONE;
}

static exception_t domain_invoke_set_start(word_t index)
{
    ks_dom_schedule_start = index;
    sched_reschedule_required();    /* seL4 ends the current domain slot */
    return EXCEPTION_NONE;
}

static exception_t domain_decode_configure(invocation_t *inv)
{
    if (inv->length < 4)            /* index, domain, 64-bit duration (low word first) */
        return refuse(ERR_TRUNCATED_MESSAGE, "ScheduleConfigure: need 4 words");
    word_t index = inv_arg(inv, 0), domain = inv_arg(inv, 1);
    uint64_t duration = inv_arg(inv, 2) | (uint64_t)inv_arg(inv, 3) << 32;
    if (index >= DOM_SCHEDULES - 1)
        return refuse_range(0, DOM_SCHEDULES - 2, "ScheduleConfigure: bad index");
    if (domain >= NUM_DOMAINS)
        return refuse_range(0, NUM_DOMAINS - 1, "ScheduleConfigure: bad domain");
    if (duration > DSCHED_MAX_DURATION)
        return refuse_arg(2, "ScheduleConfigure: duration above 2^56 - 1");
    if (duration == 0 && domain != 0)
        return refuse_arg(1, "ScheduleConfigure: an end marker has domain 0");
    if (index == ks_dom_schedule_start && duration == 0)
        return refuse_arg(2, "ScheduleConfigure: the start entry needs a duration");
    return domain_invoke_configure(index, domain, duration);
}

static exception_t domain_decode_set_start(invocation_t *inv)
{
    if (inv->length < 1)
        return refuse(ERR_TRUNCATED_MESSAGE, "ScheduleSetStart: need an index");
    word_t index = inv_arg(inv, 0);
    if (index >= DOM_SCHEDULES)
        return refuse_range(0, DOM_SCHEDULES - 1, "ScheduleSetStart: bad index");
    if (ks_dom_schedule[index].duration == 0)
        return refuse_arg(0, "ScheduleSetStart: an end marker");
    return domain_invoke_set_start(index);
}

exception_t domain_decode(invocation_t *inv)
{
    if (inv->label == INV_DOMAIN_SCHEDULE_CONFIGURE)
        return domain_decode_configure(inv);
    if (inv->label == INV_DOMAIN_SCHEDULE_SET_START)
        return domain_decode_set_start(inv);
    if (inv->label != INV_DOMAIN_SET_SET)
        return refuse(ERR_ILLEGAL_OPERATION, "Domain: not a domain invocation");
    if (inv->length < 1)
        return refuse(ERR_TRUNCATED_MESSAGE, "DomainSet: need a domain");
    if (inv_arg(inv, 0) >= NUM_DOMAINS)
        return refuse_arg(0, "DomainSet: no such domain");
    if (inv->n_extra < 1)
        return refuse(ERR_TRUNCATED_MESSAGE, "DomainSet: need a thread");
    if (cap_type(inv->extra_caps[0]) != CAP_TCB)
        return refuse_arg(1, "DomainSet: not a thread");
    return EXCEPTION_NONE;          /* every thread is in domain 0 already */
}
