#!/bin/sh
# The library's layers (Makefile LAYERS, lowest first) never include an upper layer.
. "$(dirname "$0")/lib.sh"
layers="base io matrix feat hmm compute nnet fst lat"
test_expect_success 'no lower layer includes an upper one' '
    bad=0; i=0
    for l in $layers; do
        i=$((i+1)); j=0
        for u in $layers; do
            j=$((j+1))
            [ $j -gt $i ] || continue
            if grep -rn "#include \"$u/" "$TOP/lib/$l" 2>/dev/null; then
                echo "layer $l includes upper layer $u"; bad=1
            fi
        done
    done
    [ $bad -eq 0 ]
'
test_done
