#!/bin/sh
# show-alignments: transition-ids and phone names in aligned columns.
. "$(dirname "$0")/lib.sh"
D=$DATA/ali

test_expect_success 'reproduces Kaldi on 120 utterances' '
    show-alignments $D/phones.txt $D/final.mdl ark:$D/ali.ark >out && test_cmp $D/show-alignments.txt out
'
test_expect_success 'columns line up: both lines of an utterance have equal length' '
    show-alignments $D/phones.txt $D/final.mdl ark:$D/ali.ark >out &&
    awk "NR%3==1{a=length(\$0)} NR%3==2{if (length(\$0)!=a) bad=1} END{exit bad}" out
'
test_expect_success 'hand-made alignment' '
    printf "u 2 1 8 18 17 \n" >a.txt && show-alignments $D/phones.txt $D/final.mdl ark:a.txt >out &&
    printf "u  [ 2 1 8 18 17 ] \nu  %-16s\n\n" SIL >exp && test_cmp exp out
'
test_expect_error 'phone missing from the symbol table' 'Phone 1 not in symbol table' \
    sh -c "printf \"u 2 1 8 18 17\n\" >a.txt && printf \"<eps> 0\n\" >s.txt &&
           show-alignments s.txt $D/final.mdl ark:a.txt"
test_expect_error 'malformed symbol table' 'Bad line 2' \
    sh -c "printf \"<eps> 0\nSIL x\n\" >s.txt && show-alignments s.txt $D/final.mdl ark:$D/ali.ark"
test_done
