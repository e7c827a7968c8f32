/*
 * Conformance with seL4 (ia32, pc99, non-MCS) for behaviours an
 * unmodified seL4 program can observe and that no other suite pins down.
 * Each test names the seL4 source it was checked against.
 */
#include <rt/rt.h>
#include <rt/alloc.h>
#include <rt/test.h>
#include <rt/thread.h>
#include <sel4/sel4.h>
#include <systest.h>

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

/* ---- TCB SetFlags (object-api.xml TCBSetFlags) ---- */

/* The reply's MR0 is the resulting flags; clear applies before set and
 * unknown bits are ignored. */
static void test_set_flags_result(void)
{
    rt_thread_t t;

    TEST_BEGIN("conformance/tcb_set_flags_result");
    ASSERT_OK(rt_thread_create(&t, WORKER_PRIO, 0));
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
    ASSERT_OK(rt_thread_create(&t, WORKER_PRIO, badged_fault_ep));
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
    (void)bi;
    seL4_TCB_SetPriority(seL4_CapInitThreadTCB, seL4_CapInitThreadTCB, ROOT_PRIO);
    fault_ep = rt_alloc_object(seL4_EndpointObject, 0);
    badged_fault_ep = rt_alloc_slot();
    if (fault_ep == 0 || badged_fault_ep == 0 ||
        seL4_CNode_Mint(ROOT_CNODE, badged_fault_ep, DEPTH, ROOT_CNODE, fault_ep, DEPTH,
                        seL4_AllRights, FAULT_BADGE) != seL4_NoError)
        rt_halt();
    test_set_flags_result();
    test_fpu_disabled_faults();
    test_fpu_disabled_self();
    test_domain_schedule();
    tests_done();
}
