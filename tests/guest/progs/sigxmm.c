/*
 * A signal handler starts with a fresh FPU: Linux loads the initial state
 * (x87 empty, MXCSR 0x1f80, every XMM register zero) before it runs the
 * handler, and gives the interrupted code its own registers back at
 * sigreturn. The program fills XMM0..XMM7 with a pattern, raises SIGUSR1,
 * prints what the handler finds in them, and checks that the pattern is
 * back afterwards.
 */
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#define REGS 8

static uint32_t seen[REGS][4];

#define STORE(i, to) __asm__ volatile("movups %%xmm" #i ", %0" : "=m"(to))
#define LOAD(i, from) __asm__ volatile("movups %0, %%xmm" #i : : "m"(from) : "xmm" #i)

__attribute__((target("sse"))) static void store_all(uint32_t r[REGS][4])
{
    STORE(0, r[0]); STORE(1, r[1]); STORE(2, r[2]); STORE(3, r[3]);
    STORE(4, r[4]); STORE(5, r[5]); STORE(6, r[6]); STORE(7, r[7]);
}

static void on_usr1(int sig)
{
    (void)sig;
    store_all(seen);
}

__attribute__((target("sse"))) int main(void)
{
    static uint32_t pattern[REGS][4], after[REGS][4];
    int nonzero = 0, kept;

    for (int i = 0; i < REGS; i++)
        for (int j = 0; j < 4; j++)
            pattern[i][j] = 0x11111111u * (uint32_t)(i + 1) + (uint32_t)j;
    signal(SIGUSR1, on_usr1);
    LOAD(0, pattern[0]); LOAD(1, pattern[1]); LOAD(2, pattern[2]); LOAD(3, pattern[3]);
    LOAD(4, pattern[4]); LOAD(5, pattern[5]); LOAD(6, pattern[6]); LOAD(7, pattern[7]);
    /* Raw system calls (getpid, kill), so that no library code touches
     * XMM in between. */
    int pid, ret;
    __asm__ volatile("int $0x80" : "=a"(pid) : "a"(20) : "memory");
    __asm__ volatile("int $0x80" : "=a"(ret) : "a"(37), "b"(pid), "c"(SIGUSR1) : "memory");
    store_all(after);
    for (int i = 0; i < REGS; i++)
        for (int j = 0; j < 4; j++)
            nonzero += seen[i][j] != 0;
    kept = memcmp(after, pattern, sizeof(pattern)) == 0;
    printf("kill %d; handler saw %d non-zero XMM words; registers after the handler %s\n", ret,
           nonzero, kept ? "kept" : "changed");
    return 0;
}
