/* align.c — checking alignments and splitting them into phones (Kaldi's SplitToPhones).
 *
 * Kaldi asserts (aborts) on inconsistent alignments; here they are input errors: an ERROR
 * naming the utterance and frame, and a negative status.
 */
#include "hmm/align.h"

#include <stdlib.h>

#include "base/log.h"

int sk_ali_check(const sk_trans_model *tm, const int32_t *ali, int32_t n, const char *key)
{
    for (int32_t i = 0; i < n; i++)
        if (!sk_tm_is_valid_tid(tm, ali[i])) {
            SK_ERROR("Transition-id %d at frame %d of utterance %s is out of range [1, %d] "
                     "(likely graph/model mismatch: alignment made with a different model?)",
                     (int)ali[i], (int)i, key ? key : "", (int)sk_tm_num_transition_ids(tm));
            return SK_EIO;
        }
    return 0;
}

int sk_ali_is_reordered(const sk_trans_model *tm, const int32_t *ali, int32_t n, const char *key)
{
    for (int32_t i = 0; i + 1 < n; i++) {
        if (sk_tm_tid2trans_state(tm, ali[i]) == sk_tm_tid2trans_state(tm, ali[i + 1]))
            continue;
        bool loop1 = sk_tm_is_self_loop(tm, ali[i]), loop2 = sk_tm_is_self_loop(tm, ali[i + 1]);
        if (loop1 && loop2) {
            SK_ERROR("Utterance %s: adjacent self-loops of different transition-states at "
                     "frames %d and %d (transition-ids %d, %d): not a valid alignment",
                     key ? key : "", (int)i, (int)(i + 1), (int)ali[i], (int)ali[i + 1]);
            return SK_EIO;
        }
        if (loop1)
            return 1;
        if (loop2)
            return 0;
    }
    if (n == 0 || sk_tm_is_self_loop(tm, ali[0]))
        return 0;
    return sk_tm_is_self_loop(tm, ali[n - 1]) ? 1 : 0;
}

int sk_ali_split_to_phones(const sk_trans_model *tm, const int32_t *ali, int32_t n,
                           const char *key, int32_t **ends, int32_t *nseg, bool *ok)
{
    *ends = NULL;
    *nseg = 0;
    if (ok)
        *ok = true;
    if (sk_ali_check(tm, ali, n, key) < 0)
        return SK_EIO;
    int reordered = sk_ali_is_reordered(tm, ali, n, key);
    if (reordered < 0)
        return SK_EIO;
    if (n == 0)
        return 0;
    int32_t *e = malloc(sizeof(int32_t) * (size_t)n);
    if (!e) {
        SK_ERROR("out of memory splitting utterance %s", key ? key : "");
        return SK_EIO;
    }
    int32_t k = 0;
    bool was_ok = true;
    for (int32_t i = 0; i < n; i++) {
        if (sk_tm_is_final(tm, ali[i])) {
            if (reordered) {
                while (i + 1 < n && sk_tm_is_self_loop(tm, ali[i + 1])) {
                    if (sk_tm_tid2trans_state(tm, ali[i]) != sk_tm_tid2trans_state(tm, ali[i + 1])) {
                        SK_ERROR("Utterance %s: self-loop at frame %d (transition-id %d) does not "
                                 "belong to the state before it: not a valid alignment",
                                 key ? key : "", (int)(i + 1), (int)ali[i + 1]);
                        free(e);
                        return SK_EIO;
                    }
                    i++;
                }
            }
            e[k++] = i + 1;
        } else if (i + 1 == n) {
            was_ok = false;
            e[k++] = i + 1;
        } else {
            int32_t s1 = sk_tm_tid2trans_state(tm, ali[i]), s2 = sk_tm_tid2trans_state(tm, ali[i + 1]);
            if (s1 != s2 && sk_tm_trans_state2phone(tm, s1) != sk_tm_trans_state2phone(tm, s2)) {
                was_ok = false;
                e[k++] = i + 1;
            }
        }
    }
    *ends = e;
    *nseg = k;
    if (ok)
        *ok = was_ok;
    return 0;
}
