/* opts.h — command-line options with Kaldi's exact conventions (spec/scripts.md §1).
 *
 *     static const char usage[] = "Copy features\nUsage: copy-feats [options] <in> <out>\n";
 *     sk_opts *po = sk_opts_new(usage, argc, argv);
 *     bool binary = true;  int32_t n = 10;  const char *method = "auto";
 *     sk_opts_bool(po, "binary", &binary, "Write in binary mode");
 *     sk_opts_int(po, "num", &n, "How many");
 *     sk_opts_string(po, "method", &method, "Which method");
 *     sk_opts_parse(po);                  // exits 0 on --help, 255 on a bad option
 *     if (sk_opts_num_args(po) != 2) sk_opts_usage_exit(po);   // usage + exit 1
 *     const char *in = sk_opts_arg(po, 1);  // 1-based, as Kaldi's GetArg
 *     ...
 *     sk_opts_free(po);
 *
 * Options: `--name=value`, bare `--name` for a bool (true), names lower-cased with '_' -> '-',
 * `--` ends options, the first positional argument ends options. Standard options in every
 * tool: --config (repeatable file of --x=y lines, # comments, read before the command line),
 * --print-args (default true: the command line is echoed to stderr), --help, --verbose.
 * Modules register their own groups with a prefix-free name each (e.g. sk_mfcc_opts_register).
 *
 * Ownership: the sk_opts owns every string it stores into a `const char **` (valid until
 * sk_opts_free); the pointed-to variables are the caller's.
 */
#ifndef SK_BASE_OPTS_H
#define SK_BASE_OPTS_H

#include <stdbool.h>
#include <stdint.h>

typedef struct sk_opts sk_opts;

/* Also calls sk_log_init(argv[0]). */
sk_opts *sk_opts_new(const char *usage, int argc, char **argv);
void sk_opts_free(sk_opts *po);

void sk_opts_bool(sk_opts *po, const char *name, bool *v, const char *doc);
void sk_opts_int(sk_opts *po, const char *name, int32_t *v, const char *doc);
void sk_opts_uint(sk_opts *po, const char *name, uint32_t *v, const char *doc);
void sk_opts_float(sk_opts *po, const char *name, float *v, const char *doc);
void sk_opts_double(sk_opts *po, const char *name, double *v, const char *doc);
void sk_opts_string(sk_opts *po, const char *name, const char **v, const char *doc);

/* Change the default of --verbose (before sk_opts_parse; --verbose on the command line or in a
 * --config file still wins). */
void sk_opts_set_verbose_default(sk_opts *po, int32_t level);

/* Parse the command line given to sk_opts_new. On --help prints usage and exits 0; on a
 * bad option prints usage + ERROR and exits 255. Applies --verbose to the log module. */
void sk_opts_parse(sk_opts *po);

int sk_opts_num_args(const sk_opts *po);
const char *sk_opts_arg(const sk_opts *po, int i);        /* 1-based */
const char *sk_opts_arg_or_empty(const sk_opts *po, int i); /* "" when i > num_args */

/* Print the usage message to stderr. */
void sk_opts_print_usage(const sk_opts *po);
/* Print usage and exit(1): wrong number of arguments. */
void sk_opts_usage_exit(const sk_opts *po) __attribute__((noreturn));

/* Shell-escape a string as Kaldi prints names (io.md 1.1); returns a static buffer
 * overwritten by the next call... use sk_escape_r for a caller-owned buffer. */
const char *sk_escape(const char *s);
/* Writes into buf (size n), returns buf. */
char *sk_escape_r(const char *s, char *buf, int n);

/* Parse helpers shared with other modules (Kaldi's ConvertStringTo*). Return false on a bad
 * string. */
bool sk_parse_int32(const char *s, int32_t *out);
bool sk_parse_float(const char *s, float *out);
bool sk_parse_double(const char *s, double *out);
bool sk_parse_bool(const char *s, bool *out);

#endif
