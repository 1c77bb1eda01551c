#!/bin/sh
# Conformance against Kaldi's own decoding outputs (conformance/decode, copied to
# tests/data/decode): compute-wer byte for byte; lattice tools over Kaldi's lat.1.gz;
# decoding the real digits graph.
. "$(dirname "$0")/../tools/lib.sh"
D=$DATA/decode

for m in present all; do
    test_expect_success "compute-wer --mode=$m on hand-edited hypotheses equals Kaldi's" "
        compute-wer --text --mode=$m ark:$D/ref.txt ark:$D/hyp.edited.txt >out &&
        cmp $D/wer.edited.$m.txt out
    "
done
test_expect_success 'compute-wer with ark,p: equals Kaldi' "
    compute-wer --text --mode=present ark:$D/ref.txt ark,p:$D/hyp.edited.txt >out &&
    cmp $D/wer.edited.p.txt out
"
test_expect_error 'compute-wer --mode=strict fails as Kaldi does' \
    'No hypothesis for key theo_0_10 and strict mode specifier' \
    compute-wer --text --mode=strict ark:$D/ref.txt ark:$D/hyp.edited.txt
for w in 7 10 13 17; do
    test_expect_success "compute-wer on Kaldi's best paths at LM weight $w" "
        compute-wer --text --mode=present ark:$D/ref.txt ark,p:$D/best.lmwt$w.txt >out &&
        cmp $D/wer.lmwt$w.txt out
    "
done

# Logs compared without the (program[version]:function():file:line) part and the timing line.
normlog() { gunzip -cf "$1" | sed -E 's/^(LOG|WARNING|ERROR) \([^ ]*\) /\1 /' | grep -v "Time taken" | tail -n +2; }

test_expect_success 'decode-faster-mapped at beam 13: same words and alignments as Kaldi for all 500 utterances' "
    decode-faster-mapped --beam=13.0 --max-active=7000 --acoustic-scale=0.1 \
        --word-symbol-table=$D/words.txt $D/trans.mdl $D/HCLG.fst ark:$D/loglikes.ark \
        ark,t:words.txt 'ark,t:| gzip -c > ali.txt.gz' 2>log &&
    cmp $D/dfm.words.txt words.txt &&
    gunzip -c $D/dfm.ali.txt.gz >exp.ali && gunzip -c ali.txt.gz | cmp exp.ali - &&
    grep -q 'Done 500 utterances, failed for 0' log
"
test_expect_success 'decode-faster-mapped at beam 13: log (words echoed, likelihoods within 1e-3) as Kaldi' "
    decode-faster-mapped --beam=13.0 --max-active=7000 --acoustic-scale=0.1 \
        --word-symbol-table=$D/words.txt $D/trans.mdl $D/HCLG.fst ark:$D/loglikes.ark \
        ark:/dev/null 2>log &&
    normlog $D/dfm.log.gz >exp && normlog log >got && numdiff exp got 1e-3
"
test_expect_success 'decode-faster-mapped at beam 4, max-active 50 (partial tracebacks): same words, log within 1e-3' "
    decode-faster-mapped --beam=4.0 --max-active=50 --acoustic-scale=0.1 \
        $D/trans.mdl $D/HCLG.fst ark:$D/loglikes.ark ark,t:words.txt 2>log &&
    cmp $D/dfm.narrow.words.txt words.txt &&
    normlog $D/dfm.narrow.log.gz >exp && normlog log >got && numdiff exp got 1e-3 &&
    grep -q 'Decoder did not reach end-state, outputting partial traceback.' log
"
test_expect_error 'decode-faster-mapped --max-active=10 (Kaldi aborts): a clean ERROR' \
    'max-active=10 --min-active=20' \
    decode-faster-mapped --max-active=10 $D/trans.mdl $D/HCLG.fst ark:$D/loglikes.ark ark,t:words.txt
test_done
