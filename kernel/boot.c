/*
 * Building the root task, as seL4 does: the first multiboot module is a
 * static ELF executable. The kernel takes a block of free RAM for the
 * root task's objects (its CNode, TCB, page directory and page tables, ASID
 * pool, IPC buffer, bootinfo frames and a copy of its image), maps the
 * image followed by the IPC buffer, the bootinfo frame, the extra bootinfo
 * and the other modules, puts the initial capabilities in seL4's standard
 * slots, and hands every byte of memory it did not keep to the root task as
 * untyped capabilities listed in bootinfo. After this the kernel never
 * allocates again.
 *
 * Slot order (seL4): 1-11 fixed, then page tables (userImagePaging), extra
 * bootinfo frames, image frames, module frames (our extension), untypeds,
 * and the rest empty.
 */
#include <kernel/boot.h>
#include <lib/elf.h>
#include <kernel/state.h>
#include <kernel/cdt.h>
#include <kernel/sched.h>
#include <kernel/debug.h>
#include <kernel/tcb.h>
#include <abi/bootinfo.h>
#include <abi/objtype.h>
#include <arch/arch.h>
#include <arch/vspace.h>
#include <arch/memlayout.h>

#ifndef CONFIG_ROOT_CNODE_SIZE_BITS
#define CONFIG_ROOT_CNODE_SIZE_BITS 13
#endif
#define ROOT_PRIO           MAX_PRIO
#define IT_ASID             1           /* the root task's ASID, in pool 0 */
#define PHYS_TOP            (1ull << 32)
#define EXTRA_BI_MIN_BITS   PAGE_BITS


/* Boot allocation: a bump allocator over one block of free RAM. */
static paddr_t alloc_cur, alloc_end;

static void *boot_alloc(word_t size_bits)
{
    paddr_t p = ROUND_UP(alloc_cur, size_bits);
    if (p + BIT(size_bits) > alloc_end)
        panic("boot: ran out of boot memory");
    alloc_cur = p + BIT(size_bits);
    return paddr_to_kptr(p);
}

static void reserve(uint64_t start, uint64_t end)
{
    if (ks_num_reserved == MAX_RESERVED_RANGES)
        panic("boot: too many reserved ranges");
    ks_reserved[ks_num_reserved++] = (phys_range_t){ (paddr_t)start, (word_t)(end - start) };
}

static bool overlaps_reserved(uint64_t s, uint64_t e)
{
    for (word_t i = 0; i < ks_num_reserved; i++) {
        uint64_t rs = ks_reserved[i].base, re = rs + ks_reserved[i].size;
        if (s < re && rs < e)
            return true;
    }
    return false;
}

/* The lowest free range of `size` bytes (aligned to `align_bits`) in RAM
 * inside the kernel window, avoiding every reserved range. */
static paddr_t find_free(arch_boot_info_t *abi, word_t size, word_t align_bits)
{
    for (word_t i = 0; i < abi->n_ram; i++) {
        uint64_t s = ROUND_UP(abi->ram[i].start, align_bits);
        for (; s + size <= abi->ram[i].end && s + size <= PADDR_WINDOW_TOP; s += BIT(align_bits))
            if (!overlaps_reserved(s, s + size))
                return (paddr_t)s;
    }
    panic("boot: no free RAM for the root task's %u bytes of boot structures", size);
}

/* ---- capabilities in the root CNode ---- */

static cte_t *root_slots;
static word_t next_slot = NUM_INITIAL_CAPS;

static cte_t *slot_at(word_t i)
{
    if (i >= BIT(CONFIG_ROOT_CNODE_SIZE_BITS))
        panic("boot: root CNode too small for the initial capabilities (slot %u)", i);
    return &root_slots[i];
}

static word_t put_next(cap_t cap)
{
    cdt_insert_root(slot_at(next_slot), cap);
    return next_slot++;
}

/* ---- the root task's address space ---- */

typedef struct vspace_plan {
    vaddr_t img_lo, img_hi;     /* image, page aligned */
    vaddr_t ipcbuf, bootinfo, extra;
    word_t extra_bits;          /* extra bootinfo is 2^extra_bits bytes */
    vaddr_t modules;            /* first module's address */
    vaddr_t end;                /* end of everything mapped */
} vspace_plan_t;

static pde_t *root_pd;

static void map_page(vaddr_t v, paddr_t frame)
{
    pde_t *pde = &root_pd[PD_INDEX(v)];
    assert(pde_is_table(*pde));
    pte_t *pt = paddr_to_kptr(pde_table_paddr(*pde));
    pt[PT_INDEX(v)] = pte_make_user(frame, VM_READ_WRITE, 0);
}

static word_t map_frame_cap(vaddr_t v, paddr_t frame)
{
    map_page(v, frame);
    return put_next(cap_set_mapping(cap_frame_new(frame, false, VM_READ_WRITE, false), IT_ASID, v));
}

static void make_page_tables(const vspace_plan_t *vp, bi_slot_region_t *region)
{
    region->start = next_slot;
    for (vaddr_t v = vp->img_lo & ~MASK(LARGE_PAGE_BITS); v < vp->end; v += BIT(LARGE_PAGE_BITS)) {
        pte_t *pt = boot_alloc(PAGE_TABLE_BITS);
        root_pd[PD_INDEX(v)] = pde_make_table(kptr_to_paddr(pt), 0);
        put_next(cap_paging_set_mapped(cap_page_table_new(pt), true, IT_ASID, v));
        if (v + BIT(LARGE_PAGE_BITS) < v)
            break;
    }
    region->end = next_slot;
}

/* ---- extra bootinfo ---- */

static uint8_t *put_chunk(uint8_t *p, word_t id, const void *data, word_t len)
{
    bi_header_t h = { id, sizeof(h) + len };
    memcpy(p, &h, sizeof(h));
    memcpy(p + sizeof(h), data, len);
    return p + sizeof(h) + len;
}

/* Chunk 2 has seL4's fixed layout: the byte length, then the raw entries
 * (at most BI_MMAP_MAX_ENTRIES of them), zero-padded. */
static uint8_t *put_mmap_chunk(uint8_t *p, const arch_boot_info_t *abi)
{
    bi_mmap_t m;
    memset(&m, 0, sizeof(m));
    m.header = (bi_header_t){ BI_CHUNK_X86_MBMMAP, sizeof(m) };
    m.mmap_length = abi->mmap_len < sizeof(m.mmap) ? abi->mmap_len : sizeof(m.mmap);
    memcpy(m.mmap, abi->mmap, m.mmap_length);
    memcpy(p, &m, sizeof(m));
    return p + sizeof(m);
}

static word_t fdt_module(const arch_boot_info_t *abi)
{
    for (word_t i = 1; i < abi->n_modules; i++) {
        const uint8_t *m = paddr_to_kptr(abi->modules[i].start);
        if (abi->modules[i].end - abi->modules[i].start >= 4 &&
            m[0] == 0xd0 && m[1] == 0x0d && m[2] == 0xfe && m[3] == 0xed)
            return i;
    }
    return 0;
}

static word_t extra_size(const arch_boot_info_t *abi)
{
    word_t n = sizeof(bi_header_t) * 5 + sizeof(bi_mmap_t) + sizeof(ks_reserved) + abi->acpi_rsdp_len + sizeof(uint32_t) +
               sizeof(uint32_t) + abi->n_modules * sizeof(bi_module_desc_t);
    word_t f = fdt_module(abi);
    if (f)
        n += abi->modules[f].end - abi->modules[f].start;
    return n;
}

static word_t fill_extra(uint8_t *base, word_t size, const arch_boot_info_t *abi, const vspace_plan_t *vp,
                         word_t first_module_slot)
{
    uint8_t *p = base;
    if (abi->acpi_rsdp)
        p = put_chunk(p, BI_CHUNK_X86_ACPI_RSDP, paddr_to_kptr(abi->acpi_rsdp), abi->acpi_rsdp_len);
    p = put_mmap_chunk(p, abi);
    p = put_chunk(p, BI_CHUNK_X86_TSC_FREQ, &abi->tsc_mhz, sizeof(uint32_t));
    p = put_chunk(p, BI_CHUNK_KERNEL_RESERVED, ks_reserved, ks_num_reserved * sizeof(ks_reserved[0]));
    word_t f = fdt_module(abi);
    if (f)
        p = put_chunk(p, BI_CHUNK_FDT, paddr_to_kptr(abi->modules[f].start),
                      abi->modules[f].end - abi->modules[f].start);
    if (abi->n_modules > 1) {
        bi_header_t h = { BI_CHUNK_MODULES, sizeof(h) + sizeof(uint32_t) +
                          (abi->n_modules - 1) * sizeof(bi_module_desc_t) };
        uint32_t n = abi->n_modules - 1;
        memcpy(p, &h, sizeof(h));
        memcpy(p + sizeof(h), &n, sizeof(n));
        p += sizeof(h) + sizeof(n);
        vaddr_t v = vp->modules;
        word_t slot = first_module_slot;
        for (word_t i = 1; i < abi->n_modules; i++) {
            word_t sz = abi->modules[i].end - abi->modules[i].start;
            bi_module_desc_t d = { v, sz, slot, { 0 } };
            memcpy(d.name, abi->modules[i].name, sizeof(d.name) - 1);
            memcpy(p, &d, sizeof(d));
            p += sizeof(d);
            word_t pages = ROUND_UP(sz, PAGE_BITS) >> PAGE_BITS;
            v += pages << PAGE_BITS;
            slot += pages;
        }
    }
    /* The used length, then a padding chunk covering the rest (seL4). */
    word_t used = (word_t)(p - base);
    bi_header_t pad = { BI_CHUNK_PADDING, size - used };
    memcpy(p, &pad, sizeof(pad));
    return used + sizeof(pad);
}

/* ---- untypeds ---- */

#define BIT64(n) (1ull << (n))

static word_t block_bits(uint64_t s, uint64_t e)
{
    word_t bits = MAX_UNTYPED_BITS;
    while (bits > 0 && ((s & (BIT64(bits) - 1)) || s + BIT64(bits) > e))
        bits--;
    return bits;
}

static void add_untyped_range(bootinfo_t *bi, uint64_t s, uint64_t e, bool device)
{
    while (s < e) {
        word_t bits = block_bits(s, e);
        if (bits < MIN_UNTYPED_BITS) {
            s = ROUND_UP(s + 1, MIN_UNTYPED_BITS);
            continue;
        }
        word_t n = next_slot - bi->untyped.start;
        if (n == BOOTINFO_MAX_UNTYPED_CAPS) {
            printk("boot: warning: more than %u untypeds; %llx..%llx not handed out\n",
                   BOOTINFO_MAX_UNTYPED_CAPS, (unsigned long long)s, (unsigned long long)e);
            return;
        }
        /* Watermark at the top, as seL4 does: the first retype finds no
         * children, resets the untyped and so clears its memory first. */
        put_next(cap_ut_set_free(cap_untyped_new((paddr_t)s, bits, device, 0), (word_t)BIT64(bits)));
        bi->untyped_list[n] = (bi_untyped_desc_t){ (paddr_t)s, (uint8_t)bits, device, { 0, 0 } };
        s += BIT64(bits);
    }
}

/* Cut [s, e) around the reserved ranges and hand out what is left
 * (RAM, or device memory: the kernel keeps MMIO pages such as the local
 * APIC's and the IOAPIC's out of every device untyped, as seL4 does). */
static void add_unreserved(bootinfo_t *bi, uint64_t s, uint64_t e, bool device)
{
    while (s < e) {
        uint64_t cut_s = e, cut_e = e;
        for (word_t i = 0; i < ks_num_reserved; i++) {
            uint64_t rs = ks_reserved[i].base, re = rs + ks_reserved[i].size;
            if (re > s && rs < cut_s) {
                cut_s = rs < s ? s : rs;
                cut_e = re;
            }
        }
        if (cut_s > s)
            add_untyped_range(bi, s, cut_s, device);
        s = cut_e > s ? cut_e : e;
    }
}

/* RAM counts as RAM only inside the kernel window: as seL4 (x86
 * add_mem_p_regs) we clamp RAM ranges at the window's top and hand out
 * what lies above as device untypeds, so no RAM untyped straddles it. */
static uint64_t window_clip(uint64_t p)
{
    return p < PADDR_WINDOW_TOP ? p : PADDR_WINDOW_TOP;
}

static void make_untypeds(bootinfo_t *bi, const arch_boot_info_t *abi)
{
    bi->untyped.start = next_slot;
    /* Device untypeds: every physical range that is not RAM. */
    uint64_t prev = 0;
    for (word_t i = 0; i <= abi->n_ram; i++) {
        uint64_t s = i < abi->n_ram ? window_clip(abi->ram[i].start) : PHYS_TOP;
        if (s > prev)
            add_unreserved(bi, prev, s, true);
        if (i < abi->n_ram)
            prev = window_clip(abi->ram[i].end);
    }
    for (word_t i = 0; i < abi->n_ram; i++)
        add_unreserved(bi, window_clip(abi->ram[i].start), window_clip(abi->ram[i].end), false);
    bi->untyped.end = next_slot;
}

/* ---- putting it together ---- */

static void plan_vspace(const elf_image_t *img, const arch_boot_info_t *abi, vspace_plan_t *vp)
{
    vp->img_lo = img->lowest;
    vp->img_hi = img->highest;
    vp->ipcbuf = vp->img_hi;
    vp->bootinfo = vp->ipcbuf + BIT(PAGE_BITS);
    vp->extra = vp->bootinfo + BIT(PAGE_BITS);
    vp->extra_bits = EXTRA_BI_MIN_BITS;
    while (BIT(vp->extra_bits) < extra_size(abi))
        vp->extra_bits++;
    vp->modules = vp->extra + BIT(vp->extra_bits);
    vp->end = vp->modules;
    for (word_t i = 1; i < abi->n_modules; i++)
        vp->end += ROUND_UP(abi->modules[i].end - abi->modules[i].start, PAGE_BITS);
    if (vp->end > USER_TOP || vp->end < vp->img_lo)
        panic("boot: root task image and modules do not fit below 0x%x", USER_TOP);
}

static word_t boot_memory_needed(const vspace_plan_t *vp)
{
    word_t pts = ((vp->end - 1) >> LARGE_PAGE_BITS) - (vp->img_lo >> LARGE_PAGE_BITS) + 1;
    word_t frames = ((vp->img_hi - vp->img_lo) >> PAGE_BITS) + 2 + (BIT(vp->extra_bits) >> PAGE_BITS);
    return BIT(CONFIG_ROOT_CNODE_SIZE_BITS + SLOT_BITS) +
           (pts + frames + 3) * BIT(PAGE_BITS);      /* + PD, ASID pool, TCB */
}

static void load_image(const elf_image_t *img, const uint8_t *file, bi_slot_region_t *region)
{
    region->start = next_slot;
    for (vaddr_t v = img->lowest; v < img->highest; v += BIT(PAGE_BITS)) {
        uint8_t *frame = boot_alloc(PAGE_BITS);
        for (word_t i = 0; i < img->n_segments; i++) {
            const elf_segment_t *s = &img->seg[i];
            /* Copy the part of the segment's file data that falls in this page. */
            uint64_t lo = s->vaddr > v ? s->vaddr : v;
            uint64_t hi = (uint64_t)s->vaddr + s->file_size;
            if (hi > (uint64_t)v + BIT(PAGE_BITS))
                hi = (uint64_t)v + BIT(PAGE_BITS);
            if (lo < hi)
                memcpy(frame + (lo - v), file + s->file_offset + (lo - s->vaddr), hi - lo);
        }
        map_frame_cap(v, kptr_to_paddr(frame));
    }
    region->end = next_slot;
}

static void map_modules(const arch_boot_info_t *abi, vaddr_t v)
{
    for (word_t i = 1; i < abi->n_modules; i++)
        for (paddr_t p = abi->modules[i].start; p < abi->modules[i].end; p += BIT(PAGE_BITS), v += BIT(PAGE_BITS))
            map_frame_cap(v, p);
}

static tcb_t *make_root_tcb(const elf_image_t *img, const vspace_plan_t *vp, cap_t ipcbuf_cap)
{
    tcb_t *t = boot_alloc(TCB_BITS);
    /* Keep the 4 KiB the TCB sits in aligned for the page-granular steps after it. */
    boot_alloc(TCB_BITS);
    tcb_init_new(t);
    t->ctx.eip = img->entry;
    t->ctx.ebx = vp->bootinfo;
    t->priority = ROOT_PRIO;
    t->mcp = ROOT_PRIO;
    t->ipc_buffer = vp->ipcbuf;
    memcpy(t->name, "rootserver", sizeof("rootserver"));
    cdt_insert(slot_at(CAP_INIT_THREAD_CNODE), tcb_slot(t, TCB_SLOT_CTABLE),
               slot_at(CAP_INIT_THREAD_CNODE)->cap, false, false);
    cdt_insert(slot_at(CAP_INIT_THREAD_VSPACE), tcb_slot(t, TCB_SLOT_VTABLE),
               slot_at(CAP_INIT_THREAD_VSPACE)->cap, false, false);
    cdt_insert(slot_at(CAP_INIT_THREAD_IPC_BUFFER), tcb_slot(t, TCB_SLOT_BUFFER), ipcbuf_cap, false, false);
    cdt_insert_root(tcb_slot(t, TCB_SLOT_REPLY), cap_reply_new(t, true, true));
    cdt_insert_root(slot_at(CAP_INIT_THREAD_TCB), cap_tcb_new(t));
    t->state = TS_RUNNING;
    return t;
}

static void make_idle_thread(void)
{
    ks_idle_tcb.state = TS_IDLE;
    memcpy(ks_idle_tcb.name, "idle", sizeof("idle"));
    ks_idle_thread = &ks_idle_tcb;
}

static const uint8_t *root_elf(const arch_boot_info_t *abi, elf_image_t *img)
{
    if (abi->n_modules == 0)
        panic("boot: no root task: pass the root task ELF as the first multiboot module");
    const boot_module_t *m = &abi->modules[0];
    const uint8_t *file = paddr_to_kptr(m->start);
    if (!paddr_in_window(m->start, m->end - m->start))
        panic("boot: root task module lies above the kernel window");
    const char *err = elf_parse(file, m->end - m->start, USER_TOP, img);
    if (err)
        panic("boot: root task module '%s' is not a valid ELF executable: %s", m->name, err);
    return file;
}

static void print_summary(const bootinfo_t *bi, word_t boot_bytes)
{
    uint64_t ram = 0, dev = 0;
    for (word_t i = 0; i < bi->untyped.end - bi->untyped.start; i++) {
        uint64_t sz = BIT64(bi->untyped_list[i].size_bits);
        if (bi->untyped_list[i].is_device)
            dev += sz;
        else
            ram += sz;
    }
    printk("boot: %u untypeds: %llu bytes RAM, %llu bytes device; boot structures %u bytes\n",
           bi->untyped.end - bi->untyped.start, (unsigned long long)ram, (unsigned long long)dev,
           boot_bytes);
}

void kernel_boot(arch_boot_info_t *abi)
{
    elf_image_t img;
    const uint8_t *file = root_elf(abi, &img);
    vspace_plan_t vp;
    plan_vspace(&img, abi, &vp);

    word_t need = boot_memory_needed(&vp);
    alloc_cur = find_free(abi, need, CONFIG_ROOT_CNODE_SIZE_BITS + SLOT_BITS);
    alloc_end = alloc_cur + need;
    reserve(alloc_cur, alloc_end);
    arch_clear_memory(alloc_cur, need);

    /* Fixed capabilities. */
    root_slots = boot_alloc(CONFIG_ROOT_CNODE_SIZE_BITS + SLOT_BITS);
    cap_t cnode_cap = cap_cnode_new(root_slots, CONFIG_ROOT_CNODE_SIZE_BITS,
                                    WORD_BITS - CONFIG_ROOT_CNODE_SIZE_BITS, 0);
    cdt_insert_root(slot_at(CAP_INIT_THREAD_CNODE), cnode_cap);
    cdt_insert_root(slot_at(CAP_IO_PORT_CONTROL), cap_control_new(CONTROL_IO_PORT));
    cdt_insert_root(slot_at(CAP_DOMAIN), cap_control_new(CONTROL_DOMAIN));
    cdt_insert_root(slot_at(CAP_IRQ_CONTROL), cap_control_new(CONTROL_IRQ));

    /* Address space. */
    root_pd = boot_alloc(PAGE_DIR_BITS);
    arch_init_page_directory(root_pd);
    cdt_insert_root(slot_at(CAP_INIT_THREAD_VSPACE),
                    cap_paging_set_mapped(cap_page_directory_new(root_pd), true, IT_ASID, 0));
    bootinfo_t *bi = boot_alloc(PAGE_BITS);
    make_page_tables(&vp, &bi->user_image_paging);

    /* Bootinfo frame, extra bootinfo, IPC buffer, image, modules. */
    map_page(vp.bootinfo, kptr_to_paddr(bi));
    cdt_insert_root(slot_at(CAP_BOOT_INFO_FRAME),
                    cap_set_mapping(cap_frame_new(kptr_to_paddr(bi), false, VM_READ_WRITE, false),
                                    IT_ASID, vp.bootinfo));
    uint8_t *extra = boot_alloc(vp.extra_bits);
    bi->extra_bi_pages.start = next_slot;
    for (word_t off = 0; off < BIT(vp.extra_bits); off += BIT(PAGE_BITS))
        map_frame_cap(vp.extra + off, kptr_to_paddr(extra) + off);
    bi->extra_bi_pages.end = next_slot;
    void *ipcbuf = boot_alloc(PAGE_BITS);
    map_page(vp.ipcbuf, kptr_to_paddr(ipcbuf));
    cap_t ipcbuf_cap = cap_frame_new(kptr_to_paddr(ipcbuf), false, VM_READ_WRITE, false);
    cdt_insert_root(slot_at(CAP_INIT_THREAD_IPC_BUFFER), cap_set_mapping(ipcbuf_cap, IT_ASID, vp.ipcbuf));
    load_image(&img, file, &bi->user_image_frames);
    word_t first_module_slot = next_slot;
    map_modules(abi, vp.modules);
    bi->extra_len = fill_extra(extra, BIT(vp.extra_bits), abi, &vp, first_module_slot);

    /* ASIDs and the thread. */
    asid_pool_t *pool = boot_alloc(ASID_POOL_BITS);
    asid_boot_install(pool, 0, IT_ASID, root_pd);
    cdt_insert_root(slot_at(CAP_INIT_THREAD_ASID_POOL), cap_asid_pool_new(pool, 0));
    cdt_insert_root(slot_at(CAP_ASID_CONTROL), cap_control_new(CONTROL_ASID));
    tcb_t *root = make_root_tcb(&img, &vp, ipcbuf_cap);
    make_idle_thread();

    /* Everything else is the root task's, as untyped. */
    make_untypeds(bi, abi);
    bi->node_id = 0;
    bi->num_nodes = 1;
    bi->num_io_pt_levels = (uint32_t)-1;
    bi->ipc_buffer = vp.ipcbuf;
    bi->init_thread_cnode_size_bits = CONFIG_ROOT_CNODE_SIZE_BITS;
    bi->init_thread_domain = 0;
    bi->empty = (bi_slot_region_t){ next_slot, BIT(CONFIG_ROOT_CNODE_SIZE_BITS) };
    print_summary(bi, need);

    ks_cur_thread = root;
    ks_sched_action = SCHED_RESUME_CURRENT;
    arch_switch_to_thread(root);
}
