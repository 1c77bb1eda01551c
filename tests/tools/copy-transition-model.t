#!/bin/sh
# copy-transition-model: separate the transition model from the model file.
. "$(dirname "$0")/lib.sh"
D=$DATA/ali

test_expect_success 'binary (default) and text output equal Kaldi' '
    copy-transition-model $D/final.mdl t.bin 2>err && cmp $D/transition.bin t.bin &&
    grep -q ") Copied transition model\.$" err &&
    copy-transition-model --binary=false $D/final.mdl t.txt && test_cmp $D/transition.txt t.txt
'
test_expect_success 'text -> binary -> text round trip' '
    copy-transition-model $D/transition.txt a.bin && copy-transition-model --binary=false a.bin a.txt &&
    test_cmp $D/transition.txt a.txt
'
test_expect_success 'writes to stdout' '
    copy-transition-model --binary=false $D/final.mdl - >o && test_cmp $D/transition.txt o
'
test_expect_success 'a failed read leaves an existing output untouched' '
    echo old >out.mdl && test_must_fail copy-transition-model $D/topo out.mdl &&
    echo old >exp && test_cmp exp out.mdl && test "$(ls)" = "$(printf "exp\nout.mdl")"
'
test_expect_error 'truncated model' 'transition model' \
    sh -c "head -c 10000 $D/transition.bin >t.bin && copy-transition-model t.bin o.bin"
test_done
