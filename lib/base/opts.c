/* opts.c — Kaldi-style option parsing (ParseOptions semantics, spec/scripts.md §1). */
#include "base/opts.h"
#include "base/log.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum opt_type { T_BOOL, T_INT, T_UINT, T_FLOAT, T_DOUBLE, T_STRING };

struct opt {
    char *name;
    const char *doc;
    enum opt_type type;
    void *ptr;
    char *deflt;        /* default rendered at registration, for the usage text */
    bool standard;
};

struct sk_opts {
    const char *usage;
    int argc;
    char **argv;
    struct opt *opts;
    int n_opts, cap_opts;
    char **owned;       /* strings handed out through const char ** */
    int n_owned, cap_owned;
    int first_arg;      /* index in argv of the first positional argument */
    /* standard options */
    const char *config_dummy;
    bool help, print_args;
    int32_t verbose;
};

static char *xstrdup(const char *s)
{
    char *d = strdup(s ? s : "");
    if (!d)
        SK_BUG("out of memory");
    return d;
}

static char *own(sk_opts *po, const char *s)
{
    if (po->n_owned == po->cap_owned) {
        po->cap_owned = po->cap_owned ? 2 * po->cap_owned : 16;
        po->owned = realloc(po->owned, po->cap_owned * sizeof *po->owned);
        if (!po->owned)
            SK_BUG("out of memory");
    }
    return po->owned[po->n_owned++] = xstrdup(s);
}

/* Lower-case and '_' -> '-', as Kaldi's NormalizeArgName. */
static void normalize(char *s)
{
    for (; *s; s++)
        *s = *s == '_' ? '-' : (char)tolower((unsigned char)*s);
}

static void render_default(struct opt *o)
{
    char buf[512];
    switch (o->type) {
    case T_BOOL: snprintf(buf, sizeof buf, "%s", *(bool *)o->ptr ? "true" : "false"); break;
    case T_INT: snprintf(buf, sizeof buf, "%d", *(int32_t *)o->ptr); break;
    case T_UINT: snprintf(buf, sizeof buf, "%u", *(uint32_t *)o->ptr); break;
    case T_FLOAT: snprintf(buf, sizeof buf, "%g", *(float *)o->ptr); break;
    case T_DOUBLE: snprintf(buf, sizeof buf, "%g", *(double *)o->ptr); break;
    case T_STRING: {
        const char *s = *(const char **)o->ptr;
        snprintf(buf, sizeof buf, "\"%s\"", s ? s : "");
        break;
    }
    }
    o->deflt = xstrdup(buf);
}

static void add(sk_opts *po, const char *name, enum opt_type t, void *p, const char *doc, bool standard)
{
    char *n = xstrdup(name);
    normalize(n);
    for (int i = 0; i < po->n_opts; i++)
        if (!strcmp(po->opts[i].name, n))
            SK_BUG("option --%s registered twice", n);
    if (po->n_opts == po->cap_opts) {
        po->cap_opts = po->cap_opts ? 2 * po->cap_opts : 32;
        po->opts = realloc(po->opts, po->cap_opts * sizeof *po->opts);
        if (!po->opts)
            SK_BUG("out of memory");
    }
    struct opt *o = &po->opts[po->n_opts++];
    *o = (struct opt){ .name = n, .doc = doc, .type = t, .ptr = p, .standard = standard };
    render_default(o);
}

sk_opts *sk_opts_new(const char *usage, int argc, char **argv)
{
    sk_log_init(argc > 0 ? argv[0] : "skald");
    sk_opts *po = calloc(1, sizeof *po);
    if (!po)
        SK_BUG("out of memory");
    po->usage = usage;
    po->argc = argc;
    po->argv = argv;
    po->first_arg = argc;
    po->config_dummy = "";
    po->print_args = true;
    add(po, "config", T_STRING, &po->config_dummy,
        "File of --name=value lines read as options (may be given more than once)", true);
    add(po, "help", T_BOOL, &po->help, "Show this help and exit", true);
    add(po, "print-args", T_BOOL, &po->print_args, "Echo the command line on stderr", true);
    add(po, "verbose", T_INT, &po->verbose, "Logging detail: VLOG lines up to this level", true);
    return po;
}

void sk_opts_free(sk_opts *po)
{
    if (!po)
        return;
    for (int i = 0; i < po->n_opts; i++) {
        free(po->opts[i].name);
        free(po->opts[i].deflt);
    }
    for (int i = 0; i < po->n_owned; i++)
        free(po->owned[i]);
    free(po->opts);
    free(po->owned);
    free(po);
}

void sk_opts_bool(sk_opts *po, const char *n, bool *v, const char *d) { add(po, n, T_BOOL, v, d, false); }
void sk_opts_int(sk_opts *po, const char *n, int32_t *v, const char *d) { add(po, n, T_INT, v, d, false); }
void sk_opts_uint(sk_opts *po, const char *n, uint32_t *v, const char *d) { add(po, n, T_UINT, v, d, false); }
void sk_opts_float(sk_opts *po, const char *n, float *v, const char *d) { add(po, n, T_FLOAT, v, d, false); }
void sk_opts_double(sk_opts *po, const char *n, double *v, const char *d) { add(po, n, T_DOUBLE, v, d, false); }
void sk_opts_string(sk_opts *po, const char *n, const char **v, const char *d) { add(po, n, T_STRING, v, d, false); }

static const char *type_name(enum opt_type t)
{
    static const char *names[] = { "bool", "int", "uint", "float", "double", "string" };
    return names[t];
}

static int cmp_opt(const void *a, const void *b)
{
    return strcmp((*(struct opt *const *)a)->name, (*(struct opt *const *)b)->name);
}

static void print_group(const sk_opts *po, bool standard)
{
    struct opt *sorted[po->n_opts > 0 ? po->n_opts : 1];
    int n = 0;
    for (int i = 0; i < po->n_opts; i++)
        if (po->opts[i].standard == standard)
            sorted[n++] = &po->opts[i];
    qsort(sorted, n, sizeof sorted[0], cmp_opt);
    for (int i = 0; i < n; i++)
        fprintf(stderr, "  --%-25s : %s (%s, default = %s)\n", sorted[i]->name, sorted[i]->doc,
                type_name(sorted[i]->type), sorted[i]->deflt);
}

void sk_opts_print_usage(const sk_opts *po)
{
    fprintf(stderr, "\n%s\n", po->usage);
    bool any = false;
    for (int i = 0; i < po->n_opts; i++)
        any |= !po->opts[i].standard;
    if (any) {
        fprintf(stderr, "Options:\n");
        print_group(po, false);
        fprintf(stderr, "\n");
    }
    fprintf(stderr, "Standard options:\n");
    print_group(po, true);
    fprintf(stderr, "\n");
}

void sk_opts_usage_exit(const sk_opts *po)
{
    sk_opts_print_usage(po);
    exit(1);
}

/* ---- string conversion (Kaldi's ConvertStringTo*) ---- */

bool sk_parse_int32(const char *s, int32_t *out)
{
    char *end;
    errno = 0;
    if (!s || !*s)
        return false;
    long long v = strtoll(s, &end, 10);
    while (isspace((unsigned char)*end))
        end++;
    if (*end || errno || v < INT32_MIN || v > INT32_MAX)
        return false;
    *out = (int32_t)v;
    return true;
}

bool sk_parse_double(const char *s, double *out)
{
    char *end;
    if (!s || !*s)
        return false;
    errno = 0;
    double v = strtod(s, &end);
    while (isspace((unsigned char)*end))
        end++;
    if (*end || end == s)
        return false;
    *out = v;
    return true;
}

bool sk_parse_float(const char *s, float *out)
{
    double d;
    if (!sk_parse_double(s, &d))
        return false;
    *out = (float)d;
    return true;
}

bool sk_parse_bool(const char *s, bool *out)
{
    if (!strcasecmp(s, "true") || !strcasecmp(s, "t") || !strcmp(s, "1")) {
        *out = true;
        return true;
    }
    if (!strcasecmp(s, "false") || !strcasecmp(s, "f") || !strcmp(s, "0")) {
        *out = false;
        return true;
    }
    return false;
}

/* ---- escaping for printed names ---- */

char *sk_escape_r(const char *s, char *buf, int n)
{
    bool plain = *s != '\0';
    bool has_sq = false, has_special = false;
    for (const char *p = s; *p; p++) {
        unsigned char c = (unsigned char)*p;
        if (!(isalnum(c) || strchr("[]~#^_-+=:.,/", c)))
            plain = false;
        if (c == '\'')
            has_sq = true;
        if (strchr("\"`$\\", c))
            has_special = true;
    }
    if (plain) {
        snprintf(buf, n, "%s", s);
        return buf;
    }
    int k = 0;
    char q = (has_sq && !has_special) ? '"' : '\'';
    if (k < n - 1) buf[k++] = q;
    for (const char *p = s; *p && k < n - 5; p++) {
        if (q == '\'' && *p == '\'') {
            memcpy(buf + k, "'\\''", 4);
            k += 4;
        } else {
            buf[k++] = *p;
        }
    }
    if (k < n - 1) buf[k++] = q;
    buf[k] = '\0';
    return buf;
}

const char *sk_escape(const char *s)
{
    static char buf[4096];
    return sk_escape_r(s, buf, sizeof buf);
}

/* ---- parsing ---- */

static void invalid(const sk_opts *po, const char *arg)
{
    sk_opts_print_usage(po);
    fprintf(stderr, "Command line was: ");
    for (int i = 0; i < po->argc; i++)
        fprintf(stderr, "%s ", sk_escape(po->argv[i]));
    fprintf(stderr, "\n");
    SK_FATAL("Invalid option %s", arg);
}

static struct opt *find(sk_opts *po, const char *name)
{
    for (int i = 0; i < po->n_opts; i++)
        if (!strcmp(po->opts[i].name, name))
            return &po->opts[i];
    return NULL;
}

static void read_config(sk_opts *po, const char *file);

/* Apply "--name[=value]" (arg is the whole word). from_config: errors name the file. */
static void set_option(sk_opts *po, const char *arg, bool is_config_pass)
{
    const char *body = arg + 2;
    const char *eq = strchr(body, '=');
    char name[256];
    size_t len = eq ? (size_t)(eq - body) : strlen(body);
    if (len == 0 || len >= sizeof name)
        invalid(po, arg);
    memcpy(name, body, len);
    name[len] = '\0';
    normalize(name);
    const char *value = eq ? eq + 1 : NULL;
    struct opt *o = find(po, name);
    if (!o)
        invalid(po, arg);
    if (!strcmp(name, "config")) {
        if (is_config_pass) {
            if (!value || !*value)
                SK_FATAL("Invalid option %s (option format is --x=y).", arg);
            read_config(po, value);
        }
        return;
    }
    if (is_config_pass)
        return;
    switch (o->type) {
    case T_BOOL: {
        bool b = true;
        if (value && !sk_parse_bool(value, &b))
            SK_FATAL("Invalid option %s (invalid value for boolean option: \"%s\")", arg, value);
        *(bool *)o->ptr = b;
        return;
    }
    default:
        break;
    }
    if (!value)
        SK_FATAL("Invalid option %s (option format is --x=y).", arg);
    switch (o->type) {
    case T_INT:
        if (!sk_parse_int32(value, o->ptr))
            SK_FATAL("Invalid integer option \"%s\"", value);
        break;
    case T_UINT: {
        int32_t v;
        double d;
        if (sk_parse_double(value, &d) && d >= 0 && d <= 4294967295.0 && d == floor(d))
            *(uint32_t *)o->ptr = (uint32_t)d;
        else if (sk_parse_int32(value, &v) && v >= 0)
            *(uint32_t *)o->ptr = (uint32_t)v;
        else
            SK_FATAL("Invalid integer option \"%s\"", value);
        break;
    }
    case T_FLOAT:
        if (!sk_parse_float(value, o->ptr))
            SK_FATAL("Invalid floating-point option \"%s\"", value);
        break;
    case T_DOUBLE:
        if (!sk_parse_double(value, o->ptr))
            SK_FATAL("Invalid floating-point option \"%s\"", value);
        break;
    case T_STRING:
        *(const char **)o->ptr = own(po, value);
        break;
    case T_BOOL:
        break;
    }
}

static void read_config(sk_opts *po, const char *file)
{
    FILE *f = fopen(file, "r");
    if (!f)
        SK_FATAL("Cannot open config file: %s", file);
    char line[8192];
    int lineno = 0;
    /* Lines are applied after this pass so that nested --config files work too. */
    while (fgets(line, sizeof line, f)) {
        lineno++;
        char *hash = strchr(line, '#');
        if (hash)
            *hash = '\0';
        char *s = line;
        while (isspace((unsigned char)*s))
            s++;
        char *e = s + strlen(s);
        while (e > s && isspace((unsigned char)e[-1]))
            *--e = '\0';
        if (!*s)
            continue;
        if (strncmp(s, "--", 2))
            SK_FATAL("Reading config file %s: line %d does not look like a line "
                     "from a Kaldi command-line program's config file: should be of the form "
                     "--x=y.  Note: config files intended to be sourced by shell scripts "
                     "lack the '--'.", file, lineno);
        const char *eq = strchr(s, '=');
        char name[256];
        size_t len = eq ? (size_t)(eq - s - 2) : strlen(s + 2);
        if (len >= sizeof name)
            len = sizeof name - 1;
        memcpy(name, s + 2, len);
        name[len] = '\0';
        normalize(name);
        if (!find(po, name))
            SK_FATAL("Invalid option %s in config file %s", s, file);
        if (!strcmp(name, "config"))
            set_option(po, s, true);
        else
            set_option(po, s, false);
    }
    fclose(f);
}

void sk_opts_parse(sk_opts *po)
{
    /* Pass 1: config files, so that the command line overrides them. */
    int i;
    for (i = 1; i < po->argc; i++) {
        const char *a = po->argv[i];
        if (!strcmp(a, "--"))
            break;
        if (strncmp(a, "--", 2))
            break;
        set_option(po, a, true);
    }
    /* Pass 2: everything else, in order. */
    for (i = 1; i < po->argc; i++) {
        const char *a = po->argv[i];
        if (!strcmp(a, "--")) {
            i++;
            break;
        }
        if (strncmp(a, "--", 2))
            break;
        set_option(po, a, false);
    }
    po->first_arg = i;
    sk_log_set_verbose(po->verbose);
    if (po->help) {
        sk_opts_print_usage(po);
        exit(0);
    }
    if (po->print_args) {
        for (int j = 0; j < po->argc; j++)
            fprintf(stderr, "%s ", sk_escape(po->argv[j]));
        fprintf(stderr, "\n");
        fflush(stderr);
    }
}

void sk_opts_set_verbose_default(sk_opts *po, int32_t level)
{
    po->verbose = level;
    for (int i = 0; i < po->n_opts; i++)
        if (po->opts[i].ptr == &po->verbose) {
            free(po->opts[i].deflt);
            render_default(&po->opts[i]);
        }
}

int sk_opts_num_args(const sk_opts *po) { return po->argc - po->first_arg; }

const char *sk_opts_arg(const sk_opts *po, int i)
{
    if (i < 1 || i > sk_opts_num_args(po))
        SK_BUG("sk_opts_arg(%d) out of range", i);
    return po->argv[po->first_arg + i - 1];
}

const char *sk_opts_arg_or_empty(const sk_opts *po, int i)
{
    return (i >= 1 && i <= sk_opts_num_args(po)) ? po->argv[po->first_arg + i - 1] : "";
}
