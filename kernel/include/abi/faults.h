/* Fault message labels and layouts (seL4 ia32, abi.md, abi-constants.tsv). */
#ifndef ABI_FAULTS_H
#define ABI_FAULTS_H

#define FAULT_NULL              0
#define FAULT_CAP               1
#define FAULT_UNKNOWN_SYSCALL   2
#define FAULT_USER_EXCEPTION    3
#define FAULT_VM                5

/* VMFault message registers. */
#define VMFAULT_IP              0
#define VMFAULT_ADDR            1
#define VMFAULT_PREFETCH        2
#define VMFAULT_FSR             3
#define VMFAULT_LENGTH          4

/* UnknownSyscall message registers; a reply writes the same registers. */
#define UNKSYS_EAX              0
#define UNKSYS_EBX              1
#define UNKSYS_ECX              2
#define UNKSYS_EDX              3
#define UNKSYS_ESI              4
#define UNKSYS_EDI              5
#define UNKSYS_EBP              6
#define UNKSYS_FAULT_IP         7
#define UNKSYS_SP               8
#define UNKSYS_FLAGS            9
#define UNKSYS_SYSCALL          10
#define UNKSYS_LENGTH           11

/* UserException message registers. */
#define USEREXC_FAULT_IP        0
#define USEREXC_SP              1
#define USEREXC_FLAGS           2
#define USEREXC_NUMBER          3
#define USEREXC_CODE            4
#define USEREXC_LENGTH          5

/* CapFault message registers. */
#define CAPFAULT_IP             0
#define CAPFAULT_ADDR           1
#define CAPFAULT_IN_RECV_PHASE  2
#define CAPFAULT_LOOKUP_TYPE    3
#define CAPFAULT_BITS_LEFT      4
#define CAPFAULT_DEPTH_BITS_FOUND 5
#define CAPFAULT_GUARD_FOUND    5
#define CAPFAULT_GUARD_BITS_FOUND 6

/* Our extension: `int $0x80` arrives as UnknownSyscall with
 * Syscall = (0x80 << 24) | (EAX & 0xffffff); see abi.md. */
#define LINUX_SYSCALL_VECTOR    0x80
#define UNKSYS_VECTOR_SHIFT     24
#define UNKSYS_EAX_MASK         ((1u << UNKSYS_VECTOR_SHIFT) - 1u)
/* The Syscall word of a trap through `vector` with `eax`. */
#define UNKSYS_TRAP_NUMBER(vector, eax) \
    (((vector) << UNKSYS_VECTOR_SHIFT) | ((eax) & UNKSYS_EAX_MASK))

#endif
