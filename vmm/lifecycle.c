/*
 * Guests as a whole: build every guest or none, destroy one and show what
 * came back, restart one from its image. Accounting is memmgr's: the free
 * pool (free, pooled and dead bytes of the VMM's struct mm) after a guest
 * is destroyed equals what it was before that guest was built, byte for
 * byte, and `list` shows it.
 */
#include <vmm/lifecycle.h>
#include <vmm/console.h>
#include <vmm/serve.h>
#include <stdio.h>
#include <string.h>

#define KIB_SHIFT 10

static bool none_built(vmm_t *v, uint32_t upto, const char *what, int i, mm_err_t e)
{
    printf("vmm: %s%s%s failed (error %d)\n", what, i >= 0 ? " " : "",
           i >= 0 ? v->cfg->guest[i].name : "", (int)e);
    for (uint32_t j = 0; j < upto; j++)
        domain_destroy(v, j);
    printf("vmm: no guest was built\n");
    return false;
}

/* Channels and devices first (guests attach to them), then every guest,
 * and only then does any guest start. */
bool vmm_build_all(vmm_t *v)
{
    mm_err_t e = links_make(v);

    if (e != ERR_NONE)
        return none_built(v, 0, "making channels and devices", -1, e);
    printf("vmm: free pool %llu bytes before building\n", (unsigned long long)vmm_free_bytes(v));
    /* An unaccounted guest takes what the others leave: it comes last. */
    for (int last = 0; last < 2; last++)
        for (uint32_t i = 0; i < v->cfg->n_guests; i++)
            if ((v->cfg->guest[i].policy == VMM_POLICY_UNACCOUNTED) == last &&
                (e = domain_build(v, i)) != ERR_NONE)
                return none_built(v, v->cfg->n_guests, "building guest", (int)i, e);
    for (uint32_t i = 0; i < v->cfg->n_guests; i++)
        if ((e = domain_start(v, i)) != ERR_NONE)
            return none_built(v, v->cfg->n_guests, "starting guest", (int)i, e);
    for (uint32_t i = 0; i < v->cfg->n_guests; i++)
        printf("vmm: guest '%s' started (%s, %llu KiB, priority %u)\n", v->cfg->guest[i].name,
               vmm_policy_name(v->cfg->guest[i].policy),
               (unsigned long long)(v->dom[i].granted >> KIB_SHIFT), v->cfg->guest[i].priority);
    return true;
}

void vmm_destroy(vmm_t *v, int i)
{
    uint64_t before = vmm_free_bytes(v);

    if (v->dom[i].state == DOMAIN_EMPTY) {
        printf("vmm: guest '%s' is not built\n", v->cfg->guest[i].name);
        return;
    }
    domain_destroy(v, i);
    printf("vmm: guest '%s' destroyed, %llu bytes back in the free pool (now %llu)\n",
           v->cfg->guest[i].name, (unsigned long long)(vmm_free_bytes(v) - before),
           (unsigned long long)vmm_free_bytes(v));
}

void vmm_restart(vmm_t *v, int i)
{
    mm_err_t e;

    if (v->dom[i].state != DOMAIN_EMPTY)
        domain_destroy(v, i);
    e = domain_build(v, i);
    if (e == ERR_NONE)
        e = domain_start(v, i);
    if (e != ERR_NONE) {
        printf("vmm: rebuilding guest '%s' failed (error %d)\n", v->cfg->guest[i].name, (int)e);
        return;
    }
    printf("vmm: guest '%s' restarted\n", v->cfg->guest[i].name);
    vmm_serve(v);
}

/* Each command runs once no guest runs any more, as a batch would, but
 * `interactive`, which opens the console at once: guests run beside it. */
void vmm_run_script(vmm_t *v)
{
    const char *s = v->cfg->script ? v->cfg->script : "list";
    uint32_t len = v->cfg->script ? v->cfg->script_len : sizeof("list");

    for (uint32_t off = 0; off < len;) {
        if (strcmp(s + off, "interactive") != 0)
            vmm_serve(v);
        printf("vmm> %s\n", s + off);
        vmm_console_run(v, s + off);
        while (off < len && s[off] != '\0')
            off++;
        off++;
    }
}
