/*
 * Conformance with seL4 (ia32, pc99, non-MCS) for behaviours an
 * unmodified seL4 program can observe and that no other suite pins down.
 * Each test names the seL4 source it was checked against.
 */
#include <rt/rt.h>
#include <rt/test.h>
#include <rt/thread.h>
#include <sel4/sel4.h>
#include <rt/tls.h>
#include <stddef.h>
#include <systest.h>

static struct st_root mem;    /* what the tests allocate from */

#define ROOT_CNODE   seL4_CapInitThreadCNode
#define DEPTH        seL4_WordBits
#define ROOT_PRIO    100
#define WORKER_PRIO  150
#define FAULT_BADGE  0x5a
#define VECTOR_NM    7              /* #NM, device not available */
#define UNKNOWN_FLAG 0x100u         /* no such seL4_TCBFlag */

static seL4_CPtr fault_ep, badged_fault_ep;

struct job {
    volatile int stage;
    volatile seL4_Word fpu_word;
};

/* ---- SetTLSBase system call (-30, seL4 syscall.xml, KernelSetTLSBaseSelf) ---- */

#define TLS_MARK_A 0x7e1a0001u
#define TLS_MARK_B 0x7e1a0002u

struct tls_job {
    volatile int stage;
    volatile seL4_Word seen_before, seen_after_yield, seen_restored;
    rt_tls_t copy;                  /* the worker's TLS block, a different `user` */
};

/* %gs:offsetof(rt_tls_t, user): which TLS block the segment now points at. */
static seL4_Word tls_user_word(void)
{
    seL4_Word w;
    __asm__ volatile("movl %%gs:%c1, %0" : "=r"(w) : "i"(offsetof(rt_tls_t, user)));
    return w;
}

/* Moves its own TLS base with the system call (no capability involved), to
 * a copy of its block, and back. Nothing between uses the IPC buffer. */
static void tls_worker(void *arg)
{
    struct tls_job *j = arg;
    rt_tls_t *mine = (rt_tls_t *)(uintptr_t)tls_user_word();   /* set up below */

    j->stage = 1;
    j->seen_before = (seL4_Word)(uintptr_t)mine->user;
    seL4_SetTLSBase((seL4_Word)(uintptr_t)&j->copy);
    j->stage = 2;
    seL4_Yield();                   /* through a switch and back */
    j->seen_after_yield = tls_user_word();
    seL4_SetTLSBase((seL4_Word)(uintptr_t)mine);
    j->seen_restored = tls_user_word();
    j->stage = 3;
}

/* seL4 src/api/syscall.c handleUnknownSyscall, SysSetTLSBase: the caller's
 * TLS_BASE register becomes EBX, effective at once and kept across
 * switches. sel4runtime makes it the root task's first system call. Before
 * the fix our kernel raised an UnknownSyscall fault here. */
static void test_set_tls_base_syscall(void)
{
    static struct tls_job j;
    rt_thread_t t;
    seL4_Word badge = 0;

    TEST_BEGIN("conformance/set_tls_base_syscall");
    ASSERT_OK(st_thread_create(&mem, &t, WORKER_PRIO, badged_fault_ep));
    /* The worker finds its own block through `user`, the copy is marked B. */
    t.tls->user = (void *)(uintptr_t)t.tls;
    j.copy = *t.tls;
    j.copy.self = &j.copy;
    j.copy.user = (void *)(uintptr_t)TLS_MARK_B;
    ASSERT_OK(rt_thread_start(&t, tls_worker, &j));
    /* It outranks us: it ran to its Yield and on to the end. */
    seL4_MessageInfo_t info = seL4_NBRecv(fault_ep, &badge);
    EXPECT_EQ(seL4_MessageInfo_get_label(info), seL4_Fault_NullFault);
    EXPECT_EQ(j.stage, 3);
    EXPECT_EQ(j.seen_before, (seL4_Word)(uintptr_t)t.tls);
    EXPECT_EQ(j.seen_after_yield, TLS_MARK_B);
    EXPECT_EQ(j.seen_restored, (seL4_Word)(uintptr_t)t.tls);
    /* The root task may set its own base too (to where it is). */
    seL4_Word self;
    __asm__ volatile("movl %%gs:%c1, %0" : "=r"(self) : "i"(offsetof(rt_tls_t, self)));
    seL4_Word own = tls_user_word();
    seL4_SetTLSBase(self);
    EXPECT_EQ(tls_user_word(), own);
    EXPECT_EQ(seL4_TCB_Suspend(t.tcb), seL4_NoError);
    EXPECT_INVARIANTS();
    TEST_END();
}

/* ---- CNode capability data (libsel4 shared_types.bf, mode_include/32) ---- */

#define SUB_RADIX    4
#define SUB_GUARD    0x5u
#define SUB_GUARDLEN 3u
#define SUB_SLOT     2u
/* seL4_CNode_CapData on 32 bits: guardSize in bits 3-7, guard in 8-25. */
#define CAPDATA_WORD(guard, size) (((guard) << 8) | ((size) << 3))

/* Before the fix our kernel read the guard size from bits 0-4 and the guard
 * from bits 5-22, so a CNode minted with seL4's word had a different guard
 * and sel4test's first child process could not be built. */
static void test_cnode_cap_data_layout(void)
{
    seL4_CPtr sub = st_new_cnode(&mem, SUB_RADIX);
    seL4_CPtr guarded = st_slot(&mem), bad = st_slot(&mem);
    seL4_Word index = (SUB_GUARD << SUB_RADIX) | SUB_SLOT;

    TEST_BEGIN("conformance/cnode_cap_data_layout");
    ASSERT_TRUE(sub != 0 && guarded != 0 && bad != 0);
    EXPECT_EQ(seL4_CNode_CapData_new(SUB_GUARD, SUB_GUARDLEN).words[0],
              CAPDATA_WORD(SUB_GUARD, SUB_GUARDLEN));
    ASSERT_OK(seL4_CNode_Mint(ROOT_CNODE, guarded, DEPTH, ROOT_CNODE, sub, DEPTH,
                              seL4_AllRights, CAPDATA_WORD(SUB_GUARD, SUB_GUARDLEN)));
    /* Resolving guard 101 then slot 2: seven bits through the minted cap. */
    EXPECT_EQ(seL4_CNode_Copy(guarded, index, SUB_GUARDLEN + SUB_RADIX, ROOT_CNODE, fault_ep,
                              DEPTH, seL4_AllRights), seL4_NoError);
    EXPECT_EQ(seL4_CNode_Copy(sub, SUB_SLOT, SUB_RADIX, ROOT_CNODE, fault_ep, DEPTH,
                              seL4_AllRights), seL4_DeleteFirst);   /* it landed there */
    EXPECT_EQ(seL4_CNode_Delete(guarded, index, SUB_GUARDLEN + SUB_RADIX), seL4_NoError);
    /* Mutate with seL4's word moves the guard; a wrong guard misses. */
    EXPECT_EQ(seL4_CNode_Mutate(ROOT_CNODE, bad, DEPTH, ROOT_CNODE, guarded, DEPTH,
                                CAPDATA_WORD(SUB_GUARD + 1, SUB_GUARDLEN)), seL4_NoError);
    EXPECT_EQ(seL4_CNode_Copy(bad, index, SUB_GUARDLEN + SUB_RADIX, ROOT_CNODE, fault_ep,
                              DEPTH, seL4_AllRights), seL4_FailedLookup);
    EXPECT_EQ(seL4_CNode_Copy(bad, index + (1u << SUB_RADIX), SUB_GUARDLEN + SUB_RADIX,
                              ROOT_CNODE, fault_ep, DEPTH, seL4_AllRights), seL4_NoError);
    /* Guard size plus radix over 32 bits: Mint makes no capability. */
    EXPECT_NE(seL4_CNode_Mint(ROOT_CNODE, guarded, DEPTH, ROOT_CNODE, sub, DEPTH,
                              seL4_AllRights, CAPDATA_WORD(0, seL4_WordBits - SUB_RADIX + 1)),
              seL4_NoError);
    EXPECT_INVARIANTS();
    TEST_END();
}

/* ---- TCB SetFlags (object-api.xml TCBSetFlags) ---- */

/* The reply's MR0 is the resulting flags; clear applies before set and
 * unknown bits are ignored. */
static void test_set_flags_result(void)
{
    rt_thread_t t;

    TEST_BEGIN("conformance/tcb_set_flags_result");
    ASSERT_OK(st_thread_create(&mem, &t, WORKER_PRIO, 0));
    seL4_TCB_SetFlags_t r = seL4_TCB_SetFlags(t.tcb, 0, 0);
    EXPECT_EQ(r.error, seL4_NoError);
    EXPECT_EQ(r.flags, 0);                  /* a new TCB has every flag clear */
    r = seL4_TCB_SetFlags(t.tcb, 0, seL4_TCBFlag_fpuDisabled | UNKNOWN_FLAG);
    EXPECT_EQ(r.error, seL4_NoError);
    EXPECT_EQ(r.flags, seL4_TCBFlag_fpuDisabled);
    r = seL4_TCB_SetFlags(t.tcb, seL4_TCBFlag_fpuDisabled, seL4_TCBFlag_fpuDisabled);
    EXPECT_EQ(r.flags, seL4_TCBFlag_fpuDisabled);   /* both: set wins */
    r = seL4_TCB_SetFlags(t.tcb, seL4_TCBFlag_fpuDisabled, 0);
    EXPECT_EQ(r.flags, 0);
    EXPECT_INVARIANTS();
    TEST_END();
}

/* A thread runs an x87 instruction; with fpuDisabled set it must fault. */
static void fpu_worker(void *arg)
{
    struct job *j = arg;
    seL4_Word w = 0;

    j->stage = 1;
    __asm__ volatile("fld1\n\t"
                     "fistpl %0" : "=m"(w) : : "memory");
    j->fpu_word = w;
    j->stage = 2;
}

/* seL4 RFC-18 (TCB flag based FPU switching): a thread whose
 * seL4_TCBFlag_fpuDisabled is set runs with the FPU off, so its first FPU
 * instruction raises #NM, which reaches its fault handler as a
 * UserException with Number 7 at that instruction. With the flag cleared
 * and the fault answered, the instruction re-runs and works. */
static void test_fpu_disabled_faults(void)
{
    struct job j = { 0, 0 };
    rt_thread_t t;
    seL4_Word badge = 0;

    TEST_BEGIN("conformance/fpu_disabled_thread_gets_user_exception");
    ASSERT_OK(st_thread_create(&mem, &t, WORKER_PRIO, badged_fault_ep));
    EXPECT_EQ(seL4_TCB_SetFlags(t.tcb, 0, seL4_TCBFlag_fpuDisabled).flags,
              seL4_TCBFlag_fpuDisabled);
    /* The worker outranks us: it runs (and faults, or finishes) now. */
    ASSERT_OK(rt_thread_start(&t, fpu_worker, &j));
    seL4_MessageInfo_t info = seL4_NBRecv(fault_ep, &badge);
    EXPECT_EQ(j.stage, 1);
    EXPECT_EQ(badge, FAULT_BADGE);
    ASSERT_EQ(seL4_MessageInfo_get_label(info), seL4_Fault_UserException);
    EXPECT_EQ(seL4_MessageInfo_get_length(info), seL4_UserException_Length);
    EXPECT_EQ(seL4_GetMR(seL4_UserException_Number), VECTOR_NM);
    EXPECT_EQ(seL4_GetMR(seL4_UserException_Code), 0);
    /* FaultIP is the fld1 (D9 E8). */
    EXPECT_EQ(*(const uint16_t *)seL4_GetMR(seL4_UserException_FaultIP), 0xe8d9);
    EXPECT_EQ(seL4_TCB_SetFlags(t.tcb, seL4_TCBFlag_fpuDisabled, 0).flags, 0);
    seL4_Reply(seL4_MessageInfo_new(0, 0, 0, 0));
    seL4_Yield();
    EXPECT_EQ(j.stage, 2);
    EXPECT_EQ(j.fpu_word, 1);
    EXPECT_INVARIANTS();
    TEST_END();
}

/* The root task may turn its own FPU off and on again. */
static void test_fpu_disabled_self(void)
{
    seL4_Word w = 0;

    TEST_BEGIN("conformance/fpu_flag_on_self");
    EXPECT_EQ(seL4_TCB_SetFlags(seL4_CapInitThreadTCB, 0, seL4_TCBFlag_fpuDisabled).flags,
              seL4_TCBFlag_fpuDisabled);
    EXPECT_EQ(seL4_TCB_SetFlags(seL4_CapInitThreadTCB, seL4_TCBFlag_fpuDisabled, 0).flags, 0);
    __asm__ volatile("fld1\n\t"
                     "fistpl %0" : "=m"(w) : : "memory");
    EXPECT_EQ(w, 1);
    TEST_END();
}

/* ---- DomainSet ScheduleConfigure / ScheduleSetStart (labels 31, 32) ----
 * seL4 src/object/domain.c with one domain and the default two schedule
 * entries (CONFIG_NUM_DOMAIN_SCHEDULES 2): entry 0 runs domain 0, entry 1
 * is the end marker that must stay one, the schedule starts at entry 0. */
#define DSCHED_MAX_DURATION ((1ull << 56) - 1)

static void test_domain_schedule(void)
{
    const seL4_CPtr dom = seL4_CapDomain;

    TEST_BEGIN("conformance/domain_schedule_configure");
    EXPECT_EQ(seL4_DomainSet_ScheduleConfigure(dom, 0, 0, 1000), seL4_NoError);
    EXPECT_EQ(seL4_DomainSet_ScheduleConfigure(dom, 1, 0, 1000), seL4_RangeError);
    EXPECT_EQ(seL4_GetMR(0), 0);
    EXPECT_EQ(seL4_GetMR(1), 0);                        /* the end marker is kept */
    EXPECT_EQ(seL4_DomainSet_ScheduleConfigure(dom, 0, 1, 1000), seL4_RangeError);
    EXPECT_EQ(seL4_GetMR(1), 0);                        /* numDomains - 1 */
    EXPECT_EQ(seL4_DomainSet_ScheduleConfigure(dom, 0, 0, DSCHED_MAX_DURATION + 1),
              seL4_InvalidArgument);
    EXPECT_EQ(seL4_GetMR(0), 2);
    EXPECT_EQ(seL4_DomainSet_ScheduleConfigure(dom, 0, 0, 0), seL4_InvalidArgument);
    EXPECT_EQ(seL4_GetMR(0), 2);                        /* the start entry needs a duration */
    EXPECT_EQ(seL4_DomainSet_ScheduleConfigure(dom, 0, 0, DSCHED_MAX_DURATION), seL4_NoError);
    /* index, domain and the 64-bit duration: four words. */
    EXPECT_EQ(rt_invoke(dom, 31, 0, 3, 0, 0), seL4_TruncatedMessage);
    TEST_END();

    TEST_BEGIN("conformance/domain_schedule_set_start");
    EXPECT_EQ(seL4_DomainSet_ScheduleSetStart(dom, 0), seL4_NoError);
    EXPECT_EQ(seL4_DomainSet_ScheduleSetStart(dom, 2), seL4_RangeError);
    EXPECT_EQ(seL4_GetMR(0), 0);
    EXPECT_EQ(seL4_GetMR(1), 1);
    EXPECT_EQ(seL4_DomainSet_ScheduleSetStart(dom, 1), seL4_InvalidArgument);
    EXPECT_EQ(seL4_GetMR(0), 0);                        /* cannot start at the end marker */
    EXPECT_EQ(rt_invoke(dom, 32, 0, 0, 0, 0), seL4_TruncatedMessage);
    seL4_Yield();                                       /* still scheduled */
    EXPECT_INVARIANTS();
    TEST_END();
}

int main(bootinfo_t *bi)
{
    st_root_init(&mem, bi);
    seL4_TCB_SetPriority(seL4_CapInitThreadTCB, seL4_CapInitThreadTCB, ROOT_PRIO);
    fault_ep = st_new_object(&mem, seL4_EndpointObject);
    badged_fault_ep = st_slot(&mem);
    if (fault_ep == 0 || badged_fault_ep == 0 ||
        seL4_CNode_Mint(ROOT_CNODE, badged_fault_ep, DEPTH, ROOT_CNODE, fault_ep, DEPTH,
                        seL4_AllRights, FAULT_BADGE) != seL4_NoError)
        rt_halt();
    test_cnode_cap_data_layout();
    test_set_tls_base_syscall();
    test_set_flags_result();
    test_fpu_disabled_faults();
    test_fpu_disabled_self();
    test_domain_schedule();
    tests_done();
}
