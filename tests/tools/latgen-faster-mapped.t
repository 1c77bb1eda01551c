#!/bin/sh
# latgen-faster-mapped: small graphs (OpenFst tools), options, bad input.
. "$(dirname "$0")/lib.sh"
M=$DATA/decode/trans.mdl
command -v fstcompile >/dev/null || { test_skip 'all latgen-faster-mapped tests' 'fstcompile (libfst-tools) missing'; test_done; }

mat() { awk -v k="$1" -v r="$2" -v c="$3" 'BEGIN { printf "%s [", k; for (i = 0; i < r; i++) { printf "\n "; for (j = 0; j < c; j++) printf " %g", -((i * 7 + j * 3) % 11) / 2 } print " ]" }'; }
# two competing words on the first frames, then word 9
graph() { printf "0 1 2 7 0.5\n0 1 3 8 0.7\n1 1 2 0 0.1\n1 1 3 0 0.2\n1 2 4 9 0.2\n2 2 4 0 0.1\n2 1.5\n" | fstcompile | fstconvert --fst_type=const; }
graph >"$TMP_BASE/g.fst"; mat u1 6 136 >"$TMP_BASE/m.ark"; mat u1 4 100 >"$TMP_BASE/narrow.ark"
G=$TMP_BASE/g.fst; A=$TMP_BASE/m.ark

test_expect_success 'lattice, words and alignment; best path of the lattice = the words written' '
    latgen-faster-mapped --acoustic-scale=0.5 $M $G ark:$A ark:lat.ark ark,t:w ark,t:a 2>log &&
    grep -q "Done 1 utterances, failed for 0" log &&
    lattice-best-path --acoustic-scale=0.5 ark:lat.ark ark,t:w2 2>/dev/null && test_cmp w w2 &&
    test "$(wc -w <a)" -eq 7
'
test_expect_success 'the lattice keeps both first words (lattice beam) and is deterministic' '
    latgen-faster-mapped --acoustic-scale=0.5 --lattice-beam=50 $M $G ark:$A ark,t:lat.txt 2>/dev/null &&
    grep -q "	7	" lat.txt && grep -q "	8	" lat.txt &&
    latgen-faster-mapped --acoustic-scale=0.5 --lattice-beam=0.001 $M $G ark:$A ark,t:thin.txt 2>/dev/null &&
    test $(grep -c "	[78]	" thin.txt) -eq 1
'
test_expect_success '--determinize-lattice=false writes a raw lattice that nbest-style tools read' '
    latgen-faster-mapped --determinize-lattice=false $M $G ark:$A ark,t:raw.txt 2>/dev/null &&
    awk "NF==5" raw.txt | grep -q . && lattice-copy --write-compact=false ark:raw.txt ark,t:raw2.txt 2>/dev/null &&
    test_cmp raw.txt raw2.txt
'
test_expect_success 'no final state: --allow-partial=false (default) fails, true gives partial output' '
    printf "0 1 2 7 0.5\n1 1 2 0 0.1\n" | fstcompile >nf.fst &&
    ! latgen-faster-mapped $M nf.fst ark:$A ark:l.ark 2>log &&
    grep -q "Not producing output for utterance u1 since no final-state reached and --allow-partial=false." log &&
    latgen-faster-mapped --allow-partial=true $M nf.fst ark:$A ark:l.ark ark,t:w 2>log &&
    grep -q "Outputting partial output for utterance u1 since no final-state reached" log &&
    printf "u1 7 \n" >exp && test_cmp exp w
'
test_expect_success 'no surviving token: not decoded, exit 1' '
    printf "0 1 2 7 0.5\n1 0.5\n" | fstcompile >dead.fst &&
    ! latgen-faster-mapped --allow-partial=true $M dead.fst ark:$A ark:l.ark 2>log &&
    grep -q "Done 0 utterances, failed for 1" log
'
test_expect_success 'empty utterance: warning, failed' '
    printf "u0 [ ]\n" >e.ark && ! latgen-faster-mapped $M $G ark:e.ark ark:l.ark 2>log &&
    grep -q "Zero-length utterance: u0" log
'
test_expect_error 'likelihood matrix narrower than the model' 'has 100 columns but transition-model has 136' \
    latgen-faster-mapped $M $G ark:$TMP_BASE/narrow.ark ark:/dev/null
test_expect_error 'wrong FST type' 'FST with arc type log is not supported' \
    sh -c "printf \"0 1 2 7 0.5\n1\n\" | fstcompile --arc_type=log >g.fst && latgen-faster-mapped $M g.fst ark:$A ark:/dev/null"
test_expect_error 'truncated FST' 'truncated' \
    sh -c "head -c 100 $G >t.fst && latgen-faster-mapped $M t.fst ark:$A ark:/dev/null"
test_expect_error 'max-active below min-active (Kaldi aborts)' 'max-active=100 --min-active=200' \
    latgen-faster-mapped --max-active=100 $M $G ark:$A ark:/dev/null
test_expect_error 'bad lattice beam' 'lattice-beam=-1' latgen-faster-mapped --lattice-beam=-1 $M $G ark:$A ark:/dev/null
test_done
