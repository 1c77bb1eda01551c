/* mapped.c — common set-up of the decoders over precomputed log-likelihoods (mapped.h). */
#include "fst/mapped.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/log.h"
#include "base/opts.h"
#include "io/holders.h"
#include "io/stream.h"
#include "matrix/holders.h"

int sk_mapped_open(sk_mapped *m, const char *model_fn, const char *loglikes_rspec,
                   const char *word_syms_fn, float acoustic_scale)
{
    memset(m, 0, sizeof *m);
    m->model_fn = model_fn;
    m->ac.acoustic_scale = acoustic_scale;
    if (sk_trans_model_read_file(model_fn, &m->tm) < 0) {
        SK_ERROR("Failed to read transition model from %s", sk_printable_rx(model_fn));
        return SK_EIO;
    }
    if (word_syms_fn && *word_syms_fn && !(m->word_syms = sk_symtab_read(word_syms_fn))) {
        SK_ERROR("Could not read symbol table from file %s", word_syms_fn);
        return SK_EIO;
    }
    if (!(m->loglikes = sk_seq_open(loglikes_rspec, &sk_holder_mat))) {
        SK_ERROR("Failed to open table for reading: %s", sk_escape(loglikes_rspec));
        return SK_EIO;
    }
    return 0;
}

static sk_writer *open_ivec_writer(const char *wspec)
{
    if (!wspec || !*wspec)
        return NULL;
    sk_writer *w = sk_writer_open(wspec, &sk_holder_int32_vec);
    if (!w)
        SK_ERROR("Failed to open table for writing: %s", sk_escape(wspec));
    return w;
}

int sk_mapped_open_paths(sk_mapped *m, const char *words_wspec, const char *ali_wspec)
{
    if (!(m->words_w = open_ivec_writer(words_wspec)) && words_wspec && *words_wspec)
        return SK_EIO;
    if (!(m->ali_w = open_ivec_writer(ali_wspec)) && ali_wspec && *ali_wspec)
        return SK_EIO;
    return 0;
}

int sk_mapped_write_path(sk_mapped *m, const char *key, const sk_best_path *bp)
{
    sk_int32_vec words = { bp->words, bp->num_words }, ali = { bp->alignment, bp->num_ali };
    if ((m->words_w && sk_writer_write(m->words_w, key, &words) < 0) ||
        (m->ali_w && sk_writer_write(m->ali_w, key, &ali) < 0)) {
        SK_ERROR("Failed to write the best path for utterance %s", key);
        return SK_EIO;
    }
    return 0;
}

int sk_mapped_read_graph(sk_mapped *m, const char *fst_fn)
{
    if (sk_fst_read_file(fst_fn, &m->graph) < 0) {
        SK_ERROR("Could not read decoding graph from %s", sk_printable_rx(fst_fn));
        return SK_EIO;
    }
    int32_t num_pdfs = sk_tm_num_pdfs(m->tm);
    if (!(m->tid2pdf = sk_tid2pdf_table(m->tm)))
        return SK_EIO;
    m->ac.num_cols = m->ac.stride = num_pdfs;
    m->ac.tid2pdf = m->tid2pdf;
    m->ac.num_tids = sk_tm_num_transition_ids(m->tm);
    /* graph labels against the model (Kaldi would read out of bounds on a wrong graph) */
    if (sk_decodable_check(&m->ac, m->graph) < 0) {
        SK_ERROR("The graph %s does not match the model %s", fst_fn, m->model_fn);
        return SK_EINVAL;
    }
    return 0;
}

int sk_mapped_next(sk_mapped *m, int32_t *rows)
{
    const char *key = sk_seq_key(m->loglikes);
    const sk_mat *x = sk_seq_value(m->loglikes);
    *rows = 0;
    if (!x) {
        SK_ERROR("Failed to read log-likelihoods for utterance %s", key);
        return SK_EIO;
    }
    if (x->rows == 0) {
        SK_WARN("Zero-length utterance: %s", key);
        return 0;
    }
    if (x->cols != m->ac.num_cols) {
        SK_ERROR("DecodableMatrixScaledMapped: mismatch, matrix for utterance %s has %d "
                 "columns but transition-model has %d pdf-ids.", key, x->cols, m->ac.num_cols);
        return SK_EINVAL;
    }
    m->ac.loglikes = x->data;
    m->ac.num_frames = x->rows;
    m->ac.stride = x->stride;
    *rows = x->rows;
    return 1;
}

int sk_mapped_echo_words(const sk_mapped *m, const char *key, const int32_t *words, int32_t n)
{
    if (!m->word_syms)
        return 0;
    fprintf(stderr, "%s ", key);
    for (int32_t i = 0; i < n; i++) {
        const char *s = sk_symtab_find(m->word_syms, words[i]);
        if (!s) {
            SK_ERROR("Word-id %d not in symbol table.", words[i]);
            return SK_EINVAL;
        }
        fprintf(stderr, "%s ", s);
    }
    fputc('\n', stderr);
    return 0;
}

int sk_mapped_close(sk_mapped *m)
{
    int st = m->loglikes && sk_seq_close(m->loglikes) < 0 ? SK_EIO : 0;
    if (m->words_w && sk_writer_close(m->words_w) < 0)
        st = SK_EIO;
    if (m->ali_w && sk_writer_close(m->ali_w) < 0)
        st = SK_EIO;
    sk_fst_free(m->graph);
    free(m->tid2pdf);
    sk_symtab_free(m->word_syms);
    sk_trans_model_free(m->tm);
    memset(m, 0, sizeof *m);
    return st;
}

double sk_mapped_clock(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + 1e-9 * ts.tv_nsec;
}
