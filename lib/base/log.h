/* log.h — Kaldi-format log lines and exit codes.
 *
 * Every message goes to stderr as
 *     SEVERITY (PROGRAM[skald]:FUNCTION():FILE:LINE) MESSAGE
 * exactly the shape Kaldi's scripts parse by whitespace field (no spaces inside the
 * parenthesis). SEVERITY is LOG, WARNING, ERROR, ASSERTION_FAILED or VLOG[n].
 *
 *     sk_log_init(argv[0]);                 // once, in main (sk_opts_new does it too)
 *     SK_LOG("Done %d out of %d utterances", ok, n);
 *     SK_WARN("No features for utterance %s", key);
 *     SK_VLOG(2, "read %zu bytes", n);      // printed only when --verbose >= 2
 *
 * Failure has three kinds (style.md §4):
 *   - bad input in library code: SK_ERROR(...) prints the ERROR line and the function
 *     returns a negative status (SK_EIO etc.); the caller decides.
 *   - the tool gives up: SK_FATAL(...) prints the ERROR line, runs the exit hooks (temporary
 *     files removed) and exits with status 255 as a Kaldi binary does. Only tools' main()
 *     and base/opts use it.
 *   - a broken invariant (a bug in skald): SK_BUG(...) prints ASSERTION_FAILED and aborts.
 */
#ifndef SK_BASE_LOG_H
#define SK_BASE_LOG_H

#include <stdarg.h>
#include <stdbool.h>

/* Status codes returned by library functions: 0 is success, negatives are failures. */
enum {
    SK_OK = 0,
    SK_EIO = -1,      /* read/write failure, malformed data (message already printed) */
    SK_EINVAL = -2,   /* bad argument or specifier */
    SK_ENOTFOUND = -3,/* missing key/file */
    SK_EOF = -4,      /* clean end of input */
};

/* Exit status of a tool that failed (Kaldi returns -1 from main). */
#define SK_EXIT_FATAL 255

/* Set the program name (basename of argv0) shown in every line. */
void sk_log_init(const char *argv0);
const char *sk_log_program(void);

/* Current verbose level (--verbose); VLOG[n] lines print when n <= level. */
void sk_log_set_verbose(int level);
int sk_log_verbose(void);

/* Severity values for sk_log_msg: >0 is VLOG[n]; 0 LOG; -1 WARNING; -2 ERROR; -3 ASSERTION_FAILED. */
#define SK_SEV_LOG 0
#define SK_SEV_WARNING (-1)
#define SK_SEV_ERROR (-2)
#define SK_SEV_ASSERT (-3)

void sk_log_msg(int severity, const char *func, const char *file, int line,
                const char *fmt, ...) __attribute__((format(printf, 5, 6)));
void sk_log_vmsg(int severity, const char *func, const char *file, int line,
                 const char *fmt, va_list ap);

/* A sink that receives each finished line (without the trailing newline) instead of stderr;
 * for tests. NULL restores stderr. */
typedef void (*sk_log_sink)(int severity, const char *line, void *ctx);
void sk_log_set_sink(sk_log_sink sink, void *ctx);

/* Functions run (last registered first) before a fatal exit or a signal: remove temporaries,
 * close pipes. At most 32. */
void sk_atexit_hook(void (*fn)(void *), void *ctx);
void sk_atexit_remove(void (*fn)(void *), void *ctx);

/* Print ERROR, run the hooks, exit(255). */
void sk_fatal_exit(void) __attribute__((noreturn));

#define SK_LOG(...)   sk_log_msg(SK_SEV_LOG, __func__, __FILE__, __LINE__, __VA_ARGS__)
#define SK_WARN(...)  sk_log_msg(SK_SEV_WARNING, __func__, __FILE__, __LINE__, __VA_ARGS__)
#define SK_ERROR(...) sk_log_msg(SK_SEV_ERROR, __func__, __FILE__, __LINE__, __VA_ARGS__)
#define SK_VLOG(n, ...) \
    do { if ((n) <= sk_log_verbose()) sk_log_msg((n), __func__, __FILE__, __LINE__, __VA_ARGS__); } while (0)
#define SK_FATAL(...) \
    do { sk_log_msg(SK_SEV_ERROR, __func__, __FILE__, __LINE__, __VA_ARGS__); sk_fatal_exit(); } while (0)
#define SK_BUG(...) \
    do { sk_log_msg(SK_SEV_ASSERT, __func__, __FILE__, __LINE__, __VA_ARGS__); abort(); } while (0)
#define SK_ASSERT(cond) \
    do { if (!(cond)) SK_BUG("Assertion failed: (%s)", #cond); } while (0)

#include <stdlib.h>

#endif
