/*
 * Kernel objects as they sit in memory carved from untypeds.
 *
 * A capability slot (cte_t) is the capability plus its place in the
 * derivation tree: the tree is kept as a doubly linked list in depth-first
 * order, so a slot's children follow it directly and "has children" is a
 * look at the next slot (cdt.h). Link words are slot addresses (16-byte
 * aligned); the low bits of `next` hold the revocable and first-badged
 * flags. On ia32 a slot is 16 bytes (seL4_SlotBits 4); host unit tests on a
 * 64-bit host get wider slots, which pure logic does not care about.
 */
#ifndef KERNEL_OBJECTS_H
#define KERNEL_OBJECTS_H

#include <kernel/types.h>
#include <kernel/cap.h>
#include <kernel/errors.h>
#include <arch/context.h>

typedef struct mdb {
    uintptr_t prev;             /* previous slot in tree order, 0 if none */
    uintptr_t next;             /* next slot | MDB_REVOCABLE | MDB_FIRST_BADGED */
} mdb_t;

#define MDB_REVOCABLE       1u
#define MDB_FIRST_BADGED    2u
#define MDB_FLAGS           3u

typedef struct cte {
    cap_t cap;
    mdb_t mdb;
} cte_t;
#ifndef HOST_TEST
_Static_assert(sizeof(cte_t) == 16, "a slot is 16 bytes (seL4_SlotBits)");
#endif

/* Thread states (seL4's thread_state). */
typedef enum thread_state {
    TS_INACTIVE = 0,
    TS_RUNNING,
    TS_RESTART,                 /* re-run the system call at fault_ip */
    TS_BLOCKED_ON_RECEIVE,
    TS_BLOCKED_ON_SEND,
    TS_BLOCKED_ON_REPLY,
    TS_BLOCKED_ON_NOTIFICATION,
    TS_IDLE,
} thread_state_t;

/* Slots every TCB carries (seL4's tcb_cnode_index). */
enum tcb_slot {
    TCB_SLOT_CTABLE = 0,        /* CSpace root */
    TCB_SLOT_VTABLE = 1,        /* VSpace root (page directory) */
    TCB_SLOT_REPLY = 2,         /* master reply cap to this thread */
    TCB_SLOT_CALLER = 3,        /* reply cap to whoever called us */
    TCB_SLOT_BUFFER = 4,        /* frame cap of the IPC buffer */
    TCB_NUM_SLOTS = 5,
};

/* A fault waiting to be delivered (or being delivered) for a thread. */
typedef struct fault {
    word_t type;                /* FAULT_* from abi/faults.h, FAULT_NULL if none */
    word_t w[4];                /* VM: addr, prefetch, fsr; exception: number, code;
                                   cap: addr, in_recv_phase; unknown syscall: number */
} fault_t;

struct endpoint;
struct notification;

typedef struct tcb {
    user_context_t ctx;         /* first: entry stubs write it in place */
    fpu_state_t fpu;            /* FXSAVE area, 16-byte aligned */
    cte_t slots[TCB_NUM_SLOTS];
    thread_state_t state;
    void *blocking_object;      /* endpoint or notification we are queued on */
    word_t blocking_badge;      /* badge of the cap used for a blocked send */
    word_t blocking_rights;     /* rights of that cap (grant, grant reply) */
    bool blocking_is_call;
    bool fault_reply_pending;   /* blocked on reply because of a fault */
    word_t priority;
    word_t mcp;                 /* maximum controlled priority */
    word_t time_slice;          /* ticks left */
    struct tcb *sched_next, *sched_prev;   /* ready queue */
    struct tcb *ep_next, *ep_prev;         /* endpoint/notification queue */
    struct notification *bound_ntfn;
    cptr_t fault_handler;       /* looked up in our own CSpace at fault time */
    vaddr_t ipc_buffer;         /* user address of the IPC buffer */
    fault_t fault;
    lookup_fault_t lookup_fault;
    word_t flags;               /* TCB SetFlags (seL4_TCBFlag) */
    bool in_ready_queue;
    char name[32];              /* DebugNameThread */
} tcb_t;
#ifndef HOST_TEST
_Static_assert(sizeof(tcb_t) <= (1u << 11), "a TCB fits in 2^TCB_BITS bytes");
#endif

/* Endpoint queue state. */
enum ep_state { EP_IDLE = 0, EP_SEND = 1, EP_RECV = 2 };

typedef struct endpoint {
    tcb_t *head;
    tcb_t *tail;
    word_t state;               /* enum ep_state */
    word_t pad;
} endpoint_t;

/* Notification state. */
enum ntfn_state { NTFN_IDLE = 0, NTFN_WAITING = 1, NTFN_ACTIVE = 2 };

typedef struct notification {
    tcb_t *head;
    uintptr_t tail_state;       /* tail tcb | enum ntfn_state (TCBs are 2 KiB aligned) */
    word_t word;                /* OR of badges signalled */
    tcb_t *bound_tcb;
} notification_t;
#ifndef HOST_TEST
_Static_assert(sizeof(endpoint_t) <= 16 && sizeof(notification_t) <= 16, "16-byte objects");
#endif

static inline tcb_t *ntfn_tail(const notification_t *n) { return (tcb_t *)(n->tail_state & ~(uintptr_t)3); }
static inline word_t ntfn_state(const notification_t *n) { return n->tail_state & 3u; }

/* Slot array of a CNode object. */
static inline cte_t *cnode_slots(cap_t cnode_cap) { return (cte_t *)cap_ptr(cnode_cap); }
static inline tcb_t *cap_tcb_ptr(cap_t c) { return (tcb_t *)cap_ptr(c); }
static inline cte_t *tcb_slot(tcb_t *t, enum tcb_slot s) { return &t->slots[s]; }
/* The TCB whose slot array contains slot `s`. */
static inline tcb_t *tcb_of_slot(cte_t *s) { return (tcb_t *)((uintptr_t)s & ~(uintptr_t)MASK(TCB_BITS)); }

#endif
