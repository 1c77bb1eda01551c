#!/bin/sh
# Alignment tools against Kaldi's own outputs (tests/data/ali, from conformance/ali): every
# output reproduced byte for byte, from each form of the model: the binary final.mdl (with its
# GMM after the transition model), the text final.mdl.txt, the transition model alone
# (binary and text), and the text model read through a pipe.
. "$(dirname "$0")/../tools/lib.sh"
D=$DATA/ali
# Log lines compared without the (program[version]:function():file:line) part.
normlog() { sed -E 's/^(LOG|WARNING|ERROR|VLOG\[[0-9]+\]) \([^ ]*\) /\1 /' "$1"; }

gunzip -c "$D/final.mdl.txt.gz" > "$TMP_BASE/final.mdl.txt"
T=$TMP_BASE/final.mdl.txt

for m in "$D/final.mdl" "$T" "$D/transition.bin" "$D/transition.txt" "gunzip -c $D/final.mdl.txt.gz |"; do
    name=$(basename "${m%% |}")
    case $m in *"|") name="pipe:$name" ;; esac
    test_expect_success "$name: hmm-info" '
        hmm-info "$m" >out && test_cmp "$D/hmm-info.txt" out
    '
    test_expect_success "$name: ali-to-pdf (binary, text and gzipped alignments)" '
        ali-to-pdf "$m" ark:$D/ali.ark ark,t:out1 &&
        ali-to-pdf "$m" ark:$D/ali.txt ark,t:out2 &&
        ali-to-pdf "$m" "ark:gunzip -c $D/ali.1.gz |" ark,t:out3 &&
        test_cmp "$D/ali-to-pdf.txt" out1 && test_cmp "$D/ali-to-pdf.txt" out2 &&
        test_cmp "$D/ali-to-pdf.txt" out3
    '
    test_expect_success "$name: ali-to-pdf | ali-to-post, text and binary" '
        ali-to-pdf "$m" ark:$D/ali.ark ark:pdf.ark &&
        ali-to-post ark:pdf.ark ark,t:post.txt && ali-to-post ark:pdf.ark ark:post.bin &&
        test_cmp "$D/ali-to-post.txt" post.txt && cmp "$D/ali-to-post.bin" post.bin
    '
    test_expect_success "$name: ali-to-phones (plain, per-frame, lengths)" '
        ali-to-phones "$m" ark:$D/ali.ark ark,t:o1 &&
        ali-to-phones --per-frame=true "$m" ark:$D/ali.ark ark,t:o2 &&
        ali-to-phones --write-lengths=true "$m" ark:$D/ali.ark ark,t:o3 &&
        test_cmp "$D/ali-to-phones.txt" o1 && test_cmp "$D/ali-to-phones.per-frame.txt" o2 &&
        test_cmp "$D/ali-to-phones.lengths.txt" o3
    '
    test_expect_success "$name: ali-to-phones --ctm-output (default shift: 3 decimals; 0.02: 2)" '
        ali-to-phones --ctm-output=true "$m" ark:$D/ali.ark - >c1 &&
        ali-to-phones --ctm-output=true --frame-shift=0.02 "$m" ark:$D/ali.ark - >c2 &&
        test_cmp "$D/ali-to-phones.ctm" c1 && test_cmp "$D/ali-to-phones.fs02.ctm" c2
    '
    test_expect_success "$name: show-alignments" '
        show-alignments $D/phones.txt "$m" ark:$D/ali.ark >out &&
        test_cmp "$D/show-alignments.txt" out
    '
    test_expect_success "$name: analyze-counts of pdfs (text with --counts-dim, binary), logs" '
        ali-to-pdf "$m" ark:$D/ali.ark ark:pdf.ark &&
        analyze-counts --binary=false --counts-dim=136 ark:pdf.ark analyze-counts.pdf.txt 2>log &&
        test_cmp "$D/analyze-counts.pdf.txt" analyze-counts.pdf.txt &&
        normlog "$D/analyze-counts.pdf.log" | sed "s/ark:- /ark:pdf.ark /" >exp.log &&
        normlog log >got.log && test_cmp exp.log got.log &&
        analyze-counts --binary=true ark:pdf.ark c.bin && cmp "$D/analyze-counts.pdf.bin" c.bin
    '
    test_expect_success "$name: analyze-counts --verbose=1 --symbol-table of per-frame phones" '
        ali-to-phones --per-frame=true "$m" ark:$D/ali.ark ark:ph.ark 2>log &&
        analyze-counts --verbose=1 --symbol-table=$D/phones.txt --print-args=false \
            ark:ph.ark /dev/null 2>>log &&
        normlog "$D/analyze-counts.phones.log" | sed "s|^ali-to-phones --per-frame=true .*|CMD|" >exp.log &&
        normlog log | sed "s|^ali-to-phones --per-frame=true .*|CMD|" >got.log &&
        test_cmp exp.log got.log
    '
    test_expect_success "$name: copy-transition-model (binary and text)" '
        copy-transition-model "$m" t.bin && copy-transition-model --binary=false "$m" t.txt &&
        test_cmp "$D/transition.txt" t.txt &&
        case "$name" in
        *txt*) copy-transition-model "$D/transition.txt" ref.bin && cmp ref.bin t.bin ;;
        *) cmp "$D/transition.bin" t.bin ;;
        esac
    '
done

test_expect_success 'log lines of the alignment tools match Kaldi' '
    ali-to-pdf $D/final.mdl ark:$D/ali.ark ark:p.ark 2>l1 &&
    ali-to-post ark:$D/ali.ark ark:q.ark 2>l2 &&
    ali-to-phones $D/final.mdl ark:$D/ali.ark ark:r.ark 2>l3 &&
    normlog l1 | tail -n 1 >got && normlog l2 | tail -n 1 >>got && normlog l3 | tail -n 1 >>got &&
    printf "%s\n" "LOG Converted 120 alignments to pdf sequences." "LOG Converted 120 alignments." \
        "LOG Done 120 utterances." >exp &&
    test_cmp exp got &&
    normlog $D/stderr.log | grep -F -x -f exp >kaldi && test -s kaldi
'
test_done
