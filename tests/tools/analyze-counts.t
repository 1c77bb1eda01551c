#!/bin/sh
# analyze-counts: counts (+0.5) of int32 vector tables, weights, the sorted table in the log.
. "$(dirname "$0")/lib.sh"
D=$DATA/ali

test_expect_success 'counts + 0.5, text by default; zero counts warned' '
    printf "a 0 2 2\nb 2 5\n" >in.txt &&
    analyze-counts ark:in.txt out 2>err &&
    printf " [ 1.5 0.5 3.5 0.5 0.5 1.5 ]\n" >exp && test_cmp exp out &&
    test "$(grep -c "Zero count for label [134], this is suspicious\.$" err)" = 3 &&
    grep -q ") Summed 2 int32 vectors to counts, skipped 0 vectors\.$" err &&
    grep -q ") Counts written to out$" err
'
test_expect_success '--counts-dim pads; --binary writes a DV vector' '
    printf "a 0 2 2\n" >in.txt &&
    analyze-counts --counts-dim=4 ark:in.txt out && printf " [ 1.5 0.5 2.5 0.5 ]\n" >exp &&
    test_cmp exp out &&
    analyze-counts --binary=true ark:in.txt out.bin &&
    printf "\0BDV \4\3\0\0\0" >exp.bin && head -c 10 out.bin >h && cmp exp.bin h &&
    test $(wc -c <out.bin) = $((10 + 3 * 8))
'
test_expect_success '--utt-weights and --frame-weights multiply' '
    printf "a 0 2 2\nb 2 5\n" >in.txt && printf "a 2\nb 0.5\n" >uw && 
    printf "a [ 1 0.5 0.25 ]\nb [ 2 2 ]\n" >fw &&
    analyze-counts --utt-weights=ark:uw ark:in.txt o1 &&
    printf " [ 2.5 0.5 5 0.5 0.5 1 ]\n" >e1 && test_cmp e1 o1 &&
    analyze-counts --frame-weights=ark:fw ark:in.txt o2 &&
    printf " [ 1.5 0.5 3.25 0.5 0.5 2.5 ]\n" >e2 && test_cmp e2 o2 &&
    analyze-counts --frame-weights=ark:fw --utt-weights=ark:uw ark:in.txt o3 &&
    printf " [ 2.5 0.5 3 0.5 0.5 1.5 ]\n" >e3 && test_cmp e3 o3
'
test_expect_success 'missing weights: warning, utterance skipped' '
    printf "a 0\nb 1\n" >in.txt && printf "a 1\n" >uw &&
    analyze-counts --utt-weights=ark:uw ark:in.txt o 2>err &&
    grep -q "WARNING .*) b, missing per-utterance weight$" err &&
    grep -q "skipped 1 vectors\.$" err && printf " [ 1.5 ]\n" >e && test_cmp e o
'
test_expect_success 'sorted table with --symbol-table (verbose summary)' '
    printf "a 1 1 2\n" >in.txt && printf "<eps> 0\nA 1\nB 2\n" >syms &&
    analyze-counts --symbol-table=syms ark:in.txt /dev/null 2>err &&
    sed -n "/Printing/,/#total/p" err | sed "s/^LOG .*) //" >got &&
    printf "Printing...\n### The sorted count table,\ncount\t(norm),\tid\t(symbol):\n0\t(0),\t0\t(<eps>)\n1\t(0.333333),\t2\t(B)\n2\t(0.666667),\t1\t(A)\n\n#total 3 (8.33333e-06h)\n" >exp &&
    test_cmp exp got
'
test_expect_success '--verbose=1 without symbols ends each row after the id' '
    printf "a 1 1\n" >in.txt && analyze-counts --verbose=1 ark:in.txt /dev/null 2>err &&
    grep -q "^2	(1),	1	$" err
'
test_expect_success 'values beyond --counts-dim: warned, counts grow (as Kaldi)' '
    printf "a 0 7\n" >in.txt && analyze-counts --counts-dim=4 ark:in.txt o 2>err &&
    grep -q "WARNING .*Value 7 at position 1 of a is >= --counts-dim=4" err &&
    printf " [ 1.5 0.5 0.5 0.5 0.5 0.5 0.5 1.5 ]\n" >e && test_cmp e o
'
test_expect_error 'negative --counts-dim' 'Invalid --counts-dim=-3' \
    analyze-counts --counts-dim=-3 ark:$D/ali.ark /dev/null
test_expect_error 'non-integer --counts-dim' 'Invalid integer option' \
    analyze-counts --counts-dim=1x ark:$D/ali.ark /dev/null
test_expect_error 'frame weights of the wrong length' 'Per-frame weights for a have dimension 2' \
    sh -c "printf \"a 0 1 2\n\" >in.txt && printf \"a [ 1 1 ]\n\" >fw &&
           analyze-counts --frame-weights=ark:fw ark:in.txt o"
test_expect_error 'negative value' 'Negative value -2 at position 1 of a' \
    sh -c "printf \"a 0 -2\n\" >in.txt && analyze-counts ark:in.txt o"
test_expect_error 'absurdly large value' 'Too large a value 2147483647 at position 0 of a' \
    sh -c "printf \"a 2147483647\n\" >in.txt && analyze-counts ark:in.txt o"
test_expect_error 'missing symbol table' 'nosuch.txt' \
    sh -c "printf \"a 0\n\" >in.txt && analyze-counts --symbol-table=nosuch.txt ark:in.txt o"
test_done
