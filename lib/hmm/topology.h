/* topology.h — Kaldi's HmmTopology: per phone, a small HMM (spec/hmm-and-decoding.md §1.2).
 *
 * Text form (the `topo` file of a lang directory, and inside a text final.mdl):
 *     <Topology>
 *     <TopologyEntry>
 *     <ForPhones> 1 2 3 </ForPhones>
 *     <State> 0 <PdfClass> 0 <Transition> 0 0.75 <Transition> 1 0.25 </State>
 *     <State> 1 </State>
 *     </TopologyEntry>
 *     </Topology>
 * Binary form: integer vectors phones and phone2idx, an optional -1 marking separate
 * self-loop pdf classes ("not HMM"), then the entries. Both are read and written exactly.
 *
 *     sk_hmm_topo t;
 *     sk_hmm_topo_init(&t);
 *     if (sk_hmm_topo_read(f, binary, &t) < 0) ...;     // ERROR printed
 *     const sk_hmm_entry *e = sk_hmm_topo_entry(&t, phone);
 *     sk_hmm_topo_release(&t);
 *
 * Ownership: an sk_hmm_topo owns all its arrays; sk_hmm_topo_release frees them. Pointers
 * returned by the accessors point into the topology.
 */
#ifndef SK_HMM_TOPOLOGY_H
#define SK_HMM_TOPOLOGY_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

/* Pdf class of a non-emitting state (Kaldi's kNoPdf). */
#define SK_NO_PDF (-1)

typedef struct {
    int32_t dest;       /* destination state (index within the entry) */
    float prob;
} sk_hmm_trans;

typedef struct {
    int32_t forward_pdf_class;   /* SK_NO_PDF for a non-emitting state */
    int32_t self_loop_pdf_class; /* == forward_pdf_class in an "HMM" topology */
    int32_t num_trans;
    sk_hmm_trans *trans;
} sk_hmm_state;

typedef struct {
    int32_t num_states;          /* the last state is the final, non-emitting one */
    sk_hmm_state *states;
} sk_hmm_entry;

typedef struct {
    int32_t *phones;             /* sorted, unique */
    int32_t num_phones;
    int32_t *phone2idx;          /* index = phone, value = entry index or -1 */
    int32_t phone2idx_len;
    sk_hmm_entry *entries;
    int32_t num_entries;
} sk_hmm_topo;

void sk_hmm_topo_init(sk_hmm_topo *t);
void sk_hmm_topo_release(sk_hmm_topo *t);

/* Read from a stream positioned at "<Topology>"; checks the result as Kaldi does (states in
 * range, last state final and non-emitting, pdf classes contiguous from 0, ...). t must be
 * initialised; it is released first. Returns 0 or a negative status (ERROR printed). */
int sk_hmm_topo_read(FILE *f, bool binary, sk_hmm_topo *t);
int sk_hmm_topo_write(FILE *f, bool binary, const sk_hmm_topo *t);

/* The entry for a phone; NULL if the phone is not covered. */
const sk_hmm_entry *sk_hmm_topo_entry(const sk_hmm_topo *t, int32_t phone);
/* True when every emitting state has forward == self-loop pdf class (Kaldi's IsHmm). */
bool sk_hmm_topo_is_hmm(const sk_hmm_topo *t);
/* 1 + the largest pdf class of the phone's entry; -1 if the phone is not covered. */
int32_t sk_hmm_topo_num_pdf_classes(const sk_hmm_topo *t, int32_t phone);

#endif
