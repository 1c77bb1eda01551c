/* latgen-faster-mapped-parallel — latgen-faster-mapped on --num-threads threads (one decoder
 * each, sharing the read-only graph and model); outputs and log lines in input order, the same
 * bytes as the serial tool's (steps/nnet/decode.sh with --num-threads > 1; spec/scripts.md §4). */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "base/log.h"
#include "base/opts.h"
#include "fst/decoder.h"
#include "fst/mapped.h"
#include "io/holders.h"
#include "io/table.h"
#include "lat/latgen-mapped.h"
#include "lat/latgen.h"
#include "lat/lattice.h"

static const char usage[] =
    "Decode precomputed log-likelihood matrices into lattices on several threads (the model\n"
    " file supplies only the transition-id mappings).\n"
    "Usage: latgen-faster-mapped-parallel [options] trans-model-in (fst-in|fsts-rspecifier) "
    "loglikes-rspecifier lattice-wspecifier [ words-wspecifier [alignments-wspecifier] ]\n"
    " e.g.: latgen-faster-mapped-parallel --num-threads=4 --acoustic-scale=0.1 final.mdl "
    "HCLG.fst ark:loglikes.ark 'ark:|gzip -c > lat.1.gz'\n";

enum { SLOT_FREE, SLOT_QUEUED, SLOT_DONE };

typedef struct {
    char *key;
    float *data;              /* the utterance's matrix, copied (the reader moves on) */
    size_t cap;
    int32_t rows;
    sk_decodable ac;
    int state;
    sk_latgen_result res;
} slot;

typedef struct {
    pthread_mutex_t mu;
    pthread_cond_t work, done;
    slot *slots;
    int nslots;
    long submitted, taken;    /* utterances handed to the queue / picked up by a worker */
    bool quit;
    const sk_latgen_opts *lo;
    bool allow_partial;
} pool;

typedef struct { pool *p; sk_latgen *dec; } worker;

static void *work_loop(void *arg)
{
    worker *w = arg;
    pool *p = w->p;
    pthread_mutex_lock(&p->mu);
    for (;;) {
        while (p->taken == p->submitted && !p->quit)
            pthread_cond_wait(&p->work, &p->mu);
        if (p->taken == p->submitted)
            break;
        slot *s = &p->slots[p->taken++ % p->nslots];
        pthread_mutex_unlock(&p->mu);
        sk_latgen_run(w->dec, &s->ac, p->lo, p->allow_partial, &s->res);
        pthread_mutex_lock(&p->mu);
        s->state = SLOT_DONE;
        pthread_cond_broadcast(&p->done);
    }
    pthread_mutex_unlock(&p->mu);
    return NULL;
}

/* Waits for the oldest utterance in flight and reports it. */
static void emit_oldest(pool *p, long *written, sk_mapped *mp, sk_writer *lat_w,
                        sk_latgen_totals *tot)
{
    slot *s = &p->slots[*written % p->nslots];
    pthread_mutex_lock(&p->mu);
    while (s->state != SLOT_DONE)
        pthread_cond_wait(&p->done, &p->mu);
    pthread_mutex_unlock(&p->mu);
    if (sk_latgen_emit(mp, lat_w, p->lo, s->key, s->rows, &s->res, tot) < 0)
        sk_fatal_exit();
    s->state = SLOT_FREE;
    (*written)++;
}

int main(int argc, char **argv)
{
    sk_opts *po = sk_opts_new(usage, argc, argv);
    sk_latgen_mapped_opts mo;
    sk_latgen_mapped_opts_register(po, &mo);
    int32_t num_threads = 1, num_threads_total = 0;
    sk_opts_int(po, "num-threads", &num_threads,
                "Number of actively processing threads to run in parallel");
    sk_opts_int(po, "num-threads-total", &num_threads_total,
                "Total number of threads, including those waiting on I/O (accepted; unused)");
    sk_opts_parse(po);
    if (sk_opts_num_args(po) < 4 || sk_opts_num_args(po) > 6)
        sk_opts_usage_exit(po);
    const char *model_fn = sk_opts_arg(po, 1), *fst_fn = sk_opts_arg(po, 2),
               *loglikes_rspec = sk_opts_arg(po, 3), *lat_wspec = sk_opts_arg(po, 4),
               *words_wspec = sk_opts_arg_or_empty(po, 5), *ali_wspec = sk_opts_arg_or_empty(po, 6);
    if (num_threads < 1 || num_threads > 1024)
        SK_FATAL("Invalid --num-threads=%d (must be 1 to 1024)", num_threads);
    sk_mapped mp;
    sk_writer *lat_w;
    if (sk_latgen_mapped_open(&mp, &lat_w, &mo, "latgen-faster-mapped-parallel", model_fn, fst_fn,
                              loglikes_rspec, lat_wspec, words_wspec, ali_wspec) < 0)
        sk_fatal_exit();

    pool p = { .lo = &mo.lo, .allow_partial = mo.allow_partial, .nslots = 4 * num_threads };
    pthread_mutex_init(&p.mu, NULL);
    pthread_cond_init(&p.work, NULL);
    pthread_cond_init(&p.done, NULL);
    p.slots = calloc((size_t)p.nslots, sizeof *p.slots);
    worker *ws = calloc((size_t)num_threads, sizeof *ws);
    pthread_t *tids = calloc((size_t)num_threads, sizeof *tids);
    if (!p.slots || !ws || !tids)
        SK_FATAL("Out of memory");
    for (int i = 0; i < p.nslots; i++)
        sk_latgen_result_init(&p.slots[i].res);
    for (int i = 0; i < num_threads; i++) {
        ws[i].p = &p;
        if (!(ws[i].dec = sk_latgen_new(mp.graph, &mo.lo)))
            SK_FATAL("Out of memory");
        if (pthread_create(&tids[i], NULL, work_loop, &ws[i]) != 0)
            SK_FATAL("Could not start decoding thread %d", i);
    }

    double t0 = sk_mapped_clock();
    sk_latgen_totals tot = { 0 };
    long written = 0;
    for (; !sk_seq_done(mp.loglikes); sk_seq_next(mp.loglikes)) {
        const char *utt = sk_seq_key(mp.loglikes);
        int32_t rows;
        int got = sk_mapped_next(&mp, &rows);
        if (got < 0)
            sk_fatal_exit();
        if (got == 0) {
            tot.num_fail++;
            continue;
        }
        if (p.submitted - written == p.nslots)
            emit_oldest(&p, &written, &mp, lat_w, &tot);
        slot *s = &p.slots[p.submitted % p.nslots];
        size_t cols = (size_t)mp.ac.num_cols, need = (size_t)rows * cols;
        if (need > s->cap) {
            free(s->data);
            if (!(s->data = malloc(need * sizeof *s->data)))
                SK_FATAL("Out of memory for utterance %s (%d frames)", utt, rows);
            s->cap = need;
        }
        for (int32_t r = 0; r < rows; r++)
            memcpy(s->data + (size_t)r * cols, mp.ac.loglikes + (size_t)r * mp.ac.stride,
                   cols * sizeof *s->data);
        free(s->key);
        if (!(s->key = strdup(utt)))
            SK_FATAL("Out of memory");
        s->rows = rows;
        s->ac = mp.ac;
        s->ac.loglikes = s->data;
        s->ac.stride = (int32_t)cols;
        pthread_mutex_lock(&p.mu);
        s->state = SLOT_QUEUED;
        p.submitted++;
        pthread_cond_signal(&p.work);
        pthread_mutex_unlock(&p.mu);
    }
    while (written < p.submitted)
        emit_oldest(&p, &written, &mp, lat_w, &tot);
    pthread_mutex_lock(&p.mu);
    p.quit = true;
    pthread_cond_broadcast(&p.work);
    pthread_mutex_unlock(&p.mu);
    for (int i = 0; i < num_threads; i++)
        pthread_join(tids[i], NULL);
    sk_latgen_log_totals(&tot, sk_mapped_clock() - t0, num_threads);
    int st = sk_mapped_close(&mp) < 0;
    st |= sk_writer_close(lat_w) < 0;
    if (st)
        SK_FATAL("Error closing the tables");
    for (int i = 0; i < p.nslots; i++) {
        sk_latgen_result_release(&p.slots[i].res);
        free(p.slots[i].data);
        free(p.slots[i].key);
    }
    for (int i = 0; i < num_threads; i++)
        sk_latgen_free(ws[i].dec);
    free(p.slots);
    free(ws);
    free(tids);
    pthread_mutex_destroy(&p.mu);
    pthread_cond_destroy(&p.work);
    pthread_cond_destroy(&p.done);
    sk_opts_free(po);
    return tot.num_success != 0 ? 0 : 1;
}
