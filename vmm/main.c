/*
 * Demo root task for `make run`, until the VMM exists: prints what the
 * kernel handed over in bootinfo -- every untyped with its physical range
 * and kind, RAM and device totals, the slot regions, and the extra bootinfo
 * chunks that follow the bootinfo frame -- then stops with DebugHalt.
 *
 * The extra bootinfo starts one page after the bootinfo frame; extraLen
 * bytes of {id, len} chunks (len includes the header), ended by a padding
 * chunk (id 0).
 */
#include <rt/rt.h>
#include <sel4/sel4.h>
#include <stdio.h>
#include <stdint.h>

#define FDT_MAGIC 0xd00dfeedu

static uint32_t be32(const void *p)
{
    const uint8_t *b = p;

    return ((uint32_t)b[0] << 24) | ((uint32_t)b[1] << 16) | ((uint32_t)b[2] << 8) | b[3];
}

static void print_region(const char *name, bi_slot_region_t r)
{
    printf("  %-18s [%5u, %5u)  %u slots\n", name, r.start, r.end,
           r.end >= r.start ? r.end - r.start : 0);
}

static void print_untypeds(const bootinfo_t *bi)
{
    uint64_t ram = 0, dev = 0;
    uint32_t n = bi->untyped.end - bi->untyped.start;

    printf("untypeds: %u (slots %u..%u)\n", n, bi->untyped.start, bi->untyped.end);
    for (uint32_t i = 0; i < n && i < BOOTINFO_MAX_UNTYPED_CAPS; i++) {
        const bi_untyped_desc_t *u = &bi->untyped_list[i];
        uint64_t size = (uint64_t)1 << u->size_bits;

        printf("  slot %5u  paddr 0x%08x-0x%08llx  2^%-2u  %s\n", bi->untyped.start + i,
               u->paddr, (unsigned long long)(u->paddr + size - 1), u->size_bits,
               u->is_device ? "device" : "ram");
        if (u->is_device)
            dev += size;
        else
            ram += size;
    }
    printf("untyped RAM: %llu bytes (%llu KiB), device: %llu bytes (%llu KiB)\n",
           (unsigned long long)ram, (unsigned long long)(ram >> 10),
           (unsigned long long)dev, (unsigned long long)(dev >> 10));
}

/* Chunk 2 (seL4_X86_BootInfo_mmap_t): the byte length of the multiboot
 * memory map, then its entries; `size` excludes itself. */
static void print_mmap(const bi_mmap_t *m)
{
    const uint8_t *p = (const uint8_t *)m->mmap;
    const uint8_t *end = p + m->mmap_length;

    while (p + sizeof(bi_mmap_entry_t) <= end) {
        const bi_mmap_entry_t *e = (const void *)p;

        printf("      0x%016llx +0x%llx type %u\n", (unsigned long long)e->base_addr,
               (unsigned long long)e->length, e->type);
        if (e->size == 0)
            break;
        p += e->size + sizeof(e->size);
    }
}

static void print_modules(const uint8_t *p, uint32_t len)
{
    uint32_t count = len >= 4 ? *(const uint32_t *)p : 0;
    const bi_module_desc_t *m = (const void *)(p + 4);

    for (uint32_t i = 0; i < count && 4 + (i + 1) * sizeof(*m) <= len; i++)
        printf("      '%.52s' at 0x%08x, %u bytes, frames from slot %u\n", m[i].name,
               m[i].vaddr, m[i].size, m[i].first_slot);
}

static void print_ranges(const uint8_t *p, uint32_t len)
{
    const bi_phys_range_t *r = (const void *)p;

    for (uint32_t i = 0; (i + 1) * sizeof(*r) <= len; i++)
        printf("      0x%08x +0x%x\n", r[i].base, r[i].size);
}

static const char *chunk_name(uint32_t id)
{
    switch (id) {
    case BI_CHUNK_PADDING: return "padding";
    case BI_CHUNK_X86_VBE: return "VBE";
    case BI_CHUNK_X86_MBMMAP: return "multiboot memory map";
    case BI_CHUNK_X86_ACPI_RSDP: return "ACPI RSDP";
    case BI_CHUNK_X86_FRAMEBUFFER: return "framebuffer";
    case BI_CHUNK_X86_TSC_FREQ: return "TSC frequency";
    case BI_CHUNK_FDT: return "device tree";
    case BI_CHUNK_MODULES: return "boot modules, ours";
    case BI_CHUNK_KERNEL_RESERVED: return "kernel-reserved ranges, ours";
    default: return "unknown";
    }
}

static void print_chunk(const bi_header_t *h)
{
    const uint8_t *body = (const uint8_t *)(h + 1);
    uint32_t blen = h->len - sizeof(*h);

    printf("  chunk id %u (%s), %u bytes\n", h->id, chunk_name(h->id), h->len);
    if (h->id == BI_CHUNK_X86_TSC_FREQ && blen >= 4)
        printf("      %u MHz\n", *(const uint32_t *)body);
    else if (h->id == BI_CHUNK_X86_ACPI_RSDP && blen >= 20)
        printf("      signature %.8s, revision %u\n", (const char *)body, body[15]);
    else if (h->id == BI_CHUNK_FDT && blen >= 8)
        printf("      magic 0x%08x (%s), totalsize %u\n", be32(body),
               be32(body) == FDT_MAGIC ? "ok" : "bad", be32(body + 4));
    else if (h->id == BI_CHUNK_X86_MBMMAP && h->len >= sizeof(bi_mmap_t))
        print_mmap((const bi_mmap_t *)h);
    else if (h->id == BI_CHUNK_MODULES)
        print_modules(body, blen);
    else if (h->id == BI_CHUNK_KERNEL_RESERVED)
        print_ranges(body, blen);
}

static void print_extra(const bootinfo_t *bi)
{
    const uint8_t *extra = (const uint8_t *)bi + (1u << seL4_PageBits);
    uint32_t off = 0;

    printf("extra bootinfo: %u bytes at %p\n", bi->extra_len, (const void *)extra);
    while (off + sizeof(bi_header_t) <= bi->extra_len) {
        const bi_header_t *h = (const void *)(extra + off);

        if (h->len < sizeof(*h)) {
            printf("  chunk at +%u has bad length %u: stop\n", off, h->len);
            break;
        }
        print_chunk(h);
        if (h->id == BI_CHUNK_PADDING)
            break;
        off += h->len;
    }
}

int main(bootinfo_t *bi)
{
    printf("\nvmm: demo root task, bootinfo at %p, IPC buffer at 0x%08x\n", (void *)bi,
           bi->ipc_buffer);
    printf("node %u of %u, IO page-table levels %d, root CNode 2^%u slots, domain %u\n",
           bi->node_id, bi->num_nodes, (int)bi->num_io_pt_levels,
           bi->init_thread_cnode_size_bits, bi->init_thread_domain);
    printf("slot regions:\n");
    print_region("empty", bi->empty);
    print_region("sharedFrames", bi->shared_frames);
    print_region("userImageFrames", bi->user_image_frames);
    print_region("userImagePaging", bi->user_image_paging);
    print_region("ioSpaceCaps", bi->io_space_caps);
    print_region("extraBIPages", bi->extra_bi_pages);
    print_region("untyped", bi->untyped);
    print_untypeds(bi);
    print_extra(bi);
    printf("vmm: done, halting\n");
    seL4_DebugHalt();
    return 0;
}
