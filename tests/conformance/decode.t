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
gunzip -c $D/lat.1.gz >"$TMP_BASE/lat.ark"
L=$TMP_BASE/lat.ark
test_expect_success 'lattice-copy of Kaldi lattices: binary byte-identical, text equals lattice-copy ark,t' "
    lattice-copy ark:$L ark,t:lat.txt 2>log && gunzip -c $D/lat.txt.gz | cmp - lat.txt &&
    grep -q 'Done copying 500 lattices.' log &&
    lattice-copy ark:$L 'ark:| gzip -c > lat.1.gz' && gunzip -c lat.1.gz | cmp $L - &&
    lattice-copy ark:lat.txt ark,t:again.txt && cmp lat.txt again.txt
"
test_expect_success 'lattice-add-penalty 0 and lattice-scale 2 then 0.5 write Kaldi lattices back byte for byte' "
    lattice-add-penalty ark:$L ark:p.ark 2>/dev/null && cmp $L p.ark &&
    lattice-scale --acoustic-scale=2 ark:$L ark:- 2>/dev/null |
    lattice-scale --acoustic-scale=0.5 ark:- ark:s.ark 2>/dev/null && cmp $L s.ark
"
for w in 7 10 13 17; do
    test_expect_success "lattice-scale | lattice-add-penalty | lattice-best-path at LM weight $w equals Kaldi" "
        lattice-scale --inv-acoustic-scale=$w 'ark:gunzip -c $D/lat.1.gz|' ark:- 2>/dev/null |
        lattice-add-penalty --word-ins-penalty=0.0 ark:- ark:- 2>/dev/null |
        lattice-best-path --word-symbol-table=$D/words.txt ark:- ark,t:best.int 2>log &&
        cmp $D/best.lmwt$w.int best.int &&
        int2sym.pl -f 2- $D/words.txt best.int >best.txt &&
        compute-wer --text --mode=present ark:$D/ref.txt ark,p:best.txt >wer && cmp $D/wer.lmwt$w.txt wer &&
        grep -q 'Done 500 lattices, failed for 0' log
    "
done
test_expect_success 'lattice-best-path log lines (costs per utterance and overall) equal Kaldi at LM weight 10' "
    lattice-scale --inv-acoustic-scale=10 ark:$L ark:- 2>/dev/null |
    lattice-best-path ark:- ark:/dev/null 2>log &&
    grep -E 'For utterance|Overall cost' log | sed -E 's/^LOG \([^ ]*\) //' >got &&
    gunzip -c $D/lat.ark.bestpath10.log.gz >exp && test_cmp exp got
"
test_expect_success 'word insertion penalty 1.0: words and alignments equal Kaldi' "
    lattice-scale --inv-acoustic-scale=10 ark:$L ark:- 2>/dev/null |
    lattice-add-penalty --word-ins-penalty=1.0 ark:- ark:- 2>/dev/null |
    lattice-best-path ark:- ark,t:w.int 'ark,t:|gzip -c >w.ali.gz' 2>/dev/null &&
    cmp $D/best.lmwt10.wip1.int w.int &&
    gunzip -c $D/best.lmwt10.wip1.ali.gz >exp.ali && gunzip -c w.ali.gz | cmp exp.ali -
"
test_expect_success 'lattice-1best --acoustic-scale=0.1 equals Kaldi; nbest-to-linear gives its words' "
    lattice-1best --acoustic-scale=0.1 ark:$L ark,t:1best.txt 2>log &&
    gunzip -c $D/lat.1best.txt.gz | cmp - 1best.txt &&
    grep -q 'Done converting 500 to best path, 0 had errors.' log &&
    lattice-1best --acoustic-scale=0.1 ark:$L ark:- 2>/dev/null |
    nbest-to-linear ark:- ark:/dev/null ark,t:words 2>log && cmp $D/best.lmwt10.int words &&
    grep -q 'Done 500 n-best entries, 0 had errors.' log
"
# latgen-faster-mapped with steps/nnet/decode.sh's options; Kaldi's run: latgen.log, lat.1.gz.
test_expect_success 'latgen-faster-mapped (decode.sh options): words, log and lattice archive' "
    latgen-faster-mapped --min-active=200 --max-active=7000 --max-mem=50000000 --beam=13.0 \
        --lattice-beam=8.0 --acoustic-scale=0.1 --allow-partial=true \
        --word-symbol-table=$D/words.txt $D/trans.mdl $D/HCLG.fst ark:$D/loglikes.ark \
        'ark:|gzip -c >$TMP_BASE/skald.lat.gz' ark,t:words.txt 2>log &&
    cmp $D/dfm.words.txt words.txt &&
    normlog $D/latgen.log.gz >exp && normlog log >got && numdiff exp got 1e-3
"
for w in 7 8 9 10 11 12 13 14 15 16 17; do
    test_expect_success "best path of skald's lattices equals that of Kaldi's at LM weight $w" "
        lattice-scale --inv-acoustic-scale=$w 'ark:gunzip -c $TMP_BASE/skald.lat.gz|' ark:- 2>/dev/null |
        lattice-best-path ark:- ark,t:ours 2>/dev/null &&
        lattice-scale --inv-acoustic-scale=$w ark:$L ark:- 2>/dev/null |
        lattice-best-path ark:- ark,t:kaldis 2>/dev/null &&
        test_cmp kaldis ours
    "
done
test_expect_success "skald's lattices are deterministic on words, in Kaldi's text form" "
    lattice-copy 'ark:gunzip -c $TMP_BASE/skald.lat.gz|' ark,t:t.txt 2>/dev/null &&
    awk 'NF==0{next} /^theo/{k=\$1; next} NF==4{ if (seen[k\" \"\$1\" \"\$3]++) bad=1 } END{exit bad}' t.txt &&
    lattice-copy ark:t.txt ark:b.ark 2>/dev/null && lattice-copy ark:b.ark ark,t:t2.txt 2>/dev/null &&
    cmp t.txt t2.txt
"
test_done
