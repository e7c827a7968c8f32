/*
 * Where an ISA interrupt arrives, read from the ACPI tables at user level
 * as an seL4 platform library does: the RSDP the kernel copied into extra
 * bootinfo chunk 3 names the RSDT; the RSDT names the MADT, whose IOAPIC
 * entries give each IOAPIC's first GSI and whose interrupt source
 * overrides move an ISA IRQ to another GSI, trigger mode and polarity
 * (ACPI 6.x, 5.2.5 RSDP, 5.2.7 RSDT, 5.2.12 MADT).
 *
 * The tables sit in memory the kernel hands out as device untypeds. A page
 * is reached by halving the device untyped that covers it until a 4 KiB
 * untyped remains (each Retype of two halves takes the next free part of
 * the parent), then retyping that into a frame mapped read-only.
 */
#include "serial.h"
#include <string.h>

#define PAGE_BITS       12
#define PAGE_SIZE       (1u << PAGE_BITS)
#define MAP_BASE        0x58000000u
#define MAX_PIECES      (BOOTINFO_MAX_UNTYPED_CAPS + 64)
#define MAX_PAGES       16

#define RSDP_OFF_RSDT   16
#define SDT_HEADER_LEN  36
#define SDT_OFF_LENGTH  4
#define MADT_OFF_ENTRIES 44
#define MADT_IOAPIC     1
#define MADT_ISO        2
#define ISO_OFF_SOURCE  3
#define ISO_OFF_GSI     4
#define ISO_OFF_FLAGS   8
#define IOAPIC_OFF_GSI  8
#define ISO_POLARITY(f) ((f) & 3u)          /* 0 bus default, 1 high, 3 low */
#define ISO_TRIGGER(f)  (((f) >> 2) & 3u)   /* 0 bus default, 1 edge, 3 level */
#define MAX_TABLE_LEN   4096u
#define IOAPIC_PINS     24u

/* Untypeds we may still cut up: the boot list's device untypeds, then the
 * halves made from them. size_bits 0 marks a piece used up. */
static struct piece {
    seL4_CPtr cap;
    uint32_t paddr;
    uint8_t size_bits;
} pieces[MAX_PIECES];
static int n_pieces;

static struct page {
    uint32_t paddr;
    const uint8_t *vaddr;
} pages[MAX_PAGES];
static int n_pages;

static const char *acpi_err;

static void init_pieces(const bootinfo_t *bi)
{
    if (n_pieces)
        return;
    for (seL4_Word i = 0; i < bi->untyped.end - bi->untyped.start; i++) {
        const bi_untyped_desc_t *u = &bi->untyped_list[i];
        if (u->is_device && u->size_bits >= PAGE_BITS && n_pieces < MAX_PIECES)
            pieces[n_pieces++] = (struct piece){ bi->untyped.start + i, u->paddr, u->size_bits };
    }
}

static int covers(const struct piece *p, uint32_t paddr)
{
    return p->size_bits && paddr >= p->paddr &&
           (uint64_t)paddr - p->paddr < ((uint64_t)1 << p->size_bits);
}

/* Retypes one untyped of size_bits from ut into a new slot; 0 on failure. */
static seL4_CPtr cut(seL4_CPtr ut, seL4_Word type, seL4_Word size_bits)
{
    seL4_CPtr slot = st_slot(&mem);
    if (slot == 0 || seL4_Untyped_Retype(ut, type, size_bits, seL4_CapInitThreadCNode, 0, 0,
                                         slot, 1) != seL4_NoError)
        return 0;
    return slot;
}

/* The page holding paddr, mapped; NULL (acpi_err set) if it cannot be. */
static const uint8_t *map_page(uint32_t paddr)
{
    uint32_t base = paddr & ~(PAGE_SIZE - 1);
    for (int i = 0; i < n_pages; i++)
        if (pages[i].paddr == base)
            return pages[i].vaddr + (paddr - base);
    if (n_pages == MAX_PAGES) {
        acpi_err = "too many ACPI pages";
        return NULL;
    }
    /* The smallest piece covering it (later pieces are smaller halves). */
    int best = -1;
    for (int i = 0; i < n_pieces; i++)
        if (covers(&pieces[i], base) && (best < 0 || pieces[i].size_bits < pieces[best].size_bits))
            best = i;
    if (best < 0) {
        acpi_err = "no device untyped covers an ACPI table";
        return NULL;
    }
    while (pieces[best].size_bits > PAGE_BITS) {
        if (n_pieces + 2 > MAX_PIECES) {
            acpi_err = "out of untyped records";
            return NULL;
        }
        struct piece parent = pieces[best];
        uint8_t bits = parent.size_bits - 1;
        seL4_CPtr lo = cut(parent.cap, seL4_UntypedObject, bits);
        seL4_CPtr hi = lo ? cut(parent.cap, seL4_UntypedObject, bits) : 0;
        if (!hi) {
            acpi_err = "splitting a device untyped failed";
            return NULL;
        }
        pieces[best].size_bits = 0;
        pieces[n_pieces++] = (struct piece){ lo, parent.paddr, bits };
        pieces[n_pieces++] = (struct piece){ hi, parent.paddr + (1u << bits), bits };
        best = covers(&pieces[n_pieces - 2], base) ? n_pieces - 2 : n_pieces - 1;
    }
    seL4_CPtr frame = cut(pieces[best].cap, seL4_X86_4K, 0);
    uint32_t vaddr = MAP_BASE + (uint32_t)n_pages * PAGE_SIZE;
    if (!frame || st_map_frame(&mem, frame, vaddr, seL4_CanRead,
                               seL4_X86_Default_VMAttributes) != seL4_NoError) {
        acpi_err = "mapping an ACPI page failed";
        return NULL;
    }
    pieces[best].size_bits = 0;
    pages[n_pages++] = (struct page){ base, (const uint8_t *)(uintptr_t)vaddr };
    return (const uint8_t *)(uintptr_t)vaddr + (paddr - base);
}

/* Copies len bytes of physical memory at paddr; 0 on failure. */
static int phys_read(uint32_t paddr, void *buf, uint32_t len)
{
    uint8_t *out = buf;
    while (len) {
        const uint8_t *p = map_page(paddr);
        if (!p)
            return 0;
        uint32_t n = PAGE_SIZE - (paddr & (PAGE_SIZE - 1));
        if (n > len)
            n = len;
        memcpy(out, p, n);
        out += n;
        paddr += n;
        len -= n;
    }
    return 1;
}

static uint32_t get32(const uint8_t *p)
{
    return p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* A whole table with a valid checksum into buf; its length, or 0. */
static uint32_t read_table(uint32_t paddr, uint8_t *buf, const char *sig)
{
    if (!phys_read(paddr, buf, SDT_HEADER_LEN))
        return 0;
    uint32_t len = get32(buf + SDT_OFF_LENGTH);
    if (sig && memcmp(buf, sig, 4) != 0)
        return 0;
    if (len < SDT_HEADER_LEN || len > MAX_TABLE_LEN) {
        acpi_err = "ACPI table length out of range";
        return 0;
    }
    if (!phys_read(paddr, buf, len))
        return 0;
    uint8_t sum = 0;
    for (uint32_t i = 0; i < len; i++)
        sum += buf[i];
    if (sum != 0) {
        acpi_err = "ACPI table checksum wrong";
        return 0;
    }
    return len;
}

static const uint8_t *find_rsdp(const bootinfo_t *bi)
{
    const uint8_t *extra = (const uint8_t *)bi + PAGE_SIZE;
    uint32_t off = 0;
    while (off + sizeof(bi_header_t) <= bi->extra_len) {
        const bi_header_t *h = (const void *)(extra + off);
        if (h->len < sizeof(*h))
            break;
        if (h->id == BI_CHUNK_X86_ACPI_RSDP && h->len >= sizeof(*h) + 20)
            return (const uint8_t *)(h + 1);
        off += h->len;
    }
    return NULL;
}

static uint8_t rsdt[MAX_TABLE_LEN], madt[MAX_TABLE_LEN];

const char *acpi_isa_route(const bootinfo_t *bi, uint32_t isa_irq, isa_route_t *r)
{
    acpi_err = NULL;
    init_pieces(bi);
    const uint8_t *rsdp = find_rsdp(bi);
    if (!rsdp || memcmp(rsdp, "RSD PTR ", 8) != 0)
        return "no RSDP in extra bootinfo";
    uint32_t rlen = read_table(get32(rsdp + RSDP_OFF_RSDT), rsdt, "RSDT");
    if (!rlen)
        return acpi_err ? acpi_err : "no RSDT";
    uint32_t mlen = 0;
    for (uint32_t off = SDT_HEADER_LEN; off + 4 <= rlen && !mlen; off += 4) {
        uint8_t head[SDT_HEADER_LEN];
        uint32_t at = get32(rsdt + off);
        if (!phys_read(at, head, sizeof(head)))
            return acpi_err;
        if (memcmp(head, "APIC", 4) == 0)
            mlen = read_table(at, madt, "APIC");
    }
    if (!mlen)
        return acpi_err ? acpi_err : "no MADT";

    /* ISA default: GSI = IRQ, edge, active high; an override may move it. */
    *r = (isa_route_t){ .gsi = isa_irq, .level = 0, .active_low = 0 };
    uint32_t gsi_base[8];
    int n_ioapics = 0;
    for (uint32_t off = MADT_OFF_ENTRIES; off + 2 <= mlen; ) {
        const uint8_t *e = madt + off;
        if (e[1] < 2 || off + e[1] > mlen)
            return "MADT entry length wrong";
        if (e[0] == MADT_IOAPIC && e[1] >= 12 && n_ioapics < 8)
            gsi_base[n_ioapics++] = get32(e + IOAPIC_OFF_GSI);
        if (e[0] == MADT_ISO && e[1] >= 10 && e[ISO_OFF_SOURCE] == isa_irq) {
            uint32_t flags = e[ISO_OFF_FLAGS] | (uint32_t)e[ISO_OFF_FLAGS + 1] << 8;
            r->gsi = get32(e + ISO_OFF_GSI);
            r->overridden = 1;
            r->level = ISO_TRIGGER(flags) == 3;
            r->active_low = ISO_POLARITY(flags) == 3;
        }
        off += e[1];
    }
    /* The kernel numbers IOAPICs in MADT order, as seL4 does. */
    for (int i = 0; i < n_ioapics; i++) {
        if (r->gsi >= gsi_base[i] && r->gsi - gsi_base[i] < IOAPIC_PINS) {
            r->ioapic = (uint32_t)i;
            r->pin = r->gsi - gsi_base[i];
            return NULL;
        }
    }
    return "no IOAPIC serves the GSI";
}
