/*
 * Bringing up the pc99 platform at boot: the interrupt hardware a PC has
 * and seL4's pc99 configuration uses. The firmware's ACPI tables say where
 * it is: find the RSDP in low memory, follow it to the root table and the
 * MADT, then map the local APIC and the IOAPIC into the kernel's device
 * window (the last 4 MiB of the address space, one page table shared by
 * every address space, set up before the first page directory is copied),
 * silence the 8259, reset the IOAPIC, and start the local APIC timer as the
 * kernel's tick after measuring it against the PIT.
 *
 * What the root task needs from this goes into the boot information: the
 * RSDP (extra-bootinfo chunk 3), the TSC frequency in MHz (chunk 5), and
 * the MMIO pages the kernel keeps for itself, which no device untyped may
 * cover (ks_reserved). The ACPI tables themselves lie in memory the
 * firmware marks as not RAM, so they reach the root task in device
 * untypeds, as seL4 hands them out.
 *
 * ACPI tables may sit anywhere below 4 GiB (QEMU puts them at the top of
 * RAM), beyond the kernel window, so they are read through scratch
 * mappings in the device window, which are removed again before the root
 * task exists.
 */
#include <arch/pc99.h>
#include <arch/acpi.h>
#include <arch/apic.h>
#include <arch/ioapic.h>
#include <arch/irq_x86.h>
#include <arch/pic.h>
#include <arch/traps.h>
#include <arch/machine.h>
#include <arch/memlayout.h>
#include <arch/mmu.h>
#include <arch/vspace.h>
#include <kernel/debug.h>
#include <kernel/sched.h>
#include <kernel/state.h>
#include <abi/objtype.h>

#define PAGE_SIZE_4K        BIT(PAGE_BITS)
#define KDEV_PTE_MMIO       (PG_PRESENT | PG_WRITE | PG_PCD | PG_PWT | PG_GLOBAL)
#define KDEV_PTE_RAM        (PG_PRESENT | PG_GLOBAL)
#define KDEV_PDE            (PG_PRESENT | PG_WRITE)
#define BDA_WORD_BYTES      2u
#define ONE_MIB             0x100000u
#define MIB_SHIFT           20u

/* The device window's page table (hardware structure, set up once at boot). */
static pte_t kdev_pt[PT_ENTRIES] __attribute__((aligned(1u << PAGE_BITS)));

static void kdev_map(vaddr_t v, paddr_t p, pte_t flags)
{
    kdev_pt[PT_INDEX(v)] = (p & PTE_ADDR_MASK) | flags;
    invlpg(v);
}

static void kdev_init(void)
{
    /* Replaces the last 4 MiB page of the kernel window (multiboot.S). */
    ia32_kernel_pd[PD_INDEX(KERNEL_DEV_BASE)] = kptr_to_paddr(kdev_pt) | KDEV_PDE;
    invlpg(KERNEL_DEV_BASE);
}

/* len bytes of physical memory at p, readable until the next call: the
 * kernel window if it reaches, else scratch mappings. NULL if too long. */
static const uint8_t *map_phys(paddr_t p, word_t len)
{
    if (paddr_in_window(p, len))
        return paddr_to_kptr(p);
    paddr_t first = p & ~MASK(PAGE_BITS);
    uint64_t end = (uint64_t)p + len;
    word_t pages = (word_t)((end - first + PAGE_SIZE_4K - 1) >> PAGE_BITS);
    if (len == 0 || end > (1ull << WORD_BITS) || pages > KDEV_SCRATCH_PAGES)
        return NULL;
    for (word_t i = 0; i < pages; i++)
        kdev_map(KDEV_SCRATCH + i * PAGE_SIZE_4K, first + i * PAGE_SIZE_4K, KDEV_PTE_RAM);
    return (const uint8_t *)(uintptr_t)(KDEV_SCRATCH + (p - first));
}

static void scratch_clear(void)
{
    for (word_t i = 0; i < KDEV_SCRATCH_PAGES; i++) {
        vaddr_t v = KDEV_SCRATCH + i * PAGE_SIZE_4K;
        if (kdev_pt[PT_INDEX(v)]) {
            kdev_pt[PT_INDEX(v)] = 0;
            invlpg(v);
        }
    }
}

/* ---- ACPI discovery ---- */

static bool rsdp_scan(paddr_t start, word_t len, paddr_t *at, acpi_rsdp_info_t *r)
{
    word_t off;
    if (acpi_rsdp_scan(map_phys(start, len), len, &off, r) != NULL)
        return false;
    *at = start + off;
    return true;
}

/* ACPI 5.2.5.1: the first KiB of the EBDA, then the BIOS ROM area. */
static paddr_t find_rsdp(acpi_rsdp_info_t *r)
{
    const uint8_t *bda = map_phys(ACPI_EBDA_SEG_PADDR, BDA_WORD_BYTES);
    paddr_t ebda = (paddr_t)(bda[0] | (bda[1] << 8)) << REAL_MODE_SEG_SHIFT;
    paddr_t at;
    if (ebda && ebda + ACPI_EBDA_SCAN_LEN <= ONE_MIB && rsdp_scan(ebda, ACPI_EBDA_SCAN_LEN, &at, r))
        return at;
    if (rsdp_scan(ACPI_BIOS_ROM_START, ACPI_BIOS_ROM_END - ACPI_BIOS_ROM_START, &at, r))
        return at;
    panic("pc99: no ACPI RSDP (signature \"RSD PTR \" with a valid checksum) in the EBDA "
          "or at 0xE0000-0xFFFFF: firmware without ACPI is not supported");
}

/* A whole table at p, checked against sig; NULL (and a message) if bad. */
static const uint8_t *map_table(paddr_t p, const char *sig, word_t *len)
{
    const uint8_t *h = map_phys(p, ACPI_HDR_LEN);
    const char *err = h ? acpi_table_length(h, ACPI_HDR_LEN, len) : "unmappable address";
    const uint8_t *t = err ? NULL : map_phys(p, *len);
    if (!err)
        err = t ? acpi_table_check(t, *len, sig) : "unmappable length";
    if (err) {
        printk("pc99: ACPI table %s at %x: %s\n", sig, p, err);
        return NULL;
    }
    return t;
}

static bool is_sig(paddr_t p, const char *sig)
{
    const uint8_t *h = map_phys(p, ACPI_SIG_LEN);
    return h && memcmp(h, sig, ACPI_SIG_LEN) == 0;
}

static void read_madt(const acpi_rsdp_info_t *r, acpi_madt_t *madt)
{
    bool xsdt = r->rsdt == 0;
    paddr_t root = xsdt ? (paddr_t)r->xsdt : r->rsdt;
    const char *sig = xsdt ? ACPI_SIG_XSDT : ACPI_SIG_RSDT;
    if (xsdt && r->xsdt > UINT32_MAX)
        panic("pc99: ACPI XSDT above 4 GiB (%llx) cannot be read", (unsigned long long)r->xsdt);
    word_t len, n;
    uint32_t entries[ACPI_MAX_RSDT_ENTRIES];
    const uint8_t *t = map_table(root, sig, &len);
    const char *err = t ? acpi_sdt_entries(t, len, xsdt, entries, ACPI_MAX_RSDT_ENTRIES, &n)
                        : "missing or corrupt (see above)";
    if (err)
        panic("pc99: ACPI %s at %x: %s", sig, root, err);
    for (word_t i = 0; i < n; i++) {
        if (!is_sig(entries[i], ACPI_SIG_MADT))
            continue;
        t = map_table(entries[i], ACPI_SIG_MADT, &len);
        err = t ? acpi_madt_parse(t, len, madt) : "corrupt (see above)";
        if (err)
            panic("pc99: ACPI MADT at %x: %s", entries[i], err);
        printk("pc99: ACPI %s at %x, MADT at %x: %u CPU(s), %u IOAPIC(s), %u override(s)%s\n",
               sig, root, entries[i], madt->n_cpus, madt->n_ioapics, madt->n_overrides,
               madt->flags & MADT_FLAG_PCAT_COMPAT ? ", 8259 present" : "");
        return;
    }
    panic("pc99: ACPI %s at %x lists no MADT (\"APIC\"): cannot find the IOAPIC", sig, root);
}

static void print_overrides(const acpi_madt_t *madt)
{
    for (word_t irq = 0; irq < ISA_NUM_IRQS; irq++) {
        acpi_isa_route_t rt = acpi_isa_route(madt, irq);
        if (rt.gsi != irq || rt.level || rt.active_low)
            printk("pc99: ISA IRQ %u -> GSI %u, %s, active %s\n", irq, rt.gsi,
                   rt.level ? "level" : "edge", rt.active_low ? "low" : "high");
    }
}

/* ---- putting it together ---- */

static void reserve_mmio(paddr_t p)
{
    if (ks_num_reserved == MAX_RESERVED_RANGES)
        panic("pc99: too many reserved ranges");
    ks_reserved[ks_num_reserved++] = (phys_range_t){ p & ~MASK(PAGE_BITS), PAGE_SIZE_4K };
}

void pc99_init(arch_boot_info_t *bi)
{
    kdev_init();
    pic_disable();

    acpi_rsdp_info_t rsdp;
    paddr_t rsdp_paddr = find_rsdp(&rsdp);
    printk("pc99: ACPI RSDP at %x, revision %u\n", rsdp_paddr, rsdp.revision);
    acpi_madt_t madt;
    read_madt(&rsdp, &madt);
    print_overrides(&madt);
    scratch_clear();

    paddr_t lapic = apic_probe((paddr_t)madt.lapic_paddr);
    kdev_map(KDEV_LAPIC, lapic, KDEV_PTE_MMIO);
    reserve_mmio(lapic);
    word_t n = madt.n_ioapics < MAX_NUM_IOAPIC ? madt.n_ioapics : MAX_NUM_IOAPIC;
    for (word_t i = 0; i < n; i++) {
        kdev_map(KDEV_IOAPIC(i), madt.ioapics[i].paddr, KDEV_PTE_MMIO);
        reserve_mmio(madt.ioapics[i].paddr);
    }
    ioapic_init(&madt, apic_id());

    word_t apic_khz, tsc_mhz;
    apic_calibrate(&apic_khz, &tsc_mhz);
    printk("pc99: local APIC at %x, timer %u kHz (tick %u ms), TSC %u MHz\n", lapic, apic_khz,
           TIMER_TICK_MS, tsc_mhz);
    apic_init(apic_khz, TIMER_TICK_MS, VEC_TIMER, VEC_SPURIOUS);
    ks_irq_state[IRQ_X86_TIMER] = IRQ_TIMER;

    bi->acpi_rsdp = rsdp_paddr;
    /* seL4 copies its whole acpi_rsdp_t (the 36-byte ACPI 2.0 layout),
     * whatever the revision. */
    bi->acpi_rsdp_len = ACPI_RSDP_V2_LEN;
    bi->tsc_mhz = tsc_mhz;
}
