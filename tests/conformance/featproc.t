#!/bin/sh
# Conformance of the feature post-processing tools with Kaldi's outputs (tests/data/feat/featproc,
# commands.txt there): CMVN stats byte for byte, normalised/delta/spliced/segmented features
# within 1e-6 * max(1, |kaldi|) (in practice identical), and Kaldi's refusal of
# --norm-vars without --norm-means.
. "$(dirname "$0")/../tools/lib.sh"

P=$DATA/feat/featproc

test_expect_success 'compute-cmvn-stats per utterance: same bytes as Kaldi' '
    compute-cmvn-stats ark:$P/feats.ark ark:cmvn.utt.ark 2>err &&
    cmp cmvn.utt.ark $P/cmvn.utt.ark &&
    grep -q "Done accumulating CMVN stats for 12 utterances; 0 had errors." err
'
test_expect_success 'compute-cmvn-stats --spk2utt: binary and text same bytes as Kaldi' '
    compute-cmvn-stats --spk2utt=ark:$P/spk2utt ark:$P/feats.ark ark:cmvn.spk.ark &&
    cmp cmvn.spk.ark $P/cmvn.spk.ark &&
    compute-cmvn-stats --binary=false --spk2utt=ark:$P/spk2utt ark:$P/feats.ark ark,t:cmvn.spk.txt &&
    cmp cmvn.spk.txt $P/cmvn.spk.txt
'
test_expect_success 'compute-cmvn-stats global to a file: float matrix, same bytes' '
    compute-cmvn-stats ark:$P/feats.ark cmvn.global.mat 2>err &&
    cmp cmvn.global.mat $P/cmvn.global.mat &&
    grep -q "Wrote global CMVN stats to cmvn.global.mat" err
'
test_expect_error 'compute-cmvn-stats --spk2utt with a wxfilename is refused' \
    "--spk2utt option not compatible with wxfilename" \
    compute-cmvn-stats --spk2utt=ark:$P/spk2utt ark:$P/feats.ark out.mat

while read -r ref args; do
    test_expect_success "$(echo "$args" | sed "s|\\\$P/||g") == Kaldi" "
        gunzip -c $P/$ref.txt.gz >ref.txt &&
        $args ark,t:out.txt &&
        numdiff ref.txt out.txt 1e-6
    "
done <<'LIST'
apply-cmvn.utt apply-cmvn ark:$P/cmvn.utt.ark ark:$P/feats.ark
apply-cmvn.utt.vars apply-cmvn --norm-vars=true ark:$P/cmvn.utt.ark ark:$P/feats.ark
apply-cmvn.spk apply-cmvn --utt2spk=ark:$P/utt2spk ark:$P/cmvn.spk.ark ark:$P/feats.ark
apply-cmvn.spk.vars apply-cmvn --utt2spk=ark:$P/utt2spk --norm-vars=true ark:$P/cmvn.spk.ark ark:$P/feats.ark
apply-cmvn.global apply-cmvn $P/cmvn.global.mat ark:$P/feats.ark
add-deltas.default add-deltas ark:$P/feats.ark
add-deltas.order1 add-deltas --delta-order=1 ark:$P/feats.ark
add-deltas.order3.win3 add-deltas --delta-order=3 --delta-window=3 ark:$P/feats.ark
splice-feats.default splice-feats ark:$P/feats.ark
splice-feats.5.5 splice-feats --left-context=5 --right-context=5 ark:$P/feats.ark
splice-feats.0.2 splice-feats --left-context=0 --right-context=2 ark:$P/feats.ark
extract-feature-segments extract-feature-segments ark:$P/feats.ark $P/segments
LIST

test_expect_success 'apply-cmvn --reverse undoes --norm-vars (Kaldi reference)' '
    gunzip -c $P/apply-cmvn.utt.vars.txt.gz >normed.txt &&
    gunzip -c $P/apply-cmvn.reverse.txt.gz >ref.txt &&
    apply-cmvn --reverse=true --norm-vars=true ark:$P/cmvn.utt.ark ark,t:normed.txt ark,t:out.txt &&
    numdiff ref.txt out.txt 1e-6
'
test_expect_error 'apply-cmvn --norm-vars without --norm-means is refused as Kaldi (exit 255)' \
    "You cannot normalize the variance but not the mean." \
    apply-cmvn --norm-means=false --norm-vars=true ark:$P/cmvn.utt.ark ark:$P/feats.ark ark,t:x.txt
test_expect_success 'extract-feature-segments warns about the invalid lines as Kaldi' '
    extract-feature-segments ark:$P/feats.ark $P/segments ark:/dev/null 2>err &&
    test $(grep -c "Invalid line in segments file \[empty or invalid segment\]" err) = 3 &&
    grep -q "Successfully processed 3 lines out of 6 in the segments file. $" err
'
test_done
