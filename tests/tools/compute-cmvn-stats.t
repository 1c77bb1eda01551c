#!/bin/sh
# compute-cmvn-stats: layout, weights, modes, errors (conformance: tests/conformance/featproc.t).
. "$(dirname "$0")/lib.sh"

P=$DATA/feat/featproc

test_expect_success 'stats layout: 2 x (dim+1) doubles, count = frames, row 1 ends in 0' '
    printf "u  [\n  1 2\n  3 4\n  5 6 ]\n" >f.txt &&
    compute-cmvn-stats ark,t:f.txt ark,t:s.txt &&
    printf "u  [\n  9 12 3 \n  35 56 0 ]\n" >exp.txt && numdiff exp.txt s.txt 0
'
test_expect_success '--weights: zero-weight frames skipped, others weighted' '
    printf "u  [\n  1 2\n  3 4\n  5 6 ]\n" >f.txt && printf "u [ 1 0 0.5 ]\n" >w.txt &&
    compute-cmvn-stats --weights=ark,t:w.txt ark,t:f.txt ark,t:s.txt &&
    printf "u  [\n  3.5 5 1.5 \n  13.5 22 0 ]\n" >exp.txt && numdiff exp.txt s.txt 0
'
test_expect_success '--weights: missing or wrong-length weights are errors, exit 1 when nothing done' '
    printf "u  [\n  1 2 ]\nv  [\n  1 2 ]\n" >f.txt && printf "u [ 1 1 ]\n" >w.txt &&
    test_must_fail compute-cmvn-stats --weights=ark,t:w.txt ark,t:f.txt ark,t:s.txt 2>err &&
    grep -q "Weights for utterance u have wrong dimension 2 vs. 1" err &&
    grep -q "No weights available for utterance v" err &&
    grep -q "Done accumulating CMVN stats for 0 utterances; 2 had errors." err
'
test_expect_success '--spk2utt: missing utterance warned, speaker without stats not written' '
    printf "u  [\n  1 2 ]\n" >f.txt && printf "s1 u x\ns2 y\n" >spk2utt &&
    compute-cmvn-stats --spk2utt=ark,t:spk2utt ark,t:f.txt ark,t:s.txt 2>err &&
    grep -q "Did not find features for utterance x" err && grep -q "No stats accumulated for speaker s2" err &&
    test "$(grep -c "\[" s.txt)" = 1
'
test_expect_success 'global stats to a text file with --binary=false' '
    compute-cmvn-stats --binary=false ark:$P/feats.ark g.txt && head -c 3 g.txt | grep -q "\[" &&
    compute-cmvn-stats ark:$P/feats.ark g.mat && head -c 5 g.mat | od -c | grep -q "B   F   M"
'
test_expect_error 'a corrupt feature archive gives an ERROR' "ERROR|error" \
    sh -c "head -c 1000 $P/feats.ark >bad.ark && compute-cmvn-stats ark:bad.ark ark:s.ark"
test_done
