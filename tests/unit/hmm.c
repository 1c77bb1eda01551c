/* Unit tests for lib/hmm: topology and transition model on a small hand-written model (text,
 * binary, <Triples> and <Tuples> forms), the transition-id maps, splitting alignments into
 * phones, and clean failures on corrupt models. */
#include "base/log.h"
#include "hmm/align.h"
#include "hmm/topology.h"
#include "hmm/transition.h"
#include "tap.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Phones 1 and 2: two emitting states, left to right; phone 3: one emitting state.
 * Transition-states (tuples) and their transition-ids:
 *   ts1 (1,0,pdf0): tid 1 self-loop, tid 2 -> state 1
 *   ts2 (1,1,pdf1): tid 3 self-loop, tid 4 -> final
 *   ts3 (2,0,pdf2): tid 5 self-loop, tid 6 -> state 1
 *   ts4 (2,1,pdf1): tid 7 self-loop, tid 8 -> final
 *   ts5 (3,0,pdf3): tid 9 self-loop (p 0.25), tid 10 -> final (p 0.75) */
static const char model_triples[] =
    "<TransitionModel> \n"
    "<Topology> \n"
    "<TopologyEntry> \n"
    "<ForPhones> \n"
    "1 2 \n"
    "</ForPhones> \n"
    "<State> 0 <PdfClass> 0 <Transition> 0 0.5 <Transition> 1 0.5 </State> \n"
    "<State> 1 <PdfClass> 1 <Transition> 1 0.5 <Transition> 2 0.5 </State> \n"
    "<State> 2 </State> \n"
    "</TopologyEntry> \n"
    "<TopologyEntry> \n"
    "<ForPhones> \n"
    "3 \n"
    "</ForPhones> \n"
    "<State> 0 <PdfClass> 0 <Transition> 0 0.25 <Transition> 1 0.75 </State> \n"
    "<State> 1 </State> \n"
    "</TopologyEntry> \n"
    "</Topology> \n"
    "<Triples> 5 \n"
    "1 0 0 \n"
    "1 1 1 \n"
    "2 0 2 \n"
    "2 1 1 \n"
    "3 0 3 \n"
    "</Triples> \n"
    "<LogProbs> \n"
    " [ 0 -0.6931472 -0.6931472 -0.6931472 -0.6931472 -0.6931472 -0.6931472 -0.6931472 "
    "-0.6931472 -1.386294 -0.2876821 ]\n"
    "</LogProbs> \n"
    "</TransitionModel> \n";

/* Same, but phone 3's state has a separate self-loop pdf class (pdf 4). */
static const char model_tuples[] =
    "<TransitionModel> \n"
    "<Topology> \n"
    "<TopologyEntry> \n"
    "<ForPhones> \n"
    "1 2 \n"
    "</ForPhones> \n"
    "<State> 0 <PdfClass> 0 <Transition> 0 0.5 <Transition> 1 0.5 </State> \n"
    "<State> 1 <PdfClass> 1 <Transition> 1 0.5 <Transition> 2 0.5 </State> \n"
    "<State> 2 </State> \n"
    "</TopologyEntry> \n"
    "<TopologyEntry> \n"
    "<ForPhones> \n"
    "3 \n"
    "</ForPhones> \n"
    "<State> 0 <ForwardPdfClass> 0 <SelfLoopPdfClass> 1 <Transition> 0 0.25 <Transition> 1 0.75 </State> \n"
    "<State> 1 </State> \n"
    "</TopologyEntry> \n"
    "</Topology> \n"
    "<Tuples> 5 \n"
    "1 0 0 0 \n"
    "1 1 1 1 \n"
    "2 0 2 2 \n"
    "2 1 1 1 \n"
    "3 0 3 4 \n"
    "</Tuples> \n"
    "<LogProbs> \n"
    " [ 0 -0.6931472 -0.6931472 -0.6931472 -0.6931472 -0.6931472 -0.6931472 -0.6931472 "
    "-0.6931472 -1.386294 -0.2876821 ]\n"
    "</LogProbs> \n"
    "</TransitionModel> \n";

static int nerrors;
static char last_error[4096];
static void sink(int sev, const char *line, void *ctx)
{
    (void)ctx;
    if (sev == SK_SEV_ERROR) {
        nerrors++;
        snprintf(last_error, sizeof last_error, "%s", line);
    }
}

static int read_mem(const void *buf, size_t len, bool binary, sk_trans_model **tm)
{
    FILE *f = fmemopen((void *)buf, len, "rb");
    if (!f)
        return -100;
    int st = sk_trans_model_read(f, binary, tm);
    fclose(f);
    return st;
}

/* Write tm to memory; returns the malloc'ed buffer, length in *len. */
static char *write_mem(const sk_trans_model *tm, bool binary, size_t *len)
{
    char *buf = NULL;
    FILE *f = open_memstream(&buf, len);
    if (!f)
        return NULL;
    int st = sk_trans_model_write(f, binary, tm);
    fclose(f);
    if (st < 0) {
        free(buf);
        return NULL;
    }
    return buf;
}

/* Expected per-tid maps of model_triples (index = tid). */
static const int32_t exp_state[] = { 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5 };
static const int32_t exp_pdf[] = { 0, 0, 0, 1, 1, 2, 2, 1, 1, 3, 3 };
static const int32_t exp_phone[] = { 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3 };
static const int32_t exp_hmm_state[] = { 0, 0, 0, 1, 1, 0, 0, 1, 1, 0, 0 };
static const int32_t exp_index[] = { 0, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1 };
static const bool exp_loop[] = { 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0 };
static const bool exp_final[] = { 0, 0, 0, 0, 1, 0, 0, 0, 1, 0, 1 };

static void check_maps(const sk_trans_model *tm, int32_t self_loop_pdf_of_9)
{
    CHECK_INT(sk_tm_num_transition_ids(tm), 10);
    CHECK_INT(sk_tm_num_transition_states(tm), 5);
    CHECK_INT(sk_tm_num_phones(tm), 3);
    CHECK_INT(sk_tm_num_topo_phones(tm), 3);
    CHECK_INT(sk_tm_num_pdfs(tm), self_loop_pdf_of_9 + 1 > 4 ? self_loop_pdf_of_9 + 1 : 4);
    for (int32_t tid = 1; tid <= 10; tid++) {
        int32_t want_pdf = tid == 9 ? self_loop_pdf_of_9 : exp_pdf[tid];
        CHECK(sk_tm_is_valid_tid(tm, tid));
        CHECK_INT(sk_tm_tid2trans_state(tm, tid), exp_state[tid]);
        CHECK_INT(sk_tm_tid2pdf(tm, tid), want_pdf);
        CHECK_INT(sk_tm_tid2phone(tm, tid), exp_phone[tid]);
        CHECK_INT(sk_tm_tid2hmm_state(tm, tid), exp_hmm_state[tid]);
        CHECK_INT(sk_tm_tid2trans_index(tm, tid), exp_index[tid]);
        CHECK_INT(sk_tm_is_self_loop(tm, tid), exp_loop[tid]);
        CHECK_INT(sk_tm_is_final(tm, tid), exp_final[tid]);
        CHECK_INT(sk_tm_pair2tid(tm, exp_state[tid], exp_index[tid]), tid);
    }
    for (int32_t ts = 1; ts <= 5; ts++) {
        CHECK_INT(sk_tm_num_trans_indices(tm, ts), 2);
        CHECK_INT(sk_tm_self_loop_of(tm, ts), 2 * ts - 1);
    }
    CHECK_INT(sk_tm_trans_state2phone(tm, 5), 3);
    CHECK_INT(sk_tm_trans_state2forward_pdf(tm, 5), 3);
    CHECK_INT(sk_tm_trans_state2self_loop_pdf(tm, 5), self_loop_pdf_of_9);
    CHECK_NEAR(sk_tm_log_prob(tm, 9), log(0.25), 1e-6);
    CHECK_NEAR(sk_tm_log_prob(tm, 10), log(0.75), 1e-6);
    CHECK_NEAR(sk_tm_log_prob(tm, 1), log(0.5), 1e-6);
}

int main(void)
{
    char *argv0[] = { "hmm-test", NULL };
    sk_log_init(argv0[0]);
    sk_log_set_sink(sink, NULL);

    TEST("text <Triples> model: every transition-id map") {
        sk_trans_model *tm = NULL;
        CHECK_INT(read_mem(model_triples, strlen(model_triples), false, &tm), 0);
        if (tm) {
            check_maps(tm, 3);
            const sk_hmm_topo *t = sk_tm_topo(tm);
            CHECK_INT(t->num_entries, 2);
            CHECK(sk_hmm_topo_is_hmm(t));
            CHECK_INT(sk_hmm_topo_num_pdf_classes(t, 1), 2);
            CHECK_INT(sk_hmm_topo_num_pdf_classes(t, 3), 1);
            CHECK_INT(sk_hmm_topo_num_pdf_classes(t, 4), -1);
            CHECK(sk_hmm_topo_entry(t, 0) == NULL);
            CHECK(sk_hmm_topo_entry(t, 1) == sk_hmm_topo_entry(t, 2));
        }
        sk_trans_model_free(tm);
    }
    TEST("invalid ids answer -1/false") {
        sk_trans_model *tm = NULL;
        read_mem(model_triples, strlen(model_triples), false, &tm);
        CHECK(tm != NULL);
        if (tm) {
            CHECK(!sk_tm_is_valid_tid(tm, 0));
            CHECK(!sk_tm_is_valid_tid(tm, 11));
            CHECK(!sk_tm_is_valid_tid(tm, -3));
            CHECK_INT(sk_tm_tid2pdf(tm, 11), -1);
            CHECK_INT(sk_tm_tid2phone(tm, 0), -1);
            CHECK(!sk_tm_is_self_loop(tm, 11));
            CHECK_INT(sk_tm_trans_state2phone(tm, 6), -1);
            CHECK_INT(sk_tm_pair2tid(tm, 1, 2), -1);
        }
        sk_trans_model_free(tm);
    }
    TEST("text write reproduces the canonical text exactly") {
        sk_trans_model *tm = NULL;
        read_mem(model_triples, strlen(model_triples), false, &tm);
        size_t len = 0;
        char *txt = tm ? write_mem(tm, false, &len) : NULL;
        CHECK(txt != NULL);
        if (txt) {
            CHECK_INT(len, strlen(model_triples));
            CHECK(len == strlen(model_triples) && !memcmp(txt, model_triples, len));
        }
        free(txt);
        sk_trans_model_free(tm);
    }
    TEST("binary round trip keeps maps and bytes") {
        sk_trans_model *tm = NULL, *tm2 = NULL;
        read_mem(model_triples, strlen(model_triples), false, &tm);
        size_t len = 0, len2 = 0;
        char *bin = tm ? write_mem(tm, true, &len) : NULL;
        CHECK(bin != NULL);
        if (bin) {
            CHECK(!memcmp(bin, "<TransitionModel> <Topology> \x04\x03\x00\x00\x00", 34));
            CHECK_INT(read_mem(bin, len, true, &tm2), 0);
            if (tm2) {
                check_maps(tm2, 3);
                char *bin2 = write_mem(tm2, true, &len2);
                CHECK(bin2 && len2 == len && !memcmp(bin, bin2, len));
                free(bin2);
            }
        }
        free(bin);
        sk_trans_model_free(tm);
        sk_trans_model_free(tm2);
    }
    TEST("<Tuples> form: separate self-loop pdf, round trips text and binary") {
        sk_trans_model *tm = NULL, *tm2 = NULL;
        CHECK_INT(read_mem(model_tuples, strlen(model_tuples), false, &tm), 0);
        if (tm) {
            check_maps(tm, 4);
            CHECK(!sk_hmm_topo_is_hmm(sk_tm_topo(tm)));
            size_t len = 0, blen = 0;
            char *txt = write_mem(tm, false, &len);
            CHECK(txt && len == strlen(model_tuples) && !memcmp(txt, model_tuples, len));
            char *bin = write_mem(tm, true, &blen);
            CHECK(bin != NULL);
            /* binary "not HMM" marker: int32 -1 right after phone2idx (4 phones + 1) */
            if (bin) {
                size_t off = strlen("<TransitionModel> <Topology> ") + 5 + 4 * 3 + 5 + 4 * 4;
                CHECK(!memcmp(bin + off, "\x04\xff\xff\xff\xff", 5));
                CHECK(memmem(bin, blen, "<Tuples> ", 9) != NULL);
                CHECK_INT(read_mem(bin, blen, true, &tm2), 0);
                if (tm2)
                    check_maps(tm2, 4);
            }
            free(txt);
            free(bin);
        }
        sk_trans_model_free(tm);
        sk_trans_model_free(tm2);
    }
    TEST("every truncation of the binary and text model fails cleanly") {
        sk_trans_model *tm = NULL;
        read_mem(model_tuples, strlen(model_tuples), false, &tm);
        size_t blen = 0;
        char *bin = tm ? write_mem(tm, true, &blen) : NULL;
        CHECK(bin != NULL);
        int bad = 0;
        /* (the space after the last token is optional, as in Kaldi's ExpectToken) */
        for (size_t n = 0; bin && n + 1 < blen; n++) {
            sk_trans_model *t2 = NULL;
            nerrors = 0;
            if (read_mem(bin, n, true, &t2) >= 0 || t2 || nerrors == 0) {
                printf("# binary cut at %zu: no clean failure\n", n);
                bad++;
            }
            sk_trans_model_free(t2);
        }
        /* text: cut before the last "</TransitionModel>" token ends */
        size_t tlen = strlen(model_tuples) - 3;
        for (size_t n = 0; n < tlen; n += 7) {
            sk_trans_model *t2 = NULL;
            nerrors = 0;
            if (read_mem(model_tuples, n, false, &t2) >= 0 || t2 || nerrors == 0) {
                printf("# text cut at %zu succeeded\n", n);
                bad++;
            }
            sk_trans_model_free(t2);
        }
        CHECK_INT(bad, 0);
        free(bin);
        sk_trans_model_free(tm);
    }
    TEST("not a transition model: ERROR names the token") {
        static const char nnet[] = "<Nnet> \n<AffineTransform> 3 4 \n";
        sk_trans_model *tm = NULL;
        nerrors = 0;
        CHECK(read_mem(nnet, strlen(nnet), false, &tm) < 0);
        CHECK(tm == NULL);
        CHECK(nerrors > 0);
        CHECK(strstr(last_error, "<TransitionModel>") != NULL || strstr(last_error, "Nnet") != NULL);
    }
    TEST("semantic errors: unknown phone, hmm-state, log-prob count, topology checks") {
        struct { const char *from, *to, *msg; } cases[] = {
            { "3 0 3 \n</Triples>", "4 0 3 \n</Triples>", "not in the topology" },
            { "3 0 3 \n</Triples>", "3 1 3 \n</Triples>", "hmm-state 1 out of range" },
            { "-0.2876821 ]", "]", "dimension 10, expected 11" },
            { "-0.2876821 ]", "0.5 ]", "must be finite and <= 0" },
            { "<Transition> 1 0.75 </State>", "<Transition> 2 0.75 </State>", "invalid dest state" },
            { "<State> 1 <PdfClass> 1", "<State> 1 <PdfClass> 2", "contiguous" },
            { "<ForPhones> \n3 \n", "<ForPhones> \n2 \n", "multiple topology entries" },
            { "<Triples> 5", "<Quads> 5", "<Triples> or <Tuples>" },
        };
        for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
            const char *at = strstr(model_triples, cases[c].from);
            CHECK(at != NULL);
            if (!at)
                continue;
            char buf[sizeof model_triples + 64];
            size_t pre = (size_t)(at - model_triples);
            snprintf(buf, sizeof buf, "%.*s%s%s", (int)pre, model_triples, cases[c].to,
                     at + strlen(cases[c].from));
            sk_trans_model *tm = NULL;
            last_error[0] = 0;
            int st = read_mem(buf, strlen(buf), false, &tm);
            if (st >= 0 || tm || !strstr(last_error, cases[c].msg))
                TAP_FAIL("case %zu: status %d, last error \"%s\"", c, st, last_error);
            sk_trans_model_free(tm);
        }
    }
    TEST("split to phones: reordered and non-reordered alignments") {
        sk_trans_model *tm = NULL;
        read_mem(model_triples, strlen(model_triples), false, &tm);
        CHECK(tm != NULL);
        if (tm) {
            /* phone 1 then phone 3, forward transition first (reordered) */
            int32_t ro[] = { 2, 1, 1, 4, 3, 3, 10, 9, 9 };
            int32_t nro[] = { 1, 1, 2, 3, 3, 4, 9, 9, 10 };
            int32_t *ends = NULL, nseg = 0;
            bool ok = false;
            CHECK_INT(sk_ali_is_reordered(tm, ro, 9, "u"), 1);
            CHECK_INT(sk_ali_is_reordered(tm, nro, 9, "u"), 0);
            CHECK_INT(sk_ali_split_to_phones(tm, ro, 9, "u", &ends, &nseg, &ok), 0);
            CHECK_INT(nseg, 2);
            CHECK(ok);
            if (nseg == 2) {
                CHECK_INT(ends[0], 6);
                CHECK_INT(ends[1], 9);
            }
            free(ends);
            CHECK_INT(sk_ali_split_to_phones(tm, nro, 9, "u", &ends, &nseg, &ok), 0);
            CHECK_INT(nseg, 2);
            if (nseg == 2) {
                CHECK_INT(ends[0], 6);
                CHECK_INT(ends[1], 9);
            }
            free(ends);
            /* phone 1 cut short (no final transition) before phone 2: not ok, split anyway */
            int32_t cut[] = { 2, 1, 6, 5, 8 };
            CHECK_INT(sk_ali_split_to_phones(tm, cut, 5, "u", &ends, &nseg, &ok), 0);
            CHECK_INT(nseg, 2);
            CHECK(!ok);
            if (nseg == 2)
                CHECK_INT(ends[0], 2);
            free(ends);
            /* empty */
            CHECK_INT(sk_ali_split_to_phones(tm, ro, 0, "u", &ends, &nseg, &ok), 0);
            CHECK_INT(nseg, 0);
            free(ends);
            /* out-of-range id and adjacent foreign self-loops are errors */
            int32_t oor[] = { 2, 11 };
            last_error[0] = 0;
            CHECK(sk_ali_split_to_phones(tm, oor, 2, "uttX", &ends, &nseg, &ok) < 0);
            CHECK(strstr(last_error, "Transition-id 11 at frame 1 of utterance uttX") != NULL);
            int32_t loops[] = { 1, 3 };
            CHECK(sk_ali_split_to_phones(tm, loops, 2, "u", &ends, &nseg, &ok) < 0);
            CHECK(ends == NULL);
        }
        sk_trans_model_free(tm);
    }
    return tap_done();
}
