/*
 * Boot on a PC: read what the multiboot loader tells us (memory map,
 * modules), set up the CPU (segments, interrupts, FPU, sysenter), the pc99
 * interrupt hardware and the timer (pc99.c), then let kernel_boot() build
 * the root task and leave the kernel into it. Everything read from the loader is checked: a missing
 * memory map or root task stops the boot with a message saying so.
 */
#include <kernel/boot.h>
#include <kernel/state.h>
#include <kernel/debug.h>
#include <kernel/sched.h>
#include <arch/arch.h>
#include <arch/gdt.h>
#include <arch/traps.h>
#include <arch/pc99.h>
#include <arch/serial.h>
#include <arch/machine.h>
#include <arch/memlayout.h>
#include <arch/vspace.h>
#include <abi/objtype.h>

#define MB_FLAG_MEM     (1u << 0)
#define MB_FLAG_CMDLINE (1u << 2)
#define MB_FLAG_MODS    (1u << 3)
#define MB_FLAG_MMAP    (1u << 6)
#define MB_MMAP_RAM     1
#define KIB             1024u
#define MIN_RAM_BYTES   (4u << 20)

typedef struct multiboot_info {
    uint32_t flags, mem_lower, mem_upper, boot_device, cmdline, mods_count, mods_addr;
    uint32_t syms[4];
    uint32_t mmap_length, mmap_addr;
} __attribute__((packed)) multiboot_info_t;

typedef struct multiboot_module {
    uint32_t start, end, string, reserved;
} __attribute__((packed)) multiboot_module_t;

typedef struct multiboot_mmap {
    uint32_t size;
    uint64_t addr, len;
    uint32_t type;
} __attribute__((packed)) multiboot_mmap_t;

extern char ki_phys_start[], ki_phys_end[];
static arch_boot_info_t boot_info;

void boot_main(paddr_t mbi_paddr);

static const void *phys(paddr_t p, word_t len, const char *what)
{
    if (!paddr_in_window(p, len))
        panic("boot: multiboot %s at %x lies outside the kernel window", what, p);
    return paddr_to_kptr(p);
}

static void add_ram(uint64_t s, uint64_t e)
{
    if (e > (1ull << 32))
        e = 1ull << 32;
    if (s >= e)
        return;
    if (boot_info.n_ram == BOOT_MAX_REGIONS)
        panic("boot: too many memory regions in the multiboot memory map");
    /* Keep the list sorted and merged. */
    word_t i = boot_info.n_ram;
    while (i > 0 && boot_info.ram[i - 1].start > s) {
        boot_info.ram[i] = boot_info.ram[i - 1];
        i--;
    }
    boot_info.ram[i] = (boot_region_t){ s, e };
    boot_info.n_ram++;
    for (word_t j = 0; j + 1 < boot_info.n_ram;) {
        if (boot_info.ram[j].end >= boot_info.ram[j + 1].start) {
            if (boot_info.ram[j + 1].end > boot_info.ram[j].end)
                boot_info.ram[j].end = boot_info.ram[j + 1].end;
            for (word_t k = j + 1; k + 1 < boot_info.n_ram; k++)
                boot_info.ram[k] = boot_info.ram[k + 1];
            boot_info.n_ram--;
        } else {
            j++;
        }
    }
}

static void read_memory_map(const multiboot_info_t *mbi)
{
    if (!(mbi->flags & MB_FLAG_MMAP))
        panic("boot: the loader passed no memory map (multiboot flag 6)");
    if (mbi->mmap_length > BOOT_MMAP_MAX_BYTES)
        panic("boot: multiboot memory map too large (%u bytes)", mbi->mmap_length);
    const uint8_t *p = phys(mbi->mmap_addr, mbi->mmap_length, "memory map");
    memcpy(boot_info.mmap, p, mbi->mmap_length);
    boot_info.mmap_len = mbi->mmap_length;
    for (word_t off = 0; off + sizeof(multiboot_mmap_t) <= mbi->mmap_length;) {
        multiboot_mmap_t e;
        memcpy(&e, p + off, sizeof(e));
        printk("boot: mmap %08llx..%08llx type %u\n", (unsigned long long)e.addr,
               (unsigned long long)(e.addr + e.len), e.type);
        if (e.type == MB_MMAP_RAM)
            add_ram(ROUND_UP(e.addr, PAGE_BITS), (e.addr + e.len) & ~(uint64_t)MASK(PAGE_BITS));
        off += e.size + sizeof(e.size);
    }
    uint64_t total = 0;
    for (word_t i = 0; i < boot_info.n_ram; i++)
        total += boot_info.ram[i].end - boot_info.ram[i].start;
    if (total < MIN_RAM_BYTES)
        panic("boot: only %llu KiB of RAM; at least %u KiB are needed",
              (unsigned long long)(total / KIB), MIN_RAM_BYTES / KIB);
}

static void read_modules(const multiboot_info_t *mbi)
{
    if (!(mbi->flags & MB_FLAG_MODS) || mbi->mods_count == 0)
        panic("boot: no boot modules: the first module must be the root task ELF");
    if (mbi->mods_count > BOOT_MAX_MODULES)
        panic("boot: %u modules, at most %u supported", mbi->mods_count, BOOT_MAX_MODULES);
    const multiboot_module_t *m = phys(mbi->mods_addr, mbi->mods_count * sizeof(*m), "module list");
    for (word_t i = 0; i < mbi->mods_count; i++) {
        boot_module_t *bm = &boot_info.modules[i];
        if (m[i].end < m[i].start || !paddr_in_window(m[i].start, m[i].end - m[i].start))
            panic("boot: module %u has a bad range %x..%x", i, m[i].start, m[i].end);
        bm->start = m[i].start;
        bm->end = m[i].end;
        if (m[i].string) {
            const char *s = phys(m[i].string, 1, "module name");
            memcpy(bm->name, s, strnlen(s, sizeof(bm->name) - 1));
        }
        printk("boot: module %u '%s' at %x..%x\n", i, bm->name, bm->start, bm->end);
    }
    boot_info.n_modules = mbi->mods_count;
}

static void reserve_boot_ranges(void)
{
    ks_reserved[ks_num_reserved++] = (phys_range_t){ (paddr_t)(uintptr_t)ki_phys_start,
        (word_t)(ki_phys_end - ki_phys_start) };
    for (word_t i = 0; i < boot_info.n_modules; i++) {
        paddr_t s = boot_info.modules[i].start & ~MASK(PAGE_BITS);
        paddr_t e = ROUND_UP(boot_info.modules[i].end, PAGE_BITS);
        ks_reserved[ks_num_reserved++] = (phys_range_t){ s, e - s };
    }
}

static void cpu_init(void)
{
    gdt_init();
    idt_init();
    write_cr0((read_cr0() & ~(CR0_EM | CR0_TS)) | CR0_MP | CR0_NE | CR0_WP);
    write_cr4(read_cr4() | CR4_OSFXSR | CR4_OSXMMEXCPT | CR4_PGE | CR4_PSE);
    __asm__ volatile("fninit");
    wrmsr(MSR_SYSENTER_CS, SEL_CS_0);
    wrmsr(MSR_SYSENTER_ESP, (word_t)(uintptr_t)&boot_info);     /* never used: the stub loads ESP itself */
    extern char ia32_sysenter_entry[];
    wrmsr(MSR_SYSENTER_EIP, (word_t)(uintptr_t)ia32_sysenter_entry);
}

void boot_main(paddr_t mbi_paddr)
{
    serial_init();
    printk("\nkernel: ia32 capability microkernel booting\n");
    cpu_init();
    const multiboot_info_t *mbi = phys(mbi_paddr, sizeof(*mbi), "information");
    read_memory_map(mbi);
    read_modules(mbi);
    reserve_boot_ranges();
    /* Drop the identity map multiboot.S needed to turn paging on. */
    ia32_kernel_pd[0] = 0;
    write_cr3(read_cr3());
    pc99_init(&boot_info);
    kernel_boot(&boot_info);
    printk("boot: starting the root task\n");
    arch_restore_user_context();
}

void arch_clear_memory(paddr_t p, word_t size)
{
    memset(paddr_to_kptr(p), 0, size);
}
