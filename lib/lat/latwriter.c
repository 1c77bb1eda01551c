/* latwriter.c — archives of lattices: "key " then the lattice, no "\0B" (Kaldi's
 * CompactLatticeHolder/LatticeHolder convention), optionally with an scp index. */
#include <stdlib.h>
#include <string.h>

#include "base/log.h"
#include "base/opts.h"
#include "io/stream.h"
#include "io/table.h"
#include "lat/lattice.h"

struct sk_lat_writer {
    sk_spec spec;
    sk_output *ark, *scp;
    char *wspec;
};

sk_lat_writer *sk_lat_writer_open(const char *wspec)
{
    sk_lat_writer *w = calloc(1, sizeof *w);
    if (!w)
        return NULL;
    sk_spec_kind k = sk_classify_wspecifier(wspec, &w->spec);
    if (k == SK_SPEC_NONE || k == SK_SPEC_SCRIPT) {
        SK_ERROR("Failed to open table for writing with wspecifier: %s (lattices are written "
                 "as ark:... or ark,scp:...)", sk_escape(wspec));
        if (k != SK_SPEC_NONE)
            sk_spec_release(&w->spec);
        free(w);
        return NULL;
    }
    w->wspec = strdup(wspec);
    w->ark = sk_output_open(w->spec.archive, false);
    if (w->ark && k == SK_SPEC_BOTH)
        w->scp = sk_output_open(w->spec.script, false);
    if (!w->ark || (k == SK_SPEC_BOTH && !w->scp)) {
        SK_ERROR("Failed to open table for writing with wspecifier: %s", sk_escape(wspec));
        if (w->ark)
            sk_output_abort(w->ark);
        sk_spec_release(&w->spec);
        free(w->wspec);
        free(w);
        return NULL;
    }
    return w;
}

static int write_one(sk_lat_writer *w, const char *key, const sk_clat *c, const sk_lat *l)
{
    if (!sk_is_valid_key(key)) {
        SK_ERROR("Using invalid key %s", key ? key : "");
        return SK_EINVAL;
    }
    FILE *f = sk_output_file(w->ark);
    fprintf(f, "%s ", key);
    if (w->scp) {
        long pos = ftell(f);
        if (pos < 0) {
            SK_ERROR("Cannot write an scp index for a non-seekable archive %s",
                     sk_printable_wx(w->spec.archive));
            return SK_EIO;
        }
        fprintf(sk_output_file(w->scp), "%s %s:%ld\n", key, w->spec.archive, pos);
    }
    int st = c ? sk_clat_write(f, w->spec.binary, c) : sk_lat_write(f, w->spec.binary, l);
    if (st == 0 && ferror(f)) {
        SK_ERROR("Write failure writing lattice for key %s to %s", key,
                 sk_printable_wx(w->spec.archive));
        st = SK_EIO;
    }
    if (st == 0 && w->spec.flush && fflush(f) != 0)
        st = SK_EIO;
    return st;
}

int sk_lat_writer_write_clat(sk_lat_writer *w, const char *key, const sk_clat *c)
{
    return write_one(w, key, c, NULL);
}

int sk_lat_writer_write_lat(sk_lat_writer *w, const char *key, const sk_lat *l)
{
    return write_one(w, key, NULL, l);
}

int sk_lat_writer_close(sk_lat_writer *w)
{
    if (!w)
        return 0;
    int st = sk_output_close(w->ark);
    if (w->scp && sk_output_close(w->scp) < 0)
        st = SK_EIO;
    sk_spec_release(&w->spec);
    free(w->wspec);
    free(w);
    return st < 0 ? SK_EIO : 0;
}
