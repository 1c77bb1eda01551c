/* log.c — Kaldi-shaped log lines, exit hooks, and the fatal exit path. */
#include "base/log.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char program[256] = "skald";
static int verbose_level;
static sk_log_sink sink_fn;
static void *sink_ctx;

struct hook { void (*fn)(void *); void *ctx; };
static struct hook hooks[32];
static int n_hooks;

static void run_hooks(void)
{
    /* Pop each hook before running it so a hook that fails cannot run twice. */
    while (n_hooks > 0) {
        struct hook h = hooks[--n_hooks];
        h.fn(h.ctx);
    }
}

static void on_signal(int sig)
{
    run_hooks();
    signal(sig, SIG_DFL);
    raise(sig);
}

void sk_log_init(const char *argv0)
{
    const char *base = argv0 ? strrchr(argv0, '/') : NULL;
    base = base ? base + 1 : (argv0 ? argv0 : "skald");
    snprintf(program, sizeof program, "%s", base);
    /* Temporary model files must go away on Ctrl-C or a killed pipeline, too. */
    signal(SIGINT, on_signal);
    signal(SIGTERM, on_signal);
    signal(SIGHUP, on_signal);
    /* A closed downstream pipe ("... ark,t:- | head") ends the tool by SIGPIPE, silently, as
     * it ends Kaldi's; temporaries are removed first. */
    signal(SIGPIPE, on_signal);
}

const char *sk_log_program(void) { return program; }
void sk_log_set_verbose(int level) { verbose_level = level; }
int sk_log_verbose(void) { return verbose_level; }

void sk_log_set_sink(sk_log_sink sink, void *ctx)
{
    sink_fn = sink;
    sink_ctx = ctx;
}

void sk_log_vmsg(int severity, const char *func, const char *file, int line,
                 const char *fmt, va_list ap)
{
    char sev[32];
    if (severity > 0)
        snprintf(sev, sizeof sev, "VLOG[%d]", severity);
    else
        snprintf(sev, sizeof sev, "%s",
                 severity == SK_SEV_LOG ? "LOG" :
                 severity == SK_SEV_WARNING ? "WARNING" :
                 severity == SK_SEV_ERROR ? "ERROR" : "ASSERTION_FAILED");
    const char *fbase = strrchr(file, '/');
    fbase = fbase ? fbase + 1 : file;

    /* The prefix and message go into a stack buffer when they fit, else into one sized to
     * the message, so long messages (a whole line of a bad archive) are never cut. */
    char small[2048], *buf = small;
    int n = snprintf(small, sizeof small, "%s (%s[skald]:%s():%s:%d) ", sev, program, func,
                     fbase, line);
    if (n < 0 || n >= (int)sizeof small)
        n = 0;
    va_list aq;
    va_copy(aq, ap);
    int m = vsnprintf(small + n, sizeof small - n, fmt, ap);
    if (m >= (int)(sizeof small - n)) {
        char *big = malloc((size_t)n + (size_t)m + 1);
        if (big) {
            memcpy(big, small, (size_t)n);
            vsnprintf(big + n, (size_t)m + 1, fmt, aq);
            buf = big;
        }
    }
    va_end(aq);
    if (sink_fn) {
        sink_fn(severity, buf, sink_ctx);
        if (buf != small)
            free(buf);
        return;
    }
    fflush(stdout);
    fprintf(stderr, "%s\n", buf);
    fflush(stderr);
    if (buf != small)
        free(buf);
}

void sk_log_msg(int severity, const char *func, const char *file, int line, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    sk_log_vmsg(severity, func, file, line, fmt, ap);
    va_end(ap);
}

void sk_atexit_hook(void (*fn)(void *), void *ctx)
{
    if (n_hooks < (int)(sizeof hooks / sizeof hooks[0]))
        hooks[n_hooks++] = (struct hook){ fn, ctx };
}

void sk_atexit_remove(void (*fn)(void *), void *ctx)
{
    for (int i = n_hooks - 1; i >= 0; i--) {
        if (hooks[i].fn == fn && hooks[i].ctx == ctx) {
            memmove(&hooks[i], &hooks[i + 1], (n_hooks - i - 1) * sizeof hooks[0]);
            n_hooks--;
            return;
        }
    }
}

void sk_fatal_exit(void)
{
    run_hooks();
    /* exit(), not _exit(): buffered output already produced (archives, pipes) is kept. */
    exit(SK_EXIT_FATAL);
}
