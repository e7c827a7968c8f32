/* unit-test-sources: */
/*
 * Checks the project's ABI headers (kernel/include/abi/) against seL4's
 * numbers, read at run time from ../shared/design/abi-constants.tsv (or the
 * file named by $ABI_CONSTANTS_TSV). That file lists, one `name<TAB>value`
 * per line, seL4's generated constants and the offsets of IPC-buffer and
 * bootinfo fields for exactly our configuration.
 *
 * Each table below pairs a tsv name with our counterpart; a test per table
 * fails on the first disagreement (and reports all of them). A final test
 * fails if the tsv holds a name that no table checks and the short list of
 * names without a counterpart does not mention: a new line in the tsv forces
 * a decision here instead of going unchecked. Values compare as 32-bit
 * words, so seL4_UserTop (0xE0000000) matches the tsv's -536870912.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <libgen.h>
#include <unistd.h>
#include <cmocka.h>

#include <abi/bootinfo.h>
#include <abi/capdata.h>
#include <abi/errors.h>
#include <abi/faults.h>
#include <abi/invocation.h>
#include <abi/ipcbuffer.h>
#include <abi/msginfo.h>
#include <abi/objtype.h>
#include <abi/syscall.h>
#include <kernel/capops.h>
#include <kernel/sched.h>

#define TSV_ENV "ABI_CONSTANTS_TSV"
#define TSV_FROM_REPO "../shared/design/abi-constants.tsv"
/* The binary is build/unit/abi/<name>: four levels below the repository's parent. */
#define TSV_FROM_BINARY "/../../../../shared/design/abi-constants.tsv"
#define MAX_ENTRIES 512
#define MAX_NAME 96

typedef struct ours {
    const char *name;       /* as in the tsv */
    int64_t value;          /* our number */
} ours_t;

#define E(name, value) { name, (int64_t)(value) }

static const ours_t syscalls[] = {
    E("seL4_SysCall", SYS_CALL), E("seL4_SysReplyRecv", SYS_REPLY_RECV),
    E("seL4_SysSend", SYS_SEND), E("seL4_SysNBSend", SYS_NB_SEND),
    E("seL4_SysRecv", SYS_RECV), E("seL4_SysReply", SYS_REPLY),
    E("seL4_SysYield", SYS_YIELD), E("seL4_SysNBRecv", SYS_NB_RECV),
    E("seL4_SysDebugPutChar", SYS_DEBUG_PUT_CHAR),
    E("seL4_SysDebugDumpScheduler", SYS_DEBUG_DUMP_SCHEDULER),
    E("seL4_SysSetTLSBase", SYS_SET_TLS_BASE),
};

static const ours_t capdata[] = {
    E("seL4_CNode_CapData_guardSize_shift", CNODE_CAPDATA_GUARD_SIZE_SHIFT),
    E("seL4_CNode_CapData_guardSize_bits", CNODE_CAPDATA_GUARD_SIZE_BITS),
    E("seL4_CNode_CapData_guard_shift", CNODE_CAPDATA_GUARD_SHIFT),
    E("seL4_CNode_CapData_guard_bits", CNODE_CAPDATA_GUARD_BITS),
};

static const ours_t objects[] = {
    E("seL4_UntypedObject", OBJ_UNTYPED), E("seL4_TCBObject", OBJ_TCB),
    E("seL4_EndpointObject", OBJ_ENDPOINT), E("seL4_NotificationObject", OBJ_NOTIFICATION),
    E("seL4_CapTableObject", OBJ_CNODE), E("seL4_X86_4K", OBJ_X86_4K),
    E("seL4_X86_LargePageObject", OBJ_X86_LARGE_PAGE),
    E("seL4_X86_PageTableObject", OBJ_X86_PAGE_TABLE),
    E("seL4_X86_PageDirectoryObject", OBJ_X86_PAGE_DIRECTORY),
};

static const ours_t sizes[] = {
    E("seL4_TCBBits", TCB_BITS), E("seL4_EndpointBits", ENDPOINT_BITS),
    E("seL4_NotificationBits", NOTIFICATION_BITS), E("seL4_SlotBits", SLOT_BITS),
    E("seL4_PageBits", PAGE_BITS), E("seL4_LargePageBits", LARGE_PAGE_BITS),
    E("seL4_PageTableBits", PAGE_TABLE_BITS), E("seL4_PageDirBits", PAGE_DIR_BITS),
    E("seL4_ASIDPoolBits", ASID_POOL_BITS), E("seL4_MinUntypedBits", MIN_UNTYPED_BITS),
    E("seL4_MaxUntypedBits", MAX_UNTYPED_BITS),
    E("seL4_IPCBufferSizeBits", IPC_BUFFER_SIZE_BITS),
    E("seL4_NumASIDPoolsBits", NUM_ASID_POOLS_BITS),
    E("seL4_ASIDPoolIndexBits", ASID_POOL_INDEX_BITS),
    E("seL4_UserTop", USER_TOP), E("seL4_MaxPrio", MAX_PRIO),
    E("CONFIG_NUM_PRIORITIES", NUM_PRIORITIES),
    E("CONFIG_RETYPE_FAN_OUT_LIMIT", RETYPE_FAN_OUT_LIMIT),
    E("CONFIG_TIMER_TICK_MS", TIMER_TICK_MS), E("CONFIG_TIME_SLICE", TIME_SLICE_TICKS),
    E("CONFIG_MAX_NUM_WORK_UNITS_PER_PREEMPTION", WORK_UNITS_PER_PREEMPTION),
};

static const ours_t errors[] = {
    E("seL4_NoError", ERR_NONE), E("seL4_InvalidArgument", ERR_INVALID_ARGUMENT),
    E("seL4_InvalidCapability", ERR_INVALID_CAPABILITY),
    E("seL4_IllegalOperation", ERR_ILLEGAL_OPERATION), E("seL4_RangeError", ERR_RANGE_ERROR),
    E("seL4_AlignmentError", ERR_ALIGNMENT_ERROR), E("seL4_FailedLookup", ERR_FAILED_LOOKUP),
    E("seL4_TruncatedMessage", ERR_TRUNCATED_MESSAGE), E("seL4_DeleteFirst", ERR_DELETE_FIRST),
    E("seL4_RevokeFirst", ERR_REVOKE_FIRST), E("seL4_NotEnoughMemory", ERR_NOT_ENOUGH_MEMORY),
    E("seL4_NoFailure", LOOKUP_NO_FAILURE), E("seL4_InvalidRoot", LOOKUP_INVALID_ROOT),
    E("seL4_MissingCapability", LOOKUP_MISSING_CAPABILITY),
    E("seL4_DepthMismatch", LOOKUP_DEPTH_MISMATCH),
    E("seL4_GuardMismatch", LOOKUP_GUARD_MISMATCH),
};

static const ours_t labels[] = {
    E("InvalidInvocation", INV_INVALID), E("UntypedRetype", INV_UNTYPED_RETYPE),
    E("TCBReadRegisters", INV_TCB_READ_REGISTERS),
    E("TCBWriteRegisters", INV_TCB_WRITE_REGISTERS),
    E("TCBCopyRegisters", INV_TCB_COPY_REGISTERS), E("TCBConfigure", INV_TCB_CONFIGURE),
    E("TCBSetPriority", INV_TCB_SET_PRIORITY), E("TCBSetMCPriority", INV_TCB_SET_MC_PRIORITY),
    E("TCBSetSchedParams", INV_TCB_SET_SCHED_PARAMS),
    E("TCBSetIPCBuffer", INV_TCB_SET_IPC_BUFFER), E("TCBSetSpace", INV_TCB_SET_SPACE),
    E("TCBSuspend", INV_TCB_SUSPEND), E("TCBResume", INV_TCB_RESUME),
    E("TCBBindNotification", INV_TCB_BIND_NOTIFICATION),
    E("TCBUnbindNotification", INV_TCB_UNBIND_NOTIFICATION),
    E("TCBSetTLSBase", INV_TCB_SET_TLS_BASE), E("TCBSetFlags", INV_TCB_SET_FLAGS),
    E("CNodeRevoke", INV_CNODE_REVOKE), E("CNodeDelete", INV_CNODE_DELETE),
    E("CNodeCancelBadgedSends", INV_CNODE_CANCEL_BADGED_SENDS),
    E("CNodeCopy", INV_CNODE_COPY), E("CNodeMint", INV_CNODE_MINT),
    E("CNodeMove", INV_CNODE_MOVE), E("CNodeMutate", INV_CNODE_MUTATE),
    E("CNodeRotate", INV_CNODE_ROTATE), E("CNodeSaveCaller", INV_CNODE_SAVE_CALLER),
    E("IRQIssueIRQHandler", INV_IRQ_ISSUE_IRQ_HANDLER), E("IRQAckIRQ", INV_IRQ_ACK_IRQ),
    E("IRQSetIRQHandler", INV_IRQ_SET_IRQ_HANDLER),
    E("IRQClearIRQHandler", INV_IRQ_CLEAR_IRQ_HANDLER),
    E("DomainSetSet", INV_DOMAIN_SET_SET),
    E("DomainScheduleConfigure", INV_DOMAIN_SCHEDULE_CONFIGURE),
    E("DomainScheduleSetStart", INV_DOMAIN_SCHEDULE_SET_START),
    E("X86PageDirectoryMap", INV_X86_PAGE_DIRECTORY_MAP),
    E("X86PageDirectoryUnmap", INV_X86_PAGE_DIRECTORY_UNMAP),
    E("X86PageDirectoryGetStatusBits", INV_X86_PAGE_DIRECTORY_GET_STATUS_BITS),
    E("X86PageTableMap", INV_X86_PAGE_TABLE_MAP),
    E("X86PageTableUnmap", INV_X86_PAGE_TABLE_UNMAP),
    E("X86PageMap", INV_X86_PAGE_MAP), E("X86PageUnmap", INV_X86_PAGE_UNMAP),
    E("X86PageGetAddress", INV_X86_PAGE_GET_ADDRESS),
    E("X86ASIDControlMakePool", INV_X86_ASID_CONTROL_MAKE_POOL),
    E("X86ASIDPoolAssign", INV_X86_ASID_POOL_ASSIGN),
    E("X86IOPortControlIssue", INV_X86_IOPORT_CONTROL_ISSUE),
    E("X86IOPortIn8", INV_X86_IOPORT_IN8), E("X86IOPortIn16", INV_X86_IOPORT_IN16),
    E("X86IOPortIn32", INV_X86_IOPORT_IN32), E("X86IOPortOut8", INV_X86_IOPORT_OUT8),
    E("X86IOPortOut16", INV_X86_IOPORT_OUT16), E("X86IOPortOut32", INV_X86_IOPORT_OUT32),
    E("X86IRQIssueIRQHandlerIOAPIC", INV_X86_IRQ_ISSUE_IRQ_HANDLER_IOAPIC),
    E("X86IRQIssueIRQHandlerMSI", INV_X86_IRQ_ISSUE_IRQ_HANDLER_MSI),
};

static const ours_t faults[] = {
    E("seL4_Fault_NullFault", FAULT_NULL), E("seL4_Fault_CapFault", FAULT_CAP),
    E("seL4_Fault_UnknownSyscall", FAULT_UNKNOWN_SYSCALL),
    E("seL4_Fault_UserException", FAULT_USER_EXCEPTION), E("seL4_Fault_VMFault", FAULT_VM),
    E("seL4_UnknownSyscall_EAX", UNKSYS_EAX), E("seL4_UnknownSyscall_FaultIP", UNKSYS_FAULT_IP),
    E("seL4_UnknownSyscall_Syscall", UNKSYS_SYSCALL),
    E("seL4_UnknownSyscall_Length", UNKSYS_LENGTH),
    E("seL4_UserException_FaultIP", USEREXC_FAULT_IP),
    E("seL4_UserException_Number", USEREXC_NUMBER), E("seL4_UserException_Code", USEREXC_CODE),
    E("seL4_UserException_Length", USEREXC_LENGTH),
    E("seL4_VMFault_IP", VMFAULT_IP), E("seL4_VMFault_Addr", VMFAULT_ADDR),
    E("seL4_VMFault_PrefetchFault", VMFAULT_PREFETCH), E("seL4_VMFault_FSR", VMFAULT_FSR),
    E("seL4_VMFault_Length", VMFAULT_LENGTH),
    E("seL4_CapFault_IP", CAPFAULT_IP), E("seL4_CapFault_Addr", CAPFAULT_ADDR),
    E("seL4_CapFault_InRecvPhase", CAPFAULT_IN_RECV_PHASE),
    E("seL4_CapFault_LookupFailureType", CAPFAULT_LOOKUP_TYPE),
    E("seL4_CapFault_BitsLeft", CAPFAULT_BITS_LEFT),
    E("seL4_CapFault_DepthMismatch_BitsFound", CAPFAULT_DEPTH_BITS_FOUND),
    E("seL4_CapFault_GuardMismatch_GuardFound", CAPFAULT_GUARD_FOUND),
    E("seL4_CapFault_GuardMismatch_BitsFound", CAPFAULT_GUARD_BITS_FOUND),
};

static const ours_t slots[] = {
    E("seL4_CapNull", CAP_NULL_SLOT), E("seL4_CapInitThreadTCB", CAP_INIT_THREAD_TCB),
    E("seL4_CapInitThreadCNode", CAP_INIT_THREAD_CNODE),
    E("seL4_CapInitThreadVSpace", CAP_INIT_THREAD_VSPACE),
    E("seL4_CapIRQControl", CAP_IRQ_CONTROL), E("seL4_CapASIDControl", CAP_ASID_CONTROL),
    E("seL4_CapInitThreadASIDPool", CAP_INIT_THREAD_ASID_POOL),
    E("seL4_CapIOPortControl", CAP_IO_PORT_CONTROL), E("seL4_CapIOSpace", CAP_IO_SPACE),
    E("seL4_CapBootInfoFrame", CAP_BOOT_INFO_FRAME),
    E("seL4_CapInitThreadIPCBuffer", CAP_INIT_THREAD_IPC_BUFFER),
    E("seL4_CapDomain", CAP_DOMAIN), E("seL4_CapSMMUSIDControl", CAP_SMMU_SID_CONTROL),
    E("seL4_CapSMMUCBControl", CAP_SMMU_CB_CONTROL),
    E("seL4_CapInitThreadSC", CAP_INIT_THREAD_SC), E("seL4_CapSMC", CAP_SMC),
    E("seL4_NumInitialCaps", NUM_INITIAL_CAPS),
};

static const ours_t messages[] = {
    E("seL4_MsgMaxLength", MSG_MAX_LENGTH), E("seL4_MsgMaxExtraCaps", MSG_MAX_EXTRA_CAPS),
    E("seL4_FastMessageRegisters", MSG_FAST_REGISTERS),
    E("seL4_MsgLengthBits", MSGINFO_LENGTH_BITS), E("seL4_MsgExtraCapBits", MSGINFO_EXTRA_BITS),
    E("sizeof(seL4_IPCBuffer)", sizeof(ipc_buffer_t)),
    E("offsetof(seL4_IPCBuffer,tag)", offsetof(ipc_buffer_t, tag)),
    E("offsetof(seL4_IPCBuffer,msg)", offsetof(ipc_buffer_t, msg)),
    E("offsetof(seL4_IPCBuffer,userData)", offsetof(ipc_buffer_t, user_data)),
    E("offsetof(seL4_IPCBuffer,caps_or_badges)", offsetof(ipc_buffer_t, caps_or_badges)),
    E("offsetof(seL4_IPCBuffer,receiveCNode)", offsetof(ipc_buffer_t, receive_cnode)),
    E("offsetof(seL4_IPCBuffer,receiveIndex)", offsetof(ipc_buffer_t, receive_index)),
    E("offsetof(seL4_IPCBuffer,receiveDepth)", offsetof(ipc_buffer_t, receive_depth)),
};

/* The IPCBUF_*_OFFSET macros must agree with the struct (both are ABI). */
static const ours_t ipcbuf_macros[] = {
    E("offsetof(seL4_IPCBuffer,tag)", IPCBUF_TAG_OFFSET),
    E("offsetof(seL4_IPCBuffer,msg)", IPCBUF_MSG_OFFSET),
    E("offsetof(seL4_IPCBuffer,userData)", IPCBUF_USERDATA_OFFSET),
    E("offsetof(seL4_IPCBuffer,caps_or_badges)", IPCBUF_CAPS_OFFSET),
    E("offsetof(seL4_IPCBuffer,receiveCNode)", IPCBUF_RECV_CNODE_OFFSET),
    E("offsetof(seL4_IPCBuffer,receiveIndex)", IPCBUF_RECV_INDEX_OFFSET),
    E("offsetof(seL4_IPCBuffer,receiveDepth)", IPCBUF_RECV_DEPTH_OFFSET),
    E("sizeof(seL4_IPCBuffer)", IPCBUF_SIZE),
};

static const ours_t bootinfo[] = {
    E("sizeof(seL4_BootInfo)", sizeof(bootinfo_t)),
    E("offsetof(seL4_BootInfo,extraLen)", offsetof(bootinfo_t, extra_len)),
    E("offsetof(seL4_BootInfo,nodeID)", offsetof(bootinfo_t, node_id)),
    E("offsetof(seL4_BootInfo,numNodes)", offsetof(bootinfo_t, num_nodes)),
    E("offsetof(seL4_BootInfo,numIOPTLevels)", offsetof(bootinfo_t, num_io_pt_levels)),
    E("offsetof(seL4_BootInfo,ipcBuffer)", offsetof(bootinfo_t, ipc_buffer)),
    E("offsetof(seL4_BootInfo,empty)", offsetof(bootinfo_t, empty)),
    E("offsetof(seL4_BootInfo,sharedFrames)", offsetof(bootinfo_t, shared_frames)),
    E("offsetof(seL4_BootInfo,userImageFrames)", offsetof(bootinfo_t, user_image_frames)),
    E("offsetof(seL4_BootInfo,userImagePaging)", offsetof(bootinfo_t, user_image_paging)),
    E("offsetof(seL4_BootInfo,ioSpaceCaps)", offsetof(bootinfo_t, io_space_caps)),
    E("offsetof(seL4_BootInfo,extraBIPages)", offsetof(bootinfo_t, extra_bi_pages)),
    E("offsetof(seL4_BootInfo,initThreadCNodeSizeBits)",
      offsetof(bootinfo_t, init_thread_cnode_size_bits)),
    E("offsetof(seL4_BootInfo,initThreadDomain)", offsetof(bootinfo_t, init_thread_domain)),
    E("offsetof(seL4_BootInfo,untyped)", offsetof(bootinfo_t, untyped)),
    E("offsetof(seL4_BootInfo,untypedList)", offsetof(bootinfo_t, untyped_list)),
    E("sizeof(seL4_UntypedDesc)", sizeof(bi_untyped_desc_t)),
    E("offsetof(seL4_UntypedDesc,paddr)", offsetof(bi_untyped_desc_t, paddr)),
    E("offsetof(seL4_UntypedDesc,sizeBits)", offsetof(bi_untyped_desc_t, size_bits)),
    E("offsetof(seL4_UntypedDesc,isDevice)", offsetof(bi_untyped_desc_t, is_device)),
    E("CONFIG_MAX_NUM_BOOTINFO_UNTYPED_CAPS", BOOTINFO_MAX_UNTYPED_CAPS),
    E("SEL4_BOOTINFO_HEADER_PADDING", BI_CHUNK_PADDING),
    E("SEL4_BOOTINFO_HEADER_X86_VBE", BI_CHUNK_X86_VBE),
    E("SEL4_BOOTINFO_HEADER_X86_MBMMAP", BI_CHUNK_X86_MBMMAP),
    E("SEL4_BOOTINFO_HEADER_X86_ACPI_RSDP", BI_CHUNK_X86_ACPI_RSDP),
    E("SEL4_BOOTINFO_HEADER_X86_FRAMEBUFFER", BI_CHUNK_X86_FRAMEBUFFER),
    E("SEL4_BOOTINFO_HEADER_X86_TSC_FREQ", BI_CHUNK_X86_TSC_FREQ),
    E("SEL4_BOOTINFO_HEADER_FDT", BI_CHUNK_FDT),
    E("sizeof(seL4_BootInfoHeader)", sizeof(bi_header_t)),
};

/* tsv names with no counterpart in the headers a host test can see. */
static const char *const no_counterpart[] = {
    /* A build option (make ROOT_CNODE_BITS=...), passed to the kernel with -D only. */
    "CONFIG_ROOT_CNODE_SIZE_BITS",
};

#define TABLE(t) { #t, t, sizeof(t) / sizeof(t[0]) }
static const struct table {
    const char *name;
    const ours_t *entries;
    size_t count;
} tables[] = {
    TABLE(syscalls), TABLE(objects), TABLE(sizes), TABLE(errors), TABLE(labels),
    TABLE(faults), TABLE(slots), TABLE(messages), TABLE(ipcbuf_macros), TABLE(bootinfo),
    TABLE(capdata),
};

/* ---- the tsv ---- */

typedef struct tsv_entry {
    char name[MAX_NAME];
    long long value;
} tsv_entry_t;

static tsv_entry_t tsv[MAX_ENTRIES];
static size_t tsv_count;
static char tsv_path[4096];

static FILE *open_tsv(void)
{
    const char *env = getenv(TSV_ENV);
    char exe[4096];
    ssize_t n;
    FILE *f;

    if (env != NULL && *env != '\0') {
        snprintf(tsv_path, sizeof(tsv_path), "%s", env);
        return fopen(tsv_path, "r");
    }
    snprintf(tsv_path, sizeof(tsv_path), "%s", TSV_FROM_REPO);
    f = fopen(tsv_path, "r");
    if (f != NULL)
        return f;
    n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
    if (n <= 0)
        return NULL;
    exe[n] = '\0';
    snprintf(tsv_path, sizeof(tsv_path), "%s%s", dirname(exe), TSV_FROM_BINARY);
    return fopen(tsv_path, "r");
}

/* Reads every `name<TAB>value` line; '#' lines and blank lines are skipped. */
static int load_tsv(void **state)
{
    char line[512], *tab, *end;
    FILE *f = open_tsv();

    (void)state;
    if (f == NULL) {
        fprintf(stderr, "cannot open abi-constants.tsv (tried %s; set $%s)\n", tsv_path,
                TSV_ENV);
        return -1;
    }
    while (fgets(line, sizeof(line), f) != NULL) {
        line[strcspn(line, "\r\n")] = '\0';
        if (line[0] == '#' || line[0] == '\0')
            continue;
        tab = strchr(line, '\t');
        if (tab == NULL || (size_t)(tab - line) >= MAX_NAME || tsv_count == MAX_ENTRIES) {
            fprintf(stderr, "%s: malformed or too many lines at \"%s\"\n", tsv_path, line);
            fclose(f);
            return -1;
        }
        *tab = '\0';
        memcpy(tsv[tsv_count].name, line, (size_t)(tab - line) + 1);
        tsv[tsv_count].value = strtoll(tab + 1, &end, 0);
        if (end == tab + 1 || *end != '\0') {
            fprintf(stderr, "%s: bad value for %s: \"%s\"\n", tsv_path, line, tab + 1);
            fclose(f);
            return -1;
        }
        tsv_count++;
    }
    fclose(f);
    return tsv_count > 0 ? 0 : -1;
}

static const tsv_entry_t *tsv_find(const char *name)
{
    for (size_t i = 0; i < tsv_count; i++)
        if (strcmp(tsv[i].name, name) == 0)
            return &tsv[i];
    return NULL;
}

/* Compares one table; prints every disagreement, then fails if any. */
static void check_table(const struct table *t)
{
    unsigned bad = 0;

    for (size_t i = 0; i < t->count; i++) {
        const ours_t *o = &t->entries[i];
        const tsv_entry_t *e = tsv_find(o->name);

        if (e == NULL) {
            printf("# %s: %s is not in %s\n", t->name, o->name, tsv_path);
            bad++;
        } else if ((uint32_t)e->value != (uint32_t)o->value) {
            printf("# %s: %s is %lld in seL4, %lld in our headers\n", t->name, o->name,
                   e->value, (long long)o->value);
            bad++;
        }
    }
    if (bad != 0)
        fail_msg("%u of %zu %s constants disagree with seL4", bad, t->count, t->name);
}

static bool checked_somewhere(const char *name)
{
    for (size_t t = 0; t < sizeof(tables) / sizeof(tables[0]); t++)
        for (size_t i = 0; i < tables[t].count; i++)
            if (strcmp(tables[t].entries[i].name, name) == 0)
                return true;
    for (size_t i = 0; i < sizeof(no_counterpart) / sizeof(no_counterpart[0]); i++)
        if (strcmp(no_counterpart[i], name) == 0)
            return true;
    return false;
}

#define TABLE_TEST(t) \
    static void t##_match_sel4(void **state) \
    { \
        (void)state; \
        for (size_t i = 0; i < sizeof(tables) / sizeof(tables[0]); i++) \
            if (tables[i].entries == t) \
                check_table(&tables[i]); \
    }

TABLE_TEST(syscalls)
TABLE_TEST(objects)
TABLE_TEST(sizes)
TABLE_TEST(errors)
TABLE_TEST(labels)
TABLE_TEST(faults)
TABLE_TEST(slots)
TABLE_TEST(messages)
TABLE_TEST(ipcbuf_macros)
TABLE_TEST(bootinfo)
TABLE_TEST(capdata)

static void every_tsv_name_is_checked(void **state)
{
    unsigned missing = 0;

    (void)state;
    for (size_t i = 0; i < tsv_count; i++) {
        if (!checked_somewhere(tsv[i].name)) {
            printf("# %s (= %lld) has no counterpart in this test\n", tsv[i].name,
                   tsv[i].value);
            missing++;
        }
    }
    if (missing != 0)
        fail_msg("%u tsv names are unchecked: add them to a table or to no_counterpart",
                 missing);
}

/* Message info packing: label 20 | capsUnwrapped 3 | extraCaps 2 | length 7. */
static void msginfo_layout_is_sel4s(void **state)
{
    uint32_t w = MSGINFO_MAKE(0xfffffu, 7u, 3u, 0x7fu);

    (void)state;
    assert_int_equal(w, 0xffffffffu);
    assert_int_equal(MSGINFO_MAKE(1, 0, 0, 0), 1u << 12);
    assert_int_equal(MSGINFO_MAKE(0, 1, 0, 0), 1u << 9);
    assert_int_equal(MSGINFO_MAKE(0, 0, 1, 0), 1u << 7);
    assert_int_equal(MSGINFO_MAKE(0, 0, 0, 1), 1u);
    assert_int_equal(MSGINFO_LABEL(MSGINFO_MAKE(0x12345u, 5, 2, 99)), 0x12345u);
    assert_int_equal(MSGINFO_UNWRAPPED(MSGINFO_MAKE(0x12345u, 5, 2, 99)), 5u);
    assert_int_equal(MSGINFO_EXTRA(MSGINFO_MAKE(0x12345u, 5, 2, 99)), 2u);
    assert_int_equal(MSGINFO_LENGTH(MSGINFO_MAKE(0x12345u, 5, 2, 99)), 99u);
    assert_int_equal(MSGINFO_LABEL_BITS + MSGINFO_UNWRAPPED_BITS + MSGINFO_EXTRA_BITS +
                     MSGINFO_LENGTH_BITS, 32);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(syscalls_match_sel4),
        cmocka_unit_test(objects_match_sel4),
        cmocka_unit_test(sizes_match_sel4),
        cmocka_unit_test(errors_match_sel4),
        cmocka_unit_test(labels_match_sel4),
        cmocka_unit_test(faults_match_sel4),
        cmocka_unit_test(slots_match_sel4),
        cmocka_unit_test(messages_match_sel4),
        cmocka_unit_test(ipcbuf_macros_match_sel4),
        cmocka_unit_test(bootinfo_match_sel4),
        cmocka_unit_test(capdata_match_sel4),
        cmocka_unit_test(every_tsv_name_is_checked),
        cmocka_unit_test(msginfo_layout_is_sel4s),
    };

    return cmocka_run_group_tests_name("abi_constants", tests, load_tsv, NULL);
}
