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
test_done
