/*
 * ia32 paging without PAE (Intel SDM Vol. 3A, 4.3): a page directory of
 * 1024 PDEs, each mapping a 4 MiB page (PS) or pointing to a page table of
 * 1024 PTEs mapping 4 KiB pages. Also the CPU control bits the kernel sets.
 */
#ifndef ARCH_MMU_H
#define ARCH_MMU_H

#include <kernel/types.h>

typedef uint32_t pde_t;
typedef uint32_t pte_t;

#define PG_PRESENT      (1u << 0)
#define PG_WRITE        (1u << 1)
#define PG_USER         (1u << 2)
#define PG_PWT          (1u << 3)   /* write-through */
#define PG_PCD          (1u << 4)   /* cache disable */
#define PG_ACCESSED     (1u << 5)
#define PG_DIRTY        (1u << 6)
#define PG_PS           (1u << 7)   /* PDE: 4 MiB page */
#define PTE_PAT         (1u << 7)   /* PTE: PAT index bit */
#define PG_GLOBAL       (1u << 8)
#define PDE_LARGE_PAT   (1u << 12)
#define PTE_ADDR_MASK   0xfffff000u
#define PDE_LARGE_ADDR_MASK 0xffc00000u

#define PD_INDEX(v)     ((v) >> 22)
#define PT_INDEX(v)     (((v) >> 12) & 0x3ffu)

/* Page-fault error code bits (SDM 4.7): the VMFault FSR. */
#define PF_PRESENT      (1u << 0)
#define PF_WRITE        (1u << 1)
#define PF_USER         (1u << 2)
#define PF_RSVD         (1u << 3)
#define PF_INSTR        (1u << 4)

#define CR0_PE          (1u << 0)
#define CR0_MP          (1u << 1)
#define CR0_EM          (1u << 2)
#define CR0_TS          (1u << 3)
#define CR0_NE          (1u << 5)
#define CR0_WP          (1u << 16)
#define CR0_PG          (1u << 31)
#define CR4_PSE         (1u << 4)
#define CR4_PGE         (1u << 7)
#define CR4_OSFXSR      (1u << 9)
#define CR4_OSXMMEXCPT  (1u << 10)

/* An ASID pool: 1024 page-directory pointers (kernel addresses), 4 KiB. */
typedef struct asid_pool {
    pde_t *pd[1u << 10];
} asid_pool_t;

#endif
