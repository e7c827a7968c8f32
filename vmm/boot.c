/*
 * Finding the VMM's inputs in what the kernel handed over. The extra
 * bootinfo starts one page after the bootinfo frame and holds {id, len}
 * chunks (len includes the header) ended by a padding chunk; chunk 0x40
 * (docs/api.md) lists the boot modules after the root task. A module's name
 * is its multiboot command line; under QEMU's -initrd that is the file's
 * path, so the VMM names a module by the last component of it, up to the
 * first blank, and the configuration says `kernel = "guest-stub.elf"`.
 *
 * The configuration is found by content, not by name: the first module
 * whose first word is the flattened-device-tree magic. It is read in place
 * (no copy, no size limit); chunk 6, the kernel's copy of the same tree,
 * is not used.
 */
#include <vmm/boot.h>
#include <sel4/sel4.h>
#include <string.h>

#define FDT_MAGIC_BE    0xd00dfeedu

static const bi_header_t *find_chunk(const bootinfo_t *bi, uint32_t id)
{
    const uint8_t *extra = (const uint8_t *)bi + (1u << seL4_PageBits);
    uint32_t off = 0;

    while (off + sizeof(bi_header_t) <= bi->extra_len) {
        const bi_header_t *h = (const void *)(extra + off);
        if (h->len < sizeof(*h) || h->id == BI_CHUNK_PADDING)
            return NULL;
        if (h->id == id)
            return h;
        off += h->len;
    }
    return NULL;
}

/* "build/guest-stub/guest-stub.elf arg" -> "guest-stub.elf" */
static void module_name(char *dst, size_t n, const char *cmdline, size_t max)
{
    size_t len = strnlen(cmdline, max), start = 0, end;

    for (end = 0; end < len && cmdline[end] != ' '; end++)
        if (cmdline[end] == '/')
            start = end + 1;
    len = end - start < n - 1 ? end - start : n - 1;
    memcpy(dst, cmdline + start, len);
    dst[len] = '\0';
}

uint32_t vmm_boot_modules(const bootinfo_t *bi, vmm_module_t *mods)
{
    const bi_header_t *h = find_chunk(bi, BI_CHUNK_MODULES);
    const uint8_t *body = (const uint8_t *)(h + 1);
    uint32_t len, count, n = 0;

    if (!h)
        return 0;
    len = h->len - sizeof(*h);
    count = len >= sizeof(uint32_t) ? *(const uint32_t *)body : 0;
    const bi_module_desc_t *d = (const void *)(body + sizeof(uint32_t));
    for (uint32_t i = 0; i < count && n < VMM_MAX_MODULES; i++) {
        if (sizeof(uint32_t) + (i + 1) * sizeof(*d) > len)
            break;
        module_name(mods[n].name, sizeof(mods[n].name), d[i].name, sizeof(d[i].name));
        mods[n].data = (const uint8_t *)(uintptr_t)d[i].vaddr;
        mods[n].size = d[i].size;
        mods[n].first_slot = d[i].first_slot;
        n++;
    }
    return n;
}

static uint32_t be32(const uint8_t *b)
{
    return ((uint32_t)b[0] << 24) | ((uint32_t)b[1] << 16) | ((uint32_t)b[2] << 8) | b[3];
}

const vmm_module_t *vmm_boot_config(const vmm_module_t *mods, uint32_t n)
{
    for (uint32_t i = 0; i < n; i++)
        if (mods[i].size >= sizeof(uint32_t) && be32(mods[i].data) == FDT_MAGIC_BE)
            return &mods[i];
    return NULL;
}

uint64_t vmm_boot_free_bytes(const bootinfo_t *bi)
{
    uint64_t ram = 0;
    uint32_t n = bi->untyped.end - bi->untyped.start;

    for (uint32_t i = 0; i < n && i < BOOTINFO_MAX_UNTYPED_CAPS; i++)
        if (!bi->untyped_list[i].is_device)
            ram += (uint64_t)1 << bi->untyped_list[i].size_bits;
    return ram > VMM_RESERVE_BYTES ? ram - VMM_RESERVE_BYTES : 0;
}

uint32_t vmm_boot_tsc_mhz(const bootinfo_t *bi)
{
    const bi_header_t *h = find_chunk(bi, BI_CHUNK_X86_TSC_FREQ);

    return h && h->len >= sizeof(*h) + sizeof(uint32_t) ? *(const uint32_t *)(h + 1) : 0;
}
