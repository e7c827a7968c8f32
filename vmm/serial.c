/*
 * The interactive console: command lines typed on COM1. The bytes come by
 * interrupt (vmm/input.c); while the console waits for the next one it
 * serves the guests, so guests run beside it and the VMM never polls.
 * Lines are edited with backspace and run as console commands; `quit`
 * ends the loop. A command that waits for guests (`restart`, `wait`) keeps
 * later input queued until it returns; Ctrl-] ends such a wait early.
 */
#include <vmm/console.h>
#include <vmm/input.h>
#include <vmm/serve.h>
#include <stdio.h>

#define CH_BS       0x08
#define CH_DEL      0x7f
#define LINE_MAX    80

/* The next byte typed; guests are served while none is there. */
static int next_char(vmm_t *v)
{
    int c;

    while ((c = vmm_input_pop(v)) < 0)
        vmm_serve_one(v);
    return c;
}

/* One line, echoed as typed; returns its length. */
static int read_line(vmm_t *v, char *line)
{
    int n = 0, c;

    for (;;) {
        c = next_char(v);
        if (c == '\r' || c == '\n') {
            putchar('\n');
            line[n] = '\0';
            return n;
        }
        if ((c == CH_BS || c == CH_DEL) && n > 0) {
            n--;
            printf("\b \b");
        } else if (c >= ' ' && c < CH_DEL && n < LINE_MAX - 1) {
            line[n++] = (char)c;
            putchar(c);
        }
    }
}

void vmm_interactive(vmm_t *v)
{
    char line[LINE_MAX];

    if (!vmm_input_open(v)) {
        printf("vmm: cannot read COM1; no interactive console\n");
        return;
    }
    printf("vmm: interactive console (help lists the commands, quit ends it)\n");
    for (;;) {
        printf("vmm> ");
        if (read_line(v, line) == 0)
            continue;
        if (line[0] == 'q' && line[1] == 'u' && line[2] == 'i' && line[3] == 't' && !line[4])
            break;
        vmm_console_run(v, line);
    }
}
