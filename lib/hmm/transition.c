/* transition.c — Kaldi's TransitionModel: tuples (phone, hmm-state, forward pdf, self-loop pdf),
 * the transition-id numbering derived from them and the topology, and the log-probs.
 *
 * After reading, every per-transition-id property (state, pdf, phone, self-loop, final) is
 * tabulated once, so the accessors used in per-frame loops are array lookups.
 */
#include "hmm/transition.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/log.h"
#include "io/kio.h"

#define MAX_TUPLES (1 << 24)

typedef struct {
    int32_t phone, hmm_state, fpdf, spdf;
} tm_tuple;

enum { TID_SELF_LOOP = 1, TID_FINAL = 2 };

struct sk_trans_model {
    sk_hmm_topo topo;
    tm_tuple *tuples;        /* [num_states]; transition-state s is tuples[s-1] */
    int32_t num_states;
    int32_t *state2id;       /* [num_states + 2]: first tid of state s; state2id[n+1] = tids+1 */
    int32_t num_tids;
    int32_t num_pdfs;
    int32_t *id2state;       /* [num_tids + 1] */
    int32_t *id2pdf;         /* [num_tids + 1] */
    uint8_t *id2flags;       /* [num_tids + 1] TID_SELF_LOOP | TID_FINAL */
    float *log_probs;        /* [num_tids + 1], [0] unused */
};

void sk_trans_model_free(sk_trans_model *tm)
{
    if (!tm)
        return;
    sk_hmm_topo_release(&tm->topo);
    free(tm->tuples);
    free(tm->state2id);
    free(tm->id2state);
    free(tm->id2pdf);
    free(tm->id2flags);
    free(tm->log_probs);
    free(tm);
}

/* Checks the tuples against the topology and builds the id tables (Kaldi's ComputeDerived). */
static int compute_derived(sk_trans_model *tm)
{
    int32_t n = tm->num_states;
    int64_t ntid = 0;
    tm->num_pdfs = 0;
    for (int32_t s = 0; s < n; s++) {
        const tm_tuple *t = &tm->tuples[s];
        const sk_hmm_entry *e = sk_hmm_topo_entry(&tm->topo, t->phone);
        if (!e) {
            SK_ERROR("TransitionModel: transition-state %d has phone %d, which is not in the "
                     "topology", (int)(s + 1), (int)t->phone);
            return SK_EIO;
        }
        if (t->hmm_state < 0 || t->hmm_state >= e->num_states - 1) {
            SK_ERROR("TransitionModel: transition-state %d has hmm-state %d out of range for "
                     "phone %d", (int)(s + 1), (int)t->hmm_state, (int)t->phone);
            return SK_EIO;
        }
        if (t->fpdf < 0 || t->spdf < 0) {
            SK_ERROR("TransitionModel: transition-state %d has a negative pdf-id", (int)(s + 1));
            return SK_EIO;
        }
        if (t->fpdf + 1 > tm->num_pdfs)
            tm->num_pdfs = t->fpdf + 1;
        if (t->spdf + 1 > tm->num_pdfs)
            tm->num_pdfs = t->spdf + 1;
        ntid += e->states[t->hmm_state].num_trans;
    }
    if (ntid == 0 || n == 0) {
        SK_ERROR("TransitionModel: no transition-ids (empty model)");
        return SK_EIO;
    }
    if (ntid >= INT32_MAX) {
        SK_ERROR("TransitionModel: too many transition-ids");
        return SK_EIO;
    }
    tm->num_tids = (int32_t)ntid;
    size_t nt = (size_t)ntid + 1;
    tm->state2id = malloc(sizeof(int32_t) * ((size_t)n + 2));
    tm->id2state = malloc(sizeof(int32_t) * nt);
    tm->id2pdf = malloc(sizeof(int32_t) * nt);
    tm->id2flags = calloc(nt, 1);
    if (!tm->state2id || !tm->id2state || !tm->id2pdf || !tm->id2flags) {
        SK_ERROR("TransitionModel: out of memory");
        return SK_EIO;
    }
    tm->state2id[0] = 0;
    tm->id2state[0] = tm->id2pdf[0] = -1;
    int32_t tid = 1;
    for (int32_t s = 1; s <= n; s++) {
        const tm_tuple *t = &tm->tuples[s - 1];
        const sk_hmm_entry *e = sk_hmm_topo_entry(&tm->topo, t->phone);
        const sk_hmm_state *hs = &e->states[t->hmm_state];
        tm->state2id[s] = tid;
        for (int32_t k = 0; k < hs->num_trans; k++, tid++) {
            bool self = hs->trans[k].dest == t->hmm_state;
            tm->id2state[tid] = s;
            tm->id2pdf[tid] = self ? t->spdf : t->fpdf;
            tm->id2flags[tid] = (uint8_t)((self ? TID_SELF_LOOP : 0) |
                                          (hs->trans[k].dest + 1 == e->num_states ? TID_FINAL : 0));
        }
    }
    tm->state2id[n + 1] = tid;
    return 0;
}

/* The log-prob vector: a Kaldi float vector ("FV"/"DV" binary, " [ ... ]" text). */
static int read_log_probs(FILE *f, bool binary, sk_trans_model *tm)
{
    int32_t want = tm->num_tids + 1;
    tm->log_probs = calloc((size_t)want, sizeof(float));
    if (!tm->log_probs) {
        SK_ERROR("TransitionModel: out of memory");
        return SK_EIO;
    }
    char tok[SK_TOKEN_MAX + 1];
    if (binary) {
        if (sk_read_token(f, true, tok) < 0)
            return SK_EIO;
        bool dbl = !strcmp(tok, "DV");
        if (!dbl && strcmp(tok, "FV")) {
            SK_ERROR("TransitionModel: expected a vector of log-probs (FV or DV), got \"%s\"", tok);
            return SK_EIO;
        }
        int32_t dim;
        if (sk_read_int32(f, true, &dim) < 0)
            return SK_EIO;
        if (dim != want) {
            SK_ERROR("TransitionModel: log-prob vector has dimension %d, expected %d "
                     "(number of transition-ids + 1)", (int)dim, (int)want);
            return SK_EIO;
        }
        for (int32_t i = 0; i < dim; i++) {
            if (dbl) {
                double d;
                if (fread(&d, sizeof d, 1, f) != 1)
                    goto short_read;
                tm->log_probs[i] = (float)d;
            } else if (fread(&tm->log_probs[i], sizeof(float), 1, f) != 1) {
                goto short_read;
            }
        }
        return 0;
short_read:
        SK_ERROR("TransitionModel: unexpected end of file reading the log-probs");
        return SK_EIO;
    }
    if (sk_read_token(f, false, tok) < 0)
        return SK_EIO;
    int32_t n = 0;
    if (strcmp(tok, "[]")) {
        if (strcmp(tok, "[")) {
            SK_ERROR("TransitionModel: expected \"[\" starting the log-probs, got \"%s\"", tok);
            return SK_EIO;
        }
        for (;;) {
            if (sk_read_token(f, false, tok) < 0)
                return SK_EIO;
            if (!strcmp(tok, "]"))
                break;
            float v;
            if (!sk_parse_text_float(tok, &v)) {
                SK_ERROR("TransitionModel: bad number \"%s\" in the log-probs", tok);
                return SK_EIO;
            }
            if (n < want)
                tm->log_probs[n] = v;
            n++;
        }
    }
    if (n != want) {
        SK_ERROR("TransitionModel: log-prob vector has dimension %d, expected %d "
                 "(number of transition-ids + 1)", (int)n, (int)want);
        return SK_EIO;
    }
    return 0;
}

static int write_log_probs(FILE *f, bool binary, const sk_trans_model *tm)
{
    int32_t dim = tm->num_tids + 1;
    if (binary) {
        int st = sk_write_token(f, true, "FV");
        st |= sk_write_int32(f, true, dim);
        if (fwrite(tm->log_probs, sizeof(float), (size_t)dim, f) != (size_t)dim)
            st = SK_EIO;
        return st ? SK_EIO : 0;
    }
    fputs(" [ ", f);
    for (int32_t i = 0; i < dim; i++)
        if (sk_write_text_float(f, tm->log_probs[i]) < 0)
            return SK_EIO;
    fputs("]\n", f);
    return 0;
}

int sk_trans_model_read(FILE *f, bool binary, sk_trans_model **out)
{
    *out = NULL;
    sk_trans_model *tm = calloc(1, sizeof *tm);
    if (!tm) {
        SK_ERROR("TransitionModel: out of memory");
        return SK_EIO;
    }
    sk_hmm_topo_init(&tm->topo);
    char tok[SK_TOKEN_MAX + 1];
    if (sk_expect_token(f, binary, "<TransitionModel>") < 0 ||
        sk_hmm_topo_read(f, binary, &tm->topo) < 0 || sk_read_token(f, binary, tok) < 0)
        goto fail;
    bool tuples = !strcmp(tok, "<Tuples>");
    if (!tuples && strcmp(tok, "<Triples>")) {
        SK_ERROR("TransitionModel: expected <Triples> or <Tuples>, got \"%s\"", tok);
        goto fail;
    }
    int32_t n;
    if (sk_read_int32(f, binary, &n) < 0)
        goto fail;
    if (n < 0 || n > MAX_TUPLES) {
        SK_ERROR("TransitionModel: bad number of transition-states %d", (int)n);
        goto fail;
    }
    tm->tuples = malloc(sizeof(tm_tuple) * (n ? (size_t)n : 1));
    if (!tm->tuples) {
        SK_ERROR("TransitionModel: out of memory");
        goto fail;
    }
    tm->num_states = n;
    for (int32_t i = 0; i < n; i++) {
        tm_tuple *t = &tm->tuples[i];
        if (sk_read_int32(f, binary, &t->phone) < 0 || sk_read_int32(f, binary, &t->hmm_state) < 0 ||
            sk_read_int32(f, binary, &t->fpdf) < 0)
            goto fail;
        if (!tuples)
            t->spdf = t->fpdf;
        else if (sk_read_int32(f, binary, &t->spdf) < 0)
            goto fail;
    }
    if (sk_read_token(f, binary, tok) < 0)
        goto fail;
    if (strcmp(tok, tuples ? "</Tuples>" : "</Triples>")) {
        SK_ERROR("TransitionModel: expected %s, got \"%s\"", tuples ? "</Tuples>" : "</Triples>",
                 tok);
        goto fail;
    }
    if (compute_derived(tm) < 0 || sk_expect_token(f, binary, "<LogProbs>") < 0 ||
        read_log_probs(f, binary, tm) < 0 || sk_expect_token(f, binary, "</LogProbs>") < 0 ||
        sk_expect_token(f, binary, "</TransitionModel>") < 0)
        goto fail;
    for (int32_t tid = 1; tid <= tm->num_tids; tid++) {
        float lp = tm->log_probs[tid];
        if (!(lp <= 0.0f) || !isfinite(lp)) {
            SK_ERROR("TransitionModel: log-prob of transition-id %d is %g (must be finite and "
                     "<= 0)", (int)tid, (double)lp);
            goto fail;
        }
    }
    *out = tm;
    return 0;
fail:
    sk_trans_model_free(tm);
    return SK_EIO;
}

int sk_trans_model_write(FILE *f, bool binary, const sk_trans_model *tm)
{
    int st = sk_write_token(f, binary, "<TransitionModel>");
    if (!binary)
        fputs("\n", f);
    st |= sk_hmm_topo_write(f, binary, &tm->topo);
    bool is_hmm = sk_hmm_topo_is_hmm(&tm->topo);
    /* Kaldi writes <Triples> whenever the topology is an HMM, dropping self-loop pdfs. */
    st |= sk_write_token(f, binary, is_hmm ? "<Triples>" : "<Tuples>");
    st |= sk_write_int32(f, binary, tm->num_states);
    if (!binary)
        fputs("\n", f);
    for (int32_t i = 0; i < tm->num_states; i++) {
        const tm_tuple *t = &tm->tuples[i];
        st |= sk_write_int32(f, binary, t->phone);
        st |= sk_write_int32(f, binary, t->hmm_state);
        st |= sk_write_int32(f, binary, t->fpdf);
        if (!is_hmm)
            st |= sk_write_int32(f, binary, t->spdf);
        if (!binary)
            fputs("\n", f);
    }
    st |= sk_write_token(f, binary, is_hmm ? "</Triples>" : "</Tuples>");
    if (!binary)
        fputs("\n", f);
    st |= sk_write_token(f, binary, "<LogProbs>");
    if (!binary)
        fputs("\n", f);
    st |= write_log_probs(f, binary, tm);
    st |= sk_write_token(f, binary, "</LogProbs>");
    if (!binary)
        fputs("\n", f);
    st |= sk_write_token(f, binary, "</TransitionModel>");
    if (!binary)
        fputs("\n", f);
    if (ferror(f))
        st = SK_EIO;
    return st ? SK_EIO : 0;
}

/* ---- accessors ---- */

int32_t sk_tm_num_pdfs(const sk_trans_model *tm) { return tm->num_pdfs; }
int32_t sk_tm_num_transition_ids(const sk_trans_model *tm) { return tm->num_tids; }
int32_t sk_tm_num_transition_states(const sk_trans_model *tm) { return tm->num_states; }
const sk_hmm_topo *sk_tm_topo(const sk_trans_model *tm) { return &tm->topo; }
int32_t sk_tm_num_topo_phones(const sk_trans_model *tm) { return tm->topo.num_phones; }

int32_t sk_tm_num_phones(const sk_trans_model *tm)
{
    return tm->topo.num_phones ? tm->topo.phones[tm->topo.num_phones - 1] : 0;
}

bool sk_tm_is_valid_tid(const sk_trans_model *tm, int32_t tid)
{
    return tid >= 1 && tid <= tm->num_tids;
}

int32_t sk_tm_tid2pdf(const sk_trans_model *tm, int32_t tid)
{
    return sk_tm_is_valid_tid(tm, tid) ? tm->id2pdf[tid] : -1;
}

int32_t sk_tm_tid2trans_state(const sk_trans_model *tm, int32_t tid)
{
    return sk_tm_is_valid_tid(tm, tid) ? tm->id2state[tid] : -1;
}

int32_t sk_tm_tid2trans_index(const sk_trans_model *tm, int32_t tid)
{
    return sk_tm_is_valid_tid(tm, tid) ? tid - tm->state2id[tm->id2state[tid]] : -1;
}

int32_t sk_tm_tid2phone(const sk_trans_model *tm, int32_t tid)
{
    return sk_tm_is_valid_tid(tm, tid) ? tm->tuples[tm->id2state[tid] - 1].phone : -1;
}

int32_t sk_tm_tid2hmm_state(const sk_trans_model *tm, int32_t tid)
{
    return sk_tm_is_valid_tid(tm, tid) ? tm->tuples[tm->id2state[tid] - 1].hmm_state : -1;
}

bool sk_tm_is_self_loop(const sk_trans_model *tm, int32_t tid)
{
    return sk_tm_is_valid_tid(tm, tid) && (tm->id2flags[tid] & TID_SELF_LOOP);
}

bool sk_tm_is_final(const sk_trans_model *tm, int32_t tid)
{
    return sk_tm_is_valid_tid(tm, tid) && (tm->id2flags[tid] & TID_FINAL);
}

float sk_tm_log_prob(const sk_trans_model *tm, int32_t tid)
{
    return sk_tm_is_valid_tid(tm, tid) ? tm->log_probs[tid] : 0.0f;
}

static bool valid_ts(const sk_trans_model *tm, int32_t ts)
{
    return ts >= 1 && ts <= tm->num_states;
}

int32_t sk_tm_trans_state2phone(const sk_trans_model *tm, int32_t ts)
{
    return valid_ts(tm, ts) ? tm->tuples[ts - 1].phone : -1;
}

int32_t sk_tm_trans_state2hmm_state(const sk_trans_model *tm, int32_t ts)
{
    return valid_ts(tm, ts) ? tm->tuples[ts - 1].hmm_state : -1;
}

int32_t sk_tm_trans_state2forward_pdf(const sk_trans_model *tm, int32_t ts)
{
    return valid_ts(tm, ts) ? tm->tuples[ts - 1].fpdf : -1;
}

int32_t sk_tm_trans_state2self_loop_pdf(const sk_trans_model *tm, int32_t ts)
{
    return valid_ts(tm, ts) ? tm->tuples[ts - 1].spdf : -1;
}

int32_t sk_tm_num_trans_indices(const sk_trans_model *tm, int32_t ts)
{
    return valid_ts(tm, ts) ? tm->state2id[ts + 1] - tm->state2id[ts] : -1;
}

int32_t sk_tm_pair2tid(const sk_trans_model *tm, int32_t ts, int32_t index)
{
    if (!valid_ts(tm, ts) || index < 0 || index >= tm->state2id[ts + 1] - tm->state2id[ts])
        return -1;
    return tm->state2id[ts] + index;
}

int32_t sk_tm_self_loop_of(const sk_trans_model *tm, int32_t ts)
{
    if (!valid_ts(tm, ts))
        return 0;
    for (int32_t tid = tm->state2id[ts]; tid < tm->state2id[ts + 1]; tid++)
        if (tm->id2flags[tid] & TID_SELF_LOOP)
            return tid;
    return 0;
}
