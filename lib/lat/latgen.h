/* latgen.h — lattice-generating beam search (Kaldi's LatticeFasterDecoder, as used by
 * latgen-faster-mapped; spec/hmm-and-decoding.md §4.3) and word-level lattice determinization.
 *
 * The search keeps, per frame, one token per active graph state (Kaldi's cutoff rule of §4.2
 * step 1, with --min-active 200 by default) and every arc taken between tokens. At the end the
 * trellis is pruned exactly with --lattice-beam (forward-backward), giving the raw lattice
 * (transition-ids in, words out, weights = (graph cost, scaled acoustic cost)), and the best
 * path. sk_lat_determinize turns a raw lattice into a CompactLattice that is deterministic on
 * words: for every word sequence within `beam` of the best path, the best of its paths, with
 * its transition-ids as the string (what Kaldi's pruned determinization keeps).
 *
 *     sk_latgen_opts o; sk_latgen_opts_default(&o); sk_latgen_opts_register(po, &o);
 *     sk_latgen *d = sk_latgen_new(hclg, &o);
 *     sk_latgen_decode(d, &ac);
 *     sk_lat raw; sk_lat_init(&raw); sk_best_path bp; sk_best_path_init(&bp);
 *     if (sk_latgen_output(d, true, &raw, &bp) == 0) {
 *         sk_clat clat; sk_clat_init(&clat);
 *         sk_lat_determinize(&raw, o.lattice_beam, o.max_mem, &clat);
 *         ...
 *     }
 *
 * Ownership: the decoder borrows the graph; outputs are caller-initialised objects it fills.
 */
#ifndef SK_LAT_LATGEN_H
#define SK_LAT_LATGEN_H

#include <stdbool.h>
#include <stdint.h>

#include "base/opts.h"
#include "fst/decoder.h"
#include "fst/fst.h"
#include "lat/lattice.h"

typedef struct {
    sk_faster_opts dec;        /* beam 16, max-active inf, min-active 200, beam-delta, hash-ratio */
    float lattice_beam;        /* --lattice-beam (10.0) */
    int32_t prune_interval;    /* --prune-interval (25): frames between (conservative) lattice pruning */
    bool determinize;          /* --determinize-lattice (true) */
    double max_mem;            /* --max-mem (50000000) bytes for determinization */
    bool phone_determinize, word_determinize, minimize;  /* accepted for compatibility */
} sk_latgen_opts;

void sk_latgen_opts_default(sk_latgen_opts *o);
void sk_latgen_opts_register(sk_opts *po, sk_latgen_opts *o);
int sk_latgen_opts_check(const sk_latgen_opts *o);

typedef struct sk_latgen sk_latgen;

sk_latgen *sk_latgen_new(const sk_fst *graph, const sk_latgen_opts *o);
void sk_latgen_free(sk_latgen *d);
int sk_latgen_decode(sk_latgen *d, const sk_decodable *ac);
bool sk_latgen_reached_final(const sk_latgen *d);
/* The pruned raw lattice (may be NULL) and the best path (may be NULL). use_final: use the
 * final weights when a final state was reached. Returns 0, or -1 when no token survived. */
int sk_latgen_output(sk_latgen *d, bool use_final, sk_lat *raw, sk_best_path *bp);

/* Word-level determinization of an acyclic raw lattice, output pruned to `beam` (in the
 * lattice's own cost units). Returns 0; 1 when max_mem forced a smaller beam (WARNING
 * printed, as Kaldi's "Determinization finished earlier than the beam"); < 0 on error. */
int sk_lat_determinize(const sk_lat *raw, float beam, double max_mem, sk_clat *out);

#endif
