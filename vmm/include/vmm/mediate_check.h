/*
 * The mediated policy's request checks (vmm/mediate_check.c): pure
 * functions over a guest's handle table and the numbers it sent, free of
 * kernel calls so the host tests run them as the VMM does. Everything a
 * guest sends is checked here before vmm/mediate*.c touches an object; a
 * check that fails names the seL4 error the guest gets back.
 *
 * A handle is a guest's name for one thing the VMM keeps for it: an
 * object (its capability in the VMM's CSpace), an address space of one of
 * its processes, or a thread in one. Handle h is entry h - 1 of the table;
 * 0 names nothing.
 */
#ifndef VMM_MEDIATE_CHECK_H
#define VMM_MEDIATE_CHECK_H

#include <stdint.h>
#include <memmgr/mm.h>

enum med_kind {
    MED_FREE = 0,       /* entry unused */
    MED_OBJECT,         /* a kernel object of type `type` */
    MED_SPACE,          /* a process's page directory with an ASID */
    MED_THREAD,         /* a TCB in a space, with its fault capability's CNode */
};

#define MED_ANY_TYPE    0xffu

typedef struct med_obj {
    mm_cptr_t cap;      /* the VMM's capability: object, page directory, TCB */
    uint8_t kind;       /* enum med_kind */
    uint8_t type;       /* objects: the seL4 object type */
    uint16_t uses;      /* frames: mappings in process spaces; spaces: threads */
    uint32_t where;     /* frames: vaddr in the guest (0: none); endpoints: the
                         * guest's slot of its copy (0: none); spaces: index in
                         * the domain's spaces; threads: their space's handle */
    mm_cptr_t aux;      /* threads: the CNode holding their fault capability */
} med_obj_t;

/* The entry handle names if it is of that kind (and type, for objects;
 * MED_ANY_TYPE: any), else NULL. */
med_obj_t *med_lookup(med_obj_t *tab, uint32_t n, uint32_t handle, uint32_t kind,
                      uint32_t type);
/* The first free entry's index at or after from, n if none. */
uint32_t med_free_entry(const med_obj_t *tab, uint32_t n, uint32_t from);

/* Each returns ERR_NONE or why the request is refused. */
mm_err_t med_check_alloc(uint32_t type, uint32_t bits);
mm_err_t med_check_own_vaddr(uint32_t vaddr);       /* the guest's own range */
mm_err_t med_check_proc_vaddr(uint32_t vaddr);      /* a process's range */
mm_err_t med_check_rights(uint32_t rights);
mm_err_t med_check_badge(uint32_t badge);
mm_err_t med_check_priority(uint32_t prio, uint32_t guest_prio);
mm_err_t med_check_slot(uint32_t slot);             /* of the guest's root CNode */

#endif
