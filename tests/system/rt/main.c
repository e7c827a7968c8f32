/*
 * System tests of the user-level runtime itself (user/): the libc pieces,
 * printf formatting, the TLS block at %gs and __thread variables, the
 * bump allocator, thread creation, and the system-call stubs carrying
 * message registers, badges and error details both ways. If these fail,
 * every other suite's results are suspect.
 */
#include <rt/rt.h>
#include <rt/test.h>
#include <rt/thread.h>
#include <sel4/sel4.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <systest.h>

static struct st_root mem;    /* what the tests allocate from */

#define ROOT_CNODE seL4_CapInitThreadCNode
#define CPTR_DEPTH seL4_WordBits
#define ROOT_PRIO 100      /* below the workers: they run as soon as they can */
#define WORKER_PRIO 200
#define TEST_BADGE 0x55
#define TLS_INIT 42

/* DebugCapIdentify's raw ia32 type tags (docs/abi/sel4-ia32-facts.md). */
#define CAP_TAG_FRAME 1
#define CAP_TAG_ENDPOINT 4
#define CAP_TAG_NOTIFICATION 6
#define CAP_TAG_CNODE 10
#define CAP_TAG_THREAD 12

__thread int tls_counter = TLS_INIT;      /* extern: not folded by the compiler */
__thread char tls_zeroes[64];

static bootinfo_t *boot;

/* Inside a test: the kernel panics on a violation and returns 0 otherwise. */
static void check_invariants(void)
{
    EXPECT_INVARIANTS();
}

static void test_string(void)
{
    char buf[32];
    char *end;

    TEST_BEGIN("rt_string");
    memset(buf, 'x', sizeof(buf));
    memcpy(buf + 1, "hello, world", 13);
    EXPECT_EQ(strlen(buf + 1), 12);
    EXPECT_EQ(strnlen(buf + 1, 5), 5);
    EXPECT_EQ(buf[0], 'x');
    memmove(buf + 3, buf + 1, 13);          /* overlapping, forwards */
    EXPECT_EQ(strcmp(buf + 3, "hello, world"), 0);
    memmove(buf, buf + 3, 13);              /* overlapping, backwards */
    EXPECT_EQ(strcmp(buf, "hello, world"), 0);
    EXPECT_TRUE(strcmp("abc", "abd") < 0);
    EXPECT_TRUE(strncmp("abcx", "abcy", 3) == 0);
    EXPECT_EQ(strchr(buf, 'o') - buf, 4);
    EXPECT_EQ(strrchr(buf, 'o') - buf, 8);
    EXPECT_TRUE(strchr(buf, 'q') == NULL);
    EXPECT_TRUE(memcmp("ab\xff", "ab\x01", 3) > 0);
    EXPECT_EQ(strtoul("0x1fz", &end, 0), 0x1f);
    EXPECT_EQ(*end, 'z');
    EXPECT_EQ(strtoul("0755", NULL, 0), 0755);
    EXPECT_EQ(strtol("-123", NULL, 10), -123);
    TEST_END();
}

static void expect_format(const char *want, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void expect_format(const char *want, const char *fmt, ...)
{
    char buf[64];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    if (strcmp(buf, want) != 0)
        rt_test_fail(__FILE__, __LINE__, "format \"%s\" gave \"%s\", expected \"%s\"",
                     fmt, buf, want);
}

static void test_format(void)
{
    char small[6];
    const char *volatile null_str = NULL;

    TEST_BEGIN("rt_format");
    expect_format("-5 7 ff FF", "%d %u %x %X", -5, 7u, 255u, 255u);
    expect_format("0000beef|  12|12  |", "%08x|%4d|%-4d|", 0xbeefu, 12, 12);
    expect_format("0x1000 abc c %", "%p %s %c %%", (void *)0x1000, "abc", 'c');
    expect_format("-2147483648 4294967295 fffffffe", "%ld %lu %lx", (long)-2147483647 - 1,
                  4294967295ul, 0xfffffffeul);
    expect_format("123456789abcdef0 -1", "%llx %lld", 0x123456789abcdef0ull, -1ll);
    expect_format("ab|(null)|   x", "%.2s|%s|%4s", "abc", null_str, "x");
    expect_format("+3 0x1f 017", "%+d %#x %#o", 3, 31u, 15u);
    EXPECT_EQ(snprintf(small, sizeof(small), "%s", "truncated"), 9);
    EXPECT_EQ(strcmp(small, "trunc"), 0);
    TEST_END();
}

static void test_tls_block(void)
{
    rt_tls_t *tp = rt_tls_self();
    uintptr_t canary;

    TEST_BEGIN("rt_tls_block");
    __asm__ volatile("movl %%gs:0x14, %0" : "=r"(canary));
    EXPECT_TRUE(tp != NULL);
    EXPECT_EQ((uintptr_t)tp->self, (uintptr_t)tp);
    EXPECT_EQ(tp->tcb, seL4_CapInitThreadTCB);
    EXPECT_NE(canary, 0);
    EXPECT_EQ((uintptr_t)seL4_GetIPCBuffer(), boot->ipc_buffer);
    EXPECT_EQ((uintptr_t)seL4_GetBootInfo()->ipcBuffer, boot->ipc_buffer);
    EXPECT_EQ(tls_counter, TLS_INIT);
    for (unsigned i = 0; i < sizeof(tls_zeroes); i++)
        EXPECT_EQ(tls_zeroes[i], 0);
    seL4_SetMR(5, 0x1234);
    EXPECT_EQ(seL4_GetIPCBuffer()->msg[5], 0x1234);
    TEST_END();
}

static void test_bootinfo(void)
{
    TEST_BEGIN("rt_bootinfo");
    EXPECT_GT(boot->empty.end, boot->empty.start);
    EXPECT_GT(boot->untyped.end, boot->untyped.start);
    EXPECT_EQ(boot->init_thread_cnode_size_bits, 13);
    EXPECT_EQ(boot->ipc_buffer & ((1u << seL4_PageBits) - 1), 0);
    EXPECT_EQ(seL4_DebugCapIdentify(seL4_CapInitThreadCNode), CAP_TAG_CNODE);
    EXPECT_EQ(seL4_DebugCapIdentify(seL4_CapInitThreadTCB), CAP_TAG_THREAD);
    TEST_END();
}

static void test_alloc(void)
{
    seL4_CPtr ep, ntfn, tcb, frame;
    volatile seL4_Word *pages;
    seL4_CPtr frames[2];
    seL4_X86_Page_GetAddress_t ga;

    TEST_BEGIN("rt_objects_and_pages_from_memmgr");
    ep = st_new_object(&mem, seL4_EndpointObject);
    ntfn = st_new_object(&mem, seL4_NotificationObject);
    tcb = st_new_object(&mem, seL4_TCBObject);
    frame = st_new_object(&mem, seL4_X86_4K);
    ASSERT_TRUE(ep != 0 && ntfn != 0 && tcb != 0 && frame != 0);
    EXPECT_EQ(seL4_DebugCapIdentify(ep), CAP_TAG_ENDPOINT);
    EXPECT_EQ(seL4_DebugCapIdentify(ntfn), CAP_TAG_NOTIFICATION);
    EXPECT_EQ(seL4_DebugCapIdentify(tcb), CAP_TAG_THREAD);
    EXPECT_EQ(seL4_DebugCapIdentify(frame), CAP_TAG_FRAME);
    pages = st_pages(&mem, 2, frames);
    ASSERT_TRUE(pages != NULL);
    EXPECT_EQ(pages[0], 0);
    pages[0] = 0xcafe;
    pages[1024 + 3] = 0xf00d;
    EXPECT_EQ(pages[0] + pages[1024 + 3], 0xcafe + 0xf00d);
    ga = seL4_X86_Page_GetAddress(frames[1]);
    EXPECT_ERR(ga.error, seL4_NoError);
    EXPECT_NE(ga.paddr, 0);
    EXPECT_EQ(ga.paddr & ((1u << seL4_PageBits) - 1), 0);
    check_invariants();
    TEST_END();
}

/* The error path: details of a refusal reach seL4_GetMR(). */
static void test_error_details(void)
{
    seL4_CPtr slot = st_slot(&mem);

    TEST_BEGIN("rt_error_details");
    EXPECT_ERR(seL4_Untyped_Retype(boot->untyped.start, seL4_EndpointObject, 0, ROOT_CNODE,
                                   0, 0, slot, 0), seL4_RangeError);
    EXPECT_EQ(seL4_GetMR(0), 1);
    EXPECT_EQ(seL4_GetMR(1), RETYPE_FAN_OUT_LIMIT);
    EXPECT_ERR(seL4_Untyped_Retype(boot->untyped.start, seL4_ObjectTypeCount, 0, ROOT_CNODE,
                                   0, 0, slot, 1), seL4_InvalidArgument);
    EXPECT_EQ(seL4_GetMR(0), 0);
    EXPECT_ERR(seL4_TCB_Suspend(seL4_CapInitThreadCNode), seL4_IllegalOperation);
    check_invariants();
    TEST_END();
}

/* ---- Threads ---- */

struct server_job {
    seL4_CPtr ep;
    volatile int tls_seen;
    volatile int done;
};

/* Answers one Call: MR0 = sum of MR0..MR2, MR1 = badge, MR2 = label. */
static void server(void *arg)
{
    struct server_job *job = arg;
    seL4_Word badge = 0;
    seL4_MessageInfo_t info;

    job->tls_seen = tls_counter;
    tls_counter = 7;                        /* our copy only */
    info = seL4_Recv(job->ep, &badge);
    seL4_SetMR(0, seL4_GetMR(0) + seL4_GetMR(1) + seL4_GetMR(2));
    seL4_SetMR(2, seL4_MessageInfo_get_label(info));
    seL4_SetMR(1, badge);
    seL4_Reply(seL4_MessageInfo_new(0, 0, 0, 3));
    job->done = 1;
}

static void test_thread_call(void)
{
    struct server_job job = { 0, 0, 0 };
    seL4_CPtr ep = st_new_object(&mem, seL4_EndpointObject);
    seL4_CPtr badged = st_slot(&mem);
    seL4_MessageInfo_t reply;
    rt_thread_t t;

    TEST_BEGIN("rt_thread_call");
    ASSERT_TRUE(ep != 0 && badged != 0);
    ASSERT_OK(seL4_CNode_Mint(ROOT_CNODE, badged, CPTR_DEPTH, ROOT_CNODE, ep, CPTR_DEPTH,
                              seL4_AllRights, TEST_BADGE));
    job.ep = ep;
    ASSERT_OK(st_thread_create(&mem, &t, WORKER_PRIO, 0));
    seL4_DebugNameThread(t.tcb, "rt-server");
    ASSERT_OK(rt_thread_start(&t, server, &job));
    seL4_SetMR(0, 1);
    seL4_SetMR(1, 20);
    seL4_SetMR(2, 300);
    reply = seL4_Call(badged, seL4_MessageInfo_new(0x77, 0, 0, 3));
    EXPECT_EQ(seL4_MessageInfo_get_length(reply), 3);
    EXPECT_EQ(seL4_GetMR(0), 321);
    EXPECT_EQ(seL4_GetMR(1), TEST_BADGE);
    EXPECT_EQ(seL4_GetMR(2), 0x77);
    EXPECT_EQ(job.done, 1);                 /* higher priority: finished first */
    EXPECT_EQ(job.tls_seen, TLS_INIT);
    EXPECT_EQ(tls_counter, TLS_INIT);
    check_invariants();
    TEST_END();
}

struct waiter_job {
    seL4_CPtr ntfn;
    volatile seL4_Word word;
};

static void waiter(void *arg)
{
    struct waiter_job *job = arg;
    seL4_Word w = 0;

    seL4_Wait(job->ntfn, &w);
    job->word = w;
}

static void test_thread_signal(void)
{
    struct waiter_job job = { 0, 0 };
    seL4_CPtr ntfn = st_new_object(&mem, seL4_NotificationObject);
    seL4_CPtr badged = st_slot(&mem);
    seL4_UserContext regs;
    rt_thread_t t;

    TEST_BEGIN("rt_thread_signal");
    ASSERT_TRUE(ntfn != 0 && badged != 0);
    ASSERT_OK(seL4_CNode_Mint(ROOT_CNODE, badged, CPTR_DEPTH, ROOT_CNODE, ntfn, CPTR_DEPTH,
                              seL4_AllRights, TEST_BADGE));
    job.ntfn = ntfn;
    ASSERT_OK(st_thread_create(&mem, &t, WORKER_PRIO, 0));
    ASSERT_OK(rt_thread_start(&t, waiter, &job));
    seL4_Signal(badged);
    EXPECT_EQ(job.word, TEST_BADGE);        /* higher priority: ran at once */
    /* The waiter returned and suspended itself in rt_thread_exit. */
    memset(&regs, 0, sizeof(regs));
    EXPECT_OK(seL4_TCB_ReadRegisters(t.tcb, 0, 0, sizeof(regs) / sizeof(seL4_Word), &regs));
    EXPECT_EQ(regs.gs_base, (seL4_Word)t.tls);
    EXPECT_NE(regs.esp, 0);
    check_invariants();
    TEST_END();
}

int main(bootinfo_t *bi)
{
    st_root_init(&mem, bi);
    boot = bi;
    if (seL4_TCB_SetPriority(seL4_CapInitThreadTCB, seL4_CapInitThreadTCB, ROOT_PRIO) != 0)
        printf("rt: cannot lower the root task's priority\n");
    test_string();
    test_format();
    test_tls_block();
    test_bootinfo();
    test_alloc();
    test_error_details();
    test_thread_call();
    test_thread_signal();
    tests_done();
}
