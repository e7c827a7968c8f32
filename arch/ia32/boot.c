/*
 * Boot on a PC: read what the multiboot loader tells us (memory map,
 * modules), set up the CPU (segments, interrupts, FPU, sysenter), the PIC
 * and the timer, then let kernel_boot() build the root task and leave the
 * kernel into it. Everything read from the loader is checked (by the pure
 * parser in multiboot.c): a missing memory map or root task, or anything
 * malformed, stops the boot with a message saying what is wrong.
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
#include <arch/multiboot.h>
#include <abi/objtype.h>


extern char ki_phys_start[], ki_phys_end[];
static arch_boot_info_t boot_info;

void boot_main(paddr_t mbi_paddr);

/* The multiboot parser's view of physical memory: the kernel window. */
static const void *read_phys(void *ctx, paddr_t p, word_t len)
{
    (void)ctx;
    return paddr_in_window(p, len) ? paddr_to_kptr(p) : NULL;
}

/* Reads the loader's information (arch/ia32/multiboot.c checks all of it)
 * and shows what it found. */
static void read_multiboot(paddr_t mbi_paddr)
{
    mb_source_t src = {
        .read = read_phys,
        .info = mbi_paddr,
        .kernel_start = (paddr_t)(uintptr_t)ki_phys_start,
        .kernel_end = (paddr_t)(uintptr_t)ki_phys_end,
        .module_limit = PADDR_WINDOW_TOP,
    };
    char err[MB_ERROR_LEN];
    multiboot_mmap_t e;
    word_t off = 0;

    if (multiboot_parse(&src, &boot_info, err) != NULL)
        panic("boot: %s", err);
    while (multiboot_mmap_next(boot_info.mmap, boot_info.mmap_len, &off, &e))
        printk("boot: mmap %08llx..%08llx type %u\n", (unsigned long long)e.addr,
               (unsigned long long)(e.addr + e.len), e.type);
    for (word_t i = 0; i < boot_info.n_modules; i++)
        printk("boot: module %u '%s' at %x..%x\n", i, boot_info.modules[i].name,
               boot_info.modules[i].start, boot_info.modules[i].end);
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
    /* The stub loads ESP itself; the CPU uses this one only to push the
     * frame of a debug trap taken on the stub's first instruction (TF set
     * at sysenter, entry.S trap_debug): the kernel stack is free then. */
    extern char ia32_kernel_stack_top[];
    wrmsr(MSR_SYSENTER_ESP, (word_t)(uintptr_t)ia32_kernel_stack_top);
    extern char ia32_sysenter_entry[];
    wrmsr(MSR_SYSENTER_EIP, (word_t)(uintptr_t)ia32_sysenter_entry);
}

void boot_main(paddr_t mbi_paddr)
{
    serial_init();
    printk("\nkernel: ia32 capability microkernel booting\n");
    cpu_init();
    read_multiboot(mbi_paddr);
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
