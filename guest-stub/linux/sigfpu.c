/*
 * The FPU and SSE state across a signal handler, saved and restored by the
 * process itself.
 *
 * Linux saves the interrupted code's x87 and SSE registers on the signal
 * frame (struct _fpstate_32, pointed at by sigcontext.fpstate), gives the
 * handler a freshly initialised FPU, and loads the saved state back at
 * sigreturn. The guest kernel cannot do that itself: the FPU state is the
 * thread's, switched by our kernel with the thread (FXSAVE/FXRSTOR in its
 * TCB), and no invocation reads or writes it. But the handler runs in the
 * process's own thread, so the process can save and load its own state, if
 * it executes the instructions. So delivery writes a few instructions of
 * its own next to the FPU area (ia32 paging without PAE has no
 * no-execute bit: what the process can read it can run) and starts the
 * thread there instead of at the handler:
 *
 *     fxsave  buf_fx          the whole state, x87 and SSE, 16-byte aligned
 *     fnstsw  fpstate.status  the status word, as Linux stores it there
 *     fnsave  fpstate         the legacy i387 image; then FNINIT's state
 *     ldmxcsr =0x1f80         MXCSR_DEFAULT
 *     xorps   xmm0..xmm7      each register zero, as in the initial state
 *     jmp     handler
 *
 * None of them changes an integer register or EFLAGS, so the handler
 * starts with exactly the registers delivery chose. sigreturn does the
 * reverse: it reads the area back (the legacy image takes precedence over
 * the FXSAVE image's x87 part, and MXCSR is masked to what FXRSTOR accepts,
 * as arch/x86/kernel/fpu/signal.c __fpu_restore_sig does), writes the
 * merged image and a second stub into the dead frame below the resumed
 * stack pointer, and resumes the thread at that stub:
 *
 *     fxrstor image
 *     jmp     resumed EIP
 *
 * A frame whose fpstate is NULL gets the initial state back (Linux clears
 * the FPU then). A signal may come before a restore stub has run (at
 * sigreturn itself, or to a thread suspended on it): lx_sig_fpu_resume()
 * recognises the stub by its instructions, which name its own block, and
 * makes the new frame save the state the stub would have loaded and resume
 * where the stub would have jumped, so no ucontext shows a stub. Before its
 * FXRSTOR, the new save stub starts with it (the block lies below the
 * resumed stack pointer, so the new frame goes below the block).
 */
#include "sys.h"
#include <string.h>

#define FX_ALIGN        64u     /* arch/x86/kernel/fpu/signal.c: buf_fx rounded down to 64 */
#define FX_SIZE         ((uint32_t)sizeof(struct lx_fxsave))
#define LEGACY_SIZE     ((uint32_t)sizeof(struct lx_fpstate_legacy))
#define SAVE_STUB_ROOM  72u     /* the save stub and its MXCSR word, above buf_fx */
#define MXCSR_WORD      (SAVE_STUB_ROOM - 4u)
#define MATH_SIZE       (LEGACY_SIZE + FX_SIZE + SAVE_STUB_ROOM)
#define RESTORE_STUB    12u     /* fxrstor m32 (7 bytes), jmp rel32 (5) */
#define RESTORE_BLOCK   (FX_SIZE + 16u)
#define STATUS_OFFSET   ((uint32_t)offsetof(struct lx_fpstate_legacy, status))

/* Instruction bytes (Intel SDM vol. 2): ModRM 00 /r 101 is [disp32]. */
#define OP_0F           0x0f
#define OP_FXGROUP      0xae    /* 0F AE /0 fxsave, /1 fxrstor, /2 ldmxcsr */
#define OP_DD           0xdd    /* DD /6 fnsave, DD /7 fnstsw m16 */
#define OP_JMP_REL32    0xe9
#define OP_XORPS        0x57    /* 0F 57 /r: xorps xmm, xmm/m128 */
#define MODRM_REG(r, m) ((uint8_t)(0xc0 | ((r) << 3) | (m)))
#define XMM_REGS        8u      /* XMM0..XMM7 in 32-bit mode */
#define OP_NOP          0x90
#define MODRM_DISP32(r) ((uint8_t)(((r) << 3) | 5))
#define REG_FXSAVE      0
#define REG_FXRSTOR     1
#define REG_LDMXCSR     2
#define REG_FNSAVE      6
#define REG_FNSTSW      7
#define JMP_LEN         5u
#define TAG_EMPTY       3u      /* the full tag word's 11b */

/* Emits an instruction with a [disp32] operand; returns the next byte. */
static uint8_t *emit_mem(uint8_t *at, uint8_t op0, uint8_t op1, int reg, uint32_t addr)
{
    if (op0 == OP_0F)
        *at++ = op0;
    *at++ = op1;
    *at++ = MODRM_DISP32(reg);
    memcpy(at, &addr, sizeof(addr));
    return at + sizeof(addr);
}

/* jmp rel32 placed at address `here`, to `to`. */
static uint8_t *emit_jmp(uint8_t *at, uint32_t here, uint32_t to)
{
    uint32_t rel = to - (here + JMP_LEN);

    *at++ = OP_JMP_REL32;
    memcpy(at, &rel, sizeof(rel));
    return at + sizeof(rel);
}

uint32_t lx_sig_fpu_place(uint32_t sp)
{
    if (sp < MATH_SIZE + FX_ALIGN)
        return 0;
    uint32_t buf_fx = (sp - SAVE_STUB_ROOM - FX_SIZE) & ~(FX_ALIGN - 1);
    return buf_fx - LEGACY_SIZE;
}

/* Zeros for what the processor does not store: the legacy image's magic
 * (LX_FXSR_MAGIC) and the FXSAVE image's sw_reserved (no XSAVE magic). */
static const uint8_t zeros[sizeof(((struct lx_fxsave *)0)->sw_reserved)];

int lx_sig_fpu_save(lx_proc_t *p, uint32_t fp, uint32_t handler, uint32_t restore,
        uint32_t *entry)
{
    uint8_t code[SAVE_STUB_ROOM] = { 0 };
    uint32_t buf_fx = fp + LEGACY_SIZE, stub = buf_fx + FX_SIZE;
    uint32_t mxcsr = LX_MXCSR_DEFAULT, mxcsr_at = stub + MXCSR_WORD;
    uint8_t *c = code;

    if (restore)
        c = emit_mem(c, OP_0F, OP_FXGROUP, REG_FXRSTOR, restore);
    c = emit_mem(c, OP_0F, OP_FXGROUP, REG_FXSAVE, buf_fx);
    c = emit_mem(c, 0, OP_DD, REG_FNSTSW, fp + STATUS_OFFSET);
    c = emit_mem(c, 0, OP_DD, REG_FNSAVE, fp);
    c = emit_mem(c, OP_0F, OP_FXGROUP, REG_LDMXCSR, mxcsr_at);
    for (uint8_t r = 0; r < XMM_REGS; r++) {
        *c++ = OP_0F;
        *c++ = OP_XORPS;
        *c++ = MODRM_REG(r, r);
    }
    c = emit_jmp(c, stub + (uint32_t)(c - code), handler);
    _Static_assert(7 + 7 + 6 + 6 + 7 + 3 * XMM_REGS + JMP_LEN < MXCSR_WORD,
                   "the longest save stub (with a restore first) fits below its MXCSR word");
    *c = OP_NOP;
    memcpy(code + MXCSR_WORD, &mxcsr, sizeof(mxcsr));
    /* only what the stub does not store: copies are the cost of a signal */
    int err = lx_user_out(p, fp + STATUS_OFFSET, zeros, sizeof(uint32_t));
    if (!err)
        err = lx_user_out(p, buf_fx + (uint32_t)offsetof(struct lx_fxsave, sw_reserved),
                          zeros, sizeof(zeros));
    if (!err)
        err = lx_user_out(p, stub, code, sizeof(code));
    if (err)
        return err;
    *entry = stub;
    return 0;
}

/* The full tag word's empty/not-empty as FXSAVE's abridged tag. */
static uint8_t abridged_tag(uint32_t tag)
{
    uint8_t ftw = 0;

    for (int i = 0; i < 8; i++)
        if (((tag >> (2 * i)) & 3u) != TAG_EMPTY)
            ftw |= (uint8_t)(1u << i);
    return ftw;
}

/* The image FXRSTOR loads: the frame's, with its legacy part folded in
 * (arch/x86/kernel/fpu/regset.c convert_to_fxsr), or the initial state. */
static int restore_image(lx_proc_t *p, uint32_t fpstate, struct lx_fpstate32 *st)
{
    const struct lx_fpstate_legacy *l = &st->legacy;
    struct lx_fxsave *fx = &st->fx;
    uint32_t mask = p->k->mxcsr_mask ? p->k->mxcsr_mask : LX_MXCSR_MASK_DEFAULT;

    if (!fpstate) {
        memset(fx, 0, sizeof(*fx));
        fx->cwd = LX_FCW_DEFAULT;
        fx->mxcsr = LX_MXCSR_DEFAULT;
        return 0;
    }
    if ((fpstate + LEGACY_SIZE) % 16)
        return LX_ERR(LX_EFAULT);   /* FXRSTOR would fault on it */
    int err = lx_user_in(p, st, fpstate, sizeof(*st));
    if (err)
        return err;
    fx->cwd = (uint16_t)l->cw;
    fx->swd = (uint16_t)l->sw;
    fx->ftw = abridged_tag(l->tag);
    fx->fop = (uint16_t)(l->cssel >> 16);
    fx->fip = l->ipoff;
    fx->fcs = l->cssel & 0xffffu;
    fx->foo = l->dataoff;
    fx->fos = l->datasel;
    for (int i = 0; i < 8; i++)
        memcpy(&fx->st[i * LX_FXREG_SIZE], &l->st[i * LX_FPREG_SIZE], LX_FPREG_SIZE);
    fx->mxcsr &= mask;
    return 0;
}

int lx_sig_fpu_restore(lx_proc_t *p, uint32_t fpstate, uint32_t frame, lx_regs_t *r,
        uint32_t *resume)
{
    uint8_t code[RESTORE_STUB];
    struct lx_fpstate32 st;
    uint32_t at = (frame + 15u) & ~15u, target = *resume;

    int err = restore_image(p, fpstate, &st);
    if (err)
        return err;
    if (r->esp > at && r->esp - at < RESTORE_BLOCK)
        at = (r->esp - RESTORE_BLOCK) & ~15u;   /* the block stays below the stack */
    uint8_t *c = emit_mem(code, OP_0F, OP_FXGROUP, REG_FXRSTOR, at);
    emit_jmp(c, at + FX_SIZE + (uint32_t)(c - code), target);
    err = lx_user_out(p, at, &st.fx, FX_SIZE);
    if (!err)
        err = lx_user_out(p, at + FX_SIZE, code, sizeof(code));
    if (err)
        return err;
    *resume = at + FX_SIZE;
    return 0;
}

uint32_t lx_sig_fpu_resume(lx_proc_t *p, lx_regs_t *r)
{
    uint8_t code[RESTORE_STUB];
    uint32_t stub = r->eip, block, rel;
    bool loaded = r->eip % 16 == RESTORE_STUB - JMP_LEN;    /* at its jmp */

    if (loaded)
        stub -= RESTORE_STUB - JMP_LEN;
    else if (r->eip % 16)
        return 0;
    if (stub < FX_SIZE || lx_user_in(p, code, stub, sizeof(code)))
        return 0;
    memcpy(&block, &code[3], sizeof(block));
    memcpy(&rel, &code[8], sizeof(rel));
    if (code[0] != OP_0F || code[1] != OP_FXGROUP || code[2] != MODRM_DISP32(REG_FXRSTOR) ||
        block != stub - FX_SIZE || code[7] != OP_JMP_REL32)
        return 0;
    r->eip = stub + RESTORE_STUB + rel;
    return loaded ? 0 : block;
}
