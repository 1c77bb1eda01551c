/* latgen-mapped.h — one utterance of latgen-faster-mapped, split so that the serial tool and
 * latgen-faster-mapped-parallel share it: sk_latgen_run does the work that touches only its
 * own decoder and result (safe on a worker thread; it prints nothing but library ERROR /
 * WARNING lines), and sk_latgen_emit, on the main thread in input order, prints the tool's
 * warnings and log lines, writes the lattice, words and alignment, and adds to the totals.
 *
 *     sk_latgen_result r; sk_latgen_result_init(&r);
 *     sk_latgen_run(dec, &mp.ac, &lo, allow_partial, &r);
 *     if (sk_latgen_emit(&mp, lat_w, &lo, key, rows, &r, &tot) < 0) exit...
 *     sk_latgen_result_release(&r);
 *
 * Ownership: the result owns its lattices and best path (caller-initialised, released by
 * sk_latgen_result_release); the decoder and tables are borrowed. */
#ifndef SK_LAT_LATGEN_MAPPED_H
#define SK_LAT_LATGEN_MAPPED_H

#include <stdbool.h>
#include <stdint.h>

#include "fst/decoder.h"
#include "fst/mapped.h"
#include "io/table.h"
#include "lat/latgen.h"
#include "lat/lattice.h"

enum {
    SK_LATGEN_OUTPUT = 1,     /* lattice and best path ready */
    SK_LATGEN_NO_FINAL = 0,   /* no final state and --allow-partial=false */
    SK_LATGEN_NO_TOKEN = -1,  /* no token survived */
    SK_LATGEN_FAILED = -2,    /* the search failed (ERROR printed) */
};

typedef struct {
    int status;               /* SK_LATGEN_* */
    bool partial;             /* output without a final state (--allow-partial) */
    bool det_early;           /* determinization stopped before the beam */
    sk_best_path bp;
    sk_lat raw;               /* the raw lattice (--determinize-lattice=false) */
    sk_clat clat;             /* the determinized lattice */
} sk_latgen_result;

/* The options the two tools share besides the decoder's (sk_latgen_opts). */
typedef struct {
    sk_latgen_opts lo;
    float acoustic_scale;     /* --acoustic-scale (0.1) */
    bool allow_partial;       /* --allow-partial (false) */
    const char *word_syms_fn; /* --word-symbol-table ("") */
    int32_t pool_tokens, pool_links;  /* --memory-pool-*-block-size, accepted, unused */
} sk_latgen_mapped_opts;

void sk_latgen_mapped_opts_register(sk_opts *po, sk_latgen_mapped_opts *o);

/* The tools' set-up after option parsing: checks the options, opens the model, the
 * log-likelihood reader, the lattice writer (*lat_w) and best-path writers, reads the graph.
 * `tool` names the tool in messages. Returns 0 or < 0 (ERROR printed). */
int sk_latgen_mapped_open(sk_mapped *mp, sk_writer **lat_w, const sk_latgen_mapped_opts *o,
                          const char *tool, const char *model_fn, const char *fst_fn,
                          const char *loglikes_rspec, const char *lat_wspec,
                          const char *words_wspec, const char *ali_wspec);

typedef struct {
    double tot_like;
    int64_t frame_count;
    int num_success, num_fail;
} sk_latgen_totals;

void sk_latgen_result_init(sk_latgen_result *r);
void sk_latgen_result_release(sk_latgen_result *r);

/* Decodes ac with d and fills r (lattice scaled back by 1/acoustic_scale, ready to write).
 * Returns r->status. */
int sk_latgen_run(sk_latgen *d, const sk_decodable *ac, const sk_latgen_opts *o,
                  bool allow_partial, sk_latgen_result *r);

/* Reports r for utterance `utt` of `rows` frames as Kaldi's tool does and writes its
 * outputs. Returns 0, or < 0 (ERROR printed) when the tool must stop. */
int sk_latgen_emit(sk_mapped *mp, sk_writer *lat_w, const sk_latgen_opts *o, const char *utt,
                   int32_t rows, const sk_latgen_result *r, sk_latgen_totals *t);

/* The closing log lines (time, counts, overall log-likelihood); num_threads > 0: the parallel
 * tool's ("Decoded with N threads.", real-time factor per thread), 0: the serial tool's. */
void sk_latgen_log_totals(const sk_latgen_totals *t, double elapsed, int num_threads);

#endif
