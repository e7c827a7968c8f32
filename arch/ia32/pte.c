/*
 * Building user page-table and page-directory entries, as pure functions.
 *
 * A capability to a frame carries VM rights (kernel-only, read-only,
 * read-write); a Map call narrows them with a seL4_CapRights_t mask, and the
 * result decides two PTE bits: U/S (any user access at all) and R/W (user
 * writes). ia32 without PAE cannot forbid execution, so "read" also means
 * "execute". Kernel-only mappings are legal in seL4 (present, supervisor
 * only): user accesses fault on them. The attribute word chooses the memory
 * type through PWT, PCD and the PAT index bit, which sits at bit 7 in a PTE
 * and at bit 12 in a 4 MiB PDE (bit 7 there is the page-size bit).
 *
 * Nothing here touches hardware or kernel state, so the host unit tests
 * (tests/unit/arch/pte_test.c) link this file unchanged.
 */
#include <arch/vspace.h>

word_t vm_rights_mask(word_t vmrights, word_t cap_rights)
{
    bool read = cap_rights & RIGHT_READ;
    bool write = cap_rights & RIGHT_WRITE;

    if (vmrights == VM_READ_ONLY && read)
        return VM_READ_ONLY;
    if (vmrights == VM_READ_WRITE && read)
        return write ? VM_READ_WRITE : VM_READ_ONLY;
    return VM_KERNEL_ONLY;
}

/* Present, plus R/W and U/S as seL4's WritableFromVMRights and
 * SuperUserFromVMRights: kernel-only pages stay writable for the kernel. */
static word_t access_bits(word_t vmrights)
{
    word_t bits = PG_PRESENT;
    if (vmrights != VM_READ_ONLY)
        bits |= PG_WRITE;
    if (vmrights != VM_KERNEL_ONLY)
        bits |= PG_USER;
    return bits;
}

static word_t cache_bits(word_t attr)
{
    return ((attr & VMATTR_PWT) ? PG_PWT : 0) | ((attr & VMATTR_PCD) ? PG_PCD : 0);
}

pte_t pte_make_user(paddr_t frame, word_t vmrights, word_t attr)
{
    return (frame & PTE_ADDR_MASK) | access_bits(vmrights) | cache_bits(attr) |
           ((attr & VMATTR_PAT) ? PTE_PAT : 0);
}

pde_t pde_make_large(paddr_t frame, word_t vmrights, word_t attr)
{
    return (frame & PDE_LARGE_ADDR_MASK) | PG_PS | access_bits(vmrights) | cache_bits(attr) |
           ((attr & VMATTR_PAT) ? PDE_LARGE_PAT : 0);
}

/* A page table's entry grants everything; the PTEs below decide. Only the
 * cache bits of the attributes apply to the walk through the table. */
pde_t pde_make_table(paddr_t pt, word_t attr)
{
    return (pt & PTE_ADDR_MASK) | PG_PRESENT | PG_WRITE | PG_USER | cache_bits(attr);
}

bool vspace_range_ok(vaddr_t v, word_t size_bits)
{
    return v < USER_TOP && BIT(size_bits) <= USER_TOP - v;
}
