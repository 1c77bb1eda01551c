#!/bin/sh
# hmm-info: the four size lines scripts parse.
. "$(dirname "$0")/lib.sh"
D=$DATA/ali

test_expect_success 'binary final.mdl and text transition model' '
    hmm-info $D/final.mdl >o1 && hmm-info $D/transition.txt >o2 &&
    test_cmp $D/hmm-info.txt o1 && test_cmp $D/hmm-info.txt o2
'
test_expect_success 'scripts: awk /pdfs/ and grep pdfs | awk $NF give 136' '
    test "$(hmm-info $D/final.mdl | awk "/pdfs/{print \$4}")" = 136 &&
    test "$(hmm-info --print-args=false $D/final.mdl 2>/dev/null | grep pdfs | awk "{ print \$NF }")" = 136
'
test_expect_success 'model through a pipe' '
    hmm-info "gunzip -c $D/final.mdl.txt.gz |" >o && test_cmp $D/hmm-info.txt o
'
test_expect_error 'not a transition model' 'Expected token "<TransitionModel>"' hmm-info $D/topo
test_expect_error 'truncated text model' 'transition model' \
    sh -c "head -c 4000 $D/transition.txt >t.txt && hmm-info t.txt"
test_expect_error 'empty file' 'expected <TransitionModel>' sh -c ": >e && hmm-info e"
test_expect_error 'log-probs of the wrong dimension' 'log-prob vector has dimension' \
    sh -c "sed \"s/^ \[ 0 /[ /\" $D/transition.txt >t.txt && hmm-info t.txt"
test_expect_error 'tuple with a phone outside the topology' 'phone 99, which is not in the topology' \
    sh -c "sed \"s/^1 0 0 \$/99 0 0 /\" $D/transition.txt >t.txt && hmm-info t.txt"
test_done
