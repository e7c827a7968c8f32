/*
 * The VMM's loop: one endpoint, Received on; every guest's fault
 * capability and service capability are badged copies of it, so the badge
 * says who sent and whether it is a fault. The VMM only replies (it never
 * Sends to a guest, so it never blocks on one):
 *
 * - a fault means the guest kernel itself crashed (its own processes'
 *   faults go to it, not here): the VMM reports it, with the fault's
 *   registers, and destroys the guest; the others run on;
 * - VMM_CALL_WRITE: guest output, collected into lines, each printed with
 *   the guest's name in front;
 *
 * Only the words a message carries are read: the rest of the VMM's IPC
 * buffer holds what earlier messages, of any guest, left there. A request
 * too short for its call is TruncatedMessage, as seL4 answers.
 * - VMM_CALL_EXIT: the guest is done; it gets no reply and stays blocked
 *   until it is destroyed or restarted;
 * - VMM_CALL_BENCH: a benchmark figure, printed as a BENCH line;
 * - VMM_CALL_USAGE: the guest's own account of its memory, kept as its
 *   claim for `list` (two numbers stored: nothing the guest says can make
 *   the VMM do more);
 * - the mediated calls go to vmm/mediate.c.
 *
 * Once the console takes input, a notification bound to the VMM's TCB
 * wakes the same Recv with VMM_BADGE_INPUT: COM1 has bytes (vmm/input.c).
 *
 * vmm_serve() returns when no guest is running any more, or when Ctrl-]
 * was typed on the console.
 */
#include <vmm/serve.h>
#include <vmm/input.h>
#include <vmm/mediate.h>
#include <vmm/guest_abi.h>
#include <sel4/sel4.h>
#include <stdio.h>

#define BYTES_PER_MR    4u
#define MAX_MRS         32u
#define BENCH_WORDS_MIN 3u      /* value (2 words) and flags; the name may be empty */

static void flush_line(vmm_domain_t *d)
{
    d->line[d->line_len] = '\0';
    printf("[%s] %s\n", d->g->name, d->line);
    d->line_len = 0;
}

/* n bytes claimed, in the len - 1 words after MR0. */
static void guest_write(vmm_domain_t *d, seL4_Word n, seL4_Word len)
{
    if (n > VMM_WRITE_MAX_BYTES)
        n = VMM_WRITE_MAX_BYTES;
    if (n > (len - 1) * BYTES_PER_MR)
        n = (len - 1) * BYTES_PER_MR;
    for (seL4_Word i = 0; i < n; i++) {
        char c = (char)(seL4_GetMR(1 + i / BYTES_PER_MR) >> (8 * (i % BYTES_PER_MR)));
        if (c == '\n' || d->line_len == DOMAIN_LINE_MAX)
            flush_line(d);
        if (c != '\n')
            d->line[d->line_len++] = (c >= ' ' && c < 0x7f) ? c : '?';
    }
}

static const char *fault_name(seL4_Word label)
{
    switch (label) {
    case seL4_Fault_VMFault: return "page fault";
    case seL4_Fault_CapFault: return "capability fault";
    case seL4_Fault_UnknownSyscall: return "unknown system call";
    case seL4_Fault_UserException: return "exception";
    default: return "fault";
    }
}

static void guest_fault(vmm_t *v, vmm_domain_t *d, seL4_Word label)
{
    seL4_Word ip = seL4_GetMR(0), addr = seL4_GetMR(1);

    if (d->line_len)
        flush_line(d);
    printf("vmm: guest '%s' crashed: %s (label %u), ip 0x%08x, word 0x%08x; stopped\n",
           d->g->name, fault_name(label), label, ip, addr);
    seL4_TCB_Suspend(d->tcb);
    d->state = DOMAIN_CRASHED;
    (void)v;
}

/* "BENCH <name> <value>", unprefixed: tools/run-vmm-bench.py reads it. The
 * name is the len - 3 words after the value and flags. */
static void guest_bench(const vmm_t *v, seL4_Word len)
{
    char name[VMM_BENCH_NAME_MAX + 1];
    uint64_t value = ((uint64_t)seL4_GetMR(1) << 32) | seL4_GetMR(0);

    for (uint32_t i = 0; i < VMM_BENCH_NAME_MAX; i++) {
        uint32_t w = 3 + i / BYTES_PER_MR;
        char c = w < len ? (char)(seL4_GetMR((int)w) >> (8 * (i % BYTES_PER_MR))) : '\0';
        name[i] = (c > ' ' && c < 0x7f) ? c : '\0';
    }
    name[VMM_BENCH_NAME_MAX] = '\0';
    if (seL4_GetMR(2) & VMM_BENCH_SINCE_START)
        value -= v->t_start;
    printf("BENCH %s %llu\n", name, (unsigned long long)value);
}

/* One request from a running guest; returns true if it gets a reply. */
static bool guest_call(const vmm_t *v, vmm_domain_t *d, seL4_MessageInfo_t *info)
{
    seL4_Word label = seL4_MessageInfo_get_label(*info), n;
    seL4_Word len = seL4_MessageInfo_get_length(*info);
    seL4_Word mr[MAX_MRS];
    seL4_Error e;

    switch (label) {
    case VMM_CALL_WRITE:
        if (len >= 1)
            guest_write(d, seL4_GetMR(0), len);
        *info = seL4_MessageInfo_new(len >= 1 ? seL4_NoError : seL4_TruncatedMessage, 0, 0, 0);
        return true;
    case VMM_CALL_BENCH:
        if (len >= BENCH_WORDS_MIN)
            guest_bench(v, len);
        *info = seL4_MessageInfo_new(len >= BENCH_WORDS_MIN ? seL4_NoError
                                                            : seL4_TruncatedMessage, 0, 0, 0);
        return true;
    case VMM_CALL_USAGE:
        if (len >= 2) {
            d->claimed = true;
            d->claim_used = seL4_GetMR(0);
            d->claim_free = seL4_GetMR(1);
        }
        *info = seL4_MessageInfo_new(len >= 2 ? seL4_NoError : seL4_TruncatedMessage, 0, 0, 0);
        return true;
    case VMM_CALL_EXIT:
        if (d->line_len)
            flush_line(d);
        d->exit_status = len >= 1 ? (int)seL4_GetMR(0) : 0;
        d->state = DOMAIN_EXITED;
        printf("vmm: guest '%s' exited with status %d\n", d->g->name, d->exit_status);
        return false;
    }
    n = len > MEDIATE_MAX_MRS ? MEDIATE_MAX_MRS : len;
    for (seL4_Word i = 0; i < n; i++)
        mr[i] = seL4_GetMR(i);
    e = mediate_call(d, label, mr, n, &n);
    for (seL4_Word i = 0; i < n; i++)
        seL4_SetMR(i, mr[i]);
    *info = seL4_MessageInfo_new(e, 0, 0, n);
    return true;
}

static bool any_running(const vmm_t *v)
{
    for (uint32_t i = 0; i < v->cfg->n_guests; i++)
        if (v->dom[i].state == DOMAIN_RUNNING)
            return true;
    return false;
}

void vmm_serve_one(vmm_t *v)
{
    seL4_Word badge;
    seL4_MessageInfo_t info = seL4_Recv(v->ep, &badge);
    uint32_t i = VMM_BADGE_GUEST(badge);
    vmm_domain_t *d = i < v->cfg->n_guests ? &v->dom[i] : NULL;

    if (badge & VMM_BADGE_INPUT) {
        vmm_input_irq(v);
        return;
    }
    if (!d || d->state != DOMAIN_RUNNING)
        return;                 /* a stale message from a guest already stopped */
    if (badge & VMM_BADGE_FAULT)
        guest_fault(v, d, seL4_MessageInfo_get_label(info));
    else if (guest_call(v, d, &info))
        seL4_Reply(info);
}

bool vmm_any_running(const vmm_t *v)
{
    return any_running(v);
}

void vmm_serve(vmm_t *v)
{
    while (any_running(v) && v->in_escapes == 0)
        vmm_serve_one(v);
}
