/* latgen-mapped.c — one utterance of latgen-faster-mapped, shared by the serial and parallel
 * tools (latgen-mapped.h). */
#include "lat/latgen-mapped.h"

#include <string.h>

#include "base/log.h"
#include "io/holders.h"
#include "io/stream.h"

void sk_latgen_mapped_opts_register(sk_opts *po, sk_latgen_mapped_opts *o)
{
    sk_latgen_opts_default(&o->lo);
    o->acoustic_scale = 0.1f;
    o->allow_partial = false;
    o->word_syms_fn = "";
    o->pool_tokens = o->pool_links = 0;
    sk_latgen_opts_register(po, &o->lo);
    sk_opts_float(po, "acoustic-scale", &o->acoustic_scale,
                  "Multiplier on the acoustic log-likelihoods");
    sk_opts_string(po, "word-symbol-table", &o->word_syms_fn,
                   "Word symbol table, to log the recognised words");
    sk_opts_bool(po, "allow-partial", &o->allow_partial,
                 "Write a result even if no final state was active at the end.");
    sk_opts_int(po, "memory-pool-tokens-block-size", &o->pool_tokens,
                "Memory pool block size suggestion for storing tokens (accepted; unused)");
    sk_opts_int(po, "memory-pool-links-block-size", &o->pool_links,
                "Memory pool block size suggestion for storing links (accepted; unused)");
}

int sk_latgen_mapped_open(sk_mapped *mp, sk_writer **lat_w, const sk_latgen_mapped_opts *o,
                          const char *tool, const char *model_fn, const char *fst_fn,
                          const char *loglikes_rspec, const char *lat_wspec,
                          const char *words_wspec, const char *ali_wspec)
{
    *lat_w = NULL;
    memset(mp, 0, sizeof *mp);
    if (sk_latgen_opts_check(&o->lo) < 0) {
        SK_ERROR("Invalid decoder options (Kaldi would abort here)");
        return SK_EINVAL;
    }
    if (sk_classify_rspecifier(fst_fn, NULL) != SK_SPEC_NONE) {
        SK_ERROR("A table of FSTs (%s) is not supported by skald's %s; give one graph file",
                 fst_fn, tool);
        return SK_EINVAL;
    }
    if (sk_mapped_open(mp, model_fn, loglikes_rspec, o->word_syms_fn, o->acoustic_scale) < 0)
        return SK_EIO;
    if (!(*lat_w = sk_writer_open(lat_wspec, o->lo.determinize ? &sk_holder_clat : &sk_holder_lat))) {
        SK_ERROR("Could not open table for writing lattices: %s", lat_wspec);
        return SK_EIO;
    }
    if (sk_mapped_open_paths(mp, words_wspec, ali_wspec) < 0 ||
        sk_mapped_read_graph(mp, fst_fn) < 0)
        return SK_EIO;
    return 0;
}

void sk_latgen_result_init(sk_latgen_result *r)
{
    r->status = SK_LATGEN_NO_TOKEN;
    r->partial = r->det_early = false;
    sk_best_path_init(&r->bp);
    sk_lat_init(&r->raw);
    sk_clat_init(&r->clat);
}

void sk_latgen_result_release(sk_latgen_result *r)
{
    sk_best_path_release(&r->bp);
    sk_lat_release(&r->raw);
    sk_clat_release(&r->clat);
}

int sk_latgen_run(sk_latgen *d, const sk_decodable *ac, const sk_latgen_opts *o,
                  bool allow_partial, sk_latgen_result *r)
{
    r->partial = r->det_early = false;
    if (sk_latgen_decode(d, ac) < 0)
        return r->status = SK_LATGEN_FAILED;
    if (!sk_latgen_reached_final(d)) {
        if (!allow_partial)
            return r->status = SK_LATGEN_NO_FINAL;
        r->partial = true;
    }
    if (sk_latgen_output(d, true, &r->raw, &r->bp) < 0)
        return r->status = SK_LATGEN_NO_TOKEN;
    double inv = 1.0 / ac->acoustic_scale;
    if (o->determinize) {
        r->det_early = sk_lat_determinize(&r->raw, o->lattice_beam, o->max_mem, &r->clat) != 0;
        sk_clat_scale(&r->clat, 1.0, 0.0, 0.0, inv);
    } else {
        sk_lat_scale(&r->raw, 1.0, 0.0, 0.0, inv);
    }
    return r->status = SK_LATGEN_OUTPUT;
}

int sk_latgen_emit(sk_mapped *mp, sk_writer *lat_w, const sk_latgen_opts *o, const char *utt,
                   int32_t rows, const sk_latgen_result *r, sk_latgen_totals *t)
{
    switch (r->status) {
    case SK_LATGEN_FAILED:
        SK_ERROR("Decoding failed for utterance %s", utt);
        return SK_EIO;
    case SK_LATGEN_NO_FINAL:
        SK_WARN("Not producing output for utterance %s since no final-state reached and "
                "--allow-partial=false.\n", utt);
        t->num_fail++;
        return 0;
    case SK_LATGEN_NO_TOKEN:
        if (r->partial)
            SK_WARN("Outputting partial output for utterance %s since no final-state reached\n", utt);
        SK_WARN("Failed to decode utterance with id %s", utt);
        t->num_fail++;
        return 0;
    default:
        break;
    }
    if (r->partial)
        SK_WARN("Outputting partial output for utterance %s since no final-state reached\n", utt);
    if (sk_mapped_write_path(mp, utt, &r->bp) < 0 ||
        sk_mapped_echo_words(mp, utt, r->bp.words, r->bp.num_words) < 0)
        return SK_EIO;
    double like = -(r->bp.graph_cost + r->bp.ac_cost);
    if (o->determinize && r->det_early)
        SK_WARN("Determinization finished earlier than the beam for utterance %s", utt);
    if (sk_writer_write(lat_w, utt, o->determinize ? (const void *)&r->clat : (const void *)&r->raw) < 0) {
        SK_ERROR("Failed to write the lattice for utterance %s", utt);
        return SK_EIO;
    }
    SK_LOG("Log-like per frame for utterance %s is %g over %d frames.", utt, like / rows,
           r->bp.num_ali);
    SK_VLOG(2, "Cost for utterance %s is %g + %g", utt, (double)r->bp.graph_cost,
            (double)r->bp.ac_cost);
    t->tot_like += like;
    t->frame_count += rows;
    t->num_success++;
    return 0;
}

void sk_latgen_log_totals(const sk_latgen_totals *t, double elapsed, int num_threads)
{
    if (num_threads > 0) {
        SK_LOG("Decoded with %d threads.", num_threads);
        SK_LOG("Time taken %gs: real-time factor per thread assuming 100 frames/sec is %g",
               elapsed, num_threads * elapsed * 100.0 / (double)t->frame_count);
    } else {
        SK_LOG("Time taken %gs: real-time factor assuming 100 frames/sec is %g", elapsed,
               elapsed * 100.0 / (double)t->frame_count);
    }
    SK_LOG("Done %d utterances, failed for %d", t->num_success, t->num_fail);
    SK_LOG("Overall log-likelihood per frame is %g over %lld frames.",
           t->tot_like / (double)t->frame_count, (long long)t->frame_count);
}
