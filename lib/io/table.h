/* table.h — Kaldi tables: rspecifiers, wspecifiers, archives and scp files (spec/io.md §2-5).
 *
 * A table holds objects of one type, described by a holder (sk_holder): how to init, read,
 * write, release and sub-range an object. Holders for basic types live in io/holders.h;
 * matrix and vector holders in matrix/holders.h.
 *
 *     sk_seq_reader *r = sk_seq_open("ark:feats.ark", &sk_holder_mat);
 *     if (!r) SK_FATAL(...);                       // ERROR already printed
 *     for (; !sk_seq_done(r); sk_seq_next(r)) {
 *         const sk_mat *m = sk_seq_value(r);      // NULL: object unreadable (ERROR printed)
 *         ... sk_seq_key(r) ...
 *     }
 *     if (sk_seq_close(r) < 0) exit(255);         // archive was short/corrupt or pipe failed
 *
 *     sk_writer *w = sk_writer_open("ark,scp:f.ark,f.scp", &sk_holder_mat);
 *     sk_writer_write(w, key, &m);                // < 0: failure (ERROR printed)
 *     sk_writer_close(w);                         // < 0: failure
 *
 *     sk_ra_reader *ra = sk_ra_open("scp:cmvn.scp", &sk_holder_dmat);
 *     if (sk_ra_has_key(ra, "spk1")) { const sk_dmat *s = sk_ra_value(ra, "spk1"); ... }
 *
 * Semantics follow Kaldi exactly: options ark/scp/t/b/f/nf/p/o/s/cs/bg, sorted and once
 * random access, scp ranges "file[r1:r2,c1:c2]", ark,scp writing with byte offsets, per-object
 * binary/text detection, pipes checked at close.
 *
 * Ownership: values returned by readers belong to the reader and stay valid until the next
 * sk_seq_next / the next sk_ra_* call on the same reader (as Kaldi's Value()); copy what you
 * keep. Writers copy nothing.
 */
#ifndef SK_IO_TABLE_H
#define SK_IO_TABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/* ---- holders ---- */

typedef struct sk_holder {
    const char *name;          /* e.g. "matrix", for messages */
    size_t size;               /* sizeof the object */
    void (*init)(void *obj);   /* set to empty; no allocation needed */
    void (*release)(void *obj);/* free contents; obj may be reused after init */
    /* Read one object into obj, which the table layer has just init'ed (freshly or after a
     * release), so read never sees old contents. For most holders the reader has already
     * consumed "\0B" when present and binary says which mode. Token holders (is_token) read
     * the rest of the line, and holders marked no_binary_header are called with binary false
     * and tell the mode from their own bytes. Returns 0 or < 0 (ERROR printed). */
    int (*read)(FILE *f, bool binary, void *obj);
    /* Write one object (no "\0B": the table layer writes it unless no_binary_header).
     * Returns 0 or SK_EIO. */
    int (*write)(FILE *f, bool binary, const void *obj);
    /* Optional: extract a range "r1:r2[,c1:c2]" from src into dst (both initialised). NULL if
     * ranges are not supported for this type. Returns 0 or < 0 (ERROR printed). */
    int (*extract_range)(const void *src, const char *range, void *dst);
    /* Optional: copy an object (for readers that must keep a value). */
    int (*copy)(const void *src, void *dst);
    bool is_token;             /* token holders: no "\0B", text to end of line */
    /* Objects whose binary form carries its own signature (RIFF waves, HTK files, OpenFst
     * lattices): the table layer neither writes nor consumes "\0B" before them. */
    bool no_binary_header;
} sk_holder;

/* ---- specifiers ---- */

typedef enum { SK_SPEC_NONE, SK_SPEC_ARCHIVE, SK_SPEC_SCRIPT, SK_SPEC_BOTH } sk_spec_kind;

typedef struct {
    sk_spec_kind kind;
    bool binary, flush, permissive;      /* wspecifier */
    bool once, sorted, called_sorted, background;  /* rspecifier */
    char *archive;                       /* archive rx/wxfilename (malloc'ed) or NULL */
    char *script;                        /* script rx/wxfilename (malloc'ed) or NULL */
} sk_spec;

/* Classify; on success fills *spec (release with sk_spec_release) and returns its kind.
 * SK_SPEC_NONE (nothing to release) when the string is not a valid specifier. */
sk_spec_kind sk_classify_rspecifier(const char *rspec, sk_spec *spec);
sk_spec_kind sk_classify_wspecifier(const char *wspec, sk_spec *spec);
void sk_spec_release(sk_spec *spec);

/* ---- sequential reader ---- */

typedef struct sk_seq_reader sk_seq_reader;

/* NULL on failure (ERROR printed: "Error constructing TableReader: rspecifier is ..."). */
sk_seq_reader *sk_seq_open(const char *rspec, const sk_holder *h);
bool sk_seq_done(sk_seq_reader *r);
const char *sk_seq_key(sk_seq_reader *r);
/* The current value; NULL when it cannot be read (scp entry unreadable: ERROR printed). */
void *sk_seq_value(sk_seq_reader *r);
void sk_seq_next(sk_seq_reader *r);
/* Closes and frees. Returns 0, or SK_EIO if an error was detected (archive corrupt/short,
 * pipe failed) and the reader was not permissive; the ERROR line is printed then. */
int sk_seq_close(sk_seq_reader *r);

/* ---- random access reader ---- */

typedef struct sk_ra_reader sk_ra_reader;

sk_ra_reader *sk_ra_open(const char *rspec, const sk_holder *h);
/* Random access through a map (utt2spk): keys are first mapped with the token table read from
 * map_rspec (may be NULL or "" for no map). */
sk_ra_reader *sk_ra_open_mapped(const char *rspec, const char *map_rspec, const sk_holder *h);
bool sk_ra_has_key(sk_ra_reader *r, const char *key);
/* NULL if missing/unreadable (ERROR printed). */
void *sk_ra_value(sk_ra_reader *r, const char *key);
/* The same, but a missing key prints nothing (for "look up, else fall back" callers). */
void *sk_ra_value_quiet(sk_ra_reader *r, const char *key);
/* True once the reader has met an error that Kaldi treats as fatal (a corrupt or short
 * archive, a duplicate key, keys out of the promised order, a key missing from the map) and it
 * is not permissive. sk_ra_has_key then answers false: a tool must tell this apart from a
 * missing key and stop (the ERROR line is already printed). */
bool sk_ra_failed(const sk_ra_reader *r);
/* Closes and frees; SK_EIO if sk_ra_failed was true or an input pipe failed. */
int sk_ra_close(sk_ra_reader *r);

/* ---- writer ---- */

typedef struct sk_writer sk_writer;

sk_writer *sk_writer_open(const char *wspec, const sk_holder *h);
int sk_writer_write(sk_writer *w, const char *key, const void *obj);
int sk_writer_flush(sk_writer *w);
int sk_writer_close(sk_writer *w);
/* True when the key is a valid archive key (non-empty, no whitespace). */
bool sk_is_valid_key(const char *key);

/* ---- single objects (Kaldi's ReadKaldiObject / WriteKaldiObject) ---- */

/* Read one object from an rxfilename (binary header detected). A trailing "[range]" is applied
 * when the holder supports ranges. obj must be initialised. Returns 0 or < 0 (ERROR printed). */
int sk_read_object(const char *rxfilename, const sk_holder *h, void *obj);
/* Write one object to a wxfilename; files are written atomically (temp + rename). */
int sk_write_object(const char *wxfilename, bool binary, const sk_holder *h, const void *obj);

#endif
