/* Object types for Untyped Retype (seL4 ia32 numbering, abi.md). */
#ifndef ABI_OBJTYPE_H
#define ABI_OBJTYPE_H

enum abi_object_type {
    OBJ_UNTYPED = 0,
    OBJ_TCB = 1,
    OBJ_ENDPOINT = 2,
    OBJ_NOTIFICATION = 3,
    OBJ_CNODE = 4,
    OBJ_X86_4K = 5,
    OBJ_X86_LARGE_PAGE = 6,
    OBJ_X86_PAGE_TABLE = 7,
    OBJ_X86_PAGE_DIRECTORY = 8,
    OBJ_NUM_TYPES = 9,
};

/* Object sizes in bits (seL4 ia32 constants, abi-constants.tsv). */
#define TCB_BITS            11
#define ENDPOINT_BITS       4
#define NOTIFICATION_BITS   4
#define SLOT_BITS           4
#define PAGE_BITS           12
#define LARGE_PAGE_BITS     22
#define PAGE_TABLE_BITS     12
#define PAGE_DIR_BITS       12
#define ASID_POOL_BITS      12
#define MIN_UNTYPED_BITS    4
#define MAX_UNTYPED_BITS    29
#define IPC_BUFFER_SIZE_BITS 9
#define ASID_POOL_INDEX_BITS 10
#define NUM_ASID_POOLS_BITS  2
#define ASID_BITS           (ASID_POOL_INDEX_BITS + NUM_ASID_POOLS_BITS)

/* Highest user virtual address + 1 (seL4_UserTop). */
#define USER_TOP            0xE0000000u

/* Scheduling priorities 0..255 (CONFIG_NUM_PRIORITIES). */
#define NUM_PRIORITIES      256
#define MAX_PRIO            255

/* Retype fan-out limit (CONFIG_RETYPE_FAN_OUT_LIMIT). */
#define RETYPE_FAN_OUT_LIMIT 256

#endif
