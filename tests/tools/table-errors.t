#!/bin/sh
# Errors in a table read by key (random access) stop the tool with an ERROR and exit 255, as
# Kaldi's exception does; they never count as a merely missing key while the tool carries on
# (duplicate key, short archive, failing pipe, key missing from utt2spk).
. "$(dirname "$0")/lib.sh"
N=$DATA/nnet1
F=$DATA/feat/featproc
train() { nnet-train-frmshuff --use-gpu=no --feature-transform=$N/feature_transform.nnet \
              ark:$N/train.feats.ark "$1" $N/dnn.init.nnet out.nnet; }

test_expect_success 'training: a duplicate key in the targets fails the job, no model' '
    copy-post ark:$N/train.post.ark ark,t:tp.txt 2>/dev/null &&
    { sed -n 5p tp.txt; cat tp.txt; } > dup.txt &&
    test_must_fail train ark:dup.txt 2> err && grep -q "duplicate key" err &&
    ! test -e out.nnet
'
test_expect_success 'training: a truncated targets archive fails the job, no model' '
    head -c 60000 $N/train.post.ark > short.ark &&
    test_must_fail train ark:short.ark 2> err && grep -q "^ERROR" err && ! test -e out.nnet
'
test_expect_success 'training: a failing targets pipe fails the job, no model' '
    test_must_fail train "ark:cat $N/train.post.ark; exit 3 |" 2> err &&
    grep -q "exited with status 3" err && ! test -e out.nnet
'
test_expect_success 'apply-cmvn: an utterance missing from utt2spk is an error' '
    head -n 2 $F/utt2spk > u2s &&
    test_must_fail apply-cmvn --utt2spk=ark:u2s ark:$F/cmvn.spk.ark ark:$F/feats.ark ark:o.ark 2> err &&
    grep -q "not present in utt2spk map" err
'
test_expect_success 'apply-cmvn: a duplicate key in the stats archive is an error' '
    copy-matrix ark:$F/cmvn.utt.ark ark,t:c.txt 2>/dev/null &&
    { awk "{ print } /\]/ { exit }" c.txt; cat c.txt; } > dup.txt &&
    test_must_fail apply-cmvn ark:dup.txt ark:$F/feats.ark ark:o.ark 2> err &&
    grep -q "duplicate key" err
'
test_expect_success 'analyze-counts: a corrupt frame-weights table is an error' '
    printf "george_0_0 [ 1 1 \n" > fw.txt &&
    test_must_fail analyze-counts --frame-weights=ark:fw.txt --counts-dim=200 \
        "ark:copy-int-vector ark:$DATA/ali/ali.ark ark:- |" counts 2> err && grep -q "^ERROR" err
'
test_done
