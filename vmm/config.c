/*
 * Reading the partition configuration. The tree is untrusted input: a user
 * wrote it, dtc compiled it, and it reached us as a boot module, so every
 * property is checked for presence, length and form before its value is
 * used, and every property we do not know is refused rather than ignored
 * (a misspelt `memroy` must not silently give a guest nothing). The walk
 * has two passes: the first reads each node into vmm_config_t and checks
 * what a node can say about itself (sizes, policy, priority, its ELF
 * image); the second checks what only the whole can say (duplicate names,
 * channels and devices naming guests, overlapping ports and interrupts,
 * the memory total against the free pool). The first refusal stops the
 * walk and names node, property and what is wrong.
 *
 * No system calls here: the same file is linked into host unit tests.
 */
#include <vmm/config.h>
#include <vmm/binding.h>
#include <vmm/pc_hw.h>
#include <abi/objtype.h>
#include <libfdt.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#define KIB             1024ull
#define MIB             (1024ull * 1024ull)
#define PAGE_SIZE_4K    4096ull
#define CELL_BYTES      4
#define U64_BYTES       8

/* One walk: the tree, what the machine offers, and where results go. */
typedef struct ctx {
    const void *fdt;
    const vmm_machine_t *m;
    vmm_config_t *out;
    vmm_config_error_t *err;
} ctx_t;

static const char *const policy_names[] = {
    [VMM_POLICY_DELEGATED] = DT_POLICY_DELEGATED,
    [VMM_POLICY_MEDIATED] = DT_POLICY_MEDIATED,
    [VMM_POLICY_BALLOON] = DT_POLICY_BALLOON,
    [VMM_POLICY_UNACCOUNTED] = DT_POLICY_UNACCOUNTED,
};

const char *vmm_policy_name(vmm_policy_t p)
{
    return (unsigned)p < sizeof(policy_names) / sizeof(policy_names[0]) ? policy_names[p] : "?";
}

/* Fills the error and returns false, so checks read `return refuse(...)`. */
__attribute__((format(printf, 4, 5)))
static bool refuse(ctx_t *c, int node, const char *prop, const char *fmt, ...)
{
    va_list ap;

    if (node < 0 || fdt_get_path(c->fdt, node, c->err->node, sizeof(c->err->node)) < 0)
        snprintf(c->err->node, sizeof(c->err->node), "/");
    snprintf(c->err->property, sizeof(c->err->property), "%s", prop ? prop : "");
    va_start(ap, fmt);
    vsnprintf(c->err->message, sizeof(c->err->message), fmt, ap);
    va_end(ap);
    return false;
}

/* "16 MiB", "12 KiB" or "100 bytes": the largest unit that is exact. */
static const char *fmt_size(char *buf, size_t n, uint64_t bytes)
{
    if (bytes != 0 && bytes % MIB == 0)
        snprintf(buf, n, "%llu MiB", (unsigned long long)(bytes / MIB));
    else if (bytes != 0 && bytes % KIB == 0)
        snprintf(buf, n, "%llu KiB", (unsigned long long)(bytes / KIB));
    else
        snprintf(buf, n, "%llu bytes", (unsigned long long)bytes);
    return buf;
}

/* ---- properties -------------------------------------------------------- */

static bool in_list(const char *name, const char *const *list)
{
    for (; *list; list++)
        if (strcmp(name, *list) == 0)
            return true;
    return false;
}

/* Every property of the node must be in `allowed` (NULL-terminated). */
static bool only_known_props(ctx_t *c, int node, const char *const *allowed)
{
    int off;

    fdt_for_each_property_offset(off, c->fdt, node) {
        const char *name;
        int len;

        if (!fdt_getprop_by_offset(c->fdt, off, &name, &len) || !name)
            return refuse(c, node, "", "unreadable property");
        if (!in_list(name, allowed) && strcmp(name, DT_PROP_PHANDLE) != 0 &&
            strcmp(name, DT_PROP_LPHANDLE) != 0)
            return refuse(c, node, name, "unknown property");
    }
    return true;
}

/* A property holding exactly one NUL-terminated string. *s = NULL if the
 * property is absent and not required. */
static bool get_string(ctx_t *c, int node, const char *prop, bool required, const char **s)
{
    int len;
    const char *v = fdt_getprop(c->fdt, node, prop, &len);

    *s = NULL;
    if (!v)
        return required ? refuse(c, node, prop, "required property is missing") : true;
    if (len < 1 || v[len - 1] != '\0' || strlen(v) != (size_t)len - 1)
        return refuse(c, node, prop, "must be one string");
    *s = v;
    return true;
}

/* A property of exactly `cells` 32-bit cells; *present = false if absent. */
static bool get_cells(ctx_t *c, int node, const char *prop, int cells, uint32_t *v,
                      bool *present)
{
    int len;
    const fdt32_t *p = fdt_getprop(c->fdt, node, prop, &len);

    *present = p != NULL;
    if (!p)
        return true;
    if (len != cells * CELL_BYTES)
        return refuse(c, node, prop, "must be %d cell%s, is %d bytes", cells,
                      cells == 1 ? "" : "s", len);
    for (int i = 0; i < cells; i++)
        v[i] = fdt32_to_cpu(p[i]);
    return true;
}

static bool get_u32(ctx_t *c, int node, const char *prop, bool required, uint32_t *v,
                    bool *present)
{
    if (!get_cells(c, node, prop, 1, v, present))
        return false;
    if (!*present && required)
        return refuse(c, node, prop, "required property is missing");
    return true;
}

/* A size in two cells (high, low), as `memory = <0x0 0x1000000>`. */
static bool get_size64(ctx_t *c, int node, const char *prop, bool required, uint64_t *v,
                       bool *present)
{
    uint32_t cell[2] = { 0, 0 };

    if (!get_cells(c, node, prop, 2, cell, present))
        return false;
    if (!*present)
        return required ? refuse(c, node, prop, "required property is missing") : true;
    *v = ((uint64_t)cell[0] << 32) | cell[1];
    return true;
}

static bool check_page_size(ctx_t *c, int node, const char *prop, uint64_t v)
{
    if (v == 0)
        return refuse(c, node, prop, "size is zero");
    if (v % PAGE_SIZE_4K != 0)
        return refuse(c, node, prop, "0x%llx is not a multiple of 4 KiB", (unsigned long long)v);
    return true;
}

static bool check_compatible(ctx_t *c, int node, const char *want)
{
    const char *s;
    int len;

    if (!fdt_getprop(c->fdt, node, DT_PROP_COMPATIBLE, &len))
        return refuse(c, node, DT_PROP_COMPATIBLE, "required property is missing");
    if (fdt_node_check_compatible(c->fdt, node, want) != 0) {
        s = fdt_getprop(c->fdt, node, DT_PROP_COMPATIBLE, &len);
        return refuse(c, node, DT_PROP_COMPATIBLE, "is \"%.40s\", expected \"%s\"",
                      len > 0 && s[len - 1] == '\0' ? s : "?", want);
    }
    return true;
}

/* A node's name without unit address; it names the guest in output, so it
 * is short and made of lower-case letters, digits, '-' and '_'. */
static bool node_name(ctx_t *c, int node, char *name)
{
    int len;
    const char *full = fdt_get_name(c->fdt, node, &len);
    const char *at = full ? memchr(full, '@', len) : NULL;
    int n = at ? (int)(at - full) : len;

    if (!full || n < 1 || n >= VMM_NAME_MAX)
        return refuse(c, node, "", "name must be 1 to %d characters", VMM_NAME_MAX - 1);
    for (int i = 0; i < n; i++) {
        char ch = full[i];
        bool ok = (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '-' || ch == '_';
        if (!ok || (i == 0 && !(ch >= 'a' && ch <= 'z')))
            return refuse(c, node, "", "name must start with a-z and hold only a-z 0-9 - _");
    }
    memcpy(name, full, n);
    name[n] = '\0';
    return true;
}

/* ---- guests ------------------------------------------------------------ */

static const char *const guest_props[] = {
    DT_PROP_COMPATIBLE, DT_PROP_KERNEL, DT_PROP_INITRD, DT_PROP_BOOTARGS, DT_PROP_MEMORY,
    DT_PROP_MEMORY_MIN, DT_PROP_MEMORY_MAX, DT_PROP_POLICY, DT_PROP_PRIORITY, NULL
};

static const vmm_module_t *find_module(const vmm_machine_t *m, const char *name)
{
    for (uint32_t i = 0; i < m->n_modules; i++)
        if (strcmp(m->modules[i].name, name) == 0)
            return &m->modules[i];
    return NULL;
}

static bool read_module(ctx_t *c, int node, const char *prop, bool required,
                        const vmm_module_t **mod)
{
    const char *name;

    *mod = NULL;
    if (!get_string(c, node, prop, required, &name))
        return false;
    if (!name)
        return true;
    *mod = find_module(c->m, name);
    if (!*mod)
        return refuse(c, node, prop, "no boot module named '%.40s'", name);
    return true;
}

static bool read_policy(ctx_t *c, int node, vmm_guest_t *g)
{
    const char *s;

    if (!get_string(c, node, DT_PROP_POLICY, true, &s))
        return false;
    for (unsigned p = 0; p < sizeof(policy_names) / sizeof(policy_names[0]); p++) {
        if (strcmp(s, policy_names[p]) == 0) {
            g->policy = (vmm_policy_t)p;
            return true;
        }
    }
    return refuse(c, node, DT_PROP_POLICY,
                  "\"%.32s\" is not a policy (delegated, mediated, balloon, unaccounted)", s);
}

/* memory, memory-min <= memory <= memory-max, all whole pages. */
static bool read_memory(ctx_t *c, int node, vmm_guest_t *g)
{
    bool has_min, has_max, present;
    char a[24], b[24];

    if (!get_size64(c, node, DT_PROP_MEMORY, true, &g->memory, &present) ||
        !check_page_size(c, node, DT_PROP_MEMORY, g->memory) ||
        !get_size64(c, node, DT_PROP_MEMORY_MIN, false, &g->memory_min, &has_min) ||
        (has_min && !check_page_size(c, node, DT_PROP_MEMORY_MIN, g->memory_min)) ||
        !get_size64(c, node, DT_PROP_MEMORY_MAX, false, &g->memory_max, &has_max) ||
        (has_max && !check_page_size(c, node, DT_PROP_MEMORY_MAX, g->memory_max)))
        return false;
    if (!has_min)
        g->memory_min = g->memory;
    if (!has_max)
        g->memory_max = g->memory;
    if (g->memory_min > g->memory)
        return refuse(c, node, DT_PROP_MEMORY_MIN, "%s exceeds memory (%s)",
                      fmt_size(a, sizeof(a), g->memory_min), fmt_size(b, sizeof(b), g->memory));
    if (g->memory_max < g->memory)
        return refuse(c, node, DT_PROP_MEMORY_MAX, "%s is below memory (%s)",
                      fmt_size(a, sizeof(a), g->memory_max), fmt_size(b, sizeof(b), g->memory));
    return true;
}

static bool read_priority(ctx_t *c, int node, vmm_guest_t *g)
{
    bool present;

    if (!get_u32(c, node, DT_PROP_PRIORITY, true, &g->priority, &present))
        return false;
    if (g->priority >= c->m->vmm_priority)
        return refuse(c, node, DT_PROP_PRIORITY, "%u is not below the VMM's priority (%u)",
                      g->priority, c->m->vmm_priority);
    return true;
}

/* The kernel module must be a loadable i386 executable in user space whose
 * image, initrd and boot-argument page fit in the guest's memory. */
static bool check_image(ctx_t *c, int node, vmm_guest_t *g)
{
    const char *why = elf_parse(g->kernel->data, g->kernel->size, USER_TOP, &g->image);
    uint64_t need;
    char a[24], b[24];

    if (why)
        return refuse(c, node, DT_PROP_KERNEL, "module '%.40s': %s", g->kernel->name, why);
    need = (uint64_t)g->image.highest - g->image.lowest + PAGE_SIZE_4K;
    if (g->initrd)
        need += (g->initrd->size + PAGE_SIZE_4K - 1) / PAGE_SIZE_4K * PAGE_SIZE_4K;
    if (need > g->memory)
        return refuse(c, node, DT_PROP_MEMORY, "%s is less than image, initrd and boot "
                      "arguments need (%s)", fmt_size(a, sizeof(a), g->memory),
                      fmt_size(b, sizeof(b), need));
    return true;
}

static bool read_guest(ctx_t *c, int node, vmm_guest_t *g)
{
    const char *args;

    g->node = node;
    g->phandle = fdt_get_phandle(c->fdt, node);
    if (!node_name(c, node, g->name) || !check_compatible(c, node, DT_COMPAT_GUEST) ||
        !only_known_props(c, node, guest_props) ||
        !read_module(c, node, DT_PROP_KERNEL, true, &g->kernel) ||
        !read_module(c, node, DT_PROP_INITRD, false, &g->initrd) ||
        !get_string(c, node, DT_PROP_BOOTARGS, false, &args) ||
        !read_memory(c, node, g) || !read_policy(c, node, g) || !read_priority(c, node, g))
        return false;
    g->bootargs = args ? args : "";
    if (strlen(g->bootargs) >= VMM_BOOTARGS_MAX)
        return refuse(c, node, DT_PROP_BOOTARGS, "longer than %d bytes", VMM_BOOTARGS_MAX - 1);
    return check_image(c, node, g);
}

static bool read_guests(ctx_t *c, int parent)
{
    int node;

    if (fdt_first_property_offset(c->fdt, parent) >= 0)
        return refuse(c, parent, "", "holds properties; only guest nodes belong here");
    fdt_for_each_subnode(node, c->fdt, parent) {
        if (c->out->n_guests == VMM_MAX_GUESTS)
            return refuse(c, node, "", "guest %d: a configuration holds at most %d "
                          "(VMM_MAX_GUESTS)", VMM_MAX_GUESTS + 1, VMM_MAX_GUESTS);
        if (!read_guest(c, node, &c->out->guest[c->out->n_guests]))
            return false;
        c->out->n_guests++;
    }
    if (c->out->n_guests == 0)
        return refuse(c, parent, "", "no guests");
    return true;
}

/* ---- channels ---------------------------------------------------------- */

/* The guest a phandle cell names, as an index. */
static bool guest_by_phandle(ctx_t *c, int node, const char *prop, uint32_t ph, uint32_t *idx)
{
    int target = fdt_node_offset_by_phandle(c->fdt, ph);
    char path[VMM_PATH_MAX];

    for (uint32_t i = 0; target >= 0 && i < c->out->n_guests; i++) {
        if (c->out->guest[i].node == target) {
            *idx = i;
            return true;
        }
    }
    if (target < 0 || fdt_get_path(c->fdt, target, path, sizeof(path)) < 0)
        return refuse(c, node, prop, "phandle 0x%x names no node", ph);
    return refuse(c, node, prop, "names %s, which is not a guest", path);
}

static bool read_one_guest_ref(ctx_t *c, int node, const char *prop, uint32_t *idx)
{
    uint32_t ph = 0;
    bool present;

    if (!get_u32(c, node, prop, true, &ph, &present))
        return false;
    return guest_by_phandle(c, node, prop, ph, idx);
}

static bool not_itself(ctx_t *c, int node, const char *prop, const vmm_channel_t *ch)
{
    if (ch->guest[0] == ch->guest[1])
        return refuse(c, node, prop, "connects guest '%s' to itself",
                      c->out->guest[ch->guest[0]].name);
    return true;
}

static bool read_rights(ctx_t *c, int node, vmm_channel_t *ch)
{
    int n = fdt_stringlist_count(c->fdt, node, DT_PROP_RIGHTS);

    ch->writable[0] = ch->writable[1] = true;
    if (n == -FDT_ERR_NOTFOUND)
        return true;
    if (n != 2)
        return refuse(c, node, DT_PROP_RIGHTS, "must be two strings, one per guest");
    for (int i = 0; i < 2; i++) {
        const char *s = fdt_stringlist_get(c->fdt, node, DT_PROP_RIGHTS, i, NULL);
        if (!s || (strcmp(s, DT_RIGHTS_RW) != 0 && strcmp(s, DT_RIGHTS_R) != 0))
            return refuse(c, node, DT_PROP_RIGHTS, "\"%.16s\" is neither \"rw\" nor \"r\"",
                          s ? s : "?");
        ch->writable[i] = strcmp(s, DT_RIGHTS_RW) == 0;
    }
    return true;
}

static const char *const shm_props[] = {
    DT_PROP_COMPATIBLE, DT_PROP_GUESTS, DT_PROP_SIZE, DT_PROP_RIGHTS, NULL
};
static const char *const ep_props[] = { DT_PROP_COMPATIBLE, DT_PROP_CLIENT, DT_PROP_SERVER, NULL };

static bool read_shm(ctx_t *c, int node, vmm_channel_t *ch)
{
    uint32_t ph[2] = { 0, 0 };
    bool present;

    ch->kind = VMM_CHANNEL_SHM;
    if (!only_known_props(c, node, shm_props) ||
        !get_cells(c, node, DT_PROP_GUESTS, 2, ph, &present))
        return false;
    if (!present)
        return refuse(c, node, DT_PROP_GUESTS, "required property is missing");
    if (!guest_by_phandle(c, node, DT_PROP_GUESTS, ph[0], &ch->guest[0]) ||
        !guest_by_phandle(c, node, DT_PROP_GUESTS, ph[1], &ch->guest[1]) ||
        !not_itself(c, node, DT_PROP_GUESTS, ch) ||
        !get_u32(c, node, DT_PROP_SIZE, true, &ch->size, &present) ||
        !check_page_size(c, node, DT_PROP_SIZE, ch->size))
        return false;
    return read_rights(c, node, ch);
}

static bool read_endpoint(ctx_t *c, int node, vmm_channel_t *ch)
{
    ch->kind = VMM_CHANNEL_ENDPOINT;
    return only_known_props(c, node, ep_props) &&
           read_one_guest_ref(c, node, DT_PROP_CLIENT, &ch->guest[0]) &&
           read_one_guest_ref(c, node, DT_PROP_SERVER, &ch->guest[1]) &&
           not_itself(c, node, DT_PROP_SERVER, ch);
}

static bool read_channel(ctx_t *c, int node, vmm_channel_t *ch)
{
    ch->node = node;
    if (!node_name(c, node, ch->name))
        return false;
    if (!fdt_getprop(c->fdt, node, DT_PROP_COMPATIBLE, NULL))
        return refuse(c, node, DT_PROP_COMPATIBLE, "required property is missing");
    if (fdt_node_check_compatible(c->fdt, node, DT_COMPAT_SHM) == 0)
        return read_shm(c, node, ch);
    if (fdt_node_check_compatible(c->fdt, node, DT_COMPAT_ENDPOINT) == 0)
        return read_endpoint(c, node, ch);
    return refuse(c, node, DT_PROP_COMPATIBLE, "expected \"%s\" or \"%s\"", DT_COMPAT_SHM,
                  DT_COMPAT_ENDPOINT);
}

static bool read_channels(ctx_t *c, int parent)
{
    int node;

    fdt_for_each_subnode(node, c->fdt, parent) {
        if (c->out->n_channels == VMM_MAX_CHANNELS)
            return refuse(c, node, "", "more than %d channels", VMM_MAX_CHANNELS);
        if (!read_channel(c, node, &c->out->channel[c->out->n_channels]))
            return false;
        c->out->n_channels++;
    }
    return true;
}

/* ---- devices ----------------------------------------------------------- */

typedef struct reserved_ports {
    uint32_t first, last;
    const char *what, *why;
} reserved_ports_t;

/* `why` finishes "... reaches <what> at <range>": DMA or the machine's own. */
static const reserved_ports_t reserved_ports[] = {
    { PC_DMA1_FIRST, PC_DMA1_LAST, "the ISA DMA controller", "DMA reaches all memory" },
    { PC_PIC1_FIRST, PC_PIC1_LAST, "the master PIC", "the kernel's" },
    { PC_PIT_FIRST, PC_PIT_LAST, "the PIT", "the kernel's" },
    { PC_DMA_PAGE_FIRST, PC_DMA_PAGE_LAST, "the DMA page registers", "DMA reaches all memory" },
    { PC_PIC2_FIRST, PC_PIC2_LAST, "the slave PIC", "the kernel's" },
    { PC_DMA2_FIRST, PC_DMA2_LAST, "the ISA DMA controller", "DMA reaches all memory" },
    { PC_EXIT_FIRST, PC_EXIT_LAST, "the exit device", "the kernel's" },
    { PC_COM1_FIRST, PC_COM1_LAST, "COM1", "the VMM's console" },
    { PC_ELCR_FIRST, PC_ELCR_LAST, "the PIC edge/level registers", "the kernel's" },
    { PC_PCI_CONF_FIRST, PC_PCI_CONF_LAST, "PCI configuration", "bus mastering: DMA" },
};

static const char *const dev_props[] = {
    DT_PROP_COMPATIBLE, DT_PROP_GUEST, DT_PROP_PORTS, DT_PROP_INTERRUPTS, NULL
};

static bool check_range(ctx_t *c, int node, vmm_port_range_t r)
{
    uint32_t last = r.base + r.count - 1;

    if (r.count == 0)
        return refuse(c, node, DT_PROP_PORTS, "range at 0x%x has no ports", r.base);
    if (r.base >= PC_PORT_LIMIT || r.count > PC_PORT_LIMIT - r.base)
        return refuse(c, node, DT_PROP_PORTS, "range 0x%x+%u runs past port 0xffff", r.base,
                      r.count);
    for (size_t i = 0; i < sizeof(reserved_ports) / sizeof(reserved_ports[0]); i++) {
        const reserved_ports_t *p = &reserved_ports[i];
        if (r.base <= p->last && p->first <= last)
            return refuse(c, node, DT_PROP_PORTS, "0x%x-0x%x reaches %s at 0x%x-0x%x (%s)",
                          r.base, last, p->what, p->first, p->last, p->why);
    }
    return true;
}

static bool read_ports(ctx_t *c, int node, vmm_device_t *d)
{
    int len;
    const fdt32_t *p = fdt_getprop(c->fdt, node, DT_PROP_PORTS, &len);
    const int pair = 2 * CELL_BYTES;

    if (!p)
        return refuse(c, node, DT_PROP_PORTS, "required property is missing");
    if (len == 0 || len % pair != 0 || len / pair > VMM_MAX_PORT_RANGES)
        return refuse(c, node, DT_PROP_PORTS, "must be 1 to %d <base count> pairs",
                      VMM_MAX_PORT_RANGES);
    d->n_ranges = len / pair;
    for (uint32_t i = 0; i < d->n_ranges; i++) {
        d->range[i] = (vmm_port_range_t){ fdt32_to_cpu(p[2 * i]), fdt32_to_cpu(p[2 * i + 1]) };
        if (!check_range(c, node, d->range[i]))
            return false;
    }
    return true;
}

static bool check_irq(ctx_t *c, int node, uint32_t irq)
{
    if (irq >= PC_IRQ_LINES)
        return refuse(c, node, DT_PROP_INTERRUPTS, "line %u does not exist (0 to %u)", irq,
                      PC_IRQ_LINES - 1);
    if (irq == PC_IRQ_TIMER || irq == PC_IRQ_CASCADE)
        return refuse(c, node, DT_PROP_INTERRUPTS, "line %u is the timer's", irq);
    if (irq == PC_IRQ_COM1)
        return refuse(c, node, DT_PROP_INTERRUPTS, "line %u is COM1's, the VMM's console", irq);
    return true;
}

static bool read_irqs(ctx_t *c, int node, vmm_device_t *d)
{
    int len;
    const fdt32_t *p = fdt_getprop(c->fdt, node, DT_PROP_INTERRUPTS, &len);

    if (!p)
        return true;
    if (len == 0 || len % CELL_BYTES != 0 || len / CELL_BYTES > VMM_MAX_IRQS)
        return refuse(c, node, DT_PROP_INTERRUPTS, "must be 1 to %d cells", VMM_MAX_IRQS);
    d->n_irqs = len / CELL_BYTES;
    for (uint32_t i = 0; i < d->n_irqs; i++) {
        d->irq[i] = fdt32_to_cpu(p[i]);
        if (!check_irq(c, node, d->irq[i]))
            return false;
    }
    return true;
}

static bool read_device(ctx_t *c, int node, vmm_device_t *d)
{
    d->node = node;
    return node_name(c, node, d->name) && check_compatible(c, node, DT_COMPAT_IOPORTS) &&
           only_known_props(c, node, dev_props) &&
           read_one_guest_ref(c, node, DT_PROP_GUEST, &d->guest) && read_ports(c, node, d) &&
           read_irqs(c, node, d);
}

static bool read_devices(ctx_t *c, int parent)
{
    int node;

    fdt_for_each_subnode(node, c->fdt, parent) {
        if (c->out->n_devices == VMM_MAX_DEVICES)
            return refuse(c, node, "", "more than %d devices", VMM_MAX_DEVICES);
        if (!read_device(c, node, &c->out->device[c->out->n_devices]))
            return false;
        c->out->n_devices++;
    }
    return true;
}

/* ---- the whole --------------------------------------------------------- */

/* Node names are unique among siblings only with their unit addresses:
 * web@0 and web@1 would both print as "web". */
static bool unique_names(ctx_t *c)
{
    const vmm_config_t *o = c->out;

    for (uint32_t i = 0; i < o->n_guests; i++)
        for (uint32_t j = 0; j < i; j++)
            if (strcmp(o->guest[i].name, o->guest[j].name) == 0)
                return refuse(c, o->guest[i].node, "", "duplicate guest name '%s'",
                              o->guest[i].name);
    for (uint32_t i = 0; i < o->n_guests; i++)
        if (o->guest[i].policy == VMM_POLICY_UNACCOUNTED)
            for (uint32_t j = 0; j < i; j++)
                if (o->guest[j].policy == VMM_POLICY_UNACCOUNTED)
                    return refuse(c, o->guest[i].node, DT_PROP_POLICY, "a second unaccounted "
                                  "guest ('%s' already takes what is left)", o->guest[j].name);
    return true;
}

/* No port and no interrupt line is given twice, to two guests or one. */
static bool devices_disjoint(ctx_t *c)
{
    const vmm_config_t *o = c->out;

    for (uint32_t i = 0; i < o->n_devices; i++) {
        const vmm_device_t *d = &o->device[i];
        for (uint32_t j = 0; j < i; j++) {
            const vmm_device_t *e = &o->device[j];
            for (uint32_t a = 0; a < d->n_ranges; a++)
                for (uint32_t b = 0; b < e->n_ranges; b++)
                    if (d->range[a].base < e->range[b].base + e->range[b].count &&
                        e->range[b].base < d->range[a].base + d->range[a].count)
                        return refuse(c, d->node, DT_PROP_PORTS, "overlap those of "
                                      "/devices/%s (guest '%s')", e->name, o->guest[e->guest].name);
            for (uint32_t a = 0; a < d->n_irqs; a++)
                for (uint32_t b = 0; b < e->n_irqs; b++)
                    if (d->irq[a] == e->irq[b])
                        return refuse(c, d->node, DT_PROP_INTERRUPTS, "line %u is "
                                      "also given by /devices/%s", d->irq[a], e->name);
        }
    }
    return true;
}

uint64_t vmm_guest_cost(const vmm_guest_t *g)
{
    return g->memory + VMM_GUEST_OVERHEAD + (g->image.highest - g->image.lowest) +
           (g->policy == VMM_POLICY_MEDIATED ? VMM_MEDIATED_OVERHEAD : 0);
}

/* Everything the guests need against the free pool. */
static bool memory_fits(ctx_t *c, int guests)
{
    vmm_config_t *o = c->out;
    char a[24], b[24];

    o->bytes_needed = 0;
    for (uint32_t i = 0; i < o->n_guests; i++)
        o->bytes_needed += vmm_guest_cost(&o->guest[i]);
    for (uint32_t i = 0; i < o->n_channels; i++)
        o->bytes_needed += o->channel[i].kind == VMM_CHANNEL_SHM ? o->channel[i].size : 0;
    if (o->bytes_needed > c->m->free_bytes)
        return refuse(c, guests, DT_PROP_MEMORY, "guests need %s, %s is free",
                      fmt_size(a, sizeof(a), o->bytes_needed),
                      fmt_size(b, sizeof(b), c->m->free_bytes));
    return true;
}

static const char *const root_props[] = {
    DT_PROP_COMPATIBLE, DT_PROP_MODEL, DT_PROP_SCRIPT, NULL
};

/* console-script: one or more strings, each a command line. */
static bool read_script(ctx_t *c)
{
    int len;
    const char *s = fdt_getprop(c->fdt, 0, DT_PROP_SCRIPT, &len);

    if (!s)
        return true;
    if (len < 1 || s[len - 1] != '\0' || fdt_stringlist_count(c->fdt, 0, DT_PROP_SCRIPT) < 1)
        return refuse(c, 0, DT_PROP_SCRIPT, "must be a list of strings");
    c->out->script = s;
    c->out->script_len = (uint32_t)len;
    return true;
}

static bool read_root(ctx_t *c)
{
    int node;
    const char *model;

    if (!check_compatible(c, 0, DT_COMPAT_ROOT) || !only_known_props(c, 0, root_props) ||
        !get_string(c, 0, DT_PROP_MODEL, false, &model) || !read_script(c))
        return false;
    c->out->model = model ? model : "";
    fdt_for_each_subnode(node, c->fdt, 0) {
        const char *name = fdt_get_name(c->fdt, node, NULL);
        if (strcmp(name, DT_NODE_GUESTS) != 0 && strcmp(name, DT_NODE_CHANNELS) != 0 &&
            strcmp(name, DT_NODE_DEVICES) != 0)
            return refuse(c, node, "", "unknown node (expected guests, channels, devices)");
    }
    return true;
}

static bool tree_sound(ctx_t *c, uint32_t size)
{
    int e = fdt_check_header(c->fdt);

    if (size < sizeof(struct fdt_header) || e != 0)
        return refuse(c, -1, "", "not a flattened device tree: %s",
                      size < sizeof(struct fdt_header) ? "too short" : fdt_strerror(e));
    if (fdt_totalsize(c->fdt) > size)
        return refuse(c, -1, "", "truncated: header says %u bytes, module has %u",
                      fdt_totalsize(c->fdt), size);
    e = fdt_check_full(c->fdt, size);
    if (e != 0)
        return refuse(c, -1, "", "malformed device tree: %s", fdt_strerror(e));
    return true;
}

bool vmm_config_read(const void *fdt, uint32_t fdt_size, const vmm_machine_t *m,
                     vmm_config_t *out, vmm_config_error_t *err)
{
    ctx_t c = { fdt, m, out, err };
    int guests, node;

    memset(out, 0, sizeof(*out));
    memset(err, 0, sizeof(*err));
    if (!tree_sound(&c, fdt_size) || !read_root(&c))
        return false;
    guests = fdt_subnode_offset(fdt, 0, DT_NODE_GUESTS);
    if (guests < 0)
        return refuse(&c, 0, "", "no /%s node", DT_NODE_GUESTS);
    if (!read_guests(&c, guests) || !unique_names(&c))
        return false;
    node = fdt_subnode_offset(fdt, 0, DT_NODE_CHANNELS);
    if (node >= 0 && !read_channels(&c, node))
        return false;
    node = fdt_subnode_offset(fdt, 0, DT_NODE_DEVICES);
    if (node >= 0 && !read_devices(&c, node))
        return false;
    return devices_disjoint(&c) && memory_fits(&c, guests);
}
