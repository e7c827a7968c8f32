/*
 * seL4's user-visible types and constants for ia32, under seL4's names so
 * that seL4 programs compile unchanged. Every number comes from our ABI
 * headers in kernel/include/abi/ (checked against seL4 by
 * tests/unit/abi/abi_constants_test.c); this file only renames them.
 *
 * The two one-word bitfield types (seL4_MessageInfo_t, seL4_CapRights_t)
 * are structs holding words[1], as libsel4 generates them, so code that
 * touches .words[0] keeps working.
 */
#ifndef SEL4_TYPES_H
#define SEL4_TYPES_H

#include <stdint.h>
#include <stddef.h>
#include <abi/bootinfo.h>
#include <abi/capdata.h>
#include <abi/errors.h>
#include <abi/faults.h>
#include <abi/ipcbuffer.h>
#include <abi/msginfo.h>
#include <abi/objtype.h>
#include <abi/syscall.h>

typedef int8_t seL4_Int8;
typedef int16_t seL4_Int16;
typedef int32_t seL4_Int32;
typedef int64_t seL4_Int64;
typedef uint8_t seL4_Uint8;
typedef uint16_t seL4_Uint16;
typedef uint32_t seL4_Uint32;
typedef uint64_t seL4_Uint64;
typedef seL4_Uint64 seL4_Time;
typedef seL4_Int8 seL4_Bool;
typedef seL4_Uint32 seL4_Word;
typedef seL4_Word seL4_CPtr;
typedef seL4_Word seL4_NodeId;
typedef seL4_Word seL4_PAddr;
typedef seL4_Word seL4_Domain;

/* Capability pointers named by the object they designate (libsel4 style). */
typedef seL4_CPtr seL4_CNode;
typedef seL4_CPtr seL4_IRQHandler;
typedef seL4_CPtr seL4_IRQControl;
typedef seL4_CPtr seL4_TCB;
typedef seL4_CPtr seL4_Untyped;
typedef seL4_CPtr seL4_DomainSet;
typedef seL4_CPtr seL4_X86_ASIDControl;
typedef seL4_CPtr seL4_X86_ASIDPool;
typedef seL4_CPtr seL4_X86_IOSpace;
typedef seL4_CPtr seL4_X86_IOPort;
typedef seL4_CPtr seL4_X86_IOPortControl;
typedef seL4_CPtr seL4_X86_Page;
typedef seL4_CPtr seL4_X86_PageDirectory;
typedef seL4_CPtr seL4_X86_PageTable;

#define seL4_True 1
#define seL4_False 0
#define seL4_Null ((void *)0)

#define seL4_WordBits 32
#define seL4_WordSizeBits 2

/* Object sizes (bits). */
#define seL4_SlotBits SLOT_BITS
#define seL4_TCBBits TCB_BITS
#define seL4_EndpointBits ENDPOINT_BITS
#define seL4_NotificationBits NOTIFICATION_BITS
#define seL4_PageBits PAGE_BITS
#define seL4_LargePageBits LARGE_PAGE_BITS
#define seL4_PageTableBits PAGE_TABLE_BITS
#define seL4_PageDirBits PAGE_DIR_BITS
#define seL4_VSpaceBits seL4_PageDirBits
#define seL4_ASIDPoolBits ASID_POOL_BITS
#define seL4_MinUntypedBits MIN_UNTYPED_BITS
#define seL4_MaxUntypedBits MAX_UNTYPED_BITS
#define seL4_IPCBufferSizeBits IPC_BUFFER_SIZE_BITS
#define seL4_NumASIDPoolsBits NUM_ASID_POOLS_BITS
#define seL4_ASIDPoolIndexBits ASID_POOL_INDEX_BITS
#define seL4_PageTableIndexBits 10
#define seL4_PageDirIndexBits 10
#define seL4_PageTableEntryBits 2
#define seL4_PageDirEntryBits 2

#define seL4_UserTop USER_TOP
#define seL4_MinPrio 0
#define seL4_MaxPrio MAX_PRIO

/* Capability addressing: a CNode cap's guard word (seL4_CNode_CapData). */
#define seL4_GuardSizeBits 5
#define seL4_GuardBits 18
#define seL4_BadgeBits 28

typedef enum {
    seL4_UntypedObject = OBJ_UNTYPED,
    seL4_TCBObject = OBJ_TCB,
    seL4_EndpointObject = OBJ_ENDPOINT,
    seL4_NotificationObject = OBJ_NOTIFICATION,
    seL4_CapTableObject = OBJ_CNODE,
    seL4_NonArchObjectTypeCount = OBJ_X86_4K,
    seL4_X86_4K = OBJ_X86_4K,
    seL4_X86_LargePageObject = OBJ_X86_LARGE_PAGE,
    seL4_X86_PageTableObject = OBJ_X86_PAGE_TABLE,
    seL4_X86_PageDirectoryObject = OBJ_X86_PAGE_DIRECTORY,
    seL4_ObjectTypeCount = OBJ_NUM_TYPES,
} seL4_ObjectType;
typedef seL4_Word object_t;

/* Older libsel4 names for the same objects. */
#define seL4_IA32_4K seL4_X86_4K
#define seL4_IA32_LargePage seL4_X86_LargePageObject
#define seL4_IA32_PageTableObject seL4_X86_PageTableObject
#define seL4_IA32_PageDirectoryObject seL4_X86_PageDirectoryObject
#define seL4_ARCH_4KPage seL4_X86_4K
#define seL4_ARCH_LargePageObject seL4_X86_LargePageObject
#define seL4_ARCH_PageTableObject seL4_X86_PageTableObject
#define seL4_ARCH_VSpaceObject seL4_X86_PageDirectoryObject

typedef enum {
    seL4_NoError = ERR_NONE,
    seL4_InvalidArgument = ERR_INVALID_ARGUMENT,
    seL4_InvalidCapability = ERR_INVALID_CAPABILITY,
    seL4_IllegalOperation = ERR_ILLEGAL_OPERATION,
    seL4_RangeError = ERR_RANGE_ERROR,
    seL4_AlignmentError = ERR_ALIGNMENT_ERROR,
    seL4_FailedLookup = ERR_FAILED_LOOKUP,
    seL4_TruncatedMessage = ERR_TRUNCATED_MESSAGE,
    seL4_DeleteFirst = ERR_DELETE_FIRST,
    seL4_RevokeFirst = ERR_REVOKE_FIRST,
    seL4_NotEnoughMemory = ERR_NOT_ENOUGH_MEMORY,
    seL4_NumErrors = ERR_NUM_ERRORS,
} seL4_Error;

typedef enum {
    seL4_NoFailure = LOOKUP_NO_FAILURE,
    seL4_InvalidRoot = LOOKUP_INVALID_ROOT,
    seL4_MissingCapability = LOOKUP_MISSING_CAPABILITY,
    seL4_DepthMismatch = LOOKUP_DEPTH_MISMATCH,
    seL4_GuardMismatch = LOOKUP_GUARD_MISMATCH,
} seL4_LookupFailureType;

/* Initial capabilities of the root task (seL4_RootCNodeCapSlots). */
enum seL4_RootCNodeCapSlots {
    seL4_CapNull = CAP_NULL_SLOT,
    seL4_CapInitThreadTCB = CAP_INIT_THREAD_TCB,
    seL4_CapInitThreadCNode = CAP_INIT_THREAD_CNODE,
    seL4_CapInitThreadVSpace = CAP_INIT_THREAD_VSPACE,
    seL4_CapIRQControl = CAP_IRQ_CONTROL,
    seL4_CapASIDControl = CAP_ASID_CONTROL,
    seL4_CapInitThreadASIDPool = CAP_INIT_THREAD_ASID_POOL,
    seL4_CapIOPortControl = CAP_IO_PORT_CONTROL,
    seL4_CapIOSpace = CAP_IO_SPACE,
    seL4_CapBootInfoFrame = CAP_BOOT_INFO_FRAME,
    seL4_CapInitThreadIPCBuffer = CAP_INIT_THREAD_IPC_BUFFER,
    seL4_CapDomain = CAP_DOMAIN,
    seL4_CapSMMUSIDControl = CAP_SMMU_SID_CONTROL,
    seL4_CapSMMUCBControl = CAP_SMMU_CB_CONTROL,
    seL4_CapInitThreadSC = CAP_INIT_THREAD_SC,
    seL4_CapSMC = CAP_SMC,
    seL4_NumInitialCaps = NUM_INITIAL_CAPS,
};
#define seL4_CapInitThreadPD seL4_CapInitThreadVSpace

/* Messages. */
enum {
    seL4_MsgLengthBits = MSGINFO_LENGTH_BITS,
    seL4_MsgExtraCapBits = MSGINFO_EXTRA_BITS,
    seL4_MsgMaxLength = MSG_MAX_LENGTH,
};
#define seL4_MsgMaxExtraCaps MSG_MAX_EXTRA_CAPS
#define seL4_FastMessageRegisters MSG_FAST_REGISTERS

/* Fault labels and message layouts. */
typedef enum {
    seL4_Fault_NullFault = FAULT_NULL,
    seL4_Fault_CapFault = FAULT_CAP,
    seL4_Fault_UnknownSyscall = FAULT_UNKNOWN_SYSCALL,
    seL4_Fault_UserException = FAULT_USER_EXCEPTION,
    seL4_Fault_VMFault = FAULT_VM,
} seL4_FaultType;

enum {
    seL4_VMFault_IP = VMFAULT_IP,
    seL4_VMFault_Addr = VMFAULT_ADDR,
    seL4_VMFault_PrefetchFault = VMFAULT_PREFETCH,
    seL4_VMFault_FSR = VMFAULT_FSR,
    seL4_VMFault_Length = VMFAULT_LENGTH,
};
enum {
    seL4_UnknownSyscall_EAX = UNKSYS_EAX,
    seL4_UnknownSyscall_EBX = UNKSYS_EBX,
    seL4_UnknownSyscall_ECX = UNKSYS_ECX,
    seL4_UnknownSyscall_EDX = UNKSYS_EDX,
    seL4_UnknownSyscall_ESI = UNKSYS_ESI,
    seL4_UnknownSyscall_EDI = UNKSYS_EDI,
    seL4_UnknownSyscall_EBP = UNKSYS_EBP,
    seL4_UnknownSyscall_FaultIP = UNKSYS_FAULT_IP,
    seL4_UnknownSyscall_SP = UNKSYS_SP,
    seL4_UnknownSyscall_FLAGS = UNKSYS_FLAGS,
    seL4_UnknownSyscall_Syscall = UNKSYS_SYSCALL,
    seL4_UnknownSyscall_Length = UNKSYS_LENGTH,
};
enum {
    seL4_UserException_FaultIP = USEREXC_FAULT_IP,
    seL4_UserException_SP = USEREXC_SP,
    seL4_UserException_FLAGS = USEREXC_FLAGS,
    seL4_UserException_Number = USEREXC_NUMBER,
    seL4_UserException_Code = USEREXC_CODE,
    seL4_UserException_Length = USEREXC_LENGTH,
};
enum {
    seL4_CapFault_IP = CAPFAULT_IP,
    seL4_CapFault_Addr = CAPFAULT_ADDR,
    seL4_CapFault_InRecvPhase = CAPFAULT_IN_RECV_PHASE,
    seL4_CapFault_LookupFailureType = CAPFAULT_LOOKUP_TYPE,
    seL4_CapFault_BitsLeft = CAPFAULT_BITS_LEFT,
    seL4_CapFault_DepthMismatch_BitsFound = CAPFAULT_DEPTH_BITS_FOUND,
    seL4_CapFault_GuardMismatch_GuardFound = CAPFAULT_GUARD_FOUND,
    seL4_CapFault_GuardMismatch_BitsFound = CAPFAULT_GUARD_BITS_FOUND,
};

/* Message info word: label 20 | capsUnwrapped 3 | extraCaps 2 | length 7. */
typedef struct seL4_MessageInfo {
    seL4_Uint32 words[1];
} seL4_MessageInfo_t;

static inline seL4_MessageInfo_t seL4_MessageInfo_new(seL4_Uint32 label,
        seL4_Uint32 capsUnwrapped, seL4_Uint32 extraCaps, seL4_Uint32 length)
{
    seL4_MessageInfo_t m = { { MSGINFO_MAKE(label, capsUnwrapped, extraCaps, length) } };
    return m;
}

#define SEL4_MSGINFO_FIELD(name, shift, bits) \
    static inline seL4_Uint32 seL4_MessageInfo_get_##name(seL4_MessageInfo_t m) \
    { return (m.words[0] >> (shift)) & ((1u << (bits)) - 1u); } \
    static inline seL4_MessageInfo_t seL4_MessageInfo_set_##name(seL4_MessageInfo_t m, \
            seL4_Uint32 v) \
    { \
        seL4_Uint32 mask = ((1u << (bits)) - 1u) << (shift); \
        m.words[0] = (m.words[0] & ~mask) | ((v << (shift)) & mask); \
        return m; \
    } \
    static inline seL4_Uint32 seL4_MessageInfo_ptr_get_##name(const seL4_MessageInfo_t *p) \
    { return seL4_MessageInfo_get_##name(*p); } \
    static inline void seL4_MessageInfo_ptr_set_##name(seL4_MessageInfo_t *p, seL4_Uint32 v) \
    { *p = seL4_MessageInfo_set_##name(*p, v); }

SEL4_MSGINFO_FIELD(label, MSGINFO_LABEL_SHIFT, MSGINFO_LABEL_BITS)
SEL4_MSGINFO_FIELD(capsUnwrapped, MSGINFO_UNWRAPPED_SHIFT, MSGINFO_UNWRAPPED_BITS)
SEL4_MSGINFO_FIELD(extraCaps, MSGINFO_EXTRA_SHIFT, MSGINFO_EXTRA_BITS)
SEL4_MSGINFO_FIELD(length, MSGINFO_LENGTH_SHIFT, MSGINFO_LENGTH_BITS)
#undef SEL4_MSGINFO_FIELD

/* Capability rights: bit 0 Write, 1 Read, 2 Grant, 3 GrantReply. */
typedef struct seL4_CapRights {
    seL4_Uint32 words[1];
} seL4_CapRights_t;

static inline seL4_CapRights_t seL4_CapRights_new(seL4_Uint32 capAllowGrantReply,
        seL4_Uint32 capAllowGrant, seL4_Uint32 capAllowRead, seL4_Uint32 capAllowWrite)
{
    seL4_CapRights_t r = { { (capAllowGrantReply ? RIGHT_GRANT_REPLY : 0) |
                             (capAllowGrant ? RIGHT_GRANT : 0) |
                             (capAllowRead ? RIGHT_READ : 0) |
                             (capAllowWrite ? RIGHT_WRITE : 0) } };
    return r;
}
static inline seL4_Uint32 seL4_CapRights_get_capAllowGrantReply(seL4_CapRights_t r)
{ return (r.words[0] & RIGHT_GRANT_REPLY) != 0; }
static inline seL4_Uint32 seL4_CapRights_get_capAllowGrant(seL4_CapRights_t r)
{ return (r.words[0] & RIGHT_GRANT) != 0; }
static inline seL4_Uint32 seL4_CapRights_get_capAllowRead(seL4_CapRights_t r)
{ return (r.words[0] & RIGHT_READ) != 0; }
static inline seL4_Uint32 seL4_CapRights_get_capAllowWrite(seL4_CapRights_t r)
{ return (r.words[0] & RIGHT_WRITE) != 0; }

#define seL4_AllRights seL4_CapRights_new(1, 1, 1, 1)
#define seL4_CanRead seL4_CapRights_new(0, 0, 1, 0)
#define seL4_CanWrite seL4_CapRights_new(0, 0, 0, 1)
#define seL4_CanGrant seL4_CapRights_new(0, 1, 0, 0)
#define seL4_CanGrantReply seL4_CapRights_new(1, 0, 0, 0)
#define seL4_NoWrite seL4_CapRights_new(1, 1, 1, 0)
#define seL4_NoRead seL4_CapRights_new(1, 1, 0, 1)
#define seL4_NoRights seL4_CapRights_new(0, 0, 0, 0)
#define seL4_ReadWrite seL4_CapRights_new(0, 0, 1, 1)

/* CNode cap data (seL4_CNode_CapData, layout in <abi/capdata.h>): guard size
 * in bits 3-7, guard in bits 8-25. */
typedef struct seL4_CNode_CapData {
    seL4_Uint32 words[1];
} seL4_CNode_CapData_t;

static inline seL4_CNode_CapData_t seL4_CNode_CapData_new(seL4_Uint32 guard,
        seL4_Uint32 guardSize)
{
    seL4_CNode_CapData_t d = { {
        ((guard & ((1u << CNODE_CAPDATA_GUARD_BITS) - 1u)) << CNODE_CAPDATA_GUARD_SHIFT) |
        ((guardSize & ((1u << CNODE_CAPDATA_GUARD_SIZE_BITS) - 1u)) <<
         CNODE_CAPDATA_GUARD_SIZE_SHIFT) } };
    return d;
}

/* VM attributes for page and page-table mappings. */
typedef enum {
    seL4_X86_WriteBack = 0,
    seL4_X86_WriteThrough = 1,
    seL4_X86_CacheDisabled = 2,
    seL4_X86_Uncacheable = 3,
    seL4_X86_WriteCombining = 4,
    seL4_X86_Default_VMAttributes = 0,
} seL4_X86_VMAttributes;
#define seL4_ARCH_Default_VMAttributes seL4_X86_Default_VMAttributes

/* TCB flags (TCB SetFlags). */
typedef enum {
    seL4_TCBFlag_NoFlag = 0,
    seL4_TCBFlag_fpuDisabled = 1,
} seL4_TCBFlag;

/* Register set of a thread, also the order of Read/WriteRegisters words. */
typedef struct seL4_UserContext_ {
    seL4_Word eip, esp, eflags, eax, ebx, ecx, edx, esi, edi, ebp;
    seL4_Word fs_base, gs_base;
} seL4_UserContext;

/* The IPC buffer, under seL4's field names (layout = ipc_buffer_t). */
typedef struct seL4_IPCBuffer_ {
    seL4_MessageInfo_t tag;
    seL4_Word msg[seL4_MsgMaxLength];
    seL4_Word userData;
    seL4_Word caps_or_badges[seL4_MsgMaxExtraCaps];
    seL4_CPtr receiveCNode;
    seL4_CPtr receiveIndex;
    seL4_Word receiveDepth;
} __attribute__((__aligned__(sizeof(ipc_buffer_t)))) seL4_IPCBuffer;

_Static_assert(sizeof(seL4_IPCBuffer) == sizeof(ipc_buffer_t), "IPC buffer size");
_Static_assert(offsetof(seL4_IPCBuffer, userData) == offsetof(ipc_buffer_t, user_data),
               "IPC buffer userData");
_Static_assert(offsetof(seL4_IPCBuffer, caps_or_badges) ==
               offsetof(ipc_buffer_t, caps_or_badges), "IPC buffer caps");
_Static_assert(offsetof(seL4_IPCBuffer, receiveDepth) ==
               offsetof(ipc_buffer_t, receive_depth), "IPC buffer receiveDepth");

/* Bootinfo, under seL4's field names (layout = bootinfo_t). */
typedef struct seL4_SlotRegion {
    seL4_Word start;
    seL4_Word end;
} seL4_SlotRegion;

typedef struct seL4_UntypedDesc {
    seL4_Word paddr;
    seL4_Uint8 sizeBits;
    seL4_Uint8 isDevice;
    seL4_Uint8 padding[sizeof(seL4_Word) - 2 * sizeof(seL4_Uint8)];
} seL4_UntypedDesc;

#define CONFIG_MAX_NUM_BOOTINFO_UNTYPED_CAPS BOOTINFO_MAX_UNTYPED_CAPS

typedef struct seL4_BootInfo {
    seL4_Word extraLen;
    seL4_NodeId nodeID;
    seL4_Word numNodes;
    seL4_Word numIOPTLevels;
    seL4_IPCBuffer *ipcBuffer;
    seL4_SlotRegion empty;
    seL4_SlotRegion sharedFrames;
    seL4_SlotRegion userImageFrames;
    seL4_SlotRegion userImagePaging;
    seL4_SlotRegion ioSpaceCaps;
    seL4_SlotRegion extraBIPages;
    seL4_Word initThreadCNodeSizeBits;
    seL4_Domain initThreadDomain;
    seL4_SlotRegion untyped;
    seL4_UntypedDesc untypedList[CONFIG_MAX_NUM_BOOTINFO_UNTYPED_CAPS];
} seL4_BootInfo;

_Static_assert(sizeof(seL4_BootInfo) == sizeof(bootinfo_t), "bootinfo size");
_Static_assert(offsetof(seL4_BootInfo, ipcBuffer) == offsetof(bootinfo_t, ipc_buffer),
               "bootinfo ipcBuffer");
_Static_assert(offsetof(seL4_BootInfo, untyped) == offsetof(bootinfo_t, untyped),
               "bootinfo untyped");
_Static_assert(offsetof(seL4_BootInfo, untypedList) == offsetof(bootinfo_t, untyped_list),
               "bootinfo untypedList");

typedef struct seL4_BootInfoHeader {
    seL4_Word id;
    seL4_Word len;
} seL4_BootInfoHeader;

#define SEL4_BOOTINFO_HEADER_PADDING BI_CHUNK_PADDING
#define SEL4_BOOTINFO_HEADER_X86_VBE BI_CHUNK_X86_VBE
#define SEL4_BOOTINFO_HEADER_X86_MBMMAP BI_CHUNK_X86_MBMMAP
#define SEL4_BOOTINFO_HEADER_X86_ACPI_RSDP BI_CHUNK_X86_ACPI_RSDP
#define SEL4_BOOTINFO_HEADER_X86_FRAMEBUFFER BI_CHUNK_X86_FRAMEBUFFER
#define SEL4_BOOTINFO_HEADER_X86_TSC_FREQ BI_CHUNK_X86_TSC_FREQ
#define SEL4_BOOTINFO_HEADER_FDT BI_CHUNK_FDT

#endif
