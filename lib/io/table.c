/* table.c — Kaldi tables: specifiers, sequential and random-access readers, writers.
 *
 * Archives are "KEY OBJECT" entries; script files are "KEY RXFILENAME" lines (spec/io.md §2-5).
 * The holder (table.h) knows how to read and write one object; this file knows where objects
 * are and keeps Kaldi's semantics of errors: a corrupt archive ends the iteration and is
 * reported when the reader is closed; permissive (p) readers only warn.
 *
 * Objects named by a script are read through a small cache of one open input: consecutive
 * "feats.ark:OFFSET" lines pointing into the same archive seek in the already open file (a
 * forward seek inside the stdio buffer costs nothing) instead of reopening it per utterance.
 */
#include "io/table.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include "base/log.h"
#include "base/opts.h"
#include "io/holders.h"
#include "io/kio.h"
#include "io/stream.h"

static bool is_ws(int c)
{
    return c == ' ' || c == '\n' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

/* ---- specifiers ---- */

void sk_spec_release(sk_spec *spec)
{
    if (!spec)
        return;
    free(spec->archive);
    free(spec->script);
    spec->archive = spec->script = NULL;
}

/* Split "OPTS:NAME": returns the position of the colon or -1 when this cannot be a specifier. */
static ssize_t spec_colon(const char *s)
{
    const char *c = s ? strchr(s, ':') : NULL;
    size_t len = s ? strlen(s) : 0;
    if (!c || len == 0 || is_ws((unsigned char)s[len - 1]))
        return -1;
    return c - s;
}

/* Iterate over the fields of the options part, split on ',' and ' ', empty fields kept.
 * Calls fn(field, flen, ctx) for each; stops and returns false if fn does. */
static bool for_each_field(const char *s, size_t n, bool (*fn)(const char *, size_t, void *),
                           void *ctx)
{
    size_t start = 0;
    for (size_t i = 0; i <= n; i++) {
        if (i == n || s[i] == ',' || s[i] == ' ') {
            if (!fn(s + start, i - start, ctx))
                return false;
            start = i + 1;
        }
    }
    return true;
}

static bool field_is(const char *f, size_t n, const char *w)
{
    return strlen(w) == n && !memcmp(f, w, n);
}

static bool wfield(const char *f, size_t n, void *ctx)
{
    sk_spec *sp = ctx;
    if (field_is(f, n, "t"))
        sp->binary = false;
    else if (field_is(f, n, "b"))
        sp->binary = true;
    else if (field_is(f, n, "f"))
        sp->flush = true;
    else if (field_is(f, n, "nf"))
        sp->flush = false;
    else if (field_is(f, n, "p"))
        sp->permissive = true;
    else if (field_is(f, n, "ark")) {
        if (sp->kind != SK_SPEC_NONE)
            return false;
        sp->kind = SK_SPEC_ARCHIVE;
    } else if (field_is(f, n, "scp")) {
        if (sp->kind == SK_SPEC_NONE)
            sp->kind = SK_SPEC_SCRIPT;
        else if (sp->kind == SK_SPEC_ARCHIVE)
            sp->kind = SK_SPEC_BOTH;
        else
            return false;
    } else
        return false;
    return true;
}

sk_spec_kind sk_classify_wspecifier(const char *ws, sk_spec *spec)
{
    sk_spec sp = { .kind = SK_SPEC_NONE, .binary = true };
    ssize_t colon = spec_colon(ws);
    if (colon < 0 || !for_each_field(ws, (size_t)colon, wfield, &sp) || sp.kind == SK_SPEC_NONE)
        return SK_SPEC_NONE;
    const char *rest = ws + colon + 1;
    if (sp.kind == SK_SPEC_BOTH) {
        const char *comma = strchr(rest, ',');
        if (!comma)
            return SK_SPEC_NONE;
        sp.archive = strndup(rest, (size_t)(comma - rest));
        sp.script = strdup(comma + 1);
    } else if (sp.kind == SK_SPEC_ARCHIVE) {
        sp.archive = strdup(rest);
    } else {
        sp.script = strdup(rest);
    }
    if ((sp.kind != SK_SPEC_SCRIPT && !sp.archive) || (sp.kind != SK_SPEC_ARCHIVE && !sp.script)) {
        sk_spec_release(&sp);
        return SK_SPEC_NONE;
    }
    if (spec)
        *spec = sp;
    else
        sk_spec_release(&sp);
    return sp.kind;
}

static bool rfield(const char *f, size_t n, void *ctx)
{
    sk_spec *sp = ctx;
    if (field_is(f, n, "b") || field_is(f, n, "t"))
        ;
    else if (field_is(f, n, "ark") || field_is(f, n, "scp")) {
        if (sp->kind != SK_SPEC_NONE)
            return false;
        sp->kind = f[0] == 'a' ? SK_SPEC_ARCHIVE : SK_SPEC_SCRIPT;
    } else if (field_is(f, n, "o"))
        sp->once = true;
    else if (field_is(f, n, "no"))
        sp->once = false;
    else if (field_is(f, n, "s"))
        sp->sorted = true;
    else if (field_is(f, n, "ns"))
        sp->sorted = false;
    else if (field_is(f, n, "cs"))
        sp->called_sorted = true;
    else if (field_is(f, n, "ncs"))
        sp->called_sorted = false;
    else if (field_is(f, n, "p"))
        sp->permissive = true;
    else if (field_is(f, n, "np"))
        sp->permissive = false;
    else if (field_is(f, n, "bg"))
        sp->background = true;
    else
        return false;
    return true;
}

sk_spec_kind sk_classify_rspecifier(const char *rs, sk_spec *spec)
{
    sk_spec sp = { .kind = SK_SPEC_NONE, .binary = true };
    ssize_t colon = spec_colon(rs);
    if (colon < 0 || !for_each_field(rs, (size_t)colon, rfield, &sp) || sp.kind == SK_SPEC_NONE)
        return SK_SPEC_NONE;
    char *name = strdup(rs + colon + 1);
    if (!name)
        return SK_SPEC_NONE;
    if (sp.kind == SK_SPEC_ARCHIVE)
        sp.archive = name;
    else
        sp.script = name;
    if (spec)
        *spec = sp;
    else
        free(name);
    return sp.kind;
}

bool sk_is_valid_key(const char *key)
{
    if (!key || !*key)
        return false;
    for (const unsigned char *p = (const unsigned char *)key; *p; p++) {
        unsigned c = *p;
        if (c < 128) {
            if (c <= 32 || c == 127)
                return false;
        } else if (c == 255) {
            return false;
        }
    }
    return true;
}

/* ---- small helpers ---- */

/* A growable string buffer for keys and lines. */
typedef struct { char *s; size_t len, cap; } strbuf;

static int sb_reserve(strbuf *b, size_t n)
{
    if (n + 1 <= b->cap)
        return 0;
    size_t cap = b->cap ? b->cap : 64;
    while (cap < n + 1)
        cap *= 2;
    char *s = realloc(b->s, cap);
    if (!s)
        return SK_EIO;
    b->s = s;
    b->cap = cap;
    return 0;
}

static void *obj_new(const sk_holder *h)
{
    void *o = malloc(h->size ? h->size : 1);
    if (o)
        h->init(o);
    return o;
}

static void obj_free(const sk_holder *h, void *o)
{
    if (!o)
        return;
    h->release(o);
    free(o);
}

static void obj_reset(const sk_holder *h, void *o)
{
    h->release(o);
    h->init(o);
}

/* Read one object from f: "\0B" detection unless the holder has no such marker. */
static int read_object(FILE *f, const sk_holder *h, void *obj)
{
    if (h->is_token || h->no_binary_header)
        return h->read(f, false, obj);
    bool binary;
    if (sk_read_binary_header(f, &binary) < 0)
        return SK_EIO;
    return h->read(f, binary, obj);
}

/* Split "DATA[RANGE]": returns 1 with *data (malloc'ed) and *range (pointer into a malloc'ed
 * string, freed with *data... stored separately) when rx ends in ']', 0 when there is no range,
 * < 0 on a malformed range (ERROR printed). */
static int split_range(const char *rx, char **data, char **range)
{
    size_t len = strlen(rx);
    *data = *range = NULL;
    if (len == 0 || rx[len - 1] != ']')
        return 0;
    const char *lb = strchr(rx, '[');
    if (!lb || strchr(lb + 1, '[') || lb == rx || (size_t)(lb - rx) + 2 >= len) {
        SK_ERROR("Invalid range specifier in '%s': expected DATA[RANGE]", rx);
        return SK_EINVAL;
    }
    *data = strndup(rx, (size_t)(lb - rx));
    *range = strndup(lb + 1, len - (size_t)(lb - rx) - 2);
    if (!*data || !*range) {
        free(*data);
        free(*range);
        return SK_EIO;
    }
    return 1;
}

/* ---- loading objects named by rxfilenames (scp entries), with one cached open input ---- */

typedef struct {
    sk_input *in;       /* open input of a file or offset file, or NULL */
    char *path;         /* its path */
} input_cache;

static void cache_close(input_cache *c, int *status)
{
    if (c->in) {
        int st = sk_input_close(c->in);
        if (status && st < 0)
            *status = st;
    }
    c->in = NULL;
    free(c->path);
    c->path = NULL;
}

/* Load the object of one rxfilename (no range) into obj (initialised). Returns 0 or < 0. */
static int load_rx(input_cache *c, const char *rx, const sk_holder *h, void *obj)
{
    sk_rx_kind kind = sk_classify_rxfilename(rx);
    if (kind == SK_RX_FILE || kind == SK_RX_OFFSET) {
        size_t plen = strlen(rx);
        int64_t off = 0;
        if (kind == SK_RX_OFFSET)
            sk_rx_split_offset(rx, &plen, &off);
        if (!c->path || strlen(c->path) != plen || memcmp(c->path, rx, plen)) {
            cache_close(c, NULL);
            c->path = strndup(rx, plen);
            if (!c->path)
                return SK_EIO;
            /* open rx itself (not the bare path, which could look like "name:123" again) */
            c->in = sk_input_open_buf(rx, 64 * 1024);
            if (!c->in) {
                cache_close(c, NULL);
                return SK_EIO;
            }
        }
        FILE *f = sk_input_file(c->in);
        clearerr(f);
        off_t pos = ftello(f);
        if (pos != (off_t)off && fseeko(f, (off_t)off, SEEK_SET) != 0) {
            SK_ERROR("Cannot seek to offset %lld in %s: %s", (long long)off, sk_printable_rx(c->path),
                     strerror(errno));
            cache_close(c, NULL);
            return SK_EIO;
        }
        if (read_object(f, h, obj) < 0) {
            cache_close(c, NULL);
            return SK_EIO;
        }
        return 0;
    }
    /* stdin, pipes: open, read, close (a failed pipe fails the load). */
    sk_input *in = sk_input_open(rx);
    if (!in)
        return SK_EIO;
    int st = read_object(sk_input_file(in), h, obj);
    int cst = sk_input_close(in);
    return st < 0 ? st : cst;
}

/* Load the object of an scp entry "rx" or "rx[range]" into dst. full is a scratch object that
 * keeps the whole object (for ranges); *full_rx names what it holds (cache for consecutive
 * ranges of one object). */
static int load_entry(input_cache *c, const char *rx, const sk_holder *h, void *dst, void *full,
                      char **full_rx)
{
    char *data, *range;
    int r = split_range(rx, &data, &range);
    if (r < 0)
        return r;
    if (r == 0) {
        obj_reset(h, dst);
        return load_rx(c, rx, h, dst);
    }
    int st = 0;
    if (!h->extract_range) {
        SK_ERROR("ExtractRange is not defined for this type of holder.");
        st = SK_EINVAL;
        goto out;
    }
    if (!*full_rx || strcmp(*full_rx, data)) {
        free(*full_rx);
        *full_rx = NULL;
        obj_reset(h, full);
        if ((st = load_rx(c, data, h, full)) < 0)
            goto out;
        *full_rx = data;
        data = NULL;
    }
    obj_reset(h, dst);
    st = h->extract_range(full, range, dst);
out:
    free(data);
    free(range);
    return st;
}

/* ---- script files ---- */

typedef struct { char *key; char *rx; } scp_line;

/* Parse one script line in place: key and rest (trimmed). Returns false if invalid. */
static bool parse_scp_line(char *line, char **key, char **rx)
{
    char *p = line;
    while (*p && is_ws((unsigned char)*p))
        p++;
    if (!*p)
        return false;
    char *k = p;
    while (*p && !is_ws((unsigned char)*p))
        p++;
    if (!*p)
        return false;
    *p++ = 0;
    while (*p && is_ws((unsigned char)*p))
        p++;
    char *e = p + strlen(p);
    while (e > p && is_ws((unsigned char)e[-1]))
        e--;
    *e = 0;
    if (!*p)
        return false;
    *key = k;
    *rx = p;
    return true;
}

static int cmp_scp(const void *a, const void *b)
{
    return strcmp(((const scp_line *)a)->key, ((const scp_line *)b)->key);
}

/* Read a whole script file: lines[] point into *data. sort: sort by key (else require sorted). */
static int read_script(const char *rx, bool sort, char **data, scp_line **lines, size_t *n)
{
    size_t len;
    *lines = NULL;
    *n = 0;
    if (sk_read_all(rx, data, &len) < 0)
        return SK_EIO;
    if (len >= 2 && (*data)[0] == 0 && (*data)[1] == 'B') {
        SK_WARN("Script file %s is binary (it should be text)", sk_printable_rx(rx));
        goto fail;
    }
    size_t cap = 0, cnt = 0;
    char *p = *data, *end = *data + len;
    size_t lineno = 0;
    while (p < end) {
        char *nl = memchr(p, '\n', (size_t)(end - p));
        char *le = nl ? nl : end;
        *le = 0;
        lineno++;
        char *key, *val;
        if (le == p) {
            SK_WARN("Empty %zu'th line in script file %s", lineno, sk_printable_rx(rx));
            goto fail;
        }
        char copy[256];
        snprintf(copy, sizeof copy, "%s", p);
        if (!parse_scp_line(p, &key, &val)) {
            SK_WARN("Invalid %zu'th line in script file %s:\"%s\"", lineno, sk_printable_rx(rx), copy);
            goto fail;
        }
        if (cnt == cap) {
            cap = cap ? cap * 2 : 256;
            scp_line *nl2 = realloc(*lines, cap * sizeof **lines);
            if (!nl2)
                goto fail;
            *lines = nl2;
        }
        (*lines)[cnt++] = (scp_line){ key, val };
        p = le + 1;
    }
    if (sort)
        qsort(*lines, cnt, sizeof **lines, cmp_scp);
    for (size_t i = 1; i < cnt; i++) {
        int c = strcmp((*lines)[i - 1].key, (*lines)[i].key);
        if (c == 0) {
            SK_WARN("Script file %s contains duplicate key: %s", sk_printable_rx(rx), (*lines)[i].key);
            goto fail;
        }
        if (c > 0) {
            SK_WARN("Script file %s is not sorted (remove s, option or add ns, option): key is %s",
                    sk_printable_rx(rx), (*lines)[i].key);
            goto fail;
        }
    }
    *n = cnt;
    return 0;
fail:
    free(*lines);
    *lines = NULL;
    free(*data);
    *data = NULL;
    return SK_EIO;
}

static const scp_line *scp_find(const scp_line *lines, size_t n, const char *key)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        int c = strcmp(lines[mid].key, key);
        if (c == 0)
            return &lines[mid];
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

/* ---- archive entries ---- */

enum { ENTRY_OK = 0, ENTRY_EOF = 1, ENTRY_ERROR = -1 };

/* Read the next "KEY OBJECT" of an archive into key/obj. */
static int read_entry(FILE *f, const char *arname, const sk_holder *h, strbuf *key, void *obj)
{
    int c;
    while ((c = getc_unlocked(f)) != EOF && is_ws(c))
        ;
    if (c == EOF)
        return ferror(f) ? ENTRY_ERROR : ENTRY_EOF;
    key->len = 0;
    while (c != EOF && !is_ws(c)) {
        if (key->len + 1 >= key->cap && sb_reserve(key, key->len + 1) < 0)
            return ENTRY_ERROR;
        key->s[key->len++] = (char)c;
        c = getc_unlocked(f);
    }
    if (sb_reserve(key, key->len) < 0)
        return ENTRY_ERROR;
    key->s[key->len] = 0;
    if (c == ' ' || c == '\t') {
        /* consumed */
    } else if (c == '\n') {
        ungetc(c, f);
    } else {
        char cb[24];
        if (c == EOF)
            snprintf(cb, sizeof cb, "EOF");
        else
            snprintf(cb, sizeof cb, "%c", c);
        SK_WARN("Invalid archive file format: expected space after key %s, got character %s, "
                "reading %s", key->s, cb, sk_printable_rx(arname));
        return ENTRY_ERROR;
    }
    obj_reset(h, obj);
    if (read_object(f, h, obj) < 0) {
        SK_WARN("Object read failed, reading archive %s", sk_printable_rx(arname));
        return ENTRY_ERROR;
    }
    return ENTRY_OK;
}

/* ---- sequential reader ---- */

struct sk_seq_reader {
    const sk_holder *h;
    sk_spec spec;
    char *rspec;
    bool done, error;
    strbuf key;
    void *obj;                 /* current value */
    /* archive */
    sk_input *in;
    /* script */
    sk_input *scp;
    strbuf line;
    char *rx;                  /* current entry's rxfilename (points into line) */
    bool loaded, load_failed;
    input_cache cache;
    void *full;                /* whole object for ranges */
    char *full_rx;
};

static void seq_next_archive(sk_seq_reader *r)
{
    int st = read_entry(sk_input_file(r->in), r->spec.archive, r->h, &r->key, r->obj);
    if (st == ENTRY_OK)
        return;
    r->done = true;
    if (st == ENTRY_ERROR)
        r->error = true;
}

static bool seq_load(sk_seq_reader *r)
{
    if (r->loaded)
        return !r->load_failed;
    r->loaded = true;
    r->load_failed = load_entry(&r->cache, r->rx, r->h, r->obj, r->full, &r->full_rx) < 0;
    if (r->load_failed)
        SK_WARN("Failed to load object from %s", sk_printable_rx(r->rx));
    return !r->load_failed;
}

static void seq_next_script(sk_seq_reader *r)
{
    FILE *f = sk_input_file(r->scp);
    for (;;) {
        ssize_t n = getline(&r->line.s, &r->line.cap, f);
        if (n < 0) {
            if (ferror(f))
                r->error = true;
            r->done = true;
            return;
        }
        if (n > 0 && r->line.s[n - 1] == '\n')
            r->line.s[--n] = 0;
        char *copy = strdup(r->line.s);
        char *key, *rx;
        if (!parse_scp_line(r->line.s, &key, &rx)) {
            SK_WARN("We got an invalid line in the scp file. It should look like: some_key 1.ark:10, "
                    "got: %s", copy ? copy : "");
            free(copy);
            r->error = true;
            r->done = true;
            return;
        }
        free(copy);
        size_t kl = strlen(key);
        if (sb_reserve(&r->key, kl) < 0) {
            r->error = r->done = true;
            return;
        }
        memcpy(r->key.s, key, kl + 1);
        r->key.len = kl;
        r->rx = rx;
        r->loaded = r->load_failed = false;
        if (!r->spec.permissive)
            return;
        /* Permissive: entries whose object cannot be read are skipped. */
        if (seq_load(r))
            return;
    }
}

sk_seq_reader *sk_seq_open(const char *rspec, const sk_holder *h)
{
    sk_seq_reader *r = calloc(1, sizeof *r);
    if (!r)
        return NULL;
    r->h = h;
    r->rspec = strdup(rspec ? rspec : "");
    if (!r->rspec || sk_classify_rspecifier(rspec, &r->spec) == SK_SPEC_NONE) {
        SK_ERROR("Error constructing TableReader: rspecifier is %s", sk_escape(rspec ? rspec : ""));
        free(r->rspec);
        free(r);
        return NULL;
    }
    r->obj = obj_new(h);
    r->full = obj_new(h);
    if (!r->obj || !r->full)
        goto fail;
    if (r->spec.kind == SK_SPEC_ARCHIVE) {
        r->in = sk_input_open(r->spec.archive);
        if (!r->in)
            goto fail;
        seq_next_archive(r);
        if (r->error) {
            SK_WARN("Error beginning to read archive file (wrong filename?): %s",
                    sk_printable_rx(r->spec.archive));
            goto fail;
        }
    } else {
        r->scp = sk_input_open(r->spec.script);
        if (!r->scp)
            goto fail;
        FILE *sf = sk_input_file(r->scp);
        int c0 = getc_unlocked(sf);
        if (c0 == 0) {
            SK_WARN("Script file %s is binary (it should be text)", sk_printable_rx(r->spec.script));
            goto fail;
        }
        if (c0 != EOF)
            ungetc(c0, sf);
        seq_next_script(r);
    }
    return r;
fail:
    SK_ERROR("Error constructing TableReader: rspecifier is %s", sk_escape(r->rspec));
    if (r->in)
        sk_input_close(r->in);
    if (r->scp)
        sk_input_close(r->scp);
    obj_free(h, r->obj);
    obj_free(h, r->full);
    free(r->key.s);
    free(r->line.s);
    sk_spec_release(&r->spec);
    free(r->rspec);
    free(r);
    return NULL;
}

bool sk_seq_done(sk_seq_reader *r) { return r->done; }

const char *sk_seq_key(sk_seq_reader *r)
{
    if (r->done)
        SK_BUG("sk_seq_key called after the end of the table %s", r->rspec);
    return r->key.s;
}

void *sk_seq_value(sk_seq_reader *r)
{
    if (r->done)
        SK_BUG("sk_seq_value called after the end of the table %s", r->rspec);
    if (r->spec.kind == SK_SPEC_ARCHIVE)
        return r->obj;
    if (!seq_load(r)) {
        SK_ERROR("Failed to load object from %s (to suppress this error, add the permissive (p, ) "
                 "option to the rspecifier.", sk_printable_rx(r->rx));
        r->error = true;
        return NULL;
    }
    return r->obj;
}

void sk_seq_next(sk_seq_reader *r)
{
    if (r->done)
        return;
    if (r->spec.kind == SK_SPEC_ARCHIVE)
        seq_next_archive(r);
    else
        seq_next_script(r);
}

int sk_seq_close(sk_seq_reader *r)
{
    if (!r)
        return 0;
    int st = 0;
    if (r->in && sk_input_close(r->in) < 0)
        r->error = true;
    if (r->scp && sk_input_close(r->scp) < 0)
        r->error = true;
    cache_close(&r->cache, NULL);
    if (r->error) {
        const char *name = r->spec.kind == SK_SPEC_ARCHIVE ? r->spec.archive : r->spec.script;
        if (r->spec.permissive) {
            SK_WARN("Error detected closing TableReader for archive %s but ignoring it as "
                    "permissive mode specified.", sk_printable_rx(name));
        } else {
            SK_ERROR("TableReader: error detected closing archive %s", sk_printable_rx(name));
            st = SK_EIO;
        }
    }
    obj_free(r->h, r->obj);
    obj_free(r->h, r->full);
    free(r->full_rx);
    free(r->key.s);
    free(r->line.s);
    sk_spec_release(&r->spec);
    free(r->rspec);
    free(r);
    return st;
}

/* ---- a string-keyed hash map of objects (random-access archives) ---- */

typedef struct entry { char *key; void *obj; bool used; struct entry *next; } entry;
typedef struct { entry **b; size_t nb, n; } objmap;

static uint64_t hash_str(const char *s)
{
    uint64_t h = 1469598103934665603ull;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ull;
    return h;
}

static entry *map_find(objmap *m, const char *key)
{
    if (!m->nb)
        return NULL;
    for (entry *e = m->b[hash_str(key) & (m->nb - 1)]; e; e = e->next)
        if (!strcmp(e->key, key))
            return e;
    return NULL;
}

static int map_add(objmap *m, char *key, void *obj)
{
    if (m->n + 1 > m->nb) {
        size_t nb = m->nb ? m->nb * 2 : 64;
        entry **b = calloc(nb, sizeof *b);
        if (!b)
            return SK_EIO;
        for (size_t i = 0; i < m->nb; i++) {
            for (entry *e = m->b[i], *nx; e; e = nx) {
                nx = e->next;
                size_t j = hash_str(e->key) & (nb - 1);
                e->next = b[j];
                b[j] = e;
            }
        }
        free(m->b);
        m->b = b;
        m->nb = nb;
    }
    entry *e = calloc(1, sizeof *e);
    if (!e)
        return SK_EIO;
    e->key = key;
    e->obj = obj;
    size_t j = hash_str(key) & (m->nb - 1);
    e->next = m->b[j];
    m->b[j] = e;
    m->n++;
    return 0;
}

static void map_remove(objmap *m, const char *key, const sk_holder *h)
{
    if (!m->nb)
        return;
    entry **pp = &m->b[hash_str(key) & (m->nb - 1)];
    for (; *pp; pp = &(*pp)->next) {
        if (!strcmp((*pp)->key, key)) {
            entry *e = *pp;
            *pp = e->next;
            obj_free(h, e->obj);
            free(e->key);
            free(e);
            m->n--;
            return;
        }
    }
}

static void map_clear(objmap *m, const sk_holder *h)
{
    for (size_t i = 0; i < m->nb; i++) {
        for (entry *e = m->b[i], *nx; e; e = nx) {
            nx = e->next;
            obj_free(h, e->obj);
            free(e->key);
            free(e);
        }
    }
    free(m->b);
    m->b = NULL;
    m->nb = m->n = 0;
}

/* ---- random access reader ---- */

struct sk_ra_reader {
    const sk_holder *h;
    sk_spec spec;
    char *rspec;
    bool error;
    /* script */
    char *scp_data;
    scp_line *lines;
    size_t n_lines;
    input_cache cache;
    void *cur;                 /* last loaded object */
    char *cur_key;             /* its key, or NULL */
    bool cur_ok;
    void *full;
    char *full_rx;
    /* archive */
    sk_input *in;
    bool eof;
    objmap map;
    strbuf last_key;           /* last key read from the archive */
    char *last_request;        /* cs: previous requested key */
    char *once_pending;        /* o: key to free at the next call */
    /* map (utt2spk) */
    sk_ra_reader *map_r;
    char *map_rspec;
};

static void ra_free(sk_ra_reader *r)
{
    if (r->in)
        sk_input_close(r->in);
    cache_close(&r->cache, NULL);
    free(r->scp_data);
    free(r->lines);
    if (r->cur)
        obj_free(r->h, r->cur);
    if (r->full)
        obj_free(r->h, r->full);
    free(r->cur_key);
    free(r->full_rx);
    map_clear(&r->map, r->h);
    free(r->last_key.s);
    free(r->last_request);
    free(r->once_pending);
    sk_spec_release(&r->spec);
    free(r->rspec);
    free(r->map_rspec);
    free(r);
}

sk_ra_reader *sk_ra_open(const char *rspec, const sk_holder *h)
{
    sk_ra_reader *r = calloc(1, sizeof *r);
    if (!r)
        return NULL;
    r->h = h;
    r->rspec = strdup(rspec ? rspec : "");
    if (!r->rspec || sk_classify_rspecifier(rspec, &r->spec) == SK_SPEC_NONE)
        goto fail;
    if (r->spec.kind == SK_SPEC_SCRIPT) {
        if (read_script(r->spec.script, !r->spec.sorted, &r->scp_data, &r->lines, &r->n_lines) < 0)
            goto fail;
        r->cur = obj_new(h);
        r->full = obj_new(h);
        if (!r->cur || !r->full)
            goto fail;
    } else {
        r->in = sk_input_open(r->spec.archive);
        if (!r->in)
            goto fail;
    }
    return r;
fail:
    SK_ERROR("Error opening RandomAccessTableReader object (rspecifier is: %s)",
             sk_escape(rspec ? rspec : ""));
    ra_free(r);
    return NULL;
}

/* Script: make sure the object for key is loaded into r->cur. */
static bool ra_scp_load(sk_ra_reader *r, const scp_line *l)
{
    if (r->cur_key && !strcmp(r->cur_key, l->key))
        return r->cur_ok;
    free(r->cur_key);
    r->cur_key = strdup(l->key);
    r->cur_ok = load_entry(&r->cache, l->rx, r->h, r->cur, r->full, &r->full_rx) == 0;
    if (!r->cur_ok)
        SK_WARN("Failed to load object from %s", sk_printable_rx(l->rx));
    return r->cur_ok;
}

/* Archive: read one more entry into the map. Returns false at EOF or on error. */
static bool ra_read_more(sk_ra_reader *r)
{
    if (r->eof || r->error)
        return false;
    void *obj = obj_new(r->h);
    strbuf key = { 0 };
    if (!obj)
        return false;
    int st = read_entry(sk_input_file(r->in), r->spec.archive, r->h, &key, obj);
    if (st != ENTRY_OK) {
        obj_free(r->h, obj);
        free(key.s);
        r->eof = true;
        if (st == ENTRY_ERROR)
            r->error = true;
        return false;
    }
    if (r->spec.sorted && r->last_key.s && strcmp(r->last_key.s, key.s) >= 0) {
        char a[1024];
        snprintf(a, sizeof a, "%s", r->last_key.s);
        SK_ERROR("You provided the sorted (s) option but keys in archive %s are not in sorted "
                 "order: %s is followed by %s", sk_printable_rx(r->spec.archive), a, key.s);
        obj_free(r->h, obj);
        free(key.s);
        r->error = r->eof = true;
        return false;
    }
    if (map_find(&r->map, key.s)) {
        SK_ERROR("Error in RandomAccessTableReader: duplicate key %s in archive %s", key.s,
                 sk_printable_rx(r->spec.archive));
        obj_free(r->h, obj);
        free(key.s);
        r->error = r->eof = true;
        return false;
    }
    if (sb_reserve(&r->last_key, key.len) < 0 || map_add(&r->map, key.s, obj) < 0) {
        obj_free(r->h, obj);
        free(key.s);
        r->error = r->eof = true;
        return false;
    }
    memcpy(r->last_key.s, key.s, key.len + 1);
    return true;
}

/* Free the entries before key (called-sorted: they can never be asked for again). */
static void ra_drop_before(sk_ra_reader *r, const char *key)
{
    for (size_t i = 0; i < r->map.nb; i++) {
        entry **pp = &r->map.b[i];
        while (*pp) {
            entry *e = *pp;
            if (strcmp(e->key, key) < 0) {
                *pp = e->next;
                obj_free(r->h, e->obj);
                free(e->key);
                free(e);
                r->map.n--;
            } else {
                pp = &e->next;
            }
        }
    }
}

static entry *ra_ark_find(sk_ra_reader *r, const char *key)
{
    if (r->once_pending) {
        map_remove(&r->map, r->once_pending, r->h);
        free(r->once_pending);
        r->once_pending = NULL;
    }
    if (r->spec.called_sorted && r->spec.sorted) {
        if (r->last_request && strcmp(key, r->last_request) < 0) {
            SK_ERROR("You provided the called-sorted (cs) option but keys were not requested in "
                     "sorted order: %s after %s (rspecifier %s)", key, r->last_request,
                     sk_escape(r->rspec));
            r->error = true;
            return NULL;
        }
        free(r->last_request);
        r->last_request = strdup(key);
        ra_drop_before(r, key);
    }
    entry *e = map_find(&r->map, key);
    if (e)
        return e;
    for (;;) {
        if (r->spec.sorted && r->last_key.s && strcmp(r->last_key.s, key) > 0)
            return NULL;
        if (!ra_read_more(r))
            return NULL;
        if (!strcmp(r->last_key.s, key))
            return map_find(&r->map, key);
    }
}

static const char *ra_map_key(sk_ra_reader *r, const char *key, bool *ok)
{
    *ok = true;
    if (!r->map_r)
        return key;
    void *v = sk_ra_value_quiet(r->map_r, key);
    if (!v) {
        SK_ERROR("Attempting to read key %s, which is not present in utt2spk map or similar map "
                 "being read from %s", key, sk_escape(r->map_rspec));
        r->error = true;
        *ok = false;
        return NULL;
    }
    return *(char **)v;
}

bool sk_ra_has_key(sk_ra_reader *r, const char *key)
{
    bool ok;
    key = ra_map_key(r, key, &ok);
    if (!ok)
        return false;
    if (r->spec.kind == SK_SPEC_SCRIPT) {
        const scp_line *l = scp_find(r->lines, r->n_lines, key);
        if (!l)
            return false;
        if (r->spec.permissive)
            return ra_scp_load(r, l);
        return true;
    }
    entry *e = ra_ark_find(r, key);
    return e && !e->used;
}

static void *ra_value(sk_ra_reader *r, const char *key, bool quiet)
{
    bool ok;
    key = ra_map_key(r, key, &ok);
    if (!ok)
        return NULL;
    if (r->spec.kind == SK_SPEC_SCRIPT) {
        const scp_line *l = scp_find(r->lines, r->n_lines, key);
        if (!l) {
            if (!quiet)
                SK_ERROR("Value() called but no such key %s in script file %s", key,
                         sk_printable_rx(r->spec.script));
            return NULL;
        }
        if (!ra_scp_load(r, l)) {
            if (!quiet)
                SK_ERROR("Could not get item for key %s, rspecifier is %s [to ignore this, add the "
                         "p, (permissive) option to the rspecifier.", key, sk_escape(r->rspec));
            return NULL;
        }
        return r->cur;
    }
    entry *e = ra_ark_find(r, key);
    if (!e || e->used) {
        if (!quiet) {
            if (e)
                SK_ERROR("Value() called twice for key %s with the once (o) option, archive %s",
                         key, sk_printable_rx(r->spec.archive));
            else
                SK_ERROR("Value() called but no such key %s in archive %s", key,
                         sk_printable_rx(r->spec.archive));
        }
        return NULL;
    }
    if (r->spec.once) {
        e->used = true;
        r->once_pending = strdup(key);
    }
    return e->obj;
}

void *sk_ra_value(sk_ra_reader *r, const char *key) { return ra_value(r, key, false); }
void *sk_ra_value_quiet(sk_ra_reader *r, const char *key) { return ra_value(r, key, true); }

sk_ra_reader *sk_ra_open_mapped(const char *rspec, const char *map_rspec, const sk_holder *h)
{
    sk_ra_reader *r = sk_ra_open(rspec, h);
    if (!r || !map_rspec || !*map_rspec)
        return r;
    r->map_r = sk_ra_open(map_rspec, &sk_holder_token);
    r->map_rspec = strdup(map_rspec);
    if (!r->map_r) {
        ra_free(r);
        return NULL;
    }
    return r;
}

bool sk_ra_failed(const sk_ra_reader *r)
{
    return r && !r->spec.permissive && (r->error || (r->map_r && sk_ra_failed(r->map_r)));
}

int sk_ra_close(sk_ra_reader *r)
{
    if (!r)
        return 0;
    int st = 0;
    if (r->map_r && sk_ra_close(r->map_r) < 0)
        st = SK_EIO;
    if (r->in) {
        /* Stopping before the end of an archive is normal for random access. */
        if (sk_input_close(r->in) < 0)
            r->error = true;
        r->in = NULL;
    }
    if (r->error) {
        if (r->spec.permissive) {
            SK_WARN("Error closing RandomAccessTableReader (ignored: permissive mode): rspecifier is %s",
                    sk_escape(r->rspec));
        } else {
            SK_ERROR("Error closing RandomAccessTableReader: rspecifier is %s", sk_escape(r->rspec));
            st = SK_EIO;
        }
    }
    ra_free(r);
    return st;
}

/* ---- writer ---- */

struct sk_writer {
    const sk_holder *h;
    sk_spec spec;
    char *wspec;
    sk_output *ark, *scp;
    FILE *af, *sf;
    /* scp: (individual files) */
    char *scp_data;
    scp_line *lines;
    size_t n_lines;
    bool error;
};

static void writer_free(sk_writer *w)
{
    free(w->scp_data);
    free(w->lines);
    sk_spec_release(&w->spec);
    free(w->wspec);
    free(w);
}

sk_writer *sk_writer_open(const char *wspec, const sk_holder *h)
{
    sk_writer *w = calloc(1, sizeof *w);
    if (!w)
        return NULL;
    w->h = h;
    w->wspec = strdup(wspec ? wspec : "");
    if (!w->wspec || sk_classify_wspecifier(wspec, &w->spec) == SK_SPEC_NONE) {
        SK_ERROR("Invalid wspecifier %s", sk_escape(wspec ? wspec : ""));
        writer_free(w);
        return NULL;
    }
    if (w->spec.kind == SK_SPEC_SCRIPT) {
        if (read_script(w->spec.script, true, &w->scp_data, &w->lines, &w->n_lines) < 0)
            goto fail;
        return w;
    }
    if (w->spec.kind == SK_SPEC_BOTH && sk_classify_wxfilename(w->spec.archive) != SK_WX_FILE)
        SK_WARN("When writing to both archive and script, the script file will generally not be "
                "interpreted correctly unless the archive is an actual file: wspecifier = %s",
                sk_escape(wspec));
    w->ark = sk_output_open(w->spec.archive, false);
    if (!w->ark)
        goto fail;
    w->af = sk_output_file(w->ark);
    if (w->spec.kind == SK_SPEC_BOTH) {
        w->scp = sk_output_open(w->spec.script, false);
        if (!w->scp) {
            sk_output_abort(w->ark);
            goto fail;
        }
        w->sf = sk_output_file(w->scp);
    }
    return w;
fail:
    SK_ERROR("Failed to open table for writing with wspecifier: %s: errno (in case it's relevant) "
             "is: %s", sk_escape(wspec), strerror(errno));
    writer_free(w);
    return NULL;
}

static int write_obj(FILE *f, const sk_holder *h, bool binary, const void *obj)
{
    if (!h->is_token && !h->no_binary_header && binary && fwrite_unlocked("\0B", 1, 2, f) != 2)
        return SK_EIO;
    return h->write(f, binary, obj);
}

int sk_writer_write(sk_writer *w, const char *key, const void *obj)
{
    if (!sk_is_valid_key(key)) {
        SK_ERROR("Using invalid key %s", key ? key : "");
        return SK_EINVAL;
    }
    bool binary = w->spec.binary;
    if (w->spec.kind == SK_SPEC_SCRIPT) {
        const scp_line *l = scp_find(w->lines, w->n_lines, key);
        if (!l) {
            if (w->spec.permissive)
                return 0;
            SK_WARN("Script file %s has no entry for key %s", sk_printable_rx(w->spec.script), key);
            SK_ERROR("Error in TableWriter::Write");
            return SK_ENOTFOUND;
        }
        sk_output *o = sk_output_open(l->rx, false);
        if (!o) {
            SK_ERROR("Error in TableWriter::Write: cannot open %s for key %s", sk_printable_wx(l->rx), key);
            return SK_EIO;
        }
        if (write_obj(sk_output_file(o), w->h, binary, obj) < 0) {
            SK_ERROR("Write failure to %s for key %s", sk_printable_wx(l->rx), key);
            sk_output_abort(o);
            return SK_EIO;
        }
        return sk_output_close(o) < 0 ? SK_EIO : 0;
    }
    FILE *f = w->af;
    size_t kl = strlen(key);
    if (fwrite_unlocked(key, 1, kl, f) != kl || putc_unlocked(' ', f) == EOF)
        goto werr;
    if (w->sf) {
        off_t pos = ftello(f);
        if (pos < 0) {
            SK_ERROR("Cannot get the position in archive %s for the script file (the archive must "
                     "be a regular file): wspecifier = %s", sk_printable_wx(w->spec.archive),
                     sk_escape(w->wspec));
            w->error = true;
            return SK_EIO;
        }
        if (fprintf(w->sf, "%s %s:%lld\n", key, w->spec.archive, (long long)pos) < 0) {
            SK_ERROR("Write failure to script file %s", sk_printable_wx(w->spec.script));
            w->error = true;
            return SK_EIO;
        }
    }
    if (write_obj(f, w->h, binary, obj) < 0)
        goto werr;
    if (w->spec.flush)
        return sk_writer_flush(w);
    return 0;
werr:
    SK_ERROR("Write failure to %s for key %s", sk_printable_wx(w->spec.archive), key);
    w->error = true;
    return SK_EIO;
}

int sk_writer_flush(sk_writer *w)
{
    int st = 0;
    if (w->af && fflush(w->af) != 0) {
        SK_ERROR("Error flushing archive %s", sk_printable_wx(w->spec.archive));
        st = SK_EIO;
    }
    if (w->sf && fflush(w->sf) != 0) {
        SK_ERROR("Error flushing script file %s", sk_printable_wx(w->spec.script));
        st = SK_EIO;
    }
    return st;
}

int sk_writer_close(sk_writer *w)
{
    if (!w)
        return 0;
    int st = w->error ? SK_EIO : 0;
    if (w->ark && sk_output_close(w->ark) < 0)
        st = SK_EIO;
    if (w->scp && sk_output_close(w->scp) < 0)
        st = SK_EIO;
    if (st < 0)
        SK_ERROR("Error closing TableWriter [in destructor].: wspecifier is %s", sk_escape(w->wspec));
    writer_free(w);
    return st;
}

/* ---- single objects ---- */

int sk_read_object(const char *rx, const sk_holder *h, void *obj)
{
    char *data = NULL, *range = NULL;
    int r = h->extract_range ? split_range(rx, &data, &range) : 0;
    if (r < 0)
        return r;
    const char *src = r ? data : rx;
    void *full = r ? obj_new(h) : obj;
    int st = SK_EIO;
    if (!full)
        goto out;
    sk_input *in = sk_input_open(src);
    if (!in)
        goto out;
    st = read_object(sk_input_file(in), h, full);
    if (sk_input_close(in) < 0)
        st = SK_EIO;
    if (st < 0) {
        SK_ERROR("Failed to read %s from %s", h->name, sk_printable_rx(src));
        goto out;
    }
    if (r) {
        obj_reset(h, obj);
        st = h->extract_range(full, range, obj);
    }
out:
    if (r && full)
        obj_free(h, full);
    free(data);
    free(range);
    return st;
}

int sk_write_object(const char *wx, bool binary, const sk_holder *h, const void *obj)
{
    sk_output *o = sk_output_open(wx, true);
    if (!o)
        return SK_EIO;
    if (write_obj(sk_output_file(o), h, binary, obj) < 0) {
        SK_ERROR("Write failure writing %s to %s", h->name, sk_printable_wx(wx));
        sk_output_abort(o);
        return SK_EIO;
    }
    return sk_output_close(o);
}
