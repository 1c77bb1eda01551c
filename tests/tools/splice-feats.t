#!/bin/sh
# splice-feats: context, edge replication, errors (conformance: tests/conformance/featproc.t).
. "$(dirname "$0")/lib.sh"

test_expect_success 'left 1 right 1 with replicated edges' '
    printf "u  [\n  1\n  2\n  3 ]\n" >f.txt &&
    splice-feats --left-context=1 --right-context=1 ark,t:f.txt ark,t:o.txt &&
    printf "u  [\n  1 1 2\n  1 2 3\n  2 3 3 ]\n" >exp.txt && numdiff exp.txt o.txt 0
'
test_expect_success 'defaults 4/4: dim x9' '
    printf "u  [\n  1 2\n  3 4 ]\n" >f.txt && splice-feats ark,t:f.txt ark:o.ark &&
    test "$(feat-to-dim ark:o.ark -)" = 18
'
test_expect_error 'empty input is fatal' "SpliceFrames: empty input" \
    sh -c "printf \"u  [ ]\n\" >f.txt && splice-feats ark,t:f.txt ark:o.ark"
test_done
