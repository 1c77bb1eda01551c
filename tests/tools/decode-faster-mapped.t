#!/bin/sh
# decode-faster-mapped: bad inputs give clean errors or Kaldi's warnings; small graphs built
# with the OpenFst tools; the model is the digits transition model (136 pdfs, 1162 tids).
. "$(dirname "$0")/lib.sh"
M=$DATA/decode/trans.mdl
command -v fstcompile >/dev/null || { test_skip 'all decode-faster-mapped tests' 'fstcompile (libfst-tools) missing'; test_done; }

# mat NAME ROWS COLS: a text matrix archive with one utterance, values -(r+c)/10
mat() { awk -v k="$1" -v r="$2" -v c="$3" 'BEGIN { printf "%s [", k; for (i = 0; i < r; i++) { printf "\n "; for (j = 0; j < c; j++) printf " %g", -(i + j) / 10 } print " ]" }'; }
# A two-word graph: tids 2, 3 self-loop on states 1 and 2; state 2 final.
graph() { printf "0 1 2 7 0.5\n1 1 2 0 0.1\n1 2 3 8 0.2\n2 2 3 0 0.1\n2 1.5\n" | fstcompile | fstconvert --fst_type=const; }

test_expect_success 'decodes a small graph and writes words and alignment' '
    graph >g.fst && mat u1 5 136 >m.ark &&
    decode-faster-mapped $M g.fst ark:m.ark ark,t:w ark,t:a 2>log &&
    printf "u1 7 8 \n" >exp && test_cmp exp w &&
    test "$(wc -w <a)" -eq 6 && grep -q "Done 1 utterances, failed for 0" log &&
    grep -q "Overall log-likelihood per frame is .* over 5 frames." log
'
test_expect_success 'a VectorFst graph works too' '
    printf "0 1 2 7 0.5\n1 1 2 0 0.1\n1 0.5\n" | fstcompile >g.fst && mat u1 3 136 >m.ark &&
    decode-faster-mapped $M g.fst ark:m.ark ark,t:w 2>log && printf "u1 7 \n" >exp && test_cmp exp w
'
test_expect_error 'graph with the log arc type' 'FST with arc type log is not supported' \
    sh -c "printf \"0 1 2 7 0.5\n1\n\" | fstcompile --arc_type=log >g.fst && decode-faster-mapped $M g.fst ark:/dev/null ark:/dev/null"
test_expect_error 'truncated graph' 'truncated' \
    sh -c "printf \"0 1 2 7 0.5\n1 1 2 0 0.1\n1\n\" | fstcompile | fstconvert --fst_type=const | head -c 90 >g.fst && decode-faster-mapped $M g.fst ark:/dev/null ark:/dev/null"
test_expect_error 'not an FST at all' 'bad magic number' \
    sh -c "echo hello >g.fst && decode-faster-mapped $M g.fst ark:/dev/null ark:/dev/null"
test_expect_error 'graph labels beyond the model' 'input label 5000' \
    sh -c "printf \"0 1 5000 7 0.5\n1\n\" | fstcompile >g.fst && decode-faster-mapped $M g.fst ark:/dev/null ark:/dev/null"
graph >"$TMP_BASE/g.fst" && mat u1 4 100 >"$TMP_BASE/narrow.ark"
test_expect_error 'likelihood matrix narrower than the model pdfs' 'has 100 columns but transition-model has 136 pdf-ids' \
    decode-faster-mapped $M "$TMP_BASE/g.fst" "ark:$TMP_BASE/narrow.ark" ark:/dev/null
test_expect_success 'empty utterance: warning, counted as failed, exit 1 when nothing decoded' '
    graph >g.fst && printf "u0 [ ]\n" >m.ark &&
    decode-faster-mapped $M g.fst ark:m.ark ark,t:w 2>log; st=$? &&
    test $st -eq 1 && grep -q "WARNING .*Zero-length utterance: u0" log &&
    grep -q "Done 0 utterances, failed for 1" log
'
test_expect_success 'no final state reached: partial traceback with --allow-partial=true (default)' '
    printf "0 1 2 7 0.5\n1 1 2 0 0.1\n" | fstcompile >g.fst && mat u1 3 136 >m.ark &&
    decode-faster-mapped $M g.fst ark:m.ark ark,t:w 2>log &&
    grep -q "Decoder did not reach end-state, outputting partial traceback." log &&
    printf "u1 7 \n" >exp && test_cmp exp w
'
test_expect_success 'no final state reached, --allow-partial=false: not decoded' '
    printf "0 1 2 7 0.5\n1 1 2 0 0.1\n" | fstcompile >g.fst && mat u1 3 136 >m.ark &&
    ! decode-faster-mapped --allow-partial=false $M g.fst ark:m.ark ark,t:w 2>log &&
    grep -q "Did not successfully decode utterance u1, len = 3" log && test ! -s w
'
test_expect_success 'no surviving token (dead end): not decoded even with --allow-partial' '
    printf "0 1 2 7 0.5\n1 0.5\n" | fstcompile >g.fst && mat u1 3 136 >m.ark &&
    ! decode-faster-mapped $M g.fst ark:m.ark ark,t:w 2>log &&
    grep -q "Did not successfully decode utterance u1, len = 3" log
'
test_expect_error 'min-active not below max-active' 'max-active=5 --min-active=5' \
    decode-faster-mapped --max-active=5 --min-active=5 $M g.fst ark:m.ark ark:w
test_expect_error 'bad beam value' 'Invalid floating-point option' decode-faster-mapped --beam=abc $M g.fst ark:m.ark ark:w
test_expect_success 'wrong number of arguments: usage, exit 1' '
    decode-faster-mapped a b 2>err; test $? -eq 1 && grep -q "Usage:" err
'
test_done
