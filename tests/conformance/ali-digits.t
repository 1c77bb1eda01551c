#!/bin/sh
# End to end on the Kaldi digits system (tests/data/ali/digits): the prior counts and the
# phone histogram that steps/nnet/train.sh computes, with its exact command lines, compared
# with Kaldi's ali_train_pdf.counts and logs (log lines without the program/file/line part).
. "$(dirname "$0")/../tools/lib.sh"
G=$DATA/ali/digits
normlog() { sed -E 's/^(LOG|WARNING|ERROR|VLOG\[[0-9]+\]) \([^ ]*\) /\1 /' "$1"; }
setup() { ln -s "$G/data" data && mkdir -p exp/dnn/log && ln -s "$G/exp/tri1_ali" exp/tri1_ali; }

test_expect_success 'hmm-info | awk gives num_pdf as train.sh reads it' '
    test "$(hmm-info $G/exp/tri1_ali/final.mdl | awk "/pdfs/{print \$4}")" = 136
'
test_expect_success 'pdf counts for the DNN priors: file and log as Kaldi' '
    setup && num_pdf=136 && alidir=exp/tri1_ali && dir=exp/dnn &&
    labels_tr_pdf="ark:ali-to-pdf $alidir/final.mdl \"ark:gunzip -c $alidir/ali.*.gz |\" ark:- |" &&
    analyze-counts --verbose=1 --binary=false --counts-dim=$num_pdf "$labels_tr_pdf" \
        $dir/ali_train_pdf.counts 2>$dir/log/analyze_counts_pdf.log &&
    test_cmp $G/expected/ali_train_pdf.counts $dir/ali_train_pdf.counts &&
    normlog $G/expected/analyze_counts_pdf.log >exp.log &&
    normlog $dir/log/analyze_counts_pdf.log >got.log && test_cmp exp.log got.log
'
test_expect_success 'phone histogram log (symbol table, per-frame phones) as Kaldi' '
    setup && num_pdf=136 && alidir=exp/tri1_ali && dir=exp/dnn && lang=data/lang &&
    analyze-counts --verbose=1 --symbol-table=$lang/phones.txt --counts-dim=$num_pdf \
        "ark:ali-to-phones --per-frame=true $alidir/final.mdl \"ark:gunzip -c $alidir/ali.*.gz |\" ark:- |" \
        /dev/null 2>$dir/log/analyze_counts_phones.log &&
    normlog $G/expected/analyze_counts_phones.log >exp.log &&
    normlog $dir/log/analyze_counts_phones.log >got.log && test_cmp exp.log got.log
'
test_expect_success 'training targets pipeline of train.sh composes (ali-to-pdf | ali-to-post)' '
    setup && alidir=exp/tri1_ali &&
    ali-to-pdf $alidir/final.mdl "ark:gunzip -c $alidir/ali.*.gz |" ark:- 2>/dev/null |
        ali-to-post ark:- ark,t:post.txt 2>err &&
    test "$(wc -l <post.txt)" = 2250 && grep -q ") Converted 2250 alignments\.$" err &&
    awk "{n += (NF - 1) / 4} END {print n}" post.txt >frames && echo 95980 >want && test_cmp want frames
'
test_done
