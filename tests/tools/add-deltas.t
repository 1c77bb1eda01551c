#!/bin/sh
# add-deltas: filters, edges, options (conformance: tests/conformance/featproc.t).
. "$(dirname "$0")/lib.sh"

test_expect_success 'order 1, window 1 on a ramp: delta = slope inside, halved at the replicated edges' '
    printf "u  [\n  0\n  2\n  4\n  6 ]\n" >f.txt &&
    add-deltas --delta-order=1 --delta-window=1 ark,t:f.txt ark,t:o.txt &&
    printf "u  [\n  0 1\n  2 2\n  4 2\n  6 1 ]\n" >exp.txt && numdiff exp.txt o.txt 1e-6
'
test_expect_success 'default order 2: dim x3; --truncate keeps leading columns first' '
    printf "u  [\n  1 2 3\n  4 5 6 ]\n" >f.txt &&
    add-deltas ark,t:f.txt ark:o.ark && test "$(feat-to-dim ark:o.ark -)" = 9 &&
    add-deltas --truncate=2 ark,t:f.txt ark:t.ark && test "$(feat-to-dim ark:t.ark -)" = 6
'
test_expect_success 'empty matrix: warning, no output, exit 0' '
    printf "u  [ ]\nv  [\n  1 ]\n" >f.txt &&
    add-deltas ark,t:f.txt ark,t:o.txt 2>err && grep -q "Empty feature matrix for key u" err &&
    ! grep -q "^u" o.txt && grep -q "^v" o.txt
'
test_expect_error '--truncate larger than the dim' "Cannot truncate features as dimension 3 is smaller than truncation dimension." \
    sh -c "printf \"u  [\n  1 2 3 ]\n\" >f.txt && add-deltas --truncate=4 ark,t:f.txt ark:o.ark"
test_done
