/* topology.c — reading, checking and writing Kaldi's HmmTopology (text and binary).
 *
 * The text reader follows the token grammar of Kaldi's topo files; the binary reader tells an
 * "HMM" topology (one pdf class a state) from one with separate self-loop pdf classes by the
 * -1 that Kaldi writes before the entry count in the latter. Every count read from a file is
 * bounded before anything is allocated, so a corrupt model fails with an ERROR, not an OOM.
 */
#include "hmm/topology.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/log.h"
#include "base/opts.h"
#include "io/kio.h"

/* Bounds for counts read from files (far above any real topology). */
#define MAX_ENTRIES (1 << 20)
#define MAX_STATES 10000
#define MAX_PHONE (1 << 24)

void sk_hmm_topo_init(sk_hmm_topo *t)
{
    memset(t, 0, sizeof *t);
}

static void entry_release(sk_hmm_entry *e)
{
    if (e->states)
        for (int32_t j = 0; j < e->num_states; j++)
            free(e->states[j].trans);
    free(e->states);
    e->states = NULL;
    e->num_states = 0;
}

void sk_hmm_topo_release(sk_hmm_topo *t)
{
    free(t->phones);
    free(t->phone2idx);
    if (t->entries)
        for (int32_t i = 0; i < t->num_entries; i++)
            entry_release(&t->entries[i]);
    free(t->entries);
    sk_hmm_topo_init(t);
}

const sk_hmm_entry *sk_hmm_topo_entry(const sk_hmm_topo *t, int32_t phone)
{
    if (phone < 0 || phone >= t->phone2idx_len)
        return NULL;
    int32_t idx = t->phone2idx[phone];
    if (idx < 0 || idx >= t->num_entries)
        return NULL;
    return &t->entries[idx];
}

bool sk_hmm_topo_is_hmm(const sk_hmm_topo *t)
{
    for (int32_t i = 0; i < t->num_entries; i++)
        for (int32_t j = 0; j < t->entries[i].num_states; j++) {
            const sk_hmm_state *s = &t->entries[i].states[j];
            if (s->forward_pdf_class != s->self_loop_pdf_class)
                return false;
        }
    return true;
}

int32_t sk_hmm_topo_num_pdf_classes(const sk_hmm_topo *t, int32_t phone)
{
    const sk_hmm_entry *e = sk_hmm_topo_entry(t, phone);
    if (!e)
        return -1;
    int32_t mx = 0;
    for (int32_t j = 0; j < e->num_states; j++) {
        if (e->states[j].forward_pdf_class > mx)
            mx = e->states[j].forward_pdf_class;
        if (e->states[j].self_loop_pdf_class > mx)
            mx = e->states[j].self_loop_pdf_class;
    }
    return mx + 1;
}

static int cmp_int32(const void *a, const void *b)
{
    int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;
    return (x > y) - (x < y);
}

/* Kaldi's HmmTopology::Check(), with the same messages where Kaldi has one. */
static int topo_check(const sk_hmm_topo *t)
{
    if (t->num_entries == 0 || t->num_phones == 0 || t->phone2idx_len == 0) {
        SK_ERROR("HmmTopology::Check(), empty object.");
        return SK_EIO;
    }
    for (int32_t i = 0; i < t->num_phones; i++) {
        if (t->phones[i] <= 0 || (i > 0 && t->phones[i] <= t->phones[i - 1])) {
            SK_ERROR("HmmTopology: phone list is not sorted, unique and positive (phone %d)",
                     (int)t->phones[i]);
            return SK_EIO;
        }
    }
    for (int32_t p = 0; p < t->phone2idx_len; p++)
        if (t->phone2idx[p] < -1 || t->phone2idx[p] >= t->num_entries) {
            SK_ERROR("HmmTopology::Check(), phone %d has an invalid entry index %d", (int)p,
                     (int)t->phone2idx[p]);
            return SK_EIO;
        }
    bool *seen = calloc((size_t)t->num_entries, sizeof *seen);
    if (!seen) {
        SK_ERROR("HmmTopology: out of memory");
        return SK_EIO;
    }
    int st = 0;
    for (int32_t i = 0; i < t->num_phones && st == 0; i++) {
        int32_t phone = t->phones[i];
        if (phone >= t->phone2idx_len || t->phone2idx[phone] < 0) {
            SK_ERROR("HmmTopology::Check(), phone has no valid index.");
            st = SK_EIO;
        } else {
            seen[t->phone2idx[phone]] = true;
        }
    }
    for (int32_t p = 0; p < t->phone2idx_len && st == 0; p++)
        if (t->phone2idx[p] >= 0 &&
            !bsearch(&p, t->phones, (size_t)t->num_phones, sizeof(int32_t), cmp_int32)) {
            SK_ERROR("HmmTopology::Check(), phone %d has an entry but is not in the phone list",
                     (int)p);
            st = SK_EIO;
        }
    for (int32_t i = 0; i < t->num_entries && st == 0; i++) {
        const sk_hmm_entry *e = &t->entries[i];
        int32_t n = e->num_states;
        if (!seen[i]) {
            SK_ERROR("HmmTopology::Check(), entry with no corresponding phones.");
            st = SK_EIO;
            break;
        }
        if (n <= 1) {
            SK_ERROR("HmmTopology::Check(), cannot only have one state (i.e., must have at "
                     "least one emitting state).");
            st = SK_EIO;
            break;
        }
        if (e->states[n - 1].num_trans != 0) {
            SK_ERROR("HmmTopology::Check(), last state must have no transitions.");
            st = SK_EIO;
            break;
        }
        if (e->states[n - 1].forward_pdf_class != SK_NO_PDF) {
            SK_ERROR("HmmTopology::Check(), last state must not be emitting.");
            st = SK_EIO;
            break;
        }
        bool *has_in = calloc((size_t)n, sizeof *has_in);
        int32_t *classes = malloc(sizeof(int32_t) * 2 * (size_t)n);
        int32_t ncls = 0;
        if (!has_in || !classes) {
            free(has_in);
            free(classes);
            SK_ERROR("HmmTopology: out of memory");
            st = SK_EIO;
            break;
        }
        for (int32_t j = 0; j < n && st == 0; j++) {
            const sk_hmm_state *s = &e->states[j];
            bool emitting = s->forward_pdf_class != SK_NO_PDF;
            if (emitting != (s->self_loop_pdf_class != SK_NO_PDF) ||
                s->forward_pdf_class < SK_NO_PDF || s->self_loop_pdf_class < SK_NO_PDF) {
                SK_ERROR("HmmTopology::Check(), bad pdf classes %d/%d in state %d",
                         (int)s->forward_pdf_class, (int)s->self_loop_pdf_class, (int)j);
                st = SK_EIO;
                break;
            }
            if (emitting) {
                classes[ncls++] = s->forward_pdf_class;
                classes[ncls++] = s->self_loop_pdf_class;
            }
            double tot = 0.0;
            for (int32_t k = 0; k < s->num_trans; k++) {
                int32_t dst = s->trans[k].dest;
                tot += s->trans[k].prob;
                if (!(s->trans[k].prob > 0.0f)) {
                    SK_ERROR("HmmTopology::Check(), negative or zero transition prob.");
                    st = SK_EIO;
                    break;
                }
                if (dst < 0 || dst >= n) {
                    SK_ERROR("HmmTopology::Check(), invalid dest state %d", (int)dst);
                    st = SK_EIO;
                    break;
                }
                if (dst == n - 1 && !emitting) {
                    SK_ERROR("We do not allow any state to be nonemitting and have a "
                             "transition to the final-state (this would stop the "
                             "SplitToPhones function from identifying the last state of a "
                             "phone.");
                    st = SK_EIO;
                    break;
                }
                if (dst == j && !emitting) {
                    SK_ERROR("HmmTopology::Check(), nonemitting states cannot have self-loops.");
                    st = SK_EIO;
                    break;
                }
                for (int32_t k2 = 0; k2 < k; k2++)
                    if (s->trans[k2].dest == dst) {
                        SK_ERROR("HmmTopology::Check(), duplicate transition found.");
                        st = SK_EIO;
                    }
                has_in[dst] = true;
            }
            if (st == 0 && j + 1 < n) {
                if (!(tot > 0.0)) {
                    SK_ERROR("HmmTopology::Check(), non-final state %d must have transitions "
                             "out (with nonzero probability)", (int)j);
                    st = SK_EIO;
                } else if (fabs(tot - 1.0) > 0.01) {
                    SK_WARN("Total probability for state %d in topology entry is %g", (int)j,
                            tot);
                }
            }
        }
        for (int32_t j = 1; j < n && st == 0; j++)
            if (!has_in[j]) {
                SK_ERROR("HmmTopology::Check, state %d has no input transitions.", (int)j);
                st = SK_EIO;
            }
        if (st == 0) {
            qsort(classes, (size_t)ncls, sizeof(int32_t), cmp_int32);
            int32_t nuniq = 0;
            for (int32_t k = 0; k < ncls; k++)
                if (nuniq == 0 || classes[nuniq - 1] != classes[k])
                    classes[nuniq++] = classes[k];
            if (nuniq == 0 || classes[0] != 0 || classes[nuniq - 1] != nuniq - 1) {
                SK_ERROR("HmmTopology::Check(), pdf_classes are expected to be contiguous and "
                         "start from zero.");
                st = SK_EIO;
            }
        }
        free(has_in);
        free(classes);
    }
    free(seen);
    return st;
}

/* Grow an array of elements of size sz to hold at least n (capacity doubling). */
static int grow(void **p, int32_t *cap, int32_t n, size_t sz)
{
    if (n <= *cap)
        return 0;
    int32_t nc = *cap ? *cap : 4;
    while (nc < n)
        nc *= 2;
    void *q = realloc(*p, (size_t)nc * sz);
    if (!q) {
        SK_ERROR("HmmTopology: out of memory");
        return SK_EIO;
    }
    *p = q;
    *cap = nc;
    return 0;
}

/* Text form: the human-readable grammar of a topo file. */
static int read_text(FILE *f, sk_hmm_topo *t)
{
    char tok[SK_TOKEN_MAX + 1];
    int32_t ent_cap = 0, ph_cap = 0, p2i_cap = 0;
    for (;;) {
        if (sk_read_token(f, false, tok) < 0) {
            SK_ERROR("Reading HmmTopology object, unexpected end of file");
            return SK_EIO;
        }
        if (!strcmp(tok, "</Topology>"))
            break;
        if (strcmp(tok, "<TopologyEntry>")) {
            SK_ERROR("Reading HmmTopology object, expected </Topology> or <TopologyEntry>, "
                     "got %s", tok);
            return SK_EIO;
        }
        if (sk_expect_token(f, false, "<ForPhones>") < 0)
            return SK_EIO;
        /* Phones of this entry go to the end of t->phones; remembered from first_phone. */
        int32_t first_phone = t->num_phones;
        for (;;) {
            if (sk_read_token(f, false, tok) < 0) {
                SK_ERROR("Reading HmmTopology object, unexpected end of file while expecting "
                         "phones.");
                return SK_EIO;
            }
            if (!strcmp(tok, "</ForPhones>"))
                break;
            int32_t phone;
            if (!sk_parse_int32(tok, &phone)) {
                SK_ERROR("Reading HmmTopology object, expected integer, got instead %s", tok);
                return SK_EIO;
            }
            if (phone <= 0 || phone > MAX_PHONE) {
                SK_ERROR("Reading HmmTopology object, invalid phone %d", (int)phone);
                return SK_EIO;
            }
            if (grow((void **)&t->phones, &ph_cap, t->num_phones + 1, sizeof(int32_t)) < 0)
                return SK_EIO;
            t->phones[t->num_phones++] = phone;
        }
        if (grow((void **)&t->entries, &ent_cap, t->num_entries + 1, sizeof(sk_hmm_entry)) < 0)
            return SK_EIO;
        int32_t my_index = t->num_entries++;
        sk_hmm_entry *e = &t->entries[my_index];
        memset(e, 0, sizeof *e);
        int32_t st_cap = 0;
        if (sk_read_token(f, false, tok) < 0)
            return SK_EIO;
        while (strcmp(tok, "</TopologyEntry>")) {
            if (strcmp(tok, "<State>")) {
                SK_ERROR("Expected </TopologyEntry> or <State>, got instead %s", tok);
                return SK_EIO;
            }
            int32_t state;
            if (sk_read_int32(f, false, &state) < 0)
                return SK_EIO;
            if (state != e->num_states) {
                SK_ERROR("States are expected to be in order from zero, expected %d, got %d",
                         (int)e->num_states, (int)state);
                return SK_EIO;
            }
            if (e->num_states >= MAX_STATES) {
                SK_ERROR("Reading HmmTopology object, too many states");
                return SK_EIO;
            }
            if (grow((void **)&e->states, &st_cap, e->num_states + 1, sizeof(sk_hmm_state)) < 0)
                return SK_EIO;
            sk_hmm_state *s = &e->states[e->num_states++];
            memset(s, 0, sizeof *s);
            s->forward_pdf_class = s->self_loop_pdf_class = SK_NO_PDF;
            if (sk_read_token(f, false, tok) < 0)
                return SK_EIO;
            if (!strcmp(tok, "<PdfClass>")) {
                if (sk_read_int32(f, false, &s->forward_pdf_class) < 0)
                    return SK_EIO;
                s->self_loop_pdf_class = s->forward_pdf_class;
                if (sk_read_token(f, false, tok) < 0)
                    return SK_EIO;
            } else if (!strcmp(tok, "<ForwardPdfClass>")) {
                if (sk_read_int32(f, false, &s->forward_pdf_class) < 0 ||
                    sk_expect_token(f, false, "<SelfLoopPdfClass>") < 0 ||
                    sk_read_int32(f, false, &s->self_loop_pdf_class) < 0 ||
                    sk_read_token(f, false, tok) < 0)
                    return SK_EIO;
            }
            int32_t tr_cap = 0;
            while (!strcmp(tok, "<Transition>")) {
                if (grow((void **)&s->trans, &tr_cap, s->num_trans + 1, sizeof(sk_hmm_trans)) < 0)
                    return SK_EIO;
                sk_hmm_trans *tr = &s->trans[s->num_trans++];
                if (sk_read_int32(f, false, &tr->dest) < 0 || sk_read_float(f, false, &tr->prob) < 0 ||
                    sk_read_token(f, false, tok) < 0)
                    return SK_EIO;
            }
            if (!strcmp(tok, "<Final>")) {
                SK_ERROR("You are trying to read old-format topology with new Kaldi.");
                return SK_EIO;
            }
            if (strcmp(tok, "</State>")) {
                SK_ERROR("Reading HmmTopology,  unexpected token %s", tok);
                return SK_EIO;
            }
            if (sk_read_token(f, false, tok) < 0)
                return SK_EIO;
        }
        for (int32_t i = first_phone; i < t->num_phones; i++) {
            int32_t phone = t->phones[i];
            if (phone >= t->phone2idx_len) {
                if (grow((void **)&t->phone2idx, &p2i_cap, phone + 1, sizeof(int32_t)) < 0)
                    return SK_EIO;
                for (int32_t p = t->phone2idx_len; p <= phone; p++)
                    t->phone2idx[p] = -1;
                t->phone2idx_len = phone + 1;
            }
            if (t->phone2idx[phone] != -1) {
                SK_ERROR("Phone with index %d appears in multiple topology entries.", (int)phone);
                return SK_EIO;
            }
            t->phone2idx[phone] = my_index;
        }
    }
    qsort(t->phones, (size_t)t->num_phones, sizeof(int32_t), cmp_int32);
    return 0;
}

static int read_binary(FILE *f, sk_hmm_topo *t)
{
    if (sk_read_int32_vector(f, true, &t->phones, &t->num_phones) < 0 ||
        sk_read_int32_vector(f, true, &t->phone2idx, &t->phone2idx_len) < 0)
        return SK_EIO;
    int32_t sz;
    if (sk_read_int32(f, true, &sz) < 0)
        return SK_EIO;
    bool is_hmm = true;
    if (sz == -1) {
        is_hmm = false;
        if (sk_read_int32(f, true, &sz) < 0)
            return SK_EIO;
    }
    if (sz < 0 || sz > MAX_ENTRIES) {
        SK_ERROR("Reading HmmTopology: bad number of entries %d", (int)sz);
        return SK_EIO;
    }
    t->entries = calloc(sz ? (size_t)sz : 1, sizeof(sk_hmm_entry));
    if (!t->entries) {
        SK_ERROR("HmmTopology: out of memory");
        return SK_EIO;
    }
    t->num_entries = sz;
    for (int32_t i = 0; i < sz; i++) {
        sk_hmm_entry *e = &t->entries[i];
        int32_t ns;
        if (sk_read_int32(f, true, &ns) < 0)
            return SK_EIO;
        if (ns < 0 || ns > MAX_STATES) {
            SK_ERROR("Reading HmmTopology: bad number of states %d in entry %d", (int)ns, (int)i);
            return SK_EIO;
        }
        e->states = calloc(ns ? (size_t)ns : 1, sizeof(sk_hmm_state));
        if (!e->states) {
            SK_ERROR("HmmTopology: out of memory");
            return SK_EIO;
        }
        e->num_states = ns;
        for (int32_t j = 0; j < ns; j++) {
            sk_hmm_state *s = &e->states[j];
            if (sk_read_int32(f, true, &s->forward_pdf_class) < 0)
                return SK_EIO;
            if (is_hmm)
                s->self_loop_pdf_class = s->forward_pdf_class;
            else if (sk_read_int32(f, true, &s->self_loop_pdf_class) < 0)
                return SK_EIO;
            int32_t nt;
            if (sk_read_int32(f, true, &nt) < 0)
                return SK_EIO;
            if (nt < 0 || nt > ns) {
                SK_ERROR("Reading HmmTopology: bad number of transitions %d in entry %d state %d",
                         (int)nt, (int)i, (int)j);
                return SK_EIO;
            }
            s->trans = calloc(nt ? (size_t)nt : 1, sizeof(sk_hmm_trans));
            if (!s->trans) {
                SK_ERROR("HmmTopology: out of memory");
                return SK_EIO;
            }
            s->num_trans = nt;
            for (int32_t k = 0; k < nt; k++)
                if (sk_read_int32(f, true, &s->trans[k].dest) < 0 ||
                    sk_read_float(f, true, &s->trans[k].prob) < 0)
                    return SK_EIO;
        }
    }
    return sk_expect_token(f, true, "</Topology>") < 0 ? SK_EIO : 0;
}

int sk_hmm_topo_read(FILE *f, bool binary, sk_hmm_topo *t)
{
    sk_hmm_topo_release(t);
    int st = SK_EIO;
    if (sk_expect_token(f, binary, "<Topology>") == 0)
        st = binary ? read_binary(f, t) : read_text(f, t);
    if (st == 0)
        st = topo_check(t);
    if (st < 0)
        sk_hmm_topo_release(t);
    return st;
}

int sk_hmm_topo_write(FILE *f, bool binary, const sk_hmm_topo *t)
{
    int st = sk_write_token(f, binary, "<Topology>");
    if (!binary) {
        fputs("\n", f);
        for (int32_t i = 0; i < t->num_entries && st == 0; i++) {
            st |= sk_write_token(f, false, "<TopologyEntry>");
            fputs("\n", f);
            st |= sk_write_token(f, false, "<ForPhones>");
            fputs("\n", f);
            for (int32_t p = 0; p < t->phone2idx_len; p++)
                if (t->phone2idx[p] == i)
                    fprintf(f, "%d ", (int)p);
            fputs("\n", f);
            st |= sk_write_token(f, false, "</ForPhones>");
            fputs("\n", f);
            const sk_hmm_entry *e = &t->entries[i];
            for (int32_t j = 0; j < e->num_states; j++) {
                const sk_hmm_state *s = &e->states[j];
                st |= sk_write_token(f, false, "<State>");
                st |= sk_write_int32(f, false, j);
                if (s->forward_pdf_class != SK_NO_PDF) {
                    if (s->forward_pdf_class == s->self_loop_pdf_class) {
                        st |= sk_write_token(f, false, "<PdfClass>");
                        st |= sk_write_int32(f, false, s->forward_pdf_class);
                    } else {
                        st |= sk_write_token(f, false, "<ForwardPdfClass>");
                        st |= sk_write_int32(f, false, s->forward_pdf_class);
                        st |= sk_write_token(f, false, "<SelfLoopPdfClass>");
                        st |= sk_write_int32(f, false, s->self_loop_pdf_class);
                    }
                }
                for (int32_t k = 0; k < s->num_trans; k++) {
                    st |= sk_write_token(f, false, "<Transition>");
                    st |= sk_write_int32(f, false, s->trans[k].dest);
                    st |= sk_write_float(f, false, s->trans[k].prob);
                }
                st |= sk_write_token(f, false, "</State>");
                fputs("\n", f);
            }
            st |= sk_write_token(f, false, "</TopologyEntry>");
            fputs("\n", f);
        }
    } else {
        bool is_hmm = sk_hmm_topo_is_hmm(t);
        st |= sk_write_int32_vector(f, true, t->phones, t->num_phones);
        st |= sk_write_int32_vector(f, true, t->phone2idx, t->phone2idx_len);
        if (!is_hmm)
            st |= sk_write_int32(f, true, -1);
        st |= sk_write_int32(f, true, t->num_entries);
        for (int32_t i = 0; i < t->num_entries; i++) {
            const sk_hmm_entry *e = &t->entries[i];
            st |= sk_write_int32(f, true, e->num_states);
            for (int32_t j = 0; j < e->num_states; j++) {
                const sk_hmm_state *s = &e->states[j];
                st |= sk_write_int32(f, true, s->forward_pdf_class);
                if (!is_hmm)
                    st |= sk_write_int32(f, true, s->self_loop_pdf_class);
                st |= sk_write_int32(f, true, s->num_trans);
                for (int32_t k = 0; k < s->num_trans; k++) {
                    st |= sk_write_int32(f, true, s->trans[k].dest);
                    st |= sk_write_float(f, true, s->trans[k].prob);
                }
            }
        }
    }
    st |= sk_write_token(f, binary, "</Topology>");
    if (!binary)
        fputs("\n", f);
    return st ? SK_EIO : 0;
}
