/* compute.c — the frame loop shared by MFCC, fbank and spectrogram, with per-thread state
 * (FFT plan and buffers) and mel banks cached per VTLN warp factor. */
#include "feat/compute.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "base/log.h"
#include "feat/fft.h"
#include "feat/resample.h"

#define MAX_THREADS 64

typedef struct {
    sk_rfft *fft;
    float *frame;      /* padded + 16, the FFT's own input buffer (not owned) */
    float *scratch;    /* num_bins */
} worker_state;

typedef struct { float warp; sk_mel_banks mb; } bank_entry;

struct sk_feat_computer {
    sk_feat_opts o;
    int32_t dim, padded;
    sk_window win;
    sk_mfcc_tables mfcc;
    bank_entry *banks;
    int32_t num_banks;
    int32_t nthreads;
    worker_state ws[MAX_THREADS];
};

void sk_feat_opts_default(sk_feat_opts *o, sk_feat_type type)
{
    memset(o, 0, sizeof *o);
    o->type = type;
    sk_frame_opts_default(&o->frame);
    sk_mel_opts_default(&o->mel, 23);
    sk_mfcc_opts_default(&o->mfcc);
    sk_fbank_opts_default(&o->fbank);
    sk_spectrogram_opts_default(&o->spec);
    o->num_threads = 1;
}

void sk_feat_opts_register(sk_opts *po, sk_feat_opts *o)
{
    sk_frame_opts_register(po, &o->frame);
    switch (o->type) {
    case SK_FEAT_MFCC:
        sk_mel_opts_register(po, &o->mel);
        sk_mfcc_opts_register(po, &o->mfcc);
        break;
    case SK_FEAT_FBANK:
        sk_mel_opts_register(po, &o->mel);
        sk_fbank_opts_register(po, &o->fbank);
        break;
    case SK_FEAT_SPECTROGRAM:
        sk_spectrogram_opts_register(po, &o->spec);
        break;
    }
    sk_opts_int(po, "num-threads", &o->num_threads,
                "skald: number of threads computing the frames of each utterance (output is the "
                "same for any value)");
}

static const sk_mel_banks *get_banks(sk_feat_computer *c, float warp)
{
    for (int32_t i = 0; i < c->num_banks; i++)
        if (c->banks[i].warp == warp)
            return &c->banks[i].mb;
    bank_entry *nb = realloc(c->banks, sizeof(bank_entry) * (c->num_banks + 1));
    if (!nb)
        return NULL;
    c->banks = nb;
    bank_entry *e = &nb[c->num_banks];
    if (sk_mel_banks_init(&e->mb, &c->o.mel, &c->o.frame, warp) < 0)
        return NULL;
    e->warp = warp;
    c->num_banks++;
    return &e->mb;
}

sk_feat_computer *sk_feat_computer_new(const sk_feat_opts *o)
{
    if (sk_frame_opts_check(&o->frame) < 0)
        return NULL;
    if (o->num_threads < 1 || o->num_threads > MAX_THREADS) {
        SK_ERROR("Invalid --num-threads=%d (must be 1..%d)", o->num_threads, MAX_THREADS);
        return NULL;
    }
    sk_feat_computer *c = calloc(1, sizeof *c);
    if (!c)
        return NULL;
    c->o = *o;
    c->padded = sk_frame_padded(&o->frame);
    c->nthreads = o->num_threads;
    if (sk_window_init(&c->win, &o->frame) < 0)
        goto fail;
    switch (o->type) {
    case SK_FEAT_MFCC:
        c->dim = o->mfcc.num_ceps;
        if (sk_mfcc_tables_init(&c->mfcc, &o->mfcc, o->mel.num_bins) < 0)
            goto fail;
        c->mfcc.precise = o->frame.kaldi_fft;
        break;
    case SK_FEAT_FBANK:
        c->dim = sk_fbank_dim(&o->fbank, o->mel.num_bins);
        break;
    case SK_FEAT_SPECTROGRAM:
        c->dim = sk_spectrogram_dim(&o->spec, c->padded);
        break;
    }
    if (o->type != SK_FEAT_SPECTROGRAM && !get_banks(c, 1.0f))
        goto fail;  /* bad mel options: fail early as Kaldi's constructor does */
    for (int32_t i = 0; i < c->nthreads; i++) {
        worker_state *w = &c->ws[i];
        w->fft = sk_rfft_new(c->padded, o->frame.kaldi_fft);
        w->frame = w->fft ? sk_rfft_buffer(w->fft) : NULL;
        w->scratch = malloc(sizeof(float) * (o->mel.num_bins + 16));
        if (!w->fft || !w->frame || !w->scratch)
            goto fail;
    }
    return c;
fail:
    sk_feat_computer_free(c);
    return NULL;
}

void sk_feat_computer_free(sk_feat_computer *c)
{
    if (!c)
        return;
    sk_window_release(&c->win);
    sk_mfcc_tables_release(&c->mfcc);
    for (int32_t i = 0; i < c->num_banks; i++)
        sk_mel_banks_release(&c->banks[i].mb);
    free(c->banks);
    for (int32_t i = 0; i < MAX_THREADS; i++) {
        sk_rfft_free(c->ws[i].fft);
        free(c->ws[i].scratch);
    }
    free(c);
}

int32_t sk_feat_dim(const sk_feat_computer *c) { return c->dim; }

typedef struct {
    sk_feat_computer *c;
    worker_state *ws;
    const sk_mel_banks *mb;
    const float *wave;
    int64_t n;
    const uint32_t *seeds;
    int64_t t0, t1;
    float *out;
} job;

static void *run_job(void *arg)
{
    job *j = arg;
    sk_feat_computer *c = j->c;
    const sk_feat_opts *o = &c->o;
    worker_state *ws = j->ws;
    bool need_raw;
    switch (o->type) {
    case SK_FEAT_MFCC: need_raw = o->mfcc.use_energy && o->mfcc.raw_energy; break;
    case SK_FEAT_FBANK: need_raw = o->fbank.use_energy && o->fbank.raw_energy; break;
    default: need_raw = o->spec.raw_energy;
    }
    for (int64_t t = j->t0; t < j->t1; t++) {
        float raw = 0.0f, *out = j->out + (size_t)t * c->dim;
        sk_extract_frame(j->wave, j->n, t, &o->frame, ws->frame);
        sk_process_frame(&o->frame, &c->win, ws->frame, j->seeds ? j->seeds[t] : 0,
                         need_raw ? &raw : NULL);
        switch (o->type) {
        case SK_FEAT_MFCC:
            sk_mfcc_frame(&o->mfcc, &c->mfcc, j->mb, ws->fft, ws->frame, raw, ws->scratch, out);
            break;
        case SK_FEAT_FBANK:
            sk_fbank_frame(&o->fbank, j->mb, ws->fft, ws->frame, raw, o->frame.kaldi_fft, out);
            break;
        case SK_FEAT_SPECTROGRAM:
            sk_spectrogram_frame(&o->spec, ws->fft, ws->frame, raw, o->frame.kaldi_fft, out);
            break;
        }
    }
    return NULL;
}

int sk_feat_compute(sk_feat_computer *c, const float *wave, int64_t n, float wave_rate,
                    float vtln_warp, float **out, int32_t *rows)
{
    const sk_feat_opts *o = &c->o;
    float *resampled = NULL;
    *out = NULL;
    *rows = 0;
    if (wave_rate != o->frame.samp_freq) {
        if (wave_rate > o->frame.samp_freq && !o->frame.allow_downsample) {
            SK_ERROR("Waveform and config sample Frequency mismatch: %g .vs %g (use "
                     "--allow-downsample=true to allow  downsampling the waveform).",
                     wave_rate, o->frame.samp_freq);
            return SK_EINVAL;
        }
        if (wave_rate < o->frame.samp_freq && !o->frame.allow_upsample) {
            SK_ERROR("Waveform and config sample Frequency mismatch: %g .vs %g (use "
                     "--allow-upsample=true option to allow  upsampling the waveform).",
                     wave_rate, o->frame.samp_freq);
            return SK_EINVAL;
        }
        int64_t nn;
        if (sk_resample(wave, n, wave_rate, o->frame.samp_freq, &resampled, &nn) < 0)
            return SK_EIO;
        wave = resampled;
        n = nn;
    }
    const sk_mel_banks *mb = NULL;
    if (o->type != SK_FEAT_SPECTROGRAM) {
        mb = get_banks(c, vtln_warp);
        if (!mb) {
            free(resampled);
            return SK_EINVAL;
        }
    }
    int64_t T = sk_num_frames(n, &o->frame);
    if (T > INT32_MAX) {
        SK_ERROR("too many frames (%lld)", (long long)T);
        free(resampled);
        return SK_EINVAL;
    }
    if (T == 0) {
        free(resampled);
        return 0;
    }
    float *feats = malloc(sizeof(float) * (size_t)T * c->dim);
    uint32_t *seeds = NULL;
    if (!feats) {
        SK_ERROR("out of memory for %lld x %d features", (long long)T, c->dim);
        free(resampled);
        return SK_EIO;
    }
    if (o->frame.dither != 0.0f) {
        seeds = malloc(sizeof(uint32_t) * T);
        if (!seeds) {
            free(feats);
            free(resampled);
            return SK_EIO;
        }
        for (int64_t t = 0; t < T; t++)
            seeds[t] = sk_frame_seed();
    }
    int32_t nt = c->nthreads;
    if (nt > T / 32)
        nt = (int32_t)(T / 32);
    if (nt < 1)
        nt = 1;
    job jobs[MAX_THREADS];
    pthread_t th[MAX_THREADS];
    bool started[MAX_THREADS] = { false };
    for (int32_t i = 0; i < nt; i++) {
        jobs[i] = (job){ c, &c->ws[i], mb, wave, n, seeds, T * i / nt, T * (i + 1) / nt, feats };
        if (i > 0)
            started[i] = pthread_create(&th[i], NULL, run_job, &jobs[i]) == 0;
    }
    run_job(&jobs[0]);
    for (int32_t i = 1; i < nt; i++) {
        if (started[i])
            pthread_join(th[i], NULL);
        else
            run_job(&jobs[i]);   /* could not start a thread: do it here */
    }
    free(seeds);
    free(resampled);
    *out = feats;
    *rows = (int32_t)T;
    return 0;
}
