/* transition.h — Kaldi's HmmTopology + TransitionModel, as at the start of a final.mdl
 * (spec/hmm-and-decoding.md). Read in text or binary, <Triples> or <Tuples> forms; whatever
 * acoustic model follows in the file is skipped, not parsed.
 *
 * Ids follow Kaldi: transition-ids are 1-based (0 is epsilon), pdf-ids 0-based, phones 1-based.
 *
 *     sk_trans_model *tm;
 *     if (sk_trans_model_read_file("exp/tri3/final.mdl", &tm) < 0) SK_FATAL(...);
 *     int32_t pdf = sk_tm_tid2pdf(tm, tid);
 *     sk_trans_model_free(tm);
 *
 * Ownership: the reader allocates *tm; the caller frees it with sk_trans_model_free.
 */
#ifndef SK_HMM_TRANSITION_H
#define SK_HMM_TRANSITION_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "hmm/topology.h"

typedef struct sk_trans_model sk_trans_model;

/* Read a TransitionModel (topology included) from a stream positioned at "<TransitionModel>". */
int sk_trans_model_read(FILE *f, bool binary, sk_trans_model **tm);
/* Read from an rxfilename (a final.mdl or a transition model alone; binary header detected). */
int sk_trans_model_read_file(const char *rxfilename, sk_trans_model **tm);
int sk_trans_model_write(FILE *f, bool binary, const sk_trans_model *tm);
void sk_trans_model_free(sk_trans_model *tm);

int32_t sk_tm_num_pdfs(const sk_trans_model *tm);
int32_t sk_tm_num_phones(const sk_trans_model *tm);          /* highest phone id in topology */
int32_t sk_tm_num_transition_ids(const sk_trans_model *tm);
int32_t sk_tm_num_transition_states(const sk_trans_model *tm);
bool sk_tm_is_valid_tid(const sk_trans_model *tm, int32_t tid);
int32_t sk_tm_tid2pdf(const sk_trans_model *tm, int32_t tid);
int32_t sk_tm_tid2phone(const sk_trans_model *tm, int32_t tid);
int32_t sk_tm_tid2hmm_state(const sk_trans_model *tm, int32_t tid);
int32_t sk_tm_tid2trans_state(const sk_trans_model *tm, int32_t tid);
int32_t sk_tm_tid2trans_index(const sk_trans_model *tm, int32_t tid);
bool sk_tm_is_self_loop(const sk_trans_model *tm, int32_t tid);
bool sk_tm_is_final(const sk_trans_model *tm, int32_t tid);   /* transition to the final state */
float sk_tm_log_prob(const sk_trans_model *tm, int32_t tid);

/* ---- additions (branch hmm) ----
 * The tid accessors above return -1 (false for the bool ones, 0.0 for the log-prob) for an id
 * that is not valid: check sk_tm_is_valid_tid first on untrusted input. Transition-states are
 * 1-based (1..sk_tm_num_transition_states). */
/* Read/write a whole object file (Kaldi's ReadKaldiObject/WriteKaldiObject): binary header
 * handled; whatever follows the transition model (the acoustic model) is not parsed (a pipe is
 * drained so its command does not die of SIGPIPE). Writing is atomic for regular files. */
int sk_trans_model_write_file(const char *wxfilename, bool binary, const sk_trans_model *tm);

/* The topology inside the model (owned by tm). */
const sk_hmm_topo *sk_tm_topo(const sk_trans_model *tm);
/* Number of phones listed in the topology (hmm-info's "number of phones"). */
int32_t sk_tm_num_topo_phones(const sk_trans_model *tm);
/* Transition-state accessors (ts in 1..num_transition_states; -1 when out of range). */
int32_t sk_tm_trans_state2phone(const sk_trans_model *tm, int32_t ts);
int32_t sk_tm_trans_state2hmm_state(const sk_trans_model *tm, int32_t ts);
int32_t sk_tm_trans_state2forward_pdf(const sk_trans_model *tm, int32_t ts);
int32_t sk_tm_trans_state2self_loop_pdf(const sk_trans_model *tm, int32_t ts);
/* Number of transitions out of ts; transition-id of (ts, index); -1 when out of range. */
int32_t sk_tm_num_trans_indices(const sk_trans_model *tm, int32_t ts);
int32_t sk_tm_pair2tid(const sk_trans_model *tm, int32_t ts, int32_t index);
/* The self-loop transition-id of ts, 0 when it has none. */
int32_t sk_tm_self_loop_of(const sk_trans_model *tm, int32_t ts);

#endif
